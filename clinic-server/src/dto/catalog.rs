//! Clinics, practitioners, rooms, appointment types and schedules on the wire.

use chrono::{NaiveDate, NaiveTime};
use clinic_core::{
    AppointmentType, AppointmentTypeId, AppointmentTypeInput, Break, Clinic, ClinicError, ClinicId, ClinicInput,
    Closure, ExceptionKind, Practitioner, PractitionerId, RecurringHours, ResourceRef, Room, RoomId, Schedule,
    ScheduleException, ScheduleInput, ValidationErrors, WeeklyHours,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::common::{finish, AddressDto, ContactDto, Weekday};

/// A day (or `[start, end)` of a day) the whole clinic is closed, local time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureDto {
    pub date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveTime>,
    #[serde(default)]
    pub reason: String,
}

/// Create or replace a clinic.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClinicBody {
    pub name: String,
    /// IANA time zone, e.g. `Europe/London`.
    pub time_zone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressDto>,
    #[serde(default)]
    pub contact: ContactDto,
    #[serde(default)]
    pub closures: Vec<ClosureDto>,
}

impl ClinicBody {
    pub fn into_core(self) -> Result<ClinicInput, ClinicError> {
        let mut errs = ValidationErrors::new();
        let address = self.address.and_then(|a| a.into_core(&mut errs, "address"));
        let contact = self.contact.into_core(&mut errs, "contact");
        let closures = self
            .closures
            .into_iter()
            .map(|c| Closure { date: c.date, start: c.start, end: c.end, reason: c.reason })
            .collect();
        finish(errs, ClinicInput { name: self.name, time_zone: self.time_zone, address, contact, closures })
    }
}

/// A clinic.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClinicView {
    pub id: Uuid,
    #[serde(flatten)]
    pub body: ClinicBody,
}

impl From<&Clinic> for ClinicView {
    fn from(c: &Clinic) -> Self {
        ClinicView {
            id: c.id().0,
            body: ClinicBody {
                name: c.name().to_string(),
                time_zone: c.time_zone().name().to_string(),
                address: c.address().map(AddressDto::from),
                contact: c.contact().into(),
                closures: c
                    .closures()
                    .iter()
                    .map(|c| ClosureDto { date: c.date, start: c.start, end: c.end, reason: c.reason.clone() })
                    .collect(),
            },
        }
    }
}

/// Create or replace a practitioner.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PractitionerBody {
    pub name: String,
    #[serde(default)]
    pub contact: ContactDto,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl PractitionerBody {
    /// `existing` keeps the login link of a practitioner being replaced.
    pub fn into_core(
        self,
        id: PractitionerId,
        clinic: ClinicId,
        existing: Option<&Practitioner>,
    ) -> Result<Practitioner, ClinicError> {
        let mut errs = ValidationErrors::new();
        let contact = self.contact.into_core(&mut errs, "contact");
        errs.into_result()?;
        let mut p = Practitioner::new(id, clinic, &self.name, contact)?.with_active(self.active);
        if let Some(u) = existing.and_then(|e| e.user_id()) {
            p = p.with_user(u);
        }
        Ok(p)
    }
}

/// A practitioner.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PractitionerView {
    pub id: Uuid,
    pub clinic_id: Uuid,
    #[serde(flatten)]
    pub body: PractitionerBody,
}

impl From<&Practitioner> for PractitionerView {
    fn from(p: &Practitioner) -> Self {
        PractitionerView {
            id: p.id().0,
            clinic_id: p.clinic_id().0,
            body: PractitionerBody { name: p.name().to_string(), contact: p.contact().into(), active: p.active() },
        }
    }
}

/// Create or replace a room.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomBody {
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

impl RoomBody {
    pub fn into_core(self, id: RoomId, clinic: ClinicId) -> Result<Room, ClinicError> {
        Ok(Room::new(id, clinic, &self.name)?.with_active(self.active))
    }
}

