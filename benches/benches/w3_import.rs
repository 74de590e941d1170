//! W3 — import validation (README "Benchmarks"): the 100,000-row patients CSV of `clinic_benches::w3`,
//! parsed, validated and normalized in dry-run mode (no store) on one core. Target: ≤ 0.25 s per file.

use std::hint::black_box;
use std::time::{Duration, Instant};

use clinic_benches::w3::{options, W3Params, W3};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};

fn w3(c: &mut Criterion) {
    let t = Instant::now();
    let w3 = W3::generate(&W3Params::canonical());
    let opts = options();
    let (ok, bad) = w3.validate(&opts);
    eprintln!(
        "W3 data: {} rows ({} bytes), {} planted bad; importer: {ok} accepted, {bad} rejected; generated in {:.2?}",
        w3.rows,
        w3.csv.len(),
        w3.bad_rows,
        t.elapsed()
    );
    let mut g = c.benchmark_group("w3");
    g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    g.sample_size(10).sampling_mode(SamplingMode::Flat).throughput(Throughput::Elements(w3.rows as u64));
    g.bench_function("validate_100k_patients_csv", |b| b.iter(|| black_box(w3.validate(black_box(&opts)))));
    g.finish();
}

criterion_group!(benches, w3);
criterion_main!(benches);
