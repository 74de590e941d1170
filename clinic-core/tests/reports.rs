//! GenerateReport: hand-computed scenarios (DST day, clinic closure, cancellations and no-shows, a practitioner
//! filter, an empty range), bad input with stable codes, RBAC through the use case, CSV parsed back (by the
//! `csv` crate and by Python's `csv` module) and the PDF's text as the real `pdftotext` extracts it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "tools/mod.rs"]
mod tools;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use clinic_core::error::ErrorCode;
use clinic_core::ports::{AppointmentStore, BookingCommit, CatalogStore};
use clinic_core::rbac::{Actor, Role};
use clinic_core::reports::{
    compute_report, report_to_csv, report_to_pdf, CsvRow, DayFigures, Report, ReportCatalog, ReportQuery, CSV_HEADER,
};
use clinic_core::*;

// ------------------------------------------------------------------------------------------------
// The scenario (America/New_York, week 2027-W10: Mon 8 March .. Sun 14 March, spring forward on the 14th)
//
// Dr Ada Lovelace: Mon–Fri 09:00–17:00 with a 12:00–13:00 break (420 min), Sun 01:00–07:00 (6 h on the wall
//   clock, 300 real minutes on the 14th: 02:00–03:00 does not exist), absent Fri 12th 13:00–17:00.
// Dr Ben Carter: Mon and Wed 08:00–12:00 (240 min).
// The clinic is closed all of Wed 10th.
//
// Available: Ada 420+420+0+420+180+0+300 = 1740, Ben 240+0 = 240; clinic 1980.
// ------------------------------------------------------------------------------------------------

const TZ: &str = "America/New_York";

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, m, day).unwrap()
}
fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}
fn tz() -> Tz {
    TZ.parse().unwrap()
}
/// A local wall time in the clinic's zone (never a gap time in these tests).
fn local(m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    tz().from_local_datetime(&d(m, day).and_time(t(h, min))).single().unwrap().with_timezone(&Utc)
}

struct World {
    clinic: Clinic,
    ada: Practitioner,
    ben: Practitioner,
    schedules: Vec<Schedule>,
    ty: AppointmentType,
    appts: Vec<Appointment>,
}

impl World {
    fn report(&self, q: &ReportQuery) -> Result<Report, ClinicError> {
        // Ben first: the report orders practitioners itself.
        let ps = [self.ben.clone(), self.ada.clone()];
        let cat = ReportCatalog { clinic: &self.clinic, practitioners: &ps, schedules: &self.schedules };
        compute_report(&cat, &self.appts, q)
    }

    fn query(&self, from: NaiveDate, to: NaiveDate) -> ReportQuery {
        ReportQuery { clinic_id: self.clinic.id(), from, to, practitioner_ids: vec![] }
    }

    fn week(&self) -> ReportQuery {
        self.query(d(3, 8), d(3, 15))
    }

    /// A 60-minute appointment of `p` starting at `start`, created at `created`, then moved through `path`.
    fn add(&mut self, p: PractitionerId, start: DateTime<Utc>, created: DateTime<Utc>, path: Path) {
        let spec = NewAppointment {
            clinic_id: self.clinic.id(),
            patient_id: PatientId::new(),
            practitioner_id: p,
            room_id: None,
            appointment_type_id: self.ty.id(),
            slot: TimeSlot::starting_at(start, 60).unwrap(),
            reason: None,
            notes: None,
        };
        let first =
            if matches!(path, Path::Proposed) { AppointmentStatus::Proposed } else { AppointmentStatus::Booked };
        let mut a = Appointment::new(AppointmentId::new(), spec, &self.ty, first, false, created).unwrap();
        let tz = tz();
        let end = start + chrono::Duration::minutes(60);
        match path {
            Path::Proposed | Path::Booked => {}
            Path::Arrived => a.transition(AppointmentStatus::Arrived, start, tz, None, None).unwrap(),
            Path::Fulfilled => {
                a.transition(AppointmentStatus::Arrived, start, tz, None, None).unwrap();
                a.transition(AppointmentStatus::Fulfilled, end, tz, None, None).unwrap();
            }
            Path::Noshow => a.transition(AppointmentStatus::Noshow, end, tz, None, None).unwrap(),
            Path::CancelledAt(at) => a.transition(AppointmentStatus::Cancelled, at, tz, None, None).unwrap(),
        }
        self.appts.push(a);
    }
}

#[derive(Clone, Copy)]
enum Path {
    Proposed,
    Booked,
    Arrived,
    Fulfilled,
    Noshow,
    CancelledAt(DateTime<Utc>),
}

