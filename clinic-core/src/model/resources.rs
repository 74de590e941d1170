//! `Practitioner` and `Room`: the bookable resources of a clinic.

use serde::{Deserialize, Serialize};

use crate::contact::{required_text, ContactInfo};
use crate::error::{ClinicError, ValidationErrors};
use crate::ids::{ClinicId, PractitionerId, RoomId, UserId};

/// A practitioner (FHIR Practitioner). `user_id` links the login that may act as this practitioner
/// (the RBAC "own schedule" check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PractitionerRecord")]
pub struct Practitioner {
    id: PractitionerId,
    clinic_id: ClinicId,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_id: Option<UserId>,
    contact: ContactInfo,
    active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PractitionerRecord {
    pub id: PractitionerId,
    pub clinic_id: ClinicId,
    pub name: String,
    #[serde(default)]
    pub user_id: Option<UserId>,
    #[serde(default)]
    pub contact: ContactInfo,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl TryFrom<PractitionerRecord> for Practitioner {
    type Error = ClinicError;
    fn try_from(r: PractitionerRecord) -> Result<Self, Self::Error> {
        let mut p = Practitioner::new(r.id, r.clinic_id, &r.name, r.contact)?;
        p.user_id = r.user_id;
        p.active = r.active;
        Ok(p)
    }
}

impl Practitioner {
    pub fn new(id: PractitionerId, clinic_id: ClinicId, name: &str, contact: ContactInfo) -> Result<Self, ClinicError> {
        let mut errs = ValidationErrors::new();
        let name = required_text(&mut errs, "name", name, 200);
        errs.into_result()?;
        Ok(Practitioner { id, clinic_id, name, user_id: None, contact, active: true })
    }

    pub fn with_user(mut self, user: UserId) -> Self {
        self.user_id = Some(user);
        self
    }
    pub fn with_active(mut self, active: bool) -> Self {
        self.active = active;
        self
    }
    pub fn id(&self) -> PractitionerId {
        self.id
    }
    pub fn clinic_id(&self) -> ClinicId {
        self.clinic_id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn user_id(&self) -> Option<UserId> {
        self.user_id
    }
    pub fn contact(&self) -> &ContactInfo {
        &self.contact
    }
    pub fn active(&self) -> bool {
        self.active
    }
}

/// A room (FHIR Location): a resource rule 1 protects when an appointment names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RoomRecord")]
pub struct Room {
    id: RoomId,
    clinic_id: ClinicId,
    name: String,
    active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoomRecord {
    pub id: RoomId,
    pub clinic_id: ClinicId,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

impl TryFrom<RoomRecord> for Room {
    type Error = ClinicError;
    fn try_from(r: RoomRecord) -> Result<Self, Self::Error> {
        Ok(Room::new(r.id, r.clinic_id, &r.name)?.with_active(r.active))
    }
}

impl Room {
    pub fn new(id: RoomId, clinic_id: ClinicId, name: &str) -> Result<Self, ClinicError> {
        let mut errs = ValidationErrors::new();
        let name = required_text(&mut errs, "name", name, 200);
        errs.into_result()?;
        Ok(Room { id, clinic_id, name, active: true })
    }
    pub fn with_active(mut self, active: bool) -> Self {
        self.active = active;
        self
    }
    pub fn id(&self) -> RoomId {
        self.id
    }
    pub fn clinic_id(&self) -> ClinicId {
        self.clinic_id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn active(&self) -> bool {
        self.active
    }
}
