//! Node.js addon (napi-rs) of the clinic scheduling engine: `bindings/js-api` does every conversion; this
//! crate only moves values across N-API and throws its errors as JS `Error`s with `.code` (the engine's
//! code) and `.errors` (every problem, located in the argument).
//!
//! Long operations have an `…Async` twin that runs on the libuv thread pool and returns a `Promise`, so a
//! server's event loop keeps serving while a bulk check, a big search or an import validation runs.

use std::sync::Arc;

use clinic_js_api::dto::*;
use clinic_js_api::{
    bad_argument, decode, validate_patient_import as validate_import, Instant, JsApiError, JsCalendar,
};
use napi::bindgen_prelude::*;
use napi::{De, Env, JsError, JsValue, ScopedTask, ValueType};
use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The thrown error: a JS `Error` whose `.code` is the engine's code, with `.errors` attached.
fn js_error(env: &Env, e: JsApiError) -> Error {
    let err = JsError::from(Error::new(e.code.clone(), e.message.clone())).into_unknown(*env);
    let attach = || -> Result<()> {
        let mut obj: Object = err.coerce_to_object()?;
        obj.set("errors", env.to_js_value(&e.errors)?)?;
        Ok(())
    };
    match attach() {
        Ok(()) => Error::from(err),
        Err(other) => other,
    }
}

/// Deserializes argument `name` (an object or array) into a DTO.
fn arg<T: DeserializeOwned>(env: &Env, name: &str, value: Unknown<'_>, expected: &str) -> Result<T> {
    if value.get_type()? != ValueType::Object {
        return Err(js_error(env, bad_argument(name, expected)));
    }
    let obj: Object = value.coerce_to_object()?;
    decode(name, &mut De::new(&obj)).map_err(|e| js_error(env, e))
}

fn out<'e, T: Serialize>(env: &'e Env, value: &T) -> Result<Unknown<'e>> {
    env.to_js_value(value)
}

/// The `now` of a search: an RFC 3339 string.
fn now_arg(env: &Env, value: Unknown<'_>) -> Result<Instant> {
    if value.get_type()? != ValueType::String {
        return Err(js_error(env, bad_argument("now", "an RFC 3339 date-time string")));
    }
    let s = value.coerce_to_string()?.into_utf8()?.into_owned()?;
    let v = serde_json::Value::String(s);
    decode("now", v).map_err(|e| js_error(env, e))
}

/// A file's bytes: a string (CSV text), a `Uint8Array` or a `Buffer`.
fn bytes_arg(env: &Env, value: Unknown<'_>) -> Result<Vec<u8>> {
    match value.get_type()? {
        ValueType::String => Ok(value.coerce_to_string()?.into_utf8()?.into_owned()?.into_bytes()),
        ValueType::Object => {
            let obj: Object = value.coerce_to_object()?;
            let bytes: std::result::Result<Bytes, _> = serde::Deserialize::deserialize(&mut De::new(&obj));
            bytes.map(|b| b.0).map_err(|_| js_error(env, bad_argument("data", "a string, Uint8Array or Buffer")))
        }
        _ => Err(js_error(env, bad_argument("data", "a string, Uint8Array or Buffer"))),
    }
}

/// Bytes from a `Uint8Array`, `Buffer` or `ArrayBuffer` (napi's deserializer hands them over whole).
struct Bytes(Vec<u8>);

impl<'de> serde::Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> std::result::Result<Bytes, E> {
                Ok(Bytes(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> std::result::Result<Bytes, E> {
                Ok(Bytes(v))
            }
        }
        d.deserialize_byte_buf(V)
    }
}

fn import_options(env: &Env, value: Option<Unknown<'_>>) -> Result<ImportOptionsDto> {
    match value {
        None => Ok(ImportOptionsDto::default()),
        Some(v) if matches!(v.get_type()?, ValueType::Undefined | ValueType::Null) => Ok(ImportOptionsDto::default()),
        Some(v) => arg(env, "options", v, "an ImportOptions object"),
    }
}

/// A clinic's calendar (clinic, practitioners, rooms, types, schedules, existing appointments), built once
/// and queried many times.
#[napi(js_name = "Calendar")]
#[derive(Debug)]
pub struct Calendar {
    inner: Arc<JsCalendar>,
}

#[napi]
impl Calendar {
    /// Validates every entity (all problems reported at once, with their place in `input`) and indexes the
    /// appointments.
    #[napi(constructor, ts_args_type = "input: CalendarInput")]
    pub fn new(env: Env, input: Unknown<'_>) -> Result<Self> {
        let input: CalendarInput = arg(&env, "calendar", input, "a CalendarInput object")?;
        let inner = JsCalendar::new(&input).map_err(|e| js_error(&env, e))?;
        Ok(Calendar { inner: Arc::new(inner) })
    }

