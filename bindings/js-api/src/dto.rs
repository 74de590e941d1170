//! The JSON-shaped objects JavaScript passes in and gets back (camelCase, ids and instants as strings).
//!
//! Their TypeScript mirror is `bindings/js-api/types.d.ts` (hand-written; it becomes the header of the napi
//! build's `index.d.ts` and a custom section of the wasm module's `.d.ts`); the JS suites exercise both builds
//! with objects of these shapes.
//! Enumerations and nested values whose field names are single words (`weekday`, `start`, `kind`) reuse the
//! core's own serde types; everything with a multi-word field has a DTO here.

use clinic_core::{AppointmentStatus, Break, Closure, ScheduleException, Sex, WeeklyHours};
use serde::{Deserialize, Serialize};

use crate::values::{present, Date, Id, Instant, Time};

// ------------------------------------------------------------------------------------------------------
// Calendar input
// ------------------------------------------------------------------------------------------------------

/// Everything the engine needs to decide bookings for one clinic.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarInput {
    pub clinic: ClinicDto,
    #[serde(default)]
    pub practitioners: Vec<PractitionerDto>,
    #[serde(default)]
    pub rooms: Vec<RoomDto>,
    pub appointment_types: Vec<AppointmentTypeDto>,
    #[serde(default)]
    pub schedules: Vec<ScheduleDto>,
    /// Existing appointments; inactive ones (cancelled, fulfilled, noshow) hold no slot.
    #[serde(default)]
    pub appointments: Vec<AppointmentDto>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressDto {
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub postal_code: String,
    pub country: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClinicDto {
    pub id: Id,
    pub name: String,
    /// IANA zone, e.g. `"Europe/London"`.
    pub time_zone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactDto>,
    #[serde(default)]
    pub closures: Vec<Closure>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PractitionerDto {
    pub id: Id,
    /// Defaults to the calendar's clinic; another clinic's id is `CLINIC_MISMATCH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinic_id: Option<Id>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactDto>,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomDto {
    pub id: Id,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinic_id: Option<Id>,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentTypeDto {
    pub id: Id,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinic_id: Option<Id>,
    pub name: String,
    pub duration_minutes: u32,
    #[serde(default)]
    pub buffer_before_minutes: u32,
    #[serde(default)]
    pub buffer_after_minutes: u32,
    /// Absent = 1 (an individual appointment); above 1 = a group session.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    #[serde(default)]
    pub min_notice_minutes: u32,
    /// Absent = the engine's default horizon.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub max_horizon_days: Option<u32>,
    /// Practitioners who offer the type; empty = all of them.
    #[serde(default)]
    pub practitioner_ids: Vec<Id>,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ResourceKind {
    Practitioner,
    Room,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDto {
    pub kind: ResourceKind,
    pub id: Id,
}

/// Hours given by an RFC 5545 RRULE in the clinic's local time.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecurrenceDto {
    pub rrule: String,
    pub start: Time,
    pub duration_minutes: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleDto {
    pub id: Id,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinic_id: Option<Id>,
    pub resource: ResourceDto,
    #[serde(default)]
    pub weekly_hours: Vec<WeeklyHours>,
    #[serde(default)]
    pub recurrences: Vec<RecurrenceDto>,
    #[serde(default)]
    pub breaks: Vec<Break>,
    #[serde(default)]
    pub exceptions: Vec<ScheduleException>,
    pub valid_from: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
    /// Absent = the engine's default granularity.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub granularity_minutes: Option<u32>,
}

/// An existing appointment: its end and buffers come from its type.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentDto {
    pub id: Id,
    pub patient_id: Id,
    pub practitioner_id: Id,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_id: Option<Id>,
    pub appointment_type_id: Id,
    pub start: Instant,
    /// Absent = `"booked"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AppointmentStatus>,
}

// ------------------------------------------------------------------------------------------------------
// Requests
// ------------------------------------------------------------------------------------------------------

/// A booking to check: new, or a move of `rescheduleOf`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingRequestDto {
    pub patient_id: Id,
    pub practitioner_id: Id,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_id: Option<Id>,
    pub appointment_type_id: Id,
    pub start: Instant,
    #[serde(default)]
    pub overbook: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reschedule_of: Option<Id>,
}

/// How to check: the clock, and whether the caller's role may overbook (rule 6).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckOptions {
    pub now: Instant,
    #[serde(default)]
    pub may_overbook: bool,
    /// Search alternatives for a rejected request (default true for one check, false for a bulk check).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<bool>,
}

/// Free starts of a type in `[from, to)`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotQueryDto {
    pub appointment_type_id: Id,
    /// Empty or absent = every practitioner who offers the type.
    #[serde(default)]
    pub practitioner_ids: Vec<Id>,
    pub from: Instant,
    pub to: Instant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_id: Option<Id>,
    /// An appointment being rescheduled: its own slot does not block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<Id>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

// ------------------------------------------------------------------------------------------------------
// Results
// ------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotOfferDto {
    pub start: Instant,
    pub end: Instant,
    pub practitioner_id: Id,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ViolationDto {
    pub code: String,
    pub message: String,
    /// Appointments this booking collides with (rules 1 and 2).
    pub conflicting: Vec<Id>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlternativesDto {
    pub same_practitioner: Vec<SlotOfferDto>,
    pub other_practitioners: Vec<SlotOfferDto>,
}

/// The engine's answer to a booking request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerdictDto {
    pub accepted: bool,
    /// The violated rules' codes, in the engine's order (same as `violations[].code`).
    pub codes: Vec<String>,
    pub violations: Vec<ViolationDto>,
    /// Accepted only because an allowed overbooking bypassed rule 1.
    pub overbooked: bool,
    pub alternatives: AlternativesDto,
}

// ------------------------------------------------------------------------------------------------------
// Import
// ------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DateOrderDto {
    /// `dd/mm/yyyy`
    #[default]
    DayFirst,
    /// `mm/dd/yyyy`
    MonthFirst,
}

/// How to read a patients file (CSV, XLS or XLSX, told apart by content).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOptionsDto {
    /// The clinic the patients belong to (a fresh id when absent: a dry run needs none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinic_id: Option<Id>,
    #[serde(default)]
    pub date_order: DateOrderDto,
    /// ISO 3166 alpha-2 region for phone numbers written without `+country`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_region: Option<String>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub max_cell_chars: Option<u32>,
    /// Birth dates after this clinic-local date are rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub today: Option<Date>,
    /// Return the accepted patients (default true); false returns counts and rejections only.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub include_accepted: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentifierDto {
    pub system: String,
    pub value: String,
}

