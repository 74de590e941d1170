//! [`SqliteInfraStore`]: the server's records in one SQLite file (WAL, `synchronous=FULL`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, ErrorCode as SqlCode, OpenFlags, OptionalExtension, Row, TransactionBehavior};

use clinic_core::ids::{AppointmentId, UserId};
use clinic_core::rbac::Role;

use super::schema::{latest, MIGRATIONS};
use super::InfraStore;
use crate::audit::{AuditActor, AuditEntry, AuditOutcome, AuditTarget};
use crate::error::{InfraError, Result};
use crate::events::EventRecord;
use crate::idempotency::{IdempotencyRecord, IdempotencyState, StoredResponse};
use crate::password::PasswordHash;
use crate::refresh::{FamilyId, RefreshFamily, RefreshTokenRecord, TokenHash};
use crate::users::{normalize_username, User};

/// The file name inside the server's data directory.
pub const SERVER_DB_FILE: &str = "server.sqlite3";

/// The server's records in SQLite. Cloning shares the connection.
#[derive(Clone)]
pub struct SqliteInfraStore {
    conn: Arc<Mutex<Connection>>,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for SqliteInfraStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteInfraStore").field("path", &self.path).finish_non_exhaustive()
    }
}

fn sql_err(e: rusqlite::Error) -> InfraError {
    let retryable = matches!(e.sqlite_error_code(), Some(SqlCode::DatabaseBusy | SqlCode::DatabaseLocked));
    InfraError::Store { message: format!("sqlite: {e}"), retryable }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

pub(crate) fn time_text(t: DateTime<Utc>) -> String {
    crate::audit::canonical_time(t)
}

fn parse_time(s: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn parse_opt_time(s: Option<String>) -> rusqlite::Result<Option<DateTime<Utc>>> {
    s.map(|s| parse_time(&s)).transpose()
}

fn parse_uuid<T: From<uuid::Uuid>>(s: &str) -> rusqlite::Result<T> {
    uuid::Uuid::parse_str(s)
        .map(T::from)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn parse_opt_uuid<T: From<uuid::Uuid>>(s: Option<String>) -> rusqlite::Result<Option<T>> {
    s.map(|s| parse_uuid(&s)).transpose()
}

fn conversion(msg: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, msg.into())
}

pub(crate) fn role_str(r: Role) -> &'static str {
    match r {
        Role::Admin => "admin",
        Role::Scheduler => "scheduler",
        Role::Practitioner => "practitioner",
        Role::Patient => "patient",
    }
}

fn parse_role(s: &str) -> rusqlite::Result<Role> {
    Role::parse(s).ok_or_else(|| conversion(format!("unknown role {s:?}")))
}

const USER_COLS: &str =
    "id, username, role, clinic_id, practitioner_id, patient_id, password_hash, disabled, created_at";

fn user_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: parse_uuid(&r.get::<_, String>(0)?)?,
        username: r.get(1)?,
        role: parse_role(&r.get::<_, String>(2)?)?,
        clinic_id: parse_opt_uuid(r.get(3)?)?,
        practitioner_id: parse_opt_uuid(r.get(4)?)?,
        patient_id: parse_opt_uuid(r.get(5)?)?,
        password_hash: PasswordHash::from_phc(r.get::<_, String>(6)?),
        disabled: r.get(7)?,
        created_at: parse_time(&r.get::<_, String>(8)?)?,
    })
}

fn family_row(r: &Row<'_>) -> rusqlite::Result<RefreshFamily> {
    Ok(RefreshFamily {
        id: FamilyId(parse_uuid(&r.get::<_, String>(0)?)?),
        user_id: parse_uuid(&r.get::<_, String>(1)?)?,
        created_at: parse_time(&r.get::<_, String>(2)?)?,
        expires_at: parse_time(&r.get::<_, String>(3)?)?,
        revoked_at: parse_opt_time(r.get(4)?)?,
    })
}

