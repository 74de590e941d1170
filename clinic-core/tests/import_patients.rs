//! Patient import end to end on the in-memory store: CSV dialects, normalization, row-numbered rejections,
//! the three modes, duplicate MRNs, spreadsheets written by openpyxl and xlwt, and bad input of every kind.

mod tools;

use std::sync::Arc;

use chrono::NaiveDate;
use clinic_core::error::ErrorCode;
use clinic_core::import::{
    write_rejections_csv, DateOrder, ImportMode, ImportOptions, ImportReport, ImportSource, PatientRows, Rejection,
};
use clinic_core::ports::{PatientQuery, PatientStore};
use clinic_core::rbac::{Actor, Role};
use clinic_core::testkit::{seed, Fixture};
use clinic_core::*;

struct World {
    fx: Fixture,
    sch: Scheduler<InMemoryStore>,
    store: Arc<InMemoryStore>,
}

async fn world() -> World {
    let store = Arc::new(InMemoryStore::new());
    let fx = seed(store.clone(), 2).await; // MRN-0000, MRN-0001 registered
    let sch = Scheduler::new(store.clone()).with_clock(Arc::new(clinic_core::ports::FixedClock::new(fx.now)));
    World { fx, sch, store }
}

fn opts(mode: ImportMode) -> ImportOptions {
    ImportOptions { mode, default_region: Some("GB".into()), ..Default::default() }
}

impl World {
    async fn import(&self, data: &[u8], o: &ImportOptions) -> Result<ImportReport, ClinicError> {
        self.sch.import_patients(&Actor::system(), self.fx.clinic.id(), ImportSource::Bytes(data), o).await
    }
    async fn patients(&self) -> Vec<Patient> {
        let q = PatientQuery { clinic_id: Some(self.fx.clinic.id()), ..Default::default() };
        self.store.find_patients(&q).await.unwrap()
    }
    async fn by_mrn(&self, mrn: &str) -> Patient {
        let q = PatientQuery { clinic_id: Some(self.fx.clinic.id()), mrn: Some(mrn.into()), ..Default::default() };
        self.store.find_patients(&q).await.unwrap().pop().unwrap_or_else(|| panic!("{mrn} not stored"))
    }
}

fn codes_at(r: &ImportReport, row: u64) -> Vec<(String, ErrorCode)> {
    r.rejections.iter().filter(|x| x.row == row).map(|x| (x.column.clone(), x.code)).collect()
}

/// BOM, CRLF, `;`, quoted fields with the delimiter and a line break, aliases, stray whitespace and
/// every date form in one file.
const MIXED: &str =
    "\u{feff}Patient ID;First Name;SURNAME;Date of Birth;Gender;Mobile;E-mail;Address;City;Postcode;Country\r\n\
A-1;  Ada  ;Lovelace;1985-12-10;F;020 7946 0958;Ada@Example.ORG;\"12 St James's Sq; Flat 1\";London;SW1Y 4JH;gb\r\n\
A-2;Charles;Babbage;26/12/1971;m;+44 20 7946 0959;;;;;\r\n\
A-3;Grace;Hopper;33000;f;;grace@navy.mil;;;;\r\n\
A-4;Alan;Turing;1980-02-30;M;;;;;;\r\n\
A-5;\"Kurt\r\nG.\";Gödel;1966-04-28;;12;not-an-email;;;;\r\n\
A-1;Ada;Again;1985-12-10;F;;;;;;\r\n\
MRN-0000;Taken;Already;;;;;;;;\r\n\
A-8;;;;;;;;;;\r\n\
A-9;Hedy;Lamarr;1954-11-09;q;;;1 Road;;;ZZ\r\n\
A-10;Ten;Fields;1914-11-09;F;;;;;\r\n";

