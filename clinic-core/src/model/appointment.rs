//! `Appointment` and its status state machine (FHIR AppointmentStatus subset).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::contact::optional_text;
use crate::error::{ClinicError, ErrorCode, ValidationErrors};
use crate::ids::{AppointmentId, AppointmentTypeId, ClinicId, PatientId, PractitionerId, RoomId, UserId};
use crate::model::appointment_type::AppointmentType;
use crate::time_slot::TimeSlot;
use crate::zone::local_date;

/// Where an appointment is in its life.
///
/// ```text
/// proposed ──► booked ──► arrived ──► fulfilled
///    │            ├──► cancelled
///    └──► cancelled└──► noshow
/// ```
/// `proposed → cancelled` is allowed in addition to DESIGN.md's arrows: a proposal that cannot be withdrawn
/// would hold its slot forever, since proposed appointments are active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Proposed,
    Booked,
    Arrived,
    Fulfilled,
    Cancelled,
    Noshow,
}

impl AppointmentStatus {
    /// Active appointments hold their slot (DESIGN.md: proposed, booked, arrived).
    pub fn is_active(self) -> bool {
        matches!(self, AppointmentStatus::Proposed | AppointmentStatus::Booked | AppointmentStatus::Arrived)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Proposed => "proposed",
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Arrived => "arrived",
            AppointmentStatus::Fulfilled => "fulfilled",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::Noshow => "noshow",
        }
    }

    /// Whether the state machine has an arrow `self → to`.
    pub fn can_become(self, to: AppointmentStatus) -> bool {
        use AppointmentStatus::*;
        matches!(
            (self, to),
            (Proposed, Booked)
                | (Proposed, Cancelled)
                | (Booked, Arrived)
                | (Booked, Cancelled)
                | (Booked, Noshow)
                | (Arrived, Fulfilled)
        )
    }
}

impl fmt::Display for AppointmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of an appointment's reschedule / status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HistoryEntry {
    Rescheduled {
        at: DateTime<Utc>,
        actor: Option<UserId>,
        from: TimeSlot,
        to: TimeSlot,
        #[serde(default)]
        practitioner_from: Option<PractitionerId>,
    },
    StatusChanged {
        at: DateTime<Utc>,
        actor: Option<UserId>,
        from: AppointmentStatus,
        to: AppointmentStatus,
        #[serde(default)]
        reason: Option<String>,
    },
}

/// What a booking request turns into once the rules accept it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAppointment {
    pub clinic_id: ClinicId,
    pub patient_id: PatientId,
    pub practitioner_id: PractitionerId,
    #[serde(default)]
    pub room_id: Option<RoomId>,
    pub appointment_type_id: AppointmentTypeId,
    pub slot: TimeSlot,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// A validated appointment. Mutations go through methods that keep the state machine and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    id: AppointmentId,
    clinic_id: ClinicId,
    patient_id: PatientId,
    practitioner_id: PractitionerId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    room_id: Option<RoomId>,
    appointment_type_id: AppointmentTypeId,
    slot: TimeSlot,
    /// Buffers are copied from the type at booking so editing a type later does not move existing bookings.
    buffer_before_minutes: u32,
    buffer_after_minutes: u32,
    status: AppointmentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    /// Set when booked through the audited overbooking override (rule 6).
    #[serde(default)]
    overbooked: bool,
    /// Bumped on every change (ETag / If-Match; iCalendar SEQUENCE counts reschedules separately).
    version: u64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(default)]
    history: Vec<HistoryEntry>,
}

impl Appointment {
    /// Creates the appointment record for an accepted booking (the conflict engine has already said yes).
    pub fn new(
        id: AppointmentId,
        spec: NewAppointment,
        ty: &AppointmentType,
        status: AppointmentStatus,
        overbooked: bool,
        now: DateTime<Utc>,
    ) -> Result<Self, ClinicError> {
        let mut errs = ValidationErrors::new();
        let reason = optional_text(&mut errs, "reason", spec.reason.as_deref(), 500);
        let notes = spec.notes.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
        if notes.as_ref().is_some_and(|n| n.chars().count() > 10_000) {
            errs.push(ErrorCode::TooLong, "notes", "notes are longer than 10000 characters");
        }
        if !matches!(status, AppointmentStatus::Proposed | AppointmentStatus::Booked) {
            errs.push(ErrorCode::InvalidStatusTransition, "status", "a new appointment is proposed or booked");
        }
        if ty.id() != spec.appointment_type_id {
            errs.push(ErrorCode::ClinicMismatch, "appointment_type_id", "type does not match the given definition");
        }
        if i64::from(ty.duration_minutes()) != spec.slot.minutes() {
            errs.push(
                ErrorCode::InvalidDuration,
                "slot",
                format!("a {} appointment lasts {} minutes", ty.name(), ty.duration_minutes()),
            );
        }
        errs.into_result()?;
        Ok(Appointment {
            id,
            clinic_id: spec.clinic_id,
            patient_id: spec.patient_id,
            practitioner_id: spec.practitioner_id,
            room_id: spec.room_id,
            appointment_type_id: spec.appointment_type_id,
            slot: spec.slot,
            buffer_before_minutes: ty.buffer_before_minutes(),
            buffer_after_minutes: ty.buffer_after_minutes(),
            status,
            reason,
            notes,
            overbooked,
            version: 1,
            created_at: now,
            updated_at: now,
            history: Vec::new(),
        })
    }

