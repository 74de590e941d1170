//! Stateful target: a random sequence of bookings, searches-then-bookings, reschedules, cancellations, status
//! changes and clock moves, applied through the use cases (`Scheduler`) to the in-memory store seeded by the
//! conformance kit (3 practitioners Mon–Fri 08:00–18:00 in Europe/London, a 30-minute type with a 5-minute
//! buffer after, a 60-minute group type of capacity 3, a room; plus here a 45-minute type with buffers on
//! both sides and a second room with its own Mon–Wed schedule).
//!
//! Checks after every step:
//! * the occupancy invariant (`clinic_fuzz::assert_occupancy_invariant`: rules 1, 2 and 6);
//! * a failed operation changed nothing in the store ("bad input gets a clear error and changes nothing");
//! * a successful one changed only its appointment, bumping its version by one;
//! * a start that availability search offers is bookable at that moment (DESIGN.md §3);
//! * every stored history replays through the state machine;
//! * no `CONCURRENT_MODIFICATION` or store error on a single-threaded in-memory store.
#![no_main]

use std::collections::HashMap;
use std::sync::Arc;

use arbitrary::Arbitrary;
use chrono::{Duration, NaiveDate, NaiveTime, Weekday};
use clinic_core::ports::{CatalogStore, FixedClock};
use clinic_core::rbac::{Actor, Role};
use clinic_core::testkit::{seed, Fixture};
use clinic_core::{
    Appointment, AppointmentStatus, AppointmentType, AppointmentTypeId, AppointmentTypeInput, ClinicError, ErrorCode,
    InMemoryStore, RescheduleAppointment, ResourceRef, Room, RoomId, Schedule, ScheduleId, ScheduleInput, Scheduler,
    SlotQuery, WeeklyHours,
};
use clinic_fuzz::{all_appointments, assert_history_consistent, assert_occupancy_invariant, block_on};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Op {
    Book {
        patient: u8,
        practitioner: u8,
        room: u8,
        ty: u8,
        day: u8,
        slot: u8,
        proposed: bool,
        overbook: bool,
        actor: u8,
    },
    /// Search one day for the practitioner (with the patient and room), then book the `pick`-th offer.
    BookOffered {
        patient: u8,
        practitioner: u8,
        room: u8,
        ty: u8,
        day: u8,
        pick: u8,
    },
    Reschedule {
        appt: u8,
        day: u8,
        slot: u8,
        practitioner: Option<u8>,
        room: Option<u8>,
        overbook: bool,
        actor: u8,
    },
    Cancel {
        appt: u8,
        actor: u8,
    },
    Status {
        appt: u8,
        to: u8,
        actor: u8,
    },
    /// Moves the clock forward (minutes × 15).
    Wait {
        quarters: u8,
    },
}

struct World {
    fx: Fixture,
    sch: Scheduler<InMemoryStore>,
    clock: Arc<FixedClock>,
    now: chrono::DateTime<chrono::Utc>,
    types: Vec<AppointmentType>,
    rooms: Vec<RoomId>,
    type_map: HashMap<AppointmentTypeId, AppointmentType>,
    booked: Vec<clinic_core::AppointmentId>,
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

async fn world() -> World {
    let store = Arc::new(InMemoryStore::new());
    let fx = seed(store.clone(), 4).await;
    let clock = Arc::new(FixedClock::new(fx.now));
    let sch = Scheduler::new(store.clone()).with_clock(clock.clone());
    let admin = Actor::system();
    let long = AppointmentType::new(
        AppointmentTypeId::new(),
        fx.clinic.id(),
        AppointmentTypeInput {
            name: "Procedure".into(),
            duration_minutes: 45,
            buffer_before_minutes: 10,
            buffer_after_minutes: 15,
            ..Default::default()
        },
    )
    .expect("valid type");
    let long = sch.save_appointment_type(&admin, long).await.expect("save type");
    let room2 = Room::new(RoomId::new(), fx.clinic.id(), "Room 2").expect("valid room");
    let room2 = sch.save_room(&admin, room2).await.expect("save room");
    let input = ScheduleInput {
        resource: ResourceRef::Room(room2.id()),
        weekly_hours: [Weekday::Mon, Weekday::Tue, Weekday::Wed]
            .into_iter()
            .map(|weekday| WeeklyHours { weekday, start: t(9, 0), end: t(13, 0) })
            .collect(),
        recurrences: vec![],
        breaks: vec![],
        exceptions: vec![],
        valid_from: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or(NaiveDate::MIN),
        valid_until: None,
        granularity_minutes: 5,
    };
    let sched = Schedule::new(ScheduleId::new(), fx.clinic.id(), input).expect("valid schedule");
    sch.save_schedule(&admin, sched).await.expect("save schedule");
    let types = vec![fx.individual.clone(), fx.group.clone(), long];
    let type_map = store
        .list_appointment_types(fx.clinic.id())
        .await
        .expect("in-memory store")
        .into_iter()
        .map(|t| (t.id(), t))
        .collect();
    let rooms = vec![fx.room.id(), room2.id()];
    World { now: fx.now, fx, sch, clock, types, rooms, type_map, booked: Vec::new() }
}

impl World {
    /// Admin (may overbook), front desk (may overbook, per the RBAC matrix), or the first practitioner.
    fn actor(&self, a: u8) -> Actor {
        match a % 3 {
            0 => Actor::system(),
            1 => Actor::new(Role::Scheduler).with_clinic(self.fx.clinic.id()),
            _ => Actor {
                practitioner_id: Some(self.fx.practitioners[0].id()),
                ..Actor::new(Role::Practitioner).with_clinic(self.fx.clinic.id())
            },
        }
    }
    /// Ten days from the fixture's Monday (two weekends inside), at 07:00 + 5 × `slot` minutes local
    /// (London is UTC in January): mostly inside opening hours and aligned, some before, after or past midnight.
    fn start(&self, day: u8, slot: u8) -> chrono::DateTime<chrono::Utc> {
        self.fx.at(7, 0) + Duration::days(i64::from(day % 10)) + Duration::minutes(5 * i64::from(slot))
    }
    fn room(&self, r: u8) -> Option<RoomId> {
        match r % 3 {
            0 => None,
            n => Some(self.rooms[usize::from(n) - 1]),
        }
    }
    fn appt(&self, i: u8) -> Option<clinic_core::AppointmentId> {
        (!self.booked.is_empty()).then(|| self.booked[usize::from(i) % self.booked.len()])
    }
    fn request(
        &self,
        patient: u8,
        practitioner: u8,
        room: u8,
        ty: u8,
        start: chrono::DateTime<chrono::Utc>,
    ) -> clinic_core::CreateAppointment {
        let ty = &self.types[usize::from(ty) % self.types.len()];
        let mut cmd = self.fx.request(usize::from(patient) % 4, usize::from(practitioner) % 3, ty, start);
        cmd.request.room_id = self.room(room);
        cmd
    }

