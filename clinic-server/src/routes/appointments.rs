//! Appointments: book (idempotent), list, read (with `ETag`), reschedule / cancel / status (with `If-Match`).

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use clinic_core::ports::AppointmentFilter;
use clinic_core::rbac::{Actor, Permission, Target};
use clinic_core::{
    AppointmentId, AppointmentStatus, ClinicError, ClinicId, ErrorCode, PatientId, PractitionerId,
    RescheduleAppointment, RoomId,
};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::dto::*;
use crate::error::{ApiResult, AppError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::idempotency::{idempotent, RawJson};
use crate::routes::{authorize_or_hide, hide_forbidden, page_size};
use crate::state::AppState;

/// The longest range one appointment listing may span.
pub const MAX_LIST_DAYS: i64 = 400;

/// Book an appointment. Every rule is checked by the engine; a rejection (409) lists every violated rule and
/// the nearest alternatives. Send `Idempotency-Key` so a retried booking never books twice.
#[utoipa::path(post, path = "/api/v1/appointments", tag = "appointments", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "replays the first answer on retry")),
    request_body = BookingBody, responses(
    (status = 201, body = AppointmentView, headers(("ETag" = String))),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn book(
    State(st): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    RawJson(raw, body): RawJson<BookingBody>,
) -> ApiResult<Response> {
    let resp = idempotent(&st, &actor, &headers, "/api/v1/appointments", &raw, || async {
        let a = st.scheduler.create_appointment(&actor, body.into_core()).await?;
        Ok((StatusCode::CREATED, serde_json::to_string(&AppointmentView::from(&a)).unwrap_or_default()))
    })
    .await?;
    Ok(with_etag(resp))
}

/// Sets `ETag` from the `version` of the JSON appointment in an answer (also on replays).
fn with_etag(answer: crate::idempotency::Answer) -> Response {
    let version = serde_json::from_str::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| v.get("version").and_then(|x| x.as_u64()));
    let mut r = answer.into_response();
    if let Some(h) = version.and_then(|v| HeaderValue::from_str(&etag(v)).ok()) {
        r.headers_mut().insert(header::ETAG, h);
    }
    r
}

pub fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

/// The version an `If-Match` header names (`"3"`, `W/"3"`, `3`); `*` or absent = none.
fn if_match(headers: &HeaderMap) -> ApiResult<Option<u64>> {
    let Some(v) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let s = v.to_str().map_err(|_| AppError::bad_query("malformed If-Match"))?.trim();
    if s == "*" {
        return Ok(None);
    }
    let s = s.trim_start_matches("W/").trim_matches('"');
    s.parse::<u64>().map(Some).map_err(|_| AppError::bad_query("If-Match must be an ETag from this API"))
}

fn expected(headers: &HeaderMap, body: Option<u64>) -> ApiResult<Option<u64>> {
    Ok(if_match(headers)?.or(body))
}

fn appointment_response(a: &clinic_core::Appointment, status: StatusCode) -> Response {
    let mut r = (status, Json(AppointmentView::from(a))).into_response();
    if let Ok(h) = HeaderValue::from_str(&etag(a.version())) {
        r.headers_mut().insert(header::ETAG, h);
    }
    r
}

/// Filters of an appointment listing.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AppointmentListQuery {
    /// Defaults to the caller's clinic.
    pub clinic_id: Option<Uuid>,
    pub practitioner_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub room_id: Option<Uuid>,
    /// Appointments overlapping `[from, to)` (RFC 3339); at most 400 days.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Comma-separated statuses (`booked,arrived`).
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

fn parse_statuses(s: Option<&str>) -> ApiResult<Vec<AppointmentStatus>> {
    let Some(s) = s else { return Ok(Vec::new()) };
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| {
            serde_json::from_value::<StatusDto>(serde_json::Value::String(x.to_string()))
                .map(AppointmentStatus::from)
                .map_err(|_| AppError::bad_query(format!("unknown status {x:?}")))
        })
        .collect()
}

