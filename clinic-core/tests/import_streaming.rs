//! The CSV import path streams: validating a 1,000,000-row file, generated on the fly by a `Read` that never
//! exists as a whole, keeps the heap flat. A counting global allocator measures the peak.
//!
//! The rows carry no MRN column: duplicate detection keeps a set of the MRNs seen, which grows with the
//! number of distinct MRNs by design (documented in `clinic_core::import`); everything else must not grow.

use cap::Cap;
use std::alloc::System;
use std::io::Read;

use clinic_core::import::{ImportOptions, PatientRows};
use clinic_core::ClinicId;

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

const ROWS: u64 = 1_000_000;

/// Produces the CSV row by row into the caller's buffer.
struct Generated {
    next_row: u64,
    pending: Vec<u8>,
    pos: usize,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.pending.len() {
            self.pending.clear();
            self.pos = 0;
            if self.next_row > ROWS {
                return Ok(0);
            }
            if self.next_row == 0 {
                self.pending
                    .extend_from_slice(b"\xEF\xBB\xBFFirst Name;Surname;DOB;E-mail;Phone;Street;City;Zip;Country\r\n");
            } else {
                let i = self.next_row;
                let dob = match i % 3 {
                    0 => format!("19{:02}-0{}-1{}", 40 + i % 60, 1 + i % 9, i % 10),
                    1 => format!("1{}/0{}/19{:02}", i % 10, 1 + i % 9, 40 + i % 60),
                    _ => format!("{}", 20_000 + i % 10_000),
                };
                // A phone on every 100th row keeps the debug-build run short; the bench covers phones at full rate.
                let phone = if i % 100 == 0 { "+44 20 7946 0958" } else { "" };
                let bad = if i % 20 == 0 { "1980-02-30" } else { &dob };
                let line = format!(
                    " Given{i} ;Family{i};{bad};P{i}@Example.ORG;{phone};{} High St;\"Town, {}\";AB{} 1CD;gb\r\n",
                    i % 300,
                    i % 97,
                    i % 10
                );
                self.pending.extend_from_slice(line.as_bytes());
            }
            self.next_row += 1;
        }
        let n = buf.len().min(self.pending.len() - self.pos);
        buf[..n].copy_from_slice(&self.pending[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn a_million_rows_validate_in_flat_memory() {
    // Warm up what is loaded once per process (phone metadata), so the bound measures the streaming only.
    let warm = "given,family,phone\nA,B,+442079460958\n";
    assert_eq!(PatientRows::from_csv(warm.as_bytes(), ClinicId::new(), &ImportOptions::default()).unwrap().count(), 1);
    let before = ALLOC.allocated();
    let src = Generated { next_row: 0, pending: Vec::new(), pos: 0 };
    let opts = ImportOptions::default();
    let rows = PatientRows::from_csv(src, ClinicId::new(), &opts).expect("header is fine");
    let (mut ok, mut rejected) = (0u64, 0u64);
    for r in rows {
        match r {
            Ok(_) => ok += 1,
            Err(r) => {
                if rejected == 0 {
                    eprintln!("first rejection: {r:?}");
                }
                rejected += 1
            }
        }
    }
    assert_eq!(ok + rejected, ROWS);
    assert_eq!(rejected, ROWS / 20, "every 20th row has an impossible date");
    let peak = ALLOC.max_allocated().saturating_sub(before);
    // The file is ~90 MB; holding it, or any per-row state, would blow far past this.
    assert!(peak < 2 << 20, "peak heap grew by {peak} bytes while streaming {ROWS} rows");
    eprintln!("peak heap above baseline: {peak} bytes");
}
