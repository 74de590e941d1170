//! Tokens of an external OpenID Connect issuer, verified with the keys of its JWKS document.
//!
//! The JWKS is fetched over HTTP(S) with a timeout and cached for `cache_ttl`; a token whose `kid` is not in
//! the cache triggers one refetch (key rotation at the issuer), at most once per `min_refresh_interval` so a
//! flood of tokens with made-up `kid`s cannot turn into a flood of requests to the issuer. Only RS256 is
//! accepted; the checks are the same as for our own tokens (see [`crate::tokens`]).
//!
//! The fetch goes through a circuit breaker ([`crate::resilience`]): while the issuer is down, tokens whose key
//! is cached still verify, and the others fail at once with `IDENTITY_PROVIDER_UNAVAILABLE` (503) instead of
//! each request waiting for the HTTP timeout.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use clinic_core::rbac::Role;

use crate::error::{InfraError, Result, TokenRejection};
use crate::resilience::{BreakerConfig, CallError, CallPolicy, Dependency};
use crate::tokens::{check_header, rejection};

/// Largest JWKS document accepted.
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// Settings of the external issuer.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// The `iss` its tokens carry.
    pub issuer: String,
    /// The `aud` its tokens must carry for this server.
    pub audience: String,
    /// Where its JWKS document is (`…/.well-known/jwks.json`).
    pub jwks_uri: String,
    /// Which claim holds the user's role: a string or an array of strings (`admin`, `scheduler`,
    /// `practitioner`, `patient`, or a name of the issuer that [`role_map`](Self::role_map) maps).
    pub role_claim: String,
    /// The issuer's role names mapped to ours (e.g. `doctor` → practitioner); names not in it are read as ours.
    pub role_map: HashMap<String, Role>,
    pub cache_ttl: Duration,
    pub min_refresh_interval: Duration,
    pub http_timeout: Duration,
    pub leeway: Duration,
}

impl OidcConfig {
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>, jwks_uri: impl Into<String>) -> Self {
        OidcConfig {
            issuer: issuer.into(),
            audience: audience.into(),
            jwks_uri: jwks_uri.into(),
            role_claim: "role".into(),
            role_map: HashMap::new(),
            cache_ttl: Duration::from_secs(600),
            min_refresh_interval: Duration::from_secs(30),
            http_timeout: Duration::from_secs(5),
            leeway: Duration::from_secs(5),
        }
    }
}

/// The verified identity from an external token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalClaims {
    /// `sub`: the issuer's id of the user (the server maps it to a local user).
    pub subject: String,
    pub issuer: String,
    /// The role claim, when present and one of ours (after the role map).
    pub role: Option<Role>,
    pub expires_at: i64,
    /// Every claim, for mappings beyond the role.
    pub claims: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug)]
struct Cache {
    keys: JwkSet,
    fetched: Instant,
}

/// A failed JWKS fetch and whether it means the issuer is down.
#[derive(Debug)]
struct FetchFailure {
    outage: bool,
    error: InfraError,
}

/// Verifies tokens of one external issuer.
#[derive(Debug)]
pub struct OidcVerifier {
    cfg: OidcConfig,
    http: reqwest::Client,
    cache: Mutex<Option<Cache>>,
    /// The JWKS endpoint as a dependency: breaker and deadline of each fetch.
    dep: Dependency,
}

#[derive(Deserialize)]
struct StdClaims {
    sub: String,
    iss: String,
    exp: i64,
}

