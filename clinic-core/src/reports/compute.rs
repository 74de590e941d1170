//! The pure computation of a [`Report`]: availability from the engine's schedule expansion, occupancy from
//! the appointments, both as sorted disjoint UTC-minute intervals measured per clinic-local day, then summed
//! into weeks, practitioners and the clinic.

use std::collections::HashMap;

use chrono::{Datelike, Days, NaiveDate};

use crate::error::{ClinicError, ErrorCode, ValidationErrors};
use crate::ids::{PractitionerId, ResourceRef};
use crate::model::{Appointment, AppointmentStatus, HistoryEntry, Practitioner};
use crate::zone::{local_date, ZoneDays};

use super::{
    DayFigures, Figures, PractitionerReport, Report, ReportCatalog, ReportQuery, StatusCounts, WeekFigures,
    LATE_CANCELLATION_MINUTES,
};

/// Computes a report from a catalog and appointments (any order; other statuses and dates are ignored as the
/// module docs define). Pure: no clock, no store. See [`crate::reports`] for every definition.
///
/// ```
/// use chrono::{NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
/// use clinic_core::reports::{compute_report, ReportCatalog, ReportQuery};
/// use clinic_core::*;
///
/// let d = |day| NaiveDate::from_ymd_opt(2027, 6, day).unwrap();
/// let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
/// let clinic = Clinic::new(ClinicId::new(), ClinicInput {
///     name: "Northside".into(), time_zone: "Europe/London".into(), ..Default::default()
/// }).unwrap();
/// let dr = Practitioner::new(PractitionerId::new(), clinic.id(), "Dr Ada", ContactInfo::default()).unwrap();
/// // Mondays 09:00–13:00 local (BST, UTC+1).
/// let schedule = Schedule::new(ScheduleId::new(), clinic.id(), ScheduleInput {
///     resource: ResourceRef::Practitioner(dr.id()),
///     weekly_hours: vec![WeeklyHours { weekday: Weekday::Mon, start: t(9), end: t(13) }],
///     recurrences: vec![], breaks: vec![], exceptions: vec![],
///     valid_from: d(1), valid_until: None, granularity_minutes: 15,
/// }).unwrap();
/// let ty = AppointmentType::new(AppointmentTypeId::new(), clinic.id(), AppointmentTypeInput {
///     name: "Consult".into(), duration_minutes: 60, ..Default::default()
/// }).unwrap();
/// // One hour booked on Monday 2027-06-07 at 10:00 BST, a week ahead.
/// let start = Utc.with_ymd_and_hms(2027, 6, 7, 9, 0, 0).unwrap();
/// let spec = NewAppointment {
///     clinic_id: clinic.id(), patient_id: PatientId::new(), practitioner_id: dr.id(), room_id: None,
///     appointment_type_id: ty.id(), slot: TimeSlot::starting_at(start, 60).unwrap(), reason: None, notes: None,
/// };
/// let booked_at = Utc.with_ymd_and_hms(2027, 5, 31, 9, 0, 0).unwrap();
/// let appt = Appointment::new(AppointmentId::new(), spec, &ty, AppointmentStatus::Booked, false, booked_at).unwrap();
///
/// let catalog = ReportCatalog { clinic: &clinic, practitioners: &[dr], schedules: &[schedule] };
/// // The week of Monday 7 June: `to` is exclusive.
/// let query = ReportQuery { clinic_id: clinic.id(), from: d(7), to: d(14), practitioner_ids: vec![] };
/// let report = compute_report(&catalog, &[appt], &query).unwrap();
/// assert_eq!(report.totals.available_minutes, 240);
/// assert_eq!(report.totals.booked_minutes, 60);
/// assert_eq!(report.totals.utilization, Some(0.25));
/// assert_eq!(report.totals.median_booking_lead_minutes, Some(7.0 * 24.0 * 60.0));
/// assert_eq!(report.totals.no_show_rate, None); // no attendance recorded yet: not NaN
/// assert_eq!(report.weeks[0].week, "2027-W23");
///
/// // A range that ends before it starts is refused with a stable code.
/// let bad = ReportQuery { from: d(14), to: d(7), ..query };
/// assert_eq!(compute_report(&catalog, &[], &bad).unwrap_err().code().as_str(), "REPORT_RANGE_INVERTED");
/// ```
pub fn compute_report(
    catalog: &ReportCatalog<'_>,
    appointments: &[Appointment],
    query: &ReportQuery,
) -> Result<Report, ClinicError> {
    query.validate_range()?;
    let selected = select_practitioners(catalog, appointments, query)?;
    let clinic = catalog.clinic;
    let tz = clinic.time_zone();
    let dates = dates_of(query);
    let n = dates.len();

    // Day bounds in UTC minutes: day i is [bounds[i], bounds[i + 1]).
    let before = query.from.pred_opt().unwrap_or(query.from);
    let zd = ZoneDays::new(tz, before, query.to.succ_opt().unwrap_or(query.to));
    let bounds: Vec<i64> = dates.iter().chain(std::iter::once(&query.to)).map(|d| zd.day_start_minute(*d)).collect();
    let (range_lo, range_hi) = (bounds.first().copied().unwrap_or(0), bounds.last().copied().unwrap_or(0));
    let last = query.to.pred_opt().unwrap_or(query.to);
    let closures = if n == 0 { Vec::new() } else { union(clinic.closure_minutes(&zd, before, last)) };

    let index: HashMap<PractitionerId, usize> = selected.iter().enumerate().map(|(i, p)| (p.id(), i)).collect();
    let mut per_day: Vec<Vec<Acc>> = vec![vec![Acc::default(); n]; selected.len()];
    let mut occupied: Vec<Vec<(i64, i64)>> = vec![Vec::new(); selected.len()];
    for a in appointments {
        let Some(&pi) = index.get(&a.practitioner_id()) else { continue };
        let (s, e) = (a.slot().start_minute(), a.slot().end_minute());
        if counts_as_booked(a.status()) && s < range_hi && range_lo < e {
            occupied[pi].push((s, e));
        }
        let day = (local_date(tz, a.slot().start()) - query.from).num_days();
        if let Some(acc) = usize::try_from(day).ok().and_then(|d| per_day[pi].get_mut(d)) {
            acc.add_appointment(a);
        }
    }

    for (pi, p) in selected.iter().enumerate() {
        if n == 0 {
            break;
        }
        // The windows of every schedule of the practitioner whose local start date is the day before the range
        // (a window may cross midnight into it) through the last day, from the engine's own expansion.
        let windows: Vec<(i64, i64)> = catalog
            .schedules
            .iter()
            .filter(|s| s.resource() == ResourceRef::Practitioner(p.id()))
            .flat_map(|s| s.windows(&zd, before, last))
            .map(|w| (w.start, w.end))
            .collect();
        let available = clip(&subtract(&union(windows), &closures), range_lo, range_hi);
        let booked = intersect(&union(std::mem::take(&mut occupied[pi])), &available);
        for (d, acc) in per_day[pi].iter_mut().enumerate() {
            let (lo, hi) = (bounds[d], bounds[d + 1]);
            acc.available = measure(&available, lo, hi);
            acc.booked = measure(&booked, lo, hi);
        }
    }

    let weeks = week_groups(&dates);
    let mut clinic_days = vec![Acc::default(); n];
    let mut practitioners = Vec::with_capacity(selected.len());
    for (p, days) in selected.iter().zip(&per_day) {
        for (c, d) in clinic_days.iter_mut().zip(days) {
            c.merge(d);
        }
        practitioners.push(PractitionerReport {
            practitioner_id: p.id(),
            name: p.name().to_string(),
            totals: Acc::sum(days.iter()).figures(),
            days: day_figures(&dates, days),
            weeks: week_figures(&weeks, days),
        });
    }
    Ok(Report {
        clinic_id: clinic.id(),
        clinic_name: clinic.name().to_string(),
        time_zone: tz.name().to_string(),
        from: query.from,
        to: query.to,
        practitioner_ids: selected.iter().map(|p| p.id()).collect(),
        totals: Acc::sum(clinic_days.iter()).figures(),
        days: day_figures(&dates, &clinic_days),
        weeks: week_figures(&weeks, &clinic_days),
        practitioners,
    })
}