fn world() -> World {
    let clinic = Clinic::new(
        ClinicId::new(),
        ClinicInput {
            name: "Northside Clinic".into(),
            time_zone: TZ.into(),
            closures: vec![Closure::whole_day(d(3, 10), "staff training")],
            ..Default::default()
        },
    )
    .unwrap();
    let cid = clinic.id();
    let ada = Practitioner::new(PractitionerId::new(), cid, "Dr Ada Lovelace", ContactInfo::default()).unwrap();
    let ben = Practitioner::new(PractitionerId::new(), cid, "Dr Ben Carter", ContactInfo::default()).unwrap();
    let mut weekly: Vec<WeeklyHours> = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
        .into_iter()
        .map(|weekday| WeeklyHours { weekday, start: t(9, 0), end: t(17, 0) })
        .collect();
    weekly.push(WeeklyHours { weekday: Weekday::Sun, start: t(1, 0), end: t(7, 0) });
    let ada_schedule = ScheduleInput {
        resource: ResourceRef::Practitioner(ada.id()),
        weekly_hours: weekly,
        recurrences: vec![],
        breaks: vec![Break {
            weekdays: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
            start: t(12, 0),
            end: t(13, 0),
        }],
        exceptions: vec![ScheduleException {
            date: d(3, 12),
            kind: ExceptionKind::Absence,
            start: Some(t(13, 0)),
            end: Some(t(17, 0)),
            reason: "conference".into(),
        }],
        valid_from: d(1, 1),
        valid_until: None,
        granularity_minutes: 15,
    };
    let ben_schedule = ScheduleInput {
        resource: ResourceRef::Practitioner(ben.id()),
        weekly_hours: [Weekday::Mon, Weekday::Wed]
            .into_iter()
            .map(|weekday| WeeklyHours { weekday, start: t(8, 0), end: t(12, 0) })
            .collect(),
        recurrences: vec![],
        breaks: vec![],
        exceptions: vec![],
        valid_from: d(1, 1),
        valid_until: None,
        granularity_minutes: 15,
    };
    let schedules = vec![
        Schedule::new(ScheduleId::new(), cid, ada_schedule).unwrap(),
        Schedule::new(ScheduleId::new(), cid, ben_schedule).unwrap(),
    ];
    let ty = AppointmentType::new(
        AppointmentTypeId::new(),
        cid,
        AppointmentTypeInput { name: "Consult".into(), duration_minutes: 60, ..Default::default() },
    )
    .unwrap();
    let mut w = World { clinic, ada, ben, schedules, ty, appts: vec![] };
    let (a, b) = (w.ada.id(), w.ben.id());
    // Ada (booking lead in minutes in brackets)
    w.add(a, local(3, 8, 9, 0), local(3, 1, 9, 0), Path::Fulfilled); // [10080]
    w.add(a, local(3, 8, 10, 0), local(3, 7, 10, 0), Path::Noshow); // [1440]
    w.add(a, local(3, 9, 9, 0), local(3, 2, 9, 0), Path::CancelledAt(local(3, 8, 9, 0))); // [10080] cancel lead 1440
    w.add(a, local(3, 9, 11, 0), local(3, 8, 11, 0), Path::CancelledAt(local(3, 9, 10, 0))); // [1440] lead 60: late
    w.add(a, local(3, 11, 14, 0), local(3, 11, 8, 0), Path::Booked); // [360]
    w.add(a, local(3, 11, 14, 0), local(3, 10, 14, 0), Path::Booked); // [1440] same slot: counted once
                                                                      // Sun 14th 03:00 EDT = 07:00 UTC, booked Sat 03:00 EST = 08:00 UTC: 23 real hours ahead.
    w.add(a, local(3, 14, 3, 0), local(3, 13, 3, 0), Path::Fulfilled); // [1380]
    w.add(a, local(3, 12, 12, 0), local(3, 5, 12, 0), Path::Booked); // [10080] inside the break: 0 booked minutes
    w.add(a, local(3, 8, 16, 30), local(3, 8, 8, 0), Path::Arrived); // [510] half inside the hours: 30 minutes
                                                                     // Ben
    w.add(b, local(3, 8, 8, 0), local(3, 6, 8, 0), Path::Fulfilled); // [2880]
    w.add(b, local(3, 10, 8, 0), local(3, 3, 8, 0), Path::CancelledAt(local(3, 9, 8, 0))); // [10080] lead 1440
    w.add(b, local(3, 8, 11, 0), local(3, 8, 7, 0), Path::Proposed); // [240]
    w
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

// ------------------------------------------------------------------------------------------------
// Hand-computed figures
// ------------------------------------------------------------------------------------------------

#[test]
fn clinic_totals_match_hand_computation() {
    let w = world();
    let r = w.report(&w.week()).unwrap();
    let f = &r.totals;
    assert_eq!(r.time_zone, TZ);
    assert_eq!(f.appointments, 12);
    let s = f.by_status;
    assert_eq!((s.proposed, s.booked, s.arrived, s.fulfilled, s.cancelled, s.noshow), (1, 3, 1, 3, 3, 1));
    assert_eq!(f.available_minutes, 1980);
    assert_eq!(f.booked_minutes, 330);
    assert!(close(f.utilization, 330.0 / 1980.0));
    assert!(close(f.no_show_rate, 1.0 / 5.0), "noshow / (arrived + fulfilled + noshow)");
    assert!(close(f.cancellation_rate, 3.0 / 12.0));
    assert_eq!(f.late_cancellations, 1);
    assert_eq!(f.median_cancellation_lead_minutes, Some(1440.0));
    assert_eq!(f.median_booking_lead_minutes, Some(1440.0));
    // One ISO week, equal to the totals.
    assert_eq!(r.weeks.len(), 1);
    assert_eq!(r.weeks[0].week, "2027-W10");
    assert_eq!((r.weeks[0].first_date, r.weeks[0].last_date), (d(3, 8), d(3, 14)));
    assert_eq!(&r.weeks[0].figures, f);
}

#[test]
fn per_practitioner_figures() {
    let w = world();
    let r = w.report(&w.week()).unwrap();
    let names: Vec<_> = r.practitioners.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Dr Ada Lovelace", "Dr Ben Carter"], "sorted by name");
    let ada = &r.practitioners[0].totals;
    assert_eq!(ada.appointments, 9);
    assert_eq!(ada.available_minutes, 1740);
    assert_eq!(ada.booked_minutes, 210);
    assert!(close(ada.utilization, 210.0 / 1740.0));
    assert!(close(ada.no_show_rate, 0.25));
    assert!(close(ada.cancellation_rate, 2.0 / 9.0));
    assert_eq!(ada.late_cancellations, 1);
    assert_eq!(ada.median_cancellation_lead_minutes, Some(750.0), "mean of 60 and 1440");
    assert_eq!(ada.median_booking_lead_minutes, Some(1440.0));
    let ben = &r.practitioners[1].totals;
    assert_eq!(ben.appointments, 3);
    assert_eq!((ben.available_minutes, ben.booked_minutes), (240, 120));
    assert_eq!(ben.utilization, Some(0.5));
    assert_eq!(ben.no_show_rate, Some(0.0));
    assert_eq!(ben.late_cancellations, 0);
    assert_eq!(ben.median_cancellation_lead_minutes, Some(1440.0));
    assert_eq!(ben.median_booking_lead_minutes, Some(2880.0));
}

#[test]
fn dst_day_counts_real_minutes() {
    let w = world();
    let r = w.report(&w.week()).unwrap();
    let ada = &r.practitioners[0];
    let sun = ada.days.iter().find(|x| x.date == d(3, 14)).unwrap();
    // 01:00–07:00 on the wall clock is 6 h naively but 5 h of real time on the spring-forward day.
    assert_eq!(sun.figures.available_minutes, 300);
    assert_eq!(sun.figures.booked_minutes, 60);
    assert!(close(sun.figures.utilization, 0.2));
    // The booking lead across the switch is in real minutes too (23 h, not 24).
    assert_eq!(sun.figures.median_booking_lead_minutes, Some(1380.0));
    // The same hours a week later (no switch) are 360.
    let later = w.report(&w.query(d(3, 21), d(3, 22))).unwrap();
    assert_eq!(later.practitioners[0].totals.available_minutes, 360);
}

#[test]
fn closure_and_absence_days() {
    let w = world();
    let r = w.report(&w.week()).unwrap();
    let day = |x: NaiveDate| r.days.iter().find(|y| y.date == x).unwrap().figures.clone();
    // Wednesday: the clinic is closed, so nobody is available and utilization is undefined, not NaN.
    let wed = day(d(3, 10));
    assert_eq!((wed.available_minutes, wed.booked_minutes), (0, 0));
    assert_eq!(wed.utilization, None);
    assert_eq!((wed.appointments, wed.by_status.cancelled), (1, 1), "Ben's cancelled booking still counts");
    // Friday: Ada's afternoon absence leaves 09:00–12:00; the booking in the break adds no booked minutes.
    let fri = day(d(3, 12));
    assert_eq!((fri.available_minutes, fri.booked_minutes, fri.appointments), (180, 0, 1));
    assert_eq!(fri.utilization, Some(0.0));
    // Monday: both practitioners; Ada 60 (fulfilled) + 30 (the half inside her hours), Ben 60 + 60.
    let mon = day(d(3, 8));
    assert_eq!((mon.available_minutes, mon.booked_minutes), (660, 210));
    // Saturday: nobody works.
    assert_eq!(day(d(3, 13)).available_minutes, 0);
    let avail: Vec<i64> = r.days.iter().map(|x| x.figures.available_minutes).collect();
    assert_eq!(avail, [660, 420, 0, 420, 180, 0, 300]);
}

#[test]
fn practitioner_filter_reports_only_them() {
    let w = world();
    let q = ReportQuery { practitioner_ids: vec![w.ben.id(), w.ben.id()], ..w.week() };
    let r = w.report(&q).unwrap();
    assert_eq!(r.practitioner_ids, [w.ben.id()], "duplicates collapse");
    assert_eq!(r.practitioners.len(), 1);
    assert_eq!(r.totals, r.practitioners[0].totals);
    assert_eq!((r.totals.appointments, r.totals.available_minutes, r.totals.booked_minutes), (3, 240, 120));
    assert!(close(r.totals.cancellation_rate, 1.0 / 3.0));
}

#[test]
fn empty_range_has_no_figures_and_no_nan() {
    let w = world();
    let r = w.report(&w.query(d(3, 9), d(3, 9))).unwrap();
    assert!(r.days.is_empty() && r.weeks.is_empty());
    assert_eq!(r.last_date(), None);
    assert_eq!(r.practitioners.len(), 2);
    let f = &r.totals;
    assert_eq!((f.appointments, f.available_minutes, f.booked_minutes), (0, 0, 0));
    for v in [
        f.utilization,
        f.no_show_rate,
        f.cancellation_rate,
        f.median_cancellation_lead_minutes,
        f.median_booking_lead_minutes,
    ] {
        assert_eq!(v, None);
    }
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["totals"]["utilization"].is_null());
    // Outputs still render.
    assert!(report_to_csv(&r).unwrap().lines().count() == 1 + 3);
    assert!(report_to_pdf(&r).unwrap().starts_with(b"%PDF-"));
}

