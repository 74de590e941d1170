"""The exception hierarchy of ``clinic_scheduling``.

Every failure of the engine is a :class:`ClinicError` whose ``code`` is the core's stable error code (the
same string the HTTP server and the JavaScript packages use), so callers branch on ``err.code`` rather than
on message text. Subclasses group codes by what a caller usually does about them.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

Loc = Tuple[Union[str, int], ...]


class ClinicError(Exception):
    """Base class of every error raised by the engine.

    Attributes:
        code: the primary stable code, e.g. ``"SLOT_CONFLICT_PRACTITIONER"``.
        codes: every code the error carries (all field errors, all violated rules), in order.
        message: the human message.
    """

    code: str
    codes: List[str]
    message: str

    def __init__(self, message: str, code: str, codes: Optional[Sequence[str]] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.codes = list(codes) if codes else [code]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ValidationError(ClinicError, ValueError):
    """One or more invalid inputs (wrong type, missing field, invalid value, naive datetime, …).

    ``errors()`` lists every problem pydantic-core style: ``{"loc": ("contact", "phone"), "code":
    "INVALID_PHONE", "message": "…"}``; ``loc`` is the path of the field (names and list indexes).
    """

    def __init__(self, message: str, code: str, errors: Sequence[Dict[str, Any]] = ()) -> None:
        self._errors = [dict(e) for e in errors]
        super().__init__(message, code, [e["code"] for e in self._errors] or [code])

    def errors(self) -> List[Dict[str, Any]]:
        """Every field error: dicts with ``loc`` (tuple), ``code`` and ``message``."""
        return [dict(e) for e in self._errors]

    def error_count(self) -> int:
        """How many field errors there are."""
        return len(self._errors)


class NotFoundError(ClinicError, LookupError):
    """The referenced clinic, practitioner, patient, appointment, … does not exist (``NOT_FOUND``)."""


class ForbiddenError(ClinicError, PermissionError):
    """The actor's role or ownership does not allow the action (``FORBIDDEN``)."""


class ConflictError(ClinicError):
    """The request collides with the current state: a stale version (``VERSION_CONFLICT``), a duplicate MRN
    (``DUPLICATE_MRN``), a writer that kept winning (``CONCURRENT_MODIFICATION``) or a booking rule
    (:class:`BookingRejectedError`)."""


class BookingRejectedError(ConflictError):
    """A booking broke one or more rules.

    Attributes:
        violations: one dict per broken rule (``code``, ``message``, ``conflicting`` appointment ids), in
            the engine's order.
        alternatives: ``{"same_practitioner": [SlotOffer], "other_practitioners": [SlotOffer]}``, the
            nearest bookable offers.
    """

    def __init__(self, message: str, code: str, violations: Sequence[Dict[str, Any]] = (),
                 alternatives: Optional[Dict[str, Any]] = None) -> None:
        self.violations = [dict(v) for v in violations]
        self.alternatives = alternatives or {"same_practitioner": [], "other_practitioners": []}
        super().__init__(message, code, [v["code"] for v in self.violations] or [code])


class StateError(ClinicError):
    """A lifecycle rule: an illegal status transition, arrival on another day, a change to an inactive
    appointment, an import or report that cannot be done as asked."""


class StoreError(ClinicError, OSError):
    """The store failed (``STORE_UNAVAILABLE``). ``retryable`` tells whether repeating the call may succeed."""

    def __init__(self, message: str, code: str, retryable: bool = False) -> None:
        super().__init__(message, code)
        self.retryable = retryable


__all__ = [
    "ClinicError",
    "ValidationError",
    "NotFoundError",
    "ForbiddenError",
    "ConflictError",
    "BookingRejectedError",
    "StateError",
    "StoreError",
]
