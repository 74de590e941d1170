//! The interoperability use cases on [`Scheduler`]: ExportCalendar (iCalendar feeds) and the FHIR R4
//! import/export entry points. Each one authorizes with the RBAC matrix first, like every other use case.
//!
//! ## Personal data in calendar feeds
//!
//! A calendar feed leaves the clinic's control (it is synchronized into phones and third-party calendar
//! services), so feeds carry as little as they can:
//! - a **practitioner feed** has the appointment type as `SUMMARY` and the room as `LOCATION`; patient names
//!   appear (`"Consultation – Ada Lovelace"`) only when the caller asks with
//!   [`PractitionerFeed::include_patient_names`], which additionally needs `ReadPatients` on them;
//! - a **patient feed** has `"<type> with <practitioner>"` and the room and clinic as `LOCATION`;
//! - neither ever carries the reason, the notes, MRNs or contact details.
//!
//! Cancelled appointments stay in the feed with `STATUS:CANCELLED` so subscribed clients remove them.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::engine::SlotQuery;
use crate::error::{ClinicError, ErrorCode};
use crate::ids::{AppointmentId, ClinicId, PatientId, PractitionerId, ResourceRef, ScheduleId};
use crate::model::{Appointment, AppointmentStatus, Patient};
use crate::ports::{AppointmentFilter, Store};
use crate::rbac::{authorize, Actor, Permission, Target};
use crate::usecases::Scheduler;
use crate::zone::local_date;

use super::fhir::{self, AppointmentDisplay, ImportOptions, Resolver, SlotStatus};
use super::ical::{self, CalendarEvent, EventText};

/// The longest range one calendar export may span.
pub const MAX_FEED_DAYS: i64 = 400;

/// Options of a practitioner's calendar feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PractitionerFeed {
    /// Put the patient's name in each SUMMARY (needs `ReadPatients`).
    pub include_patient_names: bool,
}

