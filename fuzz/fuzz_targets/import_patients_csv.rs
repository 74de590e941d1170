//! CSV patient import: the pure half (`PatientRows`, streaming) and the use case (`Scheduler::import_patients`)
//! in the mode the first byte picks, against an in-memory store that already holds a few patients.
//!
//! Input: 1 option byte (see `clinic_fuzz::import_options`), then the CSV file.
//! Checks: no panic; the report adds up (rows = valid + rejected, what the mode stores is what was valid);
//! a dry run or a refused atomic import leaves the store unchanged; no MRN is ever stored twice; the rejection
//! report writes back out as CSV.
#![no_main]

use std::sync::Arc;

use clinic_core::import::{write_rejections_csv, ImportMode, ImportSource, PatientRows};
use clinic_core::ports::{PatientQuery, PatientStore};
use clinic_core::rbac::Actor;
use clinic_core::{ClinicId, InMemoryStore, Scheduler};
use clinic_fuzz::{assert_mrns_unique, block_on, import_options, split_options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ([opt], csv) = split_options::<1>(data);
    let opts = import_options(opt);

    // The pure half, streamed from a reader (the path a browser or binding uses).
    if let Ok(rows) = PatientRows::from_csv(csv, ClinicId::new(), &opts) {
        let mut rejections = Vec::new();
        for row in rows {
            match row {
                // Lines count from 1 (by `\n`: bare-CR files report line 1, a known gap — README "Import").
                Ok(p) => assert!(p.row >= 1, "rows are numbered from 1"),
                Err(r) => {
                    assert!(!r.is_empty(), "a rejected row names at least one problem");
                    rejections.extend(r);
                }
            }
        }
        let mut out = Vec::new();
        write_rejections_csv(&mut out, &rejections).expect("writing to a Vec cannot fail");
    }

    // The use case over a store.
    block_on(async {
        let store = Arc::new(InMemoryStore::new());
        let fx = clinic_core::testkit::seed(store.clone(), 2).await;
        let sch = Scheduler::new(store.clone());
        let count = || async {
            let q = PatientQuery { clinic_id: Some(fx.clinic.id()), ..Default::default() };
            store.find_patients(&q).await.expect("in-memory store").len()
        };
        let before = count().await;
        let res = sch.import_patients(&Actor::system(), fx.clinic.id(), ImportSource::Csv(Box::new(csv)), &opts).await;
        let after = count().await;
        match res {
            Ok(r) => {
                assert_eq!(r.rows, r.valid + r.rejected_rows, "{r:?}");
                assert_eq!(after - before, r.stored, "stored count matches the store");
                assert_eq!(r.accepted_ids.len(), r.stored);
                match r.mode {
                    ImportMode::DryRun => assert_eq!(r.stored, 0),
                    ImportMode::Atomic if r.rejected_rows > 0 => assert_eq!(r.stored, 0),
                    ImportMode::Atomic | ImportMode::Partial => assert_eq!(r.stored, r.valid),
                }
                assert_eq!(r.committed, r.stored > 0);
            }
            Err(_) => assert!(opts.mode == ImportMode::Partial || after == before, "a failed import changed the store"),
        }
        assert_mrns_unique(&*store, fx.clinic.id()).await;
    });
});
