//! FHIR R4 `Appointment` ↔ [`Appointment`].
//!
//! | FHIR | engine |
//! |---|---|
//! | `id` | appointment id (UUID; any other id is kept as `fhir_id`) |
//! | `status` | the same code (FHIR's own): proposed, booked, arrived, fulfilled, cancelled, noshow; import also reads `pending` as proposed and `checked-in` as arrived; `waitlist` and `entered-in-error` are `FHIR_UNSUPPORTED_CODE` |
//! | `participant` with a `Patient` / `Practitioner` / `Location` actor | `patient_id`, `practitioner_id`, `room_id` (one of each; participant `status` is `needs-action` while proposed, else `accepted`) |
//! | `appointmentType` and `serviceType` coding in [`super::APPOINTMENT_TYPE_SYSTEM`] | `appointment_type_id` (import: the first coding of either that the [`Resolver`] knows) |
//! | `start`, `end`, `minutesDuration` | `slot` (import: `end` may be omitted when `minutesDuration` is given) |
//! | `reasonCode[0].text` | `reason` (import also reads `reasonCode[0].coding[0].display`, then `description`) |
//! | `comment` | `notes` |
//! | `cancelationReason.text` | the reason of the cancellation in the history |
//! | `created`, `meta.versionId`, `meta.lastUpdated` | `created_at`, `version`, `updated_at` (export only) |

use chrono::Duration;
use serde_json::{json, Map, Value};

use crate::contact::optional_text;
use crate::engine::BookingRequest;
use crate::error::{ClinicError, ErrorCode, ValidationErrors};
use crate::ids::{AppointmentId, AppointmentTypeId, ClinicId, PatientId, PractitionerId, RoomId};
use crate::model::{Appointment, AppointmentStatus, HistoryEntry};
use crate::time_slot::TimeSlot;
use crate::usecases::CreateAppointment;

use super::json::Node;
use super::{instant, remap, resource_id, root, Resolver, APPOINTMENT_TYPE_SYSTEM};

/// Optional display texts of the references (FHIR `Reference.display`, `Coding.display`). Export never
/// needs them; a caller adds what the receiver may see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppointmentDisplay {
    pub appointment_type: Option<String>,
    pub patient: Option<String>,
    pub practitioner: Option<String>,
    pub room: Option<String>,
}

/// The part of an appointment FHIR carries, as read from a FHIR Appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentImport {
    pub fhir_id: Option<String>,
    pub id: Option<AppointmentId>,
    pub status: AppointmentStatus,
    pub patient_id: PatientId,
    pub practitioner_id: PractitionerId,
    pub room_id: Option<RoomId>,
    pub appointment_type_id: AppointmentTypeId,
    pub slot: TimeSlot,
    pub reason: Option<String>,
    pub notes: Option<String>,
    pub cancelation_reason: Option<String>,
}

/// The reason given when the appointment was cancelled (the latest such history entry).
pub fn cancelation_reason(a: &Appointment) -> Option<&str> {
    a.history().iter().rev().find_map(|h| match h {
        HistoryEntry::StatusChanged { to: AppointmentStatus::Cancelled, reason, .. } => Some(reason.as_deref()),
        _ => None,
    })?
}

impl AppointmentImport {
    /// The mapped part of a stored appointment: what `appointment_from_fhir(appointment_to_fhir(a))` returns.
    pub fn of(a: &Appointment) -> Self {
        AppointmentImport {
            fhir_id: Some(a.id().to_string()),
            id: Some(a.id()),
            status: a.status(),
            patient_id: a.patient_id(),
            practitioner_id: a.practitioner_id(),
            room_id: a.room_id(),
            appointment_type_id: a.appointment_type_id(),
            slot: a.slot(),
            reason: a.reason().map(str::to_string),
            notes: a.notes().map(str::to_string),
            cancelation_reason: cancelation_reason(a).map(str::to_string),
        }
    }

