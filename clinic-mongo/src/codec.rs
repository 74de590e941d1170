//! Entities ⇄ BSON documents.
//!
//! Documents are the entities' serde JSON form (the field names the core promises to keep stable), with three
//! changes so that MongoDB sees proper types:
//!
//! - the entity's `id` is the document's `_id`, as the UUID's canonical text (FerretDB 1.24 with its SQLite back end
//!   answers an `_id` equality from its primary key only for a string or an ObjectId `_id`; a binary `_id` makes
//!   every lookup by id a scan of the whole collection);
//! - every other string in canonical UUID form (lowercase, hyphenated — how the core writes every id: the
//!   references between entities) is stored as BSON binary subtype 4;
//! - a string in canonical RFC 3339 UTC form (how chrono writes a `DateTime<Utc>`) is stored as a BSON date.
//!   A BSON date has millisecond precision; when an instant has sub-millisecond digits (timestamps taken from
//!   the system clock) the rest is kept, in nanoseconds, in a sibling field `<name>__ns`, so nothing is lost.
//!
//! Both conversions are applied only when the string is exactly what converting back produces, so every
//! document reads back into the identical entity, whatever the text fields contain. Decoding is driven by the
//! BSON types alone.

use bson::spec::BinarySubtype;
use bson::{Binary, Bson, Document};
use chrono::{DateTime, Timelike, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Number, Value};
use uuid::Uuid;

use clinic_core::{ClinicError, Patient};
use clinic_protect::Keyring;

/// Suffix of the sibling field that keeps an instant's sub-millisecond nanoseconds.
const SUB_MS_SUFFIX: &str = "__ns";

fn codec_error(message: String) -> ClinicError {
    ClinicError::Store { message, retryable: false }
}

/// A UUID as BSON binary subtype 4.
pub(crate) fn uuid_bson(u: Uuid) -> Bson {
    Bson::Binary(Binary { subtype: BinarySubtype::Uuid, bytes: u.as_bytes().to_vec() })
}

/// An entity id as the document's `_id`: the UUID's canonical text (see the module doc).
pub(crate) fn id_bson(u: Uuid) -> Bson {
    Bson::String(u.hyphenated().to_string())
}

/// The UUID of an `_id` (text) or of a reference (binary subtype 4).
pub(crate) fn bson_id(b: &Bson) -> Option<Uuid> {
    match b {
        Bson::String(s) => canonical_uuid(s),
        Bson::Binary(bin) if bin.subtype == BinarySubtype::Uuid => Uuid::from_slice(&bin.bytes).ok(),
        _ => None,
    }
}

/// A UTC instant as a BSON date (millisecond precision).
pub(crate) fn date_bson(t: DateTime<Utc>) -> Bson {
    Bson::DateTime(bson::DateTime::from_millis(t.timestamp_millis()))
}

fn canonical_uuid(s: &str) -> Option<Uuid> {
    let b = s.as_bytes();
    if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    let u = Uuid::parse_str(s).ok()?;
    (u.hyphenated().to_string() == s).then_some(u)
}

fn chrono_text(t: &DateTime<Utc>) -> Option<String> {
    match serde_json::to_value(t) {
        Ok(Value::String(s)) => Some(s),
        _ => None,
    }
}

fn canonical_instant(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() < 20 || b.len() > 40 || b[4] != b'-' || b[10] != b'T' || !s.ends_with('Z') {
        return None;
    }
    let t: DateTime<Utc> = s.parse().ok()?;
    (chrono_text(&t).as_deref() == Some(s)).then_some(t)
}

/// Splits an instant into a BSON date and its sub-millisecond nanoseconds.
fn split_instant(t: DateTime<Utc>) -> (Bson, i32) {
    let sub = (t.nanosecond() % 1_000_000) as i32;
    (date_bson(t), sub)
}

fn number_bson(n: &Number) -> Bson {
    if let Some(i) = n.as_i64() {
        Bson::Int64(i)
    } else if let Some(f) = n.as_f64() {
        // u64 above i64::MAX (never produced by the entities) or a float.
        Bson::Double(f)
    } else {
        Bson::Null
    }
}

