//! `Clinic`: the tenant every other entity belongs to, and the owner of the local time zone.

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::contact::{required_text, Address, ContactInfo};
use crate::error::{ClinicError, ErrorCode, ValidationErrors};
use crate::ids::ClinicId;
use crate::zone::{parse_tz, ZoneDays};

/// A day (or part of a day) the whole clinic is closed, in local wall time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Closure {
    pub date: NaiveDate,
    /// Both absent = the whole day; both present = a partial closure `[start, end)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveTime>,
    #[serde(default)]
    pub reason: String,
}

impl Closure {
    pub fn whole_day(date: NaiveDate, reason: impl Into<String>) -> Self {
        Closure { date, start: None, end: None, reason: reason.into() }
    }

    pub(crate) fn validate(&self, field: &str, errs: &mut ValidationErrors) {
        match (self.start, self.end) {
            (None, None) => {}
            (Some(s), Some(e)) if s < e => {}
            (Some(_), Some(_)) => errs.push(ErrorCode::InvalidTimeRange, field, "closure end must be after its start"),
            _ => errs.push(ErrorCode::Required, field, "a partial closure needs both start and end"),
        }
    }

    /// The closed interval in UTC minutes.
    pub(crate) fn utc_minutes(&self, days: &ZoneDays) -> (i64, i64) {
        match (self.start, self.end) {
            (Some(s), Some(e)) => (days.to_utc_minute(self.date, s), days.to_utc_minute(self.date, e)),
            _ => {
                let next = self.date.succ_opt().unwrap_or(self.date);
                (days.day_start_minute(self.date), days.day_start_minute(next))
            }
        }
    }
}

/// What a caller supplies to create or update a clinic.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClinicInput {
    pub name: String,
    pub time_zone: String,
    #[serde(default)]
    pub address: Option<Address>,
    #[serde(default)]
    pub contact: ContactInfo,
    #[serde(default)]
    pub closures: Vec<Closure>,
}

/// A clinic: name, IANA zone, address, contact and closures. Every "day" of the rules is this zone's day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ClinicRecord", into = "ClinicRecord")]
pub struct Clinic {
    id: ClinicId,
    name: String,
    time_zone: Tz,
    address: Option<Address>,
    contact: ContactInfo,
    closures: Vec<Closure>,
}

/// The stored / wire form of [`Clinic`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClinicRecord {
    pub id: ClinicId,
    #[serde(flatten)]
    pub input: ClinicInput,
}

impl TryFrom<ClinicRecord> for Clinic {
    type Error = ClinicError;
    fn try_from(r: ClinicRecord) -> Result<Self, Self::Error> {
        Clinic::new(r.id, r.input)
    }
}

impl From<Clinic> for ClinicRecord {
    fn from(c: Clinic) -> Self {
        ClinicRecord {
            id: c.id,
            input: ClinicInput {
                name: c.name,
                time_zone: c.time_zone.name().to_string(),
                address: c.address,
                contact: c.contact,
                closures: c.closures,
            },
        }
    }
}

impl Clinic {
    /// ```
    /// use clinic_core::{Clinic, ClinicId, ClinicInput};
    /// let c = Clinic::new(ClinicId::new(), ClinicInput {
    ///     name: "Northside".into(), time_zone: "Europe/London".into(), ..Default::default()
    /// }).unwrap();
    /// assert_eq!(c.time_zone().name(), "Europe/London");
    /// let err = Clinic::new(ClinicId::new(), ClinicInput { name: "".into(), time_zone: "Nowhere".into(), ..Default::default() });
    /// assert_eq!(err.unwrap_err().codes().len(), 2);
    /// ```
    pub fn new(id: ClinicId, input: ClinicInput) -> Result<Self, ClinicError> {
        let mut errs = ValidationErrors::new();
        let name = required_text(&mut errs, "name", &input.name, 200);
        let tz = errs.collect("", parse_tz(&input.time_zone));
        for (i, c) in input.closures.iter().enumerate() {
            c.validate(&format!("closures[{i}]"), &mut errs);
        }
        errs.into_result()?;
        let mut closures = input.closures;
        closures.sort_by_key(|c| (c.date, c.start));
        Ok(Clinic {
            id,
            name,
            time_zone: tz.unwrap_or(Tz::UTC),
            address: input.address,
            contact: input.contact,
            closures,
        })
    }

    pub fn id(&self) -> ClinicId {
        self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }
    pub fn address(&self) -> Option<&Address> {
        self.address.as_ref()
    }
    pub fn contact(&self) -> &ContactInfo {
        &self.contact
    }
    pub fn closures(&self) -> &[Closure] {
        &self.closures
    }

    /// Closures of local dates `first..=last` as UTC minute intervals, sorted.
    pub(crate) fn closure_minutes(&self, days: &ZoneDays, first: NaiveDate, last: NaiveDate) -> Vec<(i64, i64)> {
        self.closures
            .iter()
            .filter(|c| c.date >= first && c.date <= last)
            .map(|c| c.utc_minutes(days))
            .filter(|(s, e)| s < e)
            .collect()
    }

    /// The same clinic with new data (id kept); validated like `new`.
    pub fn updated(&self, input: ClinicInput) -> Result<Self, ClinicError> {
        Clinic::new(self.id, input)
    }
}
