//! The patient codec both stores share: a [`Patient`] ⇄ its stored JSON form with the PHI fields sealed,
//! plus the blind indexes the stores keep beside it for exact-match search.
//!
//! Sealed: `mrn`, `date_of_birth`, `contact.phone`, `contact.email`, `address` and `identifiers` (each its
//! JSON value, sealed whole). Kept in clear: ids, names (the stores' prefix search needs them; the PHI
//! list is contact, address, date of birth and notes), `sex` and `user_id`. A sealed document carries the
//! key id that sealed it in `kid` (also inside every ciphertext), so a rotation finds what is left to do
//! without opening anything. A document without `kid` was written before encryption was turned on: it reads
//! as it is, and `keys rotate` seals it.

use clinic_core::{ClinicError, Patient};
use serde_json::{Map, Value};

use crate::keyring::Keyring;
use crate::ProtectError;

/// The field of a sealed document that names its key.
pub const KID_FIELD: &str = "kid";

/// Top-level PHI fields, sealed as a whole.
const TOP_FIELDS: &[&str] = &["mrn", "date_of_birth", "address", "identifiers"];
/// PHI fields inside `contact`.
const CONTACT_FIELDS: &[&str] = &["phone", "email"];

/// What a blind index is over: the kinds of exact-match search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    Mrn,
    Phone,
    Email,
    DateOfBirth,
}

impl IndexKind {
    fn label(self) -> &'static str {
        match self {
            IndexKind::Mrn => "mrn",
            IndexKind::Phone => "phone",
            IndexKind::Email => "email",
            IndexKind::DateOfBirth => "dob",
        }
    }

    /// A query value normalized the way the core stores and matches it (`clinic_core::memory::patient_matches`):
    /// MRN trimmed, e-mail trimmed and lowercased, phone as given (E.164), date as `YYYY-MM-DD`.
    pub fn normalize(self, raw: &str) -> String {
        match self {
            IndexKind::Mrn => raw.trim().to_string(),
            IndexKind::Email => raw.trim().to_lowercase(),
            IndexKind::Phone | IndexKind::DateOfBirth => raw.to_string(),
        }
    }
}

/// A patient as a store writes it.
#[derive(Debug, Clone)]
pub struct SealedPatient {
    /// The patient's JSON object with its PHI sealed and `kid` added.
    pub doc: Map<String, Value>,
    pub kid: String,
    pub mrn_index: Option<String>,
    pub phone_index: Option<String>,
    pub email_index: Option<String>,
    pub dob_index: Option<String>,
}

fn encode_err(e: serde_json::Error) -> ClinicError {
    ClinicError::Store { message: format!("cannot encode patient: {e}"), retryable: false }
}

fn seal_value(ring: &Keyring, record: &str, field: &str, v: &mut Value) -> Result<(), ClinicError> {
    let empty = matches!(v, Value::Null) || matches!(v, Value::Array(a) if a.is_empty());
    if !empty {
        let plain = serde_json::to_vec(v).map_err(encode_err)?;
        *v = Value::String(ring.seal(record, field, &plain)?);
    }
    Ok(())
}

fn open_value(ring: &Keyring, record: &str, field: &str, v: &mut Value) -> Result<(), ClinicError> {
    if let Value::String(s) = v {
        let plain = ring.open(record, field, s)?;
        *v = serde_json::from_slice(&plain).map_err(|e| ClinicError::Store {
            message: format!("field {field} of patient {record} decrypts to malformed JSON: {e}"),
            retryable: false,
        })?;
    }
    Ok(())
}

impl Keyring {
    /// Seals `p`'s PHI under the newest key and computes its blind indexes.
    pub fn seal_patient(&self, p: &Patient) -> Result<SealedPatient, ClinicError> {
        let Value::Object(mut doc) = serde_json::to_value(p).map_err(encode_err)? else {
            return Err(ClinicError::Store { message: "a patient must encode as an object".into(), retryable: false });
        };
        let record = p.id().to_string();
        for f in TOP_FIELDS {
            if let Some(v) = doc.get_mut(*f) {
                seal_value(self, &record, f, v)?;
            }
        }
        if let Some(Value::Object(contact)) = doc.get_mut("contact") {
            for f in CONTACT_FIELDS {
                if let Some(v) = contact.get_mut(*f) {
                    seal_value(self, &record, &format!("contact.{f}"), v)?;
                }
            }
        }
        let kid = self.newest_kid().to_string();
        doc.insert(KID_FIELD.into(), Value::String(kid.clone()));
        let ix = |kind: IndexKind, v: Option<String>| v.map(|v| self.blind_index(kind.label(), &v));
        Ok(SealedPatient {
            doc,
            kid,
            mrn_index: ix(IndexKind::Mrn, p.mrn().map(str::to_string)),
            phone_index: ix(IndexKind::Phone, p.contact().phone().map(str::to_string)),
            email_index: ix(IndexKind::Email, p.contact().email().map(str::to_string)),
            dob_index: ix(IndexKind::DateOfBirth, p.date_of_birth().map(|d| d.format("%Y-%m-%d").to_string())),
        })
    }

    /// The blind indexes a search for `raw` looks for (one per live key).
    pub fn search_indexes(&self, kind: IndexKind, raw: &str) -> Vec<String> {
        self.blind_candidates(kind.label(), &kind.normalize(raw))
    }
}

