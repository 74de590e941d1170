//! A MongoDB for tests and benchmarks (feature `test-support`).
//!
//! [`TestMongo::start`]:
//! - when `CLINIC_TEST_MONGODB_URI` is set, uses that server (a real MongoDB) and starts nothing;
//! - otherwise starts FerretDB v1.24.2 (MongoDB wire protocol, SQLite back end) on a free loopback port with a
//!   temporary data directory, waits until it answers `ping`, and stops it and deletes the directory when the
//!   [`TestMongo`] is dropped. The binary is `CLINIC_FERRETDB_BIN` if set, else what `scripts/ferretdb.sh`
//!   builds (with the machine's Go ≥ 1.24; cached after the first build).
//!
//! When no server can be had, `start` returns an error that says why; tests fail with it, they never skip.
//! The server is started with `-exit-on-stdin-close` and its standard input is a pipe from this process, so it
//! also stops if the test process dies without dropping it.

use std::fs::{self, File};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bson::doc;
use mongodb::options::ClientOptions;
use mongodb::Client;

use crate::{MongoStore, MongoStoreOptions};

/// A running MongoDB to test against (set it to use a real MongoDB instead of FerretDB).
pub const URI_ENV: &str = "CLINIC_TEST_MONGODB_URI";
/// A prebuilt FerretDB dev server binary (skips `scripts/ferretdb.sh`).
pub const BIN_ENV: &str = "CLINIC_FERRETDB_BIN";

const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A server to test against; see the module doc.
#[derive(Debug)]
pub struct TestMongo {
    uri: String,
    ferretdb: Option<FerretDb>,
    databases: Mutex<Vec<String>>,
}

#[derive(Debug)]
struct FerretDb {
    child: Child,
    dir: PathBuf,
    log: PathBuf,
    /// What [`TestMongo::restart_server`] needs to start the same server again.
    bin: PathBuf,
    addr: String,
}

impl Drop for FerretDb {
    fn drop(&mut self) {
        // Closing its standard input asks it to stop cleanly; kill it if it has not within a few seconds.
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break;
                }
            }
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn log_tail(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    if tail.is_empty() {
        "(no output)".to_string()
    } else {
        tail
    }
}

/// The repository's root (this crate's parent directory).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// The FerretDB dev server binary: `CLINIC_FERRETDB_BIN`, or built (once per process) by `scripts/ferretdb.sh`.
pub fn ferretdb_binary() -> Result<PathBuf, String> {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os(BIN_ENV).filter(|p| !p.is_empty()) {
            let p = PathBuf::from(p);
            return if p.is_file() { Ok(p) } else { Err(format!("{BIN_ENV}={} is not a file", p.display())) };
        }
        let script = repo_root().join("scripts/ferretdb.sh");
        let out = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} failed ({}); see its message above. The MongoDB tests need Go >= 1.24 to build FerretDB, \
                 or {URI_ENV}=mongodb://... pointing at a running MongoDB",
                script.display(),
                out.status
            ));
        }
        let path = String::from_utf8_lossy(&out.stdout).trim().lines().last().unwrap_or_default().to_string();
        let p = PathBuf::from(path);
        if p.is_file() {
            Ok(p)
        } else {
            Err(format!("{} printed {:?}, which is not a file", script.display(), p.display()))
        }
    })
    .clone()
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot find a free loopback port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| format!("cannot find a free loopback port: {e}"))
}

