//! Short-lived access tokens (JWT) issued by this server, and their strict verification.
//!
//! Signed with HS256 (a shared secret, what several instances need to accept each other's tokens), RS256 or
//! EdDSA (Ed25519) from PEM keys. Verification trusts nothing in the header: the algorithm is fixed by the
//! configured key, so `alg: none`, an unknown algorithm, or a token of another family (the HS256-signed-with-
//! the-RSA-public-key confusion attack) are refused before any signature check; then signature, `exp`,
//! `nbf`, `iss`, `aud` and the claim shapes are checked.

use std::collections::HashSet;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use clinic_core::ids::{ClinicId, PatientId, PractitionerId, UserId};
use clinic_core::rbac::{Actor, Role};

use crate::error::{InfraError, Result, TokenRejection};
use crate::users::User;

/// Shortest HS256 secret accepted: RFC 7518 §3.2 requires a key at least as long as the hash (256 bits).
pub const MIN_HS256_SECRET_BYTES: usize = 32;
/// Tokens longer than this are refused unparsed (a cheap guard against oversized headers).
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The claims of an access token this server issues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user id.
    pub sub: UserId,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinic: Option<ClinicId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practitioner: Option<PractitionerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<PatientId>,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    /// Unique token id (for audit correlation and a future deny-list).
    pub jti: String,
}

impl AccessClaims {
    /// The core's actor for these claims.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.sub),
            role: self.role,
            clinic_id: self.clinic,
            practitioner_id: self.practitioner,
            patient_id: self.patient,
        }
    }
}

/// The signing key, which also fixes the one algorithm accepted. Debug output never shows key material.
pub struct TokenKey {
    alg: Algorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKey").field("alg", &self.alg).field("key", &"<redacted>").finish()
    }
}

fn config(msg: impl std::fmt::Display) -> InfraError {
    InfraError::Config(msg.to_string())
}

impl TokenKey {
    /// HS256 with a shared secret of at least [`MIN_HS256_SECRET_BYTES`] bytes.
    pub fn hs256(secret: &[u8]) -> Result<Self> {
        if secret.len() < MIN_HS256_SECRET_BYTES {
            return Err(config(format!("the HS256 secret must be at least {MIN_HS256_SECRET_BYTES} bytes")));
        }
        Ok(TokenKey {
            alg: Algorithm::HS256,
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        })
    }

    /// A random HS256 secret for this process only (tokens do not survive a restart and are not accepted
    /// by other instances: configure a shared secret for those).
    pub fn generate_hs256() -> Self {
        let mut secret = [0u8; MIN_HS256_SECRET_BYTES];
        rand::rng().fill_bytes(&mut secret);
        TokenKey {
            alg: Algorithm::HS256,
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
        }
    }

    /// RS256 from a PKCS#1 or PKCS#8 private key PEM and its public key PEM (SPKI or PKCS#1).
    pub fn rs256_pem(private_pem: &[u8], public_pem: &[u8]) -> Result<Self> {
        let key = TokenKey {
            alg: Algorithm::RS256,
            encoding: EncodingKey::from_rsa_pem(private_pem).map_err(|e| config(format!("RSA private key: {e}")))?,
            decoding: DecodingKey::from_rsa_pem(public_pem).map_err(|e| config(format!("RSA public key: {e}")))?,
        };
        key.self_test()?;
        Ok(key)
    }

    /// EdDSA (Ed25519) from a PKCS#8 private key PEM and its SPKI public key PEM.
    pub fn ed25519_pem(private_pem: &[u8], public_pem: &[u8]) -> Result<Self> {
        let key = TokenKey {
            alg: Algorithm::EdDSA,
            encoding: EncodingKey::from_ed_pem(private_pem).map_err(|e| config(format!("Ed25519 private key: {e}")))?,
            decoding: DecodingKey::from_ed_pem(public_pem).map_err(|e| config(format!("Ed25519 public key: {e}")))?,
        };
        key.self_test()?;
        Ok(key)
    }

    /// The one algorithm this key signs and accepts.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// Signs and verifies a probe, so a private key that does not match its public key fails at startup
    /// instead of on every request.
    fn self_test(&self) -> Result<()> {
        let probe = serde_json::json!({ "probe": true });
        let token = jsonwebtoken::encode(&Header::new(self.alg), &probe, &self.encoding)
            .map_err(|e| config(format!("the key cannot sign: {e}")))?;
        let mut v = Validation::new(self.alg);
        v.required_spec_claims = HashSet::new();
        v.validate_exp = false;
        v.validate_aud = false;
        jsonwebtoken::decode::<serde_json::Value>(&token, &self.decoding, &v)
            .map(|_| ())
            .map_err(|_| config("the private key and the public key do not belong together"))
    }
}

/// What the issuer needs.
#[derive(Debug)]
pub struct TokenConfig {
    pub key: TokenKey,
    /// `iss` of issued tokens, and the only one accepted.
    pub issuer: String,
    /// `aud` of issued tokens, and the only one accepted.
    pub audience: String,
    /// Lifetime of an access token (short: refresh tokens renew it).
    pub ttl: Duration,
    /// Clock skew tolerated on `exp`/`nbf` between instances.
    pub leeway: Duration,
}

impl TokenConfig {
    pub fn new(key: TokenKey, issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        TokenConfig {
            key,
            issuer: issuer.into(),
            audience: audience.into(),
            ttl: Duration::from_secs(15 * 60),
            leeway: Duration::from_secs(5),
        }
    }
}

