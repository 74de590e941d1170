//! The core's value objects and entities as Python classes.
//!
//! Each class holds the core value itself. Construction (keyword arguments or `from_dict`) goes through
//! the core's serde shape and its validating constructor, so an invalid entity cannot exist in Python
//! either; attribute access reads the same shape back (`to_dict()`), with instants as aware UTC datetimes.

use clinic_core::{ClinicError, ErrorCode};
use pyo3::basic::CompareOp;
use pyo3::exceptions::PyAttributeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyType};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::convert::{json_to_py_mode, py_to_json, to_python_dict};
use crate::errors::OrPy;

/// The first core code named in a message such as `"invalid input: phone (INVALID_PHONE): …"`.
fn code_in(msg: &str) -> Option<ErrorCode> {
    msg.split('(').skip(1).find_map(|rest| rest.split(')').next().and_then(ErrorCode::parse))
}

/// Deserializes a core type, locating serde errors (`weekly_hours[2].start`) and keeping the core's code
/// when a nested validating constructor refused a value.
pub fn decode<T: DeserializeOwned>(v: Value) -> Result<T, ClinicError> {
    serde_path_to_error::deserialize::<_, T>(v).map_err(|e| {
        let mut path = e.path().to_string();
        if path == "." {
            path.clear();
        }
        let msg = e.inner().to_string();
        if let Some(name) = msg.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
            let p = if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
            return ClinicError::field(ErrorCode::Required, p, format!("`{name}` is required"));
        }
        ClinicError::field(code_in(&msg).unwrap_or(ErrorCode::InvalidJson), path, msg)
    })
}

/// kwargs or a dict → JSON object (with a fresh UUIDv7 `id` when the entity has one and none was given).
pub fn object_of(obj: Option<&Bound<'_, PyAny>>, with_id: bool) -> PyResult<Value> {
    let mut v = match obj {
        Some(o) => py_to_json(o, "")?,
        None => Value::Object(Default::default()),
    };
    let Value::Object(m) = &mut v else {
        return Err(crate::errors::field(ErrorCode::InvalidJson, "", "expected a dict of fields"));
    };
    if with_id && !m.contains_key("id") {
        m.insert("id".into(), Value::String(uuid::Uuid::now_v7().to_string()));
    }
    Ok(v)
}

fn repr_of(py: Python<'_>, name: &str, v: &Value) -> PyResult<String> {
    let Value::Object(m) = v else { return Ok(format!("{name}({v})")) };
    let mut parts = Vec::with_capacity(m.len());
    for (k, x) in m {
        let o = json_to_py_mode(py, x, Some(k), true)?;
        let mut r = o.repr()?.to_cow()?.into_owned();
        if r.chars().count() > 80 {
            r = r.chars().take(77).collect::<String>() + "...";
        }
        parts.push(format!("{k}={r}"));
    }
    Ok(format!("{name}({})", parts.join(", ")))
}