/// Appointments visible to the caller (a patient: their own; a practitioner: theirs), by (start, id).
#[utoipa::path(get, path = "/api/v1/appointments", tag = "appointments", security(("bearer" = [])),
    params(AppointmentListQuery), responses(
    (status = 200, body = Page<AppointmentView>),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<AppointmentListQuery>,
) -> ApiResult<Json<Page<AppointmentView>>> {
    if let (Some(from), Some(to)) = (q.from, q.to) {
        clinic_core::time_slot::check_instant(from, "from")?;
        clinic_core::time_slot::check_instant(to, "to")?;
        if to <= from {
            return Err(ClinicError::field(ErrorCode::InvalidTimeRange, "to", "`to` must be after `from`").into());
        }
        if to - from > Duration::days(MAX_LIST_DAYS) {
            return Err(ClinicError::field(
                ErrorCode::InvalidTimeRange,
                "to",
                format!("a listing spans at most {MAX_LIST_DAYS} days"),
            )
            .into());
        }
    }
    let limit = page_size(q.limit);
    let after = match q.cursor.as_deref() {
        Some(c) => Some(c.parse::<AppointmentId>()?),
        None => None,
    };
    let f = AppointmentFilter {
        clinic_id: q.clinic_id.map(ClinicId).or(actor.clinic_id),
        practitioner_id: q.practitioner_id.map(PractitionerId),
        room_id: q.room_id.map(RoomId),
        patient_id: q.patient_id.map(PatientId),
        from: q.from,
        to: q.to,
        statuses: parse_statuses(q.status.as_deref())?,
        after,
        limit: Some(limit + 1),
    };
    // A patient or practitioner naming someone else's records gets an empty-handed 403 from the core.
    let mut items = st.scheduler.list_appointments(&actor, f).await?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|a| a.id().to_string())
    } else {
        None
    };
    Ok(Json(Page { items: items.iter().map(AppointmentView::from).collect(), next_cursor }))
}

async fn visible(st: &AppState, actor: &Actor, id: AppointmentId) -> ApiResult<clinic_core::Appointment> {
    let a = st.scheduler.store().get_appointment(id).await?.ok_or_else(|| AppError::not_found("appointment", id))?;
    let target = Target::clinic(a.clinic_id()).practitioner(a.practitioner_id()).patient(a.patient_id());
    authorize_or_hide(actor, Permission::ReadAppointments, &target, "appointment", id)?;
    Ok(a)
}

/// One appointment, with its version as `ETag`.
#[utoipa::path(get, path = "/api/v1/appointments/{id}", tag = "appointments", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = AppointmentView, headers(("ETag" = String))),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(State(st): State<AppState>, Caller(actor): Caller, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    let a = visible(&st, &actor, AppointmentId(id)).await?;
    Ok(appointment_response(&a, StatusCode::OK))
}

/// Move an appointment; atomic (the old slot is released only if the new one is taken). `If-Match` with a
/// stale version → 412.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/reschedule", tag = "appointments", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "the ETag last seen")),
    request_body = RescheduleBody, responses(
    (status = 200, body = AppointmentView, headers(("ETag" = String))),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn reschedule(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RescheduleBody>,
) -> ApiResult<Response> {
    let id = AppointmentId(id);
    visible(&st, &actor, id).await?;
    let cmd = RescheduleAppointment {
        appointment_id: id,
        start: body.start,
        practitioner_id: body.practitioner_id.map(PractitionerId),
        room_id: body.room_id.map(|r| r.map(RoomId)),
        overbook: body.overbook,
        expected_version: expected(&headers, body.expected_version)?,
    };
    let a = st
        .scheduler
        .reschedule_appointment(&actor, cmd)
        .await
        .map_err(|e| hide_forbidden(&actor, e, "appointment", id))?;
    Ok(appointment_response(&a, StatusCode::OK))
}

/// Cancel an appointment.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/cancel", tag = "appointments", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "the ETag last seen")),
    request_body = CancelBody, responses(
    (status = 200, body = AppointmentView, headers(("ETag" = String))),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn cancel(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CancelBody>,
) -> ApiResult<Response> {
    let id = AppointmentId(id);
    visible(&st, &actor, id).await?;
    let v = expected(&headers, body.expected_version)?;
    let a = st.scheduler.cancel_appointment(&actor, id, body.reason, v).await?;
    Ok(appointment_response(&a, StatusCode::OK))
}

/// Change the status (booked, arrived, fulfilled, noshow; cancelled = cancel).
#[utoipa::path(post, path = "/api/v1/appointments/{id}/status", tag = "appointments", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "the ETag last seen")),
    request_body = StatusBody, responses(
    (status = 200, body = AppointmentView, headers(("ETag" = String))),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn change_status(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<StatusBody>,
) -> ApiResult<Response> {
    let id = AppointmentId(id);
    visible(&st, &actor, id).await?;
    let v = expected(&headers, body.expected_version)?;
    let a = st.scheduler.change_status(&actor, id, body.status.into(), v).await?;
    Ok(appointment_response(&a, StatusCode::OK))
}
