//! # clinic-server
//!
//! The reference HTTP server of the clinic scheduling engine: REST + JSON under `/api/v1` over the core's use
//! cases, RFC 9457 problems with the engine's stable codes, JWT auth with RBAC from the core, OpenAPI 3.1 at
//! `/api/openapi.json`. [`app`] builds the router (testable in-process with `tower::ServiceExt::oneshot`);
//! the binary adds the CLI, the stores, TLS and graceful shutdown.

pub mod audit_trail;
pub mod cli;
pub mod commands;
pub mod dto;
pub mod error;
pub mod extract;
pub mod http;
pub mod idempotency;
pub mod imports;
pub mod infra;
pub mod live;
pub mod metrics;
pub mod notifications;
pub mod oidc_auth;
pub mod openapi;
pub mod ops;
pub mod protect_commands;
pub mod protect_keys;
pub mod resilience;
pub mod routes;
pub mod secrets;
pub mod seed;
pub mod serve;
pub mod state;
pub mod store;
pub mod timed_store;

pub use http::{app, HttpConfig};
pub use state::AppState;