/// Generates one Python class around a core type. `record = R` validates through `R` → `T::try_from`
/// (structured field errors); `plain` deserializes `T` directly.
macro_rules! entity {
    ($py:ident, $name:literal, $ty:ty, $decode:expr, id = $with_id:expr, doc = $doc:literal { $($extra:tt)* }) => {
        #[doc = $doc]
        #[pyclass(name = $name, module = "clinic_scheduling", frozen)]
        #[derive(Debug, Clone)]
        pub struct $py {
            pub inner: $ty,
        }

        impl $py {
            pub fn json(&self) -> Value {
                serde_json::to_value(&self.inner).unwrap_or(Value::Null)
            }
            pub fn from_value(v: Value) -> PyResult<Self> {
                let f: fn(Value) -> Result<$ty, ClinicError> = $decode;
                Ok($py { inner: f(v).or_py()? })
            }
        }

        #[pymethods]
        impl $py {
            #[new]
            #[pyo3(signature = (**fields))]
            fn __new__(fields: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
                Self::from_value(object_of(fields.map(|d| d.as_any()), $with_id)?)
            }

            /// Builds from a dict of the same fields as the keyword arguments (JSON-shaped values or Python
            /// datetimes/dates/UUIDs); validated by the core.
            #[classmethod]
            fn from_dict(_cls: &Bound<'_, PyType>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
                Self::from_value(object_of(Some(data), $with_id)?)
            }

            /// Builds from the JSON text of `to_json()` (or the server's API).
            #[classmethod]
            fn from_json(_cls: &Bound<'_, PyType>, text: &str) -> PyResult<Self> {
                let v: Value = serde_json::from_str(text)
                    .map_err(|e| crate::errors::field(ErrorCode::InvalidJson, "", format!("not JSON: {e}")))?;
                Self::from_value(v)
            }

            /// The fields as a dict. `mode="python"` (default): instants as aware UTC `datetime`, dates as
            /// `date`, wall times as `time`; `mode="json"`: JSON-compatible values only.
            #[pyo3(signature = (mode = "python"))]
            fn to_dict<'py>(&self, py: Python<'py>, mode: &str) -> PyResult<Bound<'py, PyAny>> {
                match mode {
                    "python" => to_python_dict(py, &self.json()),
                    "json" => json_to_py_mode(py, &self.json(), None, false),
                    other => Err(crate::errors::field(ErrorCode::InvalidJson, "mode", format!("mode must be \"python\" or \"json\", not {other:?}"))),
                }
            }

            /// The core's JSON form (the server's API shape).
            fn to_json(&self) -> String {
                self.json().to_string()
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                repr_of(py, $name, &self.json())
            }

            fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
                let py = other.py();
                match (op, other.cast::<$py>()) {
                    (CompareOp::Eq, Ok(o)) => (self.inner == o.get().inner).into_pyobject(py).map(|b| b.to_owned().into_any().unbind()).unwrap_or_else(|_| py.NotImplemented()),
                    (CompareOp::Ne, Ok(o)) => (self.inner != o.get().inner).into_pyobject(py).map(|b| b.to_owned().into_any().unbind()).unwrap_or_else(|_| py.NotImplemented()),
                    _ => py.NotImplemented(),
                }
            }

            fn __getattr__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
                if let Value::Object(m) = self.json() {
                    if let Some(v) = m.get(name) {
                        return json_to_py_mode(py, v, Some(name), true);
                    }
                }
                Err(PyAttributeError::new_err(format!("{} has no attribute {name:?}", $name)))
            }

            fn __dir__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
                let mut names: Vec<String> = match self.json() {
                    Value::Object(m) => m.keys().cloned().collect(),
                    _ => vec![],
                };
                names.extend(["to_dict", "to_json", "from_dict", "from_json"].map(String::from));
                PyList::new(py, names)
            }

            $($extra)*
        }
    };
}

fn plain<T: DeserializeOwned>(v: Value) -> Result<T, ClinicError> {
    decode(v)
}

fn record<R: DeserializeOwned, T: TryFrom<R, Error = ClinicError>>(v: Value) -> Result<T, ClinicError> {
    T::try_from(decode::<R>(v)?)
}

use clinic_core as core;

entity!(Clinic, "Clinic", core::Clinic, record::<core::model::clinic::ClinicRecord, _>, id = true,
    doc = "A clinic: name, IANA `time_zone`, `address`, `contact`, `closures`. Every \"day\" of the rules is this zone's day. `id` defaults to a new UUIDv7." {});
entity!(Practitioner, "Practitioner", core::Practitioner, record::<core::model::resources::PractitionerRecord, _>, id = true,
    doc = "A bookable practitioner of a clinic (`clinic_id`, `name`, `contact`, `active`, `user_id`)." {});
entity!(Room, "Room", core::Room, record::<core::model::resources::RoomRecord, _>, id = true,
    doc = "A bookable room of a clinic (`clinic_id`, `name`, `active`)." {});
