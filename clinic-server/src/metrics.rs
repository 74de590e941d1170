//! Prometheus metrics, one registry per server instance (not a process-wide recorder, so several
//! instances in one test process keep their own counts).
//!
//! Labels are bounded on purpose: routes are matched templates (`/api/v1/patients/{id}`), never raw paths
//! that could carry ids or names; codes are the engine's stable codes; store operations are port methods.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use clinic_core::events::DomainEvent;
use clinic_core::ErrorCode;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::error::ProblemCodes;
use crate::http::RouteTemplate;
use crate::state::AppState;

/// Request latency buckets (seconds): sub-millisecond reads up to slow report renders.
const HTTP_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Store call buckets (seconds): embedded SQLite answers in microseconds, MongoDB in milliseconds.
const STORE_BUCKETS: &[f64] = &[0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0];

/// How long a scrape waits for the store probe behind `clinic_store_up` (Prometheus' default scrape timeout is 10 s).
const STORE_PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Codes a booking conflict can carry; pre-registered at zero so dashboards see the series before the first one.
const CONFLICT_CODES: &[ErrorCode] = &[
    ErrorCode::SlotConflictPractitioner,
    ErrorCode::SlotConflictRoom,
    ErrorCode::PatientDoubleBooked,
    ErrorCode::GroupSessionFull,
    ErrorCode::OverbookNotPermitted,
    ErrorCode::ConcurrentModification,
    ErrorCode::VersionConflict,
];

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_latency: HistogramVec,
    conflicts: IntCounterVec,
    appointment_events: IntCounterVec,
    imports: IntCounter,
    import_rows: IntCounterVec,
    store_latency: HistogramVec,
    store_up: IntGauge,
    reminder_backlog: IntGauge,
    reminder_runs: IntCounterVec,
    reminders_sent: IntCounter,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn counter(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric definition");
    registry.register(Box::new(c.clone())).expect("metric registered once");
    c
}

fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
    let g = IntGauge::new(name, help).expect("valid metric definition");
    registry.register(Box::new(g.clone())).expect("metric registered once");
    g
}

