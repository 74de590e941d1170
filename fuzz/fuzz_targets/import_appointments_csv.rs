//! CSV appointment import: the pure half (`AppointmentRows`) and the use case
//! (`Scheduler::import_appointments`) against the conformance kit's seeded clinic (practitioners `Dr 0`–`Dr 2`,
//! types `Consultation` and `Group therapy`, room `Room 1`, patients `MRN-0000`…), so rows that name real
//! resources go through every booking rule.
//!
//! Input: 1 option byte (see `clinic_fuzz::import_options`), then the CSV file.
//! Checks: no panic; stored rows are in the store and nothing else changed; a dry run or a refused atomic
//! import leaves the store unchanged; after the import the occupancy invariant (rules 1 and 2) holds.
#![no_main]

use std::collections::HashMap;
use std::sync::Arc;

use clinic_core::import::{AppointmentRows, ImportMode, ImportSource};
use clinic_core::ports::{CatalogStore, FixedClock};
use clinic_core::rbac::Actor;
use clinic_core::{InMemoryStore, Scheduler};
use clinic_fuzz::{all_appointments, assert_occupancy_invariant, block_on, import_options, split_options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ([opt], csv) = split_options::<1>(data);
    let opts = import_options(opt);

    if let Ok(rows) = AppointmentRows::from_csv(csv, &opts) {
        for row in rows {
            if let Err(r) = row {
                assert!(!r.is_empty(), "a rejected row names at least one problem");
            }
        }
    }

    block_on(async {
        let store = Arc::new(InMemoryStore::new());
        let fx = clinic_core::testkit::seed(store.clone(), 3).await;
        let sch = Scheduler::new(store.clone()).with_clock(Arc::new(FixedClock::new(fx.now)));
        let clinic = fx.clinic.id();
        // One booking already there, so imported rows can collide with the store as well as with each other.
        let existing = sch
            .create_appointment(&Actor::system(), fx.request(0, 0, &fx.individual, fx.at(10, 0)))
            .await
            .expect("the seeded booking is valid");
        let before = all_appointments(&*store, clinic).await;
        let res = sch.import_appointments(&Actor::system(), clinic, ImportSource::Csv(Box::new(csv)), &opts).await;
        let after = all_appointments(&*store, clinic).await;
        match res {
            Ok(r) => {
                assert_eq!(r.accepted_ids.len(), r.stored);
                assert_eq!(after.len(), before.len() + r.stored, "stored count matches the store");
                assert!(r.rows >= r.rejected_rows);
                match r.mode {
                    ImportMode::DryRun => assert_eq!(r.stored, 0),
                    ImportMode::Atomic if r.rejected_rows > 0 => assert_eq!(r.stored, 0),
                    ImportMode::Atomic => assert_eq!(r.stored, r.valid),
                    ImportMode::Partial => assert_eq!(r.stored, r.valid),
                }
                assert_eq!(r.committed, r.stored > 0);
                assert!(
                    after.iter().any(|a| a.id() == existing.id() && a == &existing),
                    "the old booking is untouched"
                );
            }
            Err(_) => assert!(opts.mode == ImportMode::Partial || after == before, "a failed import changed the store"),
        }
        let types: HashMap<_, _> = store
            .list_appointment_types(clinic)
            .await
            .expect("in-memory store")
            .into_iter()
            .map(|t| (t.id(), t))
            .collect();
        assert_occupancy_invariant(&after, &types);
    });
});