    /// The booking request for this appointment's slot (checked by the conflict engine like any booking).
    pub fn booking_request(&self) -> BookingRequest {
        BookingRequest {
            patient_id: self.patient_id,
            practitioner_id: self.practitioner_id,
            room_id: self.room_id,
            appointment_type_id: self.appointment_type_id,
            start: self.slot.start(),
            overbook: false,
            reschedule_of: None,
        }
    }

    /// A CreateAppointment command. Only `proposed` and `booked` appointments can be booked; an imported
    /// appointment in another status is `INVALID_STATUS_TRANSITION` at `status`.
    pub fn create_command(&self, clinic_id: ClinicId) -> Result<CreateAppointment, ClinicError> {
        let proposed = match self.status {
            AppointmentStatus::Proposed => true,
            AppointmentStatus::Booked => false,
            other => {
                return Err(ClinicError::field(
                    ErrorCode::InvalidStatusTransition,
                    "status",
                    format!("a {other} appointment cannot be booked; only proposed or booked ones"),
                ))
            }
        };
        Ok(CreateAppointment {
            clinic_id,
            request: self.booking_request(),
            proposed,
            reason: self.reason.clone(),
            notes: self.notes.clone(),
        })
    }
}

fn participant(reference: String, display: Option<&String>, status: &str) -> Value {
    let mut actor = Map::new();
    actor.insert("reference".into(), json!(reference));
    if let Some(d) = display {
        actor.insert("display".into(), json!(d));
    }
    json!({"actor": Value::Object(actor), "required": "required", "status": status})
}

/// Exports an appointment.
pub fn appointment_to_fhir(a: &Appointment, d: &AppointmentDisplay) -> Value {
    let mut r = Map::new();
    r.insert("resourceType".into(), json!("Appointment"));
    r.insert("id".into(), json!(a.id().to_string()));
    r.insert("meta".into(), json!({"versionId": a.version().to_string(), "lastUpdated": instant(a.updated_at())}));
    r.insert("status".into(), json!(a.status().as_str()));
    if a.status() == AppointmentStatus::Cancelled {
        if let Some(reason) = cancelation_reason(a) {
            r.insert("cancelationReason".into(), json!({"text": reason}));
        }
    }
    let mut coding = Map::new();
    coding.insert("system".into(), json!(APPOINTMENT_TYPE_SYSTEM));
    coding.insert("code".into(), json!(a.appointment_type_id().to_string()));
    if let Some(name) = &d.appointment_type {
        coding.insert("display".into(), json!(name));
    }
    let coding = Value::Object(coding);
    let mut service = json!({"coding": [coding.clone()]});
    if let Some(name) = &d.appointment_type {
        service["text"] = json!(name);
    }
    r.insert("serviceType".into(), json!([service]));
    r.insert("appointmentType".into(), json!({"coding": [coding]}));
    if let Some(reason) = a.reason() {
        r.insert("reasonCode".into(), json!([{"text": reason}]));
    }
    r.insert("start".into(), json!(instant(a.slot().start())));
    r.insert("end".into(), json!(instant(a.slot().end())));
    r.insert("minutesDuration".into(), json!(a.slot().minutes()));
    r.insert("created".into(), json!(instant(a.created_at())));
    if let Some(notes) = a.notes() {
        r.insert("comment".into(), json!(notes));
    }
    let status = if a.status() == AppointmentStatus::Proposed { "needs-action" } else { "accepted" };
    let mut parts = vec![
        participant(format!("Patient/{}", a.patient_id()), d.patient.as_ref(), status),
        participant(format!("Practitioner/{}", a.practitioner_id()), d.practitioner.as_ref(), status),
    ];
    if let Some(room) = a.room_id() {
        parts.push(participant(format!("Location/{room}"), d.room.as_ref(), status));
    }
    r.insert("participant".into(), Value::Array(parts));
    Value::Object(r)
}