    /// Checks one booking against every rule; a rejection comes with the nearest alternatives.
    #[napi(ts_args_type = "request: BookingRequest, options: CheckOptions", ts_return_type = "Verdict")]
    pub fn check<'e>(&self, env: &'e Env, request: Unknown<'_>, options: Unknown<'_>) -> Result<Unknown<'e>> {
        let request: BookingRequestDto = arg(env, "request", request, "a BookingRequest object")?;
        let options: CheckOptions = arg(env, "options", options, "a CheckOptions object")?;
        out(env, &self.inner.check(&request, &options))
    }

    /// Checks many bookings in one call (no alternatives unless `options.alternatives`).
    #[napi(ts_args_type = "requests: BookingRequest[], options: CheckOptions", ts_return_type = "Verdict[]")]
    pub fn check_many<'e>(&self, env: &'e Env, requests: Unknown<'_>, options: Unknown<'_>) -> Result<Unknown<'e>> {
        let requests: Vec<BookingRequestDto> = arg(env, "requests", requests, "an array of BookingRequest")?;
        let options: CheckOptions = arg(env, "options", options, "a CheckOptions object")?;
        out(env, &self.inner.check_many(&requests, &options))
    }

    /// `checkMany` on the thread pool.
    #[napi(ts_args_type = "requests: BookingRequest[], options: CheckOptions", ts_return_type = "Promise<Verdict[]>")]
    pub fn check_many_async(
        &self,
        env: Env,
        requests: Unknown<'_>,
        options: Unknown<'_>,
    ) -> Result<AsyncTask<Work<Vec<VerdictDto>>>> {
        let requests: Vec<BookingRequestDto> = arg(&env, "requests", requests, "an array of BookingRequest")?;
        let options: CheckOptions = arg(&env, "options", options, "a CheckOptions object")?;
        let cal = Arc::clone(&self.inner);
        Ok(AsyncTask::new(Work::new(move || Ok(cal.check_many(&requests, &options)))))
    }

    /// Free starts of a type, sorted by (start, practitioner).
    #[napi(ts_args_type = "query: SlotQuery, now: string", ts_return_type = "SlotOffer[]")]
    pub fn find_available_slots<'e>(&self, env: &'e Env, query: Unknown<'_>, now: Unknown<'_>) -> Result<Unknown<'e>> {
        let query: SlotQueryDto = arg(env, "query", query, "a SlotQuery object")?;
        let now = now_arg(env, now)?;
        let slots = self.inner.find_available_slots(&query, &now).map_err(|e| js_error(env, e))?;
        out(env, &slots)
    }

    /// `findAvailableSlots` on the thread pool.
    #[napi(ts_args_type = "query: SlotQuery, now: string", ts_return_type = "Promise<SlotOffer[]>")]
    pub fn find_available_slots_async(
        &self,
        env: Env,
        query: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<AsyncTask<Work<Vec<SlotOfferDto>>>> {
        let query: SlotQueryDto = arg(&env, "query", query, "a SlotQuery object")?;
        let now = now_arg(&env, now)?;
        let cal = Arc::clone(&self.inner);
        Ok(AsyncTask::new(Work::new(move || cal.find_available_slots(&query, &now))))
    }
}

/// Validates and normalizes a patients file (CSV text, or CSV/XLS/XLSX bytes) without storing anything.
#[napi(ts_args_type = "data: string | Uint8Array, options?: ImportOptions", ts_return_type = "PatientImport")]
pub fn validate_patient_import<'e>(
    env: &'e Env,
    data: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<Unknown<'e>> {
    let bytes = bytes_arg(env, data)?;
    let options = import_options(env, options)?;
    let report = validate_import(&bytes, &options).map_err(|e| js_error(env, e))?;
    out(env, &report)
}

/// `validatePatientImport` on the thread pool.
#[napi(ts_args_type = "data: string | Uint8Array, options?: ImportOptions", ts_return_type = "Promise<PatientImport>")]
pub fn validate_patient_import_async(
    env: Env,
    data: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<AsyncTask<Work<PatientImportDto>>> {
    let bytes = bytes_arg(&env, data)?;
    let options = import_options(&env, options)?;
    Ok(AsyncTask::new(Work::new(move || validate_import(&bytes, &options))))
}

type Job<T> = Box<dyn FnOnce() -> std::result::Result<T, JsApiError> + Send>;

/// One computation for the libuv thread pool; its DTO result (or error) is converted on the JS thread.
pub struct Work<T: Serialize + Send + 'static> {
    job: Option<Job<T>>,
}

impl<T: Serialize + Send + 'static> std::fmt::Debug for Work<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Work").field("pending", &self.job.is_some()).finish()
    }
}

impl<T: Serialize + Send + 'static> Work<T> {
    fn new(job: impl FnOnce() -> std::result::Result<T, JsApiError> + Send + 'static) -> Self {
        Work { job: Some(Box::new(job)) }
    }
}

impl<'task, T: Serialize + Send + 'static> ScopedTask<'task> for Work<T> {
    type Output = std::result::Result<T, JsApiError>;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        match self.job.take() {
            Some(job) => Ok(job()),
            None => Err(Error::new(Status::GenericFailure, "the task ran twice")),
        }
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        match output {
            Ok(v) => env.to_js_value(&v),
            Err(e) => Err(js_error(env, e)),
        }
    }
}
