//! Patients: register, update, read, search (name prefix, MRN, phone) with cursor pagination.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use clinic_core::ports::PatientQuery;
use clinic_core::rbac::{authorize, Permission, Target};
use clinic_core::{ClinicId, ContactInfo, PatientId};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::dto::*;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::idempotency::{idempotent, RawJson};
use crate::routes::{hide_forbidden, page_size};
use crate::state::AppState;

/// Search parameters; every one given must match.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PatientSearch {
    /// Case-insensitive prefix of the given or family name.
    pub name: Option<String>,
    /// Exact medical record number.
    pub mrn: Option<String>,
    /// A phone number in any common formatting (compared as E.164).
    pub phone: Option<String>,
    /// Region for a phone written without `+country` (ISO 3166-1 alpha-2).
    pub region: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size (1–500, default 50).
    pub limit: Option<usize>,
}

/// Search the clinic's patients.
#[utoipa::path(get, path = "/api/v1/clinics/{id}/patients", tag = "patients", security(("bearer" = [])),
    params(("id" = Uuid, Path), PatientSearch), responses(
    (status = 200, body = Page<PatientView>),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn search_patients(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PatientSearch>,
) -> ApiResult<Json<Page<PatientView>>> {
    let clinic = ClinicId(id);
    authorize(&actor, Permission::ReadPatients, &Target::clinic(clinic))?;
    let phone = match q.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => ContactInfo::new(Some(p), None, q.region.as_deref())?.phone().map(str::to_string),
        None => None,
    };
    let after = match q.cursor.as_deref() {
        Some(c) => Some(c.parse::<PatientId>()?),
        None => None,
    };
    let limit = page_size(q.limit);
    let query = PatientQuery {
        clinic_id: Some(clinic),
        name_prefix: q.name.filter(|n| !n.trim().is_empty()),
        mrn: q.mrn.filter(|m| !m.trim().is_empty()),
        phone,
        after,
        limit: Some(limit + 1),
        ..Default::default()
    };
    let mut found = st.scheduler.store().find_patients(&query).await?;
    let next_cursor = if found.len() > limit {
        found.truncate(limit);
        found.last().map(|p| p.id().to_string())
    } else {
        None
    };
    Ok(Json(Page { items: found.iter().map(PatientView::from).collect(), next_cursor }))
}

/// Register a patient. Send `Idempotency-Key` to make a retry safe.
#[utoipa::path(post, path = "/api/v1/clinics/{id}/patients", tag = "patients", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "replays the first answer on retry")),
    request_body = PatientBody, responses(
    (status = 201, body = PatientView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn register_patient(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    RawJson(raw, body): RawJson<PatientBody>,
) -> ApiResult<Response> {
    let path = format!("/api/v1/clinics/{id}/patients");
    idempotent(&st, &actor, &headers, &path, &raw, || async {
        let p = st.scheduler.register_patient(&actor, ClinicId(id), body.into_core(None)?).await?;
        Ok((StatusCode::CREATED, serde_json::to_string(&PatientView::from(&p)).unwrap_or_default()))
    })
    .await
    .map(IntoResponse::into_response)
}

/// One patient (a patient: only themselves; a practitioner: patients they see).
#[utoipa::path(get, path = "/api/v1/patients/{id}", tag = "patients", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = PatientView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get_patient(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PatientView>> {
    let id = PatientId(id);
    let p = st.scheduler.patient(&actor, id).await.map_err(|e| hide_forbidden(&actor, e, "patient", id))?;
    Ok(Json((&p).into()))
}

/// Replace a patient's details.
#[utoipa::path(put, path = "/api/v1/patients/{id}", tag = "patients", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = PatientBody, responses(
    (status = 200, body = PatientView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_patient(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    crate::extract::ApiJson(body): crate::extract::ApiJson<PatientBody>,
) -> ApiResult<Json<PatientView>> {
    let id = PatientId(id);
    // Read first (the read is authorized and hides existence), keeping the login link.
    let old = st.scheduler.patient(&actor, id).await.map_err(|e| hide_forbidden(&actor, e, "patient", id))?;
    let input = body.into_core(old.user_id())?;
    let p = st.scheduler.update_patient(&actor, id, input).await?;
    Ok(Json((&p).into()))
}