#[test]
fn json_field_names_are_stable_snake_case() {
    let w = world();
    let r = w.report(&w.week()).unwrap();
    let json = serde_json::to_value(&r).unwrap();
    for k in ["clinic_id", "clinic_name", "time_zone", "from", "to", "practitioner_ids", "totals", "days", "weeks"] {
        assert!(json.get(k).is_some(), "{k}");
    }
    let totals = &json["totals"];
    for k in [
        "appointments",
        "by_status",
        "available_minutes",
        "booked_minutes",
        "utilization",
        "no_show_rate",
        "cancellation_rate",
        "late_cancellations",
        "median_cancellation_lead_minutes",
        "median_booking_lead_minutes",
    ] {
        assert!(totals.get(k).is_some(), "{k}");
    }
    assert_eq!(totals["by_status"]["noshow"], 1);
    assert_eq!(json["weeks"][0]["week"], "2027-W10");
    assert_eq!(json["from"], "2027-03-08");
    let back: Report = serde_json::from_value(json).unwrap();
    assert_eq!(back, r);
}

// ------------------------------------------------------------------------------------------------
// Bad input: typed errors with stable codes
// ------------------------------------------------------------------------------------------------

#[test]
fn bad_queries_have_codes() {
    let w = world();
    let code = |q: ReportQuery| w.report(&q).unwrap_err().code().as_str();
    assert_eq!(code(w.query(d(3, 15), d(3, 8))), "REPORT_RANGE_INVERTED");
    let year = w.query(d(1, 1), NaiveDate::from_ymd_opt(2028, 1, 2).unwrap());
    assert_eq!(year.days(), 366);
    assert!(w.report(&year).is_ok(), "366 days is the limit");
    assert_eq!(code(w.query(d(1, 1), NaiveDate::from_ymd_opt(2028, 1, 3).unwrap())), "REPORT_RANGE_TOO_LONG");
    let unknown = ReportQuery { practitioner_ids: vec![w.ada.id(), PractitionerId::new()], ..w.week() };
    let e = w.report(&unknown).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnknownPractitioner);
    match e {
        ClinicError::Validation(v) => assert_eq!(v.errors[0].field, "practitioner_ids[1]"),
        other => panic!("{other:?}"),
    }
    let far = ReportQuery { from: NaiveDate::MIN, to: NaiveDate::MAX, ..w.week() };
    assert_eq!(code(far), "INVALID_DATE");
    let other_clinic = ReportQuery { clinic_id: ClinicId::new(), ..w.week() };
    assert_eq!(code(other_clinic), "CLINIC_MISMATCH");
    // Every code has its wire form.
    for c in [ErrorCode::ReportRangeInverted, ErrorCode::ReportRangeTooLong, ErrorCode::UnknownPractitioner] {
        assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
    }
}

