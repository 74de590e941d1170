//! Access tokens: round trips for each algorithm, and every attack the verifier must refuse, with the bad
//! tokens crafted here.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration as CDuration, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use clinic_core::ids::{ClinicId, PatientId, UserId};
use clinic_core::rbac::Role;
use clinic_server_infra::password::PasswordHash;
use clinic_server_infra::tokens::{AccessTokens, TokenConfig, TokenKey};
use clinic_server_infra::users::User;
use clinic_server_infra::{InfraError, TokenRejection};

const SECRET: &[u8] = b"an hs256 secret that is long enough: 0123456789";
const RSA_PRIV: &[u8] = include_bytes!("fixtures/rsa-private.pem");
const RSA_PUB: &[u8] = include_bytes!("fixtures/rsa-public.pem");
const RSA2_PUB: &[u8] = include_bytes!("fixtures/rsa2-public.pem");
const ED_PRIV: &[u8] = include_bytes!("fixtures/ed25519-private.pem");
const ED_PUB: &[u8] = include_bytes!("fixtures/ed25519-public.pem");

fn user() -> User {
    User {
        id: UserId::new(),
        username: "pat".into(),
        role: Role::Patient,
        clinic_id: Some(ClinicId::new()),
        practitioner_id: None,
        patient_id: Some(PatientId::new()),
        password_hash: PasswordHash::from_phc("x"),
        disabled: false,
        created_at: Utc::now(),
    }
}

fn tokens(key: TokenKey) -> AccessTokens {
    AccessTokens::new(TokenConfig::new(key, "https://clinic.test", "clinic-api")).unwrap()
}

fn hs() -> AccessTokens {
    tokens(TokenKey::hs256(SECRET).unwrap())
}

fn rs() -> AccessTokens {
    tokens(TokenKey::rs256_pem(RSA_PRIV, RSA_PUB).unwrap())
}

fn ed() -> AccessTokens {
    tokens(TokenKey::ed25519_pem(ED_PRIV, ED_PUB).unwrap())
}

fn rejection(r: Result<impl std::fmt::Debug, InfraError>) -> TokenRejection {
    match r {
        Err(InfraError::InvalidToken(t)) => t,
        other => panic!("expected an invalid token, got {other:?}"),
    }
}

fn b64(v: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

/// Valid claims for `u`, as our issuer would write them.
fn claims(u: &User) -> serde_json::Value {
    let now = Utc::now().timestamp();
    json!({
        "sub": u.id, "role": "patient", "clinic": u.clinic_id, "patient": u.patient_id,
        "iss": "https://clinic.test", "aud": "clinic-api", "exp": now + 600, "iat": now, "nbf": now, "jti": "j1",
    })
}

#[test]
fn each_algorithm_round_trips_and_carries_the_actor() {
    for t in [hs(), rs(), ed()] {
        let u = user();
        let issued = t.issue(&u).unwrap();
        assert_eq!(issued.expires_in, 900);
        let c = t.verify(issued.token.expose_secret()).unwrap();
        assert_eq!(c, issued.claims);
        assert_eq!(c.sub, u.id);
        assert_eq!(c.role, Role::Patient);
        assert_eq!(c.iss, "https://clinic.test");
        assert_eq!(c.aud, "clinic-api");
        assert!(c.exp > c.iat);
        assert_eq!(c.actor(), u.actor());
        let header: serde_json::Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD.decode(issued.token.expose_secret().split('.').next().unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], json!(format!("{:?}", t.algorithm())));
    }
}

#[test]
fn refuses_unsigned_and_alg_none_tokens() {
    let t = hs();
    let u = user();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = b64(&json!({ "alg": alg, "typ": "JWT" }));
        let body = b64(&claims(&u));
        assert_eq!(rejection(t.verify(&format!("{header}.{body}."))), TokenRejection::UnsupportedAlgorithm);
        // Even with something in the signature slot.
        assert_eq!(rejection(t.verify(&format!("{header}.{body}.c2ln"))), TokenRejection::UnsupportedAlgorithm);
    }
    // A header without alg, an unknown alg, a token with the signature cut off.
    let body = b64(&claims(&u));
    assert_eq!(rejection(t.verify(&format!("{}.{body}.x", b64(&json!({"typ": "JWT"}))))), TokenRejection::Malformed);
    assert_eq!(
        rejection(t.verify(&format!("{}.{body}.x", b64(&json!({"alg": "HS999"}))))),
        TokenRejection::UnsupportedAlgorithm
    );
    let good = t.issue(&u).unwrap().token.expose_secret().to_string();
    let unsigned = good.rsplit_once('.').unwrap().0.to_string() + ".";
    assert_eq!(rejection(t.verify(&unsigned)), TokenRejection::BadSignature);
    let two_parts = good.rsplit_once('.').unwrap().0.to_string();
    assert_eq!(rejection(t.verify(&two_parts)), TokenRejection::Malformed);
}

