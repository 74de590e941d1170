//! Phone validity with the regular expressions compiled once.
//!
//! `phonenumber::is_valid` is libphonenumber's rule, but every pattern match goes through a shared LRU cache
//! keyed by the pattern text: each check hashes a dozen patterns of hundreds of characters and takes about
//! 10–15 µs — most of an import's time (W3). This module runs the very same rule (`source_for` then
//! `number_type != Unknown`, with the same patterns, flags, possible lengths and "match at the start"
//! semantics) on regexes compiled once per region; a test compares both on every example number of the
//! metadata and on altered ones.
//!
//! [`fast_parse`] also stands in for `phonenumber::parse` on the two common shapes (`+44 20 7946 0958`, and
//! `020 7946 0958` with a default region): the parser's own steps — IDD, country code, national prefix for
//! parsing, length rule — on the metadata's patterns, each compiled anchored at the start. Anything else
//! (letters, extensions, other punctuation, transform rules, leading zeros, …) goes to the parser. Tests
//! compare the two on every metadata example in many formattings and on random numbers.

use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use phonenumber::PhoneNumber;
use regex::{Regex, RegexBuilder};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Debug)]
struct Desc {
    re: Regex,
    lengths: Vec<u16>,
}

impl Desc {
    fn new(d: &Descriptor) -> Option<Desc> {
        let re = anchored(d.national_number().as_str())?;
        Some(Desc { re, lengths: d.possible_length().to_vec() })
    }

    /// `Descriptor::is_match`.
    fn is_match(&self, value: &str) -> bool {
        if !self.lengths.is_empty() && !self.lengths.contains(&(value.len() as u16)) {
            return false;
        }
        self.re.is_match(value)
    }
}

#[derive(Debug)]
struct Region {
    leading: Option<Regex>,
    /// The region's international (IDD) prefix and national prefix for parsing, as the parser uses them.
    idd: Option<Regex>,
    national_prefix_for_parsing: Option<Regex>,
    general: Desc,
    /// Every type `number_type` tries; the number is valid when one matches.
    types: Vec<Desc>,
}

impl Region {
    fn new(m: &Metadata) -> Option<Region> {
        let d = m.descriptors();
        let leading = match m.leading_digits() {
            Some(l) => Some(anchored(l.as_str())?),
            None => None,
        };
        let pattern = |r: Option<&str>| -> Option<Option<Regex>> {
            match r {
                Some(r) => Some(Some(anchored(r)?)),
                None => Some(None),
            }
        };
        let idd = pattern(m.international_prefix().map(|r| r.as_str()))?;
        let national_prefix_for_parsing = pattern(m.national_prefix_for_parsing().map(|r| r.as_str()))?;
        let mut types = Vec::new();
        // `number_type` tries them in another order to name the type; only "any matches" counts here, so the
        // common ones go first.
        for t in [
            d.fixed_line(),
            d.mobile(),
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ]
        .into_iter()
        .flatten()
        {
            types.push(Desc::new(t)?);
        }
        Some(Region { leading, idd, national_prefix_for_parsing, general: Desc::new(d.general())?, types })
    }

    /// `number_type(meta, value) != Type::Unknown`.
    fn has_type(&self, value: &str) -> bool {
        self.general.is_match(value) && self.types.iter().any(|t| t.is_match(value))
    }
}

/// Compiled regions by metadata id, built on first use. A few recently used ones are also kept per thread,
/// so a run of numbers from the same region skips the lock and the map.
fn compiled(id: &str, meta: &Metadata) -> Option<Arc<Region>> {
    type Recent = RefCell<Vec<(Box<str>, Option<Arc<Region>>)>>;
    thread_local! {
        static RECENT: Recent = const { RefCell::new(Vec::new()) };
    }
    let recent = |f: &mut dyn FnMut(&Recent)| RECENT.try_with(|r| f(r)).is_ok();
    let mut hit = None;
    recent(&mut |r| {
        if let Ok(r) = r.try_borrow() {
            hit = r.iter().find(|(k, _)| &**k == id).map(|(_, v)| v.clone());
        }
    });
    if let Some(hit) = hit {
        return hit;
    }
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<Region>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let found = {
        let mut guard = cache.lock().ok()?;
        match guard.get(id) {
            Some(r) => r.clone(),
            None => guard.entry(id.to_string()).or_insert_with(|| Region::new(meta).map(Arc::new)).clone(),
        }
    };
    recent(&mut |r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            if r.len() >= 8 {
                r.remove(0);
            }
            r.push((id.into(), found.clone()));
        }
    });
    found
}

