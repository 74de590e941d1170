//! Store throughput (issue 10): bookings per second through `Scheduler::create_appointment` with N concurrent
//! tasks, next to the same store's raw insert rate of an appointment-sized record at the same concurrency.
//!
//! The clinic ([`ThroughputClinic::seed`]) is seeded through the use cases: [`PRACTITIONERS`] practitioners in
//! America/New_York, each with a weekly schedule Mon–Fri 08:00–12:00 and 13:00–17:00 (5-minute granularity)
//! over [`WEEKS`] weeks, one 25-minute type with a 5-minute buffer after (so a practitioner-day holds 16
//! bookings on the half-hour grid), and one patient per booked practitioner-day.
//!
//! [`ThroughputClinic::plan`] splits the work so that no two tasks ever share a guard key: the bookable
//! units are (practitioner, weekday) pairs, dealt round-robin to the tasks, and task `t` books every slot of its
//! units in order, each unit for a patient of its own. Each booking therefore succeeds on its first commit, and the rate
//! measures the store path (reads, guarded commit, durability), not retries. [`ThroughputClinic::contended_plan`]
//! is the opposite: every task books into the same few practitioner-days, so commits collide and retry.
//!
//! Everything here is generic over the store; the bench target (`benches/store_throughput.rs`) opens the real
//! stores (an SQLite file in a temporary directory, a FerretDB started by `clinic_mongo::test_support`).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use clinic_core::ports::{FixedClock, Store};
use clinic_core::rbac::Actor;
use clinic_core::zone::parse_tz;
use clinic_core::{
    Appointment, AppointmentId, AppointmentStatus, AppointmentType, AppointmentTypeId, AppointmentTypeInput,
    BookingRequest, Clinic, ClinicError, ClinicInput, ContactInfo, CreateAppointment, NewAppointment, Patient,
    PatientInput, Practitioner, PractitionerId, ResourceRef, Schedule, ScheduleId, ScheduleInput, Scheduler, TimeSlot,
};

use crate::{w2_hours, TIME_ZONE};

/// Practitioners of the throughput clinic.
pub const PRACTITIONERS: usize = 32;
/// Weeks of schedule the bookings are spread over (Mon–Fri).
pub const WEEKS: usize = 4;
/// Bookings one practitioner-day holds (two 4-hour windows on a 30-minute grid).
pub const SLOTS_PER_DAY: usize = 16;
/// Minutes of the booked type (plus a 5-minute buffer after: one half-hour grid place).
pub const TYPE_MINUTES: u32 = 25;

/// The Monday the bookable weeks start on (Eastern Standard Time throughout, no DST switch).
pub fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 2, 1).expect("valid date")
}

/// The benchmark's "now": a week before [`first_day`].
pub fn bench_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 25, 12, 0, 0).single().expect("valid instant")
}

/// The seeded clinic and what the plans need.
#[derive(Debug, Clone)]
pub struct ThroughputClinic {
    pub clinic: Clinic,
    pub practitioners: Vec<Practitioner>,
    pub appointment_type: AppointmentType,
    /// See [`patients_needed`].
    pub patients: Vec<Patient>,
}

/// The scheduler the benchmark books through: the store, a fixed clock at [`bench_now`].
pub fn bench_scheduler<S: Store + ?Sized>(store: Arc<S>) -> Scheduler<S> {
    Scheduler::new(store).with_clock(Arc::new(FixedClock::new(bench_now())))
}

fn weekdays() -> Vec<NaiveDate> {
    first_day().iter_days().take(WEEKS * 7).filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)).collect()
}

fn slot_start(day: NaiveDate, i: usize) -> DateTime<Utc> {
    let tz = parse_tz(TIME_ZONE).expect("valid zone");
    // 08:00–11:30 and 13:00–16:30, every 30 minutes.
    let (h, m) = if i < 8 { (8 + i / 2, (i % 2) * 30) } else { (13 + (i - 8) / 2, (i % 2) * 30) };
    let local = day.and_time(NaiveTime::from_hms_opt(h as u32, m as u32, 0).expect("valid time"));
    tz.from_local_datetime(&local).single().expect("no DST switch in February").with_timezone(&Utc)
}

