//! iCalendar export, checked by an independent parser: Python's `icalendar` package (in the venv made by
//! `scripts/test-tools.sh`) reads the feed and every field of every event is compared with the appointments.

#[path = "tools/mod.rs"]
mod tools;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use clinic_core::error::ErrorCode;
use clinic_core::interop::ical::{escape_text, fold_line};
use clinic_core::interop::PractitionerFeed;
use clinic_core::ports::FixedClock;
use clinic_core::rbac::{Actor, Role};
use clinic_core::testkit::{seed, Fixture};
use clinic_core::*;
use serde_json::Value;

/// Prints one JSON object per VEVENT (and the calendar's own properties), as the `icalendar` package reads it.
const PARSE: &str = r#"
import json, sys
from datetime import timezone
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.buffer.read())
def utc(p):
    dt = p.dt
    assert dt.tzinfo is not None and dt.utcoffset().total_seconds() == 0, f"not UTC: {dt!r}"
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
out = {"prodid": str(cal.get("prodid")), "version": str(cal.get("version")), "name": str(cal.get("x-wr-calname")), "events": []}
for ev in cal.walk("VEVENT"):
    out["events"].append({
        "uid": str(ev.get("uid")),
        "dtstamp": utc(ev.get("dtstamp")),
        "dtstart": utc(ev.get("dtstart")),
        "dtend": utc(ev.get("dtend")),
        "summary": str(ev.get("summary")),
        "location": None if ev.get("location") is None else str(ev.get("location")),
        "description": None if ev.get("description") is None else str(ev.get("description")),
        "status": str(ev.get("status")),
        "sequence": int(ev.get("sequence")),
        "created": utc(ev.get("created")),
        "last_modified": utc(ev.get("last-modified")),
        "x_status": str(ev.get("x-clinic-status")),
    })
print(json.dumps(out))
"#;

fn parse(ics: &str) -> Value {
    // Every physical line ends in CRLF and has at most 75 octets (RFC 5545 §3.1).
    assert!(ics.ends_with("\r\n"));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line of {} octets: {line:?}", line.len());
        assert!(!line.contains('\n') && !line.contains('\r'), "bare line break in {line:?}");
    }
    serde_json::from_slice(&tools::run_python(PARSE, &[], ics.as_bytes())).expect("parser output is JSON")
}

