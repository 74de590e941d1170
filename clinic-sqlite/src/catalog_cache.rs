//! Decoded catalog rows (clinics, practitioners, rooms, appointment types, schedules), kept between reads.
//!
//! Every availability search and every booking reads the catalog; decoding and re-validating the same JSON
//! documents on every request was most of an availability request's cost. The catalog changes rarely, so
//! the decoded values are kept and reused while the file's *catalog version* is unchanged.
//!
//! The version is a one-row table bumped by triggers on the five catalog tables, in the writer's own
//! transaction — so it also moves when another process (a CLI import, a second server on the same file) or
//! an older build writes the catalog. A reader reads the version *before* the rows: rows read after a
//! concurrent change are at least as new as the version they are filed under, so a cached value is never
//! older than its version says (at worst a newer value is filed under an older version and refreshed on the
//! next read).

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use clinic_core::error::ClinicError;

/// Creates the version row and its triggers when missing. Idempotent and outside the numbered migrations:
/// it adds no data, only a derived counter, so any build can (re)create it on open.
pub const ENSURE_SQL: &str = r#"
CREATE TABLE IF NOT EXISTS catalog_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT OR IGNORE INTO catalog_version (id, version) VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS clinics_ins AFTER INSERT ON clinics BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS clinics_upd AFTER UPDATE ON clinics BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS clinics_del AFTER DELETE ON clinics BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS practitioners_ins AFTER INSERT ON practitioners BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS practitioners_upd AFTER UPDATE ON practitioners BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS practitioners_del AFTER DELETE ON practitioners BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS rooms_ins AFTER INSERT ON rooms BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS rooms_upd AFTER UPDATE ON rooms BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS rooms_del AFTER DELETE ON rooms BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS appointment_types_ins AFTER INSERT ON appointment_types BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS appointment_types_upd AFTER UPDATE ON appointment_types BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS appointment_types_del AFTER DELETE ON appointment_types BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS schedules_ins AFTER INSERT ON schedules BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS schedules_upd AFTER UPDATE ON schedules BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS schedules_del AFTER DELETE ON schedules BEGIN UPDATE catalog_version SET version = version + 1; END;
"#;

/// After a restore the file's counter may equal a value this or another process cached for different rows:
/// jump to a value no one has seen.
pub const AFTER_RESTORE_SQL: &str =
    "UPDATE catalog_version SET version = version + 1 + (abs(random()) % 1000000000) * 1000";

/// Entries kept at most; beyond it the cache starts over (a catalog is a few hundred rows at most).
const MAX_ENTRIES: usize = 4096;

/// The catalog version as this connection sees it now.
pub fn version(c: &Connection) -> Result<i64, ClinicError> {
    c.prepare_cached("SELECT version FROM catalog_version WHERE id = 1")
        .and_then(|mut st| st.query_row([], |r| r.get::<_, i64>(0)))
        .map_err(crate::store::sql_err)
}

type Entry = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
struct Inner {
    version: Option<i64>,
    entries: HashMap<String, Entry>,
}

/// Decoded values by query key, valid for one catalog version. Cloning shares the cache.
#[derive(Clone, Default)]
pub struct CatalogCache {
    inner: Arc<Mutex<Inner>>,
}

impl CatalogCache {
    /// The value filed under `key` for `version`, if any.
    pub fn get<T: Clone + Send + Sync + 'static>(&self, version: i64, key: &str) -> Option<T> {
        let inner = self.inner.lock().ok()?;
        if inner.version != Some(version) {
            return None;
        }
        inner.entries.get(key).and_then(|e| e.downcast_ref::<T>()).cloned()
    }

    /// Files `value` under `key` for `version` (dropping everything of another version).
    pub fn put<T: Send + Sync + 'static>(&self, version: i64, key: String, value: T) {
        let Ok(mut inner) = self.inner.lock() else { return };
        if inner.version != Some(version) || inner.entries.len() >= MAX_ENTRIES {
            inner.entries.clear();
            inner.version = Some(version);
        }
        inner.entries.insert(key, Arc::new(value));
    }

    /// Forgets everything (after a restore replaced the file's content).
    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.entries.clear();
            inner.version = None;
        }
    }

    /// Reads `key` on `c`: from the cache when the catalog version is unchanged, else by `load` (filed for
    /// the next reader).
    pub fn read<T, F>(&self, c: &Connection, key: String, load: F) -> Result<T, ClinicError>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce(&Connection) -> Result<T, ClinicError>,
    {
        // The version first: see the module doc.
        let v = version(c)?;
        if let Some(hit) = self.get::<T>(v, &key) {
            return Ok(hit);
        }
        let value = load(c)?;
        self.put(v, key, value.clone());
        Ok(value)
    }
}
