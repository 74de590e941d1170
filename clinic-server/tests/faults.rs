//! Dependencies failing under load, with real components: the `clinic-server` binary on FerretDB (the
//! project's harness) with an `aiosmtpd` SMTP sink for reminders. Mid-load the SMTP sink and then FerretDB
//! are stopped and later started again (same ports, same data). Checked: while down, answers are fast 503
//! `DEPENDENCY_UNAVAILABLE` naming `mongodb` (never a 500, never a wait past the deadline), `/readyz` names
//! what is down, reminders wait in the queue; after the restart, everything recovers without help, the
//! queued reminders reach the sink, and every booking that was acknowledged (201) is in the store.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod ops_support;

use std::collections::HashSet;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clinic_mongo::test_support::TestMongo;
use ops_support::{run_cli, workspace_root, Server};
use serde_json::{json, Value};

/// The server's deadline per dependency call (flag below); no answer may take much longer.
const DEADLINE_MS: u64 = 1500;
/// What "no hang" means here: the deadline plus scheduling slack on a loaded 2-core machine.
const MAX_OUTAGE_LATENCY: Duration = Duration::from_millis(DEADLINE_MS + 2500);

fn python() -> PathBuf {
    let p = std::env::var_os("CLINIC_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/py-venv/bin/python"));
    assert!(p.exists(), "{} is missing: run scripts/test-tools.sh (or set CLINIC_TEST_PYTHON)", p.display());
    p
}

