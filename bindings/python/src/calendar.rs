//! `Calendar`: the engine's read model in Python — conflict checks and availability search without a store.
//!
//! Long computations run with the GIL released. Bulk methods take any iterable and cross into Rust once.

use clinic_core::{self as core, ErrorCode, ResourceRef};
use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde_json::Value;

use crate::convert::{extract_utc, py_to_json};
use crate::entities::{object_of, BookingRequest, SlotOffer, SlotQuery, Verdict};
use crate::errors::{field, OrPy};

/// Every element of an iterable as a core value of an entity class (or a dict of its fields).
pub fn collect<T, P>(items: Option<&Bound<'_, PyAny>>, what: &str, get: impl Fn(&P) -> T) -> PyResult<Vec<T>>
where
    P: pyo3::PyClass<Frozen = pyo3::pyclass::boolean_struct::True> + Sync,
    P: FromDict,
{
    let Some(items) = items else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    let it =
        items.try_iter().map_err(|_| field(ErrorCode::InvalidJson, what, format!("{what} must be an iterable")))?;
    for (i, item) in it.enumerate() {
        let item = item?;
        match item.cast::<P>() {
            Ok(p) => out.push(get(p.get())),
            Err(_) => out.push(get(&P::from_any(&item, &format!("{what}[{i}]"))?)),
        }
    }
    Ok(out)
}

/// Entity classes that can also be given as a dict of their fields.
pub trait FromDict: Sized {
    fn from_any(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Self>;
}

macro_rules! from_dict {
    ($($t:ident => $id:expr),*) => {$(
        impl FromDict for crate::entities::$t {
            fn from_any(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Self> {
                if !obj.is_instance_of::<PyDict>() {
                    return Err(field(ErrorCode::InvalidJson, path,
                        format!("expected {} or a dict, got {}", stringify!($t), obj.get_type().name()?)));
                }
                crate::entities::$t::from_value(object_of(Some(obj), $id)?)
            }
        }
    )*};
}
from_dict!(Clinic => true, Practitioner => true, Room => true, AppointmentType => true, Schedule => true,
    Patient => true, Appointment => false, BookingRequest => false, SlotQuery => false);

/// The requests of a bulk call: any iterable of `BookingRequest`s (or dicts), converted in one pass. Lists
/// and tuples are read by index and exact instances are copied without the general conversion.
pub fn requests_of(requests: &Bound<'_, PyAny>) -> PyResult<Vec<core::BookingRequest>> {
    let one = |i: usize, item: &Bound<'_, PyAny>| -> PyResult<core::BookingRequest> {
        match item.cast_exact::<BookingRequest>() {
            Ok(b) => Ok(b.get().inner.clone()),
            Err(_) => match item.cast::<BookingRequest>() {
                Ok(b) => Ok(b.get().inner.clone()),
                Err(_) => Ok(BookingRequest::from_any(item, &format!("requests[{i}]"))?.inner),
            },
        }
    };
    if let Ok(list) = requests.cast::<PyList>() {
        let mut out = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            out.push(one(i, &item)?);
        }
        return Ok(out);
    }
    if let Ok(t) = requests.cast::<pyo3::types::PyTuple>() {
        let mut out = Vec::with_capacity(t.len());
        for (i, item) in t.iter().enumerate() {
            out.push(one(i, &item)?);
        }
        return Ok(out);
    }
    let it =
        requests.try_iter().map_err(|_| field(ErrorCode::InvalidJson, "requests", "requests must be an iterable"))?;
    let mut out = Vec::new();
    for (i, item) in it.enumerate() {
        out.push(one(i, &item?)?);
    }
    Ok(out)
}

/// A request given as a `BookingRequest`, a dict, or keyword arguments.
pub fn booking_request(
    request: Option<&Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<core::BookingRequest> {
    match (request, kwargs) {
        (Some(r), None) => match r.cast::<BookingRequest>() {
            Ok(b) => Ok(b.get().inner.clone()),
            Err(_) => Ok(BookingRequest::from_any(r, "request")?.inner),
        },
        (None, Some(k)) => Ok(BookingRequest::from_value(object_of(Some(k.as_any()), false)?)?.inner),
        (None, None) => {
            Err(field(ErrorCode::Required, "request", "give a BookingRequest or its fields as keyword arguments"))
        }
        (Some(_), Some(_)) => {
            Err(field(ErrorCode::InvalidJson, "request", "give a BookingRequest or keyword arguments, not both"))
        }
    }
}

/// A query given as a `SlotQuery`, a dict, or keyword arguments (`from_` is accepted for `from`).
pub fn slot_query(query: Option<&Bound<'_, PyAny>>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<core::SlotQuery> {
    match (query, kwargs) {
        (Some(q), None) => match q.cast::<SlotQuery>() {
            Ok(s) => Ok(s.get().inner.clone()),
            Err(_) => Ok(SlotQuery::from_any(q, "query")?.inner),
        },
        (None, Some(k)) => {
            let mut v = py_to_json(k.as_any(), "")?;
            if let Value::Object(m) = &mut v {
                if let Some(f) = m.remove("from_") {
                    m.insert("from".into(), f);
                }
            }
            Ok(SlotQuery::from_value(v)?.inner)
        }
        (None, None) => Err(field(ErrorCode::Required, "query", "give a SlotQuery or its fields as keyword arguments")),
        (Some(_), Some(_)) => {
            Err(field(ErrorCode::InvalidJson, "query", "give a SlotQuery or keyword arguments, not both"))
        }
    }
}

/// The engine's read model: a clinic, its practitioners, rooms, appointment types, schedules and active
/// appointments, indexed for conflict checks and availability search. Immutable once built.
#[pyclass(module = "clinic_scheduling", frozen)]
#[derive(Debug)]
pub struct Calendar {
    pub inner: core::Calendar,
}

#[pymethods]
impl Calendar {
    /// Builds a calendar. Each collection is any iterable of the entity class (or dicts of its fields);
    /// inactive appointments are ignored; everything must belong to `clinic`.
    #[new]
    #[pyo3(signature = (clinic, *, practitioners=None, rooms=None, appointment_types=None, schedules=None, appointments=None))]
    fn new(
        py: Python<'_>,
        clinic: &Bound<'_, PyAny>,
        practitioners: Option<&Bound<'_, PyAny>>,
        rooms: Option<&Bound<'_, PyAny>>,
        appointment_types: Option<&Bound<'_, PyAny>>,
        schedules: Option<&Bound<'_, PyAny>>,
        appointments: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        use crate::entities as e;
        let clinic = match clinic.cast::<e::Clinic>() {
            Ok(c) => c.get().inner.clone(),
            Err(_) => e::Clinic::from_any(clinic, "clinic")?.inner,
        };
        let p = collect(practitioners, "practitioners", |x: &e::Practitioner| x.inner.clone())?;
        let r = collect(rooms, "rooms", |x: &e::Room| x.inner.clone())?;
        let t = collect(appointment_types, "appointment_types", |x: &e::AppointmentType| x.inner.clone())?;
        let s = collect(schedules, "schedules", |x: &e::Schedule| x.inner.clone())?;
        let a = collect(appointments, "appointments", |x: &e::Appointment| x.inner.clone())?;
        let inner = py.detach(|| core::Calendar::from_parts(clinic, p, r, t, s, a)).or_py()?;
        Ok(Calendar { inner })
    }

    /// Builds the calendar of a test-vector scenario (`test-vectors/*.json`): its JSON text or parsed dict.
    #[staticmethod]
    fn from_scenario(scenario: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = match scenario.cast::<PyString>() {
            Ok(s) => s.to_cow()?.into_owned(),
            Err(_) => py_to_json(scenario, "")?.to_string(),
        };
        let s = core::vectors::Scenario::from_json(&text).or_py()?;
        Ok(Calendar { inner: s.calendar().or_py()? })
    }

    /// The calendar's clinic.
    #[getter]
    fn clinic(&self) -> crate::entities::Clinic {
        crate::entities::Clinic { inner: self.inner.clinic().clone() }
    }

    /// Practitioner ids, sorted.
    fn practitioner_ids(&self) -> Vec<String> {
        self.inner.practitioner_ids().iter().map(ToString::to_string).collect()
    }

    /// Checks a booking against every rule (DESIGN.md rules 1–6) as of `now`; a rejection carries the
    /// nearest alternatives. Give a `BookingRequest` (or dict) or its fields as keyword arguments.
    /// `may_overbook` is the caller's right to use the overbooking override.
    #[pyo3(signature = (request=None, *, now, may_overbook=false, **fields))]
    fn check_booking(
        &self,
        py: Python<'_>,
        request: Option<&Bound<'_, PyAny>>,
        now: &Bound<'_, PyAny>,
        may_overbook: bool,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Verdict> {
        let req = booking_request(request, fields)?;
        let now = extract_utc(now, "now")?;
        let v = py.detach(|| self.inner.check(&req, now, may_overbook));
        Ok(Verdict { inner: v })
    }

    /// Checks many bookings in one call (any iterable of `BookingRequest`s or dicts); returns one `Verdict`
    /// per request, in order. `alternatives=False` skips the alternative search on rejections (faster).
    #[pyo3(signature = (requests, *, now, may_overbook=false, alternatives=true))]
    fn check_many(
        &self,
        py: Python<'_>,
        requests: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        may_overbook: bool,
        alternatives: bool,
    ) -> PyResult<Vec<Verdict>> {
        let reqs = requests_of(requests)?;
        let now = extract_utc(now, "now")?;
        let out = py.detach(|| {
            reqs.iter()
                .map(|r| {
                    if alternatives {
                        self.inner.check(r, now, may_overbook)
                    } else {
                        let (violations, overbooked) = self.inner.evaluate(r, now, may_overbook);
                        core::Verdict {
                            accepted: violations.is_empty(),
                            violations,
                            overbooked,
                            alternatives: Default::default(),
                        }
                    }
                })
                .collect::<Vec<_>>()
        });
        Ok(out.into_iter().map(|inner| Verdict { inner }).collect())
    }

    /// Rule 1 alone for one request: whether the practitioner (and the room, when given) is already busy
    /// in the request's effective interval (buffers and group capacity included). The per-item hot path.
    fn has_conflict(&self, request: &Bound<'_, BookingRequest>) -> PyResult<bool> {
        self.rule1(&request.get().inner)
    }

    /// Rule 1 for many requests in one call: a list of booleans, in order (see `has_conflict`).
    fn conflicts<'py>(&self, py: Python<'py>, requests: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let reqs = requests_of(requests)?;
        let out: Result<Vec<bool>, PyErr> = py.detach(|| reqs.iter().map(|r| self.rule1(r)).collect());
        PyList::new(py, out?)
    }

    /// Every free start for a type across practitioners and a range (`from`/`to` aware datetimes; `from_`
    /// works as a keyword), as of `now`. A start is offered exactly when `check_booking` would accept it.
    /// Returns a `SlotList` (a sequence of `SlotOffer`, sorted by start then practitioner).
    #[pyo3(signature = (query=None, *, now, **fields))]
    fn find_available_slots(
        &self,
        py: Python<'_>,
        query: Option<&Bound<'_, PyAny>>,
        now: &Bound<'_, PyAny>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<SlotList> {
        let q = slot_query(query, fields)?;
        let now = extract_utc(now, "now")?;
        let slots = py.detach(|| self.inner.find_available_slots(&q, now)).or_py()?;
        Ok(SlotList { inner: slots })
    }

    fn __repr__(&self) -> String {
        format!(
            "Calendar(clinic={:?}, practitioners={})",
            self.inner.clinic().name(),
            self.inner.practitioner_ids().len()
        )
    }
}

impl Calendar {
    fn rule1(&self, r: &core::BookingRequest) -> PyResult<bool> {
        let ty = self.inner.appointment_type(r.appointment_type_id).ok_or_else(|| {
            crate::errors::to_py(core::ClinicError::not_found("appointment type", r.appointment_type_id))
        })?;
        let busy = self.inner.resource_conflict(ResourceRef::Practitioner(r.practitioner_id), ty, r.start)
            || r.room_id.is_some_and(|room| self.inner.resource_conflict(ResourceRef::Room(room), ty, r.start));
        Ok(busy)
    }
}

/// The free slots of a search: a read-only sequence of `SlotOffer` (created on access, so a large answer
/// costs nothing until it is read).
#[pyclass(module = "clinic_scheduling", frozen, sequence)]
#[derive(Debug)]
pub struct SlotList {
    pub inner: Vec<core::SlotOffer>,
}

#[pymethods]
impl SlotList {
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __getitem__(&self, index: isize) -> PyResult<SlotOffer> {
        let n = self.inner.len() as isize;
        let i = if index < 0 { index + n } else { index };
        if i < 0 || i >= n {
            return Err(PyIndexError::new_err("slot index out of range"));
        }
        Ok(SlotOffer { inner: self.inner[i as usize] })
    }

    /// The starts alone (aware UTC datetimes), in order.
    fn starts<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        self.inner.iter().map(|o| crate::convert::utc_to_py(py, o.start)).collect()
    }

    /// `(start, practitioner_id)` pairs, in order — what the shared test vectors compare.
    fn pairs<'py>(&self, py: Python<'py>) -> PyResult<Vec<(Bound<'py, PyAny>, String)>> {
        self.inner
            .iter()
            .map(|o| Ok((crate::convert::utc_to_py(py, o.start)?, o.practitioner_id.to_string())))
            .collect()
    }

    /// The offers as a plain list of `SlotOffer`.
    fn to_list(&self) -> Vec<SlotOffer> {
        self.inner.iter().map(|&inner| SlotOffer { inner }).collect()
    }

    fn __repr__(&self) -> String {
        format!("SlotList(len={})", self.inner.len())
    }
}