impl ThroughputClinic {
    /// Seeds the clinic through the use cases with `patients` patients (at least the largest task count).
    pub async fn seed<S: Store + ?Sized>(store: Arc<S>, patients: usize) -> Result<Self, ClinicError> {
        let sch = bench_scheduler(store);
        let admin = Actor::system();
        let clinic = sch
            .create_clinic(
                &admin,
                ClinicInput { name: "Throughput clinic".into(), time_zone: TIME_ZONE.into(), ..Default::default() },
            )
            .await?;
        let weekly: Vec<clinic_core::WeeklyHours> =
            [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
                .into_iter()
                .flat_map(|weekday| {
                    w2_hours().into_iter().map(move |(start, end)| clinic_core::WeeklyHours { weekday, start, end })
                })
                .collect();
        let mut practitioners = Vec::with_capacity(PRACTITIONERS);
        for i in 0..PRACTITIONERS {
            let p = Practitioner::new(PractitionerId::new(), clinic.id(), &format!("Dr {i}"), ContactInfo::default())?;
            let p = sch.save_practitioner(&admin, p).await?;
            let input = ScheduleInput {
                resource: ResourceRef::Practitioner(p.id()),
                weekly_hours: weekly.clone(),
                recurrences: vec![],
                breaks: vec![],
                exceptions: vec![],
                valid_from: first_day(),
                valid_until: Some(first_day() + chrono::Duration::weeks(WEEKS as i64) - chrono::Duration::days(1)),
                granularity_minutes: 5,
            };
            sch.save_schedule(&admin, Schedule::new(ScheduleId::new(), clinic.id(), input)?).await?;
            practitioners.push(p);
        }
        let input = AppointmentTypeInput {
            name: "Consultation".into(),
            duration_minutes: TYPE_MINUTES,
            buffer_after_minutes: 30 - TYPE_MINUTES,
            max_horizon_days: 400,
            ..Default::default()
        };
        let ty = sch
            .save_appointment_type(&admin, AppointmentType::new(AppointmentTypeId::new(), clinic.id(), input)?)
            .await?;
        let mut ps = Vec::with_capacity(patients);
        for i in 0..patients {
            let input = PatientInput {
                mrn: Some(format!("TP-{i:05}")),
                given_name: format!("Given{i}"),
                family_name: format!("Family{i}"),
                contact: ContactInfo::new(
                    Some(&format!("+1212555{:04}", i % 10_000)),
                    Some(&format!("p{i}@example.org")),
                    None,
                )?,
                ..Default::default()
            };
            ps.push(sch.register_patient(&admin, clinic.id(), input).await?);
        }
        Ok(ThroughputClinic { clinic, practitioners, appointment_type: ty, patients: ps })
    }

    fn request(&self, patient: usize, practitioner: usize, start: DateTime<Utc>) -> CreateAppointment {
        CreateAppointment {
            clinic_id: self.clinic.id(),
            request: BookingRequest {
                patient_id: self.patients[patient].id(),
                practitioner_id: self.practitioners[practitioner].id(),
                room_id: None,
                appointment_type_id: self.appointment_type.id(),
                start,
                overbook: false,
                reschedule_of: None,
            },
            proposed: false,
            reason: Some("Follow-up consultation".into()),
            notes: None,
        }
    }

    /// `bookings` non-conflicting requests split over `tasks` tasks (see the module doc): task `t` books the
    /// units `t`, `t + tasks`, … in turn; unit `u` is (weekday `u / PRACTITIONERS`, practitioner
    /// `u % PRACTITIONERS`) and is booked for patient `u`. Panics if the clinic has too few slots or patients
    /// for it (see [`patients_needed`]).
    pub fn plan(&self, tasks: usize, bookings: usize) -> Vec<Vec<CreateAppointment>> {
        assert!(tasks >= 1, "at least one task");
        assert!(
            self.patients.len() >= patients_needed(tasks, bookings),
            "seed at least {} patients",
            patients_needed(tasks, bookings)
        );
        let days = weekdays();
        let units = days.len() * PRACTITIONERS;
        (0..tasks)
            .map(|t| {
                let n = bookings / tasks + usize::from(t < bookings % tasks);
                (0..n)
                    .map(|k| {
                        let unit = t + tasks * (k / SLOTS_PER_DAY);
                        assert!(
                            unit < units,
                            "{bookings} bookings over {tasks} tasks need more than {units} practitioner-days"
                        );
                        let (day, practitioner) = (days[unit / PRACTITIONERS], unit % PRACTITIONERS);
                        self.request(unit, practitioner, slot_start(day, k % SLOTS_PER_DAY))
                    })
                    .collect()
            })
            .collect()
    }

    /// `tasks` × `bookings_per_task` requests that all compete: request `k` of every task asks for place `k`
    /// (practitioner `k % 4`, the `k`-th half hour of the first weekday), so each place is wanted by every task
    /// and exactly one booking may win it. Task `t` books for patient `t`.
    pub fn contended_plan(&self, tasks: usize, bookings_per_task: usize) -> Vec<Vec<CreateAppointment>> {
        assert!(tasks >= 1 && tasks <= self.patients.len(), "one patient per task: seed at least {tasks}");
        let days = weekdays();
        (0..tasks)
            .map(|t| {
                (0..bookings_per_task)
                    .map(|k| self.request(t, k % 4, slot_start(days[k / SLOTS_PER_DAY], k % SLOTS_PER_DAY)))
                    .collect()
            })
            .collect()
    }

    /// `n` booked appointments of the same shape (and reason) as the plans' bookings, for the raw insert rate:
    /// a year later than the bookable weeks, so they never meet a booking's reads.
    pub fn raw_appointments(&self, n: usize) -> Result<Vec<Appointment>, ClinicError> {
        let days = weekdays();
        (0..n)
            .map(|k| {
                let unit = k / SLOTS_PER_DAY;
                let day = days[unit % days.len()] + chrono::Duration::weeks(52);
                let start = slot_start(day, k % SLOTS_PER_DAY);
                let spec = NewAppointment {
                    clinic_id: self.clinic.id(),
                    patient_id: self.patients[k % self.patients.len()].id(),
                    practitioner_id: self.practitioners[unit % PRACTITIONERS].id(),
                    room_id: None,
                    appointment_type_id: self.appointment_type.id(),
                    slot: TimeSlot::starting_at(start, i64::from(TYPE_MINUTES))?,
                    reason: Some("Follow-up consultation".into()),
                    notes: None,
                };
                Appointment::new(
                    AppointmentId::new(),
                    spec,
                    &self.appointment_type,
                    AppointmentStatus::Booked,
                    false,
                    bench_now(),
                )
            })
            .collect()
    }
}

/// Patients [`ThroughputClinic::plan`] needs: one per (practitioner, weekday) unit it books.
pub fn patients_needed(tasks: usize, bookings: usize) -> usize {
    (0..tasks.min(bookings))
        .map(|t| {
            let n = bookings / tasks + usize::from(t < bookings % tasks);
            t + tasks * (n.div_ceil(SLOTS_PER_DAY) - 1) + 1
        })
        .max()
        .unwrap_or(0)
}

/// Deals `items` round-robin to `tasks` lists.
pub fn deal<T>(items: Vec<T>, tasks: usize) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = (0..tasks).map(|_| Vec::new()).collect();
    for (i, x) in items.into_iter().enumerate() {
        out[i % tasks].push(x);
    }
    out
}

