//! One conformance suite for every `InfraStore`: `tests/store_sqlite.rs` and `tests/store_mongo.rs` run each
//! check against a fresh store of their kind. Concurrency checks start many tasks on a multi-threaded runtime
//! and assert that the store's compare-and-set lets exactly one win.

#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, TimeZone, Utc};
use secrecy::SecretString;

use clinic_core::ids::{AppointmentId, ClinicId, PatientId, PractitionerId, UserId};
use clinic_core::rbac::Role;
use clinic_server_infra::audit::{AuditActor, AuditLog, AuditOutcome, AuditTarget, NewAuditEntry, GENESIS_HASH};
use clinic_server_infra::events::EventFeed;
use clinic_server_infra::idempotency::{
    fingerprint, scoped_key, BeginOutcome, Idempotency, IdempotencyPolicy, IdempotencyState, StoredResponse,
};
use clinic_server_infra::password::PasswordHash;
use clinic_server_infra::refresh::{FamilyId, RefreshFamily, RefreshPolicy, RefreshTokenRecord, RefreshTokens, TokenHash};
use clinic_server_infra::users::{Accounts, NewUser, User};
use clinic_server_infra::{InfraError, InfraStore};

pub type Store = Arc<dyn InfraStore>;
pub type CheckFuture = Pin<Box<dyn Future<Output = ()> + Send>>;
pub type Check = fn(Store) -> CheckFuture;

macro_rules! checks {
    ($($name:ident),+ $(,)?) => {
        /// Every check, by name.
        pub const CHECKS: &[(&str, Check)] = &[$((stringify!($name), |s| Box::pin($name(s)))),+];
    };
}

checks![
    users_roundtrip,
    users_unique_username_under_concurrency,
    accounts_authenticate,
    refresh_rotation_and_reuse,
    refresh_logout_and_user_revocation,
    refresh_expiry_and_purge,
    refresh_reuse_race,
    refresh_store_cas,
    audit_chain_appends_and_verifies,
    audit_store_cas_on_seq,
    audit_two_appenders_never_fork,
    audit_refuses_pii_shaped_fields,
    idempotency_protocol,
    idempotency_expiry_takeover,
    idempotency_many_begins_one_winner,
    idempotency_many_takeovers_one_winner,
    events_publish_and_read,
    events_concurrent_publishers_no_gaps,
    reminders_claim_once,
    reminders_many_claimers_one_winner,
];

/// Runs every check, each on a fresh store from `make`, naming the check that fails.
pub async fn run_all<F, Fut>(make: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: Future<Output = Store>,
{
    for (name, check) in CHECKS {
        eprintln!("conformance: {name}");
        let store = make(name).await;
        let handle = tokio::spawn(check(store));
        if let Err(e) = handle.await {
            panic!("conformance check {name} failed: {e}");
        }
    }
}

fn t(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, h, m, 0).unwrap()
}

