"""Bad input never crashes the interpreter: wrong types, None, NaN, out-of-range integers, naive datetimes,
huge strings and malformed ids all raise a typed ``ClinicError`` carrying the core's code."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone

import pytest

import clinic_scheduling as cs
from conftest import CLINIC, CONSULT, DR_A, NOW, PATIENT

START = datetime(2027, 3, 1, 15, 0, tzinfo=timezone.utc)
GOOD = dict(patient_id=PATIENT, practitioner_id=DR_A, appointment_type_id=CONSULT, start=START)


def codes(err) -> list[str]:
    return [e["code"] for e in err.errors()]


def test_naive_datetime_is_rejected_with_a_clear_message(calendar):
    with pytest.raises(cs.ValidationError) as err:
        calendar.check_booking(**{**GOOD, "start": datetime(2027, 3, 1, 10, 0)}, now=NOW)
    assert err.value.code == "INVALID_DATE"
    assert "naive datetime" in str(err.value) and err.value.errors()[0]["loc"] == ("start",)
    with pytest.raises(cs.ValidationError) as err:
        calendar.check_booking(**GOOD, now=datetime(2027, 3, 1))
    assert err.value.errors()[0]["loc"] == ("now",)


@pytest.mark.parametrize("value", [None, 42, "yesterday", 1.5, date(2027, 3, 1), [], {}])
def test_now_of_the_wrong_type(calendar, value):
    with pytest.raises(cs.ValidationError) as err:
        calendar.check_booking(**GOOD, now=value)
    assert err.value.code == "INVALID_DATE"


@pytest.mark.parametrize("field,value,code", [
    ("patient_id", None, "INVALID_JSON"),
    ("patient_id", "not-a-uuid", "INVALID_JSON"),
    ("patient_id", 12, "INVALID_JSON"),
    ("start", "soon", "INVALID_JSON"),
    ("start", float("nan"), "INVALID_JSON"),
    ("start", 10**30, "INVALID_JSON"),
    ("overbook", "yes", "INVALID_JSON"),
])
def test_booking_request_fields(field, value, code):
    with pytest.raises(cs.ValidationError) as err:
        cs.BookingRequest(**{**GOOD, field: value})
    assert err.value.code == code
    assert err.value.errors()[0]["loc"][0] == field


def test_missing_field_is_required():
    fields = dict(GOOD)
    del fields["start"]
    with pytest.raises(cs.ValidationError) as err:
        cs.BookingRequest(**fields)
    assert err.value.code == "REQUIRED" and err.value.errors()[0]["loc"] == ("start",)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1, 2**64, 2**63, "30", None, 10**100])
def test_out_of_range_and_wrong_numbers(value):
    with pytest.raises(cs.ValidationError):
        cs.AppointmentType(clinic_id=CLINIC, name="X", duration_minutes=value)


def test_huge_strings_are_too_long_not_a_crash():
    with pytest.raises(cs.ValidationError) as err:
        cs.Clinic(name="x" * 5_000_000, time_zone="Europe/London")
    assert err.value.code == "TOO_LONG"
    with pytest.raises(cs.ValidationError) as err:
        cs.Clinic(name="ok", time_zone="Mars/Olympus_Mons" * 1000)
    assert err.value.code == "INVALID_TIME_ZONE"


def test_unsupported_python_values():
    with pytest.raises(cs.ValidationError):
        cs.Clinic(name=object(), time_zone="Europe/London")
    with pytest.raises(cs.ValidationError):
        cs.Clinic(name=b"bytes", time_zone="Europe/London")
    with pytest.raises(cs.ValidationError):
        cs.Clinic.from_dict({1: "non-str key"})
    with pytest.raises(cs.ValidationError):
        cs.Clinic.from_dict("not a dict")
    with pytest.raises(cs.ValidationError):
        cs.Clinic.from_json("{not json")


def test_bulk_calls_with_bad_elements(calendar):
    req = cs.BookingRequest(**GOOD)
    with pytest.raises(cs.ValidationError):
        calendar.conflicts([req, None])
    with pytest.raises(cs.ValidationError):
        calendar.conflicts(42)
    with pytest.raises(cs.ValidationError):
        calendar.check_many([req, {"start": "x"}], now=NOW)
    with pytest.raises(TypeError):
        calendar.has_conflict(None)
    unknown = cs.BookingRequest(**{**GOOD, "appointment_type_id": "00000000-0000-0000-0000-00000000ffff"})
    with pytest.raises(cs.NotFoundError):
        calendar.has_conflict(unknown)


def test_generator_that_raises_propagates(calendar):
    def gen():
        yield cs.BookingRequest(**GOOD)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        calendar.conflicts(gen())


def test_extreme_instants_are_refused_by_the_core(calendar):
    v = calendar.check_booking(**{**GOOD, "start": datetime(9999, 12, 31, 23, 0, tzinfo=timezone.utc)}, now=NOW)
    assert not v.accepted and v.codes == ["INVALID_TIME_RANGE"]
    with pytest.raises(cs.ValidationError):
        calendar.find_available_slots(appointment_type_id=CONSULT, from_=datetime(1, 1, 1, tzinfo=timezone.utc),
                                      to=START, now=NOW)


def test_bad_ids_to_scheduler_methods():
    s = cs.Scheduler.in_memory(now=NOW)
    with pytest.raises(cs.ValidationError) as err:
        s.clinic("nope")
    assert err.value.code == "INVALID_ID"
    with pytest.raises(cs.ValidationError):
        s.clinic(None)
    with pytest.raises(cs.ValidationError):
        s.change_status("00000000-0000-0000-0000-000000000001", "teleported")
    with pytest.raises(cs.ValidationError):
        s.set_now(datetime(2027, 1, 1))
    assert not math.isnan(0.0)


def test_deep_and_self_containing_structures_are_refused_not_overflowed():
    deep: list = []
    cur = deep
    for _ in range(100_000):
        nxt: list = []
        cur.append(nxt)
        cur = nxt
    with pytest.raises(cs.ValidationError):
        cs.Clinic(name="x", time_zone="Europe/London", closures=deep)
    loop: list = []
    loop.append(loop)
    with pytest.raises(cs.ValidationError):
        cs.Clinic(name="x", time_zone="Europe/London", closures=loop)


def test_lone_surrogate_is_a_validation_error():
    with pytest.raises(cs.ValidationError):
        cs.Clinic(name="\ud800", time_zone="Europe/London")
