//! RRULE strings in schedules: `Schedule::new` normalizes and compiles the RRULE value (through the `rrule`
//! crate, with DTSTART from the schedule) and refuses unbounded, empty or malformed rules with a code; a valid
//! one is expanded into windows through a clinic zone.
//!
//! Input: 10 option bytes, then the RRULE value as text (`FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10`):
//! `[zone, from_lo, from_hi, until, hour, minute, dur_lo, dur_hi, granularity, span]` — `valid_from` is
//! 2000-01-01 plus `from` days (`0xFFFF` = the last date chrono has), `until` = 0 for none, else that many ×3
//! days after `valid_from`.
//! Checks: no panic; errors carry an RRULE, duration or granularity code; windows are well formed and the
//! cached and uncached zone paths agree.
#![no_main]

use chrono::{Days, NaiveDate, NaiveTime};
use clinic_core::{ClinicId, PractitionerId, RecurringHours, ResourceRef, Schedule, ScheduleId, ScheduleInput};
use clinic_fuzz::{check_windows, split_options, zone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ([z, from_lo, from_hi, until, hour, minute, dur_lo, dur_hi, granularity, span], text) =
        split_options::<10>(data);
    let from_days = u16::from_le_bytes([from_lo, from_hi]);
    let valid_from = if from_days == u16::MAX {
        NaiveDate::MAX
    } else {
        let Some(d) =
            NaiveDate::from_ymd_opt(2000, 1, 1).and_then(|d| d.checked_add_days(Days::new(u64::from(from_days))))
        else {
            return;
        };
        d
    };
    let valid_until = match until {
        0 => None,
        n => match valid_from.checked_add_days(Days::new(u64::from(n) * 3)) {
            Some(d) => Some(d),
            None => Some(valid_from),
        },
    };
    let Some(start) = NaiveTime::from_hms_opt(u32::from(hour % 24), u32::from(minute % 60), 0) else { return };
    let input = ScheduleInput {
        resource: ResourceRef::Practitioner(PractitionerId::new()),
        weekly_hours: vec![],
        recurrences: vec![RecurringHours {
            rrule: String::from_utf8_lossy(text).into_owned(),
            start,
            duration_minutes: u32::from(u16::from_le_bytes([dur_lo, dur_hi])),
        }],
        breaks: vec![],
        exceptions: vec![],
        valid_from,
        valid_until,
        granularity_minutes: u32::from(granularity),
    };
    match Schedule::new(ScheduleId::new(), ClinicId::new(), input) {
        Ok(s) => {
            let Some(last) = valid_from.checked_add_days(Days::new(u64::from(span % 62))) else { return };
            check_windows(&s, zone(z), valid_from, last);
        }
        Err(e) => {
            let expected = e.codes().iter().all(|c| {
                matches!(
                    c.as_str(),
                    "INVALID_RRULE"
                        | "RRULE_UNBOUNDED"
                        | "RRULE_NO_OCCURRENCES"
                        | "INVALID_DURATION"
                        | "INVALID_GRANULARITY"
                )
            });
            assert!(expected, "unexpected error {:?}: {e}", e.codes());
        }
    }
});
