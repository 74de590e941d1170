//! `/metrics`: the real server's exposition counts requests by route template and status, store calls and
//! bookings, and passes `promtool check metrics` (Prometheus' own checker).

mod ops_support;

use std::io::Write;
use std::process::{Command, Stdio};

use ops_support::{promtool, Server};

/// The value of the sample whose name and labels are exactly `series` (`name{a="b"}`), if present.
fn sample(exposition: &str, series: &str) -> Option<f64> {
    exposition.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

fn promtool_check(text: &str) -> (bool, String) {
    let mut child = Command::new(promtool())
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run promtool");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exposition_counts_by_route_template_and_passes_promtool() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    // --demo seeds through the scheduler, so store calls and bookings are counted before the first request.
    let server = Server::start(&["--data", data], &["--demo"], &[]);
    let http = reqwest::Client::new();
    for _ in 0..3 {
        assert_eq!(http.get(server.url("/healthz")).send().await.unwrap().status(), 200);
    }
    let raw_id = "0190a5b0-0000-7000-8000-0000000000aa";
    let r = http.get(server.url(&format!("/api/v1/patients/{raw_id}"))).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(http.get(server.url("/api/v1/no-such-route")).send().await.unwrap().status(), 404);

    let r = http.get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let ct = r.headers().get("content-type").unwrap().to_str().unwrap().to_string();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    let text = r.text().await.unwrap();

    assert_eq!(
        sample(&text, r#"clinic_http_requests_total{method="GET",route="/healthz",status="200"}"#),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, r#"clinic_http_requests_total{method="GET",route="/api/v1/patients/{id}",status="401"}"#),
        Some(1.0),
        "requests are labelled by the matched template:\n{text}"
    );
    assert!(!text.contains(raw_id), "a raw path leaked into a label");
    assert_eq!(
        sample(&text, r#"clinic_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}"#),
        Some(3.0)
    );
    let booked = sample(&text, r#"clinic_appointment_events_total{event="booked",overbooked="false"}"#).unwrap();
    assert!(booked > 0.0, "the demo seed books through the scheduler: {booked}");
    let commits =
        sample(&text, r#"clinic_store_operation_duration_seconds_count{operation="commit_booking",outcome="ok"}"#)
            .or_else(|| {
                sample(
                    &text,
                    r#"clinic_store_operation_duration_seconds_count{operation="commit_bookings",outcome="ok"}"#,
                )
            })
            .unwrap_or(0.0);
    assert!(commits > 0.0, "store calls are timed:\n{text}");
    for code in ["SLOT_CONFLICT_PRACTITIONER", "SLOT_CONFLICT_ROOM", "PATIENT_DOUBLE_BOOKED"] {
        assert!(sample(&text, &format!(r#"clinic_conflicts_total{{code="{code}"}}"#)).is_some(), "{code} series");
    }
    assert!(sample(&text, "clinic_imports_total").is_some());

    let (ok, out) = promtool_check(&text);
    assert!(ok, "promtool check metrics failed:\n{out}\n---\n{text}");
    // The checker is live: a malformed exposition is refused.
    let (ok, _) = promtool_check("# TYPE broken counter\nbroken{label=\"x\" 1\n");
    assert!(!ok, "promtool accepted a malformed exposition");
    server.stop();
}
