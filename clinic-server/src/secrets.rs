//! Secrets given to the server — signing keys, the database connection string, the SMTP password, webhook
//! secrets — from a flag, an environment variable, or a file (as a Vault agent or a Kubernetes secret volume
//! provides them), and kept out of every log line and error message.
//!
//! Two layers: [`Secret`] never prints its value (Debug and Display say `[redacted]`), and every value read
//! through [`value_or_file`] is remembered so that [`redact`] (applied to the log writer and to the final
//! error message of the binary) replaces it wherever a library quoted it anyway — a driver error that echoes
//! a connection string, for instance.
//!
//! Generic on purpose: any `--x` / `CLINIC_X` secret flag gets its `--x-file` / `CLINIC_X_FILE` twin by
//! calling [`value_or_file`] with both.

use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;
use std::sync::{OnceLock, RwLock};

use secrecy::{ExposeSecret, SecretString};

/// A secret string: its Debug and Display output is `[redacted]`.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps `value` and remembers it for [`redact`].
    pub fn new(value: impl Into<String>) -> Secret {
        let value = value.into();
        remember(&value);
        Secret(SecretString::from(value))
    }

    /// The value, for the one place that must use it (a key, a connection, a login).
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn to_secret_string(&self) -> SecretString {
        self.0.clone()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// So that clap can parse a secret flag straight into a [`Secret`].
impl FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret::new(s))
    }
}

/// Shorter values are not redacted by text replacement (they would blank out ordinary words); they still
/// never print through [`Secret`].
const MIN_REDACTED_LEN: usize = 4;

/// Written at start-up, read by every log line: a read lock keeps concurrent requests' log lines from
/// queueing behind one another.
fn known() -> &'static RwLock<Vec<String>> {
    static KNOWN: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    KNOWN.get_or_init(|| RwLock::new(Vec::new()))
}

/// Remembers `value` (and, for a connection string, its password) for [`redact`].
pub fn remember(value: &str) {
    let mut parts = vec![value.to_string()];
    if let Some(pw) = uri_password(value) {
        parts.push(percent_encoding::percent_decode_str(&pw).decode_utf8_lossy().into_owned());
        parts.push(pw);
    }
    if let Ok(mut k) = known().write() {
        for p in parts {
            if p.len() >= MIN_REDACTED_LEN && !k.contains(&p) {
                k.push(p);
            }
        }
        // Longest first, so a URI is replaced whole before its password alone is looked for.
        k.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// `text` with every remembered secret replaced by `[redacted]` (borrowed when there is none in it, the
/// usual case for a log line).
pub fn redact(text: &str) -> Cow<'_, str> {
    let Ok(k) = known().read() else { return Cow::Borrowed(text) };
    let mut out = Cow::Borrowed(text);
    for s in k.iter() {
        if out.contains(s.as_str()) {
            out = Cow::Owned(out.replace(s.as_str(), "[redacted]"));
        }
    }
    out
}

/// The password of a `scheme://user:password@host…` string, as written (maybe percent-encoded).
fn uri_password(s: &str) -> Option<String> {
    let rest = s.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    let userinfo = authority.rsplit_once('@')?.0;
    let pw = userinfo.split_once(':')?.1;
    (!pw.is_empty()).then(|| pw.to_string())
}

/// Reads a secret file: its content without one final line ending (editors and `echo` add one).
pub fn read_file(flag: &str, path: &Path) -> Result<Secret, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{flag}: cannot read {}: {e}", path.display()))?;
    let value = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
    if value.is_empty() {
        return Err(format!("{flag}: {} is empty", path.display()));
    }
    Ok(Secret::new(value))
}

/// The secret of `--x` (already parsed, from the flag or `CLINIC_X`) or of `--x-file` (`CLINIC_X_FILE`);
/// both at once is an error, neither is `None`. `name` is the flag without dashes, for messages.
pub fn value_or_file(name: &str, value: Option<Secret>, file: Option<&Path>) -> Result<Option<Secret>, String> {
    match (value, file) {
        (Some(_), Some(_)) => Err(format!("--{name} and --{name}-file are both set; give one")),
        (Some(v), None) => {
            remember(v.expose());
            Ok(Some(v))
        }
        (None, Some(p)) => read_file(&format!("--{name}-file"), p).map(Some),
        (None, None) => Ok(None),
    }
}

/// Creates `path` (which must not exist) with `bytes`, readable by the owner only: a generated key (the token
/// secret, the demo's encryption key) is a secret file like the ones given with `--*-file`.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    f.write_all(bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A log writer that redacts every remembered secret from what it writes (the binary's stderr logs).
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactingStderr;

impl std::io::Write for RedactingStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        std::io::stderr().lock().write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RedactingStderr {
    type Writer = RedactingStderr;
    fn make_writer(&'a self) -> Self::Writer {
        RedactingStderr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
        assert_eq!(s.expose(), "hunter2-very-secret");
    }

    #[test]
    fn files_lose_one_final_newline_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s");
        std::fs::write(&p, "  abc def\n").unwrap();
        assert_eq!(read_file("--x-file", &p).unwrap().expose(), "  abc def");
        std::fs::write(&p, "abc\r\n").unwrap();
        assert_eq!(read_file("--x-file", &p).unwrap().expose(), "abc");
        std::fs::write(&p, "abc\n\n").unwrap();
        assert_eq!(read_file("--x-file", &p).unwrap().expose(), "abc\n");
        std::fs::write(&p, "\n").unwrap();
        assert!(read_file("--x-file", &p).unwrap_err().contains("is empty"));
        let missing = read_file("--x-file", &dir.path().join("nope")).unwrap_err();
        assert!(missing.starts_with("--x-file: cannot read"), "{missing}");
    }

    #[test]
    fn value_or_file_refuses_both() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s");
        std::fs::write(&p, "from-file-1234\n").unwrap();
        assert!(value_or_file("jwt-secret", Some(Secret::new("x-1234")), Some(&p)).is_err());
        assert_eq!(value_or_file("jwt-secret", None, Some(&p)).unwrap().unwrap().expose(), "from-file-1234");
        assert!(value_or_file("jwt-secret", None, None).unwrap().is_none());
    }

    #[test]
    fn redact_replaces_uri_passwords_encoded_or_not() {
        remember("mongodb://clinic:p%40ss-Word-77@db.example:27017/clinic");
        let t = redact("connect to mongodb://clinic:p%40ss-Word-77@db.example:27017/clinic failed; pw p@ss-Word-77");
        assert!(!t.contains("ss-Word-77"), "{t}");
        assert_eq!(uri_password("mongodb://db:27017/x"), None);
        assert_eq!(uri_password("mongodb://u:@db"), None);
    }
}
