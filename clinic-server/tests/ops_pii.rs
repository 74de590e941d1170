//! No PII in logs: the real binary (JSON logs at debug level for the project's crates) is driven through
//! every kind of patient-data request with known names, phone numbers, e-mails and free text — valid and
//! invalid, searches, imports, bookings, failed logins — and every line it wrote (stdout and stderr of the
//! CLI commands and the server) is searched for them. None may appear; many log lines must.

mod ops_support;

use ops_support::{run_cli, Server};
use serde_json::{json, Value};

const PASSWORD: &str = "pii-test-password-0123456789";

/// The strings that must never reach a log, in every form they were sent in.
const SECRETS: &[&str] = &[
    "Zebulon",
    "Quixotefield",
    "Philippa",
    "Wrenlowe-Abernathy",
    "Marigold Crescent",
    "zebulon.quixotefield@example.org",
    "quixotefield@example",
    "philippa.wrenlowe@example.net",
    "+442079460958",
    "2079460958",
    "020 7946 0958",
    "+14155550172",
    "4155550172",
    "415-555-0172",
    "7946 0999",
    "knee pain since the ski trip",
    "MRN-ZQ-90210",
    "Oberon Glasswhistle",
];

async fn send(r: reqwest::RequestBuilder) -> (u16, Value) {
    let r = r.send().await.expect("request");
    let s = r.status().as_u16();
    let t = r.text().await.unwrap_or_default();
    (s, serde_json::from_str(&t).unwrap_or(Value::String(t)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_patient_data_reaches_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    let mut cli_output = String::new();
    let (ok, out, err) = run_cli(&["--data", &data, "seed-demo"], None);
    assert!(ok, "seed-demo: {out}{err}");
    cli_output += &(out + &err);
    let (ok, out, err) = run_cli(
        &["--data", &data, "user", "add", "--username", "pii-admin", "--role", "admin", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(ok, "user add: {out}{err}");
    cli_output += &(out + &err);

    let server = Server::start(&["--data", &data], &[], &[("CLINIC_LOG", "debug,hyper=info,h2=info,rustls=info")]);
    let http = reqwest::Client::new();
    let url = |p: &str| server.url(p);

    // A failed login whose username is a patient's e-mail, then the real one.
    let (s, _) = send(
        http.post(url("/api/v1/auth/login"))
            .json(&json!({"username": "zebulon.quixotefield@example.org", "password": "Quixotefield"})),
    )
    .await;
    assert_eq!(s, 401);
    let (s, tok) =
        send(http.post(url("/api/v1/auth/login")).json(&json!({"username": "pii-admin", "password": PASSWORD}))).await;
    assert_eq!(s, 200, "{tok}");
    let token = tok["access_token"].as_str().unwrap().to_string();
    let auth = |b: reqwest::RequestBuilder| b.bearer_auth(&token);

    let (s, clinics) = send(auth(http.get(url("/api/v1/clinics")))).await;
    assert_eq!(s, 200, "{clinics}");
    let clinic =
        clinics["items"][0]["id"].as_str().or_else(|| clinics[0]["id"].as_str()).expect("a clinic").to_string();

    // Register, with a full set of contact data.
    let body = json!({
        "mrn": "MRN-ZQ-90210",
        "given_name": "Zebulon",
        "family_name": "Quixotefield",
        "date_of_birth": "1981-04-12",
        "sex": "male",
        "contact": {"phone": "020 7946 0958", "email": "zebulon.quixotefield@example.org", "default_region": "GB"},
        "address": {"line1": "17 Marigold Crescent", "city": "London", "postal_code": "SW1A 1AA", "country": "GB"},
    });
    let (s, p) = send(auth(http.post(url(&format!("/api/v1/clinics/{clinic}/patients")))).json(&body)).await;
    assert_eq!(s, 201, "{p}");
    let pid = p["id"].as_str().unwrap().to_string();

    // Invalid data carrying PII: bad e-mail, bad phone, unknown field, malformed JSON.
    let mut bad = body.clone();
    bad["contact"]["email"] = json!("zebulon.quixotefield@example.org@@");
    bad["mrn"] = json!("MRN-ZQ-90211");
    assert_eq!(send(auth(http.post(url(&format!("/api/v1/clinics/{clinic}/patients")))).json(&bad)).await.0, 422);
    bad["contact"] = json!({"phone": "+44 20 7946 0999 999 999"});
    assert_eq!(send(auth(http.post(url(&format!("/api/v1/clinics/{clinic}/patients")))).json(&bad)).await.0, 422);
    let (s, _) = send(
        auth(http.post(url(&format!("/api/v1/clinics/{clinic}/patients"))))
            .header("content-type", "application/json")
            .body(r#"{"given_name":"Zebulon","family_name":"Quixotefield","nickname":"Oberon Glasswhistle"}"#),
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = send(
        auth(http.post(url(&format!("/api/v1/clinics/{clinic}/patients"))))
            .header("content-type", "application/json")
            .body(r#"{"given_name":"Zebulon","family_name":"Quixotefield""#),
    )
    .await;
    assert_eq!(s, 400);
    // Duplicate MRN.
    let (s, v) = send(auth(http.post(url(&format!("/api/v1/clinics/{clinic}/patients")))).json(&body)).await;
    assert_eq!(v["code"], "DUPLICATE_MRN", "{s} {v}");

    // Searches by name, phone (two formattings) and injection attempts; reads in every format.
    for q in [
        "name=Zebu",
        "name=Quixotefield",
        "phone=%2B442079460958",
        "phone=020%207946%200958&region=GB",
        "name=Zebulon'%20OR%201%3D1--",
        "mrn=MRN-ZQ-90210",
    ] {
        let (s, v) = send(auth(http.get(url(&format!("/api/v1/clinics/{clinic}/patients?{q}"))))).await;
        assert!(s == 200 || s == 400 || s == 422, "{q}: {s} {v}");
    }
    let (s, v) = send(auth(http.get(url(&format!("/api/v1/clinics/{clinic}/patients?name=Zebu"))))).await;
    assert_eq!(s, 200);
    assert!(v.to_string().contains("Quixotefield"), "the search finds the patient: {v}");
    assert_eq!(send(auth(http.get(url(&format!("/api/v1/patients/{pid}"))))).await.0, 200);
    assert_eq!(send(auth(http.get(url(&format!("/api/v1/fhir/Patient/{pid}"))))).await.0, 200);
    let (f, t) = (
        chrono::Utc::now().format("%Y-%m-%dT00:00:00Z").to_string(),
        (chrono::Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%dT00:00:00Z").to_string(),
    );
    let (s, v) = send(auth(http.get(url(&format!("/api/v1/patients/{pid}/calendar.ics?from={f}&to={t}"))))).await;
    assert_eq!(s, 200, "{v}");

    // Update: new phone and e-mail.
    let mut upd = body.clone();
    upd["contact"] = json!({"phone": "+1 415-555-0172", "email": "philippa.wrenlowe@example.net"});
    let (s, v) = send(auth(http.put(url(&format!("/api/v1/patients/{pid}")))).json(&upd)).await;
    assert_eq!(s, 200, "{v}");

    // An import of named patients (one row invalid), then its rejections.
    let csv = "given_name,family_name,phone,email\nPhilippa,Wrenlowe-Abernathy,+14155550172,philippa.wrenlowe@example.net\nOberon Glasswhistle,,not-a-phone,bad@\n";
    let form = reqwest::multipart::Form::new()
        .text("mode", "partial")
        .part("file", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("patients.csv"));
    let (s, rep) =
        send(auth(http.post(url(&format!("/api/v1/clinics/{clinic}/imports/patients")))).multipart(form)).await;
    assert_eq!(s, 200, "{rep}");
    if let Some(import_id) = rep["id"].as_str().or_else(|| rep["import_id"].as_str()) {
        assert_eq!(send(auth(http.get(url(&format!("/api/v1/imports/{import_id}/rejections.csv"))))).await.0, 200);
    }

    // A booking with free text, a conflicting second booking, a listing and a report.
    let (s, pracs) = send(auth(http.get(url(&format!("/api/v1/clinics/{clinic}/practitioners"))))).await;
    assert_eq!(s, 200);
    let prac = pracs["items"][0]["id"].as_str().or_else(|| pracs[0]["id"].as_str()).unwrap().to_string();
    let (s, types) = send(auth(http.get(url(&format!("/api/v1/clinics/{clinic}/appointment-types"))))).await;
    assert_eq!(s, 200);
    let ty = types["items"][0]["id"].as_str().or_else(|| types[0]["id"].as_str()).unwrap().to_string();
    let from = (chrono::Utc::now() + chrono::Duration::days(3)).format("%Y-%m-%dT00:00:00Z").to_string();
    let to = (chrono::Utc::now() + chrono::Duration::days(10)).format("%Y-%m-%dT00:00:00Z").to_string();
    let (s, offers) = send(auth(http.get(url(&format!(
        "/api/v1/clinics/{clinic}/availability?appointment_type_id={ty}&practitioner_ids={prac}&from={from}&to={to}&limit=3"
    )))))
    .await;
    assert_eq!(s, 200, "{offers}");
    let start =
        offers[0]["start"].as_str().or_else(|| offers["items"][0]["start"].as_str()).expect("a free slot").to_string();
    let booking = json!({
        "clinic_id": clinic, "patient_id": pid, "practitioner_id": prac, "appointment_type_id": ty,
        "start": start, "reason": "knee pain since the ski trip", "notes": "Zebulon prefers 020 7946 0958",
    });
    let (s, a) = send(auth(http.post(url("/api/v1/appointments"))).json(&booking)).await;
    assert_eq!(s, 201, "{a}");
    let (s, _) = send(auth(http.post(url("/api/v1/appointments"))).json(&booking)).await;
    assert_eq!(s, 409, "the same slot twice is a conflict");
    assert_eq!(send(auth(http.get(url(&format!("/api/v1/appointments?patient_id={pid}"))))).await.0, 200);
    let (s, _) = send(auth(http.get(url(&format!("/api/v1/clinics/{clinic}/reports?from={from}&to={to}"))))).await;
    assert!(s == 200 || s == 400, "report: {s}");

    let requests_made = 25;
    let (stdout, stderr) = server.stop();
    let server_output = format!("{}\n{}", stdout.text(), stderr.text());
    let all = format!("{server_output}\n{cli_output}");

    // The check can fail: the server logged, as JSON, one line per request at least.
    let json_lines: Vec<Value> = stderr.all().iter().filter_map(|l| serde_json::from_str::<Value>(l).ok()).collect();
    let request_lines =
        json_lines.iter().filter(|v| v["message"] == "request" || v["fields"]["message"] == "request").count();
    assert!(
        request_lines >= requests_made,
        "expected at least {requests_made} JSON request log lines, found {request_lines}:\n{server_output}"
    );
    let lower = all.to_lowercase();
    let leaks: Vec<&str> = SECRETS.iter().copied().filter(|s| lower.contains(&s.to_lowercase())).collect();
    assert!(leaks.is_empty(), "PII found in the logs: {leaks:?}\n---\n{all}");
}