// ------------------------------------------------------------------------------------------------
// The use case: loading through the store ports, RBAC
// ------------------------------------------------------------------------------------------------

async fn seeded(w: &World) -> Scheduler<InMemoryStore> {
    let store = Arc::new(InMemoryStore::new());
    store.put_clinic(&w.clinic).await.unwrap();
    store.put_practitioner(&w.ada).await.unwrap();
    store.put_practitioner(&w.ben).await.unwrap();
    store.put_appointment_type(&w.ty).await.unwrap();
    for s in &w.schedules {
        store.put_schedule(s).await.unwrap();
    }
    for a in &w.appts {
        let c = BookingCommit { guards: vec![], appointment: a.clone(), expected_version: None };
        store.commit_booking(&c).await.unwrap();
    }
    Scheduler::new(store)
}

#[tokio::test]
async fn use_case_loads_through_ports_and_matches_the_pure_function() {
    let w = world();
    let sch = seeded(&w).await;
    let admin = Actor::new(Role::Admin).with_clinic(w.clinic.id());
    let r = sch.generate_report(&admin, &w.week()).await.unwrap();
    assert_eq!(r, w.report(&w.week()).unwrap());
    let scheduler = Actor::new(Role::Scheduler).with_clinic(w.clinic.id());
    let q = ReportQuery { practitioner_ids: vec![w.ada.id()], ..w.week() };
    assert_eq!(sch.generate_report(&scheduler, &q).await.unwrap(), w.report(&q).unwrap());
    let code = |r: Result<Report, ClinicError>| r.unwrap_err().code().as_str();
    assert_eq!(code(sch.generate_report(&admin, &w.query(d(3, 15), d(3, 8))).await), "REPORT_RANGE_INVERTED");
    let unknown = ReportQuery { practitioner_ids: vec![PractitionerId::new()], ..w.week() };
    assert_eq!(code(sch.generate_report(&admin, &unknown).await), "UNKNOWN_PRACTITIONER");
}

