//! The store half of appointment import: [`Scheduler::import_appointments`]. Every row goes through the
//! engine's booking rules ([`Calendar::evaluate`]) against the store *and* the rows accepted before it, so a
//! file can double-book neither the clinic nor itself. Atomic mode commits the whole file with
//! [`AppointmentStore::commit_bookings`](crate::ports::AppointmentStore::commit_bookings) under the guards
//! its snapshot read — the same optimistic concurrency as a single booking, widened to the batch.
//!
//! Appointment files are read whole before the first booking (rows refer to each other through shared
//! slots): memory is O(rows), which for a clinic's appointment list is small.

use chrono::{Duration, LocalResult, TimeZone, Utc};
use std::collections::HashMap;

use super::appointments::{AppointmentRow, AppointmentRows, StartSpec};
use super::commit::{ImportReport, ImportSource};
use super::{ImportMode, ImportOptions, Rejection};
use crate::engine::{BookingRequest, Calendar};
use crate::error::{ClinicError, ErrorCode};
use crate::events::DomainEvent;
use crate::ids::{AppointmentId, ClinicId};
use crate::model::{Appointment, AppointmentStatus, NewAppointment};
use crate::ports::{BookingCommit, CommitOutcome, Guard, GuardKey, PatientQuery, Store};
use crate::rbac::{authorize, Actor, Permission, Target};
use crate::time_slot::TimeSlot;
use crate::usecases::{guard_keys, CreateAppointment, Scheduler, DEFAULT_MAX_RETRIES};

/// What an appointment import did (see [`super::ImportReport`] for the fields' meaning).
pub type AppointmentImportReport = ImportReport<AppointmentId>;

/// A row with its names resolved: a booking request.
struct Resolved {
    row: u64,
    req: BookingRequest,
    reason: Option<String>,
    start_column: String,
}

fn by_id_or_name<'a, T>(
    items: &'a [T],
    key: &str,
    id: impl Fn(&T) -> String,
    name: impl Fn(&T) -> &str,
) -> Option<&'a T> {
    let k = key.trim();
    items.iter().find(|t| id(t).eq_ignore_ascii_case(k)).or_else(|| {
        let mut hits = items.iter().filter(|t| name(t).trim().eq_ignore_ascii_case(k));
        match (hits.next(), hits.next()) {
            (Some(one), None) => Some(one),
            _ => None, // unknown, or a name two resources share: refuse rather than guess
        }
    })
}

impl<S: Store + ?Sized> Scheduler<S> {
    async fn resolve_row(
        &self,
        cal: &Calendar,
        clinic_id: ClinicId,
        r: AppointmentRow,
    ) -> Result<Resolved, Vec<Rejection>> {
        let mut rej = Vec::new();
        let unknown = |col: &str, what: &str, v: &str| {
            Rejection::new(
                r.row,
                col,
                ErrorCode::ImportUnknownValue,
                format!("no single {what} {v:?} in this clinic"),
                v,
            )
        };
        let q =
            PatientQuery { clinic_id: Some(clinic_id), mrn: Some(r.mrn.clone()), limit: Some(1), ..Default::default() };
        let patient = match self.store().find_patients(&q).await {
            Ok(mut v) => v.pop(),
            Err(e) => return Err(vec![Rejection::new(r.row, "", e.code(), e.to_string(), "")]),
        };
        if patient.is_none() {
            rej.push(Rejection::new(
                r.row,
                &r.columns.mrn,
                ErrorCode::NotFound,
                format!("no patient with MRN {}", r.mrn),
                &r.mrn,
            ));
        }
        let practitioners: Vec<_> =
            cal.practitioner_ids().into_iter().filter_map(|p| cal.practitioner(p).cloned()).collect();
        let practitioner = by_id_or_name(&practitioners, &r.practitioner, |p| p.id().to_string(), |p| p.name());
        if practitioner.is_none() {
            rej.push(unknown(&r.columns.practitioner, "practitioner", &r.practitioner));
        }
        let types = self.store().list_appointment_types(clinic_id).await.unwrap_or_default();
        let ty = by_id_or_name(&types, &r.appointment_type, |t| t.id().to_string(), |t| t.name());
        if ty.is_none() {
            rej.push(unknown(&r.columns.appointment_type, "appointment type", &r.appointment_type));
        }
        let rooms = self.store().list_rooms(clinic_id).await.unwrap_or_default();
        let room = match &r.room {
            None => None,
            Some(name) => match by_id_or_name(&rooms, name, |x| x.id().to_string(), |x| x.name()) {
                Some(room) => Some(room.id()),
                None => {
                    rej.push(unknown(&r.columns.room, "room", name));
                    None
                }
            },
        };
        let start = match r.start {
            StartSpec::Fixed(t) => Some(t.with_timezone(&Utc)),
            StartSpec::Local(local) => match cal.clinic().time_zone().from_local_datetime(&local) {
                LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
                // The earlier instant, as schedules resolve a repeated wall time.
                LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
                LocalResult::None => {
                    rej.push(Rejection::new(
                        r.row,
                        &r.columns.start,
                        ErrorCode::InvalidDate,
                        format!("{local} does not exist in {} (a daylight-saving gap)", cal.clinic().time_zone()),
                        local.to_string(),
                    ));
                    None
                }
            },
        };
        match (patient, practitioner, ty, start) {
            (Some(p), Some(pr), Some(t), Some(start)) if rej.is_empty() => Ok(Resolved {
                row: r.row,
                req: BookingRequest {
                    patient_id: p.id(),
                    practitioner_id: pr.id(),
                    room_id: room,
                    appointment_type_id: t.id(),
                    start,
                    overbook: false,
                    reschedule_of: None,
                },
                reason: r.reason,
                start_column: r.columns.start,
            }),
            _ => Err(rej),
        }
    }

