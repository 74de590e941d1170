//! [`SqliteStore`]: every store port of `clinic-core` over one SQLite file.

use async_trait::async_trait;
use rusqlite::{params, Connection, ErrorCode as SqlCode, OpenFlags, OptionalExtension, TransactionBehavior};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clinic_core::error::{ClinicError, ErrorCode};
use clinic_core::ids::*;
use clinic_core::model::{Appointment, AppointmentType, Clinic, Patient, Practitioner, Room, Schedule};
use clinic_core::ports::*;
use clinic_core::time_slot::to_minute;
use clinic_protect::{IndexKind, Keyring};

use crate::booking_writer::BookingWriter;
use crate::catalog_cache::{self, CatalogCache};
use crate::decoded_rows::DecodedRows;
use crate::schema::{latest, MIGRATIONS};

/// The longest slot (`clinic_core::time_slot::MAX_SLOT_MINUTES`): bounds index range scans for overlap queries.
const MAX_SLOT: i64 = clinic_core::time_slot::MAX_SLOT_MINUTES;

/// Read connections kept open for reuse (more are opened while more readers run at once).
const IDLE_READERS: usize = 8;

/// An embedded store. Cloning shares the connections.
///
/// Writes go through one connection, on tokio's blocking pool (a commit waits for `fsync`). On a file, reads use
/// a pool of read-only connections and run inline: in WAL mode a reader never waits for the writer, so a
/// booking's reads do not queue behind other bookings' commits, and a read of a few indexed rows is cheaper
/// than a hop to the blocking pool. A private in-memory database has only the one connection.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    /// Idle read connections (`None` for an in-memory database).
    readers: Option<Arc<Mutex<Vec<Connection>>>>,
    path: Option<PathBuf>,
    /// The keys that seal patient PHI (`None`: patients are written in clear, and sealed ones cannot be read).
    protect: Option<Arc<Keyring>>,
    /// Decoded catalog rows, reused while the catalog is unchanged (see `catalog_cache`).
    catalog: CatalogCache,
    /// The group commit of bookings, on the write connection.
    bookings: BookingWriter,
    /// Decoded appointments, reused while their stored text is unchanged (see `decoded_rows`).
    appointments: DecodedRows<Appointment>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("protected", &self.protect.is_some())
            .finish_non_exhaustive()
    }
}

fn store_err(context: &str, e: impl std::fmt::Display) -> ClinicError {
    ClinicError::Store { message: format!("{context}: {e}"), retryable: false }
}

