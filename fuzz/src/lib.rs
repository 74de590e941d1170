//! Shared pieces of the fuzz targets: reading a few option bytes off the front of an input, running the core's
//! async use cases on the in-memory store, and the invariants a store must keep after every operation.
//!
//! The targets live in `fuzz_targets/`; each one feeds outside bytes to one boundary of `clinic-core`. A panic
//! anywhere is a crash: the core promises typed errors (`ClinicError`) for every bad input.

/// The server's request and response DTOs, compiled from `clinic-server/src/dto/` itself (not a copy), for the
/// `json_dtos` target. The module needs only `clinic-core`, `serde`, `utoipa`, `uuid` and `chrono`; depending on
/// the whole server would add its ~240 other crates (the MongoDB driver, rustls with aws-lc's C build, bundled
/// SQLite, axum) to every fuzz build, all compiled optimized with coverage instrumentation — README "Fuzzing".
/// If the DTO module ever reaches into the rest of the server, this stops compiling and the smoke run says so.
#[allow(dead_code, clippy::all)]
#[path = "../../clinic-server/src/dto/mod.rs"]
pub mod dto;

use std::collections::HashMap;

use clinic_core::import::{DateOrder, ImportMode, ImportOptions};
use clinic_core::ports::{AppointmentFilter, PatientQuery, Store};
use clinic_core::{Appointment, AppointmentType, ClinicId, ResourceRef};

/// The core's use cases are async but the in-memory store never waits: a plain executor is enough and keeps
/// every run deterministic (no runtime threads).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

/// Splits `n` option bytes off the front (zeros when the input is shorter), so seeds stay readable files with a
/// short prefix.
pub fn split_options<const N: usize>(data: &[u8]) -> ([u8; N], &[u8]) {
    let mut head = [0u8; N];
    let n = data.len().min(N);
    head[..n].copy_from_slice(&data[..n]);
    (head, &data[n..])
}

/// Lets a panic raised inside the spreadsheet parsers (calamine, zip, quick-xml) unwind to the core, which
/// contains it and answers `IMPORT_MALFORMED_FILE` (`clinic_core::import::sheet_source`, which argues why).
///
/// libFuzzer's panic hook aborts on *every* panic before unwinding, so without this the target would report a
/// panic the core handles as a crash. Any other panic still goes to libFuzzer's hook and aborts. A parser panic
/// the core failed to contain is still a crash too: the unwind reaches libfuzzer-sys's own `catch_unwind` around
/// the target, which aborts. Installed once, after libFuzzer's hook (so it must be called from inside the target).
pub fn let_core_contain_parser_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let libfuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let file = info.location().map_or("", |l| l.file());
            let in_parser = ["/calamine-", "/zip-", "/quick-xml-"].iter().any(|c| file.contains(c));
            if !in_parser {
                libfuzzer_hook(info);
            }
        }));
    });
}

/// Import options from one byte: mode (bits 0–1), date order (bit 2), default region (bits 3–4).
pub fn import_options(b: u8) -> ImportOptions {
    let mode = match b & 3 {
        0 => ImportMode::DryRun,
        1 => ImportMode::Atomic,
        _ => ImportMode::Partial,
    };
    let date_order = if b & 4 == 0 { DateOrder::DayFirst } else { DateOrder::MonthFirst };
    let default_region = match (b >> 3) & 3 {
        0 => None,
        1 => Some("GB".to_string()),
        2 => Some("US".to_string()),
        _ => Some("zz".to_string()),
    };
    ImportOptions { mode, date_order, default_region, ..ImportOptions::default() }
}

/// Zones with interesting rules: no DST, northern and southern DST, a 30-minute DST shift, a far-east offset.
pub const ZONES: &[&str] =
    &["UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Pacific/Kiritimati", "Asia/Kathmandu"];

pub fn zone(b: u8) -> chrono_tz::Tz {
    ZONES[usize::from(b) % ZONES.len()].parse().unwrap_or(chrono_tz::UTC)
}

/// Every appointment of a clinic, in a stable order, for before/after comparisons.
pub async fn all_appointments<S: Store + ?Sized>(store: &S, clinic: ClinicId) -> Vec<Appointment> {
    let f = AppointmentFilter { clinic_id: Some(clinic), ..Default::default() };
    let mut v = store.list_appointments(&f).await.expect("the in-memory store never fails");
    v.sort_by_key(|a| a.id());
    v
}

/// Asserts no two patients of a clinic share an MRN ("duplicates are rejected, never doubled").
pub async fn assert_mrns_unique<S: Store + ?Sized>(store: &S, clinic: ClinicId) {
    let q = PatientQuery { clinic_id: Some(clinic), ..Default::default() };
    let patients = store.find_patients(&q).await.expect("the in-memory store never fails");
    let mut seen = HashMap::new();
    for p in &patients {
        if let Some(m) = p.mrn() {
            if let Some(other) = seen.insert(m.to_string(), p.id()) {
                panic!("MRN {m:?} stored twice: patients {other} and {}", p.id());
            }
        }
    }
}

