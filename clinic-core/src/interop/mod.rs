//! Interoperability: iCalendar (RFC 5545) export and the HL7 FHIR R4 mapping (both directions).
//!
//! Pure functions over the domain types (no I/O); the [`crate::Scheduler`] use cases in [`usecases`] load the
//! data, check RBAC and call them.

pub mod fhir;
pub mod ical;
pub mod usecases;

pub use usecases::{PractitionerFeed, MAX_FEED_DAYS};

/// The product identifier written into exports (iCalendar PRODID, UID domain).
pub const PRODUCT_DOMAIN: &str = "clinic-scheduling";
