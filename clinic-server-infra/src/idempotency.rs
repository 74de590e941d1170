//! `Idempotency-Key` records: a retried creating request gets the first attempt's response instead of
//! creating twice.
//!
//! A key is scoped to its actor (two users may pick the same key). [`Idempotency::begin`] is atomic: of any
//! number of concurrent requests with one key exactly one proceeds; the others get the stored response once
//! the winner completed, `IdempotencyInProgress` before that, or `IdempotencyKeyReused` when their request
//! differs from the winner's (another fingerprint).

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use clinic_core::ErrorCode;

use crate::error::{InfraError, Result};
use crate::store::InfraStore;

/// Longest `Idempotency-Key` accepted (the IETF draft suggests UUIDs; 255 leaves room).
pub const MAX_KEY_CHARS: usize = 255;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdempotencyState {
    InProgress,
    Done,
}

/// The response replayed to a retry: status, the headers worth repeating (`Location`, `ETag`,
/// `Content-Type`) and the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    #[serde(serialize_with = "ser_b64", deserialize_with = "de_b64")]
    pub body: Vec<u8>,
}

fn ser_b64<S: Serializer>(b: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&STANDARD.encode(b))
}

fn de_b64<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<u8>, D::Error> {
    let s = String::deserialize(d)?;
    STANDARD.decode(s).map_err(serde::de::Error::custom)
}

/// A stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// The scoped key: SHA-256 of actor and client key, hex (bounded length, no client text in the store).
    pub key: String,
    /// SHA-256 of the request (method, path, body), hex: see [`fingerprint`].
    pub fingerprint: String,
    pub state: IdempotencyState,
    pub response: Option<StoredResponse>,
    pub created_at: DateTime<Utc>,
    /// In progress: when a crashed winner's claim lapses. Done: when the record is forgotten.
    pub expires_at: DateTime<Utc>,
}

/// The fingerprint of a request: same method, path and body bytes → same fingerprint.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body);
    hex::encode(h.finalize())
}

/// The store key for `(actor, client key)`.
pub fn scoped_key(actor: &str, key: &str) -> String {
    let mut h = Sha256::new();
    h.update(actor.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    hex::encode(h.finalize())
}

/// Checks a client's `Idempotency-Key`: 1–255 visible ASCII characters.
pub fn validate_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > MAX_KEY_CHARS || !key.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(InfraError::invalid(
            ErrorCode::InvalidId,
            "Idempotency-Key",
            format!("1 to {MAX_KEY_CHARS} visible ASCII characters"),
        ));
    }
    Ok(())
}

/// What [`Idempotency::begin`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BeginOutcome {
    /// This request is the first: run it, then call [`Idempotency::complete`] (or `abandon` on failure).
    Proceed,
    /// A previous identical request completed: answer with its response.
    Replay(StoredResponse),
}

/// Lifetimes of records.
#[derive(Debug, Clone, Copy)]
pub struct IdempotencyPolicy {
    /// How long a winner may take before its claim lapses (it crashed): a retry after that runs again.
    pub in_progress_ttl: Duration,
    /// How long a completed response is replayed.
    pub retention: Duration,
}

impl Default for IdempotencyPolicy {
    fn default() -> Self {
        IdempotencyPolicy { in_progress_ttl: Duration::from_secs(60), retention: Duration::from_secs(24 * 3600) }
    }
}

fn add(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(3650))
}

/// The idempotency protocol over an [`InfraStore`].
#[derive(Debug, Clone)]
pub struct Idempotency {
    store: Arc<dyn InfraStore>,
    policy: IdempotencyPolicy,
}

impl Idempotency {
    pub fn new(store: Arc<dyn InfraStore>, policy: IdempotencyPolicy) -> Self {
        Idempotency { store, policy }
    }

    /// Starts (or replays) the request of `actor` with client key `key` and request `fingerprint`.
    pub async fn begin(&self, actor: &str, key: &str, fingerprint: &str) -> Result<BeginOutcome> {
        self.begin_at(actor, key, fingerprint, Utc::now()).await
    }

    pub async fn begin_at(
        &self,
        actor: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<BeginOutcome> {
        validate_key(key)?;
        let record = IdempotencyRecord {
            key: scoped_key(actor, key),
            fingerprint: fingerprint.to_string(),
            state: IdempotencyState::InProgress,
            response: None,
            created_at: now,
            expires_at: add(now, self.policy.in_progress_ttl),
        };
        match self.store.idempotency_begin(&record, now).await? {
            None => Ok(BeginOutcome::Proceed),
            Some(existing) if existing.fingerprint != fingerprint => Err(InfraError::IdempotencyKeyReused),
            Some(existing) => match (existing.state, existing.response) {
                (IdempotencyState::Done, Some(r)) => Ok(BeginOutcome::Replay(r)),
                _ => Err(InfraError::IdempotencyInProgress),
            },
        }
    }

    /// Stores the winner's response for replay.
    pub async fn complete(&self, actor: &str, key: &str, response: &StoredResponse) -> Result<()> {
        let expires = add(Utc::now(), self.policy.retention);
        self.store.idempotency_complete(&scoped_key(actor, key), response, expires).await
    }

    /// Forgets an in-progress request that failed in a way not worth replaying (e.g. a 5xx), so a retry runs.
    pub async fn abandon(&self, actor: &str, key: &str) -> Result<()> {
        self.store.idempotency_abandon(&scoped_key(actor, key)).await
    }

    /// Removes expired records (run periodically).
    pub async fn purge_expired(&self) -> Result<u64> {
        self.store.idempotency_purge_expired(Utc::now()).await
    }
}
