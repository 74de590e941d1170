//! `Idempotency-Key` on creating POSTs: the first answer under a key is stored and replayed on a retry, so a
//! client that lost the response to a booking can send it again without booking twice.
//!
//! The key is claimed in the store before the work runs ([`crate::state::IdempotencyPort`]), so two retries
//! racing each other — on one instance or two — cannot both execute, and a retry after a restart is replayed.

use std::future::Future;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use clinic_core::rbac::Actor;
use serde::de::DeserializeOwned;

use crate::error::{ApiResult, AppError};
use crate::extract::{body_rejection, parse_json, ApiJson};
use crate::state::{AppState, Begin, StoredResponse};

/// A JSON body parsed like [`ApiJson`], with its raw text kept for the idempotency fingerprint.
#[derive(Debug)]
pub struct RawJson<T>(pub String, pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for RawJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Reuse ApiJson's content-type check on an empty probe, then read the bytes once.
        let (parts, body) = req.into_parts();
        let probe = Request::from_parts(parts.clone(), axum::body::Body::empty());
        if let Err(e) = ApiJson::<serde_json::Value>::from_request(probe, state).await {
            if e.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE {
                return Err(e);
            }
        }
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(req, state).await.map_err(body_rejection)?;
        let value: T = parse_json(&bytes)?;
        Ok(RawJson(String::from_utf8_lossy(&bytes).into_owned(), value))
    }
}

/// The answer of an idempotent POST: executed now, or replayed from the stored first answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    /// JSON text.
    pub body: String,
    pub replayed: bool,
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut r = (self.status, self.body).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if self.replayed {
            r.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
        r
    }
}

/// Runs `f` once per (actor, key); without a key it simply runs. `path` names the operation in the
/// request fingerprint (with the raw body), so the same key on another request is refused.
pub async fn idempotent<F, Fut>(
    st: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    path: &str,
    raw: &str,
    f: F,
) -> ApiResult<Answer>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ApiResult<(StatusCode, String)>>,
{
    let Some(key) = headers.get("idempotency-key") else {
        let (status, body) = f().await?;
        return Ok(Answer { status, body, replayed: false });
    };
    let key = key.to_str().map_err(|_| AppError::bad_query("Idempotency-Key must be visible ASCII"))?.trim();
    let who = actor.user_id.map(|u| u.to_string()).unwrap_or_else(|| "system".into());
    let print = st.idempotency.fingerprint("POST", path, raw.as_bytes());
    match st.idempotency.begin(&who, key, &print).await? {
        Begin::Replay(stored) => {
            let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
            Ok(Answer { status, body: stored.body, replayed: true })
        }
        Begin::Proceed => match f().await {
            Ok((status, body)) => {
                let stored = StoredResponse { status: status.as_u16(), body };
                st.idempotency.complete(&who, key, &stored).await?;
                Ok(Answer { status, body: stored.body, replayed: false })
            }
            Err(e) => {
                // Nothing was created: forget the claim so a retry runs again.
                if let Err(ae) = st.idempotency.abandon(&who, key).await {
                    tracing::warn!(code = %ae.code(), "could not release an idempotency claim");
                }
                Err(e)
            }
        },
    }
}
