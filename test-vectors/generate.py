#!/usr/bin/env python3
"""Generates the shared test vectors (test-vectors/*.json): the contract every runtime — Rust, Python, Node,
WASM — runs through the same engine entry points (`clinic_core::vectors`).

Standard library only. Run from anywhere: `python3 test-vectors/generate.py`. It rewrites every scenario file
it knows and removes no other file. The output is deterministic (fixed ids, fixed order).

EVERY EXPECTATION HERE IS WRITTEN BY HAND FROM DESIGN.md §3 ("Booking rules", "Time"), never copied from the
engine. UTC instants are written either literally (DST files: each with its local reading in a comment) or
through `loc()` with an explicit, hand-known UTC offset. Slot lists are either spelled out or produced by
`series(first, n, step)` where `n` is derived in the comment next to it.

Conventions of the engine the vectors rely on (DESIGN.md §3 and the engine docs):
  * Slots are half-open `[start, end)`; touching intervals do not overlap.
  * Rule 1 compares the request's effective interval `[start - buffer_before, end + buffer_after)` with each
    other active appointment's effective interval (its own type's buffers). Rule 2 uses bare slots.
  * A group type (capacity > 1): bookings of the same type at the identical slot share it, up to capacity
    (then GROUP_SESSION_FULL); anything else overlapping is SLOT_CONFLICT_*.
  * Rule 3: CLINIC_CLOSED when the slot touches a closure (reported instead of anything else of rule 3);
    otherwise OUTSIDE_AVAILABILITY unless one practitioner window contains the slot; then ROOM_UNAVAILABLE for a
    room that has its own schedule and no room window containing the slot. Buffers need not fit in windows.
  * Rule 4 compares the start with `now` (rounded up to the whole minute) + min notice / + horizon days.
  * Rule 5 counts granularity from the start of the window (a window cut by a break or absence keeps the
    anchor of the window it was cut from). Not checked when rule 3 already failed.
  * Order of codes: RESOURCE_INACTIVE (room, practitioner, type), TYPE_NOT_OFFERED, rule 1 (practitioner —
    or GROUP_SESSION_FULL — then room), rule 2, rule 3, rule 4, rule 5, OVERBOOK_NOT_PERMITTED.
    NOT_FOUND (type, practitioner, room) stops evaluation.
  * Schedules are local wall time: a bound in a spring-forward gap resolves to the first instant after the
    gap; an ambiguous (fall-back) bound resolves to the earlier instant; slots are laid out in real elapsed
    time from the window start. RRULE durations are wall-clock (start + duration, then resolved).
  * Search offers starts in `[from, to)` (from rounded up to the minute), sorted by (start, practitioner id).

2027 DST transitions used (checked against the IANA database when the vectors were written):
  America/New_York    spring Sun 03-14 02:00 EST -> 03:00 EDT (07:00Z); fall Sun 11-07 02:00 EDT -> 01:00 EST (06:00Z)
  Europe/London       spring Sun 03-28 01:00 GMT -> 02:00 BST (01:00Z); fall Sun 10-31 02:00 BST -> 01:00 GMT (01:00Z)
  Australia/Lord_Howe spring Sun 10-03 02:00 +10:30 -> 02:30 +11 (10-02 15:30Z);
                      fall   Sun 04-04 02:00 +11 -> 01:30 +10:30 (04-03 15:00Z)
"""

import json
import os
from datetime import datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))


# ------------------------------------------------------------------------------------------------------------
# ids
# ------------------------------------------------------------------------------------------------------------


def uid(n):
    return f"00000000-0000-0000-0000-{n:012x}"


CLINIC = uid(0x01)
P1, P2, P3 = uid(0x11), uid(0x12), uid(0x13)
P_UNKNOWN = uid(0x1F)
R1, R2, R3, R9 = uid(0x21), uid(0x22), uid(0x23), uid(0x29)
R_UNKNOWN = uid(0x2F)
TYPE_IDS = {
    "T30": 0x31, "T60": 0x32, "T20": 0x33, "TB": 0x34, "TBB": 0x35, "TX": 0x36, "G": 0x37, "G2": 0x38,
    "TN": 0x39, "TH": 0x3A, "TP2": 0x3B, "TI": 0x3C,
}
T_UNKNOWN = uid(0x3F)
X1, X2, X3, X4, X5, X6 = (uid(0x51 + i) for i in range(6))
A1, A2, A3, A4, A5, A6 = (uid(0x61 + i) for i in range(6))


def T(key):
    return uid(TYPE_IDS[key])


# ------------------------------------------------------------------------------------------------------------
# time helpers
# ------------------------------------------------------------------------------------------------------------


def z(s):
    """A UTC instant written as 'YYYY-MM-DD HH:MM' (or with seconds)."""
    fmt = "%Y-%m-%d %H:%M:%S" if s.count(":") == 2 else "%Y-%m-%d %H:%M"
    return datetime.strptime(s, fmt).strftime("%Y-%m-%dT%H:%M:%SZ")


def loc(s, offset_hours):
    """Local 'YYYY-MM-DD HH:MM' at the given (hand-known) UTC offset, as a UTC instant."""
    t = datetime.strptime(s, "%Y-%m-%d %H:%M") - timedelta(minutes=round(offset_hours * 60))
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def est(s):
    """New York local time while EST (UTC-5) is in force (January–early March, November–December)."""
    return loc(s, -5)


def edt(s):
    """New York local time while EDT (UTC-4) is in force."""
    return loc(s, -4)


def series(first, n, step_minutes):
    """n instants from `first` (a UTC instant string), step minutes apart."""
    t = datetime.strptime(first, "%Y-%m-%dT%H:%M:%SZ")
    return [(t + timedelta(minutes=i * step_minutes)).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(n)]


def offers(prac, starts):
    return [(s, prac) for s in starts]


# ------------------------------------------------------------------------------------------------------------
# entity builders (the serde forms of clinic-core's records)
# ------------------------------------------------------------------------------------------------------------

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]
NY, LONDON, LORD_HOWE = "America/New_York", "Europe/London", "Australia/Lord_Howe"
NOW = z("2027-01-25 12:00")  # Monday 07:00 EST, a week before the usual test week (Mon 2027-02-01 ..)


def closure(date, start=None, end=None, reason="closed"):
    c = {"date": date}
    if start:
        c["start"], c["end"] = start + ":00", end + ":00"
    c["reason"] = reason
    return c


def prac(pid, name, active=True):
    p = {"id": pid, "clinic_id": CLINIC, "name": name}
    if not active:
        p["active"] = False
    return p


def room(rid, name, active=True):
    r = {"id": rid, "clinic_id": CLINIC, "name": name}
    if not active:
        r["active"] = False
    return r


TYPE_NAMES = {
    "T30": "Consultation 30", "T60": "Consultation 60", "T20": "Check-up 20", "TB": "Treatment with cleanup",
    "TBB": "Treatment with preparation", "TX": "Procedure with buffers", "G": "Group physiotherapy",
    "G2": "Group yoga", "TN": "Consultation with notice", "TH": "Consultation short horizon",
    "TP2": "Specialist consultation", "TI": "Retired consultation",
}


def atype(key, duration, bb=0, ba=0, capacity=1, notice=0, horizon=365, offered_by=(), active=True):
    t = {"id": T(key), "clinic_id": CLINIC, "name": TYPE_NAMES[key], "duration_minutes": duration}
    if bb:
        t["buffer_before_minutes"] = bb
    if ba:
        t["buffer_after_minutes"] = ba
    if capacity != 1:
        t["capacity"] = capacity
    if notice:
        t["min_notice_minutes"] = notice
    if horizon != 365:
        t["max_horizon_days"] = horizon
    if offered_by:
        t["practitioner_ids"] = list(offered_by)
    if not active:
        t["active"] = False
    return t


def hours(days, start, end):
    return [{"weekday": d, "start": start + ":00", "end": end + ":00"} for d in days]


def brk(start, end, days=()):
    return {"weekdays": list(days), "start": start + ":00", "end": end + ":00"}


LUNCH = brk("12:00", "13:00")


def absence(date, start=None, end=None, reason="away"):
    x = {"date": date, "kind": "absence"}
    if start:
        x["start"], x["end"] = start + ":00", end + ":00"
    x["reason"] = reason
    return x


def extra(date, start, end, reason="extra hours"):
    return {"date": date, "kind": "extra", "start": start + ":00", "end": end + ":00", "reason": reason}


def rrule(rule, start, duration):
    return {"rrule": rule, "start": start + ":00", "duration_minutes": duration}


_sched_counter = [0]


def sched(resource, weekly=(), rrules=(), breaks=(), exceptions=(), valid_from="2027-01-01", valid_until=None,
          gran=15):
    _sched_counter[0] += 1
    kind = "room" if resource in (R1, R2, R3, R9) else "practitioner"
    s = {
        "id": uid(0x40 + _sched_counter[0]),
        "clinic_id": CLINIC,
        "resource": {"kind": kind, "id": resource},
        "weekly_hours": list(weekly),
        "recurrences": list(rrules),
        "breaks": list(breaks),
        "exceptions": list(exceptions),
        "valid_from": valid_from,
        "granularity_minutes": gran,
    }
    if valid_until:
        s["valid_until"] = valid_until
    return s


def std_sched(pid, gran=15, breaks=(LUNCH,), exceptions=()):
    """Mon–Fri 09:00–17:00 local with a 12:00–13:00 lunch break."""
    return sched(pid, weekly=hours(WEEKDAYS, "09:00", "17:00"), breaks=breaks, exceptions=exceptions, gran=gran)


def appt(aid, patient, pid, key, start, room_id=None, status="booked"):
    a = {"id": aid, "patient_id": patient, "practitioner_id": pid}
    if room_id:
        a["room_id"] = room_id
    a["appointment_type_id"] = T(key)
    a["start"] = start
    if status != "booked":
        a["status"] = status
    return a


# ------------------------------------------------------------------------------------------------------------
# cases
# ------------------------------------------------------------------------------------------------------------


def check(name, patient, pid, key, start, room_id=None, codes=(), conflicting=None, overbook=False,
          may_overbook=False, reschedule_of=None, overbooked=None, type_id=None):
    req = {"patient_id": patient, "practitioner_id": pid}
    if room_id:
        req["room_id"] = room_id
    req["appointment_type_id"] = type_id or T(key)
    req["start"] = start
    if overbook:
        req["overbook"] = True
    if reschedule_of:
        req["reschedule_of"] = reschedule_of
    exp = {"accepted": not codes, "codes": list(codes)}
    if conflicting is not None:
        exp["conflicting"] = list(conflicting)
    if overbooked is not None:
        exp["overbooked"] = overbooked
    c = {"kind": "check", "name": name, "request": req}
    if may_overbook:
        c["may_overbook"] = True
    c["expect"] = exp
    return c


def search(name, key, frm, to, pracs=(), patient=None, room_id=None, exclude=None, limit=None, slots=None,
           count=None, first=None, last=None, error=None, type_id=None):
    q = {"appointment_type_id": type_id or T(key), "practitioner_ids": list(pracs), "from": frm, "to": to}
    if patient:
        q["patient_id"] = patient
    if room_id:
        q["room_id"] = room_id
    if exclude:
        q["exclude"] = exclude
    if limit is not None:
        q["limit"] = limit
    exp = {}
    if slots is not None:
        exp["slots"] = [{"start": s, "practitioner_id": p} for s, p in slots]
    if count is not None:
        exp["count"] = count
    if first is not None:
        exp["first"] = {"start": first[0], "practitioner_id": first[1]}
    if last is not None:
        exp["last"] = {"start": last[0], "practitioner_id": last[1]}
    if error is not None:
        exp["error"] = error
    return {"kind": "search", "name": name, "query": q, "expect": exp}


# ------------------------------------------------------------------------------------------------------------
# scenarios
# ------------------------------------------------------------------------------------------------------------

SCENARIOS = []

DEFAULT_PRACS = [prac(P1, "Dr Ada Okafor"), prac(P2, "Dr Bo Lindqvist")]


def scenario(name, description, cases, tz=NY, closures=(), practitioners=None, rooms=(), types=None,
             schedules=None, appointments=(), now=NOW):
    if schedules is None:
        fresh()
        schedules = [std_sched(P1), std_sched(P2)]
    sc = {
        "name": name,
        "description": description,
        "clinic": {"id": CLINIC, "name": "Vector Clinic", "time_zone": tz, "closures": list(closures)},
        "practitioners": DEFAULT_PRACS if practitioners is None else practitioners,
        "rooms": list(rooms),
        "appointment_types": [atype("T30", 30), atype("T60", 60)] if types is None else types,
        "schedules": schedules,
        "appointments": list(appointments),
        "now": now,
        "cases": cases,
    }
    SCENARIOS.append(sc)
    _sched_counter[0] = 0


def fresh():
    """Resets schedule ids so each scenario numbers its schedules from 0x41."""
    _sched_counter[0] = 0


# Dates of the usual test week (EST, UTC-5): Mon 2027-02-01 … Fri 02-05, Sat 02-06, Sun 02-07, Mon 02-08.
MON, TUE, WED, THU, FRI, SAT, SUN = (f"2027-02-0{d}" for d in range(1, 8))
ROOMS = [room(R1, "Room 1"), room(R2, "Room 2"), room(R3, "Room 3")]

# ---------------------------------------------------------------- rule 1: practitioner

