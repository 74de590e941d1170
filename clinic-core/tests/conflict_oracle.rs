//! DESIGN §9 "property tests of the conflict engine against a brute-force oracle".
//!
//! Random clinics (New York, London, Lord Howe with its 30-minute shift, Kolkata), random weekly schedules with
//! breaks, dated exceptions and RRULEs, random types (duration, buffers, capacity, notice, horizon,
//! granularity), random existing appointments in every status, random requests. The oracle below decides each
//! request by direct pairwise comparison with every other appointment and by resolving each schedule's local
//! wall times itself ([`common::resolve`], UTC → local only); it shares no code with the engine. Requests are
//! applied one after another (accepted ones are booked or rescheduled), so the calendar's incremental updates
//! are exercised too.

mod common;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use proptest::prelude::*;

use clinic_core::*;
use common::*;

// ------------------------------------------------------------------------------------------------
// The oracle
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct Expected {
    codes: Vec<ErrorCode>,
    /// For rules 1 and 2: the conflicting appointments, sorted.
    conflicting: Vec<(ErrorCode, Vec<AppointmentId>)>,
    overbooked: bool,
}

fn is_active(s: AppointmentStatus) -> bool {
    matches!(s, AppointmentStatus::Proposed | AppointmentStatus::Booked | AppointmentStatus::Arrived)
}

fn overlaps(a: (i64, i64), b: (i64, i64)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

fn effective(a: &Appointment) -> (i64, i64) {
    (
        minute_of(a.slot().start()) - i64::from(a.buffer_before_minutes()),
        minute_of(a.slot().end()) + i64::from(a.buffer_after_minutes()),
    )
}

fn bare(a: &Appointment) -> (i64, i64) {
    (minute_of(a.slot().start()), minute_of(a.slot().end()))
}

/// The local dates an RRULE of the generator's three shapes falls on (hand expansion, no `rrule` crate).
fn rrule_dates(r: &RecurringHours, valid_from: NaiveDate) -> Vec<NaiveDate> {
    let kv: std::collections::HashMap<&str, &str> = r.rrule.split(';').filter_map(|p| p.split_once('=')).collect();
    match kv["FREQ"] {
        "DAILY" => {
            let interval: i64 = kv.get("INTERVAL").map_or(1, |v| v.parse().unwrap());
            let count: i64 = kv["COUNT"].parse().unwrap();
            (0..count).map(|k| valid_from + Duration::days(k * interval)).collect()
        }
        "WEEKLY" => {
            let until = NaiveDate::parse_from_str(kv["UNTIL"], "%Y%m%d").unwrap();
            let days: Vec<u32> = kv["BYDAY"]
                .split(',')
                .map(|d| ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].iter().position(|x| x == &d).unwrap() as u32)
                .collect();
            valid_from
                .iter_days()
                .take_while(|d| *d <= until)
                .filter(|d| days.contains(&d.weekday().num_days_from_monday()))
                .collect()
        }
        other => panic!("generator does not make FREQ={other}"),
    }
}