/// A metadata pattern (compiled as phonenumber compiles it: whitespace-insensitive) that only matches at the
/// start of the text. The library's test `find(..).start() == 0` asks whether the leftmost match starts at
/// 0, that is whether some match starts at 0: an anchored search answers that without scanning the rest of
/// the text, and when one exists it is the same leftmost-first match (same end). The line break ends a `#`
/// comment in the pattern before the closing parenthesis.
fn anchored(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(&format!("^(?:{pattern}\n)")).ignore_whitespace(true).build().ok()
}

/// Starts with a match of `re` (an [`anchored`] pattern: the parser's `find(..).start() == 0`).
fn starts_with_match(re: &Regex, s: &str) -> bool {
    re.is_match(s)
}

/// `phonenumber::is_valid`, fast. `None` when the metadata could not be compiled (then the caller falls
/// back to the library's own check).
pub(crate) fn is_valid(number: &PhoneNumber) -> Option<bool> {
    is_valid_parts(number.country().code(), &number.national().to_string())
}

/// The metadata `validator::source_for(code, national)` picks: `Some(None)` when none.
fn source_for(code: u16, national: &str) -> Option<Option<&'static Metadata>> {
    let Some(regions) = DATABASE.region(&code) else { return Some(None) };
    if regions.len() == 1 {
        return Some(if regions[0] == "001" {
            DATABASE.by_code(&code).and_then(|m| m.into_iter().next())
        } else {
            DATABASE.by_id(regions[0])
        });
    }
    for region in regions {
        let Some(m) = DATABASE.by_id(region) else { continue };
        let r = compiled(region, m)?;
        let chosen = match &r.leading {
            Some(l) => starts_with_match(l, national),
            None => r.has_type(national),
        };
        if chosen {
            return Some(Some(m));
        }
    }
    Some(None)
}

/// `phonenumber::is_valid` of the number `+<code> <national>` (`national` as `NationalNumber` writes it).
fn is_valid_parts(code: u16, national: &str) -> Option<bool> {
    let Some(meta) = source_for(code, national)? else { return Some(false) };
    if meta.id() == "001" {
        Some(compiled(&format!("001/{code}"), meta)?.has_type(national))
    } else {
        Some(compiled(meta.id(), meta)?.has_type(national))
    }
}

/// Separators the fast path accepts between digits (all of them are punctuation to the parser).
fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'(' | b')')
}

/// `phonenumber::parse(default_region, raw)` then `is_valid`, for the two common forms only: `+` then the
/// number in international form, or (with a default region) the number in national form; ASCII digits and
/// single-byte separators (space, `-`, `.`, parentheses), starting and ending on a digit, with at least one
/// space (without one the parser first tries RFC 3966, which reads the country code up to the first
/// separator) or no separator at all. The country code, IDD, national-prefix and length rules are the
/// parser's, read from phonenumber's metadata, with its own patterns compiled once.
///
/// `None`: not these forms, or a case left to the parser (an IDD, a national-prefix transform rule, a
/// leading zero, a country code written in a national number, a too short or too long number) — the
/// caller then runs the library's parser. `Some(Ok(e164))` / `Some(Err(()))`: what parse + validity give
/// (the parse itself succeeds).
pub(crate) fn fast_parse(raw: &str, default_region: Option<&str>) -> Option<Result<String, ()>> {
    let bytes = raw.as_bytes();
    let plus = bytes.first() == Some(&b'+');
    let rest = if plus { &bytes[1..] } else { bytes };
    if !rest.first().is_some_and(u8::is_ascii_digit) || !rest.last().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut digits = [0u8; 24];
    let mut n = 0;
    let (mut spaces, mut separators) = (0, 0);
    for &b in rest {
        if b.is_ascii_digit() {
            *digits.get_mut(n)? = b;
            n += 1;
        } else if is_separator(b) {
            separators += 1;
            spaces += usize::from(b == b' ');
        } else {
            return None;
        }
    }
    if separators > 0 && spaces == 0 {
        return None;
    }
    let digits = std::str::from_utf8(&digits[..n]).ok()?;
    if digits.len() <= 2 {
        return None;
    }
    // The parser's steps in order: IDD, country code, national prefix, NSN length.
    let region_meta = match default_region {
        Some(r) => Some(DATABASE.by_id(r)?),
        None => None,
    };
    if let Some(m) = region_meta {
        let r = compiled(m.id(), m)?;
        if r.idd.as_ref().is_some_and(|idd| starts_with_match(idd, digits)) {
            return None;
        }
    }
    let (code, national, meta) = if plus {
        if digits.starts_with('0') {
            return None;
        }
        let (code, national) = (1..=3).find_map(|len| {
            let code: u16 = digits.get(..len)?.parse().ok()?;
            DATABASE.by_code(&code).is_some().then(|| (code, digits.get(len..)))
        })?;
        let national = national?;
        // `source_for` looks at the number without leading zeros: left to the parser.
        if national.starts_with('0') {
            return None;
        }
        let meta = match region_meta {
            Some(m) => Some(m),
            None => source_for(code, national)?,
        };
        (code, national, meta)
    } else {
        let m = region_meta?;
        let code = m.country_code();
        // The parser may read a leading country code out of a national number: left to it.
        if digits.starts_with(code.to_string().as_str()) {
            return None;
        }
        (code, digits, Some(m))
    };
    let national = match meta {
        Some(m) => strip_national_prefix(code, m, national)?,
        None => national,
    };
    // Leading zeros are kept apart by `NationalNumber`; 16 digits or fewer fit its 56-bit value.
    if national.starts_with('0') || !(2..=16).contains(&national.len()) {
        return None;
    }
    Some(if is_valid_parts(code, national)? { Ok(format!("+{code}{national}")) } else { Err(()) })
}