pub(crate) fn sql_err(e: rusqlite::Error) -> ClinicError {
    let retryable = matches!(e.sqlite_error_code(), Some(SqlCode::DatabaseBusy | SqlCode::DatabaseLocked));
    let message = match e.sqlite_error_code() {
        Some(SqlCode::NotADatabase) => "the file is not a clinic database (or it is corrupt)".to_string(),
        Some(SqlCode::CannotOpen) | Some(SqlCode::ReadOnly) | Some(SqlCode::PermissionDenied) => {
            format!("the database file cannot be opened for writing: {e}")
        }
        _ => format!("sqlite: {e}"),
    };
    ClinicError::Store { message, retryable }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

fn to_doc<T: Serialize>(v: &T) -> Result<String, ClinicError> {
    serde_json::to_string(v).map_err(|e| store_err("cannot encode", e))
}

fn from_doc<T: DeserializeOwned>(doc: &str) -> Result<T, ClinicError> {
    serde_json::from_str(doc).map_err(|e| store_err("corrupt row (does not validate)", e))
}

fn docs<T: DeserializeOwned>(rows: Vec<String>) -> Result<Vec<T>, ClinicError> {
    rows.iter().map(|d| from_doc(d)).collect()
}

fn query_docs(c: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<String>, ClinicError> {
    let mut st = c.prepare_cached(sql).map_err(sql_err)?;
    let rows = st.query_map(params, |r| r.get::<_, String>(0)).map_err(sql_err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(sql_err)
}

/// `(id, doc)` rows.
fn query_id_docs(
    c: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<(String, String)>, ClinicError> {
    let mut st = c.prepare_cached(sql).map_err(sql_err)?;
    let rows = st.query_map(params, |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).map_err(sql_err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(sql_err)
}

fn one_doc(c: &Connection, sql: &str, id: String) -> Result<Option<String>, ClinicError> {
    c.prepare_cached(sql).map_err(sql_err)?.query_row([id], |r| r.get::<_, String>(0)).optional().map_err(sql_err)
}

fn duplicate_mrn(p: &Patient) -> ClinicError {
    ClinicError::field(ErrorCode::DuplicateMrn, "mrn", format!("MRN {} is already registered", p.mrn().unwrap_or("")))
}

fn status_text(a: &Appointment) -> &'static str {
    a.status().as_str()
}

impl SqliteStore {
    /// Opens (creating if needed) a database file and applies pending migrations.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ClinicError> {
        let path = path.as_ref().to_path_buf();
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql_err)?;
        Self::init(conn, Some(path))
    }

    /// A private in-memory database (tests, throwaway use).
    pub fn open_in_memory() -> Result<Self, ClinicError> {
        Self::init(Connection::open_in_memory().map_err(sql_err)?, None)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> Result<Self, ClinicError> {
        conn.busy_timeout(Duration::from_secs(10)).map_err(sql_err)?;
        // Reading the header first turns "not a database" into a clear error before any write.
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql_err)?;
        if version > latest() {
            return Err(store_err(
                "refusing to open",
                format!(
                    "the file has schema version {version}, newer than this build's {}; upgrade clinic-sqlite",
                    latest()
                ),
            ));
        }
        if path.is_some() {
            let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(sql_err)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(store_err("cannot enable WAL", mode));
            }
        }
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;").map_err(sql_err)?;
        migrate(&mut conn, version)?;
        conn.execute_batch(catalog_cache::ENSURE_SQL).map_err(sql_err)?;
        let readers = path.as_ref().map(|_| Arc::new(Mutex::new(Vec::new())));
        let conn = Arc::new(Mutex::new(conn));
        Ok(SqliteStore {
            bookings: BookingWriter::new(conn.clone()),
            conn,
            readers,
            path,
            catalog: CatalogCache::default(),
            appointments: DecodedRows::default(),
            protect: None,
        })
    }

    /// The same store sealing patient PHI with `ring` (see `clinic-protect`): new and updated patients are
    /// written sealed under its newest key; patients sealed under any of its keys, or written before
    /// encryption, read back in clear.
    pub fn with_protection(mut self, ring: Arc<Keyring>) -> Self {
        self.protect = Some(ring);
        self
    }

    /// The keys patients are sealed with, if any.
    pub fn protection(&self) -> Option<&Arc<Keyring>> {
        self.protect.as_ref()
    }

    /// Re-seals up to `batch` patients not yet sealed under the newest key (sealed under an older key, or
    /// stored in clear from before encryption), each read and rewritten in one short write transaction so the
    /// store keeps serving in between. Returns how many it re-sealed: 0 when the rotation is complete.
    /// Idempotent and resumable: what is left to do is read from the rows themselves (`kid`).
    pub async fn reseal_patients(&self, batch: usize) -> Result<usize, ClinicError> {
        let ring = self.protect.clone().ok_or_else(|| store_err("keys rotate", "no encryption key given"))?;
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_err)?;
            let rows = query_docs(
                &tx,
                "SELECT doc FROM patients WHERE kid IS NULL OR kid <> ?1 ORDER BY id LIMIT ?2",
                params![ring.newest_kid(), batch.min(i64::MAX as usize) as i64],
            )?;
            for doc in &rows {
                let p = decode_patient(Some(&ring), doc)?;
                write_patient(&tx, &p, false, Some(&ring))?;
            }
            tx.commit().map_err(sql_err)?;
            Ok(rows.len())
        })
        .await
    }

    /// How many patients are sealed under each key id (`None`: stored in clear), by key id.
    pub async fn patients_by_key(&self) -> Result<Vec<(Option<String>, u64)>, ClinicError> {
        self.read(|c| {
            let mut st =
                c.prepare_cached("SELECT kid, count(*) FROM patients GROUP BY kid ORDER BY kid").map_err(sql_err)?;
            let rows = st
                .query_map([], |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)? as u64)))
                .map_err(sql_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(sql_err);
            rows
        })
        .await
    }

    fn open_reader(path: &Path) -> Result<Connection, ClinicError> {
        let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(sql_err)?;
        c.busy_timeout(Duration::from_secs(10)).map_err(sql_err)?;
        c.execute_batch("PRAGMA query_only=ON;").map_err(sql_err)?;
        Ok(c)
    }

    /// Runs the read-only `f` on a read connection, inline (see the type's doc); on the one connection for an
    /// in-memory database.
    async fn read<T, F>(&self, f: F) -> Result<T, ClinicError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, ClinicError> + Send + 'static,
    {
        let (Some(readers), Some(path)) = (&self.readers, &self.path) else {
            return self.run(f).await;
        };
        let idle = readers.lock().map_err(|_| store_err("connection", "poisoned by an earlier panic"))?.pop();
        let mut c = match idle {
            Some(c) => c,
            None => Self::open_reader(path)?,
        };
        let out = f(&mut c);
        if let Ok(mut idle) = readers.lock() {
            if idle.len() < IDLE_READERS {
                idle.push(c);
            }
        }
        out
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64, ClinicError> {
        let c = self.conn.lock().map_err(|_| store_err("connection", "poisoned"))?;
        c.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql_err)
    }

    /// Runs `f` on the connection: on tokio's blocking pool when inside a runtime (SQLite calls block on
    /// fsync), inline otherwise.
    async fn run<T, F>(&self, f: F) -> Result<T, ClinicError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, ClinicError> + Send + 'static,
    {
        let conn = self.conn.clone();
        let job = move || {
            let mut c = conn.lock().map_err(|_| store_err("connection", "poisoned by an earlier panic"))?;
            f(&mut c)
        };
        match tokio::runtime::Handle::try_current() {
            Ok(h) => h.spawn_blocking(job).await.map_err(|e| store_err("store task failed", e))?,
            Err(_) => job(),
        }
    }

    /// Writes a consistent copy of the live database to `dest` (`VACUUM INTO`) while others keep working.
    pub async fn backup_to(&self, dest: impl AsRef<Path>) -> Result<(), ClinicError> {
        let dest = dest.as_ref().to_string_lossy().to_string();
        self.run(move |c| c.execute("VACUUM INTO ?1", [dest]).map(|_| ()).map_err(sql_err)).await
    }

    /// Replaces the live database's content with a backup file (SQLite's online backup API).
    pub async fn restore_from(&self, src: impl AsRef<Path>) -> Result<(), ClinicError> {
        let src = src.as_ref().to_path_buf();
        self.run(move |c| {
            let from = Connection::open_with_flags(&src, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql_err)?;
            let v: i64 = from.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql_err)?;
            if v > latest() {
                return Err(store_err("refusing to restore", format!("backup has newer schema version {v}")));
            }
            {
                let backup = rusqlite::backup::Backup::new(&from, c).map_err(sql_err)?;
                backup.run_to_completion(256, Duration::from_millis(0), None).map_err(sql_err)?;
            }
            let cur: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql_err)?;
            migrate(c, cur)?;
            c.execute_batch(catalog_cache::ENSURE_SQL).map_err(sql_err)?;
            c.execute_batch(catalog_cache::AFTER_RESTORE_SQL).map_err(sql_err)
        })
        .await?;
        self.catalog.clear();
        Ok(())
    }

    /// `PRAGMA integrity_check` — `Ok(())` when the file is sound.
    pub async fn integrity_check(&self) -> Result<(), ClinicError> {
        self.run(|c| {
            let r: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(sql_err)?;
            if r == "ok" {
                Ok(())
            } else {
                Err(store_err("integrity check failed", r))
            }
        })
        .await
    }

    /// Inserts one appointment without any rule or guard: the store's raw write ceiling, for benchmarks.
    pub async fn raw_insert_appointment(&self, a: &Appointment) -> Result<(), ClinicError> {
        let a = a.clone();
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_err)?;
            write_appointment(&tx, &a, None)?;
            tx.commit().map_err(sql_err)
        })
        .await
    }
}

