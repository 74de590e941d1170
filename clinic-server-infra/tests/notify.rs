//! Notifiers against real endpoints — SMTP against Python's `aiosmtpd` sink (from the venv that
//! `scripts/test-tools.sh` builds), webhooks against an HTTP server on a loopback port — and the reminder
//! dispatcher's exactly-once delivery across two instances and a restart.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Duration as CDuration, TimeZone, Utc};

use clinic_core::ids::{AppointmentId, ClinicId, PatientId, PractitionerId};
use clinic_server_infra::notify::{
    LogNotifier, Notification, NotificationKind, Notifier, SmtpConfig, SmtpNotifier, SmtpSecurity, WebhookConfig,
    WebhookNotifier,
};
use clinic_server_infra::reminders::{ReminderDispatcher, ReminderTarget, UpcomingAppointments};
use clinic_server_infra::store::SqliteInfraStore;
use clinic_server_infra::{InfraError, InfraStore};

fn python() -> PathBuf {
    let p = std::env::var_os("CLINIC_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("target/py-venv/bin/python"));
    assert!(p.exists(), "{} is missing: run scripts/test-tools.sh (or set CLINIC_TEST_PYTHON)", p.display());
    p
}

/// An `aiosmtpd` process storing every message it receives in a maildir; killed on drop.
struct SmtpSink {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpSink {
    fn start() -> SmtpSink {
        let maildir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start aiosmtpd (is it in the venv? run scripts/test-tools.sh)");
        let mut sink = SmtpSink { child, port, maildir };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = sink.child.try_wait() {
                let mut err = String::new();
                use std::io::Read;
                let _ = sink.child.stderr.take().unwrap().read_to_string(&mut err);
                panic!("aiosmtpd exited ({status}): {err}");
            }
            assert!(Instant::now() < deadline, "aiosmtpd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        sink
    }

    fn notifier(&self) -> SmtpNotifier {
        SmtpNotifier::new(SmtpConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Clinic <noreply@clinic.test>".into(),
            timeout: Duration::from_secs(10),
        })
        .unwrap()
    }

    /// Every message received so far (raw RFC 5322 text).
    fn messages(&self) -> Vec<String> {
        let dir = self.maildir.path().join("mail/new");
        let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
        entries.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect()
    }
}

fn notification(email: Option<&str>) -> Notification {
    Notification {
        kind: NotificationKind::reminder(1440),
        clinic_id: Some(ClinicId::new()),
        appointment_id: Some(AppointmentId::new()),
        patient_id: Some(PatientId::new()),
        practitioner_id: Some(PractitionerId::new()),
        starts_at: Some(Utc::now()),
        recipient_email: email.map(str::to_string),
        subject: "Appointment reminder".into(),
        body: "Dear Jane Doe, see you on Friday 27 November 2026 at 10:00.".into(),
    }
}

#[tokio::test]
async fn smtp_delivers_to_a_real_smtp_server() {
    let sink = SmtpSink::start();
    let n = notification(Some("jane.doe@example.com"));
    sink.notifier().send(&n).await.unwrap();
    let msgs = sink.messages();
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert!(m.contains("To: jane.doe@example.com"), "{m}");
    assert!(m.contains("From: Clinic <noreply@clinic.test>"), "{m}");
    assert!(m.contains("Subject: Appointment reminder"), "{m}");
    assert!(m.contains("see you on Friday 27 November 2026 at 10:00"), "{m}");
    // No e-mail address: nothing to send, not an error.
    sink.notifier().send(&notification(None)).await.unwrap();
    assert_eq!(sink.messages().len(), 1);
    // A bad address is a permanent failure that names no address.
    let e = sink.notifier().send(&notification(Some("not an address"))).await.unwrap_err();
    assert!(matches!(e, InfraError::Notification { retryable: false, .. }), "{e:?}");
    assert!(!e.to_string().contains("not an address"));
}

#[tokio::test]
async fn smtp_to_a_closed_port_is_a_retryable_failure() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let n = SmtpNotifier::new(SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "noreply@clinic.test".into(),
        timeout: Duration::from_secs(2),
    })
    .unwrap();
    let e = n.send(&notification(Some("jane.doe@example.com"))).await.unwrap_err();
    assert!(matches!(e, InfraError::Notification { retryable: true, .. }), "{e:?}");
    assert!(!e.to_string().contains("jane"), "{e}");
    assert!(SmtpNotifier::new(SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "no at sign".into(),
        timeout: Duration::from_secs(2),
    })
    .is_err());
}

