//! The command line: `serve` (default), `seed-demo`, `import`, `user add`, `audit verify`, `backup`, `healthcheck`.
//! Every flag can also come from the environment variable named in `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::store::StoreChoice;

#[derive(Debug, Parser)]
#[command(name = "clinic-server", version, about = "Clinic scheduling server: REST API, auth, imports, reports.")]
pub struct Cli {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// Log format: `json` (structured, one object per line) or `text`.
    #[arg(long, env = "CLINIC_LOG_FORMAT", default_value = "json", global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Json,
    Text,
}

#[derive(Debug, Clone, Args)]
pub struct StorageArgs {
    /// Data directory of the embedded SQLite store (created when missing). Ignored when --store is given.
    #[arg(long, env = "CLINIC_DATA", default_value = "./clinic-data", global = true)]
    pub data: PathBuf,
    /// Use MongoDB instead of the embedded store: a mongodb:// or mongodb+srv:// URI (database from its path,
    /// default `clinic`). It may hold credentials: prefer --store-file.
    #[arg(long, env = "CLINIC_STORE", global = true, hide_env_values = true)]
    pub store: Option<crate::secrets::Secret>,
    /// A file holding the MongoDB URI (a Vault agent or Kubernetes secret file; one final newline ignored).
    #[arg(long, env = "CLINIC_STORE_FILE", global = true)]
    pub store_file: Option<PathBuf>,
    /// Secret that signs access tokens (HS256, at least 32 bytes). Default: generated once and kept in the
    /// data directory (`jwt-secret`); set it explicitly when several instances share one MongoDB.
    #[arg(long, env = "CLINIC_JWT_SECRET", global = true, hide_env_values = true)]
    pub jwt_secret: Option<crate::secrets::Secret>,
    /// A file holding the access-token signing secret (instead of --jwt-secret).
    #[arg(long, env = "CLINIC_JWT_SECRET_FILE", global = true)]
    pub jwt_secret_file: Option<PathBuf>,
    /// File of the customer-managed keys that encrypt patient PHI at rest: one `kid:KEY` per line (KEY = 64 hex
    /// digits or base64 of 32 bytes), newest last. The keys themselves may instead be in the environment variable
    /// CLINIC_ENCRYPTION_KEY. Default for the embedded store: `encryption-key` in the data directory, generated
    /// on first start. Required with --store (README "Data protection at rest").
    #[arg(long, env = "CLINIC_ENCRYPTION_KEY_FILE", global = true)]
    pub encryption_key_file: Option<PathBuf>,
}

impl StorageArgs {
    /// Reads the `--*-file` secrets into their flags (once, before any command runs).
    pub fn resolve_secret_files(&mut self) -> Result<(), String> {
        use crate::secrets::value_or_file;
        self.store = value_or_file("store", self.store.take(), self.store_file.as_deref())?;
        self.store_file = None;
        self.jwt_secret = value_or_file("jwt-secret", self.jwt_secret.take(), self.jwt_secret_file.as_deref())?;
        self.jwt_secret_file = None;
        Ok(())
    }

    pub fn choice(&self) -> StoreChoice {
        match &self.store {
            Some(uri) => StoreChoice::Mongo(uri.expose().to_string()),
            None => StoreChoice::Dir(self.data.clone()),
        }
    }
}

// Parsed once per process: the size of `serve`'s flags does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default command).
    Serve(ServeArgs),
    /// Fill the store with a demo clinic: practitioners, rooms, a month of schedules and appointments, and
    /// one demo user per role (credentials printed).
    SeedDemo,
    /// Import a CSV/XLS/XLSX file of patients or appointments into a clinic.
    Import(ImportArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Copy the embedded store to a file (online backup; SQLite only).
    Backup(BackupArgs),
    /// Encryption keys of patient data at rest.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Copy the data into a new SQLite store file with every person's PII replaced by consistent fakes.
    Export(ExportArgs),
    /// GET a running server's /healthz; exit 0 when it answers 200, 1 otherwise (the container image's
    /// HEALTHCHECK: the small runtime image has no curl).
    Healthcheck(HealthcheckArgs),
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Re-encrypt every patient under the newest key, in batches, while servers keep serving (resumable).
    Rotate(RotateArgs),
    /// How many patients are sealed under each key; exits 2 while some are not under the newest.
    Status,
}

