//! W1 — conflict check (README "Benchmarks"): loading ~835k appointments into the `Calendar` indexes, then
//! rule 1 for 100,000 candidate bookings through the engine's index, and — for honesty — every rule
//! (`Calendar::evaluate`, and `Calendar::check`, which adds alternatives to each rejection) on samples.

use std::hint::black_box;
use std::time::{Duration, Instant};

use clinic_benches::{W1Params, W1};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};

/// Candidates run through `evaluate` (all rules, no alternatives).
const EVALUATE_SAMPLE: usize = 10_000;
/// Candidates run through `check` (all rules; a rejection also searches alternatives).
const CHECK_SAMPLE: usize = 200;

fn w1(c: &mut Criterion) {
    let t = Instant::now();
    let w1 = W1::generate(&W1Params::canonical());
    let n_appts = w1.appointments.len();
    let n_cand = w1.candidates.len();
    let cal = w1.loaded();
    let conflicts = w1.count_conflicts(&cal);
    eprintln!(
        "W1 data: {n_appts} appointments, {n_cand} candidates, {conflicts} conflict under rule 1 ({:.1}%), generated in {:.2?}",
        100.0 * conflicts as f64 / n_cand as f64,
        t.elapsed()
    );

    let mut g = c.benchmark_group("w1");
    g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));

    g.sample_size(10).sampling_mode(SamplingMode::Flat).throughput(Throughput::Elements(n_appts as u64));
    g.bench_function("load_appointments", |b| {
        b.iter_batched(
            || w1.empty.clone(),
            |mut cal| {
                cal.load_appointments(black_box(&w1.appointments)).expect("same clinic");
                cal
            },
            BatchSize::PerIteration,
        )
    });

    g.sample_size(20).sampling_mode(SamplingMode::Auto).throughput(Throughput::Elements(n_cand as u64));
    g.bench_function("rule1_resource_conflict", |b| b.iter(|| black_box(w1.count_conflicts(black_box(&cal)))));

    let sample: Vec<_> = w1.candidates[..EVALUATE_SAMPLE].iter().map(|c| w1.request(c)).collect();
    g.sample_size(10).sampling_mode(SamplingMode::Flat).throughput(Throughput::Elements(sample.len() as u64));
    g.bench_function("evaluate_all_rules", |b| {
        b.iter(|| sample.iter().filter(|r| cal.evaluate(black_box(r), w1.now, false).0.is_empty()).count())
    });

    let sample = &sample[..CHECK_SAMPLE];
    g.throughput(Throughput::Elements(sample.len() as u64));
    g.bench_function("check_with_alternatives", |b| {
        b.iter(|| sample.iter().filter(|r| cal.check(black_box(r), w1.now, false).accepted).count())
    });
    g.finish();
}

criterion_group!(benches, w1);
criterion_main!(benches);
