//! A path-tracking reader over `serde_json::Value`: every accessor that meets the wrong JSON type records
//! `FHIR_INVALID_TYPE` at the element's FHIR path and returns `None`, so import code never panics and reports
//! every problem with its location.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::error::{ErrorCode, ValidationErrors};

#[derive(Debug, Clone)]
pub(crate) struct Node<'v> {
    pub value: &'v Value,
    pub path: String,
}

impl<'v> Node<'v> {
    pub fn root(value: &'v Value) -> Self {
        Node { value, path: String::new() }
    }

    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The member `key` of an object; `None` when absent or `null` (or when this is not an object).
    pub fn field(&self, key: &str) -> Option<Node<'v>> {
        match self.value.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(Node { value: v, path: self.child_path(key) }),
        }
    }

    /// A path for an element that is missing (for `REQUIRED`).
    pub fn path_of(&self, key: &str) -> String {
        self.child_path(key)
    }

    pub fn invalid(&self, errs: &mut ValidationErrors, expected: &str) {
        errs.push(ErrorCode::FhirInvalidType, self.path.clone(), format!("expected {expected}"));
    }

    /// This node as a non-blank string (FHIR strings are never empty); records an error otherwise.
    pub fn string(&self, errs: &mut ValidationErrors) -> Option<&'v str> {
        match self.value {
            Value::String(s) if !s.trim().is_empty() => Some(s.as_str()),
            Value::String(_) => {
                errs.push(ErrorCode::Required, self.path.clone(), "FHIR strings may not be blank");
                None
            }
            _ => {
                self.invalid(errs, "a string");
                None
            }
        }
    }

    pub fn str_field(&self, key: &str, errs: &mut ValidationErrors) -> Option<&'v str> {
        self.field(key).and_then(|n| n.string(errs))
    }

    /// The member `key` as an array's elements (absent → empty). A single value where an array is expected is
    /// an error.
    pub fn array(&self, key: &str, errs: &mut ValidationErrors) -> Vec<Node<'v>> {
        match self.field(key) {
            None => Vec::new(),
            Some(n) => match n.value {
                Value::Array(items) => {
                    items.iter().enumerate().map(|(i, v)| Node { value: v, path: format!("{}[{i}]", n.path) }).collect()
                }
                _ => {
                    n.invalid(errs, "an array");
                    Vec::new()
                }
            },
        }
    }

    /// The member `key` as an object node (absent → `None`, wrong type → error and `None`).
    pub fn object(&self, key: &str, errs: &mut ValidationErrors) -> Option<Node<'v>> {
        let n = self.field(key)?;
        if n.value.is_object() {
            Some(n)
        } else {
            n.invalid(errs, "an object");
            None
        }
    }

    /// A FHIR `positiveInt` / `unsignedInt` member.
    pub fn uint_field(&self, key: &str, errs: &mut ValidationErrors) -> Option<u64> {
        let n = self.field(key)?;
        match n.value.as_u64() {
            Some(v) => Some(v),
            None => {
                n.invalid(errs, "a non-negative integer");
                None
            }
        }
    }

    pub fn bool_field(&self, key: &str, errs: &mut ValidationErrors) -> Option<bool> {
        let n = self.field(key)?;
        match n.value.as_bool() {
            Some(v) => Some(v),
            None => {
                n.invalid(errs, "true or false");
                None
            }
        }
    }

    /// A FHIR `instant` (or a `dateTime` with time and offset) member, in UTC.
    pub fn instant_field(&self, key: &str, errs: &mut ValidationErrors) -> Option<DateTime<Utc>> {
        let n = self.field(key)?;
        let s = n.string(errs)?;
        match DateTime::parse_from_rfc3339(s.trim()) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                errs.push(
                    ErrorCode::InvalidDate,
                    n.path.clone(),
                    format!("{s:?} is not an instant (YYYY-MM-DDThh:mm:ss with a zone offset)"),
                );
                None
            }
        }
    }

    /// A FHIR `date` member that must be a full date (`YYYY-MM-DD`); partial dates are `INVALID_DATE`.
    pub fn full_date_field(&self, key: &str, errs: &mut ValidationErrors) -> Option<NaiveDate> {
        let n = self.field(key)?;
        let s = n.string(errs)?;
        match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errs.push(ErrorCode::InvalidDate, n.path.clone(), format!("{s:?} is not a full date (YYYY-MM-DD)"));
                None
            }
        }
    }

    /// The calendar date written in a FHIR `dateTime` member (`2027-01-01` or `2027-01-01T09:00:00+01:00` →
    /// 2027-01-01, the date as written, before any offset conversion).
    pub fn date_of_datetime_field(&self, key: &str, errs: &mut ValidationErrors) -> Option<NaiveDate> {
        let n = self.field(key)?;
        let s = n.string(errs)?.trim();
        let ok_shape = s.len() == 10 || DateTime::parse_from_rfc3339(s).is_ok();
        match s.get(..10).map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d")) {
            Some(Ok(d)) if ok_shape => Some(d),
            _ => {
                errs.push(ErrorCode::InvalidDate, n.path.clone(), format!("{s:?} is not a date or date-time"));
                None
            }
        }
    }
}
