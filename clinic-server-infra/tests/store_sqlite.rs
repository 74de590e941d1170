//! The conformance suite against SQLite files, plus what only SQLite has: the file, migrations, the
//! append-only triggers, and tampering by someone with write access to the file.

mod conformance;

use std::sync::Arc;

use clinic_server_infra::audit::{AuditLog, AuditProblemKind};
use clinic_server_infra::store::{InfraStore, SqliteInfraStore, SERVER_DB_FILE};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().to_path_buf();
    conformance::run_all(|name| {
        let path = dir_path.join(format!("{name}.sqlite3"));
        async move { Arc::new(SqliteInfraStore::open(path).unwrap()) as conformance::Store }
    })
    .await;
}

#[tokio::test]
async fn opens_in_the_data_dir_with_wal_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("clinic-data");
    let s = SqliteInfraStore::open_in_dir(&data).unwrap();
    assert_eq!(s.path().unwrap(), data.join(SERVER_DB_FILE));
    assert_eq!(s.schema_version().unwrap(), clinic_server_infra::store::schema::latest());
    let log = AuditLog::new(Arc::new(s.clone()));
    log.append(conformance::entry("patient.read", "p1")).await.unwrap();
    assert!(s.claim_reminder(clinic_core::ids::AppointmentId::new(), "r", chrono::Utc::now()).await.unwrap());
    drop(log);
    drop(s);
    let c = rusqlite::Connection::open(data.join(SERVER_DB_FILE)).unwrap();
    let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    drop(c);
    // Reopening (a restart) keeps the records and does not re-run migrations.
    let again = SqliteInfraStore::open_in_dir(&data).unwrap();
    let log = AuditLog::new(Arc::new(again));
    assert_eq!(log.verify().await.unwrap().checked, 1);
}

#[tokio::test]
async fn refuses_a_newer_schema_and_a_non_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.sqlite3");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
    }
    let e = SqliteInfraStore::open(&path).unwrap_err();
    assert_eq!(e.code(), "STORE_UNAVAILABLE");
    assert!(e.to_string().contains("newer"), "{e}");
    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(&junk, b"this is not a database, just some text that is long enough to have a header ....").unwrap();
    let e = SqliteInfraStore::open(&junk).unwrap_err();
    assert_eq!(e.code(), "STORE_UNAVAILABLE");
}

/// A log of five entries, and a raw connection to the same file (the "attacker").
async fn five_entries() -> (tempfile::TempDir, AuditLog, rusqlite::Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SERVER_DB_FILE);
    let s = SqliteInfraStore::open(&path).unwrap();
    let log = AuditLog::new(Arc::new(s));
    for i in 0..5 {
        log.append(conformance::entry("patient.read", &format!("p{i}"))).await.unwrap();
    }
    assert!(log.verify().await.unwrap().is_ok());
    let raw = rusqlite::Connection::open(&path).unwrap();
    (dir, log, raw)
}

#[tokio::test]
async fn the_database_refuses_updates_and_deletes_of_audit_entries() {
    let (_dir, log, raw) = five_entries().await;
    let upd = raw.execute("UPDATE audit_log SET action = 'x' WHERE seq = 2", []).unwrap_err();
    assert!(upd.to_string().contains("append-only"), "{upd}");
    let del = raw.execute("DELETE FROM audit_log WHERE seq = 2", []).unwrap_err();
    assert!(del.to_string().contains("append-only"), "{del}");
    assert!(log.verify().await.unwrap().is_ok());
}

fn drop_triggers(raw: &rusqlite::Connection) {
    raw.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").unwrap();
}

#[tokio::test]
async fn verify_detects_an_edited_entry() {
    let (_dir, log, raw) = five_entries().await;
    drop_triggers(&raw);
    raw.execute("UPDATE audit_log SET target_id = 'someone-else' WHERE seq = 3", []).unwrap();
    let r = log.verify().await.unwrap();
    let p = r.problem.unwrap();
    assert_eq!((p.seq, p.kind), (3, AuditProblemKind::Edited));
    assert!(p.to_string().contains("audit entry 3"), "{p}");
}