#[test]
fn refuses_algorithm_confusion() {
    let u = user();
    // The classic: the server verifies RS256; the attacker signs HS256 using the RSA *public* key as the
    // HMAC secret, hoping the library picks the algorithm from the header.
    let forged =
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims(&u), &EncodingKey::from_secret(RSA_PUB)).unwrap();
    assert_eq!(rejection(rs().verify(&forged)), TokenRejection::AlgorithmMismatch);
    // The same against the EdDSA verifier.
    let forged =
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims(&u), &EncodingKey::from_secret(ED_PUB)).unwrap();
    assert_eq!(rejection(ed().verify(&forged)), TokenRejection::AlgorithmMismatch);
    // And the other way round: an RS256 (or EdDSA) token shown to the HS256 verifier.
    let rs_token = rs().issue(&u).unwrap().token.expose_secret().to_string();
    let ed_token = ed().issue(&u).unwrap().token.expose_secret().to_string();
    assert_eq!(rejection(hs().verify(&rs_token)), TokenRejection::AlgorithmMismatch);
    assert_eq!(rejection(hs().verify(&ed_token)), TokenRejection::AlgorithmMismatch);
    assert_eq!(rejection(rs().verify(&ed_token)), TokenRejection::AlgorithmMismatch);
    // RS384 (same key family, another algorithm) is refused too.
    let rs384 = jsonwebtoken::encode(
        &Header::new(Algorithm::RS384),
        &claims(&u),
        &EncodingKey::from_rsa_pem(RSA_PRIV).unwrap(),
    )
    .unwrap();
    assert_eq!(rejection(rs().verify(&rs384)), TokenRejection::AlgorithmMismatch);
}

#[test]
fn refuses_tampered_tokens_and_other_keys() {
    for t in [hs(), rs(), ed()] {
        let u = user();
        let good = t.issue(&u).unwrap().token.expose_secret().to_string();
        let parts: Vec<&str> = good.split('.').collect();
        // Promote the patient to admin, keep the signature.
        let mut c = claims(&u);
        c["role"] = json!("admin");
        let tampered = format!("{}.{}.{}", parts[0], b64(&c), parts[2]);
        assert_eq!(rejection(t.verify(&tampered)), TokenRejection::BadSignature);
        // Flip the signature.
        let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        sig[0] ^= 1;
        let bad_sig = format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(sig));
        assert_eq!(rejection(t.verify(&bad_sig)), TokenRejection::BadSignature);
    }
    // Signed by another key of the right algorithm.
    let other_hs = tokens(TokenKey::hs256(b"another secret that is also long enough!!").unwrap());
    let tok = other_hs.issue(&user()).unwrap().token.expose_secret().to_string();
    assert_eq!(rejection(hs().verify(&tok)), TokenRejection::BadSignature);
    let rs2 = tokens(TokenKey::rs256_pem(include_bytes!("fixtures/rsa2-private.pem"), RSA2_PUB).unwrap());
    let tok = rs2.issue(&user()).unwrap().token.expose_secret().to_string();
    assert_eq!(rejection(rs().verify(&tok)), TokenRejection::BadSignature);
}

