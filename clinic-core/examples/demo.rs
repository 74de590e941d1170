//! A small tour of the engine on the in-memory store: set up a clinic, book, get refused with reasons and
//! alternatives, reschedule, cancel, and list free slots across a DST switch.
//!
//! Run with `cargo run -p clinic-core --example demo`.

use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use clinic_core::ports::FixedClock;
use clinic_core::rbac::Actor;
use clinic_core::*;

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

fn main() -> Result<(), ClinicError> {
    futures::executor::block_on(run())
}

async fn run() -> Result<(), ClinicError> {
    let store = Arc::new(InMemoryStore::new());
    let now = Utc.with_ymd_and_hms(2027, 3, 8, 14, 0, 0).single().expect("valid instant");
    let events = Arc::new(events::RecordedEvents::default());
    let sch = Scheduler::new(store.clone()).with_clock(Arc::new(FixedClock::new(now))).with_events(events.clone());
    let admin = Actor::system();

    let clinic = sch
        .create_clinic(
            &admin,
            ClinicInput {
                name: "Riverside Family Practice".into(),
                time_zone: "America/New_York".into(),
                closures: vec![Closure::whole_day(
                    NaiveDate::from_ymd_opt(2027, 3, 17).expect("date"),
                    "Staff training",
                )],
                ..Default::default()
            },
        )
        .await?;
    let tz = clinic.time_zone();
    println!("Clinic: {} ({})", clinic.name(), tz.name());

    let mut doctors = Vec::new();
    for name in ["Dr. Amara Okafor", "Dr. Lucas Brandt"] {
        let p = sch
            .save_practitioner(
                &admin,
                Practitioner::new(PractitionerId::new(), clinic.id(), name, ContactInfo::default())?,
            )
            .await?;
        let weekdays = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
        let hours = weekdays
            .iter()
            .flat_map(|&weekday| {
                [
                    WeeklyHours { weekday, start: t(8, 0), end: t(12, 0) },
                    WeeklyHours { weekday, start: t(13, 0), end: t(17, 0) },
                ]
            })
            .collect();
        let schedule = ScheduleInput {
            resource: ResourceRef::Practitioner(p.id()),
            weekly_hours: hours,
            recurrences: vec![],
            breaks: vec![],
            exceptions: vec![],
            valid_from: NaiveDate::from_ymd_opt(2027, 1, 1).expect("date"),
            valid_until: None,
            granularity_minutes: 5,
        };
        sch.save_schedule(&admin, Schedule::new(ScheduleId::new(), clinic.id(), schedule)?).await?;
        println!("  practitioner {}", p.name());
        doctors.push(p);
    }
    let checkup = sch
        .save_appointment_type(
            &admin,
            AppointmentType::new(
                AppointmentTypeId::new(),
                clinic.id(),
                AppointmentTypeInput {
                    name: "Check-up".into(),
                    duration_minutes: 20,
                    buffer_after_minutes: 5,
                    min_notice_minutes: 60,
                    ..Default::default()
                },
            )?,
        )
        .await?;
    println!(
        "  type {}: {} min + {} min buffer",
        checkup.name(),
        checkup.duration_minutes(),
        checkup.buffer_after_minutes()
    );

    let ada = sch
        .register_patient(
            &admin,
            clinic.id(),
            PatientInput {
                mrn: Some("MRN-1001".into()),
                given_name: "  Ada ".into(),
                family_name: "Lovelace".into(),
                contact: ContactInfo::new(Some("(202) 555-0143"), Some("Ada@Example.org"), Some("US"))?,
                ..Default::default()
            },
        )
        .await?;
    let alan = sch
        .register_patient(
            &admin,
            clinic.id(),
            PatientInput {
                mrn: Some("MRN-1002".into()),
                given_name: "Alan".into(),
                family_name: "Turing".into(),
                ..Default::default()
            },
        )
        .await?;
    println!(
        "Patients: {} {} ({:?}), {} {}",
        ada.given_name(),
        ada.family_name(),
        ada.contact().phone(),
        alan.given_name(),
        alan.family_name()
    );

    let local = |d: u32, h: u32, m: u32| {
        tz.with_ymd_and_hms(2027, 3, d, h, m, 0).single().expect("unambiguous").with_timezone(&Utc)
    };
    let book = |patient: PatientId, doctor: PractitionerId, start| CreateAppointment {
        clinic_id: clinic.id(),
        request: BookingRequest {
            patient_id: patient,
            practitioner_id: doctor,
            room_id: None,
            appointment_type_id: checkup.id(),
            start,
            overbook: false,
            reschedule_of: None,
        },
        proposed: false,
        reason: Some("Annual check-up".into()),
        notes: None,
    };

    let first = sch.create_appointment(&admin, book(ada.id(), doctors[0].id(), local(15, 9, 0))).await?;
    println!(
        "\nBooked {} {} with {} at {}",
        ada.given_name(),
        ada.family_name(),
        doctors[0].name(),
        first.slot().start().with_timezone(&tz)
    );

    println!("\nTrying to book Alan at 09:10 with the same doctor…");
    match sch.create_appointment(&admin, book(alan.id(), doctors[0].id(), local(15, 9, 10))).await {
        Err(ClinicError::Booking(rej)) => {
            for v in &rej.violations {
                println!("  refused: {} — {}", v.code, v.message);
            }
            for o in &rej.alternatives.same_practitioner {
                println!("  alternative: {} with the same doctor", o.start.with_timezone(&tz).format("%a %d %b %H:%M"));
            }
            for o in &rej.alternatives.other_practitioners {
                let name = doctors.iter().find(|d| d.id() == o.practitioner_id).map_or("?", |d| d.name());
                println!("  alternative: same time with {name}");
            }
        }
        other => println!("  unexpected: {other:?}"),
    }

    let moved = sch
        .reschedule_appointment(
            &admin,
            RescheduleAppointment {
                appointment_id: first.id(),
                start: local(16, 10, 30),
                practitioner_id: None,
                room_id: None,
                overbook: false,
                expected_version: Some(first.version()),
            },
        )
        .await?;
    println!("\nRescheduled to {} (version {})", moved.slot().start().with_timezone(&tz), moved.version());
    let cancelled = sch.cancel_appointment(&admin, moved.id(), Some("Feeling better".into()), None).await?;
    println!("Cancelled: status {}", cancelled.status());

    // Free slots across the closure day and for a week.
    let query = SlotQuery {
        appointment_type_id: checkup.id(),
        practitioner_ids: vec![],
        from: local(15, 0, 0),
        to: local(15, 0, 0) + Duration::days(5),
        patient_id: None,
        room_id: None,
        exclude: None,
        limit: None,
    };
    let slots = sch.find_available_slots(&admin, clinic.id(), &query).await?;
    println!("\n{} free check-up starts Mon 15 – Fri 19 March (17 March closed):", slots.len());
    let mut per_day = std::collections::BTreeMap::<NaiveDate, usize>::new();
    for s in &slots {
        *per_day.entry(s.start.with_timezone(&tz).date_naive()).or_default() += 1;
    }
    for (day, n) in per_day {
        println!("  {}: {n}", day.format("%a %d %b"));
    }
    if let Some(first_free) = slots.first() {
        println!("  earliest: {}", first_free.start.with_timezone(&tz));
    }
    println!("\nEvents: {:?}", events.names());
    Ok(())
}