#[tokio::test]
async fn csv_with_bom_crlf_semicolons_and_mixed_dates_partial_mode() {
    let w = world().await;
    let r = w.import(MIXED.as_bytes(), &opts(ImportMode::Partial)).await.unwrap();
    assert_eq!((r.rows, r.stored, r.rejected_rows), (10, 3, 7), "{:#?}", r.rejections);
    assert!(r.committed);
    let ada = w.by_mrn("A-1").await;
    assert_eq!((ada.given_name(), ada.family_name()), ("Ada", "Lovelace"));
    assert_eq!(ada.date_of_birth(), NaiveDate::from_ymd_opt(1985, 12, 10));
    assert_eq!(ada.contact().phone(), Some("+442079460958"), "national number in the default region → E.164");
    assert_eq!(ada.contact().email(), Some("ada@example.org"));
    assert_eq!(ada.address().unwrap().line1, "12 St James's Sq; Flat 1");
    assert_eq!(ada.address().unwrap().country, "GB");
    assert_eq!(w.by_mrn("A-2").await.date_of_birth(), NaiveDate::from_ymd_opt(1971, 12, 26), "dd/mm/yyyy");
    assert_eq!(w.by_mrn("A-3").await.date_of_birth(), NaiveDate::from_ymd_opt(1990, 5, 7), "Excel serial 33000");
    // Rejections: the row the file shows (line where the record starts), the column as headed, a stable code.
    assert_eq!(codes_at(&r, 5), [("Date of Birth".to_string(), ErrorCode::InvalidDate)]);
    assert_eq!(
        codes_at(&r, 6),
        [("Mobile".to_string(), ErrorCode::InvalidPhone), ("E-mail".to_string(), ErrorCode::InvalidEmail)]
    );
    assert_eq!(codes_at(&r, 8), [("Patient ID".to_string(), ErrorCode::DuplicateMrn)], "repeated in the file");
    assert_eq!(codes_at(&r, 9), [("Patient ID".to_string(), ErrorCode::DuplicateMrn)], "already in the store");
    assert_eq!(
        codes_at(&r, 10),
        [("First Name".to_string(), ErrorCode::Required), ("SURNAME".to_string(), ErrorCode::Required)]
    );
    let row11 = codes_at(&r, 11);
    assert!(row11.contains(&("Gender".to_string(), ErrorCode::ImportUnknownValue)), "{row11:?}");
    assert!(row11.contains(&("Country".to_string(), ErrorCode::InvalidCountry)), "{row11:?}");
    assert!(row11.contains(&("City".to_string(), ErrorCode::Required)), "{row11:?}");
    assert_eq!(codes_at(&r, 12), [(String::new(), ErrorCode::ImportMalformedRow)], "ragged row");
    // Nothing doubled: one A-1, one MRN-0000.
    let all = w.patients().await;
    assert_eq!(all.iter().filter(|p| p.mrn() == Some("A-1")).count(), 1);
    assert_eq!(all.iter().filter(|p| p.mrn() == Some("MRN-0000")).count(), 1);
    assert_eq!(all.len(), 2 + 3);
    assert_eq!(r.accepted_ids.len(), 3);
}

#[tokio::test]
async fn atomic_mode_stores_nothing_when_one_row_is_bad_and_everything_otherwise() {
    let w = world().await;
    let r = w.import(MIXED.as_bytes(), &opts(ImportMode::Atomic)).await.unwrap();
    assert!(!r.committed);
    assert_eq!((r.stored, r.valid, r.rejected_rows), (0, 3, 7));
    assert!(r.accepted_ids.is_empty());
    assert_eq!(w.patients().await.len(), 2, "nothing written");
    let good = "mrn,given_name,family_name,dob\nB-1,Ann,One,1990-01-01\nB-2,Bob,Two,02/01/1990\n";
    let r = w.import(good.as_bytes(), &opts(ImportMode::Atomic)).await.unwrap();
    assert!(r.committed);
    assert_eq!((r.stored, r.rejected_rows), (2, 0));
    assert_eq!(w.by_mrn("B-2").await.date_of_birth(), NaiveDate::from_ymd_opt(1990, 1, 2));
    // The same file again: every MRN is now taken, nothing is doubled.
    let r = w.import(good.as_bytes(), &opts(ImportMode::Atomic)).await.unwrap();
    assert_eq!((r.stored, r.rejected_rows, r.committed), (0, 2, false));
    assert!(r.rejections.iter().all(|x| x.code == ErrorCode::DuplicateMrn));
    assert_eq!(w.patients().await.len(), 4);
}