fresh()
scenario(
    "rule1_practitioner_overlap",
    "Rule 1: a practitioner's active appointment blocks every overlapping request of another patient.",
    appointments=[appt(A1, X1, P1, "T30", est(f"{MON} 10:00"))],
    cases=[
        check("same start, another patient", X2, P1, "T30", est(f"{MON} 10:00"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("starts inside the existing slot", X2, P1, "T30", est(f"{MON} 10:15"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("ends inside the existing slot", X2, P1, "T30", est(f"{MON} 09:45"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("longer type covering it", X2, P1, "T60", est(f"{MON} 09:30"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("another practitioner at the same time", X2, P2, "T30", est(f"{MON} 10:00")),
        # P1 window 09:00–12:00, busy 10:00–10:30; T30 starts in [09:00, 11:00) every 15 minutes:
        # 09:45, 10:00, 10:15 overlap; 09:30 ends exactly at 10:00; 10:30 starts exactly at its end.
        search("P1 free starts around the appointment", "T30", est(f"{MON} 09:00"), est(f"{MON} 11:00"),
               pracs=[P1],
               slots=offers(P1, [est(f"{MON} {h}") for h in ["09:00", "09:15", "09:30", "10:30", "10:45"]])),
        search("P1 and P2 interleaved by start then practitioner", "T30", est(f"{MON} 09:00"),
               est(f"{MON} 11:00"), pracs=[P1, P2],
               slots=[(est(f"{MON} {h}"), p) for h, p in [
                   ("09:00", P1), ("09:00", P2), ("09:15", P1), ("09:15", P2), ("09:30", P1), ("09:30", P2),
                   ("09:45", P2), ("10:00", P2), ("10:15", P2), ("10:30", P1), ("10:30", P2), ("10:45", P1),
                   ("10:45", P2)]]),
    ],
)

scenario(
    "rule1_touching_half_open",
    "Half-open intervals: an appointment ending when another starts does not overlap it (rules 1 and 2).",
    appointments=[appt(A1, X1, P1, "T30", est(f"{MON} 10:00"))],
    cases=[
        check("starts at the existing end", X2, P1, "T30", est(f"{MON} 10:30")),
        check("ends at the existing start", X2, P1, "T30", est(f"{MON} 09:30")),
        check("overlaps by 15 minutes", X2, P1, "T30", est(f"{MON} 10:15"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("overlaps the start by 15 minutes", X2, P1, "T30", est(f"{MON} 09:45"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("same patient right after, other practitioner", X1, P2, "T30", est(f"{MON} 10:30")),
        check("same patient right before, other practitioner", X1, P2, "T30", est(f"{MON} 09:30")),
        # T60 starts in [09:00, 11:00): s conflicts when s < 10:30 and s + 60 > 10:00, i.e. 09:15..10:15.
        search("hour-long starts around the appointment", "T60", est(f"{MON} 09:00"), est(f"{MON} 11:00"),
               pracs=[P1], slots=offers(P1, [est(f"{MON} 09:00"), est(f"{MON} 10:30"), est(f"{MON} 10:45")])),
    ],
)

# ---------------------------------------------------------------- rule 1: room

fresh()
scenario(
    "rule1_room_overlap",
    "Rule 1 for rooms: a room booked by another practitioner blocks overlapping requests naming that room.",
    rooms=ROOMS,
    appointments=[appt(A1, X1, P2, "T30", est(f"{MON} 10:00"), room_id=R1)],
    cases=[
        check("same room, same time", X2, P1, "T30", est(f"{MON} 10:00"), room_id=R1,
              codes=["SLOT_CONFLICT_ROOM"], conflicting=[A1]),
        check("same room, overlapping", X2, P1, "T30", est(f"{MON} 10:15"), room_id=R1,
              codes=["SLOT_CONFLICT_ROOM"], conflicting=[A1]),
        check("other room, same time", X2, P1, "T30", est(f"{MON} 10:00"), room_id=R2),
        check("no room, same time", X2, P1, "T30", est(f"{MON} 10:00")),
        check("same room, right after", X2, P1, "T30", est(f"{MON} 10:30"), room_id=R1),
        check("same room, right before", X2, P1, "T30", est(f"{MON} 09:30"), room_id=R1),
        search("P1 in room 1", "T30", est(f"{MON} 09:00"), est(f"{MON} 11:00"), pracs=[P1], room_id=R1,
               slots=offers(P1, [est(f"{MON} {h}") for h in ["09:00", "09:15", "09:30", "10:30", "10:45"]])),
        # Room 2 is free: every start 09:00..10:45 (8).
        search("P1 in room 2", "T30", est(f"{MON} 09:00"), est(f"{MON} 11:00"), pracs=[P1], room_id=R2,
               slots=offers(P1, series(est(f"{MON} 09:00"), 8, 15))),
    ],
)

scenario(
    "rule1_practitioner_and_room",
    "Rule 1 on both resources: practitioner conflict first, then room conflict; conflicting ids over both.",
    rooms=ROOMS,
    appointments=[
        appt(A1, X1, P1, "T30", est(f"{MON} 10:00"), room_id=R1),
        appt(A2, X2, P2, "T30", est(f"{MON} 10:30"), room_id=R2),
    ],
    cases=[
        check("P1 busy (A1) and room 2 busy (A2)", X3, P1, "T30", est(f"{MON} 10:15"), room_id=R2,
              codes=["SLOT_CONFLICT_PRACTITIONER", "SLOT_CONFLICT_ROOM"], conflicting=[A1, A2]),
        check("P1 and room 1 both busy with the same appointment", X3, P1, "T30", est(f"{MON} 10:00"),
              room_id=R1, codes=["SLOT_CONFLICT_PRACTITIONER", "SLOT_CONFLICT_ROOM"], conflicting=[A1]),
        check("P2 busy (A2) and room 1 busy (A1)", X3, P2, "T30", est(f"{MON} 10:15"), room_id=R1,
              codes=["SLOT_CONFLICT_PRACTITIONER", "SLOT_CONFLICT_ROOM"], conflicting=[A1, A2]),
        check("P1 busy, free room 3", X3, P1, "T30", est(f"{MON} 10:00"), room_id=R3,
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("P2 and room 3 free (touching A2)", X3, P2, "T30", est(f"{MON} 10:00"), room_id=R3),
        # P1 busy 10:00–10:30 forbids 09:45, 10:00, 10:15; room 2 busy 10:30–11:00 forbids 10:15, 10:30, 10:45.
        search("P1 in room 2", "T30", est(f"{MON} 09:00"), est(f"{MON} 11:30"), pracs=[P1], room_id=R2,
               slots=offers(P1, [est(f"{MON} {h}") for h in ["09:00", "09:15", "09:30", "11:00", "11:15"]])),
    ],
)

# ---------------------------------------------------------------- buffers

fresh()
scenario(
    "buffer_after",
    "Buffer after: effective intervals [start, end + 10) are compared with each other's effective interval.",
    types=[atype("TB", 30, ba=10), atype("T30", 30)],
    schedules=[std_sched(P1, gran=5), std_sched(P2)],
    appointments=[appt(A1, X1, P1, "TB", est(f"{MON} 10:00"))],  # effective 10:00–10:40
    cases=[
        check("TB at 10:30 hits the existing slot", X2, P1, "TB", est(f"{MON} 10:30"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("TB at 10:40, after the existing buffer", X2, P1, "TB", est(f"{MON} 10:40")),
        check("plain T30 at 10:30 hits the existing buffer", X2, P1, "T30", est(f"{MON} 10:30"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("plain T30 at 10:40", X2, P1, "T30", est(f"{MON} 10:40")),
        check("TB at 09:30: its own buffer reaches 10:10", X2, P1, "TB", est(f"{MON} 09:30"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("TB at 09:20: its buffer ends at 10:00", X2, P1, "TB", est(f"{MON} 09:20")),
        check("plain T30 at 09:30 ends at 10:00", X2, P1, "T30", est(f"{MON} 09:30")),
        check("same patient with P2 right after the bare slot (rule 2 ignores buffers)", X1, P2, "TB",
              est(f"{MON} 10:30")),
        check("buffer may run into the lunch break", X2, P1, "TB", est(f"{MON} 11:30")),
        # TB effective [s, s+40) vs [10:00, 10:40): conflict for 09:20 < s < 10:40 → allowed 09:00..09:20 (5)
        # and 10:40..11:25 (10) among starts < 11:30.
        search("TB starts", "TB", est(f"{MON} 09:00"), est(f"{MON} 11:30"), pracs=[P1],
               slots=offers(P1, series(est(f"{MON} 09:00"), 5, 5) + series(est(f"{MON} 10:40"), 10, 5))),
        # T30 effective [s, s+30): conflict for 09:30 < s < 10:40 → 09:00..09:30 (7) and 10:40..11:25 (10).
        search("T30 starts", "T30", est(f"{MON} 09:00"), est(f"{MON} 11:30"), pracs=[P1],
               slots=offers(P1, series(est(f"{MON} 09:00"), 7, 5) + series(est(f"{MON} 10:40"), 10, 5))),
    ],
)

fresh()
scenario(
    "buffer_before",
    "Buffer before: the request's [start - 15, end) must clear other appointments; existing buffers too.",
    types=[atype("TBB", 30, bb=15), atype("T30", 30)],
    appointments=[
        appt(A1, X1, P1, "T30", est(f"{MON} 10:00")),  # effective 10:00–10:30
        appt(A2, X2, P1, "TBB", est(f"{MON} 14:00")),  # effective 13:45–14:30
    ],
    cases=[
        check("TBB at 10:30: preparation overlaps A1", X3, P1, "TBB", est(f"{MON} 10:30"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("TBB at 10:45: preparation starts at A1's end", X3, P1, "TBB", est(f"{MON} 10:45")),
        check("TBB at 09:30 ends at A1's start", X3, P1, "TBB", est(f"{MON} 09:30")),
        check("T30 at 13:15 ends when A2's preparation starts", X3, P1, "T30", est(f"{MON} 13:15")),
        check("T30 at 13:30 overlaps A2's preparation", X3, P1, "T30", est(f"{MON} 13:30"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A2]),
        check("TBB at the window start: preparation before opening is fine", X3, P1, "TBB",
              est(f"{MON} 09:00")),
        check("TBB right after lunch: preparation inside the break is fine", X3, P1, "TBB", est(f"{MON} 13:00")),
        check("same patient with P2 right after (bare slots touch)", X1, P2, "TBB", est(f"{MON} 10:30")),
        # TBB effective [s-15, s+30) vs [10:00, 10:30): conflict for 09:30 < s < 10:45 → 09:45..10:30 out.
        search("TBB morning starts", "TBB", est(f"{MON} 09:00"), est(f"{MON} 12:00"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} {h}") for h in
                                 ["09:00", "09:15", "09:30", "10:45", "11:00", "11:15", "11:30"]])),
    ],
)

fresh()
scenario(
    "buffer_both_sides",
    "Buffers on both sides of both appointments (5 before, 10 after).",
    types=[atype("TX", 20, bb=5, ba=10)],
    schedules=[std_sched(P1, gran=5)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    appointments=[appt(A1, X1, P1, "TX", est(f"{MON} 10:00"))],  # effective 09:55–10:30
    cases=[
        check("10:35: effective 10:30–11:05 touches", X2, P1, "TX", est(f"{MON} 10:35")),
        check("10:30: effective 10:25–11:00 overlaps", X2, P1, "TX", est(f"{MON} 10:30"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("09:25: effective 09:20–09:55 touches", X2, P1, "TX", est(f"{MON} 09:25")),
        check("09:30: effective 09:25–10:00 overlaps", X2, P1, "TX", est(f"{MON} 09:30"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        # Effective [s-5, s+30) vs [09:55, 10:30): conflict for 09:25 < s < 10:35.
        # Allowed: 09:00..09:25 (6), 10:35..10:55 (5).
        search("TX starts", "TX", est(f"{MON} 09:00"), est(f"{MON} 11:00"), pracs=[P1],
               slots=offers(P1, series(est(f"{MON} 09:00"), 6, 5) + series(est(f"{MON} 10:35"), 5, 5))),
    ],
)

# ---------------------------------------------------------------- group sessions

fresh()
scenario(
    "group_session_capacity",
    "Group type (capacity 3): patients share the identical slot up to capacity; other overlaps conflict.",
    types=[atype("G", 60, capacity=3), atype("T30", 30)],
    schedules=[std_sched(P1, gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    appointments=[
        appt(A1, X1, P1, "G", est(f"{MON} 10:00")),
        appt(A2, X2, P1, "G", est(f"{MON} 10:00")),
        appt(A3, X3, P1, "G", est(f"{MON} 14:00")),
        appt(A4, X4, P1, "G", est(f"{MON} 14:00")),
        appt(A5, X5, P1, "G", est(f"{MON} 14:00")),
    ],
    cases=[
        check("third place in the 10:00 session", X6, P1, "G", est(f"{MON} 10:00")),
        check("the 14:00 session is full", X6, P1, "G", est(f"{MON} 14:00"),
              codes=["GROUP_SESSION_FULL"], conflicting=[A3, A4, A5]),
        check("same type, different overlapping slot", X6, P1, "G", est(f"{MON} 10:30"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1, A2]),
        check("overlapping the full session from before", X6, P1, "G", est(f"{MON} 13:30"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A3, A4, A5]),
        check("an individual type inside the session", X6, P1, "T30", est(f"{MON} 10:00"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1, A2]),
        check("a member joining the same session again", X1, P1, "G", est(f"{MON} 10:00"),
              codes=["PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        check("session right after", X6, P1, "G", est(f"{MON} 11:00")),
        # Windows 09:00–12:00 and 13:00–17:00, every 30 minutes, 60-minute sessions:
        # 09:00 ok, 09:30 ✗, 10:00 shared, 10:30 ✗, 11:00 ok | 13:00 ok, 13:30 ✗, 14:00 full, 14:30 ✗,
        # 15:00, 15:30, 16:00 ok.
        search("group starts", "G", est(f"{MON} 09:00"), est(f"{MON} 17:00"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} {h}") for h in
                                 ["09:00", "10:00", "11:00", "13:00", "15:00", "15:30", "16:00"]])),
        search("group starts for a member of the 10:00 session", "G", est(f"{MON} 09:00"), est(f"{MON} 17:00"),
               pracs=[P1], patient=X1,
               slots=offers(P1, [est(f"{MON} {h}") for h in ["09:00", "11:00", "13:00", "15:00", "15:30",
                                                            "16:00"]])),
    ],
)

fresh()
scenario(
    "group_session_identical_slot",
    "Group sessions share only the identical slot of the same type; buffers apply between different slots; "
    "a room holding a session is shared by its members only.",
    rooms=ROOMS,
    types=[atype("G", 60, capacity=4, ba=15), atype("G2", 60, capacity=5), atype("T30", 30)],
    schedules=[sched(P1, weekly=hours(WEEKDAYS, "09:00", "17:00")),
               sched(P2, weekly=hours(WEEKDAYS, "09:00", "17:00"))],
    appointments=[
        appt(A1, X1, P1, "G", est(f"{MON} 10:00"), room_id=R1),  # effective 10:00–11:15
        appt(A2, X2, P1, "G", est(f"{MON} 10:00"), room_id=R1),
    ],
    cases=[
        check("join the session in its room", X3, P1, "G", est(f"{MON} 10:00"), room_id=R1),
        check("join the session in another room", X3, P1, "G", est(f"{MON} 10:00"), room_id=R2),
        check("another group type at the identical slot", X3, P1, "G2", est(f"{MON} 10:00"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1, A2]),
        check("next session inside the cleanup buffer", X3, P1, "G", est(f"{MON} 11:00"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1, A2]),
        check("next session after the cleanup buffer", X3, P1, "G", est(f"{MON} 11:15")),
        check("earlier session whose own buffer reaches 10:15", X3, P1, "G", est(f"{MON} 09:00"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1, A2]),
        check("individual booking of P2 in the session's room", X3, P2, "T30", est(f"{MON} 10:00"), room_id=R1,
              codes=["SLOT_CONFLICT_ROOM"], conflicting=[A1, A2]),
        check("a member booking the same session twice", X1, P1, "G", est(f"{MON} 10:00"), room_id=R1,
              codes=["PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        # Starts 09:00..12:45 (to = 13:00). Other slots conflict for 08:45 < s < 11:15; 10:00 is the session.
        search("group starts before 13:00", "G", est(f"{MON} 09:00"), est(f"{MON} 13:00"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} 10:00")] + series(est(f"{MON} 11:15"), 7, 15))),
        search("group starts before 13:00 in room 1", "G", est(f"{MON} 09:00"), est(f"{MON} 13:00"),
               pracs=[P1], room_id=R1,
               slots=offers(P1, [est(f"{MON} 10:00")] + series(est(f"{MON} 11:15"), 7, 15))),
    ],
)

fresh()
scenario(
    "group_session_with_overbooked_individual",
    "A session with an (overbooked) individual appointment inside: joining conflicts with that one only.",
    types=[atype("G", 60, capacity=3), atype("T30", 30)],
    schedules=[std_sched(P1, gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    appointments=[
        appt(A1, X1, P1, "G", est(f"{MON} 10:00")),
        appt(A2, X2, P1, "G", est(f"{MON} 10:00")),
        appt(A3, X3, P1, "T30", est(f"{MON} 10:30")),
    ],
    cases=[
        check("joining conflicts with the individual appointment only", X4, P1, "G", est(f"{MON} 10:00"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A3]),
        check("joining with the overbooking override", X4, P1, "G", est(f"{MON} 10:00"), overbook=True,
              may_overbook=True, overbooked=True),
        check("an individual at 10:30 conflicts with all three", X4, P1, "T30", est(f"{MON} 10:30"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1, A2, A3]),
        check("group session at 11:00", X4, P1, "G", est(f"{MON} 11:00")),
        check("individual at 11:00", X4, P1, "T30", est(f"{MON} 11:00")),
        # Starts 09:00..11:00 every 30: 09:00 ok, 09:30 ✗, 10:00 ✗ (A3), 10:30 ✗, 11:00 ok.
        search("group starts in the morning", "G", est(f"{MON} 09:00"), est(f"{MON} 12:00"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} 09:00"), est(f"{MON} 11:00")])),
    ],
)

# ---------------------------------------------------------------- rule 2

fresh()
scenario(
    "rule2_patient_double_booked",
    "Rule 2: the patient's own active appointments (bare slots) block overlapping requests everywhere.",
    appointments=[appt(A1, X1, P2, "T30", est(f"{MON} 10:00"))],
    cases=[
        check("same time with another practitioner", X1, P1, "T30", est(f"{MON} 10:00"),
              codes=["PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        check("overlapping with another practitioner", X1, P1, "T30", est(f"{MON} 10:15"),
              codes=["PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        check("longer type covering it", X1, P1, "T60", est(f"{MON} 09:30"),
              codes=["PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        check("right after", X1, P1, "T30", est(f"{MON} 10:30")),
        check("another patient", X2, P1, "T30", est(f"{MON} 10:00")),
        search("P1 for the patient", "T30", est(f"{MON} 09:00"), est(f"{MON} 11:00"), pracs=[P1], patient=X1,
               slots=offers(P1, [est(f"{MON} {h}") for h in ["09:00", "09:15", "09:30", "10:30", "10:45"]])),
        search("P1 without a patient", "T30", est(f"{MON} 09:00"), est(f"{MON} 11:00"), pracs=[P1],
               slots=offers(P1, series(est(f"{MON} 09:00"), 8, 15))),
        search("P1 and P2 for the patient", "T30", est(f"{MON} 09:00"), est(f"{MON} 11:00"), pracs=[P1, P2],
               patient=X1,
               slots=[(est(f"{MON} {h}"), p) for h in ["09:00", "09:15", "09:30", "10:30", "10:45"]
                      for p in (P1, P2)]),
    ],
)

fresh()
scenario(
    "rule1_rule2_same_appointment",
    "One existing appointment breaking rules 1 (practitioner and room) and 2 at once.",
    rooms=ROOMS,
    appointments=[appt(A1, X1, P1, "T30", est(f"{MON} 10:00"), room_id=R1)],
    cases=[
        check("same patient, practitioner, time", X1, P1, "T30", est(f"{MON} 10:00"),
              codes=["SLOT_CONFLICT_PRACTITIONER", "PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        check("same patient, practitioner and room, overlapping", X1, P1, "T30", est(f"{MON} 10:15"),
              room_id=R1,
              codes=["SLOT_CONFLICT_PRACTITIONER", "SLOT_CONFLICT_ROOM", "PATIENT_DOUBLE_BOOKED"],
              conflicting=[A1]),
        check("same patient and room, other practitioner", X1, P2, "T30", est(f"{MON} 10:00"), room_id=R1,
              codes=["SLOT_CONFLICT_ROOM", "PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        check("same patient, other practitioner", X1, P2, "T30", est(f"{MON} 10:00"),
              codes=["PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        check("other patient, same practitioner", X2, P1, "T30", est(f"{MON} 10:00"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        search("P2 in room 1 for the same patient", "T30", est(f"{MON} 09:00"), est(f"{MON} 11:00"),
               pracs=[P2], patient=X1, room_id=R1,
               slots=offers(P2, [est(f"{MON} {h}") for h in ["09:00", "09:15", "09:30", "10:30", "10:45"]])),
    ],
)

# ---------------------------------------------------------------- statuses

fresh()
scenario(
    "status_inactive_do_not_block",
    "Cancelled, no-show and fulfilled appointments hold nothing (only proposed, booked, arrived are active).",
    appointments=[
        appt(A1, X1, P1, "T30", est(f"{MON} 10:00"), status="cancelled"),
        appt(A2, X1, P1, "T30", est(f"{MON} 11:00"), status="noshow"),
        appt(A3, X1, P1, "T30", est(f"{MON} 14:00"), status="fulfilled"),
    ],
    cases=[
        check("over the cancelled one, other patient", X2, P1, "T30", est(f"{MON} 10:00")),
        check("over the cancelled one, same patient", X1, P1, "T30", est(f"{MON} 10:00")),
        check("over the no-show", X2, P1, "T30", est(f"{MON} 11:00")),
        check("over the no-show, same patient, other practitioner", X1, P2, "T30", est(f"{MON} 11:00")),
        check("over the fulfilled one, same patient", X1, P1, "T30", est(f"{MON} 14:00")),
        # The whole morning is free: 09:00..11:30 (11).
        search("morning", "T30", est(f"{MON} 09:00"), est(f"{MON} 12:00"), pracs=[P1],
               slots=offers(P1, series(est(f"{MON} 09:00"), 11, 15))),
        search("morning for the patient", "T30", est(f"{MON} 09:00"), est(f"{MON} 12:00"), pracs=[P1],
               patient=X1, slots=offers(P1, series(est(f"{MON} 09:00"), 11, 15))),
        search("afternoon (15 starts)", "T30", est(f"{MON} 13:00"), est(f"{MON} 17:00"), pracs=[P1],
               patient=X1, count=15, first=(est(f"{MON} 13:00"), P1), last=(est(f"{MON} 16:30"), P1)),
    ],
)

fresh()
scenario(
    "status_active_block",
    "Proposed, booked and arrived appointments hold their slot for rules 1 and 2.",
    appointments=[
        appt(A1, X1, P1, "T30", est(f"{MON} 10:00"), status="proposed"),
        appt(A2, X2, P1, "T30", est(f"{MON} 11:00"), status="arrived"),
        appt(A3, X3, P1, "T30", est(f"{MON} 14:00")),
    ],
    cases=[
        check("over the proposed one", X4, P1, "T30", est(f"{MON} 10:00"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("over the arrived one", X4, P1, "T30", est(f"{MON} 11:00"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A2]),
        check("over the booked one", X4, P1, "T30", est(f"{MON} 14:00"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A3]),
        check("proposed patient elsewhere", X1, P2, "T30", est(f"{MON} 10:00"),
              codes=["PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        check("arrived patient elsewhere", X2, P2, "T30", est(f"{MON} 11:15"),
              codes=["PATIENT_DOUBLE_BOOKED"], conflicting=[A2]),
        # Busy 10:00–10:30 and 11:00–11:30: out 09:45..10:15 and 10:45..11:15.
        search("morning", "T30", est(f"{MON} 09:00"), est(f"{MON} 12:00"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} {h}") for h in ["09:00", "09:15", "09:30", "10:30", "11:30"]])),
    ],
)

# ---------------------------------------------------------------- reschedule

fresh()
scenario(
    "reschedule_excludes_own_slot",
    "A reschedule (reschedule_of / exclude) does not conflict with the appointment being moved.",
    appointments=[
        appt(A1, X1, P1, "T30", est(f"{MON} 10:00")),
        appt(A2, X2, P1, "T30", est(f"{MON} 11:00")),
    ],
    cases=[
        check("move A1 15 minutes later (overlaps itself)", X1, P1, "T30", est(f"{MON} 10:15"),
              reschedule_of=A1),
        check("the same request as a new booking", X1, P1, "T30", est(f"{MON} 10:15"),
              codes=["SLOT_CONFLICT_PRACTITIONER", "PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        check("move A1 onto A2", X1, P1, "T30", est(f"{MON} 10:45"), reschedule_of=A1,
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A2]),
        check("excluding the wrong appointment", X1, P1, "T30", est(f"{MON} 10:15"), reschedule_of=A2,
              codes=["SLOT_CONFLICT_PRACTITIONER", "PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        check("move A1 to P2 at the same time", X1, P2, "T30", est(f"{MON} 10:00"), reschedule_of=A1),
        check("the same as a new booking", X1, P2, "T30", est(f"{MON} 10:00"),
              codes=["PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        # Only A2 (11:00–11:30) blocks: out 10:45, 11:00, 11:15.
        search("free starts for moving A1", "T30", est(f"{MON} 09:00"), est(f"{MON} 12:00"), pracs=[P1],
               patient=X1, exclude=A1,
               slots=offers(P1, [est(f"{MON} {h}") for h in
                                 ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "11:30"]])),
        search("the same without exclude", "T30", est(f"{MON} 09:00"), est(f"{MON} 12:00"), pracs=[P1],
               patient=X1,
               slots=offers(P1, [est(f"{MON} {h}") for h in ["09:00", "09:15", "09:30", "10:30", "11:30"]])),
    ],
)

# ---------------------------------------------------------------- rule 3: availability

fresh()
scenario(
    "rule3_outside_hours",
    "Rule 3: the slot must lie inside an availability window (Mon–Fri 09:00–17:00, lunch 12–13).",
    cases=[
        check("before opening", X1, P1, "T30", est(f"{MON} 08:30"), codes=["OUTSIDE_AVAILABILITY"]),
        check("starts before opening, ends inside", X1, P1, "T30", est(f"{MON} 08:45"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("runs past closing", X1, P1, "T30", est(f"{MON} 16:45"), codes=["OUTSIDE_AVAILABILITY"]),
        check("last slot of the day", X1, P1, "T30", est(f"{MON} 16:30")),
        check("first slot of the day", X1, P1, "T30", est(f"{MON} 09:00")),
        check("at closing time", X1, P1, "T30", est(f"{MON} 17:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Saturday", X1, P1, "T30", est(f"{SAT} 10:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Sunday", X1, P1, "T30", est(f"{SUN} 10:00"), codes=["OUTSIDE_AVAILABILITY"]),
        search("the weekend", "T30", est(f"{SAT} 00:00"), est("2027-02-08 00:00"), pracs=[P1], slots=[]),
        search("end of the day", "T30", est(f"{MON} 16:00"), est(f"{MON} 18:00"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} 16:00"), est(f"{MON} 16:15"), est(f"{MON} 16:30")])),
        search("end of the day, an hour long", "T60", est(f"{MON} 16:00"), est(f"{MON} 18:00"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} 16:00")])),
    ],
)

fresh()
scenario(
    "rule3_breaks",
    "Breaks cut windows: daily lunch 12:00–13:00 and a Wednesday-only break 15:00–15:30.",
    schedules=[std_sched(P1, breaks=[LUNCH, brk("15:00", "15:30", ["Wed"])])],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("spans the start of lunch", X1, P1, "T30", est(f"{MON} 11:45"), codes=["OUTSIDE_AVAILABILITY"]),
        check("at lunch", X1, P1, "T30", est(f"{MON} 12:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("spans the end of lunch", X1, P1, "T30", est(f"{MON} 12:45"), codes=["OUTSIDE_AVAILABILITY"]),
        check("ends when lunch starts", X1, P1, "T30", est(f"{MON} 11:30")),
        check("starts when lunch ends", X1, P1, "T30", est(f"{MON} 13:00")),
        check("spans the Wednesday break", X1, P1, "T30", est(f"{WED} 14:45"), codes=["OUTSIDE_AVAILABILITY"]),
        check("after the Wednesday break", X1, P1, "T30", est(f"{WED} 15:30")),
        check("Monday has no 15:00 break", X1, P1, "T30", est(f"{MON} 14:45")),
        search("Wednesday afternoon", "T30", est(f"{WED} 14:00"), est(f"{WED} 16:00"), pracs=[P1],
               slots=offers(P1, [est(f"{WED} {h}") for h in ["14:00", "14:15", "14:30", "15:30", "15:45"]])),
        search("around Monday lunch", "T30", est(f"{MON} 11:00"), est(f"{MON} 13:30"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} {h}") for h in ["11:00", "11:15", "11:30", "13:00", "13:15"]])),
    ],
)

fresh()
scenario(
    "rule3_absence_whole_day",
    "A whole-day absence exception removes the practitioner's hours of that local day.",
    schedules=[std_sched(P1, exceptions=[absence(TUE, reason="training")]), std_sched(P2)],
    cases=[
        check("absent day", X1, P1, "T30", est(f"{TUE} 10:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("absent day, last slot", X1, P1, "T30", est(f"{TUE} 16:30"), codes=["OUTSIDE_AVAILABILITY"]),
        check("other practitioner that day", X1, P2, "T30", est(f"{TUE} 10:00")),
        check("day before", X1, P1, "T30", est(f"{MON} 16:30")),
        check("day after", X1, P1, "T30", est(f"{WED} 09:00")),
        # Mon and Wed: 26 starts a day (09:00..11:30 = 11, 13:00..16:30 = 15).
        search("Monday to Wednesday", "T30", est(f"{MON} 00:00"), est(f"{THU} 00:00"), pracs=[P1], count=52,
               first=(est(f"{MON} 09:00"), P1), last=(est(f"{WED} 16:30"), P1)),
        search("the absent day", "T30", est(f"{TUE} 00:00"), est(f"{WED} 00:00"), pracs=[P1], slots=[]),
    ],
)

fresh()
scenario(
    "rule3_absence_partial_keeps_anchor",
    "A partial absence (Wed 14:00–15:10) cuts the window; the piece after it keeps the 09:00 anchor.",
    schedules=[std_sched(P1, exceptions=[absence(WED, "14:00", "15:10", reason="meeting")])],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("ends when the absence starts", X1, P1, "T30", est(f"{WED} 13:30")),
        check("runs into the absence", X1, P1, "T30", est(f"{WED} 13:45"), codes=["OUTSIDE_AVAILABILITY"]),
        check("inside the absence", X1, P1, "T30", est(f"{WED} 14:30"), codes=["OUTSIDE_AVAILABILITY"]),
        check("when the absence ends: off the 15-minute grid from 09:00", X1, P1, "T30", est(f"{WED} 15:10"),
              codes=["MISALIGNED_START"]),
        check("first grid start after the absence", X1, P1, "T30", est(f"{WED} 15:15")),
        check("same time another day", X1, P1, "T30", est(f"{THU} 14:30")),
        search("Wednesday afternoon", "T30", est(f"{WED} 13:00"), est(f"{WED} 16:00"), pracs=[P1],
               slots=offers(P1, [est(f"{WED} {h}") for h in
                                 ["13:00", "13:15", "13:30", "15:15", "15:30", "15:45"]])),
    ],
)

fresh()
scenario(
    "rule3_extra_hours",
    "Extra-hours exceptions open windows with their own anchor; adjoining windows are not merged.",
    schedules=[std_sched(P1, exceptions=[extra(SAT, "10:10", "12:00"), extra(MON, "17:00", "19:00")])],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("Saturday extra hours, first start", X1, P1, "T30", est(f"{SAT} 10:10")),
        check("Saturday 10:15 is off the grid of 10:10", X1, P1, "T30", est(f"{SAT} 10:15"),
              codes=["MISALIGNED_START"]),
        check("Saturday 10:25", X1, P1, "T30", est(f"{SAT} 10:25")),
        check("Saturday before the extra hours", X1, P1, "T30", est(f"{SAT} 10:00"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("Saturday past the extra hours", X1, P1, "T30", est(f"{SAT} 11:45"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("Monday evening extra hours", X1, P1, "T30", est(f"{MON} 17:30")),
        check("across the end of regular hours into extra hours", X1, P1, "T30", est(f"{MON} 16:45"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("Tuesday evening has no extra hours", X1, P1, "T30", est(f"{TUE} 17:30"),
              codes=["OUTSIDE_AVAILABILITY"]),
        # 10:10 + 15k while the slot ends by 12:00: 10:10 .. 11:25 (6).
        search("Saturday", "T30", est(f"{SAT} 00:00"), est(f"{SUN} 00:00"), pracs=[P1],
               slots=offers(P1, series(est(f"{SAT} 10:10"), 6, 15))),
        # Regular 16:00, 16:15, 16:30, then the extra window 17:00 .. 18:30 (7).
        search("Monday late afternoon and evening", "T30", est(f"{MON} 16:00"), est(f"{MON} 19:00"),
               pracs=[P1],
               slots=offers(P1, series(est(f"{MON} 16:00"), 3, 15) + series(est(f"{MON} 17:00"), 7, 15))),
    ],
)

# ---------------------------------------------------------------- rule 3: closures

fresh()
scenario(
    "clinic_closed_whole_day",
    "Whole-day clinic closures (Wednesday, and a Saturday nobody works): CLINIC_CLOSED wins over rule 3/5.",
    closures=[closure(WED, reason="public holiday"), closure(SAT, reason="inventory")],
    cases=[
        check("closed Wednesday", X1, P1, "T30", est(f"{WED} 10:00"), codes=["CLINIC_CLOSED"]),
        check("closed Wednesday, off-grid start: only the closure is reported", X1, P1, "T30",
              est(f"{WED} 10:05"), codes=["CLINIC_CLOSED"]),
        check("closed Wednesday, other practitioner", X1, P2, "T30", est(f"{WED} 10:00"),
              codes=["CLINIC_CLOSED"]),
        check("closed Saturday outside hours", X1, P1, "T30", est(f"{SAT} 10:00"), codes=["CLINIC_CLOSED"]),
        check("Tuesday", X1, P1, "T30", est(f"{TUE} 16:30")),
        check("Thursday", X1, P1, "T30", est(f"{THU} 09:00")),
        search("Monday to Thursday", "T30", est(f"{MON} 00:00"), est(f"{FRI} 00:00"), pracs=[P1], count=78,
               first=(est(f"{MON} 09:00"), P1), last=(est(f"{THU} 16:30"), P1)),
        search("the closed day", "T30", est(f"{WED} 00:00"), est(f"{THU} 00:00"), pracs=[P1, P2], slots=[]),
    ],
)

fresh()
scenario(
    "clinic_closed_partial",
    "Partial closures (Thu 15:00–17:00, Fri 10:00–10:20): any overlap is CLINIC_CLOSED; the grid is unchanged.",
    closures=[closure(THU, "15:00", "17:00", reason="staff meeting"),
              closure(FRI, "10:00", "10:20", reason="fire drill")],
    cases=[
        check("ends when the closure starts", X1, P1, "T30", est(f"{THU} 14:30")),
        check("runs into the closure", X1, P1, "T30", est(f"{THU} 14:45"), codes=["CLINIC_CLOSED"]),
        check("inside the closure", X1, P1, "T30", est(f"{THU} 15:00"), codes=["CLINIC_CLOSED"]),
        check("closure and past closing: only the closure", X1, P1, "T30", est(f"{THU} 16:45"),
              codes=["CLINIC_CLOSED"]),
        check("into the short closure", X1, P1, "T30", est(f"{FRI} 09:45"), codes=["CLINIC_CLOSED"]),
        check("overlapping its last minutes", X1, P1, "T30", est(f"{FRI} 10:15"), codes=["CLINIC_CLOSED"]),
        check("after the short closure", X1, P1, "T30", est(f"{FRI} 10:30")),
        search("Thursday afternoon", "T30", est(f"{THU} 13:00"), est(f"{THU} 17:00"), pracs=[P1],
               slots=offers(P1, series(est(f"{THU} 13:00"), 7, 15))),
        search("Friday morning", "T30", est(f"{FRI} 09:00"), est(f"{FRI} 11:30"), pracs=[P1],
               slots=offers(P1, [est(f"{FRI} {h}") for h in
                                 ["09:00", "09:15", "09:30", "10:30", "10:45", "11:00", "11:15"]])),
    ],
)

# ---------------------------------------------------------------- rule 3: rooms

fresh()
scenario(
    "room_unavailable",
    "A room with its own schedule (Mon–Fri 13:00–17:00, absent Tuesday) must be open; a room without one "
    "is always open.",
    rooms=ROOMS,
    schedules=[std_sched(P1), std_sched(P2),
               sched(R1, weekly=hours(WEEKDAYS, "13:00", "17:00"), exceptions=[absence(TUE, reason="cleaning")])],
    cases=[
        check("room 1 closed in the morning", X1, P1, "T30", est(f"{MON} 10:00"), room_id=R1,
              codes=["ROOM_UNAVAILABLE"]),
        check("room 1 in the afternoon", X1, P1, "T30", est(f"{MON} 14:00"), room_id=R1),
        check("room 2 has no schedule", X1, P1, "T30", est(f"{MON} 10:00"), room_id=R2),
        check("no room", X1, P1, "T30", est(f"{MON} 10:00")),
        check("practitioner unavailable too: only rule 3 for the practitioner", X1, P1, "T30",
              est(f"{SAT} 14:00"), room_id=R1, codes=["OUTSIDE_AVAILABILITY"]),
        check("room unavailable and misaligned", X1, P1, "T30", est(f"{MON} 10:05"), room_id=R1,
              codes=["ROOM_UNAVAILABLE", "MISALIGNED_START"]),
        check("room absent on Tuesday", X1, P1, "T30", est(f"{TUE} 14:00"), room_id=R1,
              codes=["ROOM_UNAVAILABLE"]),
        check("last afternoon slot in room 1", X1, P2, "T30", est(f"{MON} 16:30"), room_id=R1),
        search("P1 in room 1 on Monday", "T30", est(f"{MON} 09:00"), est(f"{MON} 17:00"), pracs=[P1],
               room_id=R1, slots=offers(P1, series(est(f"{MON} 13:00"), 15, 15))),
        search("P1 in room 1 on Tuesday", "T30", est(f"{TUE} 00:00"), est(f"{WED} 00:00"), pracs=[P1],
               room_id=R1, slots=[]),
        search("P1 in room 2 on Monday", "T30", est(f"{MON} 00:00"), est(f"{TUE} 00:00"), pracs=[P1],
               room_id=R2, count=26, first=(est(f"{MON} 09:00"), P1), last=(est(f"{MON} 16:30"), P1)),
    ],
)

# ---------------------------------------------------------------- rule 4

fresh()
scenario(
    "rule4_min_notice",
    "Rule 4: start ≥ now + min notice (120 minutes for TN). now = Monday 09:00 EST.",
    now=z("2027-02-01 14:00"),
    types=[atype("T30", 30), atype("TN", 30, notice=120)],
    cases=[
        check("90 minutes ahead", X1, P1, "TN", est(f"{MON} 10:30"), codes=["MIN_NOTICE_VIOLATED"]),
        check("105 minutes ahead", X1, P1, "TN", est(f"{MON} 10:45"), codes=["MIN_NOTICE_VIOLATED"]),
        check("exactly 120 minutes ahead", X1, P1, "TN", est(f"{MON} 11:00")),
        check("right now, with notice", X1, P1, "TN", est(f"{MON} 09:00"), codes=["MIN_NOTICE_VIOLATED"]),
        check("right now, no notice needed", X1, P1, "T30", est(f"{MON} 09:00")),
        check("in the past", X1, P1, "T30", est("2027-01-29 10:00"), codes=["MIN_NOTICE_VIOLATED"]),
        search("TN on Monday morning", "TN", est(f"{MON} 09:00"), est(f"{MON} 12:00"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} 11:00"), est(f"{MON} 11:15"), est(f"{MON} 11:30")])),
        search("T30 on Monday morning", "T30", est(f"{MON} 09:00"), est(f"{MON} 12:00"), pracs=[P1],
               slots=offers(P1, series(est(f"{MON} 09:00"), 11, 15))),
        # now = Mon 2027-02-01 09:00 EST: every start of the week before is in the past.
        search("T30 the week before", "T30", est("2027-01-25 00:00"), est(f"{MON} 00:00"), pracs=[P1], slots=[]),
    ],
)

fresh()
scenario(
    "rule4_min_notice_now_with_seconds",
    "now = 09:00:30 EST: the earliest start is the next whole minute (09:01) plus the notice.",
    now=z("2027-02-01 14:00:30"),
    types=[atype("T30", 30), atype("TN", 30, notice=120)],
    cases=[
        check("09:00 is 30 seconds in the past", X1, P1, "T30", est(f"{MON} 09:00"),
              codes=["MIN_NOTICE_VIOLATED"]),
        check("09:15", X1, P1, "T30", est(f"{MON} 09:15")),
        check("11:00 is 30 seconds short of 120 minutes", X1, P1, "TN", est(f"{MON} 11:00"),
              codes=["MIN_NOTICE_VIOLATED"]),
        check("11:15", X1, P1, "TN", est(f"{MON} 11:15")),
        search("T30 first hour", "T30", est(f"{MON} 09:00"), est(f"{MON} 10:00"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} 09:15"), est(f"{MON} 09:30"), est(f"{MON} 09:45")])),
        search("TN late morning", "TN", est(f"{MON} 10:00"), est(f"{MON} 12:00"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} 11:15"), est(f"{MON} 11:30")])),
    ],
)

fresh()
scenario(
    "rule4_booking_horizon",
    "Rule 4: start ≤ now + horizon (14 days for TH, 365 for T30). now = Mon 2027-01-25 10:00 EST.",
    now=z("2027-01-25 15:00"),
    types=[atype("T30", 30), atype("TH", 30, horizon=14)],
    cases=[
        check("exactly 14 days ahead", X1, P1, "TH", est("2027-02-08 10:00")),
        check("14 days and 15 minutes ahead", X1, P1, "TH", est("2027-02-08 10:15"),
              codes=["BEYOND_BOOKING_HORIZON"]),
        check("15 days ahead", X1, P1, "TH", est("2027-02-09 10:00"), codes=["BEYOND_BOOKING_HORIZON"]),
        check("7 days ahead", X1, P1, "TH", est(f"{MON} 10:00")),
        check("T30 15 days ahead", X1, P1, "T30", est("2027-02-09 10:00")),
        # 2027 has 365 days: now + 365 days = Tue 2028-01-25 10:00 EST.
        check("T30 exactly 365 days ahead", X1, P1, "T30", est("2028-01-25 10:00")),
        check("T30 365 days and 15 minutes ahead", X1, P1, "T30", est("2028-01-25 10:15"),
              codes=["BEYOND_BOOKING_HORIZON"]),
        search("TH on the last day", "TH", est("2027-02-08 09:00"), est("2027-02-08 12:00"), pracs=[P1],
               slots=offers(P1, series(est("2027-02-08 09:00"), 5, 15))),
        search("TH the day after", "TH", est("2027-02-09 00:00"), est("2027-02-10 00:00"), pracs=[P1],
               slots=[]),
    ],
)

# ---------------------------------------------------------------- rule 5

fresh()
scenario(
    "rule5_misaligned_start",
    "Rule 5: starts every `granularity` minutes from the window start (P1: Mon 08:50–12:00 every 20; "
    "P2: 09:00 every 15).",
    types=[atype("T30", 30), atype("T20", 20)],
    schedules=[sched(P1, weekly=hours(["Mon"], "08:50", "12:00"), gran=20), std_sched(P2)],
    cases=[
        check("window start", X1, P1, "T30", est(f"{MON} 08:50")),
        check("one step later", X1, P1, "T30", est(f"{MON} 09:10")),
        check("09:00 is off P1's grid", X1, P1, "T30", est(f"{MON} 09:00"), codes=["MISALIGNED_START"]),
        check("09:05", X1, P1, "T30", est(f"{MON} 09:05"), codes=["MISALIGNED_START"]),
        check("09:10 is off P2's grid", X1, P2, "T30", est(f"{MON} 09:10"), codes=["MISALIGNED_START"]),
        check("09:15 on P2's grid", X1, P2, "T30", est(f"{MON} 09:15")),
        check("last T20 of P1", X1, P1, "T20", est(f"{MON} 11:30")),
        check("last T30 of P1", X1, P1, "T30", est(f"{MON} 11:30")),
        # 08:50 + 20k with the slot ending by 12:00: k = 0..8.
        search("P1 Monday", "T30", est(f"{MON} 08:00"), est(f"{MON} 12:00"), pracs=[P1],
               slots=offers(P1, series(est(f"{MON} 08:50"), 9, 20))),
    ],
)

fresh()
scenario(
    "rule5_break_keeps_anchor",
    "A break (12:00–12:50) cuts the window; the afternoon piece keeps the 09:00 anchor (grid of 20).",
    types=[atype("T20", 20)],
    schedules=[std_sched(P1, gran=20, breaks=[brk("12:00", "12:50")])],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("12:50, where the piece starts, is off the grid", X1, P1, "T20", est(f"{MON} 12:50"),
              codes=["MISALIGNED_START"]),
        check("13:00 is on the grid from 09:00", X1, P1, "T20", est(f"{MON} 13:00")),
        check("13:10", X1, P1, "T20", est(f"{MON} 13:10"), codes=["MISALIGNED_START"]),
        check("13:20", X1, P1, "T20", est(f"{MON} 13:20")),
        check("11:40 ends at the break", X1, P1, "T20", est(f"{MON} 11:40")),
        check("11:50 spans the break", X1, P1, "T20", est(f"{MON} 11:50"), codes=["OUTSIDE_AVAILABILITY"]),
        search("around the break", "T20", est(f"{MON} 11:00"), est(f"{MON} 13:30"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} {h}") for h in ["11:00", "11:20", "11:40", "13:00", "13:20"]])),
    ],
)

fresh()
scenario(
    "rule5_separate_windows_own_anchor",
    "Two weekly windows on Monday (09:00–12:00, 13:10–16:00, grid of 30): each has its own anchor.",
    schedules=[sched(P1, weekly=hours(["Mon"], "09:00", "12:00") + hours(["Mon"], "13:10", "16:00"), gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("13:10, start of the second window", X1, P1, "T30", est(f"{MON} 13:10")),
        check("13:00, between the windows", X1, P1, "T30", est(f"{MON} 13:00"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("13:30 is on the first window's grid, not the second's", X1, P1, "T30", est(f"{MON} 13:30"),
              codes=["MISALIGNED_START"]),
        check("13:40", X1, P1, "T30", est(f"{MON} 13:40")),
        check("09:30", X1, P1, "T30", est(f"{MON} 09:30")),
        check("09:40", X1, P1, "T30", est(f"{MON} 09:40"), codes=["MISALIGNED_START"]),
        search("Monday from 11:00", "T30", est(f"{MON} 11:00"), est(f"{MON} 16:00"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} 11:00"), est(f"{MON} 11:30")] + series(est(f"{MON} 13:10"), 5, 30))),
    ],
)

fresh()
scenario(
    "rule5_overlapping_schedules",
    "Two schedules of one practitioner overlap (09:00–12:00 every 30; 10:15–11:45 every 15): a start is "
    "valid on the grid of any window that contains the slot.",
    schedules=[sched(P1, weekly=hours(["Mon"], "09:00", "12:00"), gran=30),
               sched(P1, weekly=hours(["Mon"], "10:15", "11:45"), gran=15)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("10:15 on the second schedule's grid", X1, P1, "T30", est(f"{MON} 10:15")),
        check("10:30 on both grids", X1, P1, "T30", est(f"{MON} 10:30")),
        check("10:20 on neither", X1, P1, "T30", est(f"{MON} 10:20"), codes=["MISALIGNED_START"]),
        check("09:15 only inside the first window", X1, P1, "T30", est(f"{MON} 09:15"),
              codes=["MISALIGNED_START"]),
        check("11:15 ends with the second window", X1, P1, "T30", est(f"{MON} 11:15")),
        check("11:30 inside the first window only, on its grid", X1, P1, "T30", est(f"{MON} 11:30")),
        check("11:45 past both", X1, P1, "T30", est(f"{MON} 11:45"), codes=["OUTSIDE_AVAILABILITY"]),
        search("Monday morning, each start once", "T30", est(f"{MON} 09:00"), est(f"{MON} 12:00"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} {h}") for h in
                                 ["09:00", "09:30", "10:00", "10:15", "10:30", "10:45", "11:00", "11:15",
                                  "11:30"]])),
    ],
)

# ---------------------------------------------------------------- rule 6

fresh()
scenario(
    "rule6_overbook_permitted",
    "Rule 6: a role allowed to overbook bypasses rule 1 only (practitioner, room, full group session).",
    rooms=ROOMS,
    types=[atype("T30", 30), atype("G", 60, capacity=2)],
    appointments=[
        appt(A1, X1, P1, "T30", est(f"{MON} 10:00"), room_id=R1),
        appt(A2, X2, P1, "G", est(f"{MON} 14:00")),
        appt(A3, X3, P1, "G", est(f"{MON} 14:00")),
    ],
    cases=[
        check("over a practitioner conflict", X4, P1, "T30", est(f"{MON} 10:00"), overbook=True,
              may_overbook=True, overbooked=True),
        check("over practitioner and room conflicts", X4, P1, "T30", est(f"{MON} 10:15"), room_id=R1,
              overbook=True, may_overbook=True, overbooked=True),
        check("into a full group session", X4, P1, "G", est(f"{MON} 14:00"), overbook=True, may_overbook=True,
              overbooked=True),
        check("asked but nothing to bypass", X4, P1, "T30", est(f"{MON} 10:30"), overbook=True,
              may_overbook=True, overbooked=False),
        check("allowed but not asked", X4, P1, "T30", est(f"{MON} 10:00"), may_overbook=True,
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1], overbooked=False),
        check("does not bypass rule 2", X1, P2, "T30", est(f"{MON} 10:00"), overbook=True, may_overbook=True,
              codes=["PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        check("bypasses rule 1 but not rule 2", X1, P1, "T30", est(f"{MON} 10:00"), overbook=True,
              may_overbook=True, codes=["PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        check("does not bypass rule 3", X4, P1, "T30", est(f"{MON} 08:00"), overbook=True, may_overbook=True,
              codes=["OUTSIDE_AVAILABILITY"]),
        check("does not bypass rule 5", X4, P1, "T30", est(f"{MON} 10:05"), overbook=True, may_overbook=True,
              codes=["MISALIGNED_START"]),
        # Search never overbooks: A1 (10:00–10:30, P1 and room 1) blocks 09:45, 10:00, 10:15.
        search("search never offers an overbooking", "T30", est(f"{MON} 09:00"), est(f"{MON} 11:00"), pracs=[P1],
               room_id=R1,
               slots=offers(P1, [est(f"{MON} {h}") for h in ["09:00", "09:15", "09:30", "10:30", "10:45"]])),
        # G starts 13:00..15:45: the full 14:00 session and every other slot overlapping it (13:15..14:45) are out.
        search("search never offers a place in a full session", "G", est(f"{MON} 13:00"), est(f"{MON} 16:00"),
               pracs=[P1], slots=offers(P1, [est(f"{MON} 13:00")] + series(est(f"{MON} 15:00"), 4, 15))),
    ],
)

fresh()
scenario(
    "rule6_overbook_not_permitted",
    "Rule 6: asking to overbook without the right is OVERBOOK_NOT_PERMITTED, reported last; rule 1 still applies.",
    appointments=[appt(A1, X1, P1, "T30", est(f"{MON} 10:00"))],
    cases=[
        check("over a conflict", X2, P1, "T30", est(f"{MON} 10:00"), overbook=True,
              codes=["SLOT_CONFLICT_PRACTITIONER", "OVERBOOK_NOT_PERMITTED"], conflicting=[A1],
              overbooked=False),
        check("without any conflict", X2, P1, "T30", est(f"{MON} 10:30"), overbook=True,
              codes=["OVERBOOK_NOT_PERMITTED"], overbooked=False),
        check("conflict and misaligned", X2, P1, "T30", est(f"{MON} 10:05"), overbook=True,
              codes=["SLOT_CONFLICT_PRACTITIONER", "MISALIGNED_START", "OVERBOOK_NOT_PERMITTED"]),
        check("practitioner and patient conflict", X1, P1, "T30", est(f"{MON} 10:00"), overbook=True,
              codes=["SLOT_CONFLICT_PRACTITIONER", "PATIENT_DOUBLE_BOOKED", "OVERBOOK_NOT_PERMITTED"]),
        check("outside hours", X2, P1, "T30", est(f"{MON} 08:00"), overbook=True,
              codes=["OUTSIDE_AVAILABILITY", "OVERBOOK_NOT_PERMITTED"]),
        check("plain booking of the free slot", X2, P1, "T30", est(f"{MON} 10:30")),
        search("free starts around the appointment", "T30", est(f"{MON} 09:00"), est(f"{MON} 11:00"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} {h}") for h in ["09:00", "09:15", "09:30", "10:30", "10:45"]])),
    ],
)

# ---------------------------------------------------------------- type / resource / lookup

fresh()
scenario(
    "type_not_offered",
    "A type restricted to some practitioners (TP2: only P2) is not offered by the others.",
    types=[atype("T30", 30), atype("TP2", 30, offered_by=[P2])],
    cases=[
        check("P1 does not offer it", X1, P1, "TP2", est(f"{MON} 10:00"), codes=["TYPE_NOT_OFFERED"]),
        check("P2 offers it", X1, P2, "TP2", est(f"{MON} 10:00")),
        check("not offered and outside hours", X1, P1, "TP2", est(f"{MON} 08:00"),
              codes=["TYPE_NOT_OFFERED", "OUTSIDE_AVAILABILITY"]),
        check("unrestricted type with P1", X1, P1, "T30", est(f"{MON} 10:00")),
        search("any practitioner", "TP2", est(f"{MON} 09:00"), est(f"{MON} 10:00"),
               slots=offers(P2, series(est(f"{MON} 09:00"), 4, 15))),
        search("P1 explicitly", "TP2", est(f"{MON} 09:00"), est(f"{MON} 10:00"), pracs=[P1], slots=[]),
        search("unrestricted type, any practitioner", "T30", est(f"{MON} 09:00"), est(f"{MON} 09:30"),
               slots=[(est(f"{MON} 09:00"), P1), (est(f"{MON} 09:00"), P2), (est(f"{MON} 09:15"), P1),
                      (est(f"{MON} 09:15"), P2)]),
    ],
)

fresh()
scenario(
    "resource_inactive",
    "Inactive practitioner (P3), type (TI) and room (R9): RESOURCE_INACTIVE for each, room first.",
    practitioners=[prac(P1, "Dr Ada Okafor"), prac(P2, "Dr Bo Lindqvist"), prac(P3, "Dr Cy Retired", False)],
    rooms=[room(R1, "Room 1"), room(R9, "Old room", False)],
    types=[atype("T30", 30), atype("TI", 30, active=False)],
    schedules=[std_sched(P1), std_sched(P2), std_sched(P3)],
    cases=[
        check("inactive practitioner", X1, P3, "T30", est(f"{MON} 10:00"), codes=["RESOURCE_INACTIVE"]),
        check("inactive type", X1, P1, "TI", est(f"{MON} 10:00"), codes=["RESOURCE_INACTIVE"]),
        check("inactive room", X1, P1, "T30", est(f"{MON} 10:00"), room_id=R9, codes=["RESOURCE_INACTIVE"]),
        check("inactive practitioner and type", X1, P3, "TI", est(f"{MON} 10:00"),
              codes=["RESOURCE_INACTIVE", "RESOURCE_INACTIVE"]),
        check("inactive room, practitioner and type", X1, P3, "TI", est(f"{MON} 10:00"), room_id=R9,
              codes=["RESOURCE_INACTIVE", "RESOURCE_INACTIVE", "RESOURCE_INACTIVE"]),
        check("inactive practitioner, outside hours", X1, P3, "T30", est(f"{MON} 08:00"),
              codes=["RESOURCE_INACTIVE", "OUTSIDE_AVAILABILITY"]),
        check("active everything", X1, P1, "T30", est(f"{MON} 10:00"), room_id=R1),
        search("inactive type", "TI", est(f"{MON} 09:00"), est(f"{MON} 10:00"), pracs=[P1], slots=[]),
        search("inactive room", "T30", est(f"{MON} 09:00"), est(f"{MON} 10:00"), pracs=[P1], room_id=R9,
               slots=[]),
        search("inactive practitioner explicitly", "T30", est(f"{MON} 09:00"), est(f"{MON} 10:00"), pracs=[P3],
               slots=[]),
        search("any practitioner: inactive ones are skipped", "T30", est(f"{MON} 09:00"), est(f"{MON} 09:30"),
               slots=[(est(f"{MON} 09:00"), P1), (est(f"{MON} 09:00"), P2), (est(f"{MON} 09:15"), P1),
                      (est(f"{MON} 09:15"), P2)]),
    ],
)

fresh()
scenario(
    "not_found",
    "Unknown type, practitioner or room: NOT_FOUND (and nothing else) for checks, an error for searches.",
    rooms=ROOMS,
    cases=[
        check("unknown type", X1, P1, None, est(f"{MON} 10:00"), type_id=T_UNKNOWN, codes=["NOT_FOUND"]),
        check("unknown practitioner", X1, P_UNKNOWN, "T30", est(f"{MON} 10:00"), codes=["NOT_FOUND"]),
        check("unknown room", X1, P1, "T30", est(f"{MON} 10:00"), room_id=R_UNKNOWN, codes=["NOT_FOUND"]),
        check("unknown type and practitioner, outside hours", X1, P_UNKNOWN, None, est(f"{MON} 08:00"),
              type_id=T_UNKNOWN, codes=["NOT_FOUND"]),
        check("unknown room, off the grid", X1, P1, "T30", est(f"{MON} 10:05"), room_id=R_UNKNOWN,
              codes=["NOT_FOUND"]),
        check("known everything", X1, P1, "T30", est(f"{MON} 10:00"), room_id=R1),
        search("unknown type", None, est(f"{MON} 09:00"), est(f"{MON} 10:00"), type_id=T_UNKNOWN,
               error="NOT_FOUND"),
        search("unknown room", "T30", est(f"{MON} 09:00"), est(f"{MON} 10:00"), room_id=R_UNKNOWN,
               error="NOT_FOUND"),
        search("unknown practitioner", "T30", est(f"{MON} 09:00"), est(f"{MON} 10:00"), pracs=[P_UNKNOWN],
               error="NOT_FOUND"),
        search("a known and an unknown practitioner", "T30", est(f"{MON} 09:00"), est(f"{MON} 10:00"),
               pracs=[P1, P_UNKNOWN], error="NOT_FOUND"),
    ],
)

fresh()
scenario(
    "search_invalid_range",
    "Bad search ranges: to ≤ from, more than 366 days, instants outside 1900–2199 → INVALID_TIME_RANGE; "
    "bad request instants for checks.",
    cases=[
        search("to equals from", "T30", est(f"{MON} 09:00"), est(f"{MON} 09:00"), error="INVALID_TIME_RANGE"),
        search("to before from", "T30", est(f"{MON} 10:00"), est(f"{MON} 09:00"), error="INVALID_TIME_RANGE"),
        search("367 days", "T30", est(f"{MON} 00:00"), est("2028-02-03 00:00"), error="INVALID_TIME_RANGE"),
        search("from before 1900", "T30", z("1899-12-31 00:00"), z("1900-01-02 00:00"),
               error="INVALID_TIME_RANGE"),
        # 2027-02-01 .. 2028-02-01 is 365 days (no Feb 29 in between), so .. 2028-02-02 is exactly 366.
        search("exactly 366 days, first offer", "T30", est(f"{MON} 00:00"), est("2028-02-02 00:00"),
               pracs=[P1], limit=1, slots=[(est(f"{MON} 09:00"), P1)]),
        check("start with seconds", X1, P1, "T30", z("2027-02-01 15:00:30"),
              codes=["TIME_SLOT_NOT_MINUTE_ALIGNED"]),
        check("start in 2200", X1, P1, "T30", z("2200-01-01 15:00"), codes=["INVALID_TIME_RANGE"]),
        check("a valid request", X1, P1, "T30", est(f"{MON} 10:00")),
    ],
)

# ---------------------------------------------------------------- several rules at once

fresh()
scenario(
    "multiple_violations_order",
    "Every violated rule is reported, in the engine's order: inactive, not offered, rule 1, 2, 3, 4, 5, 6.",
    now=z("2027-02-01 13:00"),  # Monday 08:00 EST
    closures=[closure(MON, "10:00", "11:00", reason="maintenance")],
    practitioners=[prac(P1, "Dr Ada Okafor"), prac(P2, "Dr Bo Lindqvist"), prac(P3, "Dr Cy Retired", False)],
    rooms=[room(R1, "Room 1"), room(R9, "Old room", False)],
    types=[atype("T30", 30), atype("TN", 30, notice=1440, offered_by=[P2]), atype("TH", 30, horizon=14)],
    schedules=[std_sched(P1), std_sched(P2), std_sched(P3), sched(R1, weekly=hours(WEEKDAYS, "13:00", "17:00"))],
    appointments=[
        appt(A1, X1, P3, "T30", est(f"{MON} 08:30")),
        appt(A2, X2, P2, "T30", est("2027-02-16 10:00"), room_id=R1),
        appt(A3, X4, P1, "T30", est(f"{MON} 11:00")),
    ],
    cases=[
        check("seven violations", X1, P3, "TN", est(f"{MON} 08:30"), overbook=True,
              codes=["RESOURCE_INACTIVE", "TYPE_NOT_OFFERED", "SLOT_CONFLICT_PRACTITIONER",
                     "PATIENT_DOUBLE_BOOKED", "OUTSIDE_AVAILABILITY", "MIN_NOTICE_VIOLATED",
                     "OVERBOOK_NOT_PERMITTED"], conflicting=[A1]),
        check("room conflict, room closed, too far ahead, off the grid", X3, P1, "TH", est("2027-02-16 10:05"),
              room_id=R1, codes=["SLOT_CONFLICT_ROOM", "ROOM_UNAVAILABLE", "BEYOND_BOOKING_HORIZON",
                                 "MISALIGNED_START"], conflicting=[A2]),
        check("closed and too soon", X4, P2, "TN", est(f"{MON} 10:00"),
              codes=["CLINIC_CLOSED", "MIN_NOTICE_VIOLATED"]),
        check("inactive room, not offered, practitioner busy, too soon", X5, P1, "TN", est(f"{MON} 11:00"),
              room_id=R9, codes=["RESOURCE_INACTIVE", "TYPE_NOT_OFFERED", "SLOT_CONFLICT_PRACTITIONER",
                                 "MIN_NOTICE_VIOLATED"], conflicting=[A3]),
        check("overbooking hides rule 1 but not rule 5", X5, P1, "T30", est(f"{MON} 11:05"), overbook=True,
              may_overbook=True, codes=["MISALIGNED_START"]),
        check("a valid request", X5, P2, "T30", est(f"{TUE} 10:00")),
        # TN by P2: now + 24 h = Tue 08:00 EST; Tuesday 09:00..11:30 (11).
        search("TN over Monday and Tuesday morning", "TN", est(f"{MON} 00:00"), est(f"{TUE} 12:00"),
               slots=offers(P2, series(est(f"{TUE} 09:00"), 11, 15))),
    ],
)

# ---------------------------------------------------------------- searches

fresh()
scenario(
    "search_exact_small",
    "Searches return starts in [from, to) (from rounded up to the minute); a slot may end after `to`.",
    cases=[
        search("hour-long starts between 09:00 and 10:00", "T60", est(f"{MON} 09:00"), est(f"{MON} 10:00"),
               pracs=[P1], slots=offers(P1, series(est(f"{MON} 09:00"), 4, 15))),
        search("hour-long starts around lunch", "T60", est(f"{MON} 11:30"), est(f"{MON} 13:30"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} 13:00"), est(f"{MON} 13:15")])),
        search("a 15-minute range", "T30", est(f"{MON} 09:00"), est(f"{MON} 09:15"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} 09:00")])),
        search("from with seconds", "T30", z("2027-02-01 14:00:30"), z("2027-02-01 14:31"), pracs=[P1],
               slots=offers(P1, [est(f"{MON} 09:15"), est(f"{MON} 09:30")])),
        search("Saturday", "T30", est(f"{SAT} 00:00"), est(f"{SUN} 00:00"), pracs=[P1], slots=[]),
        check("hour-long 11:00 ends at lunch", X1, P1, "T60", est(f"{MON} 11:00")),
        check("hour-long 11:15 runs into lunch", X1, P1, "T60", est(f"{MON} 11:15"),
              codes=["OUTSIDE_AVAILABILITY"]),
    ],
)

fresh()
scenario(
    "search_large_count",
    "A week of two practitioners: 26 starts a day each (09:00..11:30, 13:00..16:30), minus one booking.",
    appointments=[appt(A1, X1, P1, "T30", est(f"{TUE} 10:00"))],
    cases=[
        # 2 practitioners × 5 days × 26 − 3 (09:45, 10:00, 10:15 on Tuesday for P1).
        search("week, both practitioners", "T30", est(f"{MON} 00:00"), est(f"{SAT} 00:00"), count=257,
               first=(est(f"{MON} 09:00"), P1), last=(est(f"{FRI} 16:30"), P2)),
        # 22 hour-long starts a day (09:00..11:00, 13:00..16:00) × 5 − 5 (09:15..10:15 on Tuesday).
        search("week, P1, hour-long", "T60", est(f"{MON} 00:00"), est(f"{SAT} 00:00"), pracs=[P1], count=105,
               first=(est(f"{MON} 09:00"), P1), last=(est(f"{FRI} 16:00"), P1)),
        search("Tuesday morning, P2, for the booked patient", "T30", est(f"{TUE} 09:00"), est(f"{TUE} 12:00"),
               pracs=[P2], patient=X1,
               slots=offers(P2, [est(f"{TUE} {h}") for h in
                                 ["09:00", "09:15", "09:30", "10:30", "10:45", "11:00", "11:15", "11:30"]])),
        check("the booked slot", X2, P1, "T30", est(f"{TUE} 10:00"), codes=["SLOT_CONFLICT_PRACTITIONER"],
              conflicting=[A1]),
        check("Friday last start", X2, P2, "T30", est(f"{FRI} 16:30")),
    ],
)

fresh()
scenario(
    "search_limit",
    "`limit` keeps the earliest offers in (start, practitioner) order.",
    cases=[
        search("three earliest of both", "T30", est(f"{MON} 00:00"), est(f"{SAT} 00:00"), limit=3,
               slots=[(est(f"{MON} 09:00"), P1), (est(f"{MON} 09:00"), P2), (est(f"{MON} 09:15"), P1)]),
        search("earliest of P2", "T30", est(f"{MON} 00:00"), est(f"{SAT} 00:00"), pracs=[P2], limit=1,
               slots=[(est(f"{MON} 09:00"), P2)]),
        search("limit larger than the answer", "T30", est(f"{MON} 00:00"), est(f"{SAT} 00:00"), limit=1000,
               count=260, first=(est(f"{MON} 09:00"), P1), last=(est(f"{FRI} 16:30"), P2)),
        search("limit 0", "T30", est(f"{MON} 00:00"), est(f"{SAT} 00:00"), limit=0, slots=[]),
        check("first slot of the week", X1, P1, "T30", est(f"{MON} 09:00")),
        check("before the first slot", X1, P1, "T30", est(f"{MON} 08:45"), codes=["OUTSIDE_AVAILABILITY"]),
    ],
)

fresh()
scenario(
    "search_practitioner_order",
    "Offers are sorted by start, then practitioner id, whatever the order of practitioner_ids.",
    schedules=[std_sched(P1), sched(P2, weekly=hours(["Mon"], "09:10", "12:00"), gran=20)],
    cases=[
        search("P2 then P1", "T30", est(f"{MON} 09:00"), est(f"{MON} 10:00"), pracs=[P2, P1],
               slots=[(est(f"{MON} {h}"), p) for h, p in [
                   ("09:00", P1), ("09:10", P2), ("09:15", P1), ("09:30", P1), ("09:30", P2), ("09:45", P1),
                   ("09:50", P2)]]),
        search("P2 alone", "T30", est(f"{MON} 09:00"), est(f"{MON} 10:00"), pracs=[P2],
               slots=offers(P2, [est(f"{MON} 09:10"), est(f"{MON} 09:30"), est(f"{MON} 09:50")])),
        check("P2 at 09:10", X1, P2, "T30", est(f"{MON} 09:10")),
        check("P2 at 09:00", X1, P2, "T30", est(f"{MON} 09:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("P2 at 09:20", X1, P2, "T30", est(f"{MON} 09:20"), codes=["MISALIGNED_START"]),
    ],
)

fresh()
scenario(
    "search_room_and_patient",
    "A search with a room (with a schedule, 09:00–12:00) and a patient applies rules 1, 2 and the room's hours.",
    rooms=ROOMS,
    schedules=[std_sched(P1), std_sched(P2), sched(R1, weekly=hours(WEEKDAYS, "09:00", "12:00"))],
    appointments=[
        appt(A1, X1, P2, "T30", est(f"{MON} 09:30")),
        appt(A2, X2, P2, "T30", est(f"{MON} 10:30"), room_id=R1),
    ],
    cases=[
        # Patient busy 09:30–10:00 (out 09:15..09:45); room busy 10:30–11:00 (out 10:15..10:45);
        # the room is closed in the afternoon.
        search("P1, room 1, patient X1", "T30", est(f"{MON} 09:00"), est(f"{MON} 17:00"), pracs=[P1],
               room_id=R1, patient=X1,
               slots=offers(P1, [est(f"{MON} {h}") for h in ["09:00", "10:00", "11:00", "11:15", "11:30"]])),
        check("patient busy", X1, P1, "T30", est(f"{MON} 09:15"), room_id=R1, codes=["PATIENT_DOUBLE_BOOKED"],
              conflicting=[A1]),
        check("room busy", X1, P1, "T30", est(f"{MON} 10:30"), room_id=R1, codes=["SLOT_CONFLICT_ROOM"],
              conflicting=[A2]),
        check("room closed in the afternoon", X1, P1, "T30", est(f"{MON} 13:00"), room_id=R1,
              codes=["ROOM_UNAVAILABLE"]),
        check("everything free", X1, P1, "T30", est(f"{MON} 10:00"), room_id=R1),
    ],
)

# ---------------------------------------------------------------- validity and RRULEs

fresh()
scenario(
    "validity_range",
    "A schedule valid from Wed 2027-02-03 to Wed 2027-02-10 (inclusive).",
    schedules=[sched(P1, weekly=hours(WEEKDAYS, "09:00", "17:00"), breaks=[LUNCH], valid_from=WED,
                     valid_until="2027-02-10")],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("before validity", X1, P1, "T30", est(f"{MON} 10:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("the day before validity", X1, P1, "T30", est(f"{TUE} 16:30"), codes=["OUTSIDE_AVAILABILITY"]),
        check("first valid day", X1, P1, "T30", est(f"{WED} 10:00")),
        check("last valid day", X1, P1, "T30", est("2027-02-10 16:30")),
        check("after validity", X1, P1, "T30", est("2027-02-11 10:00"), codes=["OUTSIDE_AVAILABILITY"]),
        # Valid weekdays: Feb 3, 4, 5, 8, 9, 10 → 6 × 26.
        search("two weeks", "T30", est(f"{MON} 00:00"), est("2027-02-15 00:00"), pracs=[P1], count=156,
               first=(est(f"{WED} 09:00"), P1), last=(est("2027-02-10 16:30"), P1)),
    ],
)

fresh()
scenario(
    "validity_consecutive_schedules",
    "Two consecutive schedules: mornings every 15 until Sun 02-07, afternoons every 30 from Mon 02-08.",
    schedules=[sched(P1, weekly=hours(WEEKDAYS, "09:00", "12:00"), valid_until=SUN, gran=15),
               sched(P1, weekly=hours(WEEKDAYS, "13:00", "17:00"), valid_from="2027-02-08", gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("Friday morning", X1, P1, "T30", est(f"{FRI} 10:00")),
        check("Friday afternoon", X1, P1, "T30", est(f"{FRI} 14:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("next Monday morning", X1, P1, "T30", est("2027-02-08 10:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("next Monday afternoon", X1, P1, "T30", est("2027-02-08 14:00")),
        check("next Monday afternoon, 15-minute grid no longer", X1, P1, "T30", est("2027-02-08 14:15"),
              codes=["MISALIGNED_START"]),
        # Friday 09:00..11:30 every 15 (11) + Monday 13:00..16:30 every 30 (8).
        search("Friday to Monday", "T30", est(f"{FRI} 00:00"), est("2027-02-09 00:00"), pracs=[P1], count=19,
               first=(est(f"{FRI} 09:00"), P1), last=(est("2027-02-08 16:30"), P1)),
    ],
)

fresh()
scenario(
    "rrule_weekly",
    "RRULE hours: FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270228 at 09:00 for 240 minutes; Wednesday break 11:00–11:15.",
    schedules=[sched(P1, rrules=[rrule("FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270228", "09:00", 240)],
                     breaks=[brk("11:00", "11:15", ["Wed"])], valid_from=MON)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("Monday 09:00", X1, P1, "T30", est(f"{MON} 09:00")),
        check("Tuesday is not in the rule", X1, P1, "T30", est(f"{TUE} 09:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Wednesday last slot", X1, P1, "T30", est(f"{WED} 12:30")),
        check("Wednesday past the window", X1, P1, "T30", est(f"{WED} 12:45"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Wednesday across the break", X1, P1, "T30", est(f"{WED} 10:45"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Wednesday after the break", X1, P1, "T30", est(f"{WED} 11:15")),
        check("Monday has no break", X1, P1, "T30", est(f"{MON} 10:45")),
        check("last Monday before UNTIL", X1, P1, "T30", est("2027-02-22 09:00")),
        check("first Monday after UNTIL", X1, P1, "T30", est("2027-03-01 09:00"), codes=["OUTSIDE_AVAILABILITY"]),
        # Monday 09:00..12:30 (15); Wednesday 09:00..10:30 (7) + 11:15..12:30 (6).
        search("first week", "T30", est(f"{MON} 00:00"), est("2027-02-08 00:00"), pracs=[P1], count=28,
               first=(est(f"{MON} 09:00"), P1), last=(est(f"{WED} 12:30"), P1)),
    ],
)

fresh()
scenario(
    "rrule_daily_count",
    "RRULE FREQ=DAILY;COUNT=7 at 14:00 for 120 minutes (Feb 1–7, weekends included) next to weekly "
    "mornings 09:00–12:00; grid 30.",
    schedules=[sched(P1, weekly=hours(WEEKDAYS, "09:00", "12:00"),
                     rrules=[rrule("FREQ=DAILY;COUNT=7", "14:00", 120)], valid_from=MON, gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("Saturday afternoon from the RRULE", X1, P1, "T60", est(f"{SAT} 14:00")),
        check("Sunday, seventh occurrence", X1, P1, "T60", est(f"{SUN} 15:00")),
        check("Monday after COUNT is used up", X1, P1, "T60", est("2027-02-08 14:00"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("runs past the RRULE window", X1, P1, "T60", est(f"{MON} 15:30"), codes=["OUTSIDE_AVAILABILITY"]),
        check("weekday morning", X1, P1, "T60", est(f"{THU} 11:00")),
        check("Saturday morning has no weekly hours", X1, P1, "T60", est(f"{SAT} 09:00"),
              codes=["OUTSIDE_AVAILABILITY"]),
        # Mornings (5 starts: 09:00..11:00) on Feb 1–5 and Feb 8 = 30; afternoons (3: 14:00..15:00) Feb 1–7 = 21.
        search("eight days", "T60", est(f"{MON} 00:00"), est("2027-02-09 00:00"), pracs=[P1], count=51,
               first=(est(f"{MON} 09:00"), P1), last=(est("2027-02-08 11:00"), P1)),
    ],
)

fresh()
scenario(
    "rrule_interval_biweekly",
    "RRULE FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=4 at 10:00 for 180 minutes: Feb 2, Feb 16, Mar 2, Mar 16 "
    "(the last in EDT).",
    schedules=[sched(P1, rrules=[rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=4", "10:00", 180)], valid_from=TUE,
                     gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("first occurrence", X1, P1, "T30", est(f"{TUE} 10:00")),
        check("the off week", X1, P1, "T30", est("2027-02-09 10:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("second occurrence, last slot", X1, P1, "T30", est("2027-02-16 12:30")),
        check("third occurrence, before the window", X1, P1, "T30", est("2027-03-02 09:30"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("fourth occurrence, 10:00 EDT", X1, P1, "T30", edt("2027-03-16 10:00")),
        check("fourth occurrence, 11:00 EDT", X1, P1, "T30", edt("2027-03-16 11:00")),
        check("fourth occurrence, 09:00 EDT is before 10:00 local", X1, P1, "T30", edt("2027-03-16 09:00"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("after COUNT", X1, P1, "T30", edt("2027-03-30 10:00"), codes=["OUTSIDE_AVAILABILITY"]),
        # 6 starts (10:00..12:30) per occurrence.
        search("February and March", "T30", est(f"{MON} 00:00"), edt("2027-04-01 00:00"), pracs=[P1],
               count=24, first=(est(f"{TUE} 10:00"), P1), last=(edt("2027-03-16 12:30"), P1)),
    ],
)

fresh()
scenario(
    "rrule_overnight_window",
    "RRULE FREQ=DAILY;COUNT=2 at 22:00 for 240 minutes: windows cross midnight; a whole-day closure of "
    "Feb 3 cuts the second one at local midnight.",
    closures=[closure(WED, reason="holiday")],
    schedules=[sched(P1, rrules=[rrule("FREQ=DAILY;COUNT=2", "22:00", 240)], valid_from=MON)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("01:30 the next morning", X1, P1, "T30", est(f"{TUE} 01:30")),
        check("runs past 02:00", X1, P1, "T30", est(f"{TUE} 01:45"), codes=["OUTSIDE_AVAILABILITY"]),
        check("second night, before midnight", X1, P1, "T30", est(f"{TUE} 22:00")),
        check("second night, ends at midnight", X1, P1, "T30", est(f"{TUE} 23:30")),
        check("second night, across midnight into the closure", X1, P1, "T30", est(f"{TUE} 23:45"),
              codes=["CLINIC_CLOSED"]),
        check("Wednesday night: closed (and no window)", X1, P1, "T30", est(f"{WED} 22:00"), codes=["CLINIC_CLOSED"]),
        check("fourth night does not exist", X1, P1, "T30", est(f"{THU} 22:00"), codes=["OUTSIDE_AVAILABILITY"]),
        search("after midnight of the first night", "T30", est(f"{TUE} 00:00"), est(f"{TUE} 03:00"), pracs=[P1],
               slots=offers(P1, series(est(f"{TUE} 00:00"), 7, 15))),
        # First night 22:00..01:30 (15); second night 22:00..23:30 (7) before the closure.
        search("whole week", "T30", est(f"{MON} 00:00"), est(f"{SAT} 00:00"), pracs=[P1], count=22,
               first=(est(f"{MON} 22:00"), P1), last=(est(f"{TUE} 23:30"), P1)),
    ],
)

fresh()
scenario(
    "rrule_dst_new_york_spring",
    "RRULE FREQ=WEEKLY;BYDAY=SU;COUNT=3 at 01:00 for 240 wall-clock minutes across the New York spring "
    "change: Mar 7 06–10Z, Mar 14 06–09Z (01:00 EST to 05:00 EDT), Mar 21 05–09Z.",
    now=z("2027-02-25 12:00"),
    types=[atype("T60", 60)],
    schedules=[sched(P1, rrules=[rrule("FREQ=WEEKLY;BYDAY=SU;COUNT=3", "01:00", 240)], valid_from="2027-03-07",
                     gran=60)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("Mar 7, 04:00 EST", X1, P1, "T60", z("2027-03-07 09:00")),
        check("Mar 14, 04:00 EDT", X1, P1, "T60", z("2027-03-14 08:00")),
        check("Mar 14, 05:00 EDT is the end", X1, P1, "T60", z("2027-03-14 09:00"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("Mar 14, half past the hour", X1, P1, "T60", z("2027-03-14 06:30"), codes=["MISALIGNED_START"]),
        check("Mar 21, 01:00 EDT", X1, P1, "T60", z("2027-03-21 05:00")),
        check("Mar 28, after COUNT", X1, P1, "T60", z("2027-03-28 05:00"), codes=["OUTSIDE_AVAILABILITY"]),
        search("the spring-forward Sunday", "T60", z("2027-03-14 00:00"), z("2027-03-15 00:00"), pracs=[P1],
               slots=offers(P1, [z("2027-03-14 06:00"), z("2027-03-14 07:00"), z("2027-03-14 08:00")])),
        search("March", "T60", z("2027-03-01 00:00"), z("2027-04-01 00:00"), pracs=[P1], count=4 + 3 + 4,
               first=(z("2027-03-07 06:00"), P1), last=(z("2027-03-21 08:00"), P1)),
    ],
)

fresh()
scenario(
    "rrule_dst_lord_howe_spring",
    "RRULE FREQ=DAILY;UNTIL=20271005 at 02:00 for 60 minutes in Lord Howe: on Oct 3 02:00 does not exist, "
    "so the window is 02:30–03:00 (+11), 30 real minutes.",
    tz=LORD_HOWE,
    now=z("2027-09-20 00:00"),
    schedules=[sched(P1, rrules=[rrule("FREQ=DAILY;UNTIL=20271005", "02:00", 60)], valid_from="2027-10-01",
                     gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("Oct 3 02:30 (+11)", X1, P1, "T30", z("2027-10-02 15:30")),
        check("Oct 3 01:30 (+10:30), before the window", X1, P1, "T30", z("2027-10-02 15:00"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("Oct 3 03:00 (+11), the end", X1, P1, "T30", z("2027-10-02 16:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Oct 4 02:00 (+11)", X1, P1, "T30", z("2027-10-03 15:00")),
        check("Oct 4 02:15 (+11), off the grid", X1, P1, "T30", z("2027-10-03 15:15"),
              codes=["MISALIGNED_START"]),
        check("Oct 6 02:00, after UNTIL", X1, P1, "T30", z("2027-10-05 15:00"), codes=["OUTSIDE_AVAILABILITY"]),
        # Oct 1, 2: 15:30Z and 16:00Z of the previous UTC day; Oct 3: 15:30Z only; Oct 4, 5: 15:00Z, 15:30Z.
        search("the whole rule", "T30", z("2027-09-30 00:00"), z("2027-10-06 00:00"), pracs=[P1],
               slots=offers(P1, [z("2027-09-30 15:30"), z("2027-09-30 16:00"), z("2027-10-01 15:30"),
                                 z("2027-10-01 16:00"), z("2027-10-02 15:30"), z("2027-10-03 15:00"),
                                 z("2027-10-03 15:30"), z("2027-10-04 15:00"), z("2027-10-04 15:30")])),
    ],
)

# ---------------------------------------------------------------- DST: New York

fresh()
scenario(
    "dst_new_york_spring_gap",
    "Sunday hours 01:00–05:00 on 2027-03-14: 01:00 EST (06:00Z) to 05:00 EDT (09:00Z), 180 real minutes; "
    "02:00–03:00 local does not exist.",
    now=z("2027-03-01 12:00"),
    schedules=[sched(P1, weekly=hours(["Sun"], "01:00", "05:00"), gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("01:30 EST to 03:00 EDT is 30 minutes", X1, P1, "T30", z("2027-03-14 06:30")),
        check("03:00 EDT, first instant after the gap", X1, P1, "T30", z("2027-03-14 07:00")),
        check("an hour from 01:30 EST ends 03:30 EDT", X1, P1, "T60", z("2027-03-14 06:30")),
        check("05:00 EDT is closing", X1, P1, "T30", z("2027-03-14 09:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("an hour from 04:30 EDT runs past closing", X1, P1, "T60", z("2027-03-14 08:30"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("00:30 EST, before opening", X1, P1, "T30", z("2027-03-14 05:30"), codes=["OUTSIDE_AVAILABILITY"]),
        check("03:15 EDT is 75 real minutes after opening", X1, P1, "T30", z("2027-03-14 07:15"),
              codes=["MISALIGNED_START"]),
        search("the short Sunday, 30 minutes", "T30", z("2027-03-14 05:00"), z("2027-03-14 10:00"), pracs=[P1],
               slots=offers(P1, series(z("2027-03-14 06:00"), 6, 30))),
        search("the short Sunday, 60 minutes", "T60", z("2027-03-14 05:00"), z("2027-03-14 10:00"), pracs=[P1],
               slots=offers(P1, series(z("2027-03-14 06:00"), 5, 30))),
        # Mar 7 (EST): 06:00..09:30Z (8); Mar 14: 6; Mar 21 (EDT): 05:00..08:30Z (8).
        search("three Sundays", "T30", z("2027-03-07 00:00"), z("2027-03-22 00:00"), pracs=[P1], count=22,
               first=(z("2027-03-07 06:00"), P1), last=(z("2027-03-21 08:30"), P1)),
    ],
)

fresh()
scenario(
    "dst_new_york_spring_window_in_gap",
    "Bounds inside the gap: P1 opens at 02:30 (→ 03:00 EDT, 07:00Z); P2's 02:00–03:00 break is empty on the "
    "spring-forward day but cuts a normal Sunday.",
    now=z("2027-03-01 12:00"),
    schedules=[sched(P1, weekly=hours(["Sun"], "02:30", "05:00"), gran=15),
               sched(P2, weekly=hours(["Sun"], "01:00", "05:00"), breaks=[brk("02:00", "03:00")], gran=30)],
    cases=[
        check("P1 at 03:00 EDT", X1, P1, "T30", z("2027-03-14 07:00")),
        check("P1 at 01:45 EST", X1, P1, "T30", z("2027-03-14 06:45"), codes=["OUTSIDE_AVAILABILITY"]),
        check("P1 at 03:15 EDT", X1, P1, "T30", z("2027-03-14 07:15")),
        check("P1 last slot 04:30 EDT", X1, P1, "T30", z("2027-03-14 08:30")),
        check("P1 on a normal Sunday at 02:30 EST", X1, P1, "T30", z("2027-03-07 07:30")),
        check("P2 01:30 EST to 03:30 EDT, no break that day", X1, P2, "T60", z("2027-03-14 06:30")),
        check("P2 on a normal Sunday across the break", X1, P2, "T60", z("2027-03-07 06:30"),
              codes=["OUTSIDE_AVAILABILITY"]),
        search("P1 on the spring-forward Sunday", "T30", z("2027-03-14 05:00"), z("2027-03-14 10:00"),
               pracs=[P1], slots=offers(P1, series(z("2027-03-14 07:00"), 7, 15))),
        search("P2 on the spring-forward Sunday", "T30", z("2027-03-14 05:00"), z("2027-03-14 10:00"),
               pracs=[P2], slots=offers(P2, series(z("2027-03-14 06:00"), 6, 30))),
        # Normal Sunday (EST): pieces 06:00–07:00Z and 08:00–10:00Z.
        search("P2 on a normal Sunday", "T30", z("2027-03-07 05:00"), z("2027-03-07 11:00"), pracs=[P2],
               slots=offers(P2, series(z("2027-03-07 06:00"), 2, 30) + series(z("2027-03-07 08:00"), 4, 30))),
    ],
)

fresh()
scenario(
    "dst_new_york_fall_overlap",
    "Sunday hours 01:00–03:00 on 2027-11-07: 01:00 EDT (05:00Z, the earlier 01:00) to 03:00 EST (08:00Z), "
    "180 real minutes; 01:00 EDT is booked.",
    now=z("2027-10-25 12:00"),
    schedules=[sched(P1, weekly=hours(["Sun"], "01:00", "03:00"), gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    appointments=[appt(A1, X1, P1, "T30", z("2027-11-07 05:00"))],
    cases=[
        check("01:00 EST, the second 01:00", X2, P1, "T30", z("2027-11-07 06:00")),
        check("01:00 EDT is taken", X2, P1, "T30", z("2027-11-07 05:00"), codes=["SLOT_CONFLICT_PRACTITIONER"],
              conflicting=[A1]),
        check("01:30 EDT", X2, P1, "T30", z("2027-11-07 05:30")),
        check("02:00–03:00 EST", X2, P1, "T60", z("2027-11-07 07:00")),
        check("02:30–03:30 EST runs past closing", X2, P1, "T60", z("2027-11-07 07:30"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("00:30 EDT, before opening", X2, P1, "T30", z("2027-11-07 04:30"), codes=["OUTSIDE_AVAILABILITY"]),
        search("the long Sunday, 30 minutes", "T30", z("2027-11-07 04:00"), z("2027-11-07 09:00"), pracs=[P1],
               slots=offers(P1, series(z("2027-11-07 05:30"), 5, 30))),
        search("the long Sunday, 60 minutes", "T60", z("2027-11-07 04:00"), z("2027-11-07 09:00"), pracs=[P1],
               slots=offers(P1, series(z("2027-11-07 05:30"), 4, 30))),
        # Oct 31 (EDT) 05:00..06:30Z (4); Nov 7: 5; Nov 14 (EST) 06:00..07:30Z (4).
        search("three Sundays", "T30", z("2027-10-30 00:00"), z("2027-11-15 00:00"), pracs=[P1], count=13,
               first=(z("2027-10-31 05:00"), P1), last=(z("2027-11-14 07:30"), P1)),
    ],
)

fresh()
scenario(
    "dst_new_york_fall_window_bounds_ambiguous",
    "Ambiguous bounds resolve to the earlier instant: P1 00:00–01:30 ends at 01:30 EDT (05:30Z); P2 "
    "01:30–03:00 starts at 01:30 EDT and includes 01:00–01:30 EST in real time.",
    now=z("2027-11-01 12:00"),
    schedules=[sched(P1, weekly=hours(["Sun"], "00:00", "01:30"), gran=30),
               sched(P2, weekly=hours(["Sun"], "01:30", "03:00"), gran=30)],
    cases=[
        check("P1 01:00 EDT", X1, P1, "T30", z("2027-11-07 05:00")),
        check("P1 01:00 EST is after 01:30 EDT", X1, P1, "T30", z("2027-11-07 06:00"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("P1 01:30 EDT", X1, P1, "T30", z("2027-11-07 05:30"), codes=["OUTSIDE_AVAILABILITY"]),
        check("P2 01:30 EDT", X1, P2, "T30", z("2027-11-07 05:30")),
        check("P2 01:00 EST", X1, P2, "T30", z("2027-11-07 06:00")),
        check("P2 02:30 EST", X1, P2, "T30", z("2027-11-07 07:30")),
        check("P2 03:00 EST", X1, P2, "T30", z("2027-11-07 08:00"), codes=["OUTSIDE_AVAILABILITY"]),
        search("both", "T30", z("2027-11-07 03:00"), z("2027-11-07 09:00"),
               slots=offers(P1, series(z("2027-11-07 04:00"), 3, 30))
               + offers(P2, series(z("2027-11-07 05:30"), 5, 30))),
    ],
)

fresh()
scenario(
    "dst_new_york_fall_buffers",
    "Buffers in real time across the fall-back hour: A1 at 01:30 EDT (05:30Z) with 30 minutes after blocks "
    "01:00 EST (06:00Z), which reads earlier on the wall clock.",
    now=z("2027-11-01 12:00"),
    types=[atype("TB", 30, ba=30)],
    schedules=[sched(P1, weekly=hours(["Sun"], "00:00", "04:00"), gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    appointments=[appt(A1, X1, P1, "TB", z("2027-11-07 05:30"))],  # effective 05:30–06:30Z
    cases=[
        check("01:00 EST", X2, P1, "TB", z("2027-11-07 06:00"), codes=["SLOT_CONFLICT_PRACTITIONER"],
              conflicting=[A1]),
        check("01:30 EST", X2, P1, "TB", z("2027-11-07 06:30")),
        check("01:00 EDT: its buffer runs to 02:00Z, over A1", X2, P1, "TB", z("2027-11-07 05:00"),
              codes=["SLOT_CONFLICT_PRACTITIONER"], conflicting=[A1]),
        check("00:30 EDT: buffer ends at A1's start", X2, P1, "TB", z("2027-11-07 04:30")),
        # Window 00:00 EDT (04:00Z) – 04:00 EST (09:00Z); 05:00, 05:30, 06:00 are blocked.
        search("the long Sunday", "TB", z("2027-11-07 04:00"), z("2027-11-07 09:00"), pracs=[P1],
               slots=offers(P1, [z("2027-11-07 04:00"), z("2027-11-07 04:30")]
                            + series(z("2027-11-07 06:30"), 5, 30))),
    ],
)

fresh()
scenario(
    "dst_new_york_fall_patient",
    "Rule 2 in real time across the fall-back hour: a patient booked at 01:30 EDT is free at 01:30 EST.",
    now=z("2027-11-01 12:00"),
    schedules=[sched(P1, weekly=hours(["Sun"], "00:00", "04:00"), gran=30),
               sched(P2, weekly=hours(["Sun"], "00:00", "04:00"), gran=30)],
    appointments=[appt(A1, X1, P1, "T30", z("2027-11-07 05:30"))],
    cases=[
        check("01:30 EST with P2", X1, P2, "T30", z("2027-11-07 06:30")),
        check("01:30 EDT with P2", X1, P2, "T30", z("2027-11-07 05:30"), codes=["PATIENT_DOUBLE_BOOKED"],
              conflicting=[A1]),
        check("01:15 EDT with P2: overlapping and off the grid", X1, P2, "T30", z("2027-11-07 05:15"),
              codes=["PATIENT_DOUBLE_BOOKED", "MISALIGNED_START"], conflicting=[A1]),
        check("01:00 EST with P2", X1, P2, "T30", z("2027-11-07 06:00")),
        # 04:00..08:30Z every 30 (10) minus 05:30.
        search("P2 for the patient", "T30", z("2027-11-07 04:00"), z("2027-11-07 09:00"), pracs=[P2], patient=X1,
               slots=offers(P2, series(z("2027-11-07 04:00"), 3, 30) + series(z("2027-11-07 06:00"), 6, 30))),
    ],
)

fresh()
scenario(
    "dst_new_york_horizon_across_spring",
    "Rule 4 counts local days: now = Mon 03-01 10:00 EST; 14 local days later is 03-15 10:00 EDT = 14:00Z "
    "(23 real hours short of 14 x 24 h, because of the spring-forward night).",
    now=z("2027-03-01 15:00"),
    types=[atype("TH", 30, horizon=14)],
    schedules=[sched(P1, weekly=hours(WEEKDAYS, "09:00", "17:00"))],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("10:00 EDT on the last day", X1, P1, "TH", z("2027-03-15 14:00")),
        check("10:15 EDT on the last day", X1, P1, "TH", z("2027-03-15 14:15"), codes=["BEYOND_BOOKING_HORIZON"]),
        check("11:00 EDT (14 x 24 h later) is beyond", X1, P1, "TH", z("2027-03-15 15:00"),
              codes=["BEYOND_BOOKING_HORIZON"]),
        check("09:00 EDT on the last day", X1, P1, "TH", z("2027-03-15 13:00")),
        check("10:00 EST the Friday before", X1, P1, "TH", z("2027-03-12 15:00")),
        search("the last day", "TH", z("2027-03-15 12:00"), z("2027-03-15 20:00"), pracs=[P1],
               slots=offers(P1, series(z("2027-03-15 13:00"), 5, 15))),
    ],
)

fresh()
scenario(
    "dst_new_york_min_notice_across_gap",
    "Rule 4 in real time: now = 01:30 EST on the spring-forward day; 60 minutes later is 03:30 EDT.",
    now=z("2027-03-14 06:30"),
    types=[atype("T30", 30), atype("TN", 30, notice=60)],
    schedules=[sched(P1, weekly=hours(["Sun"], "00:00", "05:00"), gran=15)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("03:15 EDT is only 45 minutes away", X1, P1, "TN", z("2027-03-14 07:15"),
              codes=["MIN_NOTICE_VIOLATED"]),
        check("03:00 EDT", X1, P1, "TN", z("2027-03-14 07:00"), codes=["MIN_NOTICE_VIOLATED"]),
        check("03:30 EDT", X1, P1, "TN", z("2027-03-14 07:30")),
        check("now, no notice", X1, P1, "T30", z("2027-03-14 06:30")),
        check("15 minutes ago", X1, P1, "T30", z("2027-03-14 06:15"), codes=["MIN_NOTICE_VIOLATED"]),
        search("TN", "TN", z("2027-03-14 05:00"), z("2027-03-14 09:00"), pracs=[P1],
               slots=offers(P1, series(z("2027-03-14 07:30"), 5, 15))),
        search("T30", "T30", z("2027-03-14 05:00"), z("2027-03-14 09:00"), pracs=[P1],
               slots=offers(P1, series(z("2027-03-14 06:30"), 9, 15))),
    ],
)

fresh()
scenario(
    "dst_new_york_closure_fall_day",
    "A whole-day closure of the 25-hour Sunday 2027-11-07: 04:00Z Nov 7 to 05:00Z Nov 8.",
    now=z("2027-11-01 12:00"),
    closures=[closure("2027-11-07", reason="fall festival")],
    schedules=[sched(P1, weekly=hours(["Sat", "Sun"], "20:00", "23:30") + hours(["Mon"], "00:00", "02:00"),
                     gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("Sunday 23:00 EST", X1, P1, "T30", z("2027-11-08 04:00"), codes=["CLINIC_CLOSED"]),
        check("Sunday 20:00 EST", X1, P1, "T30", z("2027-11-08 01:00"), codes=["CLINIC_CLOSED"]),
        check("Monday 00:00 EST", X1, P1, "T30", z("2027-11-08 05:00")),
        check("Saturday 23:00 EDT", X1, P1, "T30", z("2027-11-07 03:00")),
        check("the next Sunday 20:00 EST", X1, P1, "T30", z("2027-11-15 01:00")),
        # Saturday 00:00..03:00Z (7), Sunday closed, Monday 05:00..06:30Z (4).
        search("Saturday night to Monday night", "T30", z("2027-11-07 00:00"), z("2027-11-08 07:00"),
               pracs=[P1],
               slots=offers(P1, series(z("2027-11-07 00:00"), 7, 30) + series(z("2027-11-08 05:00"), 4, 30))),
    ],
)

fresh()
scenario(
    "dst_new_york_week_search",
    "Weekday hours across the spring change: Friday 03-12 in EST (14:00Z), Monday 03-15 in EDT (13:00Z).",
    now=z("2027-03-01 12:00"),
    schedules=[std_sched(P1)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("Monday 09:00 EDT", X1, P1, "T30", z("2027-03-15 13:00")),
        check("Monday 17:30 EDT", X1, P1, "T30", z("2027-03-15 21:30"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Friday 08:00 EST", X1, P1, "T30", z("2027-03-12 13:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Monday 12:00 EDT, lunch", X1, P1, "T30", z("2027-03-15 16:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Monday 13:00 EDT", X1, P1, "T30", z("2027-03-15 17:00")),
        check("Friday 12:00 EST, lunch", X1, P1, "T30", z("2027-03-12 17:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Friday 13:00 EST", X1, P1, "T30", z("2027-03-12 18:00")),
        search("Friday to Monday", "T30", z("2027-03-12 00:00"), z("2027-03-16 00:00"), pracs=[P1], count=52,
               first=(z("2027-03-12 14:00"), P1), last=(z("2027-03-15 20:30"), P1)),
        search("Monday's first hour", "T30", z("2027-03-15 13:00"), z("2027-03-15 14:00"), pracs=[P1],
               slots=offers(P1, series(z("2027-03-15 13:00"), 4, 15))),
    ],
)

# ---------------------------------------------------------------- DST: London

fresh()
scenario(
    "dst_london_spring_gap",
    "London 2027-03-28: 01:00–02:00 local does not exist. P1 00:00–04:00 is 00:00Z–03:00Z; P2 01:30–03:00 "
    "opens at 02:00 BST (01:00Z).",
    tz=LONDON,
    now=z("2027-03-20 12:00"),
    schedules=[sched(P1, weekly=hours(["Sun"], "00:00", "04:00"), gran=30),
               sched(P2, weekly=hours(["Sun"], "01:30", "03:00"), gran=30)],
    cases=[
        check("P1 00:30 GMT to 02:00 BST", X1, P1, "T30", z("2027-03-28 00:30")),
        check("P1 02:00 BST", X1, P1, "T30", z("2027-03-28 01:00")),
        check("P1 03:30 BST", X1, P1, "T30", z("2027-03-28 02:30")),
        check("P1 04:00 BST", X1, P1, "T30", z("2027-03-28 03:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("P2 00:30 GMT", X1, P2, "T30", z("2027-03-28 00:30"), codes=["OUTSIDE_AVAILABILITY"]),
        check("P2 02:00 BST", X1, P2, "T30", z("2027-03-28 01:00")),
        check("P2 02:30 BST", X1, P2, "T30", z("2027-03-28 01:30")),
        check("P2 03:00 BST", X1, P2, "T30", z("2027-03-28 02:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("P2 on a normal Sunday, 01:30 GMT", X1, P2, "T30", z("2027-03-21 01:30")),
        search("both on the spring-forward Sunday", "T30", z("2027-03-28 00:00"), z("2027-03-28 04:00"),
               slots=[(z("2027-03-28 00:00"), P1), (z("2027-03-28 00:30"), P1), (z("2027-03-28 01:00"), P1),
                      (z("2027-03-28 01:00"), P2), (z("2027-03-28 01:30"), P1), (z("2027-03-28 01:30"), P2),
                      (z("2027-03-28 02:00"), P1), (z("2027-03-28 02:30"), P1)]),
        search("P2 on a normal Sunday", "T30", z("2027-03-21 00:00"), z("2027-03-21 04:00"), pracs=[P2],
               slots=offers(P2, series(z("2027-03-21 01:30"), 3, 30))),
    ],
)

fresh()
scenario(
    "dst_london_fall_overlap",
    "London 2027-10-31: 01:00–02:00 local happens twice. Hours 00:30–02:30 run from 00:30 BST (23:30Z Oct 30) "
    "to 02:30 GMT (02:30Z); 01:30 BST is booked.",
    tz=LONDON,
    now=z("2027-10-20 12:00"),
    schedules=[sched(P1, weekly=hours(["Sun"], "00:30", "02:30"), gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    appointments=[appt(A1, X1, P1, "T30", z("2027-10-31 00:30"))],
    cases=[
        check("01:30 GMT, the second 01:30", X2, P1, "T30", z("2027-10-31 01:30")),
        check("01:30 BST is taken", X2, P1, "T30", z("2027-10-31 00:30"), codes=["SLOT_CONFLICT_PRACTITIONER"],
              conflicting=[A1]),
        check("00:30 BST, on the previous UTC day", X2, P1, "T30", z("2027-10-30 23:30")),
        check("02:30 GMT is closing", X2, P1, "T30", z("2027-10-31 02:30"), codes=["OUTSIDE_AVAILABILITY"]),
        check("an hour from 01:30 GMT", X2, P1, "T60", z("2027-10-31 01:30")),
        check("the booked patient at 01:00 GMT", X1, P1, "T30", z("2027-10-31 01:00")),
        search("the long Sunday", "T30", z("2027-10-30 22:00"), z("2027-10-31 04:00"), pracs=[P1],
               slots=offers(P1, [z("2027-10-30 23:30"), z("2027-10-31 00:00"), z("2027-10-31 01:00"),
                                 z("2027-10-31 01:30"), z("2027-10-31 02:00")])),
        # Oct 24 (BST): 23:30Z Oct 23 .. 01:00Z (4); Oct 31: 5.
        search("two Sundays", "T30", z("2027-10-23 00:00"), z("2027-11-01 00:00"), pracs=[P1], count=9,
               first=(z("2027-10-23 23:30"), P1), last=(z("2027-10-31 02:00"), P1)),
    ],
)

fresh()
scenario(
    "dst_london_fall_closure_ambiguous",
    "A partial closure 01:00–02:00 on London's fall-back day: 01:00 resolves to 01:00 BST (00:00Z), 02:00 is "
    "02:00 GMT (02:00Z) — two real hours.",
    tz=LONDON,
    now=z("2027-10-20 12:00"),
    closures=[closure("2027-10-31", "01:00", "02:00", reason="maintenance")],
    schedules=[sched(P1, weekly=hours(["Sun"], "00:00", "04:00"), gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("00:30 BST ends at the closure", X1, P1, "T30", z("2027-10-30 23:30")),
        check("01:00 BST", X1, P1, "T30", z("2027-10-31 00:00"), codes=["CLINIC_CLOSED"]),
        check("01:30 GMT", X1, P1, "T30", z("2027-10-31 01:30"), codes=["CLINIC_CLOSED"]),
        check("02:00 GMT", X1, P1, "T30", z("2027-10-31 02:00")),
        # Window 00:00 BST (23:00Z) – 04:00 GMT (04:00Z) minus the closure 00:00Z–02:00Z.
        search("the long Sunday", "T30", z("2027-10-30 22:00"), z("2027-10-31 05:00"), pracs=[P1],
               slots=offers(P1, [z("2027-10-30 23:00"), z("2027-10-30 23:30")]
                            + series(z("2027-10-31 02:00"), 4, 30))),
    ],
)

fresh()
scenario(
    "dst_london_week_search",
    "Weekday hours across both London changes: 09:00 is 09:00Z in GMT and 08:00Z in BST.",
    tz=LONDON,
    now=z("2027-03-20 12:00"),
    schedules=[std_sched(P1)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("Monday 03-29 09:00 BST", X1, P1, "T30", z("2027-03-29 08:00")),
        check("Monday 03-29 17:00 BST", X1, P1, "T30", z("2027-03-29 16:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Monday 03-29 12:00 BST, lunch", X1, P1, "T30", z("2027-03-29 11:00"),
              codes=["OUTSIDE_AVAILABILITY"]),
        check("Friday 03-26 08:30 GMT", X1, P1, "T30", z("2027-03-26 08:30"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Friday 10-29 16:30 BST", X1, P1, "T30", z("2027-10-29 15:30")),
        check("Monday 11-01 08:30 GMT", X1, P1, "T30", z("2027-11-01 08:30"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Monday 11-01 11:00 GMT", X1, P1, "T30", z("2027-11-01 11:00")),
        search("spring Friday to Monday", "T30", z("2027-03-26 00:00"), z("2027-03-30 00:00"), pracs=[P1],
               count=52, first=(z("2027-03-26 09:00"), P1), last=(z("2027-03-29 15:30"), P1)),
        search("fall Friday to Monday", "T30", z("2027-10-29 00:00"), z("2027-11-02 00:00"), pracs=[P1],
               count=52, first=(z("2027-10-29 08:00"), P1), last=(z("2027-11-01 16:30"), P1)),
    ],
)

# ---------------------------------------------------------------- DST: Lord Howe (30-minute shift)

fresh()
scenario(
    "dst_lord_howe_spring_gap",
    "Lord Howe 2027-10-03: 02:00–02:30 local does not exist (+10:30 → +11). P1 01:00–04:00 is 14:30Z–17:00Z "
    "Oct 2 (150 minutes); P2 opens at 02:15 → 02:30 +11 (15:30Z).",
    tz=LORD_HOWE,
    now=z("2027-09-20 00:00"),
    schedules=[sched(P1, weekly=hours(["Sun"], "01:00", "04:00"), gran=30),
               sched(P2, weekly=hours(["Sun"], "02:15", "04:00"), gran=15)],
    cases=[
        check("P1 01:30 +10:30 to 02:30 +11", X1, P1, "T30", z("2027-10-02 15:00")),
        check("P1 02:30 +11", X1, P1, "T30", z("2027-10-02 15:30")),
        check("P1 15 minutes off its 30-minute grid", X1, P1, "T30", z("2027-10-02 15:15"),
              codes=["MISALIGNED_START"]),
        check("P1 03:30 +11, last slot", X1, P1, "T30", z("2027-10-02 16:30")),
        check("P1 04:00 +11", X1, P1, "T30", z("2027-10-02 17:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("P2 01:45 +10:30", X1, P2, "T30", z("2027-10-02 15:15"), codes=["OUTSIDE_AVAILABILITY"]),
        check("P2 02:30 +11", X1, P2, "T30", z("2027-10-02 15:30")),
        check("P2 02:45 +11", X1, P2, "T30", z("2027-10-02 15:45")),
        search("P1, 30 minutes", "T30", z("2027-10-02 12:00"), z("2027-10-02 18:00"), pracs=[P1],
               slots=offers(P1, series(z("2027-10-02 14:30"), 5, 30))),
        search("P1, 60 minutes", "T60", z("2027-10-02 12:00"), z("2027-10-02 18:00"), pracs=[P1],
               slots=offers(P1, series(z("2027-10-02 14:30"), 4, 30))),
        search("P2", "T30", z("2027-10-02 12:00"), z("2027-10-02 18:00"), pracs=[P2],
               slots=offers(P2, series(z("2027-10-02 15:30"), 5, 15))),
        # Sep 26 (+10:30): 14:30Z..17:00Z Sep 25 (6); Oct 3: 5.
        search("P1, two Sundays", "T30", z("2027-09-25 00:00"), z("2027-10-03 00:00"), pracs=[P1], count=11,
               first=(z("2027-09-25 14:30"), P1), last=(z("2027-10-02 16:30"), P1)),
    ],
)

fresh()
scenario(
    "dst_lord_howe_fall_overlap",
    "Lord Howe 2027-04-04: 01:30–02:00 local happens twice (+11 → +10:30). P1 01:00–03:00 is 14:00Z–16:30Z "
    "Apr 3; P2 01:30–02:30 opens at 01:30 +11 (14:30Z); 01:30 +11 is booked.",
    tz=LORD_HOWE,
    now=z("2027-03-28 00:00"),
    schedules=[sched(P1, weekly=hours(["Sun"], "01:00", "03:00"), gran=30),
               sched(P2, weekly=hours(["Sun"], "01:30", "02:30"), gran=30)],
    appointments=[appt(A1, X1, P1, "T30", z("2027-04-03 14:30"))],
    cases=[
        check("P1 01:30 +10:30, the second 01:30", X2, P1, "T30", z("2027-04-03 15:00")),
        check("P1 01:30 +11 is taken", X2, P1, "T30", z("2027-04-03 14:30"), codes=["SLOT_CONFLICT_PRACTITIONER"],
              conflicting=[A1]),
        check("P1 02:30 +10:30, last slot", X2, P1, "T30", z("2027-04-03 16:00")),
        check("P1 03:00 +10:30", X2, P1, "T30", z("2027-04-03 16:30"), codes=["OUTSIDE_AVAILABILITY"]),
        check("the booked patient with P2 at 01:30 +11", X1, P2, "T30", z("2027-04-03 14:30"),
              codes=["PATIENT_DOUBLE_BOOKED"], conflicting=[A1]),
        check("the booked patient with P2 at 01:30 +10:30", X1, P2, "T30", z("2027-04-03 15:00")),
        check("P2 02:00 +10:30", X2, P2, "T30", z("2027-04-03 15:30")),
        check("P2 02:30 +10:30", X2, P2, "T30", z("2027-04-03 16:00"), codes=["OUTSIDE_AVAILABILITY"]),
        search("P1", "T30", z("2027-04-03 13:00"), z("2027-04-03 17:00"), pracs=[P1],
               slots=offers(P1, [z("2027-04-03 14:00")] + series(z("2027-04-03 15:00"), 3, 30))),
        search("P2 for the booked patient", "T30", z("2027-04-03 13:00"), z("2027-04-03 17:00"), pracs=[P2],
               patient=X1, slots=offers(P2, [z("2027-04-03 15:00"), z("2027-04-03 15:30")])),
    ],
)

fresh()
scenario(
    "dst_lord_howe_week_search",
    "Lord Howe weekday hours across both changes (+10:30 ↔ +11), with P2 working the transition Sundays.",
    tz=LORD_HOWE,
    now=z("2027-03-20 00:00"),
    schedules=[std_sched(P1), sched(P2, weekly=hours(["Sun"], "01:00", "04:00"), gran=30)],
    cases=[
        check("Fri Oct 1 09:00 +10:30", X1, P1, "T30", z("2027-09-30 22:30")),
        check("Fri Oct 1 08:30 +10:30", X1, P1, "T30", z("2027-09-30 22:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Mon Oct 4 09:00 +11", X1, P1, "T30", z("2027-10-03 22:00")),
        check("Mon Oct 4 16:30 +11", X1, P1, "T30", z("2027-10-04 05:30")),
        check("Mon Oct 4 17:00 +11", X1, P1, "T30", z("2027-10-04 06:00"), codes=["OUTSIDE_AVAILABILITY"]),
        check("Fri Apr 2 09:00 +11", X1, P1, "T30", z("2027-04-01 22:00")),
        check("Mon Apr 5 09:00 +10:30", X1, P1, "T30", z("2027-04-04 22:30")),
        check("Mon Apr 5 08:30 +10:30", X1, P1, "T30", z("2027-04-04 22:00"), codes=["OUTSIDE_AVAILABILITY"]),
        # Friday Oct 1 (26) + Monday Oct 4 (26) for P1 + Sunday Oct 3 for P2 (14:30..16:30Z Oct 2, 5).
        search("spring Friday to Monday", "T30", z("2027-09-30 12:00"), z("2027-10-04 12:00"), count=57,
               first=(z("2027-09-30 22:30"), P1), last=(z("2027-10-04 05:30"), P1)),
        search("spring Sunday, P2", "T30", z("2027-10-02 12:00"), z("2027-10-03 12:00"), pracs=[P2],
               slots=offers(P2, series(z("2027-10-02 14:30"), 5, 30))),
        search("fall Friday to Monday, P1", "T30", z("2027-04-01 12:00"), z("2027-04-05 12:00"), pracs=[P1],
               count=52, first=(z("2027-04-01 22:00"), P1), last=(z("2027-04-05 06:00"), P1)),
        # Apr 4: 01:00 +11 (14:00Z) to 04:00 +10:30 (17:30Z), 210 minutes → 14:00..17:00Z (7).
        search("fall Sunday, P2", "T30", z("2027-04-03 12:00"), z("2027-04-04 12:00"), pracs=[P2],
               slots=offers(P2, series(z("2027-04-03 14:00"), 7, 30))),
    ],
)

fresh()
scenario(
    "dst_lord_howe_closure_in_gap",
    "A partial closure 02:00–03:00 on Lord Howe's spring-forward day: 02:00 → 02:30 +11, so only 30 real "
    "minutes (15:30Z–16:00Z Oct 2) are closed.",
    tz=LORD_HOWE,
    now=z("2027-09-20 00:00"),
    closures=[closure("2027-10-03", "02:00", "03:00", reason="generator test")],
    schedules=[sched(P1, weekly=hours(["Sun"], "01:00", "04:00"), gran=30)],
    practitioners=[prac(P1, "Dr Ada Okafor")],
    cases=[
        check("01:30 +10:30 ends at the closure", X1, P1, "T30", z("2027-10-02 15:00")),
        check("02:30 +11", X1, P1, "T30", z("2027-10-02 15:30"), codes=["CLINIC_CLOSED"]),
        check("03:00 +11", X1, P1, "T30", z("2027-10-02 16:00")),
        check("an hour from 01:30 +10:30", X1, P1, "T60", z("2027-10-02 15:00"), codes=["CLINIC_CLOSED"]),
        search("the short Sunday", "T30", z("2027-10-02 12:00"), z("2027-10-02 18:00"), pracs=[P1],
               slots=offers(P1, [z("2027-10-02 14:30"), z("2027-10-02 15:00"), z("2027-10-02 16:00"),
                                 z("2027-10-02 16:30")])),
    ],
)


# ------------------------------------------------------------------------------------------------------------


def main():
    names = set()
    for sc in SCENARIOS:
        assert sc["name"] not in names, sc["name"]
        names.add(sc["name"])
        path = os.path.join(HERE, sc["name"] + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(sc, f, indent=2, ensure_ascii=False)
            f.write("\n")
    cases = sum(len(sc["cases"]) for sc in SCENARIOS)
    print(f"wrote {len(SCENARIOS)} scenarios, {cases} cases")


if __name__ == "__main__":
    main()
