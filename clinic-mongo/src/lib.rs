//! # clinic-mongo
//!
//! The MongoDB store of the clinic scheduling engine: [`MongoStore`] implements every store port of
//! `clinic-core` ([`CatalogStore`](clinic_core::ports::CatalogStore), [`PatientStore`](clinic_core::ports::PatientStore),
//! [`AppointmentStore`](clinic_core::ports::AppointmentStore)) with the `mongodb` driver, and passes the core's
//! conformance kit against MongoDB and against FerretDB (which the tests start: module `test_support`, feature
//! `test-support`).
//!
//! ## Schema
//! Collections `clinics`, `practitioners`, `rooms`, `appointment_types`, `schedules`, `patients`, `appointments`,
//! `guards` and `claims`. A document is its entity's serde form (the field names `clinic-core` keeps stable) with
//! the id as `_id`, ids as BSON binary subtype 4 and instants as BSON dates (see `codec`). Store-internal fields:
//! `patients.mrn_key` (the MRN uniqueness key) and `appointments.pending` (an unfinished booking write).
//! Indexes: unique `(clinic_id, mrn_key)` on patients (FerretDB has no partial indexes, so patients without an
//! MRN get their own id as key); appointments by `(practitioner_id, slot.start)`, `(patient_id, slot.start)`,
//! `(room_id, slot.start)`, `(clinic_id, slot.start)` and `pending.at`; resources by `clinic_id`.
//! A guard key (`practitioner:<uuid>:<day>`) is a chain of entries `<key>#1`, `<key>#2`, … in `guards` (its
//! version is the chain's length) plus a head document `<key>` that remembers how far the chain is known to go.
//! `claims` holds `appointment:<uuid>:<version>`: the one writer allowed to replace that version.
//!
//! ## Atomicity without transactions
//! FerretDB, and MongoDB standalone servers, have no multi-document transactions, so nothing here needs them.
//! Every compare-and-set is an insert under a unique `_id` — the one primitive FerretDB 1.24 (SQLite) makes
//! atomic: it runs an update's filter and write without isolation, so `findOneAndUpdate({version: v}, $inc)`
//! lets several concurrent callers win there. A booking commits by writing its appointment first (marked
//! unfinished), then taking each guard's next version, then clearing the mark; a lost guard rolls the
//! appointment write back, and listings wait for marks they meet to resolve. The argument that this never
//! double-books is on [`MongoStore`]'s `commit_booking`
//! (see [`AppointmentStore::commit_booking`](clinic_core::ports::AppointmentStore::commit_booking)).
//!
//! ## Errors
//! A server that is down or unreachable, a bad connection string, a failed write: `ClinicError::Store`
//! (code `STORE_UNAVAILABLE`) with a message saying what failed and `retryable` telling whether repeating may
//! help. Nothing panics.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod codec;
mod error;
mod store;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use mongodb::options::Acknowledgment;
pub use store::{collections, MongoStore, MongoStoreOptions, DEFAULT_DATABASE};
