//! MongoStore-specific behaviour: the stored schema, recovery of booking writes a crashed writer left
//! unfinished, and compare-and-set races beyond the conformance kit (which FerretDB's non-isolated updates
//! would fail without the store's insert-based claims).

mod common;

use std::sync::Arc;
use std::time::Duration;

use bson::spec::BinarySubtype;
use bson::{doc, Bson, Document};
use chrono::{TimeZone, Utc};
use clinic_core::ports::*;
use clinic_core::rbac::Actor;
use clinic_core::testkit::{seed, Spawner};
use clinic_core::*;
use clinic_mongo::test_support::TestMongo;
use clinic_mongo::{MongoStore, MongoStoreOptions};
use common::{active_of, assert_losers, race, scheduler};

fn spawner() -> Spawner {
    Arc::new(|f| Box::pin(async move { tokio::spawn(f).await.expect("task panicked") }))
}

async fn mongo() -> TestMongo {
    TestMongo::start().await.unwrap_or_else(|e| panic!("no MongoDB to test against: {e}"))
}

fn is_uuid(b: Option<&Bson>) -> bool {
    matches!(b, Some(Bson::Binary(bin)) if bin.subtype == BinarySubtype::Uuid && bin.bytes.len() == 16)
}

async fn raw(store: &MongoStore, coll: &str, id: uuid::Uuid) -> Document {
    store
        .database()
        .collection::<Document>(coll)
        .find_one(doc! { "_id": id.to_string() })
        .await
        .unwrap()
        .expect("stored")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_use_bson_uuids_dates_and_stable_names_and_indexes_exist() {
    let m = mongo().await;
    let store = Arc::new(m.fresh_store("schema").await.unwrap());
    let fx = seed(store.clone(), 1).await;
    let sch = Scheduler::new(store.clone()).with_clock(Arc::new(FixedClock::new(fx.now)));
    let a = sch.create_appointment(&Actor::system(), fx.request(0, 0, &fx.individual, fx.at(9, 0))).await.unwrap();
    let d = raw(&store, "appointments", a.id().as_uuid()).await;
    // `_id` is the id's text (what FerretDB looks up by primary key); references are binary subtype 4.
    assert_eq!(d.get("_id"), Some(&Bson::String(a.id().to_string())), "{d}");
    for f in ["clinic_id", "patient_id", "practitioner_id", "appointment_type_id"] {
        assert!(is_uuid(d.get(f)), "{f} is BSON binary subtype 4: {d}");
    }
    let slot = d.get_document("slot").unwrap();
    assert!(
        matches!(slot.get("start"), Some(Bson::DateTime(t)) if t.timestamp_millis() == fx.at(9, 0).timestamp_millis())
    );
    assert!(matches!(d.get("created_at"), Some(Bson::DateTime(_))));
    assert_eq!(d.get_str("status").unwrap(), "booked");
    assert!(d.get("pending").is_none(), "a finished booking carries no mark");
    let p = raw(&store, "patients", fx.patients[0].id().as_uuid()).await;
    assert_eq!(p.get_str("mrn").unwrap(), "MRN-0000");
    assert_eq!(p.get_str("given_name").unwrap(), "Given0");

    // Timestamps with sub-millisecond digits (as the system clock gives) read back exactly.
    let precise = Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap() + chrono::Duration::nanoseconds(123_456_789);
    let sch = Scheduler::new(store.clone()).with_clock(Arc::new(FixedClock::new(precise)));
    let b = sch.create_appointment(&Actor::system(), fx.request(0, 1, &fx.individual, fx.at(11, 0))).await.unwrap();
    assert_eq!(store.get_appointment(b.id()).await.unwrap().as_ref(), Some(&b), "nanosecond timestamps round-trip");

    let idx = store.database().collection::<Document>("appointments").list_index_names().await.unwrap();
    for name in ["practitioner_id_start", "patient_id_start", "room_id_start", "clinic_id_start", "pending_at"] {
        assert!(idx.iter().any(|i| i == name), "index {name} in {idx:?}");
    }
    let idx = store.database().collection::<Document>("patients").list_index_names().await.unwrap();
    assert!(idx.iter().any(|i| i == "clinic_id_mrn_unique"), "{idx:?}");
    // Guards: the chain entry of the practitioner-day the booking bumped.
    let day = fx.at(9, 0).timestamp().div_euclid(86_400);
    let key = GuardKey { scope: GuardScope::Practitioner(fx.practitioners[0].id()), day };
    assert_eq!(store.guard_versions(&[key]).await.unwrap(), vec![1]);
    let entry = store
        .database()
        .collection::<Document>("guards")
        .find_one(doc! { "_id": format!("{}#1", key.as_text()) })
        .await
        .unwrap()
        .expect("guard chain entry");
    // The entry names the appointment whose write took it: the listing index of that practitioner-day.
    let named: Vec<&str> = entry.get_array("appointments").unwrap().iter().filter_map(|b| b.as_str()).collect();
    assert_eq!(named, vec![a.id().to_string()]);
    m.drop_databases().await;
}

/// Marks the stored document of `a` as a booking write that never finished (what a writer that died right after
/// step 2 of `commit_booking` leaves behind), started at `at`.
async fn leave_unfinished(store: &MongoStore, a: &Appointment, prev: Option<Document>, at: chrono::DateTime<Utc>) {
    let mut d = raw(store, "appointments", a.id().as_uuid()).await;
    let token = bson::Binary { subtype: BinarySubtype::Uuid, bytes: uuid::Uuid::now_v7().as_bytes().to_vec() };
    let mut pending = doc! { "token": token, "at": bson::DateTime::from_millis(at.timestamp_millis()) };
    if let Some(p) = prev {
        pending.insert("prev", p);
    }
    d.insert("pending", pending);
    let id = d.get("_id").cloned().unwrap();
    store.database().collection::<Document>("appointments").replace_one(doc! { "_id": id }, d).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_left_unfinished_by_a_crashed_writer_are_rolled_back() {
    let m = mongo().await;
    let opts = MongoStoreOptions { pending_timeout: Duration::from_secs(2), ..Default::default() };
    let store = Arc::new(m.fresh_store_with("recover", opts).await.unwrap());
    let fx = seed(store.clone(), 3).await;
    let sch = scheduler(store.clone(), fx.now);
    let admin = Actor::system();
    // An insert that never finished: invisible to reads, and gone once older than the pending timeout. (A new
    // booking is decided by its guard entries and never left unfinished; an insert written by the
    // unfinished-write protocol — a batch, or a version before insert commits — can be.)
    let req = fx.request(0, 0, &fx.individual, fx.at(9, 0));
    let keys = clinic_core::usecases::guard_keys(&req.request, &fx.individual);
    let versions = store.guard_versions(&keys).await.unwrap();
    let spec = NewAppointment {
        clinic_id: fx.clinic.id(),
        patient_id: fx.patients[0].id(),
        practitioner_id: fx.practitioners[0].id(),
        room_id: None,
        appointment_type_id: fx.individual.id(),
        slot: TimeSlot::starting_at(fx.at(9, 0), 30).unwrap(),
        reason: None,
        notes: None,
    };
    let ghost =
        Appointment::new(AppointmentId::new(), spec, &fx.individual, AppointmentStatus::Booked, false, fx.now).unwrap();
    let guards = keys.iter().zip(versions).map(|(k, v)| Guard { key: *k, version: v }).collect();
    let batch = [BookingCommit { guards, appointment: ghost.clone(), expected_version: None }];
    assert_eq!(store.commit_bookings(&batch).await.unwrap(), CommitOutcome::Committed);
    leave_unfinished(&store, &ghost, None, Utc::now() - chrono::Duration::seconds(60)).await;
    assert!(store.get_appointment(ghost.id()).await.unwrap().is_none(), "an unfinished insert is not committed");
    // A reschedule that never finished: reads see the old slot, recovery puts it back there.
    let moved_from = sch.create_appointment(&admin, fx.request(1, 1, &fx.individual, fx.at(10, 0))).await.unwrap();
    let before = raw(&store, "appointments", moved_from.id().as_uuid()).await;
    let mut prev = before.clone();
    prev.remove("_id");
    let mut moved = moved_from.clone();
    moved.reschedule(TimeSlot::starting_at(fx.at(14, 0), 30).unwrap(), None, None, fx.now, None).unwrap();
    let coll = store.database().collection::<Document>("appointments");
    // The moved state, in the stored form: the stored document with the new slot and version.
    let mut d = before.clone();
    d.insert(
        "slot",
        doc! {
            "start": bson::DateTime::from_millis(fx.at(14, 0).timestamp_millis()),
            "end": bson::DateTime::from_millis(fx.at(14, 30).timestamp_millis()),
        },
    );
    d.insert("version", (moved_from.version() + 1) as i64);
    coll.replace_one(doc! { "_id": before.get("_id").unwrap().clone() }, d).await.unwrap();
    leave_unfinished(&store, &moved, Some(prev), Utc::now()).await;
    assert_eq!(store.get_appointment(moved_from.id()).await.unwrap().as_ref(), Some(&moved_from), "committed state");
    let at_ten =
        active_of(&*store, AppointmentFilter { practitioner_id: Some(fx.practitioners[1].id()), ..Default::default() });
    // The listing waits for the unfinished reschedule, which times out after 2 s and is rolled back.
    let listed = tokio::time::timeout(Duration::from_secs(20), at_ten).await.expect("listing settles");
    assert_eq!(listed.iter().map(|a| a.slot().start()).collect::<Vec<_>>(), vec![fx.at(10, 0)]);
    assert_eq!(raw(&store, "appointments", moved_from.id().as_uuid()).await, before, "restored as it was");
    store.recover_pending().await.unwrap();
    let gone = store.database().collection::<Document>("appointments");
    assert_eq!(gone.count_documents(doc! { "pending": { "$exists": true } }).await.unwrap(), 0);
    assert!(store.get_appointment(ghost.id()).await.unwrap().is_none());
    // Both slots are free again, and the restored appointment can be moved (its claim was released).
    sch.create_appointment(&admin, fx.request(2, 0, &fx.individual, fx.at(9, 0))).await.expect("slot free");
    let r = sch
        .reschedule_appointment(
            &admin,
            RescheduleAppointment {
                appointment_id: moved_from.id(),
                start: fx.at(15, 0),
                practitioner_id: None,
                room_id: None,
                overbook: false,
                expected_version: Some(moved_from.version()),
            },
        )
        .await
        .expect("reschedule after recovery");
    assert_eq!(r.slot().start(), fx.at(15, 0));
    m.drop_databases().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn raw_commits_with_one_snapshot_have_exactly_one_winner() {
    let m = mongo().await;
    let store = Arc::new(m.fresh_store("cas").await.unwrap());
    let fx = seed(store.clone(), 16).await;
    for round in 0..5u64 {
        let key = GuardKey { scope: GuardScope::Practitioner(fx.practitioners[0].id()), day: 30_000 };
        let version = store.guard_versions(&[key]).await.unwrap()[0];
        assert_eq!(version, round, "each round bumps once");
        let results = race(&spawner(), 16, |i| {
            let store = store.clone();
            let slot = TimeSlot::starting_at(fx.at(8, 0) + chrono::Duration::minutes(35 * round as i64), 30).unwrap();
            let spec = NewAppointment {
                clinic_id: fx.clinic.id(),
                patient_id: fx.patients[i].id(),
                practitioner_id: fx.practitioners[0].id(),
                room_id: None,
                appointment_type_id: fx.individual.id(),
                slot,
                reason: None,
                notes: None,
            };
            let a =
                Appointment::new(AppointmentId::new(), spec, &fx.individual, AppointmentStatus::Booked, false, fx.now)
                    .unwrap();
            Box::pin(async move {
                let c = BookingCommit {
                    guards: vec![Guard { key, version }],
                    appointment: a.clone(),
                    expected_version: None,
                };
                match store.commit_booking(&c).await? {
                    CommitOutcome::Committed => Ok(a),
                    CommitOutcome::Stale => Err(ClinicError::rule(ErrorCode::ConcurrentModification, "stale")),
                }
            })
        })
        .await;
        assert_eq!(assert_losers(&results, &[ErrorCode::ConcurrentModification]), 1, "round {round}");
    }
    let all = store.list_appointments(&AppointmentFilter::default()).await.unwrap();
    assert_eq!(all.len(), 5, "losers left nothing behind");
    m.drop_databases().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_version_of_an_appointment_is_replaced_once() {
    let m = mongo().await;
    let store = Arc::new(m.fresh_store("versions").await.unwrap());
    let fx = seed(store.clone(), 2).await;
    let sch = scheduler(store.clone(), fx.now);
    let a = sch.create_appointment(&Actor::system(), fx.request(0, 0, &fx.individual, fx.at(9, 0))).await.unwrap();
    // Concurrent updates with the same expected version: one wins, the rest get VERSION_CONFLICT.
    let results = race(&spawner(), 12, |i| {
        let store = store.clone();
        let mut changed = a.clone();
        changed.set_notes(Some(format!("note {i}")), fx.now);
        let expected = a.version();
        Box::pin(async move { store.update_appointment(&changed, expected).await.map(|_| changed) })
    })
    .await;
    let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(assert_losers(&results, &[ErrorCode::VersionConflict]), 1);
    let stored = store.get_appointment(a.id()).await.unwrap().unwrap();
    assert_eq!(&stored, winners[0], "the winner's write is what is stored");
    // Concurrent reschedules of that appointment to different free slots: exactly one moves it.
    let results = race(&spawner(), 8, |i| {
        let sch = sch.clone();
        let cmd = RescheduleAppointment {
            appointment_id: a.id(),
            start: fx.at(10, 0) + chrono::Duration::minutes(40 * i as i64),
            practitioner_id: None,
            room_id: None,
            overbook: false,
            expected_version: Some(stored.version()),
        };
        Box::pin(async move { sch.reschedule_appointment(&Actor::system(), cmd).await })
    })
    .await;
    assert_eq!(
        assert_losers(&results, &[ErrorCode::VersionConflict, ErrorCode::ConcurrentModification]),
        1,
        "{:?}",
        results.iter().map(|r| r.as_ref().map(|a| a.slot().start()).map_err(|e| e.code())).collect::<Vec<_>>()
    );
    let winner = results.iter().find_map(|r| r.as_ref().ok()).unwrap();
    let now = store.get_appointment(a.id()).await.unwrap().unwrap();
    assert_eq!(&now, winner);
    let active =
        active_of(&*store, AppointmentFilter { practitioner_id: Some(fx.practitioners[0].id()), ..Default::default() })
            .await;
    assert_eq!(active.len(), 1, "the appointment moved, nothing was copied");
    m.drop_databases().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reschedulers_racing_for_one_slot_one_wins_the_rest_keep_theirs() {
    let m = mongo().await;
    let store = Arc::new(m.fresh_store("resched").await.unwrap());
    let fx = seed(store.clone(), 8).await;
    let sch = scheduler(store.clone(), fx.now);
    let mut own = Vec::new();
    for i in 0..8 {
        let start = fx.at(8, 0) + chrono::Duration::minutes(35 * i as i64);
        own.push(sch.create_appointment(&Actor::system(), fx.request(i, 2, &fx.individual, start)).await.unwrap());
    }
    let target = fx.at(16, 0);
    let results = race(&spawner(), 8, |i| {
        let sch = sch.clone();
        let cmd = RescheduleAppointment {
            appointment_id: own[i].id(),
            start: target,
            practitioner_id: None,
            room_id: None,
            overbook: false,
            expected_version: None,
        };
        Box::pin(async move { sch.reschedule_appointment(&Actor::system(), cmd).await })
    })
    .await;
    assert_eq!(assert_losers(&results, &[ErrorCode::SlotConflictPractitioner, ErrorCode::ConcurrentModification]), 1);
    let active =
        active_of(&*store, AppointmentFilter { practitioner_id: Some(fx.practitioners[2].id()), ..Default::default() })
            .await;
    assert_eq!(active.len(), 8, "every loser kept its own slot");
    for (i, r) in results.iter().enumerate() {
        let stored = store.get_appointment(own[i].id()).await.unwrap().unwrap();
        let expected = if r.is_ok() { target } else { own[i].slot().start() };
        assert_eq!(stored.slot().start(), expected);
    }
    m.drop_databases().await;
}
