//! Migrations of the server's SQLite file, versioned through `PRAGMA user_version` like `clinic-sqlite`'s:
//! entry `i` upgrades the file from version `i` to `i + 1`; a file of a newer build is refused.
//!
//! Instants are TEXT in the fixed-width form `YYYY-MM-DDTHH:MM:SS.mmmZ`, so string order is time order.

pub const MIGRATIONS: &[&str] = &[
    // 1: users, refresh token families, audit log, idempotency records, event feed, reminder claims.
    r#"
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        username_key TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        clinic_id TEXT,
        practitioner_id TEXT,
        patient_id TEXT,
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE refresh_families (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE INDEX refresh_families_by_user ON refresh_families (user_id);
    CREATE TABLE refresh_tokens (
        hash TEXT PRIMARY KEY,
        family_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    ) WITHOUT ROWID;
    CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor_user TEXT,
        actor_role TEXT,
        action TEXT NOT NULL,
        target_kind TEXT NOT NULL,
        target_id TEXT,
        client TEXT,
        outcome TEXT NOT NULL,
        code TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    -- Append-only through this program: updates and deletes are refused by the database itself. (Someone with
    -- write access to the file can drop the triggers; the hash chain is what detects that.)
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE idempotency (
        key TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        state TEXT NOT NULL,
        response TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX idempotency_by_expiry ON idempotency (expires_at);
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    CREATE TABLE reminder_claims (
        appointment_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        PRIMARY KEY (appointment_id, kind)
    ) WITHOUT ROWID;
    "#,
];

/// The schema version this build writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}
