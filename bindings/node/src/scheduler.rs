//! `Scheduler`: the core's use cases over an embedded store (SQLite file or memory). Every use case
//! returns a `Promise` and runs on the libuv thread pool; arguments are read on the JS thread first, so a
//! bad one rejects with a typed error before any work starts.

use std::sync::Arc;

use clinic_js_api::{JsApiError, JsScheduler};
use napi::bindgen_prelude::*;
use napi::Env;
use napi_derive::napi;
use serde_json::Value;

use crate::boundary::{bytes, given, js_error, value};
use crate::task::Work;

type Pending = AsyncTask<Work<Value>>;

/// Reads a call's arguments on the JS thread; a bad one becomes the task's error, so the promise rejects.
fn prepare<T>(read: impl FnOnce() -> std::result::Result<T, JsApiError>) -> std::result::Result<T, JsApiError> {
    read()
}

/// An optional argument as a JSON value (`null` when absent).
fn opt(env: &Env, name: &str, v: Option<Unknown<'_>>) -> std::result::Result<Value, JsApiError> {
    match given(v) {
        None => Ok(Value::Null),
        Some(v) => value(env, name, v),
    }
}

/// A FHIR resource given as an object or as JSON text.
fn resource_text(env: &Env, v: Unknown<'_>) -> std::result::Result<String, JsApiError> {
    match value(env, "resource", v)? {
        Value::String(s) => Ok(s),
        Value::Null => Err(JsApiError::at("resource", clinic_js_api::ErrorCode::Required, "`resource` is required")),
        other => Ok(other.to_string()),
    }
}

/// The scheduling service over one embedded store, with the core's use cases as methods (clinics,
/// practitioners, rooms, types, schedules, patients, appointments, availability, imports, reports,
/// iCalendar and FHIR). Methods take an optional `actor` (default: the all-powerful system actor); a role
/// that may not do something is refused with `FORBIDDEN`.
#[napi]
#[derive(Debug)]
pub struct Scheduler {
    inner: Arc<JsScheduler>,
}

impl Scheduler {
    fn run(
        &self,
        job: impl FnOnce(&JsScheduler) -> std::result::Result<Value, clinic_js_api::JsApiError> + Send + 'static,
    ) -> Pending {
        let s = Arc::clone(&self.inner);
        Work::task(move || job(&s))
    }
}

#[napi]
impl Scheduler {
    /// Opens (creating if needed) an SQLite database file as the store. `options.now` fixes the clock
    /// (tests, simulations); otherwise the system clock is used.
    #[napi(factory, ts_args_type = "path: string, options?: { now?: string }")]
    pub fn open(env: Env, path: String, options: Option<Unknown<'_>>) -> Result<Self> {
        let now = now_option(&env, options)?;
        let inner = JsScheduler::open(&path, now).map_err(|e| js_error(&env, e))?;
        Ok(Scheduler { inner: Arc::new(inner) })
    }

    /// A scheduler over a fresh in-memory store (nothing persists).
    #[napi(factory, ts_args_type = "options?: { now?: string }")]
    pub fn in_memory(env: Env, options: Option<Unknown<'_>>) -> Result<Self> {
        let now = now_option(&env, options)?;
        let inner = JsScheduler::in_memory(now).map_err(|e| js_error(&env, e))?;
        Ok(Scheduler { inner: Arc::new(inner) })
    }

