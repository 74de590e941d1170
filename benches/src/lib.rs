//! Deterministic data for the canonical workloads of DESIGN.md §9 (README "Benchmarks").
//!
//! * **W1 — conflict check**: 200 practitioners, one year of weekdays, 16 appointments per practitioner and
//!   day on a half-hour grid 08:00–18:00 (16 of the 20 grid places taken at random, each by a 15-, 20- or
//!   30-minute appointment, so no two overlap), and 100,000 candidate bookings (random practitioner and weekday,
//!   5-minute-aligned start 08:00–17:55, duration 15–60 minutes with a 5-minute buffer after) to answer
//!   conflict / no conflict.
//! * **W2 — availability search**: 50 practitioners in America/New_York, Mon–Fri 08:00–12:00 and 13:00–17:00,
//!   two whole-day clinic holidays, about 70% of the working time already booked; query: every free start of a
//!   20-minute type with a 5-minute buffer after, 5-minute granularity, all 50 practitioners, the 30 local days
//!   from 2027-03-01 (across the 2027-03-14 DST switch).
//!
//! Everything — ids included — comes from a ChaCha8 generator seeded with [`W1Params::seed`] /
//! [`W2Params::seed`], so a seed always gives the same data. The benches (`benches/`) and the sanity tests
//! (`tests/`) share these generators.

pub mod stores;
pub mod w3;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use clinic_core::zone::{parse_tz, ZoneDays};
use clinic_core::{
    Appointment, AppointmentId, AppointmentStatus, AppointmentType, AppointmentTypeId, AppointmentTypeInput,
    BookingRequest, Calendar, Clinic, ClinicId, ClinicInput, Closure, ContactInfo, NewAppointment, PatientId,
    Practitioner, PractitionerId, Schedule, ScheduleId, ScheduleInput, SlotQuery, TimeSlot, WeeklyHours,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

/// The zone of both workloads' clinic.
pub const TIME_ZONE: &str = "America/New_York";

/// A random (v4-shaped) UUID drawn from `rng`: ids are part of the deterministic data.
pub fn uuid_from(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn weekly(ranges: &[(NaiveTime, NaiveTime)]) -> Vec<WeeklyHours> {
    let mut out = Vec::new();
    for wd in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri] {
        for &(start, end) in ranges {
            out.push(WeeklyHours { weekday: wd, start, end });
        }
    }
    out
}

fn new_type(rng: &mut ChaCha8Rng, clinic: ClinicId, name: &str, minutes: u32, after: u32) -> AppointmentType {
    let input = AppointmentTypeInput {
        name: name.into(),
        duration_minutes: minutes,
        buffer_after_minutes: after,
        max_horizon_days: 400,
        ..Default::default()
    };
    AppointmentType::new(AppointmentTypeId(uuid_from(rng)), clinic, input).expect("valid type")
}

fn book(
    rng: &mut ChaCha8Rng,
    clinic: ClinicId,
    patient: PatientId,
    practitioner: PractitionerId,
    ty: &AppointmentType,
    start_minute: i64,
    created: DateTime<Utc>,
) -> Appointment {
    let start = Utc.timestamp_opt(start_minute * 60, 0).single().expect("in range");
    let slot = TimeSlot::starting_at(start, i64::from(ty.duration_minutes())).expect("valid slot");
    let spec = NewAppointment {
        clinic_id: clinic,
        patient_id: patient,
        practitioner_id: practitioner,
        room_id: None,
        appointment_type_id: ty.id(),
        slot,
        reason: None,
        notes: None,
    };
    Appointment::new(AppointmentId(uuid_from(rng)), spec, ty, AppointmentStatus::Booked, false, created)
        .expect("valid appointment")
}

fn new_clinic(rng: &mut ChaCha8Rng, closures: Vec<Closure>) -> Clinic {
    let input =
        ClinicInput { name: "Bench clinic".into(), time_zone: TIME_ZONE.into(), closures, ..Default::default() };
    Clinic::new(ClinicId(uuid_from(rng)), input).expect("valid clinic")
}

fn new_practitioners(rng: &mut ChaCha8Rng, clinic: ClinicId, n: usize) -> Vec<Practitioner> {
    (0..n)
        .map(|i| {
            Practitioner::new(
                PractitionerId(uuid_from(rng)),
                clinic,
                &format!("Practitioner {i}"),
                ContactInfo::default(),
            )
            .expect("valid practitioner")
        })
        .collect()
}

fn new_schedule(
    rng: &mut ChaCha8Rng,
    clinic: ClinicId,
    p: PractitionerId,
    hours: &[(NaiveTime, NaiveTime)],
    from: NaiveDate,
    until: NaiveDate,
) -> Schedule {
    let input = ScheduleInput {
        resource: clinic_core::ResourceRef::Practitioner(p),
        weekly_hours: weekly(hours),
        recurrences: vec![],
        breaks: vec![],
        exceptions: vec![],
        valid_from: from,
        valid_until: Some(until),
        granularity_minutes: 5,
    };
    Schedule::new(ScheduleId(uuid_from(rng)), clinic, input).expect("valid schedule")
}

// ---------------------------------------------------------------------------------------------------------
// W1
// ---------------------------------------------------------------------------------------------------------

/// The shape of workload W1; [`W1Params::canonical`] is the benchmarked one, tests may shrink it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct W1Params {
    pub seed: u64,
    pub practitioners: usize,
    /// First local date; `days` consecutive dates follow, of which the weekdays are worked.
    pub first_day: NaiveDate,
    pub days: u32,
    /// Appointments per practitioner and weekday, placed on 20 half-hour grid places 08:00–18:00.
    pub per_day: usize,
    pub candidates: usize,
    pub patients: usize,
}

