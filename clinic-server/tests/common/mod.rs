//! A real server on a free loopback port over a temporary SQLite directory (or a given store), with a seeded
//! clinic and one user per role, driven through HTTP with reqwest.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use clinic_core::rbac::Role;
use clinic_server::http::{app_with, HttpConfig};
use clinic_server::infra::Infra;
use clinic_server::seed::DemoIds;
use clinic_server::state::{AppState, Backend};
use clinic_server::store::StoreChoice;
use clinic_server_infra::users::NewUser;
use reqwest::{Client, Method, Response};
use serde_json::Value;

pub const PASSWORD: &str = "correct-horse-battery-staple";

/// The users of a test app, by name: `admin`, `scheduler`, `practitioner` (the first practitioner),
/// `practitioner2`, `patient` (the first patient), `patient2`.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: Client,
    pub state: AppState,
    pub infra: Infra,
    pub ids: DemoIds,
    pub tokens: HashMap<&'static str, String>,
    pub dir: Option<tempfile::TempDir>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// Spawns an app on a fresh SQLite directory.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let choice = StoreChoice::Dir(dir.path().to_path_buf());
    let mut app = spawn_on(choice, HttpConfig::default()).await;
    app.dir = Some(dir);
    app
}

/// Spawns an app over the given store.
pub async fn spawn_on(choice: StoreChoice, cfg: HttpConfig) -> TestApp {
    let backend = choice.open().await.expect("open store");
    spawn_backend(choice, backend, cfg).await
}

pub async fn spawn_backend(choice: StoreChoice, backend: Backend, cfg: HttpConfig) -> TestApp {
    let infra = Infra::open(&choice, &backend, Some("test-secret-test-secret-test-secret!!")).await.expect("infra");
    let state = clinic_server::commands::state_with(backend, infra.clone());
    let ids = clinic_server::seed::seed_clinic(&state.scheduler, 0).await.expect("seed");
    let users: [(&'static str, Role, Option<usize>, Option<usize>); 6] = [
        ("admin", Role::Admin, None, None),
        ("scheduler", Role::Scheduler, None, None),
        ("practitioner", Role::Practitioner, Some(0), None),
        ("practitioner2", Role::Practitioner, Some(1), None),
        ("patient", Role::Patient, None, Some(0)),
        ("patient2", Role::Patient, None, Some(1)),
    ];
    for (name, role, pr, pa) in users {
        infra
            .add_user(NewUser {
                username: name.into(),
                password: PASSWORD.to_string().into(),
                role,
                clinic_id: Some(ids.clinic),
                practitioner_id: pr.map(|i| ids.practitioners[i]),
                patient_id: pa.map(|i| ids.patients[i]),
            })
            .await
            .expect("user");
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = app_with(state.clone(), &cfg);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        clinic_server::serve::serve_http(listener, router, async move {
            let _ = rx.await;
        })
        .await
        .expect("serve");
    });
    let mut app = TestApp {
        addr,
        base: format!("http://{addr}"),
        client: Client::builder().build().expect("client"),
        state,
        infra,
        ids,
        tokens: HashMap::new(),
        dir: None,
        shutdown: Some(tx),
        server: Some(server),
    };
    for (name, ..) in users {
        let t = app.login(name, PASSWORD).await;
        assert_eq!(t.0, 200, "login {name}: {}", t.1);
        app.tokens.insert(name, t.1["access_token"].as_str().expect("token").to_string());
    }
    app
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn login(&self, user: &str, password: &str) -> (u16, Value) {
        let r = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": user, "password": password}))
            .send()
            .await
            .expect("login");
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// A request as `who` (`None` = no token).
    pub fn req(&self, method: Method, path: &str, who: Option<&str>) -> reqwest::RequestBuilder {
        let mut b = self.client.request(method, self.url(path));
        if let Some(w) = who {
            b = b.bearer_auth(self.tokens.get(w).unwrap_or_else(|| panic!("no user {w}")));
        }
        b
    }

    pub async fn get(&self, path: &str, who: &str) -> (u16, Value) {
        json_of(self.req(Method::GET, path, Some(who)).send().await.expect("send")).await
    }

    pub async fn post(&self, path: &str, who: &str, body: Value) -> (u16, Value) {
        json_of(self.req(Method::POST, path, Some(who)).json(&body).send().await.expect("send")).await
    }

    pub async fn put(&self, path: &str, who: &str, body: Value) -> (u16, Value) {
        json_of(self.req(Method::PUT, path, Some(who)).json(&body).send().await.expect("send")).await
    }

    /// A booking body for patient `pi` with practitioner `pr` at `start` (RFC 3339), type 0.
    pub fn booking(&self, pi: usize, pr: usize, start: &str) -> Value {
        serde_json::json!({
            "clinic_id": self.ids.clinic.to_string(),
            "patient_id": self.ids.patients[pi].to_string(),
            "practitioner_id": self.ids.practitioners[pr].to_string(),
            "appointment_type_id": self.ids.types[0].to_string(),
            "start": start,
        })
    }

    /// The first free slot of practitioner `pr` for type 0 a few days ahead (from the API itself).
    pub async fn free_slots(&self, pr: usize, n: usize) -> Vec<String> {
        let from = chrono::Utc::now() + chrono::Duration::days(2);
        let to = from + chrono::Duration::days(7);
        let path = format!(
            "/api/v1/clinics/{}/availability?appointment_type_id={}&practitioner_ids={}&from={}&to={}&limit={n}",
            self.ids.clinic,
            self.ids.types[0],
            self.ids.practitioners[pr],
            from.format("%Y-%m-%dT%H:%M:00Z"),
            to.format("%Y-%m-%dT%H:%M:00Z"),
        );
        let (s, v) = self.get(&path, "scheduler").await;
        assert_eq!(s, 200, "{v}");
        v.as_array().expect("offers").iter().map(|o| o["start"].as_str().expect("start").to_string()).collect()
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
    }
}

pub async fn json_of(r: Response) -> (u16, Value) {
    let s = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (s, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("root").to_path_buf()
}

/// `$CLINIC_TEST_PYTHON`, else the venv of `scripts/test-tools.sh`.
pub fn python() -> PathBuf {
    let p = std::env::var_os("CLINIC_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/py-venv/bin/python"));
    assert!(p.exists(), "{} is missing: run scripts/test-tools.sh (or set CLINIC_TEST_PYTHON)", p.display());
    p
}

/// Runs Python source with stdin; returns (success, stdout+stderr).
pub fn run_python(script: &str, stdin: &[u8]) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new(python())
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python");
    child.stdin.take().expect("stdin").write_all(stdin).expect("write");
    let out = child.wait_with_output().expect("wait");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}