/// Checks that everything belongs to the queried clinic and resolves the practitioner filter, collecting
/// every problem. Report order: by name, then id.
fn select_practitioners<'a>(
    catalog: &ReportCatalog<'a>,
    appointments: &[Appointment],
    query: &ReportQuery,
) -> Result<Vec<&'a Practitioner>, ClinicError> {
    let cid = catalog.clinic.id();
    let mut errs = ValidationErrors::new();
    let mismatch = "belongs to another clinic than the report's";
    if query.clinic_id != cid {
        errs.push(ErrorCode::ClinicMismatch, "clinic_id", format!("the catalog {mismatch}"));
    }
    if catalog.practitioners.iter().any(|p| p.clinic_id() != cid) {
        errs.push(ErrorCode::ClinicMismatch, "practitioners", format!("a practitioner {mismatch}"));
    }
    if catalog.schedules.iter().any(|s| s.clinic_id() != cid) {
        errs.push(ErrorCode::ClinicMismatch, "schedules", format!("a schedule {mismatch}"));
    }
    if appointments.iter().any(|a| a.clinic_id() != cid) {
        errs.push(ErrorCode::ClinicMismatch, "appointments", format!("an appointment {mismatch}"));
    }
    let mut selected: Vec<&Practitioner> = Vec::new();
    if query.practitioner_ids.is_empty() {
        selected.extend(catalog.practitioners.iter());
    } else {
        for (i, id) in query.practitioner_ids.iter().enumerate() {
            match catalog.practitioners.iter().find(|p| p.id() == *id) {
                Some(p) => selected.push(p),
                None => errs.push(
                    ErrorCode::UnknownPractitioner,
                    format!("practitioner_ids[{i}]"),
                    format!("practitioner {id} is not one of this clinic's"),
                ),
            }
        }
    }
    errs.into_result()?;
    selected.sort_by(|a, b| a.name().cmp(b.name()).then(a.id().cmp(&b.id())));
    selected.dedup_by_key(|p| p.id());
    Ok(selected)
}