/// Half-hour grid places 08:00–18:00.
pub const W1_GRID: usize = 20;

impl W1Params {
    /// 200 practitioners × 261 weekdays of 2027 × 16 = 835,200 appointments; 100,000 candidates.
    pub fn canonical() -> Self {
        W1Params {
            seed: 0x57_31_C0_FF,
            practitioners: 200,
            first_day: NaiveDate::from_ymd_opt(2027, 1, 1).expect("date"),
            days: 365,
            per_day: 16,
            candidates: 100_000,
            patients: 100_000,
        }
    }
}

/// One candidate booking of W1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub practitioner: PractitionerId,
    pub patient: PatientId,
    /// Index into [`W1::candidate_types`].
    pub type_index: usize,
    pub start: DateTime<Utc>,
}

/// Workload W1's data: the calendar without appointments, the appointments, and the candidates.
#[derive(Debug, Clone)]
pub struct W1 {
    pub params: W1Params,
    /// "now" of the full-rule checks: before the year starts.
    pub now: DateTime<Utc>,
    /// Clinic, practitioners, types and schedules (Mon–Fri 08:00–18:00), no appointments yet.
    pub empty: Calendar,
    /// The existing appointments (booked, no buffers), in generation order (practitioner by practitioner, in
    /// time order).
    pub appointments: Vec<Appointment>,
    /// Candidate types: 15, 20, …, 60 minutes, each with a 5-minute buffer after.
    pub candidate_types: Vec<AppointmentType>,
    pub candidates: Vec<Candidate>,
}

