//! Notifications and appointment reminders: the `--notify` and `--reminder-*` flags, the notifier they
//! choose (log, SMTP or webhook, from `clinic-server-infra`), and the background task that runs its
//! exactly-once reminder dispatcher over this server's scheduling store.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use clap::Args;
use clinic_core::ports::{AppointmentFilter, Store};
use clinic_core::AppointmentStatus;
use clinic_server_infra::notify::{
    LogNotifier, Notifier, SmtpConfig, SmtpNotifier, SmtpSecurity, WebhookConfig, WebhookNotifier,
};
use clinic_server_infra::reminders::{ReminderDispatcher, ReminderTarget, UpcomingAppointments};
use clinic_server_infra::{InfraError, InfraStore};

/// Notification and reminder settings of `serve`.
#[derive(Debug, Clone, Args)]
pub struct NotifyArgs {
    /// Where notifications go: `log` (a JSON log line with ids only), `smtp://HOST:PORT` (plain SMTP, a
    /// local relay), `smtp+starttls://HOST:PORT`, `smtps://HOST:PORT`, or an `http(s)://` webhook URL that
    /// receives each notification as a JSON POST. SMTP credentials come from CLINIC_SMTP_USERNAME and
    /// CLINIC_SMTP_PASSWORD.
    #[arg(long, env = "CLINIC_NOTIFY", default_value = "log")]
    pub notify: String,
    /// The From: address of reminder e-mails.
    #[arg(long, env = "CLINIC_NOTIFY_FROM", default_value = "Clinic <no-reply@clinic.invalid>")]
    pub notify_from: String,
    /// Send a reminder this many hours before each booked appointment (once, even across restarts and
    /// several instances); 0 turns reminders off.
    #[arg(long, env = "CLINIC_REMINDER_HOURS", default_value_t = 24)]
    pub reminder_hours: u32,
    /// Seconds between two reminder passes.
    #[arg(long, env = "CLINIC_REMINDER_INTERVAL", default_value_t = 60)]
    pub reminder_interval: u64,
    /// A file holding the SMTP password (instead of CLINIC_SMTP_PASSWORD).
    #[arg(long, env = "CLINIC_SMTP_PASSWORD_FILE")]
    pub smtp_password_file: Option<std::path::PathBuf>,
    /// Sent as `Authorization: Bearer <secret>` with every webhook POST.
    #[arg(long, env = "CLINIC_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<crate::secrets::Secret>,
    /// A file holding the webhook secret (instead of --webhook-secret).
    #[arg(long, env = "CLINIC_WEBHOOK_SECRET_FILE")]
    pub webhook_secret_file: Option<std::path::PathBuf>,
}

impl Default for NotifyArgs {
    fn default() -> Self {
        NotifyArgs {
            notify: "log".into(),
            notify_from: "Clinic <no-reply@clinic.invalid>".into(),
            reminder_hours: 24,
            reminder_interval: 60,
            smtp_password_file: None,
            webhook_secret: None,
            webhook_secret_file: None,
        }
    }
}

