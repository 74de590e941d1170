"""Benchmarks of the canonical workloads W1–W3 through the Python API, on exactly the data of the Rust
criterion benches (`benches/`): the binding's private `_workloads` module runs the same generators with the
same seeds.

    python bindings/python/bench/bench.py            # full run (a few minutes; ~1.5 GB RAM for W1)
    python bindings/python/bench/bench.py --smoke    # tiny data, seconds: checks the script works

Printed per workload: the Python figure (median of the runs, [min – max]) and a native reference — the same
Rust code the criterion bench runs, over the same converted data (`_workloads.NativeW1/W2/W3`) — timed run by
run, interleaved with the Python calls, so the ratio is read at the same moment. Times are the CPU time of the
calling thread (`time.thread_time`, which also counts the Rust code running there with the GIL released): on a
shared machine wall time mostly measures the other processes. Criterion's own figures are in the README.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import clinic_scheduling as cs
from clinic_scheduling import _native

workloads = _native._workloads


clock = time.thread_time


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = clock()
        fn()
        out.append(clock() - t)
    return out


def paired(py_fn, native_fn, runs: int) -> tuple[list[float], list[float]]:
    """Python and native timings interleaved run by run, so both see the same machine load."""
    py_t, nat_t = [], []
    for _ in range(runs):
        t = clock()
        py_fn()
        py_t.append(clock() - t)
        t = clock()
        native_fn()
        nat_t.append(clock() - t)
    return py_t, nat_t


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def fmt(xs: list[float], scale: float, unit: str) -> str:
    xs = sorted(x * scale for x in xs)
    return f"{med(xs):,.3g} {unit} [{xs[0]:,.3g} – {xs[-1]:,.3g}]"


def ratio(py_t: list[float], nat_t: list[float]) -> str:
    r = sorted(p / n for p, n in zip(py_t, nat_t))
    return f"{med(r):.2f}x [{r[0]:.2f} – {r[-1]:.2f}]"


def w1(smoke: bool, runs: int) -> None:
    data = workloads.w1(candidates=2_000, practitioners=4) if smoke else workloads.w1()
    cal, reqs, now = data["calendar"], data["requests"], data["now"]
    n = len(reqs)
    conflicts = sum(cal.conflicts(reqs))
    print(f"W1: {data['appointments']:,} appointments loaded, {n:,} candidate requests, "
          f"{conflicts:,} conflict under rule 1 ({100 * conflicts / n:.1f}%)")

    def per_item():
        hc = cal.has_conflict
        for r in reqs:
            hc(r)

    native = workloads.NativeW1(cal, reqs).run
    assert native() == conflicts
    bulk, nat_b = paired(lambda: cal.conflicts(reqs), native, runs)
    items, nat_i = paired(per_item, native, runs)
    rate = lambda xs: [n / x for x in xs]  # noqa: E731
    print(f"  bulk   Calendar.conflicts(list)    : {fmt(rate(bulk), 1e-6, 'M checks/s')}")
    print(f"  native loop, same process          : {fmt(rate(nat_b + nat_i), 1e-6, 'M checks/s')}")
    print(f"  bulk time / native time            : {ratio(bulk, nat_b)}")
    print(f"  per-item Calendar.has_conflict(req): {fmt(rate(items), 1e-6, 'M checks/s')}")
    print(f"  per-item time / native time        : {ratio(items, nat_i)}")
    sample = reqs[: min(10_000, n)]
    evaluate = timed(lambda: cal.check_many(sample, now=now, alternatives=False), max(1, runs // 2))
    print(f"  all rules, check_many(alternatives=False), {len(sample):,} requests: "
          f"{fmt([len(sample) / x for x in evaluate], 1e-6, 'M requests/s')}")


def w2(smoke: bool, runs: int) -> None:
    data = workloads.w2()
    cal, q, now = data["calendar"], data["query"], data["now"]
    slots = cal.find_available_slots(q, now=now)
    print(f"W2: {len(slots):,} free slots per query")
    native = workloads.NativeW2(cal, q, now).run
    assert native() == len(slots)
    py_t, nat_t = paired(lambda: cal.find_available_slots(q, now=now), native, 5 if smoke else runs * 20)
    print(f"  Calendar.find_available_slots: {fmt(py_t, 1e6, 'µs per query')}")
    print(f"  native search, same process  : {fmt(nat_t, 1e6, 'µs per query')}")
    print(f"  Python time / native time    : {ratio(py_t, nat_t)}")


def w3(smoke: bool, runs: int) -> None:
    data = workloads.w3(rows=2_000) if smoke else workloads.w3()
    csv, region = data["csv"], data["default_region"]
    r = cs.validate_patient_import(csv, default_region=region)
    print(f"W3: {data['rows']:,} rows ({len(csv):,} bytes), {data['bad_rows']:,} planted bad; "
          f"{r.accepted_count:,} accepted, {r.rejected_rows:,} rejected")
    if not smoke:
        assert r.rejected_rows == data["bad_rows"], "every planted bad row must be rejected"
    native = workloads.NativeW3(csv).run
    assert native() == (r.accepted_count, r.rejected_rows)
    py_t, nat_t = paired(lambda: cs.validate_patient_import(csv, default_region=region), native, max(2, runs // 2))
    print(f"  validate_patient_import: {fmt(py_t, 1e3, 'ms per file')}")
    print(f"  native W3, same process: {fmt(nat_t, 1e3, 'ms per file')}")
    print(f"  Python time / native   : {ratio(py_t, nat_t)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny data, a few seconds")
    ap.add_argument("--runs", type=int, default=10, help="timed runs per figure (default 10)")
    ap.add_argument("--only", choices=["w1", "w2", "w3"], action="append", help="run only these workloads")
    args = ap.parse_args()
    chosen = args.only or ["w1", "w2", "w3"]
    runs = 2 if args.smoke else args.runs
    print(f"clinic_scheduling bench, Python {sys.version.split()[0]}, {'smoke' if args.smoke else 'full'} run")
    if "w1" in chosen:
        w1(args.smoke, runs)
    if "w2" in chosen:
        w2(args.smoke, runs)
    if "w3" in chosen:
        w3(args.smoke, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
