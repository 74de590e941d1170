//! The server's operational concerns bundled into one state field: metrics (and, wired the same way,
//! audit, live updates and notifications). [`Ops::scheduler`] builds the core's scheduler over the timed
//! store with the ops event sink, so every committed change reaches them.

use std::sync::Arc;

use async_trait::async_trait;
use clinic_core::events::{DomainEvent, EventSink};
use clinic_core::ports::Store;
use clinic_core::Scheduler;
use utoipa::OpenApi;

use crate::metrics::Metrics;
use crate::timed_store::TimedStore;

/// Operational services shared by every handler (cheap to clone).
#[derive(Clone, Debug)]
pub struct Ops {
    pub metrics: Arc<Metrics>,
}

impl Default for Ops {
    fn default() -> Self {
        Self::new()
    }
}

impl Ops {
    pub fn new() -> Self {
        Ops { metrics: Arc::new(Metrics::new()) }
    }

    /// The core's scheduler over `store`, timed and publishing to the ops sinks.
    pub fn scheduler(&self, store: Arc<dyn Store>) -> Scheduler<dyn Store> {
        let timed: Arc<dyn Store> = Arc::new(TimedStore::new(store, self.metrics.clone()));
        Scheduler::new(timed).with_events(Arc::new(OpsEvents { ops: self.clone() }))
    }
}

/// Receives the core's domain events after commit and hands them to metrics.
#[derive(Debug)]
struct OpsEvents {
    ops: Ops,
}

#[async_trait]
impl EventSink for OpsEvents {
    async fn publish(&self, event: DomainEvent) {
        self.ops.metrics.observe_event(&event);
    }
}

/// The OpenAPI paths of the operational endpoints, merged into the main document.
#[derive(OpenApi)]
#[openapi(paths(crate::metrics::exposition))]
#[derive(Debug)]
pub struct OpsDoc;
