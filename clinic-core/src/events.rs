//! Domain events and the event port: audit, notifications and live updates listen here.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

use crate::ids::{ClinicId, PatientId, UserId};
use crate::model::{Appointment, AppointmentStatus};
use crate::time_slot::TimeSlot;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum DomainEvent {
    AppointmentBooked { appointment: Appointment, actor: Option<UserId>, overbooked: bool },
    AppointmentRescheduled { appointment: Appointment, from: TimeSlot, actor: Option<UserId> },
    AppointmentCancelled { appointment: Appointment, actor: Option<UserId>, reason: Option<String> },
    AppointmentStatusChanged { appointment: Appointment, from: AppointmentStatus, actor: Option<UserId> },
    PatientRegistered { clinic_id: ClinicId, patient_id: PatientId, actor: Option<UserId> },
    PatientUpdated { clinic_id: ClinicId, patient_id: PatientId, actor: Option<UserId> },
    ImportCompleted { clinic_id: ClinicId, accepted: usize, rejected: usize, actor: Option<UserId> },
}

impl DomainEvent {
    /// The event's name as listeners see it (`AppointmentBooked`, …).
    pub fn name(&self) -> &'static str {
        match self {
            DomainEvent::AppointmentBooked { .. } => "AppointmentBooked",
            DomainEvent::AppointmentRescheduled { .. } => "AppointmentRescheduled",
            DomainEvent::AppointmentCancelled { .. } => "AppointmentCancelled",
            DomainEvent::AppointmentStatusChanged { .. } => "AppointmentStatusChanged",
            DomainEvent::PatientRegistered { .. } => "PatientRegistered",
            DomainEvent::PatientUpdated { .. } => "PatientUpdated",
            DomainEvent::ImportCompleted { .. } => "ImportCompleted",
        }
    }
}

/// Receives events after the change is committed. Must not fail the use case: a sink that cannot deliver
/// queues or logs on its own.
#[async_trait]
pub trait EventSink: Send + Sync {
    async fn publish(&self, event: DomainEvent);
}

/// Drops every event.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEvents;

#[async_trait]
impl EventSink for NoEvents {
    async fn publish(&self, _event: DomainEvent) {}
}

/// Keeps every event in memory, in order (tests, demos, an in-process event log).
#[derive(Debug, Default)]
pub struct RecordedEvents {
    events: Mutex<Vec<DomainEvent>>,
}

impl RecordedEvents {
    pub fn take(&self) -> Vec<DomainEvent> {
        self.events.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default()
    }
    pub fn names(&self) -> Vec<&'static str> {
        self.events.lock().map(|v| v.iter().map(DomainEvent::name).collect()).unwrap_or_default()
    }
}

#[async_trait]
impl EventSink for RecordedEvents {
    async fn publish(&self, event: DomainEvent) {
        if let Ok(mut v) = self.events.lock() {
            v.push(event);
        }
    }
}