impl W1 {
    pub fn generate(params: &W1Params) -> W1 {
        assert!(params.per_day <= W1_GRID);
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let clinic = new_clinic(&mut rng, vec![]);
        let cid = clinic.id();
        let tz = clinic.time_zone();
        let practitioners = new_practitioners(&mut rng, cid, params.practitioners);
        let last_day = params.first_day + Duration::days(i64::from(params.days) - 1);
        let schedules: Vec<Schedule> = practitioners
            .iter()
            .map(|p| new_schedule(&mut rng, cid, p.id(), &[(hm(8, 0), hm(18, 0))], params.first_day, last_day))
            .collect();
        let visits: Vec<AppointmentType> =
            [15, 20, 30].iter().map(|&m| new_type(&mut rng, cid, &format!("Visit {m}"), m, 0)).collect();
        let candidate_types: Vec<AppointmentType> =
            (15..=60).step_by(5).map(|m| new_type(&mut rng, cid, &format!("Candidate {m}"), m, 5)).collect();
        let patients: Vec<PatientId> = (0..params.patients).map(|_| PatientId(uuid_from(&mut rng))).collect();
        let now = tz
            .from_local_datetime(&(params.first_day - Duration::days(1)).and_time(hm(12, 0)))
            .single()
            .expect("unambiguous")
            .with_timezone(&Utc);

        let zd = ZoneDays::new(tz, params.first_day, last_day + Duration::days(1));
        let work_days: Vec<NaiveDate> =
            params.first_day.iter_days().take(params.days as usize).filter(|d| is_weekday(*d)).collect();
        let day_starts: Vec<i64> = work_days.iter().map(|d| zd.to_utc_minute(*d, hm(8, 0))).collect();

        let mut appointments = Vec::with_capacity(params.practitioners * work_days.len() * params.per_day);
        let mut places: [usize; W1_GRID] = std::array::from_fn(|i| i);
        for p in &practitioners {
            for &day_start in &day_starts {
                // A random subset of `per_day` grid places (partial Fisher–Yates), booked in time order.
                for i in 0..params.per_day {
                    let j = rng.random_range(i..W1_GRID);
                    places.swap(i, j);
                }
                let mut chosen = places[..params.per_day].to_vec();
                chosen.sort_unstable();
                for k in chosen {
                    let patient = patients[rng.random_range(0..patients.len())];
                    let start = day_start + 30 * k as i64;
                    let visit = &visits[rng.random_range(0..visits.len())];
                    appointments.push(book(&mut rng, cid, patient, p.id(), visit, start, now));
                }
            }
        }

        let candidates = (0..params.candidates)
            .map(|_| {
                let practitioner = practitioners[rng.random_range(0..practitioners.len())].id();
                let day = day_starts[rng.random_range(0..day_starts.len())];
                let start_minute = day + 5 * rng.random_range(0..120i64); // 08:00 … 17:55
                Candidate {
                    practitioner,
                    patient: patients[rng.random_range(0..patients.len())],
                    type_index: rng.random_range(0..candidate_types.len()),
                    start: Utc.timestamp_opt(start_minute * 60, 0).single().expect("in range"),
                }
            })
            .collect();

        let mut types = visits;
        types.extend(candidate_types.iter().cloned());
        let empty = Calendar::from_parts(clinic, practitioners, vec![], types, schedules, vec![]).expect("calendar");
        W1 { params: params.clone(), now, empty, appointments, candidate_types, candidates }
    }

    /// The calendar with every appointment loaded.
    pub fn loaded(&self) -> Calendar {
        let mut cal = self.empty.clone();
        cal.load_appointments(&self.appointments).expect("same clinic");
        cal
    }

    /// The candidate as a full booking request (all rules).
    pub fn request(&self, c: &Candidate) -> BookingRequest {
        BookingRequest {
            patient_id: c.patient,
            practitioner_id: c.practitioner,
            room_id: None,
            appointment_type_id: self.candidate_types[c.type_index].id(),
            start: c.start,
            overbook: false,
            reschedule_of: None,
        }
    }

    /// Rule 1 for every candidate through the engine's index: how many conflict.
    pub fn count_conflicts(&self, cal: &Calendar) -> usize {
        self.candidates
            .iter()
            .filter(|c| {
                cal.resource_conflict(
                    clinic_core::ResourceRef::Practitioner(c.practitioner),
                    &self.candidate_types[c.type_index],
                    c.start,
                )
            })
            .count()
    }
}

// ---------------------------------------------------------------------------------------------------------
// W2
// ---------------------------------------------------------------------------------------------------------

/// The shape of workload W2; [`W2Params::canonical`] is the benchmarked one.
#[derive(Debug, Clone, PartialEq)]
pub struct W2Params {
    pub seed: u64,
    pub practitioners: usize,
    /// First local date of the query; the query spans `days` local days.
    pub first_day: NaiveDate,
    pub days: u32,
    /// Whole-day clinic closures inside the range.
    pub holidays: Vec<NaiveDate>,
    /// Probability that the next thing placed in a window is an appointment rather than a gap (tuned so that
    /// about 70% of the working time is booked).
    pub booking_probability: f64,
    pub patients: usize,
}

impl W2Params {
    pub fn canonical() -> Self {
        let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).expect("date");
        W2Params {
            seed: 0x57_32_C0_FF,
            practitioners: 50,
            first_day: d(3, 1),
            days: 30,
            holidays: vec![d(3, 5), d(3, 17)],
            booking_probability: 0.68,
            patients: 5_000,
        }
    }
}

