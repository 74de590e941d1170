//! What each CLI command does.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clinic_core::import::{write_rejections_csv, DateOrder, ImportMode, ImportOptions, ImportSource};
use clinic_core::rbac::{Actor, Role};
use clinic_core::ClinicId;
use clinic_server_infra::users::NewUser;
use secrecy::SecretString;

use crate::cli::{
    AuditCommand, BackupArgs, Command, HealthcheckArgs, ImportArgs, ImportKind, ImportModeArg, ServeArgs, StorageArgs,
    UserAddArgs, UserCommand,
};
use crate::http::{app_with, HttpConfig};
use crate::infra::Infra;
use crate::state::{AppState, Backend};

/// Errors of a command, printed to stderr.
pub type CmdResult<T> = Result<T, String>;

/// Opens the store and the server's records and builds the shared state.
pub async fn build_state(storage: &StorageArgs) -> CmdResult<(AppState, Infra)> {
    build_state_with(storage, &crate::resilience::ResilienceArgs::default()).await
}

/// [`build_state`] with the store and the records behind one circuit breaker of the given policy.
pub async fn build_state_with(
    storage: &StorageArgs,
    res: &crate::resilience::ResilienceArgs,
) -> CmdResult<(AppState, Infra)> {
    let choice = storage.choice();
    let ring = crate::protect_keys::load(storage)?;
    let backend = choice.open_with(Some(ring)).await.map_err(|e| format!("cannot open the store: {e}"))?;
    let deps = crate::resilience::Dependencies::default();
    let dep = deps.register(clinic_server_infra::resilience::Dependency::new(backend.name(), res.policy(), true));
    let guard = dep.clone();
    let secret = storage.jwt_secret.as_ref().map(crate::secrets::Secret::expose);
    let infra =
        Infra::open_with(&choice, &backend, secret, move |s| crate::resilience::guard_records(s, guard)).await?;
    let mut st = state_with(backend, infra.clone());
    st.scheduler = st.ops.scheduler(crate::resilience::guard_store(st.backend.store(), dep));
    st.ops.deps = deps;
    Ok((st, infra))
}

/// The state over an opened backend and the server's records.
pub fn state_with(backend: Backend, infra: Infra) -> AppState {
    let infra = Arc::new(infra);
    let mut ops = crate::ops::Ops::new(Some(infra.store.clone()));
    // One writer per process for the audit chain: the middleware's entries and the auth/user entries share the
    // infra's log, so their batches never race each other for the next `seq`.
    ops.audit = Some(infra.audit.clone());
    AppState {
        scheduler: ops.scheduler(backend.store()),
        ops,
        backend,
        auth: infra.clone(),
        idempotency: infra.clone(),
        imports: Arc::default(),
        infra,
    }
}

