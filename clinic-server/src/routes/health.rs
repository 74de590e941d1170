//! Liveness and readiness. Readiness names each dependency and its state, so an operator (or a load
//! balancer's log) sees *which* one is down: the store is required (503 without it); SMTP, the webhook and
//! the OIDC issuer only degrade the service (200 `degraded`: notifications wait in a queue, cached keys
//! still verify tokens).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// Liveness and readiness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`; for readiness also `degraded` (an optional dependency is down) or `unavailable` (the store is).
    pub status: String,
    /// `sqlite` or `mongodb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// Readiness only: every dependency and its state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Vec<DependencyState>>,
}

/// One dependency as readiness reports it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DependencyState {
    /// `mongodb`, `sqlite`, `smtp`, `webhook` or `oidc_jwks`.
    pub name: String,
    /// `up`, `down` (calls fail at once) or `recovering` (the next call is a trial).
    pub state: String,
    /// Whether the server cannot serve without it.
    pub required: bool,
    pub consecutive_failures: u32,
    /// The class of the last failure (`timed out`, `failed`, `breaker open`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Seconds in the current state.
    pub since_s: u64,
    /// Notifications waiting for this channel (notification channels only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queued: Option<usize>,
}

/// The process is up (no dependency checked).
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".into(), store: None, dependencies: None })
}

/// The store answers; lists every dependency with its state.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "ready (`ok`, or `degraded` when an optional dependency is down)", body = Health),
    (status = 503, description = "the store is unreachable; `dependencies` says which is down", body = Health),
))]
pub async fn readyz(State(st): State<AppState>) -> (StatusCode, Json<Health>) {
    // A point read of an id that cannot exist: touches the store (through its breaker, so it answers at once
    // while the store is known to be down, and serves as the trial call once the cool-down has passed).
    let store_ok = st.scheduler.store().get_clinic(clinic_core::ClinicId(uuid::Uuid::nil())).await.is_ok();
    let mut deps: Vec<DependencyState> = st
        .ops
        .deps
        .statuses()
        .into_iter()
        .map(|d| DependencyState {
            queued: st.ops.notify_queue.get().filter(|q| q.dependency().name() == d.name).map(|q| q.pending()),
            name: d.name,
            state: d.state.to_string(),
            required: d.required,
            consecutive_failures: d.consecutive_failures,
            last_error: d.last_error,
            since_s: d.since_s,
        })
        .collect();
    let store = st.backend.name();
    match deps.iter_mut().find(|d| d.name == store) {
        // The probe's own outcome wins over a breaker that has not yet counted enough failures.
        Some(d) if !store_ok && d.state == "up" => d.state = "down".into(),
        Some(_) => {}
        None => deps.insert(
            0,
            DependencyState {
                name: store.into(),
                state: if store_ok { "up" } else { "down" }.into(),
                required: true,
                consecutive_failures: 0,
                last_error: None,
                since_s: 0,
                queued: None,
            },
        ),
    }
    let required_down = !store_ok || deps.iter().any(|d| d.required && d.state == "down");
    let degraded = deps.iter().any(|d| d.state != "up");
    let (code, status) = if required_down {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    } else if degraded {
        (StatusCode::OK, "degraded")
    } else {
        (StatusCode::OK, "ok")
    };
    (code, Json(Health { status: status.into(), store: Some(store.into()), dependencies: Some(deps) }))
}
