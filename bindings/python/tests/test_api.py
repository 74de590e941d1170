"""The Python API over the core: entities, Calendar checks and search, the Scheduler's use cases on SQLite
and in memory, imports, reports, iCalendar and FHIR export."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

import clinic_scheduling as cs
from conftest import CLINIC, CONSULT, DR_A, DR_B, NOW, OTHER_PATIENT, PATIENT

NY = ZoneInfo("America/New_York")
MONDAY_10 = datetime(2027, 3, 1, 10, 0, tzinfo=NY)


def test_entities_validate_repr_eq_and_round_trip():
    c = cs.Clinic(name="  North  ", time_zone="Europe/London")
    assert uuid.UUID(c.id).version == 7
    assert c.name == "North"  # the core trims
    assert c == cs.Clinic.from_dict(c.to_dict())
    assert c == cs.Clinic.from_json(c.to_json())
    assert c != cs.Clinic(name="South", time_zone="Europe/London")
    assert repr(c).startswith("Clinic(") and "North" in repr(c)
    assert c.to_dict(mode="json")["time_zone"] == "Europe/London"
    with pytest.raises(AttributeError):
        c.no_such_field


def test_validation_collects_every_field_error_with_locations():
    with pytest.raises(cs.ValidationError) as err:
        cs.AppointmentType(clinic_id=CLINIC, name="", duration_minutes=0, capacity=0)
    e = err.value
    assert isinstance(e, ValueError) and isinstance(e, cs.ClinicError)
    codes = {x["code"] for x in e.errors()}
    assert {"REQUIRED", "INVALID_DURATION", "INVALID_CAPACITY"} <= codes
    assert e.code == e.errors()[0]["code"]
    assert all(isinstance(x["loc"], tuple) for x in e.errors())
    assert ("name",) in [x["loc"] for x in e.errors()]


def test_nested_contact_error_keeps_the_core_code():
    with pytest.raises(cs.ValidationError) as err:
        cs.Practitioner(clinic_id=CLINIC, name="Dr X", contact={"phone": "not a phone"})
    assert err.value.code == "INVALID_PHONE"
    assert err.value.errors()[0]["loc"][0] == "contact"


def test_phone_and_email_are_normalized():
    ci = cs.ContactInfo(phone="+44 20 7946 0958", email="Ann@Example.COM")
    assert ci.phone == "+442079460958"
    assert ci.email == "ann@example.com"


def test_time_slot_in_and_out_as_aware_datetimes():
    s = cs.TimeSlot(start=MONDAY_10, end=MONDAY_10 + timedelta(minutes=20))
    assert s.start == datetime(2027, 3, 1, 15, 0, tzinfo=timezone.utc)
    assert s.start.tzinfo is not None
    with pytest.raises(cs.ValidationError) as err:
        cs.TimeSlot(start=MONDAY_10, end=MONDAY_10)
    assert err.value.code == "TIME_SLOT_EMPTY"


def test_check_booking_accepts_then_rejects_with_codes_and_alternatives(catalog, calendar):
    v = calendar.check_booking(patient_id=PATIENT, practitioner_id=DR_A, appointment_type_id=CONSULT,
                               start=MONDAY_10, now=NOW)
    assert v.accepted and bool(v) and v.codes == [] and not v.overbooked

    appt = cs.Appointment.from_dict({
        "id": "00000000-0000-0000-0000-0000000000a1", "clinic_id": CLINIC, "patient_id": OTHER_PATIENT,
        "practitioner_id": DR_A, "appointment_type_id": CONSULT,
        "slot": {"start": MONDAY_10, "end": MONDAY_10 + timedelta(minutes=30)},
        "buffer_before_minutes": 0, "buffer_after_minutes": 0, "status": "booked", "version": 1,
        "created_at": NOW, "updated_at": NOW, "history": []})
    cal = cs.Calendar(catalog["clinic"], practitioners=catalog["practitioners"],
                      appointment_types=catalog["appointment_types"], schedules=catalog["schedules"],
                      appointments=[appt])
    req = cs.BookingRequest(patient_id=PATIENT, practitioner_id=DR_A, appointment_type_id=CONSULT,
                            start=MONDAY_10 + timedelta(minutes=15))
    v = cal.check_booking(req, now=NOW)
    assert not v.accepted
    assert v.codes == ["SLOT_CONFLICT_PRACTITIONER", "MISALIGNED_START"] or v.codes[0] == "SLOT_CONFLICT_PRACTITIONER"
    assert v.violations[0].conflicting == [appt.id]
    alts = v.alternatives
    assert alts["same_practitioner"] and all(isinstance(o, cs.SlotOffer) for o in alts["same_practitioner"])
    assert all(cal.check_booking(patient_id=PATIENT, practitioner_id=o.practitioner_id, appointment_type_id=CONSULT,
                                 start=o.start, now=NOW).accepted for o in alts["same_practitioner"])
    assert [o.practitioner_id for o in alts["other_practitioners"]] == [DR_B]
    assert cal.has_conflict(req) is True
    assert cal.conflicts([req, cs.BookingRequest.from_dict({**req.to_dict(), "practitioner_id": DR_B})]) == [True, False]
    bulk = cal.check_many(iter([req, req]), now=NOW, alternatives=False)
    assert [b.codes for b in bulk] == [v.codes, v.codes]
    assert bulk[0].alternatives == {"same_practitioner": [], "other_practitioners": []}


def test_find_available_slots_is_a_sequence_of_offers(calendar):
    day = datetime(2027, 3, 1, tzinfo=NY)
    slots = calendar.find_available_slots(appointment_type_id=CONSULT, practitioner_ids=[DR_A],
                                          from_=day, to=day + timedelta(days=1), now=NOW)
    # 09:00–12:00 and 13:00–17:00 at a 15-minute grid for a 30-minute visit: 11 + 15 starts.
    assert len(slots) == 26
    assert slots[0].start == datetime(2027, 3, 1, 9, 0, tzinfo=NY)
    assert slots[-1].end == datetime(2027, 3, 1, 17, 0, tzinfo=NY)
    assert slots[0].practitioner_id == DR_A
    assert [s.start for s in slots] == slots.starts()
    with pytest.raises(IndexError):
        slots[26]
    with pytest.raises(cs.ValidationError) as err:
        calendar.find_available_slots(appointment_type_id=CONSULT, from_=day, to=day, now=NOW)
    assert err.value.code == "INVALID_TIME_RANGE"


def test_gil_is_released_during_search(calendar):
    # Two threads searching at once both complete (the search runs outside the GIL).
    import threading
    day = datetime(2027, 3, 1, tzinfo=NY)
    out = []

    def work():
        out.append(len(calendar.find_available_slots(appointment_type_id=CONSULT, from_=day,
                                                     to=day + timedelta(days=60), now=NOW)))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 4 and len(set(out)) == 1 and out[0] > 0


@pytest.fixture(params=["sqlite", "memory"])
def scheduler(request, tmp_path):
    if request.param == "sqlite":
        return cs.Scheduler.open(tmp_path / "clinic.db", now=NOW)
    return cs.Scheduler.in_memory(now=NOW)


def setup_clinic(s: cs.Scheduler):
    clinic = s.create_clinic(name="Embedded", time_zone="America/New_York")
    dr = s.save_practitioner(cs.Practitioner(clinic_id=clinic.id, name="Dr Embedded"))
    ty = s.save_appointment_type({"clinic_id": clinic.id, "name": "Consult", "duration_minutes": 30})
    weekly = [{"weekday": d, "start": "09:00:00", "end": "17:00:00"} for d in ("Mon", "Tue", "Wed", "Thu", "Fri")]
    s.save_schedule(cs.Schedule(clinic_id=clinic.id, resource={"kind": "practitioner", "id": dr.id},
                                weekly_hours=weekly, valid_from=date(2027, 1, 1), granularity_minutes=15))
    pat = s.register_patient(clinic.id, given_name="Ann", family_name="Lee", mrn="MRN-1",
                             date_of_birth=date(1980, 2, 1), contact={"email": "ANN@example.com"})
    return clinic, dr, ty, pat


def test_scheduler_use_cases(scheduler):
    s = scheduler
    clinic, dr, ty, pat = setup_clinic(s)
    assert s.now() == NOW
    assert pat.contact["email"] == "ann@example.com"
    assert s.patient(pat.id) == pat
    with pytest.raises(cs.ValidationError) as err:  # the core reports it on the `mrn` field
        s.register_patient(clinic.id, given_name="Bo", family_name="Lee", mrn="MRN-1")
    assert err.value.code == "DUPLICATE_MRN" and err.value.errors()[0]["loc"] == ("mrn",)

    fields = dict(patient_id=pat.id, practitioner_id=dr.id, appointment_type_id=ty.id)
    assert s.check_booking(clinic.id, start=MONDAY_10, **fields).accepted
    a = s.create_appointment(clinic.id, start=MONDAY_10, reason="check-up", **fields)
    assert a.status == "booked" and a.slot["start"] == MONDAY_10
    with pytest.raises(cs.BookingRejectedError) as err:
        s.create_appointment(clinic.id, start=MONDAY_10, **fields)
    e = err.value
    assert isinstance(e, cs.ConflictError)
    assert e.code == "SLOT_CONFLICT_PRACTITIONER" and "PATIENT_DOUBLE_BOOKED" in e.codes
    assert e.alternatives["same_practitioner"]

    moved = s.reschedule_appointment(a.id, start=MONDAY_10 + timedelta(hours=1), expected_version=a.version)
    assert moved.slot["start"] == MONDAY_10 + timedelta(hours=1)
    with pytest.raises(cs.ConflictError) as err:
        s.cancel_appointment(a.id, expected_version=a.version)
    assert err.value.code == "VERSION_CONFLICT"
    with pytest.raises(cs.StateError) as err:
        s.change_status(a.id, "fulfilled")
    assert err.value.code == "INVALID_STATUS_TRANSITION"

    slots = s.find_available_slots(clinic.id, appointment_type_id=ty.id, from_=MONDAY_10,
                                   to=MONDAY_10 + timedelta(hours=2))
    assert MONDAY_10 + timedelta(hours=1) not in slots.starts() and MONDAY_10 in slots.starts()
    assert [x.id for x in s.list_appointments(clinic_id=clinic.id)] == [a.id]

    ical = s.ical_for_practitioner(dr.id, MONDAY_10 - timedelta(days=1), MONDAY_10 + timedelta(days=1))
    assert "BEGIN:VCALENDAR" in ical and f"UID:{a.id}@clinic-scheduling" in ical
    fhir = s.fhir_appointment(a.id)
    assert fhir["resourceType"] == "Appointment" and fhir["status"] == "booked"
    assert s.fhir_patient(pat.id)["resourceType"] == "Patient"
    free = s.fhir_free_slots(clinic.id, appointment_type_id=ty.id, from_=MONDAY_10, to=MONDAY_10 + timedelta(hours=1))
    assert free and all(x["resourceType"] == "Slot" and x["status"] == "free" for x in free)

    cancelled = s.cancel_appointment(a.id, reason="ill", expected_version=moved.version)
    assert cancelled.status == "cancelled"
    report = s.generate_report(clinic.id, date(2027, 3, 1), date(2027, 3, 8))
    assert report.totals["appointments"] == 1 and report.totals["by_status"]["cancelled"] == 1
    assert report.totals["cancellation_rate"] == 1.0
    assert "cancelled" in report.to_csv()
    assert report.to_pdf().startswith(b"%PDF")

    with pytest.raises(cs.NotFoundError) as err:
        s.patient(str(uuid.uuid4()))
    assert err.value.code == "NOT_FOUND" and isinstance(err.value, LookupError)


def test_roles_are_enforced(scheduler):
    clinic, dr, ty, pat = setup_clinic(scheduler)
    patient_actor = cs.Actor(role="patient", clinic_id=clinic.id, patient_id=str(uuid.uuid4()))
    with pytest.raises(cs.ForbiddenError) as err:
        scheduler.patient(pat.id, actor=patient_actor)
    assert err.value.code == "FORBIDDEN" and isinstance(err.value, PermissionError)


def test_sqlite_store_persists_across_opens(tmp_path):
    path = tmp_path / "persist.db"
    s = cs.Scheduler.open(path, now=NOW)
    clinic, dr, ty, pat = setup_clinic(s)
    a = s.create_appointment(clinic.id, patient_id=pat.id, practitioner_id=dr.id, appointment_type_id=ty.id,
                             start=MONDAY_10)
    del s
    again = cs.Scheduler.open(str(path), now=NOW)
    assert [x.id for x in again.list_appointments(clinic_id=clinic.id)] == [a.id]
    assert again.clinic(clinic.id) == clinic


CSV = (
    "mrn,given_name,family_name,date_of_birth,sex,phone,email\r\n"
    "M1,Ann,Lee,01/02/1980,female,020 7946 0958,ANN@EXAMPLE.COM\r\n"
    "M2,Bo,,31/02/1980,male,xx,bo@\r\n"
    "M1,Cy,Dee,1990-01-01,other,,\r\n"
)


def test_validate_patient_import_reports_rows_and_rejections():
    r = cs.validate_patient_import(CSV.encode(), default_region="GB")
    assert r.accepted_count == 1 and r.rows == [2]
    p = r.accepted[0]
    assert p.contact["phone"] == "+442079460958" and p.contact["email"] == "ann@example.com"
    assert p.date_of_birth == date(1980, 2, 1)
    assert r.rejected_rows == 2
    by_row = {}
    for x in r.rejections:
        by_row.setdefault(x["row"], set()).add(x["code"])
    assert {"REQUIRED", "INVALID_DATE", "INVALID_PHONE", "INVALID_EMAIL"} <= by_row[3]
    assert "DUPLICATE_MRN" in by_row[4]
    assert r.rejections_csv().splitlines()[0].startswith("row,")


def test_import_patients_through_the_scheduler(scheduler):
    clinic, *_ = setup_clinic(scheduler)
    report = scheduler.import_patients(clinic.id, CSV, mode="partial", default_region="GB")
    assert report["stored"] == 1 and report["rejected_rows"] == 2 and report["committed"]
    with pytest.raises(cs.ClinicError) as err:
        cs.validate_patient_import(b"\x00\x01\x02binary")
    assert err.value.code.startswith("IMPORT_")


def test_error_codes_are_the_cores():
    assert "SLOT_CONFLICT_PRACTITIONER" in cs.ERROR_CODES and "INVALID_PHONE" in cs.ERROR_CODES
    assert len(set(cs.ERROR_CODES)) == len(cs.ERROR_CODES)


def test_help_is_useful():
    for obj in (cs.Calendar, cs.Calendar.check_booking, cs.Scheduler, cs.Scheduler.create_appointment,
                cs.validate_patient_import, cs.Clinic, cs.ValidationError, cs.Verdict):
        assert obj.__doc__ and len(obj.__doc__.strip()) > 20, obj


def test_typing_files_ship_and_cover_the_public_names():
    from importlib import resources

    pkg = resources.files("clinic_scheduling")
    assert pkg.joinpath("py.typed").is_file()
    stub = pkg.joinpath("_native.pyi").read_text(encoding="utf-8")
    errors = pkg.joinpath("_errors.py").read_text(encoding="utf-8")
    for name in cs.__all__:
        assert f"class {name}" in stub or f"def {name}" in stub or f"{name}:" in stub \
            or f"class {name}" in errors, name
