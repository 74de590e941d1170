//! One test per booking rule of DESIGN §3 (1–6) and per bad-input constructor, each asserting the exact
//! stable code(s).
//!
//! Fixture: Europe/London in January (GMT, so local = UTC), Monday 2027-01-04. Practitioners P0 and P1 work
//! Mon 09:00–17:00 with a lunch break 12:00–13:00 and a short break 15:00–15:10, 15-minute granularity.
//! "Check-up": 30 min, 5 min buffer before, 10 min after, min notice 60 min, horizon 30 days.
//! "Class": a 60-minute group type of capacity 2.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};

use clinic_core::ErrorCode::{self, *};
use clinic_core::*;

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}
fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()
}
/// `HH:MM` on the fixture Monday (UTC = London in January).
fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day().and_time(t(h, m)))
}

struct Fx {
    clinic: Clinic,
    p: [Practitioner; 2],
    room: Room,
    checkup: AppointmentType,
    class: AppointmentType,
    patients: [PatientId; 3],
    schedules: Vec<Schedule>,
    appts: Vec<Appointment>,
    now: DateTime<Utc>,
}

fn schedule_input(resource: ResourceRef) -> ScheduleInput {
    ScheduleInput {
        resource,
        weekly_hours: vec![WeeklyHours { weekday: Weekday::Mon, start: t(9, 0), end: t(17, 0) }],
        recurrences: vec![],
        breaks: vec![
            Break { weekdays: vec![], start: t(12, 0), end: t(13, 0) },
            Break { weekdays: vec![Weekday::Mon], start: t(15, 0), end: t(15, 10) },
        ],
        exceptions: vec![],
        valid_from: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        valid_until: None,
        granularity_minutes: 15,
    }
}

fn fx_with(closures: Vec<Closure>) -> Fx {
    let clinic = Clinic::new(
        ClinicId::new(),
        ClinicInput { name: "Rules".into(), time_zone: "Europe/London".into(), closures, ..Default::default() },
    )
    .unwrap();
    let cid = clinic.id();
    let p = [0, 1]
        .map(|i| Practitioner::new(PractitionerId::new(), cid, &format!("Dr {i}"), ContactInfo::default()).unwrap());
    let room = Room::new(RoomId::new(), cid, "Room 1").unwrap();
    let checkup = AppointmentType::new(
        AppointmentTypeId::new(),
        cid,
        AppointmentTypeInput {
            name: "Check-up".into(),
            duration_minutes: 30,
            buffer_before_minutes: 5,
            buffer_after_minutes: 10,
            min_notice_minutes: 60,
            max_horizon_days: 30,
            ..Default::default()
        },
    )
    .unwrap();
    let class = AppointmentType::new(
        AppointmentTypeId::new(),
        cid,
        AppointmentTypeInput { name: "Class".into(), duration_minutes: 60, capacity: 2, ..Default::default() },
    )
    .unwrap();
    let schedules = p
        .iter()
        .map(|x| Schedule::new(ScheduleId::new(), cid, schedule_input(ResourceRef::Practitioner(x.id()))).unwrap())
        .collect();
    Fx {
        clinic,
        p,
        room,
        checkup,
        class,
        patients: [PatientId::new(), PatientId::new(), PatientId::new()],
        schedules,
        appts: vec![],
        now: Utc.with_ymd_and_hms(2027, 1, 1, 8, 0, 0).unwrap(),
    }
}

fn fx() -> Fx {
    fx_with(vec![])
}

impl Fx {
    fn calendar(&self) -> Calendar {
        Calendar::from_parts(
            self.clinic.clone(),
            self.p.clone(),
            [self.room.clone()],
            [self.checkup.clone(), self.class.clone()],
            self.schedules.clone(),
            self.appts.clone(),
        )
        .unwrap()
    }

    fn req(&self, patient: usize, prac: usize, ty: &AppointmentType, start: DateTime<Utc>) -> BookingRequest {
        BookingRequest {
            patient_id: self.patients[patient],
            practitioner_id: self.p[prac].id(),
            room_id: None,
            appointment_type_id: ty.id(),
            start,
            overbook: false,
            reschedule_of: None,
        }
    }

