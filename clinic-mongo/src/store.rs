//! [`MongoStore`]: every store port over one MongoDB database.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bson::{doc, Bson, Document};
use chrono::Utc;
use futures::TryStreamExt;
use mongodb::options::{Acknowledgment, ClientOptions, IndexOptions, WriteConcern};
use mongodb::{Client, Collection, Database, IndexModel};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use clinic_core::memory::{appointment_matches, paginate_appointments, patient_matches};
use clinic_core::ports::*;
use clinic_core::{
    Appointment, AppointmentId, AppointmentType, AppointmentTypeId, Clinic, ClinicError, ClinicId, ErrorCode, Patient,
    PatientId, Practitioner, PractitionerId, ResourceRef, Room, RoomId, Schedule, ScheduleId,
};

use crate::codec::{
    bson_id, date_bson, from_document, id_bson, patient_document, patient_from_document, to_document, uuid_bson,
};
use crate::error::{is_duplicate_key, store_error};
use crate::ref_cache::{Class, RefCache};
use clinic_protect::{IndexKind, Keyring};

/// How the store talks to the server. [`Default`] is what [`MongoStore::connect`] uses.
#[derive(Debug, Clone)]
pub struct MongoStoreOptions {
    /// Write concern of every write. `None`: the connection string's `w=` if it has one, else `majority`
    /// (accepted by replica sets, by a standalone `mongod` — where it means the one node — and by FerretDB).
    pub write_concern: Option<Acknowledgment>,
    /// Retryable writes (the driver repeats a write once after a network error; effective on replica sets and
    /// sharded clusters, which the server says it supports). `None`: the connection string's `retryWrites`,
    /// else on.
    pub retry_writes: Option<bool>,
    /// How long an operation waits for a usable server before it fails with `STORE_UNAVAILABLE`
    /// (the connection string's `serverSelectionTimeoutMS` wins when given).
    pub server_selection_timeout: Duration,
    /// Timeout of opening one connection (the connection string's `connectTimeoutMS` wins when given).
    pub connect_timeout: Duration,
    /// A booking write left unfinished for this long (its writer crashed or lost the server) is rolled back
    /// by the next sweep; see the crate doc. Must comfortably exceed the time one commit takes.
    pub pending_timeout: Duration,
}

impl Default for MongoStoreOptions {
    fn default() -> Self {
        MongoStoreOptions {
            write_concern: None,
            retry_writes: None,
            server_selection_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            pending_timeout: Duration::from_secs(30),
        }
    }
}

/// The database the store uses when the connection string names none.
pub const DEFAULT_DATABASE: &str = "clinic";

/// Collection names (stable: they are the schema).
pub mod collections {
    pub const CLINICS: &str = "clinics";
    pub const PRACTITIONERS: &str = "practitioners";
    pub const ROOMS: &str = "rooms";
    pub const APPOINTMENT_TYPES: &str = "appointment_types";
    pub const SCHEDULES: &str = "schedules";
    pub const PATIENTS: &str = "patients";
    pub const APPOINTMENTS: &str = "appointments";
    pub const GUARDS: &str = "guards";
    pub const CLAIMS: &str = "claims";
    pub const CACHE_TOKENS: &str = "cache_tokens";
}

/// Every store port over MongoDB (or FerretDB). Cheap to clone; clones share one connection pool.
#[derive(Debug, Clone)]
pub struct MongoStore {
    inner: Arc<Inner>,
    /// The keys that seal patient PHI (`None`: patients are written in clear; sealed ones cannot be read).
    protect: Option<Arc<Keyring>>,
    /// Whether patients stored in clear (from before encryption) may exist: only then does a search also send
    /// the clear value to the server, to find them.
    legacy_patients: Arc<std::sync::atomic::AtomicBool>,
}

#[derive(Debug)]
struct Inner {
    client: Client,
    db: Database,
    clinics: Collection<Document>,
    practitioners: Collection<Document>,
    rooms: Collection<Document>,
    types: Collection<Document>,
    schedules: Collection<Document>,
    patients: Collection<Document>,
    appointments: Collection<Document>,
    guards: Collection<Document>,
    claims: Collection<Document>,
    cache_tokens: Collection<Document>,
    pending_timeout: chrono::Duration,
    /// The server is FerretDB (see `MongoStore::write_if`).
    ferretdb: bool,
    /// What this instance knows of the guard chains (entries never change).
    chains: Mutex<HashMap<GuardKey, Chain>>,
    /// Copies of reference data and patients (see `ref_cache`).
    refs: RefCache,
    /// Settled appointment documents read through the chains, by `_id`, with when they were read (see
    /// `MongoStore::list_by_chains`).
    appointments_cache: Mutex<HashMap<String, (std::time::Instant, Document)>>,
    /// Changes each time a copy is dropped: a read that raced with a drop is not kept.
    appointments_generation: AtomicU64,
    /// Insert commits this instance has seen decided (see "insert commits"; a decision never changes).
    fates: Mutex<HashMap<Uuid, Fate>>,
    /// Commands sent to the server (for benchmarks: round trips per booking).
    commands: Arc<AtomicU64>,
    /// The same, by command name and collection.
    commands_by_name: Arc<Mutex<BTreeMap<String, u64>>>,
    /// Unix milliseconds of the last sweep of unfinished booking writes by this instance.
    last_sweep_ms: AtomicI64,
}

fn config_error(message: String) -> ClinicError {
    ClinicError::Store { message, retryable: false }
}

fn check_database_name(name: &str) -> Result<(), ClinicError> {
    let bad = name.is_empty()
        || name.len() > 63
        || name.chars().any(|c| matches!(c, '/' | '\\' | '.' | ' ' | '"' | '$' | '\0') || c.is_control());
    if bad {
        return Err(config_error(format!(
            "invalid MongoDB database name {name:?}: 1–63 characters, none of / \\ . space \" $"
        )));
    }
    Ok(())
}

/// Stored version of a document (`version` field).
fn version_of(d: &Document) -> Option<u64> {
    match d.get("version") {
        Some(Bson::Int64(v)) => u64::try_from(*v).ok(),
        Some(Bson::Int32(v)) => u64::try_from(*v).ok(),
        Some(Bson::Double(v)) if *v >= 0.0 => Some(*v as u64),
        _ => None,
    }
}

fn id_filter(id: Uuid) -> Document {
    doc! { "_id": id_bson(id) }
}

fn duplicate_mrn(p: &Patient) -> ClinicError {
    ClinicError::field(ErrorCode::DuplicateMrn, "mrn", format!("MRN {} is already registered", p.mrn().unwrap_or("")))
}

fn duplicate_patient_id(p: &Patient) -> ClinicError {
    ClinicError::field(ErrorCode::DuplicateMrn, "id", format!("patient {} already exists", p.id()))
}

fn guard_scope_fields(key: &GuardKey) -> (&'static str, Uuid) {
    match key.scope {
        GuardScope::Practitioner(id) => ("practitioner", id.as_uuid()),
        GuardScope::Room(id) => ("room", id.as_uuid()),
        GuardScope::Patient(id) => ("patient", id.as_uuid()),
    }
}

/// `[from, to)` overlap and the other filters of an [`AppointmentFilter`] as a query on the fields under
/// `prefix` (`""` for the appointment itself, `"pending.prev."` for the slot an unfinished reschedule holds).
/// Exactly the rows [`appointment_matches`] accepts (bounds are rounded to BSON's milliseconds so that the
/// comparison stays exact).
fn appointment_query(f: &AppointmentFilter, prefix: &str) -> Document {
    let k = |name: &str| format!("{prefix}{name}");
    let mut d = Document::new();
    if let Some(c) = f.clinic_id {
        d.insert(k("clinic_id"), uuid_bson(c.as_uuid()));
    }
    if let Some(p) = f.practitioner_id {
        d.insert(k("practitioner_id"), uuid_bson(p.as_uuid()));
    }
    if let Some(r) = f.room_id {
        d.insert(k("room_id"), uuid_bson(r.as_uuid()));
    }
    if let Some(p) = f.patient_id {
        d.insert(k("patient_id"), uuid_bson(p.as_uuid()));
    }
    // Slot bounds are whole minutes: `end > from` ⟺ `end > floor_ms(from)`.
    if let Some(from) = f.from {
        d.insert(k("slot.end"), doc! { "$gt": date_bson(from) });
    }
    // `start < to` ⟺ `start < to` when `to` is whole milliseconds, else `start <= floor_ms(to)`.
    if let Some(to) = f.to {
        let op = if to.timestamp_subsec_nanos() % 1_000_000 == 0 { "$lt" } else { "$lte" };
        d.insert(k("slot.start"), doc! { op: date_bson(to) });
    }
    if !f.statuses.is_empty() {
        let s: Vec<Bson> = f.statuses.iter().map(|s| Bson::String(s.as_str().to_string())).collect();
        d.insert(k("status"), doc! { "$in": s });
    }
    d
}

/// Matches documents that carry an unfinished booking write (`pending.at` is a date).
fn pending_exists() -> Document {
    doc! { "$gte": Bson::DateTime(bson::DateTime::MIN) }
}

/// Does the stored document carry the unfinished booking write `token`?
fn is_pending_of(token: Uuid) -> impl Fn(&Document) -> bool {
    move |d| pending_of(d).is_some_and(|p| p.token == token)
}

/// Is the stored document at version `v`, with no booking write under way?
fn is_settled_at(v: u64) -> impl Fn(&Document) -> bool {
    move |d| !d.contains_key("pending") && version_of(d) == Some(v)
}

/// What [`MongoStore::write_if`] does to the document it matches.
enum CondWrite {
    Delete,
    Replace(Document),
    Unset(&'static str),
}

/// What one store instance knows of a guard chain (see "guards" on [`MongoStore`]): entries `1..=len` exist
/// and name the appointments `ids` — unless one of them predates the `appointments` field (`ids_known`).
#[derive(Debug, Clone)]
struct Chain {
    len: u64,
    ids: BTreeSet<String>,
    ids_known: bool,
    /// For appointments named by an entry of an insert commit (`commit` field, see `commit_insert`): that
    /// entry's `_id`, where a reader finds the commit when the appointment's document is not there (yet).
    origins: BTreeMap<String, String>,
}

impl Default for Chain {
    fn default() -> Self {
        Chain { len: 0, ids: BTreeSet::new(), ids_known: true, origins: BTreeMap::new() }
    }
}

/// The appointment ids a chain entry or head hint names (`None`: written before entries named them).
fn named_ids(d: &Document) -> Option<impl Iterator<Item = String> + '_> {
    let a = d.get_array("appointments").ok()?;
    Some(a.iter().filter_map(|b| b.as_str().map(str::to_string)))
}

/// A head hint is rewritten each time a chain crosses a multiple of this many versions (a write for the
/// booking that crosses it; a cold reader walks at most this many entries past the hint, once).
const HINT_EVERY: u64 = 16;
/// How many chains one store instance remembers before it starts over (each is a few ids).
const MAX_CACHED_CHAINS: usize = 200_000;
/// How often an extra index entry is tried before a commit gives up as stale.
const APPEND_ATTEMPTS: usize = 32;
/// A listing through the chains reads at most this many days; a wider range is one query.
const MAX_CHAIN_LISTING_DAYS: i64 = 62;
const DAY_MS: i64 = 86_400_000;
/// A copy of an appointment is used for at most this long (see "copies of appointments").
const APPOINTMENT_COPY_MAX_AGE: Duration = Duration::from_secs(5);
/// How many appointment copies one instance keeps before it starts over.
const MAX_CACHED_APPOINTMENTS: usize = 200_000;

/// The UTC days (since the epoch) a slot `[start, end)` touches, as the core's guard keys count them.
fn slot_days(start: chrono::DateTime<Utc>, end: chrono::DateTime<Utc>) -> std::ops::RangeInclusive<i64> {
    let last = if end > start { end - chrono::Duration::nanoseconds(1) } else { start };
    start.timestamp_millis().div_euclid(DAY_MS)..=last.timestamp_millis().div_euclid(DAY_MS)
}

/// The chain keys that must name appointment `a` for listings to find it: its practitioner's, room's and
/// patient's keys on each UTC day of its slot.
fn index_keys(a: &Appointment) -> Vec<GuardKey> {
    let days = slot_days(a.slot().start(), a.slot().end());
    let mut scopes = vec![GuardScope::Practitioner(a.practitioner_id()), GuardScope::Patient(a.patient_id())];
    if let Some(r) = a.room_id() {
        scopes.push(GuardScope::Room(r));
    }
    scopes.iter().flat_map(|s| days.clone().map(move |day| GuardKey { scope: *s, day })).collect()
}

/// What an unfinished booking write looks like on its appointment document.
struct Pending {
    token: Uuid,
    /// The appointment as it was before a reschedule (`None` for an insert).
    prev: Option<Document>,
}

/// Remembers which appointments entry `e` names as part of an insert commit (see `Chain::origins`).
fn note_origins(chain: &mut Chain, e: &Document) {
    if !e.contains_key("commit") {
        return;
    }
    let Ok(id) = e.get_str("_id") else { return };
    for a in named_ids(e).into_iter().flatten() {
        chain.origins.entry(a).or_insert_with(|| id.to_string());
    }
}

/// What became of an insert commit (see `MongoStore::commit_insert`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Every deciding entry is the commit's: the booking happened.
    Committed,
    /// A deciding entry belongs to someone else: it never will.
    Aborted,
    /// Some deciding entries are not written yet.
    Undecided,
}

