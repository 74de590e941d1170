//! Local wall time → UTC, with the DST rules of DESIGN.md §3 "Time".
//!
//! * A local time inside a spring-forward gap does not exist: it resolves to the first instant after the gap,
//!   so a window bound in the gap is clipped and no slot ever *starts* at a non-existent local time.
//! * An ambiguous local time (fall-back) resolves to the earlier instant; slots are laid out in real elapsed
//!   time from there, so the repeated hour never yields two overlapping slots.
//!
//! [`ZoneDays`] caches, per local date of a query range, the day's fixed UTC offset (or marks a transition day)
//! so expanding thousands of windows costs one zone lookup per day instead of one per bound.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{ClinicError, ErrorCode};
use crate::time_slot::to_minute;

/// Parses an IANA zone name (`"Europe/London"`).
pub fn parse_tz(name: &str) -> Result<Tz, ClinicError> {
    name.trim().parse::<Tz>().map_err(|_| {
        ClinicError::field(ErrorCode::InvalidTimeZone, "time_zone", format!("{name:?} is not an IANA time zone"))
    })
}

/// Resolves a local wall time in `tz` to an instant by the rules above.
///
/// ```
/// use chrono::NaiveDate;
/// use clinic_core::zone::resolve_local;
/// let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
/// // 02:30 does not exist on 2027-03-14: it resolves to 03:00 EDT (07:00 UTC).
/// let gap = NaiveDate::from_ymd_opt(2027, 3, 14).unwrap().and_hms_opt(2, 30, 0).unwrap();
/// assert_eq!(resolve_local(tz, gap).to_rfc3339(), "2027-03-14T07:00:00+00:00");
/// // 01:30 happens twice on 2027-11-07: the earlier (EDT) instant wins.
/// let dup = NaiveDate::from_ymd_opt(2027, 11, 7).unwrap().and_hms_opt(1, 30, 0).unwrap();
/// assert_eq!(resolve_local(tz, dup).to_rfc3339(), "2027-11-07T05:30:00+00:00");
/// ```
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // Walk forward to the first existing local minute: the end of the gap (gaps are < 1 day).
            let mut probe = local;
            for _ in 0..(26 * 60) {
                probe += Duration::minutes(1);
                match tz.from_local_datetime(&probe) {
                    LocalResult::Single(t) => return t.with_timezone(&Utc),
                    LocalResult::Ambiguous(a, b) => return a.min(b).with_timezone(&Utc),
                    LocalResult::None => {}
                }
            }
            // Unreachable for real zone data; fall back to treating the offset as the standard one.
            let off = tz.offset_from_utc_datetime(&local).fix();
            DateTime::<Utc>::from_naive_utc_and_offset(local - Duration::seconds(off.local_minus_utc() as i64), Utc)
        }
    }
}

