//! Opening the scheduling store the flags name: an embedded SQLite file in the data directory (the default,
//! no setup) or MongoDB by connection string.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clinic_core::ClinicError;

use crate::state::Backend;

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum StoreChoice {
    /// The SQLite file `clinic.sqlite3` (and the server's own records) in this directory.
    Dir(PathBuf),
    /// A `mongodb://` / `mongodb+srv://` URI (database from its path, default `clinic`).
    Mongo(String),
}

pub const SQLITE_FILE: &str = "clinic.sqlite3";

impl StoreChoice {
    pub fn sqlite_path(dir: &Path) -> PathBuf {
        dir.join(SQLITE_FILE)
    }

    /// Opens the store, creating the data directory when needed; patients in clear (tests, tools).
    pub async fn open(&self) -> Result<Backend, ClinicError> {
        self.open_with(None).await
    }

    /// Opens the store with patient PHI sealed under `ring` when given (see `clinic-protect`).
    pub async fn open_with(&self, ring: Option<Arc<clinic_protect::Keyring>>) -> Result<Backend, ClinicError> {
        match self {
            StoreChoice::Dir(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| ClinicError::Store {
                    message: format!("cannot create the data directory {}: {e}", dir.display()),
                    retryable: false,
                })?;
                let mut s = clinic_sqlite::SqliteStore::open(Self::sqlite_path(dir))?;
                if let Some(ring) = ring {
                    s = s.with_protection(ring);
                }
                Ok(Backend::Sqlite(Arc::new(s)))
            }
            StoreChoice::Mongo(uri) => {
                let mut m = clinic_mongo::MongoStore::connect_uri(uri).await?;
                if let Some(ring) = ring {
                    m = m.with_protection(ring).await?;
                }
                Ok(Backend::Mongo(Arc::new(m)))
            }
        }
    }
}
