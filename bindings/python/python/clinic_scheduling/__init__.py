"""Clinic appointment scheduling engine (Rust core) for Python.

The same rules everywhere: the booking rules, availability search, import validation, reports and the
iCalendar/FHIR mappings are those of the Rust crate ``clinic-core``; this package converts types and errors
only.

Quick tour::

    from datetime import datetime, timezone
    import clinic_scheduling as cs

    cal = cs.Calendar(clinic, practitioners=[...], appointment_types=[...], schedules=[...])
    verdict = cal.check_booking(patient_id=..., practitioner_id=..., appointment_type_id=...,
                                start=datetime(2027, 3, 1, 14, 0, tzinfo=timezone.utc), now=now)
    verdict.accepted, verdict.codes, verdict.alternatives
    cal.find_available_slots(appointment_type_id=..., from_=a, to=b, now=now)

    sched = cs.Scheduler.open("clinic.db")   # or cs.Scheduler.in_memory()
    sched.create_appointment(clinic_id, patient_id=..., ...)

Instants are aware ``datetime`` objects (any ``tzinfo``, e.g. ``zoneinfo.ZoneInfo``); naive ones are
rejected with :class:`ValidationError`. Ids are UUID strings (``str`` or ``uuid.UUID`` accepted). Every error
is a :class:`ClinicError` whose ``code`` is the core's stable code.
"""

from ._errors import (
    BookingRejectedError,
    ClinicError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    StateError,
    StoreError,
    ValidationError,
)
from ._native import (
    ERROR_CODES,
    Actor,
    Address,
    Appointment,
    AppointmentType,
    BookingRequest,
    Calendar,
    Clinic,
    ContactInfo,
    Patient,
    PatientImportResult,
    Practitioner,
    Report,
    Room,
    Schedule,
    Scheduler,
    SlotList,
    SlotOffer,
    SlotQuery,
    TimeSlot,
    Verdict,
    Violation,
    validate_patient_import,
)

__all__ = [
    "ERROR_CODES",
    "Actor",
    "Address",
    "Appointment",
    "AppointmentType",
    "BookingRejectedError",
    "BookingRequest",
    "Calendar",
    "Clinic",
    "ClinicError",
    "ConflictError",
    "ContactInfo",
    "ForbiddenError",
    "NotFoundError",
    "Patient",
    "PatientImportResult",
    "Practitioner",
    "Report",
    "Room",
    "Schedule",
    "Scheduler",
    "SlotList",
    "SlotOffer",
    "SlotQuery",
    "StateError",
    "StoreError",
    "TimeSlot",
    "ValidationError",
    "Verdict",
    "Violation",
    "validate_patient_import",
]