fn histogram(registry: &Registry, name: &str, help: &str, labels: &[&str], buckets: &[f64]) -> HistogramVec {
    let h = HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets.to_vec()), labels)
        .expect("valid metric definition");
    registry.register(Box::new(h.clone())).expect("metric registered once");
    h
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let m = Metrics {
            http_requests: counter(
                &registry,
                "clinic_http_requests_total",
                "HTTP requests by method, matched route template and status.",
                &["method", "route", "status"],
            ),
            http_latency: histogram(
                &registry,
                "clinic_http_request_duration_seconds",
                "HTTP request latency by method, matched route template and status.",
                &["method", "route", "status"],
                HTTP_BUCKETS,
            ),
            conflicts: counter(
                &registry,
                "clinic_conflicts_total",
                "Codes carried by 409 Conflict answers (booking rule violations, stale versions, duplicates).",
                &["code"],
            ),
            appointment_events: counter(
                &registry,
                "clinic_appointment_events_total",
                "Committed appointment changes: booked (overbooked or not), rescheduled, cancelled, status changed.",
                &["event", "overbooked"],
            ),
            imports: {
                let c = IntCounter::new("clinic_imports_total", "Imports that committed rows.")
                    .expect("valid metric definition");
                registry.register(Box::new(c.clone())).expect("metric registered once");
                c
            },
            import_rows: counter(
                &registry,
                "clinic_import_rows_total",
                "Rows of committed imports by outcome (accepted, rejected).",
                &["outcome"],
            ),
            store_latency: histogram(
                &registry,
                "clinic_store_operation_duration_seconds",
                "Latency of store port calls by operation and outcome (ok, error).",
                &["operation", "outcome"],
                STORE_BUCKETS,
            ),
            store_up: gauge(
                &registry,
                "clinic_store_up",
                "1 when the scheduling store answered a point read at the last scrape, 0 when it failed or timed out.",
            ),
            reminder_backlog: gauge(
                &registry,
                "clinic_reminder_backlog",
                "Reminders due at the last pass of this instance whose send failed (claim given back, retried next pass).",
            ),
            reminder_runs: counter(
                &registry,
                "clinic_reminder_runs_total",
                "Reminder passes by outcome (ok, error: the pass could not read the schedule or the claims).",
                &["outcome"],
            ),
            reminders_sent: {
                let c = IntCounter::new("clinic_reminders_sent_total", "Reminders this instance sent.")
                    .expect("valid metric definition");
                registry.register(Box::new(c.clone())).expect("metric registered once");
                c
            },
            registry,
        };
        for code in CONFLICT_CODES {
            m.conflicts.with_label_values(&[code.as_str()]);
        }
        for (event, overbooked) in [
            ("booked", "false"),
            ("booked", "true"),
            ("rescheduled", "false"),
            ("cancelled", "false"),
            ("status_changed", "false"),
        ] {
            m.appointment_events.with_label_values(&[event, overbooked]);
        }
        for outcome in ["accepted", "rejected"] {
            m.import_rows.with_label_values(&[outcome]);
        }
        for outcome in ["ok", "error"] {
            m.reminder_runs.with_label_values(&[outcome]);
        }
        m
    }

    pub fn observe_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.http_requests.with_label_values(&labels).inc();
        self.http_latency.with_label_values(&labels).observe(seconds);
    }

    pub fn observe_conflict(&self, codes: &[String]) {
        for c in codes {
            self.conflicts.with_label_values(&[c.as_str()]).inc();
        }
    }

    pub fn observe_store(&self, operation: &'static str, ok: bool, seconds: f64) {
        self.store_latency.with_label_values(&[operation, if ok { "ok" } else { "error" }]).observe(seconds);
    }

    /// Records one reminder pass: what failed to send is the backlog the next pass retries. A pass that
    /// failed as a whole leaves the backlog as it was (unknown, not zero) and counts as an error.
    pub fn observe_reminder_run<E>(&self, run: &Result<clinic_server_infra::reminders::DispatchReport, E>) {
        match run {
            Ok(report) => {
                self.reminder_runs.with_label_values(&["ok"]).inc();
                self.reminders_sent.inc_by(report.sent as u64);
                self.reminder_backlog.set(report.failed as i64);
            }
            Err(_) => self.reminder_runs.with_label_values(&["error"]).inc(),
        }
    }

    /// Counts what a committed change means for the business (bookings, imports).
    pub fn observe_event(&self, e: &DomainEvent) {
        match e {
            DomainEvent::AppointmentBooked { overbooked, .. } => {
                self.appointment_events.with_label_values(&["booked", if *overbooked { "true" } else { "false" }]).inc()
            }
            DomainEvent::AppointmentRescheduled { .. } => {
                self.appointment_events.with_label_values(&["rescheduled", "false"]).inc()
            }
            DomainEvent::AppointmentCancelled { .. } => {
                self.appointment_events.with_label_values(&["cancelled", "false"]).inc()
            }
            DomainEvent::AppointmentStatusChanged { .. } => {
                self.appointment_events.with_label_values(&["status_changed", "false"]).inc()
            }
            DomainEvent::ImportCompleted { accepted, rejected, .. } => {
                self.imports.inc();
                self.import_rows.with_label_values(&["accepted"]).inc_by(*accepted as u64);
                self.import_rows.with_label_values(&["rejected"]).inc_by(*rejected as u64);
            }
            DomainEvent::PatientRegistered { .. } | DomainEvent::PatientUpdated { .. } => {}
        }
    }

    /// The text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        // Encoding into a Vec only fails on inconsistent metric families, which registration rules out.
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::error!(error = %e, "metrics encoding failed");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// Middleware: counts every request by route template and status, and the codes of conflicts.
pub async fn track(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let resp = next.run(req).await;
    let status = resp.status();
    let route = resp.extensions().get::<RouteTemplate>().map(|r| r.0.as_str()).unwrap_or("(other)");
    let m = &st.ops.metrics;
    m.observe_request(method.as_str(), route, status.as_u16(), started.elapsed().as_secs_f64());
    if status == axum::http::StatusCode::CONFLICT {
        if let Some(ProblemCodes(codes)) = resp.extensions().get::<ProblemCodes>() {
            m.observe_conflict(codes);
        }
    }
    resp
}

/// `GET /metrics`: the Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, description = "Prometheus text exposition format 0.0.4", body = String, content_type = "text/plain"),
    (status = "4XX", description = "the router's own refusals (wrong method, body limit)", body = crate::error::Problem, content_type = "application/problem+json"),
))]
pub async fn exposition(State(st): State<AppState>) -> Response {
    // Probed at each scrape, so a store outage shows (and alerts) even while no request touches the store.
    // The same point read as /readyz, bounded so a hung store cannot stall the scrape.
    let probe = st.backend.store();
    let up = tokio::time::timeout(STORE_PROBE_TIMEOUT, probe.get_clinic(clinic_core::ClinicId(uuid::Uuid::nil())))
        .await
        .is_ok_and(|r| r.is_ok());
    st.ops.metrics.store_up.set(i64::from(up));
    let mut resp = st.ops.metrics.render().into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    resp
}
