//! Rules 1–6 of DESIGN.md §3, evaluated against a [`Calendar`].

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::error::ErrorCode;
use crate::ids::{AppointmentId, PatientId, PractitionerId, ResourceRef};
use crate::model::{AppointmentType, Window};
use crate::time_slot::{ceil_minute, from_minute, to_minute, TimeSlot};
use crate::zone::{local_date, resolve_local, ZoneDays};

use super::availability::SlotQuery;
use super::{Alternatives, BookingRequest, Calendar, SlotOffer, Verdict, Violation};

/// How far around a rejected start the same-practitioner alternatives are looked for.
const ALTERNATIVE_SPAN_DAYS: i64 = 7;
/// How many same-practitioner alternatives a rejection carries.
const ALTERNATIVES: usize = 5;

fn violation(code: ErrorCode, message: impl Into<String>) -> Violation {
    Violation { code, message: message.into(), conflicting: Vec::new() }
}

impl Calendar {
    /// Checks a booking against every rule and, when rejected, adds the nearest alternatives.
    /// `may_overbook` is the caller's RBAC right to use the overbooking override (rule 6).
    pub fn check(&self, req: &BookingRequest, now: DateTime<Utc>, may_overbook: bool) -> Verdict {
        let (violations, overbooked) = self.evaluate(req, now, may_overbook);
        let accepted = violations.is_empty();
        // Alternatives only for a well-formed request (an out-of-range start has none worth offering).
        let searchable = crate::time_slot::check_instant(req.start, "start").is_ok()
            && crate::time_slot::check_instant(now, "now").is_ok();
        let alternatives = if accepted || !searchable { Alternatives::default() } else { self.alternatives(req, now) };
        Verdict { accepted, violations, overbooked, alternatives }
    }

    /// The violations alone (no alternatives): what search and alternatives use per candidate.
    pub fn evaluate(&self, req: &BookingRequest, now: DateTime<Utc>, may_overbook: bool) -> (Vec<Violation>, bool) {
        let mut out = Vec::new();
        let Some(ty) = self.types.get(&req.appointment_type_id) else {
            out.push(violation(ErrorCode::NotFound, format!("appointment type {} not found", req.appointment_type_id)));
            return (out, false);
        };
        let Some(prac) = self.practitioners.get(&req.practitioner_id) else {
            out.push(violation(ErrorCode::NotFound, format!("practitioner {} not found", req.practitioner_id)));
            return (out, false);
        };
        if let Some(room) = req.room_id {
            match self.rooms.get(&room) {
                None => {
                    out.push(violation(ErrorCode::NotFound, format!("room {room} not found")));
                    return (out, false);
                }
                Some(r) if !r.active() => {
                    out.push(violation(ErrorCode::ResourceInactive, format!("room {} is inactive", r.name())))
                }
                Some(_) => {}
            }
        }
        let slot = match crate::time_slot::check_instant(now, "now")
            .and_then(|_| TimeSlot::starting_at(req.start, i64::from(ty.duration_minutes())))
        {
            Ok(s) => s,
            Err(e) => {
                out.push(violation(e.code(), e.to_string()));
                return (out, false);
            }
        };
        if !prac.active() {
            out.push(violation(ErrorCode::ResourceInactive, format!("{} is not taking appointments", prac.name())));
        }
        if !ty.active() {
            out.push(violation(ErrorCode::ResourceInactive, format!("{} is no longer offered", ty.name())));
        }
        if !ty.offered_by(prac.id()) {
            out.push(violation(ErrorCode::TypeNotOffered, format!("{} does not offer {}", prac.name(), ty.name())));
        }
        let (s, e) = (slot.start_minute(), slot.end_minute());

        // Rule 1 (with the group exemption), subject to rule 6.
        let mut rule1 = Vec::new();
        rule1.extend(self.resource_violation(ResourceRef::Practitioner(prac.id()), ty, s, e, req.reschedule_of));
        if let Some(room) = req.room_id {
            // A full session usually fills practitioner and room together: report it once.
            let room_v = self.resource_violation(ResourceRef::Room(room), ty, s, e, req.reschedule_of);
            let dup = |v: &Violation| v.code == ErrorCode::GroupSessionFull && rule1.iter().any(|p| p.code == v.code);
            rule1.extend(room_v.filter(|v| !dup(v)));
        }
        let mut overbooked = false;
        if req.overbook && may_overbook {
            overbooked = !rule1.is_empty();
        } else {
            out.extend(rule1);
        }
        // Rule 2.
        out.extend(self.patient_violation(req.patient_id, s, e, req.reschedule_of));
        // Rules 3 and 5 share the window lookup.
        let (avail, align) = self.availability_violations(prac.id(), req.room_id.map(ResourceRef::Room), s, e);
        out.extend(avail);
        // Rule 4.
        out.extend(horizon_violation(self.clinic.time_zone(), ty, s, now));
        out.extend(align);
        // Rule 6: asking without the right is itself a violation.
        if req.overbook && !may_overbook {
            out.push(violation(ErrorCode::OverbookNotPermitted, "your role may not overbook"));
        }
        (out, overbooked)
    }

