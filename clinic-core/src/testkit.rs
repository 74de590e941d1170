//! The store conformance kit (feature `testkit`): one suite, written once, that every store runs against
//! itself — catalog and patient round trips, MRN uniqueness, booking lifecycle, optimistic-concurrency
//! guards, atomic reschedule, and concurrent races where exactly the allowed number of bookings may win.
//!
//! A store crate calls [`run_all`] with a factory of fresh stores and a [`Spawner`] for its runtime
//! (the core has no runtime of its own). Each check panics with a message naming the store rule it broke.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use futures::future::BoxFuture;
use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::engine::BookingRequest;
use crate::error::{ClinicError, ErrorCode};
use crate::ids::*;
use crate::model::*;
use crate::ports::*;
use crate::rbac::Actor;
use crate::usecases::{CreateAppointment, RescheduleAppointment, Scheduler};
use crate::{ContactInfo, TimeSlot};

/// Runs a future on the store's runtime and resolves when it has finished (e.g. `tokio::spawn` + join).
pub type Spawner = Arc<dyn Fn(BoxFuture<'static, ()>) -> BoxFuture<'static, ()> + Send + Sync>;

/// How many concurrent bookers each race uses.
pub const RACE_TASKS: usize = 16;

/// A seeded clinic: Europe/London, three practitioners working Mon–Fri 08:00–18:00 (5-minute granularity),
/// one room, a 30-minute individual type with a 5-minute buffer after, a 60-minute group type of capacity 3,
/// and patients. `day` is a Monday a week after `now`.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub clinic: Clinic,
    pub practitioners: Vec<Practitioner>,
    pub room: Room,
    pub individual: AppointmentType,
    pub group: AppointmentType,
    pub patients: Vec<Patient>,
    pub day: NaiveDate,
    pub now: DateTime<Utc>,
}

impl Fixture {
    /// `HH:MM` local on the fixture day (London is UTC+0 in January).
    pub fn at(&self, h: u32, m: u32) -> DateTime<Utc> {
        Utc.from_utc_datetime(&self.day.and_hms_opt(h, m, 0).unwrap())
    }

    pub fn request(
        &self,
        patient: usize,
        practitioner: usize,
        ty: &AppointmentType,
        start: DateTime<Utc>,
    ) -> CreateAppointment {
        CreateAppointment {
            clinic_id: self.clinic.id(),
            request: BookingRequest {
                patient_id: self.patients[patient].id(),
                practitioner_id: self.practitioners[practitioner].id(),
                room_id: None,
                appointment_type_id: ty.id(),
                start,
                overbook: false,
                reschedule_of: None,
            },
            proposed: false,
            reason: Some("check-up".into()),
            notes: None,
        }
    }
}

fn scheduler<S: Store + ?Sized>(store: Arc<S>, now: DateTime<Utc>) -> Scheduler<S> {
    Scheduler::new(store).with_clock(Arc::new(FixedClock::new(now)))
}