fn migrate(conn: &mut Connection, from: i64) -> Result<(), ClinicError> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_err)?;
        tx.execute_batch(sql).map_err(sql_err)?;
        tx.pragma_update(None, "user_version", i as i64 + 1).map_err(sql_err)?;
        tx.commit().map_err(sql_err)?;
    }
    Ok(())
}

/// Inserts (`expected` = None) or replaces the appointment whose stored version is `expected`.
/// Returns false when the stored version differs.
pub(crate) fn write_appointment(tx: &Connection, a: &Appointment, expected: Option<u64>) -> Result<bool, ClinicError> {
    let doc = to_doc(a)?;
    let p = params![
        a.id().to_string(),
        a.clinic_id().to_string(),
        a.practitioner_id().to_string(),
        a.room_id().map(|r| r.to_string()),
        a.patient_id().to_string(),
        a.slot().start_minute(),
        a.slot().end_minute(),
        status_text(a),
        a.version() as i64,
        doc,
    ];
    match expected {
        None => {
            tx.prepare_cached(
                "INSERT INTO appointments (id, clinic_id, practitioner_id, room_id, patient_id, start_min, end_min, status, version, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .map_err(sql_err)?
            .execute(p)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    ClinicError::field(ErrorCode::VersionConflict, "id", format!("appointment {} already exists", a.id()))
                } else {
                    sql_err(e)
                }
            })?;
            Ok(true)
        }
        Some(v) => {
            let n = tx
                .prepare_cached(
                    "UPDATE appointments SET clinic_id = ?2, practitioner_id = ?3, room_id = ?4, patient_id = ?5, start_min = ?6,
                     end_min = ?7, status = ?8, version = ?9, doc = ?10 WHERE id = ?1 AND version = ?11",
                )
                .map_err(sql_err)?
                .execute(params![
                    a.id().to_string(),
                    a.clinic_id().to_string(),
                    a.practitioner_id().to_string(),
                    a.room_id().map(|r| r.to_string()),
                    a.patient_id().to_string(),
                    a.slot().start_minute(),
                    a.slot().end_minute(),
                    status_text(a),
                    a.version() as i64,
                    to_doc(a)?,
                    v as i64
                ])
                .map_err(sql_err)?;
            Ok(n == 1)
        }
    }
}