fn commit_token(e: &Document) -> Option<Uuid> {
    match e.get_document("commit").ok()?.get("token") {
        Some(Bson::Binary(b)) => Uuid::from_slice(&b.bytes).ok(),
        _ => None,
    }
}

fn pending_of(d: &Document) -> Option<Pending> {
    let p = d.get_document("pending").ok()?;
    let token = match p.get("token") {
        Some(Bson::Binary(b)) => Uuid::from_slice(&b.bytes).ok()?,
        _ => return None,
    };
    Some(Pending { token, prev: p.get_document("prev").ok().cloned() })
}

/// The appointment a reschedule replaced (`prev`, kept without its `_id`).
fn prev_appointment(id: &Bson, prev: &Document) -> Result<Appointment, ClinicError> {
    let mut d = doc! { "_id": id.clone() };
    d.extend(prev.clone());
    from_document(&d)
}

/// The committed state of a stored appointment document: itself, the previous state while a reschedule is
/// unfinished, nothing while an insert is unfinished.
fn committed_state(d: &Document) -> Result<Option<Appointment>, ClinicError> {
    match pending_of(d) {
        None => from_document(d).map(Some),
        Some(Pending { prev: Some(mut prev), .. }) => {
            if let Some(id) = d.get("_id") {
                prev.insert("_id", id.clone());
            }
            from_document(&prev).map(Some)
        }
        Some(Pending { prev: None, .. }) => Ok(None),
    }
}

impl MongoStore {
    /// Connects to `uri` (a `mongodb://` or `mongodb+srv://` connection string), uses database `db_name`,
    /// checks that the server answers `ping`, creates the collections' indexes and rolls back booking writes
    /// that crashed writers left unfinished.
    ///
    /// A malformed URI or database name fails with `STORE_UNAVAILABLE` (`retryable: false`); a server that does
    /// not answer within the server selection timeout with `STORE_UNAVAILABLE` (`retryable: true`).
    pub async fn connect(uri: &str, db_name: &str) -> StoreResult<Self> {
        Self::connect_with(uri, db_name, MongoStoreOptions::default()).await
    }

    /// [`connect`](Self::connect) with the database named in the connection string's path
    /// (`mongodb://host/clinic`), or [`DEFAULT_DATABASE`].
    pub async fn connect_uri(uri: &str) -> StoreResult<Self> {
        let parsed = ClientOptions::parse(uri).await.map_err(|e| store_error("connection string", e))?;
        let db = parsed.default_database.clone().unwrap_or_else(|| DEFAULT_DATABASE.to_string());
        Self::connect_with(uri, &db, MongoStoreOptions::default()).await
    }

    /// [`connect`](Self::connect) with explicit options.
    pub async fn connect_with(uri: &str, db_name: &str, opts: MongoStoreOptions) -> StoreResult<Self> {
        check_database_name(db_name)?;
        let mut co = ClientOptions::parse(uri).await.map_err(|e| store_error("connection string", e))?;
        co.app_name.get_or_insert_with(|| "clinic-mongo".to_string());
        co.server_selection_timeout.get_or_insert(opts.server_selection_timeout);
        co.connect_timeout.get_or_insert(opts.connect_timeout);
        if let Some(w) = opts.write_concern.clone() {
            co.write_concern = Some(WriteConcern::builder().w(w).build());
        } else if co.write_concern.as_ref().and_then(|wc| wc.w.as_ref()).is_none() {
            let mut wc = co.write_concern.take().unwrap_or_default();
            wc.w = Some(Acknowledgment::Majority);
            co.write_concern = Some(wc);
        }
        if let Some(r) = opts.retry_writes {
            co.retry_writes = Some(r);
        }
        let commands = Arc::new(AtomicU64::new(0));
        let by_name: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
        let (counter, names) = (commands.clone(), by_name.clone());
        let started_names: Arc<Mutex<HashMap<i32, String>>> = Arc::default();
        co.command_event_handler = Some(mongodb::event::EventHandler::callback(move |ev| {
            use mongodb::event::command::CommandEvent;
            match ev {
                CommandEvent::Started(s) => {
                    counter.fetch_add(1, Ordering::Relaxed);
                    // `find guards`, `insert appointments`, …: what a booking's round trips are.
                    let coll = s.command.get(&s.command_name).and_then(Bson::as_str).unwrap_or("");
                    let name = format!("{} {coll}", s.command_name);
                    if let Ok(mut m) = names.lock() {
                        *m.entry(name.clone()).or_default() += 1;
                    }
                    if let Ok(mut m) = started_names.lock() {
                        m.insert(s.request_id, name);
                    }
                }
                // Microseconds each kind of command took, under `<name> µs`.
                CommandEvent::Succeeded(s) => {
                    let name = started_names.lock().ok().and_then(|mut m| m.remove(&s.request_id));
                    if let (Some(name), Ok(mut m)) = (name, names.lock()) {
                        *m.entry(format!("{name} µs")).or_default() += s.duration.as_micros() as u64;
                    }
                }
                CommandEvent::Failed(s) => {
                    if let Ok(mut m) = started_names.lock() {
                        m.remove(&s.request_id);
                    }
                }
                _ => {}
            }
        }));
        let client = Client::with_options(co).map_err(|e| store_error("client settings", e))?;
        let db = client.database(db_name);
        db.run_command(doc! { "ping": 1 }).await.map_err(|e| store_error("ping", e))?;
        // FerretDB says so in `buildInfo`; a server that does not answer it is treated as MongoDB.
        let ferretdb = db
            .run_command(doc! { "buildInfo": 1 })
            .await
            .map(|info| info.contains_key("ferretdbVersion"))
            .unwrap_or(false);
        let pending_timeout = chrono::Duration::from_std(opts.pending_timeout)
            .map_err(|_| config_error("pending_timeout is out of range".into()))?;
        let c = |n: &str| db.collection::<Document>(n);
        let store = MongoStore {
            protect: None,
            legacy_patients: Arc::new(std::sync::atomic::AtomicBool::new(true)),
            inner: Arc::new(Inner {
                clinics: c(collections::CLINICS),
                practitioners: c(collections::PRACTITIONERS),
                rooms: c(collections::ROOMS),
                types: c(collections::APPOINTMENT_TYPES),
                schedules: c(collections::SCHEDULES),
                patients: c(collections::PATIENTS),
                appointments: c(collections::APPOINTMENTS),
                guards: c(collections::GUARDS),
                claims: c(collections::CLAIMS),
                cache_tokens: c(collections::CACHE_TOKENS),
                pending_timeout,
                ferretdb,
                chains: Mutex::new(HashMap::new()),
                refs: RefCache::default(),
                appointments_cache: Mutex::new(HashMap::new()),
                appointments_generation: AtomicU64::new(0),
                fates: Mutex::new(HashMap::new()),
                commands,
                commands_by_name: by_name,
                last_sweep_ms: AtomicI64::new(Utc::now().timestamp_millis()),
                client,
                db,
            }),
        };
        store.ensure_indexes().await?;
        store.recover_pending().await?;
        Ok(store)
    }

    /// The same store sealing patient PHI with `ring` (see `clinic-protect`): new and updated patients are
    /// written sealed under its newest key; patients sealed under any of its keys, or stored in clear before
    /// encryption, read back in clear. Checks once whether patients in clear exist.
    pub async fn with_protection(mut self, ring: Arc<Keyring>) -> StoreResult<Self> {
        let clear = self
            .inner
            .patients
            .find_one(doc! { clinic_protect::KID_FIELD: { "$exists": false } })
            .projection(doc! { "_id": 1 })
            .await
            .map_err(|e| store_error("patient read", e))?;
        self.legacy_patients = Arc::new(std::sync::atomic::AtomicBool::new(clear.is_some()));
        self.protect = Some(ring);
        Ok(self)
    }

    /// The keys patients are sealed with, if any.
    pub fn protection(&self) -> Option<&Arc<Keyring>> {
        self.protect.as_ref()
    }

    /// Re-seals up to `batch` patients not yet sealed under the newest key (sealed under an older key, or stored
    /// in clear before encryption). Each is replaced only if unchanged since read (`rev`), so a concurrent update
    /// by a running server wins (it writes under the newest key anyway). Returns how many documents it looked
    /// at: 0 when the rotation is complete. Idempotent and resumable (what is left is read from `kid`).
    pub async fn reseal_patients(&self, batch: usize) -> StoreResult<usize> {
        let ring = self.protect.clone().ok_or_else(|| config_error("keys rotate: no encryption key given".into()))?;
        let kid = clinic_protect::KID_FIELD;
        let docs: Vec<Document> = self
            .inner
            .patients
            .find(doc! { kid: { "$ne": ring.newest_kid() } })
            .sort(doc! { "_id": 1 })
            .limit(i64::try_from(batch).unwrap_or(i64::MAX))
            .await
            .map_err(|e| store_error("patient read", e))?
            .try_collect()
            .await
            .map_err(|e| store_error("patient read", e))?;
        for d in &docs {
            let p = patient_from_document(Some(&ring), d)?;
            let mut filter = id_filter(p.id().as_uuid());
            match (d.get("rev"), d.get(kid)) {
                (Some(rev), _) => filter.insert("rev", rev.clone()),
                (None, Some(k)) => filter.insert(kid, k.clone()),
                (None, None) => filter.insert(kid, doc! { "$exists": false }),
            };
            let new = patient_document(&p, Some(&ring))?;
            match self.inner.patients.replace_one(filter, new).await {
                Ok(_) => {}
                Err(e) if is_duplicate_key(&e) => return Err(duplicate_mrn(&p)),
                Err(e) => return Err(store_error("patient write", e)),
            }
        }
        if docs.is_empty() {
            self.legacy_patients.store(false, Ordering::Relaxed);
        } else {
            // Instances holding copies of these documents re-read them (see `ref_cache`).
            self.bump_token(Class::Patients).await?;
        }
        Ok(docs.len())
    }

    /// How many patients are sealed under each key id (`None`: stored in clear).
    pub async fn patients_by_key(&self) -> StoreResult<Vec<(Option<String>, u64)>> {
        let mut cur = self
            .inner
            .patients
            .find(doc! {})
            .projection(doc! { clinic_protect::KID_FIELD: 1 })
            .await
            .map_err(|e| store_error("patient read", e))?;
        let mut counts: BTreeMap<Option<String>, u64> = BTreeMap::new();
        while let Some(d) = cur.try_next().await.map_err(|e| store_error("patient read", e))? {
            let kid = d.get_str(clinic_protect::KID_FIELD).ok().map(str::to_string);
            *counts.entry(kid).or_default() += 1;
        }
        Ok(counts.into_iter().collect())
    }

    /// The values of `mrn_key` an MRN may be stored under: its blind index under every live key, and the MRN
    /// itself while patients in clear may exist.
    fn mrn_keys(&self, mrn: &str) -> Vec<String> {
        match &self.protect {
            None => vec![mrn.to_string()],
            Some(ring) => {
                let mut keys = ring.search_indexes(IndexKind::Mrn, mrn);
                if self.legacy_patients.load(Ordering::Relaxed) {
                    keys.push(mrn.to_string());
                }
                keys
            }
        }
    }

    /// The database this store uses (for tooling and tests).
    pub fn database(&self) -> &Database {
        &self.inner.db
    }

    /// How many commands this store (all its clones) has sent to the server: round trips, for benchmarks.
    pub fn commands_sent(&self) -> u64 {
        self.inner.commands.load(Ordering::Relaxed)
    }