/// Seeds the fixture through the use cases.
pub async fn seed<S: Store + ?Sized>(store: Arc<S>, patients: usize) -> Fixture {
    let now = Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap();
    let day = NaiveDate::from_ymd_opt(2027, 1, 11).unwrap();
    let sch = scheduler(store.clone(), now);
    let admin = Actor::system();
    let clinic = sch
        .create_clinic(
            &admin,
            ClinicInput { name: "Kit Clinic".into(), time_zone: "Europe/London".into(), ..Default::default() },
        )
        .await
        .expect("create clinic");
    let mut practitioners = Vec::new();
    for i in 0..3 {
        let p =
            Practitioner::new(PractitionerId::new(), clinic.id(), &format!("Dr {i}"), ContactInfo::default()).unwrap();
        let p = sch.save_practitioner(&admin, p).await.expect("save practitioner");
        let input = ScheduleInput {
            resource: ResourceRef::Practitioner(p.id()),
            weekly_hours: [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
                .into_iter()
                .map(|weekday| WeeklyHours {
                    weekday,
                    start: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
                    end: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
                })
                .collect(),
            recurrences: vec![],
            breaks: vec![],
            exceptions: vec![],
            valid_from: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            valid_until: None,
            granularity_minutes: 5,
        };
        sch.save_schedule(&admin, Schedule::new(ScheduleId::new(), clinic.id(), input).unwrap())
            .await
            .expect("save schedule");
        practitioners.push(p);
    }
    let room =
        sch.save_room(&admin, Room::new(RoomId::new(), clinic.id(), "Room 1").unwrap()).await.expect("save room");
    let individual = AppointmentType::new(
        AppointmentTypeId::new(),
        clinic.id(),
        AppointmentTypeInput {
            name: "Consultation".into(),
            duration_minutes: 30,
            buffer_after_minutes: 5,
            ..Default::default()
        },
    )
    .unwrap();
    let group = AppointmentType::new(
        AppointmentTypeId::new(),
        clinic.id(),
        AppointmentTypeInput { name: "Group therapy".into(), duration_minutes: 60, capacity: 3, ..Default::default() },
    )
    .unwrap();
    let individual = sch.save_appointment_type(&admin, individual).await.expect("save type");
    let group = sch.save_appointment_type(&admin, group).await.expect("save type");
    let mut ps = Vec::new();
    for i in 0..patients {
        let input = PatientInput {
            mrn: Some(format!("MRN-{i:04}")),
            given_name: format!("Given{i}"),
            family_name: format!("Family{i}"),
            contact: ContactInfo::new(
                Some(&format!("+4420794609{:02}", i % 100)),
                Some(&format!("p{i}@example.org")),
                None,
            )
            .unwrap(),
            ..Default::default()
        };
        ps.push(sch.register_patient(&admin, clinic.id(), input).await.expect("register patient"));
    }
    Fixture { clinic, practitioners, room, individual, group, patients: ps, day, now }
}

fn code_of<T: std::fmt::Debug>(r: &Result<T, ClinicError>) -> Option<ErrorCode> {
    r.as_ref().err().map(|e| e.code())
}

async fn active_of<S: Store + ?Sized>(store: &S, f: AppointmentFilter) -> Vec<Appointment> {
    let f = AppointmentFilter {
        statuses: vec![AppointmentStatus::Proposed, AppointmentStatus::Booked, AppointmentStatus::Arrived],
        ..f
    };
    store.list_appointments(&f).await.expect("list appointments")
}

/// Catalog entities round-trip; lists are per clinic; schedules can be deleted.
pub async fn catalog_round_trip<S: Store + ?Sized + 'static>(store: Arc<S>) {
    let fx = seed(store.clone(), 0).await;
    assert_eq!(store.get_clinic(fx.clinic.id()).await.unwrap().as_ref(), Some(&fx.clinic), "clinic round trip");
    assert_eq!(store.list_practitioners(fx.clinic.id()).await.unwrap().len(), 3);
    assert_eq!(store.get_practitioner(fx.practitioners[1].id()).await.unwrap().as_ref(), Some(&fx.practitioners[1]));
    assert_eq!(store.get_room(fx.room.id()).await.unwrap().as_ref(), Some(&fx.room));
    assert_eq!(store.get_appointment_type(fx.group.id()).await.unwrap().as_ref(), Some(&fx.group));
    let mut types = store.list_appointment_types(fx.clinic.id()).await.unwrap();
    types.sort_by_key(|t| t.id());
    assert_eq!(types.len(), 2);
    let schedules = store.list_schedules(fx.clinic.id()).await.unwrap();
    assert_eq!(schedules.len(), 3);
    assert_eq!(store.get_schedule(schedules[0].id()).await.unwrap().as_ref(), Some(&schedules[0]));
    assert!(store.delete_schedule(schedules[0].id()).await.unwrap());
    assert!(!store.delete_schedule(schedules[0].id()).await.unwrap(), "second delete finds nothing");
    assert_eq!(store.list_schedules(fx.clinic.id()).await.unwrap().len(), 2);
    let other = ClinicId::new();
    assert!(store.list_practitioners(other).await.unwrap().is_empty(), "lists are per clinic");
    assert!(store.get_clinic(other).await.unwrap().is_none());
    assert!(store.list_clinics().await.unwrap().iter().any(|c| c.id() == fx.clinic.id()));
}

