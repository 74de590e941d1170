//! Imports: multipart upload of a CSV/XLS/XLSX file of patients or appointments, in dry-run, atomic or
//! partial mode; the rejected rows are downloadable as CSV.

use axum::extract::{Multipart, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use clinic_core::import::{write_rejections_csv, DateOrder, ImportMode, ImportOptions, ImportSource};
use clinic_core::rbac::{authorize, Permission, Target};
use clinic_core::ClinicId;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{server_codes, ApiResult, AppError, Problem};
use crate::extract::{ApiPath, Caller};
use crate::state::AppState;

/// One rejected row problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectionDoc {
    pub row: u64,
    pub column: String,
    pub code: String,
    pub message: String,
    pub value: String,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// Download the rejections as CSV at `/api/v1/imports/{import_id}/rejections.csv`.
    pub import_id: Uuid,
    /// `dry_run`, `atomic` or `partial`.
    pub mode: String,
    pub rows: usize,
    pub valid: usize,
    pub stored: usize,
    pub rejected_rows: usize,
    pub committed: bool,
    pub accepted_ids: Vec<Uuid>,
    pub rejections: Vec<RejectionDoc>,
}

/// The multipart form of an import.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The CSV, XLS or XLSX file.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    /// `dry_run` (default), `atomic` or `partial`.
    mode: Option<String>,
    /// `day_first` (default) or `month_first` for dates like 01/02/1980.
    date_order: Option<String>,
    /// ISO region for phones without `+country`.
    default_region: Option<String>,
}

struct Upload {
    file: Vec<u8>,
    opts: ImportOptions,
}

async fn read_form(mut mp: Multipart) -> ApiResult<Upload> {
    let mut file = None;
    let mut opts = ImportOptions::default();
    let bad = |m: String| AppError::invalid_json("", m);
    while let Some(field) = mp.next_field().await.map_err(|e| multipart_error(e.status(), e.body_text()))? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                let bytes = field.bytes().await.map_err(|e| multipart_error(e.status(), e.body_text()))?;
                file = Some(bytes.to_vec());
            }
            "mode" | "date_order" | "default_region" => {
                let text = field.text().await.map_err(|e| multipart_error(e.status(), e.body_text()))?;
                let text = text.trim().to_string();
                match name.as_str() {
                    "mode" => {
                        opts.mode = serde_json::from_value::<ImportMode>(serde_json::Value::String(text.clone()))
                            .map_err(|_| bad(format!("mode must be dry_run, atomic or partial, not {text:?}")))?
                    }
                    "date_order" => {
                        opts.date_order = serde_json::from_value::<DateOrder>(serde_json::Value::String(text.clone()))
                            .map_err(|_| bad(format!("unknown date_order {text:?}")))?
                    }
                    _ => opts.default_region = Some(text).filter(|t| !t.is_empty()),
                }
            }
            other => return Err(bad(format!("unknown form field {other:?}"))),
        }
    }
    let file = file.ok_or_else(|| bad("the form needs a `file` part".into()))?;
    Ok(Upload { file, opts })
}

fn multipart_error(status: StatusCode, text: String) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::http(status, server_codes::PAYLOAD_TOO_LARGE, "the upload is too large")
    } else {
        AppError::invalid_json("", format!("malformed multipart form: {text}"))
    }
}

/// Ids of imported records as plain UUIDs.
pub trait AsUuid {
    fn uuid(&self) -> Uuid;
}
impl AsUuid for clinic_core::PatientId {
    fn uuid(&self) -> Uuid {
        self.0
    }
}
impl AsUuid for clinic_core::AppointmentId {
    fn uuid(&self) -> Uuid {
        self.0
    }
}

fn result<Id: AsUuid>(
    st: &AppState,
    actor: &clinic_core::rbac::Actor,
    r: clinic_core::import::ImportReport<Id>,
) -> ImportResult {
    let rejections = r
        .rejections
        .iter()
        .map(|x| RejectionDoc {
            row: x.row,
            column: x.column.clone(),
            code: x.code.as_str().to_string(),
            message: x.message.clone(),
            value: x.value.clone(),
        })
        .collect();
    let import_id = st.imports.remember(actor.user_id, r.rejections);
    ImportResult {
        import_id,
        mode: serde_json::to_value(r.mode).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        rows: r.rows,
        valid: r.valid,
        stored: r.stored,
        rejected_rows: r.rejected_rows,
        committed: r.committed,
        accepted_ids: r.accepted_ids.iter().map(AsUuid::uuid).collect(),
        rejections,
    }
}

/// Import patients from a CSV/XLS/XLSX file.
#[utoipa::path(post, path = "/api/v1/clinics/{id}/imports/patients", tag = "imports", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body(content = ImportForm, content_type = "multipart/form-data"), responses(
    (status = 200, body = ImportResult),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn import_patients(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    mp: Multipart,
) -> ApiResult<Json<ImportResult>> {
    authorize(&actor, Permission::ImportRecords, &Target::clinic(ClinicId(id)))?;
    let up = read_form(mp).await?;
    let r = st.scheduler.import_patients(&actor, ClinicId(id), ImportSource::Bytes(&up.file), &up.opts).await?;
    Ok(Json(result(&st, &actor, r)))
}

/// Import appointments (each row is a booking through every rule).
#[utoipa::path(post, path = "/api/v1/clinics/{id}/imports/appointments", tag = "imports", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body(content = ImportForm, content_type = "multipart/form-data"), responses(
    (status = 200, body = ImportResult),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn import_appointments(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    mp: Multipart,
) -> ApiResult<Json<ImportResult>> {
    authorize(&actor, Permission::ImportRecords, &Target::clinic(ClinicId(id)))?;
    let up = read_form(mp).await?;
    let r = st.scheduler.import_appointments(&actor, ClinicId(id), ImportSource::Bytes(&up.file), &up.opts).await?;
    Ok(Json(result(&st, &actor, r)))
}

/// The rejected rows of a recent import of the caller, as CSV (`row,column,code,message,value`).
#[utoipa::path(get, path = "/api/v1/imports/{id}/rejections.csv", tag = "imports", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses(
    (status = 200, description = "CSV", content_type = "text/csv", body = String),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn rejections_csv(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let rejections = st.imports.get(id, actor.user_id).ok_or_else(|| AppError::not_found("import", id))?;
    let mut out = Vec::new();
    write_rejections_csv(&mut out, &rejections)?;
    let mut r = out.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    Ok(r)
}
