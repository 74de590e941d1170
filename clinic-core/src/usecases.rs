//! The use cases of DESIGN.md §3 over the store ports: every entry point an embedding, the server or a
//! binding calls. Each one authorizes the actor (RBAC matrix + ownership), validates, decides with the
//! engine, commits through the ports, then publishes a domain event.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::engine::{BookingRejection, BookingRequest, Calendar, SlotOffer, SlotQuery, Verdict};
use crate::error::{ClinicError, ErrorCode};
use crate::events::{DomainEvent, EventSink, NoEvents};
use crate::ids::{AppointmentId, ClinicId, PatientId, PractitionerId, ResourceRef, RoomId};
use crate::model::appointment_type::MAX_BUFFER_MINUTES;
use crate::model::{
    Appointment, AppointmentStatus, AppointmentType, Clinic, ClinicInput, NewAppointment, Patient, PatientInput,
    Practitioner, Room, Schedule,
};
use crate::ports::{
    AppointmentFilter, BookingCommit, Clock, CommitOutcome, Guard, GuardKey, GuardScope, Store, SystemClock,
};
use crate::rbac::{authorize, Actor, Permission, Role, Target};
use crate::time_slot::TimeSlot;
use crate::zone::local_date;

/// How often a booking is re-checked after losing a race before giving up with `CONCURRENT_MODIFICATION`.
pub const DEFAULT_MAX_RETRIES: u32 = 16;

/// Appointments this close around a booking are loaded for the decision (covers the longest buffers).
const DECISION_MARGIN_HOURS: i64 = 24;
/// Alternatives look this far either side of the requested start.
const ALTERNATIVES_MARGIN_DAYS: i64 = 8;

/// Create an appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAppointment {
    pub clinic_id: ClinicId,
    #[serde(flatten)]
    pub request: BookingRequest,
    /// Create as `proposed` instead of `booked`.
    #[serde(default)]
    pub proposed: bool,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Move an appointment (optionally to another practitioner or room). Atomic: the old slot is released only
/// if the new one is taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescheduleAppointment {
    pub appointment_id: AppointmentId,
    pub start: DateTime<Utc>,
    #[serde(default)]
    pub practitioner_id: Option<PractitionerId>,
    /// `Some(None)` removes the room.
    #[serde(default)]
    pub room_id: Option<Option<RoomId>>,
    #[serde(default)]
    pub overbook: bool,
    /// If-Match: the version the caller saw.
    #[serde(default)]
    pub expected_version: Option<u64>,
}

/// The part of the catalog one booking decision reads (see `Scheduler::decision_catalog`).
#[derive(Debug, Clone)]
struct DecisionCatalog {
    clinic: Clinic,
    practitioner: Option<Practitioner>,
    room: Option<Room>,
    ty: AppointmentType,
    schedules: Vec<Schedule>,
}

impl DecisionCatalog {
    fn calendar(self, appointments: Vec<Appointment>) -> Result<Calendar, ClinicError> {
        Calendar::from_parts(self.clinic, self.practitioner, self.room, [self.ty], self.schedules, appointments)
    }
}

/// The scheduling service over one store.
pub struct Scheduler<S: ?Sized> {
    store: Arc<S>,
    clock: Arc<dyn Clock>,
    pub(crate) events: Arc<dyn EventSink>,
    max_retries: u32,
}

impl<S: ?Sized> std::fmt::Debug for Scheduler<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler").field("max_retries", &self.max_retries).finish_non_exhaustive()
    }
}

impl<S: ?Sized> Clone for Scheduler<S> {
    fn clone(&self) -> Self {
        Scheduler {
            store: self.store.clone(),
            clock: self.clock.clone(),
            events: self.events.clone(),
            max_retries: self.max_retries,
        }
    }
}

fn day_of(minute: i64) -> i64 {
    minute.div_euclid(1440)
}

fn days(from: i64, to_exclusive: i64) -> impl Iterator<Item = i64> {
    day_of(from)..=day_of(to_exclusive - 1)
}