    /// Adds an existing appointment (bypassing the rules, like data already in the store).
    fn add(
        &mut self,
        patient: usize,
        prac: usize,
        room: bool,
        ty: &AppointmentType,
        start: DateTime<Utc>,
        status: AppointmentStatus,
    ) -> AppointmentId {
        let spec = NewAppointment {
            clinic_id: self.clinic.id(),
            patient_id: self.patients[patient],
            practitioner_id: self.p[prac].id(),
            room_id: room.then(|| self.room.id()),
            appointment_type_id: ty.id(),
            slot: TimeSlot::starting_at(start, i64::from(ty.duration_minutes())).unwrap(),
            reason: None,
            notes: None,
        };
        let initial =
            if status == AppointmentStatus::Proposed { AppointmentStatus::Proposed } else { AppointmentStatus::Booked };
        let mut a = Appointment::new(AppointmentId::new(), spec, ty, initial, false, self.now).unwrap();
        use AppointmentStatus::*;
        let path: &[AppointmentStatus] = match status {
            Proposed | Booked => &[],
            Arrived => &[Arrived],
            Fulfilled => &[Arrived, Fulfilled],
            Cancelled => &[Cancelled],
            Noshow => &[Noshow],
        };
        for &to in path {
            a.transition(to, start, self.clinic.time_zone(), None, None).unwrap();
        }
        let id = a.id();
        self.appts.push(a);
        id
    }

    fn codes(&self, req: &BookingRequest) -> Vec<ErrorCode> {
        self.calendar().check(req, self.now, false).codes()
    }
}

fn accepted(v: &Verdict) {
    assert!(v.accepted && v.violations.is_empty(), "expected acceptance, got {:?}", v.codes());
}

// ---------------------------------------------------------------------------------------------
// The fixture itself is bookable
// ---------------------------------------------------------------------------------------------

#[test]
fn a_free_aligned_slot_inside_hours_is_accepted() {
    let f = fx();
    let v = f.calendar().check(&f.req(0, 0, &f.checkup, at(10, 0)), f.now, false);
    accepted(&v);
    assert!(!v.overbooked);
}

// ---------------------------------------------------------------------------------------------
// Rule 1: resource
// ---------------------------------------------------------------------------------------------

#[test]
fn rule1_practitioner_conflict_compares_effective_intervals() {
    let mut f = fx();
    // 10:00–10:30 occupies [09:55, 10:40) with its buffers.
    let existing = f.add(1, 0, false, &f.checkup.clone(), at(10, 0), AppointmentStatus::Booked);
    let cal = f.calendar();
    for (start, ok) in [
        ((9, 15), true),   // [09:10, 09:55) touches [09:55, …)
        ((9, 30), false),  // [09:25, 10:10)
        ((10, 0), false),  // identical slot
        ((10, 30), false), // [10:25, 11:10) overlaps the 10-minute buffer after
        ((10, 45), true),  // [10:40, 11:25) touches
    ] {
        let v = cal.check(&f.req(0, 0, &f.checkup, at(start.0, start.1)), f.now, false);
        if ok {
            accepted(&v);
        } else {
            assert_eq!(v.codes(), [SlotConflictPractitioner], "{start:?}");
            assert_eq!(v.violations[0].conflicting, [existing]);
        }
    }
}

#[test]
fn rule1_other_practitioner_is_not_a_conflict() {
    let mut f = fx();
    f.add(1, 0, false, &f.checkup.clone(), at(10, 0), AppointmentStatus::Booked);
    accepted(&f.calendar().check(&f.req(0, 1, &f.checkup, at(10, 0)), f.now, false));
}

#[test]
fn rule1_room_conflict() {
    let mut f = fx();
    let existing = f.add(1, 0, true, &f.checkup.clone(), at(10, 0), AppointmentStatus::Booked);
    let mut req = f.req(0, 1, &f.checkup, at(10, 15));
    req.room_id = Some(f.room.id());
    let v = f.calendar().check(&req, f.now, false);
    assert_eq!(v.codes(), [SlotConflictRoom]);
    assert_eq!(v.violations[0].conflicting, [existing]);
    req.room_id = None;
    accepted(&f.calendar().check(&req, f.now, false));
}

