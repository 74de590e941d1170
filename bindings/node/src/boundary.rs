//! Crossing N-API: arguments in as JSON text, results out through `JSON.parse`, errors thrown as `Error`s
//! with `.code` and `.errors`.

use clinic_js_api::{bad_argument, decode_json, encode_json, ErrorCode, JsApiError};
use napi::bindgen_prelude::*;
use napi::{Env, JsError, JsValue, ValueType, JSON};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The thrown error: a JS `Error` whose `.code` is the engine's code, with `.errors` attached.
pub fn js_error(env: &Env, e: JsApiError) -> Error {
    let err = JsError::from(Error::new(e.code.clone(), e.message.clone())).into_unknown(*env);
    let attach = || -> Result<()> {
        let mut obj: Object = err.coerce_to_object()?;
        obj.set("errors", parse(env, encode_json(&e.errors).unwrap_or_else(|_| "[]".into()))?)?;
        Ok(())
    };
    match attach() {
        Ok(()) => Error::from(err),
        Err(other) => other,
    }
}

fn json(env: &Env) -> Result<JSON<'static>> {
    env.get_global()?.get_named_property_unchecked("JSON")
}

/// `JSON.parse(text)`.
fn parse<'e>(env: &'e Env, text: String) -> Result<Unknown<'e>> {
    let f: Function<String, Unknown<'e>> = json(env)?.get_named_property_unchecked("parse")?;
    f.call(text)
}

/// A failure of N-API itself (not of the caller's value), reported like any other problem.
fn napi_failed(name: &str, e: Error) -> JsApiError {
    JsApiError::at(name, ErrorCode::InvalidJson, e.reason)
}

/// `JSON.stringify(value)`; a value it refuses (a BigInt, a cycle) is `INVALID_JSON` at `name`.
fn stringify(env: &Env, name: &str, value: Unknown<'_>) -> std::result::Result<String, JsApiError> {
    let json = json(env).map_err(|e| napi_failed(name, e))?;
    json.stringify(value)
        .map_err(|e| JsApiError::at(name, ErrorCode::InvalidJson, format!("not JSON-shaped: {}", e.reason)))
}

/// Argument `name` (an object or array) as a DTO.
pub fn arg<T: DeserializeOwned>(env: &Env, name: &str, value: Unknown<'_>, expected: &str) -> Result<T> {
    if value.get_type()? != ValueType::Object {
        return Err(js_error(env, bad_argument(name, expected)));
    }
    let text = stringify(env, name, value).map_err(|e| js_error(env, e))?;
    decode_json(name, &text).map_err(|e| js_error(env, e))
}

/// A string argument (an id, an instant, a date), or `undefined`/`null` for "none".
fn scalar(env: &Env, name: &str, value: Unknown<'_>) -> std::result::Result<serde_json::Value, JsApiError> {
    let fail = |e| napi_failed(name, e);
    match value.get_type().map_err(fail)? {
        ValueType::Undefined | ValueType::Null => Ok(serde_json::Value::Null),
        ValueType::String => {
            let s = value.coerce_to_string().and_then(|s| s.into_utf8()).and_then(|s| s.into_owned()).map_err(fail)?;
            Ok(serde_json::Value::String(s))
        }
        ValueType::Object if value.is_date().map_err(fail)? => {
            // A JS `Date` is an instant: `toJSON()` gives RFC 3339 in UTC; an invalid date gives null.
            match serde_json::from_str(&stringify(env, name, value)?) {
                Ok(serde_json::Value::String(s)) => Ok(serde_json::Value::String(s)),
                _ => Err(JsApiError::at(name, ErrorCode::InvalidDate, "an invalid Date")),
            }
        }
        _ => Err(bad_argument(name, "a string")),
    }
}

/// Any argument of a `Scheduler` call as a JSON value (`undefined`/`null` → `null`). Numbers cannot be
/// NaN or infinite here: JSON text would turn them into `null` ("absent"), so they are refused first.
pub fn value(env: &Env, name: &str, value: Unknown<'_>) -> std::result::Result<serde_json::Value, JsApiError> {
    let fail = |e| napi_failed(name, e);
    match value.get_type().map_err(fail)? {
        ValueType::Object if !value.is_date().map_err(fail)? => {}
        _ => return scalar(env, name, value),
    }
    let checked: Function<Unknown<'_>, String> = env
        .run_script(
            "(v) => JSON.stringify(v, (k, x) => { if (typeof x === 'number' && !Number.isFinite(x)) \
             throw new RangeError(`${k || 'the value'} is ${x}, not a finite number`); return x; })",
        )
        .map_err(fail)?;
    let text = checked
        .call(value)
        .map_err(|e| JsApiError::at(name, ErrorCode::InvalidJson, format!("not JSON-shaped: {}", e.reason)))?;
    serde_json::from_str(&text).map_err(|e| JsApiError::at(name, ErrorCode::InvalidJson, e.to_string()))
}

/// A result as a JS value.
pub fn out<'e, T: Serialize>(env: &'e Env, value: &T) -> Result<Unknown<'e>> {
    let text = encode_json(value).map_err(|e| js_error(env, e))?;
    parse(env, text)
}

/// A file's bytes: a string (CSV text), a `Uint8Array` or a `Buffer`.
pub fn bytes(name: &str, value: Unknown<'_>) -> std::result::Result<Vec<u8>, JsApiError> {
    let refuse = |_| bad_argument(name, "a string, Uint8Array or Buffer");
    match value.get_type().map_err(refuse)? {
        ValueType::String => Ok(value
            .coerce_to_string()
            .and_then(|s| s.into_utf8())
            .and_then(|s| s.into_owned())
            .map_err(refuse)?
            .into_bytes()),
        ValueType::Object if value.is_buffer().map_err(refuse)? => {
            Ok(Buffer::from_unknown(value).map_err(refuse)?.to_vec())
        }
        ValueType::Object if value.is_typedarray().map_err(refuse)? => {
            Ok(Uint8Array::from_unknown(value).map_err(refuse)?.to_vec())
        }
        _ => Err(refuse(Error::from_reason(""))),
    }
}

/// An optional argument: absent, `undefined` or `null` → `None`.
pub fn given(value: Option<Unknown<'_>>) -> Option<Unknown<'_>> {
    value.filter(|v| !matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null)))
}
