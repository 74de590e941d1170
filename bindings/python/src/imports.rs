//! Import validation without a store: CSV/XLS/XLSX bytes in, accepted rows and a rejection report out
//! (the core's `PatientRows`; the same checks `Scheduler.import_patients` runs before committing).

use clinic_core::import::{write_rejections_csv, ImportOptions, PatientRows, Rejection};
use clinic_core::{self as core, ClinicId, ErrorCode};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

use crate::convert::{py_to_json, to_python_dict};
use crate::entities::{decode, Patient};
use crate::errors::{field, OrPy};

/// File content given as `bytes`, `bytearray`, `memoryview`-like or `str` (UTF-8).
pub fn file_bytes(data: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = data.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(s) = data.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    data.extract::<Vec<u8>>().map_err(|_| field(ErrorCode::InvalidJson, "data", "the file must be bytes or str"))
}

/// Import options from keyword arguments (`mode`, `date_order`, `default_region`, `max_cell_chars`, `today`, …).
pub fn options(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<ImportOptions> {
    match kwargs {
        None => Ok(ImportOptions::default()),
        Some(k) => decode::<ImportOptions>(py_to_json(k.as_any(), "")?).or_py(),
    }
}

/// The outcome of validating an import file: `accepted` patients (with their file `rows`) and
/// `rejections` (row, column, code, message, value — every problem of every rejected row, in file order).
#[pyclass(module = "clinic_scheduling", frozen)]
#[derive(Debug)]
pub struct PatientImportResult {
    accepted: Vec<(u64, core::Patient)>,
    rejections: Vec<Rejection>,
    rejected_rows: usize,
}

#[pymethods]
impl PatientImportResult {
    /// The valid, normalized patients in file order (built on access).
    #[getter]
    fn accepted(&self) -> Vec<Patient> {
        self.accepted.iter().map(|(_, p)| Patient { inner: p.clone() }).collect()
    }
    /// The file row of each accepted patient.
    #[getter]
    fn rows(&self) -> Vec<u64> {
        self.accepted.iter().map(|(r, _)| *r).collect()
    }
    /// How many rows were accepted.
    #[getter]
    fn accepted_count(&self) -> usize {
        self.accepted.len()
    }
    /// How many rows were rejected (a row may have several rejections).
    #[getter]
    fn rejected_rows(&self) -> usize {
        self.rejected_rows
    }
    /// Every rejection as a dict: `row`, `column`, `code`, `message`, `value`.
    #[getter]
    fn rejections<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let l = PyList::empty(py);
        for r in &self.rejections {
            l.append(to_python_dict(py, &serde_json::to_value(r).unwrap_or_default())?)?;
        }
        Ok(l)
    }
    /// The rejection report as CSV text (row, column, code, message, value).
    fn rejections_csv(&self) -> PyResult<String> {
        let mut out = Vec::new();
        write_rejections_csv(&mut out, &self.rejections).or_py()?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
    fn __repr__(&self) -> String {
        format!("PatientImportResult(accepted={}, rejected_rows={})", self.accepted.len(), self.rejected_rows)
    }
}

/// Validates a patients file (CSV, XLS or XLSX, told apart by content) without storing anything.
/// Options as keywords: `date_order` (`"day_first"`/`"month_first"`), `default_region` (e.g. `"GB"`),
/// `max_cell_chars`, `today` (date). Whole-file problems (not a table, missing column) raise
/// `StateError`/`ValidationError` with the import code; row problems are in `rejections`.
#[pyfunction]
#[pyo3(signature = (data, *, clinic_id=None, **options_))]
pub fn validate_patient_import(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    clinic_id: Option<&Bound<'_, PyAny>>,
    options_: Option<&Bound<'_, PyDict>>,
) -> PyResult<PatientImportResult> {
    let bytes = file_bytes(data)?;
    let opts = options(options_)?;
    let clinic: ClinicId = match clinic_id {
        Some(c) => crate::convert::parse_id(c, "clinic_id")?,
        None => ClinicId::new(),
    };
    let out = py.detach(|| -> Result<PatientImportResult, core::ClinicError> {
        let rows = PatientRows::from_bytes(&bytes, clinic, &opts)?;
        let mut res = PatientImportResult { accepted: Vec::new(), rejections: Vec::new(), rejected_rows: 0 };
        for r in rows {
            match r {
                Ok(p) => res.accepted.push((p.row, p.patient)),
                Err(rej) => {
                    res.rejected_rows += 1;
                    res.rejections.extend(rej);
                }
            }
        }
        Ok(res)
    });
    out.or_py()
}
