//! The conformance suite against MongoDB: the FerretDB that `clinic_mongo::test_support` starts (or the
//! server in `CLINIC_TEST_MONGODB_URI`). Fails, never skips, when no server can be had.

mod conformance;

use std::sync::Arc;

use bson::doc;
use clinic_mongo::test_support::TestMongo;
use clinic_server_infra::audit::{AuditLog, AuditProblemKind};
use clinic_server_infra::store::MongoInfraStore;

async fn mongo() -> TestMongo {
    TestMongo::start().await.unwrap_or_else(|e| panic!("no MongoDB for the tests: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mongo_passes_the_conformance_suite() {
    let m = mongo().await;
    let uri = m.uri().to_string();
    let m = Arc::new(m);
    let mm = m.clone();
    conformance::run_all(move |_name| {
        let uri = uri.clone();
        let db = mm.new_database("infra");
        async move { Arc::new(MongoInfraStore::connect(&uri, &db).await.unwrap()) as conformance::Store }
    })
    .await;
    m.drop_databases().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongo_audit_tampering_is_detected_and_a_second_connect_is_idempotent() {
    let m = mongo().await;
    let db = m.new_database("infra_tamper");
    let s = MongoInfraStore::connect(m.uri(), &db).await.unwrap();
    // Connecting again (a second instance, a restart) finds the indexes in place.
    let s2 = MongoInfraStore::connect(m.uri(), &db).await.unwrap();
    let log = AuditLog::new(Arc::new(s.clone()));
    for i in 0..5 {
        log.append(conformance::entry("patient.read", &format!("p{i}"))).await.unwrap();
    }
    let log2 = AuditLog::new(Arc::new(s2));
    assert!(log2.verify().await.unwrap().is_ok());
    let coll = s.database().collection::<bson::Document>("audit_log");
    coll.update_one(doc! { "_id": 3_i64 }, doc! { "$set": { "target_id": "someone-else" } }).await.unwrap();
    let p = log.verify().await.unwrap().problem.unwrap();
    assert_eq!((p.seq, p.kind), (3, AuditProblemKind::Edited));
    coll.delete_one(doc! { "_id": 3_i64 }).await.unwrap();
    let p = log.verify().await.unwrap().problem.unwrap();
    assert_eq!((p.seq, p.kind), (3, AuditProblemKind::Missing));
    m.drop_databases().await;
}

/// Counts sends (the delivery itself is tested against real endpoints in `tests/notify.rs`).
#[derive(Debug, Default)]
struct Counting(std::sync::Mutex<Vec<clinic_core::ids::AppointmentId>>);

#[async_trait::async_trait]
impl clinic_server_infra::notify::Notifier for Counting {
    fn name(&self) -> &'static str {
        "counting"
    }
    async fn send(&self, n: &clinic_server_infra::notify::Notification) -> clinic_server_infra::error::Result<()> {
        self.0.lock().unwrap().push(n.appointment_id.unwrap());
        Ok(())
    }
}

struct Fixed(Vec<clinic_server_infra::reminders::ReminderTarget>);

#[async_trait::async_trait]
impl clinic_server_infra::reminders::UpcomingAppointments for Fixed {
    async fn starting_between(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> clinic_server_infra::error::Result<Vec<clinic_server_infra::reminders::ReminderTarget>> {
        Ok(self.0.iter().filter(|t| t.starts_at >= from && t.starts_at < to).cloned().collect())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mongo_two_instances_send_each_reminder_once_and_share_events() {
    use clinic_core::ids::*;
    use clinic_server_infra::events::EventFeed;
    use clinic_server_infra::reminders::{ReminderDispatcher, ReminderTarget, UpcomingAppointments};
    use clinic_server_infra::InfraStore;
    use futures::StreamExt;
    use std::time::Duration;

    let m = mongo().await;
    let db = m.new_database("infra_two");
    let connect = || async { Arc::new(MongoInfraStore::connect(m.uri(), &db).await.unwrap()) as Arc<dyn InfraStore> };
    let (a, b) = (connect().await, connect().await);
    let now = chrono::Utc::now();
    let targets: Vec<ReminderTarget> = (0..8)
        .map(|i| ReminderTarget {
            appointment_id: AppointmentId::new(),
            clinic_id: ClinicId::new(),
            patient_id: PatientId::new(),
            practitioner_id: PractitionerId::new(),
            starts_at: now + chrono::Duration::hours(1 + i),
            email: None,
            local_start: String::new(),
        })
        .collect();
    let source: Arc<dyn UpcomingAppointments> = Arc::new(Fixed(targets.clone()));
    let sent = Arc::new(Counting::default());
    let lead = Duration::from_secs(24 * 3600);
    let da = ReminderDispatcher::new(a.clone(), sent.clone(), source.clone(), lead);
    let dbb = ReminderDispatcher::new(b.clone(), sent.clone(), source.clone(), lead);
    let mut tasks = Vec::new();
    for _ in 0..3 {
        for d in [da.clone(), dbb.clone()] {
            tasks.push(tokio::spawn(async move { d.run_once(chrono::Utc::now()).await.unwrap() }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut got = sent.0.lock().unwrap().clone();
    got.sort();
    let mut want: Vec<_> = targets.iter().map(|t| t.appointment_id).collect();
    want.sort();
    assert_eq!(got, want, "each reminder sent exactly once");
    // A restarted instance sends nothing again.
    let restarted = ReminderDispatcher::new(connect().await, sent.clone(), source, lead);
    assert_eq!(restarted.run_once(chrono::Utc::now()).await.unwrap().sent, 0);

    // An event published by instance A reaches a subscriber of instance B.
    let (fa, fb) = (EventFeed::new(a), EventFeed::new(b));
    let start = fb.last_seq().await.unwrap();
    let mut sub = Box::pin(fb.subscribe(start, Duration::from_millis(20)));
    fa.publish_json("AppointmentBooked", &serde_json::json!({"id": 1})).await.unwrap();
    let e = tokio::time::timeout(Duration::from_secs(10), sub.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(e.kind, "AppointmentBooked");
    assert_eq!(e.payload["id"], 1);
    m.drop_databases().await;
}
