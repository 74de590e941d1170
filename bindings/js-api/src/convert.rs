//! DTOs → core values and back. Every rule stays in the core: this module only moves fields, and runs the
//! core's constructors so that an invalid input fails with the core's codes, located in the caller's input.

use chrono::DateTime;
use clinic_core::engine::{Alternatives, SlotOffer, Verdict};
use clinic_core::import::appointments::{AppointmentRow, StartSpec};
use clinic_core::import::{DateOrder, ImportOptions, ImportedPatient, Rejection};
use clinic_core::model::schedule::DEFAULT_GRANULARITY_MINUTES;
use clinic_core::vectors::{build_calendar, ExistingAppointment};
use clinic_core::{
    Address, AppointmentStatus, AppointmentType, AppointmentTypeId, AppointmentTypeInput, BookingRequest, Calendar,
    Clinic, ClinicError, ClinicId, ClinicInput, ContactInfo, PatientId, Practitioner, PractitionerId, RecurringHours,
    ResourceRef, Room, RoomId, Schedule, ScheduleId, ScheduleInput, SlotQuery, ValidationErrors,
};

use crate::dto::*;
use crate::error::JsApiError;
use crate::values::{Date, Id, Instant};

fn contact(c: Option<&ContactDto>) -> Result<ContactInfo, ClinicError> {
    match c {
        None => Ok(ContactInfo::default()),
        Some(c) => ContactInfo::new(c.phone.as_deref(), c.email.as_deref(), None),
    }
}

fn address(a: &AddressDto) -> Result<Address, ClinicError> {
    Address::new(&a.line1, a.line2.as_deref(), &a.city, a.region.as_deref(), &a.postal_code, &a.country)
}

/// The clinic an entity names, defaulting to the calendar's own.
fn owner(clinic_id: Option<Id>, clinic: ClinicId) -> ClinicId {
    clinic_id.map(|c| ClinicId(c.0)).unwrap_or(clinic)
}

fn clinic(c: &ClinicDto, errs: &mut ValidationErrors) -> Option<Clinic> {
    let contact = errs.collect("clinic.contact", contact(c.contact.as_ref()));
    let address = match &c.address {
        None => Some(None),
        Some(a) => errs.collect("clinic.address", address(a)).map(Some),
    };
    let input = ClinicInput {
        name: c.name.clone(),
        time_zone: c.time_zone.clone(),
        address: address.clone().flatten(),
        contact: contact.clone().unwrap_or_default(),
        closures: c.closures.clone(),
    };
    let clinic = errs.collect("clinic", Clinic::new(ClinicId(c.id.0), input));
    clinic.filter(|_| contact.is_some() && address.is_some())
}

fn practitioner(p: &PractitionerDto, cid: ClinicId) -> Result<Practitioner, ClinicError> {
    let contact = contact(p.contact.as_ref()).map_err(|e| prefixed("contact", e))?;
    Ok(Practitioner::new(PractitionerId(p.id.0), owner(p.clinic_id, cid), &p.name, contact)?.with_active(p.active))
}

fn room(r: &RoomDto, cid: ClinicId) -> Result<Room, ClinicError> {
    Ok(Room::new(RoomId(r.id.0), owner(r.clinic_id, cid), &r.name)?.with_active(r.active))
}

fn appointment_type(t: &AppointmentTypeDto, cid: ClinicId) -> Result<AppointmentType, ClinicError> {
    let defaults = AppointmentTypeInput::default();
    let input = AppointmentTypeInput {
        name: t.name.clone(),
        duration_minutes: t.duration_minutes,
        buffer_before_minutes: t.buffer_before_minutes,
        buffer_after_minutes: t.buffer_after_minutes,
        capacity: t.capacity.unwrap_or(defaults.capacity),
        min_notice_minutes: t.min_notice_minutes,
        max_horizon_days: t.max_horizon_days.unwrap_or(defaults.max_horizon_days),
        practitioner_ids: t.practitioner_ids.iter().map(|p| PractitionerId(p.0)).collect(),
        active: t.active,
    };
    AppointmentType::new(AppointmentTypeId(t.id.0), owner(t.clinic_id, cid), input)
}

