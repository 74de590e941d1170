//! Shared by the operations tests: the real `clinic-server` binary started as a child process on port 0
//! with a temporary data directory, its stdout and stderr (the JSON logs) captured line by line.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_clinic-server");
/// The patient-data encryption key every process gets (a MongoDB store refuses to start without one; README
/// "Data protection at rest"). A test may override it through `env`.
pub const TEST_ENCRYPTION_KEY: &str = "ops:6f70732d746573742d6b65792d6f70732d746573742d6b65792d6f70732d3031";

/// The workspace root (tools installed by scripts/test-tools.sh live under its target/).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// promtool from $CLINIC_PROMTOOL, PATH, or target/tools/bin (scripts/test-tools.sh). Panics when absent:
/// the exposition check must not be skipped silently.
pub fn promtool() -> PathBuf {
    if let Ok(p) = std::env::var("CLINIC_PROMTOOL") {
        return PathBuf::from(p);
    }
    if Command::new("promtool").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return PathBuf::from("promtool");
    }
    let local = workspace_root().join("target/tools/bin/promtool");
    assert!(
        local.is_file(),
        "promtool is missing: run scripts/test-tools.sh (it extracts it into {})",
        local.display()
    );
    local
}

/// Captured output lines of a child process.
#[derive(Clone, Default)]
pub struct Lines(Arc<Mutex<Vec<String>>>);

impl Lines {
    pub fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
    pub fn text(&self) -> String {
        self.all().join("\n")
    }
    fn drain(
        &self,
        r: impl std::io::Read + Send + 'static,
        first_match: Option<std::sync::mpsc::Sender<String>>,
    ) -> std::thread::JoinHandle<()> {
        let me = self.clone();
        std::thread::spawn(move || {
            let mut tx = first_match;
            for line in BufReader::new(r).lines().map_while(Result::ok) {
                if line.contains("listening on ") {
                    if let Some(t) = tx.take() {
                        let _ = t.send(line.clone());
                    }
                }
                me.0.lock().unwrap().push(line);
            }
        })
    }
}

/// A running server; killed on drop.
pub struct Server {
    child: Child,
    pub base: String,
    pub stdout: Lines,
    pub stderr: Lines,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts `clinic-server <global args> serve --listen 127.0.0.1:0 <serve args>` and waits for its address.
    pub fn start(global: &[&str], serve: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.args(global).arg("serve").args(["--listen", "127.0.0.1:0"]).args(serve);
        cmd.env_remove("CLINIC_LOG").env_remove("CLINIC_LOG_FORMAT").env_remove("CLINIC_STORE");
        cmd.env("CLINIC_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start clinic-server");
        let (stdout, stderr) = (Lines::default(), Lines::default());
        let (tx, rx) = std::sync::mpsc::channel();
        let readers = vec![
            stdout.drain(child.stdout.take().unwrap(), Some(tx)),
            stderr.drain(child.stderr.take().unwrap(), None),
        ];
        let line = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                panic!("server did not start; stderr:\n{}", stderr.text());
            }
        };
        let base = line.split("listening on ").nth(1).unwrap().trim().to_string();
        Server { child, base, stdout, stderr, readers }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Stops the server gracefully (SIGTERM to this child's pid) and waits until its output is fully read.
    pub fn stop(mut self) -> (Lines, Lines) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        (self.stdout.clone(), self.stderr.clone())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a CLI command of the binary to completion with the test encryption key: (success, stdout, stderr).
pub fn run_cli(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    run_cli_env(args, stdin, &[("CLINIC_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY)])
}

/// [`run_cli`] with exactly the encryption settings of `env` (no key unless `env` gives one).
pub fn run_cli_env(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> (bool, String, String) {
    use std::io::Write;
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("CLINIC_STORE")
        .env_remove("CLINIC_ENCRYPTION_KEY")
        .env_remove("CLINIC_ENCRYPTION_KEY_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("run clinic-server");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The MongoDB URI with a database path (keeps any query string).
pub fn with_database(uri: &str, db: &str) -> String {
    let (base, query) = match uri.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (uri, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..].find('/').map(|i| scheme_end + i).unwrap_or(base.len());
    let mut out = format!("{}/{db}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}
