//! The issue's required property (DESIGN §3: "a slot that search offers is always bookable at that moment,
//! and vice versa"): for random clinics, `find_available_slots` over a range returns exactly the every-minute
//! candidate starts of that range that the conflict engine accepts for the same patient, room, exclusion and
//! `now` without overbooking — for individual types (the sweep path) and group types (the per-candidate path),
//! with and without a patient and a room, for one practitioner or all of them.

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use clinic_core::*;
use common::*;

#[derive(Debug, Clone)]
struct QuerySpec {
    /// Index into the scenario's types (0 individual, 1 group, 2 either).
    ty: usize,
    /// None = every practitioner (empty list); Some(i) = just that one.
    practitioner: Option<usize>,
    patient: Option<usize>,
    room: Option<usize>,
    exclude: Option<usize>,
    /// Start of the range: minutes after the base day's local midnight, or (when `near_grid` is set) minutes
    /// after the k-th grid start of practitioner 0's windows; plus seconds.
    from: i32,
    near_grid: Option<usize>,
    from_seconds: u32,
    /// Length of the range in minutes.
    len: u32,
    /// Overrides the scenario's "now" (minutes after the base day's local midnight) so that most ranges lie
    /// inside the booking horizon, and keeps the queried type bookable most of the time.
    now_offset: i32,
    type_active: bool,
}

#[derive(Debug, Clone, Copy)]
struct Shape {
    types: &'static [usize],
    with_patient: Option<bool>,
    with_room: Option<bool>,
}

fn query_spec(shape: Shape) -> impl Strategy<Value = QuerySpec> {
    let opt = |fixed: Option<bool>, n: usize| -> BoxedStrategy<Option<usize>> {
        match fixed {
            Some(true) => (0..n).prop_map(Some).boxed(),
            Some(false) => Just(None).boxed(),
            None => prop::option::of(0..n).boxed(),
        }
    };
    (
        proptest::sample::select(shape.types.to_vec()),
        prop::option::weighted(0.7, 0usize..2),
        opt(shape.with_patient, 4),
        opt(shape.with_room, 2),
        prop::option::weighted(0.25, any::<usize>()),
        (-240i32..1500, prop::option::weighted(0.6, any::<usize>())),
        prop_oneof![Just(0u32), 1u32..60],
        prop_oneof![4 => 1u32..=360, 1 => 360u32..=1500],
        (prop_oneof![3 => -1440i32..=0, 1 => 0i32..=600], prop::bool::weighted(0.95)),
    )
        .prop_map(
            |(
                ty,
                practitioner,
                patient,
                room,
                exclude,
                (from, near_grid),
                from_seconds,
                len,
                (now_offset, type_active),
            )| QuerySpec {
                ty,
                practitioner,
                patient,
                room,
                exclude,
                from: if near_grid.is_some() { from % 180 - 120 } else { from },
                near_grid,
                from_seconds,
                len,
                now_offset,
                type_active,
            },
        )
}

fn offers_as_set(v: &[SlotOffer]) -> BTreeSet<(DateTime<Utc>, PractitionerId)> {
    v.iter().map(|o| (o.start, o.practitioner_id)).collect()
}