/// MRN unique per clinic on insert, bulk insert (all or nothing) and update; search by every key.
pub async fn patients_unique_and_searchable<S: Store + ?Sized + 'static>(store: Arc<S>) {
    let fx = seed(store.clone(), 5).await;
    let p0 = &fx.patients[0];
    assert_eq!(store.get_patient(p0.id()).await.unwrap().as_ref(), Some(p0), "patient round trip");
    let dup = Patient::new(
        PatientId::new(),
        fx.clinic.id(),
        PatientInput {
            mrn: Some("MRN-0000".into()),
            given_name: "X".into(),
            family_name: "Y".into(),
            ..Default::default()
        },
        None,
    )
    .unwrap();
    assert_eq!(code_of(&store.insert_patient(&dup).await), Some(ErrorCode::DuplicateMrn), "duplicate MRN insert");
    let fresh = Patient::new(
        PatientId::new(),
        fx.clinic.id(),
        PatientInput {
            mrn: Some("MRN-9999".into()),
            given_name: "New".into(),
            family_name: "Person".into(),
            ..Default::default()
        },
        None,
    )
    .unwrap();
    assert_eq!(
        code_of(&store.insert_patients(&[fresh.clone(), dup.clone()]).await),
        Some(ErrorCode::DuplicateMrn),
        "bulk insert with a duplicate"
    );
    assert!(store.get_patient(fresh.id()).await.unwrap().is_none(), "bulk insert is all or nothing");
    // The same MRN in another clinic is fine.
    let elsewhere = Patient::new(
        PatientId::new(),
        ClinicId::new(),
        PatientInput {
            mrn: Some("MRN-0000".into()),
            given_name: "A".into(),
            family_name: "B".into(),
            ..Default::default()
        },
        None,
    )
    .unwrap();
    store.insert_patient(&elsewhere).await.expect("MRN is unique per clinic only");
    let mut taken = fx.patients[1].data().clone();
    taken.mrn = Some("MRN-0002".into());
    let changed = fx.patients[1].updated(taken, None).unwrap();
    assert_eq!(code_of(&store.update_patient(&changed).await), Some(ErrorCode::DuplicateMrn), "update to a taken MRN");
    let mut renamed = fx.patients[1].data().clone();
    renamed.family_name = "Zeta".into();
    store.update_patient(&fx.patients[1].updated(renamed, None).unwrap()).await.expect("update");
    assert_eq!(store.get_patient(fx.patients[1].id()).await.unwrap().unwrap().family_name(), "Zeta");

    let q = |f: fn(&mut PatientQuery)| {
        let mut q = PatientQuery { clinic_id: Some(fx.clinic.id()), ..Default::default() };
        f(&mut q);
        q
    };
    assert_eq!(
        store.find_patients(&q(|q| q.name_prefix = Some("zet".into()))).await.unwrap().len(),
        1,
        "name prefix, any case"
    );
    assert_eq!(store.find_patients(&q(|q| q.name_prefix = Some("given".into()))).await.unwrap().len(), 5);
    assert_eq!(
        store.find_patients(&q(|q| q.mrn = Some("MRN-0003".into()))).await.unwrap()[0].id(),
        fx.patients[3].id()
    );
    assert_eq!(
        store.find_patients(&q(|q| q.phone = Some("+442079460904".into()))).await.unwrap()[0].id(),
        fx.patients[4].id()
    );
    assert_eq!(
        store.find_patients(&q(|q| q.email = Some("p2@example.org".into()))).await.unwrap()[0].id(),
        fx.patients[2].id()
    );
    let page1 = store.find_patients(&q(|q| q.limit = Some(2))).await.unwrap();
    assert_eq!(page1.len(), 2);
    let mut q2 = q(|q| q.limit = Some(10));
    q2.after = Some(page1[1].id());
    let page2 = store.find_patients(&q2).await.unwrap();
    assert_eq!(page2.len(), 3, "cursor continues after the last id");
    assert!(page2.iter().all(|p| p.id() > page1[1].id()));
}

