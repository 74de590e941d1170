//! Shared by the property tests (`conflict_oracle.rs`, `search_matches_check.rs`): a random-clinic generator
//! and *independent* local-time reasoning (nothing here calls `clinic_core::zone`).
//!
//! A scenario is generated as plain numbers ([`ScenarioSpec`]) so proptest can shrink it, then built into
//! validated entities and a [`Calendar`] ([`Scenario`]). Ids are deterministic, so a shrunk failure replays
//! identically.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;
use proptest::sample::select;
use uuid::Uuid;

use clinic_core::zone::ZoneDays;
use clinic_core::*;

pub const ZONES: [&str; 4] = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"];

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Per zone: a spring-forward day, a fall-back day and an ordinary day (2027).
pub fn interesting_dates(zone: &str) -> [NaiveDate; 3] {
    match zone {
        "America/New_York" => [date(2027, 3, 14), date(2027, 11, 7), date(2027, 6, 15)],
        "Europe/London" => [date(2027, 3, 28), date(2027, 10, 31), date(2027, 1, 12)],
        "Australia/Lord_Howe" => [date(2027, 10, 3), date(2027, 4, 4), date(2027, 7, 20)],
        _ => [date(2027, 3, 14), date(2027, 11, 7), date(2027, 2, 1)],
    }
}

pub fn minute_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(60)
}

pub fn at_minute(m: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(m * 60, 0).unwrap()
}

pub fn hm(m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap()
}

// ------------------------------------------------------------------------------------------------
// Independent local-time reasoning
// ------------------------------------------------------------------------------------------------

/// A wall time as "minutes since the epoch" of the naive (zone-less) clock.
pub fn naive_minute(l: NaiveDateTime) -> i64 {
    l.and_utc().timestamp().div_euclid(60)
}

/// The local wall clock reading at UTC minute `m` (UTC → local is never ambiguous).
pub fn wall_at(tz: Tz, m: i64) -> i64 {
    naive_minute(at_minute(m).with_timezone(&tz).naive_local())
}

pub fn local_date_of(tz: Tz, m: i64) -> NaiveDate {
    at_minute(m).with_timezone(&tz).date_naive()
}

/// DESIGN §3 "Time", by brute force: the first instant whose wall clock reads `l` or later. For a normal time
/// that is the instant itself, for a fall-back time the earlier of the two, and for a time in a spring-forward
/// gap the end of the gap. Only UTC → local conversions are used. Assumes at most one transition within ±15 h
/// (true of every zone used here).
pub fn resolve(tz: Tz, l: NaiveDateTime) -> i64 {
    let lm = naive_minute(l);
    let o1 = wall_at(tz, lm - 900) - (lm - 900);
    let o2 = wall_at(tz, lm + 900) - (lm + 900);
    // Before `lm - max(o)` every wall reading is < l; at `lm - min(o)` it is ≥ l.
    (lm - o1.max(o2)..=lm - o1.min(o2)).find(|&m| wall_at(tz, m) >= lm).expect("resolution exists")
}

pub fn resolve_dt(tz: Tz, d: NaiveDate, t: NaiveTime) -> i64 {
    resolve(tz, d.and_time(t))
}

// ------------------------------------------------------------------------------------------------
// Specs (plain data, shrinkable)
// ------------------------------------------------------------------------------------------------

/// A local time range `[start, min(start + len, 23:59))` in minutes of the day.
#[derive(Debug, Clone)]
pub struct TimeRange {
    pub start: u32,
    pub len: u32,
}

impl TimeRange {
    pub fn times(&self) -> Option<(NaiveTime, NaiveTime)> {
        let end = (self.start + self.len).min(1439);
        (end > self.start).then(|| (hm(self.start), hm(end)))
    }
}

fn minute_of_day() -> impl Strategy<Value = u32> {
    // DST switches happen in the small hours: weigh them.
    (prop_oneof![2 => 0u32..300, 3 => 0u32..1380], any::<bool>())
        .prop_map(|(s, round)| if round { s / 5 * 5 } else { s })
}

fn time_range(max_len: u32) -> impl Strategy<Value = TimeRange> {
    (minute_of_day(), 5u32..=max_len).prop_map(|(start, len)| TimeRange { start, len })
}

