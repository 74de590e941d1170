//! Login, refresh, logout. Rate limits and token rules live in the auth port (`clinic-server-infra`).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Caller};
use crate::state::{AppState, TokenPair};

/// Username and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

/// A refresh token to rotate or revoke.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    pub refresh_token: String,
}

/// Who the bearer of an access token is.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user_id: Option<uuid::Uuid>,
    /// `admin`, `scheduler`, `practitioner` or `patient`.
    pub role: String,
    pub clinic_id: Option<uuid::Uuid>,
    pub practitioner_id: Option<uuid::Uuid>,
    pub patient_id: Option<uuid::Uuid>,
}

/// The client's address: the socket peer (without one — in-process tests — the unspecified address).
/// Behind a reverse proxy every client shares the proxy's address, so the per-IP limit then applies to all.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip())
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        Ok(ClientIp(ip))
    }
}

/// Exchange a username and password for an access token and a refresh token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody, responses(
    (status = 200, body = TokenPair),
    (status = 429, description = "too many attempts", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64))),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn login(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Json<TokenPair>> {
    Ok(Json(st.auth.login(&body.username, &body.password, ip).await?))
}

/// Rotate a refresh token: a new pair; presenting an already rotated token revokes its whole family.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshBody, responses(
    (status = 200, body = TokenPair),
    (status = 429, description = "too many attempts", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64))),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn refresh(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<RefreshBody>,
) -> ApiResult<Json<TokenPair>> {
    Ok(Json(st.auth.refresh(&body.refresh_token, ip).await?))
}

/// Revoke a refresh token (and its family).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshBody, responses(
    (status = 204, description = "logged out"),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn logout(State(st): State<AppState>, ApiJson(body): ApiJson<RefreshBody>) -> ApiResult<StatusCode> {
    st.auth.logout(&body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's identity.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = Me),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn me(Caller(a): Caller) -> Json<Me> {
    Json(Me {
        user_id: a.user_id.map(|u| u.0),
        role: serde_json::to_value(a.role).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        clinic_id: a.clinic_id.map(|c| c.0),
        practitioner_id: a.practitioner_id.map(|p| p.0),
        patient_id: a.patient_id.map(|p| p.0),
    })
}
