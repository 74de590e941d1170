//! The API over a real server on a loopback port and a temporary SQLite directory.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::*;
use reqwest::{header, Method};
use serde_json::{json, Value};

#[tokio::test]
async fn health_ready_docs_and_security_headers() {
    let app = spawn_app().await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let (s, v) = json_of(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!((s, v["store"].as_str()), (200, Some("sqlite")));
    let r = app.client.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("/api/openapi.json") || true);
    // Unknown routes and methods are problems too.
    let r = app.client.get(app.url("/api/v1/nope")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "application/problem+json");
    let r = app.req(Method::DELETE, "/api/v1/clinics", Some("admin")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "application/problem+json");
    app.stop().await;
}

#[tokio::test]
async fn booking_flow_idempotency_conflicts_etag_and_lifecycle() {
    let app = spawn_app().await;
    let slots = app.free_slots(0, 3).await;
    assert!(slots.len() >= 2, "free slots: {slots:?}");
    let body = app.booking(2, 0, &slots[0]);

    // A booking with an Idempotency-Key, sent twice: one appointment.
    let send = || {
        app.req(Method::POST, "/api/v1/appointments", Some("scheduler"))
            .header("Idempotency-Key", "book-1")
            .json(&body)
            .send()
    };
    let r1 = send().await.unwrap();
    assert_eq!(r1.status(), 201);
    let etag1 = r1.headers()[header::ETAG].to_str().unwrap().to_string();
    let a1: Value = r1.json().await.unwrap();
    let r2 = send().await.unwrap();
    assert_eq!(r2.status(), 201);
    assert_eq!(r2.headers()["idempotent-replayed"], "true");
    let a2: Value = r2.json().await.unwrap();
    assert_eq!(a1["id"], a2["id"]);
    let path = format!("/api/v1/appointments?practitioner_id={}", app.ids.practitioners[0]);
    let (s, list) = app.get(&path, "scheduler").await;
    assert_eq!(s, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");

    // The same key with another body is refused.
    let other = app.booking(3, 0, &slots[1]);
    let r = app
        .req(Method::POST, "/api/v1/appointments", Some("scheduler"))
        .header("Idempotency-Key", "book-1")
        .json(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    // Another patient at the same time with the same practitioner: 409 with the rule's code and alternatives.
    let clash = app.booking(3, 0, &slots[0]);
    let (s, p) = app.post("/api/v1/appointments", "scheduler", clash).await;
    assert_eq!(s, 409, "{p}");
    assert_eq!(p["code"], "SLOT_CONFLICT_PRACTITIONER");
    assert!(p["violations"].as_array().unwrap().iter().any(|v| v["code"] == "SLOT_CONFLICT_PRACTITIONER"));
    assert!(!p["alternatives"]["same_practitioner"].as_array().unwrap().is_empty());

    // Reschedule with a stale If-Match: 412; with the current one: 200 and a new ETag.
    let id = a1["id"].as_str().unwrap();
    let move_to = json!({"start": slots[1]});
    let r = app
        .req(Method::POST, &format!("/api/v1/appointments/{id}/reschedule"), Some("scheduler"))
        .header(header::IF_MATCH, "\"999\"")
        .json(&move_to)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 412);
    assert_eq!(json_of(r).await.1["code"], "VERSION_CONFLICT");
    let r = app
        .req(Method::POST, &format!("/api/v1/appointments/{id}/reschedule"), Some("scheduler"))
        .header(header::IF_MATCH, &etag1)
        .json(&move_to)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let etag2 = r.headers()[header::ETAG].to_str().unwrap().to_string();
    assert_ne!(etag1, etag2);
    let moved: Value = r.json().await.unwrap();
    assert_eq!(moved["start"].as_str().unwrap().get(..16), slots[1].get(..16));

    // Status machine: booked → noshow is allowed; noshow → arrived is not.
    let (s, v) = app.post(&format!("/api/v1/appointments/{id}/status"), "scheduler", json!({"status": "noshow"})).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) =
        app.post(&format!("/api/v1/appointments/{id}/status"), "scheduler", json!({"status": "arrived"})).await;
    assert_eq!((s, v["code"].as_str()), (409, Some("INVALID_STATUS_TRANSITION")));

    // A second booking, cancelled.
    let (s, b) = app.post("/api/v1/appointments", "scheduler", app.booking(4, 0, &slots[0])).await;
    assert_eq!(s, 201, "{b}");
    let bid = b["id"].as_str().unwrap();
    let (s, c) = app.post(&format!("/api/v1/appointments/{bid}/cancel"), "scheduler", json!({"reason": "ill"})).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("cancelled")));
    let (s, c) = app.post(&format!("/api/v1/appointments/{bid}/cancel"), "scheduler", json!({})).await;
    assert_eq!((s, c["code"].as_str()), (409, Some("INVALID_STATUS_TRANSITION")), "{c}");
    app.stop().await;
}

