//! What the booking path's shortcuts must not break: per-instance copies follow writes made through another
//! instance, and an insert commit decided by its guard entries is found whatever state its writer left.

mod common;

use std::sync::Arc;
use std::time::Duration;

use bson::{doc, Document};
use clinic_core::ports::*;
use clinic_core::rbac::Actor;
use clinic_core::testkit::seed;
use clinic_core::*;
use clinic_mongo::test_support::TestMongo;
use clinic_mongo::{MongoStore, MongoStoreOptions};
use common::{active_of, scheduler};

async fn mongo() -> TestMongo {
    TestMongo::start().await.unwrap_or_else(|e| panic!("no MongoDB to test against: {e}"))
}

/// A second instance on `store`'s database (another process would see exactly what it sees).
async fn other_instance(m: &TestMongo, store: &MongoStore, opts: MongoStoreOptions) -> Arc<MongoStore> {
    let db = store.database().name().to_string();
    Arc::new(MongoStore::connect_with(m.uri(), &db, opts).await.expect("second instance"))
}

fn day_of(fx: &clinic_core::testkit::Fixture) -> i64 {
    fx.at(9, 0).timestamp().div_euclid(86_400)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_follow_writes_made_through_another_instance() {
    let m = mongo().await;
    let a = Arc::new(m.fresh_store("copies").await.unwrap());
    let fx = seed(a.clone(), 2).await;
    let b = other_instance(&m, &a, MongoStoreOptions::default()).await;
    let sch_a = scheduler(a.clone(), fx.now);
    let sch_b = scheduler(b.clone(), fx.now);
    let admin = Actor::system();
    let day = AppointmentFilter {
        practitioner_id: Some(fx.practitioners[0].id()),
        from: Some(fx.at(0, 0)),
        to: Some(fx.at(23, 0)),
        ..Default::default()
    };

    // B copies the appointment while listing; A cancels it; B's next listing no longer has it.
    let x = sch_a.create_appointment(&admin, fx.request(0, 0, &fx.individual, fx.at(9, 0))).await.unwrap();
    assert_eq!(active_of(&*b, day.clone()).await.len(), 1, "B sees A's booking");
    sch_a.cancel_appointment(&admin, x.id(), None, None).await.unwrap();
    assert!(active_of(&*b, day.clone()).await.is_empty(), "B drops its copy of the cancelled appointment");
    // … and books the freed slot at once.
    sch_b.create_appointment(&admin, fx.request(1, 0, &fx.individual, fx.at(9, 0))).await.expect("slot freed");
    // A reschedule through B moves the appointment out of A's listing of the old slot's day.
    let listed = active_of(&*a, day.clone()).await;
    assert_eq!(listed.len(), 1);
    let moved = sch_b
        .reschedule_appointment(
            &admin,
            RescheduleAppointment {
                appointment_id: listed[0].id(),
                start: fx.at(9, 0) + chrono::Duration::days(1),
                practitioner_id: None,
                room_id: None,
                overbook: false,
                expected_version: None,
            },
        )
        .await
        .expect("reschedule to the next day");
    assert!(active_of(&*a, day.clone()).await.is_empty(), "A's copy of the moved appointment is dropped");
    assert_eq!(a.get_appointment(moved.id()).await.unwrap().as_ref(), Some(&moved));

    // Reference data: a write through A is seen by A at once and by B within the token period.
    let p = b.get_practitioner(fx.practitioners[1].id()).await.unwrap().unwrap();
    assert!(p.active());
    a.put_practitioner(&p.clone().with_active(false)).await.unwrap();
    assert!(!a.get_practitioner(p.id()).await.unwrap().unwrap().active(), "the writer sees its write");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(!b.get_practitioner(p.id()).await.unwrap().unwrap().active(), "B sees it within the token period");
    let r = sch_b.create_appointment(&admin, fx.request(1, 1, &fx.individual, fx.at(11, 0))).await;
    assert!(r.is_err(), "an inactive practitioner cannot be booked through B: {r:?}");
    m.drop_databases().await;
}

/// Removes the documents a booking wrote, as if its writer had died before writing them.
async fn remove(store: &MongoStore, coll: &str, id: &str) {
    let r = store.database().collection::<Document>(coll).delete_one(doc! { "_id": id }).await.unwrap();
    assert_eq!(r.deleted_count, 1, "{coll} {id}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insert_commits_are_decided_by_their_entries() {
    let m = mongo().await;
    let opts = MongoStoreOptions { pending_timeout: Duration::from_secs(2), ..Default::default() };
    let a = Arc::new(m.fresh_store_with("decided", opts.clone()).await.unwrap());
    let fx = seed(a.clone(), 3).await;
    let sch = scheduler(a.clone(), fx.now);
    let admin = Actor::system();
    let prac = GuardKey { scope: GuardScope::Practitioner(fx.practitioners[0].id()), day: day_of(&fx) };
    let patient = |i: usize| GuardKey { scope: GuardScope::Patient(fx.patients[i].id()), day: day_of(&fx) };
    let day = AppointmentFilter {
        practitioner_id: Some(fx.practitioners[0].id()),
        from: Some(fx.at(0, 0)),
        to: Some(fx.at(23, 0)),
        ..Default::default()
    };

    // Committed (every deciding entry written) but the writer died before the document: the next listing,
    // in another instance, writes the document from the entries and lists it.
    let x = sch.create_appointment(&admin, fx.request(0, 0, &fx.individual, fx.at(9, 0))).await.unwrap();
    remove(&a, "appointments", &x.id().to_string()).await;
    let b = other_instance(&m, &a, opts.clone()).await;
    let listed = active_of(&*b, day.clone()).await;
    assert_eq!(listed.iter().map(Appointment::id).collect::<Vec<_>>(), vec![x.id()], "the committed booking");
    assert_eq!(b.get_appointment(x.id()).await.unwrap().as_ref(), Some(&x), "its document is written again");

    // Undecided (the writer died between two deciding entries): listings wait for it, and once it is older
    // than the pending timeout one takes the missing entry, which aborts it — the slot is free again.
    let y = sch.create_appointment(&admin, fx.request(1, 0, &fx.individual, fx.at(10, 0))).await.unwrap();
    remove(&a, "appointments", &y.id().to_string()).await;
    remove(&a, "guards", &format!("{}#1", patient(1).as_text())).await;
    let c = other_instance(&m, &a, opts.clone()).await;
    let started = std::time::Instant::now();
    let listed = tokio::time::timeout(Duration::from_secs(20), active_of(&*c, day.clone())).await.expect("decided");
    assert_eq!(listed.iter().map(Appointment::id).collect::<Vec<_>>(), vec![x.id()], "the undecided one is not there");
    assert!(started.elapsed() >= Duration::from_millis(500), "it waited for the writer first");
    assert!(c.get_appointment(y.id()).await.unwrap().is_none());
    let taken = c
        .database()
        .collection::<Document>("guards")
        .find_one(doc! { "_id": format!("{}#1", patient(1).as_text()) })
        .await
        .unwrap()
        .expect("the missing entry is taken");
    assert!(taken.get_array("appointments").unwrap().is_empty(), "by an entry that names nothing: {taken}");
    let sch_c = scheduler(c.clone(), fx.now);
    sch_c.create_appointment(&admin, fx.request(2, 0, &fx.individual, fx.at(10, 0))).await.expect("slot free");
    assert_eq!(c.guard_versions(&[prac]).await.unwrap(), vec![3], "three bookings took the practitioner's day");
    m.drop_databases().await;
}
