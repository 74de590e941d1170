//! The one error vocabulary of the engine.
//!
//! Every failure carries a stable machine code ([`ErrorCode`]) that the server, the Python package and the
//! JavaScript packages expose unchanged, so a client can branch on `SLOT_CONFLICT_PRACTITIONER` in any runtime.
//! Validation collects *all* problems of an input with their location (like pydantic-core) instead of stopping
//! at the first one.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::engine::BookingRejection;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident ),+ $(,)?) => {
        /// Stable, SCREAMING_SNAKE_CASE error codes. Never renamed once released: clients match on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )+
        }

        impl ErrorCode {
            /// Every code, in declaration order (for documentation and the OpenAPI enum).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];
        }
    };
}

error_codes! {
    // --- input validation ---
    /// A required field is missing or blank.
    Required,
    /// A text field is longer than allowed.
    TooLong,
    /// Not an IANA time-zone name known to the engine.
    InvalidTimeZone,
    /// A slot whose end is not after its start.
    TimeSlotInverted,
    /// A slot of zero length.
    TimeSlotEmpty,
    /// A slot longer than the longest appointment allowed.
    TimeSlotTooLong,
    /// Instants must have minute precision.
    TimeSlotNotMinuteAligned,
    /// Not a valid phone number (stored as E.164).
    InvalidPhone,
    /// Not a valid e-mail address.
    InvalidEmail,
    /// Not a valid ISO 3166-1 alpha-2 country code.
    InvalidCountry,
    /// A date that does not exist or cannot be read.
    InvalidDate,
    /// A date of birth in the future.
    DateOfBirthInFuture,
    /// A local time range whose end is not after its start.
    InvalidTimeRange,
    /// A validity range whose end is before its start.
    InvalidValidityRange,
    /// An RRULE the RFC 5545 parser refuses.
    InvalidRrule,
    /// An RRULE with neither COUNT nor UNTIL on a schedule without an end date.
    RruleUnbounded,
    /// An RRULE that yields no occurrence inside the schedule's validity.
    RruleNoOccurrences,
    /// A duration outside the allowed range.
    InvalidDuration,
    /// A buffer outside the allowed range.
    InvalidBuffer,
    /// A capacity below 1 or above the maximum.
    InvalidCapacity,
    /// A slot granularity that is 0 or does not divide a day.
    InvalidGranularity,
    /// Minimum notice larger than the maximum horizon, or a negative value.
    InvalidHorizon,
    /// An identifier that is not a UUID.
    InvalidId,
    /// A request body that is not valid JSON of the expected shape.
    InvalidJson,
    /// A schedule, appointment or other object that refers to another clinic's resources.
    ClinicMismatch,
    // --- booking rules (DESIGN.md §3 "Booking rules") ---
    /// Rule 1: the practitioner has another active appointment in the effective interval.
    SlotConflictPractitioner,
    /// Rule 1: the room has another active appointment in the effective interval.
    SlotConflictRoom,
    /// Rule 1 for group types: the identical session already holds `capacity` patients.
    GroupSessionFull,
    /// Rule 2: the patient has another active appointment overlapping the slot.
    PatientDoubleBooked,
    /// Rule 3: the slot is not inside one availability window of the practitioner.
    OutsideAvailability,
    /// Rule 3: the slot overlaps a clinic closure.
    ClinicClosed,
    /// Rule 3 for rooms: the slot is outside the room's schedule.
    RoomUnavailable,
    /// Rule 4: the start is sooner than the type's minimum notice.
    MinNoticeViolated,
    /// Rule 4: the start is beyond the type's booking horizon.
    BeyondBookingHorizon,
    /// Rule 5: the start is not on the schedule's granularity from the window's start.
    MisalignedStart,
    /// Rule 6: overbooking requested by a role not allowed to.
    OverbookNotPermitted,
    /// The practitioner does not offer this appointment type.
    TypeNotOffered,
    /// The practitioner, room or type is inactive.
    ResourceInactive,
    // --- lifecycle ---
    /// A status change the state machine does not allow.
    InvalidStatusTransition,
    /// `arrived` is only reachable on the appointment's (clinic-local) day.
    ArrivalNotToday,
    /// Rescheduling or cancelling an appointment that is no longer active.
    AppointmentNotActive,
    // --- store and concurrency ---
    /// The referenced object does not exist.
    NotFound,
    /// The caller's version (If-Match) is stale.
    VersionConflict,
    /// Another patient of the clinic already has this MRN.
    DuplicateMrn,
    /// A concurrent writer kept winning; the booking was not made.
    ConcurrentModification,
    /// The store could not be reached or failed.
    StoreUnavailable,
    // --- authorization ---
    /// The actor's role or ownership does not allow the action.
    Forbidden,
    // --- reports ---
    /// A report range whose end date is before its start date.
    ReportRangeInverted,
    /// A report range longer than [`crate::reports::MAX_REPORT_DAYS`] days.
    ReportRangeTooLong,
    /// A report filter names a practitioner the clinic does not have.
    UnknownPractitioner,
    /// A report could not be rendered (CSV or PDF writer failure; not expected with valid data).
    ReportOutputFailed,
    // --- interoperability (FHIR R4 import) ---
    /// A FHIR resource whose `resourceType` is missing or not the one expected.
    FhirWrongResourceType,
    /// A FHIR element of the wrong JSON type (e.g. a number where a string is required).
    FhirInvalidType,
    /// A FHIR code the mapping does not support (e.g. appointment status `entered-in-error`).
    FhirUnsupportedCode,
    /// A FHIR reference (or coded appointment type) that cannot be resolved to one of the clinic's ids.
    FhirUnresolvedReference,
    // --- import (DESIGN.md §3 "Import pipeline") ---
    /// The file cannot be read as CSV, XLS or XLSX at all (binary data, broken container, empty file).
    ImportMalformedFile,
    /// The header row lacks a column the record type needs (or names one field twice).
    ImportMissingColumn,
    /// One record cannot be read (wrong number of fields, invalid UTF-8).
    ImportMalformedRow,
    /// The file (or its decompressed content) is larger than the import allows.
    ImportFileTooLarge,
    /// The file has a header but no data rows.
    ImportNoRows,
    /// A value the importer does not know (a practitioner or type name, a sex code).
    ImportUnknownValue,
    /// A spreadsheet formula cell saved without its computed value (written by a program, never opened).
    ImportFormulaNotComputed,
}

