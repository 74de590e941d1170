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

/// Every audited route: `(method, template, action, target kind, where the id is)`. `GET` covers `HEAD`.
const AUDITED: &[(&str, &str, &str, &str, IdFrom)] = {
    use IdFrom::*;
    &[
        ("GET", "/api/v1/clinics/{id}/patients", "patient.search", "clinic", Path),
        ("POST", "/api/v1/clinics/{id}/patients", "patient.create", "patient", Answer),
        ("GET", "/api/v1/patients/{id}", "patient.read", "patient", Path),
        ("PUT", "/api/v1/patients/{id}", "patient.update", "patient", Path),
        ("GET", "/api/v1/appointments", "appointment.list", "appointment", None),
        ("POST", "/api/v1/appointments", "appointment.create", "appointment", Answer),
        ("GET", "/api/v1/appointments/{id}", "appointment.read", "appointment", Path),
        ("POST", "/api/v1/appointments/{id}/reschedule", "appointment.reschedule", "appointment", Path),
        ("POST", "/api/v1/appointments/{id}/cancel", "appointment.cancel", "appointment", Path),
        ("POST", "/api/v1/appointments/{id}/status", "appointment.status", "appointment", Path),
        ("GET", "/api/v1/clinics/{id}/reports", "report.export", "clinic", Path),
        ("POST", "/api/v1/clinics/{id}/imports/patients", "import.patients", "clinic", Path),
        ("POST", "/api/v1/clinics/{id}/imports/appointments", "import.appointments", "clinic", Path),
        ("GET", "/api/v1/imports/{id}/rejections.csv", "import.rejections.export", "import", Path),
        ("GET", "/api/v1/practitioners/{id}/calendar.ics", "calendar.export", "practitioner", Path),
        ("GET", "/api/v1/patients/{id}/calendar.ics", "calendar.export", "patient", Path),
        ("GET", "/api/v1/fhir/Patient/{id}", "fhir.patient.read", "patient", Path),
        ("GET", "/api/v1/fhir/Appointment/{id}", "fhir.appointment.read", "appointment", Path),
        ("GET", "/api/v1/ws", "live.subscribe", "schedule", None),
    ]
};

fn same_method(route_method: &str, method: &Method) -> bool {
    route_method == method.as_str() || (route_method == "GET" && method == Method::HEAD)
}

/// What an audited request is: `(action, target kind, where the id is)`.
fn classify(method: &Method, route: &str) -> Option<(&'static str, &'static str, IdFrom)> {
    AUDITED
        .iter()
        .find(|(m, template, ..)| same_method(m, method) && *template == route)
        .map(|(_, _, action, kind, id_from)| (*action, *kind, *id_from))
}

/// Whether a raw path can be routed to an audited template (`{id}` = any one segment): the token is only
/// verified ahead of the handler for those — unaudited routes (availability, the catalog, `/healthz`) pay
/// for one verification, in their handler, not two.
fn may_be_audited(method: &Method, path: &str) -> bool {
    AUDITED.iter().any(|(m, template, ..)| {
        same_method(m, method) && {
            let (mut t, mut p) = (template.split('/'), path.split('/'));
            loop {
                match (t.next(), p.next()) {
                    (None, None) => break true,
                    (Some("{id}"), Some(seg)) if !seg.is_empty() => {}
                    (Some(a), Some(b)) if a == b => {}
                    _ => break false,
                }
            }
        }
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
    let early = may_be_audited(&method, &path);
    let actor = match &token {
        Some(t) if early => st.auth.verify_access(t).await.ok(),
        _ => None,
    };
    let at = chrono::Utc::now();
    let resp = next.run(req).await;
    let Some(route) = resp.extensions().get::<RouteTemplate>().map(|r| r.0.clone()) else { return resp };
    let Some((action, kind, id_from)) = classify(&method, &route) else { return resp };
    // A path the pre-check did not expect on an audited route: still record who it was.
    let actor = match (&token, early) {
        (Some(t), false) => st.auth.verify_access(t).await.ok(),
        _ => actor,
    };
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
        assert_eq!(classify(&Method::HEAD, "/api/v1/patients/{id}").map(|c| c.0), Some("patient.read"));
    }

    #[test]
    fn raw_paths_of_audited_routes_are_recognised_before_routing() {
        let id = "0190a5b0-0000-7000-8000-0000000000aa";
        assert!(may_be_audited(&Method::GET, &format!("/api/v1/patients/{id}")));
        assert!(may_be_audited(&Method::HEAD, &format!("/api/v1/patients/{id}")));
        assert!(may_be_audited(&Method::POST, "/api/v1/appointments"));
        assert!(may_be_audited(&Method::POST, &format!("/api/v1/appointments/{id}/cancel")));
        assert!(may_be_audited(&Method::GET, "/api/v1/patients/not-an-id"), "any segment can be routed");
        assert!(!may_be_audited(&Method::GET, &format!("/api/v1/clinics/{id}/availability")));
        assert!(!may_be_audited(&Method::GET, "/healthz"));
        assert!(!may_be_audited(&Method::DELETE, &format!("/api/v1/patients/{id}")));
        assert!(!may_be_audited(&Method::GET, "/api/v1/patients/"), "an empty segment is no id");
        // Every template matches itself with a concrete id.
        for (m, template, ..) in AUDITED {
            let m = Method::from_bytes(m.as_bytes()).unwrap();
            assert!(may_be_audited(&m, &template.replace("{id}", id)), "{template}");
        }
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
