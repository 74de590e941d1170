//! Phone validity with the regular expressions compiled once.
//!
//! `phonenumber::is_valid` is libphonenumber's rule, but every pattern match goes through a shared LRU cache
//! keyed by the pattern text: each check hashes a dozen patterns of hundreds of characters and takes about
//! 10–15 µs — most of an import's time (W3). This module runs the very same rule (`source_for` then
//! `number_type != Unknown`, with the same patterns, flags, possible lengths and "match at the start"
//! semantics) on regexes compiled once per region; a test compares both on every example number of the
//! metadata and on altered ones.

use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use phonenumber::PhoneNumber;
use regex::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Debug)]
struct Desc {
    re: Regex,
    lengths: Vec<u16>,
}

impl Desc {
    fn new(d: &Descriptor) -> Option<Desc> {
        let re = RegexBuilder::new(d.national_number().as_str()).ignore_whitespace(true).build().ok()?;
        Some(Desc { re, lengths: d.possible_length().to_vec() })
    }

    /// `Descriptor::is_match`.
    fn is_match(&self, value: &str) -> bool {
        if !self.lengths.is_empty() && !self.lengths.contains(&(value.len() as u16)) {
            return false;
        }
        self.re.find(value).is_some_and(|m| m.start() == 0)
    }
}

#[derive(Debug)]
struct Region {
    leading: Option<Regex>,
    general: Desc,
    /// Every type `number_type` tries; the number is valid when one matches.
    types: Vec<Desc>,
}

impl Region {
    fn new(m: &Metadata) -> Option<Region> {
        let d = m.descriptors();
        let leading = match m.leading_digits() {
            Some(l) => Some(RegexBuilder::new(l.as_str()).ignore_whitespace(true).build().ok()?),
            None => None,
        };
        let mut types = Vec::new();
        for t in [
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
            d.fixed_line(),
            d.mobile(),
        ]
        .into_iter()
        .flatten()
        {
            types.push(Desc::new(t)?);
        }
        Some(Region { leading, general: Desc::new(d.general())?, types })
    }

    /// `number_type(meta, value) != Type::Unknown`.
    fn has_type(&self, value: &str) -> bool {
        self.general.is_match(value) && self.types.iter().any(|t| t.is_match(value))
    }
}

/// Compiled regions by metadata id, built on first use.
fn compiled(id: &str, meta: &Metadata) -> Option<Arc<Region>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<Region>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut guard = cache.lock().ok()?;
    guard.entry(id.to_string()).or_insert_with(|| Region::new(meta).map(Arc::new)).clone()
}

/// `phonenumber::is_valid`, fast. `None` when the metadata could not be compiled (then the caller falls
/// back to the library's own check).
pub(crate) fn is_valid(number: &PhoneNumber) -> Option<bool> {
    let code = number.country().code();
    let national = number.national().to_string();
    let Some(regions) = DATABASE.region(&code) else { return Some(false) };
    let meta: &Metadata = if regions.len() == 1 {
        if regions[0] == "001" {
            match DATABASE.by_code(&code).and_then(|m| m.into_iter().next()) {
                Some(m) => m,
                None => return Some(false),
            }
        } else {
            match DATABASE.by_id(regions[0]) {
                Some(m) => m,
                None => return Some(false),
            }
        }
    } else {
        let mut found = None;
        for region in regions {
            let Some(m) = DATABASE.by_id(region) else { continue };
            let r = compiled(region, m)?;
            let chosen = match &r.leading {
                Some(l) => l.find(&national).is_some_and(|x| x.start() == 0),
                None => r.has_type(&national),
            };
            if chosen {
                found = Some(m);
                break;
            }
        }
        match found {
            Some(m) => m,
            None => return Some(false),
        }
    };
    let id = if meta.id() == "001" { format!("001/{code}") } else { meta.id().to_string() };
    Some(compiled(&id, meta)?.has_type(&national))
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
}
