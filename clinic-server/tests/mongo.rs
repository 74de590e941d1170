//! The booking flow over MongoDB (FerretDB started by `clinic_mongo::test_support`, or
//! `CLINIC_TEST_MONGODB_URI`): login, availability, an idempotent booking retried, a conflict, a stale
//! reschedule — with the server's records (accounts, tokens, idempotency, audit) in the same database.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use clinic_mongo::test_support::TestMongo;
use clinic_server::http::HttpConfig;
use clinic_server::state::Backend;
use clinic_server::store::StoreChoice;
use common::*;
use reqwest::{header, Method};
use serde_json::{json, Value};
use std::sync::Arc;

#[tokio::test]
async fn booking_flow_on_mongodb() {
    let mongo = TestMongo::start().await.unwrap_or_else(|e| panic!("no MongoDB to test against: {e}"));
    let store = mongo.fresh_store("server").await.expect("store");
    let uri = mongo.uri().to_string();
    let app = spawn_backend(StoreChoice::Mongo(uri), Backend::Mongo(Arc::new(store)), HttpConfig::default()).await;

    let (s, v) = json_of(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!((s, v["store"].as_str()), (200, Some("mongodb")));
    let slots = app.free_slots(0, 2).await;
    let body = app.booking(2, 0, &slots[0]);
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = app
            .req(Method::POST, "/api/v1/appointments", Some("scheduler"))
            .header("Idempotency-Key", "mongo-book")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        ids.push(r.json::<Value>().await.unwrap()["id"].clone());
    }
    assert_eq!(ids[0], ids[1], "a retried booking books once");
    let (s, p) = app.post("/api/v1/appointments", "scheduler", app.booking(3, 0, &slots[0])).await;
    assert_eq!((s, p["code"].as_str()), (409, Some("SLOT_CONFLICT_PRACTITIONER")), "{p}");
    let id = ids[0].as_str().unwrap();
    let r = app
        .req(Method::POST, &format!("/api/v1/appointments/{id}/reschedule"), Some("scheduler"))
        .header(header::IF_MATCH, "\"42\"")
        .json(&json!({"start": slots[1]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 412);
    let (s, list) =
        app.get(&format!("/api/v1/appointments?practitioner_id={}", app.ids.practitioners[0]), "patient").await;
    assert_eq!(s, 200);
    assert!(list["items"].as_array().unwrap().iter().all(|a| a["patient_id"] == app.ids.patients[0].to_string()));
    let report = app.infra.audit.verify().await.expect("audit");
    assert!(report.is_ok(), "{report:?}");
    app.stop().await;
    mongo.drop_databases().await;
}