/// How long the notifier waits for a relay or webhook.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The notifier `--notify` names.
pub fn notifier(args: &NotifyArgs) -> Result<Arc<dyn Notifier>, String> {
    let spec = args.notify.trim();
    if spec.eq_ignore_ascii_case("log") {
        return Ok(Arc::new(LogNotifier));
    }
    if spec.starts_with("http://") || spec.starts_with("https://") {
        let mut n = WebhookNotifier::new(WebhookConfig { url: spec.to_string(), timeout: SEND_TIMEOUT })
            .map_err(|e| format!("--notify: {e}"))?;
        let secret = crate::secrets::value_or_file(
            "webhook-secret",
            args.webhook_secret.clone(),
            args.webhook_secret_file.as_deref(),
        )?;
        if let Some(s) = secret {
            n = n.with_secret(s.to_secret_string());
        }
        return Ok(Arc::new(n));
    }
    let (security, rest) = if let Some(r) = spec.strip_prefix("smtp://") {
        (SmtpSecurity::None, r)
    } else if let Some(r) = spec.strip_prefix("smtp+starttls://") {
        (SmtpSecurity::StartTls, r)
    } else if let Some(r) = spec.strip_prefix("smtps://") {
        (SmtpSecurity::Tls, r)
    } else {
        return Err(format!(
            "--notify: expected log, smtp://HOST:PORT, smtp+starttls://HOST:PORT, smtps://HOST:PORT or an http(s) URL, got {spec:?}"
        ));
    };
    let rest = rest.trim_end_matches('/');
    let default_port = match security {
        SmtpSecurity::None => 25,
        SmtpSecurity::StartTls => 587,
        SmtpSecurity::Tls => 465,
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| format!("--notify: bad SMTP port {p:?}"))?),
        None => (rest, default_port),
    };
    if host.is_empty() {
        return Err("--notify: the SMTP host is missing".into());
    }
    let cfg = SmtpConfig {
        host: host.to_string(),
        port,
        security,
        username: std::env::var("CLINIC_SMTP_USERNAME").ok().filter(|s| !s.is_empty()),
        password: crate::secrets::value_or_file(
            "smtp-password",
            std::env::var("CLINIC_SMTP_PASSWORD").ok().filter(|s| !s.is_empty()).map(crate::secrets::Secret::new),
            args.smtp_password_file.as_deref(),
        )?
        .map(|s| s.to_secret_string()),
        from: args.notify_from.clone(),
        timeout: SEND_TIMEOUT,
    };
    Ok(Arc::new(SmtpNotifier::new(cfg).map_err(|e| format!("--notify: {e}"))?))
}

/// The scheduling store as the reminder dispatcher reads it: booked appointments of every clinic starting
/// in a window, with the patient's e-mail and the start in the clinic's time zone.
pub struct StoreUpcoming {
    store: Arc<dyn Store>,
}

impl std::fmt::Debug for StoreUpcoming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreUpcoming").finish_non_exhaustive()
    }
}

impl StoreUpcoming {
    pub fn new(store: Arc<dyn Store>) -> Self {
        StoreUpcoming { store }
    }
}

fn infra(e: clinic_core::ClinicError) -> InfraError {
    InfraError::Store { message: format!("scheduling store: {}", e.code()), retryable: true }
}

#[async_trait]
impl UpcomingAppointments for StoreUpcoming {
    async fn starting_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> clinic_server_infra::error::Result<Vec<ReminderTarget>> {
        let mut out = Vec::new();
        for clinic in self.store.list_clinics().await.map_err(infra)? {
            let filter = AppointmentFilter {
                clinic_id: Some(clinic.id()),
                from: Some(from),
                to: Some(to),
                statuses: vec![AppointmentStatus::Booked],
                ..Default::default()
            };
            let tz = clinic.time_zone();
            for a in self.store.list_appointments(&filter).await.map_err(infra)? {
                let start = a.slot().start();
                // The filter selects overlaps; a reminder is due only for appointments that start in the window.
                if start < from || start >= to {
                    continue;
                }
                let email = match self.store.get_patient(a.patient_id()).await.map_err(infra)? {
                    Some(p) => p.contact().email().map(str::to_string),
                    None => None,
                };
                out.push(ReminderTarget {
                    appointment_id: a.id(),
                    clinic_id: a.clinic_id(),
                    patient_id: a.patient_id(),
                    practitioner_id: a.practitioner_id(),
                    starts_at: start,
                    email,
                    local_start: start.with_timezone(&tz).format("%a %d %b %Y %H:%M (%Z)").to_string(),
                });
            }
        }
        Ok(out)
    }
}