/// The local dates `from..to`.
fn dates_of(query: &ReportQuery) -> Vec<NaiveDate> {
    let n = u64::try_from(query.days()).unwrap_or(0);
    (0..n).filter_map(|i| query.from.checked_add_days(Days::new(i))).collect()
}

/// Proposed, booked, arrived (active) and fulfilled appointments occupy practitioner time.
fn counts_as_booked(s: AppointmentStatus) -> bool {
    s.is_active() || s == AppointmentStatus::Fulfilled
}

/// Sorts and merges overlapping or touching intervals; empty ones are dropped.
fn union(mut v: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    v.retain(|(s, e)| s < e);
    v.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// `a` minus `b`, both sorted and disjoint.
fn subtract(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out = Vec::with_capacity(a.len());
    for &(s, e) in a {
        let mut cur = s;
        for &(bs, be) in b.iter().skip_while(|x| x.1 <= s).take_while(|x| x.0 < e) {
            if bs > cur {
                out.push((cur, bs));
            }
            cur = cur.max(be);
        }
        if cur < e {
            out.push((cur, e));
        }
    }
    out
}

/// `a ∩ b`, both sorted and disjoint.
fn intersect(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while let (Some(&(as_, ae)), Some(&(bs, be))) = (a.get(i), b.get(j)) {
        let (s, e) = (as_.max(bs), ae.min(be));
        if s < e {
            out.push((s, e));
        }
        if ae < be {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

fn clip(v: &[(i64, i64)], lo: i64, hi: i64) -> Vec<(i64, i64)> {
    v.iter().map(|&(s, e)| (s.max(lo), e.min(hi))).filter(|(s, e)| s < e).collect()
}

/// Minutes of sorted disjoint intervals inside `[lo, hi)`.
fn measure(v: &[(i64, i64)], lo: i64, hi: i64) -> i64 {
    let start = v.partition_point(|x| x.1 <= lo);
    v[start..].iter().take_while(|x| x.0 < hi).map(|&(s, e)| e.min(hi) - s.max(lo)).filter(|m| *m > 0).sum()
}

/// ISO weeks of the dates, in order: (label, first date, last date, day indexes).
fn week_groups(dates: &[NaiveDate]) -> Vec<(String, NaiveDate, NaiveDate, Vec<usize>)> {
    let mut out: Vec<(String, NaiveDate, NaiveDate, Vec<usize>)> = Vec::new();
    for (i, d) in dates.iter().enumerate() {
        let w = d.iso_week();
        let label = format!("{:04}-W{:02}", w.year(), w.week());
        match out.last_mut() {
            Some(g) if g.0 == label => {
                g.2 = *d;
                g.3.push(i);
            }
            _ => out.push((label, *d, *d, vec![i])),
        }
    }
    out
}

fn day_figures(dates: &[NaiveDate], days: &[Acc]) -> Vec<DayFigures> {
    dates.iter().zip(days).map(|(d, acc)| DayFigures { date: *d, figures: acc.figures() }).collect()
}

fn week_figures(weeks: &[(String, NaiveDate, NaiveDate, Vec<usize>)], days: &[Acc]) -> Vec<WeekFigures> {
    weeks
        .iter()
        .map(|(label, first, last, idx)| WeekFigures {
            week: label.clone(),
            first_date: *first,
            last_date: *last,
            figures: Acc::sum(idx.iter().filter_map(|&i| days.get(i))).figures(),
        })
        .collect()
}

/// Raw sums of one scope and period; [`Acc::figures`] turns them into ratios and medians.
#[derive(Debug, Clone, Default)]
struct Acc {
    counts: StatusCounts,
    available: i64,
    booked: i64,
    cancel_leads: Vec<i64>,
    booking_leads: Vec<i64>,
}

impl Acc {
    fn add_appointment(&mut self, a: &Appointment) {
        let c = &mut self.counts;
        match a.status() {
            AppointmentStatus::Proposed => c.proposed += 1,
            AppointmentStatus::Booked => c.booked += 1,
            AppointmentStatus::Arrived => c.arrived += 1,
            AppointmentStatus::Fulfilled => c.fulfilled += 1,
            AppointmentStatus::Cancelled => c.cancelled += 1,
            AppointmentStatus::Noshow => c.noshow += 1,
        }
        if a.status() == AppointmentStatus::Cancelled {
            let cancelled_at = a.history().iter().rev().find_map(|h| match h {
                HistoryEntry::StatusChanged { at, to: AppointmentStatus::Cancelled, .. } => Some(*at),
                _ => None,
            });
            if let Some(at) = cancelled_at {
                self.cancel_leads.push((a.slot().start() - at).num_minutes());
            }
        }
        let original_start = a
            .history()
            .iter()
            .find_map(|h| match h {
                HistoryEntry::Rescheduled { from, .. } => Some(from.start()),
                _ => None,
            })
            .unwrap_or(a.slot().start());
        self.booking_leads.push((original_start - a.created_at()).num_minutes());
    }

    fn merge(&mut self, o: &Acc) {
        let (c, d) = (&mut self.counts, &o.counts);
        c.proposed += d.proposed;
        c.booked += d.booked;
        c.arrived += d.arrived;
        c.fulfilled += d.fulfilled;
        c.cancelled += d.cancelled;
        c.noshow += d.noshow;
        self.available += o.available;
        self.booked += o.booked;
        self.cancel_leads.extend_from_slice(&o.cancel_leads);
        self.booking_leads.extend_from_slice(&o.booking_leads);
    }

    fn sum<'a>(parts: impl Iterator<Item = &'a Acc>) -> Acc {
        let mut total = Acc::default();
        for p in parts {
            total.merge(p);
        }
        total
    }

    fn figures(&self) -> Figures {
        let c = self.counts;
        let total = c.total();
        Figures {
            appointments: total,
            by_status: c,
            available_minutes: self.available,
            booked_minutes: self.booked,
            utilization: ratio(self.booked as f64, self.available as f64),
            no_show_rate: ratio(c.noshow as f64, (c.arrived + c.fulfilled + c.noshow) as f64),
            cancellation_rate: ratio(c.cancelled as f64, total as f64),
            late_cancellations: self.cancel_leads.iter().filter(|l| **l < LATE_CANCELLATION_MINUTES).count() as u64,
            median_cancellation_lead_minutes: median(&self.cancel_leads),
            median_booking_lead_minutes: median(&self.booking_leads),
        }
    }
}

/// `num ÷ den`, `None` for a zero denominator (never NaN or infinity).
fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

/// The median; of an even count, the mean of the two middle values. `None` when empty.
fn median(v: &[i64]) -> Option<f64> {
    let mut s = v.to_vec();
    s.sort_unstable();
    let n = s.len();
    if n == 0 {
        return None;
    }
    let hi = s.get(n / 2).copied()? as f64;
    if n % 2 == 1 {
        Some(hi)
    } else {
        Some((s.get(n / 2 - 1).copied()? as f64 + hi) / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_algebra() {
        assert_eq!(union(vec![(5, 7), (0, 2), (2, 3), (6, 9), (4, 4)]), vec![(0, 3), (5, 9)]);
        assert_eq!(subtract(&[(0, 10), (20, 30)], &[(2, 4), (8, 22), (29, 40)]), vec![(0, 2), (4, 8), (22, 29)]);
        assert_eq!(intersect(&[(0, 10), (20, 30)], &[(5, 25)]), vec![(5, 10), (20, 25)]);
        assert_eq!(measure(&[(0, 10), (20, 30)], 5, 25), 10);
        assert_eq!(measure(&[], 5, 25), 0);
    }

    #[test]
    fn medians_and_ratios() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3]), Some(3.0));
        assert_eq!(median(&[4, 1, 3, 2]), Some(2.5));
        assert_eq!(ratio(1.0, 0.0), None);
        assert_eq!(ratio(1.0, 4.0), Some(0.25));
    }
}
