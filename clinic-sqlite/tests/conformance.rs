//! The SQLite store passes the conformance kit, races included — on a file (WAL, synchronous=FULL) and
//! in memory.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use clinic_core::testkit::{run_all, Spawner};
use clinic_sqlite::SqliteStore;

fn spawner() -> Spawner {
    Arc::new(|f| Box::pin(async move { tokio::spawn(f).await.expect("task panicked") }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn file_store_passes_the_conformance_kit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let counter = AtomicUsize::new(0);
    run_all(
        || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let path = dir.path().join(format!("kit-{n}.db"));
            async move { Arc::new(SqliteStore::open(path).expect("open store")) }
        },
        spawner(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_memory_sqlite_passes_the_conformance_kit() {
    run_all(|| async { Arc::new(SqliteStore::open_in_memory().expect("open store")) }, spawner()).await;
}
