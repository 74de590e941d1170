//! XLS and XLSX through `calamine`: the first worksheet, its first non-empty row as the header. Formula
//! cells give their cached result; merged cells give their value in the top-left cell only (the others read
//! as empty). Row numbers are the spreadsheet's own (header row = the row it is on, usually 1).
//!
//! An XLSX is a zip archive, so a small file can claim gigabytes once inflated. Before calamine opens it we
//! read the zip central directory and refuse an archive whose declared uncompressed sizes exceed
//! [`ImportOptions::max_unpacked_bytes`] or whose compression ratio no real workbook has. (An archive that
//! lies about its sizes in the directory is only caught by the CRC once read — the file-size bound still
//! applies.)

use calamine::{Data, Reader, Xls, Xlsx};
use std::io::Cursor;

use super::{malformed, too_large, Cell, FileKind, ImportOptions, RawRecord, SourceItem, Table};
use crate::error::ClinicError;

/// Workbooks compress XML about 5–20×; a bomb compresses by thousands.
const MAX_RATIO: u64 = 200;
const MAX_ENTRIES: usize = 10_000;

fn check_zip(bytes: &[u8], opts: &ImportOptions) -> Result<(), ClinicError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| malformed(format!("the file looks like an XLSX but its zip container is broken: {e}")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(too_large(format!("the workbook has {} parts; at most {MAX_ENTRIES} are accepted", zip.len())));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| malformed(format!("a part of the workbook cannot be read: {e}")))?;
        let (size, packed) = (f.size(), f.compressed_size());
        total = total.saturating_add(size);
        if size > opts.max_unpacked_bytes || total > opts.max_unpacked_bytes {
            return Err(too_large(format!(
                "the workbook unpacks to more than {} bytes (a zip bomb, or a sheet too large to import at once)",
                opts.max_unpacked_bytes
            )));
        }
        if size > 1 << 20 && size / packed.max(1) > MAX_RATIO {
            return Err(too_large(format!(
                "part {:?} inflates {}× ({} → {} bytes): refused as a zip bomb",
                f.name(),
                size / packed.max(1),
                packed,
                size
            )));
        }
    }
    Ok(())
}

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            // calamine knows the workbook's epoch (1900 or 1904); take the calendar date from it.
            let (y, m, day, h, min, sec, _) = dt.to_ymd_hms_milli();
            if (h, min, sec) == (0, 0, 0) {
                Cell::Text(format!("{y:04}-{m:02}-{day:02}"))
            } else {
                Cell::Text(format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{sec:02}"))
            }
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

/// The first worksheet's cells and, for XLSX, its formulas, as calamine reads them.
type SheetRead = (Option<calamine::Range<String>>, Option<Result<calamine::Range<Data>, String>>);

fn read_first_sheet(bytes: &[u8], kind: FileKind, opts: &ImportOptions) -> Result<SheetRead, ClinicError> {
    match kind {
        FileKind::Xlsx => {
            check_zip(bytes, opts)?;
            let mut wb =
                Xlsx::new(Cursor::new(bytes)).map_err(|e| malformed(format!("not a readable XLSX workbook: {e}")))?;
            // Formulas are read only to tell "empty" from "a formula nobody calculated".
            let formulas = wb.sheet_names().first().cloned().and_then(|name| wb.worksheet_formula(&name).ok());
            Ok((formulas, wb.worksheet_range_at(0).map(|r| r.map_err(|e| e.to_string()))))
        }
        _ => {
            super::cfb_check::check_cfb(bytes).map_err(|e| malformed(format!("not a readable XLS workbook: {e}")))?;
            let mut wb =
                Xls::new(Cursor::new(bytes)).map_err(|e| malformed(format!("not a readable XLS workbook: {e}")))?;
            Ok((None, wb.worksheet_range_at(0).map(|r| r.map_err(|e| e.to_string()))))
        }
    }
}

/// Runs the spreadsheet readers so that a panic inside them becomes `IMPORT_MALFORMED_FILE` instead of taking
/// the caller (a server request, a Python or Node call) down with it.
///
/// Why contain rather than only pre-validate: calamine's BIFF reader indexes record data with lengths and
/// offsets taken from the file in about 160 places (`read_u16(&r.data[..])` and the like), many of them while
/// following strings across CONTINUE records — calamine 0.38 still panics at `utils.rs:43` on a forged shared
/// string table (found by `fuzz/` target `import_spreadsheet`, regression test in `tests/fuzz_regressions.rs`).
/// Checking every one of those beforehand would mean writing a second BIFF parser that agrees with calamine's
/// byte for byte, and any disagreement would be a bug of its own. The readers only build owned values from a
/// borrowed byte slice, so nothing they leave half-done is visible after the unwind (hence `AssertUnwindSafe`).
///
/// Why pre-validate as well (`cfb_check`, `check_zip`): unwinding does not catch what is not a panic — an
/// allocation the size of a forged length aborts the process, and a cyclic sector chain never ends. Those are
/// refused before calamine runs.
///
/// Limits: this needs unwinding. Every native build (server, CLI, Python, Node) unwinds; the WebAssembly
/// module is built with `panic = "abort"`, where this would not help, but it never reaches calamine — it reads
/// CSV only (`bindings/js-api`, feature `spreadsheets` off). A caught panic is still reported once by the
/// process's panic hook (stderr, or the server's log) — useful, as it names a calamine bug worth reporting
/// upstream.
fn contain_reader_panics<T>(read: impl FnOnce() -> Result<T, ClinicError>) -> Result<T, ClinicError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(malformed(format!("the spreadsheet reader could not make sense of this file (damaged or forged): {why}")))
    })
}

