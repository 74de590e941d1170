//! Durability and bad files: migrations, a newer or corrupt file, backup/restore, and `kill -9` of a
//! process that is booking — every acknowledged booking must survive.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use chrono::Duration;
use clinic_core::error::ErrorCode;
use clinic_core::ports::{AppointmentStore, CatalogStore, FixedClock, PatientQuery, PatientStore};
use clinic_core::rbac::Actor;
use clinic_core::testkit::seed;
use clinic_core::{AppointmentId, BookingRequest, CreateAppointment, Scheduler};
use clinic_sqlite::SqliteStore;

const CHILD_ENV: &str = "CLINIC_SQLITE_KILL_CHILD_DB";

#[tokio::test]
async fn older_file_upgrades_in_place_and_newer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // A file as version 1 of the schema left it, with a clinic in it.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(clinic_sqlite_schema_v1()).unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        let clinic = clinic_core::Clinic::new(
            clinic_core::ClinicId::new(),
            clinic_core::ClinicInput { name: "Old".into(), time_zone: "Europe/London".into(), ..Default::default() },
        )
        .unwrap();
        c.execute(
            "INSERT INTO clinics (id, doc) VALUES (?1, ?2)",
            (clinic.id().to_string(), serde_json::to_string(&clinic).unwrap()),
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).expect("old file opens");
    assert_eq!(store.schema_version().unwrap(), 3, "upgraded to the latest schema");
    assert_eq!(store.list_clinics().await.unwrap()[0].name(), "Old", "data kept");
    drop(store);

    let c = rusqlite::Connection::open(&path).unwrap();
    c.pragma_update(None, "user_version", 99).unwrap();
    drop(c);
    let err = SqliteStore::open(&path).unwrap_err();
    assert_eq!(err.code(), ErrorCode::StoreUnavailable);
    assert!(err.to_string().contains("newer"), "{err}");
}

fn clinic_sqlite_schema_v1() -> &'static str {
    // The first migration, as shipped (kept verbatim so this test pins the upgrade path).
    include_str!("fixtures/schema_v1.sql")
}

#[tokio::test]
async fn corrupt_and_unopenable_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![0x5a; 8192]).unwrap();
    let err = SqliteStore::open(&garbage).unwrap_err();
    assert_eq!(err.code(), ErrorCode::StoreUnavailable);
    assert!(err.to_string().contains("not a clinic database"), "{err}");
    assert_eq!(std::fs::read(&garbage).unwrap(), vec![0x5a; 8192], "a bad file is left untouched");

    let missing_dir = dir.path().join("no/such/dir/x.db");
    assert_eq!(SqliteStore::open(&missing_dir).unwrap_err().code(), ErrorCode::StoreUnavailable);
    assert_eq!(SqliteStore::open(dir.path()).unwrap_err().code(), ErrorCode::StoreUnavailable, "a directory");
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("live.db")).unwrap());
    let fx = seed(store.clone(), 2).await;
    let sch = Scheduler::new(store.clone()).with_clock(Arc::new(FixedClock::new(fx.now)));
    let a = sch.create_appointment(&Actor::system(), fx.request(0, 0, &fx.individual, fx.at(9, 0))).await.unwrap();
    let backup = dir.path().join("backup.db");
    store.backup_to(&backup).await.unwrap();
    let b = sch.create_appointment(&Actor::system(), fx.request(1, 1, &fx.individual, fx.at(10, 0))).await.unwrap();
    sch.cancel_appointment(&Actor::system(), a.id(), None, None).await.unwrap();

    store.restore_from(&backup).await.unwrap();
    assert!(store.get_appointment(b.id()).await.unwrap().is_none(), "later booking gone");
    let restored = store.get_appointment(a.id()).await.unwrap().expect("backed-up booking present");
    assert!(restored.is_active(), "cancellation after the backup is undone");
    store.integrity_check().await.unwrap();
    let copy = SqliteStore::open(&backup).unwrap();
    assert_eq!(copy.find_patients(&PatientQuery::default()).await.unwrap().len(), 2);
}

/// The child side of `acknowledged_bookings_survive_kill_9`: books forever, printing `ACK <id>` after each
/// booking the store acknowledged. Only runs when that test starts it.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "helper process started by acknowledged_bookings_survive_kill_9"]
async fn kill_child_booker() {
    let Ok(path) = std::env::var(CHILD_ENV) else { return };
    let store = Arc::new(SqliteStore::open(&path).expect("child opens the store"));
    let clinic = store.list_clinics().await.unwrap().remove(0);
    let practitioners = store.list_practitioners(clinic.id()).await.unwrap();
    let ty = store.list_appointment_types(clinic.id()).await.unwrap().into_iter().find(|t| !t.is_group()).unwrap();
    let patients = store.find_patients(&PatientQuery::default()).await.unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2027-01-04T09:00:00Z").unwrap().to_utc();
    let sch = Scheduler::new(store.clone()).with_clock(Arc::new(FixedClock::new(now)));
    let monday = chrono::DateTime::parse_from_rfc3339("2027-01-11T08:00:00Z").unwrap().to_utc();
    for i in 0usize.. {
        let k = i / practitioners.len();
        let (week, rest) = (k / (16 * 5), k % (16 * 5));
        let (day, slot) = (rest / 16, rest % 16);
        let start =
            monday + Duration::weeks(week as i64) + Duration::days(day as i64) + Duration::minutes(35 * slot as i64);
        let cmd = CreateAppointment {
            clinic_id: clinic.id(),
            request: BookingRequest {
                patient_id: patients[i % practitioners.len()].id(),
                practitioner_id: practitioners[i % practitioners.len()].id(),
                room_id: None,
                appointment_type_id: ty.id(),
                start,
                overbook: false,
                reschedule_of: None,
            },
            proposed: false,
            reason: None,
            notes: None,
        };
        let a = sch.create_appointment(&Actor::system(), cmd).await.expect("child booking");
        println!("ACK {}", a.id());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_bookings_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kill.db");
    {
        let store = Arc::new(SqliteStore::open(&path).unwrap());
        seed(store, 3).await;
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "kill_child_booker", "--nocapture", "--test-threads", "1"])
        .env(CHILD_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the booking process");
    let stdout = child.stdout.take().unwrap();
    let mut acked: Vec<AppointmentId> = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(id) = line.strip_prefix("ACK ") {
            acked.push(id.parse().unwrap());
            if acked.len() == 60 {
                child.kill().expect("kill -9"); // SIGKILL on Unix: no destructors, no flush
                break;
            }
        }
    }
    child.wait().unwrap();
    assert_eq!(acked.len(), 60, "the child acknowledged bookings before it was killed");
    let store = SqliteStore::open(&path).expect("reopen after the kill");
    store.integrity_check().await.expect("PRAGMA integrity_check after kill -9");
    for id in &acked {
        assert!(store.get_appointment(*id).await.unwrap().is_some(), "acknowledged booking {id} lost");
    }
}
