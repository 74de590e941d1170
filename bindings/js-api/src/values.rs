//! Scalar values of the JavaScript API — ids, instants, local dates and times — as strings on the wire.
//!
//! Each is parsed while deserializing, and a bad one fails with the engine's code (`INVALID_ID`,
//! `INVALID_DATE`) rather than a generic shape error: the code travels inside the serde error message
//! (see [`coded`]) because serde errors carry only text, whatever the deserializer (napi, wasm, JSON).

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};
use clinic_core::ErrorCode;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use uuid::Uuid;

/// Marks a serde error message as carrying an engine code: `"\u{1}CODE\u{1}message"`.
pub(crate) const CODE_MARK: char = '\u{1}';

/// A serde error that [`crate::JsApiError`] turns back into `code` + `message`.
pub(crate) fn coded<E: de::Error>(code: ErrorCode, message: impl fmt::Display) -> E {
    E::custom(format_args!("{CODE_MARK}{code}{CODE_MARK}{message}"))
}

/// The longest string any scalar accepts before parsing: keeps a multi-megabyte "id" from being echoed
/// back whole in an error message.
const MAX_SCALAR_CHARS: usize = 64;

fn shown(s: &str) -> String {
    if s.chars().count() > MAX_SCALAR_CHARS {
        let cut: String = s.chars().take(MAX_SCALAR_CHARS).collect();
        format!("{cut:?}… ({} characters)", s.chars().count())
    } else {
        format!("{s:?}")
    }
}

macro_rules! string_scalar {
    ($(#[$doc:meta])* $name:ident($inner:ty), $expecting:literal, $code:expr, $parse:expr, $show:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $inner);

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let show: fn(&$inner) -> String = $show;
                s.serialize_str(&show(&self.0))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, s: &str) -> Result<$name, E> {
                        let parse: fn(&str) -> Option<$inner> = $parse;
                        match parse(s) {
                            Some(v) => Ok($name(v)),
                            None => Err(coded($code, format_args!("{} is not {}", shown(s), $expecting))),
                        }
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

string_scalar!(
    /// A UUID (any version), e.g. `"0190f5a2-…"`.
    Id(Uuid),
    "a UUID",
    ErrorCode::InvalidId,
    |s| Uuid::parse_str(s.trim()).ok(),
    |u| u.to_string()
);

string_scalar!(
    /// An instant as RFC 3339 with an offset (`"2027-02-01T14:00:00Z"`, `"…+01:00"`); given back in UTC.
    Instant(DateTime<Utc>),
    "an RFC 3339 date-time with an offset",
    ErrorCode::InvalidDate,
    |s| DateTime::parse_from_rfc3339(s.trim()).ok().map(|t| t.with_timezone(&Utc)),
    |t| t.to_rfc3339_opts(SecondsFormat::Secs, true)
);

string_scalar!(
    /// A calendar date, `"YYYY-MM-DD"`.
    Date(NaiveDate),
    "a date (YYYY-MM-DD)",
    ErrorCode::InvalidDate,
    |s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
    |d| d.format("%Y-%m-%d").to_string()
);

string_scalar!(
    /// A local wall time, `"HH:MM"` or `"HH:MM:SS"`.
    Time(NaiveTime),
    "a local time (HH:MM or HH:MM:SS)",
    ErrorCode::InvalidTimeRange,
    |s| s.trim().parse::<NaiveTime>().ok(),
    |t| t.format("%H:%M:%S").to_string()
);

/// An optional number or flag that, when present, must be a value: JSON text carries `NaN` and
/// `±Infinity` as `null`, which must not pass for "absent" (`limit: NaN` is an error, not "no limit").
/// Used as `#[serde(default, deserialize_with = "present")]`.
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_round_trip_and_fail_with_codes() {
        let t: Instant = serde_json::from_str("\"2027-02-01T15:00:00+01:00\"").unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"2027-02-01T14:00:00Z\"");
        let e = serde_json::from_str::<Id>("\"nope\"").unwrap_err().to_string();
        assert!(e.contains("\u{1}INVALID_ID\u{1}"), "{e}");
        let e = serde_json::from_str::<Date>("\"2027-02-30\"").unwrap_err().to_string();
        assert!(e.contains("INVALID_DATE"), "{e}");
        let huge = format!("\"{}\"", "a".repeat(100_000));
        let e = serde_json::from_str::<Id>(&huge).unwrap_err().to_string();
        assert!(e.len() < 300, "the message echoes a bounded part of the input: {}", e.len());
    }
}
