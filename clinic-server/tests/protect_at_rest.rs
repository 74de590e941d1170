//! Data protection at rest, end to end with the real binary: patients written through the HTTP API are
//! nowhere in clear in the store's raw bytes (the SQLite main file and WAL; the MongoDB documents read with the
//! driver), read back in clear through the API and are found by exact match; `keys rotate` re-seals everything
//! under the newest key while a server keeps answering; `export --masked` writes a copy without the original
//! PII whose references all hold.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ops_support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use clinic_core::ports::{AppointmentFilter, AppointmentStore, CatalogStore, PatientQuery, PatientStore};
use ops_support::{run_cli_env, with_database, Server};
use serde_json::{json, Value};

const PASSWORD: &str = "protect-test-password-0123";
const SECRET: &str = "protect-test-jwt-secret-0123456789abcdef";
const K_OLD: &str = "old:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const K_NEW: &str = "new:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

/// The PHI of test patient `n`: every value that must not appear in clear at rest.
fn phi(n: usize) -> Vec<String> {
    vec![
        format!("PROTECT-MRN-{n:03}"),
        format!("+1202555{:04}", 2110 + n),
        format!("confidential.{n}@example.org"),
        format!("{n} Confidential Crescent"),
        format!("CONF-POST-{n}"),
        format!("19{:02}-04-0{}", 50 + n, 1 + n % 9),
        format!("CONF-ID-{n:05}"),
    ]
}

fn body(n: usize) -> Value {
    let v = phi(n);
    json!({
        "mrn": v[0], "given_name": format!("Given{n}"), "family_name": "Protected",
        "date_of_birth": v[5],
        "contact": {"phone": v[1], "email": v[2]},
        "address": {"line1": v[3], "city": "Secretburg", "postal_code": v[4], "country": "US"},
        "identifiers": [{"system": "urn:test:national-id", "value": v[6]}],
    })
}

fn key_file(dir: &Path, keys: &[&str]) -> PathBuf {
    let path = dir.join("keys");
    std::fs::write(&path, keys.join("\n")).unwrap();
    path
}

