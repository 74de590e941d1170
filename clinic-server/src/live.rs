//! Live updates: `GET /api/v1/ws` pushes committed schedule changes to WebSocket clients, each filtered by
//! what the caller may read (the core's RBAC: a patient sees only their own appointments, a practitioner
//! only their own schedule).
//!
//! Every domain event goes through `clinic-server-infra`'s event feed in the shared store, and each instance
//! delivers what it reads back from the feed — so a booking made through one instance reaches the clients of
//! every instance on the same MongoDB, in one order. Without a feed (a server without its records, in unit
//! tests) events are delivered in process only.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use clinic_core::events::DomainEvent;
use clinic_core::rbac::{authorize, Actor, Permission, Target};
use clinic_server_infra::events::EventFeed;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, OnceCell};
use utoipa::{IntoParams, ToSchema};

use crate::dto::people::AppointmentView;
use crate::error::{server_codes, AppError};
use crate::state::AppState;

/// How often an instance with subscribers reads the shared feed for new events.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// Events buffered per subscriber before it is told it lagged.
const BUFFER: usize = 1024;

/// One event as the hub hands it to subscribers.
#[derive(Debug, Clone)]
pub struct LiveEvent {
    pub seq: u64,
    pub event: DomainEvent,
}

/// Fans domain events out to this instance's WebSocket clients.
pub struct LiveHub {
    tx: broadcast::Sender<Arc<LiveEvent>>,
    feed: Option<EventFeed>,
    /// Started on the first subscription: an instance nobody listens to does not poll.
    poller: OnceCell<()>,
    local_seq: AtomicU64,
}

impl std::fmt::Debug for LiveHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveHub").field("shared_feed", &self.feed.is_some()).finish_non_exhaustive()
    }
}

impl LiveHub {
    pub fn new(feed: Option<EventFeed>) -> Self {
        let (tx, _) = broadcast::channel(BUFFER);
        LiveHub { tx, feed, poller: OnceCell::new(), local_seq: AtomicU64::new(0) }
    }

    /// Publishes a committed change (called by the scheduler's event sink).
    pub async fn publish(&self, event: &DomainEvent) {
        match &self.feed {
            Some(feed) => {
                if let Err(e) = feed.publish(event).await {
                    tracing::error!(code = e.code(), event = event.name(), "event feed publish failed");
                }
            }
            None => {
                let seq = self.local_seq.fetch_add(1, Ordering::Relaxed) + 1;
                let _ = self.tx.send(Arc::new(LiveEvent { seq, event: event.clone() }));
            }
        }
    }

    /// A receiver of every event published from now on (by any instance sharing the feed).
    pub async fn subscribe(&self) -> Result<broadcast::Receiver<Arc<LiveEvent>>, AppError> {
        let rx = self.tx.subscribe();
        if let Some(feed) = &self.feed {
            self.poller
                .get_or_try_init(|| async {
                    let from = feed.last_seq().await.map_err(|e| {
                        tracing::error!(code = e.code(), "event feed unavailable");
                        AppError::http(
                            StatusCode::SERVICE_UNAVAILABLE,
                            server_codes::INTERNAL,
                            "live updates are unavailable",
                        )
                    })?;
                    tokio::spawn(poll(feed.clone(), from, self.tx.clone()));
                    Ok::<(), AppError>(())
                })
                .await?;
        }
        Ok(rx)
    }
}

/// Reads the shared feed forever and broadcasts what it finds.
async fn poll(feed: EventFeed, from: u64, tx: broadcast::Sender<Arc<LiveEvent>>) {
    let mut stream = Box::pin(feed.subscribe(from, POLL_INTERVAL));
    let mut failing = false;
    while let Some(item) = stream.next().await {
        match item {
            Ok(rec) => {
                failing = false;
                if let Some(event) = rec.domain_event() {
                    let _ = tx.send(Arc::new(LiveEvent { seq: rec.seq, event }));
                }
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(code = e.code(), "event feed poll failed; retrying");
                }
                failing = true;
                tokio::time::sleep(POLL_INTERVAL * 10).await;
            }
        }
    }
}