fn token_row(r: &Row<'_>) -> rusqlite::Result<RefreshTokenRecord> {
    Ok(RefreshTokenRecord {
        hash: TokenHash(r.get(0)?),
        family: FamilyId(parse_uuid(&r.get::<_, String>(1)?)?),
        user_id: parse_uuid(&r.get::<_, String>(2)?)?,
        issued_at: parse_time(&r.get::<_, String>(3)?)?,
        expires_at: parse_time(&r.get::<_, String>(4)?)?,
        used_at: parse_opt_time(r.get(5)?)?,
    })
}

const AUDIT_COLS: &str =
    "seq, at, actor_user, actor_role, action, target_kind, target_id, client, outcome, code, prev_hash, hash";

fn audit_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let role: Option<String> = r.get(3)?;
    let outcome: String = r.get(8)?;
    Ok(AuditEntry {
        seq: r.get::<_, i64>(0)? as u64,
        at: parse_time(&r.get::<_, String>(1)?)?,
        actor: AuditActor { user_id: parse_opt_uuid(r.get(2)?)?, role: role.map(|s| parse_role(&s)).transpose()? },
        action: r.get(4)?,
        target: AuditTarget { kind: r.get(5)?, id: r.get(6)? },
        client: r.get(7)?,
        outcome: AuditOutcome::parse(&outcome).ok_or_else(|| conversion(format!("unknown outcome {outcome:?}")))?,
        code: r.get(9)?,
        prev_hash: r.get(10)?,
        hash: r.get(11)?,
    })
}

fn idem_row(r: &Row<'_>) -> rusqlite::Result<IdempotencyRecord> {
    let state: String = r.get(2)?;
    let response: Option<String> = r.get(3)?;
    Ok(IdempotencyRecord {
        key: r.get(0)?,
        fingerprint: r.get(1)?,
        state: match state.as_str() {
            "in_progress" => IdempotencyState::InProgress,
            "done" => IdempotencyState::Done,
            s => return Err(conversion(format!("unknown idempotency state {s:?}"))),
        },
        response: response
            .map(|s| serde_json::from_str::<StoredResponse>(&s).map_err(|e| conversion(e.to_string())))
            .transpose()?,
        created_at: parse_time(&r.get::<_, String>(4)?)?,
        expires_at: parse_time(&r.get::<_, String>(5)?)?,
    })
}

fn event_row(r: &Row<'_>) -> rusqlite::Result<EventRecord> {
    let payload: String = r.get(3)?;
    Ok(EventRecord {
        seq: r.get::<_, i64>(0)? as u64,
        at: parse_time(&r.get::<_, String>(1)?)?,
        kind: r.get(2)?,
        payload: serde_json::from_str(&payload).map_err(|e| conversion(e.to_string()))?,
    })
}