/// A database name no other test (in this or another process) uses: `<prefix>_<pid>_<n>_<ms>`.
pub fn unique_db_name(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() % 1_000_000_000).unwrap_or(0);
    format!("{prefix}_{}_{}_{ms}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

async fn ping(uri: &str, timeout: Duration) -> Result<(), String> {
    let mut o = ClientOptions::parse(uri).await.map_err(|e| e.to_string())?;
    o.server_selection_timeout = Some(timeout);
    o.connect_timeout = Some(timeout);
    let c = Client::with_options(o).map_err(|e| e.to_string())?;
    let r = c.database("admin").run_command(doc! { "ping": 1 }).await.map(|_| ()).map_err(|e| e.to_string());
    c.shutdown().immediate(true).await;
    r
}

impl TestMongo {
    /// Uses `CLINIC_TEST_MONGODB_URI`, or starts FerretDB (building it first if needed). The error says why
    /// no server could be had.
    pub async fn start() -> Result<TestMongo, String> {
        if let Some(uri) = std::env::var(URI_ENV).ok().filter(|u| !u.trim().is_empty()) {
            ping(&uri, Duration::from_secs(10))
                .await
                .map_err(|e| format!("{URI_ENV} is set, but that MongoDB does not answer ping: {e}"))?;
            return Ok(TestMongo { uri, ferretdb: None, databases: Mutex::new(Vec::new()) });
        }
        let bin = tokio::task::spawn_blocking(ferretdb_binary)
            .await
            .map_err(|e| format!("building FerretDB panicked: {e}"))??;
        let mut last = String::new();
        for _ in 0..3 {
            match Self::start_ferretdb(&bin).await {
                Ok(t) => return Ok(t),
                Err((msg, retry)) => {
                    last = msg;
                    if !retry {
                        break;
                    }
                }
            }
        }
        Err(last)
    }

    /// `Err((why, worth retrying on another port))`.
    async fn start_ferretdb(bin: &Path) -> Result<TestMongo, (String, bool)> {
        let port = free_port().map_err(|e| (e, false))?;
        let dir = std::env::temp_dir().join(unique_db_name("clinic-ferretdb"));
        fs::create_dir_all(&dir).map_err(|e| (format!("cannot create {}: {e}", dir.display()), false))?;
        let log = dir.join("ferretdb.log");
        let out = File::create(&log).map_err(|e| (format!("cannot create {}: {e}", log.display()), false))?;
        let err = out.try_clone().map_err(|e| (format!("cannot open {}: {e}", log.display()), false))?;
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(bin)
            .args(["-listen-addr", &addr, "-data-dir"])
            .arg(dir.join("data"))
            .arg("-exit-on-stdin-close")
            .stdin(Stdio::piped())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| (format!("cannot start FerretDB ({}): {e}", bin.display()), false))?;
        let mut server = FerretDb { child, dir, log, bin: bin.to_path_buf(), addr: addr.clone() };
        let uri = format!("mongodb://{addr}/");
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                let tail = log_tail(&server.log);
                let in_use = tail.contains("address already in use");
                return Err((format!("FerretDB ({}) exited at start ({status}):\n{tail}", bin.display()), in_use));
            }
            match ping(&uri, Duration::from_millis(500)).await {
                Ok(()) => break,
                Err(e) if started.elapsed() > START_TIMEOUT => {
                    return Err((
                        format!(
                            "FerretDB ({}) did not answer ping on {addr} within {START_TIMEOUT:?}: {e}\n{}",
                            bin.display(),
                            log_tail(&server.log)
                        ),
                        false,
                    ))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        Ok(TestMongo { uri, ferretdb: Some(server), databases: Mutex::new(Vec::new()) })
    }

    /// Stops the FerretDB the harness started (SIGKILL, as a crash or a lost host would), keeping its port
    /// and data directory for [`restart_server`](Self::restart_server). Fault-injection tests use it; with
    /// `CLINIC_TEST_MONGODB_URI` there is nothing this process may stop, and it says so.
    pub fn stop_server(&mut self) -> Result<(), String> {
        let f =
            self.ferretdb.as_mut().ok_or_else(|| format!("{URI_ENV} is set: the harness cannot stop that server"))?;
        drop(f.child.stdin.take());
        let _ = f.child.kill();
        f.child.wait().map(|_| ()).map_err(|e| format!("cannot wait for FerretDB to stop: {e}"))
    }

    /// Starts the stopped FerretDB again on the same port and data directory, and waits until it answers
    /// `ping` (what was written before the stop is there again).
    pub async fn restart_server(&mut self) -> Result<(), String> {
        let f = self
            .ferretdb
            .as_mut()
            .ok_or_else(|| format!("{URI_ENV} is set: the harness cannot restart that server"))?;
        if let Ok(None) = f.child.try_wait() {
            return Err("FerretDB is still running; stop it first".into());
        }
        let out = fs::OpenOptions::new()
            .append(true)
            .open(&f.log)
            .map_err(|e| format!("cannot open {}: {e}", f.log.display()))?;
        let err = out.try_clone().map_err(|e| format!("cannot open {}: {e}", f.log.display()))?;
        let started = Instant::now();
        loop {
            f.child = Command::new(&f.bin)
                .args(["-listen-addr", &f.addr, "-data-dir"])
                .arg(f.dir.join("data"))
                .arg("-exit-on-stdin-close")
                .stdin(Stdio::piped())
                .stdout(out.try_clone().map_err(|e| e.to_string())?)
                .stderr(err.try_clone().map_err(|e| e.to_string())?)
                .spawn()
                .map_err(|e| format!("cannot restart FerretDB ({}): {e}", f.bin.display()))?;
            // The old socket may linger for a moment: an early exit is retried until the start timeout.
            let mut exited = false;
            while started.elapsed() < START_TIMEOUT {
                if let Ok(Some(_)) = f.child.try_wait() {
                    exited = true;
                    break;
                }
                if ping(&self.uri, Duration::from_millis(500)).await.is_ok() {
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            if !exited || started.elapsed() >= START_TIMEOUT {
                return Err(format!("FerretDB did not come back on {}:\n{}", f.addr, log_tail(&f.log)));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The connection string of the server.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// Whether this is the FerretDB the harness started (not `CLINIC_TEST_MONGODB_URI`).
    pub fn is_ferretdb(&self) -> bool {
        self.ferretdb.is_some()
    }

    /// The last lines FerretDB logged (for failure messages).
    pub fn server_log(&self) -> String {
        self.ferretdb.as_ref().map(|f| log_tail(&f.log)).unwrap_or_default()
    }

    /// A new, empty database name, remembered so that [`drop_databases`](Self::drop_databases) can remove it.
    pub fn new_database(&self, prefix: &str) -> String {
        let name = unique_db_name(prefix);
        if let Ok(mut v) = self.databases.lock() {
            v.push(name.clone());
        }
        name
    }

    /// A store on a fresh database.
    pub async fn fresh_store(&self, prefix: &str) -> Result<MongoStore, String> {
        self.fresh_store_with(prefix, MongoStoreOptions::default()).await
    }

    /// A store on a fresh database, with options.
    pub async fn fresh_store_with(&self, prefix: &str, opts: MongoStoreOptions) -> Result<MongoStore, String> {
        let db = self.new_database(prefix);
        MongoStore::connect_with(&self.uri, &db, opts)
            .await
            .map_err(|e| format!("cannot connect a store to {} (database {db}): {e}\n{}", self.uri, self.server_log()))
    }

    /// Drops the databases handed out (matters for a shared `CLINIC_TEST_MONGODB_URI` server; FerretDB's
    /// temporary directory goes anyway).
    pub async fn drop_databases(&self) {
        let names = self.databases.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default();
        if names.is_empty() {
            return;
        }
        if let Ok(o) = ClientOptions::parse(&self.uri).await {
            if let Ok(c) = Client::with_options(o) {
                for n in names {
                    let _ = c.database(&n).drop().await;
                }
            }
        }
    }
}
