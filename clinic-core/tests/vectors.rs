//! Runs the shared test vectors (`test-vectors/*.json`, DESIGN.md §6) through `clinic_core::vectors`.
//!
//! Every file is loaded and every case run; all mismatches (and unreadable files) are collected and reported
//! together, so one run shows the whole picture. A second test checks that the vectors, taken together,
//! exercise every booking-rule code and the other behaviours the contract promises to cover.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use clinic_core::vectors::{run_scenario, Case, Scenario};

/// At least this many scenario files must exist.
const MIN_FILES: usize = 60;

fn vector_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("test-vectors")
}

/// Every `*.json` of the vector directory, sorted by name.
fn vector_files() -> Vec<PathBuf> {
    let dir = vector_dir();
    let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Loads every scenario; unreadable files are returned as problems instead of panicking on the first one.
fn load_all() -> (Vec<(String, Scenario)>, Vec<String>) {
    let mut ok = Vec::new();
    let mut problems = Vec::new();
    for path in vector_files() {
        let name = file_name(&path);
        match fs::read_to_string(&path) {
            Err(e) => problems.push(format!("{name}: cannot read: {e}")),
            Ok(text) => match Scenario::from_json(&text) {
                Err(e) => problems.push(format!("{name}: cannot parse: {e}")),
                Ok(s) => ok.push((name, s)),
            },
        }
    }
    (ok, problems)
}

#[test]
fn every_vector_passes() {
    let files = vector_files();
    assert!(
        files.len() >= MIN_FILES,
        "expected at least {MIN_FILES} vector files in {}, found {}",
        vector_dir().display(),
        files.len()
    );
    let (scenarios, mut problems) = load_all();
    let mut cases = 0usize;
    let mut checks = 0usize;
    let mut searches = 0usize;
    for (file, s) in &scenarios {
        checks += s.cases.iter().filter(|c| matches!(c, Case::Check { .. })).count();
        searches += s.cases.iter().filter(|c| matches!(c, Case::Search { .. })).count();
        if s.cases.is_empty() {
            problems.push(format!("{file}: no cases"));
        }
        match run_scenario(s) {
            Err(e) => problems.push(format!("{file}: scenario does not build: {e}")),
            Ok(results) => {
                cases += results.len();
                for r in results {
                    if let Some(m) = r.mismatch {
                        problems.push(format!("{file} / {}: {m}", r.case));
                    }
                }
            }
        }
    }
    println!(
        "test vectors: {} files, {cases} cases ({checks} checks, {searches} searches), {} problems",
        files.len(),
        problems.len()
    );
    assert!(cases > 0, "no cases were run");
    assert!(problems.is_empty(), "{} vector problem(s):\n  {}", problems.len(), problems.join("\n  "));
}

/// Booking-rule and lookup codes the vectors must exercise (as expected check codes or search errors).
const REQUIRED_CODES: &[&str] = &[
    "SLOT_CONFLICT_PRACTITIONER",
    "SLOT_CONFLICT_ROOM",
    "GROUP_SESSION_FULL",
    "PATIENT_DOUBLE_BOOKED",
    "OUTSIDE_AVAILABILITY",
    "CLINIC_CLOSED",
    "ROOM_UNAVAILABLE",
    "MIN_NOTICE_VIOLATED",
    "BEYOND_BOOKING_HORIZON",
    "MISALIGNED_START",
    "OVERBOOK_NOT_PERMITTED",
    "TYPE_NOT_OFFERED",
    "RESOURCE_INACTIVE",
    "NOT_FOUND",
    "INVALID_TIME_RANGE",
];

const REQUIRED_ZONES: &[&str] = &["America/New_York", "Europe/London", "Australia/Lord_Howe"];

#[test]
fn vectors_cover_every_rule() {
    let (scenarios, problems) = load_all();
    assert!(problems.is_empty(), "unreadable vectors:\n  {}", problems.join("\n  "));

    let mut codes = BTreeSet::new();
    let mut zones = BTreeSet::new();
    let mut statuses = BTreeSet::new();
    let (mut accepted, mut overbooked, mut multi, mut reschedules) = (0, 0, 0, 0);
    let (mut exact_searches, mut counted_searches, mut patient_searches, mut room_searches) = (0, 0, 0, 0);
    let (mut rrules, mut breaks, mut absences, mut extras, mut validity, mut partial_closures) = (0, 0, 0, 0, 0, 0);
    let (mut buffers, mut groups) = (0, 0);

    for (_, s) in &scenarios {
        zones.insert(s.clinic.time_zone().name().to_string());
        partial_closures += s.clinic.closures().iter().filter(|c| c.start.is_some()).count();
        for a in &s.appointments {
            statuses.insert(a.status.as_str());
        }
        for t in &s.appointment_types {
            buffers += usize::from(t.buffer_before_minutes() > 0 || t.buffer_after_minutes() > 0);
            groups += usize::from(t.is_group());
        }
        for sch in &s.schedules {
            let i = sch.input();
            rrules += i.recurrences.len();
            breaks += i.breaks.len();
            absences += i.exceptions.iter().filter(|x| x.kind == clinic_core::ExceptionKind::Absence).count();
            extras += i.exceptions.iter().filter(|x| x.kind == clinic_core::ExceptionKind::Extra).count();
            validity += usize::from(i.valid_until.is_some());
        }
        for c in &s.cases {
            match c {
                Case::Check { request, expect, .. } => {
                    codes.extend(expect.codes.iter().map(|c| c.as_str()));
                    accepted += usize::from(expect.accepted);
                    overbooked += usize::from(expect.overbooked == Some(true));
                    multi += usize::from(expect.codes.len() >= 2);
                    reschedules += usize::from(request.reschedule_of.is_some());
                }
                Case::Search { query, expect, .. } => {
                    if let Some(e) = expect.error {
                        codes.insert(e.as_str());
                    }
                    exact_searches += usize::from(expect.slots.as_ref().is_some_and(|v| !v.is_empty()));
                    counted_searches += usize::from(expect.count.is_some());
                    patient_searches += usize::from(query.patient_id.is_some());
                    room_searches += usize::from(query.room_id.is_some());
                }
            }
        }
    }

    let missing: Vec<&str> = REQUIRED_CODES.iter().copied().filter(|c| !codes.contains(c)).collect();
    assert!(missing.is_empty(), "codes never exercised by the vectors: {missing:?}");
    let missing_zones: Vec<&str> = REQUIRED_ZONES.iter().copied().filter(|z| !zones.contains(*z)).collect();
    assert!(missing_zones.is_empty(), "zones without vectors: {missing_zones:?}");
    for st in ["proposed", "booked", "arrived", "fulfilled", "cancelled", "noshow"] {
        assert!(statuses.contains(st), "no vector has an existing appointment with status {st}");
    }
    for (what, n) in [
        ("accepted checks", accepted),
        ("accepted overbookings (overbooked = true)", overbooked),
        ("checks expecting several codes", multi),
        ("reschedule checks", reschedules),
        ("searches with an exact slot list", exact_searches),
        ("searches with count/first/last", counted_searches),
        ("searches with a patient", patient_searches),
        ("searches with a room", room_searches),
        ("RRULE schedules", rrules),
        ("breaks", breaks),
        ("absence exceptions", absences),
        ("extra-hours exceptions", extras),
        ("schedules with valid_until", validity),
        ("partial closures", partial_closures),
        ("types with buffers", buffers),
        ("group types", groups),
    ] {
        assert!(n > 0, "no {what} in the vectors");
    }
    println!("codes exercised by the vectors: {}", codes.iter().copied().collect::<Vec<_>>().join(", "));
}