/// JSON value → BSON value (strings typed as described in the module doc).
pub(crate) fn json_to_bson(v: &Value) -> Bson {
    match v {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(*b),
        Value::Number(n) => number_bson(n),
        Value::String(s) => {
            if let Some(u) = canonical_uuid(s) {
                uuid_bson(u)
            } else if let Some(t) = canonical_instant(s).filter(|t| t.nanosecond() % 1_000_000 == 0) {
                date_bson(t)
            } else {
                // An instant with sub-millisecond digits outside an object has no sibling to keep them in.
                Bson::String(s.clone())
            }
        }
        Value::Array(items) => Bson::Array(items.iter().map(json_to_bson).collect()),
        Value::Object(map) => Bson::Document(object_to_document(map)),
    }
}

fn object_to_document(map: &Map<String, Value>) -> Document {
    let mut d = Document::new();
    for (k, v) in map {
        if let Value::String(s) = v {
            if let Some(t) = canonical_instant(s) {
                let (date, sub) = split_instant(t);
                d.insert(k.clone(), date);
                if sub != 0 {
                    d.insert(format!("{k}{SUB_MS_SUFFIX}"), Bson::Int32(sub));
                }
                continue;
            }
        }
        d.insert(k.clone(), json_to_bson(v));
    }
    d
}

fn instant_json(ms: i64, sub_ns: i64) -> Result<Value, ClinicError> {
    let t = DateTime::<Utc>::from_timestamp_millis(ms)
        .and_then(|t| t.checked_add_signed(chrono::Duration::nanoseconds(sub_ns)))
        .ok_or_else(|| codec_error(format!("stored date {ms} ms is out of range")))?;
    serde_json::to_value(t).map_err(|e| codec_error(format!("cannot encode date: {e}")))
}

/// BSON value → JSON value (the inverse of [`json_to_bson`]).
pub(crate) fn bson_to_json(b: &Bson) -> Result<Value, ClinicError> {
    Ok(match b {
        Bson::Null | Bson::Undefined => Value::Null,
        Bson::Boolean(x) => Value::Bool(*x),
        Bson::Int32(i) => Value::from(*i),
        Bson::Int64(i) => Value::from(*i),
        Bson::Double(f) => Number::from_f64(*f).map(Value::Number).unwrap_or(Value::Null),
        Bson::String(s) => Value::String(s.clone()),
        Bson::Array(items) => Value::Array(items.iter().map(bson_to_json).collect::<Result<_, _>>()?),
        Bson::Document(d) => Value::Object(document_to_object(d)?),
        Bson::DateTime(t) => instant_json(t.timestamp_millis(), 0)?,
        Bson::Binary(bin) if bin.subtype == BinarySubtype::Uuid && bin.bytes.len() == 16 => {
            let u = Uuid::from_slice(&bin.bytes).map_err(|e| codec_error(format!("bad stored UUID: {e}")))?;
            Value::String(u.hyphenated().to_string())
        }
        other => return Err(codec_error(format!("unexpected BSON value {other} in a stored document"))),
    })
}

fn document_to_object(d: &Document) -> Result<Map<String, Value>, ClinicError> {
    let mut m = Map::new();
    for (k, v) in d {
        if let Some(base) = k.strip_suffix(SUB_MS_SUFFIX) {
            if matches!(d.get(base), Some(Bson::DateTime(_))) {
                continue;
            }
        }
        let value = match v {
            Bson::DateTime(t) => {
                let sub = match d.get(format!("{k}{SUB_MS_SUFFIX}")) {
                    Some(Bson::Int32(n)) => i64::from(*n),
                    Some(Bson::Int64(n)) => *n,
                    _ => 0,
                };
                instant_json(t.timestamp_millis(), sub)?
            }
            other => bson_to_json(other)?,
        };
        m.insert(k.clone(), value);
    }
    Ok(m)
}

/// An entity as a document keyed by `_id`.
pub(crate) fn to_document<T: Serialize>(entity: &T) -> Result<Document, ClinicError> {
    let v = serde_json::to_value(entity).map_err(|e| codec_error(format!("cannot encode entity: {e}")))?;
    let Value::Object(mut map) = v else {
        return Err(codec_error("an entity must encode as a JSON object".into()));
    };
    let id = map.remove("id").ok_or_else(|| codec_error("an entity must have an `id` field".into()))?;
    let mut d = Document::new();
    let id = match id {
        Value::String(s) => Bson::String(s),
        other => json_to_bson(&other),
    };
    d.insert("_id", id);
    d.extend(object_to_document(&map));
    Ok(d)
}

