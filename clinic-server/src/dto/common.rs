//! Wire shapes shared by several resources (contact, address, weekdays). Strict: unknown fields are refused.

use clinic_core::{Address, ClinicError, ContactInfo, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Phone (any common formatting; stored as E.164) and e-mail (stored lowercased).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// ISO 3166-1 alpha-2 region for a phone written without `+country` (input only).
    #[serde(default, skip_serializing)]
    pub default_region: Option<String>,
}

impl ContactDto {
    pub fn into_core(self, errs: &mut ValidationErrors, prefix: &str) -> ContactInfo {
        errs.collect(
            prefix,
            ContactInfo::new(self.phone.as_deref(), self.email.as_deref(), self.default_region.as_deref()),
        )
        .unwrap_or_default()
    }
}

impl From<&ContactInfo> for ContactDto {
    fn from(c: &ContactInfo) -> Self {
        ContactDto { phone: c.phone().map(str::to_string), email: c.email().map(str::to_string), default_region: None }
    }
}

/// A postal address; `country` is ISO 3166-1 alpha-2.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressDto {
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub postal_code: String,
    pub country: String,
}

impl AddressDto {
    pub fn into_core(self, errs: &mut ValidationErrors, prefix: &str) -> Option<Address> {
        errs.collect(
            prefix,
            Address::new(
                &self.line1,
                self.line2.as_deref(),
                &self.city,
                self.region.as_deref(),
                &self.postal_code,
                &self.country,
            ),
        )
    }
}

impl From<&Address> for AddressDto {
    fn from(a: &Address) -> Self {
        AddressDto {
            line1: a.line1.clone(),
            line2: a.line2.clone(),
            city: a.city.clone(),
            region: a.region.clone(),
            postal_code: a.postal_code.clone(),
            country: a.country.clone(),
        }
    }
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl From<Weekday> for chrono::Weekday {
    fn from(w: Weekday) -> Self {
        use chrono::Weekday as W;
        match w {
            Weekday::Mon => W::Mon,
            Weekday::Tue => W::Tue,
            Weekday::Wed => W::Wed,
            Weekday::Thu => W::Thu,
            Weekday::Fri => W::Fri,
            Weekday::Sat => W::Sat,
            Weekday::Sun => W::Sun,
        }
    }
}

impl From<chrono::Weekday> for Weekday {
    fn from(w: chrono::Weekday) -> Self {
        use chrono::Weekday as W;
        match w {
            W::Mon => Weekday::Mon,
            W::Tue => Weekday::Tue,
            W::Wed => Weekday::Wed,
            W::Thu => Weekday::Thu,
            W::Fri => Weekday::Fri,
            W::Sat => Weekday::Sat,
            W::Sun => Weekday::Sun,
        }
    }
}

/// Finishes a conversion: the collected field errors, or the value.
pub fn finish<T>(errs: ValidationErrors, value: T) -> Result<T, ClinicError> {
    errs.into_result().map(|()| value)
}

/// A page of results with the cursor of the next page (absent on the last page).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
