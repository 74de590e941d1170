//! Writes the canonical workloads W1, W2 and W3 of `clinic-benches` (the very data the criterion benches
//! use, from the same seeds) as JavaScript API inputs, for `bindings/js-tests/bench.mjs`:
//!
//! ```sh
//! cargo run --release -p clinic-js-api --example export_bench_data -- target/js-bench-data          # canonical
//! cargo run -p clinic-js-api --example export_bench_data -- target/js-bench-data-small --small      # smoke size
//! ```
//!
//! Files: `w1.json` (calendar, `now`, candidate requests, the native rule-1 conflict count), `w2.json`
//! (calendar, query, `now`, the native number of free slots), `w3.csv` + `w3.json` (rows, planted bad rows).
//! Entities go through their core serde form with keys camelCased, then through the API's DTOs — the same
//! path the JS vector suite uses — so a shape mismatch fails here, not in the benchmark.

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use clinic_benches::w3::{options, W3Params, W3};
use clinic_benches::{W1Params, W2Params, W1, W2};
use clinic_core::{Appointment, Calendar, ResourceRef};
use clinic_js_api::dto::*;
use clinic_js_api::{Id, Instant};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// The core's serde form with camelCase keys. A `None` the core writes as `null` is left out: the API refuses an
/// explicit `null` for an optional number (it is what JSON makes of NaN), and absent means the same.
fn camel(v: Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.into_iter().map(camel).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let mut out = String::new();
                    let mut up = false;
                    for c in k.chars() {
                        if c == '_' {
                            up = true;
                        } else if up {
                            out.push(c.to_ascii_uppercase());
                            up = false;
                        } else {
                            out.push(c);
                        }
                    }
                    (out, camel(v))
                })
                .collect(),
        ),
        other => other,
    }
}

fn dto<T: DeserializeOwned>(core: &impl Serialize) -> T {
    let v = camel(serde_json::to_value(core).expect("core entities serialize"));
    serde_json::from_value(v).expect("the core's serde form camelCased is the API's DTO")
}

fn appointment(a: &Appointment) -> AppointmentDto {
    AppointmentDto {
        id: Id(a.id().0),
        patient_id: Id(a.patient_id().0),
        practitioner_id: Id(a.practitioner_id().0),
        room_id: a.room_id().map(|r| Id(r.0)),
        appointment_type_id: Id(a.appointment_type_id().0),
        start: Instant(a.slot().start()),
        status: Some(a.status()),
    }
}

/// The calendar's entities (types: the ones named) plus the appointments, as API input.
fn calendar_input(
    cal: &Calendar,
    type_ids: &BTreeSet<clinic_core::AppointmentTypeId>,
    appts: &[Appointment],
) -> CalendarInput {
    let ids = cal.practitioner_ids();
    CalendarInput {
        clinic: dto(cal.clinic()),
        practitioners: ids.iter().filter_map(|p| cal.practitioner(*p)).map(dto).collect(),
        rooms: vec![],
        appointment_types: type_ids.iter().filter_map(|t| cal.appointment_type(*t)).map(dto).collect(),
        schedules: ids.iter().flat_map(|p| cal.schedules_of(ResourceRef::Practitioner(*p)).iter().map(dto)).collect(),
        appointments: appts.iter().map(appointment).collect(),
    }
}

fn write_json(path: PathBuf, v: &impl Serialize) {
    let mut w = BufWriter::new(fs::File::create(&path).expect("create output file"));
    serde_json::to_writer(&mut w, v).expect("write json");
    w.flush().expect("flush");
    eprintln!("wrote {}", path.display());
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let small = args.iter().any(|a| a == "--small");
    let dir = PathBuf::from(args.iter().find(|a| !a.starts_with("--")).map_or("target/js-bench-data", |s| s));
    fs::create_dir_all(&dir).expect("create output directory");

    let mut p1 = W1Params::canonical();
    let mut p2 = W2Params::canonical();
    let mut p3 = W3Params::canonical();
    if small {
        p1.practitioners = 4;
        p1.days = 28;
        p1.candidates = 2_000;
        p1.patients = 500;
        p2.practitioners = 5;
        p3.rows = 2_000;
    }

    let w1 = W1::generate(&p1);
    let loaded = w1.loaded();
    let mut types: BTreeSet<_> = w1.appointments.iter().map(|a| a.appointment_type_id()).collect();
    types.extend(w1.candidate_types.iter().map(|t| t.id()));
    let candidates: Vec<BookingRequestDto> =
        w1.candidates.iter().map(|c| dto::<BookingRequestDto>(&w1.request(c))).collect();
    write_json(
        dir.join("w1.json"),
        &json!({
            "now": Instant(w1.now),
            "calendar": calendar_input(&w1.empty, &types, &w1.appointments),
            "candidates": candidates,
            "nativeRule1Conflicts": w1.count_conflicts(&loaded),
            "nativeAccepted": w1.candidates.iter().filter(|c| loaded.evaluate(&w1.request(c), w1.now, false).0.is_empty()).count(),
        }),
    );

    let w2 = W2::generate(&p2);
    let types: BTreeSet<_> =
        w2.appointments.iter().map(|a| a.appointment_type_id()).chain([w2.query.appointment_type_id]).collect();
    let slots = w2.calendar.find_available_slots(&w2.query, w2.now).expect("valid query");
    write_json(
        dir.join("w2.json"),
        &json!({
            "now": Instant(w2.now),
            "calendar": calendar_input(&w2.calendar, &types, &w2.appointments),
            "query": dto::<SlotQueryDto>(&w2.query),
            "nativeSlots": slots.len(),
        }),
    );

    let w3 = W3::generate(&p3);
    let (ok, bad) = w3.validate(&options());
    fs::write(dir.join("w3.csv"), &w3.csv).expect("write w3.csv");
    write_json(
        dir.join("w3.json"),
        &json!({
            "rows": w3.rows,
            "badRows": w3.bad_rows,
            "nativeAccepted": ok,
            "nativeRejected": bad,
            "options": { "defaultRegion": options().default_region },
        }),
    );
}