fn user(name: &str, role: Role) -> User {
    User {
        id: UserId::new(),
        username: name.to_string(),
        role,
        clinic_id: Some(ClinicId::new()),
        practitioner_id: (role == Role::Practitioner).then(PractitionerId::new),
        patient_id: (role == Role::Patient).then(PatientId::new),
        // Not a real hash: the store keeps it opaquely.
        password_hash: PasswordHash::from_phc(format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ${name}")),
        disabled: false,
        created_at: Utc::now().trunc_subsecs(3),
    }
}

async fn users_roundtrip(s: Store) {
    let alice = user("Alice.Smith", Role::Scheduler);
    let bob = user("bob", Role::Patient);
    s.create_user(&alice).await.unwrap();
    s.create_user(&bob).await.unwrap();
    assert_eq!(s.user_by_id(alice.id).await.unwrap().as_ref(), Some(&alice));
    assert_eq!(s.user_by_username("alice.smith").await.unwrap().as_ref(), Some(&alice));
    assert_eq!(s.user_by_username("  ALICE.SMITH ").await.unwrap().as_ref(), Some(&alice));
    assert_eq!(s.user_by_username("nobody").await.unwrap(), None);
    assert_eq!(s.user_by_id(UserId::new()).await.unwrap(), None);
    // Operator-shaped input is just a username that does not exist.
    assert_eq!(s.user_by_username("{\"$gt\": \"\"}").await.unwrap(), None);
    assert_eq!(s.user_by_username("' OR 1=1 --").await.unwrap(), None);

    let dup = user("ALICE.smith", Role::Admin);
    assert!(matches!(s.create_user(&dup).await, Err(InfraError::UsernameTaken)));

    let names: Vec<String> = s.list_users().await.unwrap().into_iter().map(|u| u.username).collect();
    assert_eq!(names, ["Alice.Smith", "bob"]);

    let mut changed = alice.clone();
    changed.disabled = true;
    changed.role = Role::Admin;
    changed.password_hash = PasswordHash::from_phc("$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$changed");
    s.update_user(&changed).await.unwrap();
    assert_eq!(s.user_by_id(alice.id).await.unwrap(), Some(changed));

    let ghost = user("ghost", Role::Admin);
    let e = s.update_user(&ghost).await.unwrap_err();
    assert_eq!(e.code(), "NOT_FOUND");
}

async fn users_unique_username_under_concurrency(s: Store) {
    let mut tasks = Vec::new();
    for i in 0..12 {
        let s = s.clone();
        // Differently cased spellings of one name.
        let name = if i % 2 == 0 { "Carol" } else { "carol" };
        tasks.push(tokio::spawn(async move { s.create_user(&user(name, Role::Scheduler)).await }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(InfraError::UsernameTaken) => {}
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert_eq!(ok, 1, "exactly one account per username");
    assert_eq!(s.list_users().await.unwrap().len(), 1);
}

async fn accounts_authenticate(s: Store) {
    let accounts = Accounts::new(s.clone());
    let pw = || SecretString::from("correct horse battery staple");
    let u = accounts
        .create(NewUser {
            username: "dana".into(),
            password: pw(),
            role: Role::Admin,
            clinic_id: None,
            practitioner_id: None,
            patient_id: None,
        })
        .await
        .unwrap();
    assert_eq!(accounts.authenticate("DANA", pw()).await.unwrap().id, u.id);
    let wrong = accounts.authenticate("dana", SecretString::from("wrong password!")).await.unwrap_err();
    let unknown = accounts.authenticate("nobody", pw()).await.unwrap_err();
    let garbage = accounts.authenticate("{\"$ne\":null}", pw()).await.unwrap_err();
    for e in [&wrong, &unknown, &garbage] {
        assert!(matches!(e, InfraError::InvalidCredentials), "{e:?}");
        assert_eq!(e.http_status(), 401);
    }
    // Disabled accounts cannot log in, with the same error.
    accounts.set_disabled(u.id, true).await.unwrap();
    assert!(matches!(accounts.authenticate("dana", pw()).await, Err(InfraError::InvalidCredentials)));
    accounts.set_disabled(u.id, false).await.unwrap();
    // A new password replaces the old one.
    accounts.set_password(u.id, SecretString::from("another long password")).await.unwrap();
    assert!(matches!(accounts.authenticate("dana", pw()).await, Err(InfraError::InvalidCredentials)));
    accounts.authenticate("dana", SecretString::from("another long password")).await.unwrap();
    // The stored hash is Argon2id, not the password.
    let stored = s.user_by_id(u.id).await.unwrap().unwrap();
    assert!(stored.password_hash.as_phc().starts_with("$argon2id$"));
    assert!(!stored.password_hash.as_phc().contains("another long password"));
    let dup = accounts
        .create(NewUser {
            username: "Dana".into(),
            password: pw(),
            role: Role::Admin,
            clinic_id: None,
            practitioner_id: None,
            patient_id: None,
        })
        .await;
    assert!(matches!(dup, Err(InfraError::UsernameTaken)));
}

fn refresh(s: &Store) -> RefreshTokens {
    RefreshTokens::new(s.clone(), RefreshPolicy { token_ttl: Duration::from_secs(3600), session_ttl: Duration::from_secs(86400) })
}

async fn refresh_rotation_and_reuse(s: Store) {
    let r = refresh(&s);
    let user = UserId::new();
    let first = r.issue(user).await.unwrap();
    let second = r.rotate(&first.token).await.unwrap();
    assert_eq!(second.family, first.family);
    assert_eq!(second.user_id, user);
    let third = r.rotate(&second.token).await.unwrap();
    // The stored form is the hash, never the token.
    use secrecy::ExposeSecret;
    let rec = s.refresh_token(&TokenHash::of(third.token.expose_secret())).await.unwrap().unwrap();
    assert_ne!(rec.hash.0, third.token.expose_secret());
    assert_eq!(rec.hash.0.len(), 64);
    // Presenting an already-rotated token revokes the family: the newest token dies with it.
    assert!(matches!(r.rotate(&first.token).await, Err(InfraError::RefreshTokenReused)));
    assert!(matches!(r.rotate(&third.token).await, Err(InfraError::RefreshTokenInvalid)));
    let fam = s.refresh_family(first.family).await.unwrap().unwrap();
    assert!(fam.revoked_at.is_some());
    // Unknown and malformed tokens.
    assert!(matches!(r.rotate(&SecretString::from("not-a-token")).await, Err(InfraError::RefreshTokenInvalid)));
    assert!(matches!(r.rotate(&SecretString::from("")).await, Err(InfraError::RefreshTokenInvalid)));
    assert!(matches!(r.rotate(&SecretString::from("x".repeat(10_000))).await, Err(InfraError::RefreshTokenInvalid)));
    // Another session of the same user is unaffected.
    let other = r.issue(user).await.unwrap();
    r.rotate(&other.token).await.unwrap();
}

async fn refresh_logout_and_user_revocation(s: Store) {
    let r = refresh(&s);
    let user = UserId::new();
    let a = r.issue(user).await.unwrap();
    assert_eq!(r.revoke(&a.token).await.unwrap(), user);
    assert!(matches!(r.rotate(&a.token).await, Err(InfraError::RefreshTokenInvalid)));
    let b = r.issue(user).await.unwrap();
    let c = r.issue(user).await.unwrap();
    let bystander = r.issue(UserId::new()).await.unwrap();
    assert_eq!(r.revoke_user(user).await.unwrap(), 2);
    assert!(matches!(r.rotate(&b.token).await, Err(InfraError::RefreshTokenInvalid)));
    assert!(matches!(r.rotate(&c.token).await, Err(InfraError::RefreshTokenInvalid)));
    r.rotate(&bystander.token).await.unwrap();
}

async fn refresh_expiry_and_purge(s: Store) {
    let r = RefreshTokens::new(
        s.clone(),
        RefreshPolicy { token_ttl: Duration::from_secs(600), session_ttl: Duration::from_secs(1800) },
    );
    let user = UserId::new();
    let t0 = t(8, 0);
    let a = r.issue_at(user, t0).await.unwrap();
    assert!(matches!(r.rotate_at(&a.token, t(8, 11)).await, Err(InfraError::RefreshTokenInvalid)));
    // Rotation never extends the session past its absolute end.
    let b = r.issue_at(user, t0).await.unwrap();
    let b2 = r.rotate_at(&b.token, t(8, 9)).await.unwrap();
    let b3 = r.rotate_at(&b2.token, t(8, 18)).await.unwrap();
    let b4 = r.rotate_at(&b3.token, t(8, 27)).await.unwrap();
    assert_eq!(b4.expires_at, t(8, 30));
    assert!(matches!(r.rotate_at(&b4.token, t(8, 31)).await, Err(InfraError::RefreshTokenInvalid)));
    // Purging removes expired records (tokens and families).
    let purged = s.purge_expired_refresh(t(9, 0)).await.unwrap();
    assert!(purged >= 6, "purged {purged}");
    assert_eq!(s.refresh_family(b.family).await.unwrap(), None);
}

async fn refresh_reuse_race(s: Store) {
    let r = refresh(&s);
    let first = r.issue(UserId::new()).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let r = r.clone();
        let tok = first.token.clone();
        tasks.push(tokio::spawn(async move { r.rotate(&tok).await }));
    }
    let mut issued = Vec::new();
    let mut reused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(next) => issued.push(next),
            Err(InfraError::RefreshTokenReused) => reused += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert!(issued.len() <= 1, "at most one rotation wins, got {}", issued.len());
    assert!(reused >= 15);
    // Someone presented a used token: the whole family is revoked, including whatever the winner got.
    assert!(s.refresh_family(first.family).await.unwrap().unwrap().revoked_at.is_some());
    for next in issued {
        assert!(r.rotate(&next.token).await.is_err());
    }
}

async fn refresh_store_cas(s: Store) {
    let fam = RefreshFamily {
        id: FamilyId::new(),
        user_id: UserId::new(),
        created_at: t(8, 0),
        expires_at: t(20, 0),
        revoked_at: None,
    };
    s.create_refresh_family(&fam).await.unwrap();
    assert_eq!(s.refresh_family(fam.id).await.unwrap(), Some(fam.clone()));
    let rec = RefreshTokenRecord {
        hash: TokenHash::of("token-1"),
        family: fam.id,
        user_id: fam.user_id,
        issued_at: t(8, 0),
        expires_at: t(9, 0),
        used_at: None,
    };
    s.insert_refresh_token(&rec).await.unwrap();
    assert_eq!(s.refresh_token(&rec.hash).await.unwrap(), Some(rec.clone()));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let s = s.clone();
        let h = rec.hash.clone();
        tasks.push(tokio::spawn(async move { s.mark_refresh_token_used(&h, t(8, 30)).await.unwrap() }));
    }
    let mut wins = 0;
    for t in tasks {
        wins += t.await.unwrap() as usize;
    }
    assert_eq!(wins, 1, "exactly one caller marks a token used");
    assert_eq!(s.refresh_token(&rec.hash).await.unwrap().unwrap().used_at, Some(t(8, 30)));
    assert!(!s.mark_refresh_token_used(&TokenHash::of("unknown"), t(8, 30)).await.unwrap());
    // Revocation keeps the first time.
    s.revoke_refresh_family(fam.id, t(10, 0)).await.unwrap();
    s.revoke_refresh_family(fam.id, t(11, 0)).await.unwrap();
    assert_eq!(s.refresh_family(fam.id).await.unwrap().unwrap().revoked_at, Some(t(10, 0)));
}

pub fn entry(action: &str, id: &str) -> NewAuditEntry {
    NewAuditEntry {
        at: Utc::now(),
        actor: AuditActor { user_id: Some(UserId::new()), role: Some(Role::Scheduler) },
        action: action.into(),
        target: AuditTarget { kind: "patient".into(), id: Some(id.into()) },
        client: Some("127.0.0.1".into()),
        outcome: AuditOutcome::Success,
        code: None,
    }
}

async fn audit_chain_appends_and_verifies(s: Store) {
    let log = AuditLog::new(s.clone());
    let empty = log.verify().await.unwrap();
    assert!(empty.is_ok());
    assert_eq!(empty.checked, 0);
    let mut hashes = Vec::new();
    for i in 0..5 {
        let mut e = entry("patient.read", &PatientId::new().to_string());
        if i == 3 {
            e.outcome = AuditOutcome::Denied;
            e.code = Some("FORBIDDEN".into());
            e.actor = AuditActor { user_id: None, role: None };
            e.client = Some("::1".into());
            e.target.id = None;
        }
        let stored = log.append(e).await.unwrap();
        assert_eq!(stored.seq, i + 1);
        assert_eq!(stored.hash, stored.compute_hash());
        hashes.push(stored.hash.clone());
    }
    let all = log.entries(0, 100).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[0].prev_hash, GENESIS_HASH);
    for w in all.windows(2) {
        assert_eq!(w[1].prev_hash, w[0].hash);
    }
    // Round trip through the store keeps every hashed byte.
    for (e, h) in all.iter().zip(&hashes) {
        assert_eq!(&e.compute_hash(), h);
    }
    assert_eq!(all[3].outcome, AuditOutcome::Denied);
    assert_eq!(all[3].code.as_deref(), Some("FORBIDDEN"));
    assert_eq!(log.entries(2, 2).await.unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4]);
    let report = log.verify().await.unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.checked, 5);
    assert_eq!(report.head, Some((5, hashes[4].clone())));
    let anchored = log.verify_with_anchor((5, &hashes[4])).await.unwrap();
    assert!(anchored.is_ok());
    let wrong_anchor = log.verify_with_anchor((6, "00")).await.unwrap();
    assert!(!wrong_anchor.is_ok());
}

