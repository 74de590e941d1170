//! Role-based access control: the permission matrix as data, and one pure check function.
//!
//! The matrix says *whether* a role may do something and *on what scope*; [`authorize`] then applies the
//! object-level part (a practitioner only on their own schedule, a patient only on their own record). The
//! server calls this on every route; the use cases call it too, so an embedding without the server gets the
//! same protection.

use serde::{Deserialize, Serialize};

use crate::error::{ClinicError, ErrorCode};
use crate::ids::{ClinicId, PatientId, PractitionerId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    /// Front desk.
    Scheduler,
    Practitioner,
    Patient,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Scheduler, Role::Practitioner, Role::Patient];

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "scheduler" => Some(Role::Scheduler),
            "practitioner" => Some(Role::Practitioner),
            "patient" => Some(Role::Patient),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Create and edit clinics, rooms, appointment types, practitioners.
    ManageClinic,
    ManageUsers,
    /// Read clinics, practitioners, rooms, types.
    ReadCatalog,
    ReadSchedules,
    ManageSchedules,
    SearchAvailability,
    ReadPatients,
    WritePatients,
    ReadAppointments,
    BookAppointments,
    CancelAppointments,
    /// arrived / fulfilled / noshow.
    ChangeAppointmentStatus,
    /// Rule 6: bypass resource conflicts (audited).
    Overbook,
    ReadReports,
    ImportRecords,
    ExportData,
    ReadAudit,
}

impl Permission {
    pub const ALL: [Permission; 17] = [
        Permission::ManageClinic,
        Permission::ManageUsers,
        Permission::ReadCatalog,
        Permission::ReadSchedules,
        Permission::ManageSchedules,
        Permission::SearchAvailability,
        Permission::ReadPatients,
        Permission::WritePatients,
        Permission::ReadAppointments,
        Permission::BookAppointments,
        Permission::CancelAppointments,
        Permission::ChangeAppointmentStatus,
        Permission::Overbook,
        Permission::ReadReports,
        Permission::ImportRecords,
        Permission::ExportData,
        Permission::ReadAudit,
    ];
}

/// On which objects a granted permission applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every object of the actor's clinic.
    Clinic,
    /// Only objects of the practitioner the actor is.
    OwnPractitioner,
    /// Only objects of the patient the actor is.
    OwnPatient,
}

use Permission as P;
use Role as R;
use Scope as S;

/// The matrix. A (role, permission) pair absent from it is denied.
pub const MATRIX: &[(Role, Permission, Scope)] = &[
    // admin: everything, clinic-wide
    (R::Admin, P::ManageClinic, S::Clinic),
    (R::Admin, P::ManageUsers, S::Clinic),
    (R::Admin, P::ReadCatalog, S::Clinic),
    (R::Admin, P::ReadSchedules, S::Clinic),
    (R::Admin, P::ManageSchedules, S::Clinic),
    (R::Admin, P::SearchAvailability, S::Clinic),
    (R::Admin, P::ReadPatients, S::Clinic),
    (R::Admin, P::WritePatients, S::Clinic),
    (R::Admin, P::ReadAppointments, S::Clinic),
    (R::Admin, P::BookAppointments, S::Clinic),
    (R::Admin, P::CancelAppointments, S::Clinic),
    (R::Admin, P::ChangeAppointmentStatus, S::Clinic),
    (R::Admin, P::Overbook, S::Clinic),
    (R::Admin, P::ReadReports, S::Clinic),
    (R::Admin, P::ImportRecords, S::Clinic),
    (R::Admin, P::ExportData, S::Clinic),
    (R::Admin, P::ReadAudit, S::Clinic),
    // scheduler (front desk): the day-to-day booking work, no users, audit or exports
    (R::Scheduler, P::ReadCatalog, S::Clinic),
    (R::Scheduler, P::ReadSchedules, S::Clinic),
    (R::Scheduler, P::ManageSchedules, S::Clinic),
    (R::Scheduler, P::SearchAvailability, S::Clinic),
    (R::Scheduler, P::ReadPatients, S::Clinic),
    (R::Scheduler, P::WritePatients, S::Clinic),
    (R::Scheduler, P::ReadAppointments, S::Clinic),
    (R::Scheduler, P::BookAppointments, S::Clinic),
    (R::Scheduler, P::CancelAppointments, S::Clinic),
    (R::Scheduler, P::ChangeAppointmentStatus, S::Clinic),
    (R::Scheduler, P::Overbook, S::Clinic),
    (R::Scheduler, P::ReadReports, S::Clinic),
    (R::Scheduler, P::ImportRecords, S::Clinic),
    // practitioner: own schedule, own appointments and the patients on them
    (R::Practitioner, P::ReadCatalog, S::Clinic),
    (R::Practitioner, P::SearchAvailability, S::Clinic),
    (R::Practitioner, P::ReadSchedules, S::OwnPractitioner),
    (R::Practitioner, P::ManageSchedules, S::OwnPractitioner),
    (R::Practitioner, P::ReadPatients, S::OwnPractitioner),
    (R::Practitioner, P::ReadAppointments, S::OwnPractitioner),
    (R::Practitioner, P::BookAppointments, S::OwnPractitioner),
    (R::Practitioner, P::CancelAppointments, S::OwnPractitioner),
    (R::Practitioner, P::ChangeAppointmentStatus, S::OwnPractitioner),
    (R::Practitioner, P::Overbook, S::OwnPractitioner),
    (R::Practitioner, P::ReadReports, S::OwnPractitioner),
    // patient: own record and appointments only; can find free slots, book and cancel for themselves
    (R::Patient, P::ReadCatalog, S::Clinic),
    (R::Patient, P::SearchAvailability, S::Clinic),
    (R::Patient, P::ReadPatients, S::OwnPatient),
    (R::Patient, P::WritePatients, S::OwnPatient),
    (R::Patient, P::ReadAppointments, S::OwnPatient),
    (R::Patient, P::BookAppointments, S::OwnPatient),
    (R::Patient, P::CancelAppointments, S::OwnPatient),
];

