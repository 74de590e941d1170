//! GenerateReport (DESIGN.md §3 "Use cases"): utilization, no-show rate, cancellations and lead times, per
//! practitioner and per clinic-local day and ISO week.
//!
//! The computation is one pure function, [`compute_report`], over a [`ReportCatalog`] (clinic, practitioners,
//! schedules) and a slice of appointments, so the server, the bindings and the browser all get the same
//! figures; [`crate::Scheduler::generate_report`] loads the inputs through the store ports and checks RBAC.
//! The result is plain data ([`Report`], serde, snake_case), and renders as CSV ([`report_to_csv`]) and PDF
//! ([`report_to_pdf`]).
//!
//! # Definitions
//!
//! * **Range.** `from` is the first clinic-local date of the report (inclusive) and `to` the date after the
//!   last one (exclusive), like [`crate::TimeSlot`]'s half-open intervals: `from == to` is a valid, empty
//!   report; `to < from` is `REPORT_RANGE_INVERTED`; more than [`MAX_REPORT_DAYS`] days is
//!   `REPORT_RANGE_TOO_LONG`. Days start at local midnight (or at the end of a midnight DST gap).
//! * **Which appointments count.** An appointment belongs to the local date of its (current) slot start; the
//!   status counts, rates and lead times use the appointments whose start date is in the range and whose
//!   (current) practitioner is selected. Practitioners not in the catalog are never reported; inactive ones
//!   are (their past work still counts). Give each appointment once: the input is not de-duplicated.
//! * **Available minutes** of a practitioner: the union of the windows of all their schedules, expanded by
//!   the engine's own [`crate::Schedule::windows`] (weekly hours, RRULEs, extra hours, minus breaks and
//!   absences, DST-aware), minus the clinic's closures, split at local midnights. A 09:00–17:00 day on a
//!   spring-forward day that includes the gap counts the real elapsed minutes, not `8 × 60`.
//! * **Booked minutes**: the minutes of available time covered by at least one appointment of status
//!   proposed, booked, arrived or fulfilled (the active statuses plus fulfilled). The union is taken, so a
//!   group session with five patients counts its minutes once; buffers do not count; time booked outside
//!   availability (overbooking past the hours, a schedule edited later) does not count. No-shows and
//!   cancellations do not count: that time was not used for care (the no-show rate reports it instead).
//!   Hence `0 ≤ booked ≤ available`.
//! * **Utilization** = booked ÷ available minutes, `None` when nothing was available. Clinic-wide and weekly
//!   figures sum minutes first (practitioner-minutes), they do not average ratios.
//! * **No-show rate** = noshow ÷ (arrived + fulfilled + noshow): among appointments whose attendance is
//!   known. Appointments still proposed/booked (outcome not recorded) and cancelled ones are left out.
//! * **Cancellation rate** = cancelled ÷ all appointments (every status).
//! * **Cancellation lead time** = slot start − the instant of the status change to cancelled (from the
//!   appointment's history), in minutes; negative when cancelled after the start. The report gives the median
//!   and the number of **late cancellations** (lead time under [`LATE_CANCELLATION_MINUTES`]). A cancelled
//!   appointment without that history entry (e.g. imported) has no lead time.
//! * **Booking lead time** = the originally booked slot start (before any reschedule) − `created_at`, in
//!   minutes, over every appointment counted (any status); the report gives the median.
//! * Medians of an even count are the mean of the two middle values. Every ratio or median over nothing is
//!   `None` (JSON `null`, an empty CSV cell, "n/a" in the PDF) — never NaN.

mod compute;
mod csv_out;
mod pdf_out;
mod usecase;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{ClinicError, ErrorCode, ValidationErrors};
use crate::ids::{ClinicId, PractitionerId};
use crate::model::{Clinic, Practitioner, Schedule};

pub use compute::compute_report;
pub use csv_out::{csv_rows, report_to_csv, CsvRow, CSV_HEADER};
pub use pdf_out::report_to_pdf;

/// The longest report range in days: a (leap) year. Bounds the work of one request (expansion is per day).
pub const MAX_REPORT_DAYS: i64 = 366;

/// A cancellation less than this many minutes before the slot start is "late" (24 hours).
pub const LATE_CANCELLATION_MINUTES: i64 = 24 * 60;

