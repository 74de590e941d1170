//! The audit trail of patient data: one middleware records every request to a route that reads or writes
//! patient data (patients, appointments, reports, imports and their rejections, iCalendar and FHIR views,
//! the live feed) into `clinic-server-infra`'s hash-chained audit log — actor, action, target, time, client
//! address and outcome.
//!
//! It works from the outside of the handlers on purpose: a new handler on an audited route cannot forget
//! to record, and the handlers stay about the use case. The actor is read from the same bearer token the
//! handler verifies; the target id from the matched route template (or, for creations, the created
//! resource's `id` in the answer). Entries hold ids and codes only — never names or contact data.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use clinic_server_infra::audit::{AuditActor, AuditLog, AuditOutcome, AuditTarget, NewAuditEntry};

use crate::error::ProblemCodes;
use crate::http::RouteTemplate;
use crate::state::AppState;

/// Where an audited route's target id comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdFrom {
    /// The `{id}` segment of the path.
    Path,
    /// The `id` of the JSON answer (a creation).
    Answer,
    /// No single target (a listing).
    None,
}

/// What an audited request is: `(action, target kind, where the id is)`.
fn classify(method: &Method, route: &str) -> Option<(&'static str, &'static str, IdFrom)> {
    use IdFrom::*;
    let get = method == Method::GET || method == Method::HEAD;
    let post = method == Method::POST;
    let put = method == Method::PUT;
    Some(match route {
        "/api/v1/clinics/{id}/patients" if get => ("patient.search", "clinic", Path),
        "/api/v1/clinics/{id}/patients" if post => ("patient.create", "patient", Answer),
        "/api/v1/patients/{id}" if get => ("patient.read", "patient", Path),
        "/api/v1/patients/{id}" if put => ("patient.update", "patient", Path),
        "/api/v1/appointments" if get => ("appointment.list", "appointment", None),
        "/api/v1/appointments" if post => ("appointment.create", "appointment", Answer),
        "/api/v1/appointments/{id}" if get => ("appointment.read", "appointment", Path),
        "/api/v1/appointments/{id}/reschedule" if post => ("appointment.reschedule", "appointment", Path),
        "/api/v1/appointments/{id}/cancel" if post => ("appointment.cancel", "appointment", Path),
        "/api/v1/appointments/{id}/status" if post => ("appointment.status", "appointment", Path),
        "/api/v1/clinics/{id}/reports" if get => ("report.export", "clinic", Path),
        "/api/v1/clinics/{id}/imports/patients" if post => ("import.patients", "clinic", Path),
        "/api/v1/clinics/{id}/imports/appointments" if post => ("import.appointments", "clinic", Path),
        "/api/v1/imports/{id}/rejections.csv" if get => ("import.rejections.export", "import", Path),
        "/api/v1/practitioners/{id}/calendar.ics" if get => ("calendar.export", "practitioner", Path),
        "/api/v1/patients/{id}/calendar.ics" if get => ("calendar.export", "patient", Path),
        "/api/v1/fhir/Patient/{id}" if get => ("fhir.patient.read", "patient", Path),
        "/api/v1/fhir/Appointment/{id}" if get => ("fhir.appointment.read", "appointment", Path),
        "/api/v1/ws" if get => ("live.subscribe", "schedule", None),
        _ => return Option::None,
    })
}

/// The raw path segment where the template has `{id}`, when it is a UUID (anything else is not an id and
/// must not reach the log).
fn path_id(template: &str, path: &str) -> Option<String> {
    let pos = template.split('/').position(|s| s == "{id}")?;
    let seg = path.split('/').nth(pos)?;
    uuid::Uuid::parse_str(seg).ok().map(|u| u.to_string())
}

/// The largest answer read back to find a created resource's id (creations answer with one object).
const ANSWER_LIMIT: usize = 1 << 20;

