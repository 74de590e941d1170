//! One error type for every handler, rendered as RFC 9457 `application/problem+json` carrying the core's
//! stable code, so a client branches on `code` the same way it does in Python or JavaScript.
//!
//! The HTTP status is derived from the code here and only here; handlers never pick statuses for errors.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use clinic_core::engine::Alternatives;
use clinic_core::{ClinicError, ErrorCode, FieldError, Violation};
use serde::Serialize;
use utoipa::ToSchema;

/// Codes the HTTP layer adds to the core's vocabulary (transport problems the engine never sees).
pub mod server_codes {
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
    pub const INVALID_QUERY: &str = "INVALID_QUERY";
    pub const ROUTE_NOT_FOUND: &str = "ROUTE_NOT_FOUND";
    pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
    pub const INTERNAL: &str = "INTERNAL";
    pub const IDEMPOTENCY_KEY_REUSED: &str = "IDEMPOTENCY_KEY_REUSED";
    /// A dependency (the database, the identity provider) is down: retry after `Retry-After`.
    pub const DEPENDENCY_UNAVAILABLE: &str = "DEPENDENCY_UNAVAILABLE";
    pub const ALL: &[&str] = &[
        UNAUTHENTICATED,
        RATE_LIMITED,
        PAYLOAD_TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        INVALID_QUERY,
        ROUTE_NOT_FOUND,
        METHOD_NOT_ALLOWED,
        INTERNAL,
        IDEMPOTENCY_KEY_REUSED,
        DEPENDENCY_UNAVAILABLE,
    ];
}

/// The problem document (RFC 9457) with the extension members every error of this API carries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:clinic:problem:<code>`).
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The stable machine code: one of the engine's `ErrorCode`s or a transport code of the server.
    pub code: String,
    /// Every code the error carries (all field errors, all violated booking rules).
    pub codes: Vec<String>,
    /// Field-level problems of invalid input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldErrorDoc>)]
    pub errors: Vec<FieldError>,
    /// Every booking rule a rejected booking broke.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<ViolationDoc>)]
    pub violations: Vec<Violation>,
    /// The nearest bookable alternatives of a rejected booking.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<AlternativesDoc>)]
    pub alternatives: Option<Alternatives>,
    /// With `DEPENDENCY_UNAVAILABLE`: which dependency is down (`mongodb`, `oidc_jwks`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependency: Option<String>,
}

/// Schema of one field error (mirrors `clinic_core::FieldError`).
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorDoc {
    pub code: String,
    /// Where in the input, e.g. `contact.phone`.
    pub field: String,
    pub message: String,
}

/// Schema of one violated booking rule (mirrors `clinic_core::Violation`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ViolationDoc {
    pub code: String,
    pub message: String,
    /// Appointments the booking collides with.
    pub conflicting: Vec<uuid::Uuid>,
}

/// Schema of a free slot offer (mirrors `clinic_core::SlotOffer`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotOfferDoc {
    pub start: chrono::DateTime<chrono::Utc>,
    pub end: chrono::DateTime<chrono::Utc>,
    pub practitioner_id: uuid::Uuid,
}

/// Schema of the alternatives of a rejected booking (mirrors `clinic_core::Alternatives`).
#[derive(Debug, Serialize, ToSchema)]
pub struct AlternativesDoc {
    pub same_practitioner: Vec<SlotOfferDoc>,
    pub other_practitioners: Vec<SlotOfferDoc>,
}