#[test]
fn rule1_practitioner_and_room_conflicts_are_both_reported() {
    let mut f = fx();
    f.add(1, 0, true, &f.checkup.clone(), at(10, 0), AppointmentStatus::Booked);
    let mut req = f.req(0, 0, &f.checkup, at(10, 0));
    req.room_id = Some(f.room.id());
    assert_eq!(f.codes(&req), [SlotConflictPractitioner, SlotConflictRoom]);
}

#[test]
fn rule1_group_session_shares_the_identical_slot_up_to_capacity() {
    let mut f = fx();
    let class = f.class.clone();
    let a = f.add(0, 0, false, &class, at(10, 0), AppointmentStatus::Booked);
    // One place left.
    accepted(&f.calendar().check(&f.req(1, 0, &class, at(10, 0)), f.now, false));
    let b = f.add(1, 0, false, &class, at(10, 0), AppointmentStatus::Booked);
    let v = f.calendar().check(&f.req(2, 0, &class, at(10, 0)), f.now, false);
    assert_eq!(v.codes(), [GroupSessionFull]);
    let mut members = v.violations[0].conflicting.clone();
    members.sort();
    let mut want = vec![a, b];
    want.sort();
    assert_eq!(members, want);
    // Not the identical slot: an ordinary conflict.
    assert_eq!(f.codes(&f.req(2, 0, &class, at(10, 15))), [SlotConflictPractitioner]);
    // Another type at the session's time: an ordinary conflict.
    assert_eq!(f.codes(&f.req(2, 0, &f.checkup, at(10, 30))), [SlotConflictPractitioner]);
}

#[test]
fn rule1_group_session_in_a_room_holds_at_most_capacity() {
    // Rule 1 protects the room like the practitioner: "up to `capacity` patients share the identical slot".
    // P0's class in the room is full (2 of 2); P1 adding a third patient to the same room, type and slot
    // must not be accepted.
    let mut f = fx();
    let class = f.class.clone();
    f.add(0, 0, true, &class, at(10, 0), AppointmentStatus::Booked);
    f.add(1, 0, true, &class, at(10, 0), AppointmentStatus::Booked);
    let mut req = f.req(2, 1, &class, at(10, 0));
    req.room_id = Some(f.room.id());
    assert_eq!(f.codes(&req), [GroupSessionFull]);
}

#[test]
fn rule1_ignores_appointments_that_are_not_active() {
    use AppointmentStatus::*;
    for (status, conflicts) in
        [(Proposed, true), (Booked, true), (Arrived, true), (Fulfilled, false), (Cancelled, false), (Noshow, false)]
    {
        let mut f = fx();
        f.add(1, 0, false, &f.checkup.clone(), at(10, 0), status);
        let codes = f.codes(&f.req(0, 0, &f.checkup, at(10, 0)));
        if conflicts {
            assert_eq!(codes, [SlotConflictPractitioner], "{status}");
        } else {
            assert_eq!(codes, Vec::<ErrorCode>::new(), "{status}");
        }
    }
}

#[test]
fn rule1_reschedule_does_not_conflict_with_itself() {
    let mut f = fx();
    let id = f.add(0, 0, false, &f.checkup.clone(), at(10, 0), AppointmentStatus::Booked);
    let mut req = f.req(0, 0, &f.checkup, at(10, 15));
    assert_eq!(f.codes(&req), [SlotConflictPractitioner, PatientDoubleBooked]);
    req.reschedule_of = Some(id);
    accepted(&f.calendar().check(&req, f.now, false));
}

#[test]
fn rule1_uses_the_buffers_copied_at_booking() {
    let mut f = fx();
    // Booked while the type had a 30-minute buffer after; the type now has 10.
    let old = AppointmentType::new(
        f.checkup.id(),
        f.clinic.id(),
        AppointmentTypeInput { buffer_after_minutes: 30, ..f.checkup.input().clone() },
    )
    .unwrap();
    f.add(1, 0, false, &old, at(10, 0), AppointmentStatus::Booked);
    // [10:45−5, …) starts inside the old booking's [09:55, 11:00).
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(10, 45))), [SlotConflictPractitioner]);
    accepted(&f.calendar().check(&f.req(0, 0, &f.checkup, at(11, 15)), f.now, false));
}

// ---------------------------------------------------------------------------------------------
// Rule 2: patient
// ---------------------------------------------------------------------------------------------

