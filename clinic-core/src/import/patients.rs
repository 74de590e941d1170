//! Patient rows: each record becomes a validated [`Patient`] or the list of its problems. The same
//! constructors as registration ([`Patient::new`], [`ContactInfo::new`], [`Address::new`]) decide, so an
//! imported patient is exactly one that could have been registered by hand.

use std::borrow::Cow;
use std::collections::HashSet;

use super::columns::{ColumnMap, Field, PatientField};
use super::normalize::parse_date;
use super::{BoxedRecords, Cell, ImportOptions, RawRecord, Rejection, SourceItem, Table};
use crate::contact::{Address, ContactInfo};
use crate::error::{ClinicError, ErrorCode, FieldError};
use crate::ids::{ClinicId, PatientId};
use crate::model::{Patient, PatientInput, Sex};

/// A row that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedPatient {
    pub row: u64,
    pub patient: Patient,
}

/// Validates patient records one by one; remembers MRNs to refuse a second row with the same one.
#[derive(Debug)]
pub struct PatientValidator {
    clinic_id: ClinicId,
    opts: ImportOptions,
    map: ColumnMap<PatientField>,
    /// MRN → first row that used it. O(distinct MRNs) memory: the price of catching in-file duplicates.
    seen_mrns: HashSet<String>,
}

/// Validated rows in file order: `Ok` for an accepted row, `Err` with every problem of a rejected one.
#[derive(Debug)]
pub struct PatientRows<I> {
    records: I,
    validator: PatientValidator,
}

impl<'a> PatientRows<BoxedRecords<'a>> {
    /// Streams a CSV (never holding the whole file).
    pub fn from_csv<R: std::io::Read + Send + 'a>(
        r: R,
        clinic_id: ClinicId,
        opts: &ImportOptions,
    ) -> Result<Self, ClinicError> {
        PatientRows::new(super::open_csv(r, opts)?, clinic_id, opts)
    }

    /// A whole file of any supported kind (CSV, XLS, XLSX, told apart by content).
    pub fn from_bytes(bytes: &'a [u8], clinic_id: ClinicId, opts: &ImportOptions) -> Result<Self, ClinicError> {
        PatientRows::new(super::open_bytes(bytes, opts)?, clinic_id, opts)
    }
}

impl<I: Iterator<Item = SourceItem>> PatientRows<I> {
    pub fn new(table: Table<I>, clinic_id: ClinicId, opts: &ImportOptions) -> Result<Self, ClinicError> {
        let map = ColumnMap::from_header(&table.header)?;
        let validator = PatientValidator { clinic_id, opts: opts.clone(), map, seen_mrns: HashSet::new() };
        Ok(PatientRows { records: table.records, validator })
    }
}

impl<I> PatientRows<I> {
    /// The header text of the MRN column (for rejections the caller adds, e.g. MRNs taken in the store).
    pub fn mrn_header(&self) -> &str {
        self.validator.map.header_of(PatientField::Mrn)
    }
}

impl<I: Iterator<Item = SourceItem>> Iterator for PatientRows<I> {
    type Item = Result<ImportedPatient, Vec<Rejection>>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(match self.records.next()? {
            Ok(rec) => self.validator.validate(&rec),
            Err(rej) => Err(vec![rej]),
        })
    }
}

/// The form-level field a constructor error names (`contact.phone`, `address.city`) → the file's column.
fn field_of(path: &str) -> Option<PatientField> {
    let last = path.rsplit('.').next().unwrap_or(path);
    Some(match last {
        "line1" => PatientField::Street,
        "line2" => PatientField::Street2,
        "phone" => PatientField::Phone,
        "email" => PatientField::Email,
        "city" => PatientField::City,
        "region" => PatientField::Region,
        "postal_code" => PatientField::PostalCode,
        "country" => PatientField::Country,
        "given_name" => PatientField::GivenName,
        "family_name" => PatientField::FamilyName,
        "date_of_birth" => PatientField::DateOfBirth,
        "mrn" => PatientField::Mrn,
        _ => return None,
    })
}

