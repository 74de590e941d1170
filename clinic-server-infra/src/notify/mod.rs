//! The notification port and its adapters: log (default), SMTP and webhook.
//!
//! A [`Notification`] carries ids for logs and audit, and the human text (which may name the patient) for
//! the channel that delivers it. Its Debug output and the log adapter show ids only.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use clinic_core::ids::{AppointmentId, ClinicId, PatientId, PractitionerId};

use crate::error::Result;

mod log;
mod queued;
mod smtp;
mod webhook;

pub use log::LogNotifier;
pub use queued::QueuedNotifier;
pub use smtp::{SmtpConfig, SmtpNotifier, SmtpSecurity};
pub use webhook::{WebhookConfig, WebhookNotifier};

/// What a notification is about (a stable snake_case name, also the webhook's `kind`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationKind(pub String);

impl NotificationKind {
    pub fn reminder(lead_minutes: i64) -> Self {
        NotificationKind(format!("appointment_reminder_{lead_minutes}m"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One message to deliver.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub kind: NotificationKind,
    pub clinic_id: Option<ClinicId>,
    pub appointment_id: Option<AppointmentId>,
    pub patient_id: Option<PatientId>,
    pub practitioner_id: Option<PractitionerId>,
    pub starts_at: Option<DateTime<Utc>>,
    /// Where an e-mail goes (PII: never logged).
    pub recipient_email: Option<String>,
    /// Human text (may contain PII: never logged).
    pub subject: String,
    pub body: String,
}

impl std::fmt::Debug for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notification")
            .field("kind", &self.kind.0)
            .field("clinic_id", &self.clinic_id)
            .field("appointment_id", &self.appointment_id)
            .field("patient_id", &self.patient_id)
            .field("practitioner_id", &self.practitioner_id)
            .field("starts_at", &self.starts_at)
            .field("recipient_email", &self.recipient_email.as_ref().map(|_| "<redacted>"))
            .field("subject", &"<redacted>")
            .field("body", &"<redacted>")
            .finish()
    }
}

/// Delivers notifications. Implementations must not log PII.
#[async_trait]
pub trait Notifier: Send + Sync + std::fmt::Debug {
    /// A short name for logs and metrics (`log`, `smtp`, `webhook`).
    fn name(&self) -> &'static str;
    async fn send(&self, notification: &Notification) -> Result<()>;
}
