//! An optional external OpenID Connect issuer next to the server's own tokens: `--oidc-issuer`,
//! `--oidc-audience`, `--oidc-jwks-url` (default: from the issuer's discovery document) and the role
//! mapping. A bearer token is first checked as one of ours (HS256); failing that, as the issuer's (RS256,
//! verified with its JWKS — cached, refetched on an unknown `kid`, behind a breaker and a deadline, see
//! `clinic_server_infra::oidc`). Login, refresh and logout stay the server's own.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use clap::Args;
use clinic_core::rbac::{Actor, Role};
use clinic_core::{ClinicId, PatientId, PractitionerId};
use clinic_server_infra::oidc::{ExternalClaims, OidcConfig, OidcVerifier};
use clinic_server_infra::resilience::Dependency;
use clinic_server_infra::{InfraError, TokenRejection};

use crate::error::AppError;
use crate::state::{AuthPort, TokenPair};

/// The external issuer's settings (all off unless `--oidc-issuer` is given).
#[derive(Debug, Clone, Default, Args)]
pub struct OidcArgs {
    /// Also accept access tokens of this OpenID Connect issuer (its `iss`, e.g.
    /// https://login.example.com/realms/clinic), verified with the keys of its JWKS.
    #[arg(long, env = "CLINIC_OIDC_ISSUER", requires = "oidc_audience")]
    pub oidc_issuer: Option<String>,
    /// The `aud` the issuer's tokens must carry for this server.
    #[arg(long, env = "CLINIC_OIDC_AUDIENCE", requires = "oidc_issuer")]
    pub oidc_audience: Option<String>,
    /// The issuer's JWKS URL (default: `jwks_uri` of <issuer>/.well-known/openid-configuration).
    #[arg(long, env = "CLINIC_OIDC_JWKS_URL", requires = "oidc_issuer")]
    pub oidc_jwks_url: Option<String>,
    /// The claim holding the user's role (a string or an array of strings).
    #[arg(long, env = "CLINIC_OIDC_ROLE_CLAIM", default_value = "role")]
    pub oidc_role_claim: String,
    /// The issuer's role names mapped to this server's, comma-separated NAME=ROLE pairs, e.g.
    /// `doctor=practitioner,front-desk=scheduler` (names not listed are read as admin, scheduler,
    /// practitioner or patient). Claims `clinic_id`, `practitioner_id` and `patient_id` (UUIDs) scope the user.
    #[arg(long, env = "CLINIC_OIDC_ROLE_MAP", value_delimiter = ',')]
    pub oidc_role_map: Vec<String>,
}

impl OidcArgs {
    /// The issuer's role names → ours.
    pub fn role_map(&self) -> Result<HashMap<String, Role>, String> {
        let mut map = HashMap::new();
        for pair in self.oidc_role_map.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            let (name, role) =
                pair.split_once('=').ok_or_else(|| format!("--oidc-role-map: expected NAME=ROLE, got {pair:?}"))?;
            let role = Role::parse(role).ok_or_else(|| {
                format!("--oidc-role-map: unknown role {role:?} (admin, scheduler, practitioner, patient)")
            })?;
            map.insert(name.trim().to_string(), role);
        }
        Ok(map)
    }

    /// The verifier, or `None` without `--oidc-issuer`. `dep` is the JWKS endpoint's breaker and policy.
    pub async fn verifier(&self, dep: Dependency) -> Result<Option<OidcVerifier>, String> {
        let (Some(issuer), Some(audience)) = (&self.oidc_issuer, &self.oidc_audience) else { return Ok(None) };
        let jwks = match &self.oidc_jwks_url {
            Some(u) => u.clone(),
            None => OidcVerifier::discover_jwks_uri(issuer, dep.policy().timeout)
                .await
                .map_err(|e| format!("--oidc-issuer: {e} (or give --oidc-jwks-url)"))?,
        };
        let mut cfg = OidcConfig::new(issuer.clone(), audience.clone(), jwks);
        cfg.role_claim = self.oidc_role_claim.clone();
        cfg.role_map = self.role_map()?;
        cfg.http_timeout = dep.policy().timeout.min(Duration::from_secs(10));
        let v = OidcVerifier::new(cfg).map_err(|e| format!("--oidc-*: {e}"))?;
        Ok(Some(v.with_dependency(dep)))
    }
}

/// The server's own authentication, plus the external issuer's tokens.
pub struct WithOidc {
    local: Arc<dyn AuthPort>,
    oidc: Arc<OidcVerifier>,
}

impl std::fmt::Debug for WithOidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WithOidc").field("issuer", &self.oidc.config().issuer).finish_non_exhaustive()
    }
}

impl WithOidc {
    pub fn new(local: Arc<dyn AuthPort>, oidc: Arc<OidcVerifier>) -> Self {
        WithOidc { local, oidc }
    }
}

fn uuid_claim(c: &ExternalClaims, name: &str) -> Result<Option<uuid::Uuid>, AppError> {
    match c.claims.get(name) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
            .map(Some)
            .ok_or_else(|| AppError::unauthenticated(format!("the token's {name} claim is not a UUID"))),
    }
}

/// The actor of a verified external token: its mapped role and the scope claims.
pub fn actor_of(c: &ExternalClaims) -> Result<Actor, AppError> {
    let role = c.role.ok_or_else(|| AppError::unauthenticated("the token carries no role this server knows"))?;
    let mut actor = Actor::new(role);
    if let Some(id) = uuid_claim(c, "clinic_id")? {
        actor = actor.with_clinic(ClinicId(id));
    }
    if let Some(id) = uuid_claim(c, "practitioner_id")? {
        actor = actor.as_practitioner(PractitionerId(id));
    }
    if let Some(id) = uuid_claim(c, "patient_id")? {
        actor = actor.as_patient(PatientId(id));
    }
    Ok(actor)
}

#[async_trait]
impl AuthPort for WithOidc {
    async fn login(&self, username: &str, password: &str, ip: std::net::IpAddr) -> Result<TokenPair, AppError> {
        self.local.login(username, password, ip).await
    }
    async fn refresh(&self, refresh_token: &str, ip: std::net::IpAddr) -> Result<TokenPair, AppError> {
        self.local.refresh(refresh_token, ip).await
    }
    async fn logout(&self, refresh_token: &str) -> Result<(), AppError> {
        self.local.logout(refresh_token).await
    }

    async fn verify_access(&self, token: &str) -> Result<Actor, AppError> {
        let local = match self.local.verify_access(token).await {
            Ok(actor) => return Ok(actor),
            Err(e) => e,
        };
        match self.oidc.verify(token).await {
            Ok(claims) => actor_of(&claims),
            // Not an RS256 token: it was meant as one of ours, and that answer stands.
            Err(InfraError::InvalidToken(
                TokenRejection::AlgorithmMismatch | TokenRejection::UnsupportedAlgorithm | TokenRejection::Malformed,
            )) => Err(local),
            Err(InfraError::IdentityProviderUnavailable(_)) => Err(AppError::dependency_unavailable("oidc_jwks")),
            Err(e) => Err(AppError::unauthenticated(e.to_string())),
        }
    }
}
