//! Rejected rows: what a clinic fixes in its file. Row numbers are the ones the file shows (spreadsheet row,
//! header = 1; for CSV the line on which the record starts), columns are the header text as written.

use serde::{Deserialize, Serialize};
use std::io::Write;

use crate::error::{ClinicError, ErrorCode};

/// One problem of one row. `column` is empty when the whole row is at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub row: u64,
    pub column: String,
    pub code: ErrorCode,
    pub message: String,
    /// The cell as it was in the file (cut to 200 characters), so the report can be read on its own.
    #[serde(default)]
    pub value: String,
}

const MAX_ECHOED_CHARS: usize = 200;

impl Rejection {
    pub fn new(
        row: u64,
        column: impl Into<String>,
        code: ErrorCode,
        message: impl Into<String>,
        value: impl AsRef<str>,
    ) -> Self {
        let value = value.as_ref();
        let value = if value.chars().count() > MAX_ECHOED_CHARS {
            let mut v: String = value.chars().take(MAX_ECHOED_CHARS).collect();
            v.push('…');
            v
        } else {
            value.to_string()
        };
        Rejection { row, column: column.into(), code, message: message.into(), value }
    }
}

/// Writes the report as CSV (`row,column,code,message,value`), the form a clinic opens next to its file.
pub fn write_rejections_csv<W: Write>(w: W, rejections: &[Rejection]) -> Result<(), ClinicError> {
    let io = |e: csv::Error| ClinicError::Store {
        message: format!("cannot write the rejection report: {e}"),
        retryable: false,
    };
    let mut out = csv::Writer::from_writer(w);
    out.write_record(["row", "column", "code", "message", "value"]).map_err(io)?;
    for r in rejections {
        out.write_record([r.row.to_string().as_str(), &r.column, r.code.as_str(), &r.message, &r.value]).map_err(io)?;
    }
    out.flush().map_err(|e| io(e.into()))?;
    Ok(())
}
