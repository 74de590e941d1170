//! The data-protection commands: `keys rotate`, `keys status` and `export --masked`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clinic_core::ports::{
    AppointmentFilter, AppointmentStore, BookingCommit, CatalogStore, CommitOutcome, PatientQuery, PatientStore, Store,
};
use clinic_core::ClinicError;
use clinic_protect::{Keyring, Masker};

use crate::cli::{ExportArgs, KeysCommand, RotateArgs, StorageArgs};
use crate::state::Backend;

type CmdResult<T> = Result<T, String>;

/// Pages of this many entities are read and written at a time by the export.
const PAGE: usize = 500;

async fn open(storage: &StorageArgs) -> CmdResult<(Backend, Arc<Keyring>)> {
    let ring = crate::protect_keys::load(storage)?;
    let backend =
        storage.choice().open_with(Some(ring.clone())).await.map_err(|e| format!("cannot open the store: {e}"))?;
    Ok((backend, ring))
}

pub async fn keys(storage: &StorageArgs, command: KeysCommand) -> CmdResult<ExitCode> {
    let (backend, ring) = open(storage).await?;
    match command {
        KeysCommand::Rotate(args) => rotate(&backend, &ring, &args).await,
        KeysCommand::Status => {
            let counts = by_key(&backend).await?;
            print_counts(&counts, ring.newest_kid());
            let left: u64 =
                counts.iter().filter(|(k, _)| k.as_deref() != Some(ring.newest_kid())).map(|(_, n)| n).sum();
            Ok(if left == 0 { ExitCode::SUCCESS } else { ExitCode::from(2) })
        }
    }
}

async fn by_key(backend: &Backend) -> CmdResult<Vec<(Option<String>, u64)>> {
    match backend {
        Backend::Sqlite(s) => s.patients_by_key().await,
        Backend::Mongo(m) => m.patients_by_key().await,
    }
    .map_err(|e| format!("cannot count patients by key: {e}"))
}

fn print_counts(counts: &[(Option<String>, u64)], newest: &str) {
    if counts.is_empty() {
        println!("no patients stored");
    }
    for (kid, n) in counts {
        match kid.as_deref() {
            Some(k) if k == newest => println!("key {k} (newest): {n} patients"),
            Some(k) => println!("key {k}: {n} patients (to rotate)"),
            None => println!("in clear (from before encryption): {n} patients (to rotate)"),
        }
    }
}

/// Re-seals every patient under the newest key in short batches (each its own write), pausing between them so
/// that servers on the same store keep serving. Safe to stop and run again: it resumes where the rows say.
async fn rotate(backend: &Backend, ring: &Keyring, args: &RotateArgs) -> CmdResult<ExitCode> {
    let batch = args.batch.max(1);
    let mut total = 0usize;
    loop {
        let n = match backend {
            Backend::Sqlite(s) => s.reseal_patients(batch).await,
            Backend::Mongo(m) => m.reseal_patients(batch).await,
        }
        .map_err(|e| format!("rotation stopped after {total} patients: {e}"))?;
        if n == 0 {
            break;
        }
        total += n;
        tracing::info!(resealed = total, newest = ring.newest_kid(), "key rotation progress");
        if args.pause_ms > 0 {
            tokio::time::sleep(Duration::from_millis(args.pause_ms)).await;
        }
    }
    let counts = by_key(backend).await?;
    print_counts(&counts, ring.newest_kid());
    let left: u64 = counts.iter().filter(|(k, _)| k.as_deref() != Some(ring.newest_kid())).map(|(_, n)| n).sum();
    if left > 0 {
        return Err(format!("{left} patients are still not under key {}", ring.newest_kid()));
    }
    println!(
        "rotation complete: {total} patients re-sealed; every patient is sealed under key {}; older keys can now be \
         removed from the key list",
        ring.newest_kid()
    );
    Ok(ExitCode::SUCCESS)
}

/// Copies the scheduling data into a new SQLite store file with every person's identifying values replaced by
/// consistent fakes (clinic-protect's `Masker`); ids and schedules are kept, so references hold. The copy is
/// not encrypted (it holds no real PII) and has no accounts or audit log: create users with `user add`.
pub async fn export(storage: &StorageArgs, args: ExportArgs) -> CmdResult<ExitCode> {
    if args.out.exists() {
        return Err(format!("{} exists; choose a new file", args.out.display()));
    }
    let (backend, ring) = open(storage).await?;
    let masker = Masker::from_keyring(&ring);
    let counts = export_masked(backend.store(), &masker, &args.out).await.map_err(|e| {
        let _ = std::fs::remove_file(&args.out);
        format!("export failed: {e}")
    })?;
    println!(
        "masked copy written to {}: {} clinics, {} practitioners, {} patients, {} appointments (PII replaced by fakes; \
         not for production)",
        args.out.display(),
        counts.0,
        counts.1,
        counts.2,
        counts.3
    );
    Ok(ExitCode::SUCCESS)
}

/// The masked copy; returns (clinics, practitioners, patients, appointments) copied.
pub async fn export_masked(
    from: Arc<dyn Store>,
    masker: &Masker,
    out: &Path,
) -> Result<(usize, usize, usize, usize), ClinicError> {
    let to = clinic_sqlite::SqliteStore::open(out)?;
    let (mut n_prac, mut n_pat, mut n_appt) = (0, 0, 0);
    let clinics = from.list_clinics().await?;
    for clinic in &clinics {
        to.put_clinic(clinic).await?;
        let id = clinic.id();
        for p in from.list_practitioners(id).await? {
            to.put_practitioner(&masker.practitioner(&p)?).await?;
            n_prac += 1;
        }
        for r in from.list_rooms(id).await? {
            to.put_room(&r).await?;
        }
        for t in from.list_appointment_types(id).await? {
            to.put_appointment_type(&t).await?;
        }
        for s in from.list_schedules(id).await? {
            to.put_schedule(&s).await?;
        }
        let mut after = None;
        loop {
            let q = PatientQuery { clinic_id: Some(id), after, limit: Some(PAGE), ..Default::default() };
            let page = from.find_patients(&q).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id());
            let masked = page.iter().map(|p| masker.patient(p)).collect::<Result<Vec<_>, _>>()?;
            to.insert_patients(&masked).await?;
            n_pat += masked.len();
        }
        let mut after = None;
        loop {
            let f = AppointmentFilter { clinic_id: Some(id), after, limit: Some(PAGE), ..Default::default() };
            let page = from.list_appointments(&f).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id());
            let commits = page
                .iter()
                .map(|a| {
                    Ok(BookingCommit {
                        guards: Vec::new(),
                        appointment: masker.appointment(a)?,
                        expected_version: None,
                    })
                })
                .collect::<Result<Vec<_>, ClinicError>>()?;
            if to.commit_bookings(&commits).await? != CommitOutcome::Committed {
                return Err(ClinicError::Store { message: "the copy refused appointments".into(), retryable: false });
            }
            n_appt += commits.len();
        }
    }
    Ok((clinics.len(), n_prac, n_pat, n_appt))
}
