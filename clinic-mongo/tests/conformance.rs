//! `MongoStore` runs the core's whole conformance kit, races included, on a multi-threaded runtime — against
//! the FerretDB the harness starts, or the MongoDB of `CLINIC_TEST_MONGODB_URI`. Each check gets a fresh
//! database.

use std::sync::Arc;
use std::time::Instant;

use clinic_core::testkit::{run_all, Spawner};
use clinic_mongo::test_support::TestMongo;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mongo_store_passes_the_conformance_kit() {
    let mongo = TestMongo::start().await.unwrap_or_else(|e| panic!("no MongoDB to test against: {e}"));
    let spawn: Spawner = Arc::new(|f| Box::pin(async move { tokio::spawn(f).await.expect("task panicked") }));
    let started = Instant::now();
    run_all(|| async { Arc::new(mongo.fresh_store("kit").await.unwrap_or_else(|e| panic!("{e}"))) }, spawn).await;
    eprintln!(
        "conformance kit passed against {} in {:.1?}",
        if mongo.is_ferretdb() { "FerretDB" } else { "CLINIC_TEST_MONGODB_URI" },
        started.elapsed()
    );
    mongo.drop_databases().await;
}
