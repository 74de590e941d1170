//! External issuer tokens verified through a JWKS served by a real HTTP server on a loopback port.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use clinic_core::rbac::Role;
use clinic_server_infra::oidc::{OidcConfig, OidcVerifier};
use clinic_server_infra::{InfraError, TokenRejection};

const RSA_PRIV: &[u8] = include_bytes!("fixtures/rsa-private.pem");
const RSA_PUB: &[u8] = include_bytes!("fixtures/rsa-public.pem");
const RSA2_PRIV: &[u8] = include_bytes!("fixtures/rsa2-private.pem");
const JWKS_KEY1: &str = include_str!("fixtures/jwks-key1.json");
const JWKS_BOTH: &str = include_str!("fixtures/jwks-both.json");

const ISS: &str = "https://idp.test";
const AUD: &str = "clinic-api";

#[derive(Clone)]
struct Idp {
    jwks: Arc<Mutex<(StatusCode, String)>>,
    fetches: Arc<AtomicUsize>,
    delay: Arc<Mutex<Duration>>,
}

async fn jwks(State(idp): State<Idp>) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    idp.fetches.fetch_add(1, Ordering::SeqCst);
    let delay = *idp.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let (status, body) = idp.jwks.lock().unwrap().clone();
    (status, [("content-type", "application/json")], body)
}

/// Serves `/jwks.json` on 127.0.0.1:0 and returns its URL.
async fn start_idp(initial: &str) -> (Idp, String) {
    let idp = Idp {
        jwks: Arc::new(Mutex::new((StatusCode::OK, initial.to_string()))),
        fetches: Arc::new(AtomicUsize::new(0)),
        delay: Arc::new(Mutex::new(Duration::ZERO)),
    };
    let app = Router::new().route("/jwks.json", get(jwks)).with_state(idp.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (idp, format!("http://{addr}/jwks.json"))
}

fn config(url: &str) -> OidcConfig {
    let mut c = OidcConfig::new(ISS, AUD, url);
    c.min_refresh_interval = Duration::ZERO;
    c.http_timeout = Duration::from_millis(500);
    c
}

fn external_token(kid: Option<&str>, key: &[u8], extra: serde_json::Value) -> String {
    let now = Utc::now().timestamp();
    let mut claims =
        json!({ "sub": "idp|12345", "iss": ISS, "aud": AUD, "exp": now + 300, "iat": now, "role": "practitioner" });
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    let mut h = Header::new(Algorithm::RS256);
    h.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&h, &claims, &EncodingKey::from_rsa_pem(key).unwrap()).unwrap()
}

fn rejection<T: std::fmt::Debug>(r: Result<T, InfraError>) -> TokenRejection {
    match r {
        Err(InfraError::InvalidToken(t)) => t,
        other => panic!("expected an invalid token, got {other:?}"),
    }
}

#[tokio::test]
async fn verifies_tokens_with_the_issuers_keys_and_caches_them() {
    let (idp, url) = start_idp(JWKS_KEY1).await;
    let v = OidcVerifier::new(config(&url)).unwrap();
    let c = v.verify(&external_token(Some("test-key-1"), RSA_PRIV, json!({}))).await.unwrap();
    assert_eq!(c.subject, "idp|12345");
    assert_eq!(c.issuer, ISS);
    assert_eq!(c.role, Some(Role::Practitioner));
    assert!(c.claims["iat"].as_i64().is_some());
    // No kid in the header: the only RSA key is used.
    v.verify(&external_token(None, RSA_PRIV, json!({"role": "nurse"})))
        .await
        .map(|c| assert_eq!(c.role, None))
        .unwrap();
    for _ in 0..5 {
        v.verify(&external_token(Some("test-key-1"), RSA_PRIV, json!({}))).await.unwrap();
    }
    assert_eq!(idp.fetches.load(Ordering::SeqCst), 1, "the JWKS is fetched once and cached");
}