async fn audit_store_cas_on_seq(s: Store) {
    let log = AuditLog::new(s.clone());
    let first = log.append(entry("patient.read", "p1")).await.unwrap();
    // Re-appending seq 1 (what a second appender with a stale head would do) loses.
    let mut forged = first.clone();
    forged.action = "patient.update".into();
    forged.hash = forged.compute_hash();
    assert!(!s.audit_try_append(&forged).await.unwrap());
    assert_eq!(s.audit_last().await.unwrap(), Some(first));
}

async fn audit_two_appenders_never_fork(s: Store) {
    // Two logs = two server instances (each has its own in-process lock); only the store's CAS orders them.
    let a = AuditLog::new(s.clone());
    let b = AuditLog::new(s.clone());
    let mut tasks = Vec::new();
    for i in 0..40 {
        let log = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move { log.append(entry("appointment.create", &format!("a{i}"))).await.unwrap() }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap().seq);
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=40).collect::<Vec<u64>>());
    let report = a.verify().await.unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.checked, 40);
}

async fn audit_refuses_pii_shaped_fields(s: Store) {
    let log = AuditLog::new(s.clone());
    let mut e = entry("patient.read", "Jane Doe");
    assert_eq!(log.append(e.clone()).await.unwrap_err().code(), "INVALID_ID");
    e.target.id = Some("p1".into());
    e.client = Some("jane@example.com".into());
    assert!(log.append(e.clone()).await.is_err());
    e.client = None;
    e.action = "read patient Jane".into();
    assert!(log.append(e).await.is_err());
    assert_eq!(s.audit_last().await.unwrap(), None, "nothing was written");
}

