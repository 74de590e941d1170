//! Live updates across instances: two real server processes on one MongoDB (FerretDB from the project's
//! harness); WebSocket clients of instance B see bookings made through instance A — each only what the
//! core's RBAC lets it read.

mod ops_support;

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use ops_support::{run_cli, with_database, Server};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const PASSWORD: &str = "live-test-password-0123456789";
const SECRET: &str = "live-test-jwt-secret-shared-by-both-instances";

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn send(r: reqwest::RequestBuilder) -> (u16, Value) {
    let r = r.send().await.expect("request");
    let s = r.status().as_u16();
    let t = r.text().await.unwrap_or_default();
    (s, serde_json::from_str(&t).unwrap_or(Value::String(t)))
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().or_else(|| v.as_array()).cloned().unwrap_or_default()
}

async fn login(http: &reqwest::Client, server: &Server, user: &str) -> String {
    let (s, v) =
        send(http.post(server.url("/api/v1/auth/login")).json(&json!({"username": user, "password": PASSWORD}))).await;
    assert_eq!(s, 200, "login {user}: {v}");
    v["access_token"].as_str().unwrap().to_string()
}

fn ws_url(server: &Server) -> String {
    format!("{}/api/v1/ws", server.base.replacen("http://", "ws://", 1))
}

