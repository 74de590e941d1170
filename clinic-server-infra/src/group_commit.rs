//! Group commit: many concurrent callers' records written by one writer in one durable commit.
//!
//! Every audited request and every committed booking appends a record (audit entry, feed event). One commit
//! per record means one `fsync` per record, taken one after the other — under load the queue behind that
//! lock was most of a booking's latency. Here a caller queues its record and waits; one flusher (spawned
//! when the queue turns non-empty) takes everything queued, writes it as one batch, hands each caller its
//! own result, and repeats while records keep arriving. A caller still returns only after its record is
//! committed, so nothing acknowledged is lost; order within a writer is queue order.
//!
//! The flusher is a task of its own, so a caller that gives up (a client that disconnects) cannot abandon
//! a half-done batch that other callers wait for.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use tokio::sync::oneshot;

use crate::error::{InfraError, Result};

/// Writes a batch durably.
#[async_trait]
pub trait BatchWrite: Send + 'static {
    type Item: Send + 'static;
    type Output: Send + 'static;
    /// Writes `items` in order; one result per item, in the same order.
    async fn write(&mut self, items: Vec<Self::Item>) -> Vec<Result<Self::Output>>;
}

type Pending<W> = Vec<(<W as BatchWrite>::Item, oneshot::Sender<Result<<W as BatchWrite>::Output>>)>;

struct Shared<W: BatchWrite> {
    pending: Mutex<Pending<W>>,
    /// A flusher is running (or about to): new items need no other.
    flushing: AtomicBool,
    writer: tokio::sync::Mutex<W>,
}

/// A queue in front of one [`BatchWrite`]. Cloning shares the queue.
pub struct GroupCommit<W: BatchWrite> {
    shared: Arc<Shared<W>>,
}

impl<W: BatchWrite> Clone for GroupCommit<W> {
    fn clone(&self) -> Self {
        GroupCommit { shared: self.shared.clone() }
    }
}

impl<W: BatchWrite> std::fmt::Debug for GroupCommit<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

impl<W: BatchWrite> GroupCommit<W> {
    pub fn new(writer: W) -> Self {
        GroupCommit {
            shared: Arc::new(Shared {
                pending: Mutex::new(Vec::new()),
                flushing: AtomicBool::new(false),
                writer: tokio::sync::Mutex::new(writer),
            }),
        }
    }

    /// Queues `item` and waits until the batch holding it is committed.
    pub async fn submit(&self, item: W::Item) -> Result<W::Output> {
        let (tx, rx) = oneshot::channel();
        self.shared.pending.lock().unwrap_or_else(PoisonError::into_inner).push((item, tx));
        if !self.shared.flushing.swap(true, Ordering::AcqRel) {
            let shared = self.shared.clone();
            match tokio::runtime::Handle::try_current() {
                Ok(h) => {
                    h.spawn(flush(shared));
                }
                Err(_) => flush(shared).await,
            }
        }
        rx.await.unwrap_or_else(|_| Err(InfraError::store("the record writer stopped before committing")))
    }
}

/// Clears `flushing` however the flusher ends (a panicking writer must not stall every later caller).
struct FlushingFlag<'a>(&'a AtomicBool);

impl Drop for FlushingFlag<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

async fn flush<W: BatchWrite>(shared: Arc<Shared<W>>) {
    let _flag = FlushingFlag(&shared.flushing);
    let mut writer = shared.writer.lock().await;
    loop {
        let batch = std::mem::take(&mut *shared.pending.lock().unwrap_or_else(PoisonError::into_inner));
        if batch.is_empty() {
            shared.flushing.store(false, Ordering::Release);
            // An item queued after the take saw `flushing` still set and started no flusher: take it on,
            // unless a new flusher already did.
            let more = !shared.pending.lock().unwrap_or_else(PoisonError::into_inner).is_empty();
            if more && !shared.flushing.swap(true, Ordering::AcqRel) {
                continue;
            }
            // The flag now belongs to whoever set it last.
            std::mem::forget(_flag);
            return;
        }
        let (items, senders): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
        let n = items.len();
        let mut results = writer.write(items).await;
        results.resize_with(n, || Err(InfraError::Internal("the batch writer returned too few results".into())));
        for (tx, r) in senders.into_iter().zip(results) {
            let _ = tx.send(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records batches; fails items equal to 13; `slow` holds each batch 2 ms (tokio's timer) so queues form.
    struct Recorder {
        batches: Arc<Mutex<Vec<Vec<u32>>>>,
        slow: bool,
    }

    #[async_trait]
    impl BatchWrite for Recorder {
        type Item = u32;
        type Output = u32;
        async fn write(&mut self, items: Vec<u32>) -> Vec<Result<u32>> {
            if self.slow {
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
            self.batches.lock().unwrap().push(items.clone());
            items.into_iter().map(|i| if i == 13 { Err(InfraError::store("thirteen")) } else { Ok(i * 2) }).collect()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn every_caller_gets_its_own_result_and_batches_form_under_load() {
        let batches = Arc::new(Mutex::new(Vec::new()));
        let gc = GroupCommit::new(Recorder { batches: batches.clone(), slow: true });
        let tasks: Vec<_> = (0..200u32)
            .map(|i| {
                let gc = gc.clone();
                tokio::spawn(async move { (i, gc.submit(i).await) })
            })
            .collect();
        for t in tasks {
            let (i, r) = t.await.unwrap();
            if i == 13 {
                assert!(r.is_err(), "the failed item's caller sees the failure");
            } else {
                assert_eq!(r.unwrap(), i * 2, "caller {i} got its own result");
            }
        }
        let (mut all, batch_count) = {
            let batches = batches.lock().unwrap();
            (batches.iter().flatten().copied().collect::<Vec<u32>>(), batches.len())
        };
        all.sort();
        assert_eq!(all, (0..200).collect::<Vec<_>>(), "every item written exactly once");
        assert!(batch_count < 200, "concurrent items shared commits ({batch_count} batches)");
        // Nothing is left queued: a later item is still written.
        assert_eq!(gc.submit(7).await.unwrap(), 14);
    }

    #[test]
    fn works_without_a_runtime() {
        let batches = Arc::new(Mutex::new(Vec::new()));
        let gc = GroupCommit::new(Recorder { batches: batches.clone(), slow: false });
        // No tokio runtime here: the caller flushes inline.
        assert_eq!(futures::executor::block_on(gc.submit(4)).unwrap(), 8);
        assert_eq!(futures::executor::block_on(gc.submit(5)).unwrap(), 10);
        assert_eq!(*batches.lock().unwrap(), vec![vec![4], vec![5]]);
    }
}
