//! The server's own records (accounts, refresh tokens, idempotency, audit, events, reminder claims) behind
//! the same dependency as the scheduling store when they share the database: one breaker for one MongoDB,
//! so a login or an idempotent booking fails as fast as a scheduling read while the database is down.
//! Reads and monotonic flag updates are retried; inserts under a unique key (claims, appends) are not.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use clinic_core::ids::{AppointmentId, UserId};
use clinic_server_infra::audit::AuditEntry;
use clinic_server_infra::error::Result;
use clinic_server_infra::events::EventRecord;
use clinic_server_infra::idempotency::{IdempotencyRecord, StoredResponse};
use clinic_server_infra::refresh::{FamilyId, RefreshFamily, RefreshTokenRecord, TokenHash};
use clinic_server_infra::resilience::{unavailable_message, CallError, Dependency};
use clinic_server_infra::users::User;
use clinic_server_infra::{InfraError, InfraStore};

/// Forwards to the inner records store through the dependency's breaker and policy.
#[derive(Debug)]
pub struct ResilientRecords {
    inner: Arc<dyn InfraStore>,
    dep: Dependency,
}

impl ResilientRecords {
    pub fn new(inner: Arc<dyn InfraStore>, dep: Dependency) -> Self {
        ResilientRecords { inner, dep }
    }
}

fn is_outage(e: &InfraError) -> bool {
    matches!(e, InfraError::Store { retryable: true, .. })
}

fn records_error(dep: &Dependency, e: CallError<InfraError>) -> InfraError {
    let message = match e {
        CallError::Failed(e) if !is_outage(&e) => return e,
        CallError::Failed(e) => unavailable_message(dep.name(), &e.to_string()),
        CallError::Open => unavailable_message(dep.name(), "breaker open"),
        CallError::Timeout(t) => unavailable_message(dep.name(), &format!("no answer within {t:?}")),
    };
    InfraError::Store { message, retryable: true }
}

macro_rules! guarded {
    ($self:ident, $repeatable:expr, $call:expr) => {{
        $self.dep.call($repeatable, || $call, is_outage).await.map_err(|e| records_error(&$self.dep, e))
    }};
}

#[async_trait]
impl InfraStore for ResilientRecords {
    async fn ping(&self) -> Result<()> {
        guarded!(self, true, self.inner.ping())
    }
    async fn create_user(&self, user: &User) -> Result<()> {
        guarded!(self, false, self.inner.create_user(user))
    }
    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        guarded!(self, true, self.inner.user_by_id(id))
    }
    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        guarded!(self, true, self.inner.user_by_username(username))
    }
    async fn list_users(&self) -> Result<Vec<User>> {
        guarded!(self, true, self.inner.list_users())
    }
    async fn update_user(&self, user: &User) -> Result<()> {
        guarded!(self, true, self.inner.update_user(user))
    }
    async fn create_refresh_family(&self, family: &RefreshFamily) -> Result<()> {
        guarded!(self, false, self.inner.create_refresh_family(family))
    }
    async fn refresh_family(&self, id: FamilyId) -> Result<Option<RefreshFamily>> {
        guarded!(self, true, self.inner.refresh_family(id))
    }
    async fn revoke_refresh_family(&self, id: FamilyId, at: DateTime<Utc>) -> Result<()> {
        guarded!(self, true, self.inner.revoke_refresh_family(id, at))
    }
    async fn revoke_user_refresh_families(&self, user: UserId, at: DateTime<Utc>) -> Result<u64> {
        guarded!(self, true, self.inner.revoke_user_refresh_families(user, at))
    }
    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> Result<()> {
        guarded!(self, false, self.inner.insert_refresh_token(token))
    }
    async fn refresh_token(&self, hash: &TokenHash) -> Result<Option<RefreshTokenRecord>> {
        guarded!(self, true, self.inner.refresh_token(hash))
    }
    async fn mark_refresh_token_used(&self, hash: &TokenHash, at: DateTime<Utc>) -> Result<bool> {
        // Not repeated: the answer says whether *this* call was the first use (reuse detection).
        guarded!(self, false, self.inner.mark_refresh_token_used(hash, at))
    }
    async fn purge_expired_refresh(&self, now: DateTime<Utc>) -> Result<u64> {
        guarded!(self, true, self.inner.purge_expired_refresh(now))
    }
    async fn audit_last(&self) -> Result<Option<AuditEntry>> {
        guarded!(self, true, self.inner.audit_last())
    }
    async fn audit_try_append(&self, entry: &AuditEntry) -> Result<bool> {
        guarded!(self, false, self.inner.audit_try_append(entry))
    }
    async fn audit_entries(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>> {
        guarded!(self, true, self.inner.audit_entries(after, limit))
    }
    async fn idempotency_begin(
        &self,
        record: &IdempotencyRecord,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotencyRecord>> {
        guarded!(self, false, self.inner.idempotency_begin(record, now))
    }
    async fn idempotency_complete(
        &self,
        key: &str,
        response: &StoredResponse,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        guarded!(self, true, self.inner.idempotency_complete(key, response, expires_at))
    }
    async fn idempotency_abandon(&self, key: &str) -> Result<()> {
        guarded!(self, true, self.inner.idempotency_abandon(key))
    }
    async fn idempotency_get(&self, key: &str) -> Result<Option<IdempotencyRecord>> {
        guarded!(self, true, self.inner.idempotency_get(key))
    }
    async fn idempotency_purge_expired(&self, now: DateTime<Utc>) -> Result<u64> {
        guarded!(self, true, self.inner.idempotency_purge_expired(now))
    }
    async fn publish_event(&self, kind: &str, payload: &serde_json::Value, at: DateTime<Utc>) -> Result<u64> {
        guarded!(self, false, self.inner.publish_event(kind, payload, at))
    }
    async fn events_after(&self, after: u64, limit: usize) -> Result<Vec<EventRecord>> {
        guarded!(self, true, self.inner.events_after(after, limit))
    }
    async fn last_event_seq(&self) -> Result<u64> {
        guarded!(self, true, self.inner.last_event_seq())
    }
    async fn claim_reminder(&self, appointment: AppointmentId, kind: &str, at: DateTime<Utc>) -> Result<bool> {
        guarded!(self, false, self.inner.claim_reminder(appointment, kind, at))
    }
    async fn release_reminder(&self, appointment: AppointmentId, kind: &str) -> Result<()> {
        guarded!(self, true, self.inner.release_reminder(appointment, kind))
    }
}
