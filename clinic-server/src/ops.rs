//! The server's operational concerns bundled into one state field: metrics, the audit trail, live updates
//! (and notifications, wired the same way). [`Ops::scheduler`] builds the core's scheduler over the timed
//! store with the ops event sink, so every committed change reaches them.

use std::sync::Arc;

use async_trait::async_trait;
use clinic_core::events::{DomainEvent, EventSink};
use clinic_core::ports::Store;
use clinic_core::Scheduler;
use clinic_server_infra::audit::AuditLog;
use clinic_server_infra::events::EventFeed;
use clinic_server_infra::InfraStore;
use utoipa::OpenApi;

use crate::live::LiveHub;
use crate::metrics::Metrics;
use crate::timed_store::TimedStore;

/// Operational services shared by every handler (cheap to clone).
#[derive(Clone, Debug)]
pub struct Ops {
    pub metrics: Arc<Metrics>,
    /// The hash-chained audit log of patient-data access (absent only without the server's records).
    pub audit: Option<AuditLog>,
    pub live: Arc<LiveHub>,
    /// The server's records (reminder claims live there too).
    pub records: Option<Arc<dyn InfraStore>>,
    /// Every outside dependency with its circuit breaker, for `/readyz` (see `crate::resilience`).
    pub deps: crate::resilience::Dependencies,
    /// The notification channel's outbox, once reminders have started (its length shows on `/readyz`).
    pub notify_queue: Arc<std::sync::OnceLock<Arc<clinic_server_infra::notify::QueuedNotifier>>>,
}

impl Default for Ops {
    fn default() -> Self {
        Self::new(None)
    }
}

impl Ops {
    /// Over the server's records (`clinic-server-infra`'s store): audit log and the shared event feed.
    /// `None` keeps everything in process (no audit).
    pub fn new(records: Option<Arc<dyn InfraStore>>) -> Self {
        Ops {
            metrics: Arc::new(Metrics::new()),
            audit: records.clone().map(AuditLog::new),
            live: Arc::new(LiveHub::new(records.clone().map(EventFeed::new))),
            records,
            deps: Default::default(),
            notify_queue: Default::default(),
        }
    }

    /// The core's scheduler over `store`, timed and publishing to the ops sinks.
    pub fn scheduler(&self, store: Arc<dyn Store>) -> Scheduler<dyn Store> {
        let timed: Arc<dyn Store> = Arc::new(TimedStore::new(store, self.metrics.clone()));
        Scheduler::new(timed).with_events(Arc::new(OpsEvents { ops: self.clone() }))
    }
}

/// Receives the core's domain events after commit and hands them to metrics and live updates.
#[derive(Debug)]
struct OpsEvents {
    ops: Ops,
}

#[async_trait]
impl EventSink for OpsEvents {
    async fn publish(&self, event: DomainEvent) {
        self.ops.metrics.observe_event(&event);
        self.ops.live.publish(&event).await;
    }
}

/// The OpenAPI paths of the operational endpoints, merged into the main document.
#[derive(OpenApi)]
#[openapi(paths(crate::metrics::exposition, crate::live::ws), components(schemas(crate::live::LiveMessage)))]
#[derive(Debug)]
pub struct OpsDoc;
