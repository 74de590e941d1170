//! The conflict engine and availability search (DESIGN.md §3 "Booking rules").
//!
//! Both read one [`Calendar`] — the clinic, its resources, types, schedules and active appointments — and
//! share the rule functions, so a slot that search offers is bookable and a rejected one is never offered.

mod availability;
mod busy;
mod calendar;
mod rules;

pub use availability::SlotQuery;
pub use busy::{BusyEntry, BusyIndex};
pub use calendar::Calendar;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::ErrorCode;
use crate::ids::{AppointmentId, AppointmentTypeId, PatientId, PractitionerId, RoomId};

/// A request to occupy a slot: a new booking, or a reschedule (`reschedule_of`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRequest {
    pub patient_id: PatientId,
    pub practitioner_id: PractitionerId,
    #[serde(default)]
    pub room_id: Option<RoomId>,
    pub appointment_type_id: AppointmentTypeId,
    /// The end is `start + type duration`.
    pub start: DateTime<Utc>,
    /// Ask to bypass rule 1 (rule 6). Honoured only when the caller's role may overbook.
    #[serde(default)]
    pub overbook: bool,
    /// The appointment being moved: it does not conflict with itself.
    #[serde(default)]
    pub reschedule_of: Option<AppointmentId>,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub code: ErrorCode,
    pub message: String,
    /// The active appointments this booking collides with (rules 1 and 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicting: Vec<AppointmentId>,
}

/// A bookable start: `[start, end)` with a practitioner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SlotOffer {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub practitioner_id: PractitionerId,
}

/// The nearest bookable alternatives to a rejected request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternatives {
    /// Free slots of the same practitioner, nearest to the requested start first.
    pub same_practitioner: Vec<SlotOffer>,
    /// The requested start with other practitioners who offer the type.
    pub other_practitioners: Vec<SlotOffer>,
}

/// The engine's answer to a booking request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub accepted: bool,
    pub violations: Vec<Violation>,
    /// Accepted only because the overbooking override bypassed rule 1 (to be audited).
    pub overbooked: bool,
    pub alternatives: Alternatives,
}

impl Verdict {
    pub fn codes(&self) -> Vec<ErrorCode> {
        self.violations.iter().map(|v| v.code).collect()
    }
}

/// A rejected booking as an error value (carried by [`crate::ClinicError::Booking`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRejection {
    pub violations: Vec<Violation>,
    pub alternatives: Alternatives,
}

impl fmt::Display for BookingRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("booking rejected: ")?;
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} ({})", v.message, v.code)?;
        }
        Ok(())
    }
}
