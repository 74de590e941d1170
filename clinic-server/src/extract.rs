//! Request extractors whose rejections are problem documents with a code (axum's own rejections are plain
//! text): JSON bodies, path ids, query strings and the caller's identity.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::{header, request::Parts, StatusCode};
use clinic_core::rbac::Actor;
use serde::de::DeserializeOwned;

use crate::error::{server_codes, AppError};
use crate::state::AppState;

/// A JSON body: `application/json` only, parsed strictly (DTOs deny unknown fields).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(AppError::http(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                server_codes::UNSUPPORTED_MEDIA_TYPE,
                "the body must be application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(body_rejection)?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses a JSON body into a DTO; every failure is `INVALID_JSON` with where it happened.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(AppError::invalid_json("", "the body is not valid UTF-8"));
    }
    serde_json::from_slice(bytes).map_err(|e| AppError::invalid_json("", format!("invalid JSON body: {e}")))
}

pub fn body_rejection(e: BytesRejection) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::http(StatusCode::PAYLOAD_TOO_LARGE, server_codes::PAYLOAD_TOO_LARGE, "the body is too large")
    } else {
        AppError::invalid_json("", format!("cannot read the body: {e}"))
    }
}

/// Path parameters; a segment that is not a UUID is `INVALID_ID` (400), not a routing 404.
#[derive(Debug, Clone, Copy)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(path_rejection(e)),
        }
    }
}

fn path_rejection(e: PathRejection) -> AppError {
    AppError::Core(clinic_core::ClinicError::field(
        clinic_core::ErrorCode::InvalidId,
        "id",
        format!("not a valid id: {}", e.body_text()),
    ))
}

/// A query string; a malformed one is `INVALID_QUERY` (400).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(query_rejection(e)),
        }
    }
}

fn query_rejection(e: QueryRejection) -> AppError {
    AppError::bad_query(e.body_text())
}

/// The authenticated caller of a protected route (from `Authorization: Bearer <access token>`).
#[derive(Debug, Clone)]
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| AppError::unauthenticated("missing bearer token"))?;
        let value = value.to_str().map_err(|_| AppError::unauthenticated("malformed Authorization header"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| AppError::unauthenticated("expected `Authorization: Bearer <token>`"))?;
        let actor = state.auth.verify_access(token).await?;
        Ok(Caller(actor))
    }
}
