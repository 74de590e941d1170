//! The demo data of `seed-demo` and `serve --demo`: one clinic with practitioners, rooms, appointment types,
//! schedules from last week to two months ahead, patients, and about a month of appointments booked through
//! the use cases (so every demo booking passed the rules).

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use clinic_core::ports::Store;
use clinic_core::rbac::Actor;
use clinic_core::*;

/// The demo users' names and passwords, shown by README and printed by `seed-demo`.
pub const DEMO_USERS: &[(&str, &str, &str)] = &[
    ("admin", "admin-demo-2026", "admin"),
    ("frontdesk", "frontdesk-demo-2026", "scheduler"),
    ("dr.okafor", "okafor-demo-2026", "practitioner"),
    ("ada", "ada-demo-2026", "patient"),
];

/// Ids of the seeded records the demo users are linked to.
#[derive(Debug, Clone)]
pub struct DemoIds {
    pub clinic: ClinicId,
    pub practitioners: Vec<PractitionerId>,
    pub rooms: Vec<RoomId>,
    pub types: Vec<AppointmentTypeId>,
    pub patients: Vec<PatientId>,
    pub appointments: usize,
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

const PATIENTS: &[(&str, &str, &str)] = &[
    ("Ada", "Lovelace", "+44 20 7946 0101"),
    ("Alan", "Turing", "+44 20 7946 0102"),
    ("Grace", "Hopper", "+44 20 7946 0103"),
    ("Katherine", "Johnson", "+44 20 7946 0104"),
    ("Edsger", "Dijkstra", "+44 20 7946 0105"),
    ("Barbara", "Liskov", "+44 20 7946 0106"),
    ("Donald", "Knuth", "+44 20 7946 0107"),
    ("Margaret", "Hamilton", "+44 20 7946 0108"),
    ("Tim", "Berners-Lee", "+44 20 7946 0109"),
    ("Radia", "Perlman", "+44 20 7946 0110"),
    ("John", "McCarthy", "+44 20 7946 0111"),
    ("Frances", "Allen", "+44 20 7946 0112"),
    ("Ken", "Thompson", "+44 20 7946 0113"),
    ("Hedy", "Lamarr", "+44 20 7946 0114"),
    ("Claude", "Shannon", "+44 20 7946 0115"),
    ("Sophie", "Wilson", "+44 20 7946 0116"),
];

/// Seeds the demo clinic with `booking_days` days of appointments ahead (30 for the demo, 0 for tests that
/// book themselves). Idempotence is the caller's business (`serve --demo` seeds only an empty store).
pub async fn seed_clinic(sch: &Scheduler<dyn Store>, booking_days: i64) -> Result<DemoIds, ClinicError> {
    let admin = Actor::system();
    let clinic = sch
        .create_clinic(
            &admin,
            ClinicInput {
                name: "Riverside Family Practice".into(),
                time_zone: "Europe/London".into(),
                address: Some(Address::new("1 River Walk", None, "London", None, "SE1 9PX", "GB")?),
                contact: ContactInfo::new(Some("+44 20 7946 0000"), Some("desk@riverside.example"), None)?,
                closures: Vec::new(),
            },
        )
        .await?;
    let tz = clinic.time_zone();
    let today = clinic_core::zone::local_date(tz, sch.now());
    let weekdays = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];

    let mut practitioners = Vec::new();
    for name in ["Dr. Amara Okafor", "Dr. Lucas Brandt", "Dr. Mei Tanaka"] {
        let p = Practitioner::new(PractitionerId::new(), clinic.id(), name, ContactInfo::default())?;
        practitioners.push(sch.save_practitioner(&admin, p).await?.id());
    }
    let mut rooms = Vec::new();
    for name in ["Room 1", "Room 2", "Group room"] {
        rooms.push(sch.save_room(&admin, Room::new(RoomId::new(), clinic.id(), name)?).await?.id());
    }
    let mut types = Vec::new();
    for (name, minutes, after) in [("Consultation", 20, 5), ("Check-up", 30, 0), ("Vaccination", 10, 5)] {
        let ty = AppointmentType::new(
            AppointmentTypeId::new(),
            clinic.id(),
            AppointmentTypeInput {
                name: name.into(),
                duration_minutes: minutes,
                buffer_after_minutes: after,
                min_notice_minutes: 30,
                max_horizon_days: 120,
                ..Default::default()
            },
        )?;
        types.push(sch.save_appointment_type(&admin, ty).await?.id());
    }
    let valid_from = today - Duration::days(7);
    for &p in &practitioners {
        let input = ScheduleInput {
            resource: ResourceRef::Practitioner(p),
            weekly_hours: weekdays
                .iter()
                .map(|&weekday| WeeklyHours { weekday, start: t(9, 0), end: t(17, 0) })
                .collect(),
            recurrences: Vec::new(),
            breaks: vec![Break { weekdays: Vec::new(), start: t(12, 30), end: t(13, 30) }],
            exceptions: Vec::new(),
            valid_from,
            valid_until: Some(today + Duration::days(90)),
            granularity_minutes: 10,
        };
        sch.save_schedule(&admin, Schedule::new(ScheduleId::new(), clinic.id(), input)?).await?;
    }

    let mut patients = Vec::new();
    for (i, (given, family, phone)) in PATIENTS.iter().enumerate() {
        let dob = NaiveDate::from_ymd_opt(1950 + (i as i32 * 3) % 60, 1 + (i as u32 % 12), 1 + (i as u32 * 5) % 28);
        let p = sch
            .register_patient(
                &admin,
                clinic.id(),
                PatientInput {
                    mrn: Some(format!("MRN-{:04}", 1001 + i)),
                    given_name: (*given).into(),
                    family_name: (*family).into(),
                    date_of_birth: dob,
                    contact: ContactInfo::new(
                        Some(phone),
                        Some(&format!("{}.{}@example.org", given.to_lowercase(), family.to_lowercase())),
                        None,
                    )?,
                    ..Default::default()
                },
            )
            .await?;
        patients.push(p.id());
    }

    // About a month of bookings: each weekday, each practitioner sees a few patients; every booking goes
    // through the rules, and the ones the rules refuse (e.g. too soon today) are simply skipped.
    let mut booked = 0usize;
    let mut n = 0usize;
    for day in 1..=booking_days {
        let date = today + Duration::days(day);
        if !weekdays.contains(&date.weekday()) {
            continue;
        }
        for (pi, &p) in practitioners.iter().enumerate() {
            for slot in 0..4u32 {
                n += 1;
                let hour = 9 + slot * 2 + (pi as u32 % 2);
                let Some(start) = tz.from_local_datetime(&date.and_time(t(hour, 0))).earliest() else { continue };
                let cmd = CreateAppointment {
                    clinic_id: clinic.id(),
                    request: BookingRequest {
                        patient_id: patients[n % patients.len()],
                        practitioner_id: p,
                        room_id: Some(rooms[pi % 2]),
                        appointment_type_id: types[n % types.len()],
                        start: start.with_timezone(&Utc),
                        overbook: false,
                        reschedule_of: None,
                    },
                    proposed: false,
                    reason: None,
                    notes: None,
                };
                if sch.create_appointment(&admin, cmd).await.is_ok() {
                    booked += 1;
                }
            }
        }
    }
    Ok(DemoIds { clinic: clinic.id(), practitioners, rooms, types, patients, appointments: booked })
}