impl ErrorCode {
    /// The wire form, e.g. `"SLOT_CONFLICT_PRACTITIONER"`.
    pub fn as_str(self) -> &'static str {
        // serde's rename is the single definition of the wire form; this mirrors it without allocating.
        macro_rules! name {
            ($($v:ident => $s:literal),+ $(,)?) => {
                match self { $(ErrorCode::$v => $s,)+ }
            };
        }
        name! {
            Required => "REQUIRED", TooLong => "TOO_LONG", InvalidTimeZone => "INVALID_TIME_ZONE",
            TimeSlotInverted => "TIME_SLOT_INVERTED", TimeSlotEmpty => "TIME_SLOT_EMPTY",
            TimeSlotTooLong => "TIME_SLOT_TOO_LONG", TimeSlotNotMinuteAligned => "TIME_SLOT_NOT_MINUTE_ALIGNED",
            InvalidPhone => "INVALID_PHONE", InvalidEmail => "INVALID_EMAIL", InvalidCountry => "INVALID_COUNTRY",
            InvalidDate => "INVALID_DATE", DateOfBirthInFuture => "DATE_OF_BIRTH_IN_FUTURE",
            InvalidTimeRange => "INVALID_TIME_RANGE", InvalidValidityRange => "INVALID_VALIDITY_RANGE",
            InvalidRrule => "INVALID_RRULE", RruleUnbounded => "RRULE_UNBOUNDED",
            RruleNoOccurrences => "RRULE_NO_OCCURRENCES", InvalidDuration => "INVALID_DURATION",
            InvalidBuffer => "INVALID_BUFFER", InvalidCapacity => "INVALID_CAPACITY",
            InvalidGranularity => "INVALID_GRANULARITY", InvalidHorizon => "INVALID_HORIZON",
            InvalidId => "INVALID_ID", InvalidJson => "INVALID_JSON", ClinicMismatch => "CLINIC_MISMATCH",
            SlotConflictPractitioner => "SLOT_CONFLICT_PRACTITIONER", SlotConflictRoom => "SLOT_CONFLICT_ROOM",
            GroupSessionFull => "GROUP_SESSION_FULL", PatientDoubleBooked => "PATIENT_DOUBLE_BOOKED",
            OutsideAvailability => "OUTSIDE_AVAILABILITY", ClinicClosed => "CLINIC_CLOSED",
            RoomUnavailable => "ROOM_UNAVAILABLE", MinNoticeViolated => "MIN_NOTICE_VIOLATED",
            BeyondBookingHorizon => "BEYOND_BOOKING_HORIZON", MisalignedStart => "MISALIGNED_START",
            OverbookNotPermitted => "OVERBOOK_NOT_PERMITTED", TypeNotOffered => "TYPE_NOT_OFFERED",
            ResourceInactive => "RESOURCE_INACTIVE", InvalidStatusTransition => "INVALID_STATUS_TRANSITION",
            ArrivalNotToday => "ARRIVAL_NOT_TODAY", AppointmentNotActive => "APPOINTMENT_NOT_ACTIVE",
            NotFound => "NOT_FOUND", VersionConflict => "VERSION_CONFLICT", DuplicateMrn => "DUPLICATE_MRN",
            ConcurrentModification => "CONCURRENT_MODIFICATION", StoreUnavailable => "STORE_UNAVAILABLE",
            Forbidden => "FORBIDDEN", ReportRangeInverted => "REPORT_RANGE_INVERTED",
            ReportRangeTooLong => "REPORT_RANGE_TOO_LONG", UnknownPractitioner => "UNKNOWN_PRACTITIONER",
            ReportOutputFailed => "REPORT_OUTPUT_FAILED",
            FhirWrongResourceType => "FHIR_WRONG_RESOURCE_TYPE", FhirInvalidType => "FHIR_INVALID_TYPE",
            FhirUnsupportedCode => "FHIR_UNSUPPORTED_CODE", FhirUnresolvedReference => "FHIR_UNRESOLVED_REFERENCE",
            ImportMalformedFile => "IMPORT_MALFORMED_FILE",
            ImportMissingColumn => "IMPORT_MISSING_COLUMN", ImportMalformedRow => "IMPORT_MALFORMED_ROW",
            ImportFileTooLarge => "IMPORT_FILE_TOO_LARGE", ImportNoRows => "IMPORT_NO_ROWS",
            ImportUnknownValue => "IMPORT_UNKNOWN_VALUE", ImportFormulaNotComputed => "IMPORT_FORMULA_NOT_COMPUTED",
        }
    }

    /// Parses the wire form back into a code.
    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem of an input, with where it is (`"contact.phone"`, `"weekly_hours[2].end"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub code: ErrorCode,
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(code: ErrorCode, field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { code, field: field.into(), message: message.into() }
    }
}

/// All problems of one input. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ValidationErrors {
    pub errors: Vec<FieldError>,
}

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, code: ErrorCode, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(code, field, message));
    }

    /// Merges another input's errors under a prefix (`"address"` + `"city"` → `"address.city"`).
    pub fn extend_prefixed(&mut self, prefix: &str, other: ValidationErrors) {
        for mut e in other.errors {
            e.field = join_field(prefix, &e.field);
            self.errors.push(e);
        }
    }

    /// Runs a fallible constructor and records its errors under `prefix`, returning the value when valid.
    pub fn collect<T>(&mut self, prefix: &str, r: Result<T, ClinicError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(ClinicError::Validation(v)) => {
                self.extend_prefixed(prefix, v);
                None
            }
            Err(other) => {
                self.push(other.code(), prefix, other.to_string());
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(())` when nothing was recorded, else the collected error.
    pub fn into_result(self) -> Result<(), ClinicError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ClinicError::Validation(self))
        }
    }
}