fn z(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

struct World {
    fx: Fixture,
    sch: Scheduler<InMemoryStore>,
    clock: Arc<FixedClock>,
}

async fn world() -> World {
    let store = Arc::new(InMemoryStore::new());
    let fx = seed(store.clone(), 3).await;
    let clock = Arc::new(FixedClock::new(fx.now));
    let sch = Scheduler::new(store).with_clock(clock.clone());
    World { fx, sch, clock }
}

/// Books a mix of appointments for practitioner 0: booked (with room), rescheduled twice, cancelled,
/// proposed, noshow, fulfilled — and a patient whose name needs escaping and folding.
async fn book_mix(w: &World) -> (Vec<Appointment>, Patient) {
    let admin = Actor::system();
    let fx = &w.fx;
    let tricky = w
        .sch
        .register_patient(
            &admin,
            fx.clinic.id(),
            PatientInput {
                given_name: "Zoë, \"Jr\"; 🦀".into(),
                family_name: "Backslash\\Semicolon;Comma,Very-Long-Family-Name-That-Forces-Folding".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut booked = fx.request(0, 0, &fx.individual, fx.at(9, 0));
    booked.request.room_id = Some(fx.room.id());
    let booked = w.sch.create_appointment(&admin, booked).await.unwrap();

    let moved = w.sch.create_appointment(&admin, fx.request(1, 0, &fx.individual, fx.at(10, 0))).await.unwrap();
    w.clock.set(fx.now + Duration::hours(1));
    let mv = |id, start| RescheduleAppointment {
        appointment_id: id,
        start,
        practitioner_id: None,
        room_id: None,
        overbook: false,
        expected_version: None,
    };
    w.sch.reschedule_appointment(&admin, mv(moved.id(), fx.at(11, 0))).await.unwrap();
    w.clock.set(fx.now + Duration::hours(2));
    let moved = w.sch.reschedule_appointment(&admin, mv(moved.id(), fx.at(16, 0))).await.unwrap();

    let cancelled = w.sch.create_appointment(&admin, fx.request(2, 0, &fx.individual, fx.at(12, 0))).await.unwrap();
    w.clock.set(fx.now + Duration::hours(3));
    let cancelled = w.sch.cancel_appointment(&admin, cancelled.id(), Some("patient ill".into()), None).await.unwrap();

    let mut proposed = fx.request(0, 0, &fx.individual, fx.at(13, 0));
    proposed.proposed = true;
    let proposed = w.sch.create_appointment(&admin, proposed).await.unwrap();

    let mut tricky_req = fx.request(0, 0, &fx.individual, fx.at(14, 0));
    tricky_req.request.patient_id = tricky.id();
    let noshow = w.sch.create_appointment(&admin, tricky_req).await.unwrap();
    let noshow = w.sch.change_status(&admin, noshow.id(), AppointmentStatus::Noshow, None).await.unwrap();

    let fulfilled = w.sch.create_appointment(&admin, fx.request(1, 0, &fx.individual, fx.at(15, 0))).await.unwrap();
    w.clock.set(fx.at(15, 0));
    w.sch.change_status(&admin, fulfilled.id(), AppointmentStatus::Arrived, None).await.unwrap();
    w.clock.set(fx.at(15, 40));
    let fulfilled = w.sch.change_status(&admin, fulfilled.id(), AppointmentStatus::Fulfilled, None).await.unwrap();

    (vec![booked, moved, cancelled, proposed, noshow, fulfilled], tricky)
}

fn expected_status(s: AppointmentStatus) -> &'static str {
    match s {
        AppointmentStatus::Proposed => "TENTATIVE",
        AppointmentStatus::Cancelled => "CANCELLED",
        _ => "CONFIRMED",
    }
}

#[tokio::test]
async fn practitioner_feed_parses_with_every_field() {
    let w = world().await;
    let (appts, tricky) = book_mix(&w).await;
    let fx = &w.fx;
    let doc = Actor::new(Role::Practitioner).with_clinic(fx.clinic.id()).as_practitioner(fx.practitioners[0].id());
    let (from, to) = (fx.at(0, 0), fx.at(23, 59));
    let feed = PractitionerFeed { include_patient_names: true };
    let ics = w.sch.ical_for_practitioner(&doc, fx.practitioners[0].id(), from, to, feed).await.unwrap();
    let cal = parse(&ics);
    assert_eq!(cal["prodid"], "-//clinic-scheduling//clinic-core//EN");
    assert_eq!(cal["version"], "2.0");
    assert_eq!(cal["name"], "Dr 0 – appointments");
    let events = cal["events"].as_array().unwrap();
    assert_eq!(events.len(), appts.len());
    // Sanity of the mix itself.
    assert_eq!(appts[1].reschedule_count(), 2);
    assert_eq!(appts[2].status(), AppointmentStatus::Cancelled);

    let patients: Vec<&Patient> = fx.patients.iter().chain([&tricky]).collect();
    for a in &appts {
        let e = events
            .iter()
            .find(|e| e["uid"] == format!("{}@clinic-scheduling", a.id()))
            .unwrap_or_else(|| panic!("no event for {}", a.id()));
        let pt = patients.iter().find(|p| p.id() == a.patient_id()).unwrap();
        assert_eq!(e["dtstart"], z(a.slot().start()), "{e}");
        assert_eq!(e["dtend"], z(a.slot().end()));
        assert_eq!(e["dtstamp"], z(a.updated_at()));
        assert_eq!(e["last_modified"], z(a.updated_at()));
        assert_eq!(e["created"], z(a.created_at()));
        assert_eq!(e["summary"], format!("Consultation – {} {}", pt.given_name(), pt.family_name()));
        assert_eq!(e["status"], expected_status(a.status()));
        assert_eq!(e["x_status"], a.status().as_str());
        assert_eq!(e["sequence"], a.reschedule_count() as u64);
        assert_eq!(e["description"], Value::Null, "no reason or notes in a feed");
        let loc = if a.room_id().is_some() { Value::from("Room 1") } else { Value::Null };
        assert_eq!(e["location"], loc);
    }
    // The rescheduled one carries its final slot and SEQUENCE 2; the cancelled one is still listed.
    let moved = events.iter().find(|e| e["uid"] == format!("{}@clinic-scheduling", appts[1].id())).unwrap();
    assert_eq!((moved["sequence"].as_u64(), moved["dtstart"].as_str()), (Some(2), Some(z(fx.at(16, 0)).as_str())));
    // No patient names unless asked for.
    let plain = w
        .sch
        .ical_for_practitioner(&doc, fx.practitioners[0].id(), from, to, PractitionerFeed::default())
        .await
        .unwrap();
    let plain = parse(&plain);
    assert!(plain["events"].as_array().unwrap().iter().all(|e| e["summary"] == "Consultation"));
    assert!(!ics.is_empty() && !plain.to_string().contains("Given"));
}

#[tokio::test]
async fn patient_feed_names_practitioner_and_clinic_only() {
    let w = world().await;
    let (appts, _) = book_mix(&w).await;
    let fx = &w.fx;
    let me = Actor::new(Role::Patient).with_clinic(fx.clinic.id()).as_patient(fx.patients[1].id());
    let ics = w.sch.ical_for_patient(&me, fx.patients[1].id(), fx.at(0, 0), fx.at(23, 59)).await.unwrap();
    let cal = parse(&ics);
    let mut mine: Vec<&Appointment> = appts.iter().filter(|a| a.patient_id() == fx.patients[1].id()).collect();
    mine.sort_by_key(|a| (a.slot().start(), a.id()));
    assert_eq!(mine.len(), 2, "the rescheduled and the fulfilled one");
    let events = cal["events"].as_array().unwrap();
    assert_eq!(events.len(), mine.len());
    for (a, e) in mine.iter().zip(events) {
        assert_eq!(e["uid"], format!("{}@clinic-scheduling", a.id()));
        assert_eq!(e["summary"], "Consultation with Dr 0");
        assert_eq!(e["location"], "Kit Clinic");
        assert_eq!(e["sequence"], a.reschedule_count() as u64);
        assert_eq!(e["status"], expected_status(a.status()));
    }
    assert!(!ics.contains("MRN") && !ics.contains("Given1"), "no PII of the patient beyond what they booked");
}

#[tokio::test]
async fn feeds_follow_the_rbac_matrix() {
    let w = world().await;
    book_mix(&w).await;
    let fx = &w.fx;
    let c = fx.clinic.id();
    let (from, to) = (fx.at(0, 0), fx.at(23, 59));
    let p0 = fx.practitioners[0].id();
    let other_doc = Actor::new(Role::Practitioner).with_clinic(c).as_practitioner(fx.practitioners[1].id());
    let code = |r: Result<String, ClinicError>| r.expect_err("must be refused").code();
    assert_eq!(
        code(w.sch.ical_for_practitioner(&other_doc, p0, from, to, PractitionerFeed::default()).await),
        ErrorCode::Forbidden
    );
    let patient = Actor::new(Role::Patient).with_clinic(c).as_patient(fx.patients[0].id());
    assert_eq!(
        code(w.sch.ical_for_practitioner(&patient, p0, from, to, PractitionerFeed::default()).await),
        ErrorCode::Forbidden
    );
    assert_eq!(code(w.sch.ical_for_patient(&patient, fx.patients[1].id(), from, to).await), ErrorCode::Forbidden);
    let desk = Actor::new(Role::Scheduler).with_clinic(c);
    let feed = PractitionerFeed { include_patient_names: true };
    assert!(w.sch.ical_for_practitioner(&desk, p0, from, to, feed).await.is_ok());
    let elsewhere = Actor::new(Role::Scheduler).with_clinic(ClinicId::new());
    assert_eq!(code(w.sch.ical_for_patient(&elsewhere, fx.patients[0].id(), from, to).await), ErrorCode::Forbidden);
    // Bad ranges are validation errors, not panics.
    assert_eq!(code(w.sch.ical_for_patient(&desk, fx.patients[0].id(), to, from).await), ErrorCode::InvalidTimeRange);
    let far = from + Duration::days(500);
    assert_eq!(code(w.sch.ical_for_patient(&desk, fx.patients[0].id(), from, far).await), ErrorCode::InvalidTimeRange);
    assert_eq!(code(w.sch.ical_for_patient(&desk, PatientId::new(), from, to).await), ErrorCode::NotFound);
}

/// RFC 5545 §3.1's folding example and §3.3.11's escapes, unfolded and unescaped by the independent parser.
#[test]
fn writer_primitives_agree_with_the_parser() {
    let text = "Meeting: ; , \\ \"quoted\"\nsecond line — ünïcödé 🦀 ".repeat(4);
    let line = fold_line(&format!("DESCRIPTION:{}", escape_text(&text)));
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:19970901T130000Z\r\n\
         DTSTART:19970903T163000Z\r\nDTEND:19970903T190000Z\r\nSUMMARY:s\r\n{line}\r\nSTATUS:CONFIRMED\r\nSEQUENCE:0\r\n\
         CREATED:19970901T130000Z\r\nLAST-MODIFIED:19970901T130000Z\r\nX-CLINIC-STATUS:booked\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let cal = parse(&ics);
    assert_eq!(cal["events"][0]["description"], text);
}

/// 300 random texts mixing every character TEXT escaping and folding care about (and multi-octet ones at
/// every fold position) go through `escape_text` + `fold_line`; the independent parser reads each back.
#[test]
fn random_texts_survive_escaping_and_folding() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5545);
    let pool: Vec<&str> = vec![
        "a", "Z", "0", " ", ",", ";", ":", "\\", "\"", "\n", "\r\n", "é", "ß", "中", "🦀", "\u{200b}", "=", "'", "<",
    ];
    let texts: Vec<String> = (0..300)
        .map(|_| {
            let n = rng.random_range(1..160);
            let mut s: String = (0..n).map(|_| pool[rng.random_range(0..pool.len())]).collect();
            s.insert(0, 'x'); // a visible first character
            s
        })
        .collect();
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n");
    for (i, t) in texts.iter().enumerate() {
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{i}\r\nDTSTAMP:19970901T130000Z\r\nDTSTART:19970903T163000Z\r\nDTEND:19970903T190000Z\r\n\
             {}\r\nSTATUS:CONFIRMED\r\nSEQUENCE:0\r\nCREATED:19970901T130000Z\r\nLAST-MODIFIED:19970901T130000Z\r\n\
             X-CLINIC-STATUS:booked\r\nEND:VEVENT\r\n",
            fold_line(&format!("SUMMARY:{}", escape_text(t)))
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    let cal = parse(&ics);
    let events = cal["events"].as_array().unwrap();
    assert_eq!(events.len(), texts.len());
    for (t, e) in texts.iter().zip(events) {
        assert_eq!(e["summary"].as_str().unwrap(), t.replace("\r\n", "\n"), "{t:?}");
    }
}
