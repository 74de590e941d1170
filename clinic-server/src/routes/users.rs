//! User accounts, for admins: who may sign in, with which role, and (for practitioner and patient users) which
//! record they are. Passwords are hashed by `clinic-server-infra` (Argon2id) and never leave it.
//!
//! Accounts are disabled rather than deleted: the audit log names users by id, and a deleted id would leave
//! its entries pointing at nobody. Every change, and every refused attempt at one, is recorded in the audit log
//! (ids and codes only).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use clinic_core::ids::{ClinicId, PatientId, PractitionerId, UserId};
use clinic_core::rbac::{authorize, Actor, Permission, Role, Target};
use clinic_core::{ClinicError, ErrorCode};
use clinic_server_infra::users::{NewUser, User};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiResult, AppError, Problem};
use crate::extract::{ApiJson, ApiPath, Caller};
use crate::routes::auth::ClientIp;
use crate::state::AppState;

/// A role, as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Admin,
    Scheduler,
    Practitioner,
    Patient,
}

impl From<RoleName> for Role {
    fn from(r: RoleName) -> Role {
        match r {
            RoleName::Admin => Role::Admin,
            RoleName::Scheduler => Role::Scheduler,
            RoleName::Practitioner => Role::Practitioner,
            RoleName::Patient => Role::Patient,
        }
    }
}

impl From<Role> for RoleName {
    fn from(r: Role) -> RoleName {
        match r {
            Role::Admin => RoleName::Admin,
            Role::Scheduler => RoleName::Scheduler,
            Role::Practitioner => RoleName::Practitioner,
            Role::Patient => RoleName::Patient,
        }
    }
}

/// An account without its password hash.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub role: RoleName,
    pub clinic_id: Option<Uuid>,
    /// For role `practitioner`: the practitioner this user is.
    pub practitioner_id: Option<Uuid>,
    /// For role `patient`: the patient this user is.
    pub patient_id: Option<Uuid>,
    /// A disabled account cannot sign in or refresh its tokens.
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.0,
            username: u.username.clone(),
            role: u.role.into(),
            clinic_id: u.clinic_id.map(|c| c.0),
            practitioner_id: u.practitioner_id.map(|p| p.0),
            patient_id: u.patient_id.map(|p| p.0),
            disabled: u.disabled,
            created_at: u.created_at,
        }
    }
}

/// A new account. The clinic defaults to the admin's own.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    /// 1–64 letters, digits and `._@-`; unique regardless of case.
    pub username: String,
    /// At least 8 characters.
    pub password: String,
    pub role: RoleName,
    #[serde(default)]
    pub clinic_id: Option<Uuid>,
    /// Required for role `practitioner`, refused for the others.
    #[serde(default)]
    pub practitioner_id: Option<Uuid>,
    /// Required for role `patient`, refused for the others.
    #[serde(default)]
    pub patient_id: Option<Uuid>,
}

/// An account's role, links and whether it is disabled (the whole state an admin may change).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdateBody {
    pub role: RoleName,
    #[serde(default)]
    pub practitioner_id: Option<Uuid>,
    #[serde(default)]
    pub patient_id: Option<Uuid>,
    #[serde(default)]
    pub disabled: bool,
}

/// A new password set by an admin.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    /// At least 8 characters.
    pub password: String,
}

fn may_manage(actor: &Actor) -> ApiResult<()> {
    Ok(authorize(actor, Permission::ManageUsers, &Target::default())?)
}

/// A clinic-bound admin sees only its clinic's accounts; another clinic's (or an unbound) account is not found.
async fn load(st: &AppState, actor: &Actor, id: UserId) -> ApiResult<User> {
    let user = st.infra.accounts.get(id).await?;
    match actor.clinic_id {
        Some(mine) if user.clinic_id != Some(mine) => Err(AppError::not_found("user", id)),
        _ => Ok(user),
    }
}

/// Checks that the linked practitioner or patient exists in the user's clinic (a link to another clinic's
/// record would let the user act there).
async fn check_links(
    st: &AppState,
    clinic: Option<ClinicId>,
    practitioner: Option<PractitionerId>,
    patient: Option<PatientId>,
) -> ApiResult<()> {
    let store = st.scheduler.store();
    if let Some(p) = practitioner {
        let found = store.get_practitioner(p).await?;
        if found.is_none_or(|x| clinic.is_some_and(|c| c != x.clinic_id())) {
            return Err(
                ClinicError::field(ErrorCode::NotFound, "practitioner_id", format!("no practitioner {p}")).into()
            );
        }
    }
    if let Some(p) = patient {
        let found = store.get_patient(p).await?;
        if found.is_none_or(|x| clinic.is_some_and(|c| c != x.clinic_id())) {
            return Err(ClinicError::field(ErrorCode::NotFound, "patient_id", format!("no patient {p}")).into());
        }
    }
    Ok(())
}