    /// Rule 1 alone, as a yes/no answer: whether a booking of `ty` starting at `start` would conflict with the
    /// active appointments of `res` (effective interval with the type's buffers; the group-session exemption
    /// and capacity included). `start` is taken at minute precision. This is the hot path of workload W1: for
    /// an individual type it is one lookup and one [`super::BusyIndex::overlaps_any`].
    ///
    /// Agrees with [`Calendar::evaluate`] reporting `SLOT_CONFLICT_PRACTITIONER` / `SLOT_CONFLICT_ROOM` /
    /// `GROUP_SESSION_FULL` for that resource (without a reschedule exclusion).
    pub fn resource_conflict(&self, res: ResourceRef, ty: &AppointmentType, start: DateTime<Utc>) -> bool {
        let s = to_minute(start);
        let e = s + i64::from(ty.duration_minutes());
        if ty.is_group() {
            return self.resource_violation(res, ty, s, e, None).is_some();
        }
        self.resources.get(&res).is_some_and(|idx| {
            idx.overlaps_any(s - i64::from(ty.buffer_before_minutes()), e + i64::from(ty.buffer_after_minutes()))
        })
    }

    /// Rule 1 on one resource. The group exemption: members of the identical session of the same group type
    /// do not conflict; the session is full at `capacity`.
    pub(crate) fn resource_violation(
        &self,
        res: ResourceRef,
        ty: &AppointmentType,
        s: i64,
        e: i64,
        exclude: Option<AppointmentId>,
    ) -> Option<Violation> {
        let idx = self.resources.get(&res)?;
        let (es, ee) = (s - i64::from(ty.buffer_before_minutes()), e + i64::from(ty.buffer_after_minutes()));
        let mut conflicts = Vec::new();
        let mut session = Vec::new();
        for x in idx.overlapping(es, ee) {
            if Some(x.appointment) == exclude {
                continue;
            }
            if ty.is_group() && x.appointment_type == ty.id() && x.slot_start == s && x.slot_end == e {
                session.push(x.appointment);
            } else {
                conflicts.push(x.appointment);
            }
        }
        let (code, what) = match res {
            ResourceRef::Practitioner(_) => (ErrorCode::SlotConflictPractitioner, "the practitioner"),
            ResourceRef::Room(_) => (ErrorCode::SlotConflictRoom, "the room"),
        };
        if !conflicts.is_empty() {
            let n = conflicts.len();
            return Some(Violation {
                code,
                message: format!("{what} already has {n} appointment(s) at this time (buffers included)"),
                conflicting: conflicts,
            });
        }
        if ty.is_group() && session.len() >= ty.capacity() as usize {
            return Some(Violation {
                code: ErrorCode::GroupSessionFull,
                message: format!("this {} session is full ({} places)", ty.name(), ty.capacity()),
                conflicting: session,
            });
        }
        None
    }

    /// Rule 2: the patient's own active appointments, without buffers.
    pub(crate) fn patient_violation(
        &self,
        p: PatientId,
        s: i64,
        e: i64,
        exclude: Option<AppointmentId>,
    ) -> Option<Violation> {
        let idx = self.patients.get(&p)?;
        let conflicting: Vec<_> =
            idx.overlapping(s, e).filter(|x| Some(x.appointment) != exclude).map(|x| x.appointment).collect();
        (!conflicting.is_empty()).then(|| Violation {
            code: ErrorCode::PatientDoubleBooked,
            message: "the patient already has an appointment at this time".into(),
            conflicting,
        })
    }