fn join_field(prefix: &str, field: &str) -> String {
    match (prefix.is_empty(), field.is_empty()) {
        (true, _) => field.to_string(),
        (_, true) => prefix.to_string(),
        _ if field.starts_with('[') => format!("{prefix}{field}"),
        _ => format!("{prefix}.{field}"),
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            if e.field.is_empty() {
                write!(f, "{}: {}", e.code, e.message)?;
            } else {
                write!(f, "{} ({}): {}", e.field, e.code, e.message)?;
            }
        }
        Ok(())
    }
}

/// The error type of every fallible operation of the engine.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ClinicError {
    /// One or more invalid fields.
    #[error("invalid input: {0}")]
    Validation(ValidationErrors),
    /// A booking (create, reschedule, status change into an active state) broke one or more rules.
    #[error("{0}")]
    Booking(Box<BookingRejection>),
    /// A lifecycle or authorization rule, with its code.
    #[error("{message}")]
    Rule { code: ErrorCode, message: String },
    /// The referenced object does not exist.
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// The store failed; `retryable` tells whether repeating the call is safe and may succeed.
    #[error("store error: {message}")]
    Store { message: String, retryable: bool },
}

impl ClinicError {
    /// The primary stable code (for a rejection with several violations: the first one).
    pub fn code(&self) -> ErrorCode {
        match self {
            ClinicError::Validation(v) => v.errors.first().map(|e| e.code).unwrap_or(ErrorCode::Required),
            ClinicError::Booking(r) => r.violations.first().map(|v| v.code).unwrap_or(ErrorCode::OutsideAvailability),
            ClinicError::Rule { code, .. } => *code,
            ClinicError::NotFound { .. } => ErrorCode::NotFound,
            ClinicError::Store { .. } => ErrorCode::StoreUnavailable,
        }
    }

    /// Every code this error carries (all field errors, all violated rules).
    pub fn codes(&self) -> Vec<ErrorCode> {
        match self {
            ClinicError::Validation(v) => v.errors.iter().map(|e| e.code).collect(),
            ClinicError::Booking(r) => r.violations.iter().map(|v| v.code).collect(),
            other => vec![other.code()],
        }
    }

    /// A single-field validation error.
    pub fn field(code: ErrorCode, field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut v = ValidationErrors::new();
        v.push(code, field, message);
        ClinicError::Validation(v)
    }

    pub fn rule(code: ErrorCode, message: impl Into<String>) -> Self {
        ClinicError::Rule { code, message: message.into() }
    }

    pub fn not_found(entity: &'static str, id: impl fmt::Display) -> Self {
        ClinicError::NotFound { entity, id: id.to_string() }
    }
}

pub type Result<T, E = ClinicError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_matches_serde_for_every_code() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
        }
    }

    #[test]
    fn prefixes_join_into_paths() {
        let mut inner = ValidationErrors::new();
        inner.push(ErrorCode::InvalidPhone, "phone", "bad");
        inner.push(ErrorCode::Required, "", "missing");
        let mut outer = ValidationErrors::new();
        outer.extend_prefixed("contact", inner);
        let fields: Vec<_> = outer.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["contact.phone", "contact"]);
    }
}
