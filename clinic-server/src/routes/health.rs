//! Liveness and readiness.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::state::AppState;

/// Liveness and readiness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// `sqlite` or `mongodb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
}

/// The process is up (no dependency checked).
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".into(), store: None })
}

/// The store answers.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, body = Health),
    (status = 503, description = "the store is unreachable", body = crate::error::Problem, content_type = "application/problem+json"),
))]
pub async fn readyz(State(st): State<AppState>) -> ApiResult<(StatusCode, Json<Health>)> {
    // A point read of an id that cannot exist: touches the store without scanning anything.
    st.backend.store().get_clinic(clinic_core::ClinicId(uuid::Uuid::nil())).await?;
    Ok((StatusCode::OK, Json(Health { status: "ok".into(), store: Some(st.backend.name().into()) })))
}