fn limit_i64(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn seq_i64(seq: u64) -> Result<i64> {
    i64::try_from(seq).map_err(|_| InfraError::store("sequence number out of range"))
}

impl SqliteInfraStore {
    /// Opens (creating if needed) the file and applies pending migrations.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql_err)?;
        Self::init(conn, Some(path))
    }

    /// Opens `DIR/server.sqlite3`, creating the directory if needed.
    pub fn open_in_dir(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)
            .map_err(|e| InfraError::store(format!("cannot create the data directory {}: {e}", dir.display())))?;
        Self::open(dir.join(SERVER_DB_FILE))
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory().map_err(sql_err)?, None)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> Result<Self> {
        conn.busy_timeout(Duration::from_secs(10)).map_err(sql_err)?;
        let version: i64 =
            conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| match e.sqlite_error_code() {
                Some(SqlCode::NotADatabase) => {
                    InfraError::store("the file is not a server database (or it is corrupt)")
                }
                _ => sql_err(e),
            })?;
        if version > latest() {
            return Err(InfraError::store(format!(
                "refusing to open: the file has schema version {version}, newer than this build's {}",
                latest()
            )));
        }
        if path.is_some() {
            let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(sql_err)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(InfraError::store(format!("cannot enable WAL (journal mode is {mode})")));
            }
        }
        conn.execute_batch("PRAGMA synchronous=FULL;").map_err(sql_err)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_err)?;
            tx.execute_batch(sql).map_err(sql_err)?;
            tx.pragma_update(None, "user_version", i as i64 + 1).map_err(sql_err)?;
            tx.commit().map_err(sql_err)?;
        }
        Ok(SqliteInfraStore { conn: Arc::new(Mutex::new(conn)), path })
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64> {
        let c = self.conn.lock().map_err(|_| InfraError::store("connection poisoned by an earlier panic"))?;
        c.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql_err)
    }

    /// Runs `f` on the connection on tokio's blocking pool (SQLite blocks on fsync), inline outside a runtime.
    async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        let job = move || {
            let mut c = conn.lock().map_err(|_| InfraError::store("connection poisoned by an earlier panic"))?;
            f(&mut c)
        };
        match tokio::runtime::Handle::try_current() {
            Ok(h) => h.spawn_blocking(job).await.map_err(|e| InfraError::store(format!("store task failed: {e}")))?,
            Err(_) => job(),
        }
    }

    /// Writes a consistent copy to `dest` (`VACUUM INTO`), e.g. for `clinic-server backup`.
    pub async fn backup_to(&self, dest: impl AsRef<Path>) -> Result<()> {
        let dest = dest.as_ref().to_string_lossy().to_string();
        self.run(move |c| c.execute("VACUUM INTO ?1", [dest]).map(|_| ()).map_err(sql_err)).await
    }
}

#[async_trait]
impl InfraStore for SqliteInfraStore {
    async fn ping(&self) -> Result<()> {
        self.run(|c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(sql_err)).await
    }

