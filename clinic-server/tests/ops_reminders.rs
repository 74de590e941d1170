//! Reminders end to end: two real server processes on one MongoDB (FerretDB), both with
//! `--notify <webhook URL> --reminder-hours 72`, then one of them restarted; a webhook receiver in this test
//! collects what they send. Every booked appointment in the window is reminded, and none twice.

mod ops_support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::post;
use axum::{Json, Router};
use ops_support::{run_cli, Server};
use serde_json::{json, Value};

const PASSWORD: &str = "reminder-test-password-0123456789";
const SECRET: &str = "reminder-test-jwt-secret-shared-by-instances";

async fn send(r: reqwest::RequestBuilder) -> (u16, Value) {
    let r = r.send().await.expect("request");
    let s = r.status().as_u16();
    let t = r.text().await.unwrap_or_default();
    (s, serde_json::from_str(&t).unwrap_or(Value::String(t)))
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().or_else(|| v.as_array()).cloned().unwrap_or_default()
}

/// A webhook endpoint on a free loopback port; returns its URL and what it received.
async fn webhook() -> (String, Arc<Mutex<Vec<Value>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    let app = Router::new().route(
        "/hook",
        post(move |Json(v): Json<Value>| {
            let g = g.clone();
            async move {
                g.lock().unwrap().push(v);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), got)
}

fn counts(got: &Mutex<Vec<Value>>) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for v in got.lock().unwrap().iter() {
        let id = v["appointment_id"].as_str().unwrap_or("?").to_string();
        *m.entry(id).or_insert(0) += 1;
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_go_out_once_across_two_instances_and_a_restart() {
    let mongo = clinic_mongo::test_support::TestMongo::start().await.expect("a MongoDB (FerretDB) to test against");
    let db = mongo.new_database("ops-reminders");
    let base = mongo.uri().trim_end_matches('/').to_string();
    assert!(!base.contains('?'), "this test appends the database to a plain URI: {base}");
    let store = format!("{base}/{db}");
    let (ok, out, err) = run_cli(&["--store", &store, "seed-demo"], None);
    assert!(ok, "seed-demo: {out}{err}");
    let (ok, out, err) = run_cli(
        &["--store", &store, "user", "add", "--username", "rem-admin", "--role", "admin", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(ok, "user add: {out}{err}");

    let (hook, got) = webhook().await;
    let env = [("CLINIC_JWT_SECRET", SECRET)];
    let serve = ["--notify", hook.as_str(), "--reminder-hours", "72", "--reminder-interval", "1"];
    // Instance A alone first, to book one appointment of our own inside the window.
    let a = Server::start(&["--store", &store], &serve, &env);
    let http = reqwest::Client::new();
    let (s, tok) =
        send(http.post(a.url("/api/v1/auth/login")).json(&json!({"username": "rem-admin", "password": PASSWORD})))
            .await;
    assert_eq!(s, 200, "{tok}");
    let token = tok["access_token"].as_str().unwrap().to_string();
    let (_, clinics) = send(http.get(a.url("/api/v1/clinics")).bearer_auth(&token)).await;
    let clinic = items(&clinics)[0]["id"].as_str().unwrap().to_string();

    let b = Server::start(&["--store", &store], &serve, &env);

    // Let both instances run several passes, then restart A and let it run again.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (_, a_err) = a.stop();
    let a2 = Server::start(&["--store", &store], &serve, &env);
    tokio::time::sleep(Duration::from_secs(4)).await;

    // What was due: the booked appointments starting in the next 72 hours (as of now, the last pass).
    let now = chrono::Utc::now();
    let (s, list) = send(
        http.get(a2.url(&format!(
            "/api/v1/appointments?clinic_id={clinic}&status=booked&from={}&to={}&limit=500",
            (now + chrono::Duration::minutes(1)).format("%Y-%m-%dT%H:%M:00Z"),
            (now + chrono::Duration::hours(71)).format("%Y-%m-%dT%H:%M:00Z"),
        )))
        .bearer_auth(&token),
    )
    .await;
    assert_eq!(s, 200, "{list}");
    let due: Vec<String> = items(&list)
        .iter()
        .filter(|a| {
            let start = chrono::DateTime::parse_from_rfc3339(a["start"].as_str().unwrap()).unwrap();
            start > now + chrono::Duration::minutes(1)
        })
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    let (_, b_err) = b.stop();
    let (_, a2_err) = a2.stop();
    assert!(!due.is_empty(), "the demo has booked appointments within 72 hours");

    let c = counts(&got);
    let twice: Vec<_> = c.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "reminded more than once: {twice:?}");
    let missing: Vec<_> = due.iter().filter(|id| !c.contains_key(*id)).collect();
    assert!(
        missing.is_empty(),
        "due but never reminded: {missing:?} (got {})\nA: {}\nB: {}\nA2: {}",
        c.len(),
        a_err.text(),
        b_err.text(),
        a2_err.text()
    );
    // What the webhook received is the notification, addressed to the patient.
    let sample = got.lock().unwrap()[0].clone();
    assert!(sample["kind"].as_str().unwrap_or("").starts_with("appointment_reminder_4320m"), "{sample}");
    mongo.drop_databases().await;
}