async fn send(r: reqwest::RequestBuilder) -> (u16, Value) {
    let r = r.send().await.expect("request");
    let s = r.status().as_u16();
    let t = r.text().await.unwrap_or_default();
    (s, serde_json::from_str(&t).unwrap_or(Value::String(t)))
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

struct Api {
    http: reqwest::Client,
    token: String,
    clinic: String,
}

impl Api {
    async fn new(server: &Server) -> Api {
        let http = reqwest::Client::new();
        let (s, v) = send(
            http.post(server.url("/api/v1/auth/login"))
                .json(&json!({"username": "protect-admin", "password": PASSWORD})),
        )
        .await;
        assert_eq!(s, 200, "login: {v}");
        let token = v["access_token"].as_str().unwrap().to_string();
        let (s, v) = send(http.get(server.url("/api/v1/clinics")).bearer_auth(&token)).await;
        assert_eq!(s, 200, "{v}");
        let list = v["items"].as_array().or_else(|| v.as_array()).cloned().unwrap();
        let clinic = list[0]["id"].as_str().unwrap().to_string();
        Api { http, token, clinic }
    }

    async fn get(&self, server: &Server, path: &str) -> (u16, Value) {
        send(self.http.get(server.url(path)).bearer_auth(&self.token)).await
    }

    /// Registers patients 0..n through the API; returns their ids.
    async fn register(&self, server: &Server, range: std::ops::Range<usize>) -> Vec<String> {
        let mut ids = Vec::new();
        for n in range {
            let path = format!("/api/v1/clinics/{}/patients", self.clinic);
            let (s, v) = send(self.http.post(server.url(&path)).bearer_auth(&self.token).json(&body(n))).await;
            assert_eq!(s, 201, "register {n}: {v}");
            ids.push(v["id"].as_str().unwrap().to_string());
        }
        ids
    }

    /// Each patient reads back in clear, and is found by MRN and by phone.
    async fn check_clear(&self, server: &Server, ids: &[String]) {
        for (n, id) in ids.iter().enumerate() {
            let (s, v) = self.get(server, &format!("/api/v1/patients/{id}")).await;
            assert_eq!(s, 200, "{v}");
            let p = phi(n);
            assert_eq!(v["mrn"], p[0], "{v}");
            assert_eq!(v["contact"]["phone"], p[1]);
            assert_eq!(v["contact"]["email"], p[2]);
            assert_eq!(v["address"]["line1"], p[3]);
            assert_eq!(v["date_of_birth"], p[5]);
            assert_eq!(v["identifiers"][0]["value"], p[6]);
            for q in [format!("mrn={}", p[0]), format!("phone=%2B{}", &p[1][1..])] {
                let (s, v) = self.get(server, &format!("/api/v1/clinics/{}/patients?{q}", self.clinic)).await;
                assert_eq!(s, 200, "{v}");
                let found: Vec<&str> = v["items"].as_array().unwrap().iter().filter_map(|p| p["id"].as_str()).collect();
                assert_eq!(found, vec![id.as_str()], "search {q}");
            }
        }
    }
}

/// Seeds the demo clinic and an admin through the CLI with `global` flags and `env`.
fn seed(global: &[&str], env: &[(&str, &str)]) {
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut all: Vec<&str> = global.to_vec();
        all.extend_from_slice(args);
        let (ok, out, err) = run_cli_env(&all, stdin, env);
        assert!(ok, "{args:?}: {out}{err}");
        (out, err)
    };
    run(&["seed-demo"], None);
    run(
        &["user", "add", "--username", "protect-admin", "--role", "admin", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
}

/// No key from the environment: the key file of the flags is the one.
const NO_ENV_KEY: [(&str, &str); 1] = [("CLINIC_ENCRYPTION_KEY", "")];

fn sqlite_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["clinic.sqlite3", "clinic.sqlite3-wal"] {
        if let Ok(b) = std::fs::read(dir.join(name)) {
            all.extend(b);
        }
    }
    assert!(all.len() > 4096, "the store's files were read");
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_phi_is_sealed_at_rest_rotates_online_and_exports_masked() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let keys = key_file(tmp.path(), &[K_OLD]);
    let data_s = data.to_str().unwrap().to_string();
    let keys_s = keys.to_str().unwrap().to_string();
    let global = ["--data", data_s.as_str(), "--encryption-key-file", keys_s.as_str(), "--jwt-secret", SECRET];
    seed(&global, &NO_ENV_KEY);

    let server = Server::start(&global, &[], &NO_ENV_KEY);
    let api = Api::new(&server).await;
    let ids = api.register(&server, 0..6).await;
    // While the server runs: its main file and write-ahead log hold none of the PHI.
    let raw = sqlite_bytes(&data);
    for n in 0..6 {
        for v in phi(n) {
            assert!(!contains(&raw, &v), "{v} is in the SQLite files in clear");
        }
    }
    assert!(contains(&raw, "v1:old:"), "patients are sealed under key `old`");
    api.check_clear(&server, &ids).await;
    let (_, err) = server.stop();
    assert!(!err.text().contains(&K_OLD[4..20]), "the key is never logged");

    // A new key, newest last: the server seals new writes under it and reads both.
    std::fs::write(&keys, format!("{K_OLD}\n{K_NEW}\n")).unwrap();
    let server = Server::start(&global, &[], &NO_ENV_KEY);
    let api = Api::new(&server).await;
    let more = api.register(&server, 6..8).await;
    // Readers hammer the server while `keys rotate` runs as another process on the same file.
    let stop = Arc::new(AtomicBool::new(false));
    let (ok_count, failures) = (Arc::new(AtomicUsize::new(0)), Arc::new(std::sync::Mutex::new(Vec::<String>::new())));
    let reader = {
        let (stop, ok_count, failures) = (stop.clone(), ok_count.clone(), failures.clone());
        let (http, token, base, ids) = (api.http.clone(), api.token.clone(), server.base.clone(), ids.clone());
        let clinic = api.clinic.clone();
        tokio::spawn(async move {
            let mut i = 0usize;
            while !stop.load(Ordering::SeqCst) {
                let id = &ids[i % ids.len()];
                let path = if i % 2 == 0 {
                    format!("{base}/api/v1/patients/{id}")
                } else {
                    format!("{base}/api/v1/clinics/{clinic}/patients?mrn={}", phi(i % ids.len())[0])
                };
                let (s, v) = send(http.get(path).bearer_auth(&token)).await;
                if s == 200 && (v["id"] == id.as_str() || v["items"][0]["id"] == id.as_str()) {
                    ok_count.fetch_add(1, Ordering::SeqCst);
                } else {
                    failures.lock().unwrap().push(format!("{s} {v}"));
                }
                i += 1;
            }
        })
    };
    let mut rotate: Vec<String> = global.iter().map(|s| s.to_string()).collect();
    rotate.extend(["keys", "rotate", "--batch", "2", "--pause-ms", "50"].map(String::from));
    let (ok, out, err) = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = rotate.iter().map(String::as_str).collect();
        run_cli_env(&args, None, &[])
    })
    .await
    .unwrap();
    stop.store(true, Ordering::SeqCst);
    reader.await.unwrap();
    assert!(ok, "keys rotate: {out}{err}");
    // The demo's patients and the six written under `old` (the two written under `new` had nothing to do).
    assert!(out.contains("rotation complete: ") && out.contains("every patient is sealed under key new"), "{out}");
    assert!(!out.contains("key new (newest): 0"), "{out}");
    assert!(failures.lock().unwrap().is_empty(), "requests failed during rotation: {:?}", failures.lock().unwrap());
    assert!(ok_count.load(Ordering::SeqCst) >= 5, "the server answered during rotation");
    let mut status: Vec<&str> = global.to_vec();
    status.extend_from_slice(&["keys", "status"]);
    let (ok, out, err) = run_cli_env(&status, None, &[]);
    assert!(ok, "keys status: {out}{err}");
    assert!(out.contains("key new (newest): ") && !out.contains("to rotate"), "{out}");
    // No stored ciphertext carries the old key id.
    {
        let c = rusqlite::Connection::open(data.join("clinic.sqlite3")).unwrap();
        let docs: Vec<String> = c
            .prepare("SELECT doc FROM patients")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(docs.len() >= 8);
        assert!(docs.iter().all(|d| !d.contains("v1:old:")), "a ciphertext under `old` remains");
    }
    let mut all_ids = ids.clone();
    all_ids.extend(more);
    api.check_clear(&server, &all_ids).await;
    server.stop();
    // The old key can be dropped now.
    std::fs::write(&keys, format!("{K_NEW}\n")).unwrap();
    let server = Server::start(&global, &[], &NO_ENV_KEY);
    let api = Api::new(&server).await;
    api.check_clear(&server, &all_ids).await;
    server.stop();

    // A masked copy: none of the original PII, every reference intact.
    let copy = tmp.path().join("masked.sqlite3");
    let copy_s = copy.to_str().unwrap().to_string();
    let mut export: Vec<&str> = global.to_vec();
    export.extend_from_slice(&["export", "--masked", "--out", copy_s.as_str()]);
    let (ok, out, err) = run_cli_env(&export, None, &[]);
    assert!(ok, "export: {out}{err}");
    check_masked_copy(&data, &copy).await;
}