#[derive(Clone, Default)]
struct Hook {
    received: Arc<Mutex<Vec<serde_json::Value>>>,
    status: Arc<Mutex<Option<StatusCode>>>,
    delay: Arc<Mutex<Duration>>,
}

async fn hook(State(h): State<Hook>, Json(body): Json<serde_json::Value>) -> StatusCode {
    let delay = *h.delay.lock().unwrap();
    tokio::time::sleep(delay).await;
    h.received.lock().unwrap().push(body);
    h.status.lock().unwrap().unwrap_or(StatusCode::NO_CONTENT)
}

async fn start_hook() -> (Hook, String) {
    let h = Hook::default();
    let app = Router::new().route("/hook", post(hook)).with_state(h.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (h, format!("http://{addr}/hook"))
}

fn webhook(url: &str, timeout: Duration) -> WebhookNotifier {
    WebhookNotifier::new(WebhookConfig { url: url.into(), timeout }).unwrap()
}

#[tokio::test]
async fn webhook_posts_json_and_reports_failures() {
    let (h, url) = start_hook().await;
    let n = notification(Some("jane.doe@example.com"));
    webhook(&url, Duration::from_secs(5)).send(&n).await.unwrap();
    let got = h.received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["kind"], "appointment_reminder_1440m");
    assert_eq!(got[0]["appointment_id"], serde_json::json!(n.appointment_id));
    assert_eq!(got[0]["recipient_email"], "jane.doe@example.com");

    *h.status.lock().unwrap() = Some(StatusCode::INTERNAL_SERVER_ERROR);
    let e = webhook(&url, Duration::from_secs(5)).send(&n).await.unwrap_err();
    assert!(matches!(e, InfraError::Notification { retryable: true, .. }), "{e:?}");
    *h.status.lock().unwrap() = Some(StatusCode::BAD_REQUEST);
    let e = webhook(&url, Duration::from_secs(5)).send(&n).await.unwrap_err();
    assert!(matches!(e, InfraError::Notification { retryable: false, .. }), "{e:?}");

    *h.status.lock().unwrap() = None;
    *h.delay.lock().unwrap() = Duration::from_secs(3);
    let started = Instant::now();
    let e = webhook(&url, Duration::from_millis(300)).send(&n).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "the timeout applies");
    assert!(e.to_string().contains("timed out"), "{e}");
    assert!(WebhookNotifier::new(WebhookConfig { url: "file:///etc/passwd".into(), timeout: Duration::from_secs(1) })
        .is_err());
}

#[test]
fn the_log_notifier_and_debug_output_show_ids_only() {
    let buf = Arc::new(Mutex::new(Vec::<u8>::new()));
    let writer = {
        let buf = buf.clone();
        move || BufWriter(buf.clone())
    };
    let subscriber = tracing_subscriber::fmt().with_writer(writer).with_ansi(false).finish();
    let n = notification(Some("jane.doe@example.com"));
    tracing::subscriber::with_default(subscriber, || {
        futures::executor::block_on(LogNotifier.send(&n)).unwrap();
    });
    let out = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
    assert!(out.contains(&n.appointment_id.unwrap().to_string()), "{out}");
    assert!(out.contains(&n.patient_id.unwrap().to_string()), "{out}");
    let dbg = format!("{n:?}");
    for text in [&out, &dbg] {
        for pii in ["jane", "Jane", "Doe", "example.com", "27 November"] {
            assert!(!text.contains(pii), "{pii} leaked into {text}");
        }
    }
}

struct BufWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for BufWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The server's side of the port, over a fixed list (what the server reads from the scheduling store).
struct Schedule(Vec<ReminderTarget>);

#[async_trait]
impl UpcomingAppointments for Schedule {
    async fn starting_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> clinic_server_infra::error::Result<Vec<ReminderTarget>> {
        Ok(self.0.iter().filter(|t| t.starts_at >= from && t.starts_at < to).cloned().collect())
    }
}

