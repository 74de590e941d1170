//! The benchmark data is deterministic and the workloads give sane answers — so the figures in the README
//! measure what they claim to.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use clinic_benches::{w2_hours, W1Params, W2Params, TIME_ZONE, W1, W2};
use clinic_core::zone::parse_tz;
use clinic_core::{BookingRequest, ErrorCode, ResourceRef};

fn small_w1(seed: u64) -> W1Params {
    W1Params { seed, practitioners: 7, days: 40, candidates: 3_000, patients: 500, ..W1Params::canonical() }
}

#[test]
fn w1_data_is_deterministic() {
    let a = W1::generate(&small_w1(42));
    let b = W1::generate(&small_w1(42));
    assert_eq!(a.appointments, b.appointments);
    assert_eq!(a.candidates, b.candidates);
    assert_eq!(a.candidate_types, b.candidate_types);
    assert_eq!(a.empty.practitioner_ids(), b.empty.practitioner_ids());
    assert_eq!(a.now, b.now);
    let c = W1::generate(&small_w1(43));
    assert_ne!(a.appointments, c.appointments);
    assert_ne!(a.candidates, c.candidates);
}

#[test]
fn w2_data_is_deterministic() {
    let params = W2Params { practitioners: 5, ..W2Params::canonical() };
    let a = W2::generate(&params);
    let b = W2::generate(&params);
    assert_eq!(a.appointments, b.appointments);
    assert_eq!(a.query, b.query);
    assert_eq!(a.now, b.now);
    let c = W2::generate(&W2Params { seed: params.seed + 1, ..params });
    assert_ne!(a.appointments, c.appointments);
}

#[test]
fn w1_canonical_shape_and_conflict_rate() {
    let w1 = W1::generate(&W1Params::canonical());
    // 2027 has 261 weekdays.
    assert_eq!(w1.appointments.len(), 200 * 261 * 16);
    assert_eq!(w1.candidates.len(), 100_000);
    let cal = w1.loaded();
    // Non-overlapping per practitioner: every index is a chain of disjoint intervals.
    for p in cal.practitioner_ids() {
        let idx = cal.busy_of(ResourceRef::Practitioner(p)).expect("every practitioner is booked");
        assert_eq!(idx.len(), 261 * 16);
        assert!(idx.entries().windows(2).all(|w| w[0].end <= w[1].start));
    }
    let conflicts = w1.count_conflicts(&cal);
    let rate = conflicts as f64 / w1.candidates.len() as f64;
    assert!((0.05..=0.95).contains(&rate), "conflict rate {rate}");

    // The rule-1 fast path agrees with the full rule set's practitioner conflict, candidate by candidate.
    for c in w1.candidates.iter().step_by(50) {
        let req: BookingRequest = w1.request(c);
        let (violations, _) = cal.evaluate(&req, w1.now, false);
        let full = violations.iter().any(|v| v.code == ErrorCode::SlotConflictPractitioner);
        let fast = cal.resource_conflict(
            ResourceRef::Practitioner(c.practitioner),
            &w1.candidate_types[c.type_index],
            c.start,
        );
        assert_eq!(fast, full, "{c:?}: {violations:?}");
    }
}

#[test]
fn w2_offers_slots_on_every_working_day_but_the_holidays() {
    let params = W2Params::canonical();
    let w2 = W2::generate(&params);
    assert!((0.65..=0.75).contains(&w2.occupancy), "occupancy {}", w2.occupancy);
    let tz = parse_tz(TIME_ZONE).unwrap();
    let slots = w2.calendar.find_available_slots(&w2.query, w2.now).unwrap();
    assert!(!slots.is_empty());
    assert!(slots.windows(2).all(|w| (w[0].start, w[0].practitioner_id) <= (w[1].start, w[1].practitioner_id)));

    let days: Vec<NaiveDate> = params.first_day.iter_days().take(params.days as usize).collect();
    let working: BTreeSet<NaiveDate> = days
        .iter()
        .copied()
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !params.holidays.contains(d))
        .collect();
    assert_eq!(working.len(), 22 - 2, "March 2027 from the 1st to the 30th has 22 weekdays");

    let mut by_day: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    let mut by_practitioner: BTreeMap<_, usize> = BTreeMap::new();
    let hours = w2_hours();
    for s in &slots {
        let start = s.start.with_timezone(&tz);
        let end = s.end.with_timezone(&tz);
        assert_eq!(s.end - s.start, Duration::minutes(20));
        // Inside one local window (08:00–12:00 or 13:00–17:00) on both sides of the DST switch.
        let (st, et) = (start.time(), end.time());
        assert!(hours.iter().any(|&(ws, we)| ws <= st && et <= we), "{start} – {end}");
        assert_eq!(st.format("%M").to_string().parse::<u32>().unwrap() % 5, 0);
        *by_day.entry(start.date_naive()).or_default() += 1;
        *by_practitioner.entry(s.practitioner_id).or_default() += 1;
    }
    let offered: BTreeSet<NaiveDate> = by_day.keys().copied().collect();
    assert_eq!(offered, working, "slots exactly on the working days");
    for h in &params.holidays {
        assert!(!by_day.contains_key(h), "no slot on the holiday {h}");
    }
    assert_eq!(by_practitioner.len(), w2.practitioners.len(), "every practitioner has free slots");

    // Search equals check on the benchmark data: for three practitioners, every aligned start of every day
    // is offered exactly when the conflict engine accepts it.
    let offered: BTreeSet<_> = slots.iter().map(|s| (s.practitioner_id, s.start)).collect();
    for &p in w2.practitioners.iter().take(3) {
        for d in &days {
            for &(ws, we) in &hours {
                let mut t = ws;
                while t < we {
                    let start = d.and_time(t).and_local_timezone(tz).single().unwrap().to_utc();
                    let req = BookingRequest {
                        patient_id: clinic_core::PatientId::new(),
                        practitioner_id: p,
                        room_id: None,
                        appointment_type_id: w2.query.appointment_type_id,
                        start,
                        overbook: false,
                        reschedule_of: None,
                    };
                    let accepted = w2.calendar.evaluate(&req, w2.now, false).0.is_empty();
                    assert_eq!(accepted, offered.contains(&(p, start)), "{p} {d} {t}");
                    t += Duration::minutes(5);
                }
            }
        }
    }
}
