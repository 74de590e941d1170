//! The server's ports implemented with `clinic-server-infra`: accounts (Argon2), access tokens (JWT,
//! strictly verified), rotating refresh-token families, login/refresh rate limits, idempotency records and the
//! hash-chained audit log — stored next to the scheduling data (SQLite file in the data directory, or the
//! same MongoDB).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::http::StatusCode;
use clinic_core::rbac::{Actor, Role};
use clinic_server_infra::audit::{AuditActor, AuditLog, AuditOutcome, AuditTarget, NewAuditEntry};
use clinic_server_infra::idempotency::{self as idem, BeginOutcome, Idempotency, IdempotencyPolicy};
use clinic_server_infra::ratelimit::AuthRateLimiter;
use clinic_server_infra::refresh::{RefreshPolicy, RefreshTokens};
use clinic_server_infra::tokens::{AccessTokens, TokenConfig, TokenKey};
use clinic_server_infra::users::{Accounts, NewUser};
use clinic_server_infra::{InfraError, InfraStore, MongoInfraStore, SqliteInfraStore};
use secrecy::{ExposeSecret, SecretString};

use crate::error::AppError;
use crate::state::{AuthPort, Backend, Begin, IdempotencyPort, StoredResponse, TokenPair};
use crate::store::StoreChoice;

/// `iss` and `aud` of this server's access tokens.
pub const ISSUER: &str = "clinic-server";
pub const AUDIENCE: &str = "clinic-api";
/// The file in the data directory that keeps the generated signing secret.
pub const SECRET_FILE: &str = "jwt-secret";

impl From<InfraError> for AppError {
    fn from(e: InfraError) -> Self {
        if let InfraError::Store { message, .. } = &e {
            if let Some(dep) = clinic_server_infra::resilience::dependency_of(message) {
                tracing::warn!(code = "DEPENDENCY_UNAVAILABLE", error = %e, "server records unavailable");
                return AppError::dependency_unavailable(dep);
            }
        }
        let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        // Store and internal messages may carry driver details: they are logged, not sent.
        let detail =
            if status.is_server_error() { "the server's records are unavailable".to_string() } else { e.to_string() };
        if status.is_server_error() {
            tracing::error!(code = e.code(), error = %e, "infrastructure failure");
        }
        AppError::Http { status, code: e.code(), detail, retry_after: e.retry_after().map(|d| d.as_secs().max(1)) }
    }
}

/// Everything of `clinic-server-infra` the server uses.
#[derive(Debug, Clone)]
pub struct Infra {
    pub store: Arc<dyn InfraStore>,
    pub accounts: Accounts,
    pub tokens: Arc<AccessTokens>,
    pub refresh: RefreshTokens,
    pub limiter: Arc<AuthRateLimiter>,
    pub idempotency: Idempotency,
    pub audit: AuditLog,
}

/// Reads the signing secret from `--jwt-secret`, else from the data directory (generated on first start).
fn signing_key(choice: &StoreChoice, secret: Option<&str>) -> Result<TokenKey, String> {
    if let Some(s) = secret {
        return TokenKey::hs256(s.as_bytes()).map_err(|e| format!("--jwt-secret: {e}"));
    }
    match choice {
        StoreChoice::Dir(dir) => {
            let path = dir.join(SECRET_FILE);
            let bytes = match std::fs::read(&path) {
                Ok(b) => b,
                Err(_) => {
                    let key: [u8; 32] = rand::random();
                    let text = hex_encode(&key);
                    crate::secrets::write_private(&path, text.as_bytes())?;
                    text.into_bytes()
                }
            };
            TokenKey::hs256(&bytes).map_err(|e| format!("{}: {e}", path.display()))
        }
        // Without a shared secret, each instance signs with its own random key (tokens do not cross instances).
        StoreChoice::Mongo(_) => Ok(TokenKey::generate_hs256()),
    }
}

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Infra {
    /// Opens the server's records where the scheduling data lives.
    pub async fn open(choice: &StoreChoice, backend: &Backend, secret: Option<&str>) -> Result<Infra, String> {
        Self::open_with(choice, backend, secret, |s| s).await
    }

    /// [`open`](Self::open), with the records store wrapped by `guard` (the dependency's breaker).
    pub async fn open_with(
        choice: &StoreChoice,
        backend: &Backend,
        secret: Option<&str>,
        guard: impl FnOnce(Arc<dyn InfraStore>) -> Arc<dyn InfraStore>,
    ) -> Result<Infra, String> {
        let store: Arc<dyn InfraStore> = match (choice, backend) {
            (StoreChoice::Dir(dir), _) => Arc::new(
                SqliteInfraStore::open_in_dir(dir).map_err(|e| format!("cannot open the server records: {e}"))?,
            ),
            // The same database (and connection pool) as the scheduling data.
            (StoreChoice::Mongo(_), Backend::Mongo(m)) => Arc::new(
                MongoInfraStore::with_client(m.client().clone(), m.database().name())
                    .await
                    .map_err(|e| format!("cannot open the server records: {e}"))?,
            ),
            (StoreChoice::Mongo(_), Backend::Sqlite(_)) => return Err("store and records disagree".into()),
        };
        Self::over(guard(store), signing_key(choice, secret)?)
    }

    /// The infrastructure over an opened store and key (tests use an in-memory store).
    pub fn over(store: Arc<dyn InfraStore>, key: TokenKey) -> Result<Infra, String> {
        let tokens = AccessTokens::new(TokenConfig::new(key, ISSUER, AUDIENCE)).map_err(|e| e.to_string())?;
        Ok(Infra {
            accounts: Accounts::new(store.clone()),
            tokens: Arc::new(tokens),
            refresh: RefreshTokens::new(store.clone(), RefreshPolicy::default()),
            limiter: Arc::new(AuthRateLimiter::with_defaults()),
            idempotency: Idempotency::new(store.clone(), IdempotencyPolicy::default()),
            audit: AuditLog::new(store.clone()),
            store,
        })
    }

    /// Creates a user (`user add`, the demo seed).
    pub async fn add_user(&self, new: NewUser) -> Result<clinic_server_infra::users::User, AppError> {
        Ok(self.accounts.create(new).await?)
    }

    /// Appends one audit entry; a failure is logged (the request it describes already happened).
    pub async fn record(
        &self,
        actor: Option<&Actor>,
        action: &str,
        kind: &str,
        id: Option<String>,
        client: Option<IpAddr>,
        outcome: Result<(), &str>,
    ) {
        let entry = NewAuditEntry {
            at: chrono::Utc::now(),
            actor: AuditActor { user_id: actor.and_then(|a| a.user_id), role: actor.map(|a| a.role) },
            action: action.to_string(),
            target: AuditTarget { kind: kind.to_string(), id },
            client: client.map(|c| c.to_string()),
            outcome: match outcome {
                Ok(()) => AuditOutcome::Success,
                Err("FORBIDDEN" | "UNAUTHENTICATED" | "NOT_FOUND") => AuditOutcome::Denied,
                Err(_) => AuditOutcome::Failed,
            },
            code: outcome.err().map(str::to_string),
        };
        if let Err(e) = self.audit.append(entry).await {
            tracing::error!(code = e.code(), "audit append failed");
        }
    }

    async fn pair(
        &self,
        user: &clinic_server_infra::users::User,
        refresh: SecretString,
    ) -> Result<TokenPair, AppError> {
        let access = self.tokens.issue(user)?;
        Ok(TokenPair {
            access_token: access.token.expose_secret().to_string(),
            refresh_token: refresh.expose_secret().to_string(),
            token_type: "Bearer".into(),
            expires_in: access.expires_in,
        })
    }
}

