//! The shared test-vector format (`test-vectors/*.json`): the contract every runtime — Rust, Python, Node,
//! WASM — must pass with identical verdicts, codes and free slots.
//!
//! A vector is one scenario (clinic, resources, types, schedules, existing appointments, "now") and a list of
//! cases: booking checks with their expected verdict and codes, and slot queries with their expected free
//! starts. This module only converts a scenario into a [`Calendar`] and runs cases through the engine; the
//! bindings call it (or the same engine entry points) and compare with `expect`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::engine::{BookingRequest, Calendar, SlotQuery};
use crate::error::{ClinicError, ErrorCode};
use crate::ids::{AppointmentId, AppointmentTypeId, PatientId, PractitionerId, RoomId};
use crate::model::{
    Appointment, AppointmentStatus, AppointmentType, Clinic, NewAppointment, Practitioner, Room, Schedule,
};
use crate::time_slot::TimeSlot;

/// An appointment that already exists in the scenario; its end and buffers come from its type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistingAppointment {
    pub id: AppointmentId,
    pub patient_id: PatientId,
    pub practitioner_id: PractitionerId,
    #[serde(default)]
    pub room_id: Option<RoomId>,
    pub appointment_type_id: AppointmentTypeId,
    pub start: DateTime<Utc>,
    #[serde(default = "booked")]
    pub status: AppointmentStatus,
}

fn booked() -> AppointmentStatus {
    AppointmentStatus::Booked
}

/// One test vector file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub clinic: Clinic,
    #[serde(default)]
    pub practitioners: Vec<Practitioner>,
    #[serde(default)]
    pub rooms: Vec<Room>,
    pub appointment_types: Vec<AppointmentType>,
    #[serde(default)]
    pub schedules: Vec<Schedule>,
    #[serde(default)]
    pub appointments: Vec<ExistingAppointment>,
    pub now: DateTime<Utc>,
    pub cases: Vec<Case>,
}

/// One expectation of a scenario.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Case {
    /// A booking check: expected verdict and the exact, ordered list of violation codes.
    Check {
        name: String,
        request: BookingRequest,
        #[serde(default)]
        may_overbook: bool,
        expect: CheckExpectation,
    },
    /// A slot search: expected free starts.
    Search { name: String, query: SlotQuery, expect: SearchExpectation },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckExpectation {
    pub accepted: bool,
    #[serde(default)]
    pub codes: Vec<ErrorCode>,
    /// When present: the appointments reported as conflicting, over all violations (any order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflicting: Option<Vec<AppointmentId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overbooked: Option<bool>,
}

/// Expected free starts. `slots` (exact list, in order) or, for long results, `count` plus `first`/`last`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchExpectation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slots: Option<Vec<ExpectedSlot>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<ExpectedSlot>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<ExpectedSlot>,
    /// Expected error code instead of slots (a bad query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorCode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedSlot {
    pub start: DateTime<Utc>,
    pub practitioner_id: PractitionerId,
}

impl Scenario {
    pub fn from_json(json: &str) -> Result<Scenario, ClinicError> {
        serde_json::from_str(json)
            .map_err(|e| ClinicError::field(ErrorCode::InvalidJson, "", format!("not a test vector: {e}")))
    }

    /// The engine's read model of the scenario.
    pub fn calendar(&self) -> Result<Calendar, ClinicError> {
        build_calendar(
            self.clinic.clone(),
            self.practitioners.iter().cloned(),
            self.rooms.iter().cloned(),
            self.appointment_types.iter().cloned(),
            self.schedules.iter().cloned(),
            &self.appointments,
            self.now,
        )
    }
}