/// A validated, normalized patient (E.164 phone, lowercased e-mail, ISO dates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientDto {
    pub id: Id,
    pub clinic_id: Id,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrn: Option<String>,
    pub given_name: String,
    pub family_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<Date>,
    pub sex: Sex,
    pub contact: ContactOutDto,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressDto>,
    pub identifiers: Vec<IdentifierDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactOutDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcceptedRowDto {
    /// The row number the file shows (header = 1).
    pub row: u64,
    pub patient: PatientDto,
}

/// One problem of one row; `column` is empty when the whole row is at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectionDto {
    pub row: u64,
    pub column: String,
    pub code: String,
    pub message: String,
    /// The cell as written (cut to 200 characters).
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientImportDto {
    pub accepted_count: u64,
    /// Rows with at least one problem.
    pub rejected_count: u64,
    /// Empty when `includeAccepted` is false.
    pub accepted: Vec<AcceptedRowDto>,
    pub rejections: Vec<RejectionDto>,
    /// The rejection report as CSV (`row,column,code,message,value`), ready to save next to the file.
    pub rejections_csv: String,
}

/// A syntactically valid appointment row (names not resolved: that needs the clinic's data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentRowDto {
    pub row: u64,
    pub mrn: String,
    pub practitioner: String,
    pub appointment_type: String,
    /// `"YYYY-MM-DDTHH:MM:SS"` in the clinic's wall time when `startIsLocal`, else RFC 3339 in UTC.
    pub start: String,
    pub start_is_local: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentImportDto {
    pub accepted_count: u64,
    pub rejected_count: u64,
    pub accepted: Vec<AppointmentRowDto>,
    pub rejections: Vec<RejectionDto>,
    pub rejections_csv: String,
}