#[derive(Debug, Clone, Args)]
pub struct RotateArgs {
    /// Patients re-encrypted per write transaction.
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Pause between batches (milliseconds), leaving the store to the servers.
    #[arg(long, default_value_t = 20)]
    pub pause_ms: u64,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Replace PII by consistent fake values (required: the only export there is, for non-production use).
    #[arg(long, required = true)]
    pub masked: bool,
    /// The new SQLite store file (must not exist).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CLINIC_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Seed the demo data first when the store has no clinic yet.
    #[arg(long, env = "CLINIC_DEMO")]
    pub demo: bool,
    /// Origins allowed to call the API from a browser (CORS), comma-separated, e.g. http://localhost:5173.
    #[arg(long, env = "CLINIC_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origin: Vec<String>,
    /// Largest request body in bytes (imports included).
    #[arg(long, env = "CLINIC_BODY_LIMIT", default_value_t = 16 << 20)]
    pub body_limit: usize,
    /// Directory of the built frontend served at `/` (default: frontend/dist when it exists).
    #[arg(long, env = "CLINIC_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// TLS certificate chain (PEM); with --tls-key the server speaks HTTPS only.
    #[arg(long, env = "CLINIC_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, env = "CLINIC_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Seconds to let in-flight requests finish after SIGTERM / Ctrl-C.
    #[arg(long, env = "CLINIC_SHUTDOWN_GRACE", default_value_t = 20)]
    pub shutdown_grace: u64,
    #[command(flatten)]
    pub notify: crate::notifications::NotifyArgs,
    #[command(flatten)]
    pub resilience: crate::resilience::ResilienceArgs,
    #[command(flatten)]
    pub oidc: crate::oidc_auth::OidcArgs,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            listen: ([127, 0, 0, 1], 8080).into(),
            demo: false,
            cors_origin: Vec::new(),
            body_limit: 16 << 20,
            web_dir: None,
            tls_cert: None,
            tls_key: None,
            shutdown_grace: 20,
            notify: Default::default(),
            resilience: Default::default(),
            oidc: Default::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportKind {
    Patients,
    Appointments,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportModeArg {
    DryRun,
    Atomic,
    Partial,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The file (CSV, XLS or XLSX, told apart by content).
    pub file: PathBuf,
    /// The clinic to import into (default: the only clinic of the store).
    #[arg(long)]
    pub clinic: Option<uuid::Uuid>,
    /// What the rows are.
    #[arg(long, value_enum, default_value = "patients")]
    pub kind: ImportKind,
    /// dry-run (validate only), atomic (all or nothing) or partial (valid rows stored).
    #[arg(long, value_enum, default_value = "dry-run")]
    pub mode: ImportModeArg,
    /// Read 01/02/1980 as month first (default: day first).
    #[arg(long)]
    pub month_first: bool,
    /// Region for phones written without +country (ISO 3166-1 alpha-2).
    #[arg(long)]
    pub region: Option<String>,
    /// Write the rejected rows as CSV to this file.
    #[arg(long)]
    pub rejections: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input (one line).
    Add(UserAddArgs),
}

#[derive(Debug, Clone, Args)]
pub struct UserAddArgs {
    #[arg(long)]
    pub username: String,
    /// admin, scheduler, practitioner or patient.
    #[arg(long)]
    pub role: String,
    /// Read the password from standard input (required: passwords never go on the command line).
    #[arg(long, required = true)]
    pub password_stdin: bool,
    /// The clinic the user belongs to (default: the only clinic of the store, if there is exactly one).
    #[arg(long)]
    pub clinic: Option<uuid::Uuid>,
    /// For role practitioner: the practitioner record the user is.
    #[arg(long)]
    pub practitioner: Option<uuid::Uuid>,
    /// For role patient: the patient record the user is.
    #[arg(long)]
    pub patient: Option<uuid::Uuid>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of the audit log; exits non-zero when an entry was edited or deleted.
    Verify,
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// Destination file (must not exist).
    pub dest: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// The URL to GET. Default: /healthz on this machine at the port of CLINIC_LISTEN (as `serve` uses it).
    #[arg(long, env = "CLINIC_HEALTHCHECK_URL")]
    pub url: Option<String>,
    /// The address `serve` listens on; a wildcard address (0.0.0.0, ::) is reached on loopback.
    #[arg(long, env = "CLINIC_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 3)]
    pub timeout: u64,
}