/// A room.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoomView {
    pub id: Uuid,
    pub clinic_id: Uuid,
    #[serde(flatten)]
    pub body: RoomBody,
}

impl From<&Room> for RoomView {
    fn from(r: &Room) -> Self {
        RoomView {
            id: r.id().0,
            clinic_id: r.clinic_id().0,
            body: RoomBody { name: r.name().to_string(), active: r.active() },
        }
    }
}

/// Create or replace an appointment type.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentTypeBody {
    pub name: String,
    pub duration_minutes: u32,
    #[serde(default)]
    pub buffer_before_minutes: u32,
    #[serde(default)]
    pub buffer_after_minutes: u32,
    /// 1 = individual; more = a group session sharing the identical slot.
    #[serde(default = "one")]
    pub capacity: u32,
    #[serde(default)]
    pub min_notice_minutes: u32,
    #[serde(default = "horizon")]
    pub max_horizon_days: u32,
    /// Practitioners offering the type; empty = all.
    #[serde(default)]
    pub practitioner_ids: Vec<Uuid>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn one() -> u32 {
    1
}
fn horizon() -> u32 {
    365
}

impl AppointmentTypeBody {
    pub fn into_core(self, id: AppointmentTypeId, clinic: ClinicId) -> Result<AppointmentType, ClinicError> {
        AppointmentType::new(
            id,
            clinic,
            AppointmentTypeInput {
                name: self.name,
                duration_minutes: self.duration_minutes,
                buffer_before_minutes: self.buffer_before_minutes,
                buffer_after_minutes: self.buffer_after_minutes,
                capacity: self.capacity,
                min_notice_minutes: self.min_notice_minutes,
                max_horizon_days: self.max_horizon_days,
                practitioner_ids: self.practitioner_ids.into_iter().map(PractitionerId).collect(),
                active: self.active,
            },
        )
    }
}

/// An appointment type.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppointmentTypeView {
    pub id: Uuid,
    pub clinic_id: Uuid,
    #[serde(flatten)]
    pub body: AppointmentTypeBody,
}

impl From<&AppointmentType> for AppointmentTypeView {
    fn from(t: &AppointmentType) -> Self {
        let i = t.input();
        AppointmentTypeView {
            id: t.id().0,
            clinic_id: t.clinic_id().0,
            body: AppointmentTypeBody {
                name: i.name.clone(),
                duration_minutes: i.duration_minutes,
                buffer_before_minutes: i.buffer_before_minutes,
                buffer_after_minutes: i.buffer_after_minutes,
                capacity: i.capacity,
                min_notice_minutes: i.min_notice_minutes,
                max_horizon_days: i.max_horizon_days,
                practitioner_ids: i.practitioner_ids.iter().map(|p| p.0).collect(),
                active: i.active,
            },
        }
    }
}

/// Which resource a schedule describes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ResourceDto {
    Practitioner(Uuid),
    Room(Uuid),
}

impl From<ResourceDto> for ResourceRef {
    fn from(r: ResourceDto) -> Self {
        match r {
            ResourceDto::Practitioner(id) => ResourceRef::Practitioner(PractitionerId(id)),
            ResourceDto::Room(id) => ResourceRef::Room(RoomId(id)),
        }
    }
}

impl From<ResourceRef> for ResourceDto {
    fn from(r: ResourceRef) -> Self {
        match r {
            ResourceRef::Practitioner(p) => ResourceDto::Practitioner(p.0),
            ResourceRef::Room(r) => ResourceDto::Room(r.0),
        }
    }
}

/// Opening hours on one weekday, local time `[start, end)`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHoursDto {
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// Hours by RFC 5545 RRULE: each occurrence opens `duration_minutes` at `start` local time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurrenceDto {
    pub rrule: String,
    pub start: NaiveTime,
    pub duration_minutes: u32,
}

