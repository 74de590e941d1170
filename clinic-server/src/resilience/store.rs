//! The scheduling store behind a deadline, retries and a circuit breaker (see
//! `clinic_server_infra::resilience`): while the database is down, each call fails at once with a
//! `STORE_UNAVAILABLE` error whose message names the dependency, which the HTTP layer answers as a 503
//! `DEPENDENCY_UNAVAILABLE` problem. Reads and upserts are retried (repeating them is harmless); inserts,
//! bookings and versioned updates are not (a retry after a lost answer could double them or fail spuriously).

use std::sync::Arc;

use async_trait::async_trait;
use clinic_core::ids::{
    AppointmentId, AppointmentTypeId, ClinicId, PatientId, PractitionerId, ResourceRef, RoomId, ScheduleId,
};
use clinic_core::model::{Appointment, AppointmentType, Clinic, Patient, Practitioner, Room, Schedule};
use clinic_core::ports::{
    AppointmentFilter, AppointmentStore, BookingCommit, CatalogStore, CommitOutcome, GuardKey, PatientQuery,
    PatientStore, Store, StoreResult,
};
use clinic_core::ClinicError;
use clinic_server_infra::resilience::{unavailable_message, CallError, Dependency};

/// Forwards to the inner store through the dependency's breaker and policy.
pub struct ResilientStore {
    inner: Arc<dyn Store>,
    dep: Dependency,
}

impl std::fmt::Debug for ResilientStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResilientStore").field("dependency", &self.dep.name()).finish_non_exhaustive()
    }
}

impl ResilientStore {
    pub fn new(inner: Arc<dyn Store>, dep: Dependency) -> Self {
        ResilientStore { inner, dep }
    }
}

/// A driver failure that means "the database is not there" (not an answer such as a duplicate key).
pub fn is_outage(e: &ClinicError) -> bool {
    matches!(e, ClinicError::Store { retryable: true, .. })
}

/// The guarded call's error as the port's error, naming the dependency when it is unavailable.
pub fn store_error(dep: &Dependency, e: CallError<ClinicError>) -> ClinicError {
    let message = match e {
        CallError::Failed(e) if !is_outage(&e) => return e,
        CallError::Failed(e) => unavailable_message(dep.name(), &e.to_string()),
        CallError::Open => unavailable_message(dep.name(), "breaker open"),
        CallError::Timeout(t) => unavailable_message(dep.name(), &format!("no answer within {t:?}")),
    };
    ClinicError::Store { message, retryable: true }
}

macro_rules! guarded {
    ($self:ident, $repeatable:expr, $call:expr) => {{
        $self.dep.call($repeatable, || $call, is_outage).await.map_err(|e| store_error(&$self.dep, e))
    }};
}

#[async_trait]
impl CatalogStore for ResilientStore {
    async fn put_clinic(&self, clinic: &Clinic) -> StoreResult<()> {
        guarded!(self, true, self.inner.put_clinic(clinic))
    }
    async fn get_clinic(&self, id: ClinicId) -> StoreResult<Option<Clinic>> {
        guarded!(self, true, self.inner.get_clinic(id))
    }
    async fn list_clinics(&self) -> StoreResult<Vec<Clinic>> {
        guarded!(self, true, self.inner.list_clinics())
    }
    async fn put_practitioner(&self, p: &Practitioner) -> StoreResult<()> {
        guarded!(self, true, self.inner.put_practitioner(p))
    }
    async fn get_practitioner(&self, id: PractitionerId) -> StoreResult<Option<Practitioner>> {
        guarded!(self, true, self.inner.get_practitioner(id))
    }
    async fn list_practitioners(&self, clinic: ClinicId) -> StoreResult<Vec<Practitioner>> {
        guarded!(self, true, self.inner.list_practitioners(clinic))
    }
    async fn put_room(&self, r: &Room) -> StoreResult<()> {
        guarded!(self, true, self.inner.put_room(r))
    }
    async fn get_room(&self, id: RoomId) -> StoreResult<Option<Room>> {
        guarded!(self, true, self.inner.get_room(id))
    }
    async fn list_rooms(&self, clinic: ClinicId) -> StoreResult<Vec<Room>> {
        guarded!(self, true, self.inner.list_rooms(clinic))
    }
    async fn put_appointment_type(&self, t: &AppointmentType) -> StoreResult<()> {
        guarded!(self, true, self.inner.put_appointment_type(t))
    }
    async fn get_appointment_type(&self, id: AppointmentTypeId) -> StoreResult<Option<AppointmentType>> {
        guarded!(self, true, self.inner.get_appointment_type(id))
    }
    async fn list_appointment_types(&self, clinic: ClinicId) -> StoreResult<Vec<AppointmentType>> {
        guarded!(self, true, self.inner.list_appointment_types(clinic))
    }
    async fn put_schedule(&self, s: &Schedule) -> StoreResult<()> {
        guarded!(self, true, self.inner.put_schedule(s))
    }
    async fn get_schedule(&self, id: ScheduleId) -> StoreResult<Option<Schedule>> {
        guarded!(self, true, self.inner.get_schedule(id))
    }
    async fn delete_schedule(&self, id: ScheduleId) -> StoreResult<bool> {
        guarded!(self, false, self.inner.delete_schedule(id))
    }
    async fn list_schedules(&self, clinic: ClinicId) -> StoreResult<Vec<Schedule>> {
        guarded!(self, true, self.inner.list_schedules(clinic))
    }
    async fn list_resource_schedules(&self, clinic: ClinicId, resource: ResourceRef) -> StoreResult<Vec<Schedule>> {
        guarded!(self, true, self.inner.list_resource_schedules(clinic, resource))
    }
}

#[async_trait]
impl PatientStore for ResilientStore {
    async fn insert_patient(&self, p: &Patient) -> StoreResult<()> {
        guarded!(self, false, self.inner.insert_patient(p))
    }
    async fn insert_patients(&self, ps: &[Patient]) -> StoreResult<()> {
        guarded!(self, false, self.inner.insert_patients(ps))
    }
    async fn update_patient(&self, p: &Patient) -> StoreResult<()> {
        guarded!(self, false, self.inner.update_patient(p))
    }
    async fn get_patient(&self, id: PatientId) -> StoreResult<Option<Patient>> {
        guarded!(self, true, self.inner.get_patient(id))
    }
    async fn find_patients(&self, q: &PatientQuery) -> StoreResult<Vec<Patient>> {
        guarded!(self, true, self.inner.find_patients(q))
    }
}

#[async_trait]
impl AppointmentStore for ResilientStore {
    async fn get_appointment(&self, id: AppointmentId) -> StoreResult<Option<Appointment>> {
        guarded!(self, true, self.inner.get_appointment(id))
    }
    async fn list_appointments(&self, f: &AppointmentFilter) -> StoreResult<Vec<Appointment>> {
        guarded!(self, true, self.inner.list_appointments(f))
    }
    async fn guard_versions(&self, keys: &[GuardKey]) -> StoreResult<Vec<u64>> {
        guarded!(self, true, self.inner.guard_versions(keys))
    }
    async fn commit_booking(&self, c: &BookingCommit) -> StoreResult<CommitOutcome> {
        guarded!(self, false, self.inner.commit_booking(c))
    }
    async fn commit_bookings(&self, commits: &[BookingCommit]) -> StoreResult<CommitOutcome> {
        guarded!(self, false, self.inner.commit_bookings(commits))
    }
    async fn update_appointment(&self, a: &Appointment, expected_version: u64) -> StoreResult<()> {
        guarded!(self, false, self.inner.update_appointment(a, expected_version))
    }
}
