//! `Schedule`: when one resource is available, in the clinic's local wall time.
//!
//! Availability is the union of weekly hours (sugar for the common case, expanded directly because it is the
//! hot path of availability search) and RFC 5545 RRULEs (expanded by the `rrule` crate), plus dated extra
//! hours, minus breaks and dated absences, inside a validity range. Expansion goes through [`ZoneDays`], so the
//! DST rules of [`crate::zone`] apply to every bound.
//!
//! RRULEs are expanded as *floating* wall time (DTSTART written in UTC form but meaning local time), then each
//! occurrence is resolved through the clinic's zone — so gap and overlap handling is the engine's, not the
//! RRULE library's, and identical for weekly hours and RRULEs.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::{ClinicError, ErrorCode, ValidationErrors};
use crate::ids::{ClinicId, ResourceRef, ScheduleId};
use crate::zone::ZoneDays;

/// Opening hours on one weekday, `[start, end)` local time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WeeklyHours {
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// Hours given by an RFC 5545 RRULE: each occurrence opens a window of `duration_minutes` at `start` local time.
/// `rrule` is the RRULE value (`FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20271231`); DTSTART is the schedule's
/// `valid_from` at `start`. UNTIL is read as local wall time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecurringHours {
    pub rrule: String,
    pub start: NaiveTime,
    pub duration_minutes: u32,
}

/// A recurring break (lunch) on the given weekdays (empty = every day).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Break {
    #[serde(default)]
    pub weekdays: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    /// Extra hours on a date (needs start and end).
    Extra,
    /// Away on a date: the whole day, or `[start, end)`.
    Absence,
}

/// A dated change to the regular hours.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ScheduleException {
    pub date: NaiveDate,
    pub kind: ExceptionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveTime>,
    #[serde(default)]
    pub reason: String,
}

/// What a caller supplies to define a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleInput {
    pub resource: ResourceRef,
    #[serde(default)]
    pub weekly_hours: Vec<WeeklyHours>,
    #[serde(default)]
    pub recurrences: Vec<RecurringHours>,
    #[serde(default)]
    pub breaks: Vec<Break>,
    #[serde(default)]
    pub exceptions: Vec<ScheduleException>,
    pub valid_from: NaiveDate,
    /// Inclusive; absent = open-ended.
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    /// Bookable starts are this many minutes apart, counted from each window's start.
    #[serde(default = "default_granularity")]
    pub granularity_minutes: u32,
}

/// The slot granularity of a schedule that does not name one (also used by the bindings' inputs).
pub const DEFAULT_GRANULARITY_MINUTES: u32 = 5;

fn default_granularity() -> u32 {
    DEFAULT_GRANULARITY_MINUTES
}

/// One availability window in UTC epoch minutes, `[start, end)`, after breaks and absences were cut out.
/// `anchor` is the start of the window it was cut from: rule 5 aligns starts to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Window {
    pub start: i64,
    pub end: i64,
    pub anchor: i64,
    /// The schedule's granularity in minutes.
    pub step: i64,
}

