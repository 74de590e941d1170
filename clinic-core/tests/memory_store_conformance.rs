//! The in-memory store runs the conformance kit, races on a multi-threaded runtime.
#![cfg(feature = "testkit")]

use std::sync::Arc;

use clinic_core::testkit::{run_all, Spawner};
use clinic_core::InMemoryStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_memory_store_passes_the_conformance_kit() {
    let spawn: Spawner = Arc::new(|f| Box::pin(async move { tokio::spawn(f).await.expect("task panicked") }));
    run_all(|| async { Arc::new(InMemoryStore::new()) }, spawn).await;
}
