//! Appointment rows (pure half): who (patient by MRN), with whom (practitioner by name or id), what (type
//! by name or id), when (clinic-local wall time, or an instant with an offset) and where (optional room).
//! Names are resolved and every booking rule checked by the store half, [`super::commit`], through the
//! engine — the same [`crate::Calendar`] every booking goes through.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

use super::columns::{ColumnMap, Field};
use super::normalize::{excel_serial_date, parse_date_text, DateOrder};
use super::{BoxedRecords, Cell, ImportOptions, RawRecord, Rejection, SourceItem, Table};
use crate::error::{ClinicError, ErrorCode};

/// Appointment columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppointmentField {
    Mrn,
    Practitioner,
    AppointmentType,
    Start,
    Room,
    Reason,
}

impl Field for AppointmentField {
    const ALL: &'static [Self] =
        &[Self::Mrn, Self::Practitioner, Self::AppointmentType, Self::Start, Self::Room, Self::Reason];
    const REQUIRED: &'static [Self] = &[Self::Mrn, Self::Practitioner, Self::AppointmentType, Self::Start];

    fn name(self) -> &'static str {
        match self {
            Self::Mrn => "mrn",
            Self::Practitioner => "practitioner",
            Self::AppointmentType => "type",
            Self::Start => "start",
            Self::Room => "room",
            Self::Reason => "reason",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "mrn" | "medicalrecordnumber" | "patientid" | "patientmrn" | "patient" => Self::Mrn,
            "practitioner" | "doctor" | "clinician" | "provider" | "practitionerid" => Self::Practitioner,
            "type" | "appointmenttype" | "service" | "visittype" | "typeid" => Self::AppointmentType,
            "start" | "starttime" | "startsat" | "datetime" | "when" | "appointmentstart" | "time" => Self::Start,
            "room" | "location" | "roomid" => Self::Room,
            "reason" | "notes" | "comment" => Self::Reason,
            _ => return None,
        })
    }
}

/// When an appointment starts, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartSpec {
    /// Wall time in the clinic's zone (resolved by the store half, which knows the zone).
    Local(NaiveDateTime),
    /// An instant with its offset.
    Fixed(DateTime<FixedOffset>),
}

/// A syntactically valid appointment row; names are not resolved yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentRow {
    pub row: u64,
    pub mrn: String,
    pub practitioner: String,
    pub appointment_type: String,
    pub start: StartSpec,
    pub room: Option<String>,
    pub reason: Option<String>,
    /// Header texts, for rejections the store half adds.
    pub columns: AppointmentColumns,
}

/// The header text of each column (what a rejection names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentColumns {
    pub mrn: String,
    pub practitioner: String,
    pub appointment_type: String,
    pub start: String,
    pub room: String,
}

/// Reads a start: RFC 3339 (`2027-01-11T09:00:00+01:00`, `…Z`) is an instant; `yyyy-mm-dd HH:MM[:SS]`,
/// `dd/mm/yyyy HH:MM` (per `order`) and Excel serial date-times are clinic-local.
pub fn parse_start(cell: &Cell, order: DateOrder) -> Result<StartSpec, String> {
    let serial = |n: f64| -> Result<StartSpec, String> {
        let date = excel_serial_date(n)?;
        let secs = ((n - n.floor()) * 86_400.0).round() as u32;
        let time = NaiveTime::from_num_seconds_from_midnight_opt(secs.min(86_399), 0).unwrap_or(NaiveTime::MIN);
        Ok(StartSpec::Local(date.and_time(time)))
    };
    let s = match cell {
        Cell::Number(n) | Cell::Date(n) => return serial(*n),
        Cell::Text(s) => s.trim(),
        _ => return Err("not a date and time".into()),
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(StartSpec::Fixed(t));
    }
    if let Ok(n) = s.parse::<f64>() {
        return serial(n);
    }
    let (date, time) = s
        .split_once(['T', ' '])
        .ok_or_else(|| format!("{s:?} has no time of day (use yyyy-mm-dd HH:MM, or RFC 3339 with an offset)"))?;
    let date: NaiveDate = parse_date_text(date.trim(), order)?;
    let time = time.trim();
    let time = NaiveTime::parse_from_str(time, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M"))
        .map_err(|_| format!("{time:?} is not a time of day (HH:MM)"))?;
    Ok(StartSpec::Local(date.and_time(time)))
}

/// Parsed rows in file order.
#[derive(Debug)]
pub struct AppointmentRows<I> {
    records: I,
    map: ColumnMap<AppointmentField>,
    opts: ImportOptions,
}

impl<'a> AppointmentRows<BoxedRecords<'a>> {
    pub fn from_csv<R: std::io::Read + Send + 'a>(r: R, opts: &ImportOptions) -> Result<Self, ClinicError> {
        AppointmentRows::new(super::open_csv(r, opts)?, opts)
    }
    pub fn from_bytes(bytes: &'a [u8], opts: &ImportOptions) -> Result<Self, ClinicError> {
        AppointmentRows::new(super::open_bytes(bytes, opts)?, opts)
    }
}

