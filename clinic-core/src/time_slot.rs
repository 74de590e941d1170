//! `TimeSlot`: the half-open UTC interval every rule works on.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::{ClinicError, ErrorCode};

/// The longest single appointment the engine accepts (a full working day plus margin);
/// longer "appointments" are almost always a unit mistake (days entered as minutes).
pub const MAX_SLOT_MINUTES: i64 = 12 * 60;

/// Instants the engine accepts: years 1900 through 2199. Wider values are input mistakes, and keeping them
/// out means no time-zone conversion or date arithmetic downstream can overflow.
pub fn check_instant(t: DateTime<Utc>, field: &str) -> Result<(), ClinicError> {
    let y = t.year();
    if (1900..2200).contains(&y) {
        Ok(())
    } else {
        Err(ClinicError::field(ErrorCode::InvalidTimeRange, field, format!("{t} is outside the years 1900–2199")))
    }
}

/// A half-open interval `[start, end)` in UTC with minute precision, `start < end`,
/// at most [`MAX_SLOT_MINUTES`] long. Invalid slots cannot be constructed.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use clinic_core::TimeSlot;
/// let s = TimeSlot::new(
///     Utc.with_ymd_and_hms(2027, 3, 1, 14, 0, 0).unwrap(),
///     Utc.with_ymd_and_hms(2027, 3, 1, 14, 20, 0).unwrap(),
/// ).unwrap();
/// assert_eq!(s.minutes(), 20);
/// let bad = TimeSlot::new(s.end(), s.start()).unwrap_err();
/// assert_eq!(bad.code().as_str(), "TIME_SLOT_INVERTED");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TimeSlot {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl TimeSlot {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, ClinicError> {
        if start.second() != 0 || start.nanosecond() != 0 || end.second() != 0 || end.nanosecond() != 0 {
            return Err(ClinicError::field(
                ErrorCode::TimeSlotNotMinuteAligned,
                "start",
                "slot bounds must be whole minutes",
            ));
        }
        check_instant(start, "start")?;
        check_instant(end, "end")?;
        if end < start {
            return Err(ClinicError::field(ErrorCode::TimeSlotInverted, "end", "end is before start"));
        }
        if end == start {
            return Err(ClinicError::field(ErrorCode::TimeSlotEmpty, "end", "a slot must last at least one minute"));
        }
        if (end - start).num_minutes() > MAX_SLOT_MINUTES {
            return Err(ClinicError::field(
                ErrorCode::TimeSlotTooLong,
                "end",
                format!("a slot may last at most {MAX_SLOT_MINUTES} minutes"),
            ));
        }
        Ok(TimeSlot { start, end })
    }

    /// A slot of `minutes` starting at `start`.
    pub fn starting_at(start: DateTime<Utc>, minutes: i64) -> Result<Self, ClinicError> {
        let end = Duration::try_minutes(minutes)
            .and_then(|d| start.checked_add_signed(d))
            .ok_or_else(|| ClinicError::field(ErrorCode::TimeSlotTooLong, "end", "slot end out of range"))?;
        TimeSlot::new(start, end)
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }

    /// Half-open overlap: touching slots (`a.end == b.start`) do not overlap.
    pub fn overlaps(&self, other: &TimeSlot) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Start as minutes since the Unix epoch: the engine's internal time unit.
    pub fn start_minute(&self) -> i64 {
        to_minute(self.start)
    }

    pub fn end_minute(&self) -> i64 {
        to_minute(self.end)
    }
}

impl fmt::Display for TimeSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {})", self.start.to_rfc3339(), self.end.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for TimeSlot {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            start: DateTime<Utc>,
            end: DateTime<Utc>,
        }
        let raw = Raw::deserialize(d)?;
        TimeSlot::new(raw.start, raw.end).map_err(serde::de::Error::custom)
    }
}

/// Minutes since the Unix epoch (floor).
pub fn to_minute(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(60)
}

/// Minutes since the Unix epoch, rounded up: the first whole minute at or after `t`.
/// Bounds like "now" or a search range may carry seconds; a start is only ever a whole minute,
/// so a lower bound must round up to never admit a start before the instant itself.
pub fn ceil_minute(t: DateTime<Utc>) -> i64 {
    to_minute(t) + i64::from(t.timestamp().rem_euclid(60) != 0 || t.timestamp_subsec_nanos() != 0)
}

/// The instant at a minute since the Unix epoch. Minutes come from valid instants, so this saturates
/// instead of failing for the (unreachable) out-of-range case.
pub fn from_minute(m: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(m.saturating_mul(60), 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 4, h, m, 0).unwrap()
    }

    #[test]
    fn rejects_bad_slots_with_codes() {
        assert_eq!(TimeSlot::new(t(10, 0), t(9, 0)).unwrap_err().code(), ErrorCode::TimeSlotInverted);
        assert_eq!(TimeSlot::new(t(10, 0), t(10, 0)).unwrap_err().code(), ErrorCode::TimeSlotEmpty);
        let three_days = t(10, 0) + Duration::days(3);
        assert_eq!(TimeSlot::new(t(10, 0), three_days).unwrap_err().code(), ErrorCode::TimeSlotTooLong);
        let sec = t(10, 0) + Duration::seconds(30);
        assert_eq!(TimeSlot::new(sec, t(11, 0)).unwrap_err().code(), ErrorCode::TimeSlotNotMinuteAligned);
    }

    #[test]
    fn half_open_overlap() {
        let a = TimeSlot::new(t(9, 0), t(10, 0)).unwrap();
        let b = TimeSlot::new(t(10, 0), t(11, 0)).unwrap();
        let c = TimeSlot::new(t(9, 59), t(10, 1)).unwrap();
        assert!(!a.overlaps(&b));
        assert!(a.overlaps(&c) && b.overlaps(&c));
    }

    #[test]
    fn deserialize_validates() {
        let bad = r#"{"start":"2027-01-04T10:00:00Z","end":"2027-01-04T09:00:00Z"}"#;
        assert!(serde_json::from_str::<TimeSlot>(bad).is_err());
        let ok = r#"{"start":"2027-01-04T10:00:00+01:00","end":"2027-01-04T11:00:00+01:00"}"#;
        let s: TimeSlot = serde_json::from_str(ok).unwrap();
        assert_eq!(s.start(), t(9, 0));
    }
}