#[test]
fn refuses_expired_and_not_yet_valid_tokens() {
    for t in [hs(), rs(), ed()] {
        let u = user();
        let mut c = claims(&u);
        let past = Utc::now() - CDuration::hours(2);
        c["iat"] = json!(past.timestamp());
        c["nbf"] = json!(past.timestamp());
        c["exp"] = json!((past + CDuration::minutes(15)).timestamp());
        assert_eq!(rejection(t.verify(&t.sign(&c).unwrap())), TokenRejection::Expired);
        // A token issued through the API an hour ago is expired now (15-minute lifetime).
        let old = t.issue_at(&u, Utc::now() - CDuration::hours(1)).unwrap();
        assert_eq!(rejection(t.verify(old.token.expose_secret())), TokenRejection::Expired);
        let mut c = claims(&u);
        c["nbf"] = json!((Utc::now() + CDuration::hours(1)).timestamp());
        assert_eq!(rejection(t.verify(&t.sign(&c).unwrap())), TokenRejection::NotYetValid);
    }
}

#[test]
fn refuses_another_issuer_or_audience() {
    let key = || TokenKey::hs256(SECRET).unwrap();
    let u = user();
    let other_iss = AccessTokens::new(TokenConfig::new(key(), "https://evil.test", "clinic-api")).unwrap();
    let other_aud = AccessTokens::new(TokenConfig::new(key(), "https://clinic.test", "another-api")).unwrap();
    let t = hs();
    assert_eq!(rejection(t.verify(other_iss.issue(&u).unwrap().token.expose_secret())), TokenRejection::WrongIssuer);
    assert_eq!(rejection(t.verify(other_aud.issue(&u).unwrap().token.expose_secret())), TokenRejection::WrongAudience);
}

#[test]
fn refuses_missing_or_malformed_claims() {
    let t = hs();
    let u = user();
    for field in ["exp", "sub", "iss", "aud", "nbf", "iat", "role", "jti"] {
        let mut c = claims(&u);
        c.as_object_mut().unwrap().remove(field);
        let r = rejection(t.verify(&t.sign(&c).unwrap()));
        assert!(
            matches!(r, TokenRejection::MissingClaim | TokenRejection::WrongAudience | TokenRejection::WrongIssuer),
            "{field}: {r:?}"
        );
    }
    let mut c = claims(&u);
    c["role"] = json!("superuser");
    assert_eq!(rejection(t.verify(&t.sign(&c).unwrap())), TokenRejection::MissingClaim);
    let mut c = claims(&u);
    c["sub"] = json!("not-a-uuid");
    assert_eq!(rejection(t.verify(&t.sign(&c).unwrap())), TokenRejection::MissingClaim);
    // Garbage of all kinds is refused without a panic.
    for junk in ["", ".", "..", "a.b.c", "ey.ey.ey", "\u{0}", &"x".repeat(20_000), "eyJhbGciOiJIUzI1NiJ9.%%%.abc"] {
        let _ = rejection(t.verify(junk));
    }
}

#[test]
fn key_configuration_errors_are_clear() {
    assert_eq!(TokenKey::hs256(b"short").unwrap_err().code(), "CONFIG_INVALID");
    // A private key with another key's public half.
    let e = TokenKey::rs256_pem(RSA_PRIV, RSA2_PUB).unwrap_err();
    assert!(e.to_string().contains("do not belong together"), "{e}");
    assert!(TokenKey::rs256_pem(b"not a pem", RSA_PUB).is_err());
    assert!(TokenKey::ed25519_pem(RSA_PRIV, ED_PUB).is_err());
    assert!(AccessTokens::new(TokenConfig::new(TokenKey::generate_hs256(), "", "aud")).is_err());
    // A generated key works for its own process.
    let t = tokens(TokenKey::generate_hs256());
    let tok = t.issue(&user()).unwrap();
    t.verify(tok.token.expose_secret()).unwrap();
}

#[test]
fn secrets_never_show_in_debug_output() {
    let t = hs();
    let issued = t.issue(&user()).unwrap();
    let token = issued.token.expose_secret().to_string();
    let secret_text = String::from_utf8_lossy(SECRET).to_string();
    for dbg in [format!("{t:?}"), format!("{issued:?}"), format!("{:?}", TokenKey::hs256(SECRET).unwrap())] {
        assert!(!dbg.contains(&token), "{dbg}");
        assert!(!dbg.contains(&secret_text), "{dbg}");
        assert!(!dbg.contains("0123456789"), "{dbg}");
    }
    let rs_dbg = format!("{:?}", rs());
    assert!(!rs_dbg.contains("BEGIN"), "{rs_dbg}");
    let pw = SecretString::from("hunter2hunter2");
    assert!(!format!("{pw:?}").contains("hunter2"));
}
