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