fn decode_patient(ring: Option<&Keyring>, doc: &str) -> Result<Patient, ClinicError> {
    let map: serde_json::Map<String, serde_json::Value> = from_doc(doc)?;
    clinic_protect::open_patient(ring, map)
}

fn decode_patients(ring: Option<&Keyring>, rows: Vec<String>) -> Result<Vec<Patient>, ClinicError> {
    rows.iter().map(|d| decode_patient(ring, d)).collect()
}

/// `IN (?n, …)` over `values`, appended to `args`.
fn in_list(args: &mut Vec<rusqlite::types::Value>, values: Vec<String>) -> String {
    let mut marks = Vec::with_capacity(values.len());
    for v in values {
        args.push(v.into());
        marks.push(format!("?{}", args.len()));
    }
    format!("IN ({})", marks.join(", "))
}

/// A sealed patient's MRN taken by another patient of the clinic, under any live key or in clear. (The unique
/// index covers one key; while a rotation runs, the same MRN can carry either key's index.)
fn mrn_taken(c: &Connection, p: &Patient, ring: &Keyring) -> Result<bool, ClinicError> {
    let Some(mrn) = p.mrn() else { return Ok(false) };
    let mut args: Vec<rusqlite::types::Value> = vec![p.clinic_id().to_string().into(), p.id().to_string().into()];
    args.push(mrn.to_string().into());
    let cands = in_list(&mut args, ring.search_indexes(IndexKind::Mrn, mrn));
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM patients WHERE clinic_id = ?1 AND id <> ?2 AND (mrn_bidx {cands} OR (kid IS NULL AND mrn = ?3)))"
    );
    c.query_row(&sql, rusqlite::params_from_iter(args), |r| r.get::<_, bool>(0)).map_err(sql_err)
}