fn response(body: &str) -> StoredResponse {
    StoredResponse {
        status: 201,
        headers: vec![("location".into(), "/api/v1/appointments/x".into()), ("etag".into(), "\"1\"".into())],
        body: body.as_bytes().to_vec(),
    }
}

fn idem(s: &Store) -> Idempotency {
    Idempotency::new(s.clone(), IdempotencyPolicy { in_progress_ttl: Duration::from_secs(60), retention: Duration::from_secs(3600) })
}

async fn idempotency_protocol(s: Store) {
    let i = idem(&s);
    let fp = fingerprint("POST", "/api/v1/appointments", b"{\"a\":1}");
    let other_fp = fingerprint("POST", "/api/v1/appointments", b"{\"a\":2}");
    assert_ne!(fp, other_fp);
    assert_eq!(i.begin("user-1", "key-1", &fp).await.unwrap(), BeginOutcome::Proceed);
    assert!(matches!(i.begin("user-1", "key-1", &fp).await, Err(InfraError::IdempotencyInProgress)));
    assert!(matches!(i.begin("user-1", "key-1", &other_fp).await, Err(InfraError::IdempotencyKeyReused)));
    // Keys are per actor.
    assert_eq!(i.begin("user-2", "key-1", &other_fp).await.unwrap(), BeginOutcome::Proceed);
    let resp = response("{\"id\":\"x\"}");
    i.complete("user-1", "key-1", &resp).await.unwrap();
    assert_eq!(i.begin("user-1", "key-1", &fp).await.unwrap(), BeginOutcome::Replay(resp.clone()));
    assert!(matches!(i.begin("user-1", "key-1", &other_fp).await, Err(InfraError::IdempotencyKeyReused)));
    let rec = s.idempotency_get(&scoped_key("user-1", "key-1")).await.unwrap().unwrap();
    assert_eq!(rec.state, IdempotencyState::Done);
    assert_eq!(rec.response, Some(resp.clone()));
    // Binary bodies survive.
    let bin = StoredResponse { status: 200, headers: vec![], body: vec![0, 159, 146, 150, 255] };
    assert_eq!(i.begin("user-1", "bin", &fp).await.unwrap(), BeginOutcome::Proceed);
    i.complete("user-1", "bin", &bin).await.unwrap();
    assert_eq!(i.begin("user-1", "bin", &fp).await.unwrap(), BeginOutcome::Replay(bin));
    // Abandoning lets a retry run; abandoning never removes a completed response.
    assert_eq!(i.begin("user-1", "key-2", &fp).await.unwrap(), BeginOutcome::Proceed);
    i.abandon("user-1", "key-2").await.unwrap();
    assert_eq!(i.begin("user-1", "key-2", &fp).await.unwrap(), BeginOutcome::Proceed);
    i.abandon("user-1", "key-1").await.unwrap();
    assert_eq!(i.begin("user-1", "key-1", &fp).await.unwrap(), BeginOutcome::Replay(resp));
    // Bad keys.
    for bad in ["", "with space", &"k".repeat(256), "tab\tkey", "ünïcode"] {
        assert_eq!(i.begin("user-1", bad, &fp).await.unwrap_err().code(), "INVALID_ID", "{bad:?}");
    }
}