    pub fn id(&self) -> AppointmentId {
        self.id
    }
    pub fn clinic_id(&self) -> ClinicId {
        self.clinic_id
    }
    pub fn patient_id(&self) -> PatientId {
        self.patient_id
    }
    pub fn practitioner_id(&self) -> PractitionerId {
        self.practitioner_id
    }
    pub fn room_id(&self) -> Option<RoomId> {
        self.room_id
    }
    pub fn appointment_type_id(&self) -> AppointmentTypeId {
        self.appointment_type_id
    }
    pub fn slot(&self) -> TimeSlot {
        self.slot
    }
    pub fn buffer_before_minutes(&self) -> u32 {
        self.buffer_before_minutes
    }
    pub fn buffer_after_minutes(&self) -> u32 {
        self.buffer_after_minutes
    }
    pub fn status(&self) -> AppointmentStatus {
        self.status
    }
    pub fn is_active(&self) -> bool {
        self.status.is_active()
    }
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }
    pub fn notes(&self) -> Option<&str> {
        self.notes.as_deref()
    }
    pub fn overbooked(&self) -> bool {
        self.overbooked
    }
    pub fn version(&self) -> u64 {
        self.version
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    pub fn history(&self) -> &[HistoryEntry] {
        &self.history
    }
    /// Number of reschedules (iCalendar SEQUENCE).
    pub fn reschedule_count(&self) -> usize {
        self.history.iter().filter(|h| matches!(h, HistoryEntry::Rescheduled { .. })).count()
    }

    /// `[start − buffer_before, end + buffer_after)` in epoch minutes: what rule 1 protects.
    pub fn effective_minutes(&self) -> (i64, i64) {
        (
            self.slot.start_minute() - i64::from(self.buffer_before_minutes),
            self.slot.end_minute() + i64::from(self.buffer_after_minutes),
        )
    }

    /// Applies a status change if the state machine allows it. `tz` decides what "the appointment's day" is.
    pub fn transition(
        &mut self,
        to: AppointmentStatus,
        now: DateTime<Utc>,
        tz: Tz,
        actor: Option<UserId>,
        reason: Option<String>,
    ) -> Result<(), ClinicError> {
        let from = self.status;
        if !from.can_become(to) {
            return Err(ClinicError::rule(
                ErrorCode::InvalidStatusTransition,
                format!("an appointment cannot go from {from} to {to}"),
            ));
        }
        if to == AppointmentStatus::Arrived && local_date(tz, now) != local_date(tz, self.slot.start()) {
            return Err(ClinicError::rule(
                ErrorCode::ArrivalNotToday,
                "a patient can only arrive on the appointment's day",
            ));
        }
        let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        self.status = to;
        self.history.push(HistoryEntry::StatusChanged { at: now, actor, from, to, reason });
        self.touch(now);
        Ok(())
    }

    /// Moves the appointment (the engine has accepted the new slot). Only active appointments move.
    pub fn reschedule(
        &mut self,
        to: TimeSlot,
        practitioner: Option<PractitionerId>,
        room: Option<Option<RoomId>>,
        now: DateTime<Utc>,
        actor: Option<UserId>,
    ) -> Result<(), ClinicError> {
        if !self.is_active() {
            return Err(ClinicError::rule(
                ErrorCode::AppointmentNotActive,
                format!("a {} appointment cannot be rescheduled", self.status),
            ));
        }
        let from = self.slot;
        let practitioner_from = practitioner.filter(|p| *p != self.practitioner_id).map(|_| self.practitioner_id);
        if let Some(p) = practitioner {
            self.practitioner_id = p;
        }
        if let Some(r) = room {
            self.room_id = r;
        }
        self.slot = to;
        self.history.push(HistoryEntry::Rescheduled { at: now, actor, from, to, practitioner_from });
        self.touch(now);
        Ok(())
    }

    /// Whether the slot the appointment now holds was granted only through the overbooking override (rule 6):
    /// decided again by every booking decision, so a reschedule onto a taken slot is flagged for the audit log
    /// like a booking, and a later ordinary move to a free slot clears it.
    pub(crate) fn set_overbooked(&mut self, overbooked: bool) {
        self.overbooked = overbooked;
    }

    pub fn set_notes(&mut self, notes: Option<String>, now: DateTime<Utc>) {
        self.notes = notes.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        self.touch(now);
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.version += 1;
        self.updated_at = now;
    }
}
