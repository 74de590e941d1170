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
use crate::group_commit::{BatchWrite, GroupCommit};
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
///
/// Publishing is group-committed (see `crate::group_commit`): events published while a batch is being
/// written share the next commit, in publication order; each publisher returns once its event is stored.
#[derive(Debug, Clone)]
pub struct EventFeed {
    store: Arc<dyn InfraStore>,
    publisher: GroupCommit<Publisher>,
}

/// The one writer of this feed in this process.
struct Publisher {
    store: Arc<dyn InfraStore>,
}

#[async_trait::async_trait]
impl BatchWrite for Publisher {
    type Item = (String, serde_json::Value, DateTime<Utc>);
    type Output = u64;

    async fn write(&mut self, items: Vec<Self::Item>) -> Vec<Result<u64>> {
        match self.store.publish_events(&items).await {
            Ok(seqs) if seqs.len() == items.len() => seqs.into_iter().map(Ok).collect(),
            Ok(_) => {
                items.iter().map(|_| Err(InfraError::Internal("event feed: batch answer mismatch".into()))).collect()
            }
            Err(e) => items.iter().map(|_| Err(e.clone())).collect(),
        }
    }
}

impl EventFeed {
    pub fn new(store: Arc<dyn InfraStore>) -> Self {
        EventFeed { publisher: GroupCommit::new(Publisher { store: store.clone() }), store }
    }

    /// Publishes a core domain event; returns its sequence number.
    pub async fn publish(&self, event: &DomainEvent) -> Result<u64> {
        let payload = serde_json::to_value(event).map_err(|e| InfraError::Internal(format!("event encoding: {e}")))?;
        self.publisher.submit((event.name().to_string(), payload, Utc::now())).await
    }

    /// Publishes any JSON event under a kind.
    pub async fn publish_json(&self, kind: &str, payload: &serde_json::Value) -> Result<u64> {
        self.publisher.submit((kind.to_string(), payload.clone(), Utc::now())).await
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
