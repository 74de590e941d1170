//! `Scheduler`: the core's use cases over an embedded store (an SQLite file or memory), for the Node addon.
//!
//! Arguments arrive as camelCase JSON values and reach the core's own serde types (`ClinicInput`,
//! `PatientInput`, `CreateAppointment`, entity records, …) by renaming keys ([`crate::json`]); results go
//! back the same way, so nothing here mirrors an entity by hand. Each method is synchronous (it drives the
//! use case on the scheduler's tokio runtime); the Node addon runs it on the libuv thread pool.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use clinic_core::import::{ImportOptions, ImportSource};
use clinic_core::interop::fhir::IdResolver;
use clinic_core::interop::usecases::PractitionerFeed;
use clinic_core::model::{appointment_type, resources, schedule};
use clinic_core::ports::{AppointmentFilter, FixedClock, Store};
use clinic_core::rbac::Actor;
use clinic_core::reports::{report_to_csv, ReportQuery};
use clinic_core::usecases::{CreateAppointment, RescheduleAppointment};
use clinic_core::{
    AppointmentId, AppointmentStatus, BookingRequest, ClinicError, ClinicId, ClinicInput, ErrorCode, PatientId,
    PatientInput, PractitionerId, ScheduleId, SlotQuery,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::JsApiError;
use crate::json::{decode_core, encode_core};

type Core = clinic_core::Scheduler<dyn Store>;

/// The scheduling service over one embedded store; cheap to share between threads.
pub struct JsScheduler {
    rt: tokio::runtime::Runtime,
    inner: Core,
    clock: Option<Arc<FixedClock>>,
    kind: &'static str,
}

impl std::fmt::Debug for JsScheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsScheduler").field("store", &self.kind).finish_non_exhaustive()
    }
}

fn store_error(e: impl std::fmt::Display) -> JsApiError {
    JsApiError::from_core("", ClinicError::Store { message: e.to_string(), retryable: false })
}

/// `undefined`/`null` → `default`; anything else must be `T` (camelCase keys).
fn optional<T: DeserializeOwned>(arg: &str, v: Value, default: impl FnOnce() -> T) -> Result<T, JsApiError> {
    match v {
        Value::Null => Ok(default()),
        v => decode_core(arg, v),
    }
}

fn required<T: DeserializeOwned>(arg: &str, v: Value) -> Result<T, JsApiError> {
    if v.is_null() {
        return Err(JsApiError::at(arg, ErrorCode::Required, format!("`{arg}` is required")));
    }
    decode_core(arg, v)
}

fn object(arg: &str, v: Value) -> Result<Map<String, Value>, JsApiError> {
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(JsApiError::at(arg, ErrorCode::InvalidJson, "expected an object")),
    }
}

/// An entity given as its record's fields (`id` defaults to a new UUIDv7), validated by the core's
/// constructor (`TryFrom<Record>`).
fn entity<R: DeserializeOwned, T: TryFrom<R, Error = ClinicError>>(arg: &str, v: Value) -> Result<T, JsApiError> {
    let mut m = object(arg, v)?;
    m.entry("id").or_insert_with(|| Value::String(uuid::Uuid::now_v7().to_string()));
    let record: R = decode_core(arg, Value::Object(m))?;
    T::try_from(record).map_err(|e| JsApiError::from_core(arg, e))
}