/// The occupancy invariant of DESIGN.md §3 over a set of appointments, as the engine states its rules:
///
/// * rule 1 — two active appointments of the same practitioner or room whose *effective* intervals (each with
///   its own buffers, copied at booking) overlap are allowed only as members of the identical session of one
///   group type, or when one of them was booked through the overbooking override (rule 6, flagged
///   `overbooked` for the audit log); a group session holds at most `capacity` members not flagged so;
/// * rule 2 — two active appointments of one patient never overlap (bare slots; no override exists).
pub fn assert_occupancy_invariant(
    appts: &[Appointment],
    types: &HashMap<clinic_core::AppointmentTypeId, AppointmentType>,
) {
    let active: Vec<&Appointment> = appts.iter().filter(|a| a.is_active()).collect();
    let mut by_resource: HashMap<ResourceRef, Vec<&Appointment>> = HashMap::new();
    for a in &active {
        by_resource.entry(ResourceRef::Practitioner(a.practitioner_id())).or_default().push(a);
        if let Some(r) = a.room_id() {
            by_resource.entry(ResourceRef::Room(r)).or_default().push(a);
        }
    }
    for (res, list) in &by_resource {
        let mut sessions: HashMap<(clinic_core::AppointmentTypeId, i64, i64), usize> = HashMap::new();
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                let (as_, ae) = a.effective_minutes();
                let (bs, be) = b.effective_minutes();
                if !(as_ < be && bs < ae) || a.overbooked() || b.overbooked() {
                    continue;
                }
                let same_session = a.appointment_type_id() == b.appointment_type_id()
                    && a.slot() == b.slot()
                    && types.get(&a.appointment_type_id()).is_some_and(AppointmentType::is_group);
                assert!(
                    same_session,
                    "rule 1 broken on {res:?}: {} {:?} [{}] and {} {:?} [{}] overlap",
                    a.id(),
                    a.slot(),
                    a.status(),
                    b.id(),
                    b.slot(),
                    b.status()
                );
            }
            if !a.overbooked() {
                let s = a.slot();
                *sessions.entry((a.appointment_type_id(), s.start_minute(), s.end_minute())).or_default() += 1;
            }
        }
        for ((ty, s, _), n) in sessions {
            let cap = types.get(&ty).map_or(1, |t| t.capacity() as usize);
            assert!(n <= cap, "rule 1 broken on {res:?}: {n} members in a session of capacity {cap} at minute {s}");
        }
    }
    let mut by_patient: HashMap<clinic_core::PatientId, Vec<&Appointment>> = HashMap::new();
    for a in &active {
        by_patient.entry(a.patient_id()).or_default().push(a);
    }
    for (p, list) in by_patient {
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                assert!(
                    !a.slot().overlaps(&b.slot()),
                    "rule 2 broken: patient {p} holds {} {:?} and {} {:?}",
                    a.id(),
                    a.slot(),
                    b.id(),
                    b.slot()
                );
            }
        }
    }
}

/// A stored appointment's status history replays through the state machine's arrows to its status.
pub fn assert_history_consistent(a: &Appointment) {
    use clinic_core::HistoryEntry;
    let mut status = None;
    for h in a.history() {
        if let HistoryEntry::StatusChanged { from, to, .. } = h {
            if let Some(s) = status {
                assert_eq!(s, *from, "history of {} skips a status", a.id());
            }
            assert!(from.can_become(*to), "history of {} has an illegal arrow {from} → {to}", a.id());
            status = Some(*to);
        }
    }
    if let Some(s) = status {
        assert_eq!(s, a.status(), "history of {} does not end at its status", a.id());
    }
}

/// Expands a schedule's windows for local dates `first..=last` twice — with per-day offsets cached for the
/// range (the fast path) and with an empty cache (every bound resolved through the zone) — and asserts both
/// agree and every window is well formed: non-empty, anchored at or before its start, stepping by the
/// schedule's granularity, sorted, and starting on a local date of the range (or the day after, for a window
/// a break cut past midnight).
pub fn check_windows(s: &clinic_core::Schedule, tz: chrono_tz::Tz, first: chrono::NaiveDate, last: chrono::NaiveDate) {
    use clinic_core::zone::{local_date, ZoneDays};
    let Some(after) = last.succ_opt() else { return };
    let fast = s.windows(&ZoneDays::new(tz, first, after), first, last);
    let slow = s.windows(&ZoneDays::new(tz, after, first), first, last);
    assert_eq!(fast, slow, "cached and uncached zone offsets disagree");
    let step = i64::from(s.granularity_minutes());
    for pair in fast.windows(2) {
        assert!(pair[0] <= pair[1], "windows out of order: {pair:?}");
    }
    for w in &fast {
        assert!(w.start < w.end, "empty window {w:?}");
        assert!(w.anchor <= w.start, "anchor after start {w:?}");
        assert_eq!(w.step, step, "window step is not the granularity");
        let d = local_date(tz, clinic_core::time_slot::from_minute(w.start));
        assert!(
            d >= first.pred_opt().unwrap_or(first) && d <= after,
            "window {w:?} starts on {d}, outside {first}..={last}"
        );
    }
}
