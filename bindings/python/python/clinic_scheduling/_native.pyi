"""Type stubs of the compiled module ``clinic_scheduling._native`` (re-exported by ``clinic_scheduling``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from os import PathLike
from typing import Any, Dict, Iterable, Iterator, List, Literal, Mapping, Optional, Sequence, Tuple, TypeVar, Union, overload

Id = Union[str, uuid.UUID]
JsonMode = Literal["python", "json"]
_E = TypeVar("_E", bound="_Entity")

ERROR_CODES: List[str]
"""Every stable error code of the core, in declaration order."""

class _Entity:
    """Common behaviour of the entity and value classes (not a runtime class)."""

    def __init__(self, **fields: Any) -> None: ...
    @classmethod
    def from_dict(cls: type[_E], data: Mapping[str, Any]) -> _E:
        """Builds from a dict of fields (JSON-shaped or Python values); validated by the core."""
    @classmethod
    def from_json(cls: type[_E], text: str) -> _E:
        """Builds from the core's JSON form."""
    def to_dict(self, mode: JsonMode = "python") -> Dict[str, Any]:
        """The fields; ``mode="json"`` keeps instants and dates as ISO strings."""
    def to_json(self) -> str:
        """The core's JSON form (the server's API shape)."""
    def __eq__(self, other: object) -> bool: ...
    def __getattr__(self, name: str) -> Any: ...

class Clinic(_Entity):
    """A clinic: ``name``, IANA ``time_zone``, ``address``, ``contact``, ``closures``."""
    id: str
    name: str
    time_zone: str
    closures: List[Dict[str, Any]]

class Practitioner(_Entity):
    """A bookable practitioner of a clinic."""
    id: str
    clinic_id: str
    name: str
    active: bool

class Room(_Entity):
    """A bookable room of a clinic."""
    id: str
    clinic_id: str
    name: str
    active: bool

class AppointmentType(_Entity):
    """Duration, buffers, capacity (>1 = group), minimum notice, booking horizon, who offers it."""
    id: str
    clinic_id: str
    name: str
    duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    capacity: int

class Schedule(_Entity):
    """When one resource is available, in the clinic's local wall time."""
    id: str
    clinic_id: str
    resource: Dict[str, str]
    weekly_hours: List[Dict[str, Any]]
    valid_from: date
    granularity_minutes: int

class Patient(_Entity):
    """A patient (names, MRN, date of birth, sex, contact, address, identifiers)."""
    id: str
    clinic_id: str
    given_name: str
    family_name: str
    mrn: Optional[str]
    date_of_birth: Optional[date]
    contact: Dict[str, Any]

class Appointment(_Entity):
    """An appointment as stored (returned by the Scheduler's use cases)."""
    id: str
    clinic_id: str
    patient_id: str
    practitioner_id: str
    appointment_type_id: str
    slot: Dict[str, datetime]
    status: str
    version: int

class TimeSlot(_Entity):
    """A half-open UTC interval ``[start, end)``, minute precision."""
    start: datetime
    end: datetime

class ContactInfo(_Entity):
    """E.164 ``phone`` and lowercased ``email``."""
    phone: Optional[str]
    email: Optional[str]

class Address(_Entity):
    """A postal address."""

class Actor(_Entity):
    """Who is acting: ``role`` and the clinic/practitioner/patient it is bound to."""
    role: str

class BookingRequest(_Entity):
    """A request to occupy a slot (``start`` is an aware datetime)."""
    patient_id: str
    practitioner_id: str
    appointment_type_id: str
    start: datetime
    room_id: Optional[str]
    overbook: bool
    reschedule_of: Optional[str]

class SlotQuery(_Entity):
    """Free starts for a type, practitioners and a ``[from, to)`` range."""
    appointment_type_id: str
    practitioner_ids: List[str]
    to: datetime

class Violation(_Entity):
    """One broken rule: ``code``, ``message``, ``conflicting`` appointment ids."""
    code: str
    message: str
    conflicting: List[str]

class SlotOffer(_Entity):
    """A bookable start ``[start, end)`` with a practitioner."""
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...
    @property
    def practitioner_id(self) -> str: ...

