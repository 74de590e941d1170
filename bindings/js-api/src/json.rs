//! The boundary format: values cross between JavaScript and Rust as JSON text.
//!
//! Both runtimes read a JS object property by property through their serde bridges (napi's `De`,
//! serde-wasm-bindgen), one runtime call per property: a W1 calendar of 835k appointments took 15 s that
//! way. `JSON.stringify`/`JSON.parse` are native and fast, and `serde_json` reads and writes text without
//! allocating a value tree, so the bindings hand this module one string in and take one string out.
//!
//! What JSON text loses is handled here: `NaN` and `±Infinity` become `null`, so an optional number given as
//! `null` is refused rather than read as "absent" (see [`crate::values::present`]); `undefined` properties
//! disappear, which is what "absent" means anyway. The core's own serde types (snake_case) are reached by
//! renaming object keys at the boundary ([`snake_keys`], [`camel_keys`]).

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{camel_path, JsApiError};
use crate::ErrorCode;

/// Deserializes argument `arg` from JSON text, locating a problem in camelCase with the engine's code.
pub fn decode_json<T: DeserializeOwned>(arg: &str, text: &str) -> Result<T, JsApiError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = camel_path(&e.path().to_string());
        JsApiError::from_serde(arg, &path, &e.inner().to_string())
    })?;
    de.end().map_err(|e| JsApiError::at(arg, ErrorCode::InvalidJson, e.to_string()))?;
    Ok(value)
}

/// A core value (snake_case serde) from a camelCase JSON value: keys renamed, then deserialized with the
/// problem located in camelCase under `arg`.
pub fn decode_core<T: DeserializeOwned>(arg: &str, value: Value) -> Result<T, JsApiError> {
    serde_path_to_error::deserialize(snake_keys(value)).map_err(|e| {
        let path = camel_path(&e.path().to_string());
        JsApiError::from_serde(arg, &path, &e.inner().to_string())
    })
}

/// A result as JSON text. Every DTO and core type serializes to JSON; a failure would be a bug, reported as
/// an error rather than a panic.
pub fn encode_json<T: Serialize>(value: &T) -> Result<String, JsApiError> {
    serde_json::to_string(value)
        .map_err(|e| JsApiError::new(ErrorCode::InvalidJson, format!("cannot convert the result: {e}")))
}

/// A core value as a camelCase JSON value.
pub fn encode_core<T: Serialize>(value: &T) -> Result<Value, JsApiError> {
    serde_json::to_value(value)
        .map(camel_keys)
        .map_err(|e| JsApiError::new(ErrorCode::InvalidJson, format!("cannot convert the result: {e}")))
}

/// Only identifier-like keys are renamed: map keys that are data (dates, codes such as `NO_SHOW`, ids)
/// pass through.
fn is_snake(k: &str) -> bool {
    k.contains('_') && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_camel(k: &str) -> bool {
    k.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && k.bytes().any(|b| b.is_ascii_uppercase())
        && k.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn rename(v: Value, key: fn(String) -> String) -> Value {
    match v {
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, x)| (key(k), rename(x, key))).collect::<Map<String, Value>>())
        }
        Value::Array(xs) => Value::Array(xs.into_iter().map(|x| rename(x, key)).collect()),
        other => other,
    }
}

/// `{"weeklyHours": …}` → `{"weekly_hours": …}`, deeply; values untouched.
pub fn snake_keys(v: Value) -> Value {
    rename(v, |k| {
        if !is_camel(&k) {
            return k;
        }
        let mut out = String::with_capacity(k.len() + 4);
        for c in k.chars() {
            if c.is_ascii_uppercase() {
                out.push('_');
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    })
}

/// `{"weekly_hours": …}` → `{"weeklyHours": …}`, deeply; values untouched.
pub fn camel_keys(v: Value) -> Value {
    rename(v, |k| if is_snake(&k) { camel_path(&k) } else { k })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_renamed_both_ways_and_data_keys_kept() {
        let camel = json!({"weeklyHours": [{"startTime": 1}], "line1": "x", "NO_SHOW": 2, "2027-01-01": 3});
        let snake = snake_keys(camel.clone());
        assert_eq!(snake, json!({"weekly_hours": [{"start_time": 1}], "line1": "x", "NO_SHOW": 2, "2027-01-01": 3}));
        assert_eq!(camel_keys(snake), camel);
    }

    #[test]
    fn json_errors_carry_codes_and_places() {
        let e = decode_json::<crate::dto::BookingRequestDto>("request", r#"{"patientId": 1}"#).unwrap_err();
        assert_eq!((e.code.as_str(), e.errors[0].loc.as_str()), ("INVALID_JSON", "request.patientId"));
        let e = decode_json::<crate::dto::SlotQueryDto>(
            "query",
            r#"{"appointmentTypeId":"00000000-0000-0000-0000-000000000001","from":"2027-01-01T00:00:00Z","to":"2027-01-02T00:00:00Z","limit":null}"#,
        )
        .unwrap_err();
        assert_eq!((e.code.as_str(), e.errors[0].loc.as_str()), ("INVALID_JSON", "query.limit"));
    }
}