/// The copy holds no PII of the original (patients' values, names and practitioners' names), and every
/// appointment's clinic, practitioner, room, type and patient exist in it.
async fn check_masked_copy(data: &Path, copy: &Path) {
    let original = clinic_sqlite::SqliteStore::open(data.join("clinic.sqlite3"))
        .unwrap()
        .with_protection(Arc::new(clinic_protect::Keyring::parse(K_NEW).unwrap()));
    let masked = clinic_sqlite::SqliteStore::open(copy).unwrap();
    let bytes = std::fs::read(copy).unwrap();
    let orig_patients = original.find_patients(&PatientQuery::default()).await.unwrap();
    let copy_patients = masked.find_patients(&PatientQuery::default()).await.unwrap();
    assert_eq!(orig_patients.len(), copy_patients.len());
    assert!(orig_patients.len() >= 8);
    let mut secrets: Vec<String> = Vec::new();
    for p in &orig_patients {
        secrets.extend(p.mrn().map(str::to_string));
        secrets.extend(p.contact().phone().map(str::to_string));
        secrets.extend(p.contact().email().map(str::to_string));
        secrets.extend(p.address().map(|a| a.line1.clone()));
        secrets.extend(p.identifiers().iter().map(|i| i.value.clone()));
        secrets.push(format!("\"{}\"", p.family_name()));
        secrets.push(format!("\"{}\"", p.given_name()));
        // Same input, same fake: the copy's patient with this id is consistent with a fresh masking.
        let twin = copy_patients.iter().find(|c| c.id() == p.id()).expect("same ids");
        assert_ne!(twin.mrn(), p.mrn());
        assert_ne!(twin.contact().email(), p.contact().email());
    }
    let clinics = original.list_clinics().await.unwrap();
    for c in &clinics {
        for pr in original.list_practitioners(c.id()).await.unwrap() {
            secrets.push(format!("\"{}\"", pr.name()));
        }
    }
    for s in &secrets {
        assert!(!contains(&bytes, s), "{s} is in the masked copy");
    }
    // Consistency: equal originals map to equal fakes (all test patients share one family name).
    let fams: std::collections::BTreeSet<&str> = copy_patients
        .iter()
        .filter(|p| orig_patients.iter().any(|o| o.id() == p.id() && o.family_name() == "Protected"))
        .map(|p| p.family_name())
        .collect();
    assert_eq!(fams.len(), 1, "one original family name, one fake: {fams:?}");
    // Referential integrity.
    let appts = masked.list_appointments(&AppointmentFilter::default()).await.unwrap();
    assert_eq!(appts.len(), original.list_appointments(&AppointmentFilter::default()).await.unwrap().len());
    assert!(!appts.is_empty(), "the demo's appointments are copied");
    for a in &appts {
        assert!(masked.get_clinic(a.clinic_id()).await.unwrap().is_some());
        assert!(masked.get_practitioner(a.practitioner_id()).await.unwrap().is_some());
        assert!(masked.get_appointment_type(a.appointment_type_id()).await.unwrap().is_some());
        if let Some(r) = a.room_id() {
            assert!(masked.get_room(r).await.unwrap().is_some());
        }
        assert!(
            masked.get_patient(a.patient_id()).await.unwrap().is_some(),
            "patient {} of an appointment",
            a.patient_id()
        );
    }
    masked.integrity_check().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mongodb_phi_is_sealed_at_rest_and_rotates_online() {
    let mongo = clinic_mongo::test_support::TestMongo::start().await.expect("a MongoDB (FerretDB) to test against");
    let db = mongo.new_database("protect");
    let store = with_database(mongo.uri(), &db);
    let global = ["--store", store.as_str(), "--jwt-secret", SECRET];

    // Without a key, a MongoDB store is refused with a message that says what to give.
    let (ok, _, err) = run_cli_env(&["--store", store.as_str(), "seed-demo"], None, &[]);
    assert!(!ok && err.contains("--encryption-key-file"), "{err}");

    let env = [("CLINIC_ENCRYPTION_KEY", K_OLD)];
    seed(&global, &env);
    let server = Server::start(&global, &[], &env);
    let api = Api::new(&server).await;
    let ids = api.register(&server, 0..5).await;

    // The raw documents, read with the driver: no PHI value anywhere in them.
    let client = mongodb::Client::with_uri_str(mongo.uri()).await.unwrap();
    let raw = |coll: &'static str| {
        let client = client.clone();
        let db = db.clone();
        async move {
            use futures::TryStreamExt;
            let docs: Vec<bson::Document> =
                client.database(&db).collection(coll).find(bson::doc! {}).await.unwrap().try_collect().await.unwrap();
            docs
        }
    };
    let patients = raw("patients").await;
    assert!(patients.len() >= 5);
    let text: String = patients.iter().map(|d| format!("{d}")).collect();
    let mut bytes = Vec::new();
    for d in &patients {
        d.to_writer(&mut bytes).unwrap();
    }
    for n in 0..5 {
        for v in phi(n) {
            assert!(!text.contains(&v) && !contains(&bytes, &v), "{v} is in a MongoDB document in clear");
        }
    }
    assert!(text.contains("v1:old:"));
    api.check_clear(&server, &ids).await;
    server.stop();

    // Rotation to a new key while a server (with both keys) serves.
    let both = format!("{K_OLD}\n{K_NEW}");
    let env = [("CLINIC_ENCRYPTION_KEY", both.as_str())];
    let server = Server::start(&global, &[], &env);
    let api = Api::new(&server).await;
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let reader = {
        let (stop, answered) = (stop.clone(), answered.clone());
        let (http, token, base, ids) = (api.http.clone(), api.token.clone(), server.base.clone(), ids.clone());
        tokio::spawn(async move {
            let mut i = 0usize;
            let mut bad = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let id = &ids[i % ids.len()];
                let (s, v) = send(http.get(format!("{base}/api/v1/patients/{id}")).bearer_auth(&token)).await;
                if s == 200 && v["mrn"] == phi(i % ids.len())[0] {
                    answered.fetch_add(1, Ordering::SeqCst);
                } else {
                    bad.push(format!("{s} {v}"));
                }
                i += 1;
            }
            bad
        })
    };
    let mut rotate: Vec<String> = global.iter().map(|s| s.to_string()).collect();
    rotate.extend(["keys", "rotate", "--batch", "2", "--pause-ms", "50"].map(String::from));
    let both_env = both.clone();
    let (ok, out, err) = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = rotate.iter().map(String::as_str).collect();
        run_cli_env(&args, None, &[("CLINIC_ENCRYPTION_KEY", both_env.as_str())])
    })
    .await
    .unwrap();
    stop.store(true, Ordering::SeqCst);
    let bad = reader.await.unwrap();
    assert!(ok, "keys rotate: {out}{err}");
    assert!(bad.is_empty(), "requests failed during rotation: {bad:?}");
    assert!(answered.load(Ordering::SeqCst) >= 3, "the server answered during rotation");
    let text: String = raw("patients").await.iter().map(|d| format!("{d}")).collect();
    assert!(!text.contains("v1:old:") && !text.contains("\"old\""), "a ciphertext under `old` remains: {text}");
    assert!(text.contains("v1:new:"));
    api.check_clear(&server, &ids).await;
    server.stop();
    mongo.drop_databases().await;
}