/// `aiosmtpd` storing every message in a maildir; stoppable and restartable on the same port and maildir.
struct SmtpSink {
    child: Option<Child>,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpSink {
    fn start() -> SmtpSink {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut s = SmtpSink { child: None, port, maildir: tempfile::tempdir().unwrap() };
        s.restart();
        s
    }

    fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut child = Command::new(python())
                .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{}", self.port)])
                .args(["-c", "aiosmtpd.handlers.Mailbox"])
                .arg(self.maildir.path().join("mail"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start aiosmtpd (is it in the venv? run scripts/test-tools.sh)");
            loop {
                if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                    self.child = Some(child);
                    return;
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break; // the port may still be held for a moment: start again
                }
                assert!(Instant::now() < deadline, "aiosmtpd did not listen on {}", self.port);
                std::thread::sleep(Duration::from_millis(50));
            }
            assert!(Instant::now() < deadline, "aiosmtpd did not start on {}", self.port);
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn messages(&self) -> usize {
        std::fs::read_dir(self.maildir.path().join("mail/new")).map(|d| d.count()).unwrap_or(0)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One answer the load generator got.
#[derive(Debug, Clone)]
struct Sample {
    phase: &'static str,
    status: u16,
    code: Option<String>,
    dependency: Option<String>,
    latency: Duration,
    booked: Option<String>,
}

struct Ctx {
    base: String,
    token: String,
    clinic: String,
    practitioners: Vec<String>,
    patients: Vec<String>,
    atype: String,
}

async fn login(http: &reqwest::Client, base: &str, user: &str, pw: &str) -> String {
    let r = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": pw}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
}

async fn get_json(http: &reqwest::Client, url: String, token: &str) -> (u16, Value) {
    let r = http.get(url).bearer_auth(token).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// One load step: free slots of a practitioner in the next two weeks, then a booking of one of them. (A window of
/// one day was used up by the bookings made before the outage once bookings on MongoDB got fast: the phase after
/// recovery then found no free slot to book.)
async fn step(http: &reqwest::Client, c: &Ctx, worker: usize, n: usize, phase: &'static str) -> Vec<Sample> {
    let pr = &c.practitioners[(worker + n) % c.practitioners.len()];
    let from = chrono::Utc::now() + chrono::Duration::hours(2);
    let to = from + chrono::Duration::days(14);
    let url = format!(
        "{}/api/v1/clinics/{}/availability?appointment_type_id={}&practitioner_ids={pr}&from={}&to={}&limit=20",
        c.base,
        c.clinic,
        c.atype,
        from.format("%Y-%m-%dT%H:%M:00Z"),
        to.format("%Y-%m-%dT%H:%M:00Z"),
    );
    let mut out = Vec::new();
    let started = Instant::now();
    let r = http.get(url).bearer_auth(&c.token).send().await;
    let mut slot = None;
    match r {
        Ok(r) => {
            let status = r.status().as_u16();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            if status == 200 {
                let offers = v.as_array().cloned().unwrap_or_default();
                if !offers.is_empty() {
                    slot = offers[(worker * 7 + n) % offers.len()]["start"].as_str().map(str::to_string);
                }
            }
            out.push(sample(phase, status, &v, started.elapsed(), None));
        }
        Err(e) => panic!("availability request failed without an answer: {e}"),
    }
    let Some(start) = slot else { return out };
    let patient = &c.patients[(worker * 31 + n) % c.patients.len()];
    let started = Instant::now();
    let r = http
        .post(format!("{}/api/v1/appointments", c.base))
        .bearer_auth(&c.token)
        .header("Idempotency-Key", format!("faults-{worker}-{n}"))
        .json(&json!({
            "clinic_id": c.clinic, "patient_id": patient, "practitioner_id": pr,
            "appointment_type_id": c.atype, "start": start,
        }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("booking request failed without an answer: {e}"));
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    let booked = (status == 201).then(|| v["id"].as_str().unwrap().to_string());
    out.push(sample(phase, status, &v, started.elapsed(), booked));
    out
}

fn sample(phase: &'static str, status: u16, v: &Value, latency: Duration, booked: Option<String>) -> Sample {
    Sample {
        phase,
        status,
        code: v["code"].as_str().map(str::to_string),
        dependency: v["dependency"].as_str().map(str::to_string),
        latency,
        booked,
    }
}

async fn readyz(http: &reqwest::Client, base: &str) -> (u16, Value) {
    let r = http.get(format!("{base}/readyz")).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn dep_state<'a>(v: &'a Value, name: &str) -> &'a str {
    v["dependencies"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["name"] == name))
        .and_then(|d| d["state"].as_str())
        .unwrap_or("absent")
}

/// Appointment ids the server's JSON logs name with `message`.
fn logged_ids(lines: &[String], message: &str) -> HashSet<String> {
    lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["message"] == message)
        .filter_map(|v| v["appointment_id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ferretdb_and_smtp_stop_mid_load_and_come_back() {
    let mut mongo = TestMongo::start().await.unwrap_or_else(|e| panic!("no MongoDB to test against: {e}"));
    assert!(
        mongo.is_ferretdb(),
        "this test stops and restarts the database: it needs the harness's FerretDB, not CLINIC_TEST_MONGODB_URI"
    );
    let db = mongo.new_database("faults");
    // Short driver timeouts and heartbeats so the driver notices the restart quickly; the server's own
    // deadline (--dependency-timeout-ms) bounds every call anyway.
    let uri = format!(
        "{}{db}?serverSelectionTimeoutMS=1000&connectTimeoutMS=1000&heartbeatFrequencyMS=500",
        mongo.uri().trim_end_matches('/').to_string() + "/"
    );
    let (ok, out, err) = run_cli(&["--store", &uri, "seed-demo"], None);
    assert!(ok, "seed-demo failed: {out}\n{err}");

    let mut smtp = SmtpSink::start();
    let notify = format!("smtp://127.0.0.1:{}", smtp.port);
    let server = Server::start(
        &["--store", &uri],
        &[
            "--notify",
            &notify,
            "--reminder-hours",
            "36",
            "--reminder-interval",
            "1",
            "--dependency-timeout-ms",
            &DEADLINE_MS.to_string(),
            "--breaker-open-ms",
            "1000",
        ],
        &[],
    );
    let base = server.base.clone();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let token = login(&http, &base, "frontdesk", "frontdesk-demo-2026").await;
    let (_, clinics) = get_json(&http, format!("{base}/api/v1/clinics"), &token).await;
    let clinic = clinics[0]["id"].as_str().unwrap().to_string();
    let (_, prs) = get_json(&http, format!("{base}/api/v1/clinics/{clinic}/practitioners"), &token).await;
    let practitioners: Vec<String> = items(&prs).iter().map(|p| p["id"].as_str().unwrap().to_string()).collect();
    let (_, types) = get_json(&http, format!("{base}/api/v1/clinics/{clinic}/appointment-types"), &token).await;
    let atype =
        items(&types).iter().find(|t| t["max_participants"].as_u64().unwrap_or(1) <= 1).unwrap_or(&items(&types)[0])
            ["id"]
            .as_str()
            .unwrap()
            .to_string();
    // Patients with e-mail addresses, so that reminders of the new bookings go out by SMTP.
    let mut patients = Vec::new();
    for i in 0..24 {
        let r = http
            .post(format!("{base}/api/v1/clinics/{clinic}/patients"))
            .bearer_auth(&token)
            .json(&json!({"given_name": format!("Load{i}"), "family_name": "Tester",
                           "contact": {"phone": format!("+4420794600{i:02}"), "email": format!("load{i}@example.org")}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        patients.push(r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
    }
    let ctx = Arc::new(Ctx { base: base.clone(), token, clinic, practitioners, patients, atype });
    let (s, v) = readyz(&http, &base).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("ok")), "{v}");
    assert_eq!(dep_state(&v, "mongodb"), "up", "{v}");
    assert_eq!(dep_state(&v, "smtp"), "up", "{v}");

    // The load: 4 workers, each looking up free slots and booking one, as fast as answers come.
    let phase: Arc<Mutex<&'static str>> = Arc::new(Mutex::new("before"));
    let samples: Arc<Mutex<Vec<Sample>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..4 {
        let (ctx, phase, samples, stop, http) =
            (ctx.clone(), phase.clone(), samples.clone(), stop.clone(), http.clone());
        workers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let p = *phase.lock().unwrap();
                let got = step(&http, &ctx, w, n, p).await;
                samples.lock().unwrap().extend(got);
                n += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    let set_phase = |p: &'static str| *phase.lock().unwrap() = p;

    tokio::time::sleep(Duration::from_secs(3)).await;
    // 1. The SMTP sink goes away: bookings go on, their reminders wait in the queue.
    set_phase("smtp_down");
    smtp.stop();
    let sent_before_outage = smtp.messages();
    let deadline = Instant::now() + Duration::from_secs(30);
    let queued_seen = loop {
        let (s, v) = readyz(&http, &base).await;
        let q = v["dependencies"]
            .as_array()
            .and_then(|a| a.iter().find(|d| d["name"] == "smtp"))
            .and_then(|d| d["queued"].as_u64())
            .unwrap_or(0);
        if q > 0 && dep_state(&v, "smtp") != "up" {
            assert_eq!((s, v["status"].as_str()), (200, Some("degraded")), "SMTP down only degrades: {v}");
            break q;
        }
        assert!(Instant::now() < deadline, "no reminder was queued while SMTP was down: {v}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };

    // 2. The database goes away too.
    set_phase("db_down");
    mongo.stop_server().expect("stop FerretDB");
    let stopped_at = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let t = Instant::now();
        let (s, v) = readyz(&http, &base).await;
        assert!(t.elapsed() < MAX_OUTAGE_LATENCY, "/readyz took {:?} while the database was down", t.elapsed());
        if s == 503 {
            assert_eq!(v["status"], "unavailable", "{v}");
            assert_eq!(dep_state(&v, "mongodb"), "down", "{v}");
            break;
        }
        assert!(Instant::now() < deadline, "/readyz never said the database was down: {v}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(4).saturating_sub(stopped_at.elapsed())).await;

    // 3. Both come back (same ports, same data).
    set_phase("restarting");
    mongo.restart_server().await.expect("restart FerretDB");
    smtp.restart();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (s, v) = readyz(&http, &base).await;
        if s == 200 && dep_state(&v, "mongodb") == "up" {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not recover after the database came back: {v}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    set_phase("after");
    tokio::time::sleep(Duration::from_secs(4)).await;
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.await.unwrap();
    }

    // Every queued reminder is delivered once SMTP answers again.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, v) = readyz(&http, &base).await;
        let q = v["dependencies"]
            .as_array()
            .and_then(|a| a.iter().find(|d| d["name"] == "smtp"))
            .and_then(|d| d["queued"].as_u64());
        if q == Some(0) && dep_state(&v, "smtp") == "up" {
            break;
        }
        assert!(Instant::now() < deadline, "queued reminders were not delivered: {v}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    let samples = samples.lock().unwrap().clone();
    let of = |p: &str| samples.iter().filter(|s| s.phase == p).cloned().collect::<Vec<_>>();
    let fives: Vec<_> = samples.iter().filter(|s| s.status >= 500 && s.status != 503).collect();
    assert!(fives.is_empty(), "server errors other than 503: {fives:?}");
    let down = of("db_down");
    let unavailable: Vec<_> = down.iter().filter(|s| s.status == 503).collect();
    assert!(!unavailable.is_empty(), "no 503 while the database was down: {down:?}");
    for s in &unavailable {
        assert_eq!(s.code.as_deref(), Some("DEPENDENCY_UNAVAILABLE"), "{s:?}");
        assert_eq!(s.dependency.as_deref(), Some("mongodb"), "{s:?}");
    }
    let slow: Vec<_> = down.iter().filter(|s| s.latency > MAX_OUTAGE_LATENCY).collect();
    assert!(slow.is_empty(), "answers slower than the deadline while the database was down: {slow:?}");
    // Once the breaker is open, answers are immediate: most outage answers come in well under the deadline.
    let fast = unavailable.iter().filter(|s| s.latency < Duration::from_millis(250)).count();
    assert!(fast * 2 >= unavailable.len(), "503s were not fast: {fast} of {} under 250 ms", unavailable.len());
    let after = of("after");
    assert!(after.iter().any(|s| s.booked.is_some()), "no booking succeeded after recovery: {after:?}");

    // No acknowledged booking is lost.
    let acked: Vec<String> = samples.iter().filter_map(|s| s.booked.clone()).collect();
    assert!(acked.len() >= 5, "too little load to judge: {} bookings", acked.len());
    for id in &acked {
        let (s, v) = get_json(&http, format!("{base}/api/v1/appointments/{id}"), &ctx.token).await;
        assert_eq!(s, 200, "acknowledged booking {id} is missing: {v}");
    }

    let (_, stderr) = server.stop();
    let lines = stderr.all();
    let queued = logged_ids(&lines, "channel unavailable; notification queued");
    let delivered = logged_ids(&lines, "queued notification delivered");
    assert!(queued.len() as u64 >= queued_seen.min(1), "the queue was seen non-empty, but nothing was logged");
    let lost: Vec<_> = queued.difference(&delivered).collect();
    assert!(lost.is_empty(), "queued reminders never delivered: {lost:?}");
    assert!(
        smtp.messages() >= sent_before_outage + queued.len(),
        "the sink has {} messages; {} before the outage + {} queued expected",
        smtp.messages(),
        sent_before_outage,
        queued.len()
    );
    eprintln!(
        "faults: {} samples, {} acknowledged bookings, {} 503s while the database was down, {} reminders queued \
         and delivered",
        samples.len(),
        acked.len(),
        unavailable.len(),
        queued.len()
    );
    mongo.drop_databases().await;
}

fn items(v: &Value) -> Vec<Value> {
    v.get("items").and_then(|i| i.as_array()).or_else(|| v.as_array()).cloned().unwrap_or_default()
}