#[test]
fn rule2_patient_double_booked_across_practitioners_on_bare_slots() {
    let mut f = fx();
    let existing = f.add(0, 0, false, &f.checkup.clone(), at(10, 0), AppointmentStatus::Booked);
    let v = f.calendar().check(&f.req(0, 1, &f.checkup, at(10, 15)), f.now, false);
    assert_eq!(v.codes(), [PatientDoubleBooked]);
    assert_eq!(v.violations[0].conflicting, [existing]);
    // Buffers do not apply to the patient: back-to-back with another practitioner is fine.
    accepted(&f.calendar().check(&f.req(0, 1, &f.checkup, at(10, 30)), f.now, false));
    // Another patient at the same time with P1 is fine too.
    accepted(&f.calendar().check(&f.req(1, 1, &f.checkup, at(10, 15)), f.now, false));
}

// ---------------------------------------------------------------------------------------------
// Rule 3: availability
// ---------------------------------------------------------------------------------------------

#[test]
fn rule3_outside_weekly_hours_and_breaks() {
    let f = fx();
    for (h, m) in [
        (8, 30),  // before opening
        (16, 45), // runs past 17:00
        (12, 0),  // in the lunch break
        (11, 45), // runs into the lunch break
        (14, 45), // runs into the 15:00 break
        (23, 0),  // night
    ] {
        assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(h, m))), [OutsideAvailability], "{h}:{m}");
    }
    // Tuesday: no hours.
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(10, 0) + Duration::days(1))), [OutsideAvailability]);
    // The last slot of the day ends exactly at closing.
    accepted(&f.calendar().check(&f.req(0, 0, &f.checkup, at(16, 30)), f.now, false));
}

#[test]
fn rule3_clinic_closure_partial_and_whole_day() {
    let f = fx_with(vec![
        Closure { date: day(), start: Some(t(14, 0)), end: Some(t(15, 0)), reason: "training".into() },
        Closure::whole_day(day() + Duration::days(7), "holiday"),
    ]);
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(14, 30))), [ClinicClosed]);
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(13, 45))), [ClinicClosed]);
    accepted(&f.calendar().check(&f.req(0, 0, &f.checkup, at(13, 30)), f.now, false));
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(10, 0) + Duration::days(7))), [ClinicClosed]);
}

#[test]
fn rule3_room_outside_its_schedule() {
    let mut f = fx();
    let mut input = schedule_input(ResourceRef::Room(f.room.id()));
    input.weekly_hours = vec![WeeklyHours { weekday: Weekday::Mon, start: t(13, 0), end: t(17, 0) }];
    input.breaks.clear();
    f.schedules.push(Schedule::new(ScheduleId::new(), f.clinic.id(), input).unwrap());
    let mut req = f.req(0, 0, &f.checkup, at(10, 0));
    req.room_id = Some(f.room.id());
    assert_eq!(f.codes(&req), [RoomUnavailable]);
    req.start = at(13, 0);
    accepted(&f.calendar().check(&req, f.now, false));
}

#[test]
fn rule3_room_without_a_schedule_is_always_available() {
    let f = fx();
    let mut req = f.req(0, 0, &f.checkup, at(10, 0));
    req.room_id = Some(f.room.id());
    accepted(&f.calendar().check(&req, f.now, false));
}

#[test]
fn rule3_absence_exception() {
    let mut f = fx();
    let mut input = schedule_input(ResourceRef::Practitioner(f.p[0].id()));
    input.exceptions = vec![
        ScheduleException {
            date: day(),
            kind: ExceptionKind::Absence,
            start: Some(t(9, 0)),
            end: Some(t(11, 0)),
            reason: "dentist".into(),
        },
        ScheduleException {
            date: day() + Duration::days(7),
            kind: ExceptionKind::Absence,
            start: None,
            end: None,
            reason: "leave".into(),
        },
        ScheduleException {
            date: day() + Duration::days(1),
            kind: ExceptionKind::Extra,
            start: Some(t(9, 0)),
            end: Some(t(10, 0)),
            reason: "extra".into(),
        },
    ];
    f.schedules[0] = Schedule::new(f.schedules[0].id(), f.clinic.id(), input).unwrap();
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(10, 0))), [OutsideAvailability]);
    accepted(&f.calendar().check(&f.req(0, 0, &f.checkup, at(11, 0)), f.now, false));
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(11, 0) + Duration::days(7))), [OutsideAvailability]);
    // Extra hours on Tuesday.
    accepted(&f.calendar().check(&f.req(0, 0, &f.checkup, at(9, 0) + Duration::days(1)), f.now, false));
}