/// Create, list, conflict, reschedule, cancel, rebook — through the use cases.
pub async fn booking_lifecycle<S: Store + ?Sized + 'static>(store: Arc<S>) {
    let fx = seed(store.clone(), 3).await;
    let sch = scheduler(store.clone(), fx.now);
    let admin = Actor::system();
    let a = sch.create_appointment(&admin, fx.request(0, 0, &fx.individual, fx.at(9, 0))).await.expect("first booking");
    assert_eq!(store.get_appointment(a.id()).await.unwrap().as_ref(), Some(&a), "appointment round trip");
    // 09:30 collides with 09:00–09:30 + 5-minute buffer.
    let r = sch.create_appointment(&admin, fx.request(1, 0, &fx.individual, fx.at(9, 30))).await;
    assert_eq!(code_of(&r), Some(ErrorCode::SlotConflictPractitioner), "buffer conflict");
    let ok =
        sch.create_appointment(&admin, fx.request(1, 0, &fx.individual, fx.at(9, 35))).await.expect("after buffer");
    let by_prac =
        active_of(&*store, AppointmentFilter { practitioner_id: Some(fx.practitioners[0].id()), ..Default::default() })
            .await;
    assert_eq!(by_prac.iter().map(|x| x.id()).collect::<Vec<_>>(), vec![a.id(), ok.id()], "sorted by start");
    let by_pat =
        active_of(&*store, AppointmentFilter { patient_id: Some(fx.patients[0].id()), ..Default::default() }).await;
    assert_eq!(by_pat.len(), 1);
    let in_range = active_of(
        &*store,
        AppointmentFilter {
            clinic_id: Some(fx.clinic.id()),
            from: Some(fx.at(9, 29)),
            to: Some(fx.at(9, 36)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(in_range.len(), 2, "range selects overlapping slots");
    let moved = sch
        .reschedule_appointment(
            &admin,
            RescheduleAppointment {
                appointment_id: a.id(),
                start: fx.at(11, 0),
                practitioner_id: None,
                room_id: None,
                overbook: false,
                expected_version: Some(a.version()),
            },
        )
        .await
        .expect("reschedule");
    assert_eq!(moved.slot().start(), fx.at(11, 0));
    assert_eq!(store.get_appointment(a.id()).await.unwrap().unwrap().slot().start(), fx.at(11, 0));
    let stale = sch
        .reschedule_appointment(
            &admin,
            RescheduleAppointment {
                appointment_id: a.id(),
                start: fx.at(12, 0),
                practitioner_id: None,
                room_id: None,
                overbook: false,
                expected_version: Some(a.version()),
            },
        )
        .await;
    assert_eq!(code_of(&stale), Some(ErrorCode::VersionConflict), "If-Match with an old version");
    // The old 09:00 slot is free again.
    sch.create_appointment(&admin, fx.request(2, 0, &fx.individual, fx.at(9, 0))).await.expect("old slot released");
    let cancelled = sch.cancel_appointment(&admin, moved.id(), Some("ill".into()), None).await.expect("cancel");
    assert_eq!(cancelled.status(), AppointmentStatus::Cancelled);
    assert_eq!(store.get_appointment(moved.id()).await.unwrap().unwrap().status(), AppointmentStatus::Cancelled);
    sch.create_appointment(&admin, fx.request(1, 0, &fx.individual, fx.at(11, 0)))
        .await
        .expect("cancelled slot is free");
}

/// A commit whose guard moved is refused and writes nothing; replacing needs the stored version.
pub async fn guards_and_versions<S: Store + ?Sized + 'static>(store: Arc<S>) {
    let fx = seed(store.clone(), 2).await;
    let key = GuardKey { scope: GuardScope::Practitioner(fx.practitioners[0].id()), day: 20_000 };
    let other = GuardKey { scope: GuardScope::Patient(fx.patients[0].id()), day: 20_000 };
    assert_eq!(store.guard_versions(&[key, other]).await.unwrap(), vec![0, 0], "unwritten guards are 0");
    let mk = |patient: usize, h: u32| {
        let slot = TimeSlot::starting_at(fx.at(h, 0), 30).unwrap();
        let spec = NewAppointment {
            clinic_id: fx.clinic.id(),
            patient_id: fx.patients[patient].id(),
            practitioner_id: fx.practitioners[0].id(),
            room_id: None,
            appointment_type_id: fx.individual.id(),
            slot,
            reason: None,
            notes: None,
        };
        Appointment::new(AppointmentId::new(), spec, &fx.individual, AppointmentStatus::Booked, false, fx.now).unwrap()
    };
    let a = mk(0, 9);
    let c1 = BookingCommit { guards: vec![Guard { key, version: 0 }], appointment: a.clone(), expected_version: None };
    assert_eq!(store.commit_booking(&c1).await.unwrap(), CommitOutcome::Committed);
    assert_eq!(store.guard_versions(&[key, other]).await.unwrap(), vec![1, 0], "commit bumps its guards only");
    let b = mk(1, 10);
    let c2 = BookingCommit {
        guards: vec![Guard { key: other, version: 0 }, Guard { key, version: 0 }],
        appointment: b.clone(),
        expected_version: None,
    };
    assert_eq!(store.commit_booking(&c2).await.unwrap(), CommitOutcome::Stale, "stale guard");
    assert!(store.get_appointment(b.id()).await.unwrap().is_none(), "stale commit writes nothing");
    assert_eq!(store.guard_versions(&[key, other]).await.unwrap(), vec![1, 0], "stale commit bumps nothing");
    // Replace with the right and the wrong expected version.
    let mut moved = a.clone();
    moved.reschedule(TimeSlot::starting_at(fx.at(13, 0), 30).unwrap(), None, None, fx.now, None).unwrap();
    let wrong = BookingCommit { guards: vec![], appointment: moved.clone(), expected_version: Some(a.version() + 7) };
    assert_eq!(store.commit_booking(&wrong).await.unwrap(), CommitOutcome::Stale, "replace needs the stored version");
    let right = BookingCommit {
        guards: vec![Guard { key, version: 1 }],
        appointment: moved.clone(),
        expected_version: Some(a.version()),
    };
    assert_eq!(store.commit_booking(&right).await.unwrap(), CommitOutcome::Committed);
    assert_eq!(store.get_appointment(a.id()).await.unwrap().unwrap().slot().start(), fx.at(13, 0));
    // update_appointment: version compare-and-set.
    let mut cancelled = moved.clone();
    cancelled.transition(AppointmentStatus::Cancelled, fx.now, fx.clinic.time_zone(), None, None).unwrap();
    assert_eq!(
        code_of(&store.update_appointment(&cancelled, moved.version() + 1).await),
        Some(ErrorCode::VersionConflict),
        "update with a wrong version"
    );
    store.update_appointment(&cancelled, moved.version()).await.expect("update with the stored version");
    assert_eq!(store.get_appointment(a.id()).await.unwrap().unwrap().status(), AppointmentStatus::Cancelled);
}

/// Several bookings commit as one: all land, or — one guard stale, one id taken — none does.
pub async fn commit_bookings_all_or_nothing<S: Store + ?Sized + 'static>(store: Arc<S>) {
    let fx = seed(store.clone(), 4).await;
    let mk = |patient: usize, h: u32| {
        let slot = TimeSlot::starting_at(fx.at(h, 0), 30).unwrap();
        let spec = NewAppointment {
            clinic_id: fx.clinic.id(),
            patient_id: fx.patients[patient].id(),
            practitioner_id: fx.practitioners[0].id(),
            room_id: None,
            appointment_type_id: fx.individual.id(),
            slot,
            reason: None,
            notes: None,
        };
        Appointment::new(AppointmentId::new(), spec, &fx.individual, AppointmentStatus::Booked, false, fx.now).unwrap()
    };
    let day = fx.day.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days();
    let shared = GuardKey { scope: GuardScope::Practitioner(fx.practitioners[0].id()), day };
    let own = |p: usize| GuardKey { scope: GuardScope::Patient(fx.patients[p].id()), day };
    let batch = |appts: &[(Appointment, usize)], shared_v: u64| -> Vec<BookingCommit> {
        appts
            .iter()
            .map(|(a, p)| BookingCommit {
                guards: vec![Guard { key: shared, version: shared_v }, Guard { key: own(*p), version: 0 }],
                appointment: a.clone(),
                expected_version: None,
            })
            .collect()
    };
    let ids_stored = |ids: Vec<AppointmentId>| {
        let store = store.clone();
        async move {
            let mut n = 0;
            for id in ids {
                n += usize::from(store.get_appointment(id).await.unwrap().is_some());
            }
            n
        }
    };
    assert_eq!(store.commit_bookings(&[]).await.unwrap(), CommitOutcome::Committed, "an empty batch");

    // One stale guard in the last commit: nothing of the batch is written, no guard moves.
    let first = [(mk(0, 9), 0), (mk(1, 10), 1)];
    let mut stale = batch(&first, 0);
    stale.push(BookingCommit {
        guards: vec![Guard { key: shared, version: 0 }, Guard { key: own(2), version: 5 }],
        appointment: mk(2, 11),
        expected_version: None,
    });
    assert_eq!(store.commit_bookings(&stale).await.unwrap(), CommitOutcome::Stale, "a stale guard");
    let all_ids: Vec<AppointmentId> = stale.iter().map(|c| c.appointment.id()).collect();
    assert_eq!(ids_stored(all_ids).await, 0, "a stale batch writes nothing");
    assert_eq!(store.guard_versions(&[shared, own(0)]).await.unwrap(), vec![0, 0], "a stale batch bumps nothing");

    // Two commits naming one key with different versions cannot both be right.
    let mut split = batch(&first, 0);
    split[1].guards[0].version = 1;
    assert_eq!(store.commit_bookings(&split).await.unwrap(), CommitOutcome::Stale, "inconsistent versions");
    assert_eq!(ids_stored(first.iter().map(|(a, _)| a.id()).collect()).await, 0);

    // The whole batch commits; its guards move.
    let ok = batch(&first, 0);
    assert_eq!(store.commit_bookings(&ok).await.unwrap(), CommitOutcome::Committed);
    assert_eq!(ids_stored(first.iter().map(|(a, _)| a.id()).collect()).await, 2, "every booking of the batch");
    let after = store.guard_versions(&[shared, own(0), own(1)]).await.unwrap();
    assert!(after.iter().all(|v| *v > 0), "every guard of the batch moved: {after:?}");

    // A batch whose second insert names an appointment that exists: refused whole.
    let fresh = mk(3, 14);
    let clash = vec![
        BookingCommit {
            guards: vec![Guard { key: shared, version: after[0] }],
            appointment: fresh.clone(),
            expected_version: None,
        },
        BookingCommit {
            guards: vec![Guard { key: shared, version: after[0] }],
            appointment: first[0].0.clone(),
            expected_version: None,
        },
    ];
    let r = store.commit_bookings(&clash).await;
    assert!(!matches!(r, Ok(CommitOutcome::Committed)), "a batch inserting an existing id cannot commit: {r:?}");
    assert!(store.get_appointment(fresh.id()).await.unwrap().is_none(), "nothing of a refused batch is written");
    let active = active_of(&*store, AppointmentFilter { clinic_id: Some(fx.clinic.id()), ..Default::default() }).await;
    assert_eq!(active.len(), 2, "listings show the committed batch only");
}

