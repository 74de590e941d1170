//! Interoperability: iCalendar (RFC 5545) export and the HL7 FHIR R4 mapping (both directions).
//!
//! Pure functions over the domain types (no I/O): the [`crate::Scheduler`] use cases in
//! `usecases_interop.rs` load the data, check RBAC and call these.

pub mod fhir;
pub mod ical;

/// The product identifier written into exports (iCalendar PRODID, UID domain).
pub const PRODUCT_DOMAIN: &str = "clinic-scheduling";