impl PatientValidator {
    fn cell<'r>(&self, rec: &'r RawRecord, f: PatientField) -> &'r Cell {
        self.map.position(f).and_then(|i| rec.cells.get(i)).unwrap_or(&Cell::Empty)
    }

    /// The cell's text, borrowed from a text cell (the constructors trim and copy what they keep).
    fn text<'r>(&self, rec: &'r RawRecord, f: PatientField) -> Option<Cow<'r, str>> {
        match self.cell(rec, f) {
            c if c.is_blank() => None,
            Cell::Text(s) => Some(Cow::Borrowed(s)),
            c => Some(Cow::Owned(c.to_text())),
        }
    }

    fn reject(&self, rec: &RawRecord, f: PatientField, code: ErrorCode, message: impl Into<String>) -> Rejection {
        Rejection::new(rec.row, self.map.header_of(f), code, message, self.cell(rec, f).to_text())
    }

    fn rejection_of(&self, rec: &RawRecord, e: FieldError) -> Rejection {
        match field_of(&e.field) {
            Some(f) => self.reject(rec, f, e.code, e.message),
            None => Rejection::new(rec.row, e.field, e.code, e.message, ""),
        }
    }

    fn collect(&self, rec: &RawRecord, out: &mut Vec<Rejection>, e: ClinicError) {
        match e {
            ClinicError::Validation(v) => out.extend(v.errors.into_iter().map(|fe| self.rejection_of(rec, fe))),
            other => out.push(Rejection::new(rec.row, "", other.code(), other.to_string(), "")),
        }
    }

    pub fn validate(&mut self, rec: &RawRecord) -> Result<ImportedPatient, Vec<Rejection>> {
        let mut rej = Vec::new();
        let max = self.opts.max_cell_chars;
        for &f in PatientField::ALL {
            let n = self.cell(rec, f).char_len();
            if n > max {
                rej.push(self.reject(
                    rec,
                    f,
                    ErrorCode::TooLong,
                    format!("the cell has {n} characters; at most {max} are read"),
                ));
            }
        }
        for &f in PatientField::ALL {
            if let Cell::Formula(_) = self.cell(rec, f) {
                rej.push(self.reject(
                    rec,
                    f,
                    ErrorCode::ImportFormulaNotComputed,
                    "a formula without a computed value: open the file in a spreadsheet and save it again",
                ));
            }
        }
        if !rej.is_empty() {
            return Err(rej);
        }
        let date_of_birth = match self.cell(rec, PatientField::DateOfBirth) {
            c if c.is_blank() => None,
            c => match parse_date(c, self.opts.date_order) {
                Ok(d) => Some(d),
                Err(m) => {
                    rej.push(self.reject(rec, PatientField::DateOfBirth, ErrorCode::InvalidDate, m));
                    None
                }
            },
        };
        let sex = match self.text(rec, PatientField::Sex) {
            None => Sex::Unknown,
            Some(s) => Sex::parse(&s).unwrap_or_else(|| {
                rej.push(self.reject(
                    rec,
                    PatientField::Sex,
                    ErrorCode::ImportUnknownValue,
                    format!("{s:?} is not a sex (F, M, O or U)"),
                ));
                Sex::Unknown
            }),
        };
        let phone = self.text(rec, PatientField::Phone);
        let email = self.text(rec, PatientField::Email);
        let contact = match ContactInfo::new(phone.as_deref(), email.as_deref(), self.opts.default_region.as_deref()) {
            Ok(c) => c,
            Err(e) => {
                self.collect(rec, &mut rej, e);
                ContactInfo::default()
            }
        };
        let address_fields = [
            PatientField::Street,
            PatientField::Street2,
            PatientField::City,
            PatientField::Region,
            PatientField::PostalCode,
            PatientField::Country,
        ];
        let address = if address_fields.iter().all(|f| self.cell(rec, *f).is_blank()) {
            None
        } else {
            let t = |f| self.text(rec, f).unwrap_or_default();
            let street2 = self.text(rec, PatientField::Street2);
            let region = self.text(rec, PatientField::Region);
            let country = self.text(rec, PatientField::Country);
            let country = country.as_deref().or(self.opts.default_region.as_deref()).unwrap_or_default();
            match Address::new(
                &t(PatientField::Street),
                street2.as_deref(),
                &t(PatientField::City),
                region.as_deref(),
                &t(PatientField::PostalCode),
                country,
            ) {
                Ok(a) => Some(a),
                Err(e) => {
                    self.collect(rec, &mut rej, e);
                    None
                }
            }
        };
        let input = PatientInput {
            mrn: self.text(rec, PatientField::Mrn).map(Cow::into_owned),
            given_name: self.text(rec, PatientField::GivenName).map(Cow::into_owned).unwrap_or_default(),
            family_name: self.text(rec, PatientField::FamilyName).map(Cow::into_owned).unwrap_or_default(),
            date_of_birth,
            sex,
            contact,
            address,
            identifiers: vec![],
            user_id: None,
        };
        let patient = match Patient::new(PatientId::new(), self.clinic_id, input, self.opts.today) {
            Ok(p) => Some(p),
            Err(e) => {
                self.collect(rec, &mut rej, e);
                None
            }
        };
        match patient {
            Some(p) if rej.is_empty() => {
                if let Some(m) = p.mrn() {
                    if !self.seen_mrns.insert(m.to_string()) {
                        let msg = format!("MRN {m} appears on an earlier row of this file");
                        return Err(vec![self.reject(rec, PatientField::Mrn, ErrorCode::DuplicateMrn, msg)]);
                    }
                }
                Ok(ImportedPatient { row: rec.row, patient: p })
            }
            _ => Err(rej),
        }
    }
}