/// A validated schedule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "ScheduleRecord", into = "ScheduleRecord")]
pub struct Schedule {
    id: ScheduleId,
    clinic_id: ClinicId,
    input: ScheduleInput,
    compiled: Vec<rrule::RRuleSet>,
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.clinic_id == other.clinic_id && self.input == other.input
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScheduleRecord {
    pub id: ScheduleId,
    pub clinic_id: ClinicId,
    #[serde(flatten)]
    pub input: ScheduleInput,
}

impl TryFrom<ScheduleRecord> for Schedule {
    type Error = ClinicError;
    fn try_from(r: ScheduleRecord) -> Result<Self, Self::Error> {
        Schedule::new(r.id, r.clinic_id, r.input)
    }
}

impl From<Schedule> for ScheduleRecord {
    fn from(s: Schedule) -> Self {
        ScheduleRecord { id: s.id, clinic_id: s.clinic_id, input: s.input }
    }
}

/// Most occurrences one RRULE may produce inside one expansion (the `rrule` crate's limit is a u16).
const RRULE_EXPANSION_LIMIT: u16 = u16::MAX;

impl Schedule {
    /// Validates every part and compiles the RRULEs.
    ///
    /// ```
    /// use chrono::{NaiveDate, NaiveTime, Weekday};
    /// use clinic_core::{ClinicId, PractitionerId, ResourceRef, Schedule, ScheduleId, ScheduleInput, RecurringHours};
    /// let input = ScheduleInput {
    ///     resource: ResourceRef::Practitioner(PractitionerId::new()),
    ///     weekly_hours: vec![], recurrences: vec![RecurringHours {
    ///         rrule: "FREQ=WEEKLY;BYDAY=MO".into(), start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(), duration_minutes: 240,
    ///     }],
    ///     breaks: vec![], exceptions: vec![],
    ///     valid_from: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(), valid_until: None, granularity_minutes: 15,
    /// };
    /// // No COUNT/UNTIL and no end date: the rule never ends.
    /// let e = Schedule::new(ScheduleId::new(), ClinicId::new(), input).unwrap_err();
    /// assert_eq!(e.code().as_str(), "RRULE_UNBOUNDED");
    /// ```
    pub fn new(id: ScheduleId, clinic_id: ClinicId, input: ScheduleInput) -> Result<Self, ClinicError> {
        let mut errs = ValidationErrors::new();
        if input.granularity_minutes == 0 || input.granularity_minutes > 720 {
            errs.push(ErrorCode::InvalidGranularity, "granularity_minutes", "granularity must be 1..=720 minutes");
        }
        if let Some(until) = input.valid_until {
            if until < input.valid_from {
                errs.push(ErrorCode::InvalidValidityRange, "valid_until", "valid_until is before valid_from");
            }
        }
        for (i, w) in input.weekly_hours.iter().enumerate() {
            if w.end <= w.start {
                errs.push(ErrorCode::InvalidTimeRange, format!("weekly_hours[{i}]"), "end must be after start");
            }
        }
        for (i, b) in input.breaks.iter().enumerate() {
            if b.end <= b.start {
                errs.push(ErrorCode::InvalidTimeRange, format!("breaks[{i}]"), "end must be after start");
            }
        }
        for (i, x) in input.exceptions.iter().enumerate() {
            let field = format!("exceptions[{i}]");
            match (x.kind, x.start, x.end) {
                (_, Some(s), Some(e)) if e <= s => {
                    errs.push(ErrorCode::InvalidTimeRange, field, "end must be after start")
                }
                (_, Some(_), Some(_)) => {}
                (ExceptionKind::Absence, None, None) => {}
                (ExceptionKind::Extra, None, None) => {
                    errs.push(ErrorCode::Required, field, "extra hours need start and end")
                }
                _ => {
                    errs.push(ErrorCode::Required, field, "give both start and end, or neither for a whole-day absence")
                }
            }
        }
        let mut compiled = Vec::with_capacity(input.recurrences.len());
        for (i, r) in input.recurrences.iter().enumerate() {
            let field = format!("recurrences[{i}]");
            if r.duration_minutes == 0 || r.duration_minutes > 24 * 60 {
                errs.push(
                    ErrorCode::InvalidDuration,
                    format!("{field}.duration_minutes"),
                    "duration must be 1..=1440 minutes",
                );
            }
            match compile_rrule(&r.rrule, input.valid_from, r.start, input.valid_until) {
                Ok(set) => compiled.push(set),
                Err((code, msg)) => errs.push(code, format!("{field}.rrule"), msg),
            }
        }
        if input.weekly_hours.is_empty()
            && input.recurrences.is_empty()
            && input.exceptions.iter().all(|x| x.kind != ExceptionKind::Extra)
        {
            errs.push(ErrorCode::Required, "weekly_hours", "a schedule needs weekly hours, an RRULE or extra hours");
        }
        errs.into_result()?;
        Ok(Schedule { id, clinic_id, input, compiled })
    }

    pub fn id(&self) -> ScheduleId {
        self.id
    }
    pub fn clinic_id(&self) -> ClinicId {
        self.clinic_id
    }
    pub fn resource(&self) -> ResourceRef {
        self.input.resource
    }
    pub fn granularity_minutes(&self) -> u32 {
        self.input.granularity_minutes
    }
    pub fn input(&self) -> &ScheduleInput {
        &self.input
    }

    /// Whether the schedule is in force on a local date.
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        date >= self.input.valid_from && self.input.valid_until.is_none_or(|u| date <= u)
    }

