//! Patient PHI sealed at rest (clinic-protect): the conformance kit passes on a sealed store, the file's bytes
//! (main file and WAL) hold none of the PHI, search works through blind indexes under every live key,
//! rotation re-seals everything under the newest key, and rows from before encryption read, search and rotate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::NaiveDate;
use clinic_core::model::{Identifier, PatientInput};
use clinic_core::ports::{CatalogStore, PatientQuery, PatientStore};
use clinic_core::testkit::{run_all, Spawner};
use clinic_core::{Address, Clinic, ClinicId, ContactInfo, ErrorCode, Patient, PatientId};
use clinic_protect::Keyring;
use clinic_sqlite::SqliteStore;

const K1: &str = "old:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const K2: &str = "new:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

fn ring(text: &str) -> Arc<Keyring> {
    Arc::new(Keyring::parse(text).unwrap())
}

fn patient(clinic: ClinicId, n: u32) -> Patient {
    let input = PatientInput {
        mrn: Some(format!("SECRET-MRN-{n:04}")),
        given_name: format!("Given{n}"),
        family_name: "Plainname".into(),
        date_of_birth: NaiveDate::from_ymd_opt(1961, 3, 1 + n % 28),
        contact: ContactInfo::new(
            Some(&format!("+1202555{:04}", 100 + n % 100)),
            Some(&format!("secret.person{n}@example.org")),
            None,
        )
        .unwrap(),
        address: Some(Address {
            line1: format!("{n} Secretive Lane"),
            line2: None,
            city: "Hiddenville".into(),
            region: None,
            postal_code: "SECRET-POST".into(),
            country: "US".into(),
        }),
        identifiers: vec![Identifier { system: "ssn".into(), value: format!("SECRET-ID-{n}") }],
        ..Default::default()
    };
    Patient::new(PatientId::new(), clinic, input, None).unwrap()
}

async fn clinic(store: &SqliteStore) -> ClinicId {
    let c: Clinic = serde_json::from_value(serde_json::json!({
        "id": ClinicId::new(), "name": "Protected clinic", "time_zone": "America/New_York"
    }))
    .unwrap();
    store.put_clinic(&c).await.unwrap();
    c.id()
}

/// Every file of the database (main, WAL, shared memory) as one byte string.
fn raw_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        all.extend(std::fs::read(e.unwrap().path()).unwrap());
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sealed_file_store_passes_the_conformance_kit() {
    let dir = tempfile::tempdir().unwrap();
    let counter = AtomicUsize::new(0);
    let spawner: Spawner = Arc::new(|f| Box::pin(async move { tokio::spawn(f).await.expect("task panicked") }));
    let keys = ring(&format!("{K1}\n{K2}"));
    run_all(
        || {
            let path = dir.path().join(format!("kit-{}.db", counter.fetch_add(1, Ordering::SeqCst)));
            let keys = keys.clone();
            async move { Arc::new(SqliteStore::open(path).unwrap().with_protection(keys)) }
        },
        spawner,
    )
    .await;
}