fn schedule(s: &ScheduleDto, cid: ClinicId) -> Result<Schedule, ClinicError> {
    let resource = match s.resource.kind {
        ResourceKind::Practitioner => ResourceRef::Practitioner(PractitionerId(s.resource.id.0)),
        ResourceKind::Room => ResourceRef::Room(RoomId(s.resource.id.0)),
    };
    let input = ScheduleInput {
        resource,
        weekly_hours: s.weekly_hours.clone(),
        recurrences: s
            .recurrences
            .iter()
            .map(|r| RecurringHours { rrule: r.rrule.clone(), start: r.start.0, duration_minutes: r.duration_minutes })
            .collect(),
        breaks: s.breaks.clone(),
        exceptions: s.exceptions.clone(),
        valid_from: s.valid_from.0,
        valid_until: s.valid_until.map(|d| d.0),
        granularity_minutes: s.granularity_minutes.unwrap_or(DEFAULT_GRANULARITY_MINUTES),
    };
    Schedule::new(ScheduleId(s.id.0), owner(s.clinic_id, cid), input)
}

/// Puts a core error's field paths under `prefix` (`"contact"` + `"phone"`).
fn prefixed(prefix: &str, e: ClinicError) -> ClinicError {
    let mut errs = ValidationErrors::new();
    errs.collect::<()>(prefix, Err(e));
    ClinicError::Validation(errs)
}

pub(crate) fn existing(a: &AppointmentDto) -> ExistingAppointment {
    ExistingAppointment {
        id: clinic_core::AppointmentId(a.id.0),
        patient_id: PatientId(a.patient_id.0),
        practitioner_id: PractitionerId(a.practitioner_id.0),
        room_id: a.room_id.map(|r| RoomId(r.0)),
        appointment_type_id: AppointmentTypeId(a.appointment_type_id.0),
        start: a.start.0,
        status: a.status.unwrap_or(AppointmentStatus::Booked),
    }
}

/// Keeps the valid values, recording each error under `name[i]`.
fn collect_all<T>(errs: &mut ValidationErrors, name: &str, results: Vec<Result<T, ClinicError>>) -> Vec<T> {
    results.into_iter().enumerate().filter_map(|(i, r)| errs.collect(&format!("{name}[{i}]"), r)).collect()
}

/// Validates every entity (collecting every problem, each under its place in the input, e.g.
/// `schedules[1].weeklyHours[0]`) and builds the engine's calendar.
pub fn calendar(input: &CalendarInput) -> Result<Calendar, JsApiError> {
    let mut errs = ValidationErrors::new();
    let clinic = clinic(&input.clinic, &mut errs);
    let cid = ClinicId(input.clinic.id.0);
    let practitioners =
        collect_all(&mut errs, "practitioners", input.practitioners.iter().map(|p| practitioner(p, cid)).collect());
    let rooms = collect_all(&mut errs, "rooms", input.rooms.iter().map(|r| room(r, cid)).collect());
    let types = collect_all(
        &mut errs,
        "appointment_types",
        input.appointment_types.iter().map(|t| appointment_type(t, cid)).collect(),
    );
    let schedules = collect_all(&mut errs, "schedules", input.schedules.iter().map(|s| schedule(s, cid)).collect());
    let clinic = match (clinic, errs.is_empty()) {
        (Some(c), true) => c,
        _ => return Err(JsApiError::from_core("calendar", ClinicError::Validation(errs))),
    };
    let appointments: Vec<ExistingAppointment> = input.appointments.iter().map(existing).collect();
    build_calendar(clinic, practitioners, rooms, types, schedules, &appointments, DateTime::UNIX_EPOCH)
        .map_err(|e| JsApiError::from_core("calendar", e))
}

pub fn booking_request(r: &BookingRequestDto) -> BookingRequest {
    BookingRequest {
        patient_id: PatientId(r.patient_id.0),
        practitioner_id: PractitionerId(r.practitioner_id.0),
        room_id: r.room_id.map(|x| RoomId(x.0)),
        appointment_type_id: AppointmentTypeId(r.appointment_type_id.0),
        start: r.start.0,
        overbook: r.overbook,
        reschedule_of: r.reschedule_of.map(|x| clinic_core::AppointmentId(x.0)),
    }
}

