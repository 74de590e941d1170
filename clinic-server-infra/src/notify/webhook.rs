//! Notifications POSTed as JSON to a URL (an integration endpoint).

use std::time::Duration;

use async_trait::async_trait;

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
        Ok(WebhookNotifier { url, http })
    }
}

#[async_trait]
impl Notifier for WebhookNotifier {
    fn name(&self) -> &'static str {
        "webhook"
    }

    async fn send(&self, n: &Notification) -> Result<()> {
        let resp = self.http.post(self.url.clone()).json(n).send().await.map_err(|e| InfraError::Notification {
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
