//! What each CLI command does.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clinic_core::import::{write_rejections_csv, DateOrder, ImportMode, ImportOptions, ImportSource};
use clinic_core::rbac::Actor;
use clinic_core::ClinicId;

use crate::cli::{
    AuditCommand, BackupArgs, Command, ImportArgs, ImportKind, ImportModeArg, ServeArgs, StorageArgs, UserCommand,
};
use crate::http::{app_with, HttpConfig};
use crate::state::{AppState, Backend};

/// Errors of a command, printed to stderr.
pub type CmdResult<T> = Result<T, String>;

/// Opens the store and the server's ports and builds the shared state.
pub async fn build_state(storage: &StorageArgs) -> CmdResult<AppState> {
    let backend = storage.choice().open().await.map_err(|e| format!("cannot open the store: {e}"))?;
    state_for(backend, storage).await
}

/// The state over an opened backend.
pub async fn state_for(backend: Backend, _storage: &StorageArgs) -> CmdResult<AppState> {
    let ops = crate::ops::Ops::new(None);
    Ok(AppState {
        scheduler: ops.scheduler(backend.store()),
        ops,
        backend,
        auth: Arc::new(crate::auth::NoAuth),
        idempotency: Arc::new(crate::auth::MemoryIdempotency::default()),
        imports: Arc::default(),
    })
}

pub async fn run(storage: &StorageArgs, command: Command) -> CmdResult<ExitCode> {
    match command {
        Command::Serve(args) => serve(storage, args).await,
        Command::SeedDemo => {
            let st = build_state(storage).await?;
            seed_demo(&st).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(args) => import(storage, args).await,
        Command::User(UserCommand::Add(_args)) => Err("user accounts arrive with clinic-server-infra".into()),
        Command::Audit(AuditCommand::Verify) => Err("the audit log arrives with clinic-server-infra".into()),
        Command::Backup(args) => backup(storage, args).await,
    }
}

/// Seeds the demo clinic (and users) and prints what was made.
pub async fn seed_demo(st: &AppState) -> CmdResult<()> {
    let ids = crate::seed::seed_clinic(&st.scheduler, 30).await.map_err(|e| format!("seeding failed: {e}"))?;
    println!(
        "demo clinic {} seeded: {} practitioners, {} rooms, {} patients, {} appointments",
        ids.clinic,
        ids.practitioners.len(),
        ids.rooms.len(),
        ids.patients.len(),
        ids.appointments
    );
    Ok(())
}

fn default_web_dir() -> Option<PathBuf> {
    let d = PathBuf::from("frontend/dist");
    d.join("index.html").is_file().then_some(d)
}

async fn serve(storage: &StorageArgs, args: ServeArgs) -> CmdResult<ExitCode> {
    let st = build_state(storage).await?;
    if args.demo {
        let empty = st.scheduler.store().list_clinics().await.map_err(|e| e.to_string())?.is_empty();
        if empty {
            seed_demo(&st).await?;
        }
    }
    let cfg = HttpConfig {
        body_limit: args.body_limit,
        cors_origins: args.cors_origin.clone(),
        web_dir: args.web_dir.clone().or_else(default_web_dir),
    };
    let reminders = crate::notifications::start_for(&st, &args.notify)?;
    let router = app_with(st.clone(), &cfg);
    let grace = Duration::from_secs(args.shutdown_grace);
    match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            tracing::info!(listen = %args.listen, store = st.backend.name(), tls = true, "serving");
            println!("clinic-server listening on https://{}", args.listen);
            crate::serve::serve_tls(args.listen, router, cert, key, grace, crate::serve::shutdown_signal())
                .await
                .map_err(|e| format!("server failed: {e}"))?;
        }
        _ => {
            let listener = tokio::net::TcpListener::bind(args.listen)
                .await
                .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            tracing::info!(listen = %addr, store = st.backend.name(), tls = false, "serving");
            println!("clinic-server listening on http://{addr}");
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            let server = tokio::spawn(crate::serve::serve_http(listener, router, async move {
                let _ = rx.await;
            }));
            crate::serve::shutdown_signal().await;
            let _ = tx.send(());
            match tokio::time::timeout(grace, server).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => return Err(format!("server failed: {e}")),
                Ok(Err(e)) => return Err(format!("server task failed: {e}")),
                Err(_) => tracing::warn!("in-flight requests still running after the grace period; exiting"),
            }
        }
    }
    // A pass in flight finishes, so a claimed reminder is not lost to the exit.
    if let Some(r) = reminders {
        r.stop().await;
    }
    Ok(ExitCode::SUCCESS)
}

