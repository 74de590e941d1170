//! `serve` with an external OpenID Connect issuer: the real binary, a JWKS served by an HTTP server on a
//! loopback port (the RSA test keys of `clinic-server-infra/tests/fixtures`, made with OpenSSL for these
//! tests), tokens signed here. The issuer's valid token is accepted with its mapped role; wrong issuer, wrong
//! audience, expired and unknown-kid tokens are refused with 401; the server's own tokens still work.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod ops_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ops_support::{run_cli, Server};
use serde_json::{json, Value};

const RSA_PRIV: &[u8] = include_bytes!("../../clinic-server-infra/tests/fixtures/rsa-private.pem");
const RSA2_PRIV: &[u8] = include_bytes!("../../clinic-server-infra/tests/fixtures/rsa2-private.pem");
const JWKS_KEY1: &str = include_str!("../../clinic-server-infra/tests/fixtures/jwks-key1.json");
const ISS: &str = "https://idp.clinic.test/realms/clinic";
const AUD: &str = "clinic-api";

fn token(kid: &str, key: &[u8], extra: Value) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({"sub": "idp|dr-who", "iss": ISS, "aud": AUD, "exp": now + 300, "iat": now,
                            "groups": ["staff", "doctor"]});
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some(kid.to_string());
    jsonwebtoken::encode(&h, &claims, &EncodingKey::from_rsa_pem(key).unwrap()).unwrap()
}

async fn me(http: &reqwest::Client, base: &str, token: &str) -> (u16, Value) {
    let r = http.get(format!("{base}/api/v1/auth/me")).bearer_auth(token).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_accepts_the_configured_issuers_tokens_through_its_jwks() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let f = fetches.clone();
    let app = Router::new().route(
        "/jwks.json",
        get(move || {
            f.fetch_add(1, Ordering::SeqCst);
            async { ([("content-type", "application/json")], JWKS_KEY1) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (ok, out, err) = run_cli(
        &["--data", data, "user", "add", "--username", "local-admin", "--role", "admin", "--password-stdin"],
        Some("local-admin-password-2026\n"),
    );
    assert!(ok, "{out}\n{err}");
    let server = Server::start(
        &["--data", data],
        &[
            "--reminder-hours",
            "0",
            "--oidc-issuer",
            ISS,
            "--oidc-audience",
            AUD,
            "--oidc-jwks-url",
            &jwks,
            "--oidc-role-claim",
            "groups",
            "--oidc-role-map",
            "doctor=practitioner,front-desk=scheduler",
        ],
        &[],
    );
    let http = reqwest::Client::new();
    let base = server.base.clone();
    let practitioner = uuid::Uuid::new_v4().to_string();
    let clinic = uuid::Uuid::new_v4().to_string();

    // Valid: the role comes from the mapped group, the scope from the claims.
    let good = token("test-key-1", RSA_PRIV, json!({"practitioner_id": practitioner, "clinic_id": clinic}));
    let (s, v) = me(&http, &base, &good).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["role"], "practitioner", "{v}");
    assert_eq!(v["practitioner_id"], practitioner.as_str());
    assert_eq!(v["clinic_id"], clinic.as_str());
    // A route the role may not use is still forbidden (RBAC applies to external users too).
    let r = http
        .post(format!("{base}/api/v1/clinics"))
        .bearer_auth(&good)
        .json(&json!({"name": "X", "time_zone": "Europe/London"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Refused: another issuer, another audience, expired, a key the JWKS does not have, no known role.
    let now = chrono::Utc::now().timestamp();
    let cases = [
        ("wrong issuer", token("test-key-1", RSA_PRIV, json!({"iss": "https://evil.test"}))),
        ("wrong audience", token("test-key-1", RSA_PRIV, json!({"aud": "another-api"}))),
        ("expired", token("test-key-1", RSA_PRIV, json!({"exp": now - 3600, "iat": now - 7200}))),
        ("unknown kid", token("test-key-2", RSA2_PRIV, json!({}))),
        ("key 2 claiming kid 1", token("test-key-1", RSA2_PRIV, json!({}))),
        ("no known role", token("test-key-1", RSA_PRIV, json!({"groups": ["visitor"]}))),
    ];
    for (what, t) in &cases {
        let (s, v) = me(&http, &base, t).await;
        assert_eq!((s, v["code"].as_str()), (401, Some("UNAUTHENTICATED")), "{what}: {v}");
    }

    // The server's own tokens keep working next to the issuer's.
    let r = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "local-admin", "password": "local-admin-password-2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let own = r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    let (s, v) = me(&http, &base, &own).await;
    assert_eq!((s, v["role"].as_str()), (200, Some("admin")), "{v}");

    // The JWKS is cached; the unknown kid cost at most one refetch (rate-limited by the verifier).
    let n = fetches.load(Ordering::SeqCst);
    assert!((1..=2).contains(&n), "JWKS fetched {n} times");
    let (_, ready) = {
        let r = http.get(format!("{base}/readyz")).send().await.unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    let oidc = ready["dependencies"].as_array().unwrap().iter().find(|d| d["name"] == "oidc_jwks").cloned();
    assert_eq!(oidc.map(|d| d["state"].clone()), Some(json!("up")), "{ready}");
    server.stop();
}
