// Benchmarks of the canonical workloads through the JavaScript builds (README "Node and WASM"):
//   W1 conflict checks, W2 availability search, W3 import validation — on the very data of the Rust
//   criterion benches, exported by `cargo run --release -p clinic-js-api --example export_bench_data`.
//
//   node bench.mjs [DATA_DIR] [--impl node|wasm] [--quick] [--baseline REPO]
//
// --baseline REPO also runs the builds found in another checkout (REPO/bindings/node, REPO/bindings/wasm/
// pkg-node) as "node@base"/"wasm@base": before/after figures from one run, under the same machine load.
// DATA_DIR defaults to ../../target/js-bench-data (or $CARGO_TARGET_DIR/js-bench-data). --quick runs fewer
// repetitions (the CI smoke run uses it on the --small export). Each figure is the median of the repetitions;
// the machine note matters (2 shared cores): compare builds within one run, not across days.
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { impls, repoRoot } from "./impls.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.includes("--impl") ? args[args.indexOf("--impl") + 1] : null;
const targetDir = process.env.CARGO_TARGET_DIR || path.join(repoRoot, "target");
const valueOf = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : null);
const baseline = valueOf("--baseline");
const dataDir =
  args.find((a, i) => !a.startsWith("--") && !["--impl", "--baseline"].includes(args[i - 1])) || path.join(targetDir, "js-bench-data");
const runs = impls.filter((i) => !only || i.name === only);
if (baseline) {
  const require = createRequire(import.meta.url);
  const base = {
    "node@base": path.join(baseline, "bindings", "node", "index.js"),
    "wasm@base": path.join(baseline, "bindings", "wasm", "pkg-node", "clinic_wasm.js"),
  };
  for (const [name, file] of Object.entries(base)) {
    if (!only || name.startsWith(only)) runs.push({ name, lib: require(file) });
  }
}

const reps = quick ? 2 : 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn, n = reps) {
  const ms = [];
  let out;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    out = fn();
    ms.push(performance.now() - t);
  }
  return { ms: median(ms), min: Math.min(...ms), max: Math.max(...ms), out };
}
async function timeAsync(fn, n = reps) {
  const ms = [];
  let out;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    out = await fn();
    ms.push(performance.now() - t);
  }
  return { ms: median(ms), out };
}
const load = (f) => JSON.parse(fs.readFileSync(path.join(dataDir, f), "utf8"));
const fmtRate = (n, ms) => {
  const r = (n / ms) * 1000;
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : r >= 1e3 ? `${(r / 1e3).toFixed(1)} k/s` : `${r.toFixed(0)}/s`;
};

const rows = [];
const report = (impl, workload, what, figure) => {
  rows.push({ impl, workload, what, figure });
  console.log(`${impl.padEnd(9)} ${workload}  ${what.padEnd(58)} ${figure}`);
};

console.log(`data: ${dataDir}${quick ? " (quick)" : ""}; node ${process.version}; ${new Date().toISOString()}`);
const w1 = load("w1.json");
const w2 = load("w2.json");
const w3 = load("w3.json");
const csv = fs.readFileSync(path.join(dataDir, "w3.csv"));

for (const { name, lib } of runs) {
  // ---- W1 ----
  const n = w1.calendar.appointments.length;
  const built = time(() => new lib.Calendar(w1.calendar), quick ? 1 : 3);
  const cal = built.out;
  report(name, "W1", `load ${n} appointments (JS objects → calendar)`, `${built.ms.toFixed(0)} ms`);
  const cands = w1.candidates;
  const bulk = time(() => cal.checkMany(cands, { now: w1.now }));
  const accepted = bulk.out.filter((v) => v.accepted).length;
  assert.equal(accepted, w1.nativeAccepted, "the binding accepts exactly the candidates the native engine accepts");
  report(name, "W1", `checkMany ${cands.length} requests, all rules (one call)`, fmtRate(cands.length, bulk.ms));
  const sample = cands.slice(0, Math.min(20_000, cands.length));
  const each = time(() => {
    let ok = 0;
    for (const r of sample) ok += cal.check(r, { now: w1.now, alternatives: false }).accepted ? 1 : 0;
    return ok;
  });
  report(name, "W1", `check() per request, all rules, no alternatives`, fmtRate(sample.length, each.ms));
  const alt = cands.slice(0, 200);
  const withAlt = time(() => alt.filter((r) => cal.check(r, { now: w1.now }).accepted).length);
  report(name, "W1", `check() with alternatives on rejection (200 requests)`, fmtRate(alt.length, withAlt.ms));
  if (cal.checkManyAsync) {
    const a = await timeAsync(() => cal.checkManyAsync(cands, { now: w1.now }), quick ? 1 : 3);
    assert.equal(a.out.filter((v) => v.accepted).length, w1.nativeAccepted);
    report(name, "W1", `checkManyAsync ${cands.length} requests (thread pool)`, fmtRate(cands.length, a.ms));
  }

  // ---- W2 ----
  const cal2 = new lib.Calendar(w2.calendar);
  const search = time(() => cal2.findAvailableSlots(w2.query, w2.now), quick ? 3 : 50);
  assert.equal(search.out.length, w2.nativeSlots, "same free slots as native");
  report(name, "W2", `findAvailableSlots ${w2.query.practitionerIds.length} practitioners × 30 days (${search.out.length} slots)`, `${(search.ms * 1000).toFixed(0)} µs/query`);

  // ---- W3 ----
  const opts = { ...w3.options, includeAccepted: false };
  const v3 = time(() => lib.validatePatientImport(csv, opts), quick ? 1 : 5);
  assert.equal(v3.out.acceptedCount, w3.nativeAccepted);
  assert.equal(v3.out.rejectedCount, w3.nativeRejected);
  report(name, "W3", `validatePatientImport ${w3.rows} rows, counts + rejections`, `${v3.ms.toFixed(0)} ms`);
  const v3full = time(() => lib.validatePatientImport(csv, w3.options), quick ? 1 : 3);
  assert.equal(v3full.out.accepted.length, w3.nativeAccepted);
  report(name, "W3", `validatePatientImport ${w3.rows} rows, with every accepted patient`, `${v3full.ms.toFixed(0)} ms`);
}

if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(rows, null, 2));
