//! iCalendar feeds and FHIR R4 read endpoints.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use clinic_core::interop::PractitionerFeed;
use clinic_core::{AppointmentId, AppointmentTypeId, ClinicId, PatientId, PractitionerId, ScheduleId, SlotQuery};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::routes::hide_forbidden;
use crate::state::AppState;

/// The span of a feed (at most 400 days).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeedRange {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Put patient names in the summaries (needs access to those patients).
    #[serde(default)]
    pub patient_names: bool,
}

fn typed(body: impl IntoResponse, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A practitioner's appointments as iCalendar.
#[utoipa::path(get, path = "/api/v1/practitioners/{id}/calendar.ics", tag = "interop", security(("bearer" = [])),
    params(("id" = Uuid, Path), FeedRange), responses(
    (status = 200, description = "iCalendar", content_type = "text/calendar", body = String),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn practitioner_ics(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<FeedRange>,
) -> ApiResult<Response> {
    let feed = PractitionerFeed { include_patient_names: q.patient_names };
    let ics = st.scheduler.ical_for_practitioner(&actor, PractitionerId(id), q.from, q.to, feed).await?;
    Ok(typed(ics, "text/calendar; charset=utf-8"))
}

/// A patient's appointments as iCalendar.
#[utoipa::path(get, path = "/api/v1/patients/{id}/calendar.ics", tag = "interop", security(("bearer" = [])),
    params(("id" = Uuid, Path), FeedRange), responses(
    (status = 200, description = "iCalendar", content_type = "text/calendar", body = String),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn patient_ics(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<FeedRange>,
) -> ApiResult<Response> {
    let id = PatientId(id);
    let ics = st
        .scheduler
        .ical_for_patient(&actor, id, q.from, q.to)
        .await
        .map_err(|e| hide_forbidden(&actor, e, "patient", id))?;
    Ok(typed(ics, "text/calendar; charset=utf-8"))
}

const FHIR: &str = "application/fhir+json";

/// FHIR R4 Patient.
#[utoipa::path(get, path = "/api/v1/fhir/Patient/{id}", tag = "fhir", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, description = "FHIR R4 Patient", content_type = "application/fhir+json", body = Object),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn fhir_patient(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let id = PatientId(id);
    let v = st.scheduler.fhir_patient(&actor, id).await.map_err(|e| hide_forbidden(&actor, e, "patient", id))?;
    Ok(typed(axum::Json(v), FHIR))
}

/// FHIR R4 Appointment.
#[utoipa::path(get, path = "/api/v1/fhir/Appointment/{id}", tag = "fhir", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, description = "FHIR R4 Appointment", content_type = "application/fhir+json", body = Object),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn fhir_appointment(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let id = AppointmentId(id);
    let v =
        st.scheduler.fhir_appointment(&actor, id).await.map_err(|e| hide_forbidden(&actor, e, "appointment", id))?;
    Ok(typed(axum::Json(v), FHIR))
}

/// FHIR R4 Schedule.
#[utoipa::path(get, path = "/api/v1/fhir/Schedule/{id}", tag = "fhir", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, description = "FHIR R4 Schedule", content_type = "application/fhir+json", body = Object),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn fhir_schedule(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let id = ScheduleId(id);
    let v = st.scheduler.fhir_schedule(&actor, id).await.map_err(|e| hide_forbidden(&actor, e, "schedule", id))?;
    Ok(typed(axum::Json(v), FHIR))
}

/// Free slots as FHIR Slot resources.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FhirSlotQuery {
    pub clinic_id: Uuid,
    pub appointment_type_id: Uuid,
    pub practitioner_id: Option<Uuid>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Free slots as a FHIR R4 searchset Bundle of Slot resources.
#[utoipa::path(get, path = "/api/v1/fhir/Slot", tag = "fhir", security(("bearer" = [])), params(FhirSlotQuery), responses(
    (status = 200, description = "FHIR R4 Bundle of Slot", content_type = "application/fhir+json", body = Object),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn fhir_slots(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<FhirSlotQuery>,
) -> ApiResult<Response> {
    let query = SlotQuery {
        appointment_type_id: AppointmentTypeId(q.appointment_type_id),
        practitioner_ids: q.practitioner_id.map(PractitionerId).into_iter().collect(),
        from: q.from,
        to: q.to,
        patient_id: None,
        room_id: None,
        exclude: None,
        limit: Some(500),
    };
    let slots = st.scheduler.fhir_free_slots(&actor, ClinicId(q.clinic_id), &query).await?;
    let bundle = serde_json::json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": slots.len(),
        "entry": slots.into_iter().map(|r| serde_json::json!({ "resource": r })).collect::<Vec<_>>(),
    });
    Ok(typed(axum::Json(bundle), FHIR))
}