#[tokio::test]
async fn practitioners_see_only_their_own_figures() {
    let w = world();
    let sch = seeded(&w).await;
    let ada = Actor::new(Role::Practitioner).with_clinic(w.clinic.id()).as_practitioner(w.ada.id());
    let r = sch.generate_report(&ada, &w.week()).await.unwrap();
    assert_eq!(r.practitioner_ids, [w.ada.id()], "no filter narrows to their own");
    assert_eq!(r.totals.available_minutes, 1740);
    let code = |r: Result<Report, ClinicError>| r.unwrap_err().code().as_str();
    let theirs = ReportQuery { practitioner_ids: vec![w.ben.id()], ..w.week() };
    assert_eq!(code(sch.generate_report(&ada, &theirs).await), "FORBIDDEN");
    let both = ReportQuery { practitioner_ids: vec![w.ada.id(), w.ben.id()], ..w.week() };
    assert_eq!(code(sch.generate_report(&ada, &both).await), "FORBIDDEN", "every named practitioner is checked");
    let patient = Actor::new(Role::Patient).with_clinic(w.clinic.id()).as_patient(PatientId::new());
    assert_eq!(code(sch.generate_report(&patient, &w.week()).await), "FORBIDDEN");
    let elsewhere = Actor::new(Role::Admin).with_clinic(ClinicId::new());
    assert_eq!(code(sch.generate_report(&elsewhere, &w.week()).await), "FORBIDDEN");
    let unbound = Actor::new(Role::Practitioner).with_clinic(w.clinic.id());
    assert_eq!(code(sch.generate_report(&unbound, &w.week()).await), "FORBIDDEN");
}

// ------------------------------------------------------------------------------------------------
// CSV
// ------------------------------------------------------------------------------------------------