    /// Rules 3 and 5: returns (availability violation, alignment violation).
    fn availability_violations(
        &self,
        prac: PractitionerId,
        room: Option<ResourceRef>,
        s: i64,
        e: i64,
    ) -> (Option<Violation>, Option<Violation>) {
        let tz = self.clinic.time_zone();
        let first = local_date(tz, from_minute(s)).pred_opt().unwrap_or(NaiveDate::MIN);
        let last = local_date(tz, from_minute(e - 1));
        let days = ZoneDays::new(tz, first, last.succ_opt().unwrap_or(last));
        if self.clinic.closure_minutes(&days, first, last).iter().any(|&(cs, ce)| cs < e && s < ce) {
            return (Some(violation(ErrorCode::ClinicClosed, "the clinic is closed at this time")), None);
        }
        let windows = self.windows_of(ResourceRef::Practitioner(prac), &days, first, last);
        let containing: Vec<&Window> = windows.iter().filter(|w| w.start <= s && e <= w.end).collect();
        if containing.is_empty() {
            return (
                Some(violation(ErrorCode::OutsideAvailability, "the practitioner is not available at this time")),
                None,
            );
        }
        let mut avail = None;
        if let Some(room) = room {
            if !self.schedules_of(room).is_empty() {
                let rw = self.windows_of(room, &days, first, last);
                if !rw.iter().any(|w| w.start <= s && e <= w.end) {
                    avail = Some(violation(ErrorCode::RoomUnavailable, "the room is not available at this time"));
                }
            }
        }
        let aligned = containing.iter().any(|w| (s - w.anchor).rem_euclid(w.step) == 0);
        let align = (!aligned).then(|| {
            let step = containing[0].step;
            violation(ErrorCode::MisalignedStart, format!("appointments here start every {step} minutes"))
        });
        (avail, align)
    }

    /// Every window of a resource's schedules whose local start date is in `first..=last`.
    pub(crate) fn windows_of(&self, r: ResourceRef, days: &ZoneDays, first: NaiveDate, last: NaiveDate) -> Vec<Window> {
        let mut out = Vec::new();
        for sch in self.schedules_of(r) {
            out.extend(sch.windows(days, first, last));
        }
        out
    }

    fn alternatives(&self, req: &BookingRequest, now: DateTime<Utc>) -> Alternatives {
        let mut alt = Alternatives::default();
        let Some(ty) = self.types.get(&req.appointment_type_id) else { return alt };
        if self.practitioners.contains_key(&req.practitioner_id) {
            let q = SlotQuery {
                appointment_type_id: ty.id(),
                practitioner_ids: vec![req.practitioner_id],
                from: req.start - Duration::days(ALTERNATIVE_SPAN_DAYS),
                to: req.start + Duration::days(ALTERNATIVE_SPAN_DAYS),
                patient_id: Some(req.patient_id),
                room_id: req.room_id,
                exclude: req.reschedule_of,
                limit: None,
            };
            if let Ok(mut slots) = self.find_available_slots(&q, now) {
                let target = to_minute(req.start);
                slots.sort_by_key(|o| ((to_minute(o.start) - target).abs(), o.start));
                slots.truncate(ALTERNATIVES);
                alt.same_practitioner = slots;
            }
        }
        for p in self.practitioner_ids() {
            if p == req.practitioner_id {
                continue;
            }
            let other = BookingRequest { practitioner_id: p, overbook: false, ..req.clone() };
            if self.evaluate(&other, now, false).0.is_empty() {
                let end = req.start + Duration::minutes(i64::from(ty.duration_minutes()));
                alt.other_practitioners.push(SlotOffer { start: req.start, end, practitioner_id: p });
            }
        }
        alt
    }
}

/// Rule 4: `now + min_notice ≤ start ≤ now + max_horizon`.
pub(crate) fn horizon_violation(tz: Tz, ty: &AppointmentType, s: i64, now: DateTime<Utc>) -> Option<Violation> {
    let (lo, hi) = horizon_bounds(tz, ty, now);
    if s < lo {
        Some(violation(
            ErrorCode::MinNoticeViolated,
            format!("{} must be booked at least {} minutes ahead", ty.name(), ty.min_notice_minutes()),
        ))
    } else if s > hi {
        Some(violation(
            ErrorCode::BeyondBookingHorizon,
            format!("{} can be booked at most {} days ahead", ty.name(), ty.max_horizon_days()),
        ))
    } else {
        None
    }
}

/// The inclusive range of allowed starts (epoch minutes). `now` is rounded up to the next whole minute so
/// "now" itself is never bookable when min notice is 0 and seconds have passed.
///
/// The horizon counts clinic-local days (DESIGN §3: every "day" is the clinic's local day): "1 day ahead"
/// from Saturday 12:00 is Sunday 12:00 on the wall clock, 25 or 23 real hours later across a switch. A
/// wall time that falls in a gap resolves to the gap's end; an ambiguous one to its earlier instant.
pub(crate) fn horizon_bounds(tz: Tz, ty: &AppointmentType, now: DateTime<Utc>) -> (i64, i64) {
    let now_min = ceil_minute(now);
    let local = now.with_timezone(&tz).naive_local();
    let hi = local
        .checked_add_signed(Duration::days(i64::from(ty.max_horizon_days())))
        .map(|t| to_minute(resolve_local(tz, t)))
        .unwrap_or(i64::MAX);
    (now_min + i64::from(ty.min_notice_minutes()), hi)
}
