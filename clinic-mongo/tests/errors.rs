//! Bad connection strings, a server that is down, and a server that goes away mid-run: clear
//! `STORE_UNAVAILABLE` errors (`retryable` set right), no panics, nothing half-written.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clinic_core::ports::*;
use clinic_core::{ClinicError, ClinicId, ErrorCode};
use clinic_mongo::test_support::TestMongo;
use clinic_mongo::{MongoStore, MongoStoreOptions};

fn quick() -> MongoStoreOptions {
    MongoStoreOptions {
        server_selection_timeout: Duration::from_millis(800),
        connect_timeout: Duration::from_millis(800),
        ..Default::default()
    }
}

fn store_error(r: Result<MongoStore, ClinicError>) -> (String, bool) {
    match r {
        Ok(_) => panic!("connecting should fail"),
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::StoreUnavailable, "{e}");
            match e {
                ClinicError::Store { message, retryable } => (message, retryable),
                other => panic!("expected a store error, got {other:?}"),
            }
        }
    }
}

/// A loopback port nobody listens on.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let p = l.local_addr().unwrap().port();
    drop(l);
    p
}

#[tokio::test]
async fn bad_connection_strings_fail_clearly_and_not_retryably() {
    for uri in [
        "not-a-uri",
        "http://127.0.0.1:27017",
        "mongodb://",
        "mongodb://127.0.0.1:99999/",
        "mongodb://h/?w=x&wtimeoutMS=-5",
    ] {
        let (message, retryable) = store_error(MongoStore::connect_with(uri, "clinic", quick()).await);
        assert!(!retryable, "{uri}: a bad URI is not worth retrying ({message})");
        assert!(message.contains("MongoDB"), "{uri}: {message}");
    }
    for db in ["", "a/b", "a.b", "has space", "x$"] {
        let (message, retryable) = store_error(MongoStore::connect_with("mongodb://127.0.0.1:1/", db, quick()).await);
        assert!(!retryable && message.contains("database name"), "{db:?}: {message}");
    }
}

#[tokio::test]
async fn a_server_that_is_down_is_store_unavailable_and_retryable() {
    let uri = format!("mongodb://127.0.0.1:{}/", closed_port());
    let started = Instant::now();
    let (message, retryable) = store_error(MongoStore::connect_with(&uri, "clinic", quick()).await);
    assert!(retryable, "a down server may come back: {message}");
    assert!(message.contains("unreachable"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(10), "fails within the server selection timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_goes_away_mid_run_gives_errors_not_panics() {
    let mongo = TestMongo::start().await.unwrap_or_else(|e| panic!("no MongoDB to test against: {e}"));
    if !mongo.is_ferretdb() {
        // Stopping the server is only possible for the one the harness started.
        return;
    }
    let store = Arc::new(mongo.fresh_store_with("gone", quick()).await.unwrap());
    let fx = clinic_core::testkit::seed(store.clone(), 2).await;
    drop(mongo); // stops FerretDB
    let r = store.get_clinic(fx.clinic.id()).await;
    let e = r.expect_err("the server is gone");
    assert_eq!(e.code(), ErrorCode::StoreUnavailable);
    assert!(matches!(e, ClinicError::Store { retryable: true, .. }), "{e}");
    let sch = clinic_core::Scheduler::new(store.clone());
    let booked = sch
        .create_appointment(&clinic_core::rbac::Actor::system(), fx.request(0, 0, &fx.individual, fx.at(9, 0)))
        .await;
    assert_eq!(booked.expect_err("nothing can be booked").code(), ErrorCode::StoreUnavailable);
    assert_eq!(store.list_practitioners(ClinicId::new()).await.expect_err("down").code(), ErrorCode::StoreUnavailable);
}
