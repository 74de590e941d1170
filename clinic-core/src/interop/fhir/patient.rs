//! FHIR R4 `Patient` ↔ [`Patient`] / [`PatientInput`].
//!
//! | FHIR | engine |
//! |---|---|
//! | `id` | patient id (a UUID; any other id is kept as `fhir_id` and a new id is assigned on registration) |
//! | `identifier` with type `v2-0203#MR` | `mrn` (export: system [`super::mrn_system`] of the clinic) |
//! | other `identifier` (system + value) | `identifiers` |
//! | `name` (official, else usual, else first): `given` joined by spaces, `family` | `given_name`, `family_name` |
//! | `telecom`: the first `phone` and the first `email` in use (`use: old` and entries whose `period` has an end are skipped) | `contact.phone` (E.164), `contact.email` |
//! | `gender` | `sex` |
//! | `birthDate` (full dates only) | `date_of_birth` |
//! | `address` (home, else first not old): `line[0]`, rest of `line`, `city`, `state`, `postalCode`, `country` | `address` (`line1`, `line2`, `city`, `region`, `postal_code`, `country`; a missing country takes [`super::ImportOptions::default_region`]) |
//!
//! Not mapped: `user_id` (a local login link; import leaves it empty), and FHIR elements the engine has no
//! place for (`active`, `deceased`, `contact`, `communication`, `generalPractitioner`, …).

use serde_json::{json, Map, Value};

use crate::contact::{normalize_email, normalize_phone, Address, ContactInfo};
use crate::error::{ClinicError, ErrorCode, ValidationErrors};
use crate::ids::{ClinicId, PatientId};
use crate::model::{Identifier, Patient, PatientInput, Sex};

use super::json::Node;
use super::{mrn_system, remap, resource_id, root, ImportOptions, IDENTIFIER_TYPE_SYSTEM};

/// A FHIR Patient read into the engine's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientImport {
    /// The resource's `id` as written.
    pub fhir_id: Option<String>,
    /// The `id` when it is a UUID (an engine id).
    pub id: Option<PatientId>,
    /// Validated and normalized like [`Patient::new`] does.
    pub input: PatientInput,
}

fn gender(s: Sex) -> &'static str {
    match s {
        Sex::Female => "female",
        Sex::Male => "male",
        Sex::Other => "other",
        Sex::Unknown => "unknown",
    }
}

/// Exports a patient. The MRN's identifier system names the patient's clinic.
pub fn patient_to_fhir(p: &Patient) -> Value {
    let mut r = Map::new();
    r.insert("resourceType".into(), json!("Patient"));
    r.insert("id".into(), json!(p.id().to_string()));
    let mut identifiers = Vec::new();
    if let Some(mrn) = p.mrn() {
        identifiers.push(json!({
            "use": "usual",
            "type": {
                "coding": [{"system": IDENTIFIER_TYPE_SYSTEM, "code": "MR", "display": "Medical record number"}],
                "text": "MRN"
            },
            "system": mrn_system(p.clinic_id()),
            "value": mrn,
        }));
    }
    for i in p.identifiers() {
        identifiers.push(json!({"system": i.system, "value": i.value}));
    }
    if !identifiers.is_empty() {
        r.insert("identifier".into(), Value::Array(identifiers));
    }
    let given: Vec<&str> = p.given_name().split_whitespace().collect();
    r.insert("name".into(), json!([{"use": "official", "family": p.family_name(), "given": given}]));
    let mut telecom = Vec::new();
    if let Some(phone) = p.contact().phone() {
        telecom.push(json!({"system": "phone", "value": phone}));
    }
    if let Some(email) = p.contact().email() {
        telecom.push(json!({"system": "email", "value": email}));
    }
    if !telecom.is_empty() {
        r.insert("telecom".into(), Value::Array(telecom));
    }
    r.insert("gender".into(), json!(gender(p.sex())));
    if let Some(d) = p.date_of_birth() {
        r.insert("birthDate".into(), json!(d.format("%Y-%m-%d").to_string()));
    }
    if let Some(a) = p.address() {
        let mut lines = vec![a.line1.clone()];
        lines.extend(a.line2.clone());
        let mut addr = Map::new();
        addr.insert("use".into(), json!("home"));
        addr.insert("line".into(), json!(lines));
        addr.insert("city".into(), json!(a.city));
        if let Some(region) = &a.region {
            addr.insert("state".into(), json!(region));
        }
        addr.insert("postalCode".into(), json!(a.postal_code));
        addr.insert("country".into(), json!(a.country));
        r.insert("address".into(), json!([Value::Object(addr)]));
    }
    Value::Object(r)
}