    /// `"sqlite"` or `"memory"`.
    #[napi(getter)]
    pub fn store(&self) -> &'static str {
        self.inner.kind()
    }

    /// The scheduler's current time (RFC 3339, UTC).
    #[napi(ts_return_type = "string")]
    pub fn now<'e>(&self, env: &'e Env) -> Result<Unknown<'e>> {
        let v = self.inner.now().map_err(|e| js_error(env, e))?;
        crate::boundary::out(env, &v)
    }

    /// Moves a fixed clock (only for a scheduler created with `{ now }`).
    #[napi(ts_args_type = "now: string")]
    pub fn set_now(&self, env: Env, now: Unknown<'_>) -> Result<()> {
        let now = value(&env, "now", now).map_err(|e| js_error(&env, e))?;
        self.inner.set_now(now).map_err(|e| js_error(&env, e))
    }

    // ---------- catalog ----------

    /// Creates a clinic (`name`, `timeZone`, `address`, `contact`, `closures`).
    #[napi(ts_args_type = "input: ClinicInput, actor?: Actor", ts_return_type = "Promise<Clinic>")]
    pub fn create_clinic(&self, env: Env, input: Unknown<'_>, actor: Option<Unknown<'_>>) -> Result<Pending> {
        let args = prepare(|| {
            let (i, a) = (value(&env, "input", input)?, opt(&env, "actor", actor)?);
            Ok((i, a))
        });
        Ok(self.run(move |s| {
            let (i, a) = args?;
            s.create_clinic(i, a)
        }))
    }

    /// Replaces a clinic's fields.
    #[napi(ts_args_type = "clinicId: string, input: ClinicInput, actor?: Actor", ts_return_type = "Promise<Clinic>")]
    pub fn update_clinic(
        &self,
        env: Env,
        clinic_id: Unknown<'_>,
        input: Unknown<'_>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (c, i, a) =
                (value(&env, "clinicId", clinic_id)?, value(&env, "input", input)?, opt(&env, "actor", actor)?);
            Ok((c, i, a))
        });
        Ok(self.run(move |s| {
            let (c, i, a) = args?;
            s.update_clinic(c, i, a)
        }))
    }

    /// A clinic by id (`NOT_FOUND` if absent).
    #[napi(ts_args_type = "clinicId: string", ts_return_type = "Promise<Clinic>")]
    pub fn clinic(&self, env: Env, clinic_id: Unknown<'_>) -> Result<Pending> {
        let args = prepare(|| {
            let c = value(&env, "clinicId", clinic_id)?;
            Ok((c,))
        });
        Ok(self.run(move |s| {
            let (c,) = args?;
            s.clinic(c)
        }))
    }

    /// Adds or replaces a practitioner (`id` defaults to a new UUIDv7).
    #[napi(ts_args_type = "practitioner: PractitionerInput, actor?: Actor", ts_return_type = "Promise<Practitioner>")]
    pub fn save_practitioner(
        &self,
        env: Env,
        practitioner: Unknown<'_>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (p, a) = (value(&env, "practitioner", practitioner)?, opt(&env, "actor", actor)?);
            Ok((p, a))
        });
        Ok(self.run(move |s| {
            let (p, a) = args?;
            s.save_practitioner(p, a)
        }))
    }

    /// Adds or replaces a room.
    #[napi(ts_args_type = "room: RoomInput, actor?: Actor", ts_return_type = "Promise<Room>")]
    pub fn save_room(&self, env: Env, room: Unknown<'_>, actor: Option<Unknown<'_>>) -> Result<Pending> {
        let args = prepare(|| {
            let (r, a) = (value(&env, "room", room)?, opt(&env, "actor", actor)?);
            Ok((r, a))
        });
        Ok(self.run(move |s| {
            let (r, a) = args?;
            s.save_room(r, a)
        }))
    }

    /// Adds or replaces an appointment type.
    #[napi(
        ts_args_type = "appointmentType: AppointmentTypeInput, actor?: Actor",
        ts_return_type = "Promise<AppointmentType>"
    )]
    pub fn save_appointment_type(
        &self,
        env: Env,
        appointment_type: Unknown<'_>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (t, a) = (value(&env, "appointmentType", appointment_type)?, opt(&env, "actor", actor)?);
            Ok((t, a))
        });
        Ok(self.run(move |s| {
            let (t, a) = args?;
            s.save_appointment_type(t, a)
        }))
    }

    /// Adds or replaces a schedule (a practitioner may only manage their own).
    #[napi(ts_args_type = "schedule: ScheduleInput, actor?: Actor", ts_return_type = "Promise<Schedule>")]
    pub fn save_schedule(&self, env: Env, schedule: Unknown<'_>, actor: Option<Unknown<'_>>) -> Result<Pending> {
        let args = prepare(|| {
            let (x, a) = (value(&env, "schedule", schedule)?, opt(&env, "actor", actor)?);
            Ok((x, a))
        });
        Ok(self.run(move |s| {
            let (x, a) = args?;
            s.save_schedule(x, a)
        }))
    }

    // ---------- patients ----------

    /// RegisterPatient (`givenName`, `familyName`, `mrn` unique per clinic, `dateOfBirth`, `sex`, `contact`,
    /// `address`, `identifiers`).
    #[napi(ts_args_type = "clinicId: string, input: PatientInput, actor?: Actor", ts_return_type = "Promise<Patient>")]
    pub fn register_patient(
        &self,
        env: Env,
        clinic_id: Unknown<'_>,
        input: Unknown<'_>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (c, i, a) =
                (value(&env, "clinicId", clinic_id)?, value(&env, "input", input)?, opt(&env, "actor", actor)?);
            Ok((c, i, a))
        });
        Ok(self.run(move |s| {
            let (c, i, a) = args?;
            s.register_patient(c, i, a)
        }))
    }

    /// UpdatePatient: replaces the patient's fields.
    #[napi(ts_args_type = "patientId: string, input: PatientInput, actor?: Actor", ts_return_type = "Promise<Patient>")]
    pub fn update_patient(
        &self,
        env: Env,
        patient_id: Unknown<'_>,
        input: Unknown<'_>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (p, i, a) =
                (value(&env, "patientId", patient_id)?, value(&env, "input", input)?, opt(&env, "actor", actor)?);
            Ok((p, i, a))
        });
        Ok(self.run(move |s| {
            let (p, i, a) = args?;
            s.update_patient(p, i, a)
        }))
    }

    /// A patient by id.
    #[napi(ts_args_type = "patientId: string, actor?: Actor", ts_return_type = "Promise<Patient>")]
    pub fn patient(&self, env: Env, patient_id: Unknown<'_>, actor: Option<Unknown<'_>>) -> Result<Pending> {
        let args = prepare(|| {
            let (p, a) = (value(&env, "patientId", patient_id)?, opt(&env, "actor", actor)?);
            Ok((p, a))
        });
        Ok(self.run(move |s| {
            let (p, a) = args?;
            s.patient(p, a)
        }))
    }

    // ---------- appointments ----------

    /// A dry run of a booking against the store's current state: the verdict, nothing stored.
    #[napi(
        ts_args_type = "clinicId: string, request: BookingRequest, actor?: Actor",
        ts_return_type = "Promise<Verdict>"
    )]
    pub fn check_booking(
        &self,
        env: Env,
        clinic_id: Unknown<'_>,
        request: Unknown<'_>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (c, r, a) =
                (value(&env, "clinicId", clinic_id)?, value(&env, "request", request)?, opt(&env, "actor", actor)?);
            Ok((c, r, a))
        });
        Ok(self.run(move |s| {
            let (c, r, a) = args?;
            s.check_booking(c, r, a)
        }))
    }

    /// CreateAppointment: a booking request plus `proposed`, `reason`, `notes`. A broken rule rejects with
    /// `.code` = the first violation's code and `.errors` = every violation.
    #[napi(
        ts_args_type = "clinicId: string, command: CreateAppointment, actor?: Actor",
        ts_return_type = "Promise<Appointment>"
    )]
    pub fn create_appointment(
        &self,
        env: Env,
        clinic_id: Unknown<'_>,
        command: Unknown<'_>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (c, x, a) =
                (value(&env, "clinicId", clinic_id)?, value(&env, "command", command)?, opt(&env, "actor", actor)?);
            Ok((c, x, a))
        });
        Ok(self.run(move |s| {
            let (c, x, a) = args?;
            s.create_appointment(c, x, a)
        }))
    }

    /// RescheduleAppointment (atomic): `start`, optional `practitionerId`, `roomId`, `overbook`,
    /// `expectedVersion`.
    #[napi(
        ts_args_type = "appointmentId: string, command: RescheduleAppointment, actor?: Actor",
        ts_return_type = "Promise<Appointment>"
    )]
    pub fn reschedule_appointment(
        &self,
        env: Env,
        appointment_id: Unknown<'_>,
        command: Unknown<'_>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (i, x, a) = (
                value(&env, "appointmentId", appointment_id)?,
                value(&env, "command", command)?,
                opt(&env, "actor", actor)?,
            );
            Ok((i, x, a))
        });
        Ok(self.run(move |s| {
            let (i, x, a) = args?;
            s.reschedule_appointment(i, x, a)
        }))
    }

    /// CancelAppointment.
    #[napi(
        ts_args_type = "appointmentId: string, options?: { reason?: string; expectedVersion?: number }, actor?: Actor",
        ts_return_type = "Promise<Appointment>"
    )]
    pub fn cancel_appointment(
        &self,
        env: Env,
        appointment_id: Unknown<'_>,
        options: Option<Unknown<'_>>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (i, o, a) = (
                value(&env, "appointmentId", appointment_id)?,
                opt(&env, "options", options)?,
                opt(&env, "actor", actor)?,
            );
            Ok((i, o, a))
        });
        Ok(self.run(move |s| {
            let (i, o, a) = args?;
            s.cancel_appointment(i, o, a)
        }))
    }

    /// ChangeStatus through the state machine; an illegal transition is `INVALID_STATUS_TRANSITION`.
    #[napi(
        ts_args_type = "appointmentId: string, status: AppointmentStatus, options?: { expectedVersion?: number }, actor?: Actor",
        ts_return_type = "Promise<Appointment>"
    )]
    pub fn change_status(
        &self,
        env: Env,
        appointment_id: Unknown<'_>,
        status: Unknown<'_>,
        options: Option<Unknown<'_>>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let i = value(&env, "appointmentId", appointment_id)?;
            let (st, o, a) =
                (value(&env, "status", status)?, opt(&env, "options", options)?, opt(&env, "actor", actor)?);
            Ok((i, st, o, a))
        });
        Ok(self.run(move |s| {
            let (i, st, o, a) = args?;
            s.change_status(i, st, o, a)
        }))
    }

    /// FindAvailableSlots against the store.
    #[napi(ts_args_type = "clinicId: string, query: SlotQuery, actor?: Actor", ts_return_type = "Promise<SlotOffer[]>")]
    pub fn find_available_slots(
        &self,
        env: Env,
        clinic_id: Unknown<'_>,
        query: Unknown<'_>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (c, q, a) =
                (value(&env, "clinicId", clinic_id)?, value(&env, "query", query)?, opt(&env, "actor", actor)?);
            Ok((c, q, a))
        });
        Ok(self.run(move |s| {
            let (c, q, a) = args?;
            s.find_available_slots(c, q, a)
        }))
    }

    /// Appointments matching a filter, as far as the actor may see.
    #[napi(ts_args_type = "filter?: AppointmentFilter, actor?: Actor", ts_return_type = "Promise<Appointment[]>")]
    pub fn list_appointments(
        &self,
        env: Env,
        filter: Option<Unknown<'_>>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (f, a) = (opt(&env, "filter", filter)?, opt(&env, "actor", actor)?);
            Ok((f, a))
        });
        Ok(self.run(move |s| {
            let (f, a) = args?;
            s.list_appointments(f, a)
        }))
    }

    // ---------- import, reports, export ----------

    /// ImportRecords for patients (CSV text or CSV/XLS/XLSX bytes); `options.mode` is `"dry_run"` (default),
    /// `"atomic"` or `"partial"`.
    #[napi(
        ts_args_type = "clinicId: string, data: string | Uint8Array, options?: StoreImportOptions, actor?: Actor",
        ts_return_type = "Promise<ImportReport>"
    )]
    pub fn import_patients(
        &self,
        env: Env,
        clinic_id: Unknown<'_>,
        data: Unknown<'_>,
        options: Option<Unknown<'_>>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (c, d) = (value(&env, "clinicId", clinic_id)?, bytes("data", data)?);
            let (o, a) = (opt(&env, "options", options)?, opt(&env, "actor", actor)?);
            Ok((c, d, o, a))
        });
        Ok(self.run(move |s| {
            let (c, d, o, a) = args?;
            s.import_patients(c, &d, o, a)
        }))
    }

    /// ImportRecords for appointments: every row goes through the booking rules against the store and the
    /// file's earlier rows.
    #[napi(
        ts_args_type = "clinicId: string, data: string | Uint8Array, options?: StoreImportOptions, actor?: Actor",
        ts_return_type = "Promise<AppointmentImportReport>"
    )]
    pub fn import_appointments(
        &self,
        env: Env,
        clinic_id: Unknown<'_>,
        data: Unknown<'_>,
        options: Option<Unknown<'_>>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (c, d) = (value(&env, "clinicId", clinic_id)?, bytes("data", data)?);
            let (o, a) = (opt(&env, "options", options)?, opt(&env, "actor", actor)?);
            Ok((c, d, o, a))
        });
        Ok(self.run(move |s| {
            let (c, d, o, a) = args?;
            s.import_appointments(c, &d, o, a)
        }))
    }

    /// GenerateReport for clinic-local dates `[from, to)` (`"YYYY-MM-DD"`); the answer has `csv` too.
    #[napi(
        ts_args_type = "clinicId: string, from: string, to: string, options?: { practitionerIds?: string[] }, actor?: Actor",
        ts_return_type = "Promise<Report>"
    )]
    pub fn generate_report(
        &self,
        env: Env,
        clinic_id: Unknown<'_>,
        from: Unknown<'_>,
        to: Unknown<'_>,
        options: Option<Unknown<'_>>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (c, f, t) = (value(&env, "clinicId", clinic_id)?, value(&env, "from", from)?, value(&env, "to", to)?);
            let (o, a) = (opt(&env, "options", options)?, opt(&env, "actor", actor)?);
            Ok((c, f, t, o, a))
        });
        Ok(self.run(move |s| {
            let (c, f, t, o, a) = args?;
            s.generate_report(c, f, t, o, a)
        }))
    }

    /// ExportCalendar: a practitioner's appointments overlapping `[from, to)` as iCalendar text.
    #[napi(
        ts_args_type = "practitionerId: string, from: string, to: string, options?: { includePatientNames?: boolean }, actor?: Actor",
        ts_return_type = "Promise<string>"
    )]
    pub fn ical_for_practitioner(
        &self,
        env: Env,
        practitioner_id: Unknown<'_>,
        from: Unknown<'_>,
        to: Unknown<'_>,
        options: Option<Unknown<'_>>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (p, f, t) =
                (value(&env, "practitionerId", practitioner_id)?, value(&env, "from", from)?, value(&env, "to", to)?);
            let (o, a) = (opt(&env, "options", options)?, opt(&env, "actor", actor)?);
            Ok((p, f, t, o, a))
        });
        Ok(self.run(move |s| {
            let (p, f, t, o, a) = args?;
            s.ical_for_practitioner(p, f, t, o, a)
        }))
    }

    /// ExportCalendar: a patient's appointments overlapping `[from, to)` as iCalendar text.
    #[napi(
        ts_args_type = "patientId: string, from: string, to: string, actor?: Actor",
        ts_return_type = "Promise<string>"
    )]
    pub fn ical_for_patient(
        &self,
        env: Env,
        patient_id: Unknown<'_>,
        from: Unknown<'_>,
        to: Unknown<'_>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (p, f, t) = (value(&env, "patientId", patient_id)?, value(&env, "from", from)?, value(&env, "to", to)?);
            let a = opt(&env, "actor", actor)?;
            Ok((p, f, t, a))
        });
        Ok(self.run(move |s| {
            let (p, f, t, a) = args?;
            s.ical_for_patient(p, f, t, a)
        }))
    }

    /// A patient as a FHIR R4 Patient resource.
    #[napi(ts_args_type = "patientId: string, actor?: Actor", ts_return_type = "Promise<FhirResource>")]
    pub fn fhir_patient(&self, env: Env, patient_id: Unknown<'_>, actor: Option<Unknown<'_>>) -> Result<Pending> {
        let args = prepare(|| {
            let (p, a) = (value(&env, "patientId", patient_id)?, opt(&env, "actor", actor)?);
            Ok((p, a))
        });
        Ok(self.run(move |s| {
            let (p, a) = args?;
            s.fhir_patient(p, a)
        }))
    }

    /// An appointment as a FHIR R4 Appointment resource.
    #[napi(ts_args_type = "appointmentId: string, actor?: Actor", ts_return_type = "Promise<FhirResource>")]
    pub fn fhir_appointment(
        &self,
        env: Env,
        appointment_id: Unknown<'_>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (i, a) = (value(&env, "appointmentId", appointment_id)?, opt(&env, "actor", actor)?);
            Ok((i, a))
        });
        Ok(self.run(move |s| {
            let (i, a) = args?;
            s.fhir_appointment(i, a)
        }))
    }

    /// A schedule as a FHIR R4 Schedule resource.
    #[napi(ts_args_type = "scheduleId: string, actor?: Actor", ts_return_type = "Promise<FhirResource>")]
    pub fn fhir_schedule(&self, env: Env, schedule_id: Unknown<'_>, actor: Option<Unknown<'_>>) -> Result<Pending> {
        let args = prepare(|| {
            let (i, a) = (value(&env, "scheduleId", schedule_id)?, opt(&env, "actor", actor)?);
            Ok((i, a))
        });
        Ok(self.run(move |s| {
            let (i, a) = args?;
            s.fhir_schedule(i, a)
        }))
    }

    /// FindAvailableSlots as FHIR R4 Slot resources (status `free`).
    #[napi(
        ts_args_type = "clinicId: string, query: SlotQuery, actor?: Actor",
        ts_return_type = "Promise<FhirResource[]>"
    )]
    pub fn fhir_free_slots(
        &self,
        env: Env,
        clinic_id: Unknown<'_>,
        query: Unknown<'_>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (c, q, a) =
                (value(&env, "clinicId", clinic_id)?, value(&env, "query", query)?, opt(&env, "actor", actor)?);
            Ok((c, q, a))
        });
        Ok(self.run(move |s| {
            let (c, q, a) = args?;
            s.fhir_free_slots(c, q, a)
        }))
    }

    /// Registers a FHIR R4 Patient (object or JSON text) in a clinic (RegisterPatient's rules apply).
    #[napi(
        ts_args_type = "clinicId: string, resource: FhirResource | string, options?: { defaultRegion?: string }, actor?: Actor",
        ts_return_type = "Promise<Patient>"
    )]
    pub fn import_fhir_patient(
        &self,
        env: Env,
        clinic_id: Unknown<'_>,
        resource: Unknown<'_>,
        options: Option<Unknown<'_>>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (c, r) = (value(&env, "clinicId", clinic_id)?, resource_text(&env, resource)?);
            let (o, a) = (opt(&env, "options", options)?, opt(&env, "actor", actor)?);
            Ok((c, r, o, a))
        });
        Ok(self.run(move |s| {
            let (c, r, o, a) = args?;
            s.import_fhir_patient(c, &r, o, a)
        }))
    }

    /// Books a FHIR R4 Appointment whose references are the engine's ids (`Patient/<uuid>`, …); every
    /// booking rule applies.
    #[napi(
        ts_args_type = "clinicId: string, resource: FhirResource | string, actor?: Actor",
        ts_return_type = "Promise<Appointment>"
    )]
    pub fn import_fhir_appointment(
        &self,
        env: Env,
        clinic_id: Unknown<'_>,
        resource: Unknown<'_>,
        actor: Option<Unknown<'_>>,
    ) -> Result<Pending> {
        let args = prepare(|| {
            let (c, r, a) =
                (value(&env, "clinicId", clinic_id)?, resource_text(&env, resource)?, opt(&env, "actor", actor)?);
            Ok((c, r, a))
        });
        Ok(self.run(move |s| {
            let (c, r, a) = args?;
            s.import_fhir_appointment(c, &r, a)
        }))
    }
}

/// `{ now }` of `open`/`inMemory`.
fn now_option(env: &Env, options: Option<Unknown<'_>>) -> Result<Value> {
    match opt(env, "options", options).map_err(|e| js_error(env, e))? {
        Value::Null => Ok(Value::Null),
        Value::Object(mut m) => Ok(m.remove("now").unwrap_or(Value::Null)),
        _ => Err(js_error(env, clinic_js_api::bad_argument("options", "an object { now }"))),
    }
}
