//! `Patient`: demographics, contact, address and external identifiers (MRN unique per clinic).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::contact::{optional_text_owned, required_text_owned, Address, ContactInfo};
use crate::error::{ClinicError, ErrorCode, ValidationErrors};
use crate::ids::{ClinicId, PatientId, UserId};

/// Administrative sex, FHIR `AdministrativeGender` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
    #[default]
    Unknown,
}

impl Sex {
    /// Reads the usual spellings (`F`, `female`, `W`, `M`, `male`, `other`, `U`, blank).
    pub fn parse(s: &str) -> Option<Sex> {
        // ASCII case-insensitive, without a lowercased copy.
        let s = s.trim();
        [
            (&["f", "female", "w", "woman"][..], Sex::Female),
            (&["m", "male", "man"][..], Sex::Male),
            (&["o", "other", "x"][..], Sex::Other),
            (&["", "u", "unknown"][..], Sex::Unknown),
        ]
        .into_iter()
        .find(|(names, _)| names.iter().any(|n| s.eq_ignore_ascii_case(n)))
        .map(|(_, sex)| sex)
    }
}

/// An external identifier (FHIR Identifier).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    pub system: String,
    pub value: String,
}

/// What a caller supplies to register or update a patient.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PatientInput {
    /// Medical record number, unique per clinic when present.
    #[serde(default)]
    pub mrn: Option<String>,
    pub given_name: String,
    pub family_name: String,
    #[serde(default)]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default)]
    pub sex: Sex,
    #[serde(default)]
    pub contact: ContactInfo,
    #[serde(default)]
    pub address: Option<Address>,
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// The login that may act as this patient (RBAC "own data only").
    #[serde(default)]
    pub user_id: Option<UserId>,
}

/// A validated patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PatientRecord", into = "PatientRecord")]
pub struct Patient {
    id: PatientId,
    clinic_id: ClinicId,
    data: PatientInput,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PatientRecord {
    pub id: PatientId,
    pub clinic_id: ClinicId,
    #[serde(flatten)]
    pub data: PatientInput,
}

impl TryFrom<PatientRecord> for Patient {
    type Error = ClinicError;
    fn try_from(r: PatientRecord) -> Result<Self, Self::Error> {
        Patient::new(r.id, r.clinic_id, r.data, None)
    }
}

impl From<Patient> for PatientRecord {
    fn from(p: Patient) -> Self {
        PatientRecord { id: p.id, clinic_id: p.clinic_id, data: p.data }
    }
}

impl Patient {
    /// Validates and normalizes (trimmed names, MRN trimmed). `today` (clinic-local) rejects a birth date in
    /// the future when given.
    pub fn new(
        id: PatientId,
        clinic_id: ClinicId,
        mut data: PatientInput,
        today: Option<NaiveDate>,
    ) -> Result<Self, ClinicError> {
        let mut errs = ValidationErrors::new();
        data.given_name = required_text_owned(&mut errs, "given_name", std::mem::take(&mut data.given_name), 100);
        data.family_name = required_text_owned(&mut errs, "family_name", std::mem::take(&mut data.family_name), 100);
        data.mrn = optional_text_owned(&mut errs, "mrn", data.mrn.take(), 64);
        if let (Some(dob), Some(today)) = (data.date_of_birth, today) {
            if dob > today {
                errs.push(ErrorCode::DateOfBirthInFuture, "date_of_birth", "date of birth is in the future");
            }
        }
        if let Some(dob) = data.date_of_birth {
            if dob < NaiveDate::from_ymd_opt(1880, 1, 1).unwrap_or(NaiveDate::MIN) {
                errs.push(ErrorCode::InvalidDate, "date_of_birth", "date of birth before 1880");
            }
        }
        for (i, ident) in data.identifiers.iter().enumerate() {
            if ident.system.trim().is_empty() || ident.value.trim().is_empty() {
                errs.push(ErrorCode::Required, format!("identifiers[{i}]"), "identifier needs system and value");
            }
        }
        errs.into_result()?;
        Ok(Patient { id, clinic_id, data })
    }

    pub fn id(&self) -> PatientId {
        self.id
    }
    pub fn clinic_id(&self) -> ClinicId {
        self.clinic_id
    }
    pub fn mrn(&self) -> Option<&str> {
        self.data.mrn.as_deref()
    }
    pub fn given_name(&self) -> &str {
        &self.data.given_name
    }
    pub fn family_name(&self) -> &str {
        &self.data.family_name
    }
    pub fn date_of_birth(&self) -> Option<NaiveDate> {
        self.data.date_of_birth
    }
    pub fn sex(&self) -> Sex {
        self.data.sex
    }
    pub fn contact(&self) -> &ContactInfo {
        &self.data.contact
    }
    pub fn address(&self) -> Option<&Address> {
        self.data.address.as_ref()
    }
    pub fn identifiers(&self) -> &[Identifier] {
        &self.data.identifiers
    }
    pub fn user_id(&self) -> Option<UserId> {
        self.data.user_id
    }
    pub fn data(&self) -> &PatientInput {
        &self.data
    }

    /// The same patient with new data (id and clinic kept), validated like `new`.
    pub fn updated(&self, data: PatientInput, today: Option<NaiveDate>) -> Result<Self, ClinicError> {
        Patient::new(self.id, self.clinic_id, data, today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_problem() {
        let input = PatientInput {
            given_name: "  ".into(),
            family_name: "".into(),
            date_of_birth: NaiveDate::from_ymd_opt(2030, 1, 1),
            ..Default::default()
        };
        let e =
            Patient::new(PatientId::new(), ClinicId::new(), input, NaiveDate::from_ymd_opt(2026, 11, 25)).unwrap_err();
        assert_eq!(e.codes(), vec![ErrorCode::Required, ErrorCode::Required, ErrorCode::DateOfBirthInFuture]);
    }

    #[test]
    fn names_are_trimmed_and_round_trip() {
        let input = PatientInput { given_name: " Ada ".into(), family_name: "Lovelace".into(), ..Default::default() };
        let p = Patient::new(PatientId::new(), ClinicId::new(), input, None).unwrap();
        assert_eq!(p.given_name(), "Ada");
        let json = serde_json::to_string(&p).unwrap();
        let back: Patient = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn sex_spellings() {
        assert_eq!(Sex::parse(" F "), Some(Sex::Female));
        assert_eq!(Sex::parse("male"), Some(Sex::Male));
        assert_eq!(Sex::parse("q"), None);
    }
}
