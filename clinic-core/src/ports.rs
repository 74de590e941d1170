//! Store ports: the async repository traits every store (in-memory, SQLite, MongoDB) implements, and the
//! clock port. The use cases depend on these only.
//!
//! ## Atomicity without transactions
//! A booking is checked against a snapshot and committed only if the snapshot is unchanged. The snapshot's
//! identity is a set of [`GuardKey`] versions — one per resource-day and patient-day the booking touches
//! (UTC days of the effective interval for resources, of the bare slot for the patient). Two bookings that
//! could conflict overlap in time, so they share at least one guard key; both read it before checking and
//! bump it on commit, so the second commit sees a changed version and is refused as stale, and the use case
//! re-checks against fresh data. A store may implement [`AppointmentStore::commit_booking`] with a
//! transaction, a compare-and-set per key, or anything equivalent — the conformance kit's races decide.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ClinicError;
use crate::ids::{
    AppointmentId, AppointmentTypeId, ClinicId, PatientId, PractitionerId, ResourceRef, RoomId, ScheduleId,
};
use crate::model::{Appointment, AppointmentStatus, AppointmentType, Clinic, Patient, Practitioner, Room, Schedule};

pub type StoreResult<T> = Result<T, ClinicError>;

/// What the current time is (a port so tests, vectors and replays control it).
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that says what it is told.
#[derive(Debug)]
pub struct FixedClock(std::sync::Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        FixedClock(std::sync::Mutex::new(at))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut g) = self.0.lock() {
            *g = at;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().map(|g| *g).unwrap_or_else(|_| Utc::now())
    }
}

/// Whose occupancy a guard protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum GuardScope {
    Practitioner(PractitionerId),
    Room(RoomId),
    Patient(PatientId),
}

/// One optimistic-concurrency key: a scope on one UTC day (days since the Unix epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GuardKey {
    pub scope: GuardScope,
    pub day: i64,
}

impl GuardKey {
    /// A stable text form for stores that key documents by string (`practitioner:<uuid>:20513`).
    pub fn as_text(&self) -> String {
        match self.scope {
            GuardScope::Practitioner(id) => format!("practitioner:{id}:{}", self.day),
            GuardScope::Room(id) => format!("room:{id}:{}", self.day),
            GuardScope::Patient(id) => format!("patient:{id}:{}", self.day),
        }
    }
}

/// A guard key with the version the snapshot saw (0 = never written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guard {
    pub key: GuardKey,
    pub version: u64,
}

/// One atomic booking write: insert `appointment` (when `expected_version` is `None`) or replace the stored
/// appointment whose version is `expected_version` — only if every guard still has its version; then every
/// guard's version is incremented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingCommit {
    pub guards: Vec<Guard>,
    pub appointment: Appointment,
    pub expected_version: Option<u64>,
}

/// The result of a [`BookingCommit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitOutcome {
    Committed,
    /// A guard changed since the snapshot (or the appointment's version did): re-check and retry.
    Stale,
}

/// Filters for listing appointments. Ranges select appointments whose slot overlaps `[from, to)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentFilter {
    pub clinic_id: Option<ClinicId>,
    pub practitioner_id: Option<PractitionerId>,
    pub room_id: Option<RoomId>,
    pub patient_id: Option<PatientId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Empty = every status.
    #[serde(default)]
    pub statuses: Vec<AppointmentStatus>,
    /// Results after this id in (slot start, id) order — cursor pagination.
    pub after: Option<AppointmentId>,
    pub limit: Option<usize>,
}

/// Patient search: any combination; name matching is a case-insensitive prefix of given or family name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientQuery {
    pub clinic_id: Option<ClinicId>,
    pub name_prefix: Option<String>,
    pub mrn: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    /// Results after this id, in id order — cursor pagination.
    pub after: Option<PatientId>,
    pub limit: Option<usize>,
}