/// The parser's `national_number` (without a transform rule) then its second national-prefix strip, kept
/// only when the result is not too short for the region. `None`: a transform rule (left to the parser).
fn strip_national_prefix<'a>(code: u16, m: &'static Metadata, national: &'a str) -> Option<&'a str> {
    let id: std::borrow::Cow<'_, str> = if m.id() == "001" { format!("001/{code}").into() } else { m.id().into() };
    let r = compiled(&id, m)?;
    let prefix = m.national_prefix();
    let mut potential = national;
    match &r.national_prefix_for_parsing {
        Some(p) => {
            if let Some(found) = p.find(national) {
                if m.national_prefix_transform_rule().is_some() {
                    return None;
                }
                // (The parser keeps the number when the stripped one no longer matches the general pattern
                // while the whole did; with the match at 0 it compares the whole with itself: never.)
                potential = &national[found.end()..];
            }
        }
        None => {
            if let Some(p) = prefix.filter(|p| national.starts_with(*p)) {
                potential = &national[p.len()..];
            }
        }
    }
    if let Some(p) = prefix.filter(|p| potential.starts_with(*p)) {
        potential = &potential[p.len()..];
    }
    // `validator::length(meta, potential, Unknown) != TooShort`.
    let general = m.descriptors().general();
    let len = potential.len() as u16;
    let possible = general.possible_length();
    let too_short = !general.possible_local_length().contains(&len) && possible.first().is_some_and(|&min| len < min);
    Some(if too_short { national } else { potential })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_phonenumber_on_every_example_and_altered_examples() {
        let mut checked = 0;
        for meta in DATABASE.iter() {
            let d = meta.descriptors();
            let descs = [
                Some(d.general()),
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.premium_rate(),
                d.shared_cost(),
                d.personal_number(),
                d.voip(),
                d.pager(),
                d.uan(),
                d.voicemail(),
            ];
            for ex in descs.into_iter().flatten().filter_map(|x| x.example()) {
                let variants = [
                    format!("+{} {ex}", meta.country_code()),
                    format!("+{} {ex}1", meta.country_code()),
                    format!("+{} 9{ex}", meta.country_code()),
                    format!("+{} {}", meta.country_code(), &ex[..ex.len().saturating_sub(1)]),
                ];
                for v in variants {
                    if let Ok(n) = phonenumber::parse(None, &v) {
                        assert_eq!(is_valid(&n), Some(phonenumber::is_valid(&n)), "{v}");
                        let e164 = format!("+{}{}", n.country().code(), n.national());
                        assert_eq!(e164, n.format().mode(phonenumber::Mode::E164).to_string(), "{v}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 2000, "only {checked} numbers compared");
    }

    /// What the slow path decides: the library's parser, its validity rule and E.164 writer.
    #[derive(Debug, PartialEq, Eq)]
    enum Verdict {
        Unparsed,
        Invalid,
        Valid(String),
    }

    fn slow(raw: &str, region: Option<&str>) -> Verdict {
        let region = region.map(|r| r.parse::<phonenumber::country::Id>().unwrap());
        match phonenumber::parse(region, raw) {
            Err(_) => Verdict::Unparsed,
            Ok(n) if !phonenumber::is_valid(&n) => Verdict::Invalid,
            Ok(n) => Verdict::Valid(n.format().mode(phonenumber::Mode::E164).to_string()),
        }
    }

    /// Checks the fast path against the parser on `raw`; true when the fast path answered.
    fn same(raw: &str, region: Option<&str>) -> bool {
        let Some(fast) = fast_parse(raw, region) else { return false };
        let fast = match fast {
            Ok(e) => Verdict::Valid(e),
            Err(()) => Verdict::Invalid,
        };
        assert_eq!(fast, slow(raw, region), "{raw:?} with default region {region:?}");
        true
    }

    /// `digits` in groups of 3-4 joined by `sep`.
    fn grouped(digits: &str, sep: &str) -> String {
        let b = digits.as_bytes();
        let mut parts = vec![];
        let mut i = 0;
        while i < b.len() {
            let n = if (b.len() - i) % 4 == 0 { 4 } else { 3 }.min(b.len() - i);
            parts.push(&digits[i..i + n]);
            i += n;
        }
        parts.join(sep)
    }

    fn formattings(cc: u16, national: &str) -> Vec<String> {
        let mut v = vec![
            format!("+{cc}{national}"),
            format!("+{cc} {national}"),
            format!("+{cc} {}", grouped(national, " ")),
            format!("+{cc} {}", grouped(national, "-")),
            format!("+{cc}-{}", grouped(national, "-")),
            format!("+{cc} {}", grouped(national, ".")),
            format!("+{cc}.{}", grouped(national, ".")),
            format!(" +{cc} {national} "),
            format!("\t+{cc} {}\n", grouped(national, " ")),
            format!("+ {cc} {national}"),
            format!("++{cc} {national}"),
            format!("+{cc} {national} ext. 12"),
            format!("+{cc} {national}#"),
            format!("+{cc}  {}", grouped(national, " - ")),
        ];
        if national.len() > 3 {
            let (a, b) = national.split_at(3);
            v.push(format!("+{cc} ({a}) {b}"));
            v.push(format!("+{cc} ({a}) {}", grouped(b, "-")));
            v.push(format!("+({cc}) {a} {b}"));
            v.push(format!("+{cc} {a}) {b}"));
            v.push(format!("+{cc}({a}){b}"));
        }
        v
    }

    /// National forms: as written, behind the region's national prefix, grouped, with an area in brackets.
    fn national_formattings(prefix: Option<&str>, national: &str) -> Vec<String> {
        let mut v = vec![national.to_string(), grouped(national, " "), grouped(national, "-"), format!(" {national} ")];
        if let Some(p) = prefix {
            let with = format!("{p}{national}");
            v.extend([with.clone(), grouped(&with, " "), grouped(&with, "-"), grouped(&with, ".")]);
            if national.len() > 3 {
                let (a, b) = national.split_at(3);
                v.push(format!("({p}{a}) {b}"));
                v.push(format!("{p}{a} {}", grouped(b, " ")));
            }
        }
        v
    }

    #[test]
    fn fast_path_agrees_with_the_parser_on_every_metadata_example() {
        let (mut answered, mut total) = (0, 0);
        let regions: Vec<&str> = DATABASE.iter().map(|m| m.id()).filter(|id| *id != "001").collect();
        for (i, meta) in DATABASE.iter().enumerate() {
            let d = meta.descriptors();
            let descs = [
                Some(d.general()),
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.premium_rate(),
                d.shared_cost(),
                d.personal_number(),
                d.voip(),
                d.pager(),
                d.uan(),
                d.voicemail(),
            ];
            let own = (meta.id() != "001").then(|| meta.id());
            // No default region, the number's own, two common ones and one from elsewhere in the table.
            let defaults = [None, own, Some("GB"), Some("US"), Some(regions[i * 7 % regions.len()])];
            for ex in descs.into_iter().flatten().filter_map(|x| x.example()) {
                let cc = meta.country_code();
                let altered = [
                    ex.to_string(),
                    format!("{ex}1"),
                    format!("9{ex}"),
                    format!("0{ex}"),
                    ex[..ex.len().saturating_sub(1)].to_string(),
                ];
                for national in &altered {
                    for raw in formattings(cc, national)
                        .into_iter()
                        .chain(national_formattings(meta.national_prefix(), national))
                    {
                        for region in defaults {
                            total += 1;
                            answered += usize::from(same(&raw, region));
                        }
                    }
                }
            }
        }
        assert!(answered > 40_000, "the fast path answered only {answered} of {total}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn fast_path_agrees_with_the_parser_on_random_numbers(
            digits in "[0-9]{1,20}",
            seps in proptest::collection::vec(proptest::sample::select(vec!["", "", "", " ", "-", ".", "(", ")", " (", ") ", "  "]), 20),
            plus in proptest::bool::ANY,
            region in proptest::sample::select(vec![None, Some("GB"), Some("US"), Some("DE"), Some("FR"), Some("IT"), Some("AU"), Some("BR"), Some("RU"), Some("KZ"), Some("IN"), Some("JP"), Some("CN"), Some("SG"), Some("NZ"), Some("AR"), Some("MX")]),
        ) {
            let mut raw = String::from(if plus { "+" } else { "" });
            for (i, c) in digits.chars().enumerate() {
                raw.push(c);
                raw.push_str(seps[i]);
            }
            same(&raw, region);
            same(raw.trim_end_matches(|c: char| !c.is_ascii_digit()), region);
        }
    }
}
