//! Rotating refresh tokens.
//!
//! A token is 256 random bits (base64url), given to the client once and stored only as its SHA-256. Tokens
//! of one login form a *family*. Refreshing marks the presented token used (compare-and-set: one winner) and
//! issues the family's next token. Presenting a token that was already used means it was copied — by an
//! attacker or by the legitimate client after an attacker used it first — so the whole family is revoked
//! and both parties have to log in again (OAuth 2.0 Security BCP §4.14.2). Logout revokes the family.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use clinic_core::ids::UserId;

use crate::error::{InfraError, Result};
use crate::store::InfraStore;

/// Identifies one login session's chain of refresh tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FamilyId(pub Uuid);

impl FamilyId {
    pub fn new() -> Self {
        FamilyId(Uuid::now_v7())
    }
}

impl Default for FamilyId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for FamilyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The SHA-256 of a refresh token, lowercase hex: what the store keeps instead of the token.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenHash(pub String);

impl TokenHash {
    pub fn of(token: &str) -> Self {
        TokenHash(hex::encode(Sha256::digest(token.as_bytes())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One login session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshFamily {
    pub id: FamilyId,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    /// The session's absolute end: rotation never extends past it.
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One stored refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    pub hash: TokenHash,
    pub family: FamilyId,
    pub user_id: UserId,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Set once, when the token was rotated (or consumed by logout).
    pub used_at: Option<DateTime<Utc>>,
}

/// A freshly issued refresh token. `token` is the only copy of the secret: hand it to the client.
#[derive(Debug, Clone)]
pub struct IssuedRefreshToken {
    pub token: SecretString,
    pub family: FamilyId,
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
}

/// Lifetimes of refresh tokens.
#[derive(Debug, Clone, Copy)]
pub struct RefreshPolicy {
    /// How long one token stays valid if not rotated.
    pub token_ttl: Duration,
    /// How long a session lasts at most, however often it is refreshed.
    pub session_ttl: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        RefreshPolicy {
            token_ttl: Duration::from_secs(14 * 24 * 3600),
            session_ttl: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// Issues, rotates and revokes refresh tokens over an [`InfraStore`].
#[derive(Debug, Clone)]
pub struct RefreshTokens {
    store: Arc<dyn InfraStore>,
    policy: RefreshPolicy,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn add(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(3650))
}

/// Refresh tokens are 43 base64url characters; anything far off is refused before hashing or a store read.
const MAX_TOKEN_CHARS: usize = 128;

impl RefreshTokens {
    pub fn new(store: Arc<dyn InfraStore>, policy: RefreshPolicy) -> Self {
        RefreshTokens { store, policy }
    }

    pub fn policy(&self) -> RefreshPolicy {
        self.policy
    }

    /// Starts a new session (login) for `user`.
    pub async fn issue(&self, user: UserId) -> Result<IssuedRefreshToken> {
        self.issue_at(user, Utc::now()).await
    }

    pub async fn issue_at(&self, user: UserId, now: DateTime<Utc>) -> Result<IssuedRefreshToken> {
        let family = RefreshFamily {
            id: FamilyId::new(),
            user_id: user,
            created_at: now,
            expires_at: add(now, self.policy.session_ttl),
            revoked_at: None,
        };
        self.store.create_refresh_family(&family).await?;
        self.next_token(&family, now).await
    }

    async fn next_token(&self, family: &RefreshFamily, now: DateTime<Utc>) -> Result<IssuedRefreshToken> {
        let token = random_token();
        let expires_at = add(now, self.policy.token_ttl).min(family.expires_at);
        let rec = RefreshTokenRecord {
            hash: TokenHash::of(&token),
            family: family.id,
            user_id: family.user_id,
            issued_at: now,
            expires_at,
            used_at: None,
        };
        self.store.insert_refresh_token(&rec).await?;
        Ok(IssuedRefreshToken {
            token: SecretString::from(token),
            family: family.id,
            user_id: family.user_id,
            expires_at,
        })
    }

    /// Exchanges a refresh token for the next one of its family. Errors: `RefreshTokenInvalid` (unknown,
    /// expired, logged out, revoked), `RefreshTokenReused` (already rotated: the family is now revoked).
    pub async fn rotate(&self, token: &SecretString) -> Result<IssuedRefreshToken> {
        self.rotate_at(token, Utc::now()).await
    }

    pub async fn rotate_at(&self, token: &SecretString, now: DateTime<Utc>) -> Result<IssuedRefreshToken> {
        let (rec, family) = self.live_record(token, now).await?;
        if rec.used_at.is_some() {
            self.store.revoke_refresh_family(family.id, now).await?;
            return Err(InfraError::RefreshTokenReused);
        }
        if !self.store.mark_refresh_token_used(&rec.hash, now).await? {
            // Another request rotated the same token between our read and our write: one of the two is a copy.
            self.store.revoke_refresh_family(family.id, now).await?;
            return Err(InfraError::RefreshTokenReused);
        }
        let next = self.next_token(&family, now).await?;
        // A reuse detected concurrently may have revoked the family after our check: do not hand out a token
        // of a revoked family.
        match self.store.refresh_family(family.id).await? {
            Some(f) if f.revoked_at.is_none() => Ok(next),
            _ => Err(InfraError::RefreshTokenReused),
        }
    }

    /// The record and family of a token that exists, is not expired and whose family is live.
    async fn live_record(
        &self,
        token: &SecretString,
        now: DateTime<Utc>,
    ) -> Result<(RefreshTokenRecord, RefreshFamily)> {
        let t = token.expose_secret();
        if t.is_empty() || t.len() > MAX_TOKEN_CHARS {
            return Err(InfraError::RefreshTokenInvalid);
        }
        let rec = self.store.refresh_token(&TokenHash::of(t)).await?.ok_or(InfraError::RefreshTokenInvalid)?;
        let family = self.store.refresh_family(rec.family).await?.ok_or(InfraError::RefreshTokenInvalid)?;
        if family.revoked_at.is_some() || family.expires_at <= now || rec.expires_at <= now {
            return Err(InfraError::RefreshTokenInvalid);
        }
        Ok((rec, family))
    }

    /// Logout: revokes the token's family. Returns the user whose session ended. An unknown or expired token
    /// is `RefreshTokenInvalid` (the server may still answer 204: logging out twice is harmless).
    pub async fn revoke(&self, token: &SecretString) -> Result<UserId> {
        let now = Utc::now();
        let t = token.expose_secret();
        if t.is_empty() || t.len() > MAX_TOKEN_CHARS {
            return Err(InfraError::RefreshTokenInvalid);
        }
        let rec = self.store.refresh_token(&TokenHash::of(t)).await?.ok_or(InfraError::RefreshTokenInvalid)?;
        self.store.revoke_refresh_family(rec.family, now).await?;
        Ok(rec.user_id)
    }

    /// Ends every session of a user (password change, account disabled).
    pub async fn revoke_user(&self, user: UserId) -> Result<u64> {
        self.store.revoke_user_refresh_families(user, Utc::now()).await
    }

    /// Removes expired tokens and sessions (run periodically).
    pub async fn purge_expired(&self) -> Result<u64> {
        self.store.purge_expired_refresh(Utc::now()).await
    }
}
