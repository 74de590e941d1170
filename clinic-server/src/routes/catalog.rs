//! Clinics, practitioners, rooms, appointment types and schedules.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use clinic_core::rbac::{authorize, Permission, Target};
use clinic_core::{AppointmentTypeId, ClinicId, PractitionerId, ResourceRef, RoomId, Schedule, ScheduleId};
use uuid::Uuid;

use crate::dto::*;
use crate::error::{ApiResult, AppError, Problem};
use crate::extract::{ApiJson, ApiPath, Caller};
use crate::routes::authorize_or_hide;
use crate::state::AppState;

// ---------- clinics ----------

/// Clinics the caller belongs to (all clinics for an unbound admin).
#[utoipa::path(get, path = "/api/v1/clinics", tag = "catalog", security(("bearer" = [])), responses(
    (status = 200, body = Vec<ClinicView>),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_clinics(State(st): State<AppState>, Caller(actor): Caller) -> ApiResult<Json<Vec<ClinicView>>> {
    authorize(&actor, Permission::ReadCatalog, &Target::default())?;
    let clinics = st.scheduler.store().list_clinics().await?;
    Ok(Json(
        clinics.iter().filter(|c| actor.clinic_id.is_none_or(|mine| mine == c.id())).map(ClinicView::from).collect(),
    ))
}

/// Create a clinic.
#[utoipa::path(post, path = "/api/v1/clinics", tag = "catalog", security(("bearer" = [])), request_body = ClinicBody, responses(
    (status = 201, body = ClinicView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_clinic(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiJson(body): ApiJson<ClinicBody>,
) -> ApiResult<(StatusCode, Json<ClinicView>)> {
    let c = st.scheduler.create_clinic(&actor, body.into_core()?).await?;
    Ok((StatusCode::CREATED, Json((&c).into())))
}

/// One clinic.
#[utoipa::path(get, path = "/api/v1/clinics/{id}", tag = "catalog", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = ClinicView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get_clinic(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ClinicView>> {
    let id = ClinicId(id);
    authorize_or_hide(&actor, Permission::ReadCatalog, &Target::clinic(id), "clinic", id)?;
    Ok(Json((&st.scheduler.clinic(id).await?).into()))
}

/// Replace a clinic's details.
#[utoipa::path(put, path = "/api/v1/clinics/{id}", tag = "catalog", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ClinicBody, responses(
    (status = 200, body = ClinicView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_clinic(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ClinicBody>,
) -> ApiResult<Json<ClinicView>> {
    let c = st.scheduler.update_clinic(&actor, ClinicId(id), body.into_core()?).await?;
    Ok(Json((&c).into()))
}

/// Reads a clinic after checking the caller may read its catalog.
async fn readable_clinic(st: &AppState, actor: &clinic_core::rbac::Actor, id: ClinicId) -> ApiResult<()> {
    authorize_or_hide(actor, Permission::ReadCatalog, &Target::clinic(id), "clinic", id)?;
    st.scheduler.clinic(id).await?;
    Ok(())
}

// ---------- practitioners ----------

/// The clinic's practitioners.
#[utoipa::path(get, path = "/api/v1/clinics/{id}/practitioners", tag = "catalog", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Vec<PractitionerView>),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_practitioners(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<PractitionerView>>> {
    let id = ClinicId(id);
    readable_clinic(&st, &actor, id).await?;
    let list = st.scheduler.store().list_practitioners(id).await?;
    Ok(Json(list.iter().map(PractitionerView::from).collect()))
}

/// Add a practitioner.
#[utoipa::path(post, path = "/api/v1/clinics/{id}/practitioners", tag = "catalog", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = PractitionerBody, responses(
    (status = 201, body = PractitionerView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_practitioner(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<PractitionerBody>,
) -> ApiResult<(StatusCode, Json<PractitionerView>)> {
    let p = body.into_core(PractitionerId::new(), ClinicId(id), None)?;
    let p = st.scheduler.save_practitioner(&actor, p).await?;
    Ok((StatusCode::CREATED, Json((&p).into())))
}

/// One practitioner.
#[utoipa::path(get, path = "/api/v1/practitioners/{id}", tag = "catalog", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = PractitionerView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get_practitioner(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PractitionerView>> {
    let id = PractitionerId(id);
    let p = st.scheduler.store().get_practitioner(id).await?.ok_or_else(|| AppError::not_found("practitioner", id))?;
    authorize_or_hide(&actor, Permission::ReadCatalog, &Target::clinic(p.clinic_id()), "practitioner", id)?;
    Ok(Json((&p).into()))
}

