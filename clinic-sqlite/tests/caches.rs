//! The read caches and the booking group commit keep the store exact: a row changed by another connection
//! (another process, an older build) is seen at once, and concurrent bookings sharing one commit are each
//! decided on their own — all distinct slots booked, exactly one winner per contested slot, all durable.

use std::sync::Arc;

use chrono::Duration;
use clinic_core::ports::{AppointmentFilter, AppointmentStore, CatalogStore, FixedClock};
use clinic_core::rbac::Actor;
use clinic_core::testkit::seed;
use clinic_core::{ResourceRef, Scheduler};
use clinic_sqlite::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn catalog_rows_changed_by_another_connection_are_seen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.db");
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let fx = seed(store.clone(), 2).await;
    let p = fx.practitioners[0].id();
    let res = ResourceRef::Practitioner(p);
    // Warm every cached read.
    assert_eq!(store.get_practitioner(p).await.unwrap().unwrap().name(), fx.practitioners[0].name());
    assert_eq!(store.list_practitioners(fx.clinic.id()).await.unwrap().len(), 3);
    assert!(!store.list_resource_schedules(fx.clinic.id(), res).await.unwrap().is_empty());
    assert_eq!(store.get_clinic(fx.clinic.id()).await.unwrap().unwrap().name(), "Kit Clinic");

    // Another connection (as another process would) renames, deletes and edits behind the store's back.
    let raw = rusqlite::Connection::open(&path).unwrap();
    let doc: String =
        raw.query_row("SELECT doc FROM practitioners WHERE id = ?1", [p.to_string()], |r| r.get(0)).unwrap();
    let renamed = doc.replacen(fx.practitioners[0].name(), "Dr Renamed", 1);
    assert_ne!(doc, renamed, "the stored document holds the name");
    raw.execute("UPDATE practitioners SET doc = ?2 WHERE id = ?1", (p.to_string(), renamed)).unwrap();
    raw.execute("DELETE FROM schedules WHERE json_extract(doc, '$.resource.id') = ?1", [p.to_string()]).unwrap();
    let clinic_doc: String =
        raw.query_row("SELECT doc FROM clinics WHERE id = ?1", [fx.clinic.id().to_string()], |r| r.get(0)).unwrap();
    raw.execute(
        "UPDATE clinics SET doc = ?2 WHERE id = ?1",
        (fx.clinic.id().to_string(), clinic_doc.replacen("Kit Clinic", "Renamed Clinic", 1)),
    )
    .unwrap();
    drop(raw);

    assert_eq!(store.get_practitioner(p).await.unwrap().unwrap().name(), "Dr Renamed");
    let listed = store.list_practitioners(fx.clinic.id()).await.unwrap();
    assert!(listed.iter().any(|x| x.name() == "Dr Renamed"), "the listing sees the edit too");
    assert!(store.list_resource_schedules(fx.clinic.id(), res).await.unwrap().is_empty(), "deleted schedules are gone");
    assert_eq!(store.get_clinic(fx.clinic.id()).await.unwrap().unwrap().name(), "Renamed Clinic");

    // A write through the store itself is seen as well.
    let mut again = store.get_clinic(fx.clinic.id()).await.unwrap().unwrap();
    again = clinic_core::Clinic::new(
        again.id(),
        clinic_core::ClinicInput { name: "Third Name".into(), time_zone: "Europe/London".into(), ..Default::default() },
    )
    .unwrap();
    store.put_clinic(&again).await.unwrap();
    assert_eq!(store.list_clinics().await.unwrap()[0].name(), "Third Name");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn appointment_rows_changed_by_another_connection_are_seen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("appts.db");
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let fx = seed(store.clone(), 2).await;
    let sch = Scheduler::new(store.clone()).with_clock(Arc::new(FixedClock::new(fx.now)));
    let a = sch.create_appointment(&Actor::system(), fx.request(0, 0, &fx.individual, fx.at(9, 0))).await.unwrap();
    assert_eq!(store.get_appointment(a.id()).await.unwrap().unwrap().reason(), Some("check-up"));

    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "UPDATE appointments SET doc = replace(doc, '\"check-up\"', '\"edited\"') WHERE id = ?1",
        [a.id().to_string()],
    )
    .unwrap();
    drop(raw);
    assert_eq!(store.get_appointment(a.id()).await.unwrap().unwrap().reason(), Some("edited"));
    let listed = store.list_appointments(&AppointmentFilter::default()).await.unwrap();
    assert_eq!(listed.iter().find(|x| x.id() == a.id()).unwrap().reason(), Some("edited"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_bookings_share_commits_and_each_is_decided_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("group.db");
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let fx = Arc::new(seed(store.clone(), 40).await);
    let sch = Arc::new(Scheduler::new(store.clone()).with_clock(Arc::new(FixedClock::new(fx.now))));
    let mut tasks = Vec::new();
    // 30 distinct slots (3 practitioners x 10 half-hours apart), each patient once...
    for i in 0..30usize {
        let (sch, fx) = (sch.clone(), fx.clone());
        tasks.push(tokio::spawn(async move {
            let start = fx.at(8, 0) + Duration::minutes(35 * (i / 3) as i64);
            let r = sch.create_appointment(&Actor::system(), fx.request(i, i % 3, &fx.individual, start)).await;
            (None, r)
        }));
    }
    // ...and 10 patients all after one contested slot of practitioner 0, in the afternoon.
    for i in 30..40usize {
        let (sch, fx) = (sch.clone(), fx.clone());
        tasks.push(tokio::spawn(async move {
            let r = sch.create_appointment(&Actor::system(), fx.request(i, 0, &fx.individual, fx.at(15, 0))).await;
            (Some(()), r)
        }));
    }
    let (mut distinct_ok, mut contested_ok) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            (None, r) => {
                r.expect("a distinct free slot is booked");
                distinct_ok += 1;
            }
            (Some(()), Ok(_)) => contested_ok += 1,
            (Some(()), Err(e)) => assert!(
                matches!(e.code().as_str(), "SLOT_CONFLICT_PRACTITIONER" | "CONCURRENT_MODIFICATION"),
                "a loser is refused with a conflict: {e}"
            ),
        }
    }
    assert_eq!(distinct_ok, 30);
    assert_eq!(contested_ok, 1, "exactly one booking of the contested slot");
    drop(sch);
    drop(store);
    // Every acknowledged booking is in the file.
    let reopened = SqliteStore::open(&path).unwrap();
    assert_eq!(reopened.list_appointments(&AppointmentFilter::default()).await.unwrap().len(), 31);
}