/// The guard keys a booking reads and bumps (see [`crate::ports`]).
pub fn guard_keys(req: &BookingRequest, ty: &AppointmentType) -> Vec<GuardKey> {
    let s = crate::time_slot::to_minute(req.start);
    let e = s + i64::from(ty.duration_minutes());
    let (es, ee) = (s - i64::from(ty.buffer_before_minutes()), e + i64::from(ty.buffer_after_minutes()));
    let mut keys: Vec<GuardKey> =
        days(es, ee).map(|day| GuardKey { scope: GuardScope::Practitioner(req.practitioner_id), day }).collect();
    if let Some(r) = req.room_id {
        keys.extend(days(es, ee).map(|day| GuardKey { scope: GuardScope::Room(r), day }));
    }
    keys.extend(days(s, e).map(|day| GuardKey { scope: GuardScope::Patient(req.patient_id), day }));
    keys
}

fn appointment_target(a: &Appointment) -> Target {
    Target::clinic(a.clinic_id()).practitioner(a.practitioner_id()).patient(a.patient_id())
}

impl<S: Store + ?Sized> Scheduler<S> {
    pub fn new(store: Arc<S>) -> Self {
        Scheduler { store, clock: Arc::new(SystemClock), events: Arc::new(NoEvents), max_retries: DEFAULT_MAX_RETRIES }
    }
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
    pub fn with_events(mut self, events: Arc<dyn EventSink>) -> Self {
        self.events = events;
        self
    }
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }
    pub fn store(&self) -> &Arc<S> {
        &self.store
    }
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    // ---------- catalog ----------

    pub async fn create_clinic(&self, actor: &Actor, input: ClinicInput) -> Result<Clinic, ClinicError> {
        authorize(actor, Permission::ManageClinic, &Target::default())?;
        let c = Clinic::new(ClinicId::new(), input)?;
        self.store.put_clinic(&c).await?;
        Ok(c)
    }

    pub async fn update_clinic(&self, actor: &Actor, id: ClinicId, input: ClinicInput) -> Result<Clinic, ClinicError> {
        authorize(actor, Permission::ManageClinic, &Target::clinic(id))?;
        let c = self.clinic(id).await?.updated(input)?;
        self.store.put_clinic(&c).await?;
        Ok(c)
    }

    pub async fn clinic(&self, id: ClinicId) -> Result<Clinic, ClinicError> {
        self.store.get_clinic(id).await?.ok_or_else(|| ClinicError::not_found("clinic", id))
    }

    pub async fn save_practitioner(&self, actor: &Actor, p: Practitioner) -> Result<Practitioner, ClinicError> {
        authorize(actor, Permission::ManageClinic, &Target::clinic(p.clinic_id()))?;
        self.clinic(p.clinic_id()).await?;
        self.store.put_practitioner(&p).await?;
        Ok(p)
    }

    pub async fn save_room(&self, actor: &Actor, r: Room) -> Result<Room, ClinicError> {
        authorize(actor, Permission::ManageClinic, &Target::clinic(r.clinic_id()))?;
        self.clinic(r.clinic_id()).await?;
        self.store.put_room(&r).await?;
        Ok(r)
    }

    pub async fn save_appointment_type(
        &self,
        actor: &Actor,
        t: AppointmentType,
    ) -> Result<AppointmentType, ClinicError> {
        authorize(actor, Permission::ManageClinic, &Target::clinic(t.clinic_id()))?;
        self.clinic(t.clinic_id()).await?;
        self.store.put_appointment_type(&t).await?;
        Ok(t)
    }

    /// Adds or replaces a schedule. A practitioner may only manage their own.
    pub async fn save_schedule(&self, actor: &Actor, s: Schedule) -> Result<Schedule, ClinicError> {
        let mut target = Target::clinic(s.clinic_id());
        match s.resource() {
            crate::ids::ResourceRef::Practitioner(p) => {
                target = target.practitioner(p);
                let found =
                    self.store.get_practitioner(p).await?.ok_or_else(|| ClinicError::not_found("practitioner", p))?;
                if found.clinic_id() != s.clinic_id() {
                    return Err(ClinicError::field(
                        ErrorCode::ClinicMismatch,
                        "resource",
                        "practitioner of another clinic",
                    ));
                }
            }
            crate::ids::ResourceRef::Room(r) => {
                let found = self.store.get_room(r).await?.ok_or_else(|| ClinicError::not_found("room", r))?;
                if found.clinic_id() != s.clinic_id() {
                    return Err(ClinicError::field(ErrorCode::ClinicMismatch, "resource", "room of another clinic"));
                }
            }
        }
        authorize(actor, Permission::ManageSchedules, &target)?;
        self.store.put_schedule(&s).await?;
        Ok(s)
    }

    // ---------- patients ----------

    /// RegisterPatient. MRN unique per clinic (`DUPLICATE_MRN`).
    pub async fn register_patient(
        &self,
        actor: &Actor,
        clinic_id: ClinicId,
        input: PatientInput,
    ) -> Result<Patient, ClinicError> {
        let id = PatientId::new();
        let target = Target::clinic(clinic_id).patient(id);
        authorize(actor, Permission::WritePatients, &target)?;
        let clinic = self.clinic(clinic_id).await?;
        let today = local_date(clinic.time_zone(), self.now());
        let p = Patient::new(id, clinic_id, input, Some(today))?;
        self.store.insert_patient(&p).await?;
        self.events.publish(DomainEvent::PatientRegistered { clinic_id, patient_id: id, actor: actor.user_id }).await;
        Ok(p)
    }

    pub async fn update_patient(
        &self,
        actor: &Actor,
        id: PatientId,
        input: PatientInput,
    ) -> Result<Patient, ClinicError> {
        let old = self.store.get_patient(id).await?.ok_or_else(|| ClinicError::not_found("patient", id))?;
        authorize(actor, Permission::WritePatients, &Target::clinic(old.clinic_id()).patient(id))?;
        let clinic = self.clinic(old.clinic_id()).await?;
        let p = old.updated(input, Some(local_date(clinic.time_zone(), self.now())))?;
        self.store.update_patient(&p).await?;
        self.events
            .publish(DomainEvent::PatientUpdated { clinic_id: p.clinic_id(), patient_id: id, actor: actor.user_id })
            .await;
        Ok(p)
    }

    pub async fn patient(&self, actor: &Actor, id: PatientId) -> Result<Patient, ClinicError> {
        let p = self.store.get_patient(id).await?.ok_or_else(|| ClinicError::not_found("patient", id))?;
        let mut target = Target::clinic(p.clinic_id()).patient(id);
        if actor.role == Role::Practitioner {
            if let Some(me) = actor.practitioner_id {
                let f = AppointmentFilter {
                    patient_id: Some(id),
                    practitioner_id: Some(me),
                    limit: Some(1),
                    ..Default::default()
                };
                if !self.store.list_appointments(&f).await?.is_empty() {
                    target = target.practitioner(me);
                }
            }
        }
        authorize(actor, Permission::ReadPatients, &target)?;
        Ok(p)
    }

    // ---------- decisions ----------

    /// The engine's read model for a decision: the clinic's catalog and the active appointments of the given
    /// scopes (or of the whole clinic when `scopes` is `None`) overlapping `[from, to)`.
    pub async fn calendar(
        &self,
        clinic_id: ClinicId,
        scopes: Option<&[GuardScope]>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Calendar, ClinicError> {
        let clinic = self.clinic(clinic_id).await?;
        let practitioners = self.store.list_practitioners(clinic_id).await?;
        let rooms = self.store.list_rooms(clinic_id).await?;
        let types = self.store.list_appointment_types(clinic_id).await?;
        let schedules = self.store.list_schedules(clinic_id).await?;
        let active = vec![AppointmentStatus::Proposed, AppointmentStatus::Booked, AppointmentStatus::Arrived];
        let base = AppointmentFilter {
            clinic_id: Some(clinic_id),
            from: Some(from),
            to: Some(to),
            statuses: active,
            ..Default::default()
        };
        let mut appts: Vec<Appointment> = Vec::new();
        match scopes {
            None => appts = self.store.list_appointments(&base).await?,
            Some(scopes) => {
                for s in scopes {
                    let f = match *s {
                        GuardScope::Practitioner(p) => AppointmentFilter { practitioner_id: Some(p), ..base.clone() },
                        GuardScope::Room(r) => AppointmentFilter { room_id: Some(r), ..base.clone() },
                        GuardScope::Patient(p) => AppointmentFilter { patient_id: Some(p), ..base.clone() },
                    };
                    appts.extend(self.store.list_appointments(&f).await?);
                }
                appts.sort_by_key(|a| a.id());
                appts.dedup_by_key(|a| a.id());
            }
        }
        Calendar::from_parts(clinic, practitioners, rooms, types, schedules, appts)
    }

    /// What [`Calendar::evaluate`] reads of the catalog for one booking: the clinic, the requested practitioner,
    /// room and type (when they belong to the clinic; a missing one is the engine's `NOT_FOUND` violation, as with
    /// the whole catalog) and their schedules. Loaded concurrently.
    async fn decision_catalog(
        &self,
        clinic_id: ClinicId,
        req: &BookingRequest,
        ty: &AppointmentType,
    ) -> Result<DecisionCatalog, ClinicError> {
        let room = async {
            match req.room_id {
                Some(r) => self.store.get_room(r).await,
                None => Ok(None),
            }
        };
        let room_schedules = async {
            match req.room_id {
                Some(r) => self.store.list_resource_schedules(clinic_id, ResourceRef::Room(r)).await,
                None => Ok(Vec::new()),
            }
        };
        let (clinic, practitioner, room, mut schedules, room_schedules) = futures::try_join!(
            self.clinic(clinic_id),
            self.store.get_practitioner(req.practitioner_id),
            room,
            self.store.list_resource_schedules(clinic_id, ResourceRef::Practitioner(req.practitioner_id)),
            room_schedules,
        )?;
        schedules.extend(room_schedules);
        let resources = [Some(ResourceRef::Practitioner(req.practitioner_id)), req.room_id.map(ResourceRef::Room)];
        Ok(DecisionCatalog {
            clinic,
            practitioner: practitioner.filter(|p| p.clinic_id() == clinic_id),
            room: room.filter(|r| r.clinic_id() == clinic_id),
            ty: ty.clone(),
            schedules: schedules
                .into_iter()
                .filter(|s| s.clinic_id() == clinic_id && resources.contains(&Some(s.resource())))
                .collect(),
        })
    }

    /// The active appointments of `scopes` overlapping `[from, to)`, one store query per scope, concurrently.
    async fn active_appointments(
        &self,
        clinic_id: ClinicId,
        scopes: &[GuardScope],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Appointment>, ClinicError> {
        let base = AppointmentFilter {
            clinic_id: Some(clinic_id),
            from: Some(from),
            to: Some(to),
            statuses: vec![AppointmentStatus::Proposed, AppointmentStatus::Booked, AppointmentStatus::Arrived],
            ..Default::default()
        };
        let filters: Vec<AppointmentFilter> = scopes
            .iter()
            .map(|s| match *s {
                GuardScope::Practitioner(p) => AppointmentFilter { practitioner_id: Some(p), ..base.clone() },
                GuardScope::Room(r) => AppointmentFilter { room_id: Some(r), ..base.clone() },
                GuardScope::Patient(p) => AppointmentFilter { patient_id: Some(p), ..base.clone() },
            })
            .collect();
        let lists = futures::future::try_join_all(filters.iter().map(|f| self.store.list_appointments(f))).await?;
        let mut appts: Vec<Appointment> = lists.into_iter().flatten().collect();
        appts.sort_by_key(|a| a.id());
        appts.dedup_by_key(|a| a.id());
        Ok(appts)
    }

    /// A dry run of a booking: the verdict with alternatives, nothing stored.
    pub async fn check_booking(
        &self,
        actor: &Actor,
        clinic_id: ClinicId,
        req: &BookingRequest,
    ) -> Result<Verdict, ClinicError> {
        let target = Target::clinic(clinic_id).practitioner(req.practitioner_id).patient(req.patient_id);
        authorize(actor, Permission::BookAppointments, &target)?;
        let may_overbook = authorize(actor, Permission::Overbook, &target).is_ok();
        crate::time_slot::check_instant(req.start, "start")?;
        let margin = Duration::days(ALTERNATIVES_MARGIN_DAYS);
        let cal = self.calendar(clinic_id, None, req.start - margin, req.start + margin).await?;
        Ok(cal.check(req, self.now(), may_overbook))
    }

    async fn rejection(&self, clinic_id: ClinicId, req: &BookingRequest, may_overbook: bool) -> ClinicError {
        let margin = Duration::days(ALTERNATIVES_MARGIN_DAYS);
        match self.calendar(clinic_id, None, req.start - margin, req.start + margin).await {
            Ok(cal) => {
                let v = cal.check(req, self.now(), may_overbook);
                ClinicError::Booking(Box::new(BookingRejection {
                    violations: v.violations,
                    alternatives: v.alternatives,
                }))
            }
            Err(e) => e,
        }
    }

    /// Checks `req` against a fresh snapshot and commits `make(appointment)` under the snapshot's guards,
    /// retrying when another writer got there first.
    async fn decide_and_commit(
        &self,
        clinic_id: ClinicId,
        req: &BookingRequest,
        may_overbook: bool,
        mut build: impl FnMut(&Calendar, bool) -> Result<(Appointment, Option<u64>), ClinicError>,
    ) -> Result<(Appointment, bool), ClinicError> {
        crate::time_slot::check_instant(req.start, "start")?;
        let ty = self
            .store
            .get_appointment_type(req.appointment_type_id)
            .await?
            .filter(|t| t.clinic_id() == clinic_id)
            .ok_or_else(|| ClinicError::not_found("appointment type", req.appointment_type_id))?;
        let keys = guard_keys(req, &ty);
        let mut scopes: Vec<GuardScope> = keys.iter().map(|k| k.scope).collect();
        scopes.sort();
        scopes.dedup();
        // Rules 1 and 2 only meet appointments whose slot overlaps the booking's effective interval widened by
        // the longest buffer another appointment can have.
        let end = req.start + Duration::minutes(i64::from(ty.duration_minutes()));
        let from = req.start - Duration::minutes(i64::from(ty.buffer_before_minutes() + MAX_BUFFER_MINUTES));
        let to = end + Duration::minutes(i64::from(ty.buffer_after_minutes() + MAX_BUFFER_MINUTES));
        // The catalog is not guarded (as before, a concurrent schedule edit is not a booking conflict): read it
        // once, alongside the first guard read.
        let (first_versions, catalog) =
            futures::try_join!(self.store.guard_versions(&keys), self.decision_catalog(clinic_id, req, &ty))?;
        let mut first_versions = Some(first_versions);
        for _ in 0..=self.max_retries {
            let versions = match first_versions.take() {
                Some(v) => v,
                None => self.store.guard_versions(&keys).await?,
            };
            // Read strictly after the guard versions (the snapshot argument of `crate::ports`).
            let appts = self.active_appointments(clinic_id, &scopes, from, to).await?;
            let cal = catalog.clone().calendar(appts)?;
            let now = self.now();
            let (violations, overbooked) = cal.evaluate(req, now, may_overbook);
            if !violations.is_empty() {
                return Err(self.rejection(clinic_id, req, may_overbook).await);
            }
            let (appt, expected_version) = build(&cal, overbooked)?;
            let guards = keys.iter().zip(versions).map(|(k, v)| Guard { key: *k, version: v }).collect();
            let commit = BookingCommit { guards, appointment: appt.clone(), expected_version };
            if self.store.commit_booking(&commit).await? == CommitOutcome::Committed {
                return Ok((appt, overbooked));
            }
        }
        Err(ClinicError::rule(
            ErrorCode::ConcurrentModification,
            "the schedule kept changing while booking; nothing was booked, try again",
        ))
    }

    /// CreateAppointment: checks every rule and books atomically; a rejection carries every violated rule
    /// and the nearest alternatives (`ClinicError::Booking`).
    pub async fn create_appointment(&self, actor: &Actor, cmd: CreateAppointment) -> Result<Appointment, ClinicError> {
        let req = &cmd.request;
        let target = Target::clinic(cmd.clinic_id).practitioner(req.practitioner_id).patient(req.patient_id);
        authorize(actor, Permission::BookAppointments, &target)?;
        let may_overbook = authorize(actor, Permission::Overbook, &target).is_ok();
        let patient = self
            .store
            .get_patient(req.patient_id)
            .await?
            .ok_or_else(|| ClinicError::not_found("patient", req.patient_id))?;
        if patient.clinic_id() != cmd.clinic_id {
            return Err(ClinicError::field(ErrorCode::ClinicMismatch, "patient_id", "patient of another clinic"));
        }
        let id = AppointmentId::new();
        let now = self.now();
        let status = if cmd.proposed { AppointmentStatus::Proposed } else { AppointmentStatus::Booked };
        let (appt, overbooked) = self
            .decide_and_commit(cmd.clinic_id, req, may_overbook, |cal, overbooked| {
                let ty = cal
                    .appointment_type(req.appointment_type_id)
                    .ok_or_else(|| ClinicError::not_found("appointment type", req.appointment_type_id))?;
                let slot = TimeSlot::starting_at(req.start, i64::from(ty.duration_minutes()))?;
                let spec = NewAppointment {
                    clinic_id: cmd.clinic_id,
                    patient_id: req.patient_id,
                    practitioner_id: req.practitioner_id,
                    room_id: req.room_id,
                    appointment_type_id: req.appointment_type_id,
                    slot,
                    reason: cmd.reason.clone(),
                    notes: cmd.notes.clone(),
                };
                Ok((Appointment::new(id, spec, ty, status, overbooked, now)?, None))
            })
            .await?;
        self.events
            .publish(DomainEvent::AppointmentBooked { appointment: appt.clone(), actor: actor.user_id, overbooked })
            .await;
        Ok(appt)
    }

    async fn load_for_change(&self, id: AppointmentId, expected: Option<u64>) -> Result<Appointment, ClinicError> {
        let a = self.store.get_appointment(id).await?.ok_or_else(|| ClinicError::not_found("appointment", id))?;
        if let Some(v) = expected {
            if v != a.version() {
                return Err(ClinicError::rule(
                    ErrorCode::VersionConflict,
                    format!("the appointment changed since version {v} (now {})", a.version()),
                ));
            }
        }
        Ok(a)
    }

    /// RescheduleAppointment: the new slot goes through every rule; the move is one atomic commit.
    pub async fn reschedule_appointment(
        &self,
        actor: &Actor,
        cmd: RescheduleAppointment,
    ) -> Result<Appointment, ClinicError> {
        let current = self.load_for_change(cmd.appointment_id, cmd.expected_version).await?;
        authorize(actor, Permission::BookAppointments, &appointment_target(&current))?;
        let practitioner = cmd.practitioner_id.unwrap_or(current.practitioner_id());
        let room = cmd.room_id.unwrap_or(current.room_id());
        let target = Target::clinic(current.clinic_id()).practitioner(practitioner).patient(current.patient_id());
        authorize(actor, Permission::BookAppointments, &target)?;
        let may_overbook = authorize(actor, Permission::Overbook, &target).is_ok();
        if !current.is_active() {
            return Err(ClinicError::rule(
                ErrorCode::AppointmentNotActive,
                format!("a {} appointment cannot be rescheduled", current.status()),
            ));
        }
        let req = BookingRequest {
            patient_id: current.patient_id(),
            practitioner_id: practitioner,
            room_id: room,
            appointment_type_id: current.appointment_type_id(),
            start: cmd.start,
            overbook: cmd.overbook,
            reschedule_of: Some(current.id()),
        };
        let from = current.slot();
        let now = self.now();
        let (moved, _) = self
            .decide_and_commit(current.clinic_id(), &req, may_overbook, |cal, overbooked| {
                let ty = cal
                    .appointment_type(req.appointment_type_id)
                    .ok_or_else(|| ClinicError::not_found("appointment type", req.appointment_type_id))?;
                let to = TimeSlot::starting_at(req.start, i64::from(ty.duration_minutes()))?;
                let mut moved = current.clone();
                moved.reschedule(to, Some(practitioner), Some(room), now, actor.user_id)?;
                // Found while writing the fuzz target `booking_sequence`'s invariant: the flag was left as it was,
                // so a move through the override was invisible to the audit log (tests/fuzz_regressions.rs).
                moved.set_overbooked(overbooked);
                // Committed only if the stored appointment is still the version we moved.
                Ok((moved, Some(current.version())))
            })
            .await?;
        self.events
            .publish(DomainEvent::AppointmentRescheduled { appointment: moved.clone(), from, actor: actor.user_id })
            .await;
        Ok(moved)
    }

    /// CancelAppointment.
    pub async fn cancel_appointment(
        &self,
        actor: &Actor,
        id: AppointmentId,
        reason: Option<String>,
        expected_version: Option<u64>,
    ) -> Result<Appointment, ClinicError> {
        let mut a = self.load_for_change(id, expected_version).await?;
        authorize(actor, Permission::CancelAppointments, &appointment_target(&a))?;
        let tz = self.clinic(a.clinic_id()).await?.time_zone();
        let version = a.version();
        a.transition(AppointmentStatus::Cancelled, self.now(), tz, actor.user_id, reason.clone())?;
        self.store.update_appointment(&a, version).await?;
        self.events
            .publish(DomainEvent::AppointmentCancelled { appointment: a.clone(), actor: actor.user_id, reason })
            .await;
        Ok(a)
    }

    /// ChangeStatus through the state machine (booked, arrived, fulfilled, noshow; cancelled goes through
    /// [`Scheduler::cancel_appointment`]'s permission).
    pub async fn change_status(
        &self,
        actor: &Actor,
        id: AppointmentId,
        to: AppointmentStatus,
        expected_version: Option<u64>,
    ) -> Result<Appointment, ClinicError> {
        if to == AppointmentStatus::Cancelled {
            return self.cancel_appointment(actor, id, None, expected_version).await;
        }
        let mut a = self.load_for_change(id, expected_version).await?;
        authorize(actor, Permission::ChangeAppointmentStatus, &appointment_target(&a))?;
        let tz = self.clinic(a.clinic_id()).await?.time_zone();
        let (version, from) = (a.version(), a.status());
        a.transition(to, self.now(), tz, actor.user_id, None)?;
        self.store.update_appointment(&a, version).await?;
        self.events
            .publish(DomainEvent::AppointmentStatusChanged { appointment: a.clone(), from, actor: actor.user_id })
            .await;
        Ok(a)
    }

    /// FindAvailableSlots. A patient may only search with their own (or no) patient id.
    pub async fn find_available_slots(
        &self,
        actor: &Actor,
        clinic_id: ClinicId,
        q: &SlotQuery,
    ) -> Result<Vec<SlotOffer>, ClinicError> {
        authorize(actor, Permission::SearchAvailability, &Target::clinic(clinic_id))?;
        if let Some(p) = q.patient_id {
            if actor.role == Role::Patient && actor.patient_id != Some(p) {
                return Err(ClinicError::rule(ErrorCode::Forbidden, "not allowed: only your own record"));
            }
        }
        crate::time_slot::check_instant(q.from, "from")?;
        crate::time_slot::check_instant(q.to, "to")?;
        if q.to <= q.from {
            return Err(ClinicError::field(ErrorCode::InvalidTimeRange, "to", "`to` must be after `from`"));
        }
        let margin = Duration::hours(DECISION_MARGIN_HOURS);
        let mut scopes: Vec<GuardScope> = q.practitioner_ids.iter().map(|p| GuardScope::Practitioner(*p)).collect();
        scopes.extend(q.room_id.map(GuardScope::Room));
        scopes.extend(q.patient_id.map(GuardScope::Patient));
        let cal = if q.practitioner_ids.is_empty() {
            self.calendar(clinic_id, None, q.from - margin, q.to + margin).await?
        } else {
            self.calendar(clinic_id, Some(&scopes), q.from - margin, q.to + margin).await?
        };
        cal.find_available_slots(q, self.now())
    }

    /// Appointments visible to the actor under `f` (a patient sees their own, a practitioner theirs).
    pub async fn list_appointments(
        &self,
        actor: &Actor,
        mut f: AppointmentFilter,
    ) -> Result<Vec<Appointment>, ClinicError> {
        match actor.role {
            Role::Patient => {
                f.patient_id = Some(
                    actor
                        .patient_id
                        .ok_or_else(|| ClinicError::rule(ErrorCode::Forbidden, "not allowed: no patient record"))?,
                )
            }
            Role::Practitioner => {
                f.practitioner_id =
                    Some(actor.practitioner_id.ok_or_else(|| {
                        ClinicError::rule(ErrorCode::Forbidden, "not allowed: no practitioner record")
                    })?)
            }
            _ => {}
        }
        let mut target = Target { clinic_id: f.clinic_id.or(actor.clinic_id), ..Target::default() };
        target.practitioners.extend(f.practitioner_id);
        target.patient_id = f.patient_id;
        authorize(actor, Permission::ReadAppointments, &target)?;
        self.store.list_appointments(&f).await
    }
}
