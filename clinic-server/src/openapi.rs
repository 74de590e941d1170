//! The OpenAPI 3.1 document, generated from the handlers' annotations and the DTO types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::*;

#[derive(OpenApi)]
#[openapi(
    info(title = "Clinic scheduling API", description = "REST API of the clinic scheduling engine. Every error is RFC 9457 problem+json with a stable `code`."),
    paths(
        health::healthz, health::readyz,
        auth::login, auth::refresh, auth::logout, auth::me,
        catalog::list_clinics, catalog::create_clinic, catalog::get_clinic, catalog::update_clinic,
        catalog::list_practitioners, catalog::create_practitioner, catalog::get_practitioner, catalog::update_practitioner,
        catalog::list_rooms, catalog::create_room, catalog::update_room,
        catalog::list_types, catalog::create_type, catalog::update_type,
        catalog::list_schedules, catalog::create_schedule, catalog::get_schedule, catalog::update_schedule, catalog::delete_schedule,
        patients::search_patients, patients::register_patient, patients::get_patient, patients::update_patient,
        appointments::book, appointments::list, appointments::get, appointments::reschedule, appointments::cancel, appointments::change_status,
        reports::availability, reports::report,
        imports::import_patients, imports::import_appointments, imports::rejections_csv,
        interop::practitioner_ics, interop::patient_ics,
        interop::fhir_patient, interop::fhir_appointment, interop::fhir_schedule, interop::fhir_slots,
        users::list_users, users::create_user, users::get_user, users::update_user, users::reset_password,
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&Bearer),
    tags(
        (name = "auth"), (name = "catalog"), (name = "schedules"), (name = "patients"), (name = "appointments"),
        (name = "availability"), (name = "reports"), (name = "imports"), (name = "interop"), (name = "fhir"), (name = "operations"), (name = "users"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The document as served at `/api/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::ops::OpsDoc::openapi());
    doc
}
