//! The binary end to end: `seed-demo`, `user add --password-stdin`, `serve` on a free port with JSON logs,
//! graceful shutdown on SIGTERM, no patient data in any log line, `audit verify` (clean, then after an edit
//! of the audit file), `import` and `backup`.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_clinic-server");

fn cmd(data: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--data").arg(data).env_remove("CLINIC_STORE").env("CLINIC_LOG_FORMAT", "json");
    c
}

fn run(c: &mut Command, stdin: &str) -> (i32, String, String) {
    let mut child = c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Starts `serve` on a free port; returns the child and its base URL (read from its first stdout line).
fn serve(data: &Path) -> (Child, String) {
    let mut child = cmd(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !line.contains("listening on") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "server exited before listening");
        assert!(Instant::now() < deadline, "server did not start");
    }
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    (child, url)
}

#[tokio::test]
async fn binary_end_to_end_without_pii_in_logs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, out, err) = run(cmd(&data).arg("seed-demo"), "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("demo clinic"), "{out}");
    let (code, out, err) = run(
        cmd(&data).args(["user", "add", "--username", "desk2", "--role", "scheduler", "--password-stdin"]),
        "s3cret-desk-pass\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = run(
        cmd(&data).args(["user", "add", "--username", "x", "--role", "wizard", "--password-stdin"]),
        "pw-pw-pw-pw\n",
    );
    assert_ne!(code, 0, "an unknown role is refused: {err}");

    let (mut child, base) = serve(&data);
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "desk2", "password": "s3cret-desk-pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let token = login.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    let clinics: Value =
        http.get(format!("{base}/api/v1/clinics")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let clinic = clinics[0]["id"].as_str().unwrap().to_string();
    // Known PII through every kind of call: create, search by name, MRN, phone, read, a failing update.
    let (given, family, phone, email, mrn) =
        ("Zebulon", "Quixotic-Farthingale", "+44 20 7946 0777", "zebulon.q@example.org", "MRN-ZQ-77");
    let r = http
        .post(format!("{base}/api/v1/clinics/{clinic}/patients"))
        .bearer_auth(&token)
        .json(&json!({"given_name": given, "family_name": family, "mrn": mrn, "contact": {"phone": phone, "email": email}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let pid = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    for q in [format!("name={given}"), format!("mrn={mrn}"), "phone=%2B442079460777".to_string()] {
        let v: Value = http
            .get(format!("{base}/api/v1/clinics/{clinic}/patients?{q}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["items"][0]["id"], pid, "{q}: {v}");
    }
    let r = http
        .put(format!("{base}/api/v1/patients/{pid}"))
        .bearer_auth(&token)
        .json(&json!({"given_name": given, "family_name": family, "contact": {"phone": "555", "email": email}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = http.get(format!("{base}/api/v1/patients/{pid}")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);

    // Graceful shutdown on SIGTERM.
    let pid_num = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid_num]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit after SIGTERM: {status:?}");
    let mut logs = String::new();
    child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    assert!(logs.lines().count() >= 6, "expected a log line per request: {logs}");
    for line in logs.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON log line: {line}"));
        assert!(v.get("level").is_some(), "{line}");
    }
    for secret in [given, family, "7946 0777", "79460777", email, mrn, "s3cret-desk-pass"] {
        assert!(!logs.contains(secret), "{secret:?} appears in the logs:\n{logs}");
    }

    // The audit chain verifies; an edited entry is detected.
    let (code, out, err) = run(cmd(&data).args(["audit", "verify"]), "");
    assert_eq!(code, 0, "{out}{err}");
    let db = data.join("server.sqlite3");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch("DROP TRIGGER IF EXISTS audit_log_no_update; UPDATE audit_log SET outcome = 'success' WHERE seq = (SELECT MIN(seq) FROM audit_log);")
            .unwrap();
        c.execute_batch(
            "UPDATE audit_log SET action = 'patient.tampered' WHERE seq = (SELECT MAX(seq) FROM audit_log);",
        )
        .unwrap();
    }
    let (code, out, err) = run(cmd(&data).args(["audit", "verify"]), "");
    assert_ne!(code, 0, "tampering not detected: {out}{err}");

    // import and backup.
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, "given_name,family_name,mrn\nIona,Import,MRN-IMP-1\n,Missing,MRN-IMP-2\n").unwrap();
    let rej = dir.path().join("rej.csv");
    let (code, out, err) =
        run(cmd(&data).args(["import", "--mode", "partial", "--rejections"]).arg(&rej).arg(&csv), "");
    assert_eq!(code, 2, "rows were rejected: {out}{err}");
    assert!(out.contains("stored 1"), "{out}");
    assert!(std::fs::read_to_string(&rej).unwrap().contains("REQUIRED"));
    let bak = dir.path().join("backup.sqlite3");
    let (code, out, err) = run(cmd(&data).arg("backup").arg(&bak), "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(std::fs::metadata(&bak).unwrap().len() > 0);
}