// ---------------------------------------------------------------------------------------------
// Rule 4: horizon
// ---------------------------------------------------------------------------------------------

#[test]
fn rule4_min_notice_with_now_rounded_up_to_the_minute() {
    let mut f = fx();
    // now 09:30:00 → earliest 10:30.
    f.now = at(9, 30);
    accepted(&f.calendar().check(&f.req(0, 0, &f.checkup, at(10, 30)), f.now, false));
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(10, 15))), [MinNoticeViolated]);
    // now 09:30:01 rounds up to 09:31 → 10:30 is one minute too soon.
    f.now = at(9, 30) + Duration::seconds(1);
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(10, 30))), [MinNoticeViolated]);
    accepted(&f.calendar().check(&f.req(0, 0, &f.checkup, at(10, 45)), f.now, false));
}

#[test]
fn rule4_now_with_a_subsecond_fraction_rounds_up_too() {
    // 0.3 s past 09:30 is past the minute: the engine must treat now as 09:31, like 09:30:01.
    let mut f = fx();
    f.now = at(9, 30) + Duration::milliseconds(300);
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(10, 30))), [MinNoticeViolated]);
}

#[test]
fn rule4_beyond_booking_horizon() {
    let mut f = fx();
    // now exactly 30 days before Monday 10:00: 10:00 is the last allowed start.
    f.now = at(10, 0) - Duration::days(30);
    accepted(&f.calendar().check(&f.req(0, 0, &f.checkup, at(10, 0)), f.now, false));
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(10, 15))), [BeyondBookingHorizon]);
}

// ---------------------------------------------------------------------------------------------
// Rule 5: alignment
// ---------------------------------------------------------------------------------------------

#[test]
fn rule5_misaligned_start() {
    let f = fx();
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(10, 5))), [MisalignedStart]);
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(9, 1))), [MisalignedStart]);
}

#[test]
fn rule5_alignment_counts_from_the_window_start_not_the_break_end() {
    let f = fx();
    // The 15:00–15:10 break leaves a piece starting 15:10, but the grid is 09:00 + k·15.
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(15, 10))), [MisalignedStart]);
    accepted(&f.calendar().check(&f.req(0, 0, &f.checkup, at(15, 15)), f.now, false));
}

#[test]
fn rule5_alignment_per_window() {
    let mut f = fx();
    // A second window 17:05–18:00 (extra hours) has its own grid: 17:05, 17:20, …
    let mut input = schedule_input(ResourceRef::Practitioner(f.p[0].id()));
    input.exceptions = vec![ScheduleException {
        date: day(),
        kind: ExceptionKind::Extra,
        start: Some(t(17, 5)),
        end: Some(t(18, 0)),
        reason: String::new(),
    }];
    f.schedules[0] = Schedule::new(f.schedules[0].id(), f.clinic.id(), input).unwrap();
    accepted(&f.calendar().check(&f.req(0, 0, &f.checkup, at(17, 20)), f.now, false));
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(17, 15))), [MisalignedStart]);
}

// ---------------------------------------------------------------------------------------------
// Rule 6: overbooking
// ---------------------------------------------------------------------------------------------

#[test]
fn rule6_overbook_bypasses_rule1_only_with_the_right() {
    let mut f = fx();
    f.add(1, 0, false, &f.checkup.clone(), at(10, 0), AppointmentStatus::Booked);
    let mut req = f.req(0, 0, &f.checkup, at(10, 0));
    req.overbook = true;
    let cal = f.calendar();
    let v = cal.check(&req, f.now, true);
    accepted(&v);
    assert!(v.overbooked, "an accepted overbooking is flagged for the audit");
    let v = cal.check(&req, f.now, false);
    assert_eq!(v.codes(), [SlotConflictPractitioner, OverbookNotPermitted]);
    // Asking to overbook without the right is refused even without a conflict.
    req.start = at(11, 0);
    assert_eq!(cal.check(&req, f.now, false).codes(), [OverbookNotPermitted]);
    // With the right and nothing to bypass: accepted, not flagged.
    let v = cal.check(&req, f.now, true);
    accepted(&v);
    assert!(!v.overbooked);
}

