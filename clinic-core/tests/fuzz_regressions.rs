//! Regression tests for what fuzzing (`fuzz/`, README "Fuzzing") found in the core. Each test names the target
//! that found the problem and replays its minimized input as a plain test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use clinic_core::ports::{AppointmentStore, FixedClock};
use clinic_core::rbac::Actor;
use clinic_core::testkit::seed;
use clinic_core::*;

/// `booking_sequence`: a reschedule accepted only through the overbooking override (rule 6) left the moved
/// appointment unflagged, so two active appointments of one practitioner overlapped with nothing telling the
/// audit log (or a later reader) that the override allowed it. A create sets the flag; a reschedule must too —
/// and a later ordinary move to a free slot clears it, since the flag describes the slot the appointment holds.
#[tokio::test]
async fn reschedule_through_overbooking_is_flagged() {
    let store = Arc::new(InMemoryStore::new());
    let fx = seed(store.clone(), 2).await;
    let sch = Scheduler::new(store.clone()).with_clock(Arc::new(FixedClock::new(fx.now)));
    let admin = Actor::system();
    let a = sch.create_appointment(&admin, fx.request(0, 0, &fx.individual, fx.at(10, 0))).await.unwrap();
    let b = sch.create_appointment(&admin, fx.request(1, 0, &fx.individual, fx.at(11, 0))).await.unwrap();
    assert!(!a.overbooked() && !b.overbooked());

    let onto_a = RescheduleAppointment {
        appointment_id: b.id(),
        start: fx.at(10, 0),
        practitioner_id: None,
        room_id: None,
        overbook: true,
        expected_version: None,
    };
    let moved = sch.reschedule_appointment(&admin, onto_a).await.unwrap();
    assert!(moved.overbooked(), "moved onto a booked slot only through the override");
    let stored = store.get_appointment(b.id()).await.unwrap().unwrap();
    assert!(stored.overbooked(), "the stored appointment carries the flag");

    let away = RescheduleAppointment {
        appointment_id: b.id(),
        start: fx.at(14, 0),
        practitioner_id: None,
        room_id: None,
        overbook: false,
        expected_version: None,
    };
    let moved = sch.reschedule_appointment(&admin, away).await.unwrap();
    assert!(!moved.overbooked(), "an ordinary move to a free slot needs no override");
}

/// `rrule`: a BYDAY value with a multi-byte character made the `rrule` crate panic (it slices by byte).
#[test]
fn non_ascii_rrule_is_an_error_not_a_panic() {
    use chrono::{NaiveDate, NaiveTime};
    for rule in ["FREQ=WEEKLY;BYDAY=MO,T\u{fffd}\u{fffd}U,FR", "FREQ=WEEKLY;BYDAY=MÖ;COUNT=3", "FREQ=DAILY;COUNT=３"]
    {
        let input = ScheduleInput {
            resource: ResourceRef::Practitioner(PractitionerId::new()),
            weekly_hours: vec![],
            recurrences: vec![RecurringHours {
                rrule: rule.into(),
                start: NaiveTime::from_hms_opt(1, 30, 0).unwrap(),
                duration_minutes: 210,
            }],
            breaks: vec![],
            exceptions: vec![],
            valid_from: NaiveDate::from_ymd_opt(2027, 3, 8).unwrap(),
            valid_until: NaiveDate::from_ymd_opt(2027, 7, 6),
            granularity_minutes: 15,
        };
        let e = Schedule::new(ScheduleId::new(), ClinicId::new(), input).unwrap_err();
        assert_eq!(e.codes(), [ErrorCode::InvalidRrule], "{rule}: {e}");
    }
}

fn xls_error(bytes: &[u8]) -> ClinicError {
    let opts = clinic_core::import::ImportOptions::default();
    clinic_core::import::open_bytes(bytes, &opts).map(|_| ()).unwrap_err()
}

/// `import_spreadsheet`: an XLS whose container names a sector far beyond the file made calamine allocate
/// 2 TB and abort the process. The container is now checked first (`import::cfb_check`).
#[test]
fn xls_naming_a_sector_beyond_the_file_is_refused() {
    let bytes = include_bytes!("fixtures/fuzz/xls-sector-beyond-file.xls");
    let e = xls_error(bytes);
    assert_eq!(e.code(), ErrorCode::ImportMalformedFile, "{e}");
}

