//! The independent tools tests check the project's output with (a Python venv with icalendar, jsonschema,
//! openpyxl and xlwt; `pdftotext`; the FHIR R4 JSON schema), installed by `scripts/test-tools.sh`. A missing tool fails the test with a
//! message saying how to install it: a check that cannot run must not pass.
#![allow(dead_code, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The workspace root (this crate's parent directory).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// `$CLINIC_TEST_PYTHON`, else the venv `scripts/test-tools.sh` creates at `target/py-venv`.
pub fn python() -> PathBuf {
    let p = std::env::var_os("CLINIC_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/py-venv/bin/python"));
    assert!(p.exists(), "{} is missing: run scripts/test-tools.sh (or set CLINIC_TEST_PYTHON)", p.display());
    p
}

/// Runs a Python script (given as source) with `args`, feeding `stdin`; returns stdout. Fails the test, with
/// the script's stderr, if it exits non-zero.
pub fn run_python(script: &str, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    child.stdin.take().expect("stdin").write_all(stdin).expect("write to python");
    let out = child.wait_with_output().expect("python output");
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The text of a PDF as `pdftotext -layout` extracts it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("clinic-pdf-{}-{}", std::process::id(), fastrand_suffix()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("report.pdf");
    std::fs::write(&file, pdf).expect("write pdf");
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext not runnable ({e}): run scripts/test-tools.sh"));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("pdftotext prints UTF-8")
}

fn fastrand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

/// The official FHIR R4 JSON schema, fetched (and hash-checked) by `scripts/fhir-schema.sh` into
/// `target/fhir-schema/`; `$CLINIC_FHIR_SCHEMA` overrides the path.
pub fn fhir_schema() -> PathBuf {
    let p = std::env::var_os("CLINIC_FHIR_SCHEMA")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/fhir-schema/fhir.schema.json"));
    assert!(p.exists(), "{} is missing: run scripts/test-tools.sh (or scripts/fhir-schema.sh)", p.display());
    p
}
