//! # clinic-js-api
//!
//! The JavaScript-facing API of the clinic scheduling engine, shared by the Node addon (`bindings/node`,
//! napi-rs) and the WebAssembly module (`bindings/wasm`, wasm-bindgen) — the lightningcss layout: one crate
//! holds every conversion, so the two builds cannot drift apart, and the same JS test suite runs on both.
//!
//! Inputs and outputs are plain serde DTOs ([`dto`]) shaped like JSON objects with camelCase keys; ids and
//! instants are strings. Errors are [`JsApiError`] — `{ code, message, errors: [{ loc, code, message }] }`
//! with the core's stable codes. No scheduling logic lives here: each call converts, runs `clinic-core`, and
//! converts back.

mod api;
mod convert;
pub mod dto;
mod error;
mod json;
#[cfg(feature = "store")]
mod scheduler;
mod values;

pub use api::{validate_appointment_import, validate_patient_import, JsCalendar};
pub use clinic_core::ErrorCode;
pub use error::{ErrorItem, JsApiError};
pub use json::{camel_keys, decode_core, decode_json, encode_core, encode_json, snake_keys};
#[cfg(feature = "store")]
pub use scheduler::JsScheduler;
pub use values::{Date, Id, Instant, Time};

use serde::{Deserialize, Deserializer};

/// Deserializes argument `arg` of an API call from any serde deserializer (napi's, serde-wasm-bindgen's,
/// serde_json's), reporting where in the argument a problem is and with which engine code.
pub fn decode<'de, T, D>(arg: &str, d: D) -> Result<T, JsApiError>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
    D::Error: std::fmt::Display,
{
    serde_path_to_error::deserialize(d).map_err(|e| {
        let path = error::camel_path(&e.path().to_string());
        JsApiError::from_serde(arg, &path, &e.inner().to_string())
    })
}

/// The error for an argument that is missing or of the wrong kind altogether (`null` where an object is due).
pub fn bad_argument(arg: &str, expected: &str) -> JsApiError {
    JsApiError::at(arg, clinic_core::ErrorCode::InvalidJson, format!("expected {expected}"))
}