/// The same check refuses a directory chain that loops (calamine would follow it forever) and lets the
/// untouched file — written by xlwt — through.
#[test]
fn xls_with_a_looping_sector_chain_is_refused_and_a_good_one_opens() {
    let good = include_bytes!("fixtures/fuzz/xlwt-patients.xls").to_vec();
    let opts = clinic_core::import::ImportOptions::default();
    let rows: Vec<_> = clinic_core::import::PatientRows::from_bytes(&good, ClinicId::new(), &opts).unwrap().collect();
    assert_eq!(rows.len(), 2, "the xlwt file has two data rows");

    let u32_at = |b: &[u8], o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap()) as usize;
    let mut looping = good.clone();
    let dir_start = u32_at(&looping, 48);
    let fat_sector = u32_at(&looping, 76);
    let entry = 512 + fat_sector * 512 + dir_start * 4; // the FAT entry that links the directory's next sector
    looping[entry..entry + 4].copy_from_slice(&(dir_start as u32).to_le_bytes());
    let e = xls_error(&looping);
    assert_eq!(e.code(), ErrorCode::ImportMalformedFile, "{e}");
    assert!(e.to_string().contains("loops"), "{e}");
}

/// `import_spreadsheet`: a file ending inside its directory sector made calamine slice a short directory entry
/// and panic.
#[test]
fn xls_cut_inside_its_directory_is_refused() {
    let good = include_bytes!("fixtures/fuzz/xlwt-patients.xls");
    let dir_start = u32::from_le_bytes(good[48..52].try_into().unwrap()) as usize;
    let cut = &good[..512 + dir_start * 512 + 100];
    let e = xls_error(cut);
    assert_eq!(e.code(), ErrorCode::ImportMalformedFile, "{e}");
}

/// calamine 0.31's BIFF reader indexed a slice with a length taken from the file (`xls.rs:442`) and panicked on
/// this input, found by the `import_spreadsheet` fuzz target; calamine 0.38 checks it. Opening and reading every
/// row must end in rows or a typed import error.
#[test]
fn xls_record_with_a_length_beyond_its_data_is_not_a_panic() {
    let bytes = include_bytes!("fixtures/fuzz/calamine-biff-slice-panic.bin");
    let opts = clinic_core::import::ImportOptions::default();
    if let Ok(table) = clinic_core::import::open_bytes(bytes, &opts) {
        for row in table.records {
            if let Err(e) = row {
                assert!(e.code.as_str().starts_with("IMPORT_"), "{e:?}");
            }
        }
    }
}

/// calamine 0.38 reserves room for a sheet's whole declared DIMENSIONS box before reading a cell; this file
/// (found by `import_spreadsheet`) declares about 4 billion rows and made the process abort on the allocation.
/// The container check now refuses such a record.
#[test]
fn xls_declaring_billions_of_cells_is_refused_before_calamine() {
    let e = xls_error(include_bytes!("fixtures/fuzz/xls-dimensions-four-billion-rows.xls"));
    assert_eq!(e.code(), ErrorCode::ImportMalformedFile, "{e}");
    assert!(e.to_string().contains("dimensions"), "{e}");
}

/// `schedule_json` (the input is now a seed, `fuzz/corpus/schedule_json/regression_overlapping_hours_break`;
/// minimized here): two weekly hours on the same day and a lunch break made `Schedule::windows` return the
/// windows out of order — each raw window had the break cut out of it separately, so the second window's
/// morning piece came after the first one's afternoon.
/// The fuzzer found it on a schedule valid from the year 1013 in Asia/Kathmandu (local mean time, +5:41:16), but
/// the date and zone were incidental: the same schedule in 2027 broke the same way.
#[test]
fn overlapping_weekly_hours_with_a_break_give_sorted_windows() {
    use chrono::NaiveDate;
    use clinic_core::zone::ZoneDays;
    for (valid_from, zone) in [("1013-01-01", "Asia/Kathmandu"), ("2027-01-04", "Europe/London")] {
        let json = format!(
            r#"{{"id": "00000000-0000-0000-0000-000000000041", "clinic_id": "00000000-0000-0000-0000-000000000001",
                "resource": {{"kind": "practitioner", "id": "00000000-0000-0000-0000-000000000011"}},
                "weekly_hours": [{{"weekday": "Thu", "start": "09:00:00", "end": "17:00:00"}},
                                 {{"weekday": "Thu", "start": "09:00:00", "end": "17:00:00"}}],
                "breaks": [{{"start": "12:00:00", "end": "13:00:00"}}],
                "valid_from": "{valid_from}", "granularity_minutes": 15}}"#
        );
        let s: Schedule = serde_json::from_str(&json).unwrap();
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        let first = NaiveDate::parse_from_str(valid_from, "%Y-%m-%d").unwrap();
        let last = first + chrono::Days::new(13);
        let w = s.windows(&ZoneDays::new(tz, first, last.succ_opt().unwrap()), first, last);
        // Two Thursdays × two identical windows × (morning, afternoon).
        assert_eq!(w.len(), 8, "{zone} {valid_from}: {w:?}");
        assert!(w.is_sorted(), "{zone} {valid_from}: windows out of order: {w:?}");
        for pair in w.chunks(2) {
            assert_eq!(pair[0], pair[1], "the two identical weekly hours give identical pieces");
        }
        assert_eq!(w[0].end - w[0].start, 180, "09:00–12:00");
        assert_eq!(w[2].end - w[2].start, 240, "13:00–17:00");
    }
}

