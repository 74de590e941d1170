//! Import validation without a store: accepted rows and the rejection report of a patients or an
//! appointments file (CSV text, or CSV/XLS/XLSX bytes).

use clinic_js_api::dto::*;
use clinic_js_api::{validate_appointment_import as appointments, validate_patient_import as patients};
use napi::bindgen_prelude::*;
use napi::Env;
use napi_derive::napi;

use crate::boundary::{arg, bytes, given, js_error, out};
use crate::task::Work;

fn options(env: &Env, value: Option<Unknown<'_>>) -> Result<ImportOptionsDto> {
    match given(value) {
        None => Ok(ImportOptionsDto::default()),
        Some(v) => arg(env, "options", v, "an ImportOptions object"),
    }
}

/// Validates and normalizes a patients file without storing anything.
#[napi(ts_args_type = "data: string | Uint8Array, options?: ImportOptions", ts_return_type = "PatientImport")]
pub fn validate_patient_import<'e>(
    env: &'e Env,
    data: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<Unknown<'e>> {
    let (data, options) = (bytes("data", data).map_err(|e| js_error(env, e))?, self::options(env, options)?);
    out(env, &patients(&data, &options).map_err(|e| js_error(env, e))?)
}

/// `validatePatientImport` on the thread pool.
#[napi(ts_args_type = "data: string | Uint8Array, options?: ImportOptions", ts_return_type = "Promise<PatientImport>")]
pub fn validate_patient_import_async(
    env: Env,
    data: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<AsyncTask<Work<PatientImportDto>>> {
    let (data, options) = (bytes("data", data).map_err(|e| js_error(&env, e))?, self::options(&env, options)?);
    Ok(Work::task(move || patients(&data, &options)))
}

/// Reads an appointments file without a store: every row's syntax (required cells, start date-time,
/// lengths). Names and booking rules need the clinic's data: `Scheduler.importAppointments` (dry run).
#[napi(ts_args_type = "data: string | Uint8Array, options?: ImportOptions", ts_return_type = "AppointmentImport")]
pub fn validate_appointment_import<'e>(
    env: &'e Env,
    data: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<Unknown<'e>> {
    let (data, options) = (bytes("data", data).map_err(|e| js_error(env, e))?, self::options(env, options)?);
    out(env, &appointments(&data, &options).map_err(|e| js_error(env, e))?)
}

/// `validateAppointmentImport` on the thread pool.
#[napi(
    ts_args_type = "data: string | Uint8Array, options?: ImportOptions",
    ts_return_type = "Promise<AppointmentImport>"
)]
pub fn validate_appointment_import_async(
    env: Env,
    data: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<AsyncTask<Work<AppointmentImportDto>>> {
    let (data, options) = (bytes("data", data).map_err(|e| js_error(&env, e))?, self::options(&env, options)?);
    Ok(Work::task(move || appointments(&data, &options)))
}
