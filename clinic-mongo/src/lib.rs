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
//! An entry written by a new booking also carries the booking (`commit: {token, entries, appointment}`): its
//! guard entries decide it and its document is written after them (see "insert commits" in `store`).
//! `claims` holds `appointment:<uuid>:<version>`: the one writer allowed to replace that version.
//! `cache_tokens` holds `reference`: one token per class of reference data (`catalog`, `patients`) that every
//! write of that class changes (see `ref_cache`; the `schedules` token of earlier versions is ignored).
//!
//! ## The booking path: few commands, all by `_id`
//! On FerretDB every command costs about half an insert and anything but an `_id` lookup scans, so a booking
//! is built to send as few commands as it can, each by `_id`. A warm booking sends four: one probe per chain
//! its decision lists (the practitioner's day and the patient's day: is there an entry after the last one
//! this instance knows?), one `insert_many` of its guard entries — the compare-and-set and the record of the
//! booking at once — and one insert of the appointment document. What makes that possible:
//! - reference data and patients come from per-instance copies checked against the `reference` token at most
//!   every 250 ms (`ref_cache`);
//! - guard versions come from what the instance already read of the chains (the commit's insert checks them);
//! - appointments named by the chains come from per-instance copies that a new chain entry naming them drops
//!   (every write of an appointment appends one to the chains of its days);
//! - a new booking is decided by its guard entries (see "insert commits" in `store`): no unfinished mark to
//!   write and remove. Reschedules and status changes keep the unfinished-write protocol.
//!
//! Chain entries never change, so each instance remembers what it has read of every chain and reads only what
//! is new. Listings other than a booking's (a whole clinic, pages, long ranges) are queries as before.
//! All instances on one database must run the same version of this protocol.
//!
//! ## Errors
//! A server that is down or unreachable, a bad connection string, a failed write: `ClinicError::Store`
//! (code `STORE_UNAVAILABLE`) with a message saying what failed and `retryable` telling whether repeating may
//! help. Nothing panics.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod codec;
mod error;
mod ref_cache;
mod store;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use mongodb::options::Acknowledgment;
pub use store::{collections, MongoStore, MongoStoreOptions, DEFAULT_DATABASE};
