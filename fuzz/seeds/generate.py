#!/usr/bin/env python3
"""Writes the committed seed corpora of the fuzz targets into fuzz/corpus/<target>/.

Run from the repository root with a Python that has openpyxl and xlwt (the test venv has both):
    target/py-venv/bin/python fuzz/seeds/generate.py
Each seed is small; option-byte prefixes follow each target's doc comment.
"""
import datetime
import io
import json
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# --- CSV patients: 1 option byte (mode | date order | region) then the file.
PATIENTS = (
    "mrn,given_name,family_name,date_of_birth,sex,phone,email,street,city,postal_code,country\r\n"
    "MRN-1001,Ada,Lovelace,10/12/1915,female,+44 20 7946 0958,ADA@example.org,12 St James's Sq,London,SW1Y 4JH,GB\r\n"
    "MRN-1002,Alan,Turing,1912-06-23,male,020 7946 0959,alan@example.org,,,,\r\n"
    "MRN-1001,Dup,Licate,5569,other,not a phone,nope@,,,,\r\n"
)
put("import_patients_csv", "comma_crlf_partial", b"\x02" + PATIENTS.encode())
put("import_patients_csv", "bom_semicolon_atomic",
    b"\x09" + "\ufeffMRN;First Name;Surname;DOB;Mobile;E-mail\n"
    "A1;Grace;Hopper;12/09/1906;+1 202 555 0143;grace@example.org\n"
    "A2;\"Quoted; name\";X;31/02/2000;;\n".encode("utf-8"))
put("import_patients_csv", "tabs_dry_run", b"\x04" + b"mrn\tgiven\tfamily\tdob\n7\tA\tB\t01/02/1980\n8\t\t\t\n")

# --- CSV appointments against the conformance kit's clinic (Dr 0..2, Consultation, Group therapy, Room 1).
APPTS = (
    "mrn,practitioner,type,start,room,reason\n"
    "MRN-0001,Dr 0,Consultation,2027-01-11 10:30,,check-up\n"
    "MRN-0002,Dr 1,Group therapy,11/01/2027 14:00,Room 1,\n"
    "MRN-0000,Dr 0,Consultation,2027-01-11T10:10:00+00:00,,clashes with the seeded booking\n"
    "MRN-0001,Dr 2,Consultation,2027-01-11 10:45,,patient double-booked\n"
)
put("import_appointments_csv", "mixed_partial", b"\x02" + APPTS.encode())
put("import_appointments_csv", "atomic", b"\x01" + APPTS.encode())
put("import_appointments_csv", "dry_run_serials", b"\x00mrn;practitioner;type;start\nMRN-0002;Dr 2;Consultation;46398.375\n")

# --- Spreadsheets (XLSX by openpyxl, XLS by xlwt), 1 option byte first.
try:
    import openpyxl
    import xlwt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["MRN", "Given name", "Family name", "DOB", "Phone", "Email"])
    ws.append(["X-1", "Ada", "Lovelace", datetime.date(1915, 12, 10), "+442079460958", "ada@example.org"])
    ws.append(["X-2", "Alan", "Turing", 4557, 2079460959, None])
    ws.append(["X-3", "=A2", "Formula", "=TODAY()", None, None])
    buf = io.BytesIO()
    wb.save(buf)
    put("import_spreadsheet", "patients.xlsx", b"\x02" + buf.getvalue())

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["mrn", "practitioner", "type", "start", "room"])
    ws.append(["MRN-0001", "Dr 0", "Consultation", datetime.datetime(2027, 1, 11, 9, 30), "Room 1"])
    buf = io.BytesIO()
    wb.save(buf)
    put("import_spreadsheet", "appointments.xlsx", b"\x00" + buf.getvalue())

    wb = xlwt.Workbook()
    ws = wb.add_sheet("patients")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, h in enumerate(["mrn", "first name", "last name", "dob", "email"]):
        ws.write(0, c, h)
    ws.write(1, 0, "Q-1"); ws.write(1, 1, "Grace"); ws.write(1, 2, "Hopper")
    ws.write(1, 3, datetime.date(1906, 12, 9), date_style); ws.write(1, 4, "grace@example.org")
    ws.write(2, 0, 42); ws.write(2, 1, "Only"); ws.write(2, 3, 1.5)
    buf = io.BytesIO()
    wb.save(buf)
    put("import_spreadsheet", "patients.xls", b"\x01" + buf.getvalue())