/// Rule 3 (containment) and rule 5 (alignment) for one resource, straight from the schedule inputs:
/// `[s, e)` is inside one window piece when it lies in a raw window and touches none of the schedule's
/// blocked intervals; it is aligned when `s − raw window start` is a multiple of the granularity.
fn fit(sc: &Scenario, r: ResourceRef, s: i64, e: i64) -> (bool, bool) {
    let tz = sc.tz;
    let (mut contained, mut aligned) = (false, false);
    let first = local_date_of(tz, s) - Duration::days(2);
    let last = local_date_of(tz, e - 1) + Duration::days(1);
    for sch in sc.schedules.iter().filter(|x| x.resource() == r) {
        let inp = sch.input();
        let valid = |d: NaiveDate| d >= inp.valid_from && inp.valid_until.is_none_or(|u| d <= u);
        let mut raw: Vec<(i64, i64)> = Vec::new();
        let mut blocked: Vec<(i64, i64)> = Vec::new();
        for d in first.iter_days().take_while(|d| *d <= last).filter(|d| valid(*d)) {
            for w in inp.weekly_hours.iter().filter(|w| w.weekday == d.weekday()) {
                raw.push((resolve_dt(tz, d, w.start), resolve_dt(tz, d, w.end)));
            }
            for b in inp.breaks.iter().filter(|b| b.weekdays.is_empty() || b.weekdays.contains(&d.weekday())) {
                blocked.push((resolve_dt(tz, d, b.start), resolve_dt(tz, d, b.end)));
            }
            for x in inp.exceptions.iter().filter(|x| x.date == d) {
                let iv = match (x.start, x.end) {
                    (Some(a), Some(b)) => (resolve_dt(tz, d, a), resolve_dt(tz, d, b)),
                    _ => (resolve_dt(tz, d, NaiveTime::MIN), resolve_dt(tz, d + Duration::days(1), NaiveTime::MIN)),
                };
                match x.kind {
                    ExceptionKind::Extra => raw.push(iv),
                    ExceptionKind::Absence => blocked.push(iv),
                }
            }
            for rec in &inp.recurrences {
                if rrule_dates(rec, inp.valid_from).contains(&d) {
                    let start = d.and_time(rec.start);
                    let end = start + Duration::minutes(i64::from(rec.duration_minutes));
                    raw.push((resolve(tz, start), resolve(tz, end)));
                }
            }
        }
        let step = i64::from(inp.granularity_minutes);
        for &(ws, we) in raw.iter().filter(|w| w.0 < w.1) {
            if ws <= s && e <= we && !blocked.iter().any(|&b| b.0 < b.1 && overlaps(b, (s, e))) {
                contained = true;
                aligned |= (s - ws).rem_euclid(step) == 0;
            }
        }
    }
    (contained, aligned)
}