#[derive(Debug, Clone)]
pub struct RruleSpec {
    /// 0: DAILY;COUNT, 1: DAILY;INTERVAL=2;COUNT, 2: WEEKLY;BYDAY;UNTIL.
    pub kind: u8,
    pub start: u32,
    pub duration: u32,
    pub param: u8,
}

#[derive(Debug, Clone)]
pub struct ScheduleSpec {
    /// (weekday relative to the base day's weekday, hours)
    pub weekly: Vec<(i8, TimeRange)>,
    /// (weekday bit mask, 0 = every day; break)
    pub breaks: Vec<(u8, TimeRange)>,
    /// (day offset from the base day, 0 extra / 1 whole-day absence / 2 partial absence, range)
    pub exceptions: Vec<(i8, u8, TimeRange)>,
    pub rrule: Option<RruleSpec>,
    pub granularity: u32,
    pub valid_from: i8,
    pub valid_until: Option<i8>,
}

fn schedule_spec() -> impl Strategy<Value = ScheduleSpec> {
    (
        prop::collection::vec((prop_oneof![2 => Just(0i8), 1 => -1i8..=1], time_range(720)), 1..=3),
        prop::collection::vec((prop_oneof![Just(0u8), 1u8..128], time_range(120)), 0..=2),
        prop::collection::vec((-1i8..=1, 0u8..3, time_range(240)), 0..=1),
        prop::option::weighted(0.25, (0u8..3, minute_of_day(), 15u32..=900, any::<u8>())),
        select(vec![1u32, 5, 7, 10, 15, 15, 20, 30, 45, 60]),
        prop_oneof![4 => Just(-7i8), 1 => -2i8..=1],
        prop_oneof![2 => Just(None), 1 => (-1i8..=3).prop_map(Some)],
    )
        .prop_map(|(weekly, breaks, exceptions, rrule, granularity, valid_from, valid_until)| ScheduleSpec {
            weekly,
            breaks,
            exceptions,
            rrule: rrule.map(|(kind, start, duration, param)| RruleSpec { kind, start, duration, param }),
            granularity,
            valid_from,
            valid_until,
        })
}

#[derive(Debug, Clone)]
pub struct TypeSpec {
    pub duration: u32,
    pub buffer_before: u32,
    pub buffer_after: u32,
    pub capacity: u32,
    pub min_notice: u32,
    pub horizon_days: u32,
    /// Offered by practitioner 0 only (else by everyone).
    pub p0_only: bool,
    pub active: bool,
}

fn buffer() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), 1u32..=20]
}

fn type_spec(capacity: BoxedStrategy<u32>) -> impl Strategy<Value = TypeSpec> {
    (
        select(vec![5u32, 10, 15, 20, 30, 45, 60, 90, 120]),
        buffer(),
        buffer(),
        capacity,
        select(vec![0u32, 0, 0, 30, 60, 240, 720, 1439]),
        1u32..=4,
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.93),
    )
        .prop_map(
            |(duration, buffer_before, buffer_after, capacity, min_notice, horizon_days, p0_only, active)| TypeSpec {
                duration,
                buffer_before,
                buffer_after,
                capacity,
                min_notice,
                horizon_days,
                p0_only,
                active,
            },
        )
}

/// Where a generated start lies.
#[derive(Debug, Clone)]
pub enum StartSpec {
    /// Minutes after the base day's local midnight (any minute, aligned or not).
    Raw(i32),
    /// The k-th start on the practitioner's window grid (base day ± 1), when there is one.
    OnGrid(usize),
    /// Same practitioner, type, room and start as an earlier appointment (group sessions).
    SameAs(usize),
    /// An existing appointment's start plus a delta in minutes.
    Near(usize, i32),
}

#[derive(Debug, Clone)]
pub struct ApptSpec {
    pub practitioner: usize,
    pub patient: usize,
    pub room: Option<usize>,
    pub ty: usize,
    pub start: StartSpec,
    pub status: AppointmentStatus,
    /// The type's buffers were different when this appointment was booked.
    pub buffers_at_booking: Option<(u32, u32)>,
}

