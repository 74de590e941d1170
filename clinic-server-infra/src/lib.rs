//! # clinic-server-infra
//!
//! The clinic server's own records and security primitives — everything it needs that is not scheduling
//! data and not HTTP: user accounts and Argon2 password checks ([`users`], [`password`]), JWT access tokens
//! and their strict verification ([`tokens`]), external OIDC tokens via JWKS ([`oidc`]), rotating refresh
//! tokens with reuse detection ([`refresh`]), rate limits ([`ratelimit`]), the hash-chained audit log
//! ([`audit`]), `Idempotency-Key` records ([`idempotency`]), the cross-instance event feed ([`events`]),
//! notifications ([`notify`]) and exactly-once reminders ([`reminders`]).
//!
//! Records live behind one storage port, [`store::InfraStore`], with an SQLite implementation (a file in the
//! server's data directory) and a MongoDB one (shared by several instances); both pass one conformance suite.
//! Errors are [`InfraError`] with a stable code and the HTTP status the server should answer with.
//! Secrets (passwords, tokens, keys) never appear in Debug output or error messages.

pub mod audit;
pub mod error;
pub mod events;
mod group_commit;
pub mod idempotency;
pub mod notify;
pub mod oidc;
pub mod password;
pub mod ratelimit;
pub mod refresh;
pub mod reminders;
pub mod resilience;
pub mod store;
pub mod tokens;
pub mod users;

pub use error::{InfraError, TokenRejection};
pub use store::{InfraStore, MongoInfraStore, SqliteInfraStore};