/// `import_spreadsheet` (the input is also a seed, `fuzz/corpus/import_spreadsheet/regression_xls_sst_cut_short`):
/// a shared string table whose string declares an extended-string block its record is too short for made
/// calamine 0.38 slice past the record (`utils.rs:43`, `read_i32` from `read_rich_extended_string`) and panic.
/// The container is sound, so no pre-check catches it; the core now contains a panic of the spreadsheet readers
/// and answers with a typed error (`import::sheet_source`, which argues why). Every entry point that reads
/// spreadsheets goes through it.
#[test]
fn xls_with_a_forged_shared_string_is_a_typed_error_not_a_panic() {
    let bytes = include_bytes!("fixtures/fuzz/xls-sst-string-cut-short.xls");
    let e = xls_error(bytes);
    assert_eq!(e.code(), ErrorCode::ImportMalformedFile, "{e}");
    assert!(e.to_string().contains("damaged or forged"), "{e}");

    let opts = clinic_core::import::ImportOptions::default();
    let e = clinic_core::import::PatientRows::from_bytes(bytes, ClinicId::new(), &opts).map(|_| ()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ImportMalformedFile, "{e}");
    let e = clinic_core::import::AppointmentRows::from_bytes(bytes, &opts).map(|_| ()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ImportMalformedFile, "{e}");
}

/// `schedule_json` (input `fuzz/corpus/schedule_json/regression_lmt_offset_seconds`, minimized here): in the year
/// 1013 Asia/Kathmandu keeps local mean time, +5:41:16. `ZoneDays` cached each day's offset in whole minutes, so a
/// weekly-hours start with seconds (09:00:40) came out one minute earlier through the cache than through the zone
/// — the same schedule gave two different sets of windows depending on the query range. The cache keeps seconds.
#[test]
fn cached_offsets_keep_the_seconds_of_local_mean_time() {
    use chrono::{NaiveDate, NaiveTime};
    use clinic_core::zone::ZoneDays;
    let json = r#"{"id": "00000000-0000-0000-0000-000000000041", "clinic_id": "00000000-0000-0000-0000-000000000001",
        "resource": {"kind": "practitioner", "id": "00000000-0000-0000-0000-000000000011"},
        "weekly_hours": [{"weekday": "Thu", "start": "09:00:40", "end": "17:00:00"}],
        "valid_from": "1013-09-01", "granularity_minutes": 15}"#;
    let s: Schedule = serde_json::from_str(json).unwrap();
    let tz: chrono_tz::Tz = "Asia/Kathmandu".parse().unwrap();
    let (first, last) = (NaiveDate::from_ymd_opt(1013, 9, 1).unwrap(), NaiveDate::from_ymd_opt(1013, 9, 15).unwrap());
    let cached = s.windows(&ZoneDays::new(tz, first, last.succ_opt().unwrap()), first, last);
    let uncached = s.windows(&ZoneDays::new(tz, last, first), first, last);
    assert_eq!(cached.len(), 2, "two Thursdays: {cached:?}");
    assert_eq!(cached, uncached);
    // 09:00:40 − 5:41:16 = 03:19:24 UTC, in whole minutes 03:19.
    let start = clinic_core::time_slot::from_minute(cached[0].start);
    assert_eq!(start.time(), NaiveTime::from_hms_opt(3, 19, 0).unwrap(), "{start}");
}
