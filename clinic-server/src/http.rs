//! The router and the HTTP layers around it: security headers, CORS allow-list, body limit, request logs,
//! problem+json for unknown routes, the docs page and the built frontend.

use std::path::PathBuf;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa_scalar::{Scalar, Servable};

use crate::error::{server_codes, AppError};
use crate::routes::*;
use crate::state::AppState;

/// HTTP settings of the router.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Largest request body in bytes (imports included).
    pub body_limit: usize,
    /// Origins allowed by CORS (exact `scheme://host:port`); empty = no cross-origin access.
    pub cors_origins: Vec<String>,
    /// A built frontend to serve at `/` (its `index.html` answers unknown non-API paths).
    pub web_dir: Option<PathBuf>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig { body_limit: 16 << 20, cors_origins: Vec::new(), web_dir: None }
    }
}

/// The API routes under `/api/v1`.
fn api() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .route("/clinics", get(catalog::list_clinics).post(catalog::create_clinic))
        .route("/clinics/{id}", get(catalog::get_clinic).put(catalog::update_clinic))
        .route("/clinics/{id}/practitioners", get(catalog::list_practitioners).post(catalog::create_practitioner))
        .route("/practitioners/{id}", get(catalog::get_practitioner).put(catalog::update_practitioner))
        .route("/clinics/{id}/rooms", get(catalog::list_rooms).post(catalog::create_room))
        .route("/rooms/{id}", axum::routing::put(catalog::update_room))
        .route("/clinics/{id}/appointment-types", get(catalog::list_types).post(catalog::create_type))
        .route("/appointment-types/{id}", axum::routing::put(catalog::update_type))
        .route("/clinics/{id}/schedules", get(catalog::list_schedules).post(catalog::create_schedule))
        .route(
            "/schedules/{id}",
            get(catalog::get_schedule).put(catalog::update_schedule).delete(catalog::delete_schedule),
        )
        .route("/clinics/{id}/patients", get(patients::search_patients).post(patients::register_patient))
        .route("/patients/{id}", get(patients::get_patient).put(patients::update_patient))
        .route("/appointments", get(appointments::list).post(appointments::book))
        .route("/appointments/{id}", get(appointments::get))
        .route("/appointments/{id}/reschedule", post(appointments::reschedule))
        .route("/appointments/{id}/cancel", post(appointments::cancel))
        .route("/appointments/{id}/status", post(appointments::change_status))
        .route("/clinics/{id}/availability", get(reports::availability))
        .route("/clinics/{id}/reports", get(reports::report))
        .route("/clinics/{id}/imports/patients", post(imports::import_patients))
        .route("/clinics/{id}/imports/appointments", post(imports::import_appointments))
        .route("/imports/{id}/rejections.csv", get(imports::rejections_csv))
        .route("/practitioners/{id}/calendar.ics", get(interop::practitioner_ics))
        .route("/patients/{id}/calendar.ics", get(interop::patient_ics))
        .route("/fhir/Patient/{id}", get(interop::fhir_patient))
        .route("/fhir/Appointment/{id}", get(interop::fhir_appointment))
        .route("/fhir/Schedule/{id}", get(interop::fhir_schedule))
        .route("/fhir/Slot", get(interop::fhir_slots))
        .route("/ws", get(crate::live::ws))
        .route("/users", get(users::list_users).post(users::create_user))
        .route("/users/{id}", get(users::get_user).put(users::update_user))
        .route("/users/{id}/password", post(users::reset_password))
        .fallback(api_not_found)
        .route_layer(middleware::from_fn(tag_route))
}

/// The route template a request matched, carried on the response for the access log and metrics (the
/// outer layers run before routing, so they cannot read it from the request).
#[derive(Debug, Clone)]
pub struct RouteTemplate(pub String);

async fn tag_route(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string());
    let mut resp = next.run(req).await;
    if let Some(r) = route {
        resp.extensions_mut().insert(RouteTemplate(r));
    }
    resp
}

async fn api_not_found() -> AppError {
    AppError::http(StatusCode::NOT_FOUND, server_codes::ROUTE_NOT_FOUND, "no such API route")
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}

/// Turns axum's plain-text 405 into a problem.
async fn method_problems(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED
        && resp.headers().get(header::CONTENT_TYPE).is_none_or(|ct| ct != "application/problem+json")
    {
        let allow = resp.headers().get(header::ALLOW).cloned();
        let mut p =
            AppError::http(StatusCode::METHOD_NOT_ALLOWED, server_codes::METHOD_NOT_ALLOWED, "method not allowed")
                .into_response();
        if let Some(a) = allow {
            p.headers_mut().insert(header::ALLOW, a);
        }
        return p;
    }
    resp
}

/// One structured log line per request: method, route template (never the raw path or query, which may
/// carry names or phone numbers), status and latency.
async fn access_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let route = resp.extensions().get::<RouteTemplate>().map(|r| r.0.as_str()).unwrap_or("(other)");
    if status >= 500 {
        tracing::warn!(%method, route, status, latency_ms = ms, "request");
    } else {
        tracing::info!(%method, route, status, latency_ms = ms, "request");
    }
    resp
}

/// `'wasm-unsafe-eval'` lets the frontend compile the engine's WebAssembly module (client-side booking checks);
/// it allows no JavaScript eval.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";
/// The docs page loads Scalar's script from its CDN.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; font-src 'self' data: https://fonts.gstatic.com https://cdn.jsdelivr.net; img-src 'self' data: https:; connect-src 'self'; frame-ancestors 'none'; object-src 'none'";

async fn docs_csp(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(DOCS_CSP));
    resp
}

fn cors(origins: &[String]) -> CorsLayer {
    let list: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o.trim()).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(list))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([header::ETAG, header::RETRY_AFTER, HeaderName::from_static("idempotent-replayed")])
}

/// The whole application with the default HTTP settings.
pub fn app(state: AppState) -> Router {
    app_with(state, &HttpConfig::default())
}

/// The whole application.
pub fn app_with(state: AppState, cfg: &HttpConfig) -> Router {
    let docs: Router<AppState> =
        Router::from(Scalar::with_url("/api/docs", crate::openapi::document())).layer(middleware::from_fn(docs_csp));
    let mut router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(crate::metrics::exposition))
        .route("/api/openapi.json", get(openapi_json))
        .route_layer(middleware::from_fn(tag_route))
        .merge(docs)
        .nest("/api/v1", api());
    router = match cfg.web_dir.as_ref().filter(|d| d.join("index.html").is_file()) {
        Some(dir) => {
            let index = dir.join("index.html");
            router.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => router
            .fallback(|| async { AppError::http(StatusCode::NOT_FOUND, server_codes::ROUTE_NOT_FOUND, "not found") }),
    };
    router
        .layer(middleware::from_fn_with_state(state.clone(), crate::audit_trail::record))
        .layer(middleware::from_fn(access_log))
        .layer(middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        .layer(middleware::from_fn(method_problems))
        .layer(RequestBodyLimitLayer::new(cfg.body_limit))
        .layer(axum::extract::DefaultBodyLimit::max(cfg.body_limit))
        .layer(cors(&cfg.cors_origins))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .with_state(state)
}
