//! User accounts of the server (who may log in, with which role and links to the clinic's records).

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use clinic_core::ids::{ClinicId, PatientId, PractitionerId, UserId};
use clinic_core::rbac::{Actor, Role};
use clinic_core::ErrorCode;

use crate::error::{InfraError, Result};
use crate::password::{hash_password, PasswordHash};

/// Longest username accepted.
pub const MAX_USERNAME_CHARS: usize = 64;

/// A stored account. `username` is kept as given; lookups are case-insensitive (see [`normalize_username`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub clinic_id: Option<ClinicId>,
    /// For role `practitioner`: which practitioner the user is (object-level checks).
    pub practitioner_id: Option<PractitionerId>,
    /// For role `patient`: which patient the user is.
    pub patient_id: Option<PatientId>,
    pub password_hash: PasswordHash,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl User {
    /// The core's actor for this user (what `clinic_core::rbac::authorize` checks).
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.id),
            role: self.role,
            clinic_id: self.clinic_id,
            practitioner_id: self.practitioner_id,
            patient_id: self.patient_id,
        }
    }
}

/// What an admin (or `clinic-server user add`) gives to create an account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password: SecretString,
    pub role: Role,
    pub clinic_id: Option<ClinicId>,
    pub practitioner_id: Option<PractitionerId>,
    pub patient_id: Option<PatientId>,
}

/// A user without its password hash, for API responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub clinic_id: Option<ClinicId>,
    pub practitioner_id: Option<PractitionerId>,
    pub patient_id: Option<PatientId>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id,
            username: u.username.clone(),
            role: u.role,
            clinic_id: u.clinic_id,
            practitioner_id: u.practitioner_id,
            patient_id: u.patient_id,
            disabled: u.disabled,
            created_at: u.created_at,
        }
    }
}

/// The uniqueness key of a username: trimmed and lower-cased, so `Alice` and `alice ` are one account.
pub fn normalize_username(username: &str) -> String {
    username.trim().to_lowercase()
}

/// Checks a username: 1–64 characters of letters, digits and `._@-`. The restricted alphabet keeps
/// usernames out of any query language and log-injection trouble.
pub fn validate_username(username: &str) -> Result<()> {
    let u = username.trim();
    if u.is_empty() {
        return Err(InfraError::invalid(ErrorCode::Required, "username", "must not be empty"));
    }
    if u.chars().count() > MAX_USERNAME_CHARS {
        return Err(InfraError::invalid(
            ErrorCode::TooLong,
            "username",
            format!("at most {MAX_USERNAME_CHARS} characters"),
        ));
    }
    if !u.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '@' | '-')) {
        return Err(InfraError::invalid(
            ErrorCode::InvalidId,
            "username",
            "only letters, digits and . _ @ - are allowed",
        ));
    }
    Ok(())
}

/// Checks that the links fit the role (a practitioner user names its practitioner, a patient user its
/// patient; admins and schedulers name neither).
pub fn validate_links(role: Role, practitioner: Option<PractitionerId>, patient: Option<PatientId>) -> Result<()> {
    match role {
        Role::Practitioner if practitioner.is_none() => Err(InfraError::invalid(
            ErrorCode::Required,
            "practitioner_id",
            "a practitioner user must name its practitioner",
        )),
        Role::Patient if patient.is_none() => {
            Err(InfraError::invalid(ErrorCode::Required, "patient_id", "a patient user must name its patient"))
        }
        _ if role != Role::Practitioner && practitioner.is_some() => Err(InfraError::invalid(
            ErrorCode::Forbidden,
            "practitioner_id",
            "only practitioner users are linked to a practitioner",
        )),
        _ if role != Role::Patient && patient.is_some() => {
            Err(InfraError::invalid(ErrorCode::Forbidden, "patient_id", "only patient users are linked to a patient"))
        }
        _ => Ok(()),
    }
}

