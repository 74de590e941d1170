//! Patients and appointments on the wire.

use chrono::{DateTime, NaiveDate, Utc};
use clinic_core::{
    Appointment, AppointmentStatus, ClinicError, HistoryEntry, Identifier, Patient, PatientInput, Sex, UserId,
    ValidationErrors,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::common::{finish, AddressDto, ContactDto};

/// Administrative sex (FHIR AdministrativeGender).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SexDto {
    Female,
    Male,
    Other,
    #[default]
    Unknown,
}

/// An external identifier (FHIR Identifier).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifierDto {
    pub system: String,
    pub value: String,
}

/// Register or update a patient.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientBody {
    /// Medical record number, unique per clinic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrn: Option<String>,
    pub given_name: String,
    pub family_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default)]
    pub sex: SexDto,
    #[serde(default)]
    pub contact: ContactDto,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<AddressDto>,
    #[serde(default)]
    pub identifiers: Vec<IdentifierDto>,
}

impl PatientBody {
    /// `user_id` keeps the login link (not settable through this body).
    pub fn into_core(self, user_id: Option<UserId>) -> Result<PatientInput, ClinicError> {
        let mut errs = ValidationErrors::new();
        let contact = self.contact.into_core(&mut errs, "contact");
        let address = self.address.and_then(|a| a.into_core(&mut errs, "address"));
        let sex = match self.sex {
            SexDto::Female => Sex::Female,
            SexDto::Male => Sex::Male,
            SexDto::Other => Sex::Other,
            SexDto::Unknown => Sex::Unknown,
        };
        finish(
            errs,
            PatientInput {
                mrn: self.mrn,
                given_name: self.given_name,
                family_name: self.family_name,
                date_of_birth: self.date_of_birth,
                sex,
                contact,
                address,
                identifiers: self
                    .identifiers
                    .into_iter()
                    .map(|i| Identifier { system: i.system, value: i.value })
                    .collect(),
                user_id,
            },
        )
    }
}

/// A patient.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatientView {
    pub id: Uuid,
    pub clinic_id: Uuid,
    #[serde(flatten)]
    pub body: PatientBody,
}

impl From<&Patient> for PatientView {
    fn from(p: &Patient) -> Self {
        let d = p.data();
        PatientView {
            id: p.id().0,
            clinic_id: p.clinic_id().0,
            body: PatientBody {
                mrn: d.mrn.clone(),
                given_name: d.given_name.clone(),
                family_name: d.family_name.clone(),
                date_of_birth: d.date_of_birth,
                sex: match d.sex {
                    Sex::Female => SexDto::Female,
                    Sex::Male => SexDto::Male,
                    Sex::Other => SexDto::Other,
                    Sex::Unknown => SexDto::Unknown,
                },
                contact: (&d.contact).into(),
                address: d.address.as_ref().map(AddressDto::from),
                identifiers: d
                    .identifiers
                    .iter()
                    .map(|i| IdentifierDto { system: i.system.clone(), value: i.value.clone() })
                    .collect(),
            },
        }
    }
}

/// An appointment's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusDto {
    Proposed,
    Booked,
    Arrived,
    Fulfilled,
    Cancelled,
    Noshow,
}

impl From<StatusDto> for AppointmentStatus {
    fn from(s: StatusDto) -> Self {
        match s {
            StatusDto::Proposed => AppointmentStatus::Proposed,
            StatusDto::Booked => AppointmentStatus::Booked,
            StatusDto::Arrived => AppointmentStatus::Arrived,
            StatusDto::Fulfilled => AppointmentStatus::Fulfilled,
            StatusDto::Cancelled => AppointmentStatus::Cancelled,
            StatusDto::Noshow => AppointmentStatus::Noshow,
        }
    }
}

impl From<AppointmentStatus> for StatusDto {
    fn from(s: AppointmentStatus) -> Self {
        match s {
            AppointmentStatus::Proposed => StatusDto::Proposed,
            AppointmentStatus::Booked => StatusDto::Booked,
            AppointmentStatus::Arrived => StatusDto::Arrived,
            AppointmentStatus::Fulfilled => StatusDto::Fulfilled,
            AppointmentStatus::Cancelled => StatusDto::Cancelled,
            AppointmentStatus::Noshow => StatusDto::Noshow,
        }
    }
}