/// Records one account change in the audit log, with the outcome of `r`.
async fn audit<T>(st: &AppState, actor: &Actor, ip: ClientIp, action: &str, id: Option<UserId>, r: &ApiResult<T>) {
    let code = r.as_ref().err().map(AppError::code);
    let outcome = match &code {
        None => Ok(()),
        Some(c) => Err(c.as_str()),
    };
    st.infra.record(Some(actor), action, "user", id.map(|i| i.to_string()), Some(ip.0), outcome).await;
}

/// The accounts of the admin's clinic (every account for an admin bound to no clinic).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])), responses(
    (status = 200, body = Vec<UserView>),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_users(State(st): State<AppState>, Caller(actor): Caller) -> ApiResult<Json<Vec<UserView>>> {
    may_manage(&actor)?;
    let users = st.infra.accounts.list().await?;
    Ok(Json(
        users
            .iter()
            .filter(|u| actor.clinic_id.is_none_or(|mine| u.clinic_id == Some(mine)))
            .map(UserView::from)
            .collect(),
    ))
}

/// Create an account with a role and an initial password.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = NewUserBody, responses(
    (status = 201, body = UserView),
    (status = 409, description = "the username is taken", body = Problem, content_type = "application/problem+json"),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_user(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ip: ClientIp,
    ApiJson(body): ApiJson<NewUserBody>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let r = async {
        may_manage(&actor)?;
        let clinic = body.clinic_id.map(ClinicId).or(actor.clinic_id);
        authorize(&actor, Permission::ManageUsers, &Target { clinic_id: clinic, ..Target::default() })?;
        if let Some(c) = clinic {
            st.scheduler.clinic(c).await?;
        }
        let practitioner = body.practitioner_id.map(PractitionerId);
        let patient = body.patient_id.map(PatientId);
        clinic_server_infra::users::validate_links(body.role.into(), practitioner, patient)?;
        check_links(&st, clinic, practitioner, patient).await?;
        let new = NewUser {
            username: body.username,
            password: SecretString::from(body.password),
            role: body.role.into(),
            clinic_id: clinic,
            practitioner_id: practitioner,
            patient_id: patient,
        };
        Ok(st.infra.accounts.create(new).await?)
    }
    .await;
    audit(&st, &actor, ip, "user.create", r.as_ref().ok().map(|u| u.id), &r).await;
    Ok((StatusCode::CREATED, Json((&r?).into())))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = UserView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get_user(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<UserView>> {
    may_manage(&actor)?;
    Ok(Json((&load(&st, &actor, UserId(id)).await?).into()))
}

/// Change an account's role (with the links it needs) and enable or disable it. Disabling also revokes the
/// account's refresh tokens, so its sessions end when their access tokens expire. An admin cannot demote or
/// disable itself (the clinic would risk having no admin left).
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UserUpdateBody, responses(
    (status = 200, body = UserView),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_user(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ip: ClientIp,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UserUpdateBody>,
) -> ApiResult<Json<UserView>> {
    let id = UserId(id);
    let r = async {
        may_manage(&actor)?;
        let user = load(&st, &actor, id).await?;
        let role: Role = body.role.into();
        if actor.user_id == Some(id) && (role != Role::Admin || body.disabled) {
            return Err(ClinicError::rule(ErrorCode::Forbidden, "an admin cannot demote or disable itself").into());
        }
        let practitioner = body.practitioner_id.map(PractitionerId);
        let patient = body.patient_id.map(PatientId);
        clinic_server_infra::users::validate_links(role, practitioner, patient)?;
        check_links(&st, user.clinic_id, practitioner, patient).await?;
        st.infra.accounts.set_role(id, role, practitioner, patient).await?;
        let user = st.infra.accounts.set_disabled(id, body.disabled).await?;
        if body.disabled {
            st.infra.refresh.revoke_user(id).await?;
        }
        Ok(user)
    }
    .await;
    audit(&st, &actor, ip, "user.update", Some(id), &r).await;
    Ok(Json((&r?).into()))
}

/// Set a new password for an account (e.g. one whose owner forgot it); its refresh tokens are revoked.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = PasswordBody, responses(
    (status = 204, description = "the password is changed"),
    (status = "4XX", body = Problem, content_type = "application/problem+json"),
    (status = "5XX", body = Problem, content_type = "application/problem+json"),
))]
pub async fn reset_password(
    State(st): State<AppState>,
    Caller(actor): Caller,
    ip: ClientIp,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<PasswordBody>,
) -> ApiResult<StatusCode> {
    let id = UserId(id);
    let r = async {
        may_manage(&actor)?;
        load(&st, &actor, id).await?;
        st.infra.accounts.set_password(id, SecretString::from(body.password)).await?;
        st.infra.refresh.revoke_user(id).await?;
        Ok(())
    }
    .await;
    audit(&st, &actor, ip, "user.password_reset", Some(id), &r).await;
    r.map(|()| StatusCode::NO_CONTENT)
}