/// Fields the store adds to documents that are not part of the entity.
pub(crate) const INTERNAL_FIELDS: &[&str] = &["pending", "mrn_key", "phone_bidx", "email_bidx", "dob_bidx", "rev"];

/// A document back into its entity (store-internal fields dropped).
pub(crate) fn from_document<T: DeserializeOwned>(d: &Document) -> Result<T, ClinicError> {
    let mut map = document_to_object(d)?;
    for f in INTERNAL_FIELDS {
        map.remove(*f);
    }
    if let Some(id) = map.remove("_id") {
        map.insert("id".into(), id);
    }
    serde_json::from_value(Value::Object(map))
        .map_err(|e| codec_error(format!("a stored document does not read back as an entity: {e}")))
}

// ---- patients ----------------------------------------------------------------------------------------------

/// The unique key of a patient's MRN within its clinic: the MRN (its blind index when sealed), or — for a
/// patient without one — the patient's own id (a binary, so it can never equal an MRN). FerretDB does not
/// implement partial indexes, so "unique when present" is a unique index on `(clinic_id, mrn_key)` instead of a
/// partial one on `(clinic_id, mrn)`.
fn mrn_key(p: &Patient, sealed_index: Option<String>) -> Bson {
    match (sealed_index, p.mrn()) {
        (Some(ix), _) => Bson::String(ix),
        (None, Some(m)) => Bson::String(m.to_string()),
        (None, None) => uuid_bson(p.id().as_uuid()),
    }
}

/// A patient's document. With keys: its PHI sealed (see `clinic-protect`), `kid`, blind indexes `mrn_key`,
/// `phone_bidx`, `email_bidx`, `dob_bidx`, and `rev` — a random token every write changes, so that a rotation
/// replaces a document only if nobody rewrote it since it was read.
pub(crate) fn patient_document(p: &Patient, ring: Option<&Keyring>) -> Result<Document, ClinicError> {
    let Some(ring) = ring else {
        let mut d = to_document(p)?;
        d.insert("mrn_key", mrn_key(p, None));
        return Ok(d);
    };
    let sealed = ring.seal_patient(p)?;
    let mut d = to_document(&sealed.doc)?;
    d.insert("mrn_key", mrn_key(p, sealed.mrn_index));
    for (field, ix) in
        [("phone_bidx", sealed.phone_index), ("email_bidx", sealed.email_index), ("dob_bidx", sealed.dob_index)]
    {
        if let Some(ix) = ix {
            d.insert(field, ix);
        }
    }
    d.insert("rev", Uuid::new_v4().simple().to_string());
    Ok(d)
}

/// A stored patient document back into the patient (sealed fields opened with `ring`; a document from before
/// encryption read as it is).
pub(crate) fn patient_from_document(ring: Option<&Keyring>, d: &Document) -> Result<Patient, ClinicError> {
    let map: Map<String, Value> = from_document(d)?;
    clinic_protect::open_patient(ring, map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ids_and_instants_get_bson_types_and_read_back() {
        let id = Uuid::now_v7();
        let t = Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap();
        let precise = t + chrono::Duration::nanoseconds(123_456_789);
        let v = serde_json::json!({
            "id": id.to_string(),
            "at": t,
            "precise": precise,
            "nested": {"ids": [id.to_string()], "when": [t]},
            "upper": id.to_string().to_uppercase(),
            "text": "2027-01-04T09:00:00+00:00",
            "n": 5u64,
            "none": null,
        });
        let d = to_document(&v).unwrap();
        assert_eq!(d.get("_id"), Some(&Bson::String(id.to_string())), "the id is `_id`, as text");
        let nested = d.get_document("nested").unwrap();
        let refs = nested.get_array("ids").unwrap();
        assert!(matches!(&refs[0], Bson::Binary(b) if b.subtype == BinarySubtype::Uuid), "references are binary");
        assert!(matches!(d.get("at"), Some(Bson::DateTime(_))));
        assert!(matches!(d.get("precise"), Some(Bson::DateTime(_))));
        assert_eq!(d.get("precise__ns"), Some(&Bson::Int32(456_789)));
        assert!(d.get("at__ns").is_none(), "no sibling when the instant fits a BSON date");
        assert!(matches!(d.get("upper"), Some(Bson::String(_))), "non-canonical UUID text stays text");
        assert!(matches!(d.get("text"), Some(Bson::String(_))), "non-canonical instant text stays text");
        let back: Value = from_document(&d).unwrap();
        assert_eq!(back, v);
    }
}
