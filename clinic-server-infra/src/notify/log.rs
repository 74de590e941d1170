//! The default notifier: a structured log line with ids only.

use async_trait::async_trait;

use super::{Notification, Notifier};
use crate::error::Result;

/// Writes one `tracing` event per notification (target `clinic::notify`), with ids and the kind only.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogNotifier;

#[async_trait]
impl Notifier for LogNotifier {
    fn name(&self) -> &'static str {
        "log"
    }

    async fn send(&self, n: &Notification) -> Result<()> {
        tracing::info!(
            target: "clinic::notify",
            kind = n.kind.as_str(),
            clinic_id = n.clinic_id.map(|i| i.to_string()).as_deref(),
            appointment_id = n.appointment_id.map(|i| i.to_string()).as_deref(),
            patient_id = n.patient_id.map(|i| i.to_string()).as_deref(),
            practitioner_id = n.practitioner_id.map(|i| i.to_string()).as_deref(),
            starts_at = n.starts_at.map(|t| t.to_rfc3339()).as_deref(),
            has_email = n.recipient_email.is_some(),
            "notification"
        );
        Ok(())
    }
}