/// A reschedule into a taken slot changes nothing: the old slot stays held.
pub async fn reschedule_is_atomic<S: Store + ?Sized + 'static>(store: Arc<S>) {
    let fx = seed(store.clone(), 2).await;
    let sch = scheduler(store.clone(), fx.now);
    let admin = Actor::system();
    let a = sch.create_appointment(&admin, fx.request(0, 0, &fx.individual, fx.at(9, 0))).await.unwrap();
    let b = sch.create_appointment(&admin, fx.request(1, 0, &fx.individual, fx.at(10, 0))).await.unwrap();
    let r = sch
        .reschedule_appointment(
            &admin,
            RescheduleAppointment {
                appointment_id: a.id(),
                start: fx.at(10, 15),
                practitioner_id: None,
                room_id: None,
                overbook: false,
                expected_version: None,
            },
        )
        .await;
    assert_eq!(code_of(&r), Some(ErrorCode::SlotConflictPractitioner));
    assert_eq!(store.get_appointment(a.id()).await.unwrap().as_ref(), Some(&a), "rejected reschedule changes nothing");
    let other = sch.create_appointment(&admin, fx.request(1, 0, &fx.individual, fx.at(9, 0))).await;
    assert!(other.is_err(), "the old slot is still held");
    let _ = b;
}

