//! `AppointmentType`: what is booked — its length, buffers, capacity and booking window.

use serde::{Deserialize, Serialize};

use crate::contact::required_text;
use crate::error::{ClinicError, ErrorCode, ValidationErrors};
use crate::ids::{AppointmentTypeId, ClinicId, PractitionerId};
use crate::time_slot::MAX_SLOT_MINUTES;

/// Largest buffer either side of an appointment.
pub const MAX_BUFFER_MINUTES: u32 = 240;
/// Largest group session.
pub const MAX_CAPACITY: u32 = 1000;
/// Furthest a type may allow booking ahead (about five years).
pub const MAX_HORIZON_DAYS: u32 = 5 * 366;

/// What a caller supplies to define an appointment type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentTypeInput {
    pub name: String,
    pub duration_minutes: u32,
    #[serde(default)]
    pub buffer_before_minutes: u32,
    #[serde(default)]
    pub buffer_after_minutes: u32,
    /// 1 = individual; > 1 = a group session of up to `capacity` patients sharing the identical slot.
    #[serde(default = "one")]
    pub capacity: u32,
    /// Bookings must start at least this long after "now".
    #[serde(default)]
    pub min_notice_minutes: u32,
    /// Bookings must start at most this many days after "now".
    #[serde(default = "default_horizon")]
    pub max_horizon_days: u32,
    /// Practitioners who offer this type; empty = every practitioner of the clinic.
    #[serde(default)]
    pub practitioner_ids: Vec<PractitionerId>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}
fn default_horizon() -> u32 {
    365
}

impl Default for AppointmentTypeInput {
    fn default() -> Self {
        AppointmentTypeInput {
            name: String::new(),
            duration_minutes: 0,
            buffer_before_minutes: 0,
            buffer_after_minutes: 0,
            capacity: 1,
            min_notice_minutes: 0,
            max_horizon_days: default_horizon(),
            practitioner_ids: Vec::new(),
            active: true,
        }
    }
}

/// A validated appointment type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AppointmentTypeRecord", into = "AppointmentTypeRecord")]
pub struct AppointmentType {
    id: AppointmentTypeId,
    clinic_id: ClinicId,
    input: AppointmentTypeInput,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppointmentTypeRecord {
    pub id: AppointmentTypeId,
    pub clinic_id: ClinicId,
    #[serde(flatten)]
    pub input: AppointmentTypeInput,
}

impl TryFrom<AppointmentTypeRecord> for AppointmentType {
    type Error = ClinicError;
    fn try_from(r: AppointmentTypeRecord) -> Result<Self, Self::Error> {
        AppointmentType::new(r.id, r.clinic_id, r.input)
    }
}

impl From<AppointmentType> for AppointmentTypeRecord {
    fn from(t: AppointmentType) -> Self {
        AppointmentTypeRecord { id: t.id, clinic_id: t.clinic_id, input: t.input }
    }
}

impl AppointmentType {
    /// ```
    /// use clinic_core::{AppointmentType, AppointmentTypeId, AppointmentTypeInput, ClinicId};
    /// let t = AppointmentType::new(AppointmentTypeId::new(), ClinicId::new(), AppointmentTypeInput {
    ///     name: "Check-up".into(), duration_minutes: 20, buffer_after_minutes: 5, ..Default::default()
    /// }).unwrap();
    /// assert!(!t.is_group());
    /// let zero = AppointmentTypeInput { name: "x".into(), duration_minutes: 0, ..Default::default() };
    /// let e = AppointmentType::new(AppointmentTypeId::new(), ClinicId::new(), zero).unwrap_err();
    /// assert_eq!(e.code().as_str(), "INVALID_DURATION");
    /// ```
    pub fn new(
        id: AppointmentTypeId,
        clinic_id: ClinicId,
        mut input: AppointmentTypeInput,
    ) -> Result<Self, ClinicError> {
        let mut errs = ValidationErrors::new();
        input.name = required_text(&mut errs, "name", &input.name, 200);
        if input.duration_minutes == 0 || i64::from(input.duration_minutes) > MAX_SLOT_MINUTES {
            errs.push(
                ErrorCode::InvalidDuration,
                "duration_minutes",
                format!("duration must be 1..={MAX_SLOT_MINUTES} minutes"),
            );
        }
        for (field, v) in [
            ("buffer_before_minutes", input.buffer_before_minutes),
            ("buffer_after_minutes", input.buffer_after_minutes),
        ] {
            if v > MAX_BUFFER_MINUTES {
                errs.push(
                    ErrorCode::InvalidBuffer,
                    field,
                    format!("a buffer may be at most {MAX_BUFFER_MINUTES} minutes"),
                );
            }
        }
        if input.capacity == 0 || input.capacity > MAX_CAPACITY {
            errs.push(ErrorCode::InvalidCapacity, "capacity", format!("capacity must be 1..={MAX_CAPACITY}"));
        }
        if input.max_horizon_days == 0 || input.max_horizon_days > MAX_HORIZON_DAYS {
            errs.push(
                ErrorCode::InvalidHorizon,
                "max_horizon_days",
                format!("horizon must be 1..={MAX_HORIZON_DAYS} days"),
            );
        } else if u64::from(input.min_notice_minutes) >= u64::from(input.max_horizon_days) * 1440 {
            errs.push(
                ErrorCode::InvalidHorizon,
                "min_notice_minutes",
                "minimum notice must be shorter than the horizon",
            );
        }
        errs.into_result()?;
        input.practitioner_ids.sort();
        input.practitioner_ids.dedup();
        Ok(AppointmentType { id, clinic_id, input })
    }

    pub fn id(&self) -> AppointmentTypeId {
        self.id
    }
    pub fn clinic_id(&self) -> ClinicId {
        self.clinic_id
    }
    pub fn name(&self) -> &str {
        &self.input.name
    }
    pub fn duration_minutes(&self) -> u32 {
        self.input.duration_minutes
    }
    pub fn buffer_before_minutes(&self) -> u32 {
        self.input.buffer_before_minutes
    }
    pub fn buffer_after_minutes(&self) -> u32 {
        self.input.buffer_after_minutes
    }
    pub fn capacity(&self) -> u32 {
        self.input.capacity
    }
    pub fn is_group(&self) -> bool {
        self.input.capacity > 1
    }
    pub fn min_notice_minutes(&self) -> u32 {
        self.input.min_notice_minutes
    }
    pub fn max_horizon_days(&self) -> u32 {
        self.input.max_horizon_days
    }
    pub fn practitioner_ids(&self) -> &[PractitionerId] {
        &self.input.practitioner_ids
    }
    pub fn active(&self) -> bool {
        self.input.active
    }
    pub fn input(&self) -> &AppointmentTypeInput {
        &self.input
    }

    /// Whether `p` offers this type (an empty list means everyone does).
    pub fn offered_by(&self, p: PractitionerId) -> bool {
        self.input.practitioner_ids.is_empty() || self.input.practitioner_ids.binary_search(&p).is_ok()
    }
}
