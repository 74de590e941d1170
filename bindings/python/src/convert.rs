//! Python values ↔ the JSON shape of the core's serde types.
//!
//! Inputs are turned into `serde_json::Value` and deserialized by the core's own types, so every validation
//! stays in the core. Only what JSON cannot say is checked here: a datetime must be aware (a naive one has no
//! instant), floats must be finite, integers must fit 64 bits. Outputs go back as Python objects with
//! instants as aware UTC `datetime`s, dates as `date`s and wall times as `time`s.

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use clinic_core::ErrorCode;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString};
use serde_json::{Map, Number, Value};

use crate::errors::field;

/// The standard-library classes conversions test against, imported once.
struct Std {
    datetime: Py<PyAny>,
    date: Py<PyAny>,
    time: Py<PyAny>,
    utc: Py<PyAny>,
    uuid: Py<PyAny>,
    zoneinfo: Py<PyAny>,
}

static STD: PyOnceLock<Std> = PyOnceLock::new();

fn std_types(py: Python<'_>) -> PyResult<&Std> {
    STD.get_or_try_init(py, || {
        let dt = py.import("datetime")?;
        Ok(Std {
            datetime: dt.getattr("datetime")?.unbind(),
            date: dt.getattr("date")?.unbind(),
            time: dt.getattr("time")?.unbind(),
            utc: dt.getattr("timezone")?.getattr("utc")?.unbind(),
            uuid: py.import("uuid")?.getattr("UUID")?.unbind(),
            zoneinfo: py.import("zoneinfo")?.getattr("ZoneInfo")?.unbind(),
        })
    })
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

/// An aware `datetime` as a UTC instant; a naive one, or anything else, is a `ValidationError` at `path`.
pub fn extract_utc(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<DateTime<Utc>> {
    let py = obj.py();
    let s = std_types(py)?;
    if !obj.is_instance(s.datetime.bind(py))? {
        return Err(field(
            ErrorCode::InvalidDate,
            path,
            format!("expected an aware datetime.datetime, got {}", type_name(obj)),
        ));
    }
    if obj.getattr("tzinfo")?.is_none() || obj.call_method0("utcoffset")?.is_none() {
        return Err(field(
            ErrorCode::InvalidDate,
            path,
            "naive datetime: attach a time zone (e.g. tzinfo=zoneinfo.ZoneInfo(\"Europe/London\") or \
             datetime.timezone.utc) so the instant is unambiguous",
        ));
    }
    let u = obj.call_method1("astimezone", (s.utc.bind(py),))?;
    let g = |n: &str| -> PyResult<u32> { u.getattr(n)?.extract::<u32>() };
    let year: i32 = u.getattr("year")?.extract()?;
    let t = Utc
        .with_ymd_and_hms(year, g("month")?, g("day")?, g("hour")?, g("minute")?, g("second")?)
        .single()
        .and_then(|t| t.checked_add_signed(chrono::Duration::microseconds(i64::from(g("microsecond").unwrap_or(0)))));
    t.ok_or_else(|| field(ErrorCode::InvalidDate, path, "datetime out of range"))
}

/// An id given as `str` or `uuid.UUID` (validated by the core's id parser).
pub fn id_string(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<String> {
    let py = obj.py();
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if obj.is_instance(std_types(py)?.uuid.bind(py))? {
        return Ok(obj.str()?.to_cow()?.into_owned());
    }
    Err(field(ErrorCode::InvalidId, path, format!("expected a UUID (str or uuid.UUID), got {}", type_name(obj))))
}

/// Parses an id into one of the core's typed ids.
pub fn parse_id<T: std::str::FromStr<Err = clinic_core::ClinicError>>(
    obj: &Bound<'_, PyAny>,
    path: &str,
) -> PyResult<T> {
    let s = id_string(obj, path)?;
    s.parse::<T>().map_err(|_| field(ErrorCode::InvalidId, path, format!("{s:?} is not a UUID")))
}

/// Nesting deeper than this is refused: no entity is that deep, and a self-containing list must not recurse
/// until the stack overflows.
const MAX_DEPTH: usize = 64;

/// Any Python value → JSON for the core's deserializers; `path` locates errors.
pub fn py_to_json(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    to_json_at(obj, path, 0)
}

fn to_json_at(obj: &Bound<'_, PyAny>, path: &str, depth: usize) -> PyResult<Value> {
    let py = obj.py();
    if depth > MAX_DEPTH {
        return Err(field(ErrorCode::InvalidJson, path, format!("nested deeper than {MAX_DEPTH} levels")));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        return Err(field(ErrorCode::InvalidJson, path, "integer out of range (must fit in 64 bits)"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        return Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| field(ErrorCode::InvalidJson, path, format!("{v} is not a finite number")));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let text =
            s.to_cow().map_err(|_| field(ErrorCode::InvalidJson, path, "not valid Unicode (a lone surrogate)"))?;
        return Ok(Value::String(text.into_owned()));
    }
    if let Some(v) = crate::entities::entity_json(obj) {
        return Ok(v);
    }
    let s = std_types(py)?;
    if obj.is_instance(s.datetime.bind(py))? {
        let t = extract_utc(obj, path)?;
        return Ok(Value::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true)));
    }
    if obj.is_instance(s.date.bind(py))? || obj.is_instance(s.time.bind(py))? {
        return Ok(Value::String(obj.call_method0("isoformat")?.extract()?));
    }
    if obj.is_instance(s.uuid.bind(py))? || obj.is_instance(s.zoneinfo.bind(py))? {
        return Ok(Value::String(obj.str()?.to_cow()?.into_owned()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        return mapping_to_json(d.iter(), path, depth);
    }
    if let Ok(m) = obj.cast::<PyMapping>() {
        let items = m.items()?;
        return mapping_to_json(
            items.iter().map(|it| (it.get_item(0).unwrap_or(it.clone()), it.get_item(1).unwrap_or(it))),
            path,
            depth,
        );
    }
    if obj.cast::<pyo3::types::PyBytes>().is_err() && obj.cast::<pyo3::types::PyByteArray>().is_err() {
        if let Ok(it) = obj.try_iter() {
            let mut out = Vec::new();
            for (i, item) in it.enumerate() {
                out.push(to_json_at(&item?, &format!("{path}[{i}]"), depth + 1)?);
            }
            return Ok(Value::Array(out));
        }
    }
    Err(field(ErrorCode::InvalidJson, path, format!("unsupported value of type {}", type_name(obj))))
}

fn mapping_to_json<'py>(
    items: impl Iterator<Item = (Bound<'py, PyAny>, Bound<'py, PyAny>)>,
    path: &str,
    depth: usize,
) -> PyResult<Value> {
    let mut map = Map::new();
    for (k, v) in items {
        let key: String = k
            .cast::<PyString>()
            .map_err(|_| field(ErrorCode::InvalidJson, path, format!("keys must be str, got {}", type_name(&k))))?
            .to_cow()?
            .into_owned();
        let v = to_json_at(&v, &join(path, &key), depth + 1)?;
        map.insert(key, v);
    }
    Ok(Value::Object(map))
}

/// Keys whose string values are instants, dates or wall times in the core's JSON.
fn is_temporal_key(key: &str) -> bool {
    matches!(
        key,
        "start"
            | "end"
            | "now"
            | "from"
            | "to"
            | "at"
            | "valid_from"
            | "valid_until"
            | "date"
            | "date_of_birth"
            | "until"
    ) || key.ends_with("_at")
}

/// Builds a UTC-aware `datetime`.
pub fn utc_to_py<'py>(py: Python<'py>, t: DateTime<Utc>) -> PyResult<Bound<'py, PyAny>> {
    use chrono::{Datelike, Timelike};
    let s = std_types(py)?;
    s.datetime.bind(py).call1((
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond() / 1000,
        s.utc.bind(py),
    ))
}

fn temporal_to_py<'py>(py: Python<'py>, text: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    use chrono::{Datelike, Timelike};
    let s = std_types(py)?;
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return utc_to_py(py, t.with_timezone(&Utc)).map(Some);
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return s.date.bind(py).call1((d.year(), d.month(), d.day())).map(Some);
    }
    if let Ok(t) = NaiveTime::parse_from_str(text, "%H:%M:%S") {
        return s.time.bind(py).call1((t.hour(), t.minute(), t.second())).map(Some);
    }
    Ok(None)
}

/// JSON → Python. With `typed`, string values of temporal keys become `datetime`/`date`/`time`
/// (`to_dict(mode="python")`); otherwise everything stays JSON-shaped.
pub fn json_to_py_mode<'py>(py: Python<'py>, v: &Value, key: Option<&str>, typed: bool) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => {
            if typed && key.is_some_and(is_temporal_key) {
                if let Some(t) = temporal_to_py(py, s)? {
                    return Ok(t);
                }
            }
            s.into_pyobject(py)?.into_any()
        }
        Value::Array(a) => {
            let l = PyList::empty(py);
            for x in a {
                l.append(json_to_py_mode(py, x, key, typed)?)?;
            }
            l.into_any()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, json_to_py_mode(py, x, Some(k), typed)?)?;
            }
            d.into_any()
        }
    })
}

/// `to_dict` with python-typed temporal values.
pub fn to_python_dict<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    json_to_py_mode(py, v, None, true)
}
