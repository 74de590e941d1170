//! FHIR R4 `Schedule` ↔ [`Schedule`].
//!
//! | FHIR | engine |
//! |---|---|
//! | `id` | schedule id |
//! | `actor` (`Practitioner/…` or `Location/…`) | `resource` (import: the first Practitioner actor, else the first Location) |
//! | `planningHorizon.start` / `.end` (dates) | `valid_from` / `valid_until` (inclusive; open-ended = no end) |
//! | `active` | always `true` on export |
//!
//! The hours themselves (weekly hours, RRULEs, breaks, exceptions) have no place in a FHIR Schedule — FHIR
//! publishes them as Slots (see [`super::slot`]) — so an imported schedule yields the resource and validity
//! only; the caller supplies the hours to build a [`crate::ScheduleInput`].

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use crate::error::{ClinicError, ErrorCode, ValidationErrors};
use crate::ids::{ResourceRef, ScheduleId};
use crate::model::Schedule;

use super::{resource_id, root, Resolver};

/// What a FHIR Schedule says in the engine's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleImport {
    pub fhir_id: Option<String>,
    pub id: Option<ScheduleId>,
    pub active: bool,
    pub resource: ResourceRef,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

/// The FHIR reference of a resource: `Practitioner/<id>` or `Location/<id>` (rooms).
pub fn resource_reference(r: ResourceRef) -> String {
    match r {
        ResourceRef::Practitioner(p) => format!("Practitioner/{p}"),
        ResourceRef::Room(r) => format!("Location/{r}"),
    }
}

/// Exports a schedule; `actor_display` is the practitioner's or room's name when the receiver may see it.
pub fn schedule_to_fhir(s: &Schedule, actor_display: Option<&str>) -> Value {
    let mut actor = Map::new();
    actor.insert("reference".into(), json!(resource_reference(s.resource())));
    if let Some(d) = actor_display {
        actor.insert("display".into(), json!(d));
    }
    let mut horizon = Map::new();
    horizon.insert("start".into(), json!(s.input().valid_from.format("%Y-%m-%d").to_string()));
    if let Some(u) = s.input().valid_until {
        horizon.insert("end".into(), json!(u.format("%Y-%m-%d").to_string()));
    }
    json!({
        "resourceType": "Schedule",
        "id": s.id().to_string(),
        "active": true,
        "actor": [Value::Object(actor)],
        "planningHorizon": Value::Object(horizon),
    })
}

/// Imports a FHIR Schedule, resolving its actor through `resolver`.
pub fn schedule_from_fhir(v: &Value, resolver: &dyn Resolver) -> Result<ScheduleImport, ClinicError> {
    let mut errs = ValidationErrors::new();
    let Some(root) = root(v, "Schedule", &mut errs) else {
        return Err(ClinicError::Validation(errs));
    };
    let (fhir_id, uuid) = resource_id(&root, &mut errs);
    let active = root.bool_field("active", &mut errs).unwrap_or(true);
    let actors = root.array("actor", &mut errs);
    let mut refs = Vec::new();
    for a in &actors {
        if let Some(rn) = a.field("reference") {
            if let Some(r) = rn.string(&mut errs) {
                refs.push((rn.path.clone(), r));
            }
        }
    }
    let is = |r: &str, kind: &str| r.split('/').rev().nth(1) == Some(kind);
    let chosen =
        refs.iter().find(|(_, r)| is(r, "Practitioner")).or_else(|| refs.iter().find(|(_, r)| is(r, "Location")));
    let resource = match chosen {
        None => {
            errs.push(ErrorCode::Required, "actor", "a schedule needs a Practitioner or Location actor");
            None
        }
        Some((path, r)) => {
            let found = if is(r, "Practitioner") {
                resolver.practitioner(r).map(ResourceRef::Practitioner)
            } else {
                resolver.location(r).map(ResourceRef::Room)
            };
            if found.is_none() {
                errs.push(ErrorCode::FhirUnresolvedReference, path.clone(), format!("unknown actor {r:?}"));
            }
            found
        }
    };
    let (mut valid_from, mut valid_until) = (None, None);
    if let Some(h) = root.object("planningHorizon", &mut errs) {
        valid_from = h.date_of_datetime_field("start", &mut errs);
        valid_until = h.date_of_datetime_field("end", &mut errs);
        if let (Some(f), Some(u)) = (valid_from, valid_until) {
            if u < f {
                errs.push(ErrorCode::InvalidValidityRange, "planningHorizon.end", "end is before start");
            }
        }
    }
    match resource {
        Some(resource) if errs.is_empty() => {
            Ok(ScheduleImport { fhir_id, id: uuid.map(ScheduleId), active, resource, valid_from, valid_until })
        }
        _ => Err(ClinicError::Validation(errs)),
    }
}
