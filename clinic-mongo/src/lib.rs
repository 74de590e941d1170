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
//! `guards`, `claims` and `cache_tokens`. A document is its entity's serde form (the field names `clinic-core`
//! keeps stable) with the id as `_id`; the `_id` is the UUID's canonical text, every other id (the references
//! between entities) BSON binary subtype 4, and instants BSON dates (see `codec`). The `_id` is text because
//! FerretDB 1.24 with its SQLite back end answers a lookup from its primary key only when the filter is exactly
//! `{_id: <string or ObjectId>}`; a binary `_id`, or any other filter, is a scan of the whole collection there.
//! Store-internal fields: `patients.mrn_key` (the MRN uniqueness key) and `appointments.pending` (an unfinished
//! booking write).
//! Indexes: unique `(clinic_id, mrn_key)` on patients (FerretDB has no partial indexes, so patients without an
//! MRN get their own id as key); appointments by `(practitioner_id, slot.start)`, `(patient_id, slot.start)`,
//! `(room_id, slot.start)`, `(clinic_id, slot.start)` and `pending.at`; resources by `clinic_id`.
//! A guard key (`practitioner:<uuid>:<day>`) is a chain of entries `<key>#1`, `<key>#2`, … in `guards` (its
//! version is the chain's length; each entry names, in `appointments`, the appointments whose write took it)
//! plus a head document `<key>` that remembers how far the chain is known to go and what it named up to there.
//! `claims` holds `appointment:<uuid>:<version>`: the one writer allowed to replace that version.
//! `cache_tokens` holds `schedules`, a token every schedule write changes.
//!
//! ## The booking path by `_id` only
//! Everything a booking reads and writes is reachable by `_id`, so that FerretDB never scans on it:
//! the patient, type, clinic, practitioner and room by id; the guard versions by probing the next chain entry;
//! the appointments near the slot through the chains of the practitioner's and the patient's days, which name
//! every appointment whose slot touches that day (each one then read by `_id`); the resource's schedules from a
//! per-instance copy kept while the `schedules` token is unchanged; and the conditional writes of a commit as a
//! read and a write by `_id` (on FerretDB, whose filters give no isolation anyway; MongoDB keeps one atomic
//! filtered write). Chain entries never change, so each instance remembers what it has read of every chain
//! and reads only what is new. Listings other than a booking's (a whole clinic, pages, long ranges) are queries
//! as before.
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
