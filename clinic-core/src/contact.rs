//! `ContactInfo` and `Address`: value objects that normalize on construction.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::error::{ClinicError, ErrorCode, ValidationErrors};

/// A validated phone (stored as E.164) and/or e-mail (stored lowercased).
///
/// ```
/// use clinic_core::ContactInfo;
/// let c = ContactInfo::new(Some("(202) 555-0143"), Some(" Ada@Example.ORG "), Some("US")).unwrap();
/// assert_eq!(c.phone(), Some("+12025550143"));
/// assert_eq!(c.email(), Some("ada@example.org"));
/// assert_eq!(ContactInfo::new(Some("12"), None, None).unwrap_err().code().as_str(), "INVALID_PHONE");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "RawContact")]
pub struct ContactInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

#[derive(Deserialize)]
struct RawContact {
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

impl TryFrom<RawContact> for ContactInfo {
    type Error = ClinicError;
    fn try_from(r: RawContact) -> Result<Self, Self::Error> {
        ContactInfo::new(r.phone.as_deref(), r.email.as_deref(), None)
    }
}

impl ContactInfo {
    /// `default_region` (ISO 3166 alpha-2) is used for numbers written without a `+country` prefix.
    /// Blank strings count as absent.
    pub fn new(phone: Option<&str>, email: Option<&str>, default_region: Option<&str>) -> Result<Self, ClinicError> {
        let mut errs = ValidationErrors::new();
        let phone = phone.map(str::trim).filter(|s| !s.is_empty());
        let email = email.map(str::trim).filter(|s| !s.is_empty());
        let phone = phone.and_then(|p| errs.collect("phone", normalize_phone(p, default_region)));
        let email = email.and_then(|e| errs.collect("email", normalize_email(e)));
        errs.into_result()?;
        Ok(ContactInfo { phone, email })
    }

    /// The phone in E.164 (`+12025550143`).
    pub fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }

    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.email.is_none()
    }
}

/// Parses a phone number through libphonenumber's metadata and returns it in E.164.
pub fn normalize_phone(raw: &str, default_region: Option<&str>) -> Result<String, ClinicError> {
    let bad =
        |why: &str| ClinicError::field(ErrorCode::InvalidPhone, "", format!("{raw:?} is not a phone number: {why}"));
    if raw.len() > 40 {
        return Err(bad("too long"));
    }
    let region = default_region.map(|r| r.trim().to_ascii_uppercase());
    let unknown_region = || {
        ClinicError::field(
            ErrorCode::InvalidCountry,
            "",
            format!("unknown region {:?}", default_region.unwrap_or_default()),
        )
    };
    if let Some(r) = &region {
        if !is_region_id(r) {
            return Err(unknown_region());
        }
    }
    if let Some(fast) = crate::phone_validity::fast_parse(raw, region.as_deref()) {
        return fast.map_err(|()| bad("not a valid number for its country"));
    }
    let region = match region {
        Some(r) => Some(phonenumber::country::Id::from_str(&r).map_err(|_| unknown_region())?),
        None => None,
    };
    let n = phonenumber::parse(region, raw).map_err(|_| bad("cannot be parsed (add a +country prefix?)"))?;
    if !crate::phone_validity::is_valid(&n).unwrap_or_else(|| phonenumber::is_valid(&n)) {
        return Err(bad("not a valid number for its country"));
    }
    // E.164 is `+<code><national significant number>`: exactly what `n.format().mode(E164)` writes, without the
    // national-format pattern search that formatter runs first (and whose `to_string` panics on a code without
    // metadata).
    Ok(format!("+{}{}", n.country().code(), n.national()))
}

