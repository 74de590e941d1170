//! `Calendar`: the read model the rules run on — one clinic's resources, types, schedules and the
//! occupancy of its active appointments, indexed per resource and per patient.
//!
//! Use cases build one from a store snapshot for each decision; benchmarks and the bindings build one
//! from in-memory data. Appointments are not kept whole: only their occupied intervals.

use std::collections::HashMap;

use crate::error::{ClinicError, ErrorCode};
use crate::ids::{AppointmentId, AppointmentTypeId, PatientId, PractitionerId, ResourceRef, RoomId};
use crate::model::{Appointment, AppointmentType, Clinic, Practitioner, Room, Schedule};

use super::busy::{BusyEntry, BusyIndex};

#[derive(Debug, Clone)]
pub struct Calendar {
    pub(crate) clinic: Clinic,
    pub(crate) practitioners: HashMap<PractitionerId, Practitioner>,
    pub(crate) rooms: HashMap<RoomId, Room>,
    pub(crate) types: HashMap<AppointmentTypeId, AppointmentType>,
    pub(crate) schedules: HashMap<ResourceRef, Vec<Schedule>>,
    pub(crate) resources: HashMap<ResourceRef, BusyIndex>,
    pub(crate) patients: HashMap<PatientId, BusyIndex>,
}

fn mismatch(what: &str) -> ClinicError {
    ClinicError::field(ErrorCode::ClinicMismatch, "clinic_id", format!("{what} belongs to another clinic"))
}

impl Calendar {
    pub fn new(clinic: Clinic) -> Self {
        Calendar {
            clinic,
            practitioners: HashMap::new(),
            rooms: HashMap::new(),
            types: HashMap::new(),
            schedules: HashMap::new(),
            resources: HashMap::new(),
            patients: HashMap::new(),
        }
    }

    /// Builds a calendar from whole collections; inactive appointments are ignored.
    pub fn from_parts(
        clinic: Clinic,
        practitioners: impl IntoIterator<Item = Practitioner>,
        rooms: impl IntoIterator<Item = Room>,
        types: impl IntoIterator<Item = AppointmentType>,
        schedules: impl IntoIterator<Item = Schedule>,
        appointments: impl IntoIterator<Item = Appointment>,
    ) -> Result<Self, ClinicError> {
        let mut c = Calendar::new(clinic);
        for p in practitioners {
            c.add_practitioner(p)?;
        }
        for r in rooms {
            c.add_room(r)?;
        }
        for t in types {
            c.add_type(t)?;
        }
        for s in schedules {
            c.add_schedule(s)?;
        }
        let appts: Vec<Appointment> = appointments.into_iter().collect();
        c.load_appointments(&appts)?;
        Ok(c)
    }

    pub fn clinic(&self) -> &Clinic {
        &self.clinic
    }

    pub fn add_practitioner(&mut self, p: Practitioner) -> Result<(), ClinicError> {
        if p.clinic_id() != self.clinic.id() {
            return Err(mismatch("practitioner"));
        }
        self.practitioners.insert(p.id(), p);
        Ok(())
    }

    pub fn add_room(&mut self, r: Room) -> Result<(), ClinicError> {
        if r.clinic_id() != self.clinic.id() {
            return Err(mismatch("room"));
        }
        self.rooms.insert(r.id(), r);
        Ok(())
    }

    pub fn add_type(&mut self, t: AppointmentType) -> Result<(), ClinicError> {
        if t.clinic_id() != self.clinic.id() {
            return Err(mismatch("appointment type"));
        }
        self.types.insert(t.id(), t);
        Ok(())
    }

    pub fn add_schedule(&mut self, s: Schedule) -> Result<(), ClinicError> {
        if s.clinic_id() != self.clinic.id() {
            return Err(mismatch("schedule"));
        }
        let list = self.schedules.entry(s.resource()).or_default();
        list.retain(|x| x.id() != s.id());
        list.push(s);
        Ok(())
    }