#[tokio::test]
async fn dry_run_reports_and_writes_nothing() {
    let w = world().await;
    let r = w.import(MIXED.as_bytes(), &opts(ImportMode::DryRun)).await.unwrap();
    assert_eq!((r.valid, r.stored, r.rejected_rows, r.committed), (3, 0, 7, false));
    assert_eq!(w.patients().await.len(), 2);
}

#[tokio::test]
async fn month_first_dates_when_configured() {
    let w = world().await;
    let csv = "given,family,dob\nA,B,02/15/1980\nC,D,15/02/1980\n";
    let o = ImportOptions { date_order: DateOrder::MonthFirst, ..opts(ImportMode::Partial) };
    let r = w.import(csv.as_bytes(), &o).await.unwrap();
    assert_eq!((r.stored, r.rejected_rows), (1, 1));
    assert_eq!(codes_at(&r, 3), [("dob".to_string(), ErrorCode::InvalidDate)]);
}

#[tokio::test]
async fn tab_separated_and_future_birth_dates() {
    let w = world().await;
    let csv = "given\tfamily\tbirth date\nA\tB\t2099-01-01\n";
    let r = w.import(csv.as_bytes(), &opts(ImportMode::Partial)).await.unwrap();
    assert_eq!(codes_at(&r, 2), [("birth date".to_string(), ErrorCode::DateOfBirthInFuture)]);
}

#[tokio::test]
async fn import_needs_the_import_permission() {
    let w = world().await;
    for role in [Role::Patient, Role::Practitioner] {
        let actor = Actor::new(role).with_clinic(w.fx.clinic.id());
        let e = w
            .sch
            .import_patients(
                &actor,
                w.fx.clinic.id(),
                ImportSource::Bytes(MIXED.as_bytes()),
                &opts(ImportMode::Partial),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Forbidden);
    }
    let scheduler = Actor::new(Role::Scheduler).with_clinic(w.fx.clinic.id());
    let r = w
        .sch
        .import_patients(&scheduler, w.fx.clinic.id(), ImportSource::Bytes(MIXED.as_bytes()), &opts(ImportMode::DryRun))
        .await;
    assert!(r.is_ok());
}

#[tokio::test]
async fn rejection_report_round_trips_as_csv() {
    let w = world().await;
    let r = w.import(MIXED.as_bytes(), &opts(ImportMode::DryRun)).await.unwrap();
    let mut out = Vec::new();
    write_rejections_csv(&mut out, &r.rejections).unwrap();
    let mut rdr = csv::Reader::from_reader(out.as_slice());
    assert_eq!(rdr.headers().unwrap(), vec!["row", "column", "code", "message", "value"]);
    let back: Vec<Rejection> = rdr
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            Rejection {
                row: rec[0].parse().unwrap(),
                column: rec[1].to_string(),
                code: ErrorCode::parse(&rec[2]).unwrap(),
                message: rec[3].to_string(),
                value: rec[4].to_string(),
            }
        })
        .collect();
    assert_eq!(back, r.rejections);
    assert!(back.iter().any(|x| x.value == "1980-02-30"), "the report shows the offending value");
}

// ---------- bad input ----------