fn run(spec: &ScenarioSpec, q: &QuerySpec) -> Result<(), TestCaseError> {
    let mut spec = spec.clone();
    spec.now_offset = q.now_offset;
    spec.types[q.ty].active = q.type_active;
    spec.types[q.ty].horizon_days = spec.types[q.ty].horizon_days.max(2);
    let sc = build(&spec);
    let ty = &sc.types[q.ty];
    let d = i64::from(ty.duration_minutes());
    let exclude = match q.exclude {
        Some(j) if !sc.appointments.is_empty() => Some(sc.appointments[j % sc.appointments.len()].id()),
        _ => None,
    };
    let origin = match q.near_grid {
        Some(k) => {
            let p = ResourceRef::Practitioner(sc.practitioners[q.practitioner.unwrap_or(0)].id());
            let g = grid_starts(&sc.calendar, sc.tz, sc.base, p, d);
            if g.is_empty() {
                sc.base_start
            } else {
                g[k % g.len()]
            }
        }
        None => sc.base_start,
    };
    let from = at_minute(origin + i64::from(q.from)) + Duration::seconds(i64::from(q.from_seconds));
    // `to` is a whole minute here; see `search_range_end_with_seconds_includes_last_minute` for the other case.
    let to = at_minute(origin + i64::from(q.from) + i64::from(q.len));
    let query = SlotQuery {
        appointment_type_id: ty.id(),
        practitioner_ids: q.practitioner.map(|p| vec![sc.practitioners[p].id()]).unwrap_or_default(),
        from,
        to,
        patient_id: q.patient.map(|p| sc.patients[p]),
        room_id: q.room.map(|r| sc.rooms[r].id()),
        exclude,
        limit: None,
    };
    let got = sc
        .calendar
        .find_available_slots(&query, sc.now)
        .map_err(|e| TestCaseError::fail(format!("search failed: {e}")))?;

    // Brute force: every whole minute in [from, to), every practitioner asked about, through the engine's rules.
    let practitioners: Vec<PractitionerId> = match q.practitioner {
        Some(p) => vec![sc.practitioners[p].id()],
        None => sc.calendar.practitioner_ids(),
    };
    // Without a patient in the query, book for one who has no appointments (rule 2 then never applies).
    let patient_id = query.patient_id.unwrap_or(sc.patients[3]);
    let first_minute = (from.timestamp() + 59).div_euclid(60);
    let mut want = Vec::new();
    let mut rejected = Vec::new();
    for m in first_minute..minute_of(to) {
        for &p in &practitioners {
            let req = BookingRequest {
                patient_id,
                practitioner_id: p,
                room_id: query.room_id,
                appointment_type_id: ty.id(),
                start: at_minute(m),
                overbook: false,
                reschedule_of: exclude,
            };
            if sc.calendar.evaluate(&req, sc.now, false).0.is_empty() {
                want.push(SlotOffer { start: at_minute(m), end: at_minute(m + d), practitioner_id: p });
            } else {
                rejected.push(req);
            }
        }
    }
    want.sort_by_key(|o| (o.start, o.practitioner_id));

    let ctx = || {
        let missing: Vec<_> = offers_as_set(&want).difference(&offers_as_set(&got)).copied().take(5).collect();
        let extra: Vec<_> = offers_as_set(&got).difference(&offers_as_set(&want)).copied().take(5).collect();
        let show = |v: &[(DateTime<Utc>, PractitionerId)]| {
            v.iter().map(|(t, p)| format!("{t} ({}) {p}", t.with_timezone(&sc.tz))).collect::<Vec<_>>()
        };
        format!(
            "zone {} now {}\nbookable but not offered: {:?}\noffered but refused: {:?}",
            sc.tz.name(),
            sc.now,
            show(&missing),
            show(&extra)
        )
    };
    prop_assert!(got == want, "search != every accepted candidate\n{}", ctx());

    // `check` agrees: every offer books; a few refused candidates stay refused (check adds alternatives, so
    // only a sample of them is run).
    for o in &got {
        let req = BookingRequest {
            patient_id,
            practitioner_id: o.practitioner_id,
            room_id: query.room_id,
            appointment_type_id: ty.id(),
            start: o.start,
            overbook: false,
            reschedule_of: exclude,
        };
        let v = sc.calendar.check(&req, sc.now, false);
        prop_assert!(v.accepted, "offered {o:?} but check refuses: {:?}", v.codes());
    }
    let step = (rejected.len() / 3).max(1);
    for req in rejected.iter().step_by(step).take(3) {
        prop_assert!(!sc.calendar.check(req, sc.now, false).accepted);
    }

    // `limit` keeps the earliest offers.
    if got.len() > 2 {
        let limited = sc.calendar.find_available_slots(&SlotQuery { limit: Some(2), ..query.clone() }, sc.now).unwrap();
        prop_assert_eq!(&limited[..], &got[..2]);
    }
    Ok(())
}

const INDIVIDUAL: &[usize] = &[0];
const GROUP: &[usize] = &[1];
const ANY: &[usize] = &[0, 1, 2];