    /// How many commands this store has sent, by command name and collection (`"find guards"`), and how long
    /// the successful ones took in total (`"find guards µs"`, microseconds): what the round trips of a
    /// booking are, for benchmarks.
    pub fn commands_by_name(&self) -> BTreeMap<String, u64> {
        self.inner.commands_by_name.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// Whether the server is FerretDB (some writes take another route there: see the crate doc).
    pub fn is_ferretdb(&self) -> bool {
        self.inner.ferretdb
    }

    /// The driver client (shares the store's connection pool).
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// Creates the indexes that are missing (idempotent; run by `connect`). Existing ones are left alone:
    /// FerretDB 1.24 drops the connection (an internal panic) when asked to create an index that exists.
    pub async fn ensure_indexes(&self) -> StoreResult<()> {
        let i = &self.inner;
        let idx = |keys: Document, name: &str, unique: bool| {
            IndexModel::builder()
                .keys(keys)
                .options(IndexOptions::builder().name(name.to_string()).unique(unique.then_some(true)).build())
                .build()
        };
        let by_clinic = || vec![idx(doc! { "clinic_id": 1 }, "clinic_id", false)];
        let wanted = [
            (&i.practitioners, by_clinic()),
            (&i.rooms, by_clinic()),
            (&i.types, by_clinic()),
            (&i.schedules, by_clinic()),
            (
                &i.patients,
                vec![
                    idx(doc! { "clinic_id": 1, "mrn_key": 1 }, "clinic_id_mrn_unique", true),
                    idx(doc! { "clinic_id": 1, "family_name": 1 }, "clinic_id_family_name", false),
                    idx(doc! { "phone_bidx": 1 }, "phone_bidx", false),
                    idx(doc! { "email_bidx": 1 }, "email_bidx", false),
                    idx(doc! { "kid": 1 }, "kid", false),
                ],
            ),
            (
                &i.appointments,
                vec![
                    idx(doc! { "practitioner_id": 1, "slot.start": 1 }, "practitioner_id_start", false),
                    idx(doc! { "patient_id": 1, "slot.start": 1 }, "patient_id_start", false),
                    idx(doc! { "room_id": 1, "slot.start": 1 }, "room_id_start", false),
                    idx(doc! { "clinic_id": 1, "slot.start": 1 }, "clinic_id_start", false),
                    idx(doc! { "pending.at": 1 }, "pending_at", false),
                ],
            ),
        ];
        for (coll, models) in wanted {
            // A collection that does not exist yet has no indexes (MongoDB answers NamespaceNotFound).
            let existing = coll.list_index_names().await.unwrap_or_default();
            let names: Vec<String> =
                models.iter().filter_map(|m| m.options.as_ref().and_then(|o| o.name.clone())).collect();
            let missing: Vec<IndexModel> = models
                .into_iter()
                .filter(|m| m.options.as_ref().and_then(|o| o.name.as_ref()).is_none_or(|n| !existing.contains(n)))
                .collect();
            if missing.is_empty() {
                continue;
            }
            if let Err(e) = coll.create_indexes(missing).await {
                // Another process may have created them in between: fine if they are all there now.
                let now = coll.list_index_names().await.map_err(|_| store_error("index creation", e.clone()))?;
                if !names.iter().all(|n| now.contains(n)) {
                    return Err(store_error("index creation", e));
                }
            }
        }
        Ok(())
    }

    /// Inserts `a`'s document (as a booking writes it, without the unfinished mark) into the scratch collection
    /// `bench_raw_inserts`, with the store's write concern and no rule, guard or index: the server's raw write
    /// ceiling for one appointment, for benchmarks.
    pub async fn raw_insert_appointment(&self, a: &Appointment) -> StoreResult<()> {
        let d = to_document(a)?;
        let scratch = self.inner.db.collection::<Document>("bench_raw_inserts");
        scratch.insert_one(d).await.map(|_| ()).map_err(|e| store_error("raw write", e))
    }

    /// Drops the store's database (tests and tooling).
    pub async fn drop_database(&self) -> StoreResult<()> {
        self.inner.db.drop().await.map_err(|e| store_error("drop database", e))?;
        if let Ok(mut m) = self.inner.chains.lock() {
            m.clear();
        }
        self.inner.refs.clear();
        if let Ok(mut m) = self.inner.appointments_cache.lock() {
            m.clear();
        }
        Ok(())
    }

    // ---- generic entity access ------------------------------------------------------------------------

    /// Writes a catalog entity, then changes the catalog token (see `ref_cache`).
    async fn put<T: Serialize>(&self, coll: &Collection<Document>, entity: &T) -> StoreResult<()> {
        let d = to_document(entity)?;
        let filter = doc! { "_id": d.get("_id").cloned().unwrap_or(Bson::Null) };
        // Two concurrent upserts of one new id can both try to insert: the loser's retry replaces.
        for attempt in 0..3 {
            match coll.replace_one(filter.clone(), d.clone()).upsert(true).await {
                Ok(_) => break,
                Err(e) if is_duplicate_key(&e) && attempt < 2 => continue,
                Err(e) => {
                    self.bump_token(Class::Catalog).await?;
                    return Err(store_error("write", e));
                }
            }
        }
        self.bump_token(Class::Catalog).await
    }

    /// Document `id` of `coll` (named `name`), from this instance's copy while it is current (see
    /// `ref_cache`), else from the server.
    async fn cached_doc(
        &self,
        class: Class,
        name: &'static str,
        coll: &Collection<Document>,
        id: Uuid,
    ) -> StoreResult<Option<Document>> {
        let refs = &self.inner.refs;
        refs.validate(&self.inner.cache_tokens).await.map_err(|e| store_error("read", e))?;
        let key = id.hyphenated().to_string();
        if let Some(d) = refs.get(class, name, &key) {
            return Ok(Some(d));
        }
        // Misses one at a time: many tasks starting together all want the same few documents.
        let _one = refs.miss().await;
        if let Some(d) = refs.get(class, name, &key) {
            return Ok(Some(d));
        }
        let (generation, at) = (refs.generation(class), std::time::Instant::now());
        let d = coll.find_one(id_filter(id)).await.map_err(|e| store_error("read", e))?;
        if let Some(d) = &d {
            refs.put(class, name, &key, d, generation, at);
        }
        Ok(d)
    }

    async fn get_cached<T: DeserializeOwned>(
        &self,
        name: &'static str,
        coll: &Collection<Document>,
        id: Uuid,
    ) -> StoreResult<Option<T>> {
        match self.cached_doc(Class::Catalog, name, coll, id).await? {
            Some(d) => from_document(&d).map(Some),
            None => Ok(None),
        }
    }

    /// Gives `class`'s token a value it never had, after a write of that class: every instance drops its
    /// copies (this one at once, the others within `ref_cache::TOKEN_TTL`).
    async fn bump_token(&self, class: Class) -> StoreResult<()> {
        let r = self
            .inner
            .cache_tokens
            .update_one(
                doc! { "_id": crate::ref_cache::TOKENS_ID },
                doc! { "$set": { class.field(): Uuid::now_v7().to_string() } },
            )
            .upsert(true)
            .await;
        self.inner.refs.invalidate(class);
        r.map(|_| ()).map_err(|e| store_error("write", e))
    }

    async fn get<T: DeserializeOwned>(&self, coll: &Collection<Document>, id: Uuid) -> StoreResult<Option<T>> {
        match coll.find_one(id_filter(id)).await.map_err(|e| store_error("read", e))? {
            Some(d) => from_document(&d).map(Some),
            None => Ok(None),
        }
    }

    async fn list<T: DeserializeOwned>(&self, coll: &Collection<Document>, filter: Document) -> StoreResult<Vec<T>> {
        let docs: Vec<Document> = coll
            .find(filter)
            .sort(doc! { "_id": 1 })
            .await
            .map_err(|e| store_error("read", e))?
            .try_collect()
            .await
            .map_err(|e| store_error("read", e))?;
        docs.iter().map(from_document).collect()
    }

    async fn list_by_clinic<T: DeserializeOwned>(
        &self,
        coll: &Collection<Document>,
        clinic: ClinicId,
    ) -> StoreResult<Vec<T>> {
        self.list(coll, doc! { "clinic_id": uuid_bson(clinic.as_uuid()) }).await
    }

    // ---- guards ----------------------------------------------------------------------------------------
    //
    // A guard's version is the length of its chain of entries `<key>#1`, `<key>#2`, …: moving it from `v` to
    // `v + 1` is inserting `<key>#<v+1>`, and the unique `_id` lets exactly one inserter win. That is a
    // compare-and-set on every server: FerretDB 1.24 (SQLite) evaluates an update's filter and writes the
    // result without isolation, so concurrent `update {_id, version: v} → $inc` calls can all "match" (measured:
    // up to 9 winners of 16), but it enforces unique keys on insert. Entries are never deleted, so a version
    // never repeats.
    //
    // The chains are also the store's index of appointments by resource-day and patient-day: each entry names
    // the appointments whose write inserted it (`appointments`), and every write of an appointment makes sure
    // the chains of its slot's UTC days (its practitioner, room and patient) name it — through the commit's own
    // guards when they cover those keys (they do for every booking the use cases make), else through an extra
    // entry. So "the appointments of practitioner P overlapping [from, to)" are among the ids named by the
    // chains of (P, each day of the range), read with `_id` lookups only — what FerretDB serves from its primary
    // key; any other filter is a scan of the whole collection there. The ids a chain names only grow; the
    // appointments themselves are read fresh (a cancellation bumps nothing).
    //
    // Entries never change once written, so each store instance remembers how far it has read every chain and
    // what ids it named (`Inner::chains`): a read probes only for entries after that. The head document `<key>`
    // is a hint for readers that have not read the chain yet: a version the chain reached and the ids named up
    // to it (a consistent pair, rewritten every `HINT_EVERY` versions by the writer that reached it; a lost or
    // late hint only makes a cold read walk further).

    fn guard_entry_id(key: &GuardKey, n: u64) -> String {
        format!("{}#{n}", key.as_text())
    }

    fn cached_chain(&self, key: &GuardKey) -> Option<Chain> {
        self.inner.chains.lock().ok().and_then(|m| m.get(key).cloned())
    }

    /// Remembers that `key`'s chain reaches at least `chain.len` (never moves a known chain back).
    fn remember_chain(&self, key: &GuardKey, chain: &Chain) {
        if let Ok(mut m) = self.inner.chains.lock() {
            if m.len() >= MAX_CACHED_CHAINS && !m.contains_key(key) {
                m.clear();
            }
            match m.get_mut(key) {
                Some(known) if known.len >= chain.len => {}
                Some(known) => *known = chain.clone(),
                None => {
                    m.insert(*key, chain.clone());
                }
            }
        }
    }

    /// `key`'s chain as it is now: how long it is and the appointments it names.
    async fn read_chain(&self, key: &GuardKey) -> StoreResult<Chain> {
        let guards = &self.inner.guards;
        let read = |e| store_error("guard read", e);
        let mut chain = match self.cached_chain(key) {
            Some(c) => c,
            // Unknown here: most chains a booking meets first are new (a patient's day), so the first entry is
            // probed before the head hint is read.
            None => match guards.find_one(doc! { "_id": Self::guard_entry_id(key, 1) }).await.map_err(read)? {
                None => {
                    let empty = Chain::default();
                    self.remember_chain(key, &empty);
                    return Ok(empty);
                }
                Some(first) => match guards.find_one(doc! { "_id": key.as_text() }).await.map_err(read)? {
                    Some(head) if version_of(&head).unwrap_or(0) >= 1 => {
                        let len = version_of(&head).unwrap_or(0);
                        match named_ids(&head) {
                            Some(ids) => Chain { len, ids: ids.collect(), ids_known: true, origins: BTreeMap::new() },
                            None => Chain { len, ids: BTreeSet::new(), ids_known: false, origins: BTreeMap::new() },
                        }
                    }
                    _ => {
                        let mut c = Chain { len: 1, ..Chain::default() };
                        match named_ids(&first) {
                            Some(ids) => c.ids.extend(ids),
                            None => c.ids_known = false,
                        }
                        note_origins(&mut c, &first);
                        c
                    }
                },
            },
        };
        // `_id` lookups only: FerretDB serves `_id` equality from its primary key, anything else by a scan.
        while let Some(e) =
            guards.find_one(doc! { "_id": Self::guard_entry_id(key, chain.len + 1) }).await.map_err(read)?
        {
            chain.len += 1;
            match named_ids(&e) {
                Some(ids) => {
                    // A new entry naming an appointment may announce a change of it: drop its copy.
                    let ids: Vec<String> = ids.collect();
                    self.evict_appointments(&ids);
                    chain.ids.extend(ids);
                }
                None => chain.ids_known = false,
            }
            note_origins(&mut chain, &e);
        }
        self.remember_chain(key, &chain);
        Ok(chain)
    }

    async fn read_guards(&self, keys: &[GuardKey]) -> StoreResult<Vec<u64>> {
        futures::future::try_join_all(keys.iter().map(|k| async move { Ok(self.read_chain(k).await?.len) })).await
    }

    /// Compare-and-set of one guard: `version` → `version + by`, each new entry naming `ids`. `Ok(None)` when
    /// another commit got there first; `Ok(Some(n))` when it won, `n` being a version the chain is known to
    /// have reached.
    async fn cas_guard(&self, key: &GuardKey, version: u64, by: u64, ids: &[String]) -> StoreResult<Option<u64>> {
        let guards = &self.inner.guards;
        let at = date_bson(Utc::now());
        let named: Vec<Bson> = ids.iter().map(|i| Bson::String(i.clone())).collect();
        let mut reached = version;
        for n in version + 1..=version + by {
            let entry = doc! {
                "_id": Self::guard_entry_id(key, n), "key": key.as_text(), "n": n as i64, "at": at.clone(),
                "appointments": named.clone(),
            };
            match guards.insert_one(entry).await {
                Ok(_) => reached = n,
                // Only the first insert decides; a later one lost means someone bumped past us — harmless.
                Err(e) if is_duplicate_key(&e) && n == version + 1 => return Ok(None),
                Err(e) if n == version + 1 => return Err(store_error("guard write", e)),
                // Entry `n` may not exist: the chain is only known to reach `n - 1`.
                Err(_) => break,
            }
        }
        // Our own entries extend what this instance knows of the chain when it knew everything before them.
        if version == 0 && self.cached_chain(key).is_none() {
            self.remember_chain(key, &Chain::default());
        }
        if let Some(mut known) = self.cached_chain(key).filter(|c| c.len == version) {
            known.len = reached;
            known.ids.extend(ids.iter().cloned());
            self.remember_chain(key, &known);
            if reached / HINT_EVERY > version / HINT_EVERY {
                self.hint_guard(key, &known).await;
            }
        }
        Ok(Some(reached))
    }

    /// Compare-and-set of several guards in one command: for each key `version` → `version + by`, its new
    /// entries naming `named(key)`. One ordered `insert_many`: first the deciding entry `<key>#<v+1>` of every
    /// key (in key order), then the extra ones of keys counted twice. `Ok(true)` when every deciding entry went
    /// in; `Ok(false)` when one was taken (the keys before it stay bumped, as in `cas_guard`); an extra entry
    /// that was taken only means someone bumped past us (harmless). Why one command: on FerretDB each command
    /// costs about half an insert whatever it carries, and the entries of one booking are independent.
    async fn take_guards<'a>(
        &self,
        guards: &BTreeMap<GuardKey, (u64, u64)>,
        named: impl Fn(&GuardKey) -> &'a [String],
        commit: Option<&Document>,
    ) -> StoreResult<bool> {
        let at = date_bson(Utc::now());
        let entry = |key: &GuardKey, n: u64| {
            let ids: Vec<Bson> = named(key).iter().map(|i| Bson::String(i.clone())).collect();
            let mut e = doc! {
                "_id": Self::guard_entry_id(key, n), "key": key.as_text(), "n": n as i64, "at": at.clone(),
                "appointments": ids,
            };
            if let Some(c) = commit {
                e.insert("commit", c.clone());
            }
            e
        };
        let mut entries: Vec<Document> = guards.iter().map(|(k, (v, _))| entry(k, v + 1)).collect();
        let mut extra: Vec<(GuardKey, u64)> = Vec::new();
        for (k, (v, by)) in guards {
            for n in v + 2..=v + by {
                entries.push(entry(k, n));
                extra.push((*k, n));
            }
        }
        let deciding = guards.len();
        // How many entries went in (ordered: a prefix).
        let inserted = match self.inner.guards.insert_many(entries).ordered(true).await {
            Ok(_) => deciding + extra.len(),
            Err(e) => {
                let first = match e.kind.as_ref() {
                    mongodb::error::ErrorKind::InsertMany(m) => {
                        m.write_errors.as_ref().and_then(|w| w.iter().map(|w| (w.index, w.code)).min())
                    }
                    _ => None,
                };
                match first {
                    Some((i, _)) if i >= deciding => i,
                    Some((i, 11000)) => {
                        // The chain of the key we lost moved: read it again, so that the retry's
                        // `guard_versions` starts from where it is.
                        if let Some((lost, _)) = guards.iter().nth(i) {
                            self.forget_chain(lost);
                            let _ = self.read_chain(lost).await;
                        }
                        i
                    }
                    _ => return Err(store_error("guard write", e)),
                }
            }
        };
        // What this instance knows of the chains it extended (all of a chain it started).
        for (key, (version, _)) in guards.iter().take(inserted.min(deciding)) {
            if *version == 0 && self.cached_chain(key).is_none() {
                self.remember_chain(key, &Chain::default());
            }
            let extras = extra.iter().take(inserted.saturating_sub(deciding)).filter(|(k, _)| k == key).count();
            let reached = version + 1 + extras as u64;
            if let Some(mut known) = self.cached_chain(key).filter(|c| c.len == *version) {
                known.len = reached;
                known.ids.extend(named(key).iter().cloned());
                if commit.is_some() {
                    let origin = Self::guard_entry_id(key, version + 1);
                    known.origins.extend(named(key).iter().map(|i| (i.clone(), origin.clone())));
                }
                self.remember_chain(key, &known);
                if reached / HINT_EVERY > version / HINT_EVERY {
                    self.hint_guard(key, &known).await;
                }
            }
        }
        Ok(inserted >= deciding)
    }