/// What to report on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportQuery {
    pub clinic_id: ClinicId,
    /// First clinic-local date, inclusive.
    pub from: NaiveDate,
    /// Clinic-local date after the last one, exclusive (`from == to` is empty).
    pub to: NaiveDate,
    /// Only these practitioners; empty = every practitioner of the clinic.
    #[serde(default)]
    pub practitioner_ids: Vec<PractitionerId>,
}

impl ReportQuery {
    /// Checks the range alone (no catalog needed), so a use case can refuse a bad query before loading data.
    pub fn validate_range(&self) -> Result<(), ClinicError> {
        let mut errs = ValidationErrors::new();
        for (field, d) in [("from", self.from), ("to", self.to)] {
            // The engine's instants are limited to these years (see `time_slot::check_instant`).
            if !(1900..2200).contains(&d.year()) {
                errs.push(ErrorCode::InvalidDate, field, format!("{d} is outside the years 1900–2199"));
            }
        }
        let days = (self.to - self.from).num_days();
        if days < 0 {
            errs.push(ErrorCode::ReportRangeInverted, "to", "the range ends before it starts");
        } else if days > MAX_REPORT_DAYS {
            errs.push(
                ErrorCode::ReportRangeTooLong,
                "to",
                format!("a report covers at most {MAX_REPORT_DAYS} days (asked for {days})"),
            );
        }
        errs.into_result()
    }

    /// Number of local days covered (0 for an empty or inverted range).
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days().max(0)
    }
}

/// The catalog a report reads: one clinic, its practitioners and schedules (any resource's; only
/// practitioners' schedules are used).
#[derive(Debug, Clone, Copy)]
pub struct ReportCatalog<'a> {
    pub clinic: &'a Clinic,
    pub practitioners: &'a [Practitioner],
    pub schedules: &'a [Schedule],
}

/// Appointments per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub proposed: u64,
    pub booked: u64,
    pub arrived: u64,
    pub fulfilled: u64,
    pub cancelled: u64,
    pub noshow: u64,
}

impl StatusCounts {
    pub fn total(&self) -> u64 {
        self.proposed + self.booked + self.arrived + self.fulfilled + self.cancelled + self.noshow
    }
}

/// The figures of one scope (clinic or practitioner) over one period (range, day or week). See the module
/// docs for the definitions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Appointments counted (every status).
    pub appointments: u64,
    pub by_status: StatusCounts,
    pub available_minutes: i64,
    pub booked_minutes: i64,
    /// booked ÷ available; `None` when nothing was available.
    pub utilization: Option<f64>,
    /// noshow ÷ (arrived + fulfilled + noshow).
    pub no_show_rate: Option<f64>,
    /// cancelled ÷ appointments.
    pub cancellation_rate: Option<f64>,
    /// Cancellations less than [`LATE_CANCELLATION_MINUTES`] before the slot start (or after it).
    pub late_cancellations: u64,
    pub median_cancellation_lead_minutes: Option<f64>,
    pub median_booking_lead_minutes: Option<f64>,
}

/// One clinic-local day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayFigures {
    pub date: NaiveDate,
    pub figures: Figures,
}

/// One ISO 8601 week, clipped to the range (`first_date`/`last_date` are the range's days in it, inclusive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekFigures {
    /// `"2027-W10"` (ISO week-numbering year and week).
    pub week: String,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
    pub figures: Figures,
}

/// One practitioner's figures over the range, per day and per week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PractitionerReport {
    pub practitioner_id: PractitionerId,
    pub name: String,
    pub totals: Figures,
    pub days: Vec<DayFigures>,
    pub weeks: Vec<WeekFigures>,
}

/// A generated report. `totals`, `days` and `weeks` cover every selected practitioner together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub clinic_id: ClinicId,
    pub clinic_name: String,
    /// The IANA zone the dates are local to.
    pub time_zone: String,
    /// First local date, inclusive.
    pub from: NaiveDate,
    /// Local date after the last one, exclusive.
    pub to: NaiveDate,
    /// The practitioners reported on, in report order (by name, then id).
    pub practitioner_ids: Vec<PractitionerId>,
    pub totals: Figures,
    pub days: Vec<DayFigures>,
    pub weeks: Vec<WeekFigures>,
    pub practitioners: Vec<PractitionerReport>,
}

impl Report {
    /// The last local date of the range (inclusive), `None` for an empty range.
    pub fn last_date(&self) -> Option<NaiveDate> {
        if self.to > self.from {
            self.to.pred_opt()
        } else {
            None
        }
    }
}