entity!(AppointmentType, "AppointmentType", core::AppointmentType, record::<core::model::appointment_type::AppointmentTypeRecord, _>, id = true,
    doc = "An appointment type: `duration_minutes`, buffers, `capacity` (>1 = group session), `min_notice_minutes`, `max_horizon_days`, `practitioner_ids` offering it." {});
entity!(Schedule, "Schedule", core::Schedule, record::<core::model::schedule::ScheduleRecord, _>, id = true,
    doc = "When one resource (`resource={\"kind\": \"practitioner\", \"id\": ...}`) is available: `weekly_hours`, RRULE `recurrences`, `breaks`, `exceptions`, `valid_from`/`valid_until`, `granularity_minutes`, in the clinic's local wall time." {});
entity!(Patient, "Patient", core::Patient, record::<core::model::patient::PatientRecord, _>, id = true,
    doc = "A patient: `given_name`, `family_name`, `mrn`, `date_of_birth`, `sex`, `contact` (E.164 phone, e-mail), `address`, `identifiers`." {});
entity!(Appointment, "Appointment", core::Appointment, plain::<core::Appointment>, id = false,
    doc = "An appointment as stored: participants, `slot`, `status`, `version`, history. Returned by the Scheduler's use cases." {});
entity!(TimeSlot, "TimeSlot", core::TimeSlot, plain::<core::TimeSlot>, id = false,
    doc = "A half-open UTC interval `[start, end)`, minute precision, start < end, bounded length." {});
entity!(ContactInfo, "ContactInfo", core::ContactInfo, plain::<core::ContactInfo>, id = false,
    doc = "Contact details: `phone` (normalized to E.164, `default_region` helps national numbers) and `email` (lowercased)." {});
entity!(Address, "Address", core::Address, plain::<core::Address>, id = false,
    doc = "A postal address (`line1`, `line2`, `city`, `postal_code`, `country` as ISO 3166-1 alpha-2)." {});
entity!(Actor, "Actor", core::rbac::Actor, plain::<core::rbac::Actor>, id = false,
    doc = "Who is acting: `role` (admin, scheduler, practitioner, patient), `clinic_id`, and for practitioner/patient roles the record they are. Scheduler methods default to the all-powerful system actor." {});
entity!(BookingRequest, "BookingRequest", core::BookingRequest, plain::<core::BookingRequest>, id = false,
    doc = "A request to occupy a slot: `patient_id`, `practitioner_id`, `appointment_type_id`, `start` (aware datetime), optional `room_id`, `overbook`, `reschedule_of`." {});
entity!(SlotQuery, "SlotQuery", core::SlotQuery, plain::<core::SlotQuery>, id = false,
    doc = "\"Free start times for type T, practitioners P..., between `from` and `to`\" (`from`/`to` aware datetimes; optional `patient_id`, `room_id`, `exclude`, `limit`)." {});