/// A group session's `capacity` caps the room as well as the practitioner (DESIGN rule 1 applies to "the same
/// practitioner or room").
fn oracle(
    sc: &Scenario,
    appts: &[Appointment],
    req: &BookingRequest,
    now: DateTime<Utc>,
    may_overbook: bool,
) -> Expected {
    use ErrorCode::*;
    let mut codes = Vec::new();
    let mut conflicting = Vec::new();
    let ty = sc.types.iter().find(|t| t.id() == req.appointment_type_id).unwrap();
    let prac = sc.practitioners.iter().find(|p| p.id() == req.practitioner_id).unwrap();
    if let Some(r) = req.room_id {
        if !sc.rooms.iter().find(|x| x.id() == r).unwrap().active() {
            codes.push(ResourceInactive);
        }
    }
    if req.start.second() != 0 || req.start.nanosecond() != 0 {
        codes.push(TimeSlotNotMinuteAligned);
        return Expected { codes, conflicting, overbooked: false };
    }
    if !prac.active() {
        codes.push(ResourceInactive);
    }
    if !ty.active() {
        codes.push(ResourceInactive);
    }
    if !(ty.practitioner_ids().is_empty() || ty.practitioner_ids().contains(&prac.id())) {
        codes.push(TypeNotOffered);
    }
    let s = minute_of(req.start);
    let e = s + i64::from(ty.duration_minutes());
    let eff = (s - i64::from(ty.buffer_before_minutes()), e + i64::from(ty.buffer_after_minutes()));
    let others: Vec<&Appointment> =
        appts.iter().filter(|a| is_active(a.status()) && Some(a.id()) != req.reschedule_of).collect();
    let same_session = |a: &Appointment| ty.capacity() > 1 && a.appointment_type_id() == ty.id() && bare(a) == (s, e);

    // Rule 1, pairwise.
    let mut rule1: Vec<(ErrorCode, Vec<AppointmentId>)> = Vec::new();
    let on_prac: Vec<&&Appointment> =
        others.iter().filter(|a| a.practitioner_id() == prac.id() && overlaps(effective(a), eff)).collect();
    let clash: Vec<AppointmentId> = on_prac.iter().filter(|a| !same_session(a)).map(|a| a.id()).collect();
    let session: Vec<AppointmentId> = on_prac.iter().filter(|a| same_session(a)).map(|a| a.id()).collect();
    if !clash.is_empty() {
        rule1.push((SlotConflictPractitioner, clash));
    } else if ty.capacity() > 1 && session.len() >= ty.capacity() as usize {
        rule1.push((GroupSessionFull, session));
    }
    if let Some(r) = req.room_id {
        let clash: Vec<AppointmentId> = others
            .iter()
            .filter(|a| a.room_id() == Some(r) && overlaps(effective(a), eff) && !same_session(a))
            .map(|a| a.id())
            .collect();
        let session: Vec<AppointmentId> =
            others.iter().filter(|a| a.room_id() == Some(r) && same_session(a)).map(|a| a.id()).collect();
        let practitioner_full = rule1.iter().any(|(c, _)| *c == GroupSessionFull);
        if !clash.is_empty() {
            rule1.push((SlotConflictRoom, clash));
        } else if ty.capacity() > 1 && session.len() >= ty.capacity() as usize && !practitioner_full {
            rule1.push((GroupSessionFull, session));
        }
    }
    let mut overbooked = false;
    if req.overbook && may_overbook {
        overbooked = !rule1.is_empty();
    } else {
        for (c, ids) in rule1 {
            codes.push(c);
            conflicting.push((c, ids));
        }
    }
    // Rule 2, bare slots.
    let mine: Vec<AppointmentId> = others
        .iter()
        .filter(|a| a.patient_id() == req.patient_id && overlaps(bare(a), (s, e)))
        .map(|a| a.id())
        .collect();
    if !mine.is_empty() {
        codes.push(PatientDoubleBooked);
        conflicting.push((PatientDoubleBooked, mine));
    }
    // Rule 3 and 5.
    let tz = sc.tz;
    let closed = sc.clinic.closures().iter().any(|c| {
        let iv = match (c.start, c.end) {
            (Some(a), Some(b)) => (resolve_dt(tz, c.date, a), resolve_dt(tz, c.date, b)),
            _ => (resolve_dt(tz, c.date, NaiveTime::MIN), resolve_dt(tz, c.date + Duration::days(1), NaiveTime::MIN)),
        };
        overlaps(iv, (s, e))
    });
    let mut misaligned = false;
    if closed {
        codes.push(ClinicClosed);
    } else {
        let (inside, aligned) = fit(sc, ResourceRef::Practitioner(prac.id()), s, e);
        if !inside {
            codes.push(OutsideAvailability);
        } else {
            if let Some(r) = req.room_id {
                let room = ResourceRef::Room(r);
                if sc.schedules.iter().any(|x| x.resource() == room) && !fit(sc, room, s, e).0 {
                    codes.push(RoomUnavailable);
                }
            }
            misaligned = !aligned;
        }
    }
    // Rule 4: now rounded up to the whole minute; the horizon counts clinic-local days.
    let now_min = (now.timestamp() + 59).div_euclid(60);
    let horizon_end =
        resolve(sc.tz, now.with_timezone(&sc.tz).naive_local() + Duration::days(i64::from(ty.max_horizon_days())));
    if s < now_min + i64::from(ty.min_notice_minutes()) {
        codes.push(MinNoticeViolated);
    } else if s > horizon_end {
        codes.push(BeyondBookingHorizon);
    }
    if misaligned {
        codes.push(MisalignedStart);
    }
    // Rule 6.
    if req.overbook && !may_overbook {
        codes.push(OverbookNotPermitted);
    }
    for c in &mut conflicting {
        c.1.sort();
    }
    Expected { codes, conflicting, overbooked }
}

// ------------------------------------------------------------------------------------------------
// Requests
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct RequestSpec {
    /// 0..3 have appointments; 3 is a patient without any.
    patient: usize,
    practitioner: usize,
    room: Option<usize>,
    ty: usize,
    start: StartSpec,
    overbook: bool,
    may_overbook: bool,
    reschedule_of: Option<usize>,
    seconds: u32,
}