/// An issued access token: hand `token` to the client.
#[derive(Debug, Clone)]
pub struct IssuedAccessToken {
    pub token: SecretString,
    pub claims: AccessClaims,
    /// Seconds until expiry (the `expires_in` of the login response).
    pub expires_in: u64,
}

/// Issues and verifies this server's access tokens.
#[derive(Debug)]
pub struct AccessTokens {
    cfg: TokenConfig,
    validation: Validation,
}

impl AccessTokens {
    pub fn new(cfg: TokenConfig) -> Result<Self> {
        if cfg.issuer.trim().is_empty() || cfg.audience.trim().is_empty() {
            return Err(config("token issuer and audience must not be empty"));
        }
        if cfg.ttl.is_zero() {
            return Err(config("the access token lifetime must be positive"));
        }
        let mut v = Validation::new(cfg.key.alg);
        v.algorithms = vec![cfg.key.alg];
        v.set_issuer(&[cfg.issuer.as_str()]);
        v.set_audience(&[cfg.audience.as_str()]);
        v.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        v.validate_exp = true;
        v.validate_nbf = true;
        v.leeway = cfg.leeway.as_secs();
        Ok(AccessTokens { cfg, validation: v })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.cfg.key.alg
    }

    pub fn ttl(&self) -> Duration {
        self.cfg.ttl
    }

    /// Issues a token for `user`, valid from now for the configured lifetime.
    pub fn issue(&self, user: &User) -> Result<IssuedAccessToken> {
        self.issue_at(user, Utc::now())
    }

    pub fn issue_at(&self, user: &User, now: DateTime<Utc>) -> Result<IssuedAccessToken> {
        let iat = now.timestamp();
        let ttl = i64::try_from(self.cfg.ttl.as_secs()).unwrap_or(i64::MAX / 4);
        let claims = AccessClaims {
            sub: user.id,
            role: user.role,
            clinic: user.clinic_id,
            practitioner: user.practitioner_id,
            patient: user.patient_id,
            iss: self.cfg.issuer.clone(),
            aud: self.cfg.audience.clone(),
            exp: iat.saturating_add(ttl),
            iat,
            nbf: iat,
            jti: Uuid::now_v7().to_string(),
        };
        let token = self.sign(&claims)?;
        Ok(IssuedAccessToken { token: SecretString::from(token), claims, expires_in: self.cfg.ttl.as_secs() })
    }

    /// Signs arbitrary claims with the configured key (tests use it to craft tokens; the server only
    /// issues through [`issue`](Self::issue)).
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String> {
        let mut header = Header::new(self.cfg.key.alg);
        header.typ = Some("JWT".into());
        jsonwebtoken::encode(&header, claims, &self.cfg.key.encoding)
            .map_err(|e| InfraError::Internal(format!("cannot sign a token: {e}")))
    }

    /// Verifies a bearer token strictly (see the module doc) and returns its claims.
    pub fn verify(&self, token: &str) -> Result<AccessClaims> {
        check_header(token, self.cfg.key.alg)?;
        jsonwebtoken::decode::<AccessClaims>(token, &self.cfg.key.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| InfraError::InvalidToken(rejection(e.kind())))
    }
}

/// Splits and inspects the header before any library decoding, so that `alg: none` and algorithm
/// confusion are refused by a rule of ours rather than by a library default.
pub(crate) fn check_header(token: &str, expected: Algorithm) -> Result<serde_json::Map<String, serde_json::Value>> {
    let bad = |r| InfraError::InvalidToken(r);
    if token.len() > MAX_TOKEN_BYTES {
        return Err(bad(TokenRejection::Malformed));
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(bad(TokenRejection::Malformed));
    }
    let raw = URL_SAFE_NO_PAD.decode(parts[0]).map_err(|_| bad(TokenRejection::Malformed))?;
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&raw).map_err(|_| bad(TokenRejection::Malformed))?;
    let alg = header.get("alg").and_then(|a| a.as_str()).ok_or(bad(TokenRejection::Malformed))?;
    if alg.eq_ignore_ascii_case("none") {
        return Err(bad(TokenRejection::UnsupportedAlgorithm));
    }
    let alg: Algorithm = alg.parse().map_err(|_| bad(TokenRejection::UnsupportedAlgorithm))?;
    if alg != expected {
        return Err(bad(TokenRejection::AlgorithmMismatch));
    }
    if parts[2].is_empty() {
        return Err(bad(TokenRejection::BadSignature));
    }
    Ok(header)
}

pub(crate) fn rejection(kind: &ErrorKind) -> TokenRejection {
    match kind {
        ErrorKind::InvalidSignature => TokenRejection::BadSignature,
        ErrorKind::ExpiredSignature => TokenRejection::Expired,
        ErrorKind::ImmatureSignature => TokenRejection::NotYetValid,
        ErrorKind::InvalidIssuer => TokenRejection::WrongIssuer,
        ErrorKind::InvalidAudience => TokenRejection::WrongAudience,
        ErrorKind::MissingRequiredClaim(_) | ErrorKind::InvalidSubject => TokenRejection::MissingClaim,
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => TokenRejection::AlgorithmMismatch,
        ErrorKind::InvalidAlgorithmName => TokenRejection::UnsupportedAlgorithm,
        // A payload that is JSON but not our claims' shape (a role we do not know, an id that is no UUID).
        ErrorKind::Json(_) => TokenRejection::MissingClaim,
        _ => TokenRejection::Malformed,
    }
}

/// Exposes a secret for the few places that must hand it over (the HTTP response body).
pub fn expose(token: &SecretString) -> &str {
    token.expose_secret()
}
