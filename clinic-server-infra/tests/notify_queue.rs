//! The queued notifier in front of a real webhook receiver (an HTTP server on a loopback port) that goes
//! down and comes back: sends while it is down are accepted into the outbox, the breaker opens, and the outbox
//! is delivered in order, by itself, once the receiver answers again.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;

use clinic_core::ids::{AppointmentId, ClinicId};
use clinic_server_infra::notify::{
    Notification, NotificationKind, Notifier, QueuedNotifier, WebhookConfig, WebhookNotifier,
};
use clinic_server_infra::resilience::{BreakerConfig, CallPolicy, Dependency};

/// (appointment id, Idempotency-Key) of each delivered POST.
type Delivered = Vec<(Option<String>, Option<String>)>;

#[derive(Clone, Default)]
struct Receiver {
    up: Arc<AtomicBool>,
    got: Arc<Mutex<Delivered>>,
}

async fn hook(State(r): State<Receiver>, h: HeaderMap, Json(n): Json<serde_json::Value>) -> StatusCode {
    if !r.up.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let key = h.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    r.got.lock().unwrap().push((n["appointment_id"].as_str().map(str::to_string), key));
    StatusCode::NO_CONTENT
}

fn note() -> Notification {
    Notification {
        kind: NotificationKind::reminder(60),
        clinic_id: Some(ClinicId::new()),
        appointment_id: Some(AppointmentId::new()),
        patient_id: None,
        practitioner_id: None,
        starts_at: Some(Utc::now()),
        recipient_email: None,
        subject: "s".into(),
        body: "b".into(),
    }
}

#[tokio::test]
async fn notifications_wait_while_the_channel_is_down_and_go_out_in_order_when_it_returns() {
    let rx = Receiver::default();
    let app = Router::new().route("/hook", post(hook)).with_state(rx.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let inner = Arc::new(WebhookNotifier::new(WebhookConfig { url, timeout: Duration::from_secs(2) }).unwrap());
    let policy = CallPolicy {
        breaker: BreakerConfig { failure_threshold: 2, open_for: Duration::from_millis(300) },
        timeout: Duration::from_secs(2),
        attempts: 2,
        backoff: Duration::from_millis(10),
    };
    let q = QueuedNotifier::start(inner, Dependency::new("webhook", policy, false), 3);

    let sent: Vec<Notification> = (0..3).map(|_| note()).collect();
    for n in &sent {
        q.send(n).await.expect("accepted into the outbox while the receiver is down");
    }
    assert_eq!(q.pending(), 3);
    assert_ne!(q.dependency().status().state, "up", "{:?}", q.dependency().status());
    let overflow = q.send(&note()).await.expect_err("a full outbox refuses");
    assert!(overflow.is_retryable(), "{overflow}");

    rx.up.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(10);
    while q.pending() > 0 {
        assert!(Instant::now() < deadline, "the outbox was not delivered after the receiver came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = rx.got.lock().unwrap().clone();
    let want: Vec<Option<String>> = sent.iter().map(|n| n.appointment_id.map(|a| a.to_string())).collect();
    assert_eq!(got.iter().map(|g| g.0.clone()).collect::<Vec<_>>(), want, "delivered once each, in order");
    assert!(got.iter().all(|g| g.1.as_deref().is_some_and(|k| k.starts_with("appointment_reminder_60m:"))));
    assert_eq!(q.dependency().status().state, "up");
    // Back to direct sends.
    q.send(&note()).await.unwrap();
    assert_eq!(rx.got.lock().unwrap().len(), 4);
    assert_eq!(q.pending(), 0);
}
