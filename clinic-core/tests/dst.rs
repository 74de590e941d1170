//! Daylight-saving cases, in the spirit of jiff's zone tests: hand-computed UTC instants for the spring-forward
//! gaps and fall-back overlaps of America/New_York (1 h at 02:00), Europe/London (1 h at 01:00 UTC) and
//! Australia/Lord_Howe (30 min at 02:00), checked through the public API — `Schedule::windows`,
//! `find_available_slots`, `check` and `Appointment::transition`.
//!
//! 2027 transitions used:
//!
//! | zone        | spring forward                        | fall back                                    |
//! |-------------|---------------------------------------|----------------------------------------------|
//! | New York    | Sun 03-14 02:00 EST → 03:00 EDT (07Z) | Sun 11-07 02:00 EDT → 01:00 EST (06Z)        |
//! | London      | Sun 03-28 01:00 GMT → 02:00 BST (01Z) | Sun 10-31 02:00 BST → 01:00 GMT (01Z)        |
//! | Lord Howe   | Sun 10-03 02:00 +10:30 → 02:30 +11    | Sun 04-04 02:00 +11 → 01:30 +10:30           |
//! |             | (10-02 15:30Z)                        | (04-03 15:00Z)                               |

mod common;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use clinic_core::zone::{resolve_local, ZoneDays};
use clinic_core::*;

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}
fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
fn z(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const NY: &str = "America/New_York";
const LON: &str = "Europe/London";
const LH: &str = "Australia/Lord_Howe";

const NY_SPRING: (i32, u32, u32) = (2027, 3, 14);
const NY_FALL: (i32, u32, u32) = (2027, 11, 7);
const LON_SPRING: (i32, u32, u32) = (2027, 3, 28);
const LON_FALL: (i32, u32, u32) = (2027, 10, 31);
const LH_SPRING: (i32, u32, u32) = (2027, 10, 3);
const LH_FALL: (i32, u32, u32) = (2027, 4, 4);

fn day(x: (i32, u32, u32)) -> NaiveDate {
    d(x.0, x.1, x.2)
}

/// One practitioner whose weekly hours on `date`'s weekday are `hours` (and `breaks`), one type.
struct Setup {
    tz: Tz,
    date: NaiveDate,
    cal: Calendar,
    clinic: Clinic,
    prac: PractitionerId,
    ty: AppointmentType,
    schedule: Schedule,
}

struct Spec<'a> {
    zone: &'a str,
    date: NaiveDate,
    hours: &'a [(NaiveTime, NaiveTime)],
    breaks: &'a [(NaiveTime, NaiveTime)],
    duration: u32,
    granularity: u32,
    min_notice: u32,
    closures: Vec<Closure>,
    rrule: Option<(&'a str, NaiveTime, u32)>,
}

impl<'a> Spec<'a> {
    fn new(zone: &'a str, date: NaiveDate, hours: &'a [(NaiveTime, NaiveTime)]) -> Self {
        Spec {
            zone,
            date,
            hours,
            breaks: &[],
            duration: 15,
            granularity: 15,
            min_notice: 0,
            closures: vec![],
            rrule: None,
        }
    }
    fn step(mut self, duration: u32, granularity: u32) -> Self {
        self.duration = duration;
        self.granularity = granularity;
        self
    }
    fn build(self) -> Setup {
        let clinic = Clinic::new(
            ClinicId::new(),
            ClinicInput {
                name: "DST".into(),
                time_zone: self.zone.into(),
                closures: self.closures,
                ..Default::default()
            },
        )
        .unwrap();
        let prac = Practitioner::new(PractitionerId::new(), clinic.id(), "Dr", ContactInfo::default()).unwrap();
        let ty = AppointmentType::new(
            AppointmentTypeId::new(),
            clinic.id(),
            AppointmentTypeInput {
                name: "Visit".into(),
                duration_minutes: self.duration,
                min_notice_minutes: self.min_notice,
                ..Default::default()
            },
        )
        .unwrap();
        let wd = self.date.weekday();
        let schedule = Schedule::new(
            ScheduleId::new(),
            clinic.id(),
            ScheduleInput {
                resource: ResourceRef::Practitioner(prac.id()),
                weekly_hours: self.hours.iter().map(|&(start, end)| WeeklyHours { weekday: wd, start, end }).collect(),
                recurrences: self
                    .rrule
                    .iter()
                    .map(|&(rule, start, duration_minutes)| RecurringHours {
                        rrule: rule.into(),
                        start,
                        duration_minutes,
                    })
                    .collect(),
                breaks: self.breaks.iter().map(|&(start, end)| Break { weekdays: vec![], start, end }).collect(),
                exceptions: vec![],
                valid_from: self.date - Duration::days(2),
                valid_until: Some(self.date + Duration::days(2)),
                granularity_minutes: self.granularity,
            },
        )
        .unwrap();
        let cal =
            Calendar::from_parts(clinic.clone(), [prac.clone()], [], [ty.clone()], [schedule.clone()], []).unwrap();
        Setup { tz: clinic.time_zone(), date: self.date, cal, clinic, prac: prac.id(), ty, schedule }
    }
}

impl Setup {
    /// The schedule's windows on the setup's date, as UTC instants.
    fn windows(&self) -> Vec<(DateTime<Utc>, DateTime<Utc>, DateTime<Utc>)> {
        let days = ZoneDays::new(self.tz, self.date - Duration::days(1), self.date + Duration::days(2));
        self.schedule
            .windows(&days, self.date, self.date)
            .iter()
            .map(|w| (common::at_minute(w.start), common::at_minute(w.end), common::at_minute(w.anchor)))
            .collect()
    }

    fn now(&self) -> DateTime<Utc> {
        common::at_minute(common::resolve_dt(self.tz, self.date - Duration::days(3), t(0, 0)))
    }

    /// Offers over the whole local day (and the night after), with `now` three days earlier.
    fn offers_at(&self, now: DateTime<Utc>) -> Vec<SlotOffer> {
        let from = common::at_minute(common::resolve_dt(self.tz, self.date, t(0, 0)));
        let to = common::at_minute(common::resolve_dt(self.tz, self.date + Duration::days(1), t(6, 0)));
        let q = SlotQuery {
            appointment_type_id: self.ty.id(),
            practitioner_ids: vec![self.prac],
            from,
            to,
            patient_id: None,
            room_id: None,
            exclude: None,
            limit: None,
        };
        self.cal.find_available_slots(&q, now).unwrap()
    }

    fn offers(&self) -> Vec<SlotOffer> {
        self.offers_at(self.now())
    }

    /// Offers as local wall times with their offset, e.g. `01:30-04:00`.
    fn labels(&self) -> Vec<String> {
        self.offers().iter().map(|o| o.start.with_timezone(&self.tz).format("%H:%M%:z").to_string()).collect()
    }

    fn req(&self, start: DateTime<Utc>) -> BookingRequest {
        BookingRequest {
            patient_id: PatientId::new(),
            practitioner_id: self.prac,
            room_id: None,
            appointment_type_id: self.ty.id(),
            start,
            overbook: false,
            reschedule_of: None,
        }
    }

    fn book(&mut self, start: DateTime<Utc>) {
        let spec = NewAppointment {
            clinic_id: self.clinic.id(),
            patient_id: PatientId::new(),
            practitioner_id: self.prac,
            room_id: None,
            appointment_type_id: self.ty.id(),
            slot: TimeSlot::starting_at(start, i64::from(self.ty.duration_minutes())).unwrap(),
            reason: None,
            notes: None,
        };
        let a = Appointment::new(AppointmentId::new(), spec, &self.ty, AppointmentStatus::Booked, false, self.now())
            .unwrap();
        self.cal.upsert_appointment(&a).unwrap();
    }
}

fn minutes(a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    (b - a).num_minutes()
}

// ---------------------------------------------------------------------------------------------
// Resolution itself, exhaustively around every transition
// ---------------------------------------------------------------------------------------------

#[test]
fn engine_resolution_equals_brute_force_every_minute_of_transition_days() {
    for zone in [NY, LON, LH] {
        let tz: Tz = zone.parse().unwrap();
        let dates: Vec<NaiveDate> = match zone {
            NY => vec![day(NY_SPRING), day(NY_FALL)],
            LON => vec![day(LON_SPRING), day(LON_FALL)],
            _ => vec![day(LH_SPRING), day(LH_FALL)],
        };
        for date in dates {
            let zd = ZoneDays::new(tz, date - Duration::days(3), date + Duration::days(3));
            for dd in -1..=1 {
                let date = date + Duration::days(dd);
                for m in 0..1440 {
                    let local = date.and_time(t(m / 60, m % 60));
                    let want = common::resolve(tz, local);
                    assert_eq!(common::minute_of(resolve_local(tz, local)), want, "{zone} {local}");
                    assert_eq!(zd.to_utc_minute(date, local.time()), want, "{zone} {local} (ZoneDays)");
                }
            }
        }
    }
}

#[test]
fn hand_checked_resolutions() {
    // (zone, local date, local time, resolved UTC)
    let cases = [
        // Gaps resolve to the end of the gap.
        (NY, day(NY_SPRING), t(2, 0), "2027-03-14T07:00:00Z"),
        (NY, day(NY_SPRING), t(2, 59), "2027-03-14T07:00:00Z"),
        (NY, day(NY_SPRING), t(3, 0), "2027-03-14T07:00:00Z"),
        (NY, day(NY_SPRING), t(1, 59), "2027-03-14T06:59:00Z"),
        (LON, day(LON_SPRING), t(1, 30), "2027-03-28T01:00:00Z"),
        (LH, day(LH_SPRING), t(2, 0), "2027-10-02T15:30:00Z"),
        (LH, day(LH_SPRING), t(2, 29), "2027-10-02T15:30:00Z"),
        (LH, day(LH_SPRING), t(1, 59), "2027-10-02T15:29:00Z"),
        // Overlaps resolve to the earlier instant.
        (NY, day(NY_FALL), t(1, 0), "2027-11-07T05:00:00Z"),
        (NY, day(NY_FALL), t(1, 59), "2027-11-07T05:59:00Z"),
        (NY, day(NY_FALL), t(2, 0), "2027-11-07T07:00:00Z"),
        (LON, day(LON_FALL), t(1, 0), "2027-10-31T00:00:00Z"),
        (LON, day(LON_FALL), t(2, 0), "2027-10-31T02:00:00Z"),
        (LH, day(LH_FALL), t(1, 30), "2027-04-03T14:30:00Z"),
        (LH, day(LH_FALL), t(1, 59), "2027-04-03T14:59:00Z"),
        (LH, day(LH_FALL), t(2, 0), "2027-04-03T15:30:00Z"),
    ];
    for (zone, date, time, want) in cases {
        let tz: Tz = zone.parse().unwrap();
        assert_eq!(resolve_local(tz, date.and_time(time)), z(want), "{zone} {date} {time}");
    }
}

// ---------------------------------------------------------------------------------------------
// Windows spanning a switch have their real length
// ---------------------------------------------------------------------------------------------

#[test]
fn windows_spanning_spring_forward_are_shorter_in_real_time() {
    // (zone, date, local hours, UTC start, real minutes)
    let cases = [
        (NY, day(NY_SPRING), (t(1, 0), t(5, 0)), "2027-03-14T06:00:00Z", 180),
        (LON, day(LON_SPRING), (t(0, 30), t(3, 0)), "2027-03-28T00:30:00Z", 90),
        (LH, day(LH_SPRING), (t(1, 0), t(4, 0)), "2027-10-02T14:30:00Z", 150),
    ];
    for (zone, date, hours, start, len) in cases {
        let s = Spec::new(zone, date, &[hours]).step(5, 5).build();
        assert_eq!(s.windows(), [(z(start), z(start) + Duration::minutes(len), z(start))], "{zone}");
        let offers = s.offers();
        assert_eq!(offers.len() as i64, len / 5, "{zone}: one 5-minute slot per 5 real minutes");
        assert_eq!(offers[0].start, z(start));
        assert_eq!(offers.last().unwrap().end, z(start) + Duration::minutes(len));
    }
}

#[test]
fn windows_spanning_fall_back_are_longer_in_real_time() {
    let cases = [
        (NY, day(NY_FALL), (t(0, 0), t(4, 0)), "2027-11-07T04:00:00Z", 300),
        (LON, day(LON_FALL), (t(0, 30), t(3, 0)), "2027-10-30T23:30:00Z", 210),
        (LH, day(LH_FALL), (t(1, 0), t(3, 0)), "2027-04-03T14:00:00Z", 150),
    ];
    for (zone, date, hours, start, len) in cases {
        let s = Spec::new(zone, date, &[hours]).step(5, 5).build();
        assert_eq!(s.windows(), [(z(start), z(start) + Duration::minutes(len), z(start))], "{zone}");
        let offers = s.offers();
        assert_eq!(offers.len() as i64, len / 5, "{zone}");
        assert_eq!(offers.last().unwrap().end, z(start) + Duration::minutes(len));
    }
}

#[test]
fn rrule_windows_equal_weekly_hours_across_both_switches() {
    for (zone, date) in
        [(NY, day(NY_SPRING)), (NY, day(NY_FALL)), (LON, day(LON_FALL)), (LH, day(LH_SPRING)), (LH, day(LH_FALL))]
    {
        let weekly = Spec::new(zone, date, &[(t(0, 30), t(4, 30))]).build();
        // DTSTART is valid_from = date − 2 days, so COUNT=3 ends on `date`.
        let rrule = Spec { rrule: Some(("FREQ=DAILY;COUNT=3", t(0, 30), 240)), ..Spec::new(zone, date, &[]) }.build();
        assert_eq!(weekly.windows(), rrule.windows(), "{zone} {date}");
        assert_eq!(weekly.labels(), rrule.labels(), "{zone} {date}");
    }
}

// ---------------------------------------------------------------------------------------------
// Spring forward: no slot at a local time that does not exist
// ---------------------------------------------------------------------------------------------

#[test]
fn spring_forward_offers_skip_the_missing_hour() {
    let ny = Spec::new(NY, day(NY_SPRING), &[(t(0, 0), t(5, 0))]).step(30, 30).build();
    assert_eq!(
        ny.labels(),
        [
            "00:00-05:00",
            "00:30-05:00",
            "01:00-05:00",
            "01:30-05:00",
            "03:00-04:00",
            "03:30-04:00",
            "04:00-04:00",
            "04:30-04:00"
        ]
    );
    let lon = Spec::new(LON, day(LON_SPRING), &[(t(0, 0), t(3, 0))]).step(30, 30).build();
    assert_eq!(lon.labels(), ["00:00+00:00", "00:30+00:00", "02:00+01:00", "02:30+01:00"]);
    let lh = Spec::new(LH, day(LH_SPRING), &[(t(1, 0), t(4, 0))]).step(15, 15).build();
    assert_eq!(
        lh.labels(),
        [
            "01:00+10:30",
            "01:15+10:30",
            "01:30+10:30",
            "01:45+10:30",
            "02:30+11:00",
            "02:45+11:00",
            "03:00+11:00",
            "03:15+11:00",
            "03:30+11:00",
            "03:45+11:00"
        ]
    );
}

#[test]
fn no_offer_starts_inside_a_gap_at_any_granularity() {
    // Gaps as local wall-clock ranges.
    let cases = [
        (NY, day(NY_SPRING), (t(2, 0), t(3, 0))),
        (LON, day(LON_SPRING), (t(1, 0), t(2, 0))),
        (LH, day(LH_SPRING), (t(2, 0), t(2, 30))),
    ];
    for (zone, date, (gs, ge)) in cases {
        for gran in [1, 7, 10, 13, 20, 45] {
            let s = Spec::new(zone, date, &[(t(0, 0), t(6, 0))]).step(10, gran).build();
            let offers = s.offers();
            assert!(!offers.is_empty());
            for pair in offers.windows(2) {
                assert_eq!(
                    minutes(pair[0].start, pair[1].start),
                    i64::from(gran),
                    "{zone} /{gran}: laid out in real time"
                );
            }
            for o in &offers {
                let local = o.start.with_timezone(&s.tz).naive_local();
                assert!(!(local.date() == date && local.time() >= gs && local.time() < ge), "{zone} /{gran}: {local}");
                // And the wall time the offer shows resolves back to the offer.
                assert_eq!(resolve_local(s.tz, local), o.start);
            }
        }
    }
}

#[test]
fn a_window_starting_in_the_gap_starts_at_the_gap_end() {
    // 02:15 does not exist in New York on 2027-03-14: the window opens at 03:00 EDT, and the grid counts from
    // there (20-minute steps: 03:00, 03:20, 03:40).
    let s = Spec::new(NY, day(NY_SPRING), &[(t(2, 15), t(4, 0))]).step(20, 20).build();
    assert_eq!(s.windows(), [(z("2027-03-14T07:00:00Z"), z("2027-03-14T08:00:00Z"), z("2027-03-14T07:00:00Z"))]);
    assert_eq!(s.labels(), ["03:00-04:00", "03:20-04:00", "03:40-04:00"]);
    let r = s.cal.check(&s.req(z("2027-03-14T07:20:00Z")), s.now(), false);
    assert!(r.accepted, "{:?}", r.codes());
    assert_eq!(s.cal.check(&s.req(z("2027-03-14T07:15:00Z")), s.now(), false).codes(), [ErrorCode::MisalignedStart]);
}

// ---------------------------------------------------------------------------------------------
// Bounds in a gap clip to the gap end
// ---------------------------------------------------------------------------------------------

#[test]
fn bounds_in_a_gap_clip_to_the_gap_end() {
    // (zone, date, local hours, UTC start, UTC end)
    let cases = [
        (NY, day(NY_SPRING), (t(2, 30), t(5, 0)), "2027-03-14T07:00:00Z", "2027-03-14T09:00:00Z"),
        (NY, day(NY_SPRING), (t(0, 0), t(2, 30)), "2027-03-14T05:00:00Z", "2027-03-14T07:00:00Z"),
        (LON, day(LON_SPRING), (t(1, 30), t(3, 0)), "2027-03-28T01:00:00Z", "2027-03-28T02:00:00Z"),
        (LON, day(LON_SPRING), (t(0, 0), t(1, 30)), "2027-03-28T00:00:00Z", "2027-03-28T01:00:00Z"),
        (LH, day(LH_SPRING), (t(2, 15), t(3, 0)), "2027-10-02T15:30:00Z", "2027-10-02T16:00:00Z"),
        (LH, day(LH_SPRING), (t(1, 0), t(2, 10)), "2027-10-02T14:30:00Z", "2027-10-02T15:30:00Z"),
    ];
    for (zone, date, hours, start, end) in cases {
        let s = Spec::new(zone, date, &[hours]).step(5, 5).build();
        assert_eq!(s.windows(), [(z(start), z(end), z(start))], "{zone} {hours:?}");
    }
    // Entirely inside a gap: no window at all.
    for (zone, date, hours) in [(NY, day(NY_SPRING), (t(2, 10), t(2, 50))), (LH, day(LH_SPRING), (t(2, 5), t(2, 25)))] {
        let s = Spec::new(zone, date, &[hours]).build();
        assert_eq!(s.windows(), [], "{zone}");
        assert_eq!(s.offers(), []);
    }
}

#[test]
fn a_break_ending_in_the_gap_ends_at_the_gap_end() {
    // Break 01:30–02:30 in New York on 2027-03-14: blocked [06:30Z, 07:00Z); the piece after keeps the anchor.
    let s = Spec { breaks: &[(t(1, 30), t(2, 30))], ..Spec::new(NY, day(NY_SPRING), &[(t(0, 0), t(5, 0))]) }.build();
    let anchor = z("2027-03-14T05:00:00Z");
    assert_eq!(
        s.windows(),
        [(anchor, z("2027-03-14T06:30:00Z"), anchor), (z("2027-03-14T07:00:00Z"), z("2027-03-14T09:00:00Z"), anchor)]
    );
    assert!(s.cal.check(&s.req(z("2027-03-14T07:00:00Z")), s.now(), false).accepted);
    assert_eq!(
        s.cal.check(&s.req(z("2027-03-14T06:30:00Z")), s.now(), false).codes(),
        [ErrorCode::OutsideAvailability]
    );
}

#[test]
fn closures_on_switch_days_cover_the_real_day() {
    let date = day(NY_FALL);
    // Whole-day closure of the 25-hour day: [04:00Z, 05:00Z next day). Hours 22:00–23:59 that night.
    let s =
        Spec { closures: vec![Closure::whole_day(date, "holiday")], ..Spec::new(NY, date, &[(t(22, 0), t(23, 59))]) }
            .build();
    let late = z("2027-11-08T04:30:00Z"); // 23:30 EST on the 7th
    assert_eq!(s.cal.check(&s.req(late), s.now(), false).codes(), [ErrorCode::ClinicClosed]);
    // A partial closure with its start in a gap starts at the gap end.
    let date = day(NY_SPRING);
    let closure = Closure { date, start: Some(t(2, 30)), end: Some(t(3, 30)), reason: String::new() };
    let s = Spec { closures: vec![closure], ..Spec::new(NY, date, &[(t(0, 0), t(5, 0))]) }.build();
    assert!(
        s.cal.check(&s.req(z("2027-03-14T06:45:00Z")), s.now(), false).accepted,
        "01:45–02:00 EST is before the closure"
    );
    assert_eq!(s.cal.check(&s.req(z("2027-03-14T07:00:00Z")), s.now(), false).codes(), [ErrorCode::ClinicClosed]);
    assert!(s.cal.check(&s.req(z("2027-03-14T07:30:00Z")), s.now(), false).accepted, "03:30 EDT is after it");
}

// ---------------------------------------------------------------------------------------------
// Fall back: ambiguous times resolve to the earlier instant; no two offers overlap
// ---------------------------------------------------------------------------------------------

#[test]
fn an_ambiguous_window_start_resolves_to_the_earlier_instant() {
    let cases = [
        (NY, day(NY_FALL), (t(1, 30), t(3, 0)), "2027-11-07T05:30:00Z", 150),
        (LON, day(LON_FALL), (t(1, 30), t(2, 30)), "2027-10-31T00:30:00Z", 120),
        (LH, day(LH_FALL), (t(1, 45), t(3, 0)), "2027-04-03T14:45:00Z", 105),
        // An ambiguous *end* resolves to the earlier instant too.
        (NY, day(NY_FALL), (t(0, 0), t(1, 30)), "2027-11-07T04:00:00Z", 90),
    ];
    for (zone, date, hours, start, len) in cases {
        let s = Spec::new(zone, date, &[hours]).step(15, 15).build();
        assert_eq!(s.windows(), [(z(start), z(start) + Duration::minutes(len), z(start))], "{zone} {hours:?}");
        assert_eq!(s.offers()[0].start, z(start), "{zone}: the first offer is the earlier instant");
    }
}

#[test]
fn fall_back_offers_repeat_wall_times_but_never_overlap() {
    let ny = Spec::new(NY, day(NY_FALL), &[(t(0, 0), t(4, 0))]).step(30, 30).build();
    assert_eq!(
        ny.labels(),
        [
            "00:00-04:00",
            "00:30-04:00",
            "01:00-04:00",
            "01:30-04:00",
            "01:00-05:00",
            "01:30-05:00",
            "02:00-05:00",
            "02:30-05:00",
            "03:00-05:00",
            "03:30-05:00"
        ]
    );
    let lon = Spec::new(LON, day(LON_FALL), &[(t(0, 30), t(3, 0))]).step(30, 30).build();
    assert_eq!(
        lon.labels(),
        ["00:30+01:00", "01:00+01:00", "01:30+01:00", "01:00+00:00", "01:30+00:00", "02:00+00:00", "02:30+00:00"]
    );
    let lh = Spec::new(LH, day(LH_FALL), &[(t(1, 0), t(3, 0))]).step(15, 15).build();
    assert_eq!(
        lh.labels(),
        [
            "01:00+11:00",
            "01:15+11:00",
            "01:30+11:00",
            "01:45+11:00",
            "01:30+10:30",
            "01:45+10:30",
            "02:00+10:30",
            "02:15+10:30",
            "02:30+10:30",
            "02:45+10:30"
        ]
    );
    for s in [&ny, &lon, &lh] {
        let offers = s.offers();
        for (i, a) in offers.iter().enumerate() {
            for b in &offers[i + 1..] {
                assert!(a.end <= b.start || b.end <= a.start, "{a:?} overlaps {b:?}");
            }
        }
    }
}

#[test]
fn fall_back_offers_of_one_practitioner_never_overlap_with_several_windows_and_schedules() {
    // Windows meeting at an ambiguous time (00:00–01:30 and 01:30–03:00): the first ends at the earlier 01:30,
    // the second starts there; a duplicate schedule adds nothing.
    let mut s = Spec::new(NY, day(NY_FALL), &[(t(0, 0), t(1, 30)), (t(1, 30), t(3, 0))]).step(30, 30).build();
    s.cal.add_schedule(Schedule::new(ScheduleId::new(), s.clinic.id(), s.schedule.input().clone()).unwrap()).unwrap();
    let offers = s.offers();
    assert_eq!(offers.len(), 8, "90 + 150 real minutes of 30-minute slots");
    for (i, a) in offers.iter().enumerate() {
        for b in &offers[i + 1..] {
            assert!(a.end <= b.start || b.end <= a.start, "{a:?} overlaps {b:?}");
        }
    }
}

#[test]
fn both_instances_of_a_repeated_hour_book_independently() {
    let mut s = Spec::new(NY, day(NY_FALL), &[(t(0, 0), t(4, 0))]).step(30, 30).build();
    let first = z("2027-11-07T05:30:00Z"); // 01:30 EDT
    let second = z("2027-11-07T06:30:00Z"); // 01:30 EST
    s.book(first);
    assert!(s.cal.check(&s.req(second), s.now(), false).accepted, "01:30 EST is an hour after 01:30 EDT");
    assert_eq!(s.cal.check(&s.req(first), s.now(), false).codes(), [ErrorCode::SlotConflictPractitioner]);
    assert!(!s.offers().iter().any(|o| o.start == first));
    assert!(s.offers().iter().any(|o| o.start == second));
}

// ---------------------------------------------------------------------------------------------
// Rule 4 in real minutes; "day" for arrival is the clinic's local day
// ---------------------------------------------------------------------------------------------

#[test]
fn min_notice_counts_real_minutes_across_the_gap() {
    // now = 01:00 EST (06:00Z); 120 minutes of notice end at 08:00Z = 04:00 EDT (wall clock +3 h).
    let s = Spec { min_notice: 120, ..Spec::new(NY, day(NY_SPRING), &[(t(0, 0), t(6, 0))]) }.build();
    let now = z("2027-03-14T06:00:00Z");
    assert_eq!(s.offers_at(now)[0].start, z("2027-03-14T08:00:00Z"));
    assert_eq!(s.cal.check(&s.req(z("2027-03-14T07:45:00Z")), now, false).codes(), [ErrorCode::MinNoticeViolated]);
}

/// DESIGN §3: "every rule that says 'day' means the clinic's local day", so `max_horizon_days` counts local days:
/// across a fall-back night "1 day ahead" admits the same wall-clock time tomorrow (25 h later), and across a
/// spring-forward night it does not admit 30 minutes past it (23.5 h later).
#[test]
fn horizon_days_are_local_days_across_switches() {
    let mk = |date| {
        let s = Spec::new(NY, date, &[(t(9, 0), t(17, 0))]).build();
        let ty = AppointmentType::new(
            s.ty.id(),
            s.clinic.id(),
            AppointmentTypeInput { max_horizon_days: 1, ..s.ty.input().clone() },
        )
        .unwrap();
        let mut cal = s.cal.clone();
        cal.add_type(ty).unwrap();
        (s, cal)
    };
    // now = Sat 2027-11-06 12:00 EDT; Sun 12:00 EST is one local day later.
    let (s, cal) = mk(day(NY_FALL));
    let r = cal.check(&s.req(z("2027-11-07T17:00:00Z")), z("2027-11-06T16:00:00Z"), false);
    assert!(r.accepted, "{:?}", r.codes());
    // now = Sat 2027-03-13 12:00 EST; Sun 12:30 EDT is more than one local day later.
    let (s, cal) = mk(day(NY_SPRING));
    let r = cal.check(&s.req(z("2027-03-14T16:30:00Z")), z("2027-03-13T17:00:00Z"), false);
    assert_eq!(r.codes(), [ErrorCode::BeyondBookingHorizon]);
}

fn arrival(zone: &str, slot_start: &str, now: &str) -> Result<(), ErrorCode> {
    let tz: Tz = zone.parse().unwrap();
    let ty = AppointmentType::new(
        AppointmentTypeId::new(),
        ClinicId::new(),
        AppointmentTypeInput { name: "Visit".into(), duration_minutes: 30, ..Default::default() },
    )
    .unwrap();
    let spec = NewAppointment {
        clinic_id: ty.clinic_id(),
        patient_id: PatientId::new(),
        practitioner_id: PractitionerId::new(),
        room_id: None,
        appointment_type_id: ty.id(),
        slot: TimeSlot::starting_at(z(slot_start), 30).unwrap(),
        reason: None,
        notes: None,
    };
    let mut a = Appointment::new(
        AppointmentId::new(),
        spec,
        &ty,
        AppointmentStatus::Booked,
        false,
        z(slot_start) - Duration::days(9),
    )
    .unwrap();
    a.transition(AppointmentStatus::Arrived, z(now), tz, None, None).map_err(|e| e.code())
}

#[test]
fn arrival_day_is_the_clinic_local_day() {
    use ErrorCode::ArrivalNotToday;
    // Lord Howe in January is UTC+11: 2027-01-05 09:00 local = 2027-01-04 22:00Z.
    assert_eq!(arrival(LH, "2027-01-04T22:00:00Z", "2027-01-05T01:00:00Z"), Ok(()), "same local day, next UTC day");
    assert_eq!(
        arrival(LH, "2027-01-04T22:00:00Z", "2027-01-04T12:00:00Z"),
        Err(ArrivalNotToday),
        "same UTC day, previous local day"
    );
    assert_eq!(arrival(LH, "2027-01-04T22:00:00Z", "2027-01-04T13:00:00Z"), Ok(()), "local midnight exactly");
    // The 25-hour New York day of 2027-11-07: 23:30 EST = 2027-11-08T04:30Z.
    assert_eq!(arrival(NY, "2027-11-08T04:30:00Z", "2027-11-07T04:00:00Z"), Ok(()), "00:00 EDT, 24.5 h before");
    assert_eq!(
        arrival(NY, "2027-11-08T04:30:00Z", "2027-11-07T03:59:00Z"),
        Err(ArrivalNotToday),
        "23:59 EDT the day before"
    );
    assert_eq!(
        arrival(NY, "2027-11-08T04:30:00Z", "2027-11-08T05:10:00Z"),
        Err(ArrivalNotToday),
        "00:10 EST the day after"
    );
    // The 23-hour London day of 2027-03-28 ends at 23:00Z.
    assert_eq!(arrival(LON, "2027-03-28T09:00:00Z", "2027-03-28T22:59:00Z"), Ok(()));
    assert_eq!(arrival(LON, "2027-03-28T09:00:00Z", "2027-03-28T23:00:00Z"), Err(ArrivalNotToday));
    // Lord Howe's 23.5-hour day of 2027-10-03 starts at 2027-10-02T13:30Z (+10:30) and ends at 13:00Z (+11).
    assert_eq!(arrival(LH, "2027-10-02T22:00:00Z", "2027-10-02T13:30:00Z"), Ok(()));
    assert_eq!(arrival(LH, "2027-10-02T22:00:00Z", "2027-10-02T13:29:00Z"), Err(ArrivalNotToday));
    assert_eq!(arrival(LH, "2027-10-02T22:00:00Z", "2027-10-03T12:59:00Z"), Ok(()));
    assert_eq!(arrival(LH, "2027-10-02T22:00:00Z", "2027-10-03T13:00:00Z"), Err(ArrivalNotToday));
}

#[test]
fn search_days_follow_the_clinic_zone() {
    // A query for "the local day" of Lord Howe's spring-forward day returns exactly that day's offers, even
    // though it starts on the previous UTC date.
    let s = Spec::new(LH, day(LH_SPRING), &[(t(0, 0), t(1, 0)), (t(23, 0), t(23, 59))]).step(30, 30).build();
    let from = Utc.with_ymd_and_hms(2027, 10, 2, 13, 30, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2027, 10, 3, 13, 0, 0).unwrap();
    let q = SlotQuery {
        appointment_type_id: s.ty.id(),
        practitioner_ids: vec![],
        from,
        to,
        patient_id: None,
        room_id: None,
        exclude: None,
        limit: None,
    };
    let labels: Vec<String> = s
        .cal
        .find_available_slots(&q, s.now())
        .unwrap()
        .iter()
        .map(|o| o.start.with_timezone(&s.tz).format("%d %H:%M%:z").to_string())
        .collect();
    assert_eq!(labels, ["03 00:00+10:30", "03 00:30+10:30", "03 23:00+11:00"]);
}