/// The resource type a reference points at: the segment before the id (`Patient/x`,
/// `https://h/fhir/Patient/x`), else the Reference's `type`.
fn reference_kind(reference: &str, ty: Option<&str>) -> Option<String> {
    let segs: Vec<&str> = reference.split('/').collect();
    let pos = segs.iter().rposition(|s| *s == "_history").map(|h| h.saturating_sub(1)).unwrap_or(segs.len() - 1);
    if pos >= 1 {
        if let Some(kind) = segs.get(pos - 1) {
            if kind.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                return Some((*kind).to_string());
            }
        }
    }
    ty.map(|t| t.rsplit('/').next().unwrap_or(t).to_string())
}

fn status_from(code: &str) -> Option<AppointmentStatus> {
    Some(match code {
        "proposed" | "pending" => AppointmentStatus::Proposed,
        "booked" => AppointmentStatus::Booked,
        "arrived" | "checked-in" => AppointmentStatus::Arrived,
        "fulfilled" => AppointmentStatus::Fulfilled,
        "cancelled" => AppointmentStatus::Cancelled,
        "noshow" => AppointmentStatus::Noshow,
        _ => return None,
    })
}

fn concept_text(c: &Node<'_>, errs: &mut ValidationErrors) -> Option<String> {
    c.str_field("text", errs)
        .map(str::to_string)
        .or_else(|| c.array("coding", errs).first().and_then(|k| k.str_field("display", errs)).map(str::to_string))
}

