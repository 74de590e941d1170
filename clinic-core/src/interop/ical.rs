//! iCalendar (RFC 5545) export of appointments.
//!
//! A small writer instead of a general iCalendar crate: the output uses a handful of properties, and the two
//! details that matter — TEXT escaping (§3.3.11) and folding of content lines longer than 75 octets at a
//! character boundary (§3.1) — are tested here against the RFC's rules and, in `tests/interop_ical.rs`, by
//! parsing the output with Python's `icalendar` package.
//!
//! ## What an event says
//!
//! | property | value |
//! |---|---|
//! | `UID` | `<appointment uuid>@clinic-scheduling` — stable across reschedules and exports |
//! | `DTSTAMP` | the appointment's `updated_at` (no `METHOD` is written, so RFC 5545 §3.8.7.2 makes DTSTAMP the last revision in the store; this keeps a feed byte-identical until something changes) |
//! | `DTSTART`/`DTEND` | UTC (`…Z`) |
//! | `SUMMARY` | see [`EventText`]: the caller composes it (the use cases keep patient PII out unless asked) |
//! | `STATUS` | proposed → `TENTATIVE`; booked, arrived, fulfilled → `CONFIRMED`; cancelled → `CANCELLED`; noshow → `CONFIRMED` (the time was held and the event happened as scheduled from the calendar's point of view; the precise status is in `X-CLINIC-STATUS`) |
//! | `SEQUENCE` | the number of reschedules in the appointment's history |
//! | `CREATED`, `LAST-MODIFIED` | `created_at`, `updated_at` |
//! | `X-CLINIC-STATUS` | the domain status (`noshow`, `arrived`, …) |

use chrono::{DateTime, Utc};

use crate::model::{Appointment, AppointmentStatus};

use super::PRODUCT_DOMAIN;

/// `PRODID` of every calendar this module writes.
pub const PRODID: &str = "-//clinic-scheduling//clinic-core//EN";

/// The human text of one event. Nothing here is derived from the appointment by the writer itself, so the
/// caller decides what personal data a feed carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventText {
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
}

/// One appointment and its text.
#[derive(Debug, Clone)]
pub struct CalendarEvent<'a> {
    pub appointment: &'a Appointment,
    pub text: EventText,
}

/// The iCalendar `STATUS` of an appointment status.
pub fn ical_status(s: AppointmentStatus) -> &'static str {
    match s {
        AppointmentStatus::Proposed => "TENTATIVE",
        AppointmentStatus::Booked
        | AppointmentStatus::Arrived
        | AppointmentStatus::Fulfilled
        | AppointmentStatus::Noshow => "CONFIRMED",
        AppointmentStatus::Cancelled => "CANCELLED",
    }
}

/// The stable `UID` of an appointment.
pub fn event_uid(a: &Appointment) -> String {
    format!("{}@{PRODUCT_DOMAIN}", a.id())
}

/// Writes a `VCALENDAR` with one `VEVENT` per event, CRLF line ends, lines folded at 75 octets.
/// `name` becomes `X-WR-CALNAME` (the display name most clients show) when given.
pub fn write_calendar(name: Option<&str>, events: &[CalendarEvent<'_>]) -> String {
    let mut w = Writer::default();
    w.line("BEGIN", "VCALENDAR");
    w.line("VERSION", "2.0");
    w.line("PRODID", PRODID);
    w.line("CALSCALE", "GREGORIAN");
    if let Some(n) = name {
        w.line("X-WR-CALNAME", &escape_text(n));
    }
    for e in events {
        let a = e.appointment;
        w.line("BEGIN", "VEVENT");
        w.line("UID", &escape_text(&event_uid(a)));
        w.line("DTSTAMP", &utc(a.updated_at()));
        w.line("DTSTART", &utc(a.slot().start()));
        w.line("DTEND", &utc(a.slot().end()));
        w.line("SUMMARY", &escape_text(&e.text.summary));
        if let Some(d) = &e.text.description {
            w.line("DESCRIPTION", &escape_text(d));
        }
        if let Some(l) = &e.text.location {
            w.line("LOCATION", &escape_text(l));
        }
        w.line("STATUS", ical_status(a.status()));
        w.line("SEQUENCE", &a.reschedule_count().to_string());
        w.line("CREATED", &utc(a.created_at()));
        w.line("LAST-MODIFIED", &utc(a.updated_at()));
        w.line("TRANSP", if a.status() == AppointmentStatus::Cancelled { "TRANSPARENT" } else { "OPAQUE" });
        w.line("X-CLINIC-STATUS", a.status().as_str());
        w.line("END", "VEVENT");
    }
    w.line("END", "VCALENDAR");
    w.out
}

/// A UTC DATE-TIME in form #2 of RFC 5545 §3.3.5 (`19980119T070000Z`).
pub fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma are backslash-escaped, line breaks
/// become `\n`; other control characters (not allowed in TEXT) are dropped.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line (without its CRLF) so no physical line exceeds 75 octets, breaking only at UTF-8
/// character boundaries; continuation lines start with one space (RFC 5545 §3.1).
pub fn fold_line(line: &str) -> String {
    const LIMIT: usize = 75;
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut used = 0; // octets on the current physical line
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > LIMIT {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out
}

#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    fn line(&mut self, name: &str, value: &str) {
        self.out.push_str(&fold_line(&format!("{name}:{value}")));
        self.out.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_per_rfc_5545_3_3_11() {
        assert_eq!(escape_text("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
        assert_eq!(escape_text("bell\u{7}tab\t"), "belltab ");
        // The RFC's own example of an escaped DESCRIPTION value.
        assert_eq!(
            escape_text("Project XYZ Final Review\nConference Room - 3B\nCome Prepared."),
            "Project XYZ Final Review\\nConference Room - 3B\\nCome Prepared."
        );
    }

    #[test]
    fn folds_at_75_octets_on_char_boundaries() {
        let short = "SUMMARY:short";
        assert_eq!(fold_line(short), short);
        let exact = format!("DESCRIPTION:{}", "x".repeat(75 - 12));
        assert_eq!(exact.len(), 75);
        assert_eq!(fold_line(&exact), exact);
        let long = format!("DESCRIPTION:{}", "é".repeat(100)); // 2 octets each
        let folded = fold_line(&long);
        for (i, phys) in folded.split("\r\n").enumerate() {
            assert!(phys.len() <= 75, "line {i} has {} octets", phys.len());
            if i > 0 {
                assert!(phys.starts_with(' '));
            }
        }
        // Unfolding (§3.1: remove CRLF followed by one whitespace) restores the line.
        assert_eq!(folded.replace("\r\n ", ""), long);
        let emoji = format!("SUMMARY:{}", "🦀".repeat(40)); // 4 octets each
        let folded = fold_line(&emoji);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(folded.replace("\r\n ", ""), emoji);
    }

    #[test]
    fn utc_form() {
        let t = DateTime::<Utc>::from_timestamp(884_934_000, 0).unwrap_or_default();
        assert_eq!(utc(t), "19980116T070000Z");
    }
}
