//! Decoded appointment rows, reused while a row's stored text is unchanged.
//!
//! An availability search or a booking check reads the same appointments again and again; parsing and
//! re-validating each JSON document was a large part of those requests. The row is still read from SQLite
//! every time (so what is returned is exactly what is stored), but when its text is byte-for-byte the text
//! decoded before, the decoded value is reused. No version or trigger is trusted: a row edited by any
//! writer, in any process, simply has another text.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde::de::DeserializeOwned;

use clinic_core::error::ClinicError;

/// Rows kept at most; beyond it the cache starts over.
const MAX_ROWS: usize = 50_000;

/// `id → (stored text, decoded value)`. Cloning shares the cache.
pub struct DecodedRows<T> {
    rows: Arc<Mutex<HashMap<String, (String, T)>>>,
}

impl<T> Clone for DecodedRows<T> {
    fn clone(&self) -> Self {
        DecodedRows { rows: self.rows.clone() }
    }
}

impl<T> Default for DecodedRows<T> {
    fn default() -> Self {
        DecodedRows { rows: Arc::new(Mutex::new(HashMap::new())) }
    }
}

impl<T: Clone + DeserializeOwned> DecodedRows<T> {
    /// Decodes `(id, text)` rows in order, parsing only texts not seen before for their id.
    pub fn decode(
        &self,
        rows: Vec<(String, String)>,
        parse: impl Fn(&str) -> Result<T, ClinicError>,
    ) -> Result<Vec<T>, ClinicError> {
        let mut out: Vec<Option<T>> = Vec::with_capacity(rows.len());
        {
            let cache = self.rows.lock().unwrap_or_else(PoisonError::into_inner);
            for (id, text) in &rows {
                out.push(cache.get(id).filter(|(t, _)| t == text).map(|(_, v)| v.clone()));
            }
        }
        let mut fresh: Vec<(String, String, T)> = Vec::new();
        for (slot, (id, text)) in out.iter_mut().zip(rows) {
            if slot.is_none() {
                let v = parse(&text)?;
                *slot = Some(v.clone());
                fresh.push((id, text, v));
            }
        }
        if !fresh.is_empty() {
            let mut cache = self.rows.lock().unwrap_or_else(PoisonError::into_inner);
            if cache.len() + fresh.len() > MAX_ROWS {
                cache.clear();
            }
            for (id, text, v) in fresh {
                cache.insert(id, (text, v));
            }
        }
        Ok(out.into_iter().flatten().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn parses_each_text_once_and_sees_edits() {
        let cache = DecodedRows::<u32>::default();
        let parses = AtomicUsize::new(0);
        let parse = |t: &str| {
            parses.fetch_add(1, Ordering::SeqCst);
            t.parse::<u32>().map_err(|e| ClinicError::Store { message: e.to_string(), retryable: false })
        };
        let rows = |a: &str, b: &str| vec![("a".to_string(), a.to_string()), ("b".to_string(), b.to_string())];
        assert_eq!(cache.decode(rows("1", "2"), parse).unwrap(), vec![1, 2]);
        assert_eq!(cache.decode(rows("1", "2"), parse).unwrap(), vec![1, 2]);
        assert_eq!(parses.load(Ordering::SeqCst), 2, "unchanged rows are not parsed again");
        assert_eq!(cache.decode(rows("1", "3"), parse).unwrap(), vec![1, 3], "an edited row is decoded afresh");
        assert_eq!(parses.load(Ordering::SeqCst), 3);
        assert!(cache.decode(rows("x", "3"), parse).is_err(), "a corrupt row is still an error");
    }
}