/// Seconds a client is told to wait when a dependency is down (about a breaker's cool-down).
pub const DEPENDENCY_RETRY_AFTER_S: u64 = 2;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Core(#[from] ClinicError),
    /// A transport-level problem with its own status and server code.
    #[error("{detail}")]
    Http { status: StatusCode, code: &'static str, detail: String, retry_after: Option<u64> },
}

impl AppError {
    pub fn http(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Http { status, code, detail: detail.into(), retry_after: None }
    }
    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::http(StatusCode::UNAUTHORIZED, server_codes::UNAUTHENTICATED, detail)
    }
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        AppError::Http {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: server_codes::RATE_LIMITED,
            detail: format!("too many attempts; retry in {retry_after_secs} s"),
            retry_after: Some(retry_after_secs.max(1)),
        }
    }
    pub fn bad_query(detail: impl Into<String>) -> Self {
        Self::http(StatusCode::BAD_REQUEST, server_codes::INVALID_QUERY, detail)
    }
    pub fn invalid_json(field: &str, detail: impl Into<String>) -> Self {
        AppError::Core(ClinicError::field(ErrorCode::InvalidJson, field, detail))
    }
    pub fn not_found(entity: &'static str, id: impl std::fmt::Display) -> Self {
        AppError::Core(ClinicError::not_found(entity, id))
    }
    /// 503 `DEPENDENCY_UNAVAILABLE` naming the dependency, with a short `Retry-After`.
    pub fn dependency_unavailable(dependency: &str) -> Self {
        AppError::Http {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: server_codes::DEPENDENCY_UNAVAILABLE,
            detail: format!("the dependency {dependency} is unavailable; retry later"),
            retry_after: Some(DEPENDENCY_RETRY_AFTER_S),
        }
    }
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::http(StatusCode::INTERNAL_SERVER_ERROR, server_codes::INTERNAL, detail)
    }

    /// The stable code of this error.
    pub fn code(&self) -> String {
        match self {
            AppError::Core(e) => e.code().as_str().to_string(),
            AppError::Http { code, .. } => (*code).to_string(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Core(e) => status_of(e),
            AppError::Http { status, .. } => *status,
        }
    }

    /// The problem document of this error.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let code = self.code();
        let title = status.canonical_reason().unwrap_or("Error").to_string();
        let type_ = format!("urn:clinic:problem:{}", code.to_ascii_lowercase().replace('_', "-"));
        match self {
            AppError::Core(e) => {
                let (errors, violations, alternatives) = match e {
                    ClinicError::Validation(v) => (v.errors.clone(), Vec::new(), None),
                    ClinicError::Booking(r) => (Vec::new(), r.violations.clone(), Some(r.alternatives.clone())),
                    _ => (Vec::new(), Vec::new(), None),
                };
                // A store failure's message may carry driver details: it is logged, not sent.
                let detail = match e {
                    ClinicError::Store { .. } => "the store is unavailable; try again".to_string(),
                    other => other.to_string(),
                };
                Problem {
                    type_,
                    title,
                    status: status.as_u16(),
                    detail,
                    code,
                    codes: e.codes().iter().map(|c| c.as_str().to_string()).collect(),
                    errors,
                    violations,
                    alternatives,
                    dependency: None,
                }
            }
            AppError::Http { detail, .. } => Problem {
                type_,
                title,
                status: status.as_u16(),
                detail: detail.clone(),
                codes: vec![code.clone()],
                dependency: (code == server_codes::DEPENDENCY_UNAVAILABLE)
                    .then(|| detail.split(' ').nth(2).unwrap_or_default().to_string()),
                code,
                errors: Vec::new(),
                violations: Vec::new(),
                alternatives: None,
            },
        }
    }
}

/// The HTTP status of an engine error.
pub fn status_of(e: &ClinicError) -> StatusCode {
    use ErrorCode as C;
    match e {
        // A taken MRN is the state of the store, not a malformed input: a conflict.
        ClinicError::Validation(v) if v.errors.iter().any(|f| f.code == C::DuplicateMrn) => StatusCode::CONFLICT,
        ClinicError::Validation(_) => match e.code() {
            C::InvalidJson | C::InvalidId => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        },
        ClinicError::Booking(_) => StatusCode::CONFLICT,
        ClinicError::NotFound { .. } => StatusCode::NOT_FOUND,
        ClinicError::Store { .. } => StatusCode::SERVICE_UNAVAILABLE,
        ClinicError::Rule { code, .. } => match code {
            C::Forbidden => StatusCode::FORBIDDEN,
            C::VersionConflict => StatusCode::PRECONDITION_FAILED,
            C::NotFound => StatusCode::NOT_FOUND,
            C::StoreUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            C::ImportFileTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            C::InvalidStatusTransition
            | C::ArrivalNotToday
            | C::AppointmentNotActive
            | C::DuplicateMrn
            | C::ConcurrentModification
            | C::SlotConflictPractitioner
            | C::SlotConflictRoom
            | C::GroupSessionFull
            | C::PatientDoubleBooked
            | C::OverbookNotPermitted => StatusCode::CONFLICT,
            C::ReportOutputFailed => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        },
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        // A store failure the breaker layer attributed to a dependency: a 503 that names it.
        let dependency = match &self {
            AppError::Core(ClinicError::Store { message, .. }) => {
                clinic_server_infra::resilience::dependency_of(message).map(str::to_string)
            }
            _ => None,
        };
        match dependency {
            Some(dep) => {
                tracing::warn!(code = "DEPENDENCY_UNAVAILABLE", error = %self, "dependency unavailable");
                AppError::dependency_unavailable(&dep).render()
            }
            None => self.render(),
        }
    }
}

impl AppError {
    fn render(self) -> Response {
        let status = self.status();
        if status.is_server_error() && self.code() != server_codes::DEPENDENCY_UNAVAILABLE {
            // Messages of the engine never carry patient data; store messages may name ids only.
            tracing::error!(code = %self.code(), error = %self, "request failed");
        }
        let problem = self.problem();
        let body = serde_json::to_vec(&problem).unwrap_or_else(|_| b"{}".to_vec());
        let mut resp = (status, body).into_response();
        resp.extensions_mut().insert(ProblemCodes(problem.codes));
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let AppError::Http { retry_after: Some(s), .. } = &self {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, AppError>;

/// Every code of a problem answer, carried on the response for the metrics layer (outer layers see the
/// response, not the error).
#[derive(Debug, Clone)]
pub struct ProblemCodes(pub Vec<String>);
