//! The store half: [`Scheduler::import_patients`] (ImportRecords). Validation is the pure half's; this
//! adds the duplicate check against the store and the mode's write policy.

use serde::{Deserialize, Serialize};
use std::io::Read;

use super::patients::{ImportedPatient, PatientRows};
use super::{ImportMode, ImportOptions, Rejection};
use crate::error::{ClinicError, ErrorCode};
use crate::events::DomainEvent;
use crate::ids::{ClinicId, PatientId};
use crate::model::Patient;
use crate::ports::{PatientQuery, Store};
use crate::rbac::{authorize, Actor, Permission, Target};
use crate::usecases::Scheduler;
use crate::zone::local_date;

/// Partial mode writes in batches of this many rows: one store round trip per batch, and memory bounded
/// by the batch, not the file.
const PARTIAL_BATCH: usize = 500;

/// Where the rows come from.
pub enum ImportSource<'a> {
    /// A CSV stream (never held whole).
    Csv(Box<dyn Read + Send + 'a>),
    /// A whole file of any supported kind, told apart by content (CSV, XLS, XLSX).
    Bytes(&'a [u8]),
}

impl std::fmt::Debug for ImportSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportSource::Csv(_) => f.write_str("ImportSource::Csv(..)"),
            ImportSource::Bytes(b) => write!(f, "ImportSource::Bytes({} bytes)", b.len()),
        }
    }
}

/// What an import did; `Id` is the id of the records it stores (patients by default, appointments in
/// [`super::AppointmentImportReport`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport<Id = PatientId> {
    pub mode: ImportMode,
    /// Data rows read (blank rows are not counted).
    pub rows: usize,
    /// Rows that passed every check (in dry-run and atomic-with-rejections: that would have been stored).
    pub valid: usize,
    /// Rows stored.
    pub stored: usize,
    pub rejected_rows: usize,
    /// Whether anything was written (atomic: all rows; partial: at least the stored ones).
    pub committed: bool,
    /// Ids of the stored records, in file order.
    pub accepted_ids: Vec<Id>,
    /// Every problem of every rejected row, in file order.
    pub rejections: Vec<Rejection>,
}

// Not derived: a derived `Default` would demand `Id: Default`, which ids deliberately are not.
impl<Id> Default for ImportReport<Id> {
    fn default() -> Self {
        Self {
            mode: ImportMode::default(),
            rows: 0,
            valid: 0,
            stored: 0,
            rejected_rows: 0,
            committed: false,
            accepted_ids: Vec::new(),
            rejections: Vec::new(),
        }
    }
}

impl<Id> ImportReport<Id> {
    pub(super) fn reject(&mut self, r: Vec<Rejection>) {
        self.rejected_rows += 1;
        self.rejections.extend(r);
    }
}

fn duplicate_in_store(ip: &ImportedPatient, header: &str) -> Rejection {
    let m = ip.patient.mrn().unwrap_or_default();
    Rejection::new(ip.row, header, ErrorCode::DuplicateMrn, format!("MRN {m} is already registered in this clinic"), m)
}

impl<S: Store + ?Sized> Scheduler<S> {
    async fn mrn_registered(&self, clinic_id: ClinicId, p: &Patient) -> Result<bool, ClinicError> {
        let Some(mrn) = p.mrn() else { return Ok(false) };
        let q = PatientQuery {
            clinic_id: Some(clinic_id),
            mrn: Some(mrn.to_string()),
            limit: Some(1),
            ..Default::default()
        };
        Ok(!self.store().find_patients(&q).await?.is_empty())
    }