/// What one concurrent run did.
#[derive(Debug, Clone)]
pub struct Run {
    pub tasks: usize,
    pub attempted: usize,
    pub succeeded: usize,
    /// The first few errors (code and message).
    pub errors: Vec<String>,
    pub elapsed: Duration,
}

impl Run {
    /// Successes per second.
    pub fn rate(&self) -> f64 {
        self.succeeded as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Runs `work[t]` on task `t` (one tokio task each, all released together), each item through `op`, one after
/// another within a task; times from the release to the last task's end.
pub async fn run_concurrent<T, F, Fut>(work: Vec<Vec<T>>, op: F) -> Run
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), ClinicError>> + Send + 'static,
{
    let tasks = work.len();
    let attempted = work.iter().map(Vec::len).sum();
    let barrier = Arc::new(tokio::sync::Barrier::new(tasks + 1));
    let mut handles = Vec::with_capacity(tasks);
    for items in work {
        let (op, barrier) = (op.clone(), barrier.clone());
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            let (mut ok, mut errors) = (0usize, Vec::new());
            for x in items {
                match op(x).await {
                    Ok(()) => ok += 1,
                    Err(e) if errors.len() < 3 => errors.push(format!("{}: {e}", e.code())),
                    Err(_) => {}
                }
            }
            (ok, errors)
        }));
    }
    barrier.wait().await;
    let started = Instant::now();
    let (mut succeeded, mut errors) = (0, Vec::new());
    for h in handles {
        match h.await {
            Ok((ok, errs)) => {
                succeeded += ok;
                errors.extend(errs);
            }
            Err(e) => errors.push(format!("task failed: {e}")),
        }
    }
    Run { tasks, attempted, succeeded, errors, elapsed: started.elapsed() }
}

/// Books every request of `plan` through `Scheduler::create_appointment`, one tokio task per plan entry.
pub async fn run_bookings<S: Store + ?Sized + 'static>(
    scheduler: Scheduler<S>,
    plan: Vec<Vec<CreateAppointment>>,
) -> Run {
    let sch = Arc::new(scheduler);
    let actor = Arc::new(Actor::system());
    run_concurrent(plan, move |cmd| {
        let (sch, actor) = (sch.clone(), actor.clone());
        async move { sch.create_appointment(&actor, cmd).await.map(|_| ()) }
    })
    .await
}

/// Median of `xs` (the mean of the middle two for an even count); 0 when empty.
pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clinic_core::usecases::guard_keys;
    use clinic_core::InMemoryStore;
    use std::collections::HashMap;

    #[tokio::test]
    async fn plan_never_shares_a_guard_key_between_tasks() {
        let store = Arc::new(InMemoryStore::new());
        let c =
            ThroughputClinic::seed(store, patients_needed(64, 2000).max(patients_needed(1, 300))).await.expect("seed");
        for (tasks, bookings) in [(1, 300), (8, 1000), (64, 2000)] {
            let plan = c.plan(tasks, bookings);
            assert_eq!(plan.iter().map(Vec::len).sum::<usize>(), bookings);
            let mut owner = HashMap::new();
            for (t, reqs) in plan.iter().enumerate() {
                for r in reqs {
                    for k in guard_keys(&r.request, &c.appointment_type) {
                        assert_eq!(*owner.entry(k).or_insert(t), t, "{k:?} shared by two tasks");
                    }
                }
            }
        }
    }
}
