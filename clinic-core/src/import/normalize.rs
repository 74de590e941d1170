//! Cell → value conversions shared by the record types: dates in every form a clinic's export produces.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::Cell;

/// How a slashed date (`01/02/1980`, also with `.` or `-`) is read. ISO `yyyy-mm-dd` and Excel serial
/// numbers are accepted whatever the order, so a file mixing them still imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `dd/mm/yyyy`
    #[default]
    DayFirst,
    /// `mm/dd/yyyy`
    MonthFirst,
}

/// Excel's day 0 for serials ≥ 61 (its fictitious 1900-02-29, serial 60, shifts everything after it).
fn excel_epoch() -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1899, 12, 30)
}

/// The date of an Excel serial day number (the fraction, a time of day, is dropped).
pub fn excel_serial_date(serial: f64) -> Result<NaiveDate, String> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return Err(format!("{serial} is not an Excel date serial (1 to 2958465)"));
    }
    let day = serial.floor() as i64;
    if day == 60 {
        return Err("serial 60 is Excel's 1900-02-29, a date that does not exist".into());
    }
    let day = if day < 60 { day + 1 } else { day };
    excel_epoch()
        .and_then(|e| e.checked_add_signed(Duration::days(day)))
        .ok_or_else(|| format!("serial {serial} is out of range"))
}

/// Reads a date cell. Errors are messages for the rejection report.
pub fn parse_date(cell: &Cell, order: DateOrder) -> Result<NaiveDate, String> {
    match cell {
        Cell::Number(n) | Cell::Date(n) => excel_serial_date(*n),
        Cell::Text(s) => parse_date_text(s.trim(), order),
        Cell::Bool(_) | Cell::Empty | Cell::Formula(_) => Err("not a date".into()),
    }
}

fn ymd(y: i64, m: i64, d: i64, raw: &str) -> Result<NaiveDate, String> {
    let (y, m, d) = (i32::try_from(y), u32::try_from(m), u32::try_from(d));
    match (y, m, d) {
        (Ok(y), Ok(m), Ok(d)) => {
            NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("{raw:?} is not a date that exists"))
        }
        _ => Err(format!("{raw:?} is not a date")),
    }
}

/// Splits `a<sep>b<sep>c` into three numbers (all-digit parts only).
fn three_parts(s: &str) -> Option<([i64; 3], [usize; 3])> {
    let sep = s.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let mut it = s.split(sep);
    let mut out = [0i64; 3];
    let mut lens = [0usize; 3];
    for i in 0..3 {
        let p = it.next()?;
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out[i] = p.parse().ok()?;
        lens[i] = p.len();
    }
    if it.next().is_some() {
        return None;
    }
    Some((out, lens))
}

pub fn parse_date_text(s: &str, order: DateOrder) -> Result<NaiveDate, String> {
    if s.is_empty() {
        return Err("empty date".into());
    }
    // A spreadsheet exported as text often keeps a time: `1980-02-15 00:00:00`, `1980-02-15T00:00`.
    let date_part = s.split(['T', ' ']).next().unwrap_or(s);
    if date_part.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && date_part.bytes().filter(|b| *b == b'.').count() <= 1
        && date_part.len() <= 12
    {
        let n: f64 = date_part.parse().map_err(|_| format!("{s:?} is not a date"))?;
        return excel_serial_date(n);
    }
    let Some(([a, b, c], [la, _, lc])) = three_parts(date_part) else {
        return Err(format!("{s:?} is not a date (use yyyy-mm-dd, dd/mm/yyyy or mm/dd/yyyy)"));
    };
    if la == 4 {
        return ymd(a, b, c, s);
    }
    if lc != 4 {
        return Err(format!("{s:?} needs a four-digit year"));
    }
    match order {
        DateOrder::DayFirst => ymd(c, b, a, s),
        DateOrder::MonthFirst => ymd(c, a, b, s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_form() {
        let t = |s: &str, o| parse_date(&Cell::Text(s.into()), o);
        assert_eq!(t("1980-02-15", DateOrder::DayFirst), Ok(d(1980, 2, 15)));
        assert_eq!(t("15/02/1980", DateOrder::DayFirst), Ok(d(1980, 2, 15)));
        assert_eq!(t("02/15/1980", DateOrder::MonthFirst), Ok(d(1980, 2, 15)));
        assert_eq!(t("15.2.1980", DateOrder::DayFirst), Ok(d(1980, 2, 15)));
        assert_eq!(t("29266", DateOrder::DayFirst), Ok(d(1980, 2, 15)));
        assert_eq!(t("1980-02-15 00:00:00", DateOrder::DayFirst), Ok(d(1980, 2, 15)));
        assert_eq!(parse_date(&Cell::Date(29266.5), DateOrder::DayFirst), Ok(d(1980, 2, 15)));
        assert_eq!(excel_serial_date(1.0), Ok(d(1900, 1, 1)));
        assert_eq!(excel_serial_date(61.0), Ok(d(1900, 3, 1)));
        for bad in ["1980-02-30", "31/04/1990", "02/15/1980", "15/02/80", "yesterday", "60", "1980-2", "1980-02-15-1"] {
            assert!(t(bad, DateOrder::DayFirst).is_err(), "{bad}");
        }
    }
}
