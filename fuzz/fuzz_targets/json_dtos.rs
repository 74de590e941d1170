//! The server's JSON request bodies: `serde_json` into the server's own request DTOs (`clinic-server/src/dto/`,
//! compiled into this crate by `#[path]` — see `clinic_fuzz::dto` and README "Fuzzing" for why not the whole
//! server), then the DTO → core conversion and the core call each route makes with it.
//!
//! Input: 1 byte choosing the body type (`BODIES`), then the JSON body.
//! Checks:
//! * no panic, for any bytes;
//! * a catalog or patient body that converts and that the core's constructor accepts round-trips: the server's
//!   view of the value, sent back as a request body, converts to the same domain value (what a client reads it
//!   may write back);
//! * an accepted schedule expands into well-formed windows (`clinic_fuzz::check_windows`);
//! * a booking, reschedule, cancellation or status change runs through `Scheduler` on the in-memory store seeded
//!   by the conformance kit, the body's ids remapped onto the kit's (a random UUID would only ever be
//!   `NOT_FOUND`); accepted → the stored appointment carries what the body asked for and the occupancy
//!   invariant holds; refused → a typed error that is not a store error, and the store is unchanged.
#![no_main]

use std::collections::HashMap;
use std::sync::Arc;

use clinic_core::ports::FixedClock;
use clinic_core::rbac::Actor;
use clinic_core::testkit::{seed, Fixture};
use clinic_core::{
    AppointmentStatus, AppointmentTypeId, Clinic, ClinicError, ClinicId, ErrorCode, InMemoryStore, Patient, PatientId,
    PractitionerId, RescheduleAppointment, RoomId, ScheduleId, Scheduler,
};
use clinic_fuzz::dto::{
    AppointmentTypeBody, AppointmentTypeView, BookingBody, CancelBody, ClinicBody, ClinicView, PatientBody,
    PatientView, PractitionerBody, PractitionerView, RescheduleBody, RoomBody, RoomView, ScheduleBody, ScheduleView,
    StatusBody,
};
use clinic_fuzz::{all_appointments, assert_occupancy_invariant, block_on, check_windows, split_options, zone};
use libfuzzer_sys::fuzz_target;
use serde::{de::DeserializeOwned, Serialize};
use uuid::Uuid;

/// The request bodies, in the order of the selector byte.
const BODIES: [&str; 10] = [
    "clinic",
    "practitioner",
    "room",
    "appointment_type",
    "schedule",
    "patient",
    "booking",
    "reschedule",
    "cancel",
    "status",
];

/// A value the server shows (a view's `body`) is a request body the server accepts.
fn resend<T: Serialize + DeserializeOwned>(shown: &T) -> T {
    let json = serde_json::to_vec(shown).expect("views serialize");
    serde_json::from_slice(&json).unwrap_or_else(|e| {
        panic!("the server's own view is refused as a request body: {e}: {}", String::from_utf8_lossy(&json))
    })
}

/// A refusal is a typed domain error, never a store failure (the in-memory store cannot fail).
fn assert_typed(e: &ClinicError) {
    assert!(
        !matches!(e.code(), ErrorCode::StoreUnavailable | ErrorCode::ConcurrentModification),
        "a request body led to a store error: {e}"
    );
}

fuzz_target!(|data: &[u8]| {
    let ([which], json) = split_options::<1>(data);
    match BODIES[usize::from(which) % BODIES.len()] {
        "clinic" => clinic(json),
        "practitioner" => practitioner(json),
        "room" => room(json),
        "appointment_type" => appointment_type(json),
        "schedule" => schedule(json),
        "patient" => patient(json),
        kind => block_on(appointment(kind, json)),
    }
});

fn clinic(json: &[u8]) {
    let Ok(body) = serde_json::from_slice::<ClinicBody>(json) else { return };
    let id = ClinicId::new();
    let Ok(c) = body.into_core().and_then(|input| Clinic::new(id, input)) else { return };
    let again = resend(&ClinicView::from(&c).body).into_core().and_then(|input| Clinic::new(id, input));
    assert_eq!(again.as_ref().ok(), Some(&c), "clinic does not round-trip: {again:?}");
}

fn practitioner(json: &[u8]) {
    let Ok(body) = serde_json::from_slice::<PractitionerBody>(json) else { return };
    let (id, clinic) = (PractitionerId::new(), ClinicId::new());
    let Ok(p) = body.into_core(id, clinic, None) else { return };
    let again = resend(&PractitionerView::from(&p).body).into_core(id, clinic, None);
    assert_eq!(again.as_ref().ok(), Some(&p), "practitioner does not round-trip: {again:?}");
}

fn room(json: &[u8]) {
    let Ok(body) = serde_json::from_slice::<RoomBody>(json) else { return };
    let (id, clinic) = (RoomId::new(), ClinicId::new());
    let Ok(r) = body.into_core(id, clinic) else { return };
    let again = resend(&RoomView::from(&r).body).into_core(id, clinic);
    assert_eq!(again.as_ref().ok(), Some(&r), "room does not round-trip: {again:?}");
}

fn appointment_type(json: &[u8]) {
    let Ok(body) = serde_json::from_slice::<AppointmentTypeBody>(json) else { return };
    let (id, clinic) = (AppointmentTypeId::new(), ClinicId::new());
    let Ok(t) = body.into_core(id, clinic) else { return };
    assert!(t.duration_minutes() > 0 && t.capacity() > 0, "an accepted type has a duration and a capacity");
    let again = resend(&AppointmentTypeView::from(&t).body).into_core(id, clinic);
    assert_eq!(again.as_ref().ok(), Some(&t), "appointment type does not round-trip: {again:?}");
}

