//! Notifications POSTed as JSON to a URL (an integration endpoint).

use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};

use super::{Notification, Notifier};
use crate::error::{InfraError, Result};

#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub url: String,
    pub timeout: Duration,
}

/// POSTs each notification (its serde form) and expects a 2xx answer within the timeout.
#[derive(Debug)]
pub struct WebhookNotifier {
    url: reqwest::Url,
    http: reqwest::Client,
    /// Sent as `Authorization: Bearer …` so the receiver can tell the server's calls from anyone's.
    secret: Option<SecretString>,
}

impl WebhookNotifier {
    pub fn new(cfg: WebhookConfig) -> Result<Self> {
        let url = reqwest::Url::parse(&cfg.url).map_err(|e| InfraError::Config(format!("webhook URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(InfraError::Config("the webhook URL must be http(s)".into()));
        }
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| InfraError::Config(format!("HTTP client: {e}")))?;
        Ok(WebhookNotifier { url, http, secret: None })
    }
}

impl WebhookNotifier {
    /// Authenticates every POST with `Authorization: Bearer <secret>` (e.g. from `--webhook-secret-file`).
    pub fn with_secret(mut self, secret: SecretString) -> Self {
        self.secret = Some(secret);
        self
    }
}

#[async_trait]
impl Notifier for WebhookNotifier {
    fn name(&self) -> &'static str {
        "webhook"
    }

    async fn send(&self, n: &Notification) -> Result<()> {
        let mut req = self.http.post(self.url.clone()).json(n);
        // A retried POST (after a timeout or while the receiver restarts) carries the same key, so the
        // receiver can drop the duplicate.
        if let (Some(a), Some(s)) = (n.appointment_id, n.starts_at) {
            req = req.header("Idempotency-Key", format!("{}:{a}:{}", n.kind.as_str(), s.timestamp()));
        }
        if let Some(secret) = &self.secret {
            req = req.bearer_auth(secret.expose_secret());
        }
        let resp = req.send().await.map_err(|e| InfraError::Notification {
            message: format!(
                "webhook: {}",
                if e.is_timeout() { "timed out".to_string() } else { e.without_url().to_string() }
            ),
            retryable: true,
        })?;
        let status = resp.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(InfraError::Notification {
                message: format!("webhook answered HTTP {status}"),
                retryable: status.is_server_error() || status.as_u16() == 429,
            })
        }
    }
}
