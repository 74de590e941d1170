//! W2 — availability search (README "Benchmarks"): every free start of a 20-minute type (5-minute buffer
//! after, 5-minute granularity) for 50 practitioners over 30 local days across the 2027-03-14 DST switch,
//! with two clinic holidays and ~70% of the working time booked.

use std::hint::black_box;
use std::time::Duration;

use clinic_benches::{W2Params, W2};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn w2(c: &mut Criterion) {
    let w2 = W2::generate(&W2Params::canonical());
    let slots = w2.calendar.find_available_slots(&w2.query, w2.now).expect("valid query");
    eprintln!(
        "W2 data: {} practitioners, {} existing appointments, occupancy {:.1}%, {} free slots per query",
        w2.practitioners.len(),
        w2.appointments.len(),
        100.0 * w2.occupancy,
        slots.len()
    );

    let mut g = c.benchmark_group("w2");
    g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5)).sample_size(50);
    g.throughput(Throughput::Elements(1));
    g.bench_function("find_available_slots_50x30d", |b| {
        b.iter(|| w2.calendar.find_available_slots(black_box(&w2.query), w2.now).expect("valid query"))
    });
    g.finish();
}

criterion_group!(benches, w2);
criterion_main!(benches);