pub fn slot_query(q: &SlotQueryDto) -> SlotQuery {
    SlotQuery {
        appointment_type_id: AppointmentTypeId(q.appointment_type_id.0),
        practitioner_ids: q.practitioner_ids.iter().map(|p| PractitionerId(p.0)).collect(),
        from: q.from.0,
        to: q.to.0,
        patient_id: q.patient_id.map(|p| PatientId(p.0)),
        room_id: q.room_id.map(|r| RoomId(r.0)),
        exclude: q.exclude.map(|a| clinic_core::AppointmentId(a.0)),
        limit: q.limit.map(|l| l as usize),
    }
}

pub fn slot_offer(o: &SlotOffer) -> SlotOfferDto {
    SlotOfferDto { start: Instant(o.start), end: Instant(o.end), practitioner_id: Id(o.practitioner_id.0) }
}

fn alternatives(a: &Alternatives) -> AlternativesDto {
    AlternativesDto {
        same_practitioner: a.same_practitioner.iter().map(slot_offer).collect(),
        other_practitioners: a.other_practitioners.iter().map(slot_offer).collect(),
    }
}

pub fn verdict(v: &Verdict) -> VerdictDto {
    VerdictDto {
        accepted: v.accepted,
        codes: v.violations.iter().map(|x| x.code.as_str().to_string()).collect(),
        violations: v
            .violations
            .iter()
            .map(|x| ViolationDto {
                code: x.code.as_str().to_string(),
                message: x.message.clone(),
                conflicting: x.conflicting.iter().map(|a| Id(a.0)).collect(),
            })
            .collect(),
        overbooked: v.overbooked,
        alternatives: alternatives(&v.alternatives),
    }
}

pub fn import_options(o: &ImportOptionsDto) -> ImportOptions {
    let defaults = ImportOptions::default();
    ImportOptions {
        date_order: match o.date_order {
            DateOrderDto::DayFirst => DateOrder::DayFirst,
            DateOrderDto::MonthFirst => DateOrder::MonthFirst,
        },
        default_region: o.default_region.clone(),
        max_cell_chars: o.max_cell_chars.map(|n| n as usize).unwrap_or(defaults.max_cell_chars),
        today: o.today.map(|d| d.0),
        ..defaults
    }
}

fn contact_out(c: &ContactInfo) -> ContactOutDto {
    ContactOutDto { phone: c.phone().map(str::to_string), email: c.email().map(str::to_string) }
}

fn address_out(a: &Address) -> AddressDto {
    AddressDto {
        line1: a.line1.clone(),
        line2: a.line2.clone(),
        city: a.city.clone(),
        region: a.region.clone(),
        postal_code: a.postal_code.clone(),
        country: a.country.clone(),
    }
}

pub fn accepted_row(r: &ImportedPatient) -> AcceptedRowDto {
    let p = &r.patient;
    AcceptedRowDto {
        row: r.row,
        patient: PatientDto {
            id: Id(p.id().0),
            clinic_id: Id(p.clinic_id().0),
            mrn: p.mrn().map(str::to_string),
            given_name: p.given_name().to_string(),
            family_name: p.family_name().to_string(),
            date_of_birth: p.date_of_birth().map(Date),
            sex: p.sex(),
            contact: contact_out(p.contact()),
            address: p.address().map(address_out),
            identifiers: p
                .identifiers()
                .iter()
                .map(|i| IdentifierDto { system: i.system.clone(), value: i.value.clone() })
                .collect(),
        },
    }
}

pub fn rejection(r: &Rejection) -> RejectionDto {
    RejectionDto {
        row: r.row,
        column: r.column.clone(),
        code: r.code.as_str().to_string(),
        message: r.message.clone(),
        value: r.value.clone(),
    }
}

pub fn appointment_row(r: &AppointmentRow) -> AppointmentRowDto {
    let (start, start_is_local) = match r.start {
        StartSpec::Local(t) => (t.format("%Y-%m-%dT%H:%M:%S").to_string(), true),
        StartSpec::Fixed(t) => {
            (t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Secs, true), false)
        }
    };
    AppointmentRowDto {
        row: r.row,
        mrn: r.mrn.clone(),
        practitioner: r.practitioner.clone(),
        appointment_type: r.appointment_type.clone(),
        start,
        start_is_local,
        room: r.room.clone(),
        reason: r.reason.clone(),
    }
}
