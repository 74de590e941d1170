//! `Scheduler`: the core's use cases over an embedded store (SQLite file or memory), driven on a tokio
//! runtime the object owns. Every call releases the GIL while the use case runs.

use std::future::Future;
use std::sync::Arc;

use clinic_core::import::ImportSource;
use clinic_core::ports::{AppointmentFilter, FixedClock, Store};
use clinic_core::rbac::Actor as CoreActor;
use clinic_core::reports::ReportQuery;
use clinic_core::usecases::{CreateAppointment, RescheduleAppointment};
use clinic_core::{self as core, AppointmentStatus, ClinicError, ClinicInput, ErrorCode, PatientInput};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

use crate::calendar::{booking_request, slot_query, FromDict, SlotList};
use crate::convert::{extract_utc, parse_id, py_to_json, to_python_dict};
use crate::entities::{self as e, decode};
use crate::errors::{field, OrPy};
use crate::imports::{file_bytes, options};

/// The scheduling service over one embedded store, with the use cases of the core as methods
/// (create/reschedule/cancel appointments, status changes, availability, patients, imports, reports,
/// iCalendar and FHIR export). Methods take an optional `actor=` (default: the all-powerful system actor);
/// a role that may not do something gets `ForbiddenError`.
#[pyclass(module = "clinic_scheduling", frozen)]
pub struct Scheduler {
    rt: tokio::runtime::Runtime,
    inner: core::Scheduler<dyn Store>,
    clock: Option<Arc<FixedClock>>,
    kind: &'static str,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler").field("store", &self.kind).finish_non_exhaustive()
    }
}

fn runtime() -> PyResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("clinic-scheduling")
        .enable_all()
        .build()
        .map_err(|e| crate::errors::to_py(ClinicError::Store { message: e.to_string(), retryable: false }))
}

fn actor_of(actor: Option<&Bound<'_, e::Actor>>) -> CoreActor {
    actor.map(|a| a.get().inner.clone()).unwrap_or_else(CoreActor::system)
}

fn kwargs_json(k: Option<&Bound<'_, PyDict>>) -> PyResult<Value> {
    match k {
        Some(k) => py_to_json(k.as_any(), ""),
        None => Ok(Value::Object(Default::default())),
    }
}

impl Scheduler {
    fn build(
        py: Python<'_>,
        store: impl FnOnce() -> Result<Arc<dyn Store>, ClinicError> + Send,
        now: Option<&Bound<'_, PyAny>>,
        kind: &'static str,
    ) -> PyResult<Self> {
        let rt = runtime()?;
        let store = py
            .detach(|| {
                let _g = rt.enter();
                store()
            })
            .or_py()?;
        let mut inner = core::Scheduler::new(store);
        let clock = match now {
            Some(n) => {
                let c = Arc::new(FixedClock::new(extract_utc(n, "now")?));
                inner = inner.with_clock(c.clone());
                Some(c)
            }
            None => None,
        };
        Ok(Scheduler { rt, inner, clock, kind })
    }

    /// Runs a use case to completion with the GIL released.
    fn run<T: Send, F: Future<Output = Result<T, ClinicError>> + Send>(&self, py: Python<'_>, f: F) -> PyResult<T> {
        py.detach(|| self.rt.block_on(f)).or_py()
    }
}

#[pymethods]
impl Scheduler {
    /// Opens (creating if needed) an SQLite database file as the store. `now` fixes the clock (tests,
    /// simulations); otherwise the system clock is used.
    #[staticmethod]
    #[pyo3(signature = (path, *, now=None))]
    fn open(py: Python<'_>, path: std::path::PathBuf, now: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        Self::build(py, move || Ok(Arc::new(clinic_sqlite::SqliteStore::open(path)?) as Arc<dyn Store>), now, "sqlite")
    }

    /// A scheduler over a fresh in-memory store (nothing persists).
    #[staticmethod]
    #[pyo3(signature = (*, now=None))]
    fn in_memory(py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        Self::build(py, || Ok(Arc::new(core::InMemoryStore::new()) as Arc<dyn Store>), now, "memory")
    }

