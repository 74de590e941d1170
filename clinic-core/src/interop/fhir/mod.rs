//! HL7 FHIR R4 JSON mapping of Patient, Schedule, Slot and Appointment, both directions.
//!
//! *Export* turns domain objects into FHIR JSON (`serde_json::Value`) that validates against the official
//! R4 JSON schema (`fhir.schema.json`, checked in `tests/interop_fhir.rs`). *Import* reads FHIR JSON into
//! domain inputs and never panics: every problem is a [`crate::FieldError`] with a FHIR path
//! (`name[0].given`, `participant[1].actor.reference`) and a stable code — `INVALID_JSON` (not JSON),
//! `FHIR_WRONG_RESOURCE_TYPE`, `FHIR_INVALID_TYPE`, `FHIR_UNSUPPORTED_CODE`, `FHIR_UNRESOLVED_REFERENCE`,
//! `REQUIRED`, and the domain's own codes (`INVALID_PHONE`, `INVALID_DATE`, `TIME_SLOT_INVERTED`, …).
//!
//! References: exports write `Patient/<uuid>`, `Practitioner/<uuid>`, `Location/<uuid>` (rooms) and
//! `Schedule/<uuid>`; appointment types are coded in [`APPOINTMENT_TYPE_SYSTEM`] with the type's uuid as the
//! code. Imports resolve references through a [`Resolver`]: [`IdResolver`] reads the forms above (and
//! `urn:uuid:<uuid>`); [`MapResolver`] adds explicit mappings for foreign ids (`Patient/example`).

pub mod appointment;
mod json;
pub mod patient;
pub mod schedule;
pub mod slot;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ClinicError, ErrorCode, ValidationErrors};
use crate::ids::{AppointmentTypeId, PatientId, PractitionerId, RoomId, ScheduleId};

pub use appointment::{appointment_from_fhir, appointment_to_fhir, AppointmentDisplay, AppointmentImport};
pub use patient::{patient_from_fhir, patient_to_fhir, PatientImport};
pub use schedule::{schedule_from_fhir, schedule_to_fhir, ScheduleImport};
pub use slot::{slot_from_fhir, slot_id, slot_to_fhir, SlotImport, SlotStatus};

/// The coding system of the engine's appointment types (code = the type's uuid, display = its name).
pub const APPOINTMENT_TYPE_SYSTEM: &str = "urn:clinic-scheduling:appointment-type";
/// HL7 v2 table 0203 (identifier type): `MR` marks the medical record number.
pub const IDENTIFIER_TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";

/// The identifier system of a clinic's MRNs: `urn:clinic-scheduling:clinic:<clinic uuid>:mrn`.
pub fn mrn_system(clinic: crate::ids::ClinicId) -> String {
    format!("urn:clinic-scheduling:clinic:{clinic}:mrn")
}

/// Settings of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// ISO 3166-1 alpha-2 region for phone numbers written without `+country`, and the country of an address
    /// that names none (FHIR's `Address.country` is optional; the engine's is not).
    pub default_region: Option<String>,
    /// The clinic's local "today": a birth date after it is `DATE_OF_BIRTH_IN_FUTURE`.
    pub today: Option<NaiveDate>,
}

/// Turns FHIR references (and coded appointment types) into the engine's ids.
pub trait Resolver {
    fn patient(&self, reference: &str) -> Option<PatientId>;
    fn practitioner(&self, reference: &str) -> Option<PractitionerId>;
    /// A `Location` reference: the engine's rooms.
    fn location(&self, reference: &str) -> Option<RoomId>;
    fn schedule(&self, reference: &str) -> Option<ScheduleId>;
    /// A coding of `Appointment.appointmentType` or `serviceType`.
    fn appointment_type(&self, system: Option<&str>, code: &str) -> Option<AppointmentTypeId>;
}

/// Reads the engine's own reference forms: `Type/<uuid>` (also as an absolute URL ending so) and
/// `urn:uuid:<uuid>`; appointment types coded in [`APPOINTMENT_TYPE_SYSTEM`].
#[derive(Debug, Clone, Copy, Default)]
pub struct IdResolver;

fn uuid_of(reference: &str, resource: &str) -> Option<Uuid> {
    let r = reference.trim();
    if let Some(u) = r.strip_prefix("urn:uuid:") {
        return Uuid::parse_str(u).ok();
    }
    // `Patient/<id>`, `https://host/fhir/Patient/<id>`, `Patient/<id>/_history/2`.
    let parts: Vec<&str> = r.split('/').collect();
    let at = parts.iter().rposition(|p| *p == resource)?;
    parts.get(at + 1).and_then(|id| Uuid::parse_str(id).ok())
}