#[tokio::test]
async fn bad_input_is_a_4xx_problem_and_changes_nothing() {
    let app = spawn_app().await;
    let clinic = app.ids.clinic;
    let patients = format!("/api/v1/clinics/{clinic}/patients");
    let send_raw = |path: String, body: Vec<u8>, ct: &'static str| {
        app.req(Method::POST, &path, Some("admin")).header(header::CONTENT_TYPE, ct).body(body).send()
    };
    let cases: Vec<(&str, Vec<u8>, &str, u16, &str)> = vec![
        ("malformed JSON", b"{\"given_name\": ".to_vec(), "application/json", 400, "INVALID_JSON"),
        ("wrong type", br#"{"given_name": 5, "family_name": "X"}"#.to_vec(), "application/json", 400, "INVALID_JSON"),
        (
            "unknown field",
            br#"{"given_name": "A", "family_name": "B", "is_admin": true}"#.to_vec(),
            "application/json",
            400,
            "INVALID_JSON",
        ),
        (
            "invalid UTF-8",
            b"{\"given_name\": \"\xff\xfe\", \"family_name\": \"B\"}".to_vec(),
            "application/json",
            400,
            "INVALID_JSON",
        ),
        (
            "not JSON at all",
            b"given_name=A".to_vec(),
            "application/x-www-form-urlencoded",
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "operator injection as a value",
            br#"{"given_name": {"$gt": ""}, "family_name": "B"}"#.to_vec(),
            "application/json",
            400,
            "INVALID_JSON",
        ),
        (
            "invalid phone",
            br#"{"given_name": "A", "family_name": "B", "contact": {"phone": "12"}}"#.to_vec(),
            "application/json",
            422,
            "INVALID_PHONE",
        ),
    ];
    for (what, body, ct, status, code) in cases {
        let (s, p) = json_of(send_raw(patients.clone(), body, ct).await.unwrap()).await;
        assert_eq!((s, p["code"].as_str()), (status, Some(code)), "{what}: {p}");
    }
    // A huge body: 413 before it is read whole.
    let huge = vec![b' '; 17 << 20];
    let r = send_raw(patients.clone(), huge, "application/json").await;
    match r {
        Ok(r) => assert_eq!(r.status(), 413),
        Err(e) => assert!(e.is_body() || e.is_request(), "{e}"),
    }
    // Ids that are not ids, ids that do not exist.
    let (s, p) = app.get("/api/v1/patients/not-a-uuid", "admin").await;
    assert_eq!((s, p["code"].as_str()), (400, Some("INVALID_ID")));
    let (s, p) = app.get(&format!("/api/v1/patients/{}", uuid::Uuid::now_v7()), "admin").await;
    assert_eq!((s, p["code"].as_str()), (404, Some("NOT_FOUND")));
    // Ten-year ranges.
    let (s, p) = app.get("/api/v1/appointments?from=2027-01-01T00:00:00Z&to=2037-01-01T00:00:00Z", "admin").await;
    assert_eq!((s, p["code"].as_str()), (422, Some("INVALID_TIME_RANGE")), "{p}");
    let avail = format!(
        "/api/v1/clinics/{clinic}/availability?appointment_type_id={}&from=2027-01-01T00:00:00Z&to=2037-01-01T00:00:00Z",
        app.ids.types[0]
    );
    let (s, p) = app.get(&avail, "admin").await;
    assert_eq!((s, p["code"].as_str()), (422, Some("INVALID_TIME_RANGE")), "{p}");
    let (s, p) = app.get(&format!("/api/v1/clinics/{clinic}/reports?from=2020-01-01&to=2030-01-01"), "admin").await;
    assert_eq!((s, p["code"].as_str()), (422, Some("REPORT_RANGE_TOO_LONG")), "{p}");
    // Injection strings in search are just text: no match, no error.
    for q in ["%7B%22%24gt%22%3A%20%22%22%7D", "'%20OR%201%3D1%20--", "%25", "_", ".*"] {
        let (s, v) = app.get(&format!("{patients}?name={q}"), "admin").await;
        assert_eq!(s, 200, "{q}: {v}");
        assert!(v["items"].as_array().unwrap().is_empty(), "{q} matched: {v}");
        let (s, v) = app.get(&format!("{patients}?mrn={q}"), "admin").await;
        assert_eq!((s, v["items"].as_array().map(Vec::len)), (200, Some(0)), "{q}");
    }
    // Unknown query parameters are refused.
    let (s, p) = app.get(&format!("{patients}?nam=Ada"), "admin").await;
    assert_eq!((s, p["code"].as_str()), (400, Some("INVALID_QUERY")));
    // Nothing was stored by any of it.
    let (_, all) = app.get(&format!("{patients}?limit=500"), "admin").await;
    assert_eq!(all["items"].as_array().unwrap().len(), app.ids.patients.len());
    app.stop().await;
}