#[test]
fn csv_parses_back_with_the_csv_crate() {
    let w = world();
    let r = w.report(&w.week()).unwrap();
    let text = report_to_csv(&r).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, CSV_HEADER);
    let rows: Vec<CsvRow> = rd.deserialize().collect::<Result<_, _>>().unwrap();
    // Per scope: the total, 7 days, 1 week; the clinic and two practitioners.
    assert_eq!(rows.len(), 3 * 9);
    let total = &rows[0];
    assert_eq!((total.scope.as_str(), total.period_kind.as_str(), total.period.as_str()), ("clinic", "range", "total"));
    assert_eq!((total.first_date, total.last_date), (Some(d(3, 8)), Some(d(3, 14))));
    assert_eq!((total.appointments, total.available_minutes, total.booked_minutes), (12, 1980, 330));
    assert_eq!((total.cancelled, total.noshow, total.late_cancellations), (3, 1, 1));
    assert!(close(total.utilization, 1.0 / 6.0));
    assert!(close(total.no_show_rate, 0.2));
    assert_eq!(total.median_booking_lead_minutes, Some(1440.0));
    let wed = rows.iter().find(|x| x.scope == "clinic" && x.period == "2027-03-10").unwrap();
    assert_eq!(wed.utilization, None, "an empty cell");
    let sun = rows.iter().find(|x| x.practitioner_name == "Dr Ada Lovelace" && x.period == "2027-03-14").unwrap();
    assert_eq!((sun.available_minutes, sun.practitioner_id.clone()), (300, w.ada.id().to_string()));
    let week = rows.iter().find(|x| x.practitioner_name == "Dr Ben Carter" && x.period_kind == "week").unwrap();
    assert_eq!((week.period.as_str(), week.booked_minutes), ("2027-W10", 120));
}

#[test]
fn csv_parses_back_with_python() {
    let w = world();
    let text = report_to_csv(&w.report(&w.week()).unwrap()).unwrap();
    let script = r#"
import csv, sys
rows = list(csv.DictReader(sys.stdin))
t = rows[0]
wed = [r for r in rows if r["scope"] == "clinic" and r["period"] == "2027-03-10"][0]
print(len(rows), t["available_minutes"], t["booked_minutes"], round(float(t["utilization"]), 6), repr(wed["utilization"]))
"#;
    let out = String::from_utf8(tools::run_python(script, &[], text.as_bytes())).unwrap();
    assert_eq!(out.trim(), "27 1980 330 0.166667 ''");
}

#[test]
fn csv_defuses_formula_names() {
    let mut w = world();
    w.ben = Practitioner::new(w.ben.id(), w.clinic.id(), "=HYPERLINK(\"x\")", ContactInfo::default()).unwrap();
    let text = report_to_csv(&w.report(&w.week()).unwrap()).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<CsvRow> = rd.deserialize().collect::<Result<_, _>>().unwrap();
    assert!(rows.iter().any(|r| r.practitioner_name == "'=HYPERLINK(\"x\")"));
    assert!(rows.iter().all(|r| !r.practitioner_name.starts_with('=')));
}

// ------------------------------------------------------------------------------------------------
// PDF, read back with pdftotext
// ------------------------------------------------------------------------------------------------