#[test]
fn rule6_overbook_bypasses_a_full_group_session() {
    let mut f = fx();
    let class = f.class.clone();
    f.add(0, 0, false, &class, at(10, 0), AppointmentStatus::Booked);
    f.add(1, 0, false, &class, at(10, 0), AppointmentStatus::Booked);
    let mut req = f.req(2, 0, &class, at(10, 0));
    req.overbook = true;
    let v = f.calendar().check(&req, f.now, true);
    accepted(&v);
    assert!(v.overbooked);
}

#[test]
fn rule6_overbook_does_not_bypass_rules_2_to_5() {
    let mut f = fx();
    f.add(0, 1, false, &f.checkup.clone(), at(10, 0), AppointmentStatus::Booked);
    let mut req = f.req(0, 0, &f.checkup, at(10, 0));
    req.overbook = true;
    assert_eq!(f.calendar().check(&req, f.now, true).codes(), [PatientDoubleBooked]);
    req.patient_id = f.patients[1];
    req.start = at(8, 0);
    assert_eq!(f.calendar().check(&req, f.now, true).codes(), [OutsideAvailability]);
    req.start = at(10, 5);
    assert_eq!(f.calendar().check(&req, f.now, true).codes(), [MisalignedStart]);
    let now = at(9, 30);
    req.start = at(10, 0);
    assert_eq!(f.calendar().check(&req, now, true).codes(), [MinNoticeViolated]);
}

// ---------------------------------------------------------------------------------------------
// Several rules at once; the other codes of a check
// ---------------------------------------------------------------------------------------------

#[test]
fn every_violated_rule_is_reported_in_rule_order() {
    let mut f = fx();
    f.add(0, 0, false, &f.checkup.clone(), at(10, 0), AppointmentStatus::Booked);
    f.now = at(9, 50);
    let mut req = f.req(0, 0, &f.checkup, at(10, 5));
    req.overbook = true;
    let v = f.calendar().check(&req, f.now, false);
    assert_eq!(
        v.codes(),
        [SlotConflictPractitioner, PatientDoubleBooked, MinNoticeViolated, MisalignedStart, OverbookNotPermitted]
    );
    assert!(!v.accepted);
    // A rejection carries bookable alternatives of the same practitioner.
    assert!(!v.alternatives.same_practitioner.is_empty());
    for alt in &v.alternatives.same_practitioner {
        let again = BookingRequest { start: alt.start, overbook: false, ..req.clone() };
        accepted(&f.calendar().check(&again, f.now, false));
    }
}

#[test]
fn inactive_resources_and_types_not_offered() {
    let mut f = fx();
    f.p[1] = f.p[1].clone().with_active(false);
    assert_eq!(f.codes(&f.req(0, 1, &f.checkup, at(10, 0))), [ResourceInactive]);
    f.room = f.room.clone().with_active(false);
    let mut req = f.req(0, 0, &f.checkup, at(10, 0));
    req.room_id = Some(f.room.id());
    assert_eq!(f.codes(&req), [ResourceInactive]);
    let mut f = fx();
    f.checkup = AppointmentType::new(
        f.checkup.id(),
        f.clinic.id(),
        AppointmentTypeInput { practitioner_ids: vec![f.p[1].id()], ..f.checkup.input().clone() },
    )
    .unwrap();
    assert_eq!(f.codes(&f.req(0, 0, &f.checkup, at(10, 0))), [TypeNotOffered]);
    accepted(&f.calendar().check(&f.req(0, 1, &f.checkup, at(10, 0)), f.now, false));
    f.checkup = AppointmentType::new(
        f.checkup.id(),
        f.clinic.id(),
        AppointmentTypeInput { active: false, ..f.checkup.input().clone() },
    )
    .unwrap();
    assert_eq!(f.codes(&f.req(0, 1, &f.checkup, at(10, 0))), [ResourceInactive]);
}

