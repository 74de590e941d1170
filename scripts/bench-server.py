#!/usr/bin/env python3
"""Helper of scripts/bench-server.sh (standard library only).

  bench-server.py prepare BASE USER PASSWORD OUTDIR   log in, register bench patients, collect free slots;
                                                      writes token, availability.txt and bookings.txt
  bench-server.py check BASE TOKEN                    lists every appointment and checks that no
                                                      practitioner, room or patient is double-booked
"""

import datetime as dt
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

PATIENTS = 300


def call(base, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def items(v):
    return v["items"] if isinstance(v, dict) and "items" in v else v


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:00Z")


def prepare(base, user, password, out):
    s, tok = call(base, "POST", "/api/v1/auth/login", body={"username": user, "password": password})
    assert s == 200, (s, tok)
    token = tok["access_token"]
    open(out + "/token", "w").write(token)
    clinic = items(call(base, "GET", "/api/v1/clinics", token)[1])[0]["id"]
    types = items(call(base, "GET", f"/api/v1/clinics/{clinic}/appointment-types", token)[1])
    ty = next(t for t in types if t["capacity"] == 1 and t["active"])
    pracs = [p["id"] for p in items(call(base, "GET", f"/api/v1/clinics/{clinic}/practitioners", token)[1])]
    if ty.get("practitioner_ids"):
        pracs = [p for p in pracs if p in ty["practitioner_ids"]]
    patients = []
    for i in range(PATIENTS):
        s, p = call(base, "POST", f"/api/v1/clinics/{clinic}/patients", token,
                    {"given_name": f"Bench{i}", "family_name": "Load", "mrn": f"BENCH-{i:05d}"})
        assert s == 201, (s, p)
        patients.append(p["id"])
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    # Availability queries: one week per practitioner, spread over the next weeks.
    with open(out + "/availability.txt", "w") as f:
        for week in range(4):
            for p in pracs:
                frm = now + dt.timedelta(days=1 + 7 * week)
                f.write(f"GET /api/v1/clinics/{clinic}/availability?appointment_type_id={ty['id']}"
                        f"&practitioner_ids={p}&from={iso(frm)}&to={iso(frm + dt.timedelta(days=7))}&limit=20\n")
    # Bookings: every free slot of the type in the booking horizon, earliest first, patients rotated so that
    # slots at the same time go to different patients.
    horizon = min(int(ty.get("max_horizon_days") or 60), 60)
    offers = []
    for p in pracs:
        day = 1
        while day < horizon:
            frm = now + dt.timedelta(days=day)
            to = frm + dt.timedelta(days=7)
            s, v = call(base, "GET", f"/api/v1/clinics/{clinic}/availability?appointment_type_id={ty['id']}"
                        f"&practitioner_ids={p}&from={iso(frm)}&to={iso(to)}&limit=1000", token)
            assert s == 200, (s, v)
            offers += [(o["start"], p) for o in v]
            day += 7
    offers.sort()
    with open(out + "/bookings.txt", "w") as f:
        for i, (start, p) in enumerate(offers):
            body = {"clinic_id": clinic, "patient_id": patients[i % len(patients)], "practitioner_id": p,
                    "appointment_type_id": ty["id"], "start": start}
            f.write("POST /api/v1/appointments " + json.dumps(body, separators=(",", ":")) + "\n")
    print(f"prepared: {len(pracs)} practitioners, {len(patients)} bench patients, {len(offers)} free slots")


def check(base, token):
    types = {}
    appts = []
    cursor = None
    clinic = items(call(base, "GET", "/api/v1/clinics", token)[1])[0]["id"]
    for t in items(call(base, "GET", f"/api/v1/clinics/{clinic}/appointment-types", token)[1]):
        types[t["id"]] = t
    while True:
        q = "?limit=500" + (f"&cursor={cursor}" if cursor else "")
        s, v = call(base, "GET", "/api/v1/appointments" + q, token)
        assert s == 200, (s, v)
        appts += v["items"]
        cursor = v.get("next_cursor")
        if not cursor:
            break
    active = [a for a in appts if a["status"] in ("proposed", "booked", "arrived") and not a.get("overbooked")]
    problems = 0
    for key in ("practitioner_id", "room_id", "patient_id"):
        by = {}
        for a in active:
            if a.get(key):
                by.setdefault(a[key], []).append(a)
        for rid, lst in by.items():
            lst.sort(key=lambda a: a["start"])
            for i, a in enumerate(lst):
                for b in lst[i + 1:]:
                    if b["start"] >= a["end"]:
                        break
                    group = (key != "patient_id" and a["appointment_type_id"] == b["appointment_type_id"]
                             and a["start"] == b["start"] and types.get(a["appointment_type_id"], {}).get("capacity", 1) > 1)
                    if not group:
                        problems += 1
                        print(f"DOUBLE BOOKING on {key} {rid}: {a['id']} {a['start']}..{a['end']} and "
                              f"{b['id']} {b['start']}..{b['end']}")
    print(f"CHECK appointments={len(appts)} active={len(active)} double_bookings={problems}")
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(*sys.argv[2:6])
    elif sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