fn write_patient(tx: &Connection, p: &Patient, insert: bool, ring: Option<&Keyring>) -> Result<(), ClinicError> {
    let given = p.given_name().to_lowercase();
    let family = p.family_name().to_lowercase();
    let full = format!("{given} {family}");
    let sql = if insert {
        "INSERT INTO patients (id, clinic_id, mrn, given_lc, family_lc, full_lc, phone, email, date_of_birth, doc,
         kid, mrn_bidx, phone_bidx, email_bidx, dob_bidx)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
    } else {
        "UPDATE patients SET clinic_id = ?2, mrn = ?3, given_lc = ?4, family_lc = ?5, full_lc = ?6, phone = ?7, email = ?8,
         date_of_birth = ?9, doc = ?10, kid = ?11, mrn_bidx = ?12, phone_bidx = ?13, email_bidx = ?14, dob_bidx = ?15
         WHERE id = ?1"
    };
    // Sealed: PHI only inside `doc`, encrypted; the plaintext columns stay NULL and the blind indexes serve search.
    type Cols = (Option<String>, Option<String>, Option<String>, Option<String>, String);
    type Ix = (Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);
    let (clear, ix): (Cols, Ix) = match ring {
        Some(ring) => {
            if mrn_taken(tx, p, ring)? {
                return Err(duplicate_mrn(p));
            }
            let sealed = ring.seal_patient(p)?;
            (
                (None, None, None, None, to_doc(&sealed.doc)?),
                (Some(sealed.kid), sealed.mrn_index, sealed.phone_index, sealed.email_index, sealed.dob_index),
            )
        }
        None => (
            (
                p.mrn().map(str::to_string),
                p.contact().phone().map(str::to_string),
                p.contact().email().map(str::to_string),
                p.date_of_birth().map(|d| d.to_string()),
                to_doc(p)?,
            ),
            (None, None, None, None, None),
        ),
    };
    let n = tx
        .prepare_cached(sql)
        .map_err(sql_err)?
        .execute(params![
            p.id().to_string(),
            p.clinic_id().to_string(),
            clear.0,
            given,
            family,
            full,
            clear.1,
            clear.2,
            clear.3,
            clear.4,
            ix.0,
            ix.1,
            ix.2,
            ix.3,
            ix.4,
        ])
        .map_err(|e| if is_unique_violation(&e) { duplicate_mrn(p) } else { sql_err(e) })?;
    if n == 0 {
        return Err(ClinicError::not_found("patient", p.id()));
    }
    Ok(())
}

impl SqliteStore {
    async fn put_doc(&self, table: &'static str, id: String, clinic: String, doc: String) -> StoreResult<()> {
        self.run(move |c| {
            let sql = format!(
                "INSERT INTO {table} (id, clinic_id, doc) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET clinic_id = ?2, doc = ?3"
            );
            c.prepare_cached(&sql).map_err(sql_err)?.execute(params![id, clinic, doc]).map(|_| ()).map_err(sql_err)
        })
        .await
    }
    /// One catalog row by id, decoded once per catalog version.
    async fn get_doc<T>(&self, table: &'static str, id: String) -> StoreResult<Option<T>>
    where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        let cache = self.catalog.clone();
        self.read(move |c| {
            cache.read(c, format!("{table}/id/{id}"), |c| {
                one_doc(c, &format!("SELECT doc FROM {table} WHERE id = ?1"), id.clone())?
                    .as_deref()
                    .map(from_doc)
                    .transpose()
            })
        })
        .await
    }
    /// A clinic's catalog rows, decoded once per catalog version.
    async fn list_docs<T>(&self, table: &'static str, clinic: ClinicId) -> StoreResult<Vec<T>>
    where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        let cache = self.catalog.clone();
        self.read(move |c| {
            let clinic = clinic.to_string();
            cache.read(c, format!("{table}/clinic/{clinic}"), |c| {
                docs(query_docs(
                    c,
                    &format!("SELECT doc FROM {table} WHERE clinic_id = ?1 ORDER BY id"),
                    [clinic.clone()],
                )?)
            })
        })
        .await
    }
}

