//! E-mail through an SMTP relay (`lettre`, tokio, rustls).

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

use super::{Notification, Notifier};
use crate::error::{InfraError, Result};

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain SMTP (a local relay or test sink only).
    None,
    /// STARTTLS required (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// The `From:` address.
    pub from: String,
    pub timeout: Duration,
}

/// Sends each notification with a recipient e-mail as a plain-text message.
pub struct SmtpNotifier {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
}

impl std::fmt::Debug for SmtpNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpNotifier").field("host", &self.host).finish_non_exhaustive()
    }
}

impl SmtpNotifier {
    pub fn new(cfg: SmtpConfig) -> Result<Self> {
        let from: Mailbox = cfg.from.parse().map_err(|e| InfraError::Config(format!("SMTP from address: {e}")))?;
        let builder = match cfg.security {
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host),
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host)
                .map_err(|e| InfraError::Config(format!("SMTP relay: {e}")))?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host)
                .map_err(|e| InfraError::Config(format!("SMTP relay: {e}")))?,
        };
        let mut builder = builder.port(cfg.port).timeout(Some(cfg.timeout));
        if let (Some(u), Some(p)) = (cfg.username, cfg.password) {
            builder = builder.credentials(Credentials::new(u, p.expose_secret().to_string()));
        }
        Ok(SmtpNotifier { transport: builder.build(), from, host: cfg.host })
    }
}

#[async_trait]
impl Notifier for SmtpNotifier {
    fn name(&self) -> &'static str {
        "smtp"
    }

    async fn send(&self, n: &Notification) -> Result<()> {
        let Some(to) = &n.recipient_email else {
            // Nothing to send by e-mail; not an error of the channel.
            return Ok(());
        };
        let to: Mailbox = to.parse().map_err(|_| InfraError::Notification {
            message: "recipient e-mail address is invalid".into(),
            retryable: false,
        })?;
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(n.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(n.body.clone())
            .map_err(|e| InfraError::Notification {
                message: format!("cannot build the e-mail: {e}"),
                retryable: false,
            })?;
        self.transport.send(msg).await.map(|_| ()).map_err(|e| InfraError::Notification {
            // lettre's errors do not contain the message or the recipient.
            message: format!("SMTP: {e}"),
            retryable: e.is_transient() || e.is_timeout(),
        })
    }
}