/// Connects with `Authorization: Bearer` (or `?access_token=` when `in_query`).
async fn connect(server: &Server, token: &str, in_query: bool) -> Ws {
    let url = if in_query { format!("{}?access_token={token}", ws_url(server)) } else { ws_url(server) };
    let mut req = url.into_client_request().unwrap();
    if !in_query {
        req.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    let (ws, resp) = tokio_tungstenite::connect_async(req).await.expect("websocket handshake");
    assert_eq!(resp.status().as_u16(), 101);
    ws
}

/// The next JSON message, within `wait`.
async fn next_event(ws: &mut Ws, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next()).await.ok()??.ok()?;
        match msg {
            Message::Text(t) => return serde_json::from_str(t.as_str()).ok(),
            Message::Ping(p) => {
                let _ = ws.send(Message::Pong(p)).await;
            }
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

fn add_user(store: &str, name: &str, role: &str, link: &[&str]) {
    let mut args = vec!["--store", store, "user", "add", "--username", name, "--role", role, "--password-stdin"];
    args.extend_from_slice(link);
    let (ok, out, err) = run_cli(&args, Some(&format!("{PASSWORD}\n")));
    assert!(ok, "user add {name}: {out}{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_through_one_instance_reaches_permitted_clients_of_another() {
    let mongo = clinic_mongo::test_support::TestMongo::start().await.expect("a MongoDB (FerretDB) to test against");
    let db = mongo.new_database("ops-live");
    let store = with_database(mongo.uri(), &db);

    let (ok, out, err) = run_cli(&["--store", &store, "seed-demo"], None);
    assert!(ok, "seed-demo: {out}{err}");
    add_user(&store, "live-admin", "admin", &[]);

    let env = [("CLINIC_JWT_SECRET", SECRET)];
    let serve = ["--reminder-hours", "0"];
    let a = Server::start(&["--store", &store], &serve, &env);
    let b = Server::start(&["--store", &store], &serve, &env);
    let http = reqwest::Client::new();
    let admin = login(&http, &a, "live-admin").await;

    let (_, clinics) = send(http.get(a.url("/api/v1/clinics")).bearer_auth(&admin)).await;
    let clinic = items(&clinics)[0]["id"].as_str().unwrap().to_string();
    let (_, pr) = send(http.get(a.url(&format!("/api/v1/clinics/{clinic}/practitioners"))).bearer_auth(&admin)).await;
    let pr: Vec<String> = items(&pr).iter().map(|p| p["id"].as_str().unwrap().to_string()).collect();
    let (_, pa) =
        send(http.get(a.url(&format!("/api/v1/clinics/{clinic}/patients?limit=2"))).bearer_auth(&admin)).await;
    let pa: Vec<String> = items(&pa).iter().map(|p| p["id"].as_str().unwrap().to_string()).collect();
    let (_, ty) =
        send(http.get(a.url(&format!("/api/v1/clinics/{clinic}/appointment-types"))).bearer_auth(&admin)).await;
    let ty = items(&ty)[0]["id"].as_str().unwrap().to_string();
    assert!(pr.len() >= 2 && pa.len() >= 2, "the demo has two practitioners and patients: {pr:?} {pa:?}");

    add_user(&store, "live-patient0", "patient", &["--clinic", &clinic, "--patient", &pa[0]]);
    add_user(&store, "live-patient1", "patient", &["--clinic", &clinic, "--patient", &pa[1]]);
    add_user(&store, "live-prac1", "practitioner", &["--clinic", &clinic, "--practitioner", &pr[1]]);

    // Unauthenticated handshakes are refused before the upgrade.
    let refused = tokio_tungstenite::connect_async(ws_url(&b)).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status().as_u16(), 401),
        other => panic!("expected a 401 handshake, got {:?}", other.map(|(_, r)| r.status())),
    }

    // Clients of instance B.
    let admin_b = login(&http, &b, "live-admin").await;
    let mut ws_admin = connect(&b, &admin_b, false).await;
    let mut ws_p0 = connect(&b, &login(&http, &b, "live-patient0").await, true).await;
    let mut ws_p1 = connect(&b, &login(&http, &b, "live-patient1").await, true).await;
    let mut ws_pr1 = connect(&b, &login(&http, &b, "live-prac1").await, false).await;

    let free = |prac: String| {
        let http = http.clone();
        let admin = admin.clone();
        let url = a.url(&format!(
            "/api/v1/clinics/{clinic}/availability?appointment_type_id={ty}&practitioner_ids={prac}&from={}&to={}&limit=5",
            (chrono::Utc::now() + chrono::Duration::days(3)).format("%Y-%m-%dT00:00:00Z"),
            (chrono::Utc::now() + chrono::Duration::days(12)).format("%Y-%m-%dT00:00:00Z"),
        ));
        async move {
            let (s, v) = send(http.get(url).bearer_auth(&admin)).await;
            assert_eq!(s, 200, "{v}");
            let offers = items(&v);
            offers[offers.len() - 1]["start"].as_str().expect("a free slot").to_string()
        }
    };

    // Booking 1 through A: patient 0 with practitioner 0.
    let start = free(pr[0].clone()).await;
    let (s, first) = send(http.post(a.url("/api/v1/appointments")).bearer_auth(&admin).json(&json!({
        "clinic_id": clinic, "patient_id": pa[0], "practitioner_id": pr[0], "appointment_type_id": ty, "start": start,
    })))
    .await;
    assert_eq!(s, 201, "{first}");
    let first_id = first["id"].as_str().unwrap().to_string();

    let wait = Duration::from_secs(15);
    let ev = next_event(&mut ws_admin, wait).await.expect("the admin on B sees the booking made on A");
    assert_eq!(ev["type"], "AppointmentBooked", "{ev}");
    assert_eq!(ev["appointment"]["id"], first_id.as_str(), "{ev}");
    let ev = next_event(&mut ws_p0, wait).await.expect("the booked patient sees their booking");
    assert_eq!(ev["appointment"]["id"], first_id.as_str(), "{ev}");

    // Booking 2 through A: patient 1 with practitioner 1. Patient 1 and practitioner 1 see this one first:
    // booking 1 (not theirs) was filtered out.
    let start = free(pr[1].clone()).await;
    let (s, second) = send(http.post(a.url("/api/v1/appointments")).bearer_auth(&admin).json(&json!({
        "clinic_id": clinic, "patient_id": pa[1], "practitioner_id": pr[1], "appointment_type_id": ty, "start": start,
    })))
    .await;
    assert_eq!(s, 201, "{second}");
    let second_id = second["id"].as_str().unwrap().to_string();
    for (who, ws) in [("patient 1", &mut ws_p1), ("practitioner 1", &mut ws_pr1)] {
        let ev = next_event(ws, wait).await.unwrap_or_else(|| panic!("{who} sees their booking"));
        assert_eq!(ev["appointment"]["id"], second_id.as_str(), "{who} got another's event first: {ev}");
    }
    let ev = next_event(&mut ws_admin, wait).await.expect("the admin sees every booking");
    assert_eq!(ev["appointment"]["id"], second_id.as_str());

    // A cancellation through B reaches the patient's client too; patient 0 never sees patient 1's events.
    let (s, v) = send(
        http.post(b.url(&format!("/api/v1/appointments/{first_id}/cancel"))).bearer_auth(&admin_b).json(&json!({})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let ev = next_event(&mut ws_p0, wait).await.expect("patient 0 sees the cancellation");
    assert_eq!(ev["type"], "AppointmentCancelled", "patient 0 saw something else first: {ev}");
    assert_eq!(ev["appointment"]["id"], first_id.as_str());

    for ws in [&mut ws_admin, &mut ws_p0, &mut ws_p1, &mut ws_pr1] {
        let _ = ws.close(None).await;
    }
    a.stop();
    b.stop();
    mongo.drop_databases().await;
}

#[test]
fn database_goes_into_the_path() {
    assert_eq!(with_database("mongodb://127.0.0.1:1234/", "x"), "mongodb://127.0.0.1:1234/x");
    assert_eq!(with_database("mongodb://h:1/?replicaSet=r", "x"), "mongodb://h:1/x?replicaSet=r");
    assert_eq!(with_database("mongodb://h:1", "x"), "mongodb://h:1/x");
}
