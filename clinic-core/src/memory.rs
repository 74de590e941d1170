//! `InMemoryStore`: every store port over one mutex-protected state. The reference implementation the
//! conformance kit is first proven on, and the store of the WASM build and of quick embeddings.

use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use crate::error::{ClinicError, ErrorCode};
use crate::ids::{AppointmentId, AppointmentTypeId, ClinicId, PatientId, PractitionerId, RoomId, ScheduleId};
use crate::model::{Appointment, AppointmentType, Clinic, Patient, Practitioner, Room, Schedule};
use crate::ports::*;

#[derive(Debug, Default)]
struct State {
    clinics: BTreeMap<ClinicId, Clinic>,
    practitioners: BTreeMap<PractitionerId, Practitioner>,
    rooms: BTreeMap<RoomId, Room>,
    types: BTreeMap<AppointmentTypeId, AppointmentType>,
    schedules: BTreeMap<ScheduleId, Schedule>,
    patients: BTreeMap<PatientId, Patient>,
    appointments: BTreeMap<AppointmentId, Appointment>,
    guards: HashMap<GuardKey, u64>,
}

#[derive(Debug, Default)]
pub struct InMemoryStore {
    state: Mutex<State>,
}

impl InMemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>, ClinicError> {
        self.state.lock().map_err(|_| ClinicError::Store { message: "store state poisoned".into(), retryable: false })
    }
}

fn mrn_taken(s: &State, p: &Patient) -> bool {
    match p.mrn() {
        Some(m) => {
            s.patients.values().any(|o| o.id() != p.id() && o.clinic_id() == p.clinic_id() && o.mrn() == Some(m))
        }
        None => false,
    }
}

fn duplicate_mrn(p: &Patient) -> ClinicError {
    ClinicError::field(ErrorCode::DuplicateMrn, "mrn", format!("MRN {} is already registered", p.mrn().unwrap_or("")))
}

/// The in-memory matching rules of [`PatientQuery`], shared with stores that filter in process.
pub fn patient_matches(p: &Patient, q: &PatientQuery) -> bool {
    let prefix_ok = q.name_prefix.as_deref().map(str::trim).filter(|s| !s.is_empty()).is_none_or(|pre| {
        let pre = pre.to_lowercase();
        p.given_name().to_lowercase().starts_with(&pre)
            || p.family_name().to_lowercase().starts_with(&pre)
            || format!("{} {}", p.given_name(), p.family_name()).to_lowercase().starts_with(&pre)
    });
    q.clinic_id.is_none_or(|c| c == p.clinic_id())
        && prefix_ok
        && q.mrn.as_deref().is_none_or(|m| p.mrn() == Some(m.trim()))
        && q.phone.as_deref().is_none_or(|ph| p.contact().phone() == Some(ph))
        && q.email.as_deref().is_none_or(|e| p.contact().email().map(str::to_string) == Some(e.trim().to_lowercase()))
        && q.date_of_birth.is_none_or(|d| p.date_of_birth() == Some(d))
        && q.after.is_none_or(|a| p.id() > a)
}

/// The in-memory matching rules of [`AppointmentFilter`] (without cursor and limit).
pub fn appointment_matches(a: &Appointment, f: &AppointmentFilter) -> bool {
    f.clinic_id.is_none_or(|c| c == a.clinic_id())
        && f.practitioner_id.is_none_or(|p| p == a.practitioner_id())
        && f.room_id.is_none_or(|r| Some(r) == a.room_id())
        && f.patient_id.is_none_or(|p| p == a.patient_id())
        && f.from.is_none_or(|from| a.slot().end() > from)
        && f.to.is_none_or(|to| a.slot().start() < to)
        && (f.statuses.is_empty() || f.statuses.contains(&a.status()))
}

/// Sorts by (start, id), applies the cursor and the limit.
pub fn paginate_appointments(mut v: Vec<Appointment>, f: &AppointmentFilter) -> Vec<Appointment> {
    v.sort_by_key(|a| (a.slot().start(), a.id()));
    if let Some(after) = f.after {
        if let Some(pos) = v.iter().position(|a| a.id() == after) {
            v.drain(..=pos);
        }
    }
    if let Some(l) = f.limit {
        v.truncate(l);
    }
    v
}