#[test]
fn unknown_ids_are_not_found_and_seconds_are_not_minute_aligned() {
    let f = fx();
    let mut req = f.req(0, 0, &f.checkup, at(10, 0));
    req.appointment_type_id = AppointmentTypeId::new();
    assert_eq!(f.codes(&req), [NotFound]);
    let mut req = f.req(0, 0, &f.checkup, at(10, 0));
    req.practitioner_id = PractitionerId::new();
    assert_eq!(f.codes(&req), [NotFound]);
    let mut req = f.req(0, 0, &f.checkup, at(10, 0));
    req.room_id = Some(RoomId::new());
    assert_eq!(f.codes(&req), [NotFound]);
    let req = f.req(0, 0, &f.checkup, at(10, 0) + Duration::seconds(30));
    assert_eq!(f.codes(&req), [TimeSlotNotMinuteAligned]);
}

#[test]
fn search_rejects_bad_ranges_with_invalid_time_range() {
    let f = fx();
    let cal = f.calendar();
    let q = |from: DateTime<Utc>, to: DateTime<Utc>| SlotQuery {
        appointment_type_id: f.checkup.id(),
        practitioner_ids: vec![],
        from,
        to,
        patient_id: None,
        room_id: None,
        exclude: None,
        limit: None,
    };
    for (from, to) in [(at(10, 0), at(10, 0)), (at(10, 0), at(9, 0)), (at(0, 0), at(0, 0) + Duration::days(400))] {
        assert_eq!(cal.find_available_slots(&q(from, to), f.now).unwrap_err().code(), InvalidTimeRange);
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input to the constructors
// ---------------------------------------------------------------------------------------------

fn schedule_err(input: ScheduleInput) -> Vec<ErrorCode> {
    Schedule::new(ScheduleId::new(), ClinicId::new(), input).unwrap_err().codes()
}

fn with_rrule(rule: &str, valid_until: Option<NaiveDate>) -> ScheduleInput {
    let mut i = schedule_input(ResourceRef::Practitioner(PractitionerId::new()));
    i.weekly_hours.clear();
    i.valid_from = day();
    i.valid_until = valid_until;
    i.recurrences = vec![RecurringHours { rrule: rule.into(), start: t(9, 0), duration_minutes: 240 }];
    i
}

#[test]
fn invalid_time_zone() {
    let e = Clinic::new(
        ClinicId::new(),
        ClinicInput { name: "X".into(), time_zone: "Mars/Olympus".into(), ..Default::default() },
    )
    .unwrap_err();
    assert_eq!(e.codes(), [InvalidTimeZone]);
    assert_eq!(clinic_core::zone::parse_tz("").unwrap_err().code(), InvalidTimeZone);
}

#[test]
fn end_before_start() {
    assert_eq!(TimeSlot::new(at(10, 0), at(9, 0)).unwrap_err().codes(), [TimeSlotInverted]);
    let mut i = schedule_input(ResourceRef::Practitioner(PractitionerId::new()));
    i.weekly_hours = vec![WeeklyHours { weekday: Weekday::Mon, start: t(17, 0), end: t(9, 0) }];
    assert_eq!(schedule_err(i), [InvalidTimeRange]);
    let mut i = schedule_input(ResourceRef::Practitioner(PractitionerId::new()));
    i.breaks = vec![Break { weekdays: vec![], start: t(13, 0), end: t(12, 0) }];
    assert_eq!(schedule_err(i), [InvalidTimeRange]);
    let mut i = schedule_input(ResourceRef::Practitioner(PractitionerId::new()));
    i.valid_until = Some(i.valid_from - Duration::days(1));
    assert_eq!(schedule_err(i), [InvalidValidityRange]);
    let closure = Closure { date: day(), start: Some(t(15, 0)), end: Some(t(14, 0)), reason: String::new() };
    let e = Clinic::new(
        ClinicId::new(),
        ClinicInput {
            name: "X".into(),
            time_zone: "Europe/London".into(),
            closures: vec![closure],
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.codes(), [InvalidTimeRange]);
}

#[test]
fn zero_minute_slot() {
    assert_eq!(TimeSlot::new(at(10, 0), at(10, 0)).unwrap_err().codes(), [TimeSlotEmpty]);
    let e = AppointmentType::new(
        AppointmentTypeId::new(),
        ClinicId::new(),
        AppointmentTypeInput { name: "Zero".into(), duration_minutes: 0, ..Default::default() },
    )
    .unwrap_err();
    assert_eq!(e.codes(), [InvalidDuration]);
}

#[test]
fn three_day_slot() {
    assert_eq!(TimeSlot::new(at(10, 0), at(10, 0) + Duration::days(3)).unwrap_err().codes(), [TimeSlotTooLong]);
    assert_eq!(TimeSlot::starting_at(at(10, 0), 3 * 1440).unwrap_err().codes(), [TimeSlotTooLong]);
    let e = AppointmentType::new(
        AppointmentTypeId::new(),
        ClinicId::new(),
        AppointmentTypeInput { name: "Long".into(), duration_minutes: 3 * 1440, ..Default::default() },
    )
    .unwrap_err();
    assert_eq!(e.codes(), [InvalidDuration]);
}

#[test]
fn rrule_that_never_ends() {
    assert_eq!(schedule_err(with_rrule("FREQ=WEEKLY;BYDAY=MO", None)), [RruleUnbounded]);
    // Bounded by COUNT, UNTIL or the schedule's own end it is fine.
    for (rule, until) in [
        ("FREQ=WEEKLY;BYDAY=MO;COUNT=4", None),
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20270301", None),
        ("FREQ=WEEKLY;BYDAY=MO", Some(day() + Duration::days(60))),
    ] {
        Schedule::new(ScheduleId::new(), ClinicId::new(), with_rrule(rule, until)).unwrap();
    }
}

#[test]
fn rrule_that_never_starts() {
    assert_eq!(schedule_err(with_rrule("FREQ=DAILY;UNTIL=20261231", None)), [RruleNoOccurrences]);
    // Its first occurrence lies after the schedule's validity.
    assert_eq!(
        schedule_err(with_rrule("FREQ=MONTHLY;BYMONTHDAY=20;COUNT=2", Some(day() + Duration::days(10)))),
        [RruleNoOccurrences]
    );
    assert_eq!(schedule_err(with_rrule("FREQ=WEEKLY;BYDAY=XX;COUNT=2", None)), [InvalidRrule]);
}

#[test]
fn bad_phone() {
    for raw in ["12", "not a number", "+1 202 555 01", "+999 1234567"] {
        let e = ContactInfo::new(Some(raw), None, None).unwrap_err();
        assert_eq!(e.codes(), [InvalidPhone], "{raw}");
    }
    assert_eq!(ContactInfo::new(Some("(202) 555-0143"), None, Some("US")).unwrap().phone(), Some("+12025550143"));
}

#[test]
fn bad_email() {
    for raw in ["not-an-email", "a@b", "@example.org", "ada@", "ada@example..org"] {
        let e = ContactInfo::new(None, Some(raw), None).unwrap_err();
        assert_eq!(e.codes(), [InvalidEmail], "{raw}");
    }
    // Both bad: both reported, each at its field.
    let e = ContactInfo::new(Some("12"), Some("nope"), None).unwrap_err();
    assert_eq!(e.codes(), [InvalidPhone, InvalidEmail]);
    match e {
        ClinicError::Validation(v) => {
            assert_eq!(v.errors.iter().map(|x| x.field.as_str()).collect::<Vec<_>>(), ["phone", "email"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_type_parameters() {
    let mk = |input: AppointmentTypeInput| {
        AppointmentType::new(
            AppointmentTypeId::new(),
            ClinicId::new(),
            AppointmentTypeInput { name: "T".into(), duration_minutes: 30, ..input },
        )
        .unwrap_err()
        .codes()
    };
    assert_eq!(mk(AppointmentTypeInput { capacity: 0, ..Default::default() }), [InvalidCapacity]);
    assert_eq!(mk(AppointmentTypeInput { buffer_after_minutes: 10_000, ..Default::default() }), [InvalidBuffer]);
    assert_eq!(
        mk(AppointmentTypeInput { min_notice_minutes: 2 * 1440, max_horizon_days: 1, ..Default::default() }),
        [InvalidHorizon]
    );
    let mut i = schedule_input(ResourceRef::Practitioner(PractitionerId::new()));
    i.granularity_minutes = 0;
    assert_eq!(schedule_err(i), [InvalidGranularity]);
}
