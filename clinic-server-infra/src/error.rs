//! The crate's one error type, with a stable code per variant so the server can map it to problem+json
//! without matching on messages.

use std::time::Duration;

use clinic_core::{ClinicError, ErrorCode};

/// Why an access token (ours or an external issuer's) was refused. The server answers 401 for all of them;
/// the reason goes to the `WWW-Authenticate` error description and to the audit log, never the token itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRejection {
    /// Not three base64url parts of JSON, or claims of the wrong shape.
    Malformed,
    /// `alg: none` or an algorithm this verifier never accepts.
    UnsupportedAlgorithm,
    /// A valid algorithm, but not the one the key is for (HS/RS/EdDSA confusion).
    AlgorithmMismatch,
    /// The signature does not match the header and payload (tampered, or another key).
    BadSignature,
    Expired,
    NotYetValid,
    WrongIssuer,
    WrongAudience,
    /// A claim this verifier requires (`exp`, `iat`, `sub`, `role`, …) is absent or invalid.
    MissingClaim,
    /// The external issuer's JWKS has no key with the token's `kid`.
    UnknownKey,
}

impl TokenRejection {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRejection::Malformed => "malformed",
            TokenRejection::UnsupportedAlgorithm => "unsupported_algorithm",
            TokenRejection::AlgorithmMismatch => "algorithm_mismatch",
            TokenRejection::BadSignature => "bad_signature",
            TokenRejection::Expired => "expired",
            TokenRejection::NotYetValid => "not_yet_valid",
            TokenRejection::WrongIssuer => "wrong_issuer",
            TokenRejection::WrongAudience => "wrong_audience",
            TokenRejection::MissingClaim => "missing_claim",
            TokenRejection::UnknownKey => "unknown_key",
        }
    }
}

impl std::fmt::Display for TokenRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every failure of this crate. Messages never contain a secret (password, token, key) or PII.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum InfraError {
    /// Unknown user, wrong password or disabled account: deliberately one error so a caller cannot tell
    /// which (no user enumeration).
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("username is already taken")]
    UsernameTaken,
    /// Bad input to an infrastructure operation (empty username, weak secret, oversized key, …), with the
    /// core's code for it.
    #[error("invalid {field}: {message}")]
    InvalidInput { code: ErrorCode, field: &'static str, message: String },
    #[error("invalid token: {0}")]
    InvalidToken(TokenRejection),
    /// The refresh token is unknown, expired, or its session was logged out or revoked.
    #[error("refresh token is invalid or expired")]
    RefreshTokenInvalid,
    /// An already-rotated refresh token was presented: the whole session (family) is now revoked.
    #[error("refresh token was already used; the session has been revoked")]
    RefreshTokenReused,
    #[error("too many attempts; retry after {} s", retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },
    /// The same `Idempotency-Key` was used earlier with a different request.
    #[error("idempotency key was already used for a different request")]
    IdempotencyKeyReused,
    /// A request with this `Idempotency-Key` is still being processed.
    #[error("a request with this idempotency key is still in progress")]
    IdempotencyInProgress,
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// The external identity provider (JWKS endpoint) could not be reached or answered garbage.
    #[error("identity provider unavailable: {0}")]
    IdentityProviderUnavailable(String),
    /// A notification could not be delivered.
    #[error("notification failed: {message}")]
    Notification { message: String, retryable: bool },
    /// Invalid configuration (a key that does not parse, an SMTP URL that is wrong, …).
    #[error("configuration: {0}")]
    Config(String),
    /// The store failed; `retryable` tells whether repeating may succeed.
    #[error("store error: {message}")]
    Store { message: String, retryable: bool },
    /// A cryptographic primitive failed unexpectedly (not a bad input).
    #[error("internal error: {0}")]
    Internal(String),
}

impl InfraError {
    /// The stable wire code (SCREAMING_SNAKE_CASE). Codes shared with the core use the core's spelling.
    pub fn code(&self) -> &'static str {
        match self {
            InfraError::InvalidCredentials => "INVALID_CREDENTIALS",
            InfraError::UsernameTaken => "USERNAME_TAKEN",
            InfraError::InvalidInput { code, .. } => code.as_str(),
            InfraError::InvalidToken(_) => "INVALID_TOKEN",
            InfraError::RefreshTokenInvalid => "REFRESH_TOKEN_INVALID",
            InfraError::RefreshTokenReused => "REFRESH_TOKEN_REUSED",
            InfraError::RateLimited { .. } => "RATE_LIMITED",
            InfraError::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            InfraError::IdempotencyInProgress => "IDEMPOTENCY_IN_PROGRESS",
            InfraError::NotFound { .. } => ErrorCode::NotFound.as_str(),
            InfraError::IdentityProviderUnavailable(_) => "IDENTITY_PROVIDER_UNAVAILABLE",
            InfraError::Notification { .. } => "NOTIFICATION_FAILED",
            InfraError::Config(_) => "CONFIG_INVALID",
            InfraError::Store { .. } => ErrorCode::StoreUnavailable.as_str(),
            InfraError::Internal(_) => "INTERNAL",
        }
    }

    /// The HTTP status the server should answer with.
    pub fn http_status(&self) -> u16 {
        match self {
            InfraError::InvalidCredentials
            | InfraError::InvalidToken(_)
            | InfraError::RefreshTokenInvalid
            | InfraError::RefreshTokenReused => 401,
            InfraError::UsernameTaken | InfraError::IdempotencyInProgress => 409,
            InfraError::InvalidInput { .. } => 400,
            InfraError::RateLimited { .. } => 429,
            InfraError::IdempotencyKeyReused => 422,
            InfraError::NotFound { .. } => 404,
            InfraError::IdentityProviderUnavailable(_) | InfraError::Store { .. } => 503,
            InfraError::Notification { .. } => 502,
            InfraError::Config(_) | InfraError::Internal(_) => 500,
        }
    }

    /// For 429: the `Retry-After` value.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            InfraError::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// Whether repeating the same call later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            InfraError::Store { retryable, .. } | InfraError::Notification { retryable, .. } => *retryable,
            InfraError::RateLimited { .. }
            | InfraError::IdempotencyInProgress
            | InfraError::IdentityProviderUnavailable(_) => true,
            _ => false,
        }
    }

    pub(crate) fn invalid(code: ErrorCode, field: &'static str, message: impl Into<String>) -> Self {
        InfraError::InvalidInput { code, field, message: message.into() }
    }

    pub(crate) fn store(message: impl Into<String>) -> Self {
        InfraError::Store { message: message.into(), retryable: false }
    }
}

impl From<ClinicError> for InfraError {
    fn from(e: ClinicError) -> Self {
        match e {
            ClinicError::Store { message, retryable } => InfraError::Store { message, retryable },
            ClinicError::NotFound { entity, id } => InfraError::NotFound { entity, id },
            other => {
                let code = other.code();
                InfraError::InvalidInput { code, field: "", message: other.to_string() }
            }
        }
    }
}

pub type Result<T, E = InfraError> = std::result::Result<T, E>;