#[async_trait]
impl AuthPort for Infra {
    async fn login(&self, username: &str, password: &str, ip: IpAddr) -> Result<TokenPair, AppError> {
        self.limiter.check(ip, Some(username))?;
        let user = match self.accounts.authenticate(username, SecretString::from(password.to_string())).await {
            Ok(u) => u,
            Err(e) => {
                self.record(None, "auth.login", "user", None, Some(ip), Err(e.code())).await;
                return Err(e.into());
            }
        };
        let refresh = self.refresh.issue(user.id).await?;
        self.record(Some(&user.actor()), "auth.login", "user", Some(user.id.to_string()), Some(ip), Ok(())).await;
        self.pair(&user, refresh.token).await
    }

    async fn refresh(&self, refresh_token: &str, ip: IpAddr) -> Result<TokenPair, AppError> {
        self.limiter.check(ip, None)?;
        let next = self.refresh.rotate(&SecretString::from(refresh_token.to_string())).await?;
        let user = self.accounts.get(next.user_id).await?;
        if user.disabled {
            self.refresh.revoke(&next.token).await.ok();
            return Err(AppError::unauthenticated("the account is disabled"));
        }
        self.pair(&user, next.token).await
    }

    async fn logout(&self, refresh_token: &str) -> Result<(), AppError> {
        match self.refresh.revoke(&SecretString::from(refresh_token.to_string())).await {
            // Logging out twice, or with an expired token, is harmless.
            Ok(_) | Err(InfraError::RefreshTokenInvalid) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn verify_access(&self, token: &str) -> Result<Actor, AppError> {
        match self.tokens.verify(token) {
            Ok(claims) => Ok(claims.actor()),
            Err(e) => Err(AppError::unauthenticated(e.to_string())),
        }
    }
}

#[async_trait]
impl IdempotencyPort for Infra {
    fn fingerprint(&self, method: &str, path: &str, body: &[u8]) -> String {
        idem::fingerprint(method, path, body)
    }
    async fn begin(&self, actor: &str, key: &str, fingerprint: &str) -> Result<Begin, AppError> {
        Ok(match self.idempotency.begin(actor, key, fingerprint).await? {
            BeginOutcome::Proceed => Begin::Proceed,
            BeginOutcome::Replay(r) => {
                Begin::Replay(StoredResponse { status: r.status, body: String::from_utf8_lossy(&r.body).into_owned() })
            }
        })
    }
    async fn complete(&self, actor: &str, key: &str, resp: &StoredResponse) -> Result<(), AppError> {
        let stored = idem::StoredResponse {
            status: resp.status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: resp.body.clone().into_bytes(),
        };
        Ok(self.idempotency.complete(actor, key, &stored).await?)
    }
    async fn abandon(&self, actor: &str, key: &str) -> Result<(), AppError> {
        Ok(self.idempotency.abandon(actor, key).await?)
    }
}

/// Parses a role name for `user add`.
pub fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("unknown role {s:?} (admin, scheduler, practitioner, patient)"))
}

/// How long the rate limiter remembers idle keys between sweeps.
pub const LIMITER_SWEEP: Duration = Duration::from_secs(60);