#[async_trait]
impl CatalogStore for InMemoryStore {
    async fn put_clinic(&self, c: &Clinic) -> StoreResult<()> {
        self.lock()?.clinics.insert(c.id(), c.clone());
        Ok(())
    }
    async fn get_clinic(&self, id: ClinicId) -> StoreResult<Option<Clinic>> {
        Ok(self.lock()?.clinics.get(&id).cloned())
    }
    async fn list_clinics(&self) -> StoreResult<Vec<Clinic>> {
        Ok(self.lock()?.clinics.values().cloned().collect())
    }
    async fn put_practitioner(&self, p: &Practitioner) -> StoreResult<()> {
        self.lock()?.practitioners.insert(p.id(), p.clone());
        Ok(())
    }
    async fn get_practitioner(&self, id: PractitionerId) -> StoreResult<Option<Practitioner>> {
        Ok(self.lock()?.practitioners.get(&id).cloned())
    }
    async fn list_practitioners(&self, clinic: ClinicId) -> StoreResult<Vec<Practitioner>> {
        Ok(self.lock()?.practitioners.values().filter(|p| p.clinic_id() == clinic).cloned().collect())
    }
    async fn put_room(&self, r: &Room) -> StoreResult<()> {
        self.lock()?.rooms.insert(r.id(), r.clone());
        Ok(())
    }
    async fn get_room(&self, id: RoomId) -> StoreResult<Option<Room>> {
        Ok(self.lock()?.rooms.get(&id).cloned())
    }
    async fn list_rooms(&self, clinic: ClinicId) -> StoreResult<Vec<Room>> {
        Ok(self.lock()?.rooms.values().filter(|r| r.clinic_id() == clinic).cloned().collect())
    }
    async fn put_appointment_type(&self, t: &AppointmentType) -> StoreResult<()> {
        self.lock()?.types.insert(t.id(), t.clone());
        Ok(())
    }
    async fn get_appointment_type(&self, id: AppointmentTypeId) -> StoreResult<Option<AppointmentType>> {
        Ok(self.lock()?.types.get(&id).cloned())
    }
    async fn list_appointment_types(&self, clinic: ClinicId) -> StoreResult<Vec<AppointmentType>> {
        Ok(self.lock()?.types.values().filter(|t| t.clinic_id() == clinic).cloned().collect())
    }
    async fn put_schedule(&self, s: &Schedule) -> StoreResult<()> {
        self.lock()?.schedules.insert(s.id(), s.clone());
        Ok(())
    }
    async fn get_schedule(&self, id: ScheduleId) -> StoreResult<Option<Schedule>> {
        Ok(self.lock()?.schedules.get(&id).cloned())
    }
    async fn delete_schedule(&self, id: ScheduleId) -> StoreResult<bool> {
        Ok(self.lock()?.schedules.remove(&id).is_some())
    }
    async fn list_schedules(&self, clinic: ClinicId) -> StoreResult<Vec<Schedule>> {
        Ok(self.lock()?.schedules.values().filter(|s| s.clinic_id() == clinic).cloned().collect())
    }
}