/// Clinics, resources, types and schedules.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    async fn put_clinic(&self, clinic: &Clinic) -> StoreResult<()>;
    async fn get_clinic(&self, id: ClinicId) -> StoreResult<Option<Clinic>>;
    async fn list_clinics(&self) -> StoreResult<Vec<Clinic>>;
    async fn put_practitioner(&self, p: &Practitioner) -> StoreResult<()>;
    async fn get_practitioner(&self, id: PractitionerId) -> StoreResult<Option<Practitioner>>;
    async fn list_practitioners(&self, clinic: ClinicId) -> StoreResult<Vec<Practitioner>>;
    async fn put_room(&self, r: &Room) -> StoreResult<()>;
    async fn get_room(&self, id: RoomId) -> StoreResult<Option<Room>>;
    async fn list_rooms(&self, clinic: ClinicId) -> StoreResult<Vec<Room>>;
    async fn put_appointment_type(&self, t: &AppointmentType) -> StoreResult<()>;
    async fn get_appointment_type(&self, id: AppointmentTypeId) -> StoreResult<Option<AppointmentType>>;
    async fn list_appointment_types(&self, clinic: ClinicId) -> StoreResult<Vec<AppointmentType>>;
    async fn put_schedule(&self, s: &Schedule) -> StoreResult<()>;
    async fn get_schedule(&self, id: ScheduleId) -> StoreResult<Option<Schedule>>;
    async fn delete_schedule(&self, id: ScheduleId) -> StoreResult<bool>;
    async fn list_schedules(&self, clinic: ClinicId) -> StoreResult<Vec<Schedule>>;
    /// The clinic's schedules of one resource (what a booking decision reads). The default filters
    /// [`list_schedules`](Self::list_schedules); a store may query just those.
    async fn list_resource_schedules(&self, clinic: ClinicId, resource: ResourceRef) -> StoreResult<Vec<Schedule>> {
        Ok(self.list_schedules(clinic).await?.into_iter().filter(|s| s.resource() == resource).collect())
    }
}

/// Patients. MRN is unique per clinic: inserting or updating to a taken MRN fails with `DUPLICATE_MRN`.
#[async_trait]
pub trait PatientStore: Send + Sync {
    async fn insert_patient(&self, p: &Patient) -> StoreResult<()>;
    /// Atomically inserts all or none (import's atomic mode). Fails with `DUPLICATE_MRN` naming the MRN.
    async fn insert_patients(&self, ps: &[Patient]) -> StoreResult<()>;
    async fn update_patient(&self, p: &Patient) -> StoreResult<()>;
    async fn get_patient(&self, id: PatientId) -> StoreResult<Option<Patient>>;
    async fn find_patients(&self, q: &PatientQuery) -> StoreResult<Vec<Patient>>;
}

/// Appointments and the booking guards.
#[async_trait]
pub trait AppointmentStore: Send + Sync {
    async fn get_appointment(&self, id: AppointmentId) -> StoreResult<Option<Appointment>>;
    /// Sorted by (slot start, id).
    async fn list_appointments(&self, f: &AppointmentFilter) -> StoreResult<Vec<Appointment>>;
    /// Current versions of the keys, in the order given (0 for a key never written).
    async fn guard_versions(&self, keys: &[GuardKey]) -> StoreResult<Vec<u64>>;
    /// See [`BookingCommit`].
    async fn commit_booking(&self, c: &BookingCommit) -> StoreResult<CommitOutcome>;
    /// Several bookings as one: committed only if every guard of every commit still has its version (a key
    /// named by several commits must carry the same version in each) and every replaced appointment still
    /// has its expected version; then all appointments are written and each guard occurrence bumps its key.
    /// Otherwise `Stale` (or an error), and none of them is written. An import's atomic mode rests on it: a
    /// file of bookings lands whole or not at all. An empty batch commits nothing and is `Committed`.
    async fn commit_bookings(&self, commits: &[BookingCommit]) -> StoreResult<CommitOutcome>;
    /// Replaces an appointment if its stored version is `expected_version` (changes that free, never take,
    /// time: status changes, notes). `VERSION_CONFLICT` otherwise.
    async fn update_appointment(&self, a: &Appointment, expected_version: u64) -> StoreResult<()>;
}

/// Everything a use case needs.
pub trait Store: CatalogStore + PatientStore + AppointmentStore {}
impl<T: CatalogStore + PatientStore + AppointmentStore> Store for T {}
