//! A cross-instance event feed: every server instance publishes its domain events to the shared store and
//! polls for events after the last sequence number it delivered, so WebSocket clients of any instance see
//! the changes made through every other one.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::stream::{self, Stream};
use serde::{Deserialize, Serialize};

use clinic_core::events::DomainEvent;

use crate::error::{InfraError, Result};
use crate::store::InfraStore;

/// One published event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// 1, 2, 3, … in publication order, without gaps.
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// The event's name (`AppointmentBooked`, …).
    pub kind: String,
    pub payload: serde_json::Value,
}

impl EventRecord {
    /// The payload as the core's event, when it is one.
    pub fn domain_event(&self) -> Option<DomainEvent> {
        serde_json::from_value(self.payload.clone()).ok()
    }
}

/// How many events one poll reads at most.
pub const POLL_BATCH: usize = 500;

/// Publishes and reads the feed.
#[derive(Debug, Clone)]
pub struct EventFeed {
    store: Arc<dyn InfraStore>,
}

impl EventFeed {
    pub fn new(store: Arc<dyn InfraStore>) -> Self {
        EventFeed { store }
    }

    /// Publishes a core domain event; returns its sequence number.
    pub async fn publish(&self, event: &DomainEvent) -> Result<u64> {
        let payload = serde_json::to_value(event).map_err(|e| InfraError::Internal(format!("event encoding: {e}")))?;
        self.store.publish_event(event.name(), &payload, Utc::now()).await
    }

    /// Publishes any JSON event under a kind.
    pub async fn publish_json(&self, kind: &str, payload: &serde_json::Value) -> Result<u64> {
        self.store.publish_event(kind, payload, Utc::now()).await
    }

    /// Events after `seq`, ascending, at most `limit`.
    pub async fn after(&self, seq: u64, limit: usize) -> Result<Vec<EventRecord>> {
        self.store.events_after(seq, limit).await
    }

    /// The current last sequence number: a new subscriber starts here to get only new events.
    pub async fn last_seq(&self) -> Result<u64> {
        self.store.last_event_seq().await
    }

    /// An endless stream of the events after `from`, polling the store every `interval` when idle. A store
    /// error is yielded once per failed poll (the stream keeps going; the caller may stop on it).
    pub fn subscribe(&self, from: u64, interval: Duration) -> impl Stream<Item = Result<EventRecord>> + Send + 'static {
        let store = self.store.clone();
        let state = (store, from, std::collections::VecDeque::<EventRecord>::new(), false);
        stream::unfold(state, move |(store, mut cursor, mut buf, mut polled)| async move {
            loop {
                if let Some(e) = buf.pop_front() {
                    return Some((Ok(e), (store, cursor, buf, polled)));
                }
                if polled {
                    tokio::time::sleep(interval).await;
                }
                match store.events_after(cursor, POLL_BATCH).await {
                    Ok(events) => {
                        if let Some(last) = events.last() {
                            cursor = last.seq;
                        }
                        // A full batch means more may be waiting: poll again without sleeping.
                        polled = events.len() < POLL_BATCH;
                        buf.extend(events);
                    }
                    Err(e) => return Some((Err(e), (store, cursor, buf, true))),
                }
            }
        })
    }
}