/// pdftotext's text with every run of whitespace collapsed to one space (column widths are layout detail).
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn pdf_text_has_the_figures() {
    let w = world();
    let r = w.report(&w.week()).unwrap();
    let pdf = report_to_pdf(&r).unwrap();
    let text = squeeze(&tools::pdf_text(&pdf));
    for want in [
        "Clinic report - Northside Clinic",
        "Range: 2027-03-08 to 2027-03-14 (inclusive), local time zone America/New_York",
        "Practitioners: Dr Ada Lovelace, Dr Ben Carter",
        "Appointments: 12",
        "By status: proposed 1, booked 3, arrived 1, fulfilled 3, cancelled 3, no-show 1",
        "Utilization: 16.7% (330 of 1980 available minutes booked)",
        "No-show rate: 20.0% (1 of 5 with recorded attendance)",
        "Cancellation rate: 25.0% (3 of 12); late cancellations (under 24 h): 1",
        "Median cancellation lead time: 1440 min (1.0 d)",
        "Median booking lead time: 1440 min (1.0 d)",
        // Appointments by status, per practitioner: total, proposed, booked, arrived, fulfilled, cancelled, no-show.
        "Dr Ada Lovelace 9 0 3 1 2 2 1",
        "Dr Ben Carter 3 1 0 0 1 1 0",
        "All selected 12 1 3 1 3 3 1",
        // Utilization and rates.
        "Dr Ada Lovelace 1740 210 12.1% 25.0% 22.2% 1 12.5 h 1.0 d",
        "Dr Ben Carter 240 120 50.0% 0.0% 33.3% 0 1.0 d 2.0 d",
        // Per week and per day.
        "2027-W10 2027-03-08 to 2027-03-14 1980 330 16.7% 12 20.0% 25.0%",
        "2027-03-10 Wed 0 0 n/a 1 0 1",
        "2027-03-14 Sun 300 60 20.0% 1 0 0",
        "Dr Ben Carter 2027-W10 240 120 50.0% 3 0.0% 33.3%",
        "page 1 of 1",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
}

#[test]
fn pdf_long_report_spans_pages_with_repeated_headers() {
    let w = world();
    let q = w.query(d(1, 1), NaiveDate::from_ymd_opt(2028, 1, 1).unwrap());
    let r = w.report(&q).unwrap();
    assert_eq!(r.days.len(), 365);
    assert_eq!(r.weeks.len(), 53, "2026-W53 (Jan 1-3) through 2027-W52");
    let raw = tools::pdf_text(&report_to_pdf(&r).unwrap());
    let text = squeeze(&raw);
    let pages = raw.matches('\u{c}').count().max(1);
    assert!(pages >= 5, "{pages} pages");
    assert!(text.contains(&format!("page {pages} of {pages}")), "footer numbering");
    assert!(text.matches("Date Day Avail min Booked min").count() >= 3, "day table header repeated");
    assert!(text.contains("2027-12-31 Fri"), "last day present");
    assert!(text.contains("2026-W53"));
}

#[test]
fn pdf_text_of_non_latin_names_does_not_fail() {
    let mut w = world();
    w.ben = Practitioner::new(w.ben.id(), w.clinic.id(), "Dr Zoë Müller 李", ContactInfo::default()).unwrap();
    let text = squeeze(&tools::pdf_text(&report_to_pdf(&w.report(&w.week()).unwrap()).unwrap()));
    assert!(text.contains("Dr Zoë Müller ?"), "Latin-1 kept, the rest replaced: {text}");
}

// ------------------------------------------------------------------------------------------------
// More edges: fall-back day, a partial closure, a window across local midnight, invariants
// ------------------------------------------------------------------------------------------------

#[test]
fn fall_back_day_has_an_extra_hour() {
    let w = world();
    // Sun 7 Nov 2027: 01:00–07:00 on the wall clock holds 01:00–02:00 twice: 7 real hours.
    let r = w.report(&w.query(d(11, 7), d(11, 8))).unwrap();
    assert_eq!(r.practitioners[0].totals.available_minutes, 420);
    assert_eq!(r.weeks[0].week, "2027-W44");
}

#[test]
fn partial_closure_cuts_available_and_booked_minutes() {
    let mut w = world();
    let mut input = ClinicInput {
        name: w.clinic.name().into(),
        time_zone: TZ.into(),
        closures: w.clinic.closures().to_vec(),
        ..Default::default()
    };
    input.closures.push(Closure { date: d(3, 11), start: Some(t(13, 0)), end: Some(t(15, 0)), reason: "drill".into() });
    w.clinic = w.clinic.updated(input).unwrap();
    let r = w.report(&w.week()).unwrap();
    let thu = &r.practitioners[0].days.iter().find(|x| x.date == d(3, 11)).unwrap().figures;
    // 09:00–12:00 and 15:00–17:00 remain; the two 14:00 bookings fall in the closure.
    assert_eq!((thu.available_minutes, thu.booked_minutes, thu.appointments), (300, 0, 2));
}

#[test]
fn window_across_midnight_is_split_between_days() {
    let w = world();
    let night = ScheduleInput {
        resource: ResourceRef::Practitioner(w.ben.id()),
        weekly_hours: vec![],
        recurrences: vec![RecurringHours {
            rrule: "FREQ=DAILY;COUNT=400".into(),
            start: t(22, 0),
            duration_minutes: 240,
        }],
        breaks: vec![],
        exceptions: vec![],
        valid_from: d(6, 1),
        valid_until: None,
        granularity_minutes: 15,
    };
    let mut schedules = w.schedules.clone();
    schedules.push(Schedule::new(ScheduleId::new(), w.clinic.id(), night).unwrap());
    let ps = [w.ben.clone()];
    let cat = ReportCatalog { clinic: &w.clinic, practitioners: &ps, schedules: &schedules };
    // Tue 15 June alone: 00:00–02:00 from Monday night's window + 22:00–24:00 of its own (Ben has no Tuesday
    // hours). An appointment Mon 23:30–00:30 puts 30 minutes on each day; only Monday counts the appointment.
    let mut w2 = world_clone(&w);
    w2.appts.clear();
    w2.add(w.ben.id(), local(6, 14, 23, 30), local(6, 1, 9, 0), Path::Booked);
    let q = w.query(d(6, 15), d(6, 16));
    let r = compute_report(&cat, &w2.appts, &q).unwrap();
    let f = &r.totals;
    assert_eq!((f.available_minutes, f.booked_minutes, f.appointments), (240, 30, 0));
    let q = w.query(d(6, 14), d(6, 16));
    let r = compute_report(&cat, &w2.appts, &q).unwrap();
    let mon = &r.days[0].figures;
    // Monday: 08:00–12:00 weekly + 00:00–02:00 (Sunday night) + 22:00–24:00.
    assert_eq!((mon.available_minutes, mon.booked_minutes, mon.appointments), (480, 30, 1));
}

fn world_clone(w: &World) -> World {
    World {
        clinic: w.clinic.clone(),
        ada: w.ada.clone(),
        ben: w.ben.clone(),
        schedules: w.schedules.clone(),
        ty: w.ty.clone(),
        appts: w.appts.clone(),
    }
}

mod invariants {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Whatever the appointments, minutes add up across days, weeks and practitioners, booked never exceeds
        /// available, and every ratio is a finite number in [0, 1] or absent.
        #[test]
        fn figures_are_consistent(
            appts in proptest::collection::vec((0u8..2, 0i64..(21 * 96), 0u8..6, 0i64..(14 * 96), 0i64..(30 * 96)), 0..40),
            from in 0u64..10, len in 0u64..20,
        ) {
            let mut w = world();
            w.appts.clear();
            let base = local(3, 1, 0, 0);
            for (who, q, status, created_back, cancel_back) in appts {
                let p = if who == 0 { w.ada.id() } else { w.ben.id() };
                let start = base + chrono::Duration::minutes(q * 15);
                let created = start - chrono::Duration::minutes(created_back * 15);
                let path = match status {
                    0 => Path::Proposed,
                    1 => Path::Booked,
                    2 => Path::Arrived,
                    3 => Path::Fulfilled,
                    4 => Path::Noshow,
                    _ => Path::CancelledAt(start - chrono::Duration::minutes(cancel_back * 15)),
                };
                w.add(p, start, created, path);
            }
            let from = d(3, 1).checked_add_days(chrono::Days::new(from)).unwrap();
            let to = from.checked_add_days(chrono::Days::new(len)).unwrap();
            let r = w.report(&w.query(from, to)).unwrap();
            let all = std::iter::once(&r.totals)
                .chain(r.days.iter().map(|x| &x.figures))
                .chain(r.weeks.iter().map(|x| &x.figures))
                .chain(r.practitioners.iter().flat_map(|p| {
                    std::iter::once(&p.totals).chain(p.days.iter().map(|x| &x.figures)).chain(p.weeks.iter().map(|x| &x.figures))
                }));
            for f in all {
                prop_assert!(0 <= f.booked_minutes && f.booked_minutes <= f.available_minutes);
                prop_assert_eq!(f.appointments, f.by_status.total());
                for v in [f.utilization, f.no_show_rate, f.cancellation_rate].into_iter().flatten() {
                    prop_assert!(v.is_finite() && (0.0..=1.0).contains(&v));
                }
                for v in [f.median_cancellation_lead_minutes, f.median_booking_lead_minutes].into_iter().flatten() {
                    prop_assert!(v.is_finite());
                }
            }
            let sum = |v: &[DayFigures]| v.iter().map(|x| x.figures.available_minutes).sum::<i64>();
            prop_assert_eq!(sum(&r.days), r.totals.available_minutes);
            prop_assert_eq!(r.weeks.iter().map(|x| x.figures.booked_minutes).sum::<i64>(), r.totals.booked_minutes);
            let per_p: i64 = r.practitioners.iter().map(|p| p.totals.booked_minutes).sum();
            prop_assert_eq!(per_p, r.totals.booked_minutes);
            prop_assert_eq!(r.practitioners.iter().map(|p| p.totals.appointments).sum::<u64>(), r.totals.appointments);
            prop_assert_eq!(r.days.len() as u64, len);
        }
    }
}