fn request_spec() -> impl Strategy<Value = RequestSpec> {
    (
        0usize..4,
        0usize..2,
        prop::option::weighted(0.4, 0usize..2),
        0usize..3,
        prop_oneof![
            2 => (-300i32..1740).prop_map(StartSpec::Raw),
            4 => any::<usize>().prop_map(StartSpec::OnGrid),
            3 => (any::<usize>(), -60i32..=60).prop_map(|(j, d)| StartSpec::Near(j, d)),
            3 => any::<usize>().prop_map(StartSpec::SameAs),
        ],
        prop::bool::weighted(0.2),
        any::<bool>(),
        prop::option::weighted(0.2, any::<usize>()),
        prop_oneof![25 => Just(0u32), 1 => 1u32..60],
    )
        .prop_map(|(patient, practitioner, room, ty, start, overbook, may_overbook, reschedule_of, seconds)| {
            RequestSpec { patient, practitioner, room, ty, start, overbook, may_overbook, reschedule_of, seconds }
        })
}

fn engine_conflicting(v: &Verdict) -> Vec<(ErrorCode, Vec<AppointmentId>)> {
    v.violations
        .iter()
        .filter(|x| !x.conflicting.is_empty())
        .map(|x| {
            let mut ids = x.conflicting.clone();
            ids.sort();
            (x.code, ids)
        })
        .collect()
}

fn run_case(spec: &ScenarioSpec, requests: &[RequestSpec]) -> Result<(), TestCaseError> {
    let mut sc = build(spec);
    let mut appts = sc.appointments.clone();
    for (i, r) in requests.iter().enumerate() {
        let (mut prac, mut tyi, mut room) = (r.practitioner, r.ty, r.room.map(|x| sc.rooms[x].id()));
        if let (StartSpec::SameAs(j), false) = (&r.start, appts.is_empty()) {
            // Join (or try to join) an existing appointment's session: same practitioner, type and room.
            let other = &appts[j % appts.len()];
            prac = sc.practitioners.iter().position(|p| p.id() == other.practitioner_id()).unwrap();
            tyi = sc.types.iter().position(|t| t.id() == other.appointment_type_id()).unwrap();
            room = other.room_id();
        }
        let ty = &sc.types[tyi];
        let start = match (&r.start, appts.is_empty()) {
            (StartSpec::SameAs(j), false) => appts[j % appts.len()].slot().start(),
            _ => at_minute(sc.start_of(&r.start, prac, tyi)),
        } + Duration::seconds(i64::from(r.seconds));
        // Only active appointments can be moved (the use case refuses the others before the engine runs).
        let movable: Vec<AppointmentId> = appts.iter().filter(|a| is_active(a.status())).map(|a| a.id()).collect();
        let reschedule_of = match r.reschedule_of {
            Some(j) if !movable.is_empty() => Some(movable[j % movable.len()]),
            _ => None,
        };
        // A reschedule keeps the appointment's patient.
        let patient_id = match reschedule_of {
            Some(id) => appts.iter().find(|a| a.id() == id).unwrap().patient_id(),
            None => sc.patients[r.patient],
        };
        let req = BookingRequest {
            patient_id,
            practitioner_id: sc.practitioners[prac].id(),
            room_id: room,
            appointment_type_id: ty.id(),
            start,
            overbook: r.overbook,
            reschedule_of,
        };
        let now = sc.now;
        let got = sc.calendar.check(&req, now, r.may_overbook);
        let want = oracle(&sc, &appts, &req, now, r.may_overbook);
        let ctx = || {
            let local = start.with_timezone(&sc.tz);
            format!(
                "request #{i} at {start} ({local}, zone {}) now {now}\nrequest: {req:#?}\nengine: {:#?}",
                sc.tz.name(),
                got.violations
            )
        };
        prop_assert_eq!(&got.codes(), &want.codes, "codes differ\n{}", ctx());
        prop_assert_eq!(&engine_conflicting(&got), &want.conflicting, "conflicting appointments differ\n{}", ctx());
        prop_assert_eq!(got.overbooked, want.overbooked, "overbooked flag differs\n{}", ctx());
        prop_assert_eq!(got.accepted, want.codes.is_empty());

        if !got.accepted {
            // Every alternative offered books successfully.
            prop_assert!(got.alternatives.same_practitioner.len() <= 5);
            for alt in got.alternatives.same_practitioner.iter().chain(&got.alternatives.other_practitioners) {
                prop_assert_eq!(minute_of(alt.end) - minute_of(alt.start), i64::from(ty.duration_minutes()));
                let again = BookingRequest {
                    start: alt.start,
                    practitioner_id: alt.practitioner_id,
                    overbook: false,
                    ..req.clone()
                };
                let (v, _) = sc.calendar.evaluate(&again, now, false);
                prop_assert!(v.is_empty(), "alternative {alt:?} is not bookable: {v:?}\n{}", ctx());
                let want_alt = oracle(&sc, &appts, &again, now, false);
                prop_assert!(want_alt.codes.is_empty(), "oracle refuses alternative {alt:?}: {:?}", want_alt.codes);
            }
            for alt in &got.alternatives.same_practitioner {
                prop_assert_eq!(alt.practitioner_id, req.practitioner_id);
            }
            for alt in &got.alternatives.other_practitioners {
                prop_assert!(alt.practitioner_id != req.practitioner_id && alt.start == req.start);
            }
            continue;
        }
        // Apply the accepted request so later requests see it.
        let slot = TimeSlot::starting_at(start, i64::from(ty.duration_minutes())).unwrap();
        let updated = match reschedule_of {
            Some(id) => {
                let a = appts.iter_mut().find(|a| a.id() == id).unwrap();
                a.reschedule(slot, Some(req.practitioner_id), Some(req.room_id), now, None).unwrap();
                a.clone()
            }
            None => {
                let new = NewAppointment {
                    clinic_id: sc.clinic.id(),
                    patient_id: req.patient_id,
                    practitioner_id: req.practitioner_id,
                    room_id: req.room_id,
                    appointment_type_id: ty.id(),
                    slot,
                    reason: None,
                    notes: None,
                };
                let id = AppointmentId(uuid::Uuid::from_u128((8u128 << 64) | i as u128));
                let a = Appointment::new(id, new, ty, AppointmentStatus::Booked, got.overbooked, now).unwrap();
                appts.push(a.clone());
                a
            }
        };
        sc.calendar.upsert_appointment(&updated).unwrap();
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config(1500))]

    #[test]
    fn check_agrees_with_brute_force_oracle(
        spec in scenario_spec(),
        requests in prop::collection::vec(request_spec(), 1..=6),
    ) {
        run_case(&spec, &requests)?;
    }
}