#[tokio::test]
async fn patient_search_by_name_mrn_phone_with_cursor_pages() {
    let app = spawn_app().await;
    let base = format!("/api/v1/clinics/{}/patients", app.ids.clinic);
    let (s, v) = app.get(&format!("{base}?name=lov"), "scheduler").await;
    assert_eq!(s, 200);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["family_name"], "Lovelace");
    let (_, v) = app.get(&format!("{base}?mrn=MRN-1002"), "scheduler").await;
    assert_eq!(v["items"][0]["given_name"], "Alan");
    let (_, v) = app.get(&format!("{base}?phone=020%207946%200103&region=GB"), "scheduler").await;
    assert_eq!(v["items"][0]["given_name"], "Grace", "{v}");
    // Pages of 5 cover everyone exactly once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{base}?limit=5&cursor={c}"),
            None => format!("{base}?limit=5"),
        };
        let (s, v) = app.get(&path, "scheduler").await;
        assert_eq!(s, 200);
        seen.extend(v["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()));
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let mut dedup = seen.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!((seen.len(), dedup.len()), (app.ids.patients.len(), app.ids.patients.len()));
    // Register with an Idempotency-Key, retry: one patient.
    let body = json!({"given_name": "Lin", "family_name": "Clark", "mrn": "MRN-9000"});
    for _ in 0..2 {
        let r = app
            .req(Method::POST, &base, Some("scheduler"))
            .header("Idempotency-Key", "reg-lin")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let (_, v) = app.get(&format!("{base}?mrn=MRN-9000"), "scheduler").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    // A duplicate MRN without a key is a conflict.
    let (s, p) = app.post(&base, "scheduler", body).await;
    assert_eq!((s, p["code"].as_str()), (409, Some("DUPLICATE_MRN")));
    app.stop().await;
}

#[tokio::test]
async fn auth_tokens_refresh_rotation_reuse_logout_and_rejections() {
    let app = spawn_app().await;
    let (s, t) = app.login("scheduler", PASSWORD).await;
    assert_eq!(s, 200);
    assert_eq!(t["token_type"], "Bearer");
    assert!(t["expires_in"].as_u64().unwrap() > 0);
    let (s, p) = app.login("scheduler", "wrong").await;
    assert_eq!(s, 401, "{p}");
    // Refresh rotates; the rotated token presented again revokes the family (the new one dies too).
    let r1 = t["refresh_token"].as_str().unwrap().to_string();
    let (s, t2) = json_of(
        app.client.post(app.url("/api/v1/auth/refresh")).json(&json!({"refresh_token": r1})).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{t2}");
    let r2 = t2["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2);
    let (s, _) = json_of(
        app.client.post(app.url("/api/v1/auth/refresh")).json(&json!({"refresh_token": r1})).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, 401);
    let (s, _) = json_of(
        app.client.post(app.url("/api/v1/auth/refresh")).json(&json!({"refresh_token": r2})).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, 401, "the family is revoked after reuse");
    // Logout revokes.
    let (_, t3) = app.login("scheduler", PASSWORD).await;
    let r3 = t3["refresh_token"].as_str().unwrap();
    let r = app.client.post(app.url("/api/v1/auth/logout")).json(&json!({"refresh_token": r3})).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let (s, _) = json_of(
        app.client.post(app.url("/api/v1/auth/refresh")).json(&json!({"refresh_token": r3})).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, 401);
    // Bad bearer tokens: none, garbage, alg none, tampered payload.
    let access = t3["access_token"].as_str().unwrap().to_string();
    let parts: Vec<&str> = access.split('.').collect();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut payload: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    payload["role"] = json!("admin");
    let tampered = format!("{}.{}.{}", parts[0], b64.encode(payload.to_string()), parts[2]);
    let none = format!("{}.{}.", b64.encode(r#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    for (what, tok) in [("garbage", "abc".to_string()), ("alg none", none), ("tampered", tampered)] {
        let r = app.client.get(app.url("/api/v1/clinics")).bearer_auth(&tok).send().await.unwrap();
        assert_eq!(r.status(), 401, "{what}");
    }
    let r = app.client.get(app.url("/api/v1/clinics")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = app.client.get(app.url("/api/v1/clinics")).bearer_auth(&access).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (s, me) = app.get("/api/v1/auth/me", "practitioner").await;
    assert_eq!((s, me["role"].as_str()), (200, Some("practitioner")));
    app.stop().await;
}

#[tokio::test]
async fn login_is_rate_limited_with_retry_after() {
    let app = spawn_app().await;
    let mut limited = None;
    for i in 0..40 {
        let r = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": "patient", "password": format!("guess-{i}")}))
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            limited = Some(r);
            break;
        }
        assert_eq!(r.status(), 401);
    }
    let r = limited.expect("login never rate limited");
    let retry: u64 = r.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    assert_eq!(json_of(r).await.1["code"], "RATE_LIMITED");
    app.stop().await;
}

#[tokio::test]
async fn imports_reports_calendars_and_fhir() {
    let app = spawn_app().await;
    let clinic = app.ids.clinic;
    let csv = "mrn,given_name,family_name,date_of_birth,phone,email\n\
               MRN-5001,Nina,Simone,21/02/1933,+44 20 7946 0999,nina@example.org\n\
               MRN-5002,,Nobody,01/01/1990,,\n\
               MRN-5003,Miles,Davis,26/05/1926,not a phone,\n";
    let upload = |mode: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("mode", mode)
            .part("file", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("p.csv"));
        app.req(Method::POST, &format!("/api/v1/clinics/{clinic}/imports/patients"), Some("scheduler"))
            .multipart(form)
            .send()
    };
    let (s, dry) = json_of(upload("dry_run").await.unwrap()).await;
    assert_eq!(s, 200, "{dry}");
    assert_eq!((dry["rows"].as_u64(), dry["valid"].as_u64(), dry["stored"].as_u64()), (Some(3), Some(1), Some(0)));
    let (_, atomic) = json_of(upload("atomic").await.unwrap()).await;
    assert_eq!((atomic["stored"].as_u64(), atomic["committed"].as_bool()), (Some(0), Some(false)));
    let (_, partial) = json_of(upload("partial").await.unwrap()).await;
    assert_eq!(partial["stored"].as_u64(), Some(1));
    let rej = partial["import_id"].as_str().unwrap();
    let r =
        app.req(Method::GET, &format!("/api/v1/imports/{rej}/rejections.csv"), Some("scheduler")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.starts_with("row,column,code,message,value"), "{text}");
    assert!(text.contains("INVALID_PHONE") && text.contains("REQUIRED"), "{text}");
    // Another user cannot download it.
    let r = app.req(Method::GET, &format!("/api/v1/imports/{rej}/rejections.csv"), Some("admin")).send().await.unwrap();
    assert_eq!(r.status(), 404);

    // Reports in three formats.
    let today = chrono::Utc::now().date_naive();
    let q = format!("from={}&to={}", today, today + chrono::Duration::days(14));
    for (fmt, ct) in [("json", "application/json"), ("csv", "text/csv"), ("pdf", "application/pdf")] {
        let r = app
            .req(Method::GET, &format!("/api/v1/clinics/{clinic}/reports?{q}&format={fmt}"), Some("scheduler"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{fmt}");
        assert!(r.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with(ct), "{fmt}");
        let bytes = r.bytes().await.unwrap();
        if fmt == "pdf" {
            assert!(bytes.starts_with(b"%PDF"));
        }
    }

    // Book one, then read it as iCalendar and FHIR.
    let slot = app.free_slots(0, 1).await.remove(0);
    let (s, a) = app.post("/api/v1/appointments", "scheduler", app.booking(0, 0, &slot)).await;
    assert_eq!(s, 201, "{a}");
    let from = chrono::Utc::now().format("%Y-%m-%dT00:00:00Z");
    let to = (chrono::Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%dT00:00:00Z");
    let r = app
        .req(
            Method::GET,
            &format!("/api/v1/practitioners/{}/calendar.ics?from={from}&to={to}", app.ids.practitioners[0]),
            Some("practitioner"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("BEGIN:VEVENT"));
    let (s, f) = app.get(&format!("/api/v1/fhir/Appointment/{}", a["id"].as_str().unwrap()), "patient").await;
    assert_eq!((s, f["resourceType"].as_str()), (200, Some("Appointment")), "{f}");
    let (s, f) = app.get(&format!("/api/v1/fhir/Patient/{}", app.ids.patients[0]), "patient").await;
    assert_eq!((s, f["resourceType"].as_str()), (200, Some("Patient")));
    let (s, _) = app.get(&format!("/api/v1/fhir/Patient/{}", app.ids.patients[1]), "patient").await;
    assert_eq!(s, 404, "another patient's record is hidden");
    app.stop().await;
}

#[tokio::test]
async fn openapi_document_validates_with_openapi_spec_validator() {
    let app = spawn_app().await;
    let r = app.client.get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let spec = r.bytes().await.unwrap();
    let v: Value = serde_json::from_slice(&spec).unwrap();
    assert_eq!(v["openapi"].as_str().map(|s| s.starts_with("3.1")), Some(true));
    // Every operation documents its problem responses.
    for (path, item) in v["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            if path != "/healthz" {
                assert!(
                    responses.keys().any(|k| k.starts_with('4') || k.starts_with('5')),
                    "{method} {path} documents no error response"
                );
            }
        }
    }
    let script = "import sys, json\n\
from openapi_spec_validator import validate\n\
validate(json.load(sys.stdin))\n\
print('valid')\n";
    let (ok, out) = run_python(script, &spec);
    assert!(ok, "openapi-spec-validator refused the document: {out}");
    assert!(out.contains("valid"));
    app.stop().await;
}
