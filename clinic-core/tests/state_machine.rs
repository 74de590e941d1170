//! The appointment status lifecycle (DESIGN §3): `proposed → booked → arrived → fulfilled`,
//! `booked → cancelled | noshow` (plus `proposed → cancelled`, documented in the model), `arrived` only on the
//! appointment's clinic-local day, and only active appointments move.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;

use clinic_core::AppointmentStatus::{self, *};
use clinic_core::*;

const ALL: [AppointmentStatus; 6] = [Proposed, Booked, Arrived, Fulfilled, Cancelled, Noshow];
const LEGAL: [(AppointmentStatus, AppointmentStatus); 6] = [
    (Proposed, Booked),
    (Proposed, Cancelled),
    (Booked, Arrived),
    (Booked, Cancelled),
    (Booked, Noshow),
    (Arrived, Fulfilled),
];

struct Fx {
    tz: Tz,
    ty: AppointmentType,
    clinic: ClinicId,
    /// 10:00–10:30 Europe/London on Monday 2027-01-04 (GMT, so UTC too).
    start: DateTime<Utc>,
}

fn fx() -> Fx {
    let clinic = ClinicId::new();
    let ty = AppointmentType::new(
        AppointmentTypeId::new(),
        clinic,
        AppointmentTypeInput { name: "Check-up".into(), duration_minutes: 30, ..Default::default() },
    )
    .unwrap();
    Fx { tz: "Europe/London".parse().unwrap(), ty, clinic, start: Utc.with_ymd_and_hms(2027, 1, 4, 10, 0, 0).unwrap() }
}

impl Fx {
    fn on_the_day(&self) -> DateTime<Utc> {
        self.start - Duration::minutes(15)
    }

    fn new_appt(&self, initial: AppointmentStatus) -> Appointment {
        let spec = NewAppointment {
            clinic_id: self.clinic,
            patient_id: PatientId::new(),
            practitioner_id: PractitionerId::new(),
            room_id: None,
            appointment_type_id: self.ty.id(),
            slot: TimeSlot::starting_at(self.start, 30).unwrap(),
            reason: None,
            notes: None,
        };
        Appointment::new(AppointmentId::new(), spec, &self.ty, initial, false, self.start - Duration::days(3)).unwrap()
    }

    /// An appointment in `status`, reached through legal transitions on the appointment's day.
    fn appt_in(&self, status: AppointmentStatus) -> Appointment {
        let path: &[AppointmentStatus] = match status {
            Proposed => &[],
            Booked => &[],
            Arrived => &[Arrived],
            Fulfilled => &[Arrived, Fulfilled],
            Cancelled => &[Cancelled],
            Noshow => &[Noshow],
        };
        let mut a = self.new_appt(if status == Proposed { Proposed } else { Booked });
        for &to in path {
            a.transition(to, self.on_the_day(), self.tz, None, None).unwrap();
        }
        assert_eq!(a.status(), status);
        a
    }
}

#[test]
fn every_status_pair_is_legal_or_invalid_status_transition() {
    let f = fx();
    let mut legal_seen = 0;
    for from in ALL {
        for to in ALL {
            let mut a = f.appt_in(from);
            let before = a.clone();
            let r = a.transition(to, f.on_the_day(), f.tz, Some(UserId::new()), Some("  desk  ".into()));
            if LEGAL.contains(&(from, to)) {
                legal_seen += 1;
                assert!(r.is_ok(), "{from} → {to} should be legal: {r:?}");
                assert_eq!(a.status(), to);
                assert_eq!(a.version(), before.version() + 1, "{from} → {to} bumps the version");
                match a.history().last() {
                    Some(HistoryEntry::StatusChanged { from: hf, to: ht, reason, .. }) => {
                        assert_eq!((*hf, *ht), (from, to));
                        assert_eq!(reason.as_deref(), Some("desk"));
                    }
                    other => panic!("{from} → {to}: no history entry, got {other:?}"),
                }
                assert!(from.can_become(to));
            } else {
                let e = r.expect_err(&format!("{from} → {to} should be refused"));
                assert_eq!(e.code(), ErrorCode::InvalidStatusTransition, "{from} → {to}: {e}");
                assert_eq!(a, before, "{from} → {to}: a refused transition changes nothing");
                assert!(!from.can_become(to));
            }
        }
    }
    assert_eq!(legal_seen, LEGAL.len());
}