    /// Stores one partial-mode batch; when the batch insert is refused because another writer took an MRN
    /// since the check, falls back to row by row so only the clashing rows are rejected.
    async fn flush_partial(
        &self,
        batch: &mut Vec<ImportedPatient>,
        report: &mut ImportReport,
        mrn_header: &str,
    ) -> Result<(), ClinicError> {
        if batch.is_empty() {
            return Ok(());
        }
        let patients: Vec<Patient> = batch.iter().map(|ip| ip.patient.clone()).collect();
        match self.store().insert_patients(&patients).await {
            Ok(()) => {
                report.stored += batch.len();
                report.accepted_ids.extend(patients.iter().map(Patient::id));
            }
            Err(e) if e.code() == ErrorCode::DuplicateMrn => {
                for ip in batch.iter() {
                    match self.store().insert_patient(&ip.patient).await {
                        Ok(()) => {
                            report.stored += 1;
                            report.accepted_ids.push(ip.patient.id());
                        }
                        Err(e) if e.code() == ErrorCode::DuplicateMrn => {
                            report.valid -= 1;
                            report.reject(vec![duplicate_in_store(ip, mrn_header)]);
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            Err(e) => return Err(e),
        }
        report.committed |= report.stored > 0;
        batch.clear();
        Ok(())
    }

    /// ImportRecords for patients. Dry run stores nothing; atomic stores every row or none (one rejected row,
    /// or a store failure, leaves the store unchanged); partial stores the valid rows. MRNs already in the
    /// clinic, or repeated in the file, are rejected (`DUPLICATE_MRN`), never doubled.
    ///
    /// File-level problems (not a CSV/XLS/XLSX, no header, missing columns, too large, no data rows) are
    /// errors with an `IMPORT_*` code; row problems are in the report. In partial mode a store failure
    /// returns the error, and batches stored before it stay stored.
    pub async fn import_patients(
        &self,
        actor: &Actor,
        clinic_id: ClinicId,
        source: ImportSource<'_>,
        options: &ImportOptions,
    ) -> Result<ImportReport, ClinicError> {
        authorize(actor, Permission::ImportRecords, &Target::clinic(clinic_id))?;
        let clinic = self.clinic(clinic_id).await?;
        let mut opts = options.clone();
        opts.today.get_or_insert_with(|| local_date(clinic.time_zone(), self.now()));
        let rows = match source {
            ImportSource::Csv(r) => PatientRows::from_csv(r, clinic_id, &opts)?,
            ImportSource::Bytes(b) => PatientRows::from_bytes(b, clinic_id, &opts)?,
        };
        let mrn_header = rows.mrn_header().to_string();
        let mut report = ImportReport { mode: opts.mode, ..Default::default() };
        let mut pending: Vec<ImportedPatient> = Vec::new();
        for item in rows {
            report.rows += 1;
            let ip = match item {
                Ok(ip) => ip,
                Err(r) => {
                    report.reject(r);
                    continue;
                }
            };
            if self.mrn_registered(clinic_id, &ip.patient).await? {
                report.reject(vec![duplicate_in_store(&ip, &mrn_header)]);
                continue;
            }
            report.valid += 1;
            match opts.mode {
                ImportMode::DryRun => {}
                // Once a row is rejected nothing will be stored: stop holding rows.
                ImportMode::Atomic if report.rejected_rows > 0 => pending.clear(),
                ImportMode::Atomic => pending.push(ip),
                ImportMode::Partial => {
                    pending.push(ip);
                    if pending.len() >= PARTIAL_BATCH {
                        self.flush_partial(&mut pending, &mut report, &mrn_header).await?;
                    }
                }
            }
        }
        if report.rows == 0 {
            return Err(ClinicError::rule(ErrorCode::ImportNoRows, "the file has a header row but no data rows"));
        }
        match opts.mode {
            ImportMode::DryRun => {}
            ImportMode::Partial => self.flush_partial(&mut pending, &mut report, &mrn_header).await?,
            ImportMode::Atomic if report.rejected_rows > 0 => {}
            ImportMode::Atomic => {
                let patients: Vec<Patient> = pending.iter().map(|ip| ip.patient.clone()).collect();
                match self.store().insert_patients(&patients).await {
                    Ok(()) => {
                        report.stored = patients.len();
                        report.accepted_ids = patients.iter().map(Patient::id).collect();
                        report.committed = true;
                    }
                    // Another writer registered one of the MRNs since the check: the batch was refused whole.
                    Err(e) if e.code() == ErrorCode::DuplicateMrn => {
                        for ip in &pending {
                            if self.mrn_registered(clinic_id, &ip.patient).await? {
                                report.valid -= 1;
                                report.reject(vec![duplicate_in_store(ip, &mrn_header)]);
                            }
                        }
                        if report.rejected_rows == 0 {
                            return Err(e);
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
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
}