pub async fn run(storage: &StorageArgs, command: Command) -> CmdResult<ExitCode> {
    match command {
        Command::Serve(args) => serve(storage, args).await,
        Command::SeedDemo => {
            let (st, infra) = build_state(storage).await?;
            seed_demo(&st, &infra).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(args) => import(storage, args).await,
        Command::User(UserCommand::Add(args)) => user_add(storage, args).await,
        Command::Audit(AuditCommand::Verify) => audit_verify(storage).await,
        Command::Backup(args) => backup(storage, args).await,
        Command::Keys(command) => crate::protect_commands::keys(storage, command).await,
        Command::Export(args) => crate::protect_commands::export(storage, args).await,
        Command::Healthcheck(args) => Ok(healthcheck(&args).await),
    }
}

/// Seeds the demo clinic and one user per role, and prints what was made.
pub async fn seed_demo(st: &AppState, infra: &Infra) -> CmdResult<()> {
    let ids = crate::seed::seed_clinic(&st.scheduler, 30).await.map_err(|e| format!("seeding failed: {e}"))?;
    println!(
        "demo clinic {} seeded: {} practitioners, {} rooms, {} patients, {} appointments",
        ids.clinic,
        ids.practitioners.len(),
        ids.rooms.len(),
        ids.patients.len(),
        ids.appointments
    );
    for (username, password, role) in crate::seed::DEMO_USERS {
        let role = crate::infra::parse_role(role)?;
        let new = NewUser {
            username: (*username).to_string(),
            password: SecretString::from((*password).to_string()),
            role,
            clinic_id: Some(ids.clinic),
            practitioner_id: (role == Role::Practitioner).then(|| ids.practitioners[0]),
            patient_id: (role == Role::Patient).then(|| ids.patients[0]),
        };
        match infra.add_user(new).await {
            Ok(_) => println!("  user {username:<10} password {password:<22} role {role:?}"),
            Err(e) => println!("  user {username}: {}", e.code()),
        }
    }
    Ok(())
}

async fn user_add(storage: &StorageArgs, args: UserAddArgs) -> CmdResult<ExitCode> {
    let role = crate::infra::parse_role(&args.role)?;
    let (st, infra) = build_state(storage).await?;
    let clinic = match args.clinic {
        Some(c) => Some(ClinicId(c)),
        None => only_clinic(&st, None).await.ok(),
    };
    let password = read_password_line()?;
    let new = NewUser {
        username: args.username.clone(),
        password: SecretString::from(password),
        role,
        clinic_id: clinic,
        practitioner_id: args.practitioner.map(clinic_core::PractitionerId),
        patient_id: args.patient.map(clinic_core::PatientId),
    };
    let user = infra.add_user(new).await.map_err(|e| format!("{}: {e}", e.code()))?;
    println!("user {} created ({:?}, id {})", user.username, user.role, user.id);
    Ok(ExitCode::SUCCESS)
}

async fn audit_verify(storage: &StorageArgs) -> CmdResult<ExitCode> {
    let (_, infra) = build_state(storage).await?;
    let report = infra.audit.verify().await.map_err(|e| format!("{}: {e}", e.code()))?;
    if report.is_ok() {
        println!("audit log intact: {report:?}");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("AUDIT LOG TAMPERED: {report:?}");
        Ok(ExitCode::from(3))
    }
}

fn default_web_dir() -> Option<PathBuf> {
    let d = PathBuf::from("frontend/dist");
    d.join("index.html").is_file().then_some(d)
}

async fn serve(storage: &StorageArgs, args: ServeArgs) -> CmdResult<ExitCode> {
    let (mut st, infra) = build_state_with(storage, &args.resilience).await?;
    if args.oidc.oidc_issuer.is_some() {
        let dep = st.ops.deps.register(clinic_server_infra::resilience::Dependency::new(
            "oidc_jwks",
            args.resilience.policy(),
            false,
        ));
        if let Some(v) = args.oidc.verifier(dep).await? {
            tracing::info!(issuer = %v.config().issuer, "tokens of the external OIDC issuer accepted");
            st.auth = Arc::new(crate::oidc_auth::WithOidc::new(st.auth.clone(), Arc::new(v)));
        }
    }
    if args.demo {
        let empty = st.scheduler.store().list_clinics().await.map_err(|e| e.to_string())?.is_empty();
        if empty {
            seed_demo(&st, &infra).await?;
        }
    }
    let cfg = HttpConfig {
        body_limit: args.body_limit,
        cors_origins: args.cors_origin.clone(),
        web_dir: args.web_dir.clone().or_else(default_web_dir),
    };
    let reminders = crate::notifications::start_for_with(&st, &args.notify, &args.resilience)?;
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
    // Notifications accepted while the channel was down: give them the grace period to go out.
    if let Some(q) = st.ops.notify_queue.get() {
        let left = q.flush(grace).await;
        if left > 0 {
            tracing::warn!(waiting = left, channel = q.dependency().name(), "notifications still queued at exit");
        }
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
    let (st, _) = build_state(storage).await?;
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
    let (st, _) = build_state(storage).await?;
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

/// The URL `healthcheck` GETs: `--url`, else /healthz at the listen port on loopback (HTTPS when the server is
/// configured with a TLS certificate).
pub fn healthcheck_url(args: &HealthcheckArgs) -> String {
    if let Some(url) = &args.url {
        return url.clone();
    }
    let mut addr = args.listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() { [127, 0, 0, 1].into() } else { std::net::Ipv6Addr::LOCALHOST.into() });
    }
    let scheme = if std::env::var_os("CLINIC_TLS_CERT").is_some_and(|v| !v.is_empty()) { "https" } else { "http" };
    format!("{scheme}://{addr}/healthz")
}

/// Opens no store: only asks the running server. Exit 0 on a 200 answer, 1 on anything else.
async fn healthcheck(args: &HealthcheckArgs) -> ExitCode {
    let url = healthcheck_url(args);
    // The certificate names the service, not the loopback address this probe dials; the probe sends no
    // credentials and reads only the status, so an unverified TLS session costs nothing.
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(args.timeout.max(1)))
        .danger_accept_invalid_certs(url.starts_with("https://"))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("healthcheck: {e}");
            return ExitCode::FAILURE;
        }
    };
    match client.get(&url).send().await {
        Ok(r) if r.status() == reqwest::StatusCode::OK => {
            println!("healthy: {url}");
            ExitCode::SUCCESS
        }
        Ok(r) => {
            eprintln!("unhealthy: {url} answered {}", r.status());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("unhealthy: {url}: {e}");
            ExitCode::FAILURE
        }
    }
}