async fn race<S, F>(store: Arc<S>, spawn: &Spawner, n: usize, make: F) -> Vec<Result<Appointment, ClinicError>>
where
    S: Store + ?Sized + 'static,
    F: Fn(usize) -> BoxFuture<'static, Result<Appointment, ClinicError>>,
{
    let _ = store;
    // Results are kept at their task's index: callers give tasks roles by index
    // (e.g. "the last task is the booker"), so completion order must not leak in.
    type Slots = Vec<Option<Result<Appointment, ClinicError>>>;
    let results: Arc<Mutex<Slots>> = Arc::new(Mutex::new((0..n).map(|_| None).collect()));
    let mut joins = Vec::new();
    for i in 0..n {
        let fut = make(i);
        let results = results.clone();
        joins.push(spawn(Box::pin(async move {
            let r = fut.await;
            results.lock().unwrap()[i] = Some(r);
        })));
    }
    futures::future::join_all(joins).await;
    let v = std::mem::take(&mut *results.lock().unwrap());
    v.into_iter().enumerate().map(|(i, r)| r.unwrap_or_else(|| panic!("racer {i} never finished"))).collect()
}

fn assert_losers(results: &[Result<Appointment, ClinicError>], allowed: &[ErrorCode]) -> usize {
    let mut wins = 0;
    for r in results {
        match r {
            Ok(_) => wins += 1,
            Err(e) => assert!(allowed.contains(&e.code()), "loser failed with {} ({e})", e.code()),
        }
    }
    wins
}