/// Workload W2's data: the loaded calendar and the query.
#[derive(Debug, Clone)]
pub struct W2 {
    pub params: W2Params,
    pub calendar: Calendar,
    pub query: SlotQuery,
    /// Before the range; the type's horizon (400 days) covers it.
    pub now: DateTime<Utc>,
    pub practitioners: Vec<PractitionerId>,
    pub appointments: Vec<Appointment>,
    /// Booked minutes / working minutes (holidays excluded).
    pub occupancy: f64,
}

/// Working windows of W2, local time.
pub fn w2_hours() -> [(NaiveTime, NaiveTime); 2] {
    [(hm(8, 0), hm(12, 0)), (hm(13, 0), hm(17, 0))]
}

impl W2 {
    pub fn generate(params: &W2Params) -> W2 {
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let closures = params.holidays.iter().map(|d| Closure::whole_day(*d, "holiday")).collect();
        let clinic = new_clinic(&mut rng, closures);
        let cid = clinic.id();
        let tz = parse_tz(TIME_ZONE).expect("zone");
        let practitioners = new_practitioners(&mut rng, cid, params.practitioners);
        let last_day = params.first_day + Duration::days(i64::from(params.days) - 1);
        let hours = w2_hours();
        let valid_from = params.first_day - Duration::days(60);
        let valid_until = last_day + Duration::days(60);
        let schedules: Vec<Schedule> = practitioners
            .iter()
            .map(|p| new_schedule(&mut rng, cid, p.id(), &hours, valid_from, valid_until))
            .collect();
        let checkup = new_type(&mut rng, cid, "Check-up", 20, 5);
        let existing = [
            new_type(&mut rng, cid, "Short", 15, 0),
            new_type(&mut rng, cid, "Consult", 30, 0),
            new_type(&mut rng, cid, "Long", 45, 0),
        ];
        let patients: Vec<PatientId> = (0..params.patients).map(|_| PatientId(uuid_from(&mut rng))).collect();
        let local = |d: NaiveDate, t: NaiveTime| {
            tz.from_local_datetime(&d.and_time(t)).single().expect("unambiguous").with_timezone(&Utc)
        };
        let now = local(params.first_day - Duration::days(14), hm(12, 0));

        let zd = ZoneDays::new(tz, params.first_day, last_day + Duration::days(1));
        let work_days: Vec<NaiveDate> = params
            .first_day
            .iter_days()
            .take(params.days as usize)
            .filter(|d| is_weekday(*d) && !params.holidays.contains(d))
            .collect();
        let mut appointments = Vec::new();
        let (mut booked, mut working) = (0i64, 0i64);
        for p in &practitioners {
            for &d in &work_days {
                for (ws, we) in hours {
                    let (ws, we) = (zd.to_utc_minute(d, ws), zd.to_utc_minute(d, we));
                    working += we - ws;
                    let mut t = ws;
                    while t < we {
                        if rng.random_bool(params.booking_probability) {
                            let pick = rng.random_range(0..existing.len() + 1);
                            let ty = if pick == existing.len() { &checkup } else { &existing[pick] };
                            let len = i64::from(ty.duration_minutes());
                            let occupied = len + i64::from(ty.buffer_after_minutes());
                            if t + len > we {
                                break;
                            }
                            let patient = patients[rng.random_range(0..patients.len())];
                            appointments.push(book(&mut rng, cid, patient, p.id(), ty, t, now));
                            booked += len;
                            t += occupied;
                        } else {
                            t += 5 * rng.random_range(1..=6i64);
                        }
                    }
                }
            }
        }

        let ids: Vec<PractitionerId> = practitioners.iter().map(Practitioner::id).collect();
        let mut types = vec![checkup.clone()];
        types.extend(existing);
        let calendar =
            Calendar::from_parts(clinic, practitioners, vec![], types, schedules, appointments.iter().cloned())
                .expect("calendar");
        let query = SlotQuery {
            appointment_type_id: checkup.id(),
            practitioner_ids: ids.clone(),
            from: local(params.first_day, hm(0, 0)),
            to: local(last_day + Duration::days(1), hm(0, 0)),
            patient_id: None,
            room_id: None,
            exclude: None,
            limit: None,
        };
        W2 {
            params: params.clone(),
            calendar,
            query,
            now,
            practitioners: ids,
            appointments,
            occupancy: booked as f64 / working.max(1) as f64,
        }
    }
}
