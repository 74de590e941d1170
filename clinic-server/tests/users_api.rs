//! The admin's account routes (`/api/v1/users`) through a real server: create with a role and password, sign
//! in with it, change the role with its links, disable (sign-in then refused), reset a password, and every
//! bad input answered with a problem and a code (never a 5xx). Every change lands in the audit log.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use clinic_server_infra::audit::AuditOutcome;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn put(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    app.put(path, "admin", body).await
}

#[tokio::test]
async fn admin_manages_accounts_end_to_end() {
    let app = spawn_app().await;
    let ids = &app.ids;

    // Create, then sign in with the new account.
    let (s, u) = app
        .post(
            "/api/v1/users",
            "admin",
            json!({"username": "Nurse.Jo", "password": "nurse-jo-2026", "role": "scheduler"}),
        )
        .await;
    assert_eq!(s, 201, "{u}");
    assert_eq!(u["role"], "scheduler");
    assert_eq!(u["clinic_id"], ids.clinic.to_string(), "defaults to the admin's clinic");
    assert_eq!(u["disabled"], false);
    assert!(u.get("password_hash").is_none() && u.get("password").is_none(), "no secret in the answer: {u}");
    let id = u["id"].as_str().unwrap().to_string();
    assert_eq!(app.login("nurse.jo", "nurse-jo-2026").await.0, 200, "usernames are case-insensitive");

    // Listed with the seeded accounts.
    let (s, list) = app.get("/api/v1/users", "admin").await;
    assert_eq!(s, 200);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert!(names.contains(&"Nurse.Jo") && names.contains(&"practitioner"), "{names:?}");
    let practitioner = list.as_array().unwrap().iter().find(|u| u["username"] == "practitioner").unwrap();
    assert_eq!(practitioner["practitioner_id"], ids.practitioners[0].to_string());

    // The same username again: 409 USERNAME_TAKEN.
    let (s, p) = app
        .post("/api/v1/users", "admin", json!({"username": "nurse.jo", "password": "whatever-2026", "role": "admin"}))
        .await;
    assert_eq!((s, p["code"].as_str()), (409, Some("USERNAME_TAKEN")), "{p}");

    // Role change with the link the role needs; the new role is in the next token.
    let path = format!("/api/v1/users/{id}");
    let (s, v) = put(&app, &path, json!({"role": "practitioner"})).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("REQUIRED")), "a practitioner user names its practitioner: {v}");
    let (s, v) =
        put(&app, &path, json!({"role": "practitioner", "practitioner_id": ids.practitioners[1].to_string()})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["role"], "practitioner");
    let (_, t) = app.login("nurse.jo", "nurse-jo-2026").await;
    let me = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .bearer_auth(t["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(me["role"], "practitioner");
    assert_eq!(me["practitioner_id"], ids.practitioners[1].to_string());

    // A link to a record that does not exist: 422 (the account exists; what the body names does not), field named.
    let (s, v) = put(&app, &path, json!({"role": "patient", "patient_id": uuid::Uuid::new_v4().to_string()})).await;
    assert_eq!(
        (s, v["code"].as_str(), v["errors"][0]["field"].as_str()),
        (422, Some("NOT_FOUND"), Some("patient_id")),
        "{v}"
    );

    // Disable: sign-in refused; enable again: allowed.
    let (s, v) = put(&app, &path, json!({"role": "scheduler", "disabled": true})).await;
    assert_eq!((s, v["disabled"].as_bool()), (200, Some(true)), "{v}");
    assert_eq!(app.login("nurse.jo", "nurse-jo-2026").await.0, 401);
    let (s, _) = put(&app, &path, json!({"role": "scheduler", "disabled": false})).await;
    assert_eq!(s, 200);

    // Password reset: the old one stops working, the new one works.
    let (s, v) = app.post(&format!("{path}/password"), "admin", json!({"password": "brand-new-2026"})).await;
    assert_eq!(s, 204, "{v}");
    assert_eq!(app.login("nurse.jo", "nurse-jo-2026").await.0, 401);
    assert_eq!(app.login("nurse.jo", "brand-new-2026").await.0, 200);

    // An admin cannot demote or disable itself.
    let admin_id =
        list.as_array().unwrap().iter().find(|u| u["username"] == "admin").unwrap()["id"].as_str().unwrap().to_string();
    let (s, v) = put(&app, &format!("/api/v1/users/{admin_id}"), json!({"role": "scheduler"})).await;
    assert_eq!((s, v["code"].as_str()), (403, Some("FORBIDDEN")), "{v}");
    let (s, v) = put(&app, &format!("/api/v1/users/{admin_id}"), json!({"role": "admin", "disabled": true})).await;
    assert_eq!((s, v["code"].as_str()), (403, Some("FORBIDDEN")), "{v}");

    // Every change is in the audit log, with its outcome.
    let entries = app.infra.store.audit_entries(0, 10_000).await.unwrap();
    let of = |action: &str| entries.iter().filter(|e| e.action == action).collect::<Vec<_>>();
    assert!(of("user.create")
        .iter()
        .any(|e| e.outcome == AuditOutcome::Success && e.target.id.as_deref() == Some(&id)));
    assert!(of("user.create").iter().any(|e| e.outcome == AuditOutcome::Failed), "the taken username is recorded");
    assert!(of("user.update").len() >= 6);
    assert!(of("user.update")
        .iter()
        .any(|e| e.outcome == AuditOutcome::Denied && e.code.as_deref() == Some("FORBIDDEN")));
    assert_eq!(of("user.password_reset").len(), 1);
    // A refused attempt by another role is recorded too.
    let (s, _) = app
        .post(
            "/api/v1/users",
            "scheduler",
            json!({"username": "sneaky", "password": "sneaky-pass-2026", "role": "admin"}),
        )
        .await;
    assert_eq!(s, 403);
    let entries = app.infra.store.audit_entries(0, 10_000).await.unwrap();
    assert!(entries.iter().any(|e| e.action == "user.create"
        && e.outcome == AuditOutcome::Denied
        && e.actor.role == Some(clinic_core::rbac::Role::Scheduler)));
    app.stop().await;
}

#[tokio::test]
async fn bad_input_is_a_problem_with_a_code_never_a_5xx() {
    let app = spawn_app().await;
    let p0 = app.ids.practitioners[0].to_string();
    let cases: Vec<(Method, String, Value, u16, &str)> = vec![
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "", "password": "long-enough", "role": "admin"}),
            400,
            "REQUIRED",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "a b", "password": "long-enough", "role": "admin"}),
            400,
            "INVALID_ID",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "x".repeat(65), "password": "long-enough", "role": "admin"}),
            400,
            "TOO_LONG",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "shorty", "password": "short", "role": "admin"}),
            400,
            "REQUIRED",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "r", "password": "long-enough", "role": "superuser"}),
            400,
            "INVALID_JSON",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "r", "password": "long-enough", "role": "admin", "extra": 1}),
            400,
            "INVALID_JSON",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "r", "password": "long-enough", "role": "admin", "practitioner_id": p0}),
            400,
            "FORBIDDEN",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "r", "password": "long-enough", "role": "patient"}),
            400,
            "REQUIRED",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "r", "password": "long-enough", "role": "scheduler", "clinic_id": uuid::Uuid::new_v4().to_string()}),
            403,
            "FORBIDDEN",
        ),
        (Method::GET, "/api/v1/users/not-a-uuid".into(), Value::Null, 400, "INVALID_ID"),
        (Method::GET, format!("/api/v1/users/{}", uuid::Uuid::new_v4()), Value::Null, 404, "NOT_FOUND"),
        (Method::PUT, format!("/api/v1/users/{}", uuid::Uuid::new_v4()), json!({"role": "admin"}), 404, "NOT_FOUND"),
        (Method::PUT, format!("/api/v1/users/{}", uuid::Uuid::new_v4()), json!({}), 400, "INVALID_JSON"),
        (
            Method::POST,
            format!("/api/v1/users/{}/password", uuid::Uuid::new_v4()),
            json!({"password": "long-enough"}),
            404,
            "NOT_FOUND",
        ),
        (Method::DELETE, "/api/v1/users".into(), Value::Null, 405, "METHOD_NOT_ALLOWED"),
    ];
    let mut failures = Vec::new();
    for (method, path, body, status, code) in cases {
        let mut req = app.req(method.clone(), &path, Some("admin"));
        if !body.is_null() {
            req = req.json(&body);
        }
        let r = req.send().await.unwrap();
        let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let (s, v) = json_of(r).await;
        if s != status || v["code"] != code || ct != "application/problem+json" {
            failures.push(format!("{method} {path} {body}: {s} {ct} {v} (expected {status} {code})"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    app.stop().await;
}
