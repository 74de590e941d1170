//! Appointment reminders, sent exactly once.
//!
//! Every run asks the server (through [`UpcomingAppointments`]) for the active appointments starting within
//! the lead time, claims `(appointment, kind)` in the store — an insert under a unique key, so exactly one
//! caller ever wins, whatever the number of instances or restarts — and only the winner sends. A send that
//! fails gives the claim back so a later run retries; a process that dies between claim and send loses that
//! one reminder rather than risk sending it twice.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use clinic_core::ids::{AppointmentId, ClinicId, PatientId, PractitionerId};

use crate::error::Result;
use crate::notify::{Notification, NotificationKind, Notifier};
use crate::store::InfraStore;

/// An appointment a reminder may be due for, as the server reads it from the scheduling store.
#[derive(Clone, PartialEq, Eq)]
pub struct ReminderTarget {
    pub appointment_id: AppointmentId,
    pub clinic_id: ClinicId,
    pub patient_id: PatientId,
    pub practitioner_id: PractitionerId,
    pub starts_at: DateTime<Utc>,
    /// The patient's e-mail, if any (PII).
    pub email: Option<String>,
    /// The start as the patient should read it (clinic-local, e.g. `Fri 27 Nov 2026 10:00 (Europe/Berlin)`).
    pub local_start: String,
}

impl std::fmt::Debug for ReminderTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReminderTarget")
            .field("appointment_id", &self.appointment_id)
            .field("starts_at", &self.starts_at)
            .finish_non_exhaustive()
    }
}

/// The server's view of the schedule: active (not cancelled) appointments starting in `[from, to)`.
#[async_trait]
pub trait UpcomingAppointments: Send + Sync {
    async fn starting_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<ReminderTarget>>;
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DispatchReport {
    /// Appointments in the window.
    pub due: usize,
    /// Reminders this run sent.
    pub sent: usize,
    /// Already claimed (sent by an earlier run or another instance).
    pub skipped: usize,
    /// Sends that failed (claim given back).
    pub failed: usize,
}

/// Sends reminders `lead` before appointments.
#[derive(Clone)]
pub struct ReminderDispatcher {
    store: Arc<dyn InfraStore>,
    notifier: Arc<dyn Notifier>,
    source: Arc<dyn UpcomingAppointments>,
    lead: Duration,
    kind: NotificationKind,
}

impl std::fmt::Debug for ReminderDispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReminderDispatcher").field("lead", &self.lead).field("notifier", &self.notifier.name()).finish()
    }
}

impl ReminderDispatcher {
    pub fn new(
        store: Arc<dyn InfraStore>,
        notifier: Arc<dyn Notifier>,
        source: Arc<dyn UpcomingAppointments>,
        lead: Duration,
    ) -> Self {
        let kind = NotificationKind::reminder((lead.as_secs() / 60) as i64);
        ReminderDispatcher { store, notifier, source, lead, kind }
    }

    /// The claim kind (`appointment_reminder_1440m` for 24 h).
    pub fn kind(&self) -> &NotificationKind {
        &self.kind
    }

    /// One pass at `now`: reminds every appointment starting in `(now, now + lead]` not reminded yet.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<DispatchReport> {
        let lead = chrono::Duration::from_std(self.lead).unwrap_or(chrono::Duration::days(365));
        // [from, to) with from just after now: an appointment starting now is too late to remind.
        let from = now + chrono::Duration::milliseconds(1);
        let to = now + lead + chrono::Duration::milliseconds(1);
        let due = self.source.starting_between(from, to).await?;
        let mut report = DispatchReport { due: due.len(), ..Default::default() };
        for t in due {
            if !self.store.claim_reminder(t.appointment_id, self.kind.as_str(), now).await? {
                report.skipped += 1;
                continue;
            }
            match self.notifier.send(&self.notification(&t)).await {
                Ok(()) => report.sent += 1,
                Err(e) => {
                    tracing::warn!(
                        target: "clinic::reminders",
                        appointment_id = %t.appointment_id,
                        code = e.code(),
                        error = %e,
                        "reminder not sent; will retry"
                    );
                    self.store.release_reminder(t.appointment_id, self.kind.as_str()).await?;
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    fn notification(&self, t: &ReminderTarget) -> Notification {
        Notification {
            kind: self.kind.clone(),
            clinic_id: Some(t.clinic_id),
            appointment_id: Some(t.appointment_id),
            patient_id: Some(t.patient_id),
            practitioner_id: Some(t.practitioner_id),
            starts_at: Some(t.starts_at),
            recipient_email: t.email.clone(),
            subject: "Appointment reminder".into(),
            body: format!("This is a reminder of your appointment on {}.", t.local_start),
        }
    }

    /// Runs [`run_once`](Self::run_once) every `interval` until `shutdown` turns true. Errors are logged
    /// (ids and codes only) and the loop goes on.
    pub fn spawn(
        self,
        interval: Duration,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if *shutdown.borrow() {
                    break;
                }
                if let Err(e) = self.run_once(Utc::now()).await {
                    tracing::warn!(target: "clinic::reminders", code = e.code(), error = %e, "reminder run failed");
                }
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = shutdown.changed() => {}
                }
            }
        })
    }
}