    async fn create_user(&self, user: &User) -> Result<()> {
        let u = user.clone();
        self.run(move |c| {
            let r = c.execute(
                "INSERT INTO users (id, username, username_key, role, clinic_id, practitioner_id, patient_id, \
                 password_hash, disabled, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    u.id.to_string(),
                    u.username,
                    normalize_username(&u.username),
                    role_str(u.role),
                    u.clinic_id.map(|i| i.to_string()),
                    u.practitioner_id.map(|i| i.to_string()),
                    u.patient_id.map(|i| i.to_string()),
                    u.password_hash.as_phc(),
                    u.disabled,
                    time_text(u.created_at),
                ],
            );
            match r {
                Ok(_) => Ok(()),
                Err(e) if is_unique_violation(&e) => Err(InfraError::UsernameTaken),
                Err(e) => Err(sql_err(e)),
            }
        })
        .await
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        self.run(move |c| {
            c.prepare_cached(&format!("SELECT {USER_COLS} FROM users WHERE id = ?1"))
                .and_then(|mut st| st.query_row([id.to_string()], user_row).optional())
                .map_err(sql_err)
        })
        .await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let key = normalize_username(username);
        self.run(move |c| {
            c.prepare_cached(&format!("SELECT {USER_COLS} FROM users WHERE username_key = ?1"))
                .and_then(|mut st| st.query_row([key], user_row).optional())
                .map_err(sql_err)
        })
        .await
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        self.run(|c| {
            let mut st =
                c.prepare_cached(&format!("SELECT {USER_COLS} FROM users ORDER BY username_key")).map_err(sql_err)?;
            let rows = st.query_map([], user_row).map_err(sql_err)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql_err)
        })
        .await
    }

    async fn update_user(&self, user: &User) -> Result<()> {
        let u = user.clone();
        self.run(move |c| {
            let n = c
                .execute(
                    "UPDATE users SET role = ?2, clinic_id = ?3, practitioner_id = ?4, patient_id = ?5, \
                     password_hash = ?6, disabled = ?7 WHERE id = ?1",
                    params![
                        u.id.to_string(),
                        role_str(u.role),
                        u.clinic_id.map(|i| i.to_string()),
                        u.practitioner_id.map(|i| i.to_string()),
                        u.patient_id.map(|i| i.to_string()),
                        u.password_hash.as_phc(),
                        u.disabled,
                    ],
                )
                .map_err(sql_err)?;
            if n == 0 {
                return Err(InfraError::NotFound { entity: "user", id: u.id.to_string() });
            }
            Ok(())
        })
        .await
    }

    async fn create_refresh_family(&self, family: &RefreshFamily) -> Result<()> {
        let f = family.clone();
        self.run(move |c| {
            c.execute(
                "INSERT INTO refresh_families (id, user_id, created_at, expires_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    f.id.to_string(),
                    f.user_id.to_string(),
                    time_text(f.created_at),
                    time_text(f.expires_at),
                    f.revoked_at.map(time_text),
                ],
            )
            .map(|_| ())
            .map_err(sql_err)
        })
        .await
    }

    async fn refresh_family(&self, id: FamilyId) -> Result<Option<RefreshFamily>> {
        self.run(move |c| {
            c.prepare_cached(
                "SELECT id, user_id, created_at, expires_at, revoked_at FROM refresh_families WHERE id = ?1",
            )
            .and_then(|mut st| st.query_row([id.to_string()], family_row).optional())
            .map_err(sql_err)
        })
        .await
    }

    async fn revoke_refresh_family(&self, id: FamilyId, at: DateTime<Utc>) -> Result<()> {
        self.run(move |c| {
            c.execute(
                "UPDATE refresh_families SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id.to_string(), time_text(at)],
            )
            .map(|_| ())
            .map_err(sql_err)
        })
        .await
    }

    async fn revoke_user_refresh_families(&self, user: UserId, at: DateTime<Utc>) -> Result<u64> {
        self.run(move |c| {
            c.execute(
                "UPDATE refresh_families SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
                params![user.to_string(), time_text(at)],
            )
            .map(|n| n as u64)
            .map_err(sql_err)
        })
        .await
    }

    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> Result<()> {
        let t = token.clone();
        self.run(move |c| {
            c.execute(
                "INSERT INTO refresh_tokens (hash, family_id, user_id, issued_at, expires_at, used_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    t.hash.0,
                    t.family.to_string(),
                    t.user_id.to_string(),
                    time_text(t.issued_at),
                    time_text(t.expires_at),
                    t.used_at.map(time_text),
                ],
            )
            .map(|_| ())
            .map_err(sql_err)
        })
        .await
    }

    async fn refresh_token(&self, hash: &TokenHash) -> Result<Option<RefreshTokenRecord>> {
        let h = hash.0.clone();
        self.run(move |c| {
            c.prepare_cached(
                "SELECT hash, family_id, user_id, issued_at, expires_at, used_at FROM refresh_tokens WHERE hash = ?1",
            )
            .and_then(|mut st| st.query_row([h], token_row).optional())
            .map_err(sql_err)
        })
        .await
    }

    async fn mark_refresh_token_used(&self, hash: &TokenHash, at: DateTime<Utc>) -> Result<bool> {
        let h = hash.0.clone();
        self.run(move |c| {
            c.execute(
                "UPDATE refresh_tokens SET used_at = ?2 WHERE hash = ?1 AND used_at IS NULL",
                params![h, time_text(at)],
            )
            .map(|n| n == 1)
            .map_err(sql_err)
        })
        .await
    }

    async fn purge_expired_refresh(&self, now: DateTime<Utc>) -> Result<u64> {
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_err)?;
            let now = time_text(now);
            let a = tx.execute("DELETE FROM refresh_tokens WHERE expires_at <= ?1", [&now]).map_err(sql_err)?;
            let b = tx.execute("DELETE FROM refresh_families WHERE expires_at <= ?1", [&now]).map_err(sql_err)?;
            tx.commit().map_err(sql_err)?;
            Ok((a + b) as u64)
        })
        .await
    }

    async fn audit_last(&self) -> Result<Option<AuditEntry>> {
        self.run(|c| {
            c.prepare_cached(&format!("SELECT {AUDIT_COLS} FROM audit_log ORDER BY seq DESC LIMIT 1"))
                .and_then(|mut st| st.query_row([], audit_row).optional())
                .map_err(sql_err)
        })
        .await
    }

    async fn audit_try_append(&self, entry: &AuditEntry) -> Result<bool> {
        Ok(self.audit_try_append_many(std::slice::from_ref(entry)).await? == 1)
    }

    /// One `IMMEDIATE` transaction: all entries or none (a taken `seq` rolls the batch back).
    async fn audit_try_append_many(&self, entries: &[AuditEntry]) -> Result<usize> {
        let entries = entries.to_vec();
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_err)?;
            {
                let mut st = tx
                    .prepare_cached(&format!(
                        "INSERT INTO audit_log ({AUDIT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                    ))
                    .map_err(sql_err)?;
                for e in &entries {
                    let r = st.execute(params![
                        seq_i64(e.seq)?,
                        time_text(e.at),
                        e.actor.user_id.map(|u| u.to_string()),
                        e.actor.role.map(role_str),
                        e.action,
                        e.target.kind,
                        e.target.id,
                        e.client,
                        e.outcome.as_str(),
                        e.code,
                        e.prev_hash,
                        e.hash,
                    ]);
                    match r {
                        Ok(_) => {}
                        Err(e) if is_unique_violation(&e) => return Ok(0),
                        Err(e) => return Err(sql_err(e)),
                    }
                }
            }
            tx.commit().map_err(sql_err)?;
            Ok(entries.len())
        })
        .await
    }

    async fn audit_entries(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>> {
        let after = seq_i64(after)?;
        self.run(move |c| {
            let mut st = c
                .prepare_cached(&format!("SELECT {AUDIT_COLS} FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2"))
                .map_err(sql_err)?;
            let rows = st.query_map(params![after, limit_i64(limit)], audit_row).map_err(sql_err)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql_err)
        })
        .await
    }

    async fn idempotency_begin(
        &self,
        record: &IdempotencyRecord,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotencyRecord>> {
        let r = record.clone();
        self.run(move |c| {
            // One immediate transaction: reading the existing record and inserting ours cannot interleave
            // with another writer (SQLite has one writer at a time, across processes too).
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_err)?;
            let existing = tx
                .prepare_cached(
                    "SELECT key, fingerprint, state, response, created_at, expires_at FROM idempotency WHERE key = ?1",
                )
                .and_then(|mut st| st.query_row([&r.key], idem_row).optional())
                .map_err(sql_err)?;
            if let Some(e) = existing {
                if e.expires_at > now {
                    return Ok(Some(e));
                }
            }
            tx.execute(
                "INSERT OR REPLACE INTO idempotency (key, fingerprint, state, response, created_at, expires_at) \
                 VALUES (?1, ?2, 'in_progress', NULL, ?3, ?4)",
                params![r.key, r.fingerprint, time_text(r.created_at), time_text(r.expires_at)],
            )
            .map_err(sql_err)?;
            tx.commit().map_err(sql_err)?;
            Ok(None)
        })
        .await
    }

    async fn idempotency_complete(
        &self,
        key: &str,
        response: &StoredResponse,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let key = key.to_string();
        let body =
            serde_json::to_string(response).map_err(|e| InfraError::Internal(format!("response encoding: {e}")))?;
        self.run(move |c| {
            c.execute(
                "UPDATE idempotency SET state = 'done', response = ?2, expires_at = ?3 WHERE key = ?1",
                params![key, body, time_text(expires_at)],
            )
            .map(|_| ())
            .map_err(sql_err)
        })
        .await
    }

    async fn idempotency_abandon(&self, key: &str) -> Result<()> {
        let key = key.to_string();
        self.run(move |c| {
            c.execute("DELETE FROM idempotency WHERE key = ?1 AND state = 'in_progress'", [key])
                .map(|_| ())
                .map_err(sql_err)
        })
        .await
    }

    async fn idempotency_get(&self, key: &str) -> Result<Option<IdempotencyRecord>> {
        let key = key.to_string();
        self.run(move |c| {
            c.prepare_cached(
                "SELECT key, fingerprint, state, response, created_at, expires_at FROM idempotency WHERE key = ?1",
            )
            .and_then(|mut st| st.query_row([key], idem_row).optional())
            .map_err(sql_err)
        })
        .await
    }

    async fn idempotency_purge_expired(&self, now: DateTime<Utc>) -> Result<u64> {
        self.run(move |c| {
            c.execute("DELETE FROM idempotency WHERE expires_at <= ?1", [time_text(now)])
                .map(|n| n as u64)
                .map_err(sql_err)
        })
        .await
    }

    async fn publish_event(&self, kind: &str, payload: &serde_json::Value, at: DateTime<Utc>) -> Result<u64> {
        let kind = kind.to_string();
        let payload = payload.to_string();
        self.run(move |c| {
            c.prepare_cached("INSERT INTO events (at, kind, payload) VALUES (?1, ?2, ?3) RETURNING seq")
                .and_then(|mut st| st.query_row(params![time_text(at), kind, payload], |r| r.get::<_, i64>(0)))
                .map(|s| s as u64)
                .map_err(sql_err)
        })
        .await
    }

    /// One `IMMEDIATE` transaction for the whole batch.
    async fn publish_events(&self, events: &[(String, serde_json::Value, DateTime<Utc>)]) -> Result<Vec<u64>> {
        let events: Vec<(String, String, String)> =
            events.iter().map(|(k, p, at)| (k.clone(), p.to_string(), time_text(*at))).collect();
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_err)?;
            let mut seqs = Vec::with_capacity(events.len());
            {
                let mut st = tx
                    .prepare_cached("INSERT INTO events (at, kind, payload) VALUES (?1, ?2, ?3) RETURNING seq")
                    .map_err(sql_err)?;
                for (kind, payload, at) in &events {
                    seqs.push(st.query_row(params![at, kind, payload], |r| r.get::<_, i64>(0)).map_err(sql_err)? as u64);
                }
            }
            tx.commit().map_err(sql_err)?;
            Ok(seqs)
        })
        .await
    }

    async fn events_after(&self, after: u64, limit: usize) -> Result<Vec<EventRecord>> {
        let after = seq_i64(after)?;
        self.run(move |c| {
            let mut st = c
                .prepare_cached("SELECT seq, at, kind, payload FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2")
                .map_err(sql_err)?;
            let rows = st.query_map(params![after, limit_i64(limit)], event_row).map_err(sql_err)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql_err)
        })
        .await
    }

    async fn last_event_seq(&self) -> Result<u64> {
        self.run(|c| {
            c.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get::<_, i64>(0))
                .map(|s| s as u64)
                .map_err(sql_err)
        })
        .await
    }

    async fn claim_reminder(&self, appointment: AppointmentId, kind: &str, at: DateTime<Utc>) -> Result<bool> {
        let kind = kind.to_string();
        self.run(move |c| {
            c.execute(
                "INSERT OR IGNORE INTO reminder_claims (appointment_id, kind, claimed_at) VALUES (?1, ?2, ?3)",
                params![appointment.to_string(), kind, time_text(at)],
            )
            .map(|n| n == 1)
            .map_err(sql_err)
        })
        .await
    }

    async fn release_reminder(&self, appointment: AppointmentId, kind: &str) -> Result<()> {
        let kind = kind.to_string();
        self.run(move |c| {
            c.execute(
                "DELETE FROM reminder_claims WHERE appointment_id = ?1 AND kind = ?2",
                params![appointment.to_string(), kind],
            )
            .map(|_| ())
            .map_err(sql_err)
        })
        .await
    }
}