/// The bearer token of a request: `Authorization`, else `?access_token=` (WebSocket handshakes from browsers).
fn token_of(req: &Request) -> Option<String> {
    let query = req
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("access_token=")).map(str::to_string));
    crate::live::token_of(req.headers(), query.as_deref())
}

fn outcome_of(status: StatusCode) -> AuditOutcome {
    if status.is_success() {
        AuditOutcome::Success
    } else if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        AuditOutcome::Denied
    } else {
        AuditOutcome::Failed
    }
}

/// Middleware: records audited requests once their answer is known.
pub async fn record(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let Some(log) = st.ops.audit.clone() else { return next.run(req).await };
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let client: Option<IpAddr> = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let token = token_of(&req);
    // Verified before the handler runs: the token may expire while a slow request is in flight.
    let actor = match token {
        Some(t) => st.auth.verify_access(&t).await.ok(),
        None => None,
    };
    let at = chrono::Utc::now();
    let resp = next.run(req).await;
    let Some(route) = resp.extensions().get::<RouteTemplate>().map(|r| r.0.clone()) else { return resp };
    let Some((action, kind, id_from)) = classify(&method, &route) else { return resp };
    let status = resp.status();
    let code = resp.extensions().get::<ProblemCodes>().and_then(|c| c.0.first().cloned());
    let (resp, id) = match id_from {
        IdFrom::Path => (resp, path_id(&route, &path)),
        IdFrom::None => (resp, None),
        IdFrom::Answer if status.is_success() => created_id(resp).await,
        IdFrom::Answer => (resp, None),
    };
    let entry = NewAuditEntry {
        at,
        actor: AuditActor { user_id: actor.as_ref().and_then(|a| a.user_id), role: actor.as_ref().map(|a| a.role) },
        action: action.to_string(),
        target: AuditTarget { kind: kind.to_string(), id },
        client: client.map(|c| c.to_string()),
        outcome: outcome_of(status),
        code: if status.is_success() { None } else { code },
    };
    append(&log, entry).await;
    resp
}

/// Appends; a failure is logged (by code, never the entry) and counted, the request already happened.
async fn append(log: &AuditLog, entry: NewAuditEntry) {
    if let Err(e) = log.append(entry).await {
        tracing::error!(code = e.code(), "audit append failed");
    }
}

/// Reads the created resource's `id` from a JSON answer and rebuilds the response.
async fn created_id(resp: Response) -> (Response, Option<String>) {
    let (parts, body) = resp.into_parts();
    let bytes = match axum::body::to_bytes(body, ANSWER_LIMIT).await {
        Ok(b) => b,
        Err(_) => return (Response::from_parts(parts, Body::empty()), None),
    };
    let id = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("id").and_then(|i| i.as_str()).and_then(|s| uuid::Uuid::parse_str(s).ok()))
        .map(|u| u.to_string());
    (Response::from_parts(parts, Body::from(bytes)), id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_patient_data_route_is_classified() {
        assert_eq!(classify(&Method::GET, "/api/v1/patients/{id}").map(|c| c.0), Some("patient.read"));
        assert_eq!(classify(&Method::POST, "/api/v1/appointments").map(|c| c.0), Some("appointment.create"));
        assert_eq!(classify(&Method::GET, "/api/v1/fhir/Patient/{id}").map(|c| c.1), Some("patient"));
        assert!(classify(&Method::GET, "/api/v1/clinics/{id}/availability").is_none());
        assert!(classify(&Method::GET, "/healthz").is_none());
    }

    #[test]
    fn path_ids_are_uuids_only() {
        let id = "0190a5b0-0000-7000-8000-0000000000aa";
        assert_eq!(path_id("/api/v1/patients/{id}", &format!("/api/v1/patients/{id}")).as_deref(), Some(id));
        assert_eq!(path_id("/api/v1/patients/{id}", "/api/v1/patients/Jane%20Doe"), None);
        assert_eq!(
            path_id("/api/v1/appointments/{id}/cancel", &format!("/api/v1/appointments/{id}/cancel")).as_deref(),
            Some(id)
        );
    }
}