#[tokio::test]
async fn file_level_problems_are_typed_errors_and_store_nothing() {
    let w = world().await;
    let cases: Vec<(&str, Vec<u8>, ErrorCode)> = vec![
        ("empty", vec![], ErrorCode::ImportMalformedFile),
        ("only whitespace", b" \r\n\r\n".to_vec(), ErrorCode::ImportMalformedFile),
        ("only a header", b"given_name,family_name,dob\r\n".to_vec(), ErrorCode::ImportNoRows),
        ("header without names", b"mrn,dob\nA,1990-01-01\n".to_vec(), ErrorCode::ImportMissingColumn),
        (
            "binary with a .csv name",
            (0u8..=255).cycle().take(4096).collect::<Vec<u8>>(),
            ErrorCode::ImportMalformedFile,
        ),
        ("latin-1 text", b"given,family\nJos\xe9,Garc\xeda\n".to_vec(), ErrorCode::ImportMalformedFile),
        ("broken xlsx", b"PK\x03\x04garbage that is no zip".to_vec(), ErrorCode::ImportMalformedFile),
        ("broken xls", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1garbage".to_vec(), ErrorCode::ImportMalformedFile),
    ];
    for (what, data, code) in cases {
        for mode in [ImportMode::DryRun, ImportMode::Atomic, ImportMode::Partial] {
            let e = w.import(&data, &opts(mode)).await.expect_err(what);
            assert_eq!(e.code(), code, "{what}: {e}");
        }
    }
    assert_eq!(w.patients().await.len(), 2);
}

#[tokio::test]
async fn malformed_csv_rows_are_reported_and_atomic_mode_stores_nothing() {
    let w = world().await;
    // Row 3 has an extra field, row 4 opens a quote it never closes: it swallows the rest of the file.
    let csv = "given,family,mrn\nAnn,One,C-1\nBob,Two,C-2,extra\n\"Cy,Three,C-3\nDee,Four,C-4\n";
    let r = w.import(csv.as_bytes(), &opts(ImportMode::Atomic)).await.unwrap();
    assert!(!r.committed);
    assert_eq!(r.valid, 1);
    assert_eq!(codes_at(&r, 3), [(String::new(), ErrorCode::ImportMalformedRow)]);
    assert_eq!(codes_at(&r, 4), [(String::new(), ErrorCode::ImportMalformedRow)]);
    assert_eq!(w.patients().await.len(), 2);
}

#[tokio::test]
async fn ten_thousand_character_cells_are_rejected_not_carried() {
    let w = world().await;
    let long = "x".repeat(10_000);
    let csv = format!("given,family,email\n{long},B,\nA,B,{long}@example.org\nA,B,a@b.io\n");
    let r = w.import(csv.as_bytes(), &opts(ImportMode::Partial)).await.unwrap();
    assert_eq!(r.stored, 1);
    assert_eq!(codes_at(&r, 2), [("given".to_string(), ErrorCode::TooLong)]);
    assert_eq!(codes_at(&r, 3), [("email".to_string(), ErrorCode::TooLong)]);
    assert!(r.rejections[0].value.chars().count() <= 201, "the report echoes a cut value");
}

// ---------- spreadsheets written by real spreadsheet software ----------

const OPENPYXL: &str = r#"
import sys, datetime, io, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Patients"
ws.append(["MRN", "Given Name", "Family Name", "Date of Birth", "Phone", "Email", "Notes"])
ws.append(["X-1", "Ada", "Lovelace", datetime.date(1985, 12, 10), "+44 20 7946 0958", "ADA@EXAMPLE.ORG", "date cell"])
ws.append([1002, " Charles ", "Babbage", "26/12/1971", 442079460959, None, "numeric MRN and phone"])
ws.append(["X-3", "Grace", "Hopper", 33000, None, None, "serial as a number"])
ws.append(["X-4", "Alan", "Turing", "1980-02-30", None, None, "impossible date"])
ws.append(["X-5", "Merged", "Cells", None, None, None, "family name merged away"])
ws.merge_cells("B6:C6")
ws.append(["X-6", "Formula", "Person", "=DATE(1990,5,6)", None, None, "formula"])
ws.append(["X-1", "Dup", "Licate", None, None, None, "duplicate MRN"])
buf = io.BytesIO()
wb.save(buf)
sys.stdout.buffer.write(buf.getvalue())
"#;

#[tokio::test]
async fn xlsx_written_by_openpyxl() {
    let w = world().await;
    let xlsx = tools::run_python(OPENPYXL, &[], b"");
    let r = w.import(&xlsx, &opts(ImportMode::Partial)).await.unwrap();
    let ada = w.by_mrn("X-1").await;
    assert_eq!(ada.date_of_birth(), NaiveDate::from_ymd_opt(1985, 12, 10), "XLSX date cell");
    assert_eq!(ada.contact().email(), Some("ada@example.org"));
    let charles = w.by_mrn("1002").await;
    assert_eq!(charles.given_name(), "Charles");
    assert_eq!(charles.contact().phone(), Some("+442079460959"), "numeric phone cell, default region GB");
    assert_eq!(w.by_mrn("X-3").await.date_of_birth(), NaiveDate::from_ymd_opt(1990, 5, 7));
    assert_eq!(codes_at(&r, 5), [("Date of Birth".to_string(), ErrorCode::InvalidDate)], "spreadsheet row 5");
    assert_eq!(codes_at(&r, 6), [("Family Name".to_string(), ErrorCode::Required)], "merged cell reads empty");
    // openpyxl writes no cached value for a formula: rejected with its own code, never evaluated nor blanked.
    assert_eq!(codes_at(&r, 7), [("Date of Birth".to_string(), ErrorCode::ImportFormulaNotComputed)]);
    assert_eq!(r.rejections.iter().find(|x| x.row == 7).unwrap().value, "=DATE(1990,5,6)");
    assert_eq!(codes_at(&r, 8), [("MRN".to_string(), ErrorCode::DuplicateMrn)]);
    assert_eq!(r.rows, 7);
}

const XLWT: &str = r#"
import sys, io, datetime, xlwt
wb = xlwt.Workbook()
ws = wb.add_sheet("Patients")
date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
for c, h in enumerate(["Surname", "Forename", "DOB", "Telephone", "e-mail"]):
    ws.write(0, c, h)
rows = [
    ("Lovelace", "Ada", datetime.date(1985, 12, 10), "020 7946 0958", "ada@example.org"),
    ("Hopper", "Grace", "31/04/1990", "", ""),
    ("Babbage", "Charles", 33000, "", "charles@@example.org"),
]
for r, row in enumerate(rows, start=1):
    for c, v in enumerate(row):
        if isinstance(v, datetime.date):
            ws.write(r, c, v, date_style)
        else:
            ws.write(r, c, v)
buf = io.BytesIO()
wb.save(buf)
sys.stdout.buffer.write(buf.getvalue())
"#;

#[tokio::test]
async fn xls_written_by_xlwt() {
    let w = world().await;
    let xls = tools::run_python(XLWT, &[], b"");
    let r = w.import(&xls, &opts(ImportMode::Partial)).await.unwrap();
    assert_eq!((r.rows, r.stored), (3, 1), "{:#?}", r.rejections);
    let ada = w.patients().await.into_iter().find(|p| p.family_name() == "Lovelace").unwrap();
    assert_eq!(ada.date_of_birth(), NaiveDate::from_ymd_opt(1985, 12, 10));
    assert_eq!(ada.contact().phone(), Some("+442079460958"));
    assert_eq!(codes_at(&r, 3), [("DOB".to_string(), ErrorCode::InvalidDate)]);
    assert_eq!(codes_at(&r, 4), [("e-mail".to_string(), ErrorCode::InvalidEmail)]);
}

const BOMB: &str = r#"
import sys, io, zipfile
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr("[Content_Types].xml", "<Types/>")
    with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
        chunk = b"\0" * (1 << 20)
        for _ in range(int(sys.argv[1])):
            f.write(chunk)
sys.stdout.buffer.write(buf.getvalue())
"#;

#[tokio::test]
async fn a_zip_bomb_posing_as_xlsx_is_refused_before_inflating() {
    let w = world().await;
    // 300 MiB of zeros deflate to ~300 KB: over the 256 MiB default bound.
    let bomb = tools::run_python(BOMB, &["300"], b"");
    assert!(bomb.len() < 2 << 20, "the bomb is small: {} bytes", bomb.len());
    let e = w.import(&bomb, &opts(ImportMode::Atomic)).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ImportFileTooLarge, "{e}");
    // A smaller part under the size bound is still refused for its ratio.
    let small = tools::run_python(BOMB, &["20"], b"");
    let e = w.import(&small, &opts(ImportMode::DryRun)).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ImportFileTooLarge, "{e}");
    assert_eq!(w.patients().await.len(), 2);
}

#[test]
fn the_pure_half_runs_without_a_store() {
    let rows = PatientRows::from_bytes(MIXED.as_bytes(), ClinicId::new(), &opts(ImportMode::DryRun)).unwrap();
    let (ok, bad): (Vec<_>, Vec<_>) = rows.partition(|r| r.is_ok());
    // Without the store, MRN-0000 is not known to be taken: 4 valid rows.
    assert_eq!((ok.len(), bad.len()), (4, 6));
}
