//! Availability search and reports (JSON, CSV, PDF).

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use clinic_core::reports::{report_to_csv, report_to_pdf, ReportQuery};
use clinic_core::{AppointmentTypeId, ClinicId, PatientId, PractitionerId, RoomId, SlotQuery};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::{ApiResult, AppError, Problem, SlotOfferDoc};
use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::state::AppState;

/// Parses a comma-separated list of ids.
pub fn id_list<T: From<Uuid>>(s: Option<&str>) -> ApiResult<Vec<T>> {
    let Some(s) = s else { return Ok(Vec::new()) };
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| Uuid::parse_str(x).map(T::from).map_err(|_| AppError::bad_query(format!("{x:?} is not an id"))))
        .collect()
}

/// What to search.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityQuery {
    pub appointment_type_id: Uuid,
    /// Comma-separated practitioner ids; absent = everyone offering the type.
    pub practitioner_ids: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Also apply the patient's own appointments (rule 2).
    pub patient_id: Option<Uuid>,
    pub room_id: Option<Uuid>,
    /// At most this many offers (the earliest).
    pub limit: Option<usize>,
}

/// Free start times: every offer is bookable at this moment (the same rules as booking).
#[utoipa::path(get, path = "/api/v1/clinics/{id}/availability", tag = "availability", security(("bearer" = [])),
    params(("id" = Uuid, Path), AvailabilityQuery), responses(
    (status = 200, body = Vec<SlotOfferDoc>),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn availability(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<AvailabilityQuery>,
) -> ApiResult<Json<Vec<clinic_core::SlotOffer>>> {
    let query = SlotQuery {
        appointment_type_id: AppointmentTypeId(q.appointment_type_id),
        practitioner_ids: id_list::<PractitionerId>(q.practitioner_ids.as_deref())?,
        from: q.from,
        to: q.to,
        patient_id: q.patient_id.map(PatientId),
        room_id: q.room_id.map(RoomId),
        exclude: None,
        limit: Some(q.limit.unwrap_or(500).clamp(1, 5000)),
    };
    Ok(Json(st.scheduler.find_available_slots(&actor, ClinicId(id), &query).await?))
}

/// Report range and output.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// First clinic-local date (inclusive).
    pub from: NaiveDate,
    /// Date after the last one (exclusive); at most 366 days after `from`.
    pub to: NaiveDate,
    /// Comma-separated practitioner ids; absent = all (a practitioner: themselves).
    pub practitioner_ids: Option<String>,
    /// `json` (default), `csv` or `pdf`.
    pub format: Option<String>,
}

/// Utilization, no-shows, lead time and cancellations per practitioner and day.
#[utoipa::path(get, path = "/api/v1/clinics/{id}/reports", tag = "reports", security(("bearer" = [])),
    params(("id" = Uuid, Path), ReportParams), responses(
    (status = 200, description = "the report", content(
        (Object = "application/json"),
        (String = "text/csv"),
        (Vec<u8> = "application/pdf"),
    )),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn report(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ReportParams>,
) -> ApiResult<Response> {
    let format = q.format.as_deref().unwrap_or("json").to_ascii_lowercase();
    if !["json", "csv", "pdf"].contains(&format.as_str()) {
        return Err(AppError::bad_query("format must be json, csv or pdf"));
    }
    let query = ReportQuery {
        clinic_id: ClinicId(id),
        from: q.from,
        to: q.to,
        practitioner_ids: id_list(q.practitioner_ids.as_deref())?,
    };
    let report = st.scheduler.generate_report(&actor, &query).await?;
    Ok(match format.as_str() {
        "csv" => {
            let text = report_to_csv(&report)?;
            let mut r = text.into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            r
        }
        "pdf" => {
            let bytes = report_to_pdf(&report)?;
            let mut r = bytes.into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
            r
        }
        _ => Json(report).into_response(),
    })
}