    pub fn practitioner(&self, id: PractitionerId) -> Option<&Practitioner> {
        self.practitioners.get(&id)
    }
    pub fn room(&self, id: RoomId) -> Option<&Room> {
        self.rooms.get(&id)
    }
    pub fn appointment_type(&self, id: AppointmentTypeId) -> Option<&AppointmentType> {
        self.types.get(&id)
    }
    pub fn schedules_of(&self, r: ResourceRef) -> &[Schedule] {
        self.schedules.get(&r).map(Vec::as_slice).unwrap_or(&[])
    }
    /// Practitioners, sorted by id (a stable order for search results and alternatives).
    pub fn practitioner_ids(&self) -> Vec<PractitionerId> {
        let mut ids: Vec<_> = self.practitioners.keys().copied().collect();
        ids.sort();
        ids
    }
    pub fn busy_of(&self, r: ResourceRef) -> Option<&BusyIndex> {
        self.resources.get(&r)
    }
    pub fn busy_of_patient(&self, p: PatientId) -> Option<&BusyIndex> {
        self.patients.get(&p)
    }

    /// Bulk-loads active appointments (sorting each index once), replacing nothing that is already there.
    pub fn load_appointments(&mut self, appts: &[Appointment]) -> Result<(), ClinicError> {
        let mut per_res: HashMap<ResourceRef, Vec<BusyEntry>> = HashMap::new();
        let mut per_pat: HashMap<PatientId, Vec<BusyEntry>> = HashMap::new();
        for a in appts {
            if a.clinic_id() != self.clinic.id() {
                return Err(mismatch("appointment"));
            }
            if !a.is_active() {
                continue;
            }
            let (res, pat) = entries_of(a);
            per_res.entry(ResourceRef::Practitioner(a.practitioner_id())).or_default().push(res);
            if let Some(room) = a.room_id() {
                per_res.entry(ResourceRef::Room(room)).or_default().push(res);
            }
            per_pat.entry(a.patient_id()).or_default().push(pat);
        }
        for (k, mut v) in per_res {
            if let Some(old) = self.resources.remove(&k) {
                v.extend_from_slice(old.entries());
            }
            self.resources.insert(k, BusyIndex::new(v));
        }
        for (k, mut v) in per_pat {
            if let Some(old) = self.patients.remove(&k) {
                v.extend_from_slice(old.entries());
            }
            self.patients.insert(k, BusyIndex::new(v));
        }
        Ok(())
    }

    /// Adds (or replaces) one appointment's occupancy; an inactive appointment only frees its slot.
    pub fn upsert_appointment(&mut self, a: &Appointment) -> Result<(), ClinicError> {
        if a.clinic_id() != self.clinic.id() {
            return Err(mismatch("appointment"));
        }
        self.remove_appointment(a.id());
        if !a.is_active() {
            return Ok(());
        }
        let (res, pat) = entries_of(a);
        self.resources.entry(ResourceRef::Practitioner(a.practitioner_id())).or_default().insert(res);
        if let Some(room) = a.room_id() {
            self.resources.entry(ResourceRef::Room(room)).or_default().insert(res);
        }
        self.patients.entry(a.patient_id()).or_default().insert(pat);
        Ok(())
    }

    pub fn remove_appointment(&mut self, id: AppointmentId) {
        for idx in self.resources.values_mut() {
            idx.remove(id);
        }
        for idx in self.patients.values_mut() {
            idx.remove(id);
        }
    }
}

fn entries_of(a: &Appointment) -> (BusyEntry, BusyEntry) {
    let (es, ee) = a.effective_minutes();
    let slot = a.slot();
    let res = BusyEntry {
        start: es,
        end: ee,
        slot_start: slot.start_minute(),
        slot_end: slot.end_minute(),
        appointment: a.id(),
        appointment_type: a.appointment_type_id(),
    };
    let pat = BusyEntry { start: res.slot_start, end: res.slot_end, ..res };
    (res, pat)
}