/// `phonenumber::country::Id::from_str(code).is_ok()`. Two uppercase ASCII letters (the usual case) are
/// looked up in a table filled once with that function's own answers for all 676 such codes.
fn is_region_id(code: &str) -> bool {
    static TABLE: std::sync::OnceLock<[bool; 676]> = std::sync::OnceLock::new();
    match code.as_bytes() {
        &[a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => {
            let table = TABLE.get_or_init(|| {
                let mut t = [false; 676];
                for (i, known) in t.iter_mut().enumerate() {
                    let letters = [b'A' + (i / 26) as u8, b'A' + (i % 26) as u8];
                    *known = std::str::from_utf8(&letters).is_ok_and(|s| phonenumber::country::Id::from_str(s).is_ok());
                }
                t
            });
            table[usize::from(a - b'A') * 26 + usize::from(b - b'A')]
        }
        _ => phonenumber::country::Id::from_str(code).is_ok(),
    }
}

/// Validates an address (RFC 5322 `addr-spec` through `email_address`) and lowercases it.
pub fn normalize_email(raw: &str) -> Result<String, ClinicError> {
    let lower = raw.trim().to_lowercase();
    let ok = lower.len() <= 254 && (plainly_valid_email(&lower) || email_address_accepts(&lower));
    if ok {
        Ok(lower)
    } else {
        Err(ClinicError::field(ErrorCode::InvalidEmail, "", format!("{raw:?} is not an e-mail address")))
    }
}

/// The rule: `email_address` parses it (RFC 5322 `addr-spec`) and its domain has a dot, not at either end.
fn email_address_accepts(lower: &str) -> bool {
    email_address::EmailAddress::from_str(lower)
        .map(|e| e.domain().contains('.') && !e.domain().starts_with('.') && !e.domain().ends_with('.'))
        .unwrap_or(false)
}

/// A quick yes for the common shape, which [`email_address_accepts`] would also accept:
/// `atom(.atom)*@label(.label)+` with atoms of `[a-z0-9_+-]`, labels of `[a-z0-9-]` not starting or ending
/// with `-`, at most 64 bytes before the `@`, 63 per label and 254 after it. `false` means "ask the full
/// parser", not "invalid". A test compares both on random addresses.
fn plainly_valid_email(lower: &str) -> bool {
    let Some((local, domain)) = lower.split_once('@') else { return false };
    if local.is_empty() || local.len() > 64 || domain.len() > 254 {
        return false;
    }
    let atom = |a: &str| !a.is_empty() && a.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+-".contains(&b));
    let label = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    };
    local.split('.').all(atom) && domain.contains('.') && domain.split('.').all(label)
}

/// A postal address. `country` is an ISO 3166-1 alpha-2 code, stored uppercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "RawAddress")]
pub struct Address {
    pub line1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub postal_code: String,
    pub country: String,
}

#[derive(Deserialize)]
struct RawAddress {
    #[serde(default)]
    line1: String,
    #[serde(default)]
    line2: Option<String>,
    #[serde(default)]
    city: String,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    country: String,
}

impl TryFrom<RawAddress> for Address {
    type Error = ClinicError;
    fn try_from(r: RawAddress) -> Result<Self, Self::Error> {
        Address::new(&r.line1, r.line2.as_deref(), &r.city, r.region.as_deref(), &r.postal_code, &r.country)
    }
}

const MAX_ADDRESS_FIELD: usize = 200;

impl Address {
    pub fn new(
        line1: &str,
        line2: Option<&str>,
        city: &str,
        region: Option<&str>,
        postal_code: &str,
        country: &str,
    ) -> Result<Self, ClinicError> {
        let mut errs = ValidationErrors::new();
        let line1 = required_text(&mut errs, "line1", line1, MAX_ADDRESS_FIELD);
        let city = required_text(&mut errs, "city", city, MAX_ADDRESS_FIELD);
        let postal_code = required_text(&mut errs, "postal_code", postal_code, 20);
        let line2 = optional_text(&mut errs, "line2", line2, MAX_ADDRESS_FIELD);
        let region = optional_text(&mut errs, "region", region, MAX_ADDRESS_FIELD);
        let country = country.trim().to_ascii_uppercase();
        if country.is_empty() {
            errs.push(ErrorCode::Required, "country", "country is required");
        } else if country.len() != 2 || !is_region_id(&country) {
            errs.push(ErrorCode::InvalidCountry, "country", format!("{country:?} is not an ISO 3166-1 alpha-2 code"));
        }
        errs.into_result()?;
        Ok(Address { line1, line2, city, region, postal_code, country })
    }
}