    /// Availability windows whose local start date is in `first..=last`, sorted by start. `days` must cover
    /// `first..=last+1` for the fast path (any range is correct).
    pub fn windows(&self, days: &ZoneDays, first: NaiveDate, last: NaiveDate) -> Vec<Window> {
        let first = first.max(self.input.valid_from);
        let last = match self.input.valid_until {
            Some(u) => last.min(u),
            None => last,
        };
        if last < first {
            return Vec::new();
        }
        let step = i64::from(self.input.granularity_minutes);
        let mut raw: Vec<Window> = Vec::new();
        let mut blocked: Vec<(i64, i64)> = Vec::new();
        let mut d = first;
        while d <= last {
            let wd = d.weekday();
            for w in self.input.weekly_hours.iter().filter(|w| w.weekday == wd) {
                push_window(&mut raw, days.to_utc_minute(d, w.start), days.to_utc_minute(d, w.end), step);
            }
            for b in self.input.breaks.iter().filter(|b| b.weekdays.is_empty() || b.weekdays.contains(&wd)) {
                blocked.push((days.to_utc_minute(d, b.start), days.to_utc_minute(d, b.end)));
            }
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
        for x in self.input.exceptions.iter().filter(|x| x.date >= first && x.date <= last) {
            let (s, e) = match (x.start, x.end) {
                (Some(s), Some(e)) => (days.to_utc_minute(x.date, s), days.to_utc_minute(x.date, e)),
                _ => {
                    let next = x.date.succ_opt().unwrap_or(x.date);
                    (days.day_start_minute(x.date), days.day_start_minute(next))
                }
            };
            match x.kind {
                ExceptionKind::Extra => push_window(&mut raw, s, e, step),
                ExceptionKind::Absence => blocked.push((s, e)),
            }
        }
        for (rule, set) in self.input.recurrences.iter().zip(&self.compiled) {
            for local in rrule_occurrences(set, first, last) {
                let end_local = local + Duration::minutes(i64::from(rule.duration_minutes));
                let s = days.to_utc_minute(local.date(), local.time());
                let e = days.to_utc_minute(end_local.date(), end_local.time());
                push_window(&mut raw, s, e, step);
            }
        }
        raw.sort_unstable();
        if blocked.is_empty() {
            return raw;
        }
        blocked.retain(|(s, e)| s < e);
        blocked.sort_unstable();
        let mut out = subtract_blocked(raw, &blocked);
        // Raw windows may overlap (two weekly hours on one day, an RRULE over weekly hours); cutting a break out
        // of each then leaves the second one's morning piece after the first one's afternoon piece. Restore the
        // order promised above (found by the `schedule_json` fuzz target; regression test in
        // `tests/fuzz_regressions.rs`). The common disjoint case is already sorted and pays one linear check.
        if !out.is_sorted() {
            out.sort_unstable();
        }
        out
    }
}

fn push_window(out: &mut Vec<Window>, start: i64, end: i64, step: i64) {
    if start < end {
        out.push(Window { start, end, anchor: start, step });
    }
}

/// Cuts every blocked interval out of the windows, keeping each piece's anchor.
fn subtract_blocked(windows: Vec<Window>, blocked: &[(i64, i64)]) -> Vec<Window> {
    let mut out = Vec::with_capacity(windows.len() + blocked.len());
    for w in windows {
        let mut cur = w.start;
        // Blocked intervals that may touch this window: those starting before its end.
        let upto = blocked.partition_point(|b| b.0 < w.end);
        for &(bs, be) in &blocked[..upto] {
            if be <= cur {
                continue;
            }
            if bs > cur {
                out.push(Window { start: cur, end: bs.min(w.end), ..w });
            }
            cur = cur.max(be);
            if cur >= w.end {
                break;
            }
        }
        if cur < w.end {
            out.push(Window { start: cur, ..w });
        }
    }
    out.retain(|w| w.start < w.end);
    out
}

/// Floating-time ("UTC" standing for local wall time) representation of a local datetime for `rrule`.
fn floating(dt: NaiveDateTime) -> DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&dt)
}

fn rrule_occurrences(set: &rrule::RRuleSet, first: NaiveDate, last: NaiveDate) -> Vec<NaiveDateTime> {
    let from = first.and_time(NaiveTime::MIN);
    let to = last.succ_opt().unwrap_or(last).and_time(NaiveTime::MIN);
    let res = set.clone().after(floating(from - Duration::seconds(1))).before(floating(to)).all(RRULE_EXPANSION_LIMIT);
    res.dates.into_iter().map(|d| d.naive_utc()).filter(|d| *d >= from && *d < to).collect()
}

