//! `clinic-sqlite`: the embedded, zero-setup store of the clinic scheduling engine.
//!
//! One SQLite file (bundled library, no system dependency) in WAL mode with `synchronous=FULL`, so every
//! acknowledged booking survives a crash or power cut. Entities are stored as their validated JSON form plus
//! the indexed columns the hot queries need; reading a row re-validates it.
//!
//! Booking atomicity: [`SqliteStore`] implements `commit_booking` as one `BEGIN IMMEDIATE` transaction that
//! verifies every guard version (and the appointment's version for a reschedule), writes the appointment and
//! bumps the guards — SQLite's single-writer lock makes check-and-write indivisible, across threads and
//! across processes sharing the file. Bookings arriving together are group-committed (`booking_writer`): one
//! transaction and one `fsync` for the batch, each booking in its own savepoint, each caller answered only
//! after the commit.
//!
//! Reads reuse decoded values: the catalog while a trigger-maintained catalog version is unchanged
//! (`catalog_cache`), appointments while their stored text is unchanged (`decoded_rows`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), clinic_core::ClinicError> {
//! use std::sync::Arc;
//! let store = Arc::new(clinic_sqlite::SqliteStore::open("clinic.db")?);
//! let scheduler = clinic_core::Scheduler::new(store);
//! # let _ = scheduler; Ok(()) }
//! ```

mod booking_writer;
mod catalog_cache;
mod decoded_rows;
mod schema;
mod store;

pub use store::SqliteStore;
