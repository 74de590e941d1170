//! A report as one CSV table (RFC 4180, `,`, header row): one row per scope (clinic or practitioner) and
//! period (the whole range, each day, each ISO week), all rows with the same columns so any spreadsheet or
//! `csv` reader can filter and pivot it. An absent ratio or median is an empty cell.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{ClinicError, ErrorCode};

use super::{Figures, Report};

/// The header row, in column order (the field names of [`CsvRow`]).
pub const CSV_HEADER: &[&str] = &[
    "scope",
    "practitioner_id",
    "practitioner_name",
    "period_kind",
    "period",
    "first_date",
    "last_date",
    "appointments",
    "proposed",
    "booked",
    "arrived",
    "fulfilled",
    "cancelled",
    "noshow",
    "available_minutes",
    "booked_minutes",
    "utilization",
    "no_show_rate",
    "cancellation_rate",
    "late_cancellations",
    "median_cancellation_lead_minutes",
    "median_booking_lead_minutes",
];

/// One CSV row. `scope` is `clinic` or `practitioner`; `period_kind` is `range`, `day` or `week`; `period`
/// is `total`, the date (`2027-03-14`) or the ISO week (`2027-W10`); `first_date`/`last_date` are the
/// inclusive local dates the row covers (`last_date` is empty for the total of an empty range).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsvRow {
    pub scope: String,
    pub practitioner_id: String,
    pub practitioner_name: String,
    pub period_kind: String,
    pub period: String,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
    pub appointments: u64,
    pub proposed: u64,
    pub booked: u64,
    pub arrived: u64,
    pub fulfilled: u64,
    pub cancelled: u64,
    pub noshow: u64,
    pub available_minutes: i64,
    pub booked_minutes: i64,
    pub utilization: Option<f64>,
    pub no_show_rate: Option<f64>,
    pub cancellation_rate: Option<f64>,
    pub late_cancellations: u64,
    pub median_cancellation_lead_minutes: Option<f64>,
    pub median_booking_lead_minutes: Option<f64>,
}

impl CsvRow {
    fn new(
        scope: &str,
        who: Option<(&str, &str)>,
        kind: &str,
        period: String,
        dates: (Option<NaiveDate>, Option<NaiveDate>),
        f: &Figures,
    ) -> CsvRow {
        let (id, name) = who.unwrap_or(("", ""));
        CsvRow {
            scope: scope.into(),
            practitioner_id: id.into(),
            practitioner_name: defuse_formula(name),
            period_kind: kind.into(),
            period,
            first_date: dates.0,
            last_date: dates.1,
            appointments: f.appointments,
            proposed: f.by_status.proposed,
            booked: f.by_status.booked,
            arrived: f.by_status.arrived,
            fulfilled: f.by_status.fulfilled,
            cancelled: f.by_status.cancelled,
            noshow: f.by_status.noshow,
            available_minutes: f.available_minutes,
            booked_minutes: f.booked_minutes,
            utilization: f.utilization,
            no_show_rate: f.no_show_rate,
            cancellation_rate: f.cancellation_rate,
            late_cancellations: f.late_cancellations,
            median_cancellation_lead_minutes: f.median_cancellation_lead_minutes,
            median_booking_lead_minutes: f.median_booking_lead_minutes,
        }
    }
}

/// A practitioner's name is the only free text in the file. Spreadsheets run a cell starting with `=`, `+`,
/// `-`, `@`, tab or CR as a formula (CSV injection), so such a name gets a leading `'` (OWASP's advice).
fn defuse_formula(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The rows of a report, in file order: the clinic's total, days, weeks; then each practitioner's.
pub fn csv_rows(report: &Report) -> Vec<CsvRow> {
    let mut rows = Vec::new();
    let mut scope =
        |scope: &str, who: Option<(&str, &str)>, r: (&Figures, &[super::DayFigures], &[super::WeekFigures])| {
            rows.push(CsvRow::new(scope, who, "range", "total".into(), (Some(report.from), report.last_date()), r.0));
            for d in r.1 {
                rows.push(CsvRow::new(scope, who, "day", d.date.to_string(), (Some(d.date), Some(d.date)), &d.figures));
            }
            for w in r.2 {
                rows.push(CsvRow::new(
                    scope,
                    who,
                    "week",
                    w.week.clone(),
                    (Some(w.first_date), Some(w.last_date)),
                    &w.figures,
                ));
            }
        };
    scope("clinic", None, (&report.totals, &report.days, &report.weeks));
    for p in &report.practitioners {
        let id = p.practitioner_id.to_string();
        scope("practitioner", Some((&id, &p.name)), (&p.totals, &p.days, &p.weeks));
    }
    rows
}

/// The report as CSV text (UTF-8, `\n` line ends, header first).
pub fn report_to_csv(report: &Report) -> Result<String, ClinicError> {
    let fail = |e: &dyn std::fmt::Display| ClinicError::rule(ErrorCode::ReportOutputFailed, format!("CSV: {e}"));
    // Every report has at least the clinic's total row, so the header (written with the first row) is present.
    let mut w = csv::WriterBuilder::new().has_headers(true).from_writer(Vec::new());
    for row in csv_rows(report) {
        w.serialize(row).map_err(|e| fail(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| fail(&e))?;
    String::from_utf8(bytes).map_err(|e| fail(&e))
}