/// The scope a role has for a permission, if any.
pub fn scope_of(role: Role, perm: Permission) -> Option<Scope> {
    MATRIX.iter().find(|(r, p, _)| *r == role && *p == perm).map(|(_, _, s)| *s)
}

/// Who is acting: a user with a role, bound to one clinic, and (for practitioner / patient roles) to the
/// practitioner or patient record they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub role: Role,
    pub clinic_id: Option<ClinicId>,
    #[serde(default)]
    pub practitioner_id: Option<PractitionerId>,
    #[serde(default)]
    pub patient_id: Option<PatientId>,
}

impl Actor {
    /// An all-powerful actor for embedded use without users (scripts, imports, tests).
    pub fn system() -> Actor {
        Actor { user_id: None, role: Role::Admin, clinic_id: None, practitioner_id: None, patient_id: None }
    }

    pub fn new(role: Role) -> Actor {
        Actor { role, ..Actor::system() }
    }

    pub fn with_clinic(mut self, c: ClinicId) -> Actor {
        self.clinic_id = Some(c);
        self
    }
    pub fn as_practitioner(mut self, p: PractitionerId) -> Actor {
        self.practitioner_id = Some(p);
        self
    }
    pub fn as_patient(mut self, p: PatientId) -> Actor {
        self.patient_id = Some(p);
        self
    }
}

/// The object an action touches, as far as ownership is concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    pub clinic_id: Option<ClinicId>,
    /// The practitioners the object belongs to (an appointment's practitioner; for a patient record read by a
    /// practitioner: the practitioners the patient has appointments with).
    pub practitioners: Vec<PractitionerId>,
    pub patient_id: Option<PatientId>,
}

impl Target {
    pub fn clinic(c: ClinicId) -> Target {
        Target { clinic_id: Some(c), ..Target::default() }
    }
    pub fn practitioner(mut self, p: PractitionerId) -> Target {
        self.practitioners.push(p);
        self
    }
    pub fn patient(mut self, p: PatientId) -> Target {
        self.patient_id = Some(p);
        self
    }
}

/// The pure decision: allowed, or `FORBIDDEN` with a reason.
///
/// ```
/// use clinic_core::rbac::{authorize, Actor, Permission, Role, Target};
/// use clinic_core::{ClinicId, PatientId};
/// let clinic = ClinicId::new();
/// let me = PatientId::new();
/// let actor = Actor::new(Role::Patient).with_clinic(clinic).as_patient(me);
/// assert!(authorize(&actor, Permission::ReadAppointments, &Target::clinic(clinic).patient(me)).is_ok());
/// let other = Target::clinic(clinic).patient(PatientId::new());
/// assert_eq!(authorize(&actor, Permission::ReadAppointments, &other).unwrap_err().code().as_str(), "FORBIDDEN");
/// ```
pub fn authorize(actor: &Actor, perm: Permission, target: &Target) -> Result<(), ClinicError> {
    let deny = |why: &str| Err(ClinicError::rule(ErrorCode::Forbidden, format!("not allowed: {why}")));
    let Some(scope) = scope_of(actor.role, perm) else {
        return deny(&format!("role {:?} lacks {:?}", actor.role, perm));
    };
    if let (Some(mine), Some(theirs)) = (actor.clinic_id, target.clinic_id) {
        if mine != theirs {
            return deny("another clinic's data");
        }
    }
    match scope {
        Scope::Clinic => Ok(()),
        Scope::OwnPractitioner => match actor.practitioner_id {
            Some(me) if !target.practitioners.is_empty() && target.practitioners.contains(&me) => Ok(()),
            _ => deny("only your own schedule"),
        },
        Scope::OwnPatient => match (actor.patient_id, target.patient_id) {
            (Some(me), Some(p)) if me == p => Ok(()),
            _ => deny("only your own record"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_has_every_permission_and_patient_never_overbooks() {
        for p in Permission::ALL {
            assert_eq!(scope_of(Role::Admin, p), Some(Scope::Clinic));
        }
        assert_eq!(scope_of(Role::Patient, Permission::Overbook), None);
        assert_eq!(scope_of(Role::Scheduler, Permission::ReadAudit), None);
    }

    #[test]
    fn practitioner_only_own_schedule() {
        let c = ClinicId::new();
        let me = PractitionerId::new();
        let a = Actor::new(Role::Practitioner).with_clinic(c).as_practitioner(me);
        assert!(authorize(&a, Permission::ManageSchedules, &Target::clinic(c).practitioner(me)).is_ok());
        let other = Target::clinic(c).practitioner(PractitionerId::new());
        assert!(authorize(&a, Permission::ManageSchedules, &other).is_err());
        assert!(authorize(&a, Permission::ManageSchedules, &Target::clinic(c)).is_err());
        let elsewhere = Target::clinic(ClinicId::new()).practitioner(me);
        assert!(authorize(&a, Permission::ManageSchedules, &elsewhere).is_err());
    }
}