fn appt_spec() -> impl Strategy<Value = ApptSpec> {
    use AppointmentStatus::*;
    (
        0usize..2,
        0usize..3,
        prop::option::weighted(0.4, 0usize..2),
        select(vec![0usize, 1, 1, 2]),
        prop_oneof![
            2 => (-300i32..1740).prop_map(StartSpec::Raw),
            3 => any::<usize>().prop_map(StartSpec::OnGrid),
            3 => any::<usize>().prop_map(StartSpec::SameAs),
        ],
        select(vec![Booked, Booked, Booked, Proposed, Arrived, Fulfilled, Cancelled, Cancelled, Noshow]),
        prop::option::weighted(0.15, (buffer(), buffer())),
    )
        .prop_map(|(practitioner, patient, room, ty, start, status, buffers_at_booking)| ApptSpec {
            practitioner,
            patient,
            room,
            ty,
            start,
            status,
            buffers_at_booking,
        })
}

#[derive(Debug, Clone)]
pub struct ScenarioSpec {
    pub zone: usize,
    pub day_kind: usize,
    pub day_shift: i8,
    pub schedules: [Vec<ScheduleSpec>; 2],
    pub practitioner_active: [bool; 2],
    pub room0_schedule: Option<ScheduleSpec>,
    pub room1_active: bool,
    /// (day offset, None = whole day / Some = partial)
    pub closure: Option<(i8, Option<TimeRange>)>,
    /// Type 0 is individual, type 1 a group type, type 2 either.
    pub types: [TypeSpec; 3],
    pub appointments: Vec<ApptSpec>,
    /// "now" in minutes after the base day's local midnight, plus seconds.
    pub now_offset: i32,
    pub now_seconds: u32,
    /// Build the calendar by incremental upserts instead of `from_parts`.
    pub incremental: bool,
}

pub fn scenario_spec() -> impl Strategy<Value = ScenarioSpec> {
    let schedules = || prop::collection::vec(schedule_spec(), 1..=2);
    (
        (0usize..ZONES.len(), 0usize..3, prop_oneof![3 => Just(0i8), 1 => -1i8..=1]),
        (schedules(), schedules()),
        (prop::bool::weighted(0.95), prop::bool::weighted(0.85)),
        (prop::option::weighted(0.35, schedule_spec()), prop::bool::weighted(0.8)),
        prop::option::weighted(0.2, (-1i8..=1, prop::option::of(time_range(240)))),
        (
            type_spec(Just(1u32).boxed()),
            type_spec((2u32..=3).boxed()),
            type_spec(prop_oneof![Just(1u32), 2u32..=3].boxed()),
        ),
        prop::collection::vec(appt_spec(), 0..=10),
        (prop_oneof![3 => -2880i32..=0, 1 => 0i32..=900], prop_oneof![Just(0u32), 1u32..60]),
        any::<bool>(),
    )
        .prop_map(
            |(
                (zone, day_kind, day_shift),
                (s0, s1),
                (a0, a1),
                (room0_schedule, room1_active),
                closure,
                (t0, t1, t2),
                appointments,
                (now_offset, now_seconds),
                incremental,
            )| ScenarioSpec {
                zone,
                day_kind,
                day_shift,
                schedules: [s0, s1],
                practitioner_active: [a0, a1],
                room0_schedule,
                room1_active,
                closure,
                types: [t0, t1, t2],
                appointments,
                now_offset,
                now_seconds,
                incremental,
            },
        )
}

// ------------------------------------------------------------------------------------------------
// Building
// ------------------------------------------------------------------------------------------------

fn uid(kind: u128, i: usize) -> Uuid {
    Uuid::from_u128((kind << 64) | (i as u128 + 1))
}

pub fn weekday_from(i: i64) -> Weekday {
    Weekday::try_from(i.rem_euclid(7) as u8).unwrap()
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub tz: Tz,
    pub base: NaiveDate,
    /// UTC minute of the base day's local midnight.
    pub base_start: i64,
    pub clinic: Clinic,
    pub practitioners: Vec<Practitioner>,
    pub rooms: Vec<Room>,
    pub types: Vec<AppointmentType>,
    pub schedules: Vec<Schedule>,
    pub appointments: Vec<Appointment>,
    /// Three patients with appointments, then one without.
    pub patients: Vec<PatientId>,
    pub now: DateTime<Utc>,
    pub calendar: Calendar,
}