#[async_trait]
impl CatalogStore for SqliteStore {
    async fn put_clinic(&self, clinic: &Clinic) -> StoreResult<()> {
        let (id, doc) = (clinic.id().to_string(), to_doc(clinic)?);
        self.run(move |c| {
            c.execute(
                "INSERT INTO clinics (id, doc) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET doc = ?2",
                params![id, doc],
            )
            .map(|_| ())
            .map_err(sql_err)
        })
        .await
    }
    async fn get_clinic(&self, id: ClinicId) -> StoreResult<Option<Clinic>> {
        self.get_doc("clinics", id.to_string()).await
    }
    async fn list_clinics(&self) -> StoreResult<Vec<Clinic>> {
        let cache = self.catalog.clone();
        self.read(move |c| {
            cache
                .read(c, "clinics/all".to_string(), |c| docs(query_docs(c, "SELECT doc FROM clinics ORDER BY id", [])?))
        })
        .await
    }
    async fn put_practitioner(&self, v: &Practitioner) -> StoreResult<()> {
        self.put_doc("practitioners", v.id().to_string(), v.clinic_id().to_string(), to_doc(v)?).await
    }
    async fn get_practitioner(&self, id: PractitionerId) -> StoreResult<Option<Practitioner>> {
        self.get_doc("practitioners", id.to_string()).await
    }
    async fn list_practitioners(&self, clinic: ClinicId) -> StoreResult<Vec<Practitioner>> {
        self.list_docs("practitioners", clinic).await
    }
    async fn put_room(&self, v: &Room) -> StoreResult<()> {
        self.put_doc("rooms", v.id().to_string(), v.clinic_id().to_string(), to_doc(v)?).await
    }
    async fn get_room(&self, id: RoomId) -> StoreResult<Option<Room>> {
        self.get_doc("rooms", id.to_string()).await
    }
    async fn list_rooms(&self, clinic: ClinicId) -> StoreResult<Vec<Room>> {
        self.list_docs("rooms", clinic).await
    }
    async fn put_appointment_type(&self, v: &AppointmentType) -> StoreResult<()> {
        self.put_doc("appointment_types", v.id().to_string(), v.clinic_id().to_string(), to_doc(v)?).await
    }
    async fn get_appointment_type(&self, id: AppointmentTypeId) -> StoreResult<Option<AppointmentType>> {
        self.get_doc("appointment_types", id.to_string()).await
    }
    async fn list_appointment_types(&self, clinic: ClinicId) -> StoreResult<Vec<AppointmentType>> {
        self.list_docs("appointment_types", clinic).await
    }
    async fn put_schedule(&self, v: &Schedule) -> StoreResult<()> {
        self.put_doc("schedules", v.id().to_string(), v.clinic_id().to_string(), to_doc(v)?).await
    }
    async fn get_schedule(&self, id: ScheduleId) -> StoreResult<Option<Schedule>> {
        self.get_doc("schedules", id.to_string()).await
    }
    async fn list_schedules(&self, clinic: ClinicId) -> StoreResult<Vec<Schedule>> {
        self.list_docs("schedules", clinic).await
    }
    /// Selects the resource's rows in SQL (`json_extract` on the stored document), so that only its schedules are
    /// decoded.
    async fn list_resource_schedules(&self, clinic: ClinicId, resource: ResourceRef) -> StoreResult<Vec<Schedule>> {
        let r = serde_json::to_value(resource).map_err(|e| store_err("cannot encode", e))?;
        let (kind, id) =
            (r["kind"].as_str().unwrap_or_default().to_string(), r["id"].as_str().unwrap_or_default().to_string());
        let cache = self.catalog.clone();
        self.read(move |c| {
            let clinic = clinic.to_string();
            cache.read(c, format!("schedules/resource/{clinic}/{kind}/{id}"), |c| {
                let rows = query_docs(
                    c,
                    "SELECT doc FROM schedules WHERE clinic_id = ?1 AND json_extract(doc, '$.resource.id') = ?2
                     AND json_extract(doc, '$.resource.kind') = ?3 ORDER BY id",
                    params![clinic, id, kind],
                )?;
                let v: Vec<Schedule> = docs(rows)?;
                Ok(v.into_iter().filter(|s| s.resource() == resource).collect::<Vec<_>>())
            })
        })
        .await
    }
    async fn delete_schedule(&self, id: ScheduleId) -> StoreResult<bool> {
        self.run(move |c| {
            c.execute("DELETE FROM schedules WHERE id = ?1", [id.to_string()]).map(|n| n > 0).map_err(sql_err)
        })
        .await
    }
}