#[async_trait]
impl PatientStore for InMemoryStore {
    async fn insert_patient(&self, p: &Patient) -> StoreResult<()> {
        self.insert_patients(std::slice::from_ref(p)).await
    }
    async fn insert_patients(&self, ps: &[Patient]) -> StoreResult<()> {
        let mut s = self.lock()?;
        let mut seen = std::collections::HashSet::new();
        for p in ps {
            if s.patients.contains_key(&p.id()) {
                return Err(ClinicError::field(
                    ErrorCode::DuplicateMrn,
                    "id",
                    format!("patient {} already exists", p.id()),
                ));
            }
            if mrn_taken(&s, p) || p.mrn().is_some_and(|m| !seen.insert((p.clinic_id(), m.to_string()))) {
                return Err(duplicate_mrn(p));
            }
        }
        for p in ps {
            s.patients.insert(p.id(), p.clone());
        }
        Ok(())
    }
    async fn update_patient(&self, p: &Patient) -> StoreResult<()> {
        let mut s = self.lock()?;
        if !s.patients.contains_key(&p.id()) {
            return Err(ClinicError::not_found("patient", p.id()));
        }
        if mrn_taken(&s, p) {
            return Err(duplicate_mrn(p));
        }
        s.patients.insert(p.id(), p.clone());
        Ok(())
    }
    async fn get_patient(&self, id: PatientId) -> StoreResult<Option<Patient>> {
        Ok(self.lock()?.patients.get(&id).cloned())
    }
    async fn find_patients(&self, q: &PatientQuery) -> StoreResult<Vec<Patient>> {
        let s = self.lock()?;
        let it = s.patients.values().filter(|p| patient_matches(p, q)).cloned();
        Ok(match q.limit {
            Some(l) => it.take(l).collect(),
            None => it.collect(),
        })
    }
}

#[async_trait]
impl AppointmentStore for InMemoryStore {
    async fn get_appointment(&self, id: AppointmentId) -> StoreResult<Option<Appointment>> {
        Ok(self.lock()?.appointments.get(&id).cloned())
    }
    async fn list_appointments(&self, f: &AppointmentFilter) -> StoreResult<Vec<Appointment>> {
        let s = self.lock()?;
        let v = s.appointments.values().filter(|a| appointment_matches(a, f)).cloned().collect();
        Ok(paginate_appointments(v, f))
    }
    async fn guard_versions(&self, keys: &[GuardKey]) -> StoreResult<Vec<u64>> {
        let s = self.lock()?;
        Ok(keys.iter().map(|k| s.guards.get(k).copied().unwrap_or(0)).collect())
    }
    /// A one-booking batch: the same checks and writes under the same lock.
    async fn commit_booking(&self, c: &BookingCommit) -> StoreResult<CommitOutcome> {
        self.commit_bookings(std::slice::from_ref(c)).await
    }
    async fn commit_bookings(&self, commits: &[BookingCommit]) -> StoreResult<CommitOutcome> {
        let mut s = self.lock()?;
        let mut seen_versions: HashMap<GuardKey, u64> = HashMap::new();
        let mut ids = std::collections::HashSet::new();
        for c in commits {
            for g in &c.guards {
                if *seen_versions.entry(g.key).or_insert(g.version) != g.version
                    || s.guards.get(&g.key).copied().unwrap_or(0) != g.version
                {
                    return Ok(CommitOutcome::Stale);
                }
            }
            let id = c.appointment.id();
            if !ids.insert(id) {
                return Err(ClinicError::field(
                    ErrorCode::VersionConflict,
                    "id",
                    format!("appointment {id} twice in one batch"),
                ));
            }
            match (c.expected_version, s.appointments.get(&id)) {
                (None, Some(_)) => {
                    return Err(ClinicError::field(
                        ErrorCode::VersionConflict,
                        "id",
                        format!("appointment {id} already exists"),
                    ))
                }
                (Some(_), None) => return Err(ClinicError::not_found("appointment", id)),
                (Some(v), Some(stored)) if stored.version() != v => return Ok(CommitOutcome::Stale),
                _ => {}
            }
        }
        for c in commits {
            for g in &c.guards {
                *s.guards.entry(g.key).or_insert(0) += 1;
            }
            s.appointments.insert(c.appointment.id(), c.appointment.clone());
        }
        Ok(CommitOutcome::Committed)
    }
    async fn update_appointment(&self, a: &Appointment, expected_version: u64) -> StoreResult<()> {
        let mut s = self.lock()?;
        match s.appointments.get(&a.id()) {
            None => Err(ClinicError::not_found("appointment", a.id())),
            Some(stored) if stored.version() != expected_version => Err(ClinicError::rule(
                ErrorCode::VersionConflict,
                format!("appointment changed (version {} is not {expected_version})", stored.version()),
            )),
            Some(_) => {
                s.appointments.insert(a.id(), a.clone());
                Ok(())
            }
        }
    }
}