impl<I: Iterator<Item = SourceItem>> AppointmentRows<I> {
    pub fn new(table: Table<I>, opts: &ImportOptions) -> Result<Self, ClinicError> {
        Ok(AppointmentRows { records: table.records, map: ColumnMap::from_header(&table.header)?, opts: opts.clone() })
    }

    fn parse(&self, rec: &RawRecord) -> Result<AppointmentRow, Vec<Rejection>> {
        use AppointmentField as F;
        let cell = |f: F| self.map.position(f).and_then(|i| rec.cells.get(i)).unwrap_or(&Cell::Empty);
        let reject = |f: F, code: ErrorCode, m: String| {
            Rejection::new(rec.row, self.map.header_of(f), code, m, cell(f).to_text())
        };
        let mut rej = Vec::new();
        for &f in F::ALL {
            let n = cell(f).char_len();
            if n > self.opts.max_cell_chars {
                rej.push(reject(f, ErrorCode::TooLong, format!("the cell has {n} characters")));
            } else if matches!(cell(f), Cell::Formula(_)) {
                rej.push(reject(f, ErrorCode::ImportFormulaNotComputed, "a formula without a computed value".into()));
            }
        }
        let text = |f: F| {
            let c = cell(f);
            if c.is_blank() {
                None
            } else {
                Some(c.to_text().split_whitespace().collect::<Vec<_>>().join(" "))
            }
        };
        let mut required = |f: F| {
            text(f).unwrap_or_else(|| {
                rej.push(reject(f, ErrorCode::Required, format!("{} is required", f.name())));
                String::new()
            })
        };
        let (mrn, practitioner, appointment_type) =
            (required(F::Mrn), required(F::Practitioner), required(F::AppointmentType));
        let start = if cell(F::Start).is_blank() {
            rej.push(reject(F::Start, ErrorCode::Required, "start is required".into()));
            None
        } else {
            match parse_start(cell(F::Start), self.opts.date_order) {
                Ok(s) => Some(s),
                Err(m) => {
                    rej.push(reject(F::Start, ErrorCode::InvalidDate, m));
                    None
                }
            }
        };
        match start {
            Some(start) if rej.is_empty() => Ok(AppointmentRow {
                row: rec.row,
                mrn,
                practitioner,
                appointment_type,
                start,
                room: text(F::Room),
                reason: text(F::Reason),
                columns: AppointmentColumns {
                    mrn: self.map.header_of(F::Mrn).to_string(),
                    practitioner: self.map.header_of(F::Practitioner).to_string(),
                    appointment_type: self.map.header_of(F::AppointmentType).to_string(),
                    start: self.map.header_of(F::Start).to_string(),
                    room: self.map.header_of(F::Room).to_string(),
                },
            }),
            _ => Err(rej),
        }
    }
}

impl<I: Iterator<Item = SourceItem>> Iterator for AppointmentRows<I> {
    type Item = Result<AppointmentRow, Vec<Rejection>>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(match self.records.next()? {
            Ok(rec) => self.parse(&rec),
            Err(r) => Err(vec![r]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_in_every_form() {
        let t = |s: &str| parse_start(&Cell::Text(s.into()), DateOrder::DayFirst);
        let local = |s: &str| StartSpec::Local(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap());
        assert_eq!(t("2027-01-11 09:30"), Ok(local("2027-01-11 09:30")));
        assert_eq!(t("11/01/2027 09:30"), Ok(local("2027-01-11 09:30")));
        assert_eq!(t("2027-01-11T09:30:00"), Ok(local("2027-01-11 09:30")));
        assert!(matches!(t("2027-01-11T09:30:00+01:00"), Ok(StartSpec::Fixed(_))));
        assert_eq!(parse_start(&Cell::Number(46398.375), DateOrder::DayFirst), Ok(local("2027-01-11 09:00")));
        for bad in ["2027-02-30 09:00", "2027-01-11", "2027-01-11 25:00", "soon"] {
            assert!(t(bad).is_err(), "{bad}");
        }
    }
}
