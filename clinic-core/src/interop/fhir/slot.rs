//! FHIR R4 `Slot` ↔ free (and busy) times.
//!
//! Export turns the availability search's [`crate::SlotOffer`]s (status `free`) — or appointments' times
//! (status `busy`) — into Slots of the practitioner's schedule. Import reads schedule, status, start and end
//! (and the appointment type when one of the slot's codings resolves); what a caller does with a foreign
//! slot (e.g. turn `busy-unavailable` into a schedule absence) is theirs to decide.
//!
//! | FHIR | engine |
//! |---|---|
//! | `id` | [`slot_id`]: schedule, start, length and status (deterministic) |
//! | `schedule` | `Schedule/<uuid>` |
//! | `status` | [`SlotStatus`] |
//! | `start`, `end` | the offer's `[start, end)` |
//! | `appointmentType` / `serviceType` | the searched appointment type, coded in [`super::APPOINTMENT_TYPE_SYSTEM`] |

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::error::{ClinicError, ErrorCode, ValidationErrors};
use crate::ids::{AppointmentTypeId, ScheduleId};

use super::{instant, resource_id, root, Resolver, APPOINTMENT_TYPE_SYSTEM};

/// FHIR `SlotStatus` (without `entered-in-error`, which import rejects as `FHIR_UNSUPPORTED_CODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlotStatus {
    Free,
    Busy,
    BusyUnavailable,
    BusyTentative,
}

impl SlotStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SlotStatus::Free => "free",
            SlotStatus::Busy => "busy",
            SlotStatus::BusyUnavailable => "busy-unavailable",
            SlotStatus::BusyTentative => "busy-tentative",
        }
    }
    pub fn parse(s: &str) -> Option<SlotStatus> {
        Some(match s {
            "free" => SlotStatus::Free,
            "busy" => SlotStatus::Busy,
            "busy-unavailable" => SlotStatus::BusyUnavailable,
            "busy-tentative" => SlotStatus::BusyTentative,
            _ => return None,
        })
    }
}

/// A FHIR Slot in the engine's terms. `start`/`end` are not a [`crate::TimeSlot`]: a foreign busy slot may
/// be longer than any appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotImport {
    pub fhir_id: Option<String>,
    pub schedule_id: ScheduleId,
    pub status: SlotStatus,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// When a coding of `appointmentType` / `serviceType` resolves; a slot's type is optional information.
    pub appointment_type_id: Option<AppointmentTypeId>,
}

/// The deterministic id of a slot: `<schedule uuid>-<YYYYMMDDhhmm start, UTC>-<minutes><f|b|u|t>` (at most 56
/// characters; the status letter keeps a group session's busy slot and its remaining free slot apart).
pub fn slot_id(start: DateTime<Utc>, end: DateTime<Utc>, schedule: ScheduleId, status: SlotStatus) -> String {
    let letter = match status {
        SlotStatus::Free => 'f',
        SlotStatus::Busy => 'b',
        SlotStatus::BusyUnavailable => 'u',
        SlotStatus::BusyTentative => 't',
    };
    format!("{schedule}-{}-{}{letter}", start.format("%Y%m%d%H%M"), (end - start).num_minutes().clamp(0, 99_999))
}

/// Exports one slot of `schedule`. `appointment_type` is the type (and its name) the slot was searched for.
pub fn slot_to_fhir(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    schedule: ScheduleId,
    status: SlotStatus,
    appointment_type: Option<(AppointmentTypeId, &str)>,
) -> Value {
    let mut r = Map::new();
    r.insert("resourceType".into(), json!("Slot"));
    r.insert("id".into(), json!(slot_id(start, end, schedule, status)));
    if let Some((id, name)) = appointment_type {
        let coding = json!({"system": APPOINTMENT_TYPE_SYSTEM, "code": id.to_string(), "display": name});
        r.insert("serviceType".into(), json!([{"coding": [coding.clone()], "text": name}]));
        r.insert("appointmentType".into(), json!({"coding": [coding]}));
    }
    r.insert("schedule".into(), json!({"reference": format!("Schedule/{schedule}")}));
    r.insert("status".into(), json!(status.as_str()));
    r.insert("start".into(), json!(instant(start)));
    r.insert("end".into(), json!(instant(end)));
    Value::Object(r)
}

/// Imports a FHIR Slot, resolving its schedule (and type) through `resolver`.
pub fn slot_from_fhir(v: &Value, resolver: &dyn Resolver) -> Result<SlotImport, ClinicError> {
    let mut errs = ValidationErrors::new();
    let Some(root) = root(v, "Slot", &mut errs) else {
        return Err(ClinicError::Validation(errs));
    };
    let (fhir_id, _) = resource_id(&root, &mut errs);
    let schedule = match root.object("schedule", &mut errs) {
        None => {
            errs.push(ErrorCode::Required, "schedule", "a slot needs its schedule");
            None
        }
        Some(s) => match s.field("reference") {
            None => {
                errs.push(ErrorCode::Required, "schedule.reference", "a slot needs its schedule");
                None
            }
            Some(rn) => rn.string(&mut errs).and_then(|r| {
                let id = resolver.schedule(r);
                if id.is_none() {
                    errs.push(ErrorCode::FhirUnresolvedReference, rn.path.clone(), format!("unknown schedule {r:?}"));
                }
                id
            }),
        },
    };
    let status = match root.field("status") {
        None => {
            errs.push(ErrorCode::Required, "status", "status is required");
            None
        }
        Some(n) => n.string(&mut errs).and_then(|s| {
            let st = SlotStatus::parse(s);
            if st.is_none() {
                errs.push(ErrorCode::FhirUnsupportedCode, "status", format!("slot status {s:?} is not supported"));
            }
            st
        }),
    };
    let start = root.instant_field("start", &mut errs);
    let end = root.instant_field("end", &mut errs);
    for key in ["start", "end"] {
        if root.field(key).is_none() {
            errs.push(ErrorCode::Required, key, format!("{key} is required"));
        }
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            errs.push(ErrorCode::TimeSlotInverted, "end", "end must be after start");
        }
    }
    let mut ty = None;
    let mut codings = Vec::new();
    if let Some(at) = root.object("appointmentType", &mut errs) {
        codings.extend(at.array("coding", &mut errs));
    }
    for st in root.array("serviceType", &mut errs) {
        codings.extend(st.array("coding", &mut errs));
    }
    for c in &codings {
        let system = c.str_field("system", &mut errs);
        if let Some(id) = c.str_field("code", &mut errs).and_then(|code| resolver.appointment_type(system, code)) {
            ty = Some(id);
            break;
        }
    }
    match (schedule, status, start, end) {
        (Some(schedule_id), Some(status), Some(start), Some(end)) if errs.is_empty() => {
            Ok(SlotImport { fhir_id, schedule_id, status, start, end, appointment_type_id: ty })
        }
        _ => Err(ClinicError::Validation(errs)),
    }
}
