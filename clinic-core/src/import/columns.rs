//! Header row → fields. Headers are matched case-insensitively, ignoring spaces, `_`, `-` and `.`, against
//! the names spreadsheets commonly use, so `First Name`, `given_name` and `FORENAME` all land on one field.

use crate::error::{ClinicError, ErrorCode};

/// The fields of one record type.
pub trait Field: Copy + Eq + std::fmt::Debug + 'static {
    const ALL: &'static [Self];
    /// Columns the file must have.
    const REQUIRED: &'static [Self];
    fn name(self) -> &'static str;
    fn index(self) -> usize;
    /// `key` is the header lowercased with separators removed.
    fn from_key(key: &str) -> Option<Self>;
}

/// The header text reduced to what matching looks at.
pub fn header_key(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.' | '\t'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Patient columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatientField {
    Mrn,
    GivenName,
    FamilyName,
    DateOfBirth,
    Sex,
    Phone,
    Email,
    Street,
    Street2,
    City,
    Region,
    PostalCode,
    Country,
}

impl Field for PatientField {
    const ALL: &'static [Self] = &[
        Self::Mrn,
        Self::GivenName,
        Self::FamilyName,
        Self::DateOfBirth,
        Self::Sex,
        Self::Phone,
        Self::Email,
        Self::Street,
        Self::Street2,
        Self::City,
        Self::Region,
        Self::PostalCode,
        Self::Country,
    ];
    const REQUIRED: &'static [Self] = &[Self::GivenName, Self::FamilyName];

    fn name(self) -> &'static str {
        match self {
            Self::Mrn => "mrn",
            Self::GivenName => "given_name",
            Self::FamilyName => "family_name",
            Self::DateOfBirth => "date_of_birth",
            Self::Sex => "sex",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Street => "street",
            Self::Street2 => "street2",
            Self::City => "city",
            Self::Region => "region",
            Self::PostalCode => "postal_code",
            Self::Country => "country",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "mrn" | "medicalrecordnumber" | "medicalrecordno" | "patientid" | "patientnumber" | "recordnumber" => {
                Self::Mrn
            }
            "givenname" | "firstname" | "forename" | "first" | "given" => Self::GivenName,
            "familyname" | "lastname" | "surname" | "last" | "family" => Self::FamilyName,
            "dateofbirth" | "dob" | "birthdate" | "birthday" | "born" => Self::DateOfBirth,
            "sex" | "gender" => Self::Sex,
            "phone" | "phonenumber" | "mobile" | "mobilephone" | "cell" | "cellphone" | "telephone" | "tel" => {
                Self::Phone
            }
            "email" | "emailaddress" | "mail" => Self::Email,
            "street" | "address" | "addressline1" | "address1" | "line1" | "streetaddress" => Self::Street,
            "addressline2" | "address2" | "line2" | "street2" => Self::Street2,
            "city" | "town" | "locality" => Self::City,
            "region" | "state" | "county" | "province" => Self::Region,
            "postalcode" | "postcode" | "zip" | "zipcode" | "postal" => Self::PostalCode,
            "country" | "countrycode" => Self::Country,
            _ => return None,
        })
    }
}

/// Where each field is in the file's rows, and the header text to name it by in rejections.
#[derive(Debug, Clone)]
pub struct ColumnMap<F: Field> {
    positions: Vec<Option<usize>>,
    headers: Vec<String>,
    _f: std::marker::PhantomData<F>,
}

impl<F: Field> ColumnMap<F> {
    /// Maps a header row; unknown columns are ignored. A required field without a column, or a field named
    /// by two columns, is `IMPORT_MISSING_COLUMN`.
    pub fn from_header(header: &[String]) -> Result<Self, ClinicError> {
        let mut positions = vec![None; F::ALL.len()];
        for (i, h) in header.iter().enumerate() {
            if let Some(f) = F::from_key(&header_key(h)) {
                if let Some(prev) = positions[f.index()] {
                    let prev: usize = prev;
                    return Err(ClinicError::rule(
                        ErrorCode::ImportMissingColumn,
                        format!("columns {:?} and {:?} both mean {}; keep one", header[prev], h, f.name()),
                    ));
                }
                positions[f.index()] = Some(i);
            }
        }
        let missing: Vec<&str> =
            F::REQUIRED.iter().filter(|f| positions[f.index()].is_none()).map(|f| f.name()).collect();
        if !missing.is_empty() {
            return Err(ClinicError::rule(
                ErrorCode::ImportMissingColumn,
                format!("the header row has no column for {} (found: {})", missing.join(", "), header.join(", ")),
            ));
        }
        Ok(ColumnMap { positions, headers: header.to_vec(), _f: std::marker::PhantomData })
    }

    pub fn position(&self, f: F) -> Option<usize> {
        self.positions[f.index()]
    }

    /// The header text of a field's column, or the field's own name when the file has none.
    pub fn header_of(&self, f: F) -> &str {
        self.position(f).and_then(|i| self.headers.get(i)).map(String::as_str).unwrap_or(f.name())
    }

    pub fn width(&self) -> usize {
        self.headers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_map_case_insensitively() {
        let h: Vec<String> =
            ["Forename", "SURNAME", "D.O.B", "Medical Record Number", "E-mail", "Zip", "Mobile", "notes"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let m = ColumnMap::<PatientField>::from_header(&h).unwrap();
        assert_eq!(m.position(PatientField::GivenName), Some(0));
        assert_eq!(m.position(PatientField::FamilyName), Some(1));
        assert_eq!(m.position(PatientField::DateOfBirth), Some(2));
        assert_eq!(m.position(PatientField::Mrn), Some(3));
        assert_eq!(m.position(PatientField::Email), Some(4));
        assert_eq!(m.position(PatientField::PostalCode), Some(5));
        assert_eq!(m.position(PatientField::Phone), Some(6));
        assert_eq!(m.header_of(PatientField::Email), "E-mail");
    }

    #[test]
    fn missing_and_doubled_columns_are_typed_errors() {
        let h = vec!["given_name".to_string(), "email".to_string()];
        assert_eq!(ColumnMap::<PatientField>::from_header(&h).unwrap_err().code(), ErrorCode::ImportMissingColumn);
        let h: Vec<String> = ["first name", "forename", "surname"].iter().map(|s| s.to_string()).collect();
        assert_eq!(ColumnMap::<PatientField>::from_header(&h).unwrap_err().code(), ErrorCode::ImportMissingColumn);
    }
}