#[async_trait]
impl PatientStore for SqliteStore {
    async fn insert_patient(&self, p: &Patient) -> StoreResult<()> {
        self.insert_patients(std::slice::from_ref(p)).await
    }
    async fn insert_patients(&self, ps: &[Patient]) -> StoreResult<()> {
        let ps = ps.to_vec();
        let ring = self.protect.clone();
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_err)?;
            for p in &ps {
                write_patient(&tx, p, true, ring.as_deref())?;
            }
            tx.commit().map_err(sql_err)
        })
        .await
    }
    async fn update_patient(&self, p: &Patient) -> StoreResult<()> {
        let p = p.clone();
        let ring = self.protect.clone();
        self.run(move |c| {
            // One transaction: the MRN check of a sealed patient and its write are indivisible.
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_err)?;
            write_patient(&tx, &p, false, ring.as_deref())?;
            tx.commit().map_err(sql_err)
        })
        .await
    }
    async fn get_patient(&self, id: PatientId) -> StoreResult<Option<Patient>> {
        let doc = self.read(move |c| one_doc(c, "SELECT doc FROM patients WHERE id = ?1", id.to_string())).await?;
        doc.as_deref().map(|d| decode_patient(self.protect.as_deref(), d)).transpose()
    }
    async fn find_patients(&self, q: &PatientQuery) -> StoreResult<Vec<Patient>> {
        let q = q.clone();
        let ring = self.protect.clone();
        let rows = self
            .read(move |c| {
                let mut sql = String::from("SELECT doc FROM patients WHERE 1 = 1");
                let mut args: Vec<rusqlite::types::Value> = Vec::new();
                let arg = |sql: &mut String,
                           args: &mut Vec<rusqlite::types::Value>,
                           clause: &str,
                           v: rusqlite::types::Value| {
                    args.push(v);
                    sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
                };
                if let Some(cid) = q.clinic_id {
                    arg(&mut sql, &mut args, " AND clinic_id = ?", cid.to_string().into());
                }
                if let Some(pre) = q.name_prefix.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    let lo = pre.to_lowercase();
                    let hi = format!("{lo}\u{10FFFF}");
                    arg(&mut sql, &mut args, " AND ((given_lc >= ?", lo.clone().into());
                    arg(&mut sql, &mut args, " AND given_lc < ?)", hi.clone().into());
                    arg(&mut sql, &mut args, " OR (family_lc >= ?", lo.clone().into());
                    arg(&mut sql, &mut args, " AND family_lc < ?)", hi.clone().into());
                    arg(&mut sql, &mut args, " OR (full_lc >= ?", lo.into());
                    arg(&mut sql, &mut args, " AND full_lc < ?))", hi.into());
                }
                // Exact matches: on the blind indexes of sealed rows (under every live key) and on the clear
                // columns of rows from before encryption.
                let exact = [
                    (IndexKind::Mrn, "mrn", "mrn_bidx", q.mrn.clone()),
                    (IndexKind::Phone, "phone", "phone_bidx", q.phone.clone()),
                    (IndexKind::Email, "email", "email_bidx", q.email.clone()),
                    (
                        IndexKind::DateOfBirth,
                        "date_of_birth",
                        "dob_bidx",
                        q.date_of_birth.map(|d| d.format("%Y-%m-%d").to_string()),
                    ),
                ];
                for (kind, column, bidx, value) in exact {
                    let Some(value) = value else { continue };
                    let clear = kind.normalize(&value);
                    match &ring {
                        Some(ring) => {
                            let cands = in_list(&mut args, ring.search_indexes(kind, &value));
                            args.push(clear.into());
                            let n = args.len();
                            sql.push_str(&format!(" AND ({bidx} {cands} OR (kid IS NULL AND {column} = ?{n}))"));
                        }
                        None => arg(&mut sql, &mut args, &format!(" AND {column} = ?"), clear.into()),
                    }
                }
                if let Some(a) = q.after {
                    arg(&mut sql, &mut args, " AND id > ?", a.to_string().into());
                }
                sql.push_str(" ORDER BY id");
                if let Some(l) = q.limit {
                    sql.push_str(&format!(" LIMIT {}", l.min(i64::MAX as usize)));
                }
                query_docs(c, &sql, rusqlite::params_from_iter(args))
            })
            .await?;
        decode_patients(self.protect.as_deref(), rows)
    }
}

#[async_trait]
impl AppointmentStore for SqliteStore {
    async fn get_appointment(&self, id: AppointmentId) -> StoreResult<Option<Appointment>> {
        let rows = self
            .read(move |c| query_id_docs(c, "SELECT id, doc FROM appointments WHERE id = ?1", [id.to_string()]))
            .await?;
        Ok(self.appointments.decode(rows, from_doc)?.pop())
    }

