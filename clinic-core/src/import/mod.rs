//! The import pipeline of DESIGN.md §3: `[CSV/XLS/XLSX] → parse → validate → normalize → store`.
//!
//! The first three steps are pure (bytes or `impl Read` in, rows and rejections out) so the browser and the
//! bindings run the very same checks before uploading; only [`commit`] talks to the store, as a
//! [`crate::Scheduler`] use case.
//!
//! Memory: the CSV path is an iterator over records pulled from an `impl Read` and never holds the file;
//! what grows with the file is the set of MRNs seen (duplicate detection needs it: O(distinct MRNs)) and the
//! rejections. Spreadsheets are zip/CFB containers that need random access, so they are read from a byte
//! slice whose size — and, for XLSX, whose declared decompressed size — is bounded first.

pub mod appointments;
mod cfb_check;
pub mod columns;
pub mod commit;
pub mod commit_appointments;
pub mod csv_source;
pub mod normalize;
pub mod patients;
pub mod rejections;
pub mod sheet_source;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::io::Read;

use crate::error::{ClinicError, ErrorCode};

pub use appointments::{AppointmentField, AppointmentRow, AppointmentRows, StartSpec};
pub use columns::{ColumnMap, PatientField};
pub use commit::{ImportReport, ImportSource};
pub use commit_appointments::AppointmentImportReport;

pub use normalize::DateOrder;
pub use patients::{ImportedPatient, PatientRows};
pub use rejections::{write_rejections_csv, Rejection};

/// What happens to the valid rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Validate and report; nothing is written.
    #[default]
    DryRun,
    /// All or nothing: one rejected row, or a store failure, stores nothing.
    Atomic,
    /// Valid rows are stored, the rest reported.
    Partial,
}

/// How to read a file. Defaults suit a clinic exporting from a spreadsheet in a day-first locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    pub mode: ImportMode,
    /// How `01/02/1980` is read; ISO `1980-02-01` and Excel serial numbers are always accepted.
    pub date_order: DateOrder,
    /// ISO 3166 alpha-2 region for phone numbers written without `+country`.
    pub default_region: Option<String>,
    /// Longer cells are rejected (`TOO_LONG`) instead of being carried through validation.
    pub max_cell_chars: usize,
    /// Spreadsheets: compressed file size and total declared decompressed size (zip-bomb bound).
    pub max_file_bytes: u64,
    pub max_unpacked_bytes: u64,
    /// The clinic-local date birth dates may not exceed; the use case fills it from the clock.
    pub today: Option<NaiveDate>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            mode: ImportMode::DryRun,
            date_order: DateOrder::DayFirst,
            default_region: None,
            max_cell_chars: 1_000,
            max_file_bytes: 32 << 20,
            max_unpacked_bytes: 256 << 20,
            today: None,
        }
    }
}

/// One cell as the source read it: CSV gives text only, spreadsheets keep numbers and dates typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// An Excel date cell, as its serial day number.
    Date(f64),
    Bool(bool),
    /// A formula whose result the file does not hold (it was never calculated by a spreadsheet).
    Formula(String),
}

impl Cell {
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text (numbers without a spurious `.0`), for text fields and the rejection report.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) | Cell::Date(n) => format_number(*n),
            Cell::Bool(b) => b.to_string(),
            Cell::Formula(f) => format!("={f}"),
        }
    }

    pub(crate) fn char_len(&self) -> usize {
        match self {
            Cell::Text(s) => s.chars().count(),
            _ => 0,
        }
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// One data record, with the row number a person sees in the file (see [`csv_source`] and
/// [`sheet_source`] for how each format counts).
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecord {
    pub row: u64,
    pub cells: Vec<Cell>,
}

/// A record, or why the record itself (not a field of it) could not be read.
pub type SourceItem = Result<RawRecord, Rejection>;

/// A table: the header row's cells and the records under it.
#[derive(Debug)]
pub struct Table<I> {
    pub header: Vec<String>,
    pub records: I,
}

/// Any record source, boxed so CSV and spreadsheets go through one validator type.
pub type BoxedRecords<'a> = Box<dyn Iterator<Item = SourceItem> + Send + 'a>;

/// The container a file really is, read from its first bytes (the extension is not trusted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Xlsx,
    Xls,
    Csv,
}

pub fn sniff_kind(head: &[u8]) -> FileKind {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        FileKind::Xlsx
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        FileKind::Xls
    } else {
        FileKind::Csv
    }
}

/// Opens a CSV stream as a table (streaming).
pub fn open_csv<'a, R: Read + Send + 'a>(r: R, opts: &ImportOptions) -> Result<Table<BoxedRecords<'a>>, ClinicError> {
    let t = csv_source::csv_table(r, opts)?;
    Ok(Table { header: t.header, records: Box::new(t.records) })
}

/// Opens a whole file held in memory, whatever its kind.
pub fn open_bytes<'a>(bytes: &'a [u8], opts: &ImportOptions) -> Result<Table<BoxedRecords<'a>>, ClinicError> {
    if bytes.len() as u64 > opts.max_file_bytes {
        return Err(too_large(format!(
            "the file has {} bytes; at most {} are accepted",
            bytes.len(),
            opts.max_file_bytes
        )));
    }
    match sniff_kind(bytes) {
        FileKind::Csv => open_csv(bytes, opts),
        kind => {
            let t = sheet_source::sheet_table(bytes, kind, opts)?;
            Ok(Table { header: t.header, records: Box::new(t.records) })
        }
    }
}

pub(crate) fn malformed(message: impl Into<String>) -> ClinicError {
    ClinicError::rule(ErrorCode::ImportMalformedFile, message)
}

pub(crate) fn too_large(message: impl Into<String>) -> ClinicError {
    ClinicError::rule(ErrorCode::ImportFileTooLarge, message)
}
