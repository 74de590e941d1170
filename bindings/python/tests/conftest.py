"""Shared fixtures: the repository's test vectors and a small clinic built through the public API."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

import clinic_scheduling as cs

# The shared vectors of the repository (the contract every runtime passes); overridable for an installed wheel.
VECTORS = Path(os.environ.get("CLINIC_TEST_VECTORS", Path(__file__).resolve().parents[3] / "test-vectors"))

CLINIC = "00000000-0000-0000-0000-000000000001"
DR_A = "00000000-0000-0000-0000-000000000011"
DR_B = "00000000-0000-0000-0000-000000000012"
CONSULT = "00000000-0000-0000-0000-000000000031"
PATIENT = "00000000-0000-0000-0000-000000000051"
OTHER_PATIENT = "00000000-0000-0000-0000-000000000052"
NOW = datetime(2027, 2, 26, 12, 0, tzinfo=timezone.utc)


def vector_files() -> list[Path]:
    files = sorted(VECTORS.glob("*.json"))
    assert files, f"no test vectors found under {VECTORS}"
    return files


@pytest.fixture
def catalog() -> dict:
    """A clinic in New York with two practitioners (Mon–Fri 09:00–17:00, lunch 12–13) and a 30-minute type."""
    clinic = cs.Clinic(id=CLINIC, name="Test Clinic", time_zone="America/New_York")
    practitioners = [
        cs.Practitioner(id=DR_A, clinic_id=CLINIC, name="Dr A"),
        cs.Practitioner(id=DR_B, clinic_id=CLINIC, name="Dr B"),
    ]
    ty = cs.AppointmentType(id=CONSULT, clinic_id=CLINIC, name="Consult", duration_minutes=30)
    weekly = [{"weekday": d, "start": "09:00:00", "end": "17:00:00"} for d in ("Mon", "Tue", "Wed", "Thu", "Fri")]
    schedules = [
        cs.Schedule(clinic_id=CLINIC, resource={"kind": "practitioner", "id": p}, weekly_hours=weekly,
                    breaks=[{"weekdays": [], "start": "12:00:00", "end": "13:00:00"}],
                    valid_from="2027-01-01", granularity_minutes=15)
        for p in (DR_A, DR_B)
    ]
    return {"clinic": clinic, "practitioners": practitioners, "appointment_types": [ty], "schedules": schedules}


@pytest.fixture
def calendar(catalog) -> cs.Calendar:
    return cs.Calendar(catalog["clinic"], practitioners=catalog["practitioners"],
                       appointment_types=catalog["appointment_types"], schedules=catalog["schedules"])


def load(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        return json.load(f)