impl NewUser {
    /// Validates and hashes the password (Argon2id: this takes tens of milliseconds; call it off the async
    /// executor's hot path, e.g. in `spawn_blocking`, when many are created).
    pub fn into_user(self, now: DateTime<Utc>) -> Result<User> {
        validate_username(&self.username)?;
        validate_links(self.role, self.practitioner_id, self.patient_id)?;
        let password_hash = hash_password(&self.password)?;
        Ok(User {
            id: UserId::new(),
            username: self.username.trim().to_string(),
            role: self.role,
            clinic_id: self.clinic_id,
            practitioner_id: self.practitioner_id,
            patient_id: self.patient_id,
            password_hash,
            disabled: false,
            created_at: now,
        })
    }
}

/// Account operations over an [`InfraStore`](crate::store::InfraStore): creation and login checks.
#[derive(Debug, Clone)]
pub struct Accounts {
    store: std::sync::Arc<dyn crate::store::InfraStore>,
}

impl Accounts {
    pub fn new(store: std::sync::Arc<dyn crate::store::InfraStore>) -> Self {
        Accounts { store }
    }

    /// Creates an account (hashing runs on the blocking pool). `UsernameTaken` when it exists.
    pub async fn create(&self, new: NewUser) -> Result<User> {
        let user = tokio::task::spawn_blocking(move || new.into_user(Utc::now()))
            .await
            .map_err(|e| InfraError::Internal(format!("password hashing task: {e}")))??;
        self.store.create_user(&user).await?;
        Ok(user)
    }

    /// Checks a login. Unknown user, wrong password and disabled account all give `InvalidCredentials`
    /// after the same Argon2 work, so neither the answer nor its timing tells whether a username exists.
    pub async fn authenticate(&self, username: &str, password: SecretString) -> Result<User> {
        let found =
            if validate_username(username).is_ok() { self.store.user_by_username(username).await? } else { None };
        tokio::task::spawn_blocking(move || match found {
            Some(u) => {
                let ok = crate::password::verify_password(&password, &u.password_hash);
                if ok && !u.disabled {
                    Ok(u)
                } else {
                    Err(InfraError::InvalidCredentials)
                }
            }
            None => {
                crate::password::dummy_verify(&password);
                Err(InfraError::InvalidCredentials)
            }
        })
        .await
        .map_err(|e| InfraError::Internal(format!("password verification task: {e}")))?
    }

    /// Sets a new password (the caller should also revoke the user's refresh tokens).
    pub async fn set_password(&self, id: clinic_core::ids::UserId, password: SecretString) -> Result<User> {
        let mut user = self.get(id).await?;
        user.password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| InfraError::Internal(format!("password hashing task: {e}")))??;
        self.store.update_user(&user).await?;
        Ok(user)
    }

    /// Disables or re-enables an account.
    pub async fn set_disabled(&self, id: clinic_core::ids::UserId, disabled: bool) -> Result<User> {
        let mut user = self.get(id).await?;
        user.disabled = disabled;
        self.store.update_user(&user).await?;
        Ok(user)
    }

    /// Changes an account's role and the links that role needs (checked with [`validate_links`], so a
    /// practitioner user always names its practitioner and an admin names none).
    pub async fn set_role(
        &self,
        id: clinic_core::ids::UserId,
        role: Role,
        practitioner_id: Option<PractitionerId>,
        patient_id: Option<PatientId>,
    ) -> Result<User> {
        validate_links(role, practitioner_id, patient_id)?;
        let mut user = self.get(id).await?;
        user.role = role;
        user.practitioner_id = practitioner_id;
        user.patient_id = patient_id;
        self.store.update_user(&user).await?;
        Ok(user)
    }

    /// Every account, ordered by username.
    pub async fn list(&self) -> Result<Vec<User>> {
        self.store.list_users().await
    }

    pub async fn get(&self, id: clinic_core::ids::UserId) -> Result<User> {
        self.store.user_by_id(id).await?.ok_or_else(|| InfraError::NotFound { entity: "user", id: id.to_string() })
    }
}
