//! Appointment import on the in-memory store: every row is a booking through the engine, checked against
//! the store and against the file's earlier rows; atomic files land whole or not at all.

mod tools;

use std::sync::Arc;

use clinic_core::error::ErrorCode;
use clinic_core::import::{AppointmentImportReport, ImportMode, ImportOptions, ImportSource};
use clinic_core::ports::{AppointmentFilter, AppointmentStore, FixedClock};
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
    let fx = seed(store.clone(), 4).await;
    let sch = Scheduler::new(store.clone()).with_clock(Arc::new(FixedClock::new(fx.now)));
    World { fx, sch, store }
}

impl World {
    async fn import(&self, csv: &str, mode: ImportMode) -> AppointmentImportReport {
        let o = ImportOptions { mode, ..Default::default() };
        self.sch
            .import_appointments(&Actor::system(), self.fx.clinic.id(), ImportSource::Bytes(csv.as_bytes()), &o)
            .await
            .unwrap()
    }
    async fn count(&self) -> usize {
        let f = AppointmentFilter { clinic_id: Some(self.fx.clinic.id()), ..Default::default() };
        self.store.list_appointments(&f).await.unwrap().len()
    }
}

fn codes_at(r: &AppointmentImportReport, row: u64) -> Vec<ErrorCode> {
    r.rejections.iter().filter(|x| x.row == row).map(|x| x.code).collect()
}

// The fixture day 2027-01-11 is a Monday; London is UTC+0 in January; Dr 0–2 work 08:00–18:00.
const FILE: &str = "Patient MRN,Doctor,Appointment Type,Start,Room\n\
MRN-0000,Dr 0,Consultation,2027-01-11 09:00,\n\
MRN-0001,Dr 0,Consultation,11/01/2027 09:15,\n\
MRN-0001,dr 1,consultation,2027-01-11T11:00:00+01:00,Room 1\n\
MRN-0002,Dr 9,Consultation,2027-01-11 12:00,\n\
MRN-9999,Dr 2,Consultation,2027-01-11 12:00,\n\
MRN-0003,Dr 2,Consultation,2027-01-11 07:00,\n\
MRN-0003,Dr 2,Consultation,2027-01-11 14:00,\n";

#[tokio::test]
async fn partial_mode_books_valid_rows_through_the_engine() {
    let w = world().await;
    let r = w.import(FILE, ImportMode::Partial).await;
    assert_eq!((r.rows, r.stored, r.rejected_rows), (7, 3, 4), "{:#?}", r.rejections);
    assert_eq!(codes_at(&r, 3), [ErrorCode::SlotConflictPractitioner], "the file cannot double-book itself");
    assert_eq!(codes_at(&r, 5), [ErrorCode::ImportUnknownValue]);
    assert_eq!(codes_at(&r, 6), [ErrorCode::NotFound]);
    assert_eq!(codes_at(&r, 7), [ErrorCode::OutsideAvailability]);
    let a = w.store.get_appointment(r.accepted_ids[1]).await.unwrap().unwrap();
    assert_eq!(a.slot().start(), w.fx.at(10, 0), "an offset is an instant: 11:00+01:00 is 10:00 in London");
    assert_eq!(a.room_id(), Some(w.fx.room.id()));
    assert_eq!(w.count().await, 3);
}

#[tokio::test]
async fn atomic_mode_is_all_or_nothing_and_checks_against_the_store() {
    let w = world().await;
    let r = w.import(FILE, ImportMode::Atomic).await;
    assert!(!r.committed);
    assert_eq!((r.stored, r.valid), (0, 3));
    assert_eq!(w.count().await, 0, "one bad row: nothing booked");
    let good = "mrn,practitioner,type,start\nMRN-0000,Dr 0,Consultation,2027-01-11 09:00\n\
                MRN-0001,Dr 1,Consultation,2027-01-11 09:00\nMRN-0002,Dr 0,Consultation,2027-01-11 10:00\n";
    let r = w.import(good, ImportMode::Atomic).await;
    assert!(r.committed, "{:#?}", r.rejections);
    assert_eq!((r.stored, w.count().await), (3, 3));
    // One row clashes with the store: the file is refused whole.
    let again = "mrn,practitioner,type,start\nMRN-0003,Dr 2,Consultation,2027-01-11 09:00\n\
                 MRN-0003,Dr 0,Consultation,2027-01-11 10:10\n";
    let r = w.import(again, ImportMode::Atomic).await;
    assert!(!r.committed);
    assert!(codes_at(&r, 2).is_empty());
    assert_eq!(codes_at(&r, 3), [ErrorCode::SlotConflictPractitioner], "Dr 0 is booked 10:00–10:30");
    assert_eq!(w.count().await, 3);
}

#[tokio::test]
async fn dry_run_checks_everything_and_books_nothing() {
    let w = world().await;
    let r = w.import(FILE, ImportMode::DryRun).await;
    assert_eq!((r.valid, r.stored, r.rejected_rows, r.committed), (3, 0, 4, false));
    assert_eq!(codes_at(&r, 3), [ErrorCode::SlotConflictPractitioner]);
    assert_eq!(w.count().await, 0);
}

#[tokio::test]
async fn appointment_import_needs_the_permission_and_the_columns() {
    let w = world().await;
    let patient = Actor::new(Role::Patient).with_clinic(w.fx.clinic.id());
    let o = ImportOptions::default();
    let e = w
        .sch
        .import_appointments(&patient, w.fx.clinic.id(), ImportSource::Bytes(FILE.as_bytes()), &o)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Forbidden);
    let e = w
        .sch
        .import_appointments(
            &Actor::system(),
            w.fx.clinic.id(),
            ImportSource::Bytes(b"mrn,start\nA,2027-01-11 09:00\n"),
            &o,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ImportMissingColumn);
}

const OPENPYXL_APPOINTMENTS: &str = r#"
import sys, io, datetime, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["MRN", "Practitioner", "Type", "Start"])
ws.append(["MRN-0000", "Dr 0", "Consultation", datetime.datetime(2027, 1, 11, 9, 30)])
ws.append(["MRN-0001", "Dr 0", "Consultation", datetime.datetime(2027, 1, 11, 9, 45)])
ws.append(["MRN-0002", "Dr 1", "Consultation", "2027-01-11 13:00"])
buf = io.BytesIO()
wb.save(buf)
sys.stdout.buffer.write(buf.getvalue())
"#;

#[tokio::test]
async fn xlsx_date_time_cells_from_openpyxl_keep_their_time() {
    let w = world().await;
    let xlsx = tools::run_python(OPENPYXL_APPOINTMENTS, &[], b"");
    let o = ImportOptions { mode: ImportMode::Partial, ..Default::default() };
    let r =
        w.sch.import_appointments(&Actor::system(), w.fx.clinic.id(), ImportSource::Bytes(&xlsx), &o).await.unwrap();
    assert_eq!((r.stored, r.rejected_rows), (2, 1), "{:#?}", r.rejections);
    assert_eq!(codes_at(&r, 3), [ErrorCode::SlotConflictPractitioner], "spreadsheet row 3 overlaps row 2");
    let a = w.store.get_appointment(r.accepted_ids[0]).await.unwrap().unwrap();
    assert_eq!(a.slot().start(), w.fx.at(9, 30));
}