    // ---- copies of appointments --------------------------------------------------------------------------
    //
    // A listing through the chains used to read every appointment the chains of its days named, by `_id`, on
    // every booking (a practitioner's full day: a dozen reads). Now each instance keeps the settled documents it
    // read, and drops a copy when a chain entry it reads names that appointment again: every write of an
    // appointment appends an entry naming it to the chains of its days — a booking or reschedule through the
    // guards it takes (and, for a reschedule, the chains of the slot it leaves), `update_appointment` to the
    // chains of its old and new slot — after the document is written. A listing probes its chains for new
    // entries before it uses a copy, so it never uses a copy older than a change whose write returned before
    // the listing started, from any instance. A writer that dies between its document write and its entries
    // leaves copies at most `APPOINTMENT_COPY_MAX_AGE` old; for a booking decision such a copy can only be
    // older than the stored document by a change of that writer, which never took the guards it would need
    // to make room (cancelling frees a slot; a stale copy keeps it taken a few seconds longer).

    fn cached_appointment(&self, id: &str) -> Option<Document> {
        let m = self.inner.appointments_cache.lock().ok()?;
        m.get(id).filter(|(at, _)| at.elapsed() < APPOINTMENT_COPY_MAX_AGE).map(|(_, d)| d.clone())
    }

    /// Keeps a settled document read since generation `generation` started, at `read_at`.
    fn keep_appointment(&self, id: &str, d: &Document, generation: u64, read_at: std::time::Instant) {
        if d.contains_key("pending") {
            return;
        }
        if let Ok(mut m) = self.inner.appointments_cache.lock() {
            if self.inner.appointments_generation.load(Ordering::SeqCst) != generation {
                return;
            }
            if m.len() >= MAX_CACHED_APPOINTMENTS {
                m.clear();
            }
            m.insert(id.to_string(), (read_at, d.clone()));
        }
    }

    fn evict_appointments(&self, ids: &[String]) {
        if ids.is_empty() {
            return;
        }
        if let Ok(mut m) = self.inner.appointments_cache.lock() {
            self.inner.appointments_generation.fetch_add(1, Ordering::SeqCst);
            for id in ids {
                m.remove(id);
            }
        }
    }

    /// After a change of appointment `a` (from `old`) was written: drops this instance's copy and appends an
    /// entry naming it to the chains of the old and new slot's days except `covered` (which the write's own
    /// guards already extended), so that other instances drop theirs. Best effort: the change is written
    /// whatever happens here (see above for what a miss costs).
    async fn announce_change(&self, a: &Appointment, old: Option<&Appointment>, covered: &[GuardKey]) {
        let id = a.id().to_string();
        self.evict_appointments(std::slice::from_ref(&id));
        let mut keys = index_keys(a);
        keys.extend(old.map(index_keys).unwrap_or_default());
        keys.sort();
        keys.dedup();
        let named = [id];
        for key in keys.iter().filter(|k| !covered.contains(k)) {
            let _ = self.append_to_chain(key, &named).await;
        }
        self.evict_appointments(&named);
    }

    // ---- insert commits ----------------------------------------------------------------------------------
    //
    // A new booking is two commands: one `insert_many` of its guard entries, then the insert of its document.
    // Each entry carries the commit (`commit: {token, entries, appointment}`: a token of the booking, the ids
    // of its deciding entries — one `<key>#<v+1>` per guard key — and the appointment's document), so the
    // entries alone decide and record it:
    // - every deciding entry is there with the commit's token: the booking happened (Committed);
    // - one of them belongs to another writer: it never will (Aborted);
    // - else its writer is between the two (Undecided).
    // The document is written only once every deciding entry is in, so an appointment document that exists
    // is always a committed booking, and a loser writes nothing but the entries before the one it lost.
    // A listing that finds an appointment named by a chain but not stored looks the commit up there: Committed
    // means its writer has not written the document yet (or died first), and the listing writes it itself
    // from the entry (the same document; the second insert finds it there); Aborted means it is not there;
    // Undecided means wait — and past the pending timeout, take the missing deciding entries with empty
    // ones (the unique `_id` lets the late writer's insert fail), which decides Aborted.
    //
    // Why that is enough (the argument of `settled_rows`): a checker that read a guard version `v + 1` a
    // booking took, and lists after that, meets the booking's entry in the chain, and waits until it is
    // decided — so it never misses a booking that can commit with its snapshot. Reschedules and updates keep
    // the unfinished-write protocol of `write_pending`.

    async fn commit_insert(
        &self,
        c: &BookingCommit,
        guards: &BTreeMap<GuardKey, (u64, u64)>,
    ) -> StoreResult<CommitOutcome> {
        let token = Uuid::now_v7();
        let d = to_document(&c.appointment)?;
        let deciding: Vec<String> = guards.iter().map(|(k, (v, _))| Self::guard_entry_id(k, v + 1)).collect();
        let commit = doc! {
            "token": uuid_bson(token),
            "entries": deciding.iter().map(|e| Bson::String(e.clone())).collect::<Vec<_>>(),
            "appointment": d.clone(),
        };
        let named = [c.appointment.id().to_string()];
        // The listing index: chains of the slot's keys the guards do not cover (none for the use cases'),
        // named before the decision so that a crash cannot leave a committed booking out of them.
        for key in index_keys(&c.appointment).iter().filter(|k| !guards.contains_key(k)) {
            let mut appended = false;
            for _ in 0..APPEND_ATTEMPTS {
                let v = self.read_chain(key).await?.len;
                let one = BTreeMap::from([(*key, (v, 1))]);
                if self.take_guards(&one, |_| &named[..], Some(&commit)).await? {
                    appended = true;
                    break;
                }
            }
            if !appended {
                return Ok(CommitOutcome::Stale);
            }
        }
        match self.take_guards(guards, |_| &named[..], Some(&commit)).await {
            Ok(true) => {}
            Ok(false) => {
                self.remember_fate(token, Fate::Aborted);
                return Ok(CommitOutcome::Stale);
            }
            Err(e) => match self.fate_of(token, &deciding).await {
                Ok(Fate::Committed) => {}
                Ok(Fate::Aborted) => return Ok(CommitOutcome::Stale),
                _ => return Err(e),
            },
        }
        self.remember_fate(token, Fate::Committed);
        let appts = &self.inner.appointments;
        let mut last = None;
        for _ in 0..3 {
            match appts.insert_one(d.clone()).await {
                Ok(_) => {
                    last = None;
                    break;
                }
                Err(e) if is_duplicate_key(&e) => {
                    let stored = appts.find_one(doc! { "_id": named[0].as_str() }).await;
                    let ours = stored.ok().flatten().is_some_and(|s| {
                        !s.contains_key("pending") && from_document::<Appointment>(&s).is_ok_and(|a| a == c.appointment)
                    });
                    if ours {
                        // A reader wrote it from the entries first.
                        last = None;
                        break;
                    }
                    return Err(ClinicError::field(
                        ErrorCode::VersionConflict,
                        "id",
                        format!("appointment {} already exists", c.appointment.id()),
                    ));
                }
                Err(e) => last = Some(e),
            }
        }
        if let Some(e) = last {
            return Err(ClinicError::Store {
                message: format!(
                    "MongoDB booking commit: the booking is taken (its guards are written) but its document could \
                     not be written; the next listing of its practitioner's day writes it: {}",
                    store_error("write", e)
                ),
                retryable: false,
            });
        }
        let (generation, at) = (self.inner.appointments_generation.load(Ordering::SeqCst), std::time::Instant::now());
        self.keep_appointment(&named[0], &d, generation, at);
        Ok(CommitOutcome::Committed)
    }

    fn remember_fate(&self, token: Uuid, fate: Fate) {
        if fate == Fate::Undecided {
            return;
        }
        if let Ok(mut m) = self.inner.fates.lock() {
            if m.len() >= MAX_CACHED_APPOINTMENTS {
                m.clear();
            }
            m.insert(token, fate);
        }
    }

    /// What became of insert commit `token` with deciding entries `deciding` (see "insert commits").
    async fn fate_of(&self, token: Uuid, deciding: &[String]) -> StoreResult<Fate> {
        if let Some(f) = self.inner.fates.lock().ok().and_then(|m| m.get(&token).copied()) {
            return Ok(f);
        }
        let guards = &self.inner.guards;
        let read = |id: &String| {
            let filter = doc! { "_id": id.as_str() };
            async move {
                guards
                    .find_one(filter)
                    .projection(doc! { "commit.token": 1 })
                    .await
                    .map_err(|e| store_error("guard read", e))
            }
        };
        let entries = futures::future::try_join_all(deciding.iter().map(read)).await?;
        let fate = if entries.iter().any(|e| e.as_ref().is_some_and(|e| commit_token(e) != Some(token))) {
            Fate::Aborted
        } else if entries.iter().all(Option::is_some) {
            Fate::Committed
        } else {
            Fate::Undecided
        };
        self.remember_fate(token, fate);
        Ok(fate)
    }