/// Trims `raw`; records REQUIRED when blank and TOO_LONG past `max` characters.
pub(crate) fn required_text(errs: &mut ValidationErrors, field: &str, raw: &str, max: usize) -> String {
    let t = collapse_ws(raw);
    if t.is_empty() {
        errs.push(ErrorCode::Required, field, format!("{field} is required"));
    } else if t.chars().count() > max {
        errs.push(ErrorCode::TooLong, field, format!("{field} is longer than {max} characters"));
    }
    t
}

pub(crate) fn optional_text(errs: &mut ValidationErrors, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
    let t = collapse_ws(raw?);
    if t.is_empty() {
        return None;
    }
    if t.chars().count() > max {
        errs.push(ErrorCode::TooLong, field, format!("{field} is longer than {max} characters"));
    }
    Some(t)
}

/// [`required_text`] on an owned string, kept as it is when already trimmed and collapsed.
pub(crate) fn required_text_owned(errs: &mut ValidationErrors, field: &str, raw: String, max: usize) -> String {
    let t = collapse_ws_owned(raw);
    if t.is_empty() {
        errs.push(ErrorCode::Required, field, format!("{field} is required"));
    } else if t.chars().count() > max {
        errs.push(ErrorCode::TooLong, field, format!("{field} is longer than {max} characters"));
    }
    t
}

/// [`optional_text`] on an owned string, kept as it is when already trimmed and collapsed.
pub(crate) fn optional_text_owned(
    errs: &mut ValidationErrors,
    field: &str,
    raw: Option<String>,
    max: usize,
) -> Option<String> {
    let t = collapse_ws_owned(raw?);
    if t.is_empty() {
        return None;
    }
    if t.chars().count() > max {
        errs.push(ErrorCode::TooLong, field, format!("{field} is longer than {max} characters"));
    }
    Some(t)
}

/// No leading or trailing whitespace, and single spaces between words: what [`collapse_ws`] returns.
fn is_collapsed(t: &str) -> bool {
    let mut prev_space = true; // no whitespace first
    if t.is_ascii() {
        // `char::is_whitespace` on ASCII: space, \t, \n, vertical tab, form feed, \r.
        let inner = t.bytes().all(|b| {
            let ws = matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
            let ok = !ws || (b == b' ' && !prev_space);
            prev_space = ws;
            ok
        });
        return (inner && !prev_space) || t.is_empty();
    }
    let inner = t.chars().all(|c| {
        let ok = !c.is_whitespace() || (c == ' ' && !prev_space);
        prev_space = c.is_whitespace();
        ok
    });
    (inner && !prev_space) || t.is_empty()
}