class Verdict(_Entity):
    """The answer to a booking request."""
    @property
    def accepted(self) -> bool: ...
    @property
    def overbooked(self) -> bool: ...
    @property
    def codes(self) -> List[str]: ...
    @property
    def violations(self) -> List[Violation]: ...
    @property
    def alternatives(self) -> Dict[str, List[SlotOffer]]: ...
    def __bool__(self) -> bool: ...

class Report(_Entity):
    """A GenerateReport result."""
    totals: Dict[str, Any]
    def to_csv(self) -> str:
        """One tidy CSV table."""
    def to_pdf(self) -> bytes:
        """An A4 PDF."""

class SlotList(Sequence[SlotOffer]):
    """The free slots of a search, sorted by start then practitioner."""
    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, index: int) -> SlotOffer: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[SlotOffer]: ...
    def __iter__(self) -> Iterator[SlotOffer]: ...
    def starts(self) -> List[datetime]:
        """The starts alone."""
    def pairs(self) -> List[Tuple[datetime, str]]:
        """``(start, practitioner_id)`` pairs."""
    def to_list(self) -> List[SlotOffer]:
        """A plain list of offers."""

BookingLike = Union[BookingRequest, Mapping[str, Any]]
QueryLike = Union[SlotQuery, Mapping[str, Any]]

class Calendar:
    """The engine's read model: conflict checks and availability search without a store."""
    def __init__(
        self,
        clinic: Union[Clinic, Mapping[str, Any]],
        *,
        practitioners: Optional[Iterable[Union[Practitioner, Mapping[str, Any]]]] = None,
        rooms: Optional[Iterable[Union[Room, Mapping[str, Any]]]] = None,
        appointment_types: Optional[Iterable[Union[AppointmentType, Mapping[str, Any]]]] = None,
        schedules: Optional[Iterable[Union[Schedule, Mapping[str, Any]]]] = None,
        appointments: Optional[Iterable[Union[Appointment, Mapping[str, Any]]]] = None,
    ) -> None: ...
    @staticmethod
    def from_scenario(scenario: Union[str, Mapping[str, Any]]) -> Calendar:
        """The calendar of a test-vector scenario (JSON text or dict)."""
    @property
    def clinic(self) -> Clinic: ...
    def practitioner_ids(self) -> List[str]: ...
    def check_booking(self, request: Optional[BookingLike] = None, *, now: datetime, may_overbook: bool = False,
                      **fields: Any) -> Verdict:
        """Every rule; a rejection carries alternatives."""
    def check_many(self, requests: Iterable[BookingLike], *, now: datetime, may_overbook: bool = False,
                   alternatives: bool = True) -> List[Verdict]:
        """Many checks in one call."""
    def has_conflict(self, request: BookingRequest) -> bool:
        """Rule 1 alone for one request."""
    def conflicts(self, requests: Iterable[BookingLike]) -> List[bool]:
        """Rule 1 for many requests in one call."""
    def find_available_slots(self, query: Optional[QueryLike] = None, *, now: datetime, **fields: Any) -> SlotList:
        """Free starts (``from_`` works as a keyword for ``from``)."""

class PatientImportResult:
    """Accepted rows and the rejection report of a patients file."""
    @property
    def accepted(self) -> List[Patient]: ...
    @property
    def rows(self) -> List[int]: ...
    @property
    def accepted_count(self) -> int: ...
    @property
    def rejected_rows(self) -> int: ...
    @property
    def rejections(self) -> List[Dict[str, Any]]: ...
    def rejections_csv(self) -> str: ...

def validate_patient_import(data: Union[bytes, bytearray, str], *, clinic_id: Optional[Id] = None,
                            **options: Any) -> PatientImportResult:
    """Validates a patients file (CSV/XLS/XLSX) without storing anything."""