#[tokio::test]
async fn the_file_holds_no_phi_and_search_rotation_and_old_rows_work() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.db");
    // Rows from before encryption: written by a store without keys.
    let plain = SqliteStore::open(&path).unwrap();
    let cid = clinic(&plain).await;
    let legacy: Vec<Patient> = (0..3).map(|n| patient(cid, n)).collect();
    plain.insert_patients(&legacy).await.unwrap();
    drop(plain);

    // Encryption turned on with key `old`.
    let old = SqliteStore::open(&path).unwrap().with_protection(ring(K1));
    let sealed_old: Vec<Patient> = (3..8).map(|n| patient(cid, n)).collect();
    old.insert_patients(&sealed_old).await.unwrap();
    assert_eq!(old.get_patient(legacy[0].id()).await.unwrap().as_ref(), Some(&legacy[0]), "old rows read");
    let by_mrn = old.find_patients(&PatientQuery { mrn: Some("SECRET-MRN-0001".into()), ..Default::default() }).await;
    assert_eq!(by_mrn.unwrap(), vec![legacy[1].clone()], "old rows are found by exact match");
    let dup = old.insert_patient(&Patient::new(PatientId::new(), cid, legacy[2].data().clone(), None).unwrap()).await;
    assert_eq!(dup.unwrap_err().code(), ErrorCode::DuplicateMrn, "an MRN taken by an old row is taken");
    drop(old);

    // A new key: newest encrypts, both decrypt; search finds rows under either key.
    let both = SqliteStore::open(&path).unwrap().with_protection(ring(&format!("{K1}\n{K2}")));
    let sealed_new = patient(cid, 8);
    both.insert_patient(&sealed_new).await.unwrap();
    for (p, q) in [
        (&sealed_old[0], PatientQuery { email: Some(" SECRET.person3@example.org".into()), ..Default::default() }),
        (
            &sealed_old[1],
            PatientQuery { phone: Some("+12025550104".into()), clinic_id: Some(cid), ..Default::default() },
        ),
        (&sealed_new, PatientQuery { mrn: Some("SECRET-MRN-0008".into()), ..Default::default() }),
        (&sealed_old[2], PatientQuery { date_of_birth: NaiveDate::from_ymd_opt(1961, 3, 6), ..Default::default() }),
    ] {
        assert_eq!(both.find_patients(&q).await.unwrap(), vec![p.clone()], "{q:?}");
    }
    let taken = Patient::new(PatientId::new(), cid, sealed_old[0].data().clone(), None).unwrap();
    assert_eq!(
        both.insert_patient(&taken).await.unwrap_err().code(),
        ErrorCode::DuplicateMrn,
        "taken under the old key"
    );
    let by_name = both.find_patients(&PatientQuery { name_prefix: Some("plain".into()), ..Default::default() }).await;
    assert_eq!(by_name.unwrap().len(), 9, "names stay searchable by prefix");

    let bytes = raw_bytes(dir.path());
    assert!(contains(&bytes, "SECRET-MRN-0000"), "the rows from before encryption are still in clear");
    for n in 3..9 {
        for secret in [format!("SECRET-MRN-{n:04}"), format!("secret.person{n}@example.org"), format!("SECRET-ID-{n}")]
        {
            assert!(!contains(&bytes, &secret), "{secret} is in the file");
        }
    }

    // Rotation, in small batches, until nothing is left: then no row carries `old` or is in clear.
    let mut total = 0;
    loop {
        let n = both.reseal_patients(2).await.unwrap();
        if n == 0 {
            break;
        }
        total += n;
    }
    assert_eq!(total, 8, "3 rows in clear and 5 under the old key");
    assert_eq!(both.patients_by_key().await.unwrap(), vec![(Some("new".to_string()), 9)]);
    assert_eq!(both.reseal_patients(10).await.unwrap(), 0, "idempotent");
    both.integrity_check().await.unwrap();
    // The old key can go now.
    let new_only = SqliteStore::open(&path).unwrap().with_protection(ring(K2));
    for p in legacy.iter().chain(&sealed_old).chain([&sealed_new]) {
        assert_eq!(new_only.get_patient(p.id()).await.unwrap().as_ref(), Some(p));
    }
    let q = PatientQuery { email: Some("secret.person0@example.org".into()), ..Default::default() };
    assert_eq!(new_only.find_patients(&q).await.unwrap(), vec![legacy[0].clone()]);
    // Old row versions may linger in free pages until they are reused; a VACUUM rewrites the file without them.
    drop((both, new_only));
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM;").unwrap();
    drop(c);
    let bytes = raw_bytes(dir.path());
    for n in 0..9 {
        for secret in
            [format!("SECRET-MRN-{n:04}"), format!("secret.person{n}@example.org"), format!("{n} Secretive Lane")]
        {
            assert!(!contains(&bytes, &secret), "{secret} is in the file after rotation");
        }
    }
    assert!(!contains(&bytes, "v1:old:"), "no ciphertext under the old key");
}

#[tokio::test]
async fn sealed_rows_need_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clinic.db");
    let store = SqliteStore::open(&path).unwrap().with_protection(ring(K2));
    let cid = clinic(&store).await;
    let p = patient(cid, 1);
    store.insert_patient(&p).await.unwrap();
    let e = SqliteStore::open(&path).unwrap().get_patient(p.id()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::StoreUnavailable);
    assert!(e.to_string().contains("encryption key"), "{e}");
    let e = SqliteStore::open(&path).unwrap().with_protection(ring(K1)).get_patient(p.id()).await.unwrap_err();
    assert!(e.to_string().contains("\"new\""), "names the missing key id: {e}");
}