async fn idempotency_expiry_takeover(s: Store) {
    let i = idem(&s);
    let fp = fingerprint("POST", "/x", b"");
    let t0 = t(8, 0);
    assert_eq!(i.begin_at("u", "k", &fp, t0).await.unwrap(), BeginOutcome::Proceed);
    assert!(matches!(i.begin_at("u", "k", &fp, t(8, 0) + chrono::Duration::seconds(30)).await, Err(InfraError::IdempotencyInProgress)));
    // The winner crashed: after the in-progress lifetime a retry runs again.
    assert_eq!(i.begin_at("u", "k", &fp, t(8, 2)).await.unwrap(), BeginOutcome::Proceed);
    assert!(matches!(i.begin_at("u", "k", &fp, t(8, 2)).await, Err(InfraError::IdempotencyInProgress)));
    // Purge removes expired records only.
    assert_eq!(i.begin_at("u", "other", &fp, t(9, 0)).await.unwrap(), BeginOutcome::Proceed);
    let n = s.idempotency_purge_expired(t(8, 30)).await.unwrap();
    assert_eq!(n, 1);
    assert!(s.idempotency_get(&scoped_key("u", "other")).await.unwrap().is_some());
}

async fn idempotency_many_begins_one_winner(s: Store) {
    let i = idem(&s);
    let fp = fingerprint("POST", "/api/v1/appointments", b"{}");
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let i = i.clone();
        let fp = fp.clone();
        tasks.push(tokio::spawn(async move { i.begin("user", "same-key", &fp).await }));
    }
    let mut proceed = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(BeginOutcome::Proceed) => proceed += 1,
            Err(InfraError::IdempotencyInProgress) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(proceed, 1, "exactly one request runs");
}