fn target(starts_at: DateTime<Utc>, email: &str) -> ReminderTarget {
    ReminderTarget {
        appointment_id: AppointmentId::new(),
        clinic_id: ClinicId::new(),
        patient_id: PatientId::new(),
        practitioner_id: PractitionerId::new(),
        starts_at,
        email: Some(email.into()),
        local_start: format!("{}", starts_at.format("%a %d %b %Y %H:%M (UTC)")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reminders_are_sent_exactly_once_across_two_instances_and_a_restart() {
    let sink = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
    let due: Vec<ReminderTarget> =
        (0..6).map(|i| target(now + CDuration::hours(2 + 3 * i), &format!("p{i}@example.com"))).collect();
    let mut all = due.clone();
    all.push(target(now + CDuration::hours(30), "later@example.com")); // beyond the 24 h lead
    all.push(target(now - CDuration::hours(1), "past@example.com")); // already started
    all.push(target(now, "now@example.com")); // starting this instant: too late
    let schedule: Arc<dyn UpcomingAppointments> = Arc::new(Schedule(all));
    let instance = |path: PathBuf| {
        let store: Arc<dyn InfraStore> = Arc::new(SqliteInfraStore::open(path).unwrap());
        ReminderDispatcher::new(store, Arc::new(sink.notifier()), schedule.clone(), Duration::from_secs(24 * 3600))
    };
    let path = dir.path().join("server.sqlite3");
    // Two instances (two connections to one file, as two processes would have) run three rounds at once.
    let (a, b) = (instance(path.clone()), instance(path.clone()));
    let mut tasks = Vec::new();
    for round in 0..3 {
        for d in [a.clone(), b.clone()] {
            tasks.push(tokio::spawn(async move { d.run_once(now + CDuration::seconds(round)).await.unwrap() }));
        }
    }
    let mut sent = 0;
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.due, 6);
        assert_eq!(r.failed, 0);
        sent += r.sent;
    }
    assert_eq!(sent, 6);
    // A restart: a new store on the same file sends nothing again.
    drop((a, b));
    let again = instance(path.clone()).run_once(now + CDuration::minutes(5)).await.unwrap();
    assert_eq!((again.due, again.sent, again.skipped), (6, 0, 6));
    let msgs = sink.messages();
    assert_eq!(msgs.len(), 6, "one e-mail per appointment");
    for i in 0..6 {
        let to = format!("To: p{i}@example.com");
        assert_eq!(msgs.iter().filter(|m| m.contains(&to)).count(), 1, "{to}");
    }
    assert!(!msgs.iter().any(|m| m.contains("later@") || m.contains("past@") || m.contains("now@")));
}

#[tokio::test]
async fn a_failed_reminder_is_retried_by_a_later_run() {
    let (h, url) = start_hook().await;
    let store: Arc<dyn InfraStore> = Arc::new(SqliteInfraStore::open_in_memory().unwrap());
    let now = Utc::now();
    let schedule: Arc<dyn UpcomingAppointments> =
        Arc::new(Schedule(vec![target(now + CDuration::hours(3), "a@example.com")]));
    let d = ReminderDispatcher::new(
        store,
        Arc::new(webhook(&url, Duration::from_secs(5))),
        schedule,
        Duration::from_secs(86400),
    );
    *h.status.lock().unwrap() = Some(StatusCode::SERVICE_UNAVAILABLE);
    let r = d.run_once(now).await.unwrap();
    assert_eq!((r.sent, r.failed), (0, 1));
    *h.status.lock().unwrap() = None;
    let r = d.run_once(now).await.unwrap();
    assert_eq!((r.sent, r.failed), (1, 0));
    let r = d.run_once(now).await.unwrap();
    assert_eq!((r.sent, r.skipped), (0, 1));
    // The refused attempt and the successful one: nothing after the success.
    assert_eq!(h.received.lock().unwrap().len(), 2);
    // The spawned loop runs and stops on shutdown.
    let (tx, rx) = tokio::sync::watch::channel(false);
    let handle = d.spawn(Duration::from_millis(10), rx);
    tokio::time::sleep(Duration::from_millis(50)).await;
    tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), handle).await.unwrap().unwrap();
}
