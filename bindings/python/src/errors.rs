//! Core errors → the Python exception hierarchy of `clinic_scheduling._errors`.
//!
//! The classes are defined in Python (so they can also subclass `ValueError`, `LookupError`, …) and looked
//! up once; every exception carries the core's `ErrorCode` string as `.code`.

use clinic_core::{ClinicError, ErrorCode, FieldError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple};

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let m = ERRORS.get_or_try_init(py, || py.import("clinic_scheduling._errors").map(Bound::unbind))?;
    m.bind(py).getattr(name)
}

/// `"weekly_hours[2].end"` → `("weekly_hours", 2, "end")`, the pydantic `loc` shape.
pub fn loc<'py>(py: Python<'py>, field: &str) -> PyResult<Bound<'py, PyTuple>> {
    let mut parts: Vec<Bound<'py, PyAny>> = Vec::new();
    for seg in field.split('.').filter(|s| !s.is_empty()) {
        let mut rest = seg;
        if let Some(i) = rest.find('[') {
            if i > 0 {
                parts.push(rest[..i].into_pyobject(py)?.into_any());
            }
            rest = &rest[i..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let end = stripped.find(']').unwrap_or(stripped.len());
                let idx = &stripped[..end];
                match idx.parse::<i64>() {
                    Ok(n) => parts.push(n.into_pyobject(py)?.into_any()),
                    Err(_) => parts.push(idx.into_pyobject(py)?.into_any()),
                }
                rest = stripped.get(end + 1..).unwrap_or("");
            }
        } else {
            parts.push(rest.into_pyobject(py)?.into_any());
        }
    }
    PyTuple::new(py, parts)
}

fn field_errors<'py>(py: Python<'py>, errs: &[FieldError]) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for e in errs {
        let d = PyDict::new(py);
        d.set_item("loc", loc(py, &e.field)?)?;
        d.set_item("code", e.code.as_str())?;
        d.set_item("message", &e.message)?;
        out.append(d)?;
    }
    Ok(out)
}

fn build(py: Python<'_>, err: &ClinicError) -> PyResult<PyErr> {
    let msg = err.to_string();
    let code = err.code().as_str();
    let exc = match err {
        ClinicError::Validation(v) => class(py, "ValidationError")?.call1((msg, code, field_errors(py, &v.errors)?))?,
        ClinicError::Booking(r) => {
            let violations = PyList::empty(py);
            for v in &r.violations {
                let d = PyDict::new(py);
                d.set_item("code", v.code.as_str())?;
                d.set_item("message", &v.message)?;
                d.set_item("conflicting", v.conflicting.iter().map(ToString::to_string).collect::<Vec<_>>())?;
                violations.append(d)?;
            }
            let alternatives = PyDict::new(py);
            let wrap = |v: &[clinic_core::SlotOffer]| {
                v.iter().map(|&inner| crate::entities::SlotOffer { inner }).collect::<Vec<_>>()
            };
            alternatives.set_item("same_practitioner", wrap(&r.alternatives.same_practitioner))?;
            alternatives.set_item("other_practitioners", wrap(&r.alternatives.other_practitioners))?;
            class(py, "BookingRejectedError")?.call1((msg, code, violations, alternatives))?
        }
        ClinicError::NotFound { .. } => class(py, "NotFoundError")?.call1((msg, code))?,
        ClinicError::Store { retryable, .. } => class(py, "StoreError")?.call1((msg, code, *retryable))?,
        ClinicError::Rule { code: c, .. } => {
            let name = match c {
                ErrorCode::Forbidden => "ForbiddenError",
                ErrorCode::VersionConflict | ErrorCode::DuplicateMrn | ErrorCode::ConcurrentModification => {
                    "ConflictError"
                }
                ErrorCode::NotFound => "NotFoundError",
                ErrorCode::StoreUnavailable => "StoreError",
                _ => "StateError",
            };
            class(py, name)?.call1((msg, code))?
        }
    };
    Ok(PyErr::from_value(exc))
}

/// The Python exception for a core error.
pub fn to_py(err: ClinicError) -> PyErr {
    Python::attach(|py| build(py, &err).unwrap_or_else(|e| e))
}

/// A `ValidationError` for one field (conversion problems found before the core sees the input).
pub fn field(code: ErrorCode, field: &str, message: impl Into<String>) -> PyErr {
    to_py(ClinicError::field(code, field, message))
}

/// `?` on core results inside `#[pymethods]`.
pub trait OrPy<T> {
    fn or_py(self) -> PyResult<T>;
}

impl<T> OrPy<T> for Result<T, ClinicError> {
    fn or_py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