/// Options objects of the smaller calls.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChangeOptions {
    reason: Option<String>,
    expected_version: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReportOptions {
    practitioner_ids: Vec<PractitionerId>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FhirOptions {
    default_region: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FeedOptions {
    include_patient_names: bool,
}

fn core<T>(arg: &str, r: Result<T, ClinicError>) -> Result<T, JsApiError> {
    r.map_err(|e| JsApiError::from_core(arg, e))
}

fn out<T: serde::Serialize>(v: Result<T, ClinicError>) -> Result<Value, JsApiError> {
    encode_core(&core("", v)?)
}

impl JsScheduler {
    fn build(
        store: impl FnOnce() -> Result<Arc<dyn Store>, ClinicError>,
        now: Value,
        kind: &'static str,
    ) -> Result<Self, JsApiError> {
        let now: Option<DateTime<Utc>> = optional("now", now, || None)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("clinic-scheduling")
            .enable_all()
            .build()
            .map_err(store_error)?;
        let store = {
            let _g = rt.enter();
            core("path", store())?
        };
        let mut inner = clinic_core::Scheduler::new(store);
        let clock = match now {
            Some(t) => {
                let c = Arc::new(FixedClock::new(t));
                inner = inner.with_clock(c.clone());
                Some(c)
            }
            None => None,
        };
        Ok(JsScheduler { rt, inner, clock, kind })
    }

    /// Opens (creating if needed) an SQLite database file; `now` (an instant) fixes the clock.
    pub fn open(path: &str, now: Value) -> Result<Self, JsApiError> {
        let path = path.to_string();
        Self::build(move || Ok(Arc::new(clinic_sqlite::SqliteStore::open(path)?) as Arc<dyn Store>), now, "sqlite")
    }

    /// A fresh in-memory store (nothing persists).
    pub fn in_memory(now: Value) -> Result<Self, JsApiError> {
        Self::build(|| Ok(Arc::new(clinic_core::InMemoryStore::new()) as Arc<dyn Store>), now, "memory")
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    fn run<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.rt.block_on(f)
    }

    fn actor(v: Value) -> Result<Actor, JsApiError> {
        optional("actor", v, Actor::system)
    }

    pub fn now(&self) -> Result<Value, JsApiError> {
        encode_core(&self.inner.now())
    }

    /// Moves a fixed clock (only for a scheduler created with `now`).
    pub fn set_now(&self, now: Value) -> Result<(), JsApiError> {
        let t: DateTime<Utc> = required("now", now)?;
        match &self.clock {
            Some(c) => {
                c.set(t);
                Ok(())
            }
            None => Err(JsApiError::at(
                "now",
                ErrorCode::InvalidJson,
                "this scheduler uses the system clock (create it with { now })",
            )),
        }
    }

    // ---------- catalog ----------

    pub fn create_clinic(&self, input: Value, actor: Value) -> Result<Value, JsApiError> {
        let input: ClinicInput = required("input", input)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.create_clinic(&a, input)))
    }

    pub fn update_clinic(&self, id: Value, input: Value, actor: Value) -> Result<Value, JsApiError> {
        let id: ClinicId = required("clinicId", id)?;
        let input: ClinicInput = required("input", input)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.update_clinic(&a, id, input)))
    }

    pub fn clinic(&self, id: Value) -> Result<Value, JsApiError> {
        let id: ClinicId = required("clinicId", id)?;
        out(self.run(self.inner.clinic(id)))
    }

    pub fn save_practitioner(&self, p: Value, actor: Value) -> Result<Value, JsApiError> {
        let p = entity::<resources::PractitionerRecord, _>("practitioner", p)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.save_practitioner(&a, p)))
    }

    pub fn save_room(&self, r: Value, actor: Value) -> Result<Value, JsApiError> {
        let r = entity::<resources::RoomRecord, _>("room", r)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.save_room(&a, r)))
    }

    pub fn save_appointment_type(&self, t: Value, actor: Value) -> Result<Value, JsApiError> {
        let t = entity::<appointment_type::AppointmentTypeRecord, _>("appointmentType", t)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.save_appointment_type(&a, t)))
    }

    pub fn save_schedule(&self, s: Value, actor: Value) -> Result<Value, JsApiError> {
        let s = entity::<schedule::ScheduleRecord, _>("schedule", s)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.save_schedule(&a, s)))
    }

    // ---------- patients ----------

    pub fn register_patient(&self, clinic_id: Value, input: Value, actor: Value) -> Result<Value, JsApiError> {
        let id: ClinicId = required("clinicId", clinic_id)?;
        let input: PatientInput = required("input", input)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.register_patient(&a, id, input)))
    }

    pub fn update_patient(&self, patient_id: Value, input: Value, actor: Value) -> Result<Value, JsApiError> {
        let id: PatientId = required("patientId", patient_id)?;
        let input: PatientInput = required("input", input)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.update_patient(&a, id, input)))
    }

    pub fn patient(&self, patient_id: Value, actor: Value) -> Result<Value, JsApiError> {
        let id: PatientId = required("patientId", patient_id)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.patient(&a, id)))
    }

    // ---------- appointments ----------

    pub fn check_booking(&self, clinic_id: Value, request: Value, actor: Value) -> Result<Value, JsApiError> {
        let id: ClinicId = required("clinicId", clinic_id)?;
        let req: BookingRequest = required("request", request)?;
        let a = Self::actor(actor)?;
        let v = core("request", self.run(self.inner.check_booking(&a, id, &req)))?;
        Ok(verdict(&v))
    }

    pub fn create_appointment(&self, clinic_id: Value, command: Value, actor: Value) -> Result<Value, JsApiError> {
        let mut m = object("command", command)?;
        m.insert("clinicId".into(), clinic_id);
        let cmd: CreateAppointment = decode_core("command", Value::Object(m))?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.create_appointment(&a, cmd)))
    }

    pub fn reschedule_appointment(&self, id: Value, command: Value, actor: Value) -> Result<Value, JsApiError> {
        let mut m = object("command", command)?;
        m.insert("appointmentId".into(), id);
        let cmd: RescheduleAppointment = decode_core("command", Value::Object(m))?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.reschedule_appointment(&a, cmd)))
    }

    pub fn cancel_appointment(&self, id: Value, options: Value, actor: Value) -> Result<Value, JsApiError> {
        let id: AppointmentId = required("appointmentId", id)?;
        let o: ChangeOptions = optional("options", options, ChangeOptions::default)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.cancel_appointment(&a, id, o.reason, o.expected_version)))
    }

    pub fn change_status(&self, id: Value, status: Value, options: Value, actor: Value) -> Result<Value, JsApiError> {
        let id: AppointmentId = required("appointmentId", id)?;
        let to: AppointmentStatus = required("status", status)?;
        let o: ChangeOptions = optional("options", options, ChangeOptions::default)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.change_status(&a, id, to, o.expected_version)))
    }

    pub fn find_available_slots(&self, clinic_id: Value, query: Value, actor: Value) -> Result<Value, JsApiError> {
        let id: ClinicId = required("clinicId", clinic_id)?;
        let q: SlotQuery = required("query", query)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.find_available_slots(&a, id, &q)))
    }

    pub fn list_appointments(&self, filter: Value, actor: Value) -> Result<Value, JsApiError> {
        let f: AppointmentFilter = optional("filter", filter, AppointmentFilter::default)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.list_appointments(&a, f)))
    }

    // ---------- import, reports, export ----------

    pub fn import_patients(
        &self,
        clinic_id: Value,
        data: &[u8],
        options: Value,
        actor: Value,
    ) -> Result<Value, JsApiError> {
        let id: ClinicId = required("clinicId", clinic_id)?;
        let o: ImportOptions = optional("options", options, ImportOptions::default)?;
        let a = Self::actor(actor)?;
        let r = core("data", self.run(self.inner.import_patients(&a, id, ImportSource::Bytes(data), &o)))?;
        encode_core(&r)
    }

    pub fn import_appointments(
        &self,
        clinic_id: Value,
        data: &[u8],
        options: Value,
        actor: Value,
    ) -> Result<Value, JsApiError> {
        let id: ClinicId = required("clinicId", clinic_id)?;
        let o: ImportOptions = optional("options", options, ImportOptions::default)?;
        let a = Self::actor(actor)?;
        let r = core("data", self.run(self.inner.import_appointments(&a, id, ImportSource::Bytes(data), &o)))?;
        encode_core(&r)
    }

    /// GenerateReport for clinic-local dates `[from, to)`; `csv` also gives the report as one CSV table.
    pub fn generate_report(
        &self,
        clinic_id: Value,
        from: Value,
        to: Value,
        options: Value,
        actor: Value,
    ) -> Result<Value, JsApiError> {
        let o: ReportOptions = optional("options", options, ReportOptions::default)?;
        let q = ReportQuery {
            clinic_id: required("clinicId", clinic_id)?,
            from: required("from", from)?,
            to: required("to", to)?,
            practitioner_ids: o.practitioner_ids,
        };
        let a = Self::actor(actor)?;
        let report = core("", self.run(self.inner.generate_report(&a, &q)))?;
        let csv = core("", report_to_csv(&report))?;
        let mut v = encode_core(&report)?;
        if let Value::Object(m) = &mut v {
            m.insert("csv".into(), Value::String(csv));
        }
        Ok(v)
    }

    pub fn ical_for_practitioner(
        &self,
        id: Value,
        from: Value,
        to: Value,
        options: Value,
        actor: Value,
    ) -> Result<Value, JsApiError> {
        let id: PractitionerId = required("practitionerId", id)?;
        let (f, t): (DateTime<Utc>, DateTime<Utc>) = (required("from", from)?, required("to", to)?);
        let o: FeedOptions = optional("options", options, FeedOptions::default)?;
        let feed = PractitionerFeed { include_patient_names: o.include_patient_names };
        let a = Self::actor(actor)?;
        Ok(Value::String(core("", self.run(self.inner.ical_for_practitioner(&a, id, f, t, feed)))?))
    }

    pub fn ical_for_patient(&self, id: Value, from: Value, to: Value, actor: Value) -> Result<Value, JsApiError> {
        let id: PatientId = required("patientId", id)?;
        let (f, t): (DateTime<Utc>, DateTime<Utc>) = (required("from", from)?, required("to", to)?);
        let a = Self::actor(actor)?;
        Ok(Value::String(core("", self.run(self.inner.ical_for_patient(&a, id, f, t)))?))
    }

    /// FHIR resources are returned as FHIR writes them (their own camelCase), not renamed.
    pub fn fhir_patient(&self, id: Value, actor: Value) -> Result<Value, JsApiError> {
        let id: PatientId = required("patientId", id)?;
        let a = Self::actor(actor)?;
        core("", self.run(self.inner.fhir_patient(&a, id)))
    }

    pub fn fhir_appointment(&self, id: Value, actor: Value) -> Result<Value, JsApiError> {
        let id: AppointmentId = required("appointmentId", id)?;
        let a = Self::actor(actor)?;
        core("", self.run(self.inner.fhir_appointment(&a, id)))
    }

    pub fn fhir_schedule(&self, id: Value, actor: Value) -> Result<Value, JsApiError> {
        let id: ScheduleId = required("scheduleId", id)?;
        let a = Self::actor(actor)?;
        core("", self.run(self.inner.fhir_schedule(&a, id)))
    }

    pub fn fhir_free_slots(&self, clinic_id: Value, query: Value, actor: Value) -> Result<Value, JsApiError> {
        let id: ClinicId = required("clinicId", clinic_id)?;
        let q: SlotQuery = required("query", query)?;
        let a = Self::actor(actor)?;
        Ok(Value::Array(core("query", self.run(self.inner.fhir_free_slots(&a, id, &q)))?))
    }

    /// Registers a FHIR R4 Patient (an object or its JSON text) in a clinic.
    pub fn import_fhir_patient(
        &self,
        clinic_id: Value,
        resource: &str,
        options: Value,
        actor: Value,
    ) -> Result<Value, JsApiError> {
        let id: ClinicId = required("clinicId", clinic_id)?;
        let o: FhirOptions = optional("options", options, FhirOptions::default)?;
        let o = clinic_core::interop::fhir::ImportOptions { default_region: o.default_region, today: None };
        let a = Self::actor(actor)?;
        out(self.run(self.inner.import_fhir_patient(&a, id, resource, &o)))
    }

    /// Books a FHIR R4 Appointment whose references are the engine's ids (`Patient/<uuid>`, …).
    pub fn import_fhir_appointment(&self, clinic_id: Value, resource: &str, actor: Value) -> Result<Value, JsApiError> {
        let id: ClinicId = required("clinicId", clinic_id)?;
        let a = Self::actor(actor)?;
        out(self.run(self.inner.import_fhir_appointment(&a, id, resource, &IdResolver)))
    }
}

/// A verdict in the calendar API's shape (`codes` alongside `violations`), so both APIs answer alike.
fn verdict(v: &clinic_core::Verdict) -> Value {
    serde_json::to_value(crate::convert::verdict(v)).unwrap_or(Value::Null)
}