/// Builds a [`Calendar`] from entities plus existing appointments given as [`ExistingAppointment`]s (id,
/// participants, type, start, status): the shape a binding receives from JavaScript or Python, where whole
/// [`Appointment`]s with history and versions would be noise. Ends and buffers come from each type, exactly
/// as for a test vector, so a binding's calendar and the vectors' are built by the same code. `created` is
/// only recorded as the appointments' creation time. Errors name the appointment (`appointments[3]`).
pub fn build_calendar(
    clinic: Clinic,
    practitioners: impl IntoIterator<Item = Practitioner>,
    rooms: impl IntoIterator<Item = Room>,
    types: impl IntoIterator<Item = AppointmentType>,
    schedules: impl IntoIterator<Item = Schedule>,
    appointments: &[ExistingAppointment],
    created: DateTime<Utc>,
) -> Result<Calendar, ClinicError> {
    let types: Vec<AppointmentType> = types.into_iter().collect();
    let mut appts = Vec::with_capacity(appointments.len());
    for (i, a) in appointments.iter().enumerate() {
        let ty = types
            .iter()
            .find(|t| t.id() == a.appointment_type_id)
            .ok_or_else(|| ClinicError::not_found("appointment type", a.appointment_type_id))?;
        let slot = TimeSlot::starting_at(a.start, i64::from(ty.duration_minutes()))?;
        let spec = NewAppointment {
            clinic_id: clinic.id(),
            patient_id: a.patient_id,
            practitioner_id: a.practitioner_id,
            room_id: a.room_id,
            appointment_type_id: a.appointment_type_id,
            slot,
            reason: None,
            notes: None,
        };
        let status = if a.status == AppointmentStatus::Proposed { a.status } else { AppointmentStatus::Booked };
        let mut appt = Appointment::new(a.id, spec, ty, status, false, created)
            .map_err(|e| ClinicError::field(e.code(), format!("appointments[{i}]"), e.to_string()))?;
        if !matches!(a.status, AppointmentStatus::Proposed | AppointmentStatus::Booked) {
            force_status(&mut appt, a.status, clinic.time_zone());
        }
        appts.push(appt);
    }
    Calendar::from_parts(clinic, practitioners, rooms, types, schedules, appts)
}

/// Walks the state machine to a terminal/arrived status for scenario setup (the path is always legal).
fn force_status(a: &mut Appointment, to: AppointmentStatus, tz: chrono_tz::Tz) {
    use AppointmentStatus::*;
    let at = a.slot().start();
    let path: &[AppointmentStatus] = match to {
        Arrived => &[Arrived],
        Fulfilled => &[Arrived, Fulfilled],
        Cancelled => &[Cancelled],
        Noshow => &[Noshow],
        Proposed | Booked => &[],
    };
    for s in path {
        let _ = a.transition(*s, at, tz, None, None);
    }
}

/// The outcome of one case, for a test runner to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    pub case: String,
    /// Empty when the engine's answer matches `expect`.
    pub mismatch: Option<String>,
}

/// Runs every case of a scenario.
pub fn run_scenario(s: &Scenario) -> Result<Vec<CaseResult>, ClinicError> {
    let cal = s.calendar()?;
    let mut out = Vec::new();
    for c in &s.cases {
        out.push(match c {
            Case::Check { name, request, may_overbook, expect } => {
                let v = cal.check(request, s.now, *may_overbook);
                let mut problems = Vec::new();
                if v.accepted != expect.accepted {
                    problems.push(format!("accepted = {}, expected {}", v.accepted, expect.accepted));
                }
                if v.codes() != expect.codes {
                    problems.push(format!("codes = {:?}, expected {:?}", v.codes(), expect.codes));
                }
                if let Some(want) = &expect.conflicting {
                    let mut got: Vec<_> = v.violations.iter().flat_map(|x| x.conflicting.iter().copied()).collect();
                    let mut want = want.clone();
                    got.sort();
                    got.dedup();
                    want.sort();
                    if got != want {
                        problems.push(format!("conflicting = {got:?}, expected {want:?}"));
                    }
                }
                if let Some(ob) = expect.overbooked {
                    if v.overbooked != ob {
                        problems.push(format!("overbooked = {}, expected {ob}", v.overbooked));
                    }
                }
                CaseResult { case: name.clone(), mismatch: (!problems.is_empty()).then(|| problems.join("; ")) }
            }
            Case::Search { name, query, expect } => {
                let mismatch = match (cal.find_available_slots(query, s.now), expect.error) {
                    (Err(e), Some(code)) if e.code() == code => None,
                    (Err(e), _) => Some(format!("search failed: {e}")),
                    (Ok(_), Some(code)) => Some(format!("expected error {code}")),
                    (Ok(slots), None) => {
                        let got: Vec<ExpectedSlot> = slots
                            .iter()
                            .map(|o| ExpectedSlot { start: o.start, practitioner_id: o.practitioner_id })
                            .collect();
                        let mut problems = Vec::new();
                        if let Some(want) = &expect.slots {
                            if &got != want {
                                problems.push(format!("slots = {got:?}, expected {want:?}"));
                            }
                        }
                        if let Some(n) = expect.count {
                            if got.len() != n {
                                problems.push(format!("count = {}, expected {n}", got.len()));
                            }
                        }
                        if expect.first.is_some() && got.first() != expect.first.as_ref() {
                            problems.push(format!("first = {:?}, expected {:?}", got.first(), expect.first));
                        }
                        if expect.last.is_some() && got.last() != expect.last.as_ref() {
                            problems.push(format!("last = {:?}, expected {:?}", got.last(), expect.last));
                        }
                        (!problems.is_empty()).then(|| problems.join("; "))
                    }
                };
                CaseResult { case: name.clone(), mismatch }
            }
        });
    }
    Ok(out)
}