fn schedule(json: &[u8]) {
    let Ok(body) = serde_json::from_slice::<ScheduleBody>(json) else { return };
    let (id, clinic) = (ScheduleId::new(), ClinicId::new());
    let Ok(s) = body.into_core(id, clinic) else { return };
    let again = resend(&ScheduleView::from(&s).body).into_core(id, clinic);
    assert_eq!(again.as_ref().ok(), Some(&s), "schedule does not round-trip: {again:?}");
    let first = s.input().valid_from;
    if let Some(last) = first.checked_add_days(chrono::Days::new(9)) {
        check_windows(&s, zone(json.len() as u8), first, last);
    }
}

fn patient(json: &[u8]) {
    let Ok(body) = serde_json::from_slice::<PatientBody>(json) else { return };
    let (id, clinic) = (PatientId::new(), ClinicId::new());
    let today = chrono::NaiveDate::from_ymd_opt(2027, 1, 4);
    let Ok(p) = body.into_core(None).and_then(|input| Patient::new(id, clinic, input, today)) else { return };
    let again =
        resend(&PatientView::from(&p).body).into_core(None).and_then(|input| Patient::new(id, clinic, input, today));
    assert_eq!(again.as_ref().ok(), Some(&p), "patient does not round-trip: {again:?}");
}

/// Picks one of `n` fixture entities by a UUID's last byte.
fn pick(id: Uuid, n: usize) -> usize {
    usize::from(id.as_bytes()[15]) % n
}

async fn appointment(kind: &str, json: &[u8]) {
    let store = Arc::new(InMemoryStore::new());
    let fx: Fixture = seed(store.clone(), 3).await;
    let sch = Scheduler::new(store.clone()).with_clock(Arc::new(FixedClock::new(fx.now)));
    let admin = Actor::system();
    let types: HashMap<_, _> = [(fx.individual.id(), fx.individual.clone()), (fx.group.id(), fx.group.clone())].into();
    // Reschedule, cancel and status change act on one booked appointment (Monday 10:00).
    let existing = sch.create_appointment(&admin, fx.request(0, 0, &fx.individual, fx.at(10, 0))).await;
    let existing = existing.expect("the kit's slot is bookable");
    let before = all_appointments(&*store, fx.clinic.id()).await;

    let result = match kind {
        "booking" => {
            let Ok(body) = serde_json::from_slice::<BookingBody>(json) else { return };
            let mut cmd = body.clone().into_core();
            assert_eq!(
                (cmd.request.start, cmd.proposed, cmd.request.overbook, &cmd.reason, &cmd.notes),
                (body.start, body.proposed, body.overbook, &body.reason, &body.notes),
                "the booking body converts field by field"
            );
            cmd.clinic_id = fx.clinic.id();
            cmd.request.patient_id = fx.patients[pick(body.patient_id, fx.patients.len())].id();
            cmd.request.practitioner_id = fx.practitioners[pick(body.practitioner_id, fx.practitioners.len())].id();
            cmd.request.room_id = body.room_id.map(|_| fx.room.id());
            let ty = if pick(body.appointment_type_id, 2) == 0 { &fx.individual } else { &fx.group };
            cmd.request.appointment_type_id = ty.id();
            let r = sch.create_appointment(&admin, cmd.clone()).await;
            if let Ok(a) = &r {
                assert_eq!(a.slot().start(), body.start, "booked at the body's start");
                assert_eq!(a.slot().minutes(), i64::from(ty.duration_minutes()), "for the type's duration");
                let status = if body.proposed { AppointmentStatus::Proposed } else { AppointmentStatus::Booked };
                assert_eq!(a.status(), status);
                assert_eq!((a.patient_id(), a.room_id()), (cmd.request.patient_id, cmd.request.room_id));
            }
            r.map(drop)
        }
        "reschedule" => {
            let Ok(body) = serde_json::from_slice::<RescheduleBody>(json) else { return };
            // As the route builds it (`routes/appointments.rs`), with the ids remapped onto the kit's.
            let cmd = RescheduleAppointment {
                appointment_id: existing.id(),
                start: body.start,
                practitioner_id: body.practitioner_id.map(|p| fx.practitioners[pick(p, fx.practitioners.len())].id()),
                room_id: body.room_id.map(|r| r.map(|_| fx.room.id())),
                overbook: body.overbook,
                expected_version: body.expected_version,
            };
            let r = sch.reschedule_appointment(&admin, cmd.clone()).await;
            if let Ok(a) = &r {
                assert_eq!(a.slot().start(), body.start, "moved to the body's start");
                assert_eq!(a.version(), existing.version() + 1);
                assert_eq!(a.room_id(), cmd.room_id.unwrap_or(existing.room_id()));
            }
            r.map(drop)
        }
        "cancel" => {
            let Ok(body) = serde_json::from_slice::<CancelBody>(json) else { return };
            let r = sch.cancel_appointment(&admin, existing.id(), body.reason, body.expected_version).await;
            if let Ok(a) = &r {
                assert_eq!(a.status(), AppointmentStatus::Cancelled);
            }
            r.map(drop)
        }
        _ => {
            let Ok(body) = serde_json::from_slice::<StatusBody>(json) else { return };
            let to: AppointmentStatus = body.status.into();
            let r = sch.change_status(&admin, existing.id(), to, body.expected_version).await;
            if let Ok(a) = &r {
                assert_eq!(a.status(), to, "the status the body asked for");
            }
            r.map(drop)
        }
    };
    let after = all_appointments(&*store, fx.clinic.id()).await;
    match result {
        Ok(()) => assert_occupancy_invariant(&after, &types),
        Err(e) => {
            assert_typed(&e);
            assert_eq!(before, after, "a refused {kind} body changed the store ({e})");
        }
    }
}