fn is_old(n: &Node<'_>, errs: &mut ValidationErrors) -> bool {
    n.str_field("use", errs) == Some("old")
}

fn is_mrn(n: &Node<'_>, errs: &mut ValidationErrors) -> bool {
    let Some(ty) = n.object("type", errs) else { return false };
    ty.array("coding", errs)
        .iter()
        .any(|c| c.str_field("system", errs) == Some(IDENTIFIER_TYPE_SYSTEM) && c.str_field("code", errs) == Some("MR"))
}

/// Imports a FHIR Patient (parsed JSON). Every problem is reported with its FHIR path.
///
/// ```
/// use clinic_core::interop::fhir::{parse_json, patient_from_fhir, ImportOptions};
/// let v = parse_json(r#"{"resourceType": "Patient", "name": [{"family": "Lovelace"}], "gender": 1}"#).unwrap();
/// let clinic_core::ClinicError::Validation(e) = patient_from_fhir(&v, &ImportOptions::default()).unwrap_err() else {
///     unreachable!()
/// };
/// let found: Vec<_> = e.errors.iter().map(|e| (e.code.as_str(), e.field.as_str())).collect();
/// assert_eq!(found, [("REQUIRED", "name[0].given"), ("FHIR_INVALID_TYPE", "gender")]);
/// ```
pub fn patient_from_fhir(v: &Value, opts: &ImportOptions) -> Result<PatientImport, ClinicError> {
    let mut errs = ValidationErrors::new();
    let Some(root) = root(v, "Patient", &mut errs) else {
        return Err(ClinicError::Validation(errs));
    };
    let (fhir_id, uuid) = resource_id(&root, &mut errs);
    let mut input = PatientInput::default();

    // identifiers
    let mut mrn_at = None;
    for (i, ident) in root.array("identifier", &mut errs).into_iter().enumerate() {
        let system = ident.str_field("system", &mut errs);
        let value = ident.str_field("value", &mut errs);
        if is_mrn(&ident, &mut errs) && input.mrn.is_none() {
            match value {
                Some(v) => {
                    input.mrn = Some(v.to_string());
                    mrn_at = Some(i);
                }
                None => errs.push(ErrorCode::Required, ident.path_of("value"), "an MRN identifier needs a value"),
            }
            continue;
        }
        match (system, value) {
            (Some(s), Some(v)) => input.identifiers.push(Identifier { system: s.to_string(), value: v.to_string() }),
            (None, _) => errs.push(ErrorCode::Required, ident.path_of("system"), "an identifier needs a system"),
            (_, None) => errs.push(ErrorCode::Required, ident.path_of("value"), "an identifier needs a value"),
        }
    }

    // name
    let names = root.array("name", &mut errs);
    let uses: Vec<Option<&str>> = names.iter().map(|n| n.str_field("use", &mut errs)).collect();
    let pick = |want: &str| uses.iter().position(|u| *u == Some(want));
    let name_at = pick("official").or_else(|| pick("usual")).unwrap_or(0);
    match names.get(name_at) {
        None => errs.push(ErrorCode::Required, "name", "a patient needs a name"),
        Some(name) => {
            let given: Vec<&str> = name.array("given", &mut errs).iter().filter_map(|g| g.string(&mut errs)).collect();
            if given.is_empty() {
                errs.push(ErrorCode::Required, name.path_of("given"), "a given name is required");
            }
            input.given_name = given.join(" ");
            match name.str_field("family", &mut errs) {
                Some(f) => input.family_name = f.to_string(),
                None => errs.push(ErrorCode::Required, name.path_of("family"), "a family name is required"),
            }
        }
    }

    // telecom
    let region = opts.default_region.as_deref();
    let (mut phone, mut email) = (None, None);
    for t in root.array("telecom", &mut errs) {
        if is_old(&t, &mut errs) || t.object("period", &mut errs).is_some_and(|p| p.field("end").is_some()) {
            continue;
        }
        let system = t.str_field("system", &mut errs);
        let Some(value) = t.field("value") else { continue };
        let Some(raw) = value.string(&mut errs) else { continue };
        match system {
            Some("phone") if phone.is_none() => match normalize_phone(raw, region) {
                Ok(p) => phone = Some(p),
                Err(e) => remap(&mut errs, e, &|_| Some(value.path.clone())),
            },
            Some("email") if email.is_none() => match normalize_email(raw) {
                Ok(m) => email = Some(m),
                Err(e) => remap(&mut errs, e, &|_| Some(value.path.clone())),
            },
            _ => {}
        }
    }
    if let Ok(c) = ContactInfo::new(phone.as_deref(), email.as_deref(), None) {
        input.contact = c;
    }

    // gender, birthDate
    if let Some(g) = root.field("gender") {
        if let Some(s) = g.string(&mut errs) {
            match s {
                "male" => input.sex = Sex::Male,
                "female" => input.sex = Sex::Female,
                "other" => input.sex = Sex::Other,
                "unknown" => input.sex = Sex::Unknown,
                _ => errs.push(ErrorCode::FhirUnsupportedCode, g.path.clone(), format!("unknown gender {s:?}")),
            }
        }
    }
    input.date_of_birth = root.full_date_field("birthDate", &mut errs);

    // address
    let addresses = root.array("address", &mut errs);
    let home = addresses.iter().position(|a| a.str_field("use", &mut ValidationErrors::new()) == Some("home"));
    let current = addresses.iter().position(|a| !is_old(a, &mut ValidationErrors::new()));
    if let Some(a) = home.or(current).and_then(|i| addresses.get(i)) {
        let lines: Vec<&str> = a.array("line", &mut errs).iter().filter_map(|l| l.string(&mut errs)).collect();
        let line1 = lines.first().copied().unwrap_or("");
        let line2 = (lines.len() > 1).then(|| lines[1..].join(", "));
        let city = a.str_field("city", &mut errs).unwrap_or("");
        let state = a.str_field("state", &mut errs);
        let postal = a.str_field("postalCode", &mut errs).unwrap_or("");
        let country = a.str_field("country", &mut errs).or(region).unwrap_or("");
        match Address::new(line1, line2.as_deref(), city, state, postal, country) {
            Ok(addr) => input.address = Some(addr),
            Err(e) => {
                let base = a.path.clone();
                remap(&mut errs, e, &|f| {
                    let sub = match f {
                        "line1" => "line[0]",
                        "line2" => "line[1]",
                        "region" => "state",
                        "postal_code" => "postalCode",
                        other => other,
                    };
                    Some(format!("{base}.{sub}"))
                });
            }
        }
    }

    if !errs.is_empty() {
        return Err(ClinicError::Validation(errs));
    }
    // The domain's own rules (lengths, birth date bounds), re-homed at FHIR paths.
    let name_path = format!("name[{name_at}]");
    match Patient::new(PatientId(uuid.unwrap_or_default()), ClinicId(uuid::Uuid::nil()), input, opts.today) {
        Ok(p) => Ok(PatientImport { fhir_id, id: uuid.map(PatientId), input: p.data().clone() }),
        Err(e) => {
            remap(&mut errs, e, &|f| match f {
                "given_name" => Some(format!("{name_path}.given")),
                "family_name" => Some(format!("{name_path}.family")),
                "mrn" => Some(format!("identifier[{}].value", mrn_at.unwrap_or(0))),
                "date_of_birth" => Some("birthDate".into()),
                "identifiers" => Some("identifier".into()),
                _ => None,
            });
            Err(ClinicError::Validation(errs))
        }
    }
}