/// All rows of the first sheet (calamine reads a sheet whole; its size was bounded above).
pub fn sheet_table(
    bytes: &[u8],
    kind: FileKind,
    opts: &ImportOptions,
) -> Result<Table<std::vec::IntoIter<SourceItem>>, ClinicError> {
    let (formulas, range) = contain_reader_panics(|| read_first_sheet(bytes, kind, opts))?;
    let range = match range {
        None => return Err(malformed("the workbook has no worksheet")),
        Some(Err(e)) => return Err(malformed(format!("the first worksheet cannot be read: {e}"))),
        Some(Ok(r)) => r,
    };
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let to_cell = |row: u32, col: usize, d: &Data| match (d, &formulas) {
        (d, Some(f)) if cell(d).is_blank() => match f.get_value((row, first_col + col as u32)) {
            Some(text) if !text.is_empty() => Cell::Formula(text.clone()),
            _ => Cell::Empty,
        },
        _ => cell(d),
    };
    let first_row = u64::from(first_row);
    let mut rows = range.rows().enumerate().map(|(i, cells)| (first_row + i as u64 + 1, cells));
    let header = loop {
        match rows.next() {
            None => return Err(malformed("the worksheet is empty: it has no header row")),
            Some((_, cells)) if cells.iter().all(|c| cell(c).is_blank()) => continue,
            Some((_, cells)) => break cells.iter().map(|c| cell(c).to_text().trim().to_string()).collect::<Vec<_>>(),
        }
    };
    let records: Vec<SourceItem> = rows
        .filter(|(row, cells)| {
            let abs = u32::try_from(row - 1).unwrap_or(u32::MAX);
            !cells.iter().enumerate().all(|(c, d)| to_cell(abs, c, d).is_blank())
        })
        .map(|(row, cells)| {
            let abs = u32::try_from(row - 1).unwrap_or(u32::MAX);
            let cells = cells.iter().enumerate().map(|(c, d)| to_cell(abs, c, d)).collect();
            Ok(RawRecord { row, cells })
        })
        .collect();
    Ok(Table { header, records: records.into_iter() })
}
