//! `clinic_scheduling._native`: the clinic scheduling engine for Python (pyo3, abi3).
//!
//! A thin layer: it converts Python values to the core's types and the core's errors to Python exceptions.
//! Every rule, search and validation is `clinic-core`'s; nothing here decides a booking.

mod calendar;
mod convert;
mod entities;
mod errors;
mod imports;
mod scheduler;
mod workloads;

use pyo3::prelude::*;

/// Every stable error code of the core, in declaration order.
fn error_codes() -> Vec<&'static str> {
    clinic_core::ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    entities::register(m)?;
    m.add_class::<calendar::Calendar>()?;
    m.add_class::<calendar::SlotList>()?;
    m.add_class::<imports::PatientImportResult>()?;
    m.add_class::<scheduler::Scheduler>()?;
    m.add_function(wrap_pyfunction!(imports::validate_patient_import, m)?)?;
    m.add("ERROR_CODES", error_codes())?;
    m.add_submodule(&workloads::module(m.py())?)?;
    Ok(())
}
