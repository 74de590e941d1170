//! iCalendar output round trip: appointments with arbitrary times, statuses, reschedules and free text
//! (summary, description, location, calendar name) are written by `interop::ical::write_calendar`, then read
//! back by an independent parser (the `icalendar` crate) — the events must come back as written.
//!
//! Input: structured (`arbitrary`). Checks: no panic; the feed parses; one event per appointment, in order, with
//! its UID, DTSTART/DTEND (UTC), STATUS, SEQUENCE (= reschedules), X-CLINIC-STATUS and the texts as RFC 5545
//! TEXT carries them (line breaks as `\n`, a tab as a space, other control characters dropped); every physical
//! line is at most 75 octets.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, Duration, TimeZone, Utc};
use clinic_core::interop::ical::{event_uid, ical_status, write_calendar, CalendarEvent, EventText};
use clinic_core::{
    Appointment, AppointmentId, AppointmentStatus, AppointmentType, AppointmentTypeId, AppointmentTypeInput, ClinicId,
    NewAppointment, PatientId, PractitionerId, TimeSlot,
};
use icalendar::{CalendarComponent, Component, DatePerhapsTime, EventLike};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Event {
    /// Minutes after 2027-01-01T00:00Z (about five years at most).
    start: u32,
    /// 1..=720 minutes.
    minutes: u16,
    /// Which status path to walk (see `status_path`).
    path: u8,
    reschedules: u8,
    summary: String,
    description: Option<String>,
    location: Option<String>,
}

#[derive(Debug, Arbitrary)]
struct Input {
    name: Option<String>,
    events: Vec<Event>,
}

fn status_path(p: u8) -> &'static [AppointmentStatus] {
    use AppointmentStatus::*;
    match p % 7 {
        0 => &[Proposed],
        1 => &[Booked],
        2 => &[Booked, Arrived],
        3 => &[Booked, Arrived, Fulfilled],
        4 => &[Booked, Cancelled],
        5 => &[Booked, Noshow],
        _ => &[Proposed, Cancelled],
    }
}

/// What a TEXT value means after the writer's escaping (RFC 5545 §3.3.11 has no escape for control
/// characters, so the writer drops them; a tab becomes a space; every line break is one `\n`).
fn as_text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\t', " ")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

fn utc_of(d: Option<DatePerhapsTime>) -> Option<DateTime<Utc>> {
    match d? {
        DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(t)) => Some(t),
        _ => None,
    }
}

fn build(e: &Event, clinic: ClinicId) -> Option<Appointment> {
    let minutes = u32::from(e.minutes % 720) + 1;
    let ty = AppointmentType::new(
        AppointmentTypeId::new(),
        clinic,
        AppointmentTypeInput { name: "t".into(), duration_minutes: minutes, ..Default::default() },
    )
    .ok()?;
    let t0 = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).single()?;
    let start = t0 + Duration::minutes(i64::from(e.start % (5 * 366 * 1440)));
    let slot = TimeSlot::starting_at(start, i64::from(minutes)).ok()?;
    let path = status_path(e.path);
    let spec = NewAppointment {
        clinic_id: clinic,
        patient_id: PatientId::new(),
        practitioner_id: PractitionerId::new(),
        room_id: None,
        appointment_type_id: ty.id(),
        slot,
        reason: None,
        notes: None,
    };
    let created = start - Duration::days(3);
    let mut a = Appointment::new(AppointmentId::new(), spec, &ty, path[0], false, created)
        .expect("a valid type, slot and initial status make an appointment");
    let mut slot = slot;
    for i in 0..(e.reschedules % 4) {
        slot = TimeSlot::starting_at(slot.start() + Duration::minutes(15), i64::from(minutes)).ok()?;
        a.reschedule(slot, None, None, created + Duration::minutes(i64::from(i) + 1), None)
            .expect("an active appointment moves");
    }
    for &to in &path[1..] {
        // On the appointment's (UTC) day, so `arrived` is allowed.
        a.transition(to, slot.start(), chrono_tz::UTC, None, None).expect("a legal arrow on the day");
    }
    Some(a)
}

fuzz_target!(|input: Input| {
    let clinic = ClinicId::new();
    let mut appts = Vec::new();
    let mut texts = Vec::new();
    for e in input.events.iter().take(16) {
        if let Some(a) = build(e, clinic) {
            appts.push(a);
            texts.push(EventText {
                summary: e.summary.clone(),
                description: e.description.clone(),
                location: e.location.clone(),
            });
        }
    }
    let events: Vec<CalendarEvent<'_>> =
        appts.iter().zip(&texts).map(|(a, t)| CalendarEvent { appointment: a, text: t.clone() }).collect();
    let ics = write_calendar(input.name.as_deref(), &events);

    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "a physical line of {} octets: {line:?}", line.len());
    }
    let cal: icalendar::Calendar = ics.parse().unwrap_or_else(|e| panic!("the feed does not parse: {e}\n{ics}"));
    let parsed: Vec<&icalendar::Event> = cal
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(parsed.len(), appts.len(), "one VEVENT per appointment");
    if let Some(n) = &input.name {
        assert_eq!(cal.get_name().map(str::to_string), Some(as_text(n)), "X-WR-CALNAME");
    }
    for ((p, a), t) in parsed.iter().zip(&appts).zip(&texts) {
        assert_eq!(p.get_uid(), Some(event_uid(a).as_str()), "UID");
        assert_eq!(utc_of(p.get_start()), Some(a.slot().start()), "DTSTART");
        assert_eq!(utc_of(p.get_end()), Some(a.slot().end()), "DTEND");
        assert_eq!(p.property_value("STATUS"), Some(ical_status(a.status())), "STATUS");
        assert_eq!(p.get_sequence(), Some(a.reschedule_count() as u32), "SEQUENCE");
        assert_eq!(p.property_value("X-CLINIC-STATUS"), Some(a.status().as_str()), "X-CLINIC-STATUS");
        assert_eq!(p.get_summary().map(str::to_string), Some(as_text(&t.summary)), "SUMMARY");
        assert_eq!(p.get_description().map(str::to_string), t.description.as_deref().map(as_text), "DESCRIPTION");
        assert_eq!(p.get_location().map(str::to_string), t.location.as_deref().map(as_text), "LOCATION");
    }
});
