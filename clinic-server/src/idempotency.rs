//! `Idempotency-Key` on creating POSTs: the first answer under a key is stored and replayed on a retry, so a
//! client that lost the response to a booking can send it again without booking twice.
//!
//! Requests with the same key are serialized inside one process (so two retries racing each other cannot
//! both execute), and the stored answer lives in the store through [`IdempotencyPort`] so a retry that
//! reaches another instance, or this one after a restart, is replayed too.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex};

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use clinic_core::rbac::Actor;
use serde::de::DeserializeOwned;

use crate::error::{server_codes, ApiResult, AppError};
use crate::extract::{body_rejection, parse_json, ApiJson};
use crate::state::{AppState, StoredResponse};

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

/// FNV-1a: a fingerprint compared only with the same user's earlier request under the same key.
fn fingerprint(raw: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in raw.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}:{}", raw.len())
}

type KeyLock = Arc<tokio::sync::Mutex<()>>;
static LOCKS: LazyLock<Mutex<HashMap<String, KeyLock>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

fn key_lock(k: &str) -> KeyLock {
    let mut map = LOCKS.lock().unwrap_or_else(|p| p.into_inner());
    if map.len() > 10_000 {
        map.retain(|_, l| Arc::strong_count(l) > 1);
    }
    map.entry(k.to_string()).or_default().clone()
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

/// Runs `f` once per (user, scope, key); without a key it simply runs.
pub async fn idempotent<F, Fut>(
    st: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    scope: &str,
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
    let key = key
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200 && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| AppError::bad_query("Idempotency-Key must be 1–200 visible ASCII characters"))?;
    let who = actor.user_id.map(|u| u.to_string()).unwrap_or_else(|| "system".into());
    let scope = format!("{who}:{scope}");
    let lock = key_lock(&format!("{scope}\u{0}{key}"));
    let _guard = lock.lock().await;
    let print = fingerprint(raw);
    if let Some(stored) = st.idempotency.get(&scope, key).await? {
        return replay(stored, &print);
    }
    let (status, body) = f().await?;
    let mine = StoredResponse { status: status.as_u16(), body, request_hash: print.clone() };
    let stored = st.idempotency.put(&scope, key, &mine).await?;
    // Another instance may have stored its answer first: then that one is the answer.
    let first = stored == mine;
    replay(stored, &print).map(|a| Answer { replayed: !first, ..a })
}

fn replay(stored: StoredResponse, print: &str) -> ApiResult<Answer> {
    if stored.request_hash != print {
        return Err(AppError::http(
            StatusCode::UNPROCESSABLE_ENTITY,
            server_codes::IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was used with a different request",
        ));
    }
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    Ok(Answer { status, body: stored.body, replayed: true })
}