impl OidcVerifier {
    pub fn new(cfg: OidcConfig) -> Result<Self> {
        let url = reqwest::Url::parse(&cfg.jwks_uri).map_err(|e| InfraError::Config(format!("JWKS URI: {e}")))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(InfraError::Config("the JWKS URI must be http(s)".into()));
        }
        if cfg.issuer.trim().is_empty() || cfg.audience.trim().is_empty() {
            return Err(InfraError::Config("OIDC issuer and audience must not be empty".into()));
        }
        let http = reqwest::Client::builder()
            .timeout(cfg.http_timeout)
            .connect_timeout(cfg.http_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| InfraError::Config(format!("HTTP client: {e}")))?;
        let policy = CallPolicy {
            breaker: BreakerConfig::default(),
            timeout: cfg.http_timeout,
            // A GET is safe to repeat, but a token waits on it: one retry only.
            attempts: 2,
            backoff: Duration::from_millis(100),
        };
        let dep = Dependency::new("oidc_jwks", policy, false);
        Ok(OidcVerifier { cfg, http, cache: Mutex::new(None), dep })
    }

    /// Uses this dependency (breaker and policy) for the JWKS fetch, e.g. one registered for `/readyz`.
    pub fn with_dependency(mut self, dep: Dependency) -> Self {
        self.dep = dep;
        self
    }

    /// The JWKS endpoint's dependency (its breaker state).
    pub fn dependency(&self) -> &Dependency {
        &self.dep
    }

    pub fn config(&self) -> &OidcConfig {
        &self.cfg
    }

    async fn fetch(&self) -> Result<JwkSet> {
        match self.dep.call(true, || self.fetch_once(), |f: &FetchFailure| f.outage).await {
            Ok(k) => Ok(k),
            Err(CallError::Failed(f)) => Err(f.error),
            Err(CallError::Open) => {
                Err(InfraError::IdentityProviderUnavailable("the issuer's JWKS is unavailable (breaker open)".into()))
            }
            Err(CallError::Timeout(t)) => {
                Err(InfraError::IdentityProviderUnavailable(format!("JWKS fetch timed out after {t:?}")))
            }
        }
    }

    /// One GET of the JWKS. No answer, a 5xx or a 429 is an outage (counts toward the breaker, retried); a
    /// document that is not a JWK set is an answer (a misconfiguration that retrying will not fix).
    async fn fetch_once(&self) -> std::result::Result<JwkSet, FetchFailure> {
        let fail = |outage: bool, m: String| FetchFailure { outage, error: InfraError::IdentityProviderUnavailable(m) };
        let resp =
            self.http.get(&self.cfg.jwks_uri).send().await.map_err(|e| fail(true, format!("JWKS fetch: {e}")))?;
        let status = resp.status();
        if !status.is_success() {
            let outage = status.is_server_error() || status.as_u16() == 429;
            return Err(fail(outage, format!("JWKS fetch: HTTP {status}")));
        }
        let body = resp.bytes().await.map_err(|e| fail(true, format!("JWKS read: {e}")))?;
        if body.len() > MAX_JWKS_BYTES {
            return Err(fail(false, "JWKS document too large".into()));
        }
        serde_json::from_slice(&body).map_err(|e| fail(false, format!("JWKS is not a JWK set: {e}")))
    }

    /// The `jwks_uri` of an issuer's discovery document (`<issuer>/.well-known/openid-configuration`).
    pub async fn discover_jwks_uri(issuer: &str, timeout: Duration) -> Result<String> {
        let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
        let unavailable = |m: String| InfraError::IdentityProviderUnavailable(m);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| InfraError::Config(format!("HTTP client: {e}")))?;
        let resp = http.get(&url).send().await.map_err(|e| unavailable(format!("OIDC discovery: {e}")))?;
        if !resp.status().is_success() {
            return Err(unavailable(format!("OIDC discovery: HTTP {}", resp.status())));
        }
        let doc: serde_json::Value =
            resp.json().await.map_err(|e| unavailable(format!("OIDC discovery document: {e}")))?;
        doc.get("jwks_uri")
            .and_then(|u| u.as_str())
            .map(str::to_string)
            .ok_or_else(|| unavailable("the OIDC discovery document has no jwks_uri".into()))
    }

    /// Refetches the JWKS now.
    pub async fn refresh(&self) -> Result<()> {
        let keys = self.fetch().await?;
        *self.cache.lock().await = Some(Cache { keys, fetched: Instant::now() });
        Ok(())
    }

    /// The decoding key for `kid`, fetching or refetching the JWKS as the cache rules allow.
    async fn key_for(&self, kid: Option<&str>) -> Result<DecodingKey> {
        let mut cache = self.cache.lock().await;
        let stale = cache.as_ref().is_none_or(|c| c.fetched.elapsed() >= self.cfg.cache_ttl);
        if stale {
            match self.fetch().await {
                Ok(keys) => *cache = Some(Cache { keys, fetched: Instant::now() }),
                // A stale cache is better than no cache while the issuer is briefly down.
                Err(e) if cache.is_none() => return Err(e),
                Err(_) => {}
            }
        }
        if let Some(k) = cache.as_ref().and_then(|c| find_key(&c.keys, kid)) {
            return k;
        }
        let may_refetch = cache.as_ref().is_none_or(|c| c.fetched.elapsed() >= self.cfg.min_refresh_interval);
        if !stale && may_refetch {
            let keys = self.fetch().await?;
            *cache = Some(Cache { keys, fetched: Instant::now() });
            if let Some(k) = cache.as_ref().and_then(|c| find_key(&c.keys, kid)) {
                return k;
            }
        }
        Err(InfraError::InvalidToken(TokenRejection::UnknownKey))
    }

    /// Verifies an external token and returns its identity.
    pub async fn verify(&self, token: &str) -> Result<ExternalClaims> {
        let header = check_header(token, Algorithm::RS256)?;
        let kid = header.get("kid").and_then(|k| k.as_str()).map(str::to_string);
        let key = self.key_for(kid.as_deref()).await?;
        let mut v = Validation::new(Algorithm::RS256);
        v.algorithms = vec![Algorithm::RS256];
        v.set_issuer(&[self.cfg.issuer.as_str()]);
        v.set_audience(&[self.cfg.audience.as_str()]);
        v.required_spec_claims = ["exp", "iss", "aud", "sub"].iter().map(|s| s.to_string()).collect::<HashSet<_>>();
        v.leeway = self.cfg.leeway.as_secs();
        let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(token, &key, &v)
            .map_err(|e| InfraError::InvalidToken(rejection(e.kind())))?;
        let claims = data.claims;
        let std: StdClaims = serde_json::from_value(serde_json::Value::Object(claims.clone()))
            .map_err(|_| InfraError::InvalidToken(TokenRejection::MissingClaim))?;
        let role = claims.get(&self.cfg.role_claim).and_then(|r| self.map_role(r));
        Ok(ExternalClaims { subject: std.sub, issuer: std.iss, role, expires_at: std.exp, claims })
    }
}

impl OidcVerifier {
    /// The first of the claim's names that maps to one of our roles.
    fn map_role(&self, claim: &serde_json::Value) -> Option<Role> {
        let one = |name: &str| self.cfg.role_map.get(name).copied().or_else(|| Role::parse(name));
        match claim {
            serde_json::Value::String(s) => one(s),
            serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).find_map(one),
            _ => None,
        }
    }
}

/// The RSA key with this `kid` (or the only RSA key when the token names none).
fn find_key(set: &JwkSet, kid: Option<&str>) -> Option<Result<DecodingKey>> {
    let rsa: Vec<_> = set.keys.iter().filter(|k| matches!(k.algorithm, AlgorithmParameters::RSA(_))).collect();
    let jwk = match kid {
        Some(kid) => rsa.into_iter().find(|k| k.common.key_id.as_deref() == Some(kid))?,
        None if rsa.len() == 1 => rsa[0],
        None => return None,
    };
    Some(DecodingKey::from_jwk(jwk).map_err(|_| InfraError::InvalidToken(TokenRejection::UnknownKey)))
}
