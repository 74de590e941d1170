//! Where the server keeps its own records: one storage port, [`InfraStore`], with two implementations —
//! [`SqliteInfraStore`] (the embedded default, a file next to the scheduling data) and [`MongoInfraStore`]
//! (shared by several server instances). Both pass the same conformance suite (`tests/conformance`).
//!
//! The port holds only primitives that each store can make atomic on its own: compare-and-set as an insert
//! under a unique key (the one primitive FerretDB makes atomic, see `clinic-mongo`), plain reads, and
//! monotonic updates (set a revoked/done flag) that are safe to race. The protocols built from them
//! (rotation with reuse detection, the audit hash chain, idempotent replay) live once, in the service types
//! of the other modules.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use clinic_core::ids::{AppointmentId, UserId};

use crate::audit::AuditEntry;
use crate::error::Result;
use crate::events::EventRecord;
use crate::idempotency::{IdempotencyRecord, StoredResponse};
use crate::refresh::{FamilyId, RefreshFamily, RefreshTokenRecord, TokenHash};
use crate::users::User;

mod mongo;
mod sqlite;

pub mod schema;

pub use mongo::{MongoInfraStore, INFRA_COLLECTIONS};
pub use sqlite::{SqliteInfraStore, SERVER_DB_FILE};

/// The storage port of the server's own records. Object-safe: the server holds an `Arc<dyn InfraStore>`.
#[async_trait]
pub trait InfraStore: Send + Sync + std::fmt::Debug {
    /// Whether the store answers (for `/readyz`).
    async fn ping(&self) -> Result<()>;

    // --- users ---
    /// Inserts a new user; `UsernameTaken` when the normalized username exists.
    async fn create_user(&self, user: &User) -> Result<()>;
    async fn user_by_id(&self, id: UserId) -> Result<Option<User>>;
    /// Case-insensitive lookup (see [`crate::users::normalize_username`]).
    async fn user_by_username(&self, username: &str) -> Result<Option<User>>;
    /// Every user, ordered by username.
    async fn list_users(&self) -> Result<Vec<User>>;
    /// Replaces a user's role, links, password hash and disabled flag (not its id or username).
    /// `NotFound` when it does not exist.
    async fn update_user(&self, user: &User) -> Result<()>;

    // --- refresh tokens ---
    async fn create_refresh_family(&self, family: &RefreshFamily) -> Result<()>;
    async fn refresh_family(&self, id: FamilyId) -> Result<Option<RefreshFamily>>;
    /// Sets the family's `revoked_at` (keeps the first time when already set). Idempotent.
    async fn revoke_refresh_family(&self, id: FamilyId, at: DateTime<Utc>) -> Result<()>;
    /// Revokes every family of a user (password change, account disabled); returns how many were live.
    async fn revoke_user_refresh_families(&self, user: UserId, at: DateTime<Utc>) -> Result<u64>;
    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> Result<()>;
    async fn refresh_token(&self, hash: &TokenHash) -> Result<Option<RefreshTokenRecord>>;
    /// Compare-and-set: marks the token used and returns true for exactly one caller; false when it was
    /// already used (or does not exist).
    async fn mark_refresh_token_used(&self, hash: &TokenHash, at: DateTime<Utc>) -> Result<bool>;
    /// Deletes tokens and families whose expiry is before `now`; returns how many records went.
    async fn purge_expired_refresh(&self, now: DateTime<Utc>) -> Result<u64>;

    // --- audit log ---
    /// The entry with the highest `seq`, if any.
    async fn audit_last(&self) -> Result<Option<AuditEntry>>;
    /// Compare-and-set on `seq`: appends the entry if no entry has its `seq` yet and returns true; false
    /// when another appender took that `seq` first (the caller re-reads the head and retries).
    async fn audit_try_append(&self, entry: &AuditEntry) -> Result<bool>;
    /// [`audit_try_append`](Self::audit_try_append) for consecutive entries, in order, stopping at the first
    /// whose `seq` is taken; returns how many were appended. A store that can commit the batch at once
    /// overrides this (all or none, one durable commit — the audit log's group commit).
    async fn audit_try_append_many(&self, entries: &[AuditEntry]) -> Result<usize> {
        for (i, e) in entries.iter().enumerate() {
            if !self.audit_try_append(e).await? {
                return Ok(i);
            }
        }
        Ok(entries.len())
    }
    /// Entries with `seq > after`, ascending, at most `limit`.
    async fn audit_entries(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>>;

    // --- idempotency ---
    /// Atomically starts `record` (state in-progress) unless a live record (not expired at `now`) exists for
    /// its key: `None` when this caller won, `Some(existing)` otherwise. An expired record is replaced.
    async fn idempotency_begin(
        &self,
        record: &IdempotencyRecord,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotencyRecord>>;
    /// Stores the response of the winner and keeps the record until `expires_at`.
    async fn idempotency_complete(&self, key: &str, response: &StoredResponse, expires_at: DateTime<Utc>)
        -> Result<()>;
    /// Deletes an in-progress record (the request failed before a response worth replaying).
    async fn idempotency_abandon(&self, key: &str) -> Result<()>;
    async fn idempotency_get(&self, key: &str) -> Result<Option<IdempotencyRecord>>;
    async fn idempotency_purge_expired(&self, now: DateTime<Utc>) -> Result<u64>;

    // --- event feed ---
    /// Appends an event and returns its sequence number (1, 2, 3, … without gaps, in commit order).
    async fn publish_event(&self, kind: &str, payload: &serde_json::Value, at: DateTime<Utc>) -> Result<u64>;
    /// [`publish_event`](Self::publish_event) for several `(kind, payload, at)`, in order; their sequence
    /// numbers. A store that can commit the batch at once overrides this (the feed's group commit).
    async fn publish_events(&self, events: &[(String, serde_json::Value, DateTime<Utc>)]) -> Result<Vec<u64>> {
        let mut seqs = Vec::with_capacity(events.len());
        for (kind, payload, at) in events {
            seqs.push(self.publish_event(kind, payload, *at).await?);
        }
        Ok(seqs)
    }
    /// Events with `seq > after`, ascending, at most `limit`.
    async fn events_after(&self, after: u64, limit: usize) -> Result<Vec<EventRecord>>;
    /// The highest sequence number (0 when empty): where a new subscriber starts.
    async fn last_event_seq(&self) -> Result<u64>;

    // --- reminder claims ---
    /// True for exactly one caller ever per `(appointment, kind)`, across processes and restarts.
    async fn claim_reminder(&self, appointment: AppointmentId, kind: &str, at: DateTime<Utc>) -> Result<bool>;
    /// Gives a claim back (sending failed), so a later run may try again.
    async fn release_reminder(&self, appointment: AppointmentId, kind: &str) -> Result<()>;
}