entity!(Violation, "Violation", core::Violation, plain::<core::Violation>, id = false,
    doc = "One broken booking rule: `code`, `message`, `conflicting` appointment ids." {
    /// The rule's stable code, e.g. `"SLOT_CONFLICT_PRACTITIONER"`.
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code.as_str()
    }
    /// A human message.
    #[getter]
    fn message(&self) -> String {
        self.inner.message.clone()
    }
    /// The active appointments this booking collides with (rules 1 and 2), as id strings.
    #[getter]
    fn conflicting(&self) -> Vec<String> {
        self.inner.conflicting.iter().map(ToString::to_string).collect()
    }
});
entity!(SlotOffer, "SlotOffer", core::SlotOffer, plain::<core::SlotOffer>, id = false,
    doc = "A bookable start: `[start, end)` with `practitioner_id`." {
    /// Start of the slot (aware UTC datetime).
    #[getter]
    fn start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::convert::utc_to_py(py, self.inner.start)
    }
    /// End of the slot (aware UTC datetime, exclusive).
    #[getter]
    fn end<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::convert::utc_to_py(py, self.inner.end)
    }
    /// The practitioner offering the slot (UUID string).
    #[getter]
    fn practitioner_id(&self) -> String {
        self.inner.practitioner_id.to_string()
    }
});
entity!(Verdict, "Verdict", core::Verdict, plain::<core::Verdict>, id = false,
    doc = "The engine's answer to a booking request: `accepted`, `violations` (every broken rule, in the engine's order), `codes`, `overbooked`, and `alternatives` when rejected." {
    /// Whether every rule holds.
    #[getter]
    fn accepted(&self) -> bool {
        self.inner.accepted
    }
    /// Accepted only because the overbooking override bypassed rule 1 (to be audited).
    #[getter]
    fn overbooked(&self) -> bool {
        self.inner.overbooked
    }
    /// The violated rules' codes, in order.
    #[getter]
    fn codes(&self) -> Vec<&'static str> {
        self.inner.violations.iter().map(|v| v.code.as_str()).collect()
    }
    /// Every broken rule as a `Violation`.
    #[getter]
    fn violations(&self) -> Vec<Violation> {
        self.inner.violations.iter().cloned().map(|inner| Violation { inner }).collect()
    }
    /// Nearest bookable alternatives: `{"same_practitioner": [SlotOffer], "other_practitioners": [SlotOffer]}`.
    #[getter]
    fn alternatives<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let wrap = |v: &[core::SlotOffer]| v.iter().map(|&inner| SlotOffer { inner }).collect::<Vec<_>>();
        d.set_item("same_practitioner", wrap(&self.inner.alternatives.same_practitioner))?;
        d.set_item("other_practitioners", wrap(&self.inner.alternatives.other_practitioners))?;
        Ok(d)
    }
    fn __bool__(&self) -> bool {
        self.inner.accepted
    }
});
entity!(Report, "Report", core::reports::Report, plain::<core::reports::Report>, id = false,
    doc = "A GenerateReport result: utilization, statuses, no-show and cancellation rates, lead times; totals, per day, per ISO week and per practitioner." {
    /// The report as one tidy CSV table.
    fn to_csv(&self) -> PyResult<String> {
        core::reports::report_to_csv(&self.inner).or_py()
    }
    /// The report as an A4 PDF (bytes).
    fn to_pdf<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
        let pdf = core::reports::report_to_pdf(&self.inner).or_py()?;
        Ok(pyo3::types::PyBytes::new(py, &pdf))
    }
});

/// The JSON of any entity object, so entities nest as values of other entities' fields.
pub fn entity_json(obj: &Bound<'_, PyAny>) -> Option<Value> {
    macro_rules! try_types {
        ($($t:ty),*) => {$(
            if let Ok(e) = obj.cast::<$t>() {
                return Some(e.get().json());
            }
        )*};
    }
    try_types!(
        Clinic,
        Practitioner,
        Room,
        AppointmentType,
        Schedule,
        Patient,
        Appointment,
        TimeSlot,
        ContactInfo,
        Address,
        Actor,
        BookingRequest,
        SlotQuery,
        Violation,
        SlotOffer,
        Verdict,
        Report
    );
    None
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Clinic>()?;
    m.add_class::<Practitioner>()?;
    m.add_class::<Room>()?;
    m.add_class::<AppointmentType>()?;
    m.add_class::<Schedule>()?;
    m.add_class::<Patient>()?;
    m.add_class::<Appointment>()?;
    m.add_class::<TimeSlot>()?;
    m.add_class::<ContactInfo>()?;
    m.add_class::<Address>()?;
    m.add_class::<Actor>()?;
    m.add_class::<BookingRequest>()?;
    m.add_class::<SlotQuery>()?;
    m.add_class::<Violation>()?;
    m.add_class::<SlotOffer>()?;
    m.add_class::<Verdict>()?;
    m.add_class::<Report>()?;
    Ok(())
}
