//! The one error shape JavaScript sees: `{ code, message, errors: [{ loc, code, message }] }`, where every
//! `code` is an engine [`ErrorCode`] string. The napi and wasm crates turn it into a thrown `Error` with
//! these properties; nothing here knows about either runtime.

use std::fmt;

use clinic_core::{ClinicError, ErrorCode, FieldError};
use serde::Serialize;

use crate::values::CODE_MARK;

/// One problem, located by a camelCase path into the caller's input (`"schedules[0].weeklyHours[2].end"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorItem {
    pub loc: String,
    pub code: String,
    pub message: String,
}

/// A failure of an API call: the first problem's code, a readable message and every problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsApiError {
    pub code: String,
    pub message: String,
    pub errors: Vec<ErrorItem>,
}

impl fmt::Display for JsApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for JsApiError {}

/// `weekly_hours[2].postal_code` → `weeklyHours[2].postalCode`: the core names fields the Rust way.
pub(crate) fn camel_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut upper = false;
    for ch in path.chars() {
        match ch {
            '_' => upper = true,
            c if upper && c.is_ascii_alphabetic() => {
                out.push(c.to_ascii_uppercase());
                upper = false;
            }
            c => {
                if upper {
                    out.push('_');
                    upper = false;
                }
                out.push(c);
            }
        }
    }
    out
}

/// Core messages quote the offending value; a multi-megabyte input must not come back whole in an error.
const MAX_MESSAGE_CHARS: usize = 300;

fn bounded(message: String) -> String {
    if message.len() <= MAX_MESSAGE_CHARS {
        return message;
    }
    let cut: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    format!("{cut}… ({} characters)", message.chars().count())
}

fn join(prefix: &str, field: &str) -> String {
    match (prefix.is_empty(), field.is_empty()) {
        (true, _) => field.to_string(),
        (_, true) => prefix.to_string(),
        _ if field.starts_with('[') => format!("{prefix}{field}"),
        _ => format!("{prefix}.{field}"),
    }
}

/// `chrono`'s parse error messages (`ParseError`'s `Display`).
const CHRONO_ERRORS: &[&str] = &[
    "input is out of range",
    "no possible date and time matching input",
    "input is not enough for unique date and time",
    "input contains invalid characters",
    "premature end of input",
    "trailing input",
    "bad or unsupported format string",
];

impl JsApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        JsApiError { code: code.as_str().to_string(), message: message.into(), errors: Vec::new() }
    }

    /// A single problem at `loc`.
    pub fn at(loc: &str, code: ErrorCode, message: impl Into<String>) -> Self {
        let message = message.into();
        let item = ErrorItem { loc: loc.to_string(), code: code.as_str().to_string(), message: message.clone() };
        let message = if loc.is_empty() { message } else { format!("{loc}: {message}") };
        JsApiError { code: code.as_str().to_string(), message, errors: vec![item] }
    }

    /// An engine error whose field paths are relative to `prefix` in the caller's input.
    pub fn from_core(prefix: &str, e: ClinicError) -> Self {
        let code = e.code().as_str().to_string();
        let item = |f: FieldError| ErrorItem {
            loc: camel_path(&join(prefix, &f.field)),
            code: f.code.as_str().to_string(),
            message: bounded(f.message),
        };
        let errors: Vec<ErrorItem> = match e {
            ClinicError::Validation(v) => v.errors.into_iter().map(item).collect(),
            ClinicError::Booking(r) => r
                .violations
                .into_iter()
                .map(|v| ErrorItem { loc: prefix.to_string(), code: v.code.as_str().to_string(), message: v.message })
                .collect(),
            other => {
                vec![ErrorItem { loc: prefix.to_string(), code: code.clone(), message: bounded(other.to_string()) }]
            }
        };
        let message = errors
            .iter()
            .map(|e| if e.loc.is_empty() { e.message.clone() } else { format!("{}: {}", e.loc, e.message) })
            .collect::<Vec<_>>()
            .join("; ");
        JsApiError { code, message, errors }
    }

    /// A deserialization failure at `path` (from `serde_path_to_error`) under the argument named `arg`.
    ///
    /// Scalars report their own code through the message (see `values::coded`); a missing field is
    /// `REQUIRED` at that field; anything else (a number where a string belongs, NaN, an integer out of
    /// range, an unknown enum value) is `INVALID_JSON`, "not of the expected shape".
    pub(crate) fn from_serde(arg: &str, path: &str, message: &str) -> Self {
        let path = if path == "." { "" } else { path };
        let loc = join(arg, path);
        // napi prefixes its errors with the status (`InvalidArg, …`), serde-wasm-bindgen with the JS error
        // class (`Error: …`); serde_json appends a position.
        let message = message.strip_prefix("InvalidArg, ").unwrap_or(message);
        let message = message.strip_prefix("Error: ").unwrap_or(message);
        if let Some(start) = message.find(CODE_MARK) {
            let rest = &message[start + CODE_MARK.len_utf8()..];
            if let Some(end) = rest.find(CODE_MARK) {
                if let Some(code) = ErrorCode::parse(&rest[..end]) {
                    let text = rest[end + CODE_MARK.len_utf8()..].to_string();
                    let text = text.split(" at line ").next().unwrap_or_default().to_string();
                    return JsApiError::at(&loc, code, text);
                }
            }
        }
        let message = message.split(" at line ").next().unwrap_or_default();
        // The core's own types parse ids and dates with `uuid` and `chrono`, whose messages name no code.
        if message.starts_with("UUID parsing failed") {
            return JsApiError::at(&loc, ErrorCode::InvalidId, bounded(message.to_string()));
        }
        if CHRONO_ERRORS.iter().any(|m| message.starts_with(m)) {
            return JsApiError::at(&loc, ErrorCode::InvalidDate, bounded(message.to_string()));
        }
        // A core type whose validating constructor runs inside serde says `invalid input: phone (INVALID_PHONE): …`.
        if let Some(code) = message.split('(').skip(1).find_map(|r| r.split(')').next().and_then(ErrorCode::parse)) {
            return JsApiError::at(&loc, code, bounded(message.to_string()));
        }
        if let Some(field) = message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
            return JsApiError::at(&join(&loc, field), ErrorCode::Required, format!("`{field}` is required"));
        }
        JsApiError::at(&loc, ErrorCode::InvalidJson, message.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_camel_case() {
        assert_eq!(camel_path("schedules[0].weekly_hours[2].end"), "schedules[0].weeklyHours[2].end");
        assert_eq!(camel_path("address.postal_code"), "address.postalCode");
    }

    #[test]
    fn core_errors_keep_codes_and_locations() {
        let mut v = clinic_core::ValidationErrors::new();
        v.push(ErrorCode::InvalidPhone, "contact.phone", "bad phone");
        v.push(ErrorCode::Required, "given_name", "required");
        let e = JsApiError::from_core("patients[3]", ClinicError::Validation(v));
        assert_eq!(e.code, "INVALID_PHONE");
        let locs: Vec<_> = e.errors.iter().map(|x| x.loc.as_str()).collect();
        assert_eq!(locs, ["patients[3].contact.phone", "patients[3].givenName"]);
    }
}