class Scheduler:
    """The use cases over an embedded store (SQLite file or memory)."""
    @staticmethod
    def open(path: Union[str, PathLike[str]], *, now: Optional[datetime] = None) -> Scheduler: ...
    @staticmethod
    def in_memory(*, now: Optional[datetime] = None) -> Scheduler: ...
    def now(self) -> datetime: ...
    def set_now(self, now: datetime) -> None: ...
    def create_clinic(self, *, actor: Optional[Actor] = None, **fields: Any) -> Clinic: ...
    def update_clinic(self, clinic_id: Id, *, actor: Optional[Actor] = None, **fields: Any) -> Clinic: ...
    def clinic(self, clinic_id: Id) -> Clinic: ...
    def save_practitioner(self, practitioner: Union[Practitioner, Mapping[str, Any]], *,
                          actor: Optional[Actor] = None) -> Practitioner: ...
    def save_room(self, room: Union[Room, Mapping[str, Any]], *, actor: Optional[Actor] = None) -> Room: ...
    def save_appointment_type(self, appointment_type: Union[AppointmentType, Mapping[str, Any]], *,
                              actor: Optional[Actor] = None) -> AppointmentType: ...
    def save_schedule(self, schedule: Union[Schedule, Mapping[str, Any]], *,
                      actor: Optional[Actor] = None) -> Schedule: ...
    def register_patient(self, clinic_id: Id, *, actor: Optional[Actor] = None, **fields: Any) -> Patient: ...
    def update_patient(self, patient_id: Id, *, actor: Optional[Actor] = None, **fields: Any) -> Patient: ...
    def patient(self, patient_id: Id, *, actor: Optional[Actor] = None) -> Patient: ...
    def check_booking(self, clinic_id: Id, request: Optional[BookingLike] = None, *, actor: Optional[Actor] = None,
                      **fields: Any) -> Verdict: ...
    def create_appointment(self, clinic_id: Id, request: Optional[BookingLike] = None, *,
                           actor: Optional[Actor] = None, **fields: Any) -> Appointment: ...
    def reschedule_appointment(self, appointment_id: Id, *, actor: Optional[Actor] = None,
                               **fields: Any) -> Appointment: ...
    def cancel_appointment(self, appointment_id: Id, *, reason: Optional[str] = None,
                           expected_version: Optional[int] = None, actor: Optional[Actor] = None) -> Appointment: ...
    def change_status(self, appointment_id: Id, status: str, *, expected_version: Optional[int] = None,
                      actor: Optional[Actor] = None) -> Appointment: ...
    def find_available_slots(self, clinic_id: Id, query: Optional[QueryLike] = None, *,
                             actor: Optional[Actor] = None, **fields: Any) -> SlotList: ...
    def list_appointments(self, *, actor: Optional[Actor] = None, **filter: Any) -> List[Appointment]: ...
    def import_patients(self, clinic_id: Id, data: Union[bytes, str], *, actor: Optional[Actor] = None,
                        **options: Any) -> Dict[str, Any]: ...
    def import_appointments(self, clinic_id: Id, data: Union[bytes, str], *, actor: Optional[Actor] = None,
                            **options: Any) -> Dict[str, Any]: ...
    def generate_report(self, clinic_id: Id, from_: date, to: date, *, practitioner_ids: Optional[Iterable[Id]] = None,
                        actor: Optional[Actor] = None) -> Report: ...
    def ical_for_practitioner(self, practitioner_id: Id, from_: datetime, to: datetime, *,
                              include_patient_names: bool = False, actor: Optional[Actor] = None) -> str: ...
    def ical_for_patient(self, patient_id: Id, from_: datetime, to: datetime, *,
                         actor: Optional[Actor] = None) -> str: ...
    def fhir_patient(self, patient_id: Id, *, actor: Optional[Actor] = None) -> Dict[str, Any]: ...
    def fhir_appointment(self, appointment_id: Id, *, actor: Optional[Actor] = None) -> Dict[str, Any]: ...
    def fhir_schedule(self, schedule_id: Id, *, actor: Optional[Actor] = None) -> Dict[str, Any]: ...
    def fhir_free_slots(self, clinic_id: Id, query: Optional[QueryLike] = None, *, actor: Optional[Actor] = None,
                        **fields: Any) -> List[Dict[str, Any]]: ...
