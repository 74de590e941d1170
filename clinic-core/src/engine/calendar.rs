//! `Calendar`: the read model the rules run on — one clinic's resources, types, schedules and the
//! occupancy of its active appointments, indexed per resource and per patient.
//!
//! Use cases build one from a store snapshot for each decision; benchmarks and the bindings build one
//! from in-memory data. Appointments are not kept whole: only their occupied intervals.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use crate::error::{ClinicError, ErrorCode};
use crate::ids::{AppointmentId, AppointmentTypeId, PatientId, PractitionerId, ResourceRef, RoomId};
use crate::model::{Appointment, AppointmentType, Clinic, Practitioner, Room, Schedule};

use super::busy::{BusyEntry, BusyIndex};

/// The maps of a calendar are keyed by ids (UUIDs); they hash with [`IdHashState`].
pub(crate) type IdMap<K, V> = HashMap<K, V, IdHashState>;

#[derive(Debug, Clone)]
pub struct Calendar {
    pub(crate) clinic: Clinic,
    pub(crate) practitioners: IdMap<PractitionerId, Practitioner>,
    pub(crate) rooms: IdMap<RoomId, Room>,
    pub(crate) types: IdMap<AppointmentTypeId, AppointmentType>,
    pub(crate) schedules: IdMap<ResourceRef, Vec<Schedule>>,
    pub(crate) resources: IdMap<ResourceRef, BusyIndex>,
    pub(crate) patients: IdMap<PatientId, BusyIndex>,
}

/// A keyed multiply–fold hasher for id keys: a few cycles per 16-byte UUID instead of SipHash's few dozen, on
/// the hot path of every rule lookup and of bulk loading. The keys are drawn per calendar from the standard
/// library's `RandomState`, so bucket placement is not predictable from the ids alone.
#[derive(Debug, Clone)]
pub(crate) struct IdHashState {
    k0: u64,
    k1: u64,
}

impl Default for IdHashState {
    fn default() -> Self {
        let rs = RandomState::new();
        IdHashState { k0: rs.hash_one(0x243f_6a88_85a3_08d3_u64), k1: rs.hash_one(0x1319_8a2e_0370_7344_u64) | 1 }
    }
}

impl BuildHasher for IdHashState {
    type Hasher = IdHasher;
    #[inline]
    fn build_hasher(&self) -> IdHasher {
        IdHasher { h: self.k0, k: self.k1 }
    }
}

#[derive(Debug)]
pub(crate) struct IdHasher {
    h: u64,
    k: u64,
}

#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

impl IdHasher {
    #[inline]
    fn mix(&mut self, v: u64) {
        self.h = fold_mul(self.h ^ v, self.k ^ 0xa076_1d64_78bd_642f);
    }
}

impl Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        fold_mul(self.h, self.k.rotate_left(23) ^ 0xe703_7ed1_a0b4_28db)
    }
}

fn mismatch(what: &str) -> ClinicError {
    ClinicError::field(ErrorCode::ClinicMismatch, "clinic_id", format!("{what} belongs to another clinic"))
}

impl Calendar {
    pub fn new(clinic: Clinic) -> Self {
        Calendar {
            clinic,
            practitioners: IdMap::default(),
            rooms: IdMap::default(),
            types: IdMap::default(),
            schedules: IdMap::default(),
            resources: IdMap::default(),
            patients: IdMap::default(),
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
    ///
    /// Two passes: the first validates, groups the active appointments by resource and by patient and counts
    /// them; the second writes each group's entries into a vector of exactly the right size (in input order,
    /// followed by the entries already indexed) and indexes it.
    pub fn load_appointments(&mut self, appts: &[Appointment]) -> Result<(), ClinicError> {
        const NONE: usize = usize::MAX;
        let cid = self.clinic.id();
        let mut res_keys: Vec<ResourceRef> = Vec::new();
        let mut res_count: Vec<usize> = Vec::new();
        let mut res_slot: IdMap<ResourceRef, usize> = IdMap::default();
        let mut pat_keys: Vec<PatientId> = Vec::new();
        let mut pat_count: Vec<usize> = Vec::new();
        let mut pat_slot: IdMap<PatientId, usize> = IdMap::default();
        // Per active appointment: (practitioner group, room group or NONE, patient group).
        let mut groups: Vec<(usize, usize, usize)> = Vec::with_capacity(appts.len());
        // Appointments usually come grouped by practitioner: remember the last one.
        let mut last: Option<(PractitionerId, usize)> = None;

        fn group<K: Copy + Eq + std::hash::Hash>(
            k: K,
            slot: &mut IdMap<K, usize>,
            keys: &mut Vec<K>,
            count: &mut Vec<usize>,
        ) -> usize {
            let g = *slot.entry(k).or_insert_with(|| {
                keys.push(k);
                count.push(0);
                keys.len() - 1
            });
            count[g] += 1;
            g
        }

        for a in appts {
            if a.clinic_id() != cid {
                return Err(mismatch("appointment"));
            }
            if !a.is_active() {
                continue;
            }
            let p = a.practitioner_id();
            let pg = match last {
                Some((lp, g)) if lp == p => {
                    res_count[g] += 1;
                    g
                }
                _ => {
                    let g = group(ResourceRef::Practitioner(p), &mut res_slot, &mut res_keys, &mut res_count);
                    last = Some((p, g));
                    g
                }
            };
            let rg = match a.room_id() {
                Some(room) => group(ResourceRef::Room(room), &mut res_slot, &mut res_keys, &mut res_count),
                None => NONE,
            };
            let tg = group(a.patient_id(), &mut pat_slot, &mut pat_keys, &mut pat_count);
            groups.push((pg, rg, tg));
        }

        let mut per_res: Vec<Vec<BusyEntry>> = res_count.iter().map(|&n| Vec::with_capacity(n)).collect();
        let mut per_pat: Vec<Vec<BusyEntry>> = pat_count.iter().map(|&n| Vec::with_capacity(n)).collect();
        for (a, &(pg, rg, tg)) in appts.iter().filter(|a| a.is_active()).zip(&groups) {
            let (res, pat) = entries_of(a);
            per_res[pg].push(res);
            if rg != NONE {
                per_res[rg].push(res);
            }
            per_pat[tg].push(pat);
        }
        drop(groups);

        self.resources.reserve(res_keys.len());
        for (k, mut v) in res_keys.into_iter().zip(per_res) {
            if let Some(old) = self.resources.remove(&k) {
                v.extend_from_slice(old.entries());
            }
            self.resources.insert(k, BusyIndex::new(v));
        }
        self.patients.reserve(pat_keys.len());
        for (k, mut v) in pat_keys.into_iter().zip(per_pat) {
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
