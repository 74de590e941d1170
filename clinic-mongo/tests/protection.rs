//! `MongoStore` with patient PHI sealed (clinic-protect) runs the core's whole conformance kit against the
//! FerretDB the harness starts (or `CLINIC_TEST_MONGODB_URI`), with two live keys so that every search goes
//! through blind indexes under both.

use std::sync::Arc;

use clinic_core::testkit::{run_all, Spawner};
use clinic_mongo::test_support::TestMongo;
use clinic_protect::Keyring;

const KEYS: &str = "old:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n\
                    new:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sealed_mongo_store_passes_the_conformance_kit() {
    let mongo = TestMongo::start().await.unwrap_or_else(|e| panic!("no MongoDB to test against: {e}"));
    let ring = Arc::new(Keyring::parse(KEYS).unwrap_or_else(|e| panic!("{e}")));
    let spawn: Spawner = Arc::new(|f| Box::pin(async move { tokio::spawn(f).await.expect("task panicked") }));
    run_all(
        || async {
            let store = mongo.fresh_store("kit-sealed").await.unwrap_or_else(|e| panic!("{e}"));
            Arc::new(store.with_protection(ring.clone()).await.unwrap_or_else(|e| panic!("{e}")))
        },
        spawn,
    )
    .await;
    mongo.drop_databases().await;
}