async fn only_clinic(st: &AppState, given: Option<uuid::Uuid>) -> CmdResult<ClinicId> {
    if let Some(c) = given {
        return Ok(ClinicId(c));
    }
    let clinics = st.scheduler.store().list_clinics().await.map_err(|e| e.to_string())?;
    match clinics.as_slice() {
        [one] => Ok(one.id()),
        [] => Err("the store has no clinic (run seed-demo or create one through the API)".into()),
        _ => Err("the store has several clinics: pass --clinic".into()),
    }
}

async fn import(storage: &StorageArgs, args: ImportArgs) -> CmdResult<ExitCode> {
    let st = build_state(storage).await?;
    let clinic = only_clinic(&st, args.clinic).await?;
    let bytes = std::fs::read(&args.file).map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let opts = ImportOptions {
        mode: match args.mode {
            ImportModeArg::DryRun => ImportMode::DryRun,
            ImportModeArg::Atomic => ImportMode::Atomic,
            ImportModeArg::Partial => ImportMode::Partial,
        },
        date_order: if args.month_first { DateOrder::MonthFirst } else { DateOrder::DayFirst },
        default_region: args.region.clone(),
        ..Default::default()
    };
    let actor = Actor::system().with_clinic(clinic);
    let (rows, stored, rejected, rejections) = match args.kind {
        ImportKind::Patients => {
            let r = st
                .scheduler
                .import_patients(&actor, clinic, ImportSource::Bytes(&bytes), &opts)
                .await
                .map_err(|e| format!("{}: {e}", e.code()))?;
            (r.rows, r.stored, r.rejected_rows, r.rejections)
        }
        ImportKind::Appointments => {
            let r = st
                .scheduler
                .import_appointments(&actor, clinic, ImportSource::Bytes(&bytes), &opts)
                .await
                .map_err(|e| format!("{}: {e}", e.code()))?;
            (r.rows, r.stored, r.rejected_rows, r.rejections)
        }
    };
    println!("rows {rows}, stored {stored}, rejected rows {rejected}");
    if let Some(path) = args.rejections {
        let f = std::fs::File::create(&path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        write_rejections_csv(f, &rejections).map_err(|e| e.to_string())?;
        println!("rejections written to {}", path.display());
    }
    Ok(if rejected == 0 { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

async fn backup(storage: &StorageArgs, args: BackupArgs) -> CmdResult<ExitCode> {
    let st = build_state(storage).await?;
    match &st.backend {
        Backend::Sqlite(s) => {
            if args.dest.exists() {
                return Err(format!("{} exists; choose a new file", args.dest.display()));
            }
            s.backup_to(&args.dest).await.map_err(|e| format!("backup failed: {e}"))?;
            println!("backup written to {}", args.dest.display());
            Ok(ExitCode::SUCCESS)
        }
        Backend::Mongo(_) => Err("backup copies the embedded store; for MongoDB use mongodump".into()),
    }
}

/// Reads one line (the password) from standard input, without the line ending.
pub fn read_password_line() -> CmdResult<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("cannot read the password: {e}"))?;
    let pw = line.trim_end_matches(['\n', '\r']).to_string();
    if pw.is_empty() {
        return Err("empty password on standard input".into());
    }
    Ok(pw)
}