/// N bookers, one practitioner, pairwise-overlapping slots, different patients: exactly one wins.
pub async fn race_one_practitioner<S: Store + ?Sized + 'static>(store: Arc<S>, spawn: &Spawner) {
    let fx = seed(store.clone(), RACE_TASKS).await;
    let sch = scheduler(store.clone(), fx.now);
    let results = race(store.clone(), spawn, RACE_TASKS, |i| {
        let sch = sch.clone();
        let cmd = fx.request(i, 0, &fx.individual, fx.at(9, 0) + Duration::minutes(((i % 5) * 5) as i64));
        Box::pin(async move { sch.create_appointment(&Actor::system(), cmd).await })
    })
    .await;
    let wins = assert_losers(&results, &[ErrorCode::SlotConflictPractitioner, ErrorCode::ConcurrentModification]);
    assert_eq!(wins, 1, "exactly one booking of overlapping slots may succeed");
    let stored =
        active_of(&*store, AppointmentFilter { practitioner_id: Some(fx.practitioners[0].id()), ..Default::default() })
            .await;
    assert_eq!(stored.len(), 1, "exactly one stored");
}

/// N bookers, one patient, the same time with different practitioners: exactly one wins.
pub async fn race_one_patient<S: Store + ?Sized + 'static>(store: Arc<S>, spawn: &Spawner) {
    let fx = seed(store.clone(), 1).await;
    let sch = scheduler(store.clone(), fx.now);
    let results = race(store.clone(), spawn, RACE_TASKS, |i| {
        let sch = sch.clone();
        let cmd = fx.request(0, i % 3, &fx.individual, fx.at(14, 0) + Duration::minutes((i / 3 * 5) as i64));
        Box::pin(async move { sch.create_appointment(&Actor::system(), cmd).await })
    })
    .await;
    let wins = assert_losers(
        &results,
        &[ErrorCode::PatientDoubleBooked, ErrorCode::SlotConflictPractitioner, ErrorCode::ConcurrentModification],
    );
    assert_eq!(wins, 1, "a patient can hold one of overlapping slots");
    let stored =
        active_of(&*store, AppointmentFilter { patient_id: Some(fx.patients[0].id()), ..Default::default() }).await;
    assert_eq!(stored.len(), 1);
}

