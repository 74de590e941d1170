//! A notifier that survives its channel being down: each send goes through the channel's breaker, deadline
//! and retries ([`crate::resilience`]); when the channel is down the notification waits in a bounded outbox
//! and a background task delivers it, in order, once the channel answers again.
//!
//! Accepting into the outbox counts as sent for the reminder dispatcher (its claim stays, so the reminder is
//! not sent twice). A full outbox refuses, so the dispatcher gives its claim back and the reminder waits in
//! the store instead. The outbox is in memory: a process killed while it holds messages loses them (a
//! graceful stop waits up to its grace period for them, see [`QueuedNotifier::flush`]).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use async_trait::async_trait;

use super::{Notification, Notifier};
use crate::error::{InfraError, Result};
use crate::resilience::{CallError, Dependency};

/// How often the delivery task looks at the outbox while the channel is down.
const DRAIN_TICK: Duration = Duration::from_millis(250);

/// Wraps a channel; see the module doc.
#[derive(Debug)]
pub struct QueuedNotifier {
    inner: Arc<dyn Notifier>,
    dep: Dependency,
    outbox: Mutex<VecDeque<Notification>>,
    capacity: usize,
    wake: tokio::sync::Notify,
}

impl QueuedNotifier {
    /// Starts the delivery task (it ends when the notifier is dropped). Needs a tokio runtime.
    pub fn start(inner: Arc<dyn Notifier>, dep: Dependency, capacity: usize) -> Arc<QueuedNotifier> {
        let me = Arc::new(QueuedNotifier {
            inner,
            dep,
            outbox: Mutex::new(VecDeque::new()),
            capacity: capacity.max(1),
            wake: tokio::sync::Notify::new(),
        });
        let weak = Arc::downgrade(&me);
        tokio::spawn(drain(weak));
        me
    }

    /// The channel's dependency (breaker state for `/readyz`).
    pub fn dependency(&self) -> &Dependency {
        &self.dep
    }

    /// Notifications waiting for the channel.
    pub fn pending(&self) -> usize {
        self.outbox.lock().map(|q| q.len()).unwrap_or(0)
    }

    /// Waits until the outbox is empty or `within` has passed; returns what is still waiting.
    pub async fn flush(&self, within: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = self.pending();
            if left == 0 || tokio::time::Instant::now() >= deadline {
                return left;
            }
            self.wake.notify_one();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn enqueue(&self, n: &Notification) -> Result<()> {
        let mut q = self.outbox.lock().map_err(|_| InfraError::Internal("outbox lock poisoned".into()))?;
        if q.len() >= self.capacity {
            return Err(InfraError::Notification {
                message: format!("{} is down and the outbox is full ({} waiting)", self.dep.name(), q.len()),
                retryable: true,
            });
        }
        q.push_back(n.clone());
        tracing::info!(
            target: "clinic::notify",
            channel = self.dep.name(),
            appointment_id = n.appointment_id.map(|i| i.to_string()).as_deref(),
            waiting = q.len(),
            "channel unavailable; notification queued"
        );
        Ok(())
    }

    /// One guarded send: `Ok(true)` delivered, `Ok(false)` the channel is down, `Err` a permanent refusal.
    async fn try_send(&self, n: &Notification) -> Result<bool> {
        match self.dep.call(true, || self.inner.send(n), InfraError::is_retryable).await {
            Ok(()) => Ok(true),
            Err(CallError::Failed(e)) if !e.is_retryable() => Err(e),
            Err(_) => Ok(false),
        }
    }

    /// Delivers from the front of the outbox until it is empty or the channel is down.
    async fn drain_once(&self) {
        loop {
            let Some(n) = self.outbox.lock().ok().and_then(|q| q.front().cloned()) else { return };
            match self.try_send(&n).await {
                Ok(false) => return,
                Ok(true) => {
                    tracing::info!(
                        target: "clinic::notify",
                        channel = self.dep.name(),
                        appointment_id = n.appointment_id.map(|i| i.to_string()).as_deref(),
                        "queued notification delivered"
                    );
                }
                Err(e) => tracing::warn!(
                    target: "clinic::notify",
                    channel = self.dep.name(),
                    appointment_id = n.appointment_id.map(|i| i.to_string()).as_deref(),
                    code = e.code(),
                    error = %e,
                    "queued notification refused by the channel; dropped"
                ),
            }
            if let Ok(mut q) = self.outbox.lock() {
                q.pop_front();
            }
        }
    }
}

async fn drain(me: Weak<QueuedNotifier>) {
    loop {
        let Some(n) = me.upgrade() else { return };
        if n.pending() > 0 && n.dep.is_available() {
            n.drain_once().await;
        }
        let tick = tokio::time::sleep(DRAIN_TICK);
        tokio::select! { _ = tick => {}, _ = n.wake.notified() => {} }
    }
}

#[async_trait]
impl Notifier for QueuedNotifier {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn send(&self, n: &Notification) -> Result<()> {
        // Keep the order: while anything waits, new notifications wait behind it.
        if self.pending() > 0 || !self.dep.is_available() {
            return self.enqueue(n);
        }
        match self.try_send(n).await {
            Ok(true) => Ok(()),
            Ok(false) => self.enqueue(n),
            Err(e) => Err(e),
        }
    }
}