    /// ImportRecords for appointments, in the three modes of [`Scheduler::import_patients`]. Each row is a
    /// booking like any other: every rule, checked against the store and the file's earlier rows.
    pub async fn import_appointments(
        &self,
        actor: &Actor,
        clinic_id: ClinicId,
        source: ImportSource<'_>,
        options: &ImportOptions,
    ) -> Result<AppointmentImportReport, ClinicError> {
        authorize(actor, Permission::ImportRecords, &Target::clinic(clinic_id))?;
        let mut report = AppointmentImportReport { mode: options.mode, ..Default::default() };
        let rows = match source {
            ImportSource::Csv(r) => AppointmentRows::from_csv(r, options)?,
            ImportSource::Bytes(b) => AppointmentRows::from_bytes(b, options)?,
        };
        let catalog = self.calendar(clinic_id, Some(&[]), Utc::now(), Utc::now() + Duration::minutes(1)).await?;
        let mut resolved = Vec::new();
        for item in rows {
            report.rows += 1;
            let res = match item {
                Ok(row) => self.resolve_row(&catalog, clinic_id, row).await,
                Err(r) => Err(r),
            };
            match res {
                Ok(r) => resolved.push(r),
                Err(r) => {
                    report.reject(r);
                }
            }
        }
        if report.rows == 0 {
            return Err(ClinicError::rule(ErrorCode::ImportNoRows, "the file has a header row but no data rows"));
        }
        if options.mode == ImportMode::Partial {
            for r in resolved {
                let cmd =
                    CreateAppointment { clinic_id, request: r.req, proposed: false, reason: r.reason, notes: None };
                match self.create_appointment(actor, cmd).await {
                    Ok(a) => {
                        report.valid += 1;
                        report.stored += 1;
                        report.accepted_ids.push(a.id());
                    }
                    Err(ClinicError::Store { message, retryable }) => {
                        return Err(ClinicError::Store { message, retryable })
                    }
                    Err(e) => {
                        report.reject(rejections_of(r.row, &r.start_column, &e));
                    }
                }
            }
            report.committed = report.stored > 0;
        } else {
            self.check_and_commit_all(actor, clinic_id, &resolved, &mut report).await?;
        }
        report.rejections.sort_by_key(|r| r.row);
        if report.committed {
            self.events
                .publish(DomainEvent::ImportCompleted {
                    clinic_id,
                    accepted: report.stored,
                    rejected: report.rejected_rows,
                    actor: actor.user_id,
                })
                .await;
        }
        Ok(report)
    }