/// A recurring break on the given weekdays (empty = every day).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakDto {
    #[serde(default)]
    pub weekdays: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// `extra` hours or an `absence` on one date.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKindDto {
    Extra,
    Absence,
}

/// A dated change to the regular hours.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionDto {
    pub date: NaiveDate,
    pub kind: ExceptionKindDto,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveTime>,
    #[serde(default)]
    pub reason: String,
}

/// Create or replace a schedule.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    pub resource: ResourceDto,
    #[serde(default)]
    pub weekly_hours: Vec<WeeklyHoursDto>,
    #[serde(default)]
    pub recurrences: Vec<RecurrenceDto>,
    #[serde(default)]
    pub breaks: Vec<BreakDto>,
    #[serde(default)]
    pub exceptions: Vec<ExceptionDto>,
    pub valid_from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    #[serde(default = "five")]
    pub granularity_minutes: u32,
}

fn five() -> u32 {
    5
}

impl ScheduleBody {
    pub fn into_core(self, id: clinic_core::ScheduleId, clinic: ClinicId) -> Result<Schedule, ClinicError> {
        let input = ScheduleInput {
            resource: self.resource.into(),
            weekly_hours: self
                .weekly_hours
                .into_iter()
                .map(|w| WeeklyHours { weekday: w.weekday.into(), start: w.start, end: w.end })
                .collect(),
            recurrences: self
                .recurrences
                .into_iter()
                .map(|r| RecurringHours { rrule: r.rrule, start: r.start, duration_minutes: r.duration_minutes })
                .collect(),
            breaks: self
                .breaks
                .into_iter()
                .map(|b| Break {
                    weekdays: b.weekdays.into_iter().map(Into::into).collect(),
                    start: b.start,
                    end: b.end,
                })
                .collect(),
            exceptions: self
                .exceptions
                .into_iter()
                .map(|e| ScheduleException {
                    date: e.date,
                    kind: match e.kind {
                        ExceptionKindDto::Extra => ExceptionKind::Extra,
                        ExceptionKindDto::Absence => ExceptionKind::Absence,
                    },
                    start: e.start,
                    end: e.end,
                    reason: e.reason,
                })
                .collect(),
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            granularity_minutes: self.granularity_minutes,
        };
        Schedule::new(id, clinic, input)
    }
}

/// A schedule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleView {
    pub id: Uuid,
    pub clinic_id: Uuid,
    #[serde(flatten)]
    pub body: ScheduleBody,
}

impl From<&Schedule> for ScheduleView {
    fn from(s: &Schedule) -> Self {
        let i = s.input();
        ScheduleView {
            id: s.id().0,
            clinic_id: s.clinic_id().0,
            body: ScheduleBody {
                resource: i.resource.into(),
                weekly_hours: i
                    .weekly_hours
                    .iter()
                    .map(|w| WeeklyHoursDto { weekday: w.weekday.into(), start: w.start, end: w.end })
                    .collect(),
                recurrences: i
                    .recurrences
                    .iter()
                    .map(|r| RecurrenceDto {
                        rrule: r.rrule.clone(),
                        start: r.start,
                        duration_minutes: r.duration_minutes,
                    })
                    .collect(),
                breaks: i
                    .breaks
                    .iter()
                    .map(|b| BreakDto {
                        weekdays: b.weekdays.iter().map(|w| (*w).into()).collect(),
                        start: b.start,
                        end: b.end,
                    })
                    .collect(),
                exceptions: i
                    .exceptions
                    .iter()
                    .map(|e| ExceptionDto {
                        date: e.date,
                        kind: match e.kind {
                            ExceptionKind::Extra => ExceptionKindDto::Extra,
                            ExceptionKind::Absence => ExceptionKindDto::Absence,
                        },
                        start: e.start,
                        end: e.end,
                        reason: e.reason.clone(),
                    })
                    .collect(),
                valid_from: i.valid_from,
                valid_until: i.valid_until,
                granularity_minutes: i.granularity_minutes,
            },
        }
    }
}