async fn idempotency_many_takeovers_one_winner(s: Store) {
    let i = idem(&s);
    let fp = fingerprint("POST", "/x", b"{}");
    assert_eq!(i.begin_at("user", "stale", &fp, t(8, 0)).await.unwrap(), BeginOutcome::Proceed);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let i = i.clone();
        let fp = fp.clone();
        tasks.push(tokio::spawn(async move { i.begin_at("user", "stale", &fp, t(9, 0)).await }));
    }
    let mut proceed = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(BeginOutcome::Proceed) => proceed += 1,
            Err(InfraError::IdempotencyInProgress) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(proceed, 1, "exactly one retry takes over an expired key");
}

async fn events_publish_and_read(s: Store) {
    let feed = EventFeed::new(s.clone());
    assert_eq!(feed.last_seq().await.unwrap(), 0);
    assert!(feed.after(0, 10).await.unwrap().is_empty());
    let ev = clinic_core::events::DomainEvent::PatientRegistered {
        clinic_id: ClinicId::new(),
        patient_id: PatientId::new(),
        actor: Some(UserId::new()),
    };
    assert_eq!(feed.publish(&ev).await.unwrap(), 1);
    assert_eq!(feed.publish_json("Custom", &serde_json::json!({"n": 2, "s": "ü"})).await.unwrap(), 2);
    assert_eq!(feed.publish_json("Custom", &serde_json::json!([3])).await.unwrap(), 3);
    let all = feed.after(0, 10).await.unwrap();
    assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(all[0].kind, "PatientRegistered");
    assert_eq!(all[0].domain_event(), Some(ev));
    assert_eq!(all[1].payload, serde_json::json!({"n": 2, "s": "ü"}));
    assert_eq!(feed.after(2, 10).await.unwrap().len(), 1);
    assert_eq!(feed.after(0, 2).await.unwrap().len(), 2);
    assert_eq!(feed.last_seq().await.unwrap(), 3);
    // The polling stream yields what is there and then what comes later.
    use futures::StreamExt;
    let mut sub = Box::pin(feed.subscribe(1, Duration::from_millis(20)));
    assert_eq!(sub.next().await.unwrap().unwrap().seq, 2);
    assert_eq!(sub.next().await.unwrap().unwrap().seq, 3);
    let later = feed.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        later.publish_json("Later", &serde_json::json!({})).await.unwrap();
    });
    let next = tokio::time::timeout(Duration::from_secs(10), sub.next()).await.unwrap().unwrap().unwrap();
    assert_eq!((next.seq, next.kind.as_str()), (4, "Later"));
}

