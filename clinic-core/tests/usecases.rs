//! Use cases end to end on the in-memory store: RBAC and ownership, overbooking, events, lifecycle errors.

use std::sync::Arc;

use chrono::Duration;
use clinic_core::error::ErrorCode;
use clinic_core::events::RecordedEvents;
use clinic_core::ports::{AppointmentFilter, FixedClock};
use clinic_core::rbac::{Actor, Role};
use clinic_core::testkit::{seed, Fixture};
use clinic_core::*;

struct World {
    fx: Fixture,
    sch: Scheduler<InMemoryStore>,
    events: Arc<RecordedEvents>,
    clock: Arc<FixedClock>,
}

async fn world() -> World {
    let store = Arc::new(InMemoryStore::new());
    let fx = seed(store.clone(), 4).await;
    let events = Arc::new(RecordedEvents::default());
    let clock = Arc::new(FixedClock::new(fx.now));
    let sch = Scheduler::new(store).with_clock(clock.clone()).with_events(events.clone());
    World { fx, sch, events, clock }
}

fn code<T: std::fmt::Debug>(r: Result<T, ClinicError>) -> ErrorCode {
    r.expect_err("expected an error").code()
}

#[tokio::test]
async fn patient_books_only_for_themselves() {
    let w = world().await;
    let me = Actor::new(Role::Patient).with_clinic(w.fx.clinic.id()).as_patient(w.fx.patients[0].id());
    w.sch.create_appointment(&me, w.fx.request(0, 0, &w.fx.individual, w.fx.at(9, 0))).await.expect("own booking");
    let other = w.fx.request(1, 0, &w.fx.individual, w.fx.at(11, 0));
    assert_eq!(code(w.sch.create_appointment(&me, other).await), ErrorCode::Forbidden);
    // A patient never overbooks: asking is refused as a rule violation, with the conflict reported too.
    let mut over = w.fx.request(0, 0, &w.fx.individual, w.fx.at(9, 10));
    over.request.overbook = true;
    match w.sch.create_appointment(&me, over).await {
        Err(ClinicError::Booking(rej)) => {
            let codes: Vec<_> = rej.violations.iter().map(|v| v.code).collect();
            assert!(codes.contains(&ErrorCode::OverbookNotPermitted), "{codes:?}");
            assert!(codes.contains(&ErrorCode::SlotConflictPractitioner), "{codes:?}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    // Searching with someone else's patient id would reveal their appointments.
    let q = SlotQuery {
        appointment_type_id: w.fx.individual.id(),
        practitioner_ids: vec![],
        from: w.fx.at(8, 0),
        to: w.fx.at(18, 0),
        patient_id: Some(w.fx.patients[1].id()),
        room_id: None,
        exclude: None,
        limit: None,
    };
    assert_eq!(code(w.sch.find_available_slots(&me, w.fx.clinic.id(), &q).await), ErrorCode::Forbidden);
    let seen = w.sch.list_appointments(&me, AppointmentFilter::default()).await.unwrap();
    assert!(seen.iter().all(|a| a.patient_id() == w.fx.patients[0].id()), "a patient lists only their own");
}

#[tokio::test]
async fn practitioner_acts_only_on_own_schedule() {
    let w = world().await;
    let doc = Actor::new(Role::Practitioner).with_clinic(w.fx.clinic.id()).as_practitioner(w.fx.practitioners[0].id());
    let mine = w.sch.create_appointment(&doc, w.fx.request(0, 0, &w.fx.individual, w.fx.at(9, 0))).await.unwrap();
    assert_eq!(
        code(w.sch.create_appointment(&doc, w.fx.request(1, 1, &w.fx.individual, w.fx.at(9, 0))).await),
        ErrorCode::Forbidden
    );
    let admin = Actor::system();
    let theirs = w.sch.create_appointment(&admin, w.fx.request(1, 1, &w.fx.individual, w.fx.at(9, 0))).await.unwrap();
    assert_eq!(code(w.sch.cancel_appointment(&doc, theirs.id(), None, None).await), ErrorCode::Forbidden);
    w.sch.cancel_appointment(&doc, mine.id(), Some("sick".into()), None).await.expect("own cancel");
    // A practitioner may overbook their own schedule (rule 6), and it is flagged for the audit log.
    let first = w.sch.create_appointment(&admin, w.fx.request(2, 0, &w.fx.individual, w.fx.at(10, 0))).await.unwrap();
    let mut over = w.fx.request(3, 0, &w.fx.individual, w.fx.at(10, 10));
    over.request.overbook = true;
    let squeezed = w.sch.create_appointment(&doc, over).await.expect("overbook own schedule");
    assert!(squeezed.overbooked() && !first.overbooked());
    // Patient records: only those with an appointment with this practitioner.
    w.sch.patient(&doc, w.fx.patients[2].id()).await.expect("has an appointment with me");
    assert_eq!(code(w.sch.patient(&doc, w.fx.patients[1].id()).await), ErrorCode::Forbidden);
}

#[tokio::test]
async fn scheduler_overbooks_and_rejections_carry_alternatives() {
    let w = world().await;
    let desk = Actor::new(Role::Scheduler).with_clinic(w.fx.clinic.id());
    w.sch.create_appointment(&desk, w.fx.request(0, 0, &w.fx.individual, w.fx.at(9, 0))).await.unwrap();
    match w.sch.create_appointment(&desk, w.fx.request(1, 0, &w.fx.individual, w.fx.at(9, 20))).await {
        Err(ClinicError::Booking(rej)) => {
            assert_eq!(rej.violations[0].code, ErrorCode::SlotConflictPractitioner);
            assert_eq!(rej.violations[0].conflicting.len(), 1);
            let same = &rej.alternatives.same_practitioner;
            assert!(!same.is_empty());
            // Nearest first: 09:35 (after 09:00–09:30 + 5 min buffer) is 15 minutes away.
            assert_eq!(same[0].start, w.fx.at(9, 35));
            let others: Vec<_> = rej.alternatives.other_practitioners.iter().map(|o| o.practitioner_id).collect();
            assert_eq!(others.len(), 2, "both other practitioners are free at 09:20");
            assert!(others.iter().all(|p| *p != w.fx.practitioners[0].id()));
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    let mut over = w.fx.request(1, 0, &w.fx.individual, w.fx.at(9, 20));
    over.request.overbook = true;
    assert!(w.sch.create_appointment(&desk, over).await.unwrap().overbooked());
    // Overbooking never bypasses the patient rule.
    let mut twice = w.fx.request(1, 1, &w.fx.individual, w.fx.at(9, 20));
    twice.request.overbook = true;
    assert_eq!(code(w.sch.create_appointment(&desk, twice).await), ErrorCode::PatientDoubleBooked);
}

#[tokio::test]
async fn lifecycle_and_events() {
    let w = world().await;
    let admin = Actor::system();
    let mut cmd = w.fx.request(0, 0, &w.fx.individual, w.fx.at(9, 0));
    cmd.proposed = true;
    let a = w.sch.create_appointment(&admin, cmd).await.unwrap();
    assert_eq!(a.status(), AppointmentStatus::Proposed);
    let a = w.sch.change_status(&admin, a.id(), AppointmentStatus::Booked, Some(a.version())).await.unwrap();
    assert_eq!(
        code(w.sch.change_status(&admin, a.id(), AppointmentStatus::Arrived, None).await),
        ErrorCode::ArrivalNotToday
    );
    w.clock.set(w.fx.at(8, 50));
    let a = w.sch.change_status(&admin, a.id(), AppointmentStatus::Arrived, None).await.unwrap();
    assert_eq!(
        code(w.sch.change_status(&admin, a.id(), AppointmentStatus::Noshow, None).await),
        ErrorCode::InvalidStatusTransition
    );
    assert_eq!(
        code(w.sch.change_status(&admin, a.id(), AppointmentStatus::Fulfilled, Some(a.version() - 1)).await),
        ErrorCode::VersionConflict
    );
    let a = w.sch.change_status(&admin, a.id(), AppointmentStatus::Fulfilled, Some(a.version())).await.unwrap();
    assert_eq!(a.history().len(), 3);
    let r = w
        .sch
        .reschedule_appointment(
            &admin,
            RescheduleAppointment {
                appointment_id: a.id(),
                start: w.fx.at(15, 0),
                practitioner_id: None,
                room_id: None,
                overbook: false,
                expected_version: None,
            },
        )
        .await;
    assert_eq!(code(r), ErrorCode::AppointmentNotActive);
    assert_eq!(
        w.events.names(),
        vec!["AppointmentBooked", "AppointmentStatusChanged", "AppointmentStatusChanged", "AppointmentStatusChanged"]
    );
}

#[tokio::test]
async fn bad_input_changes_nothing() {
    let w = world().await;
    let admin = Actor::system();
    let before = w.sch.list_appointments(&admin, AppointmentFilter::default()).await.unwrap().len();
    // Unknown patient, unknown type, a start far outside any sane range, a misaligned start.
    let mut unknown = w.fx.request(0, 0, &w.fx.individual, w.fx.at(9, 0));
    unknown.request.patient_id = PatientId::new();
    assert_eq!(code(w.sch.create_appointment(&admin, unknown).await), ErrorCode::NotFound);
    let mut bad_type = w.fx.request(0, 0, &w.fx.individual, w.fx.at(9, 0));
    bad_type.request.appointment_type_id = AppointmentTypeId::new();
    assert_eq!(code(w.sch.create_appointment(&admin, bad_type).await), ErrorCode::NotFound);
    let far = w.fx.request(0, 0, &w.fx.individual, chrono::DateTime::<chrono::Utc>::MAX_UTC - Duration::days(1));
    assert_eq!(code(w.sch.create_appointment(&admin, far).await), ErrorCode::InvalidTimeRange);
    let odd = w.fx.request(0, 0, &w.fx.individual, w.fx.at(9, 2));
    assert_eq!(code(w.sch.create_appointment(&admin, odd).await), ErrorCode::MisalignedStart);
    let dup = PatientInput {
        mrn: Some("MRN-0001".into()),
        given_name: "A".into(),
        family_name: "B".into(),
        ..Default::default()
    };
    assert_eq!(code(w.sch.register_patient(&admin, w.fx.clinic.id(), dup).await), ErrorCode::DuplicateMrn);
    let after = w.sch.list_appointments(&admin, AppointmentFilter::default()).await.unwrap().len();
    assert_eq!(before, after);
}