fn build_schedule(
    spec: &ScheduleSpec,
    resource: ResourceRef,
    clinic: ClinicId,
    base: NaiveDate,
    id: ScheduleId,
) -> Schedule {
    let valid_from = base + Duration::days(i64::from(spec.valid_from));
    let valid_until = spec.valid_until.map(|u| (base + Duration::days(i64::from(u))).max(valid_from));
    let base_wd = i64::from(base.weekday().num_days_from_monday());
    let weekly_hours = spec
        .weekly
        .iter()
        .filter_map(|(rel, r)| {
            r.times().map(|(start, end)| WeeklyHours { weekday: weekday_from(base_wd + i64::from(*rel)), start, end })
        })
        .collect();
    let breaks = spec
        .breaks
        .iter()
        .filter_map(|(mask, r)| {
            r.times().map(|(start, end)| Break {
                weekdays: (0..7).filter(|b| mask & (1 << b) != 0).map(weekday_from).collect(),
                start,
                end,
            })
        })
        .collect();
    let exceptions = spec
        .exceptions
        .iter()
        .filter_map(|(off, kind, r)| {
            let (start, end) = r.times()?;
            let date = base + Duration::days(i64::from(*off));
            Some(match kind {
                0 => ScheduleException {
                    date,
                    kind: ExceptionKind::Extra,
                    start: Some(start),
                    end: Some(end),
                    reason: String::new(),
                },
                1 => ScheduleException {
                    date,
                    kind: ExceptionKind::Absence,
                    start: None,
                    end: None,
                    reason: String::new(),
                },
                _ => ScheduleException {
                    date,
                    kind: ExceptionKind::Absence,
                    start: Some(start),
                    end: Some(end),
                    reason: String::new(),
                },
            })
        })
        .collect();
    let recurrences: Vec<RecurringHours> = spec
        .rrule
        .iter()
        .map(|r| {
            let rrule = match r.kind {
                0 => format!("FREQ=DAILY;COUNT={}", 1 + r.param % 20),
                1 => format!("FREQ=DAILY;INTERVAL=2;COUNT={}", 1 + r.param % 10),
                _ => {
                    let first = valid_from.weekday().num_days_from_monday();
                    let days: Vec<&str> = (0..7u32)
                        .filter(|d| *d == first || r.param & (1 << d) != 0)
                        .map(|d| ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][d as usize])
                        .collect();
                    let until = valid_from + Duration::days(i64::from(r.param % 14));
                    format!("FREQ=WEEKLY;BYDAY={};UNTIL={}", days.join(","), until.format("%Y%m%d"))
                }
            };
            RecurringHours { rrule, start: hm(r.start), duration_minutes: r.duration }
        })
        .collect();
    let input = ScheduleInput {
        resource,
        weekly_hours,
        recurrences,
        breaks,
        exceptions,
        valid_from,
        valid_until,
        granularity_minutes: spec.granularity,
    };
    match Schedule::new(id, clinic, input.clone()) {
        Ok(s) => s,
        Err(e) => panic!("generated schedule rejected: {e}\n{input:#?}"),
    }
}