/// Whether a stored patient object is sealed (has its key id).
pub fn is_sealed(doc: &Map<String, Value>) -> bool {
    doc.contains_key(KID_FIELD)
}

/// A stored patient object back into the patient: sealed fields opened with `ring`, a document from before
/// encryption read as it is. A sealed document without a ring is refused with a message saying what to do.
pub fn open_patient(ring: Option<&Keyring>, mut doc: Map<String, Value>) -> Result<Patient, ClinicError> {
    if let Some(kid) = doc.remove(KID_FIELD) {
        let ring = ring.ok_or_else(|| ClinicError::Store {
            message: format!(
                "patient data is encrypted (key {kid}); give the encryption key (--encryption-key-file or \
                 CLINIC_ENCRYPTION_KEY)"
            ),
            retryable: false,
        })?;
        let record = match doc.get("id") {
            Some(Value::String(s)) => s.clone(),
            _ => return Err(ClinicError::Store { message: "a stored patient has no id".into(), retryable: false }),
        };
        for f in TOP_FIELDS {
            if let Some(v) = doc.get_mut(*f) {
                open_value(ring, &record, f, v)?;
            }
        }
        if let Some(Value::Object(contact)) = doc.get_mut("contact") {
            for f in CONTACT_FIELDS {
                if let Some(v) = contact.get_mut(*f) {
                    open_value(ring, &record, &format!("contact.{f}"), v)?;
                }
            }
        }
    }
    serde_json::from_value(Value::Object(doc)).map_err(|e| ClinicError::Store {
        message: format!("corrupt patient (does not validate): {e}"),
        retryable: false,
    })
}

impl From<ProtectError> for ClinicError {
    fn from(e: ProtectError) -> Self {
        ClinicError::Store { message: e.to_string(), retryable: false }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use clinic_core::model::PatientInput;
    use clinic_core::{Address, ClinicId, ContactInfo, PatientId};

    const K1: &str = "one:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const K2: &str = "two:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

    pub(crate) fn ada() -> Patient {
        let input = PatientInput {
            mrn: Some("MRN-4711".into()),
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(1955, 12, 10),
            contact: ContactInfo::new(Some("+12025550143"), Some("ada@example.org"), None).unwrap(),
            address: Some(Address {
                line1: "12 St James's Square".into(),
                line2: None,
                city: "London".into(),
                region: None,
                postal_code: "SW1Y 4JH".into(),
                country: "GB".into(),
            }),
            identifiers: vec![clinic_core::model::Identifier { system: "nhs".into(), value: "943 476 5919".into() }],
            ..Default::default()
        };
        Patient::new(PatientId::new(), ClinicId::new(), input, None).unwrap()
    }

    #[test]
    fn round_trips_and_hides_every_phi_value() {
        let ring = Keyring::parse(K1).unwrap();
        let p = ada();
        let s = ring.seal_patient(&p).unwrap();
        let text = serde_json::to_string(&s.doc).unwrap();
        for plain in ["MRN-4711", "2025550143", "ada@example.org", "James", "SW1Y", "London", "943 476", "1955-12-10"] {
            assert!(!text.contains(plain), "{plain} in {text}");
        }
        assert!(text.contains("Lovelace"), "names stay searchable");
        assert_eq!(s.kid, "one");
        assert!(s.mrn_index.is_some() && s.phone_index.is_some() && s.email_index.is_some() && s.dob_index.is_some());
        assert_eq!(open_patient(Some(&ring), s.doc.clone()).unwrap(), p);
        let e = open_patient(None, s.doc).unwrap_err().to_string();
        assert!(e.contains("encryption key"), "{e}");
    }

    #[test]
    fn search_indexes_match_the_stored_ones_under_every_key() {
        let old = Keyring::parse(K1).unwrap();
        let both = Keyring::parse(&format!("{K1}\n{K2}")).unwrap();
        let p = ada();
        let stored_old = old.seal_patient(&p).unwrap();
        let stored_new = both.seal_patient(&p).unwrap();
        let email = both.search_indexes(IndexKind::Email, " ADA@example.org ");
        assert!(email.contains(stored_old.email_index.as_ref().unwrap()));
        assert!(email.contains(stored_new.email_index.as_ref().unwrap()));
        let mrn = both.search_indexes(IndexKind::Mrn, "MRN-4711 ");
        assert!(mrn.contains(stored_new.mrn_index.as_ref().unwrap()));
        assert_eq!(open_patient(Some(&both), stored_old.doc).unwrap(), p);
    }

    #[test]
    fn plaintext_documents_from_before_encryption_still_read() {
        let p = ada();
        let Value::Object(doc) = serde_json::to_value(&p).unwrap() else { panic!() };
        assert!(!is_sealed(&doc));
        assert_eq!(open_patient(Some(&Keyring::parse(K1).unwrap()), doc.clone()).unwrap(), p);
        assert_eq!(open_patient(None, doc).unwrap(), p);
    }

    #[test]
    fn a_field_swapped_between_patients_is_refused() {
        let ring = Keyring::parse(K1).unwrap();
        let (a, b) = (ring.seal_patient(&ada()).unwrap(), ring.seal_patient(&ada()).unwrap());
        let mut forged = b.doc.clone();
        forged.insert("mrn".into(), a.doc["mrn"].clone());
        assert!(open_patient(Some(&ring), forged).is_err());
    }
}