/// The oracle's own clock reasoning, pinned on hand-checked instants (so a wrong oracle cannot agree with a
/// wrong engine).
#[test]
fn oracle_resolution_matches_hand_checked_instants() {
    let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
    let lh: chrono_tz::Tz = "Australia/Lord_Howe".parse().unwrap();
    let m = |s: &str| minute_of(s.parse::<DateTime<Utc>>().unwrap());
    let t = |h, mi| NaiveTime::from_hms_opt(h, mi, 0).unwrap();
    assert_eq!(resolve_dt(ny, date(2027, 3, 14), t(2, 30)), m("2027-03-14T07:00:00Z"));
    assert_eq!(resolve_dt(ny, date(2027, 3, 14), t(1, 59)), m("2027-03-14T06:59:00Z"));
    assert_eq!(resolve_dt(ny, date(2027, 11, 7), t(1, 30)), m("2027-11-07T05:30:00Z"));
    assert_eq!(resolve_dt(ny, date(2027, 11, 7), t(2, 0)), m("2027-11-07T07:00:00Z"));
    assert_eq!(resolve_dt(lh, date(2027, 10, 3), t(2, 15)), m("2027-10-02T15:30:00Z"));
    assert_eq!(resolve_dt(lh, date(2027, 4, 4), t(1, 45)), m("2027-04-03T14:45:00Z"));
    assert_eq!(resolve_dt(lh, date(2027, 4, 4), t(2, 0)), m("2027-04-03T15:30:00Z"));
}
