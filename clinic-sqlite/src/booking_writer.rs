//! Group commit of bookings: one writer commits every booking waiting at that moment in one transaction.
//!
//! With `synchronous=FULL` each commit waits for an `fsync`; one commit per booking made the write lock a
//! queue of `fsync`s, and under load most of a booking's latency was waiting in it. Here a caller queues its
//! [`BookingCommit`]s and waits; a flusher (on tokio's blocking pool, started when the queue turns
//! non-empty) takes everything queued, opens one `IMMEDIATE` transaction, runs each caller's commit in its
//! own savepoint — checking its guard versions against the rows the earlier savepoints wrote, so two
//! bookings of one slot in one batch still conflict — commits once, and only then answers every caller.
//! A stale or failed commit rolls back its savepoint alone; a failed transaction commit fails every caller
//! of the batch (none of them was acknowledged, none is stored). So every acknowledged booking is durable,
//! exactly as with one transaction per booking.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use tokio::sync::oneshot;

use clinic_core::error::ClinicError;
use clinic_core::ports::{BookingCommit, CommitOutcome, StoreResult};

use crate::store::{sql_err, write_appointment};

type Reply = oneshot::Sender<StoreResult<CommitOutcome>>;

struct Shared {
    conn: Arc<Mutex<Connection>>,
    pending: Mutex<Vec<(Vec<BookingCommit>, Reply)>>,
    /// A flusher is running (or about to): new bookings need no other.
    flushing: AtomicBool,
}

/// The queue in front of the write connection. Cloning shares it.
#[derive(Clone)]
pub struct BookingWriter {
    shared: Arc<Shared>,
}

impl BookingWriter {
    pub fn new(conn: Arc<Mutex<Connection>>) -> Self {
        BookingWriter {
            shared: Arc::new(Shared { conn, pending: Mutex::new(Vec::new()), flushing: AtomicBool::new(false) }),
        }
    }

    /// Queues one all-or-nothing group of commits and waits for the batch's transaction.
    pub async fn submit(&self, commits: Vec<BookingCommit>) -> StoreResult<CommitOutcome> {
        let (tx, rx) = oneshot::channel();
        self.shared.pending.lock().unwrap_or_else(PoisonError::into_inner).push((commits, tx));
        if !self.shared.flushing.swap(true, Ordering::AcqRel) {
            let shared = self.shared.clone();
            match tokio::runtime::Handle::try_current() {
                // The flusher blocks on fsync: the blocking pool, not a runtime worker.
                Ok(h) => drop(h.spawn_blocking(move || flush(&shared))),
                Err(_) => flush(&shared),
            }
        }
        rx.await.unwrap_or_else(|_| {
            Err(ClinicError::Store { message: "the booking writer stopped before committing".into(), retryable: true })
        })
    }
}

/// Clears `flushing` when a flusher ends abnormally (a panic must not stall every later booking).
struct FlushingFlag<'a>(&'a AtomicBool);

impl Drop for FlushingFlag<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

fn flush(shared: &Shared) {
    let flag = FlushingFlag(&shared.flushing);
    loop {
        let batch = std::mem::take(&mut *shared.pending.lock().unwrap_or_else(PoisonError::into_inner));
        if batch.is_empty() {
            shared.flushing.store(false, Ordering::Release);
            // A booking queued after the take saw `flushing` still set and started no flusher: take it on,
            // unless a new flusher already did.
            let more = !shared.pending.lock().unwrap_or_else(PoisonError::into_inner).is_empty();
            if more && !shared.flushing.swap(true, Ordering::AcqRel) {
                continue;
            }
            // The flag now belongs to whoever set it last.
            std::mem::forget(flag);
            return;
        }
        let (groups, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
        let results = match shared.conn.lock() {
            Ok(mut c) => commit_batch(&mut c, &groups),
            Err(_) => groups.iter().map(|_| Err(poisoned())).collect(),
        };
        for (reply, r) in replies.into_iter().zip(results) {
            let _ = reply.send(r);
        }
    }
}

fn poisoned() -> ClinicError {
    ClinicError::Store { message: "connection: poisoned by an earlier panic".into(), retryable: false }
}

/// One transaction for every group; one result per group, final only once the transaction committed.
fn commit_batch(c: &mut Connection, groups: &[Vec<BookingCommit>]) -> Vec<StoreResult<CommitOutcome>> {
    let fail_all = |e: ClinicError| groups.iter().map(|_| Err(e.clone())).collect();
    let mut tx = match c.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return fail_all(sql_err(e)),
    };
    let mut results = Vec::with_capacity(groups.len());
    for commits in groups {
        let sp = match tx.savepoint() {
            Ok(sp) => sp,
            Err(e) => return fail_all(sql_err(e)),
        };
        let r = apply(&sp, commits);
        if let Ok(CommitOutcome::Committed) = r {
            if let Err(e) = sp.commit() {
                return fail_all(sql_err(e));
            }
        }
        // Otherwise dropping the savepoint rolls its writes back (a stale batch is never half-written).
        results.push(r);
    }
    match tx.commit() {
        Ok(()) => results,
        Err(e) => fail_all(sql_err(e)),
    }
}

/// One caller's commits: every distinct guard and every expected version is checked, then every appointment
/// written and every guard occurrence bumped; `Stale` (or an error) leaves the savepoint to be rolled back.
fn apply(c: &Connection, commits: &[BookingCommit]) -> StoreResult<CommitOutcome> {
    let mut wanted: BTreeMap<String, u64> = BTreeMap::new();
    for g in commits.iter().flat_map(|c| &c.guards) {
        if *wanted.entry(g.key.as_text()).or_insert(g.version) != g.version {
            return Ok(CommitOutcome::Stale);
        }
    }
    {
        let mut read = c.prepare_cached("SELECT version FROM guards WHERE key = ?1").map_err(sql_err)?;
        for (key, version) in &wanted {
            let v: i64 = read.query_row([key], |r| r.get(0)).optional().map_err(sql_err)?.unwrap_or(0);
            if v as u64 != *version {
                return Ok(CommitOutcome::Stale);
            }
        }
    }
    for commit in commits {
        if let Some(expected) = commit.expected_version {
            let stored: Option<i64> = c
                .query_row(
                    "SELECT version FROM appointments WHERE id = ?1",
                    [commit.appointment.id().to_string()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sql_err)?;
            match stored {
                None => return Err(ClinicError::not_found("appointment", commit.appointment.id())),
                Some(v) if v as u64 != expected => return Ok(CommitOutcome::Stale),
                Some(_) => {}
            }
        }
        if !write_appointment(c, &commit.appointment, commit.expected_version)? {
            return Ok(CommitOutcome::Stale);
        }
    }
    let mut bump = c
        .prepare_cached(
            "INSERT INTO guards (key, version) VALUES (?1, 1) ON CONFLICT (key) DO UPDATE SET version = version + 1",
        )
        .map_err(sql_err)?;
    for g in commits.iter().flat_map(|c| &c.guards) {
        bump.execute([g.key.as_text()]).map_err(sql_err)?;
    }
    Ok(CommitOutcome::Committed)
}