/// Replace a practitioner's details.
#[utoipa::path(put, path = "/api/v1/practitioners/{id}", tag = "catalog", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = PractitionerBody, responses(
    (status = 200, body = PractitionerView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_practitioner(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<PractitionerBody>,
) -> ApiResult<Json<PractitionerView>> {
    let id = PractitionerId(id);
    let old =
        st.scheduler.store().get_practitioner(id).await?.ok_or_else(|| AppError::not_found("practitioner", id))?;
    authorize_or_hide(&actor, Permission::ReadCatalog, &Target::clinic(old.clinic_id()), "practitioner", id)?;
    let p = body.into_core(id, old.clinic_id(), Some(&old))?;
    Ok(Json((&st.scheduler.save_practitioner(&actor, p).await?).into()))
}

// ---------- rooms ----------

/// The clinic's rooms.
#[utoipa::path(get, path = "/api/v1/clinics/{id}/rooms", tag = "catalog", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Vec<RoomView>),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_rooms(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<RoomView>>> {
    let id = ClinicId(id);
    readable_clinic(&st, &actor, id).await?;
    Ok(Json(st.scheduler.store().list_rooms(id).await?.iter().map(RoomView::from).collect()))
}

/// Add a room.
#[utoipa::path(post, path = "/api/v1/clinics/{id}/rooms", tag = "catalog", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = RoomBody, responses(
    (status = 201, body = RoomView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_room(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<RoomBody>,
) -> ApiResult<(StatusCode, Json<RoomView>)> {
    let r = st.scheduler.save_room(&actor, body.into_core(RoomId::new(), ClinicId(id))?).await?;
    Ok((StatusCode::CREATED, Json((&r).into())))
}

/// Replace a room.
#[utoipa::path(put, path = "/api/v1/rooms/{id}", tag = "catalog", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = RoomBody, responses(
    (status = 200, body = RoomView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_room(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<RoomBody>,
) -> ApiResult<Json<RoomView>> {
    let id = RoomId(id);
    let old = st.scheduler.store().get_room(id).await?.ok_or_else(|| AppError::not_found("room", id))?;
    authorize_or_hide(&actor, Permission::ReadCatalog, &Target::clinic(old.clinic_id()), "room", id)?;
    let r = st.scheduler.save_room(&actor, body.into_core(id, old.clinic_id())?).await?;
    Ok(Json((&r).into()))
}

// ---------- appointment types ----------

/// The clinic's appointment types.
#[utoipa::path(get, path = "/api/v1/clinics/{id}/appointment-types", tag = "catalog", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Vec<AppointmentTypeView>),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_types(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<AppointmentTypeView>>> {
    let id = ClinicId(id);
    readable_clinic(&st, &actor, id).await?;
    let list = st.scheduler.store().list_appointment_types(id).await?;
    Ok(Json(list.iter().map(AppointmentTypeView::from).collect()))
}

/// Add an appointment type.
#[utoipa::path(post, path = "/api/v1/clinics/{id}/appointment-types", tag = "catalog", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = AppointmentTypeBody, responses(
    (status = 201, body = AppointmentTypeView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_type(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<AppointmentTypeBody>,
) -> ApiResult<(StatusCode, Json<AppointmentTypeView>)> {
    let t = body.into_core(AppointmentTypeId::new(), ClinicId(id))?;
    let t = st.scheduler.save_appointment_type(&actor, t).await?;
    Ok((StatusCode::CREATED, Json((&t).into())))
}

/// Replace an appointment type.
#[utoipa::path(put, path = "/api/v1/appointment-types/{id}", tag = "catalog", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = AppointmentTypeBody, responses(
    (status = 200, body = AppointmentTypeView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_type(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<AppointmentTypeBody>,
) -> ApiResult<Json<AppointmentTypeView>> {
    let id = AppointmentTypeId(id);
    let old = st
        .scheduler
        .store()
        .get_appointment_type(id)
        .await?
        .ok_or_else(|| AppError::not_found("appointment type", id))?;
    authorize_or_hide(&actor, Permission::ReadCatalog, &Target::clinic(old.clinic_id()), "appointment type", id)?;
    let t = st.scheduler.save_appointment_type(&actor, body.into_core(id, old.clinic_id())?).await?;
    Ok(Json((&t).into()))
}

// ---------- schedules ----------

fn schedule_target(s: &Schedule) -> Target {
    match s.resource() {
        ResourceRef::Practitioner(p) => Target::clinic(s.clinic_id()).practitioner(p),
        ResourceRef::Room(_) => Target::clinic(s.clinic_id()),
    }
}

/// The clinic's schedules the caller may read (a practitioner: their own).
#[utoipa::path(get, path = "/api/v1/clinics/{id}/schedules", tag = "schedules", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Vec<ScheduleView>),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_schedules(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<ScheduleView>>> {
    let id = ClinicId(id);
    // The role must hold the permission at all (a patient does not); then each schedule is filtered.
    if clinic_core::rbac::scope_of(actor.role, Permission::ReadSchedules).is_none() {
        authorize(&actor, Permission::ReadSchedules, &Target::clinic(id))?;
    }
    readable_clinic(&st, &actor, id).await?;
    let list = st.scheduler.store().list_schedules(id).await?;
    Ok(Json(
        list.iter()
            .filter(|s| authorize(&actor, Permission::ReadSchedules, &schedule_target(s)).is_ok())
            .map(ScheduleView::from)
            .collect(),
    ))
}

/// Add a schedule (a practitioner: only for themselves).
#[utoipa::path(post, path = "/api/v1/clinics/{id}/schedules", tag = "schedules", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ScheduleBody, responses(
    (status = 201, body = ScheduleView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_schedule(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ScheduleBody>,
) -> ApiResult<(StatusCode, Json<ScheduleView>)> {
    let s = body.into_core(ScheduleId::new(), ClinicId(id))?;
    let s = st.scheduler.save_schedule(&actor, s).await?;
    Ok((StatusCode::CREATED, Json((&s).into())))
}

async fn load_schedule(
    st: &AppState,
    actor: &clinic_core::rbac::Actor,
    id: ScheduleId,
    perm: Permission,
) -> ApiResult<Schedule> {
    let s = st.scheduler.store().get_schedule(id).await?.ok_or_else(|| AppError::not_found("schedule", id))?;
    authorize_or_hide(actor, perm, &schedule_target(&s), "schedule", id)?;
    Ok(s)
}

/// One schedule.
#[utoipa::path(get, path = "/api/v1/schedules/{id}", tag = "schedules", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = ScheduleView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get_schedule(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ScheduleView>> {
    let s = load_schedule(&st, &actor, ScheduleId(id), Permission::ReadSchedules).await?;
    Ok(Json((&s).into()))
}

/// Replace a schedule (a practitioner: only their own, and only for themselves).
#[utoipa::path(put, path = "/api/v1/schedules/{id}", tag = "schedules", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ScheduleBody, responses(
    (status = 200, body = ScheduleView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_schedule(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ScheduleBody>,
) -> ApiResult<Json<ScheduleView>> {
    let id = ScheduleId(id);
    let old = load_schedule(&st, &actor, id, Permission::ManageSchedules).await?;
    let s = st.scheduler.save_schedule(&actor, body.into_core(id, old.clinic_id())?).await?;
    Ok(Json((&s).into()))
}

/// Delete a schedule.
#[utoipa::path(delete, path = "/api/v1/schedules/{id}", tag = "schedules", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 204, description = "deleted"),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete_schedule(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    let id = ScheduleId(id);
    load_schedule(&st, &actor, id, Permission::ManageSchedules).await?;
    st.scheduler.store().delete_schedule(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