async fn events_concurrent_publishers_no_gaps(s: Store) {
    let a = EventFeed::new(s.clone());
    let b = EventFeed::new(s.clone());
    let mut tasks = Vec::new();
    for i in 0..40 {
        let f = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move { f.publish_json("E", &serde_json::json!({ "i": i })).await.unwrap() }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=40).collect::<Vec<u64>>());
    let all = a.after(0, 100).await.unwrap();
    let mut is: Vec<i64> = all.iter().map(|e| e.payload["i"].as_i64().unwrap()).collect();
    is.sort_unstable();
    assert_eq!(is, (0..40).collect::<Vec<i64>>());
}

async fn reminders_claim_once(s: Store) {
    let appt = AppointmentId::new();
    assert!(s.claim_reminder(appt, "appointment_reminder_1440m", t(8, 0)).await.unwrap());
    assert!(!s.claim_reminder(appt, "appointment_reminder_1440m", t(8, 1)).await.unwrap());
    // Another kind or appointment is another claim.
    assert!(s.claim_reminder(appt, "appointment_reminder_60m", t(8, 0)).await.unwrap());
    assert!(s.claim_reminder(AppointmentId::new(), "appointment_reminder_1440m", t(8, 0)).await.unwrap());
    s.release_reminder(appt, "appointment_reminder_1440m").await.unwrap();
    assert!(s.claim_reminder(appt, "appointment_reminder_1440m", t(8, 2)).await.unwrap());
}

async fn reminders_many_claimers_one_winner(s: Store) {
    let appt = AppointmentId::new();
    let mut tasks = Vec::new();
    for _ in 0..24 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move { s.claim_reminder(appt, "r", Utc::now()).await.unwrap() }));
    }
    let mut wins = 0;
    for t in tasks {
        wins += t.await.unwrap() as usize;
    }
    assert_eq!(wins, 1);
}
