//! Entities of DESIGN.md §3 "Domain". Each validates at construction and again when deserialized.

pub mod appointment;
pub mod appointment_type;
pub mod clinic;
pub mod patient;
pub mod resources;
pub mod schedule;

pub use appointment::{Appointment, AppointmentStatus, HistoryEntry, NewAppointment};
pub use appointment_type::{AppointmentType, AppointmentTypeInput};
pub use clinic::{Clinic, ClinicInput, Closure};
pub use patient::{Identifier, Patient, PatientInput, Sex};
pub use resources::{Practitioner, Room};
pub use schedule::{
    Break, ExceptionKind, RecurringHours, Schedule, ScheduleException, ScheduleInput, WeeklyHours, Window,
};