proptest! {
    #![proptest_config(proptest_config(200))]

    #[test]
    fn individual_without_patient_or_room(
        spec in scenario_spec(),
        q in query_spec(Shape { types: INDIVIDUAL, with_patient: Some(false), with_room: Some(false) }),
    ) {
        run(&spec, &q)?;
    }

    #[test]
    fn individual_with_patient_and_room(
        spec in scenario_spec(),
        q in query_spec(Shape { types: INDIVIDUAL, with_patient: Some(true), with_room: Some(true) }),
    ) {
        run(&spec, &q)?;
    }

    #[test]
    fn group_without_patient_or_room(
        spec in scenario_spec(),
        q in query_spec(Shape { types: GROUP, with_patient: Some(false), with_room: Some(false) }),
    ) {
        run(&spec, &q)?;
    }

    #[test]
    fn group_with_patient_and_room(
        spec in scenario_spec(),
        q in query_spec(Shape { types: GROUP, with_patient: Some(true), with_room: Some(true) }),
    ) {
        run(&spec, &q)?;
    }

    #[test]
    fn any_type_any_combination(
        spec in scenario_spec(),
        q in query_spec(Shape { types: ANY, with_patient: None, with_room: None }),
    ) {
        run(&spec, &q)?;
    }
}

/// One practitioner, Mondays 09:00–12:00 in London, a 15-minute type on a 15-minute grid.
fn small_calendar() -> (Calendar, PractitionerId, AppointmentType) {
    use chrono::{NaiveDate, NaiveTime, Weekday};
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let clinic = Clinic::new(
        ClinicId::new(),
        ClinicInput { name: "C".into(), time_zone: "Europe/London".into(), ..Default::default() },
    )
    .unwrap();
    let p = Practitioner::new(PractitionerId::new(), clinic.id(), "Dr", ContactInfo::default()).unwrap();
    let ty = AppointmentType::new(
        AppointmentTypeId::new(),
        clinic.id(),
        AppointmentTypeInput { name: "T".into(), duration_minutes: 15, ..Default::default() },
    )
    .unwrap();
    let sch = Schedule::new(
        ScheduleId::new(),
        clinic.id(),
        ScheduleInput {
            resource: ResourceRef::Practitioner(p.id()),
            weekly_hours: vec![WeeklyHours { weekday: Weekday::Mon, start: t(9, 0), end: t(12, 0) }],
            recurrences: vec![],
            breaks: vec![],
            exceptions: vec![],
            valid_from: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            valid_until: None,
            granularity_minutes: 15,
        },
    )
    .unwrap();
    (Calendar::from_parts(clinic, [p.clone()], [], [ty.clone()], [sch], []).unwrap(), p.id(), ty)
}

fn small_query(ty: &AppointmentType, p: PractitionerId, from: DateTime<Utc>, to: DateTime<Utc>) -> SlotQuery {
    SlotQuery {
        appointment_type_id: ty.id(),
        practitioner_ids: vec![p],
        from,
        to,
        patient_id: None,
        room_id: None,
        exclude: None,
        limit: None,
    }
}

/// Starts are offered in `[from, to)`; a `to` with seconds still admits the whole minute before it.
#[test]
fn search_range_end_with_seconds_includes_last_minute() {
    use chrono::TimeZone;
    let (cal, p, ty) = small_calendar();
    let now = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let q = small_query(
        &ty,
        p,
        Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2027, 1, 4, 10, 0, 30).unwrap(),
    );
    let starts: Vec<String> =
        cal.find_available_slots(&q, now).unwrap().iter().map(|o| o.start.format("%H:%M").to_string()).collect();
    // 10:00 < 10:00:30, and booking it is accepted:
    let req = BookingRequest {
        patient_id: PatientId::new(),
        practitioner_id: p,
        room_id: None,
        appointment_type_id: ty.id(),
        start: Utc.with_ymd_and_hms(2027, 1, 4, 10, 0, 0).unwrap(),
        overbook: false,
        reschedule_of: None,
    };
    assert!(cal.check(&req, now, false).accepted);
    assert_eq!(starts, ["09:00", "09:15", "09:30", "09:45", "10:00"]);
}

/// Starts are offered in `[from, to)`; a `from` a fraction of a second past 09:00 excludes 09:00.
#[test]
fn search_range_start_with_subsecond_fraction_excludes_that_minute() {
    use chrono::TimeZone;
    let (cal, p, ty) = small_calendar();
    let now = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let from = Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap() + Duration::milliseconds(500);
    let q = small_query(&ty, p, from, Utc.with_ymd_and_hms(2027, 1, 4, 10, 0, 0).unwrap());
    let starts: Vec<String> =
        cal.find_available_slots(&q, now).unwrap().iter().map(|o| o.start.format("%H:%M").to_string()).collect();
    assert_eq!(starts, ["09:15", "09:30", "09:45"]);
}
