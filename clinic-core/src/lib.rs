//! # clinic-core
//!
//! The clinic appointment scheduling engine: entities and value objects that validate on construction,
//! the conflict engine (DESIGN.md rules 1–6) and availability search over one [`Calendar`], the appointment
//! state machine, use cases over async store ports, an in-memory store, the RBAC matrix, and the store
//! conformance kit (feature `testkit`).
//!
//! Pure Rust with no I/O: it builds for `wasm32-unknown-unknown` and is wrapped unchanged by the server
//! and the Python, Node and WASM bindings.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod contact;
pub mod engine;
pub mod error;
pub mod events;
pub mod ids;
pub mod import;
pub mod interop;
pub mod memory;
pub mod model;
mod phone_validity;
pub mod ports;
pub mod rbac;
pub mod reports;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod time_slot;
pub mod usecases;
pub mod vectors;
pub mod zone;

pub use contact::{Address, ContactInfo};
pub use engine::{Alternatives, BookingRejection, BookingRequest, Calendar, SlotOffer, SlotQuery, Verdict, Violation};
pub use error::{ClinicError, ErrorCode, FieldError, ValidationErrors};
pub use ids::*;
pub use memory::InMemoryStore;
pub use model::*;
pub use time_slot::TimeSlot;
pub use usecases::{CreateAppointment, RescheduleAppointment, Scheduler};