/// The clinic-local calendar date of an instant.
pub fn local_date(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// Per-day offsets for a contiguous range of local dates (see module docs).
///
/// Offsets are kept in seconds, not minutes: before standard time a zone's offset is its local mean time, with
/// seconds (Asia/Kathmandu +5:41:16, Europe/London −0:01:15), and a cache in whole minutes put a local time that
/// has seconds one minute away from the uncached path (found by the `schedule_json` fuzz target on a schedule
/// valid from the year 1013; regression test in `tests/fuzz_regressions.rs`).
#[derive(Debug, Clone)]
pub struct ZoneDays {
    tz: Tz,
    first: NaiveDate,
    /// `Some(offset_seconds)` = fixed offset all day (local − UTC); `None` = a transition happens that day.
    days: Vec<Option<i64>>,
}

impl ZoneDays {
    /// Covers `first..=last` (local dates). An inverted range covers nothing (every call takes the slow path).
    pub fn new(tz: Tz, first: NaiveDate, last: NaiveDate) -> Self {
        let n = (last - first).num_days().clamp(-1, 40_000) + 1;
        let mut days = Vec::with_capacity(n.max(0) as usize);
        let mut d = first;
        let mut start_utc = resolve_local(tz, d.and_time(NaiveTime::MIN)).timestamp();
        for _ in 0..n {
            let Some(next) = d.succ_opt() else { break };
            let next_utc = resolve_local(tz, next.and_time(NaiveTime::MIN)).timestamp();
            if next_utc - start_utc == 24 * 60 * 60 {
                let local = d.and_time(NaiveTime::MIN).and_utc().timestamp();
                days.push(Some(local - start_utc));
            } else {
                days.push(None);
            }
            d = next;
            start_utc = next_utc;
        }
        ZoneDays { tz, first, days }
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// `resolve_local(date + time)` in minutes since the epoch, O(1) outside transition days.
    #[inline]
    pub fn to_utc_minute(&self, date: NaiveDate, time: NaiveTime) -> i64 {
        let idx = (date - self.first).num_days();
        if idx >= 0 {
            if let Some(Some(offset)) = self.days.get(idx as usize) {
                let local = date.and_time(time).and_utc().timestamp();
                return (local - offset).div_euclid(60);
            }
        }
        to_minute(resolve_local(self.tz, date.and_time(time)))
    }

    /// The start of a local day (midnight, or the first instant after a midnight gap).
    pub fn day_start_minute(&self, date: NaiveDate) -> i64 {
        self.to_utc_minute(date, NaiveTime::MIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn zone_days_agree_with_resolve_local_every_quarter_hour() {
        for name in ["America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Havana", "Asia/Kolkata"] {
            let tz = parse_tz(name).unwrap();
            let zd = ZoneDays::new(tz, d(2027, 1, 1), d(2027, 12, 31));
            let mut date = d(2027, 1, 1);
            while date <= d(2027, 12, 31) {
                for q in 0..96 {
                    let t = NaiveTime::from_hms_opt(q / 4, (q % 4) * 15, 0).unwrap();
                    assert_eq!(
                        zd.to_utc_minute(date, t),
                        to_minute(resolve_local(tz, date.and_time(t))),
                        "{name} {date} {t}"
                    );
                }
                date = date.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn zone_days_agree_with_resolve_local_under_local_mean_time() {
        // Offsets with seconds (LMT) and local times with seconds: the cache must round like the zone does.
        for name in ["Asia/Kathmandu", "Europe/London", "America/New_York", "Africa/Monrovia"] {
            let tz = parse_tz(name).unwrap();
            for (first, last) in [(d(1013, 1, 1), d(1013, 1, 20)), (d(1890, 1, 1), d(1890, 1, 20))] {
                let zd = ZoneDays::new(tz, first, last);
                let mut date = first;
                while date <= last {
                    for (h, m, sec) in [(0, 0, 0), (9, 0, 0), (9, 0, 40), (12, 59, 59), (23, 59, 30)] {
                        let t = NaiveTime::from_hms_opt(h, m, sec).unwrap();
                        let slow = to_minute(resolve_local(tz, date.and_time(t)));
                        assert_eq!(zd.to_utc_minute(date, t), slow, "{name} {date} {t}");
                    }
                    date = date.succ_opt().unwrap();
                }
            }
        }
    }

    #[test]
    fn lord_howe_half_hour_gap() {
        let tz = parse_tz("Australia/Lord_Howe").unwrap();
        // 2027-10-03 02:00 → 02:30 (+10:30 → +11:00): 02:15 does not exist.
        let t = resolve_local(tz, d(2027, 10, 3).and_hms_opt(2, 15, 0).unwrap());
        assert_eq!(t.with_timezone(&tz).format("%H:%M").to_string(), "02:30");
    }

    #[test]
    fn bad_zone_has_code() {
        assert_eq!(parse_tz("Mars/Olympus").unwrap_err().code(), ErrorCode::InvalidTimeZone);
    }
}
