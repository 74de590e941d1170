//! Passwords, rate limits and error mapping.

use std::net::IpAddr;
use std::time::Duration;

use secrecy::SecretString;

use clinic_server_infra::password::{hash_password, verify_password, PasswordHash};
use clinic_server_infra::ratelimit::{AuthRateLimiter, KeyedLimiter, Rate};
use clinic_server_infra::users::{validate_links, validate_username, NewUser};
use clinic_server_infra::InfraError;

#[test]
fn passwords_hash_with_argon2id_and_verify() {
    let pw = SecretString::from("correct horse battery staple");
    let h = hash_password(&pw).unwrap();
    assert!(h.as_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", h.as_phc());
    assert!(verify_password(&pw, &h));
    assert!(!verify_password(&SecretString::from("correct horse battery stapler"), &h));
    // Salted: the same password hashes differently.
    assert_ne!(hash_password(&pw).unwrap(), h);
    // A corrupt stored hash is a mismatch, not a panic.
    assert!(!verify_password(&pw, &PasswordHash::from_phc("garbage")));
    assert!(!verify_password(&SecretString::from("x".repeat(5000)), &h));
    assert_eq!(format!("{h:?}"), "PasswordHash(<redacted>)");
    assert_eq!(hash_password(&SecretString::from("short")).unwrap_err().code(), "REQUIRED");
    assert_eq!(hash_password(&SecretString::from("x".repeat(2000))).unwrap_err().code(), "TOO_LONG");
}

#[test]
fn usernames_and_role_links_are_validated() {
    validate_username("alice.smith@clinic-1").unwrap();
    for bad in ["", "   ", "a b", "{\"$gt\":\"\"}", "' OR 1=1", &"a".repeat(65), "ta\tb"] {
        assert!(validate_username(bad).is_err(), "{bad:?}");
    }
    use clinic_core::ids::{PatientId, PractitionerId};
    use clinic_core::rbac::Role;
    validate_links(Role::Practitioner, Some(PractitionerId::new()), None).unwrap();
    validate_links(Role::Patient, None, Some(PatientId::new())).unwrap();
    validate_links(Role::Admin, None, None).unwrap();
    assert!(validate_links(Role::Practitioner, None, None).is_err());
    assert!(validate_links(Role::Patient, None, None).is_err());
    assert!(validate_links(Role::Scheduler, Some(PractitionerId::new()), None).is_err());
    assert!(validate_links(Role::Admin, None, Some(PatientId::new())).is_err());
    let new = NewUser {
        username: "secret-test".into(),
        password: SecretString::from("a very secret password"),
        role: Role::Admin,
        clinic_id: None,
        practitioner_id: None,
        patient_id: None,
    };
    assert!(!format!("{new:?}").contains("very secret"));
    let u = new.into_user(chrono::Utc::now()).unwrap();
    assert!(!format!("{u:?}").contains("argon2"));
}

#[test]
fn keyed_limits_refuse_with_a_retry_after() {
    let l = KeyedLimiter::new(Rate::new(3, Duration::from_secs(60))).unwrap();
    for _ in 0..3 {
        l.check("alice").unwrap();
    }
    let e = l.check("alice").unwrap_err();
    assert_eq!(e.code(), "RATE_LIMITED");
    assert_eq!(e.http_status(), 429);
    let wait = e.retry_after().unwrap();
    assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60), "{wait:?}");
    // Other keys have their own budget.
    l.check("bob").unwrap();
    assert_eq!(l.len(), 2);
    assert!(KeyedLimiter::new(Rate::new(0, Duration::from_secs(1))).is_err());
    assert!(KeyedLimiter::new(Rate::new(1, Duration::ZERO)).is_err());
}

#[test]
fn keyed_limits_refill_over_time() {
    let l = KeyedLimiter::new(Rate::new(1, Duration::from_millis(100))).unwrap();
    l.check("k").unwrap();
    assert!(l.check("k").is_err());
    std::thread::sleep(Duration::from_millis(150));
    l.check("k").unwrap();
}

#[test]
fn auth_limits_apply_per_ip_and_per_account() {
    let l =
        AuthRateLimiter::new(Rate::new(5, Duration::from_secs(60)), Rate::new(2, Duration::from_secs(600))).unwrap();
    let ip1: IpAddr = "192.0.2.1".parse().unwrap();
    let ip2: IpAddr = "192.0.2.2".parse().unwrap();
    // One account guessed from many IPs: the account limit stops it (case-insensitively).
    l.check(ip1, Some("Alice")).unwrap();
    l.check(ip2, Some("alice")).unwrap();
    let e = l.check("192.0.2.3".parse().unwrap(), Some("ALICE ")).unwrap_err();
    assert!(e.retry_after().unwrap() > Duration::from_secs(200));
    // Many accounts from one IP: the IP limit stops it.
    let ip = "198.51.100.7".parse().unwrap();
    for i in 0..5 {
        l.check(ip, Some(&format!("user{i}"))).unwrap();
    }
    assert!(matches!(l.check(ip, Some("user99")), Err(InfraError::RateLimited { .. })));
    l.retain_recent();
}

#[test]
fn errors_map_to_stable_codes_and_statuses() {
    use clinic_server_infra::TokenRejection;
    let cases: Vec<(InfraError, &str, u16)> = vec![
        (InfraError::InvalidCredentials, "INVALID_CREDENTIALS", 401),
        (InfraError::InvalidToken(TokenRejection::Expired), "INVALID_TOKEN", 401),
        (InfraError::RefreshTokenReused, "REFRESH_TOKEN_REUSED", 401),
        (InfraError::RefreshTokenInvalid, "REFRESH_TOKEN_INVALID", 401),
        (InfraError::UsernameTaken, "USERNAME_TAKEN", 409),
        (InfraError::IdempotencyInProgress, "IDEMPOTENCY_IN_PROGRESS", 409),
        (InfraError::IdempotencyKeyReused, "IDEMPOTENCY_KEY_REUSED", 422),
        (InfraError::RateLimited { retry_after: Duration::from_secs(3) }, "RATE_LIMITED", 429),
        (InfraError::Store { message: "x".into(), retryable: true }, "STORE_UNAVAILABLE", 503),
        (InfraError::NotFound { entity: "user", id: "1".into() }, "NOT_FOUND", 404),
    ];
    for (e, code, status) in cases {
        assert_eq!((e.code(), e.http_status()), (code, status), "{e:?}");
    }
    assert_eq!(TokenRejection::AlgorithmMismatch.as_str(), "algorithm_mismatch");
}
