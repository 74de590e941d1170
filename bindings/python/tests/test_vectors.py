"""Every shared test vector (``test-vectors/*.json``) through the Python API: the verdict, the ordered codes,
the conflicting appointments, the overbooking flag and the free slots must equal ``expect`` exactly, as in
the Rust, Node and WASM suites. The calendar is built by the core from the scenario; Python only compares."""

from __future__ import annotations

from datetime import datetime

import pytest

import clinic_scheduling as cs
from conftest import load, vector_files


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def run_case(cal: cs.Calendar, now: datetime, case: dict) -> list[str]:
    problems = []
    expect = case["expect"]
    if case["kind"] == "check":
        v = cal.check_booking(cs.BookingRequest.from_dict(case["request"]), now=now,
                              may_overbook=case.get("may_overbook", False))
        if v.accepted != expect["accepted"]:
            problems.append(f"accepted = {v.accepted}, expected {expect['accepted']}")
        if v.codes != expect.get("codes", []):
            problems.append(f"codes = {v.codes}, expected {expect.get('codes', [])}")
        if "conflicting" in expect:
            got = sorted({a for x in v.violations for a in x.conflicting})
            if got != sorted(expect["conflicting"]):
                problems.append(f"conflicting = {got}, expected {sorted(expect['conflicting'])}")
        if "overbooked" in expect and v.overbooked != expect["overbooked"]:
            problems.append(f"overbooked = {v.overbooked}, expected {expect['overbooked']}")
        if v.accepted:
            assert v.alternatives == {"same_practitioner": [], "other_practitioners": []}
    elif case["kind"] == "search":
        query = cs.SlotQuery.from_dict(case["query"])
        if expect.get("error"):
            with pytest.raises(cs.ClinicError) as err:
                cal.find_available_slots(query, now=now)
            if err.value.code != expect["error"]:
                problems.append(f"error {err.value.code}, expected {expect['error']}")
            return problems
        got = cal.find_available_slots(query, now=now).pairs()
        want = lambda s: (instant(s["start"]), s["practitioner_id"])  # noqa: E731
        if "slots" in expect and got != [want(s) for s in expect["slots"]]:
            problems.append(f"slots = {got}, expected {[want(s) for s in expect['slots']]}")
        if "count" in expect and len(got) != expect["count"]:
            problems.append(f"count = {len(got)}, expected {expect['count']}")
        if "first" in expect and (not got or got[0] != want(expect["first"])):
            problems.append(f"first = {got[:1]}, expected {want(expect['first'])}")
        if "last" in expect and (not got or got[-1] != want(expect["last"])):
            problems.append(f"last = {got[-1:]}, expected {want(expect['last'])}")
    else:
        problems.append(f"unknown case kind {case['kind']!r}")
    return problems


@pytest.mark.parametrize("path", vector_files(), ids=lambda p: p.stem)
def test_vector(path):
    scenario = load(path)
    cal = cs.Calendar.from_scenario(path.read_text(encoding="utf-8"))
    now = instant(scenario["now"])
    assert scenario["cases"], "a vector without cases proves nothing"
    failures = {}
    for case in scenario["cases"]:
        problems = run_case(cal, now, case)
        if problems:
            failures[case["name"]] = problems
    assert not failures, failures


def test_every_vector_file_is_run():
    # The parametrization above is over the same glob; this guards against an empty or moved directory.
    assert len(vector_files()) >= 60
