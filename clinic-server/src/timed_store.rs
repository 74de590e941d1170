//! A store decorator that times every port call into the metrics, so store latency is visible per
//! operation whatever the backend (SQLite or MongoDB) without touching the store crates.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use clinic_core::ids::{
    AppointmentId, AppointmentTypeId, ClinicId, PatientId, PractitionerId, ResourceRef, RoomId, ScheduleId,
};
use clinic_core::model::{Appointment, AppointmentType, Clinic, Patient, Practitioner, Room, Schedule};
use clinic_core::ports::{
    AppointmentFilter, AppointmentStore, BookingCommit, CatalogStore, CommitOutcome, GuardKey, PatientQuery,
    PatientStore, Store, StoreResult,
};

use crate::metrics::Metrics;

/// Forwards to the inner store and records each call's latency and outcome.
pub struct TimedStore {
    inner: Arc<dyn Store>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for TimedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimedStore").finish_non_exhaustive()
    }
}

impl TimedStore {
    pub fn new(inner: Arc<dyn Store>, metrics: Arc<Metrics>) -> Self {
        TimedStore { inner, metrics }
    }
}

macro_rules! timed {
    ($self:ident, $op:literal, $call:expr) => {{
        let started = Instant::now();
        let r = $call.await;
        $self.metrics.observe_store($op, r.is_ok(), started.elapsed().as_secs_f64());
        r
    }};
}

#[async_trait]
impl CatalogStore for TimedStore {
    async fn put_clinic(&self, clinic: &Clinic) -> StoreResult<()> {
        timed!(self, "put_clinic", self.inner.put_clinic(clinic))
    }
    async fn get_clinic(&self, id: ClinicId) -> StoreResult<Option<Clinic>> {
        timed!(self, "get_clinic", self.inner.get_clinic(id))
    }
    async fn list_clinics(&self) -> StoreResult<Vec<Clinic>> {
        timed!(self, "list_clinics", self.inner.list_clinics())
    }
    async fn put_practitioner(&self, p: &Practitioner) -> StoreResult<()> {
        timed!(self, "put_practitioner", self.inner.put_practitioner(p))
    }
    async fn get_practitioner(&self, id: PractitionerId) -> StoreResult<Option<Practitioner>> {
        timed!(self, "get_practitioner", self.inner.get_practitioner(id))
    }
    async fn list_practitioners(&self, clinic: ClinicId) -> StoreResult<Vec<Practitioner>> {
        timed!(self, "list_practitioners", self.inner.list_practitioners(clinic))
    }
    async fn put_room(&self, r: &Room) -> StoreResult<()> {
        timed!(self, "put_room", self.inner.put_room(r))
    }
    async fn get_room(&self, id: RoomId) -> StoreResult<Option<Room>> {
        timed!(self, "get_room", self.inner.get_room(id))
    }
    async fn list_rooms(&self, clinic: ClinicId) -> StoreResult<Vec<Room>> {
        timed!(self, "list_rooms", self.inner.list_rooms(clinic))
    }
    async fn put_appointment_type(&self, t: &AppointmentType) -> StoreResult<()> {
        timed!(self, "put_appointment_type", self.inner.put_appointment_type(t))
    }
    async fn get_appointment_type(&self, id: AppointmentTypeId) -> StoreResult<Option<AppointmentType>> {
        timed!(self, "get_appointment_type", self.inner.get_appointment_type(id))
    }
    async fn list_appointment_types(&self, clinic: ClinicId) -> StoreResult<Vec<AppointmentType>> {
        timed!(self, "list_appointment_types", self.inner.list_appointment_types(clinic))
    }
    async fn put_schedule(&self, s: &Schedule) -> StoreResult<()> {
        timed!(self, "put_schedule", self.inner.put_schedule(s))
    }
    async fn get_schedule(&self, id: ScheduleId) -> StoreResult<Option<Schedule>> {
        timed!(self, "get_schedule", self.inner.get_schedule(id))
    }
    async fn delete_schedule(&self, id: ScheduleId) -> StoreResult<bool> {
        timed!(self, "delete_schedule", self.inner.delete_schedule(id))
    }
    async fn list_schedules(&self, clinic: ClinicId) -> StoreResult<Vec<Schedule>> {
        timed!(self, "list_schedules", self.inner.list_schedules(clinic))
    }
    async fn list_resource_schedules(&self, clinic: ClinicId, resource: ResourceRef) -> StoreResult<Vec<Schedule>> {
        timed!(self, "list_resource_schedules", self.inner.list_resource_schedules(clinic, resource))
    }
}

#[async_trait]
impl PatientStore for TimedStore {
    async fn insert_patient(&self, p: &Patient) -> StoreResult<()> {
        timed!(self, "insert_patient", self.inner.insert_patient(p))
    }
    async fn insert_patients(&self, ps: &[Patient]) -> StoreResult<()> {
        timed!(self, "insert_patients", self.inner.insert_patients(ps))
    }
    async fn update_patient(&self, p: &Patient) -> StoreResult<()> {
        timed!(self, "update_patient", self.inner.update_patient(p))
    }
    async fn get_patient(&self, id: PatientId) -> StoreResult<Option<Patient>> {
        timed!(self, "get_patient", self.inner.get_patient(id))
    }
    async fn find_patients(&self, q: &PatientQuery) -> StoreResult<Vec<Patient>> {
        timed!(self, "find_patients", self.inner.find_patients(q))
    }
}

#[async_trait]
impl AppointmentStore for TimedStore {
    async fn get_appointment(&self, id: AppointmentId) -> StoreResult<Option<Appointment>> {
        timed!(self, "get_appointment", self.inner.get_appointment(id))
    }
    async fn list_appointments(&self, f: &AppointmentFilter) -> StoreResult<Vec<Appointment>> {
        timed!(self, "list_appointments", self.inner.list_appointments(f))
    }
    async fn guard_versions(&self, keys: &[GuardKey]) -> StoreResult<Vec<u64>> {
        timed!(self, "guard_versions", self.inner.guard_versions(keys))
    }
    async fn commit_booking(&self, c: &BookingCommit) -> StoreResult<CommitOutcome> {
        timed!(self, "commit_booking", self.inner.commit_booking(c))
    }
    async fn commit_bookings(&self, commits: &[BookingCommit]) -> StoreResult<CommitOutcome> {
        timed!(self, "commit_bookings", self.inner.commit_bookings(commits))
    }
    async fn update_appointment(&self, a: &Appointment, expected_version: u64) -> StoreResult<()> {
        timed!(self, "update_appointment", self.inner.update_appointment(a, expected_version))
    }
}
