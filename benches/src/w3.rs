//! **W3 — import validation**: a generated patients CSV (`mrn, given_name, family_name, date_of_birth, sex,
//! phone, email, street, city, postal_code, country`; UTF-8 BOM, CRLF, `,`) of 100,000 rows, about 5% of them
//! bad on purpose — impossible dates (1980-02-30), bad e-mails, bad phones, missing names, duplicate MRNs —
//! and the good ones in every accepted form: ISO, `dd/mm/yyyy` and Excel-serial dates, national and
//! international phones, stray whitespace, mixed-case e-mails. The workload is parse → validate → normalize
//! of the whole file, in dry-run mode (no store), on one core.
//!
//! The data is a pure function of [`W3Params`]: the bench and the sanity tests see the same file, and the
//! number of rows planted bad is known, so a test can check the importer rejects exactly those.

use clinic_core::import::{ImportOptions, PatientRows};
use clinic_core::ClinicId;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;

#[derive(Debug, Clone)]
pub struct W3Params {
    pub seed: u64,
    pub rows: usize,
    /// Share of rows planted bad (each with exactly one problem).
    pub bad_share: f64,
}

impl W3Params {
    pub fn canonical() -> Self {
        W3Params { seed: 3, rows: 100_000, bad_share: 0.05 }
    }
}

#[derive(Debug, Clone)]
pub struct W3 {
    pub csv: Vec<u8>,
    pub rows: usize,
    /// Rows planted bad: the importer must reject exactly these.
    pub bad_rows: usize,
}

const GIVEN: &[&str] = &["Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara", "Émilie", "José", "Zoë", "Li"];
const FAMILY: &[&str] = &["Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "du Châtelet", "O'Brien"];
const CITIES: &[&str] = &["London", "Manchester", "Leeds", "Bristol", "York, North", "Bath"];

/// The options the workload runs with: UK clinic, day-first dates.
pub fn options() -> ImportOptions {
    ImportOptions { default_region: Some("GB".into()), ..ImportOptions::default() }
}

impl W3 {
    pub fn generate(p: &W3Params) -> W3 {
        let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
        let mut out = String::with_capacity(p.rows * 140);
        out.push('\u{feff}');
        out.push_str("mrn,given_name,family_name,date_of_birth,sex,phone,email,street,city,postal_code,country\r\n");
        let mut bad_rows = 0;
        // Rows stored under their own MRN: a planted duplicate repeats one of these.
        let mut good: Vec<usize> = Vec::with_capacity(p.rows);
        for i in 0..p.rows {
            let bad = i > 0 && rng.random_bool(p.bad_share);
            let kind = if bad { rng.random_range(0..6) } else { 99 };
            bad_rows += usize::from(bad);
            let mrn =
                if kind == 5 { format!("M{:07}", good[rng.random_range(0..good.len())]) } else { format!("M{i:07}") };
            if !bad {
                good.push(i);
            }
            let given = GIVEN[rng.random_range(0..GIVEN.len())];
            let given = if kind == 3 {
                "   ".to_string()
            } else if i % 7 == 0 {
                format!("  {given} ")
            } else {
                given.into()
            };
            let family = FAMILY[rng.random_range(0..FAMILY.len())];
            let (y, m, d) = (rng.random_range(1930..2020), rng.random_range(1..=12u32), rng.random_range(1..=28u32));
            let dob = match (kind, i % 4) {
                (0, _) => format!("{y}-02-30"),
                (4, _) => "31/04/1990".to_string(),
                (_, 0) => format!("{y}-{m:02}-{d:02}"),
                (_, 1) => format!("{d:02}/{m:02}/{y}"),
                // Excel serial of a day in 1930..2019.
                (_, 2) => format!("{}", rng.random_range(11_000..43_000)),
                _ => format!("{d}/{m}/{y}"),
            };
            let sex = ["F", "M", "f", "male", "", "U"][i % 6];
            let n = rng.random_range(0..1000u32);
            let phone = match (kind, i % 3) {
                (1, _) => "12345".to_string(),
                (_, 0) => format!("+44 20 7946 {n:04}"),
                (_, 1) => format!("020 7946 {n:04}"),
                _ => format!("07911 123{n:03}"),
            };
            let email = match kind {
                2 => format!("{}@@example.org", given.trim().to_lowercase()),
                _ if i % 5 == 0 => format!(" Patient.{i}@Example.ORG "),
                _ => format!("patient.{i}@example.org"),
            };
            let city = CITIES[i % CITIES.len()];
            let _ = write!(
                out,
                "{mrn},{given},{family},{dob},{sex},{phone},{email},{} High Street,\"{city}\",SW1A {}AA,GB\r\n",
                1 + i % 300,
                i % 10
            );
        }
        W3 { csv: out.into_bytes(), rows: p.rows, bad_rows }
    }

    /// The workload: every row through validation and normalization. Returns (accepted, rejected).
    pub fn validate(&self, opts: &ImportOptions) -> (usize, usize) {
        let rows = match PatientRows::from_csv(self.csv.as_slice(), ClinicId::new(), opts) {
            Ok(r) => r,
            Err(_) => return (0, self.rows),
        };
        rows.fold((0, 0), |(ok, bad), r| if r.is_ok() { (ok + 1, bad) } else { (ok, bad + 1) })
    }
}
