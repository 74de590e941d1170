//! The shared test-vector format (`test-vectors/*.json`, also read by the Python, Node and WASM suites):
//! `vectors::Scenario::from_json`, the scenario's calendar, and every case run through the engine.
//!
//! Input: a scenario JSON file. Seeds are a few of the real vectors.
//! Checks: no panic; a scenario that loads runs every case to a verdict or a typed error; and DESIGN.md §3's
//! promise that "a slot that search offers is always bookable": every offer of a search case (the first 64) is
//! accepted by `Calendar::check` at the same `now`, for the query's patient and room.
#![no_main]

use clinic_core::vectors::{run_scenario, Case, Scenario};
use clinic_core::{BookingRequest, PatientId};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(s) = Scenario::from_json(text) else { return };
    let Ok(cal) = s.calendar() else { return };
    let results = run_scenario(&s).expect("the calendar loaded once, so it loads again");
    assert_eq!(results.len(), s.cases.len(), "one result per case");
    for c in &s.cases {
        let Case::Search { query, .. } = c else { continue };
        let Ok(offers) = cal.find_available_slots(query, s.now) else { continue };
        let patient_id = query.patient_id.unwrap_or_else(PatientId::new);
        for o in offers.iter().take(64) {
            let req = BookingRequest {
                patient_id,
                practitioner_id: o.practitioner_id,
                room_id: query.room_id,
                appointment_type_id: query.appointment_type_id,
                start: o.start,
                overbook: false,
                reschedule_of: query.exclude,
            };
            let (violations, _) = cal.evaluate(&req, s.now, false);
            assert!(violations.is_empty(), "search offered {o:?} but the engine refuses it: {violations:?}");
        }
    }
});
