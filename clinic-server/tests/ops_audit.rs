//! The audit trail: reads and writes of patient data through the real server land in the hash-chained audit
//! log with actor, action, target, time, client address and outcome; `clinic-server audit verify` accepts
//! the log as written and detects an entry edited or deleted in the SQLite file.

mod ops_support;

use std::path::Path;

use clinic_server_infra::audit::{AuditEntry, AuditLog, AuditOutcome};
use clinic_server_infra::SqliteInfraStore;
use ops_support::{run_cli, Server};
use serde_json::{json, Value};

const PASSWORD: &str = "audit-test-password-0123456789";

async fn send(r: reqwest::RequestBuilder) -> (u16, Value) {
    let r = r.send().await.expect("request");
    let s = r.status().as_u16();
    let t = r.text().await.unwrap_or_default();
    (s, serde_json::from_str(&t).unwrap_or(Value::String(t)))
}

async fn entries(dir: &Path) -> Vec<AuditEntry> {
    let store = SqliteInfraStore::open_in_dir(dir).expect("server records");
    AuditLog::new(std::sync::Arc::new(store)).entries(0, 10_000).await.expect("entries")
}

fn verify(dir: &str) -> (bool, String) {
    let (ok, out, err) = run_cli(&["--data", dir, "audit", "verify"], None);
    (ok, format!("{out}{err}"))
}

fn tamper(dir: &Path, sql: &str) {
    let c = rusqlite::Connection::open(dir.join(clinic_server_infra::store::SERVER_DB_FILE)).unwrap();
    // The triggers refuse updates and deletes through the program; someone with the file can drop them.
    c.execute_batch("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;").unwrap();
    c.execute_batch(sql).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patient_data_access_is_audited_and_tampering_is_detected() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let data = dir.to_str().unwrap().to_string();
    let (ok, out, err) = run_cli(&["--data", &data, "seed-demo"], None);
    assert!(ok, "seed-demo: {out}{err}");
    let (ok, out, err) = run_cli(
        &["--data", &data, "user", "add", "--username", "auditor", "--role", "admin", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(ok, "user add: {out}{err}");

    let server = Server::start(&["--data", &data], &[], &[]);
    let http = reqwest::Client::new();
    let url = |p: &str| server.url(p);
    let (s, tok) =
        send(http.post(url("/api/v1/auth/login")).json(&json!({"username": "auditor", "password": PASSWORD}))).await;
    assert_eq!(s, 200, "{tok}");
    let token = tok["access_token"].as_str().unwrap().to_string();
    let (_, clinics) = send(http.get(url("/api/v1/clinics")).bearer_auth(&token)).await;
    let clinic = clinics["items"][0]["id"].as_str().or_else(|| clinics[0]["id"].as_str()).unwrap().to_string();
    let body = json!({"given_name": "Audra", "family_name": "Testwell", "contact": {"email": "audra@example.org"}});
    let (s, p) =
        send(http.post(url(&format!("/api/v1/clinics/{clinic}/patients"))).bearer_auth(&token).json(&body)).await;
    assert_eq!(s, 201, "{p}");
    let pid = p["id"].as_str().unwrap().to_string();
    assert_eq!(send(http.get(url(&format!("/api/v1/patients/{pid}"))).bearer_auth(&token)).await.0, 200);
    assert_eq!(send(http.get(url(&format!("/api/v1/fhir/Patient/{pid}"))).bearer_auth(&token)).await.0, 200);
    // Without a token: denied, and still recorded (with no actor).
    assert_eq!(send(http.get(url(&format!("/api/v1/patients/{pid}")))).await.0, 401);
    // An id that does not exist: failed, with the code.
    let ghost = "0190a5b0-0000-7000-8000-0000000000ff";
    assert_eq!(send(http.get(url(&format!("/api/v1/patients/{ghost}"))).bearer_auth(&token)).await.0, 404);
    // Not patient data: not audited.
    assert_eq!(send(http.get(url("/healthz"))).await.0, 200);
    server.stop();

    let log = entries(&dir).await;
    let find = |action: &str, outcome: AuditOutcome| {
        log.iter().find(|e| e.action == action && e.outcome == outcome).cloned().unwrap_or_else(|| {
            panic!(
                "no {action} {outcome:?} entry in {:#?}",
                log.iter().map(|e| (&e.action, e.outcome)).collect::<Vec<_>>()
            )
        })
    };
    let created = find("patient.create", AuditOutcome::Success);
    assert_eq!(created.target.kind, "patient");
    assert_eq!(created.target.id.as_deref(), Some(pid.as_str()), "the created id is the target");
    let read = find("patient.read", AuditOutcome::Success);
    assert_eq!(read.target.id.as_deref(), Some(pid.as_str()));
    assert!(read.actor.user_id.is_some(), "the actor is recorded");
    assert_eq!(read.actor.role, Some(clinic_core::rbac::Role::Admin));
    assert_eq!(read.client.as_deref(), Some("127.0.0.1"));
    assert!((chrono::Utc::now() - read.at).num_minutes() < 10, "the time is recorded: {}", read.at);
    find("fhir.patient.read", AuditOutcome::Success);
    let denied = find("patient.read", AuditOutcome::Denied);
    assert_eq!(denied.actor.user_id, None);
    assert_eq!(denied.code.as_deref(), Some("UNAUTHENTICATED"));
    let failed = find("patient.read", AuditOutcome::Failed);
    assert_eq!(failed.target.id.as_deref(), Some(ghost));
    assert_eq!(failed.code.as_deref(), Some("NOT_FOUND"));
    assert!(!log.iter().any(|e| e.action.contains("health")));
    let n = log.len();
    assert!(n >= 6, "{n} entries");

    // As written, the chain verifies.
    let (ok, out) = verify(&data);
    assert!(ok, "audit verify failed on an intact log: {out}");

    // Edited: one entry's outcome changed in place.
    let edited = tmp.path().join("edited");
    copy_dir(&dir, &edited);
    let seq = read.seq;
    tamper(&edited, &format!("UPDATE audit_log SET outcome = 'denied' WHERE seq = {seq};"));
    let (ok, out) = verify(edited.to_str().unwrap());
    assert!(!ok, "an edited entry was not detected: {out}");
    assert!(out.contains(&seq.to_string()), "the report names the entry: {out}");

    // Deleted: one entry in the middle removed.
    let deleted = tmp.path().join("deleted");
    copy_dir(&dir, &deleted);
    tamper(&deleted, &format!("DELETE FROM audit_log WHERE seq = {};", created.seq));
    let (ok, out) = verify(deleted.to_str().unwrap());
    assert!(!ok, "a deleted entry was not detected: {out}");

    // Edited consistently (hash recomputed by someone who knows the format) still breaks the next link.
    let relinked = tmp.path().join("relinked");
    copy_dir(&dir, &relinked);
    tamper(&relinked, &format!("UPDATE audit_log SET hash = '{}' WHERE seq = 1;", "ab".repeat(32)));
    let (ok, out) = verify(relinked.to_str().unwrap());
    assert!(!ok, "a changed hash was not detected: {out}");
}
