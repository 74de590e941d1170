//! What the server's security and record keeping costs per request: a login's password check, issuing and
//! verifying an access token, and the SQLite-backed writes (audit append, refresh rotation, idempotency)
//! on a file with `synchronous=FULL` (each append waits for its fsync).
//!
//! `cargo bench -p clinic-server-infra --bench infra`

use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use secrecy::{ExposeSecret, SecretString};

use clinic_core::ids::{PatientId, UserId};
use clinic_core::rbac::Role;
use clinic_server_infra::audit::{AuditActor, AuditLog, AuditOutcome, AuditTarget, NewAuditEntry};
use clinic_server_infra::idempotency::{fingerprint, Idempotency, IdempotencyPolicy, StoredResponse};
use clinic_server_infra::password::{hash_password, verify_password};
use clinic_server_infra::refresh::{RefreshPolicy, RefreshTokens};
use clinic_server_infra::store::{InfraStore, SqliteInfraStore};
use clinic_server_infra::tokens::{AccessTokens, TokenConfig, TokenKey};
use clinic_server_infra::users::User;

fn user() -> User {
    User {
        id: UserId::new(),
        username: "bench".into(),
        role: Role::Scheduler,
        clinic_id: None,
        practitioner_id: None,
        patient_id: None,
        password_hash: hash_password(&SecretString::from("a benchmark password")).unwrap(),
        disabled: false,
        created_at: chrono::Utc::now(),
    }
}

fn crypto(c: &mut Criterion) {
    let u = user();
    let pw = SecretString::from("a benchmark password");
    let mut g = c.benchmark_group("crypto");
    g.sample_size(10);
    g.bench_function("argon2id_verify (one login)", |b| b.iter(|| assert!(verify_password(&pw, &u.password_hash))));
    let keys: [(&str, TokenKey); 3] = [
        ("HS256", TokenKey::hs256(b"a benchmark secret that is long enough!!").unwrap()),
        (
            "RS256",
            TokenKey::rs256_pem(
                include_bytes!("../tests/fixtures/rsa-private.pem"),
                include_bytes!("../tests/fixtures/rsa-public.pem"),
            )
            .unwrap(),
        ),
        (
            "EdDSA",
            TokenKey::ed25519_pem(
                include_bytes!("../tests/fixtures/ed25519-private.pem"),
                include_bytes!("../tests/fixtures/ed25519-public.pem"),
            )
            .unwrap(),
        ),
    ];
    for (name, key) in keys {
        let t = AccessTokens::new(TokenConfig::new(key, "https://clinic.test", "clinic-api")).unwrap();
        let token = t.issue(&u).unwrap().token.expose_secret().to_string();
        g.bench_function(format!("{name} issue"), |b| b.iter(|| t.issue(&u).unwrap()));
        g.bench_function(format!("{name} verify"), |b| b.iter(|| t.verify(&token).unwrap()));
    }
    g.finish();
}

fn sqlite_records(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn InfraStore> = Arc::new(SqliteInfraStore::open(dir.path().join("server.sqlite3")).unwrap());
    let log = AuditLog::new(store.clone());
    let refresh = RefreshTokens::new(store.clone(), RefreshPolicy::default());
    let idem = Idempotency::new(store.clone(), IdempotencyPolicy::default());
    let mut g = c.benchmark_group("sqlite_file");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.bench_function("audit append", |b| {
        b.iter(|| {
            rt.block_on(log.append(NewAuditEntry {
                at: chrono::Utc::now(),
                actor: AuditActor { user_id: Some(UserId::new()), role: Some(Role::Scheduler) },
                action: "patient.read".into(),
                target: AuditTarget { kind: "patient".into(), id: Some(PatientId::new().to_string()) },
                client: Some("127.0.0.1".into()),
                outcome: AuditOutcome::Success,
                code: None,
            }))
            .unwrap()
        })
    });
    let mut current = rt.block_on(refresh.issue(UserId::new())).unwrap();
    g.bench_function("refresh rotate", |b| {
        b.iter(|| {
            current = rt.block_on(refresh.rotate(&current.token)).unwrap();
        })
    });
    let mut n = 0u64;
    let resp = StoredResponse { status: 201, headers: vec![], body: b"{\"id\":1}".to_vec() };
    g.bench_function("idempotency begin + complete", |b| {
        b.iter(|| {
            n += 1;
            let key = format!("k{n}");
            let fp = fingerprint("POST", "/api/v1/appointments", key.as_bytes());
            rt.block_on(async {
                idem.begin("user", &key, &fp).await.unwrap();
                idem.complete("user", &key, &resp).await.unwrap();
            })
        })
    });
    g.finish();
    let report = rt.block_on(log.verify()).unwrap();
    assert!(report.is_ok());
}

criterion_group!(benches, crypto, sqlite_records);
criterion_main!(benches);