    /// Dry run and atomic mode: one snapshot (guards read first, then the calendar), every row checked in
    /// file order with the accepted ones added to the calendar, then — atomic, nothing rejected — one
    /// all-or-nothing commit under the snapshot's guards; a stale snapshot is re-read and re-checked.
    async fn check_and_commit_all(
        &self,
        actor: &Actor,
        clinic_id: ClinicId,
        resolved: &[Resolved],
        report: &mut AppointmentImportReport,
    ) -> Result<(), ClinicError> {
        if resolved.is_empty() {
            return Ok(());
        }
        let rejected_before = (report.rejected_rows, report.rejections.len());
        let (Some(from), Some(to)) =
            (resolved.iter().map(|r| r.req.start).min(), resolved.iter().map(|r| r.req.start).max())
        else {
            return Ok(());
        };
        for _ in 0..=DEFAULT_MAX_RETRIES {
            (report.rejected_rows, report.valid) = (rejected_before.0, 0);
            report.rejections.truncate(rejected_before.1);
            let mut keys_of: Vec<Vec<GuardKey>> = Vec::with_capacity(resolved.len());
            for r in resolved {
                let ty = self
                    .store()
                    .get_appointment_type(r.req.appointment_type_id)
                    .await?
                    .ok_or_else(|| ClinicError::not_found("appointment type", r.req.appointment_type_id))?;
                keys_of.push(guard_keys(&r.req, &ty));
            }
            let mut all: Vec<GuardKey> = keys_of.iter().flatten().copied().collect();
            all.sort();
            all.dedup();
            let versions: HashMap<GuardKey, u64> =
                all.iter().copied().zip(self.store().guard_versions(&all).await?).collect();
            let mut cal = self.calendar(clinic_id, None, from - Duration::days(2), to + Duration::days(2)).await?;
            let now = self.now();
            let mut commits = Vec::new();
            for (r, keys) in resolved.iter().zip(&keys_of) {
                let (violations, _) = cal.evaluate(&r.req, now, false);
                if !violations.is_empty() {
                    report.rejected_rows += 1;
                    for v in violations {
                        report.rejections.push(Rejection::new(
                            r.row,
                            &r.start_column,
                            v.code,
                            v.message,
                            r.req.start.to_rfc3339(),
                        ));
                    }
                    continue;
                }
                let ty = cal
                    .appointment_type(r.req.appointment_type_id)
                    .ok_or_else(|| ClinicError::not_found("appointment type", r.req.appointment_type_id))?;
                let spec = NewAppointment {
                    clinic_id,
                    patient_id: r.req.patient_id,
                    practitioner_id: r.req.practitioner_id,
                    room_id: r.req.room_id,
                    appointment_type_id: r.req.appointment_type_id,
                    slot: TimeSlot::starting_at(r.req.start, i64::from(ty.duration_minutes()))?,
                    reason: r.reason.clone(),
                    notes: None,
                };
                let appt = Appointment::new(AppointmentId::new(), spec, ty, AppointmentStatus::Booked, false, now)?;
                // Later rows of the file are checked against this one: a file cannot double-book itself.
                cal.upsert_appointment(&appt)?;
                report.valid += 1;
                let guards =
                    keys.iter().map(|k| Guard { key: *k, version: versions.get(k).copied().unwrap_or(0) }).collect();
                commits.push(BookingCommit { guards, appointment: appt, expected_version: None });
            }
            if report.mode != ImportMode::Atomic || report.rejected_rows > 0 {
                return Ok(());
            }
            if self.store().commit_bookings(&commits).await? == CommitOutcome::Committed {
                report.stored = commits.len();
                report.committed = true;
                report.accepted_ids = commits.iter().map(|c| c.appointment.id()).collect();
                for c in commits {
                    self.events
                        .publish(DomainEvent::AppointmentBooked {
                            appointment: c.appointment,
                            actor: actor.user_id,
                            overbooked: false,
                        })
                        .await;
                }
                return Ok(());
            }
        }
        Err(ClinicError::rule(
            ErrorCode::ConcurrentModification,
            "the schedule kept changing while importing; nothing was booked, try again",
        ))
    }
}

/// A refused booking as rejections: one per violated rule.
fn rejections_of(row: u64, column: &str, e: &ClinicError) -> Vec<Rejection> {
    match e {
        ClinicError::Booking(b) => {
            b.violations.iter().map(|v| Rejection::new(row, column, v.code, v.message.clone(), "")).collect()
        }
        other => vec![Rejection::new(row, "", other.code(), other.to_string(), "")],
    }
}