/// Normalizes the user's RRULE value and compiles it with DTSTART = `valid_from` + `start` (floating).
fn compile_rrule(
    raw: &str,
    valid_from: NaiveDate,
    start: NaiveTime,
    valid_until: Option<NaiveDate>,
) -> Result<rrule::RRuleSet, (ErrorCode, String)> {
    let invalid = |m: String| (ErrorCode::InvalidRrule, m);
    let value = raw.trim();
    let value = value.strip_prefix("RRULE:").unwrap_or(value);
    if value.is_empty() || value.len() > 1000 {
        return Err(invalid("an RRULE value is required (at most 1000 characters)".into()));
    }
    // RFC 5545 RRULE values are ASCII; the `rrule` crate (0.14) slices BYDAY values by byte and panics inside a
    // multi-byte character (found by `fuzz/` target `rrule`, regression test in `tests/fuzz_regressions.rs`).
    if !value.is_ascii() {
        return Err(invalid("an RRULE is plain ASCII (FREQ=WEEKLY;BYDAY=MO,…)".into()));
    }
    if value.contains(['\n', '\r']) || value.to_ascii_uppercase().contains("DTSTART") {
        return Err(invalid("give only the RRULE value; DTSTART comes from the schedule".into()));
    }
    let mut parts = Vec::new();
    let mut bounded = false;
    for part in value.split(';').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').ok_or_else(|| invalid(format!("{part:?} is not NAME=VALUE")))?;
        let k = k.trim().to_ascii_uppercase();
        let v = v.trim().to_ascii_uppercase();
        match k.as_str() {
            "FREQ" if matches!(v.as_str(), "SECONDLY" | "MINUTELY") => {
                return Err(invalid("FREQ must be HOURLY or slower".into()));
            }
            "COUNT" => bounded = true,
            "UNTIL" => {
                bounded = true;
                // UNTIL is local wall time; in floating form it is written with a Z like DTSTART.
                let v = v.trim_end_matches('Z');
                let v = if v.len() == 8 { format!("{v}T235959") } else { v.to_string() };
                let until = NaiveDateTime::parse_from_str(&v, "%Y%m%dT%H%M%S")
                    .map_err(|_| invalid(format!("UNTIL={v} is not a date or date-time")))?;
                if until < valid_from.and_time(start) {
                    return Err((ErrorCode::RruleNoOccurrences, "UNTIL is before the schedule starts".into()));
                }
                parts.push(format!("UNTIL={v}Z"));
                continue;
            }
            _ => {}
        }
        parts.push(format!("{k}={v}"));
    }
    if !bounded && valid_until.is_none() {
        return Err((
            ErrorCode::RruleUnbounded,
            "the RRULE never ends: add COUNT or UNTIL, or give the schedule a valid_until".into(),
        ));
    }
    let dtstart = valid_from.and_time(start).format("%Y%m%dT%H%M%SZ");
    let text = format!("DTSTART:{dtstart}\nRRULE:{}", parts.join(";"));
    let set: rrule::RRuleSet = text.parse().map_err(|e: rrule::RRuleError| invalid(format!("invalid RRULE: {e}")))?;
    let mut first = set.clone();
    if let Some(until) = valid_until {
        first = first.before(floating(until.succ_opt().unwrap_or(until).and_time(NaiveTime::MIN)));
    }
    if first.all(1).dates.is_empty() {
        return Err((
            ErrorCode::RruleNoOccurrences,
            "the RRULE never produces an occurrence while the schedule is valid".into(),
        ));
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PractitionerId;
    use crate::zone::parse_tz;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }
    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn input() -> ScheduleInput {
        ScheduleInput {
            resource: ResourceRef::Practitioner(PractitionerId::new()),
            weekly_hours: vec![],
            recurrences: vec![],
            breaks: vec![],
            exceptions: vec![],
            valid_from: d(2027, 1, 1),
            valid_until: Some(d(2027, 12, 31)),
            granularity_minutes: 15,
        }
    }

    #[test]
    fn weekly_hours_equal_the_equivalent_rrule_across_dst() {
        let tz = parse_tz("America/New_York").unwrap();
        let mut a = input();
        for wd in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sun] {
            a.weekly_hours.push(WeeklyHours { weekday: wd, start: t(1, 30), end: t(5, 0) });
        }
        let mut b = input();
        b.recurrences.push(RecurringHours {
            rrule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SU".into(),
            start: t(1, 30),
            duration_minutes: 210,
        });
        let a = Schedule::new(ScheduleId::new(), ClinicId::new(), a).unwrap();
        let b = Schedule::new(ScheduleId::new(), ClinicId::new(), b).unwrap();
        // Both DST days of 2027 fall on Sundays; away from them the two must agree exactly.
        let days = ZoneDays::new(tz, d(2027, 1, 1), d(2028, 1, 1));
        let wa = a.windows(&days, d(2027, 1, 1), d(2027, 12, 31));
        let wb = b.windows(&days, d(2027, 1, 1), d(2027, 12, 31));
        assert_eq!(wa.len(), 6 * 52 + 1);
        // Weekly hours end at 05:00 local; the RRULE's 210 wall-clock minutes also end at 05:00 local.
        assert_eq!(wa, wb);
    }

    #[test]
    fn spring_forward_window_is_an_hour_shorter() {
        let tz = parse_tz("America/New_York").unwrap();
        let mut i = input();
        i.weekly_hours.push(WeeklyHours { weekday: Weekday::Sun, start: t(1, 0), end: t(5, 0) });
        let s = Schedule::new(ScheduleId::new(), ClinicId::new(), i).unwrap();
        let days = ZoneDays::new(tz, d(2027, 3, 14), d(2027, 3, 15));
        let w = s.windows(&days, d(2027, 3, 14), d(2027, 3, 14));
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].end - w[0].start, 180);
    }

    #[test]
    fn breaks_and_absences_cut_windows_keeping_anchor() {
        let tz = parse_tz("Europe/London").unwrap();
        let mut i = input();
        i.weekly_hours.push(WeeklyHours { weekday: Weekday::Mon, start: t(8, 0), end: t(12, 0) });
        i.breaks.push(Break { weekdays: vec![], start: t(10, 0), end: t(10, 15) });
        i.exceptions.push(ScheduleException {
            date: d(2027, 1, 11),
            kind: ExceptionKind::Absence,
            start: None,
            end: None,
            reason: "leave".into(),
        });
        let s = Schedule::new(ScheduleId::new(), ClinicId::new(), i).unwrap();
        let days = ZoneDays::new(tz, d(2027, 1, 4), d(2027, 1, 12));
        let w = s.windows(&days, d(2027, 1, 4), d(2027, 1, 11));
        assert_eq!(w.len(), 2, "Jan 4 split by the break; Jan 11 absent");
        assert_eq!(w[0].anchor, w[1].anchor);
        assert_eq!(w[1].start - w[0].end, 15);
    }

    #[test]
    fn bad_rrules_have_codes() {
        let cases = [
            ("FREQ=WEEKLY;BYDAY=XX", ErrorCode::InvalidRrule),
            ("FREQ=MINUTELY;COUNT=3", ErrorCode::InvalidRrule),
            ("nonsense", ErrorCode::InvalidRrule),
            ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", ErrorCode::RruleNoOccurrences),
            ("FREQ=DAILY;UNTIL=20261231", ErrorCode::RruleNoOccurrences),
        ];
        for (rule, code) in cases {
            let mut i = input();
            i.recurrences.push(RecurringHours { rrule: rule.into(), start: t(9, 0), duration_minutes: 60 });
            let e = Schedule::new(ScheduleId::new(), ClinicId::new(), i).unwrap_err();
            assert_eq!(e.code(), code, "{rule}: {e}");
        }
        let mut i = input();
        i.valid_until = None;
        i.recurrences.push(RecurringHours { rrule: "FREQ=DAILY".into(), start: t(9, 0), duration_minutes: 60 });
        assert_eq!(Schedule::new(ScheduleId::new(), ClinicId::new(), i).unwrap_err().code(), ErrorCode::RruleUnbounded);
    }

    #[test]
    fn rrule_with_count_and_until() {
        let tz = parse_tz("Europe/London").unwrap();
        let mut i = input();
        i.valid_until = None;
        i.recurrences.push(RecurringHours { rrule: "FREQ=DAILY;COUNT=3".into(), start: t(9, 0), duration_minutes: 60 });
        i.recurrences.push(RecurringHours {
            rrule: "RRULE:FREQ=WEEKLY;BYDAY=FR;UNTIL=20270115".into(),
            start: t(14, 0),
            duration_minutes: 30,
        });
        let s = Schedule::new(ScheduleId::new(), ClinicId::new(), i).unwrap();
        let days = ZoneDays::new(tz, d(2027, 1, 1), d(2027, 3, 1));
        assert_eq!(s.windows(&days, d(2027, 1, 1), d(2027, 2, 28)).len(), 3 + 3);
    }
}
