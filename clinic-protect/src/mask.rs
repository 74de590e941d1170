//! Consistent fake values for a masked copy of the data (non-production use).
//!
//! Each fake is chosen by HMAC-SHA256 of the original value under a masking key, so the same input always
//! gives the same fake (two patients with one phone keep sharing a phone; a search that worked on the
//! original works on the copy) and the fake says nothing about the input without the key. Ids are kept, so
//! every reference between entities still holds.

use clinic_core::model::{Appointment, Identifier, PatientInput, Practitioner};
use clinic_core::{Address, ClinicError, ContactInfo, Patient};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::keyring::Keyring;

const GIVEN: &[&str] = &[
    "Alex", "Blake", "Casey", "Dana", "Eden", "Finley", "Gray", "Harper", "Indy", "Jordan", "Kai", "Logan", "Morgan",
    "Noel", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Taylor", "Uma", "Vic", "Wren", "Yael",
];
const FAMILY: &[&str] = &[
    "Abbott",
    "Barker",
    "Chandler",
    "Dawson",
    "Ellison",
    "Fletcher",
    "Garner",
    "Hollis",
    "Ingram",
    "Jarvis",
    "Keller",
    "Lowell",
    "Mercer",
    "Norris",
    "Osborne",
    "Prescott",
    "Quimby",
    "Ramsey",
    "Sutton",
    "Thorne",
    "Underwood",
    "Vance",
    "Whitlock",
    "Yardley",
];
const STREETS: &[&str] = &["Maple", "Cedar", "Birch", "Willow", "Aspen", "Juniper", "Linden", "Hazel"];
const CITIES: &[&str] = &["Springfield", "Riverton", "Fairview", "Lakeside", "Greenville", "Milford"];

/// Chooses fakes; see the module doc. Debug never shows the key.
pub struct Masker {
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Masker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Masker(<redacted>)")
    }
}

impl Masker {
    /// A masker keyed by the ring's newest key (its own HKDF-separated subkey): repeated exports under the
    /// same key give the same fakes.
    pub fn from_keyring(ring: &Keyring) -> Masker {
        let mut key = Zeroizing::new([0u8; 32]);
        let mac = hmac_of(ring.newest().index_key.as_slice(), &[b"clinic-protect v1 masking"]);
        key.copy_from_slice(&mac);
        Masker { key }
    }

    /// A masker with a fresh random key (fakes consistent within one run only).
    pub fn random() -> Masker {
        Masker { key: Zeroizing::new(rand::random()) }
    }

    fn digest(&self, kind: &str, input: &str) -> [u8; 32] {
        hmac_of(self.key.as_slice(), &[kind.as_bytes(), &[0], input.as_bytes()])
    }

    fn number(&self, kind: &str, input: &str) -> u64 {
        let d = self.digest(kind, input);
        u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
    }

    fn hex(&self, kind: &str, input: &str, len: usize) -> String {
        self.digest(kind, input).iter().map(|b| format!("{b:02x}")).collect::<String>()[..len].to_string()
    }

