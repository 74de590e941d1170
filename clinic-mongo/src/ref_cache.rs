//! Per-instance copies of reference data — clinics, practitioners, rooms, appointment types, schedules
//! (class "catalog") and patients (class "patients") — so that a booking does not read them from the server
//! every time.
//!
//! Why: on FerretDB 1.24 every command costs about half an insert, and a booking used to read five of these
//! documents (patient, type, clinic, practitioner, the resource's schedules) whose content almost never
//! changes between two bookings. The core does not guard reference data (a schedule edit concurrent with a
//! booking is not a booking conflict), so a copy is correct as long as it is not older than a write that
//! finished before the booking started — within the bound below.
//!
//! How a copy is invalidated: the document `reference` in `cache_tokens` holds one token per class; every
//! write of that class (from any instance) writes its document first and then gives the class's token a new
//! value. An instance reads the tokens at most every [`TOKEN_TTL`] (one read shared by every caller that needs
//! them meanwhile) and drops a class's copies when its token changed; its own writes drop them at once. So:
//! - a write through this instance is seen by this instance's next read, always;
//! - a write through another instance is seen within [`TOKEN_TTL`] of its return;
//! - a writer that died between its write and its token change leaves copies at most [`MAX_AGE`] old.
//!
//! Absent documents are not remembered (a patient registered elsewhere a moment ago is read from the
//! server), and a read that raced with an invalidation is not kept (a generation counter per class).
//! Patient inserts do not change the token (a new id cannot be in anyone's copy); updates do.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bson::{doc, Document};
use mongodb::Collection;

/// `_id` of the tokens document in `cache_tokens`.
pub(crate) const TOKENS_ID: &str = "reference";
/// How long a read of the tokens is trusted: the staleness a write through another instance can have here.
pub(crate) const TOKEN_TTL: Duration = Duration::from_millis(250);
/// A copy is used for at most this long, whatever the tokens say.
pub(crate) const MAX_AGE: Duration = Duration::from_secs(5);
/// More copies than this in one class and the class starts over.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Catalog,
    Patients,
}

impl Class {
    /// The token's field in the tokens document.
    pub(crate) fn field(self) -> &'static str {
        match self {
            Class::Catalog => "catalog",
            Class::Patients => "patients",
        }
    }
}

/// A copy's key: collection and `_id` (or, for a listing, what it lists).
type Key = (&'static str, String);

#[derive(Debug, Default)]
struct ClassCache {
    token: Option<String>,
    generation: u64,
    docs: HashMap<Key, (Instant, Document)>,
    lists: HashMap<Key, (Instant, Vec<Document>)>,
}

impl ClassCache {
    fn clear(&mut self) {
        self.docs.clear();
        self.lists.clear();
        self.generation += 1;
    }
}

#[derive(Debug, Default)]
struct State {
    /// When the tokens last read were asked for.
    checked: Option<Instant>,
    catalog: ClassCache,
    patients: ClassCache,
}

impl State {
    fn class(&mut self, c: Class) -> &mut ClassCache {
        match c {
            Class::Catalog => &mut self.catalog,
            Class::Patients => &mut self.patients,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct RefCache {
    state: Mutex<State>,
    /// One tokens read at a time; callers that arrive meanwhile use its answer.
    reading: tokio::sync::Mutex<()>,
    /// One read of a missing copy at a time (see `miss`).
    missing: tokio::sync::Mutex<()>,
}

impl RefCache {
    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> Option<T> {
        self.state.lock().ok().map(|mut s| f(&mut s))
    }

    fn fresh(&self) -> bool {
        self.with(|s| s.checked.is_some_and(|t| t.elapsed() < TOKEN_TTL)).unwrap_or(false)
    }

    /// Makes sure the tokens were read less than [`TOKEN_TTL`] ago, dropping the copies of a class whose token
    /// changed.
    pub(crate) async fn validate(&self, tokens: &Collection<Document>) -> Result<(), mongodb::error::Error> {
        if self.fresh() {
            return Ok(());
        }
        let _one = self.reading.lock().await;
        if self.fresh() {
            return Ok(());
        }
        let asked = Instant::now();
        let d = tokens.find_one(doc! { "_id": TOKENS_ID }).await?;
        let token = |c: Class| d.as_ref().and_then(|d| d.get_str(c.field()).ok().map(str::to_string));
        let (catalog, patients) = (token(Class::Catalog), token(Class::Patients));
        self.with(|s| {
            for (c, t) in [(Class::Catalog, catalog), (Class::Patients, patients)] {
                let cc = s.class(c);
                if cc.token != t {
                    cc.clear();
                    cc.token = t;
                }
            }
            s.checked = Some(asked);
        });
        Ok(())
    }

    /// Held while a missing copy is read: tasks that start together (a server's first requests, a benchmark's
    /// tasks) then read each document once instead of once each. The caller looks again once it holds it.
    pub(crate) async fn miss(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.missing.lock().await
    }

    /// The class's generation: a copy read under one generation is kept only if it is still current.
    pub(crate) fn generation(&self, c: Class) -> u64 {
        self.with(|s| s.class(c).generation).unwrap_or(u64::MAX)
    }

    pub(crate) fn get(&self, c: Class, coll: &'static str, id: &str) -> Option<Document> {
        self.with(|s| {
            s.class(c).docs.get(&(coll, id.to_string())).filter(|(t, _)| t.elapsed() < MAX_AGE).map(|(_, d)| d.clone())
        })
        .flatten()
    }

    /// Keeps `d`, read since generation `generation` started.
    pub(crate) fn put(&self, c: Class, coll: &'static str, id: &str, d: &Document, generation: u64, read_at: Instant) {
        self.with(|s| {
            let cc = s.class(c);
            if cc.generation != generation {
                return;
            }
            if cc.docs.len() >= MAX_ENTRIES {
                cc.docs.clear();
            }
            cc.docs.insert((coll, id.to_string()), (read_at, d.clone()));
        });
    }

    pub(crate) fn get_list(&self, c: Class, what: &'static str, key: &str) -> Option<Vec<Document>> {
        self.with(|s| {
            s.class(c)
                .lists
                .get(&(what, key.to_string()))
                .filter(|(t, _)| t.elapsed() < MAX_AGE)
                .map(|(_, d)| d.clone())
        })
        .flatten()
    }

    pub(crate) fn put_list(
        &self,
        c: Class,
        what: &'static str,
        key: &str,
        ds: &[Document],
        generation: u64,
        read_at: Instant,
    ) {
        self.with(|s| {
            let cc = s.class(c);
            if cc.generation != generation {
                return;
            }
            if cc.lists.len() >= MAX_ENTRIES {
                cc.lists.clear();
            }
            cc.lists.insert((what, key.to_string()), (read_at, ds.to_vec()));
        });
    }

    /// Drops every copy of the class (after a write through this instance).
    pub(crate) fn invalidate(&self, c: Class) {
        self.with(|s| s.class(c).clear());
    }

    pub(crate) fn clear(&self) {
        self.with(|s| {
            s.catalog.clear();
            s.patients.clear();
            s.checked = None;
        });
    }
}