/// Imports a FHIR Appointment, resolving its references through `resolver`.
pub fn appointment_from_fhir(v: &Value, resolver: &dyn Resolver) -> Result<AppointmentImport, ClinicError> {
    let mut errs = ValidationErrors::new();
    let Some(root) = root(v, "Appointment", &mut errs) else {
        return Err(ClinicError::Validation(errs));
    };
    let (fhir_id, uuid) = resource_id(&root, &mut errs);

    let status = match root.field("status") {
        None => {
            errs.push(ErrorCode::Required, "status", "status is required");
            None
        }
        Some(n) => n.string(&mut errs).and_then(|s| {
            let st = status_from(s);
            if st.is_none() {
                errs.push(ErrorCode::FhirUnsupportedCode, "status", format!("status {s:?} has no engine equivalent"));
            }
            st
        }),
    };

    // participants
    let (mut patient, mut practitioner, mut room) = (None, None, None);
    let participants = root.array("participant", &mut errs);
    for p in &participants {
        let Some(actor) = p.object("actor", &mut errs) else { continue };
        let Some(rn) = actor.field("reference") else { continue };
        let Some(reference) = rn.string(&mut errs) else { continue };
        let ty = actor.str_field("type", &mut errs);
        let kind = reference_kind(reference, ty);
        let unresolved = |errs: &mut ValidationErrors, what: &str| {
            errs.push(ErrorCode::FhirUnresolvedReference, rn.path.clone(), format!("unknown {what} {reference:?}"))
        };
        let once = |errs: &mut ValidationErrors, what: &str| {
            errs.push(
                ErrorCode::FhirUnsupportedCode,
                p.path.clone(),
                format!("the engine books one {what} per appointment"),
            )
        };
        match kind.as_deref() {
            Some("Patient") => match (resolver.patient(reference), patient.is_some()) {
                (_, true) => once(&mut errs, "patient"),
                (Some(id), false) => patient = Some(id),
                (None, false) => unresolved(&mut errs, "patient"),
            },
            Some("Practitioner") => match (resolver.practitioner(reference), practitioner.is_some()) {
                (_, true) => once(&mut errs, "practitioner"),
                (Some(id), false) => practitioner = Some(id),
                (None, false) => unresolved(&mut errs, "practitioner"),
            },
            Some("Location") => match (resolver.location(reference), room.is_some()) {
                (_, true) => once(&mut errs, "location"),
                (Some(id), false) => room = Some(id),
                (None, false) => unresolved(&mut errs, "location"),
            },
            _ => {} // PractitionerRole, RelatedPerson, Device, HealthcareService: not engine participants
        }
    }
    let seen = errs.errors.iter().any(|e| e.field.starts_with("participant"));
    if patient.is_none() && !seen {
        errs.push(ErrorCode::Required, "participant", "an appointment needs a Patient participant");
    }
    if practitioner.is_none() && !seen {
        errs.push(ErrorCode::Required, "participant", "an appointment needs a Practitioner participant");
    }

    // appointment type: appointmentType codings, then serviceType codings
    let mut codings: Vec<Node<'_>> = Vec::new();
    if let Some(at) = root.object("appointmentType", &mut errs) {
        codings.extend(at.array("coding", &mut errs));
    }
    for st in root.array("serviceType", &mut errs) {
        codings.extend(st.array("coding", &mut errs));
    }
    let mut ty = None;
    for c in &codings {
        let system = c.str_field("system", &mut errs);
        if let Some(code) = c.str_field("code", &mut errs) {
            if let Some(id) = resolver.appointment_type(system, code) {
                ty = Some(id);
                break;
            }
        }
    }
    if ty.is_none() {
        if codings.is_empty() {
            errs.push(ErrorCode::Required, "appointmentType", "an appointment type (or service type) is required");
        } else {
            errs.push(
                ErrorCode::FhirUnresolvedReference,
                "appointmentType",
                "no appointmentType or serviceType coding names one of the clinic's appointment types",
            );
        }
    }

    // slot
    let start = root.instant_field("start", &mut errs);
    let end = root.instant_field("end", &mut errs);
    let minutes = root.uint_field("minutesDuration", &mut errs);
    if root.field("start").is_none() {
        errs.push(ErrorCode::Required, "start", "the engine needs the appointment's start");
    }
    let end = match (start, end, minutes) {
        (_, Some(e), _) => Some(e),
        (Some(s), None, Some(m)) => {
            i64::try_from(m).ok().and_then(Duration::try_minutes).and_then(|d| s.checked_add_signed(d))
        }
        (_, None, None) => {
            if root.field("end").is_none() {
                errs.push(ErrorCode::Required, "end", "give end or minutesDuration");
            }
            None
        }
        _ => None,
    };
    let mut slot = None;
    if let (Some(s), Some(e)) = (start, end) {
        match TimeSlot::new(s, e) {
            Ok(ts) => {
                if minutes.is_some_and(|m| i64::try_from(m).ok() != Some(ts.minutes())) {
                    errs.push(
                        ErrorCode::InvalidDuration,
                        "minutesDuration",
                        "minutesDuration disagrees with start/end",
                    );
                }
                slot = Some(ts);
            }
            Err(e) => remap(&mut errs, e, &|f| Some(f.to_string())),
        }
    }

    // texts
    let reason_raw = root
        .array("reasonCode", &mut errs)
        .first()
        .and_then(|c| concept_text(c, &mut errs))
        .or_else(|| root.str_field("description", &mut errs).map(str::to_string));
    let reason = optional_text(&mut errs, "reasonCode[0].text", reason_raw.as_deref(), 500);
    let notes = root.str_field("comment", &mut errs).map(|c| c.trim().to_string());
    if notes.as_ref().is_some_and(|n| n.chars().count() > 10_000) {
        errs.push(ErrorCode::TooLong, "comment", "comment is longer than 10000 characters");
    }
    let cancelation_reason = root
        .object("cancelationReason", &mut errs)
        .and_then(|c| concept_text(&c, &mut errs))
        .map(|s| s.trim().to_string());

    match (status, patient, practitioner, ty, slot) {
        (Some(status), Some(patient_id), Some(practitioner_id), Some(appointment_type_id), Some(slot))
            if errs.is_empty() =>
        {
            Ok(AppointmentImport {
                fhir_id,
                id: uuid.map(AppointmentId),
                status,
                patient_id,
                practitioner_id,
                room_id: room,
                appointment_type_id,
                slot,
                reason,
                notes,
                cancelation_reason,
            })
        }
        _ => {
            if errs.is_empty() {
                errs.push(ErrorCode::InvalidJson, "", "not a usable FHIR Appointment");
            }
            Err(ClinicError::Validation(errs))
        }
    }
}