    fn pick<'a>(&self, kind: &str, input: &str, list: &[&'a str]) -> &'a str {
        list[(self.number(kind, input) % list.len() as u64) as usize]
    }

    /// A fake E.164 number in the range reserved for fiction (+1 202 555 0100–0199), never the input.
    pub fn phone(&self, phone: &str) -> String {
        let n = self.number("phone", phone) % 100;
        let fake = format!("+1202555{:04}", 100 + n);
        if fake == phone {
            format!("+1202555{:04}", 100 + (n + 1) % 100)
        } else {
            fake
        }
    }

    /// A fake address at `example.com` (reserved for documentation).
    pub fn email(&self, email: &str) -> String {
        format!("patient-{}@example.com", self.hex("email", email, 10))
    }

    fn given(&self, name: &str) -> String {
        self.pick("given", name, GIVEN).to_string()
    }

    fn family(&self, name: &str) -> String {
        self.pick("family", name, FAMILY).to_string()
    }

    fn date_of_birth(&self, dob: chrono::NaiveDate) -> Option<chrono::NaiveDate> {
        let base = chrono::NaiveDate::from_ymd_opt(1940, 1, 1)?;
        base.checked_add_days(chrono::Days::new(self.number("dob", &dob.to_string()) % (365 * 70)))
    }

    fn address(&self, a: &Address) -> Address {
        let whole = format!("{}|{:?}|{}|{:?}|{}|{}", a.line1, a.line2, a.city, a.region, a.postal_code, a.country);
        Address {
            line1: format!(
                "{} {} Street",
                1 + self.number("house", &whole) % 200,
                self.pick("street", &whole, STREETS)
            ),
            line2: None,
            city: self.pick("city", &whole, CITIES).to_string(),
            region: None,
            postal_code: format!("{:05}", self.number("postal", &whole) % 100_000),
            country: a.country.clone(),
        }
    }

    /// The patient with every identifying value replaced (id, clinic, sex and login link kept).
    pub fn patient(&self, p: &Patient) -> Result<Patient, ClinicError> {
        let contact = ContactInfo::new(
            p.contact().phone().map(|x| self.phone(x)).as_deref(),
            p.contact().email().map(|x| self.email(x)).as_deref(),
            None,
        )?;
        let input = PatientInput {
            mrn: p.mrn().map(|m| format!("MRN-{}", self.hex("mrn", m, 12).to_uppercase())),
            given_name: self.given(p.given_name()),
            family_name: self.family(p.family_name()),
            date_of_birth: p.date_of_birth().and_then(|d| self.date_of_birth(d)),
            sex: p.sex(),
            contact,
            address: p.address().map(|a| self.address(a)),
            identifiers: p
                .identifiers()
                .iter()
                .map(|i| Identifier {
                    system: i.system.clone(),
                    value: self.hex("identifier", &format!("{}|{}", i.system, i.value), 12),
                })
                .collect(),
            user_id: p.user_id(),
        };
        Patient::new(p.id(), p.clinic_id(), input, None)
    }

    /// The practitioner with a fake name and contact (staff are people too).
    pub fn practitioner(&self, p: &Practitioner) -> Result<Practitioner, ClinicError> {
        let mut v = serde_json::to_value(p).map_err(json_err)?;
        if let Some(o) = v.as_object_mut() {
            let name = o.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            o.insert("name".into(), Value::String(format!("Dr {} {}", self.given(&name), self.family(&name))));
            if let Some(Value::Object(c)) = o.get_mut("contact") {
                if let Some(Value::String(ph)) = c.get_mut("phone") {
                    *ph = self.phone(ph);
                }
                if let Some(Value::String(em)) = c.get_mut("email") {
                    *em = self.email(em);
                }
            }
        }
        serde_json::from_value(v).map_err(json_err)
    }

    /// The appointment with its free-text notes replaced (everything else is scheduling data, kept).
    pub fn appointment(&self, a: &Appointment) -> Result<Appointment, ClinicError> {
        let Some(notes) = a.notes() else { return Ok(a.clone()) };
        let mut v = serde_json::to_value(a).map_err(json_err)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("notes".into(), Value::String(format!("masked note {}", self.hex("notes", notes, 8))));
        }
        serde_json::from_value(v).map_err(json_err)
    }
}

fn json_err(e: serde_json::Error) -> ClinicError {
    ClinicError::Store { message: format!("cannot mask: {e}"), retryable: false }
}

fn hmac_of(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        for p in parts {
            mac.update(p);
        }
        out.copy_from_slice(&mac.finalize().into_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fakes_are_consistent_valid_and_different() {
        let m = Masker::random();
        let p = crate::patient::tests::ada();
        let a = m.patient(&p).unwrap();
        let b = m.patient(&p).unwrap();
        assert_eq!(a, b, "same input, same fake");
        assert_eq!(a.id(), p.id());
        assert_ne!(a.mrn(), p.mrn());
        assert_ne!(a.contact().phone(), p.contact().phone());
        assert_ne!(a.contact().email(), p.contact().email());
        assert_ne!(a.date_of_birth(), p.date_of_birth());
        assert_ne!(a.address().unwrap().line1, p.address().unwrap().line1);
        assert_ne!(a.identifiers()[0].value, p.identifiers()[0].value);
        assert_ne!(a.family_name(), p.family_name());
        for n in 0..100 {
            let fake = m.phone(&format!("+4420794600{n:02}"));
            assert_ne!(m.phone(&fake), fake);
            ContactInfo::new(Some(&fake), None, None).unwrap_or_else(|e| panic!("{fake}: {e}"));
        }
        assert_ne!(Masker::random().patient(&p).unwrap().mrn(), a.mrn(), "another key, other fakes");
    }
}
