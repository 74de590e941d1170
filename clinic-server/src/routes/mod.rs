//! The handlers, one module per resource. Each handler authorizes through the core (`rbac::authorize` or a
//! use case that does), converts DTOs, and calls one use case.

pub mod appointments;
pub mod auth;
pub mod catalog;
pub mod health;
pub mod imports;
pub mod interop;
pub mod patients;
pub mod reports;
pub mod users;

use clinic_core::rbac::{authorize, Actor, Permission, Role, Target};
use clinic_core::{ClinicError, ErrorCode};

use crate::error::AppError;

/// Authorizes, hiding existence from roles that only see their own objects: for them a forbidden object is
/// reported as not found (a patient probing ids learns nothing).
pub fn authorize_or_hide(
    actor: &Actor,
    perm: Permission,
    target: &Target,
    entity: &'static str,
    id: impl std::fmt::Display,
) -> Result<(), AppError> {
    match authorize(actor, perm, target) {
        Ok(()) => Ok(()),
        Err(e) if hides_existence(actor) => {
            let _ = e;
            Err(AppError::not_found(entity, id))
        }
        Err(e) => Err(e.into()),
    }
}

/// Roles limited to their own records get 404 instead of 403 on other objects.
pub fn hides_existence(actor: &Actor) -> bool {
    matches!(actor.role, Role::Patient | Role::Practitioner)
}

/// Maps a core `FORBIDDEN` to not-found for roles that must not learn whether an object exists.
pub fn hide_forbidden(actor: &Actor, e: ClinicError, entity: &'static str, id: impl std::fmt::Display) -> AppError {
    if e.code() == ErrorCode::Forbidden && hides_existence(actor) {
        AppError::not_found(entity, id)
    } else {
        e.into()
    }
}

/// Pagination bounds shared by list endpoints.
pub const DEFAULT_PAGE: usize = 50;
pub const MAX_PAGE: usize = 500;

pub fn page_size(limit: Option<usize>) -> usize {
    limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE)
}