#[test]
fn active_statuses_are_proposed_booked_arrived() {
    for s in ALL {
        assert_eq!(s.is_active(), matches!(s, Proposed | Booked | Arrived), "{s}");
    }
}

#[test]
fn new_appointments_start_proposed_or_booked() {
    let f = fx();
    for s in ALL {
        let spec = NewAppointment {
            clinic_id: f.clinic,
            patient_id: PatientId::new(),
            practitioner_id: PractitionerId::new(),
            room_id: None,
            appointment_type_id: f.ty.id(),
            slot: TimeSlot::starting_at(f.start, 30).unwrap(),
            reason: None,
            notes: None,
        };
        let r = Appointment::new(AppointmentId::new(), spec, &f.ty, s, false, f.start);
        if matches!(s, Proposed | Booked) {
            assert_eq!(r.unwrap().status(), s);
        } else {
            assert_eq!(r.unwrap_err().code(), ErrorCode::InvalidStatusTransition, "{s}");
        }
    }
}

#[test]
fn arrival_only_on_the_appointments_local_day() {
    let f = fx();
    let day_start = Utc.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).unwrap();
    for (now, ok) in [
        (day_start, true),
        (day_start + Duration::hours(23) + Duration::minutes(59), true),
        (f.start + Duration::hours(5), true),
        (day_start - Duration::minutes(1), false),
        (day_start + Duration::days(1), false),
        (f.start - Duration::days(7), false),
    ] {
        let mut a = f.appt_in(Booked);
        let r = a.transition(Arrived, now, f.tz, None, None);
        if ok {
            assert!(r.is_ok(), "arrival at {now}: {r:?}");
        } else {
            assert_eq!(r.unwrap_err().code(), ErrorCode::ArrivalNotToday, "arrival at {now}");
            assert_eq!(a.status(), Booked);
        }
    }
}

#[test]
fn arrival_day_follows_the_clinic_zone_not_utc() {
    // 2027-01-05 09:00 in Sydney (UTC+11) is 2027-01-04 22:00 UTC.
    let mut f = fx();
    f.tz = "Australia/Sydney".parse().unwrap();
    f.start = Utc.with_ymd_and_hms(2027, 1, 4, 22, 0, 0).unwrap();
    // Same UTC date, previous local date.
    let mut a = f.appt_in(Booked);
    let e = a.transition(Arrived, Utc.with_ymd_and_hms(2027, 1, 4, 12, 0, 0).unwrap(), f.tz, None, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ArrivalNotToday);
    // Next UTC date, same local date.
    a.transition(Arrived, Utc.with_ymd_and_hms(2027, 1, 5, 1, 0, 0).unwrap(), f.tz, None, None).unwrap();
}

#[test]
fn illegal_transition_to_arrived_is_reported_before_the_day_check() {
    let f = fx();
    let mut a = f.appt_in(Proposed);
    let e = a.transition(Arrived, f.start - Duration::days(3), f.tz, None, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidStatusTransition);
}

#[test]
fn only_active_appointments_can_be_rescheduled() {
    let f = fx();
    let to = TimeSlot::starting_at(f.start + Duration::hours(2), 30).unwrap();
    for s in ALL {
        let mut a = f.appt_in(s);
        let before = a.clone();
        let r = a.reschedule(to, None, None, f.on_the_day(), None);
        if s.is_active() {
            r.unwrap();
            assert_eq!(a.slot(), to);
            assert_eq!(a.reschedule_count(), 1);
        } else {
            assert_eq!(r.unwrap_err().code(), ErrorCode::AppointmentNotActive, "rescheduling a {s} appointment");
            assert_eq!(a, before);
        }
    }
}

#[test]
fn rescheduling_a_cancelled_appointment_is_appointment_not_active() {
    let f = fx();
    let mut a = f.appt_in(Booked);
    a.transition(Cancelled, f.on_the_day(), f.tz, None, Some("patient called".into())).unwrap();
    let to = TimeSlot::starting_at(f.start + Duration::days(1), 30).unwrap();
    let e = a.reschedule(to, None, None, f.on_the_day(), None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::AppointmentNotActive);
}

#[test]
fn status_wire_names_are_fhir_codes() {
    let names: Vec<String> = ALL.iter().map(|s| serde_json::to_string(s).unwrap()).collect();
    assert_eq!(names, ["\"proposed\"", "\"booked\"", "\"arrived\"", "\"fulfilled\"", "\"cancelled\"", "\"noshow\""]);
}
