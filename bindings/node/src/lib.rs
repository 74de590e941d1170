//! Node.js addon (napi-rs) of the clinic scheduling engine: `bindings/js-api` does every conversion; this
//! crate only moves values across N-API and throws its errors as JS `Error`s with `.code` (the engine's
//! code) and `.errors` (every problem, located in the argument).
//!
//! Values cross as JSON text (`JSON.stringify` in, `JSON.parse` out — see `clinic_js_api::decode_json`):
//! one N-API call per argument instead of one per property, which is what made bulk calls slow.
//!
//! Long operations have an `…Async` twin (and every `Scheduler` use case returns a `Promise`): they run on
//! the libuv thread pool, so a server's event loop keeps serving meanwhile.

mod boundary;
mod calendar;
mod imports;
mod scheduler;
mod task;

pub use calendar::Calendar;
pub use imports::{
    validate_appointment_import, validate_appointment_import_async, validate_patient_import,
    validate_patient_import_async,
};
pub use scheduler::Scheduler;