#[tokio::test]
async fn refetches_on_an_unknown_kid_after_the_issuer_rotates_keys() {
    let (idp, url) = start_idp(JWKS_KEY1).await;
    let v = OidcVerifier::new(config(&url)).unwrap();
    v.verify(&external_token(Some("test-key-1"), RSA_PRIV, json!({}))).await.unwrap();
    let rotated = external_token(Some("test-key-2"), RSA2_PRIV, json!({}));
    assert_eq!(rejection(v.verify(&rotated).await), TokenRejection::UnknownKey);
    *idp.jwks.lock().unwrap() = (StatusCode::OK, JWKS_BOTH.to_string());
    v.verify(&rotated).await.unwrap();
    assert_eq!(idp.fetches.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn made_up_kids_do_not_flood_the_issuer() {
    let (idp, url) = start_idp(JWKS_KEY1).await;
    let mut cfg = config(&url);
    cfg.min_refresh_interval = Duration::from_secs(3600);
    let v = OidcVerifier::new(cfg).unwrap();
    for i in 0..20 {
        let t = external_token(Some(&format!("made-up-{i}")), RSA_PRIV, json!({}));
        assert_eq!(rejection(v.verify(&t).await), TokenRejection::UnknownKey);
    }
    assert_eq!(idp.fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn refuses_what_our_own_verifier_refuses() {
    let (_idp, url) = start_idp(JWKS_KEY1).await;
    let v = OidcVerifier::new(config(&url)).unwrap();
    let now = Utc::now().timestamp();
    let expired = external_token(Some("test-key-1"), RSA_PRIV, json!({"exp": now - 3600, "iat": now - 7200}));
    assert_eq!(rejection(v.verify(&expired).await), TokenRejection::Expired);
    let other_aud = external_token(Some("test-key-1"), RSA_PRIV, json!({"aud": "someone-else"}));
    assert_eq!(rejection(v.verify(&other_aud).await), TokenRejection::WrongAudience);
    let other_iss = external_token(Some("test-key-1"), RSA_PRIV, json!({"iss": "https://evil.test"}));
    assert_eq!(rejection(v.verify(&other_iss).await), TokenRejection::WrongIssuer);
    // Signed by a key that is not in the JWKS but claiming key 1's kid.
    let wrong_key = external_token(Some("test-key-1"), RSA2_PRIV, json!({}));
    assert_eq!(rejection(v.verify(&wrong_key).await), TokenRejection::BadSignature);
    // HS256 signed with the issuer's public key as the HMAC secret.
    let now = Utc::now().timestamp();
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some("test-key-1".into());
    let confused = jsonwebtoken::encode(
        &h,
        &json!({"sub": "x", "iss": ISS, "aud": AUD, "exp": now + 300}),
        &EncodingKey::from_secret(RSA_PUB),
    )
    .unwrap();
    assert_eq!(rejection(v.verify(&confused).await), TokenRejection::AlgorithmMismatch);
    let none = format!(
        "{}.{}.",
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, br#"{"alg":"none"}"#),
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, br#"{"sub":"x"}"#)
    );
    assert_eq!(rejection(v.verify(&none).await), TokenRejection::UnsupportedAlgorithm);
}

#[tokio::test]
async fn an_unreachable_slow_or_broken_issuer_is_a_clear_error() {
    // Nothing listens on this port any more.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let v = OidcVerifier::new(config(&format!("http://{closed}/jwks.json"))).unwrap();
    let t = external_token(Some("test-key-1"), RSA_PRIV, json!({}));
    let e = v.verify(&t).await.unwrap_err();
    assert!(matches!(e, InfraError::IdentityProviderUnavailable(_)), "{e:?}");
    assert_eq!(e.http_status(), 503);

    let (idp, url) = start_idp(JWKS_KEY1).await;
    *idp.delay.lock().unwrap() = Duration::from_secs(5);
    let v = OidcVerifier::new(config(&url)).unwrap();
    let started = Instant::now();
    let e = v.verify(&t).await.unwrap_err();
    assert!(matches!(e, InfraError::IdentityProviderUnavailable(_)), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(4), "the timeout applies");

    *idp.delay.lock().unwrap() = Duration::ZERO;
    *idp.jwks.lock().unwrap() = (StatusCode::OK, "{\"not\": \"a jwks\"}".into());
    assert!(matches!(v.verify(&t).await, Err(InfraError::IdentityProviderUnavailable(_))));
    *idp.jwks.lock().unwrap() = (StatusCode::INTERNAL_SERVER_ERROR, String::new());
    assert!(matches!(v.verify(&t).await, Err(InfraError::IdentityProviderUnavailable(_))));
    // A cached JWKS keeps working while the issuer is down.
    *idp.jwks.lock().unwrap() = (StatusCode::OK, JWKS_KEY1.to_string());
    v.verify(&t).await.unwrap();
    *idp.jwks.lock().unwrap() = (StatusCode::INTERNAL_SERVER_ERROR, String::new());
    v.verify(&t).await.unwrap();
    assert!(OidcVerifier::new(config("ftp://idp.test/jwks")).is_err());
}
