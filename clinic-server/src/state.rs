//! What every handler shares: the core's scheduler over the chosen store, and the ports of the server's
//! own concerns (authentication, idempotency records) that `clinic-server-infra` implements.

use std::net::IpAddr;
use std::sync::Arc;

use async_trait::async_trait;
use clinic_core::ports::Store;
use clinic_core::rbac::Actor;
use clinic_core::Scheduler;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::imports::RecentImports;

/// The store behind the scheduler, kept concretely for the operations the `Store` port does not cover
/// (backup, readiness).
#[derive(Clone)]
pub enum Backend {
    Sqlite(Arc<clinic_sqlite::SqliteStore>),
    Mongo(Arc<clinic_mongo::MongoStore>),
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite(_) => "Backend::Sqlite",
            Backend::Mongo(_) => "Backend::Mongo",
        })
    }
}

impl Backend {
    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Backend::Sqlite(s) => s.clone(),
            Backend::Mongo(m) => m.clone(),
        }
    }
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "sqlite",
            Backend::Mongo(_) => "mongodb",
        }
    }
}

/// An access + refresh token pair, the body of login and refresh.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// Authentication as the HTTP layer needs it. Errors are already problems (401, 429 with `Retry-After`).
#[async_trait]
pub trait AuthPort: Send + Sync {
    async fn login(&self, username: &str, password: &str, ip: IpAddr) -> Result<TokenPair, AppError>;
    async fn refresh(&self, refresh_token: &str, ip: IpAddr) -> Result<TokenPair, AppError>;
    async fn logout(&self, refresh_token: &str) -> Result<(), AppError>;
    /// The actor of a valid access token; 401 for anything else.
    async fn verify_access(&self, token: &str) -> Result<Actor, AppError>;
}

/// A stored answer to a creating POST, replayed when the same `Idempotency-Key` comes again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    pub status: u16,
    /// JSON text.
    pub body: String,
}

/// What [`IdempotencyPort::begin`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The first request under this key: run it, then `complete` (or `abandon` on failure).
    Proceed,
    /// An identical earlier request completed: answer with its response.
    Replay(StoredResponse),
}

/// Idempotency records, claimed before the work runs so two instances cannot both run a retried request.
/// Keys are scoped per actor; a key reused with a different request is refused (`IDEMPOTENCY_KEY_REUSED`),
/// one still running answers `IDEMPOTENCY_IN_PROGRESS` (409).
#[async_trait]
pub trait IdempotencyPort: Send + Sync {
    fn fingerprint(&self, method: &str, path: &str, body: &[u8]) -> String;
    async fn begin(&self, actor: &str, key: &str, fingerprint: &str) -> Result<Begin, AppError>;
    async fn complete(&self, actor: &str, key: &str, resp: &StoredResponse) -> Result<(), AppError>;
    async fn abandon(&self, actor: &str, key: &str) -> Result<(), AppError>;
}

/// Shared state of the router (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    pub scheduler: Scheduler<dyn Store>,
    pub backend: Backend,
    pub auth: Arc<dyn AuthPort>,
    pub idempotency: Arc<dyn IdempotencyPort>,
    pub imports: Arc<RecentImports>,
    /// Metrics, audit log, live updates and notifications (see `crate::ops`).
    pub ops: crate::ops::Ops,
    /// The server's own records (audit log, accounts) for what the ports above do not cover.
    pub infra: Arc<crate::infra::Infra>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("backend", &self.backend).finish_non_exhaustive()
    }
}