    /// The document of appointment `id`, named by chain entry `origin` but not stored when the listing read
    /// it: decided through the entries (see "insert commits"). `None`: the booking never happened.
    async fn resolve_missing(&self, id: &str, origin: &str) -> StoreResult<Option<Document>> {
        let appts = &self.inner.appointments;
        let read_err = |e| store_error("guard read", e);
        let give_up = tokio::time::Instant::now()
            + self.inner.pending_timeout.to_std().unwrap_or(Duration::from_secs(30))
            + Duration::from_secs(10);
        let mut pause = Duration::from_millis(2);
        loop {
            let Some(entry) = self.inner.guards.find_one(doc! { "_id": origin }).await.map_err(read_err)? else {
                return Ok(None);
            };
            let commit = entry.get_document("commit").ok();
            let (Some(token), Some(commit)) = (commit_token(&entry), commit) else { return Ok(None) };
            let deciding: Vec<String> = commit
                .get_array("entries")
                .map(|a| a.iter().filter_map(|b| b.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            match self.fate_of(token, &deciding).await? {
                Fate::Aborted => return Ok(None),
                Fate::Committed => {
                    if let Ok(d) = commit.get_document("appointment") {
                        match appts.insert_one(d.clone()).await {
                            Ok(_) => {}
                            Err(e) if is_duplicate_key(&e) => {}
                            Err(e) => return Err(store_error("booking write", e)),
                        }
                    }
                    return appts.find_one(doc! { "_id": id }).await.map_err(|e| store_error("appointment read", e));
                }
                Fate::Undecided => {}
            }
            // Its writer may still be at work; it cannot be after the pending timeout.
            let started = match entry.get("at") {
                Some(Bson::DateTime(t)) => t.timestamp_millis(),
                _ => 0,
            };
            if Utc::now().timestamp_millis() - started > self.inner.pending_timeout.num_milliseconds() {
                for e in &deciding {
                    let empty = doc! {
                        "_id": e.as_str(), "at": date_bson(Utc::now()), "appointments": [],
                        "commit": { "token": uuid_bson(Uuid::now_v7()) },
                    };
                    match self.inner.guards.insert_one(empty).await {
                        Ok(_) => {}
                        Err(e) if is_duplicate_key(&e) => {}
                        Err(e) => return Err(store_error("guard write", e)),
                    }
                }
                continue;
            }
            if tokio::time::Instant::now() >= give_up {
                return Err(ClinicError::Store {
                    message: "MongoDB: a concurrent booking was not decided in time".into(),
                    retryable: true,
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    /// The entry of `keys`' chains that names appointment `id` with an insert commit, when this instance
    /// knows the chains only from their head hints (which name appointments, not entries): read backwards.
    async fn find_origin(&self, keys: &[GuardKey], chains: &[Chain], id: &str) -> StoreResult<Option<String>> {
        for (key, chain) in keys.iter().zip(chains) {
            for n in (1..=chain.len).rev() {
                let eid = Self::guard_entry_id(key, n);
                let e = self
                    .inner
                    .guards
                    .find_one(doc! { "_id": eid.as_str() })
                    .await
                    .map_err(|e| store_error("guard read", e))?;
                if e.as_ref()
                    .is_some_and(|e| e.contains_key("commit") && named_ids(e).is_some_and(|mut i| i.any(|x| x == id)))
                {
                    return Ok(Some(eid));
                }
            }
        }
        Ok(None)
    }

    /// Forgets what this instance knew of `key`'s chain (it moved under a lost compare-and-set), so that the
    /// next `guard_versions` reads it.
    fn forget_chain(&self, key: &GuardKey) {
        if let Ok(mut m) = self.inner.chains.lock() {
            m.remove(key);
        }
    }

    /// Makes `key`'s chain name `ids` by appending an entry at whatever version it has (a bump nobody
    /// guarded: concurrent snapshots of the key just retry). `Ok(false)` if it kept losing the race.
    async fn append_to_chain(&self, key: &GuardKey, ids: &[String]) -> StoreResult<bool> {
        for _ in 0..APPEND_ATTEMPTS {
            let v = self.read_chain(key).await?.len;
            if self.cas_guard(key, v, 1, ids).await?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Rewrites the head hint of `key` to `chain` (a prefix this instance read entirely). Best effort.
    async fn hint_guard(&self, key: &GuardKey, chain: &Chain) {
        let (kind, resource) = guard_scope_fields(key);
        let ids: Vec<Bson> = chain.ids.iter().map(|i| Bson::String(i.clone())).collect();
        let _ = self
            .inner
            .guards
            .update_one(
                doc! { "_id": key.as_text() },
                doc! {
                    "$set": { "version": chain.len as i64, "appointments": ids },
                    "$setOnInsert": { "scope": kind, "resource_id": uuid_bson(resource), "day": key.day },
                },
            )
            .upsert(true)
            .await;
    }

    // ---- appointment version claims --------------------------------------------------------------------
    //
    // Replacing version `v` of an appointment (reschedule commit, `update_appointment`) first inserts the claim
    // `appointment:<id>:<v>` into `claims`: only one writer can replace a given version, on MongoDB and on
    // FerretDB alike (see the guards above). A replacement that is rolled back deletes its claim (the
    // appointment is at `v` again); a finished one keeps it, so `v` is never replaced twice.

    fn claim_id(id: &Bson, version: u64) -> Result<String, ClinicError> {
        bson_id(id)
            .map(|u| format!("appointment:{u}:{version}"))
            .ok_or_else(|| config_error(format!("bad appointment id {id}")))
    }

    /// Claims version `version` of appointment `id`. `Ok(false)` when another writer holds it. A claim whose
    /// writer died before writing (older than the pending timeout, the appointment still at that version and
    /// unmarked) is cleared and claimed anew.
    async fn claim(&self, id: &Bson, version: u64) -> StoreResult<bool> {
        let claim_id = Self::claim_id(id, version)?;
        for _ in 0..2 {
            let d = doc! { "_id": claim_id.clone(), "at": date_bson(Utc::now()) };
            match self.inner.claims.insert_one(d).await {
                Ok(_) => return Ok(true),
                Err(e) if is_duplicate_key(&e) => {}
                Err(e) => return Err(store_error("claim write", e)),
            }
            let held = self.inner.claims.find_one(doc! { "_id": claim_id.clone() }).await;
            let since = match held.map_err(|e| store_error("claim read", e))? {
                Some(c) => match c.get("at") {
                    Some(Bson::DateTime(t)) => t.timestamp_millis(),
                    _ => 0,
                },
                None => continue,
            };
            if Utc::now().timestamp_millis() - since <= self.inner.pending_timeout.num_milliseconds() {
                return Ok(false);
            }
            let stored = self.inner.appointments.find_one(doc! { "_id": id.clone() }).await;
            let abandoned = stored
                .map_err(|e| store_error("read", e))?
                .is_some_and(|d| pending_of(&d).is_none() && version_of(&d) == Some(version));
            if !abandoned {
                return Ok(false);
            }
            self.release(id, version).await?;
        }
        Ok(false)
    }

    async fn release(&self, id: &Bson, version: u64) -> StoreResult<()> {
        self.inner
            .claims
            .delete_one(doc! { "_id": Self::claim_id(id, version)? })
            .await
            .map(|_| ())
            .map_err(|e| store_error("claim release", e))
    }

    // ---- conditional writes ----------------------------------------------------------------------------

    /// Applies `op` to appointment `id` if its stored document meets `cond` — also given as the query `extra`
    /// — and says whether it did. On MongoDB that is one write filtered by `{_id, ...extra}`, atomic. FerretDB
    /// 1.24 uses its primary key only for a filter that is exactly `{_id: <string>}` and scans the whole
    /// collection for anything more, and it evaluates a filter and its write without isolation anyway; there,
    /// the document is read by `_id`, `cond` checked here, and the write filtered by `_id` alone — the same
    /// guarantee (none beyond what the claims, chains and timing rules of this module give), without the scan.
    async fn write_if(
        &self,
        id: &Bson,
        extra: Document,
        cond: impl Fn(&Document) -> bool,
        op: CondWrite,
    ) -> Result<bool, mongodb::error::Error> {
        let appts = &self.inner.appointments;
        let mut filter = doc! { "_id": id.clone() };
        if self.inner.ferretdb {
            match appts.find_one(filter.clone()).await? {
                Some(d) if cond(&d) => {}
                _ => return Ok(false),
            }
        } else {
            filter.extend(extra);
        }
        let n = match op {
            CondWrite::Delete => appts.delete_one(filter).await?.deleted_count,
            CondWrite::Replace(d) => appts.replace_one(filter, d).await?.matched_count,
            CondWrite::Unset(field) => appts.update_one(filter, doc! { "$unset": { field: "" } }).await?.matched_count,
        };
        Ok(n == 1)
    }

    // ---- unfinished booking writes ---------------------------------------------------------------------

    /// Undoes the booking write `token` on appointment `id`, if it is still unfinished: deletes an inserted
    /// appointment, puts a rescheduled one back as it was (and releases its version claim). A no-op when the
    /// write was already finished or undone.
    async fn roll_back(&self, id: &Bson, token: Uuid, prev: Option<Document>) -> StoreResult<()> {
        // A copy of it here is out of date whatever happens next.
        self.evict_appointments(&id.as_str().map(str::to_string).into_iter().collect::<Vec<_>>());
        let extra = doc! { "pending.token": uuid_bson(token) };
        let err = |e| store_error("booking rollback", e);
        match prev {
            None => {
                self.write_if(id, extra, is_pending_of(token), CondWrite::Delete).await.map_err(err)?;
            }
            Some(prev) => {
                let version = version_of(&prev);
                let mut restored = doc! { "_id": id.clone() };
                restored.extend(prev);
                let done =
                    self.write_if(id, extra, is_pending_of(token), CondWrite::Replace(restored)).await.map_err(err)?;
                if let (true, Some(v)) = (done, version) {
                    self.release(id, v).await?;
                }
            }
        }
        Ok(())
    }

    /// Undoes a *finished* booking write of a batch that could not finish whole: deletes the inserted
    /// appointment, or puts back the replaced one — only if the document is still exactly what the batch
    /// wrote (unmarked, at the batch's version), so a later change by someone else is never undone.
    async fn undo_finished(&self, c: &BookingCommit, id: &Bson, prev: Option<Document>) -> StoreResult<()> {
        self.evict_appointments(&[c.appointment.id().to_string()]);
        let v = i64::try_from(c.appointment.version())
            .map_err(|_| config_error(format!("version {} is too large", c.appointment.version())))?;
        let extra = doc! { "version": v, "pending": { "$exists": false } };
        let cond = is_settled_at(c.appointment.version());
        let err = |e| store_error("batch compensation", e);
        match prev {
            None => {
                self.write_if(id, extra, cond, CondWrite::Delete).await.map_err(err)?;
            }
            Some(prev) => {
                let version = version_of(&prev);
                let mut restored = doc! { "_id": id.clone() };
                restored.extend(prev);
                let done = self.write_if(id, extra, cond, CondWrite::Replace(restored)).await.map_err(err)?;
                if let (true, Some(v)) = (done, version) {
                    self.release(id, v).await?;
                }
            }
        }
        Ok(())
    }

    /// Rolls back every booking write left unfinished for longer than the pending timeout (its writer crashed,
    /// hung or lost the server). Returns how many it rolled back. `connect` runs it, and every store instance
    /// runs it again at most every half pending timeout, from `guard_versions`.
    pub async fn recover_pending(&self) -> StoreResult<usize> {
        self.inner.last_sweep_ms.store(Utc::now().timestamp_millis(), Ordering::Relaxed);
        let cutoff = Utc::now() - self.inner.pending_timeout;
        let stale: Vec<Document> = self
            .inner
            .appointments
            .find(doc! { "pending.at": { "$lt": date_bson(cutoff) } })
            .await
            .map_err(|e| store_error("recovery read", e))?
            .try_collect()
            .await
            .map_err(|e| store_error("recovery read", e))?;
        let mut n = 0;
        for d in stale {
            if let (Some(id), Some(p)) = (d.get("_id"), pending_of(&d)) {
                self.roll_back(id, p.token, p.prev).await?;
                n += 1;
            }
        }
        Ok(n)
    }

    async fn maybe_recover(&self) {
        let now = Utc::now().timestamp_millis();
        let last = self.inner.last_sweep_ms.load(Ordering::Relaxed);
        let every = self.inner.pending_timeout.num_milliseconds() / 2;
        if now - last >= every
            && self.inner.last_sweep_ms.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            // Best effort: the caller's own operation reports a server problem if there is one.
            let _ = self.recover_pending().await;
        }
    }

    /// Writes the appointment of a commit, marked unfinished under `token`. `Ok(None)` = stale (the stored
    /// version moved or another write holds it); `Ok(Some(prev))` = written, `prev` being the replaced
    /// document for a reschedule.
    async fn write_pending(&self, c: &BookingCommit, id: &Bson, token: Uuid) -> StoreResult<Option<Option<Document>>> {
        let appts = &self.inner.appointments;
        let mut d = to_document(&c.appointment)?;
        let mut pending = doc! { "token": uuid_bson(token), "at": date_bson(Utc::now()) };
        let Some(expected) = c.expected_version else {
            d.insert("pending", pending);
            return match appts.insert_one(d).await {
                Ok(_) => Ok(Some(None)),
                Err(e) if is_duplicate_key(&e) => Err(ClinicError::field(
                    ErrorCode::VersionConflict,
                    "id",
                    format!("appointment {} already exists", c.appointment.id()),
                )),
                Err(e) => {
                    let _ = self.roll_back(id, token, None).await;
                    Err(store_error("booking write", e))
                }
            };
        };
        let stored = appts.find_one(doc! { "_id": id.clone() }).await.map_err(|e| store_error("read", e))?;
        let Some(mut stored) = stored else {
            return Err(ClinicError::not_found("appointment", c.appointment.id()));
        };
        if stored.contains_key("pending") || version_of(&stored) != Some(expected) {
            return Ok(None);
        }
        if !self.claim(id, expected).await? {
            return Ok(None);
        }
        stored.remove("_id");
        pending.insert("prev", stored.clone());
        d.insert("pending", pending);
        let v = i64::try_from(expected).map_err(|_| config_error(format!("version {expected} is too large")))?;
        let extra = doc! { "version": v, "pending": { "$exists": false } };
        match self.write_if(id, extra, is_settled_at(expected), CondWrite::Replace(d)).await {
            Ok(true) => Ok(Some(Some(stored))),
            Ok(false) => {
                self.release(id, expected).await?;
                Ok(None)
            }
            Err(e) => {
                let _ = self.roll_back(id, token, Some(stored)).await;
                Err(store_error("booking write", e))
            }
        }
    }

    /// Marks the booking write `token` finished. If it took so long that a recovery sweep may roll it back, or
    /// one already did, the booking does not happen: stale.
    async fn finish(
        &self,
        c: &BookingCommit,
        id: &Bson,
        token: Uuid,
        prev: Option<Document>,
        started: std::time::Instant,
    ) -> StoreResult<CommitOutcome> {
        let appts = &self.inner.appointments;
        // Finishing and a sweep's rollback must not overlap: past half the pending timeout, give up instead.
        if started.elapsed().as_millis() as i64 > self.inner.pending_timeout.num_milliseconds() / 2 {
            self.roll_back(id, token, prev).await?;
            return Ok(CommitOutcome::Stale);
        }
        let result = if self.inner.ferretdb {
            // One command: unset by `_id` and look at the document as it was (FerretDB 1.24 has no projection
            // for findAndModify). Only this writer finishes its token, and no sweep can have rolled it back yet (the
            // budget above), so the unset can only have met our own unfinished write.
            appts
                .find_one_and_update(doc! { "_id": id.clone() }, doc! { "$unset": { "pending": "" } })
                .await
                .map(|before| before.is_some_and(|d| is_pending_of(token)(&d)))
        } else {
            let extra = doc! { "pending.token": uuid_bson(token) };
            self.write_if(id, extra, is_pending_of(token), CondWrite::Unset("pending")).await
        };
        if let Ok(true) = result {
            return Ok(CommitOutcome::Committed);
        }
        // Not matched, or no answer: look. Finished means the appointment is there, unmarked, as committed
        // (or changed since); a rollback removes it or restores the older version.
        let committed = |d: &Document| {
            pending_of(d).is_none_or(|p| p.token != token)
                && match version_of(d) {
                    Some(v) if v > c.appointment.version() => true,
                    Some(v) if v == c.appointment.version() => {
                        from_document::<Appointment>(d).is_ok_and(|a| a == c.appointment)
                    }
                    _ => false,
                }
        };
        match (result, appts.find_one(doc! { "_id": id.clone() }).await) {
            (_, Ok(Some(d))) if committed(&d) => Ok(CommitOutcome::Committed),
            (Ok(_), Ok(_)) => Ok(CommitOutcome::Stale),
            (Err(e), _) | (_, Err(e)) => Err(ClinicError::Store {
                message: format!(
                    "MongoDB booking commit: the outcome is unknown (the server stopped answering while the \
                     booking was being finished; if it did not finish it is rolled back within the pending \
                     timeout): {}",
                    store_error("write", e)
                ),
                retryable: false,
            }),
        }
    }

    async fn find_docs(
        &self,
        filter: Document,
        sort: Option<Document>,
        limit: Option<i64>,
    ) -> StoreResult<Vec<Document>> {
        let read = |e| store_error("appointment read", e);
        let mut find = self.inner.appointments.find(filter);
        if let Some(s) = sort {
            find = find.sort(s);
        }
        if let Some(l) = limit {
            find = find.limit(l);
        }
        find.await.map_err(read)?.try_collect().await.map_err(read)
    }

    /// Runs an appointment query so that the answer is safe to check a booking against:
    ///
    /// 1. query; if no document carries an unfinished booking write, the committed states are the answer;
    /// 2. otherwise wait until each of those writes has finished or been rolled back, query again, and answer
    ///    with the committed states — a write that started after step 1 counts as not there (a pending insert
    ///    is absent, a pending reschedule is where it was).
    ///
    /// Why that is enough: the caller read its guard versions before step 1. A write seen in step 1 may have
    /// bumped guards the caller already read, so its outcome must be known — hence the wait. A write not seen
    /// in step 1 wrote its appointment after the caller's guard read, so it bumps its guards after that read
    /// too: if it conflicts with the caller they share a key, and at most one of the two compare-and-sets on it
    /// succeeds. So no rejection is ever caused by a booking that then fails, and no booking is missed that
    /// could commit alongside the caller's.
    async fn settled_rows(
        &self,
        filter: Document,
        sort: Option<Document>,
        limit: Option<i64>,
        f: &AppointmentFilter,
    ) -> StoreResult<Vec<Appointment>> {
        let mut docs = self.find_docs(filter.clone(), sort.clone(), limit).await?;
        let unfinished: Vec<(Bson, Uuid)> =
            docs.iter().filter_map(|d| Some((d.get("_id")?.clone(), pending_of(d)?.token))).collect();
        if !unfinished.is_empty() {
            futures::future::try_join_all(unfinished.iter().map(|(id, t)| self.settle(id, *t))).await?;
            docs = self.find_docs(filter, sort, limit).await?;
        }
        let mut rows = Vec::with_capacity(docs.len());
        for d in &docs {
            if let Some(a) = committed_state(d)? {
                if appointment_matches(&a, f) {
                    rows.push(a);
                }
            }
        }
        Ok(rows)
    }

    /// A listing of one practitioner's, room's or patient's appointments over a range of at most
    /// [`MAX_CHAIN_LISTING_DAYS`] (what every booking decision reads), through the chains of that scope's days
    /// (see "guards"): the ids they name, each appointment read by `_id`, filtered here. `None` for any other
    /// listing, or when a chain predates the ids.
    ///
    /// It answers what `settled_rows` answers: every appointment a chain named when it was read is read and,
    /// if a booking write is under way on it, waited for. An appointment no chain named yet has not taken its
    /// guards yet: its writer bumps them after the caller read its own guard versions, so a conflicting one
    /// meets the caller on a shared key, where only one compare-and-set wins (`settled_rows`' argument).
    async fn list_by_chains(&self, f: &AppointmentFilter) -> StoreResult<Option<Vec<Appointment>>> {
        let (Some(from), Some(to)) = (f.from, f.to) else { return Ok(None) };
        if f.limit.is_some() || f.after.is_some() {
            return Ok(None);
        }
        let scope = match (f.practitioner_id, f.room_id, f.patient_id) {
            (Some(p), _, _) => GuardScope::Practitioner(p),
            (_, Some(r), _) => GuardScope::Room(r),
            (_, _, Some(p)) => GuardScope::Patient(p),
            _ => return Ok(None),
        };
        if to <= from {
            return Ok(Some(Vec::new()));
        }
        let days = slot_days(from, to);
        if days.end() - days.start() >= MAX_CHAIN_LISTING_DAYS {
            return Ok(None);
        }
        let keys: Vec<GuardKey> = days.map(|day| GuardKey { scope, day }).collect();
        let chains = futures::future::try_join_all(keys.iter().map(|k| self.read_chain(k))).await?;
        if chains.iter().any(|c| !c.ids_known) {
            return Ok(None);
        }
        let ids: BTreeSet<&String> = chains.iter().flat_map(|c| c.ids.iter()).collect();
        // Copies are current up to the entries just read (see "copies of appointments").
        let (generation, at) = (self.inner.appointments_generation.load(Ordering::SeqCst), std::time::Instant::now());
        let read = |id: &String| {
            let filter = doc! { "_id": id.as_str() };
            let id = id.clone();
            async move {
                if let Some(d) = self.cached_appointment(&id) {
                    return Ok::<_, ClinicError>(Some(d));
                }
                let d =
                    self.inner.appointments.find_one(filter).await.map_err(|e| store_error("appointment read", e))?;
                if let Some(d) = &d {
                    self.keep_appointment(&id, d, generation, at);
                }
                Ok(d)
            }
        };
        let found = futures::future::try_join_all(ids.iter().map(|id| read(id))).await?;
        let mut docs: Vec<Document> = Vec::with_capacity(found.len());
        for (id, d) in ids.iter().zip(found) {
            match d {
                Some(d) => docs.push(d),
                // Named but not stored: an insert commit not written yet, or one that lost (see "insert commits").
                None => {
                    let origin = match chains.iter().find_map(|c| c.origins.get(*id).cloned()) {
                        Some(o) => Some(o),
                        None => self.find_origin(&keys, &chains, id).await?,
                    };
                    if let Some(origin) = origin {
                        docs.extend(self.resolve_missing(id, &origin).await?);
                    }
                }
            }
        }
        let unfinished: Vec<(Bson, Uuid)> =
            docs.iter().filter_map(|d| Some((d.get("_id")?.clone(), pending_of(d)?.token))).collect();
        if !unfinished.is_empty() {
            futures::future::try_join_all(unfinished.iter().map(|(id, t)| self.settle(id, *t))).await?;
            let again: Vec<Option<Document>> =
                futures::future::try_join_all(unfinished.iter().map(|(id, _)| async move {
                    self.inner
                        .appointments
                        .find_one(doc! { "_id": id.clone() })
                        .await
                        .map_err(|e| store_error("appointment read", e))
                }))
                .await?;
            let settled: BTreeSet<String> =
                unfinished.iter().filter_map(|(id, _)| id.as_str().map(str::to_string)).collect();
            docs.retain(|d| d.get_str("_id").map_or(true, |id| !settled.contains(id)));
            docs.extend(again.into_iter().flatten());
        }
        let mut rows = Vec::with_capacity(docs.len());
        for d in &docs {
            if let Some(a) = committed_state(d)? {
                if appointment_matches(&a, f) {
                    rows.push(a);
                }
            }
        }
        Ok(Some(paginate_appointments(rows, f)))
    }

    /// Waits until booking write `token` on appointment `id` is finished or rolled back (rolling it back itself
    /// once it is older than the pending timeout).
    async fn settle(&self, id: &Bson, token: Uuid) -> StoreResult<()> {
        let filter = doc! { "_id": id.clone() };
        let give_up = tokio::time::Instant::now()
            + self.inner.pending_timeout.to_std().unwrap_or(Duration::from_secs(30))
            + Duration::from_secs(10);
        let mut pause = Duration::from_millis(2);
        loop {
            // By `_id` alone (see `write_if`); the token is checked here.
            let d = self.inner.appointments.find_one(filter.clone()).await.map_err(|e| store_error("read", e))?;
            let Some(d) = d.filter(is_pending_of(token)) else { return Ok(()) };
            let started = match d.get_document("pending").ok().and_then(|p| p.get("at")) {
                Some(Bson::DateTime(t)) => t.timestamp_millis(),
                _ => 0,
            };
            if Utc::now().timestamp_millis() - started > self.inner.pending_timeout.num_milliseconds() {
                if let Some(p) = pending_of(&d) {
                    self.roll_back(id, p.token, p.prev).await?;
                }
                return Ok(());
            }
            if tokio::time::Instant::now() >= give_up {
                return Err(ClinicError::Store {
                    message: "MongoDB: a concurrent booking write did not finish in time".into(),
                    retryable: true,
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }
}

#[async_trait]
impl CatalogStore for MongoStore {
    async fn put_clinic(&self, clinic: &Clinic) -> StoreResult<()> {
        self.put(&self.inner.clinics, clinic).await
    }
    async fn get_clinic(&self, id: ClinicId) -> StoreResult<Option<Clinic>> {
        self.get_cached(collections::CLINICS, &self.inner.clinics, id.as_uuid()).await
    }
    async fn list_clinics(&self) -> StoreResult<Vec<Clinic>> {
        self.list(&self.inner.clinics, doc! {}).await
    }
    async fn put_practitioner(&self, p: &Practitioner) -> StoreResult<()> {
        self.put(&self.inner.practitioners, p).await
    }
    async fn get_practitioner(&self, id: PractitionerId) -> StoreResult<Option<Practitioner>> {
        self.get_cached(collections::PRACTITIONERS, &self.inner.practitioners, id.as_uuid()).await
    }
    async fn list_practitioners(&self, clinic: ClinicId) -> StoreResult<Vec<Practitioner>> {
        self.list_by_clinic(&self.inner.practitioners, clinic).await
    }
    async fn put_room(&self, r: &Room) -> StoreResult<()> {
        self.put(&self.inner.rooms, r).await
    }
    async fn get_room(&self, id: RoomId) -> StoreResult<Option<Room>> {
        self.get_cached(collections::ROOMS, &self.inner.rooms, id.as_uuid()).await
    }
    async fn list_rooms(&self, clinic: ClinicId) -> StoreResult<Vec<Room>> {
        self.list_by_clinic(&self.inner.rooms, clinic).await
    }
    async fn put_appointment_type(&self, t: &AppointmentType) -> StoreResult<()> {
        self.put(&self.inner.types, t).await
    }
    async fn get_appointment_type(&self, id: AppointmentTypeId) -> StoreResult<Option<AppointmentType>> {
        self.get_cached(collections::APPOINTMENT_TYPES, &self.inner.types, id.as_uuid()).await
    }
    async fn list_appointment_types(&self, clinic: ClinicId) -> StoreResult<Vec<AppointmentType>> {
        self.list_by_clinic(&self.inner.types, clinic).await
    }
    async fn put_schedule(&self, s: &Schedule) -> StoreResult<()> {
        self.put(&self.inner.schedules, s).await
    }
    async fn get_schedule(&self, id: ScheduleId) -> StoreResult<Option<Schedule>> {
        self.get(&self.inner.schedules, id.as_uuid()).await
    }
    async fn delete_schedule(&self, id: ScheduleId) -> StoreResult<bool> {
        let r = self.inner.schedules.delete_one(id_filter(id.as_uuid())).await;
        self.bump_token(Class::Catalog).await?;
        Ok(r.map_err(|e| store_error("delete", e))?.deleted_count > 0)
    }
    async fn list_schedules(&self, clinic: ClinicId) -> StoreResult<Vec<Schedule>> {
        self.list_by_clinic(&self.inner.schedules, clinic).await
    }
    /// From this instance's copy of the clinic's schedules while it is current (see `ref_cache`): no read,
    /// where a query would make FerretDB scan every schedule.
    async fn list_resource_schedules(&self, clinic: ClinicId, resource: ResourceRef) -> StoreResult<Vec<Schedule>> {
        let refs = &self.inner.refs;
        refs.validate(&self.inner.cache_tokens).await.map_err(|e| store_error("read", e))?;
        let key = clinic.to_string();
        let mut _one = None;
        let mut cached = refs.get_list(Class::Catalog, collections::SCHEDULES, &key);
        if cached.is_none() {
            // Misses one at a time (see `cached_doc`), looking again once it is our turn.
            _one = Some(refs.miss().await);
            cached = refs.get_list(Class::Catalog, collections::SCHEDULES, &key);
        }
        let docs = match cached {
            Some(docs) => docs,
            None => {
                let (generation, at) = (refs.generation(Class::Catalog), std::time::Instant::now());
                let docs: Vec<Document> = self
                    .inner
                    .schedules
                    .find(doc! { "clinic_id": uuid_bson(clinic.as_uuid()) })
                    .sort(doc! { "_id": 1 })
                    .await
                    .map_err(|e| store_error("read", e))?
                    .try_collect()
                    .await
                    .map_err(|e| store_error("read", e))?;
                refs.put_list(Class::Catalog, collections::SCHEDULES, &key, &docs, generation, at);
                docs
            }
        };
        let all = docs.iter().map(from_document::<Schedule>).collect::<Result<Vec<_>, _>>()?;
        Ok(all.into_iter().filter(|s| s.resource() == resource).collect())
    }
}

impl MongoStore {
    /// The first reason `ps` cannot be inserted, in the order the in-memory store checks: an existing id,
    /// then an MRN taken in the clinic or repeated earlier in the batch. Two queries per 1000 patients.
    async fn first_patient_conflict(&self, ps: &[Patient]) -> StoreResult<Option<ClinicError>> {
        let read = |e| store_error("patient read", e);
        let mut existing_ids = std::collections::HashSet::new();
        let mut taken = std::collections::HashSet::new();
        for chunk in ps.chunks(1000) {
            let ids: Vec<Bson> = chunk.iter().map(|p| id_bson(p.id().as_uuid())).collect();
            let mut cur = self
                .inner
                .patients
                .find(doc! { "_id": { "$in": ids } })
                .projection(doc! { "_id": 1 })
                .await
                .map_err(read)?;
            while let Some(d) = cur.try_next().await.map_err(read)? {
                existing_ids.extend(d.get("_id").and_then(bson_id));
            }
            let mrns: Vec<Bson> =
                chunk.iter().filter_map(|p| p.mrn()).flat_map(|m| self.mrn_keys(m)).map(Bson::String).collect();
            if mrns.is_empty() {
                continue;
            }
            let mut cur = self
                .inner
                .patients
                .find(doc! { "mrn_key": { "$in": mrns } })
                .projection(doc! { "_id": 1, "clinic_id": 1, "mrn_key": 1 })
                .await
                .map_err(read)?;
            while let Some(d) = cur.try_next().await.map_err(read)? {
                let clinic = d.get("clinic_id").and_then(bson_id);
                if let (Some(c), Some(Bson::String(m))) = (clinic, d.get("mrn_key")) {
                    taken.insert((c, m.clone(), d.get("_id").and_then(bson_id)));
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        for p in ps {
            let id = p.id().as_uuid();
            if existing_ids.contains(&id) {
                return Ok(Some(duplicate_patient_id(p)));
            }
            if let Some(m) = p.mrn() {
                let clinic = p.clinic_id().as_uuid();
                let keys = self.mrn_keys(m);
                let by_other = taken.iter().any(|(c, tm, tid)| *c == clinic && keys.contains(tm) && *tid != Some(id));
                if by_other || !seen.insert((p.clinic_id(), m.to_string())) {
                    return Ok(Some(duplicate_mrn(p)));
                }
            }
        }
        Ok(None)
    }
}

#[async_trait]
impl PatientStore for MongoStore {
    async fn insert_patient(&self, p: &Patient) -> StoreResult<()> {
        self.insert_patients(std::slice::from_ref(p)).await
    }

    /// All or nothing without transactions: checked first, then inserted in order; if a concurrent writer takes
    /// an id or MRN in between, the patients this call already inserted are deleted again before it fails.
    /// (Readers may see the first patients of a batch for that moment.)
    async fn insert_patients(&self, ps: &[Patient]) -> StoreResult<()> {
        if ps.is_empty() {
            return Ok(());
        }
        if let Some(e) = self.first_patient_conflict(ps).await? {
            return Err(e);
        }
        let docs = ps.iter().map(|p| patient_document(p, self.protect.as_deref())).collect::<Result<Vec<_>, _>>()?;
        let err = match self.inner.patients.insert_many(docs).ordered(true).await {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        // Ordered: everything before the first failed index went in.
        let failed_at = match err.kind.as_ref() {
            mongodb::error::ErrorKind::InsertMany(m) => {
                m.write_errors.as_ref().and_then(|w| w.iter().map(|w| w.index).min()).unwrap_or(0)
            }
            _ => ps.len(),
        };
        let inserted: Vec<Bson> = ps[..failed_at.min(ps.len())].iter().map(|p| id_bson(p.id().as_uuid())).collect();
        if !inserted.is_empty() {
            self.inner
                .patients
                .delete_many(doc! { "_id": { "$in": inserted } })
                .await
                .map_err(|e| store_error("patient rollback", e))?;
            // A concurrent reader may have copied one of them meanwhile.
            self.bump_token(Class::Patients).await?;
        }
        if is_duplicate_key(&err) {
            let culprit = &ps[failed_at.min(ps.len() - 1)];
            return Err(match self.first_patient_conflict(std::slice::from_ref(culprit)).await? {
                Some(e) => e,
                None => duplicate_mrn(culprit),
            });
        }
        Err(store_error("patient write", err))
    }

    async fn update_patient(&self, p: &Patient) -> StoreResult<()> {
        // Sealed under the newest key, an MRN may still be taken under an older one (a rotation in progress).
        if let (Some(_), Some(m)) = (&self.protect, p.mrn()) {
            let keys: Vec<Bson> = self.mrn_keys(m).into_iter().map(Bson::String).collect();
            let taken = self
                .inner
                .patients
                .find_one(doc! {
                    "clinic_id": uuid_bson(p.clinic_id().as_uuid()),
                    "mrn_key": { "$in": keys },
                    "_id": { "$ne": id_bson(p.id().as_uuid()) },
                })
                .projection(doc! { "_id": 1 })
                .await
                .map_err(|e| store_error("patient read", e))?;
            if taken.is_some() {
                return Err(duplicate_mrn(p));
            }
        }
        let d = patient_document(p, self.protect.as_deref())?;
        let r = self.inner.patients.replace_one(id_filter(p.id().as_uuid()), d).await;
        self.bump_token(Class::Patients).await?;
        match r {
            Ok(r) if r.matched_count == 0 => Err(ClinicError::not_found("patient", p.id())),
            Ok(_) => Ok(()),
            Err(e) if is_duplicate_key(&e) => Err(duplicate_mrn(p)),
            Err(e) => Err(store_error("patient write", e)),
        }
    }

    /// From this instance's copy while it is current (see `ref_cache`).
    async fn get_patient(&self, id: PatientId) -> StoreResult<Option<Patient>> {
        match self.cached_doc(Class::Patients, collections::PATIENTS, &self.inner.patients, id.as_uuid()).await? {
            Some(d) => patient_from_document(self.protect.as_deref(), &d).map(Some),
            None => Ok(None),
        }
    }

    /// Exact-match keys (clinic, MRN, phone, e-mail, date of birth, cursor) are queried on the server; the name
    /// prefix (case-insensitive, Unicode) is applied while reading, in id order, until the limit.
    async fn find_patients(&self, q: &PatientQuery) -> StoreResult<Vec<Patient>> {
        let mut filter = Document::new();
        if let Some(c) = q.clinic_id {
            filter.insert("clinic_id", uuid_bson(c.as_uuid()));
        }
        let exact = [
            (IndexKind::Mrn, "mrn", q.mrn.clone()),
            (IndexKind::Phone, "contact.phone", q.phone.clone()),
            (IndexKind::Email, "contact.email", q.email.clone()),
            (IndexKind::DateOfBirth, "date_of_birth", q.date_of_birth.map(|d| d.format("%Y-%m-%d").to_string())),
        ];
        let mut all = Vec::new();
        for (kind, field, value) in exact {
            let Some(value) = value else { continue };
            let clear = kind.normalize(&value);
            let Some(ring) = &self.protect else {
                filter.insert(field, clear);
                continue;
            };
            // Sealed documents by their blind indexes (under every live key); documents in clear by value, only
            // while some may exist.
            let bidx = match kind {
                IndexKind::Mrn => "mrn_key",
                IndexKind::Phone => "phone_bidx",
                IndexKind::Email => "email_bidx",
                IndexKind::DateOfBirth => "dob_bidx",
            };
            let cands: Vec<Bson> = ring.search_indexes(kind, &value).into_iter().map(Bson::String).collect();
            if self.legacy_patients.load(Ordering::Relaxed) {
                all.push(doc! { "$or": [ { bidx: { "$in": cands } }, { clinic_protect::KID_FIELD: { "$exists": false }, field: clear } ] });
            } else {
                all.push(doc! { bidx: { "$in": cands } });
            }
        }
        if !all.is_empty() {
            filter.insert("$and", all);
        }
        if let Some(a) = q.after {
            filter.insert("_id", doc! { "$gt": id_bson(a.as_uuid()) });
        }
        let mut cursor = self
            .inner
            .patients
            .find(filter)
            .sort(doc! { "_id": 1 })
            .await
            .map_err(|e| store_error("patient read", e))?;
        let mut out = Vec::new();
        while let Some(d) = cursor.try_next().await.map_err(|e| store_error("patient read", e))? {
            if q.limit.is_some_and(|l| out.len() >= l) {
                break;
            }
            let p = patient_from_document(self.protect.as_deref(), &d)?;
            if patient_matches(&p, q) {
                out.push(p);
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl AppointmentStore for MongoStore {
    /// The committed state: while a reschedule is being committed, the appointment as it was; while an insert
    /// is being committed, nothing.
    async fn get_appointment(&self, id: AppointmentId) -> StoreResult<Option<Appointment>> {
        match self.inner.appointments.find_one(id_filter(id.as_uuid())).await.map_err(|e| store_error("read", e))? {
            Some(d) => committed_state(&d),
            None => Ok(None),
        }
    }

    /// Committed appointments only (read-committed), and never one a booking write that was already under way
    /// may still add: see `MongoStore::settled_rows`.
    async fn list_appointments(&self, f: &AppointmentFilter) -> StoreResult<Vec<Appointment>> {
        if let Some(rows) = self.list_by_chains(f).await? {
            return Ok(rows);
        }
        let main = appointment_query(f, "");
        if f.limit.is_none() && f.after.is_none() {
            // Also the documents whose state before an unfinished reschedule matches: if that reschedule is
            // rolled back, they match again.
            let mut held = appointment_query(f, "pending.prev.");
            held.insert("pending.at", pending_exists());
            let q = doc! { "$or": [main, held] };
            let rows = self.settled_rows(q, None, None, f).await?;
            return Ok(paginate_appointments(rows, f));
        }
        // Paginated: the page is read in (slot start, id) order on the server, from the cursor on.
        let mut page = main;
        if let Some(after) = f.after {
            let at = self.get_appointment(after).await?;
            if let Some(a) = at.filter(|a| appointment_matches(a, f)) {
                let s = date_bson(a.slot().start());
                let id = id_bson(a.id().as_uuid());
                page = doc! { "$and": [page, { "$or": [
                    { "slot.start": { "$gt": s.clone() } },
                    { "slot.start": s, "_id": { "$gt": id } },
                ] }] };
            }
        }
        let limit = f.limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
        let rows = self.settled_rows(page, Some(doc! { "slot.start": 1, "_id": 1 }), limit, f).await?;
        Ok(paginate_appointments(rows, &AppointmentFilter { after: None, ..f.clone() }))
    }

    /// Answered from what this instance has read of the chains, without a command: a chain it has not read
    /// is taken to be empty (most chains a booking meets first are new: a patient's day).
    ///
    /// Why that is safe: a snapshot only has to start from a version the guard really had, and the commit's
    /// insert of `<key>#<v+1>` fails if the chain has moved on since — so an out-of-date version costs a retry,
    /// never a double booking. The listing that follows reads what is new on the chain (`list_by_chains`
    /// probes the next entry), so it reflects at least the version returned here; if it finds more, the
    /// commit sees this instance's newer copy and returns `Stale` at once, and the retry starts from the
    /// newer version. A commit that loses an insert reads that chain again, so the retry starts from it.
    async fn guard_versions(&self, keys: &[GuardKey]) -> StoreResult<Vec<u64>> {
        self.maybe_recover().await;
        Ok(keys.iter().map(|k| self.cached_chain(k).map_or(0, |known| known.len)).collect())
    }

    /// Commits a booking without a multi-document transaction.
    ///
    /// 1. **Check**: look up each guard's next chain entry `<key>#<v+1>`; if one exists the guard moved: `Stale` —
    ///    nothing written, nothing bumped.
    /// 2. **Write the appointment first**, marked unfinished (`pending: {token, at}`): an insert (the unique
    ///    `_id` refuses a second one), or for a reschedule a claim of the stored version (see "appointment
    ///    version claims") and a replace that keeps the old document in `pending.prev`.
    /// 3. **Bump the guards**, one compare-and-set per key in sorted key order: insert the key's next chain
    ///    entry `<key>#<v+1>` — the unique `_id` lets exactly one inserter win (see "guards"). If one fails,
    ///    roll back step 2 (delete the insert / restore the old document and release the claim) and return
    ///    `Stale`; guards already bumped stay bumped.
    /// 4. **Finish**: remove the mark — the commit point — and return `Committed`. Alongside, move each guard's
    ///    head hint to its new version (best effort; it only saves later reads a walk).
    ///
    /// Why no double booking: two bookings that conflict share a guard key and both read its version `v` before
    /// checking; only one insert of `<key>#<v+1>` can succeed, so at most one commits with that snapshot. A checker that reads `v + 1` instead read it after the winner's bump, which came after
    /// the winner's appointment was written, so its listing finds that appointment — still marked or finished —
    /// and waits for the mark to resolve before it answers (see `settled_rows`), so its check sees it and
    /// refuses the slot. While a reschedule is unfinished, listings treat it as still in its old slot, so that
    /// slot is never seen free before the move is final and a rollback can always put the appointment back.
    /// Guards only ever grow, so no checker can see an old version again.
    ///
    /// What it costs: a commit lost in step 3 leaves the guards before the lost one bumped once more (concurrent
    /// snapshots of them retry), and listings wait for unfinished writes they meet (milliseconds). A writer that
    /// dies between steps 2 and 4 leaves a marked document; it is rolled back after the pending timeout
    /// ([`MongoStore::recover_pending`], or the next listing that meets it). An acknowledged (finished) booking
    /// is never rolled back.
    async fn commit_booking(&self, c: &BookingCommit) -> StoreResult<CommitOutcome> {
        // The same key twice counts twice, as in the in-memory store.
        let mut guards: BTreeMap<GuardKey, (u64, u64)> = BTreeMap::new();
        for g in &c.guards {
            let e = guards.entry(g.key).or_insert((g.version, 0));
            if e.0 != g.version {
                return Ok(CommitOutcome::Stale);
            }
            e.1 += 1;
        }
        // A guard this instance knows to be past `v` (chains only grow): stale without a command. Otherwise
        // the insert of `<key>#<v+1>` decides.
        if guards.iter().any(|(k, (v, _))| self.cached_chain(k).is_some_and(|known| known.len > *v)) {
            return Ok(CommitOutcome::Stale);
        }
        if c.expected_version.is_none() {
            return self.commit_insert(c, &guards).await;
        }
        let started = std::time::Instant::now();
        let id = id_bson(c.appointment.id().as_uuid());
        let token = Uuid::now_v7();
        let Some(prev) = self.write_pending(c, &id, token).await? else {
            return Ok(CommitOutcome::Stale);
        };
        let named = [c.appointment.id().to_string()];
        let mut taken = self.take_guards(&guards, |_| &named[..], None).await;
        // The listing index: chains of the slot's keys the guards did not cover (none for the use cases').
        for key in index_keys(&c.appointment).iter().filter(|k| !guards.contains_key(k)) {
            if !matches!(taken, Ok(true)) {
                break;
            }
            taken = self.append_to_chain(key, &named).await;
        }
        match taken {
            Ok(true) => {
                let outcome = self.finish(c, &id, token, prev.clone(), started).await?;
                if outcome == CommitOutcome::Committed {
                    match prev.as_ref().map(|p| prev_appointment(&id, p)) {
                        // A reschedule: the chains of the slot it left must announce it too.
                        Some(old) => {
                            let covered: Vec<GuardKey> = guards.keys().copied().collect();
                            self.announce_change(&c.appointment, old.ok().as_ref(), &covered).await;
                        }
                        None => {
                            let d = to_document(&c.appointment)?;
                            let (generation, at) =
                                (self.inner.appointments_generation.load(Ordering::SeqCst), std::time::Instant::now());
                            self.keep_appointment(&c.appointment.id().to_string(), &d, generation, at);
                        }
                    }
                }
                Ok(outcome)
            }
            Ok(false) => {
                self.roll_back(&id, token, prev).await?;
                Ok(CommitOutcome::Stale)
            }
            Err(e) => {
                let _ = self.roll_back(&id, token, prev).await;
                Err(e)
            }
        }
    }

    /// Several bookings as one (an import's atomic mode), without a transaction: `commit_booking`'s steps
    /// widened to the batch, plus a compensating rollback.
    ///
    /// 1. **Check**: every key's version, merged over the batch (one version per key; each occurrence bumps it
    ///    once, as in the other stores); `Stale` if one moved — nothing written.
    /// 2. **Write every appointment first**, each marked unfinished under its own token. One stale or failed
    ///    write rolls back those already written.
    /// 3. **Bump the guards**, one insert-only compare-and-set per key in sorted order. A lost one rolls back
    ///    every appointment of the batch: `Stale`.
    /// 4. **Finish** every appointment (remove its mark), all within the same half-pending-timeout budget a
    ///    single commit has, so no recovery sweep can roll one back meanwhile. If one cannot be finished, the
    ///    rest are rolled back and the finished ones undone (an insert deleted, a replace put back): no caller
    ///    has been told about any of them yet.
    ///
    /// Why no double booking: exactly `commit_booking`'s argument — every appointment is written before the
    /// guards it bumps, and conflicting bookings share a key whose next version only one writer can insert.
    ///
    /// What it cannot promise without transactions: the batch becomes visible one document at a time during
    /// step 4 (milliseconds), so a concurrent check may briefly see part of it — and be refused a slot that a
    /// compensated batch then frees (never the reverse: nothing outside the batch is ever double-booked). A
    /// writer process that dies *during* step 4 leaves the finished part committed and the unfinished part to
    /// the recovery sweep; closing that window needs a batch record consulted by every reader and by the
    /// sweep, which this store does not have yet. Every failure the writer lives through leaves nothing.
    async fn commit_bookings(&self, commits: &[BookingCommit]) -> StoreResult<CommitOutcome> {
        if commits.is_empty() {
            return Ok(CommitOutcome::Committed);
        }
        let mut guards: BTreeMap<GuardKey, (u64, u64)> = BTreeMap::new();
        for g in commits.iter().flat_map(|c| &c.guards) {
            let e = guards.entry(g.key).or_insert((g.version, 0));
            if e.0 != g.version {
                return Ok(CommitOutcome::Stale);
            }
            e.1 += 1;
        }
        let mut ids = std::collections::HashSet::new();
        if !commits.iter().all(|c| ids.insert(c.appointment.id())) {
            return Err(ClinicError::field(ErrorCode::VersionConflict, "id", "one appointment twice in one batch"));
        }
        let keys: Vec<GuardKey> = guards.keys().copied().collect();
        let current = self.read_guards(&keys).await?;
        if keys.iter().zip(&current).any(|(k, v)| guards.get(k).map(|g| g.0) != Some(*v)) {
            return Ok(CommitOutcome::Stale);
        }
        let started = std::time::Instant::now();
        // (commit, id, token, previous document) of every write made so far.
        let mut written: Vec<(&BookingCommit, Bson, Uuid, Option<Document>)> = Vec::with_capacity(commits.len());
        // The appointments each key's new entries name: every commit of the batch that named the key.
        let mut named: BTreeMap<GuardKey, Vec<String>> = BTreeMap::new();
        for c in commits {
            for g in &c.guards {
                named.entry(g.key).or_default().push(c.appointment.id().to_string());
            }
        }
        // The listing index: keys of the appointments' slots that no guard of the batch covers.
        let mut unguarded: BTreeMap<GuardKey, Vec<String>> = BTreeMap::new();
        for c in commits {
            for k in index_keys(&c.appointment).into_iter().filter(|k| !guards.contains_key(k)) {
                unguarded.entry(k).or_default().push(c.appointment.id().to_string());
            }
        }
        let outcome = 'write: {
            for c in commits {
                let id = id_bson(c.appointment.id().as_uuid());
                let token = Uuid::now_v7();
                match self.write_pending(c, &id, token).await {
                    Ok(Some(prev)) => written.push((c, id, token, prev)),
                    Ok(None) => break 'write Ok(CommitOutcome::Stale),
                    Err(e) => break 'write Err(e),
                }
            }
            match self.take_guards(&guards, |key| named.get(key).map(Vec::as_slice).unwrap_or_default(), None).await {
                Ok(true) => {}
                Ok(false) => break 'write Ok(CommitOutcome::Stale),
                Err(e) => break 'write Err(e),
            }
            for (key, ids) in &unguarded {
                match self.append_to_chain(key, ids).await {
                    Ok(true) => {}
                    Ok(false) => break 'write Ok(CommitOutcome::Stale),
                    Err(e) => break 'write Err(e),
                }
            }
            Ok(CommitOutcome::Committed)
        };
        if !matches!(outcome, Ok(CommitOutcome::Committed)) {
            for (_, id, token, prev) in written {
                let _ = self.roll_back(&id, token, prev).await;
            }
            return outcome;
        }
        let mut finished = 0;
        let mut failure: Option<StoreResult<CommitOutcome>> = None;
        for (c, id, token, prev) in &written {
            match self.finish(c, id, *token, prev.clone(), started).await {
                Ok(CommitOutcome::Committed) => finished += 1,
                other => {
                    failure = Some(other);
                    break;
                }
            }
        }
        let Some(failure) = failure else {
            let covered: Vec<GuardKey> = guards.keys().copied().collect();
            for (c, id, _, prev) in &written {
                if let Some(p) = prev {
                    self.announce_change(&c.appointment, prev_appointment(id, p).ok().as_ref(), &covered).await;
                }
            }
            return Ok(CommitOutcome::Committed);
        };
        // Compensate: the unfinished rest is rolled back, the finished part (and the one whose outcome is
        // unknown) undone.
        for (i, (c, id, token, prev)) in written.iter().enumerate() {
            let _ = self.roll_back(id, *token, prev.clone()).await;
            if i <= finished {
                let _ = self.undo_finished(c, id, prev.clone()).await;
            }
        }
        match failure {
            Ok(_) => Ok(CommitOutcome::Stale),
            Err(e) => Err(e),
        }
    }

    /// Compare-and-set on the version: the writer first claims the stored version (see "appointment version
    /// claims"), so two updates of one version never both succeed, on FerretDB too. While a booking write is
    /// unfinished on the appointment, waits (briefly) for it to settle.
    async fn update_appointment(&self, a: &Appointment, expected_version: u64) -> StoreResult<()> {
        let appts = &self.inner.appointments;
        let d = to_document(a)?;
        let id = id_bson(a.id().as_uuid());
        let v = i64::try_from(expected_version)
            .map_err(|_| config_error(format!("version {expected_version} is too large")))?;
        let conflict = |stored: u64| {
            ClinicError::rule(
                ErrorCode::VersionConflict,
                format!("appointment changed (version {stored} is not {expected_version})"),
            )
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let stored = appts.find_one(doc! { "_id": id.clone() }).await.map_err(|e| store_error("read", e))?;
            let Some(stored) = stored else {
                return Err(ClinicError::not_found("appointment", a.id()));
            };
            match pending_of(&stored) {
                Some(Pending { token, .. }) => self.settle(&id, token).await?,
                None => match version_of(&stored) {
                    Some(s) if s != expected_version => return Err(conflict(s)),
                    _ => {
                        if self.claim(&id, expected_version).await? {
                            // Meant for changes that keep the slot; if this one moves it, the chains of the new
                            // slot's keys must name it first (see "guards"), or listings would miss it.
                            let known: Vec<GuardKey> =
                                from_document::<Appointment>(&stored).map(|s| index_keys(&s)).unwrap_or_default();
                            let named = [a.id().to_string()];
                            for key in index_keys(a).iter().filter(|k| !known.contains(k)) {
                                if !self.append_to_chain(key, &named).await? {
                                    self.release(&id, expected_version).await?;
                                    return Err(ClinicError::rule(
                                        ErrorCode::ConcurrentModification,
                                        "the schedule kept changing; nothing was changed, try again",
                                    ));
                                }
                            }
                            let extra = doc! { "version": v, "pending": { "$exists": false } };
                            let settled = is_settled_at(expected_version);
                            let r = self.write_if(&id, extra, settled, CondWrite::Replace(d.clone())).await;
                            match r {
                                Ok(true) => {
                                    let old = from_document::<Appointment>(&stored).ok();
                                    self.announce_change(a, old.as_ref(), &[]).await;
                                    return Ok(());
                                }
                                Ok(false) => self.release(&id, expected_version).await?,
                                Err(e) => {
                                    // Unknown whether it was written: keep the claim (a written version must
                                    // never be replaced twice), report the failure.
                                    return Err(store_error("write", e));
                                }
                            }
                        } else {
                            // Another writer holds this version: it was replaced (conflict) or is being.
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                },
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(ClinicError::rule(
                    ErrorCode::VersionConflict,
                    "appointment is being changed by another writer; read it again and retry",
                ));
            }
        }
    }
}