    async fn apply(&mut self, op: &Op) -> Option<Result<Appointment, ClinicError>> {
        Some(match *op {
            Op::Book { patient, practitioner, room, ty, day, slot, proposed, overbook, actor } => {
                let mut cmd = self.request(patient, practitioner, room, ty, self.start(day, slot));
                cmd.proposed = proposed;
                cmd.request.overbook = overbook;
                self.sch.create_appointment(&self.actor(actor), cmd).await
            }
            Op::BookOffered { patient, practitioner, room, ty, day, pick } => {
                let cmd = self.request(patient, practitioner, room, ty, self.start(day, 0));
                let from = self.fx.at(0, 0) + Duration::days(i64::from(day % 10));
                let q = SlotQuery {
                    appointment_type_id: cmd.request.appointment_type_id,
                    practitioner_ids: vec![cmd.request.practitioner_id],
                    from,
                    to: from + Duration::days(1),
                    patient_id: Some(cmd.request.patient_id),
                    room_id: cmd.request.room_id,
                    exclude: None,
                    limit: None,
                };
                let admin = Actor::system();
                let offers =
                    self.sch.find_available_slots(&admin, self.fx.clinic.id(), &q).await.expect("a valid query");
                let o = offers.get(usize::from(pick) % offers.len().max(1))?;
                let mut cmd = cmd;
                cmd.request.start = o.start;
                let res = self.sch.create_appointment(&admin, cmd).await;
                assert!(res.is_ok(), "search offered {o:?} but booking it failed: {res:?}");
                res
            }
            Op::Reschedule { appt, day, slot, practitioner, room, overbook, actor } => {
                let cmd = RescheduleAppointment {
                    appointment_id: self.appt(appt)?,
                    start: self.start(day, slot),
                    practitioner_id: practitioner.map(|p| self.fx.practitioners[usize::from(p) % 3].id()),
                    room_id: room.map(|r| self.room(r)),
                    overbook,
                    expected_version: None,
                };
                self.sch.reschedule_appointment(&self.actor(actor), cmd).await
            }
            Op::Cancel { appt, actor } => {
                self.sch.cancel_appointment(&self.actor(actor), self.appt(appt)?, Some("fuzz".into()), None).await
            }
            Op::Status { appt, to, actor } => {
                use AppointmentStatus::*;
                let to = [Proposed, Booked, Arrived, Fulfilled, Cancelled, Noshow][usize::from(to) % 6];
                self.sch.change_status(&self.actor(actor), self.appt(appt)?, to, None).await
            }
            Op::Wait { quarters } => {
                self.now += Duration::minutes(15 * i64::from(quarters));
                self.clock.set(self.now);
                return None;
            }
        })
    }
}

fuzz_target!(|ops: Vec<Op>| {
    block_on(async {
        let mut w = world().await;
        let clinic = w.fx.clinic.id();
        for op in ops.iter().take(48) {
            let before = all_appointments(&**w.sch.store(), clinic).await;
            let res = w.apply(op).await;
            let after = all_appointments(&**w.sch.store(), clinic).await;
            match res {
                None => assert_eq!(before, after, "{op:?} changed the store"),
                Some(Err(e)) => {
                    assert!(
                        !matches!(e.code(), ErrorCode::ConcurrentModification | ErrorCode::StoreUnavailable),
                        "{op:?}: {e}"
                    );
                    assert_eq!(before, after, "{op:?} failed ({e}) but changed the store");
                }
                Some(Ok(a)) => {
                    let old = before.iter().find(|x| x.id() == a.id());
                    assert_eq!(after.len(), before.len() + usize::from(old.is_none()), "{op:?}");
                    assert_eq!(a.version(), old.map_or(1, |o| o.version() + 1), "{op:?} version");
                    assert!(after.contains(&a), "{op:?}: the returned appointment is what the store holds");
                    for x in after.iter().filter(|x| x.id() != a.id()) {
                        assert!(before.contains(x), "{op:?} changed another appointment {}", x.id());
                    }
                    if old.is_none() {
                        w.booked.push(a.id());
                    }
                }
            }
            assert_occupancy_invariant(&after, &w.type_map);
            after.iter().for_each(assert_history_consistent);
        }
    });
});