/// Stops the reminder task when dropped (or on [`Reminders::stop`]).
#[derive(Debug)]
pub struct Reminders {
    stop: tokio::sync::watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Reminders {
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for Reminders {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Starts the reminder task over `store` (scheduling data) and `records` (claims), unless reminders are off.
pub fn start(
    args: &NotifyArgs,
    store: Arc<dyn Store>,
    records: Arc<dyn InfraStore>,
    metrics: Arc<crate::metrics::Metrics>,
) -> Result<Option<Reminders>, String> {
    start_with(args, store, records, notifier(args)?, metrics)
}

/// [`start`] with a given notifier (the queued one of [`start_for_with`]).
pub fn start_with(
    args: &NotifyArgs,
    store: Arc<dyn Store>,
    records: Arc<dyn InfraStore>,
    notifier: Arc<dyn Notifier>,
    metrics: Arc<crate::metrics::Metrics>,
) -> Result<Option<Reminders>, String> {
    if args.reminder_hours == 0 {
        return Ok(None);
    }
    let lead = Duration::from_secs(u64::from(args.reminder_hours) * 3600);
    let dispatcher = ReminderDispatcher::new(records, notifier.clone(), Arc::new(StoreUpcoming::new(store)), lead);
    let (tx, rx) = tokio::sync::watch::channel(false);
    tracing::info!(
        notifier = notifier.name(),
        reminder_hours = args.reminder_hours,
        interval_s = args.reminder_interval,
        "reminders on"
    );
    let task = spawn_observed(dispatcher, Duration::from_secs(args.reminder_interval.max(1)), rx, metrics);
    Ok(Some(Reminders { stop: tx, task: Some(task) }))
}

/// The dispatcher's loop (as `ReminderDispatcher::spawn`), with each pass's report kept in the metrics so the
/// reminder backlog and failing passes can be alerted on.
fn spawn_observed(
    dispatcher: ReminderDispatcher,
    interval: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
    metrics: Arc<crate::metrics::Metrics>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while !*shutdown.borrow() {
            let run = dispatcher.run_once(Utc::now()).await;
            metrics.observe_reminder_run(&run);
            if let Err(e) = run {
                tracing::warn!(target: "clinic::reminders", code = e.code(), error = %e, "reminder run failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => {}
            }
        }
    })
}

/// Starts reminders for a server's state: over its scheduling store and its records. Without records (no
/// claims, so no exactly-once) reminders stay off, and the notifier is still checked.
pub fn start_for(st: &crate::state::AppState, args: &NotifyArgs) -> Result<Option<Reminders>, String> {
    start_for_with(st, args, &crate::resilience::ResilienceArgs::default())
}

/// [`start_for`] with a channel that may be down: SMTP or the webhook behind a breaker, a deadline and
/// retries, with a bounded outbox that delivers what waited once the channel is back (see
/// `clinic_server_infra::notify::QueuedNotifier`). The channel is registered for `/readyz`; the reminder
/// pass reads the scheduling store through the server's guarded store.
pub fn start_for_with(
    st: &crate::state::AppState,
    args: &NotifyArgs,
    res: &crate::resilience::ResilienceArgs,
) -> Result<Option<Reminders>, String> {
    let raw = notifier(args)?;
    let notifier: Arc<dyn Notifier> = if raw.name() == "log" {
        raw
    } else {
        let mut policy = res.policy();
        // An e-mail is not waited on by a request: give the relay the usual SMTP patience.
        policy.timeout = policy.timeout.max(SEND_TIMEOUT);
        let dep = st.ops.deps.register(clinic_server_infra::resilience::Dependency::new(raw.name(), policy, false));
        let q = clinic_server_infra::notify::QueuedNotifier::start(raw, dep, res.notify_queue);
        let _ = st.ops.notify_queue.set(q.clone());
        q
    };
    match &st.ops.records {
        Some(records) => {
            start_with(args, st.scheduler.store().clone(), records.clone(), notifier, st.ops.metrics.clone())
        }
        None => Ok(None),
    }
}
