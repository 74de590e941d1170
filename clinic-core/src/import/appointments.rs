//! Appointment rows (placeholder: filled in below).
