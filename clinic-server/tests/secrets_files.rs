//! Secrets from files (as a Vault agent or a Kubernetes secret volume writes them) with the real binary:
//! the JWT signing secret, the MongoDB connection string, the SMTP password and the webhook secret are each
//! read from a `--*-file` flag or `CLINIC_*_FILE` variable (one final newline ignored), used, and never
//! printed — all log output and error messages of every run, a wrong connection string with a password in
//! it included, are searched for the values.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod ops_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use ops_support::{run_cli, Server};
use serde_json::{json, Value};

const JWT_SECRET: &str = "jwt-from-file-7c1e0b5d9a4f4e2b8d6c3a1f0e9d8c7b";
const WEBHOOK_SECRET: &str = "webhook-from-file-Q2hhbmdlTWU";
const SMTP_PASSWORD: &str = "smtp-from-file-Zx81-Spectrum";
const DB_PASSWORD: &str = "Db-Pa55-from-file-41d2";

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn assert_clean(what: &str, text: &str) {
    for s in [JWT_SECRET, WEBHOOK_SECRET, SMTP_PASSWORD, DB_PASSWORD, "Db-Pa55"] {
        assert!(!text.contains(s), "{what} shows the secret {s:?}:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_come_from_files_and_never_show_in_output() {
    let secrets = tempfile::tempdir().unwrap();
    let jwt_file = write(secrets.path(), "jwt", &format!("{JWT_SECRET}\n"));
    let hook_file = write(secrets.path(), "webhook", &format!("{WEBHOOK_SECRET}\n"));
    let smtp_file = write(secrets.path(), "smtp", &format!("{SMTP_PASSWORD}\n"));
    let mut outputs: Vec<(String, String)> = Vec::new();

    // A webhook receiver that records the Authorization header of each POST.
    let auth: Arc<Mutex<Vec<String>>> = Arc::default();
    let a = auth.clone();
    let app = Router::new().route(
        "/hook",
        post(move |h: HeaderMap| {
            let a = a.clone();
            async move {
                a.lock().unwrap().push(h.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").into());
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    // Server A: the signing secret from --jwt-secret-file, the webhook secret from CLINIC_WEBHOOK_SECRET_FILE.
    let data_a = tempfile::tempdir().unwrap();
    let da = data_a.path().to_str().unwrap();
    let (ok, out, err) = run_cli(&["--data", da, "--jwt-secret-file", &jwt_file, "seed-demo"], None);
    assert!(ok, "{out}\n{err}");
    outputs.push(("seed-demo".into(), format!("{out}\n{err}")));
    let a_srv = Server::start(
        &["--data", da, "--jwt-secret-file", &jwt_file],
        &["--notify", &hook, "--reminder-hours", "720", "--reminder-interval", "1"],
        &[("CLINIC_WEBHOOK_SECRET_FILE", hook_file.as_str())],
    );
    let http = reqwest::Client::new();
    let r = http
        .post(a_srv.url("/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": "admin-demo-2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let token = r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    while auth.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "no reminder reached the webhook");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let expected = format!("Bearer {WEBHOOK_SECRET}");
    assert!(auth.lock().unwrap().iter().all(|h| *h == expected), "the webhook secret from the file is sent");

    // Server B: another data directory, the same secret file through CLINIC_JWT_SECRET_FILE — it accepts
    // A's token, so both really sign with the file's secret (trimmed of its newline).
    let data_b = tempfile::tempdir().unwrap();
    let db = data_b.path().to_str().unwrap();
    let b_srv = Server::start(
        &["--data", db],
        &["--reminder-hours", "0", "--notify", "smtp://127.0.0.1:1"],
        &[
            ("CLINIC_JWT_SECRET_FILE", jwt_file.as_str()),
            ("CLINIC_SMTP_PASSWORD_FILE", smtp_file.as_str()),
            ("CLINIC_SMTP_USERNAME", "mailer"),
        ],
    );
    let r = http.get(b_srv.url("/api/v1/auth/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200, "a token signed with the file's secret verifies on another instance");
    // The same secret given with its newline inside would be another key: the trim matters.
    let with_nl = write(secrets.path(), "jwt-nl", &format!("{JWT_SECRET}\n\n"));
    let data_c = tempfile::tempdir().unwrap();
    let c_srv = Server::start(
        &["--data", data_c.path().to_str().unwrap(), "--jwt-secret-file", &with_nl],
        &["--reminder-hours", "0"],
        &[],
    );
    let r = http.get(c_srv.url("/api/v1/auth/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 401, "only one final newline is trimmed");
    for (name, srv) in [("server A", a_srv), ("server B", b_srv), ("server C", c_srv)] {
        let (o, e) = srv.stop();
        outputs.push((name.into(), format!("{}\n{}", o.text(), e.text())));
    }

    // Connection strings with a password: unreachable, malformed, from a file, from the environment.
    let unreachable =
        format!("mongodb://clinic:{DB_PASSWORD}@127.0.0.1:1/clinic?serverSelectionTimeoutMS=300&connectTimeoutMS=300");
    let malformed = format!("mongodb://clinic:{DB_PASSWORD}@127.0.0.1:notaport/clinic");
    let bad_option = format!("mongodb://clinic:{DB_PASSWORD}@127.0.0.1/clinic?authMechanism=NOPE-{DB_PASSWORD}");
    let encoded =
        format!("mongodb://clinic:{}@127.0.0.1:1/c?serverSelectionTimeoutMS=300", DB_PASSWORD.replace('-', "%2D"));
    for (i, uri) in [&unreachable, &malformed, &bad_option, &encoded].into_iter().enumerate() {
        let f = write(secrets.path(), &format!("store{i}"), &format!("{uri}\n"));
        let (ok, out, err) = run_cli(&["--store-file", &f, "audit", "verify"], None);
        assert!(!ok, "a wrong connection string must fail: {out}");
        assert!(err.contains("error:"), "the failure is explained: {err}");
        outputs.push((format!("--store-file {i}"), format!("{out}\n{err}")));
        let out = std::process::Command::new(ops_support::BIN)
            .args(["audit", "verify"])
            .env("CLINIC_STORE", uri)
            .output()
            .unwrap();
        assert!(!out.status.success());
        outputs.push((
            format!("CLINIC_STORE {i}"),
            format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        ));
    }
    // Both forms of one secret at once, and a missing file: clear errors, no value.
    let (ok, _, err) = run_cli(&["--jwt-secret", JWT_SECRET, "--jwt-secret-file", &jwt_file, "audit", "verify"], None);
    assert!(!ok && err.contains("--jwt-secret and --jwt-secret-file are both set"), "{err}");
    outputs.push(("both".into(), err));
    let (ok, _, err) = run_cli(&["--store-file", "/nonexistent/clinic-store", "audit", "verify"], None);
    assert!(!ok && err.contains("--store-file: cannot read /nonexistent/clinic-store"), "{err}");

    for (what, text) in &outputs {
        assert_clean(what, text);
    }
    assert!(outputs.iter().any(|(_, t)| t.contains("[redacted]") || t.contains("MongoDB")), "errors were produced");
}
