//! WebAssembly build (wasm-bindgen) of the clinic scheduling engine for the browser and for Node: the same
//! API as the Node addon, from `bindings/js-api`, so the frontend checks a booking and lists free slots with
//! the server's own rules before it sends anything. This crate only moves values across the boundary and
//! throws `JsApiError`s as JS `Error`s with `.code` and `.errors`.
//!
//! Values cross as JSON text, like in the Node addon: `JSON.stringify` in, `JSON.parse` out — one string
//! copy per argument instead of one boundary call per property (serde-wasm-bindgen's way, several times
//! slower on bulk calls). What JSON loses (NaN and ±Infinity become `null`) is refused by the DTOs
//! (`clinic_js_api::decode_json`), so both builds answer bad input alike.

use clinic_js_api::dto::*;
use clinic_js_api::{
    bad_argument, decode_json, encode_json, validate_appointment_import as validate_appointments,
    validate_patient_import as validate_import, ErrorCode, Instant, JsApiError, JsCalendar,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("../../js-api/types.d.ts");

/// The thrown error: a JS `Error` whose `.code` is the engine's code, with `.errors` attached.
fn js_error(e: JsApiError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    let errors = encode_json(&e.errors)
        .ok()
        .and_then(|t| js_sys::JSON::parse(&t).ok())
        .unwrap_or_else(|| js_sys::Array::new().into());
    // Setting a property on a fresh Error object cannot fail; a failure would only lose the extra property.
    let _ = js_sys::Reflect::set(&err, &"code".into(), &JsValue::from_str(&e.code));
    let _ = js_sys::Reflect::set(&err, &"errors".into(), &errors);
    err.into()
}

fn arg<T: DeserializeOwned>(name: &str, value: JsValue, expected: &str) -> Result<T, JsValue> {
    if !value.is_object() {
        return Err(js_error(bad_argument(name, expected)));
    }
    // A BigInt or a cycle makes `JSON.stringify` throw.
    let text = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| js_error(JsApiError::at(name, ErrorCode::InvalidJson, "not JSON-shaped")))?;
    decode_json(name, &text).map_err(js_error)
}

fn out<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = encode_json(value).map_err(js_error)?;
    // Not expected to fail: the text was just written by serde_json.
    js_sys::JSON::parse(&text)
        .map_err(|_| js_error(JsApiError::new(ErrorCode::InvalidJson, "cannot convert the result")))
}

fn now_arg(value: JsValue) -> Result<Instant, JsValue> {
    let Some(s) = value.as_string() else {
        return Err(js_error(bad_argument("now", "an RFC 3339 date-time string")));
    };
    decode_json("now", &serde_json::Value::String(s).to_string()).map_err(js_error)
}

fn file_bytes(data: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = data.as_string() {
        Ok(s.into_bytes())
    } else if data.is_instance_of::<js_sys::Uint8Array>() {
        Ok(js_sys::Uint8Array::new(data).to_vec())
    } else {
        Err(js_error(bad_argument("data", "a string or Uint8Array")))
    }
}

fn import_options(options: JsValue) -> Result<ImportOptionsDto, JsValue> {
    if options.is_undefined() || options.is_null() {
        Ok(ImportOptionsDto::default())
    } else {
        arg("options", options, "an ImportOptions object")
    }
}

/// A clinic's calendar (clinic, practitioners, rooms, types, schedules, existing appointments), built once
/// and queried many times.
#[wasm_bindgen(js_name = Calendar)]
#[derive(Debug)]
pub struct Calendar {
    inner: JsCalendar,
}

#[wasm_bindgen(js_class = Calendar)]
impl Calendar {
    /// Validates every entity (all problems reported at once, with their place in `input`) and indexes the
    /// appointments.
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "CalendarInput")] input: JsValue) -> Result<Calendar, JsValue> {
        let input: CalendarInput = arg("calendar", input, "a CalendarInput object")?;
        Ok(Calendar { inner: JsCalendar::new(&input).map_err(js_error)? })
    }

    /// Checks one booking against every rule; a rejection comes with the nearest alternatives.
    #[wasm_bindgen(unchecked_return_type = "Verdict")]
    pub fn check(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BookingRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CheckOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request: BookingRequestDto = arg("request", request, "a BookingRequest object")?;
        let options: CheckOptions = arg("options", options, "a CheckOptions object")?;
        out(&self.inner.check(&request, &options))
    }

    /// Checks many bookings in one call (no alternatives unless `options.alternatives`).
    #[wasm_bindgen(js_name = checkMany, unchecked_return_type = "Verdict[]")]
    pub fn check_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BookingRequest[]")] requests: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CheckOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let requests: Vec<BookingRequestDto> = arg("requests", requests, "an array of BookingRequest")?;
        let options: CheckOptions = arg("options", options, "a CheckOptions object")?;
        out(&self.inner.check_many(&requests, &options))
    }

    /// Free starts of a type, sorted by (start, practitioner).
    #[wasm_bindgen(js_name = findAvailableSlots, unchecked_return_type = "SlotOffer[]")]
    pub fn find_available_slots(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SlotQuery")] query: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let query: SlotQueryDto = arg("query", query, "a SlotQuery object")?;
        let now = now_arg(now)?;
        out(&self.inner.find_available_slots(&query, &now).map_err(js_error)?)
    }
}

/// Validates and normalizes a patients file (CSV text or bytes) without storing anything.
#[wasm_bindgen(js_name = validatePatientImport, unchecked_return_type = "PatientImport")]
pub fn validate_patient_import(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] data: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ImportOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let bytes = file_bytes(&data)?;
    let options = import_options(options)?;
    out(&validate_import(&bytes, &options).map_err(js_error)?)
}

/// Reads an appointments file (CSV) without a store: every row's syntax. Names and booking rules need the
/// clinic's data (the server's import, or the Node `Scheduler`).
#[wasm_bindgen(js_name = validateAppointmentImport, unchecked_return_type = "AppointmentImport")]
pub fn validate_appointment_import(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] data: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ImportOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let bytes = file_bytes(&data)?;
    let options = import_options(options)?;
    out(&validate_appointments(&bytes, &options).map_err(js_error)?)
}
