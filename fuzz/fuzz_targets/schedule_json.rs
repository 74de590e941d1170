//! Schedule definitions as JSON (what the server, the bindings and the test vectors accept): deserializing
//! validates (weekly hours, breaks, exceptions, RRULEs, validity range, granularity) and compiles RRULEs; a
//! valid schedule is then expanded into availability windows through a clinic zone.
//!
//! Input: 3 option bytes — zone, first expanded day after `valid_from`, number of days (up to 62) — then the
//! schedule JSON (`{"id", "clinic_id", "resource", "weekly_hours", "recurrences", …}`).
//! Checks: no panic; bad JSON or a bad schedule is a typed error; windows are well formed and the cached and
//! uncached zone paths agree (`clinic_fuzz::check_windows`).
#![no_main]

use clinic_core::Schedule;
use clinic_fuzz::{check_windows, split_options, zone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ([z, offset, span], json) = split_options::<3>(data);
    let Ok(s) = serde_json::from_slice::<Schedule>(json) else { return };
    // What deserialized must be what `Schedule::new` accepts (deserializing is validating).
    let again = Schedule::new(s.id(), s.clinic_id(), s.input().clone()).expect("a deserialized schedule is valid");
    assert_eq!(again, s);
    let from = s.input().valid_from;
    let Some(first) = from.checked_add_days(chrono::Days::new(u64::from(offset))) else { return };
    let Some(last) = first.checked_add_days(chrono::Days::new(u64::from(span % 62))) else { return };
    check_windows(&s, zone(z), first, last);
});
