//! The audit trail of patient data: every request that reads or writes a patient record or an appointment
//! (REST, FHIR, calendar feeds, imports) appends one entry — actor, action, target, time, client address,
//! outcome and error code — to the hash-chained log of `clinic-server-infra`, after the response is known.
//! Refused attempts are recorded too (outcome `denied`).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::Response;

use crate::http::RouteTemplate;
use crate::state::AppState;

/// The error code of a problem response, carried for the audit entry (set by `AppError::into_response`).
#[derive(Debug, Clone)]
pub struct ProblemCode(pub String);

/// What a route template touches, if it is patient data: (`patient` | `appointment`, index of the id segment).
fn classify(template: &str) -> Option<&'static str> {
    if template.contains("/patients") || template.contains("/fhir/Patient") {
        Some("patient")
    } else if template.contains("/appointments")
        || template.contains("/fhir/Appointment")
        || template.contains("calendar.ics")
    {
        Some("appointment")
    } else {
        None
    }
}

/// The concrete value of the template's `{id}` segment in `path`.
fn id_in(template: &str, path: &str) -> Option<String> {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.iter().position(|s| *s == "{id}").and_then(|i| p.get(i)).map(|s| (*s).to_string())
}

pub async fn audit_patient_data(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let client = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip());
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let resp = next.run(req).await;
    let Some(template) = resp.extensions().get::<RouteTemplate>().map(|r| r.0.clone()) else { return resp };
    let Some(kind) = classify(&template) else { return resp };
    let actor = match &bearer {
        Some(t) => st.auth.verify_access(t).await.ok(),
        None => None,
    };
    let verb = if method == Method::GET { "read" } else { "write" };
    let action = format!("{kind}.{verb} {method} {template}");
    let status = resp.status();
    let code = resp.extensions().get::<ProblemCode>().map(|c| c.0.clone());
    let outcome = if status.is_success() { Ok(()) } else { Err(code.as_deref().unwrap_or("ERROR")) };
    st.infra.record(actor.as_ref(), &action, kind, id_in(&template, &path), client, outcome).await;
    resp
}