/// Every aligned start (epoch minutes) of a resource's windows for local days base−1..=base+1 that fits `d`.
pub fn grid_starts(cal: &Calendar, tz: Tz, base: NaiveDate, r: ResourceRef, d: i64) -> Vec<i64> {
    let first = base - Duration::days(1);
    let last = base + Duration::days(1);
    let days = ZoneDays::new(tz, first - Duration::days(1), last + Duration::days(1));
    let mut out = Vec::new();
    for s in cal.schedules_of(r) {
        for w in s.windows(&days, first, last) {
            let mut k = (w.start - w.anchor).div_euclid(w.step);
            loop {
                let st = w.anchor + k * w.step;
                if st + d > w.end {
                    break;
                }
                if st >= w.start {
                    out.push(st);
                }
                k += 1;
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

pub fn build(spec: &ScenarioSpec) -> Scenario {
    let zone = ZONES[spec.zone];
    let tz: Tz = zone.parse().unwrap();
    let base = interesting_dates(zone)[spec.day_kind] + Duration::days(i64::from(spec.day_shift));
    let base_start = resolve_dt(tz, base, NaiveTime::MIN);
    let closures = spec
        .closure
        .iter()
        .map(|(off, r)| {
            let date = base + Duration::days(i64::from(*off));
            match r.as_ref().and_then(TimeRange::times) {
                Some((s, e)) => Closure { date, start: Some(s), end: Some(e), reason: "partial".into() },
                None => Closure::whole_day(date, "holiday"),
            }
        })
        .collect();
    let clinic = Clinic::new(
        ClinicId(uid(1, 0)),
        ClinicInput { name: "Prop Clinic".into(), time_zone: zone.into(), closures, ..Default::default() },
    )
    .unwrap();
    let cid = clinic.id();
    let practitioners: Vec<Practitioner> = (0..2)
        .map(|i| {
            Practitioner::new(PractitionerId(uid(2, i)), cid, &format!("Dr {i}"), ContactInfo::default())
                .unwrap()
                .with_active(spec.practitioner_active[i])
        })
        .collect();
    let rooms: Vec<Room> = (0..2)
        .map(|i| {
            Room::new(RoomId(uid(3, i)), cid, &format!("Room {i}")).unwrap().with_active(i == 0 || spec.room1_active)
        })
        .collect();
    let type_input = |i: usize, t: &TypeSpec, bb: u32, ba: u32| AppointmentTypeInput {
        name: format!("Type {i}"),
        duration_minutes: t.duration,
        buffer_before_minutes: bb,
        buffer_after_minutes: ba,
        capacity: t.capacity,
        min_notice_minutes: t.min_notice,
        max_horizon_days: t.horizon_days,
        practitioner_ids: if t.p0_only { vec![practitioners[0].id()] } else { vec![] },
        active: t.active,
    };
    let types: Vec<AppointmentType> = spec
        .types
        .iter()
        .enumerate()
        .map(|(i, t)| {
            AppointmentType::new(AppointmentTypeId(uid(4, i)), cid, type_input(i, t, t.buffer_before, t.buffer_after))
                .unwrap()
        })
        .collect();
    let mut schedules = Vec::new();
    for (p, list) in spec.schedules.iter().enumerate() {
        for s in list {
            let id = ScheduleId(uid(5, schedules.len()));
            schedules.push(build_schedule(s, ResourceRef::Practitioner(practitioners[p].id()), cid, base, id));
        }
    }
    if let Some(s) = &spec.room0_schedule {
        let id = ScheduleId(uid(5, schedules.len()));
        schedules.push(build_schedule(s, ResourceRef::Room(rooms[0].id()), cid, base, id));
    }
    let patients: Vec<PatientId> = (0..4).map(|i| PatientId(uid(6, i))).collect();
    let schedule_cal = Calendar::from_parts(
        clinic.clone(),
        practitioners.clone(),
        rooms.clone(),
        types.clone(),
        schedules.clone(),
        Vec::<Appointment>::new(),
    )
    .unwrap();

    // Appointments.
    let mut appointments: Vec<Appointment> = Vec::new();
    let mut booked_versions: Vec<Appointment> = Vec::new();
    for (i, a) in spec.appointments.iter().enumerate() {
        let (mut prac, mut ty, mut room) = (a.practitioner, a.ty, a.room);
        let d = i64::from(types[ty].duration_minutes());
        let start = match a.start {
            StartSpec::Raw(off) => base_start + i64::from(off),
            StartSpec::Near(j, delta) if !appointments.is_empty() => {
                appointments[j % appointments.len()].slot().start_minute() + i64::from(delta)
            }
            StartSpec::SameAs(j) if !appointments.is_empty() => {
                let other = &appointments[j % appointments.len()];
                prac = practitioners.iter().position(|p| p.id() == other.practitioner_id()).unwrap();
                ty = types.iter().position(|t| t.id() == other.appointment_type_id()).unwrap();
                room = other.room_id().map(|r| rooms.iter().position(|x| x.id() == r).unwrap());
                other.slot().start_minute()
            }
            StartSpec::OnGrid(k) => {
                let g = grid_starts(&schedule_cal, tz, base, ResourceRef::Practitioner(practitioners[prac].id()), d);
                if g.is_empty() {
                    base_start + 600
                } else {
                    g[k % g.len()]
                }
            }
            _ => base_start + 540,
        };
        let tyv = &types[ty];
        let at_booking = match a.buffers_at_booking {
            Some((bb, ba)) => AppointmentType::new(tyv.id(), cid, type_input(ty, &spec.types[ty], bb, ba)).unwrap(),
            None => tyv.clone(),
        };
        let slot = TimeSlot::starting_at(at_minute(start), i64::from(tyv.duration_minutes())).unwrap();
        let new = NewAppointment {
            clinic_id: cid,
            patient_id: patients[a.patient],
            practitioner_id: practitioners[prac].id(),
            room_id: room.map(|r| rooms[r].id()),
            appointment_type_id: tyv.id(),
            slot,
            reason: None,
            notes: None,
        };
        let id = AppointmentId(uid(7, i));
        let created = at_minute(start - 10_000);
        let initial = if a.status == AppointmentStatus::Proposed {
            AppointmentStatus::Proposed
        } else {
            AppointmentStatus::Booked
        };
        let mut appt = Appointment::new(id, new, &at_booking, initial, false, created).unwrap();
        booked_versions.push(appt.clone());
        let on_day = slot.start();
        use AppointmentStatus::*;
        let path: &[AppointmentStatus] = match a.status {
            Proposed | Booked => &[],
            Arrived => &[Arrived],
            Fulfilled => &[Arrived, Fulfilled],
            Cancelled => &[Cancelled],
            Noshow => &[Noshow],
        };
        for &to in path {
            appt.transition(to, on_day, tz, None, None).unwrap();
        }
        appointments.push(appt);
    }

    let now = at_minute(base_start + i64::from(spec.now_offset)) + Duration::seconds(i64::from(spec.now_seconds));
    let calendar = if spec.incremental {
        let mut c = Calendar::new(clinic.clone());
        for p in &practitioners {
            c.add_practitioner(p.clone()).unwrap();
        }
        for r in &rooms {
            c.add_room(r.clone()).unwrap();
        }
        for t in &types {
            c.add_type(t.clone()).unwrap();
        }
        for s in &schedules {
            c.add_schedule(s.clone()).unwrap();
        }
        // Every appointment first as booked, then in its final state (frees cancelled ones again).
        for a in &booked_versions {
            c.upsert_appointment(a).unwrap();
        }
        for a in &appointments {
            c.upsert_appointment(a).unwrap();
        }
        c
    } else {
        Calendar::from_parts(
            clinic.clone(),
            practitioners.clone(),
            rooms.clone(),
            types.clone(),
            schedules.clone(),
            appointments.clone(),
        )
        .unwrap()
    };
    Scenario {
        tz,
        base,
        base_start,
        clinic,
        practitioners,
        rooms,
        types,
        schedules,
        appointments,
        patients,
        now,
        calendar,
    }
}

impl Scenario {
    /// A start for a request: grid starts and neighbours of existing appointments hit the interesting cases.
    pub fn start_of(&self, s: &StartSpec, practitioner: usize, ty: usize) -> i64 {
        match *s {
            StartSpec::Raw(off) => self.base_start + i64::from(off),
            StartSpec::OnGrid(k) => {
                let d = i64::from(self.types[ty].duration_minutes());
                let g = grid_starts(
                    &self.calendar,
                    self.tz,
                    self.base,
                    ResourceRef::Practitioner(self.practitioners[practitioner].id()),
                    d,
                );
                if g.is_empty() {
                    self.base_start + 600
                } else {
                    g[k % g.len()]
                }
            }
            StartSpec::SameAs(j) | StartSpec::Near(j, 0) if !self.appointments.is_empty() => {
                self.appointments[j % self.appointments.len()].slot().start_minute()
            }
            StartSpec::Near(j, delta) if !self.appointments.is_empty() => {
                self.appointments[j % self.appointments.len()].slot().start_minute() + i64::from(delta)
            }
            _ => self.base_start + 545,
        }
    }
}

pub fn proptest_config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, max_shrink_iters: 2000, ..ProptestConfig::default() }
}