/// N bookers into one group session of capacity 3: exactly 3 win.
pub async fn race_group_capacity<S: Store + ?Sized + 'static>(store: Arc<S>, spawn: &Spawner) {
    let fx = seed(store.clone(), RACE_TASKS).await;
    let sch = scheduler(store.clone(), fx.now);
    let results = race(store.clone(), spawn, RACE_TASKS, |i| {
        let sch = sch.clone();
        let cmd = fx.request(i, 1, &fx.group, fx.at(15, 0));
        Box::pin(async move { sch.create_appointment(&Actor::system(), cmd).await })
    })
    .await;
    let wins = assert_losers(&results, &[ErrorCode::GroupSessionFull, ErrorCode::ConcurrentModification]);
    assert_eq!(wins, fx.group.capacity() as usize, "exactly `capacity` patients join a group session");
    let stored =
        active_of(&*store, AppointmentFilter { practitioner_id: Some(fx.practitioners[1].id()), ..Default::default() })
            .await;
    assert_eq!(stored.len(), 3);
}

/// Reschedulers and bookers racing for one slot: exactly one ends up holding it.
pub async fn race_reschedule_against_booking<S: Store + ?Sized + 'static>(store: Arc<S>, spawn: &Spawner) {
    let fx = seed(store.clone(), RACE_TASKS).await;
    let sch = scheduler(store.clone(), fx.now);
    let admin = Actor::system();
    // Half the racers own an appointment on practitioner 2 elsewhere that they try to move to 16:00.
    let mut own = Vec::new();
    for i in 0..RACE_TASKS / 2 {
        let a = sch
            .create_appointment(
                &admin,
                fx.request(i, 2, &fx.individual, fx.at(8, 0) + Duration::minutes((i * 35) as i64)),
            )
            .await
            .unwrap();
        own.push(a);
    }
    let target = fx.at(16, 0);
    let results = race(store.clone(), spawn, RACE_TASKS, |i| {
        let sch = sch.clone();
        if i < own.len() {
            let id = own[i].id();
            Box::pin(async move {
                let cmd = RescheduleAppointment {
                    appointment_id: id,
                    start: target,
                    practitioner_id: None,
                    room_id: None,
                    overbook: false,
                    expected_version: None,
                };
                sch.reschedule_appointment(&Actor::system(), cmd).await
            })
        } else {
            let cmd = fx.request(i, 2, &fx.individual, target);
            Box::pin(async move { sch.create_appointment(&Actor::system(), cmd).await })
        }
    })
    .await;
    let wins = assert_losers(&results, &[ErrorCode::SlotConflictPractitioner, ErrorCode::ConcurrentModification]);
    assert_eq!(wins, 1);
    let at_target = active_of(
        &*store,
        AppointmentFilter {
            practitioner_id: Some(fx.practitioners[2].id()),
            from: Some(target),
            to: Some(target + Duration::minutes(30)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(at_target.len(), 1, "one appointment holds the slot");
    let all =
        active_of(&*store, AppointmentFilter { practitioner_id: Some(fx.practitioners[2].id()), ..Default::default() })
            .await;
    let expected_total = own.len() + usize::from(results.iter().enumerate().any(|(i, r)| i >= own.len() && r.is_ok()));
    assert_eq!(all.len(), expected_total, "a failed reschedule keeps its old slot; a failed booking adds nothing");
}

/// Runs the whole kit, each check on a fresh store from `make`.
pub async fn run_all<S, F, Fut>(make: F, spawn: Spawner)
where
    S: Store + ?Sized + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<S>>,
{
    catalog_round_trip(make().await).await;
    patients_unique_and_searchable(make().await).await;
    booking_lifecycle(make().await).await;
    guards_and_versions(make().await).await;
    reschedule_is_atomic(make().await).await;
    commit_bookings_all_or_nothing(make().await).await;
    race_one_practitioner(make().await, &spawn).await;
    race_one_patient(make().await, &spawn).await;
    race_group_capacity(make().await, &spawn).await;
    race_reschedule_against_booking(make().await, &spawn).await;
}
