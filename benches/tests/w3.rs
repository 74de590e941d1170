//! W3's data is deterministic and the importer rejects exactly the rows planted bad — so the README figure
//! measures a file with the advertised mix.

use clinic_benches::w3::{options, W3Params, W3};

#[test]
fn w3_rejects_exactly_the_planted_rows() {
    let p = W3Params { rows: 5_000, ..W3Params::canonical() };
    let a = W3::generate(&p);
    assert_eq!(a.csv, W3::generate(&p).csv, "same seed, same file");
    assert!(a.csv.starts_with(b"\xEF\xBB\xBF"), "the file has a BOM");
    let share = a.bad_rows as f64 / a.rows as f64;
    assert!((0.03..0.07).contains(&share), "about 5% bad: {share}");
    let (ok, bad) = a.validate(&options());
    assert_eq!((ok, bad), (a.rows - a.bad_rows, a.bad_rows));
}