impl Resolver for IdResolver {
    fn patient(&self, reference: &str) -> Option<PatientId> {
        uuid_of(reference, "Patient").map(PatientId)
    }
    fn practitioner(&self, reference: &str) -> Option<PractitionerId> {
        uuid_of(reference, "Practitioner").map(PractitionerId)
    }
    fn location(&self, reference: &str) -> Option<RoomId> {
        uuid_of(reference, "Location").map(RoomId)
    }
    fn schedule(&self, reference: &str) -> Option<ScheduleId> {
        uuid_of(reference, "Schedule").map(ScheduleId)
    }
    fn appointment_type(&self, system: Option<&str>, code: &str) -> Option<AppointmentTypeId> {
        (system == Some(APPOINTMENT_TYPE_SYSTEM)).then(|| Uuid::parse_str(code.trim()).ok()).flatten().map(Into::into)
    }
}

/// Explicit mappings for foreign references (`"Patient/example"` → a patient id), falling back to
/// [`IdResolver`]. Appointment types are keyed by `"system|code"` (or `"|code"` for a coding without system).
#[derive(Debug, Clone, Default)]
pub struct MapResolver {
    pub patients: HashMap<String, PatientId>,
    pub practitioners: HashMap<String, PractitionerId>,
    pub locations: HashMap<String, RoomId>,
    pub schedules: HashMap<String, ScheduleId>,
    pub appointment_types: HashMap<String, AppointmentTypeId>,
}

impl Resolver for MapResolver {
    fn patient(&self, r: &str) -> Option<PatientId> {
        self.patients.get(r.trim()).copied().or_else(|| IdResolver.patient(r))
    }
    fn practitioner(&self, r: &str) -> Option<PractitionerId> {
        self.practitioners.get(r.trim()).copied().or_else(|| IdResolver.practitioner(r))
    }
    fn location(&self, r: &str) -> Option<RoomId> {
        self.locations.get(r.trim()).copied().or_else(|| IdResolver.location(r))
    }
    fn schedule(&self, r: &str) -> Option<ScheduleId> {
        self.schedules.get(r.trim()).copied().or_else(|| IdResolver.schedule(r))
    }
    fn appointment_type(&self, system: Option<&str>, code: &str) -> Option<AppointmentTypeId> {
        let key = format!("{}|{}", system.unwrap_or(""), code.trim());
        self.appointment_types.get(&key).copied().or_else(|| IdResolver.appointment_type(system, code))
    }
}

/// Parses JSON text, mapping a syntax error to `INVALID_JSON`.
pub fn parse_json(text: &str) -> Result<Value, ClinicError> {
    serde_json::from_str(text)
        .map_err(|e| ClinicError::field(ErrorCode::InvalidJson, "", format!("not valid JSON: {e}")))
}

/// A FHIR `instant` (always UTC here, whole seconds: `2027-01-11T09:00:00Z`).
pub fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Checks `resourceType` and that the value is an object; returns the root reader.
fn root<'v>(v: &'v Value, expected: &str, errs: &mut ValidationErrors) -> Option<json::Node<'v>> {
    let node = json::Node::root(v);
    if !v.is_object() {
        errs.push(ErrorCode::InvalidJson, "", format!("a FHIR {expected} must be a JSON object"));
        return None;
    }
    match node.field("resourceType").map(|n| n.value) {
        Some(Value::String(t)) if t == expected => Some(node),
        Some(Value::String(t)) => {
            errs.push(ErrorCode::FhirWrongResourceType, "resourceType", format!("expected {expected}, got {t}"));
            None
        }
        Some(_) => {
            errs.push(ErrorCode::FhirInvalidType, "resourceType", "resourceType must be a string");
            None
        }
        None => {
            errs.push(ErrorCode::FhirWrongResourceType, "resourceType", format!("missing (expected {expected})"));
            None
        }
    }
}

/// The resource's `id` and its UUID form when it is one.
fn resource_id(root: &json::Node<'_>, errs: &mut ValidationErrors) -> (Option<String>, Option<Uuid>) {
    let id = root.field("id").and_then(|n| n.string(errs)).map(str::to_string);
    let uuid = id.as_deref().and_then(|s| Uuid::parse_str(s).ok());
    (id, uuid)
}

/// Re-homes domain validation errors under FHIR paths (`given_name` → `name[0].given`); unknown fields keep
/// their domain name.
fn remap(errs: &mut ValidationErrors, e: ClinicError, map: &dyn Fn(&str) -> Option<String>) {
    match e {
        ClinicError::Validation(v) => {
            for mut fe in v.errors {
                let head = fe.field.split(['.', '[']).next().unwrap_or("").to_string();
                if let Some(p) = map(&head) {
                    fe.field = format!("{p}{}", &fe.field[head.len()..]);
                }
                errs.errors.push(fe);
            }
        }
        other => errs.push(other.code(), "", other.to_string()),
    }
}