/// Book an appointment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingBody {
    pub clinic_id: Uuid,
    pub patient_id: Uuid,
    pub practitioner_id: Uuid,
    #[serde(default)]
    pub room_id: Option<Uuid>,
    pub appointment_type_id: Uuid,
    /// RFC 3339 with offset; minute precision.
    pub start: DateTime<Utc>,
    /// Bypass resource conflicts (rule 6; only roles allowed to overbook).
    #[serde(default)]
    pub overbook: bool,
    /// Create as `proposed` instead of `booked`.
    #[serde(default)]
    pub proposed: bool,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

impl BookingBody {
    pub fn into_core(self) -> clinic_core::CreateAppointment {
        clinic_core::CreateAppointment {
            clinic_id: clinic_core::ClinicId(self.clinic_id),
            request: clinic_core::BookingRequest {
                patient_id: clinic_core::PatientId(self.patient_id),
                practitioner_id: clinic_core::PractitionerId(self.practitioner_id),
                room_id: self.room_id.map(clinic_core::RoomId),
                appointment_type_id: clinic_core::AppointmentTypeId(self.appointment_type_id),
                start: self.start,
                overbook: self.overbook,
                reschedule_of: None,
            },
            proposed: self.proposed,
            reason: self.reason,
            notes: self.notes,
        }
    }
}

/// Move an appointment. The version comes from `If-Match` (or `expected_version`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleBody {
    pub start: DateTime<Utc>,
    #[serde(default)]
    pub practitioner_id: Option<Uuid>,
    /// Absent = keep the room; `null` = remove it.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub room_id: Option<Option<Uuid>>,
    #[serde(default)]
    pub overbook: bool,
    #[serde(default)]
    pub expected_version: Option<u64>,
}

mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
    pub fn serialize<S: Serializer, T: Serialize>(v: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }
}

/// Cancel an appointment.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub expected_version: Option<u64>,
}

/// Move an appointment through the status machine.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    pub status: StatusDto,
    #[serde(default)]
    pub expected_version: Option<u64>,
}

/// One entry of an appointment's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryDto {
    /// `rescheduled` or `status_changed`.
    pub kind: String,
    pub at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_status: Option<StatusDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_status: Option<StatusDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_start: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_start: Option<DateTime<Utc>>,
}

/// An appointment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppointmentView {
    pub id: Uuid,
    pub clinic_id: Uuid,
    pub patient_id: Uuid,
    pub practitioner_id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_id: Option<Uuid>,
    pub appointment_type_id: Uuid,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: StatusDto,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub overbooked: bool,
    /// Send back as `If-Match` to update.
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub history: Vec<HistoryDto>,
}

impl From<&Appointment> for AppointmentView {
    fn from(a: &Appointment) -> Self {
        AppointmentView {
            id: a.id().0,
            clinic_id: a.clinic_id().0,
            patient_id: a.patient_id().0,
            practitioner_id: a.practitioner_id().0,
            room_id: a.room_id().map(|r| r.0),
            appointment_type_id: a.appointment_type_id().0,
            start: a.slot().start(),
            end: a.slot().end(),
            status: a.status().into(),
            reason: a.reason().map(str::to_string),
            notes: a.notes().map(str::to_string),
            overbooked: a.overbooked(),
            version: a.version(),
            created_at: a.created_at(),
            updated_at: a.updated_at(),
            history: a
                .history()
                .iter()
                .map(|h| match h {
                    HistoryEntry::Rescheduled { at, from, to, .. } => HistoryDto {
                        kind: "rescheduled".into(),
                        at: *at,
                        from_status: None,
                        to_status: None,
                        from_start: Some(from.start()),
                        to_start: Some(to.start()),
                    },
                    HistoryEntry::StatusChanged { at, from, to, .. } => HistoryDto {
                        kind: "status_changed".into(),
                        at: *at,
                        from_status: Some((*from).into()),
                        to_status: Some((*to).into()),
                        from_start: None,
                        to_start: None,
                    },
                })
                .collect(),
        }
    }
}