except ImportError as e:  # the committed seeds stay; only regeneration needs the packages
    print(f"skipping spreadsheets: {e}")
put("import_spreadsheet", "csv_fallback", b"\x00mrn,given,family\nZ,A,B\n")

# --- Schedules as JSON: 3 option bytes (zone, first day offset, span) then the schedule.
vec_dir = os.path.join(ROOT, "test-vectors")
schedules = []
for name in ["rule3_breaks.json", "rrule_dst_lord_howe_spring.json", "rule3_absence_partial_keeps_anchor.json"]:
    with open(os.path.join(vec_dir, name)) as f:
        schedules.extend(json.load(f)["schedules"][:1])
for i, s in enumerate(schedules):
    put("schedule_json", f"vector_{i}", bytes([i * 2 + 1, 0, 14]) + json.dumps(s).encode())

# --- RRULEs: 10 option bytes [zone, from_lo, from_hi, until, hour, minute, dur_lo, dur_hi, granularity, span].
def rrule_seed(zone, from_days, until, hour, minute, dur, gran, span, rule):
    return bytes([zone]) + struct.pack("<H", from_days) + bytes([until, hour, minute]) + struct.pack("<H", dur) + bytes([gran, span]) + rule.encode()

# 2027-03-08 is 9928 days after 2000-01-01.
put("rrule", "weekly_new_york", rrule_seed(2, 9928, 40, 1, 30, 210, 15, 30, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SU"))
put("rrule", "daily_count_lord_howe", rrule_seed(3, 9928, 0, 2, 0, 60, 10, 40, "RRULE:FREQ=DAILY;COUNT=20"))
put("rrule", "monthly_until", rrule_seed(1, 9928, 0, 9, 0, 480, 30, 61, "FREQ=MONTHLY;BYMONTHDAY=1,15,-1;UNTIL=20280101"))
put("rrule", "biweekly_interval", rrule_seed(0, 9928, 100, 23, 0, 120, 5, 20, "freq=weekly;interval=2;byday=fr,sa;bysetpos=1"))

# --- FHIR resources: 1 option byte then JSON (the official R4 examples the core's tests use).
fhir_dir = os.path.join(ROOT, "clinic-core", "tests", "fixtures", "fhir")
for name in ["Patient-example.json", "Appointment-example.json", "Schedule-example.json", "Slot-example.json"]:
    with open(os.path.join(fhir_dir, name), "rb") as f:
        put("fhir_import", name.replace(".json", ""), b"\x03" + f.read())
appt = {
    "resourceType": "Appointment", "id": "0190a2b4-7c1e-7000-8000-000000000001", "status": "booked",
    "start": "2027-01-11T10:00:00Z", "end": "2027-01-11T10:30:00Z", "minutesDuration": 30,
    "appointmentType": {"coding": [{"system": "urn:clinic-scheduling:appointment-type", "code": "0190a2b4-7c1e-7000-8000-000000000002"}]},
    "reasonCode": [{"text": "check-up"}], "comment": "bring the X-ray",
    "participant": [
        {"actor": {"reference": "Patient/0190a2b4-7c1e-7000-8000-000000000003"}, "status": "accepted"},
        {"actor": {"reference": "Practitioner/0190a2b4-7c1e-7000-8000-000000000004"}, "status": "accepted"},
        {"actor": {"reference": "Location/0190a2b4-7c1e-7000-8000-000000000005"}, "status": "accepted"},
    ],
}
put("fhir_import", "engine_appointment", b"\x00" + json.dumps(appt).encode())

# --- Test vectors: a few small real scenarios.
for name in ["rule1_touching_half_open.json", "group_session_capacity.json", "dst_lord_howe_spring_gap.json", "search_limit.json"]:
    with open(os.path.join(vec_dir, name), "rb") as f:
        put("test_vectors", name.replace(".json", ""), f.read())

# --- Structured targets (`arbitrary`): any bytes decode; these give the first runs some length and variety.
put("ical_roundtrip", "text_mix", b"\x01\x05Clinic\x00\x03\x10\x27\x00\x00\x1e\x00\x02\x01\x0aSummary, with; specials\\\x01\x09Line\r\nnext\x01\x06Room\t1")
put("ical_roundtrip", "long_utf8", "\x00\x02".encode() + "é🦀".encode() * 40 + b"\x04\x00\x00\x00\x3c\x00\x04\x03")
put("booking_sequence", "bookings", bytes(range(0, 256, 3)) * 2)
put("booking_sequence", "reschedules", bytes([0, 1, 2, 1, 0, 0, 40, 3, 0, 0, 0, 2, 0, 1, 1, 1, 3, 1, 0, 2, 4, 2, 2, 5, 9, 1, 0]) * 6)
put("booking_sequence", "status_walk", bytes([4, 0, 1, 0, 5, 200, 4, 0, 2, 0, 3, 1, 0, 4, 0, 3, 1]) * 8)

# --- Server request bodies: 1 byte choosing the body (order of `BODIES` in fuzz_targets/json_dtos.rs), then JSON.
DTO_SEEDS = [
    ("clinic", {"name": "Northside", "time_zone": "Europe/London",
                "address": {"line1": "1 High St", "city": "London", "postal_code": "N1 9GU", "country": "GB"},
                "contact": {"phone": "020 7946 0958", "email": "Front@Example.org", "default_region": "GB"},
                "closures": [{"date": "2027-12-25", "reason": "Christmas"},
                             {"date": "2027-12-24", "start": "13:00:00", "end": "18:00:00"}]}),
    ("practitioner", {"name": "Dr Ada", "contact": {"email": "ada@example.org"}, "active": True}),
    ("room", {"name": "Room 1", "active": False}),
    ("appointment_type", {"name": "Group therapy", "duration_minutes": 60, "buffer_before_minutes": 5,
                          "buffer_after_minutes": 10, "capacity": 3, "min_notice_minutes": 120, "max_horizon_days": 90,
                          "practitioner_ids": ["0190a2b4-7c1e-7000-8000-000000000004"]}),
    ("schedule", {"resource": {"kind": "practitioner", "id": "0190a2b4-7c1e-7000-8000-000000000004"},
                  "weekly_hours": [{"weekday": "Mon", "start": "09:00:00", "end": "17:00:00"}],
                  "recurrences": [{"rrule": "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=10", "start": "08:30:00", "duration_minutes": 240}],
                  "breaks": [{"weekdays": ["Mon"], "start": "12:00:00", "end": "13:00:00"}],
                  "exceptions": [{"date": "2027-03-08", "kind": "absence"},
                                 {"date": "2027-03-13", "kind": "extra", "start": "10:00:00", "end": "12:00:00"}],
                  "valid_from": "2027-03-01", "valid_until": "2027-06-30", "granularity_minutes": 15}),
    ("patient", {"mrn": "MRN-1001", "given_name": "Ada", "family_name": "Lovelace", "date_of_birth": "1915-12-10",
                 "sex": "female", "contact": {"phone": "+44 20 7946 0958"},
                 "identifiers": [{"system": "urn:oid:2.16.840.1.113883.2.1.4.1", "value": "943 476 5919"}]}),
    ("booking", {"clinic_id": "0190a2b4-7c1e-7000-8000-000000000001", "patient_id": "0190a2b4-7c1e-7000-8000-000000000003",
                 "practitioner_id": "0190a2b4-7c1e-7000-8000-000000000004", "room_id": "0190a2b4-7c1e-7000-8000-000000000005",
                 "appointment_type_id": "0190a2b4-7c1e-7000-8000-000000000002", "start": "2027-01-11T11:00:00Z",
                 "reason": "check-up", "notes": "bring the X-ray"}),
    ("reschedule", {"start": "2027-01-11T14:30:00+00:00", "room_id": None, "expected_version": 1}),
    ("cancel", {"reason": "patient called", "expected_version": 1}),
    ("status", {"status": "arrived"}),
    ("status_cancelled", {"status": "cancelled", "expected_version": 1}),
]
BODIES = ["clinic", "practitioner", "room", "appointment_type", "schedule", "patient", "booking", "reschedule", "cancel",
          "status"]
for name, body in DTO_SEEDS:
    put("json_dtos", name, bytes([BODIES.index(name.split("_cancelled")[0])]) + json.dumps(body).encode())