    /// The scheduler's current time (aware UTC datetime).
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::convert::utc_to_py(py, self.inner.now())
    }

    /// Moves a fixed clock (only for a scheduler created with `now=`).
    fn set_now(&self, now: &Bound<'_, PyAny>) -> PyResult<()> {
        let t = extract_utc(now, "now")?;
        match &self.clock {
            Some(c) => {
                c.set(t);
                Ok(())
            }
            None => {
                Err(field(ErrorCode::InvalidJson, "now", "this scheduler uses the system clock (create it with now=)"))
            }
        }
    }

    // ---------- catalog ----------

    /// Creates a clinic from its fields (`name`, `time_zone`, `address`, `contact`, `closures`).
    #[pyo3(signature = (*, actor=None, **fields))]
    fn create_clinic(
        &self,
        py: Python<'_>,
        actor: Option<&Bound<'_, e::Actor>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<e::Clinic> {
        let input: ClinicInput = decode(kwargs_json(fields)?).or_py()?;
        let a = actor_of(actor);
        Ok(e::Clinic { inner: self.run(py, self.inner.create_clinic(&a, input))? })
    }

    /// Replaces a clinic's fields.
    #[pyo3(signature = (clinic_id, *, actor=None, **fields))]
    fn update_clinic(
        &self,
        py: Python<'_>,
        clinic_id: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<e::Clinic> {
        let id = parse_id(clinic_id, "clinic_id")?;
        let input: ClinicInput = decode(kwargs_json(fields)?).or_py()?;
        let a = actor_of(actor);
        Ok(e::Clinic { inner: self.run(py, self.inner.update_clinic(&a, id, input))? })
    }

    /// A clinic by id (`NotFoundError` if absent).
    fn clinic(&self, py: Python<'_>, clinic_id: &Bound<'_, PyAny>) -> PyResult<e::Clinic> {
        let id = parse_id(clinic_id, "clinic_id")?;
        Ok(e::Clinic { inner: self.run(py, self.inner.clinic(id))? })
    }

    /// Adds or replaces a practitioner (a `Practitioner` or a dict of its fields).
    #[pyo3(signature = (practitioner, *, actor=None))]
    fn save_practitioner(
        &self,
        py: Python<'_>,
        practitioner: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
    ) -> PyResult<e::Practitioner> {
        let p = entity::<e::Practitioner>(practitioner, "practitioner")?.inner;
        let a = actor_of(actor);
        Ok(e::Practitioner { inner: self.run(py, self.inner.save_practitioner(&a, p))? })
    }

    /// Adds or replaces a room.
    #[pyo3(signature = (room, *, actor=None))]
    fn save_room(
        &self,
        py: Python<'_>,
        room: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
    ) -> PyResult<e::Room> {
        let r = entity::<e::Room>(room, "room")?.inner;
        let a = actor_of(actor);
        Ok(e::Room { inner: self.run(py, self.inner.save_room(&a, r))? })
    }

    /// Adds or replaces an appointment type.
    #[pyo3(signature = (appointment_type, *, actor=None))]
    fn save_appointment_type(
        &self,
        py: Python<'_>,
        appointment_type: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
    ) -> PyResult<e::AppointmentType> {
        let t = entity::<e::AppointmentType>(appointment_type, "appointment_type")?.inner;
        let a = actor_of(actor);
        Ok(e::AppointmentType { inner: self.run(py, self.inner.save_appointment_type(&a, t))? })
    }

    /// Adds or replaces a schedule (a practitioner may only manage their own).
    #[pyo3(signature = (schedule, *, actor=None))]
    fn save_schedule(
        &self,
        py: Python<'_>,
        schedule: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
    ) -> PyResult<e::Schedule> {
        let s = entity::<e::Schedule>(schedule, "schedule")?.inner;
        let a = actor_of(actor);
        Ok(e::Schedule { inner: self.run(py, self.inner.save_schedule(&a, s))? })
    }

    // ---------- patients ----------

    /// RegisterPatient: `given_name`, `family_name`, `mrn` (unique per clinic), `date_of_birth`, `sex`,
    /// `contact`, `address`, `identifiers`.
    #[pyo3(signature = (clinic_id, *, actor=None, **fields))]
    fn register_patient(
        &self,
        py: Python<'_>,
        clinic_id: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<e::Patient> {
        let id = parse_id(clinic_id, "clinic_id")?;
        let input: PatientInput = decode(kwargs_json(fields)?).or_py()?;
        let a = actor_of(actor);
        Ok(e::Patient { inner: self.run(py, self.inner.register_patient(&a, id, input))? })
    }

    /// UpdatePatient: replaces the patient's fields.
    #[pyo3(signature = (patient_id, *, actor=None, **fields))]
    fn update_patient(
        &self,
        py: Python<'_>,
        patient_id: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<e::Patient> {
        let id = parse_id(patient_id, "patient_id")?;
        let input: PatientInput = decode(kwargs_json(fields)?).or_py()?;
        let a = actor_of(actor);
        Ok(e::Patient { inner: self.run(py, self.inner.update_patient(&a, id, input))? })
    }

    /// A patient by id.
    #[pyo3(signature = (patient_id, *, actor=None))]
    fn patient(
        &self,
        py: Python<'_>,
        patient_id: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
    ) -> PyResult<e::Patient> {
        let id = parse_id(patient_id, "patient_id")?;
        let a = actor_of(actor);
        Ok(e::Patient { inner: self.run(py, self.inner.patient(&a, id))? })
    }

    // ---------- appointments ----------

    /// A dry run of a booking against the store's current state: the `Verdict`, nothing stored.
    #[pyo3(signature = (clinic_id, request=None, *, actor=None, **fields))]
    fn check_booking(
        &self,
        py: Python<'_>,
        clinic_id: &Bound<'_, PyAny>,
        request: Option<&Bound<'_, PyAny>>,
        actor: Option<&Bound<'_, e::Actor>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<e::Verdict> {
        let id = parse_id(clinic_id, "clinic_id")?;
        let req = booking_request(request, fields)?;
        let a = actor_of(actor);
        Ok(e::Verdict { inner: self.run(py, self.inner.check_booking(&a, id, &req))? })
    }

    /// CreateAppointment: the booking fields (`patient_id`, `practitioner_id`, `appointment_type_id`,
    /// `start`, `room_id`, `overbook`) plus `proposed`, `reason`, `notes`. A broken rule raises
    /// `BookingRejectedError` with every violation and the alternatives.
    #[pyo3(signature = (clinic_id, request=None, *, actor=None, **fields))]
    fn create_appointment(
        &self,
        py: Python<'_>,
        clinic_id: &Bound<'_, PyAny>,
        request: Option<&Bound<'_, PyAny>>,
        actor: Option<&Bound<'_, e::Actor>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<e::Appointment> {
        let mut v = kwargs_json(fields)?;
        if let (Some(r), Value::Object(m)) = (request, &mut v) {
            let req = booking_request(Some(r), None)?;
            if let Value::Object(rm) = serde_json::to_value(&req).unwrap_or_default() {
                for (k, x) in rm {
                    m.entry(k).or_insert(x);
                }
            }
        }
        if let Value::Object(m) = &mut v {
            m.insert("clinic_id".into(), Value::String(crate::convert::id_string(clinic_id, "clinic_id")?));
        }
        let cmd: CreateAppointment = decode(v).or_py()?;
        let a = actor_of(actor);
        Ok(e::Appointment { inner: self.run(py, self.inner.create_appointment(&a, cmd))? })
    }

    /// RescheduleAppointment (atomic): `start`, optional `practitioner_id`, `room_id`, `overbook`,
    /// `expected_version`.
    #[pyo3(signature = (appointment_id, *, actor=None, **fields))]
    fn reschedule_appointment(
        &self,
        py: Python<'_>,
        appointment_id: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<e::Appointment> {
        let mut v = kwargs_json(fields)?;
        if let Value::Object(m) = &mut v {
            m.insert(
                "appointment_id".into(),
                Value::String(crate::convert::id_string(appointment_id, "appointment_id")?),
            );
        }
        let cmd: RescheduleAppointment = decode(v).or_py()?;
        let a = actor_of(actor);
        Ok(e::Appointment { inner: self.run(py, self.inner.reschedule_appointment(&a, cmd))? })
    }

    /// CancelAppointment.
    #[pyo3(signature = (appointment_id, *, reason=None, expected_version=None, actor=None))]
    fn cancel_appointment(
        &self,
        py: Python<'_>,
        appointment_id: &Bound<'_, PyAny>,
        reason: Option<String>,
        expected_version: Option<u64>,
        actor: Option<&Bound<'_, e::Actor>>,
    ) -> PyResult<e::Appointment> {
        let id = parse_id(appointment_id, "appointment_id")?;
        let a = actor_of(actor);
        Ok(e::Appointment { inner: self.run(py, self.inner.cancel_appointment(&a, id, reason, expected_version))? })
    }

    /// ChangeStatus through the state machine (`"booked"`, `"arrived"`, `"fulfilled"`, `"noshow"`,
    /// `"cancelled"`); an illegal transition raises `StateError` (`INVALID_STATUS_TRANSITION`).
    #[pyo3(signature = (appointment_id, status, *, expected_version=None, actor=None))]
    fn change_status(
        &self,
        py: Python<'_>,
        appointment_id: &Bound<'_, PyAny>,
        status: &Bound<'_, PyAny>,
        expected_version: Option<u64>,
        actor: Option<&Bound<'_, e::Actor>>,
    ) -> PyResult<e::Appointment> {
        let id = parse_id(appointment_id, "appointment_id")?;
        let to: AppointmentStatus = decode(py_to_json(status, "status")?).or_py()?;
        let a = actor_of(actor);
        Ok(e::Appointment { inner: self.run(py, self.inner.change_status(&a, id, to, expected_version))? })
    }

    /// FindAvailableSlots against the store (`SlotQuery` or its fields; `from_` works as a keyword).
    #[pyo3(signature = (clinic_id, query=None, *, actor=None, **fields))]
    fn find_available_slots(
        &self,
        py: Python<'_>,
        clinic_id: &Bound<'_, PyAny>,
        query: Option<&Bound<'_, PyAny>>,
        actor: Option<&Bound<'_, e::Actor>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<SlotList> {
        let id = parse_id(clinic_id, "clinic_id")?;
        let q = slot_query(query, fields)?;
        let a = actor_of(actor);
        Ok(SlotList { inner: self.run(py, self.inner.find_available_slots(&a, id, &q))? })
    }

    /// Appointments matching a filter (`clinic_id`, `practitioner_id`, `room_id`, `patient_id`, `from`,
    /// `to`, `statuses`, `after`, `limit`), as far as the actor may see.
    #[pyo3(signature = (*, actor=None, **filter))]
    fn list_appointments(
        &self,
        py: Python<'_>,
        actor: Option<&Bound<'_, e::Actor>>,
        filter: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Vec<e::Appointment>> {
        let mut v = kwargs_json(filter)?;
        if let Value::Object(m) = &mut v {
            if let Some(f) = m.remove("from_") {
                m.insert("from".into(), f);
            }
        }
        let f: AppointmentFilter = decode(v).or_py()?;
        let a = actor_of(actor);
        let list = self.run(py, self.inner.list_appointments(&a, f))?;
        Ok(list.into_iter().map(|inner| e::Appointment { inner }).collect())
    }

    // ---------- import, reports, export ----------

    /// ImportRecords for patients (CSV/XLS/XLSX bytes). Options: `mode` (`"dry_run"`, `"atomic"`,
    /// `"partial"`), `date_order`, `default_region`, `max_cell_chars`. Returns the import report as a dict
    /// (`rows`, `valid`, `stored`, `rejected_rows`, `committed`, `accepted_ids`, `rejections`).
    #[pyo3(signature = (clinic_id, data, *, actor=None, **options_))]
    fn import_patients<'py>(
        &self,
        py: Python<'py>,
        clinic_id: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
        options_: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = parse_id(clinic_id, "clinic_id")?;
        let bytes = file_bytes(data)?;
        let opts = options(options_)?;
        let a = actor_of(actor);
        let r = self.run(py, self.inner.import_patients(&a, id, ImportSource::Bytes(&bytes), &opts))?;
        to_python_dict(py, &serde_json::to_value(&r).unwrap_or_default())
    }

    /// ImportRecords for appointments: every row goes through the booking rules against the store and the
    /// file's earlier rows. Same options and report shape as `import_patients`.
    #[pyo3(signature = (clinic_id, data, *, actor=None, **options_))]
    fn import_appointments<'py>(
        &self,
        py: Python<'py>,
        clinic_id: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
        options_: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = parse_id(clinic_id, "clinic_id")?;
        let bytes = file_bytes(data)?;
        let opts = options(options_)?;
        let a = actor_of(actor);
        let r = self.run(py, self.inner.import_appointments(&a, id, ImportSource::Bytes(&bytes), &opts))?;
        to_python_dict(py, &serde_json::to_value(&r).unwrap_or_default())
    }

    /// GenerateReport for clinic-local dates `[from_, to)` (dates), optionally for some practitioners.
    #[pyo3(signature = (clinic_id, from_, to, *, practitioner_ids=None, actor=None))]
    fn generate_report(
        &self,
        py: Python<'_>,
        clinic_id: &Bound<'_, PyAny>,
        from_: &Bound<'_, PyAny>,
        to: &Bound<'_, PyAny>,
        practitioner_ids: Option<&Bound<'_, PyAny>>,
        actor: Option<&Bound<'_, e::Actor>>,
    ) -> PyResult<e::Report> {
        let mut m = serde_json::Map::new();
        m.insert("clinic_id".into(), Value::String(crate::convert::id_string(clinic_id, "clinic_id")?));
        m.insert("from".into(), py_to_json(from_, "from")?);
        m.insert("to".into(), py_to_json(to, "to")?);
        if let Some(p) = practitioner_ids {
            m.insert("practitioner_ids".into(), py_to_json(p, "practitioner_ids")?);
        }
        let q: ReportQuery = decode(Value::Object(m)).or_py()?;
        let a = actor_of(actor);
        Ok(e::Report { inner: self.run(py, self.inner.generate_report(&a, &q))? })
    }

    /// ExportCalendar: a practitioner's appointments overlapping `[from_, to)` as iCalendar text.
    #[pyo3(signature = (practitioner_id, from_, to, *, include_patient_names=false, actor=None))]
    fn ical_for_practitioner(
        &self,
        py: Python<'_>,
        practitioner_id: &Bound<'_, PyAny>,
        from_: &Bound<'_, PyAny>,
        to: &Bound<'_, PyAny>,
        include_patient_names: bool,
        actor: Option<&Bound<'_, e::Actor>>,
    ) -> PyResult<String> {
        let id = parse_id(practitioner_id, "practitioner_id")?;
        let (f, t) = (extract_utc(from_, "from")?, extract_utc(to, "to")?);
        let feed = clinic_core::interop::usecases::PractitionerFeed { include_patient_names };
        let a = actor_of(actor);
        self.run(py, self.inner.ical_for_practitioner(&a, id, f, t, feed))
    }

    /// ExportCalendar: a patient's appointments overlapping `[from_, to)` as iCalendar text.
    #[pyo3(signature = (patient_id, from_, to, *, actor=None))]
    fn ical_for_patient(
        &self,
        py: Python<'_>,
        patient_id: &Bound<'_, PyAny>,
        from_: &Bound<'_, PyAny>,
        to: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
    ) -> PyResult<String> {
        let id = parse_id(patient_id, "patient_id")?;
        let (f, t) = (extract_utc(from_, "from")?, extract_utc(to, "to")?);
        let a = actor_of(actor);
        self.run(py, self.inner.ical_for_patient(&a, id, f, t))
    }

    /// A patient as a FHIR R4 Patient resource (dict).
    #[pyo3(signature = (patient_id, *, actor=None))]
    fn fhir_patient<'py>(
        &self,
        py: Python<'py>,
        patient_id: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = parse_id(patient_id, "patient_id")?;
        let a = actor_of(actor);
        let v = self.run(py, self.inner.fhir_patient(&a, id))?;
        crate::convert::json_to_py_mode(py, &v, None, false)
    }

    /// An appointment as a FHIR R4 Appointment resource (dict).
    #[pyo3(signature = (appointment_id, *, actor=None))]
    fn fhir_appointment<'py>(
        &self,
        py: Python<'py>,
        appointment_id: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = parse_id(appointment_id, "appointment_id")?;
        let a = actor_of(actor);
        let v = self.run(py, self.inner.fhir_appointment(&a, id))?;
        crate::convert::json_to_py_mode(py, &v, None, false)
    }

    /// A schedule as a FHIR R4 Schedule resource (dict).
    #[pyo3(signature = (schedule_id, *, actor=None))]
    fn fhir_schedule<'py>(
        &self,
        py: Python<'py>,
        schedule_id: &Bound<'_, PyAny>,
        actor: Option<&Bound<'_, e::Actor>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = parse_id(schedule_id, "schedule_id")?;
        let a = actor_of(actor);
        let v = self.run(py, self.inner.fhir_schedule(&a, id))?;
        crate::convert::json_to_py_mode(py, &v, None, false)
    }

    /// FindAvailableSlots as FHIR R4 Slot resources (status `free`), a list of dicts.
    #[pyo3(signature = (clinic_id, query=None, *, actor=None, **fields))]
    fn fhir_free_slots<'py>(
        &self,
        py: Python<'py>,
        clinic_id: &Bound<'_, PyAny>,
        query: Option<&Bound<'_, PyAny>>,
        actor: Option<&Bound<'_, e::Actor>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let id = parse_id(clinic_id, "clinic_id")?;
        let q = slot_query(query, fields)?;
        let a = actor_of(actor);
        let v = self.run(py, self.inner.fhir_free_slots(&a, id, &q))?;
        let l = PyList::empty(py);
        for x in &v {
            l.append(crate::convert::json_to_py_mode(py, x, None, false)?)?;
        }
        Ok(l)
    }

    fn __repr__(&self) -> String {
        format!("Scheduler(store={:?})", self.kind)
    }
}

/// An entity argument given as the class or as a dict of its fields.
fn entity<T: pyo3::PyClass<Frozen = pyo3::pyclass::boolean_struct::True> + Sync + Clone + FromDict>(
    obj: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<T> {
    match obj.cast::<T>() {
        Ok(x) => Ok(x.get().clone()),
        Err(_) => T::from_any(obj, what),
    }
}
