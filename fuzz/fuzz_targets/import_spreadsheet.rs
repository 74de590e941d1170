//! Spreadsheet import (XLSX through `zip` + `calamine`, XLS through `calamine`, told apart from CSV by content):
//! `import::open_bytes`, then the patient and appointment row validators over the same bytes.
//!
//! Input: 1 option byte (see `clinic_fuzz::import_options`), then the file. Seeds are real XLSX/XLS files
//! written by openpyxl and xlwt, so mutations start inside the zip and OLE containers.
//! Checks: no panic; a file either opens with a header or fails with an `IMPORT_*` code; every
//! record row number lies below the header. A panic inside calamine/zip/quick-xml must be contained by the core
//! (it becomes `IMPORT_MALFORMED_FILE`, see `clinic_fuzz::let_core_contain_parser_panics`); any other panic,
//! or one the core lets through, is a crash.
#![no_main]

use clinic_core::import::{open_bytes, sniff_kind, AppointmentRows, FileKind, PatientRows};
use clinic_core::ClinicId;
use clinic_fuzz::{import_options, let_core_contain_parser_panics, split_options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let_core_contain_parser_panics();
    let ([opt], file) = split_options::<1>(data);
    let mut opts = import_options(opt);
    // Small bounds so a mutated size field is refused quickly instead of inflating for seconds.
    opts.max_unpacked_bytes = 16 << 20;

    match open_bytes(file, &opts) {
        Ok(table) => {
            // Sheet rows are the sheet's own numbers, under the header. (A CSV's are the line a record starts on
            // as the csv crate counts lines — by `\n` only, so a file with bare-CR line ends reports line 1 for
            // every record: a known gap, README "Import".)
            let sheet = sniff_kind(file) != FileKind::Csv;
            for r in table.records.take(10_000).flatten() {
                assert!(r.row >= if sheet { 2 } else { 1 }, "a record above the header: row {}", r.row);
            }
        }
        Err(e) => {
            let code = e.code().as_str();
            // README "Import": file-level problems are errors with an `IMPORT_*` code.
            assert!(code.starts_with("IMPORT_"), "unexpected error code {code}: {e}");
        }
    }
    if let Ok(rows) = PatientRows::from_bytes(file, ClinicId::new(), &opts) {
        rows.take(10_000).for_each(drop);
    }
    if let Ok(rows) = AppointmentRows::from_bytes(file, &opts) {
        rows.take(10_000).for_each(drop);
    }
});
