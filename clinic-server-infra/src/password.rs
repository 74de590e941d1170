//! Password hashing with Argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes, 1 lane — OWASP's
//! minimum recommendation), stored as PHC strings so parameters can be raised later without a migration.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash as PhcHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use secrecy::{ExposeSecret, SecretString};

use clinic_core::ErrorCode;

use crate::error::{InfraError, Result};

/// Longest password accepted: Argon2 hashes any length, but an unbounded input is a cheap CPU attack.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Shortest password accepted for new accounts.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A PHC-format Argon2 hash. Not a secret in the cryptographic sense, but an offline-crackable one, so it
/// never appears in Debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a stored PHC string (as read from a store). Checked when verifying.
    pub fn from_phc(phc: impl Into<String>) -> Self {
        PasswordHash(phc.into())
    }

    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

fn check_length(password: &str) -> Result<()> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(InfraError::invalid(ErrorCode::TooLong, "password", format!("at most {MAX_PASSWORD_BYTES} bytes")));
    }
    Ok(())
}

/// Hashes a new password (with a fresh random salt). Refuses passwords shorter than [`MIN_PASSWORD_CHARS`].
pub fn hash_password(password: &SecretString) -> Result<PasswordHash> {
    let p = password.expose_secret();
    check_length(p)?;
    if p.chars().count() < MIN_PASSWORD_CHARS {
        return Err(InfraError::invalid(
            ErrorCode::Required,
            "password",
            format!("at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    hash_unchecked(p)
}

fn hash_unchecked(p: &str) -> Result<PasswordHash> {
    let mut salt_bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| InfraError::Internal(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(p.as_bytes(), &salt)
        .map(|h| PasswordHash(h.to_string()))
        .map_err(|e| InfraError::Internal(format!("argon2 hashing failed: {e}")))
}

/// Whether `password` matches `hash`. The comparison inside `argon2` is constant-time; a hash that does not
/// parse counts as a mismatch (after spending the same work on the dummy hash, so timing does not tell).
pub fn verify_password(password: &SecretString, hash: &PasswordHash) -> bool {
    let p = password.expose_secret();
    if p.len() > MAX_PASSWORD_BYTES {
        dummy_verify(password);
        return false;
    }
    match PhcHash::new(&hash.0) {
        Ok(parsed) => Argon2::default().verify_password(p.as_bytes(), &parsed).is_ok(),
        Err(_) => {
            dummy_verify(password);
            false
        }
    }
}

/// Spends the same work as a real verification, for a login with an unknown username: otherwise the
/// response time would tell which usernames exist.
pub fn dummy_verify(password: &SecretString) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_unchecked("dummy password for timing only").ok().map(|h| h.0));
    if let Some(d) = dummy {
        if let Ok(parsed) = PhcHash::new(d) {
            let p = password.expose_secret();
            let p = &p.as_bytes()[..p.len().min(MAX_PASSWORD_BYTES)];
            let _ = Argon2::default().verify_password(p, &parsed);
        }
    }
}