fn check_range(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(), ClinicError> {
    crate::time_slot::check_instant(from, "from")?;
    crate::time_slot::check_instant(to, "to")?;
    if to <= from {
        return Err(ClinicError::field(ErrorCode::InvalidTimeRange, "to", "`to` must be after `from`"));
    }
    if to - from > Duration::days(MAX_FEED_DAYS) {
        return Err(ClinicError::field(
            ErrorCode::InvalidTimeRange,
            "to",
            format!("an export spans at most {MAX_FEED_DAYS} days"),
        ));
    }
    Ok(())
}

impl<S: Store + ?Sized> Scheduler<S> {
    async fn names(
        &self,
        clinic: ClinicId,
    ) -> Result<(HashMap<crate::AppointmentTypeId, String>, HashMap<crate::RoomId, String>), ClinicError> {
        let types = self.store().list_appointment_types(clinic).await?;
        let rooms = self.store().list_rooms(clinic).await?;
        Ok((
            types.into_iter().map(|t| (t.id(), t.name().to_string())).collect(),
            rooms.into_iter().map(|r| (r.id(), r.name().to_string())).collect(),
        ))
    }

    /// ExportCalendar for a practitioner: their appointments overlapping `[from, to)` as an iCalendar feed.
    /// Needs `ReadAppointments` on the practitioner (a practitioner: only their own).
    pub async fn ical_for_practitioner(
        &self,
        actor: &Actor,
        practitioner_id: PractitionerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        feed: PractitionerFeed,
    ) -> Result<String, ClinicError> {
        let p = self
            .store()
            .get_practitioner(practitioner_id)
            .await?
            .ok_or_else(|| ClinicError::not_found("practitioner", practitioner_id))?;
        let target = Target::clinic(p.clinic_id()).practitioner(practitioner_id);
        authorize(actor, Permission::ReadAppointments, &target)?;
        if feed.include_patient_names {
            authorize(actor, Permission::ReadPatients, &target)?;
        }
        check_range(from, to)?;
        let f = AppointmentFilter {
            clinic_id: Some(p.clinic_id()),
            practitioner_id: Some(practitioner_id),
            from: Some(from),
            to: Some(to),
            ..Default::default()
        };
        let appts = self.store().list_appointments(&f).await?;
        let (types, rooms) = self.names(p.clinic_id()).await?;
        let mut patients: HashMap<PatientId, Patient> = HashMap::new();
        if feed.include_patient_names {
            for a in &appts {
                if !patients.contains_key(&a.patient_id()) {
                    if let Some(pt) = self.store().get_patient(a.patient_id()).await? {
                        patients.insert(pt.id(), pt);
                    }
                }
            }
        }
        let events: Vec<CalendarEvent<'_>> = appts
            .iter()
            .map(|a| {
                let ty = types.get(&a.appointment_type_id()).cloned().unwrap_or_else(|| "Appointment".into());
                let summary = match patients.get(&a.patient_id()) {
                    Some(pt) => format!("{ty} – {} {}", pt.given_name(), pt.family_name()),
                    None => ty,
                };
                let location = a.room_id().and_then(|r| rooms.get(&r).cloned());
                CalendarEvent { appointment: a, text: EventText { summary, description: None, location } }
            })
            .collect();
        Ok(ical::write_calendar(Some(&format!("{} – appointments", p.name())), &events))
    }

    /// ExportCalendar for a patient: their appointments overlapping `[from, to)`. Needs `ReadAppointments`
    /// on the patient (a patient: only their own).
    pub async fn ical_for_patient(
        &self,
        actor: &Actor,
        patient_id: PatientId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<String, ClinicError> {
        let pt =
            self.store().get_patient(patient_id).await?.ok_or_else(|| ClinicError::not_found("patient", patient_id))?;
        authorize(actor, Permission::ReadAppointments, &Target::clinic(pt.clinic_id()).patient(patient_id))?;
        check_range(from, to)?;
        let clinic = self.clinic(pt.clinic_id()).await?;
        let f = AppointmentFilter {
            clinic_id: Some(pt.clinic_id()),
            patient_id: Some(patient_id),
            from: Some(from),
            to: Some(to),
            ..Default::default()
        };
        let appts = self.store().list_appointments(&f).await?;
        let (types, rooms) = self.names(pt.clinic_id()).await?;
        let practitioners: HashMap<PractitionerId, String> = self
            .store()
            .list_practitioners(pt.clinic_id())
            .await?
            .into_iter()
            .map(|p| (p.id(), p.name().to_string()))
            .collect();
        let events: Vec<CalendarEvent<'_>> = appts
            .iter()
            .map(|a| {
                let ty = types.get(&a.appointment_type_id()).cloned().unwrap_or_else(|| "Appointment".into());
                let summary = match practitioners.get(&a.practitioner_id()) {
                    Some(name) => format!("{ty} with {name}"),
                    None => ty,
                };
                let location = Some(match a.room_id().and_then(|r| rooms.get(&r)) {
                    Some(room) => format!("{room}, {}", clinic.name()),
                    None => clinic.name().to_string(),
                });
                CalendarEvent { appointment: a, text: EventText { summary, description: None, location } }
            })
            .collect();
        Ok(ical::write_calendar(Some(&format!("{} – my appointments", clinic.name())), &events))
    }

    // ---------- FHIR R4 ----------

    /// A patient as a FHIR Patient (`ReadPatients`, object-level like [`Scheduler::patient`]).
    pub async fn fhir_patient(&self, actor: &Actor, id: PatientId) -> Result<Value, ClinicError> {
        Ok(fhir::patient_to_fhir(&self.patient(actor, id).await?))
    }

    /// An appointment as a FHIR Appointment (`ReadAppointments` on it). References carry the type's,
    /// practitioner's and room's names as display; the patient's name is not included.
    pub async fn fhir_appointment(&self, actor: &Actor, id: AppointmentId) -> Result<Value, ClinicError> {
        let a: Appointment =
            self.store().get_appointment(id).await?.ok_or_else(|| ClinicError::not_found("appointment", id))?;
        let target = Target::clinic(a.clinic_id()).practitioner(a.practitioner_id()).patient(a.patient_id());
        authorize(actor, Permission::ReadAppointments, &target)?;
        let (types, rooms) = self.names(a.clinic_id()).await?;
        let practitioner = self.store().get_practitioner(a.practitioner_id()).await?.map(|p| p.name().to_string());
        let display = AppointmentDisplay {
            appointment_type: types.get(&a.appointment_type_id()).cloned(),
            patient: None,
            practitioner,
            room: a.room_id().and_then(|r| rooms.get(&r).cloned()),
        };
        Ok(fhir::appointment_to_fhir(&a, &display))
    }

    /// A schedule as a FHIR Schedule (`ReadSchedules` on its resource).
    pub async fn fhir_schedule(&self, actor: &Actor, id: ScheduleId) -> Result<Value, ClinicError> {
        let s = self.store().get_schedule(id).await?.ok_or_else(|| ClinicError::not_found("schedule", id))?;
        let mut target = Target::clinic(s.clinic_id());
        let display = match s.resource() {
            ResourceRef::Practitioner(p) => {
                target = target.practitioner(p);
                self.store().get_practitioner(p).await?.map(|p| p.name().to_string())
            }
            ResourceRef::Room(r) => self.store().get_room(r).await?.map(|r| r.name().to_string()),
        };
        authorize(actor, Permission::ReadSchedules, &target)?;
        Ok(fhir::schedule_to_fhir(&s, display.as_deref()))
    }

    /// FindAvailableSlots as FHIR Slots (status `free`), each referencing the practitioner's schedule in force
    /// on the slot's local day. Same permission and query as [`Scheduler::find_available_slots`].
    pub async fn fhir_free_slots(
        &self,
        actor: &Actor,
        clinic_id: ClinicId,
        q: &SlotQuery,
    ) -> Result<Vec<Value>, ClinicError> {
        let offers = self.find_available_slots(actor, clinic_id, q).await?;
        let clinic = self.clinic(clinic_id).await?;
        let tz = clinic.time_zone();
        let schedules = self.store().list_schedules(clinic_id).await?;
        let ty = self.store().get_appointment_type(q.appointment_type_id).await?;
        let ty = ty.as_ref().map(|t| (t.id(), t.name()));
        let mut out = Vec::with_capacity(offers.len());
        for o in offers {
            let day = local_date(tz, o.start);
            let schedule = schedules
                .iter()
                .find(|s| s.resource() == ResourceRef::Practitioner(o.practitioner_id) && s.valid_on(day));
            if let Some(s) = schedule {
                out.push(fhir::slot_to_fhir(o.start, o.end, s.id(), SlotStatus::Free, ty));
            }
        }
        Ok(out)
    }

    /// A practitioner's busy times as FHIR Slots: every active appointment overlapping `[from, to)` becomes a
    /// `busy` slot (`busy-tentative` while proposed) of the schedule in force on its local day. Slots carry
    /// times only, no patient. Needs `ReadSchedules` on the practitioner.
    pub async fn fhir_busy_slots(
        &self,
        actor: &Actor,
        practitioner_id: PractitionerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Value>, ClinicError> {
        let p = self
            .store()
            .get_practitioner(practitioner_id)
            .await?
            .ok_or_else(|| ClinicError::not_found("practitioner", practitioner_id))?;
        authorize(actor, Permission::ReadSchedules, &Target::clinic(p.clinic_id()).practitioner(practitioner_id))?;
        check_range(from, to)?;
        let tz = self.clinic(p.clinic_id()).await?.time_zone();
        let schedules = self.store().list_schedules(p.clinic_id()).await?;
        let f = AppointmentFilter {
            clinic_id: Some(p.clinic_id()),
            practitioner_id: Some(practitioner_id),
            from: Some(from),
            to: Some(to),
            statuses: vec![AppointmentStatus::Proposed, AppointmentStatus::Booked, AppointmentStatus::Arrived],
            ..Default::default()
        };
        // A group session's patients share one slot: one Slot per (schedule, start, end), busy over tentative.
        let mut slots: Vec<(ScheduleId, DateTime<Utc>, DateTime<Utc>, SlotStatus)> = Vec::new();
        for a in self.store().list_appointments(&f).await? {
            let day = local_date(tz, a.slot().start());
            let schedule = schedules
                .iter()
                .find(|s| s.resource() == ResourceRef::Practitioner(practitioner_id) && s.valid_on(day));
            let Some(s) = schedule else { continue };
            let status =
                if a.status() == AppointmentStatus::Proposed { SlotStatus::BusyTentative } else { SlotStatus::Busy };
            let (start, end) = (a.slot().start(), a.slot().end());
            match slots.iter_mut().find(|x| x.0 == s.id() && x.1 == start && x.2 == end) {
                Some(x) if status == SlotStatus::Busy => x.3 = SlotStatus::Busy,
                Some(_) => {}
                None => slots.push((s.id(), start, end, status)),
            }
        }
        let out =
            slots.into_iter().map(|(s, start, end, status)| fhir::slot_to_fhir(start, end, s, status, None)).collect();
        Ok(out)
    }

    /// Imports a FHIR Patient (JSON text) and registers it (RegisterPatient: `WritePatients`, MRN unique).
    /// Phone numbers without `+country` and an address without country use the clinic's
    /// `opts.default_region`.
    pub async fn import_fhir_patient(
        &self,
        actor: &Actor,
        clinic_id: ClinicId,
        json: &str,
        opts: &ImportOptions,
    ) -> Result<Patient, ClinicError> {
        let clinic = self.clinic(clinic_id).await?;
        let opts = ImportOptions { today: Some(local_date(clinic.time_zone(), self.now())), ..opts.clone() };
        let imported = fhir::patient_from_fhir(&fhir::parse_json(json)?, &opts)?;
        self.register_patient(actor, clinic_id, imported.input).await
    }

    /// Imports a FHIR Appointment (JSON text) as a booking (CreateAppointment: every booking rule applies).
    /// Only `proposed` and `booked` appointments can be booked this way.
    pub async fn import_fhir_appointment(
        &self,
        actor: &Actor,
        clinic_id: ClinicId,
        json: &str,
        resolver: &(dyn Resolver + Sync),
    ) -> Result<Appointment, ClinicError> {
        let cmd = fhir::appointment_from_fhir(&fhir::parse_json(json)?, resolver)?.create_command(clinic_id)?;
        self.create_appointment(actor, cmd).await
    }
}