/// Trims and collapses inner runs of whitespace ("  Ada   Lovelace " → "Ada Lovelace").
pub(crate) fn collapse_ws(s: &str) -> String {
    let t = s.trim();
    if is_collapsed(t) {
        // Already collapsed (single spaces between words): one copy, no word list.
        t.to_string()
    } else {
        t.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// [`collapse_ws`] without a copy when there is nothing to change.
fn collapse_ws_owned(s: String) -> String {
    if is_collapsed(&s) {
        s
    } else {
        collapse_ws(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_normalizes_to_e164() {
        assert_eq!(normalize_phone("+44 20 7946 0958", None).unwrap(), "+442079460958");
        assert_eq!(normalize_phone("020 7946 0958", Some("gb")).unwrap(), "+442079460958");
        for bad in ["", "abc", "+1 555", "12345678901234567890123", "+999 123 456"] {
            assert_eq!(normalize_phone(bad, Some("US")).unwrap_err().code(), ErrorCode::InvalidPhone, "{bad}");
        }
        assert_eq!(normalize_phone("555", Some("XX")).unwrap_err().code(), ErrorCode::InvalidCountry);
    }

    #[test]
    fn email_rules() {
        assert_eq!(normalize_email(" X@Y.io ").unwrap(), "x@y.io");
        for bad in ["x", "x@", "@y.io", "x@y", "x y@z.io", "x@@y.io"] {
            assert_eq!(normalize_email(bad).unwrap_err().code(), ErrorCode::InvalidEmail, "{bad}");
        }
    }

    #[test]
    fn region_table_agrees_with_phonenumber() {
        let mut codes: Vec<String> = vec!["gb".into(), "G".into(), "GBR".into(), "".into(), "É".into(), "0A".into()];
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                codes.push(String::from_utf8(vec![a, b]).unwrap());
            }
        }
        for c in codes {
            assert_eq!(is_region_id(&c), phonenumber::country::Id::from_str(&c).is_ok(), "{c:?}");
        }
    }

    #[test]
    fn collapse_ws_fast_and_slow_forms_agree() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "a ",
            " a",
            "a b",
            "a  b",
            "ab c",
            "a b ",
            "a\tb",
            "a \u{a0}b",
            "\u{2003}x y\u{2003}",
            "Zoë  du Châtelet",
        ] {
            let want = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_ws(s), want, "{s:?}");
            assert_eq!(collapse_ws_owned(s.to_string()), want, "{s:?}");
            assert_eq!(is_collapsed(s), *s == want, "{s:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// The quick yes never says yes where `email_address` (with the domain-dot rule) says no, and it
        /// says yes to ordinary addresses.
        #[test]
        fn plain_email_check_agrees_with_email_address(
            local in "[a-z0-9._+\\-]{0,70}|[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~\\-]{1,10}",
            domain in "[a-z0-9.\\-]{0,70}|([a-z0-9]([a-z0-9\\-]{0,64}[a-z0-9])?\\.){1,4}[a-z]{2,6}|[a-z0-9.\\-\\[\\]@ ]{0,12}",
        ) {
            let addr = format!("{local}@{domain}");
            if plainly_valid_email(&addr) {
                proptest::prop_assert!(email_address_accepts(&addr), "{addr}");
            }
            let simple = !local.is_empty() && local.len() <= 64
                && local.split('.').all(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+-".contains(&b)));
            if simple && domain.len() <= 254 && email_address_accepts(&addr) && !domain.contains(['[', '@', ' ']) {
                proptest::prop_assert!(plainly_valid_email(&addr), "{addr}");
            }
            let lower = addr.trim().to_lowercase();
            let before = lower.len() <= 254 && email_address_accepts(&lower);
            proptest::prop_assert_eq!(normalize_email(&addr).is_ok(), before, "{}", addr);
        }
    }

    #[test]
    fn contact_collects_both_errors() {
        let e = ContactInfo::new(Some("nope"), Some("nope"), None).unwrap_err();
        assert_eq!(e.codes(), vec![ErrorCode::InvalidPhone, ErrorCode::InvalidEmail]);
        let ClinicError::Validation(v) = e else { panic!() };
        assert_eq!(v.errors[0].field, "phone");
        assert_eq!(v.errors[1].field, "email");
    }

    #[test]
    fn address_validates_and_normalizes() {
        let a = Address::new(" 1  Main St ", None, "Springfield", Some(""), "12345", "us").unwrap();
        assert_eq!(a.line1, "1 Main St");
        assert_eq!(a.country, "US");
        assert_eq!(a.region, None);
        let e = Address::new("", None, "", None, "", "ZZ").unwrap_err();
        assert_eq!(e.codes().len(), 4);
        let json = r#"{"line1":"x","city":"y","postal_code":"1","country":"Narnia"}"#;
        assert!(serde_json::from_str::<Address>(json).is_err());
    }
}
