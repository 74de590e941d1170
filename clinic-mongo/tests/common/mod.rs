//! Shared pieces of the clinic-mongo tests.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use clinic_core::ports::*;
use clinic_core::testkit::Spawner;
use clinic_core::{Appointment, AppointmentStatus, ClinicError, ErrorCode, Scheduler};
use futures::future::BoxFuture;

pub fn scheduler<S: Store + ?Sized>(store: Arc<S>, now: chrono::DateTime<chrono::Utc>) -> Scheduler<S> {
    Scheduler::new(store).with_clock(Arc::new(FixedClock::new(now)))
}

pub async fn active_of<S: Store + ?Sized>(store: &S, f: AppointmentFilter) -> Vec<Appointment> {
    let f = AppointmentFilter {
        statuses: vec![AppointmentStatus::Proposed, AppointmentStatus::Booked, AppointmentStatus::Arrived],
        ..f
    };
    store.list_appointments(&f).await.expect("list appointments")
}

pub type Booked = Result<Appointment, ClinicError>;

/// Runs `n` racers at once; results by racer index.
pub async fn race(spawn: &Spawner, n: usize, make: impl Fn(usize) -> BoxFuture<'static, Booked>) -> Vec<Booked> {
    let results: Arc<Mutex<Vec<Option<Booked>>>> = Arc::new(Mutex::new(vec![None; n]));
    let joins: Vec<_> = (0..n)
        .map(|i| {
            let fut = make(i);
            let results = results.clone();
            spawn(Box::pin(async move {
                let r = fut.await;
                results.lock().unwrap()[i] = Some(r);
            }))
        })
        .collect();
    futures::future::join_all(joins).await;
    let v = std::mem::take(&mut *results.lock().unwrap());
    v.into_iter().map(|r| r.expect("every racer finished")).collect()
}

pub fn assert_losers(results: &[Result<Appointment, ClinicError>], allowed: &[ErrorCode]) -> usize {
    results
        .iter()
        .filter(|r| match r {
            Ok(_) => true,
            Err(e) => {
                assert!(allowed.contains(&e.code()), "loser failed with {} ({e})", e.code());
                false
            }
        })
        .count()
}