#[tokio::test]
async fn verify_detects_an_edit_with_a_recomputed_hash() {
    let (_dir, log, raw) = five_entries().await;
    drop_triggers(&raw);
    // A careful attacker fixes the edited entry's own hash: the next entry no longer links to it.
    let mut e = log.entries(1, 1).await.unwrap().remove(0);
    e.outcome = clinic_server_infra::audit::AuditOutcome::Denied;
    let forged = e.compute_hash();
    raw.execute("UPDATE audit_log SET outcome = 'denied', hash = ?1 WHERE seq = 2", [forged]).unwrap();
    let p = log.verify().await.unwrap().problem.unwrap();
    assert_eq!((p.seq, p.kind), (3, AuditProblemKind::BrokenLink));
}

#[tokio::test]
async fn verify_detects_a_deleted_entry() {
    let (_dir, log, raw) = five_entries().await;
    drop_triggers(&raw);
    raw.execute("DELETE FROM audit_log WHERE seq = 2", []).unwrap();
    let p = log.verify().await.unwrap().problem.unwrap();
    assert_eq!((p.seq, p.kind), (2, AuditProblemKind::Missing));
}

#[tokio::test]
async fn verify_detects_deletion_with_renumbering_and_an_inserted_entry() {
    let (_dir, log, raw) = five_entries().await;
    drop_triggers(&raw);
    // Delete entry 2 and shift 3..5 down so seq has no gap.
    raw.execute("DELETE FROM audit_log WHERE seq = 2", []).unwrap();
    raw.execute("UPDATE audit_log SET seq = seq - 1 WHERE seq > 2", []).unwrap();
    let p = log.verify().await.unwrap().problem.unwrap();
    assert_eq!(p.seq, 2);
    assert!(matches!(p.kind, AuditProblemKind::Edited | AuditProblemKind::BrokenLink), "{p:?}");

    let (_dir2, log2, raw2) = five_entries().await;
    drop_triggers(&raw2);
    // Insert a self-consistent entry after 5 that claims a wrong predecessor.
    let mut fake = log2.entries(4, 1).await.unwrap().remove(0);
    fake.seq = 6;
    fake.prev_hash = "f".repeat(64);
    fake.hash = fake.compute_hash();
    raw2.execute(
        "INSERT INTO audit_log SELECT 6, at, actor_user, actor_role, action, target_kind, target_id, client, outcome, \
         code, ?1, ?2 FROM audit_log WHERE seq = 5",
        [fake.prev_hash.clone(), fake.hash.clone()],
    )
    .unwrap();
    let p = log2.verify().await.unwrap().problem.unwrap();
    assert_eq!((p.seq, p.kind), (6, AuditProblemKind::BrokenLink));
}

#[tokio::test]
async fn verify_with_anchor_detects_truncation() {
    let (_dir, log, raw) = five_entries().await;
    let head = log.verify().await.unwrap().head.unwrap();
    drop_triggers(&raw);
    raw.execute("DELETE FROM audit_log WHERE seq >= 4", []).unwrap();
    // Without the anchor the shorter chain is self-consistent ...
    assert!(log.verify().await.unwrap().is_ok());
    // ... with it, the truncation shows.
    let p = log.verify_with_anchor((head.0, &head.1)).await.unwrap().problem.unwrap();
    assert_eq!((p.seq, p.kind), (5, AuditProblemKind::Truncated));
}

#[tokio::test]
async fn verify_detects_reordered_entries_in_the_store_and_in_an_export() {
    let (_dir, log, raw) = five_entries().await;
    let export = log.entries(0, 100).await.unwrap();
    drop_triggers(&raw);
    // Swap entries 2 and 3 in the table.
    raw.execute_batch(
        "UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; \
         UPDATE audit_log SET seq = 3 WHERE seq = -1;",
    )
    .unwrap();
    let p = log.verify().await.unwrap().problem.unwrap();
    assert_eq!((p.seq, p.kind), (2, AuditProblemKind::Edited));
    // An exported copy read back in another order.
    let mut swapped = export.clone();
    swapped.swap(1, 2);
    let p = clinic_server_infra::audit::verify_entries(&swapped).problem.unwrap();
    assert_eq!((p.seq, p.kind), (2, AuditProblemKind::OutOfOrder));
    assert!(clinic_server_infra::audit::verify_entries(&export).is_ok());
    let mut dup = export.clone();
    dup.insert(2, export[1].clone());
    let p = clinic_server_infra::audit::verify_entries(&dup).problem.unwrap();
    assert_eq!((p.seq, p.kind), (2, AuditProblemKind::OutOfOrder));
}