/// What a client receives: one JSON text message per visible change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveMessage {
    /// The feed's sequence number (increasing; a gap means events the caller may not see).
    pub seq: u64,
    /// `AppointmentBooked`, `AppointmentRescheduled`, `AppointmentCancelled`, `AppointmentStatusChanged`,
    /// `PatientRegistered`, `PatientUpdated`, `ImportCompleted`, or `Lagged` (some events were dropped
    /// because the client read too slowly: refetch).
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment: Option<AppointmentView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<uuid::Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clinic_id: Option<uuid::Uuid>,
}

/// The message for `actor`, or `None` when the core's RBAC says the actor may not read what changed.
pub fn visible_to(actor: &Actor, e: &LiveEvent) -> Option<LiveMessage> {
    let msg = |appointment: Option<AppointmentView>, patient_id, clinic_id| LiveMessage {
        seq: e.seq,
        kind: e.event.name().to_string(),
        appointment,
        patient_id,
        clinic_id,
    };
    match &e.event {
        DomainEvent::AppointmentBooked { appointment: a, .. }
        | DomainEvent::AppointmentRescheduled { appointment: a, .. }
        | DomainEvent::AppointmentCancelled { appointment: a, .. }
        | DomainEvent::AppointmentStatusChanged { appointment: a, .. } => {
            let target = Target::clinic(a.clinic_id()).practitioner(a.practitioner_id()).patient(a.patient_id());
            authorize(actor, Permission::ReadAppointments, &target).ok()?;
            Some(msg(Some(AppointmentView::from(a)), None, Some(a.clinic_id().0)))
        }
        DomainEvent::PatientRegistered { clinic_id, patient_id, .. }
        | DomainEvent::PatientUpdated { clinic_id, patient_id, .. } => {
            authorize(actor, Permission::ReadPatients, &Target::clinic(*clinic_id).patient(*patient_id)).ok()?;
            Some(msg(None, Some(patient_id.0), Some(clinic_id.0)))
        }
        DomainEvent::ImportCompleted { clinic_id, .. } => {
            authorize(actor, Permission::ImportRecords, &Target::clinic(*clinic_id)).ok()?;
            Some(msg(None, None, Some(clinic_id.0)))
        }
    }
}

/// The access token may come as a query parameter: browsers cannot set headers on a WebSocket handshake.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WsQuery {
    /// The access token, when the client cannot send `Authorization: Bearer`.
    pub access_token: Option<String>,
}

/// The bearer token of a request: the `Authorization` header, else `?access_token=`.
pub fn token_of(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    if let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        if let Some(t) = v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")) {
            return Some(t.trim().to_string());
        }
    }
    query.filter(|t| !t.is_empty()).map(str::to_string)
}

/// Live schedule changes over WebSocket (JSON text messages, see `LiveMessage`), filtered by what the caller
/// may read.
#[utoipa::path(get, path = "/api/v1/ws", tag = "appointments", security(("bearer" = [])), params(WsQuery), responses(
    (status = 101, description = "switching to WebSocket; then one `LiveMessage` per visible change"),
    (status = "4XX", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = "5XX", body = crate::error::Problem, content_type = "application/problem+json"),
))]
pub async fn ws(
    State(st): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<WsQuery>, axum::extract::rejection::QueryRejection>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    let query = query.map_err(|e| AppError::bad_query(e.body_text()))?;
    let token = token_of(&headers, query.access_token.as_deref())
        .ok_or_else(|| AppError::unauthenticated("missing bearer token"))?;
    let actor = st.auth.verify_access(&token).await?;
    let upgrade = upgrade.map_err(|_| {
        AppError::http(StatusCode::BAD_REQUEST, server_codes::INVALID_QUERY, "this endpoint speaks WebSocket only")
    })?;
    let rx = st.ops.live.subscribe().await?;
    Ok(upgrade.on_upgrade(move |socket| session(socket, actor, rx)))
}

async fn session(mut socket: WebSocket, actor: Actor, mut rx: broadcast::Receiver<Arc<LiveEvent>>) {
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                // Pings are answered by the protocol layer; text from the client is ignored.
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            ev = rx.recv() => {
                let msg = match ev {
                    Ok(e) => match visible_to(&actor, &e) {
                        Some(m) => m,
                        None => continue,
                    },
                    Err(broadcast::error::RecvError::Lagged(_)) => LiveMessage {
                        seq: 0,
                        kind: "Lagged".into(),
                        appointment: None,
                        patient_id: None,
                        clinic_id: None,
                    },
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                let Ok(text) = serde_json::to_string(&msg) else { continue };
                if socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
        }
    }
}