    async fn list_appointments(&self, f: &AppointmentFilter) -> StoreResult<Vec<Appointment>> {
        let f = f.clone();
        let rows = self
            .read(move |c| {
                let mut sql = String::from("SELECT id, doc FROM appointments WHERE 1 = 1");
                let mut args: Vec<rusqlite::types::Value> = Vec::new();
                let mut arg = |sql: &mut String, clause: &str, v: rusqlite::types::Value| {
                    args.push(v);
                    sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
                };
                if let Some(v) = f.clinic_id {
                    arg(&mut sql, " AND clinic_id = ?", v.to_string().into());
                }
                if let Some(v) = f.practitioner_id {
                    arg(&mut sql, " AND practitioner_id = ?", v.to_string().into());
                }
                if let Some(v) = f.room_id {
                    arg(&mut sql, " AND room_id = ?", v.to_string().into());
                }
                if let Some(v) = f.patient_id {
                    arg(&mut sql, " AND patient_id = ?", v.to_string().into());
                }
                if let Some(from) = f.from {
                    let m = to_minute(from);
                    arg(&mut sql, " AND end_min > ?", m.into());
                    // Lets the (…, start_min) indexes bound the scan: no slot is longer than MAX_SLOT.
                    arg(&mut sql, " AND start_min > ?", (m - MAX_SLOT).into());
                }
                if let Some(to) = f.to {
                    arg(&mut sql, " AND start_min < ?", to_minute(to).into());
                }
                if !f.statuses.is_empty() {
                    let list: Vec<String> = f.statuses.iter().map(|s| format!("'{}'", s.as_str())).collect();
                    sql.push_str(&format!(" AND status IN ({})", list.join(", ")));
                }
                if let Some(after) = f.after {
                    let start: Option<i64> = c
                        .query_row("SELECT start_min FROM appointments WHERE id = ?1", [after.to_string()], |r| {
                            r.get(0)
                        })
                        .optional()
                        .map_err(sql_err)?;
                    if let Some(start) = start {
                        arg(&mut sql, " AND (start_min, id) > (?", start.into());
                        arg(&mut sql, ", ?)", after.to_string().into());
                    }
                }
                sql.push_str(" ORDER BY start_min, id");
                if let Some(l) = f.limit {
                    sql.push_str(&format!(" LIMIT {}", l.min(i64::MAX as usize)));
                }
                query_id_docs(c, &sql, rusqlite::params_from_iter(args))
            })
            .await?;
        let mut v: Vec<Appointment> = self.appointments.decode(rows, from_doc)?;
        // Same order as the in-memory store (start instant, then id) for sub-minute-equal starts.
        v.sort_by_key(|a| (a.slot().start(), a.id()));
        Ok(v)
    }

    async fn guard_versions(&self, keys: &[GuardKey]) -> StoreResult<Vec<u64>> {
        let keys: Vec<String> = keys.iter().map(GuardKey::as_text).collect();
        self.read(move |c| {
            let mut st = c.prepare_cached("SELECT version FROM guards WHERE key = ?1").map_err(sql_err)?;
            keys.iter()
                .map(|k| {
                    st.query_row([k], |r| r.get::<_, i64>(0)).optional().map(|v| v.unwrap_or(0) as u64).map_err(sql_err)
                })
                .collect()
        })
        .await
    }

    /// A one-booking batch: the same `IMMEDIATE` transaction as [`Self::commit_bookings`].
    async fn commit_booking(&self, commit: &BookingCommit) -> StoreResult<CommitOutcome> {
        self.commit_bookings(std::slice::from_ref(commit)).await
    }

    /// Group-committed (see `booking_writer`): bookings arriving together share one `IMMEDIATE` transaction
    /// and one `fsync`, each in its own savepoint, and each caller is answered only after the commit.
    async fn commit_bookings(&self, commits: &[BookingCommit]) -> StoreResult<CommitOutcome> {
        if commits.is_empty() {
            return Ok(CommitOutcome::Committed);
        }
        self.bookings.submit(commits.to_vec()).await
    }

    async fn update_appointment(&self, a: &Appointment, expected_version: u64) -> StoreResult<()> {
        let a = a.clone();
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_err)?;
            let stored: Option<i64> = tx
                .query_row("SELECT version FROM appointments WHERE id = ?1", [a.id().to_string()], |r| r.get(0))
                .optional()
                .map_err(sql_err)?;
            match stored {
                None => return Err(ClinicError::not_found("appointment", a.id())),
                Some(v) if v as u64 != expected_version => {
                    return Err(ClinicError::rule(
                        ErrorCode::VersionConflict,
                        format!("appointment changed (version {v} is not {expected_version})"),
                    ))
                }
                Some(_) => {}
            }
            write_appointment(&tx, &a, Some(expected_version))?;
            tx.commit().map_err(sql_err)
        })
        .await
    }
}
