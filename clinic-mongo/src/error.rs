//! Driver errors → the engine's error vocabulary (`STORE_UNAVAILABLE` via [`ClinicError::Store`]).

use mongodb::error::{Error, ErrorKind, WriteFailure};

use clinic_core::ClinicError;

/// Server codes that mean "the server is (temporarily) not able to serve", not "the request is wrong".
const TRANSIENT_CODES: &[i32] = &[
    6,     // HostUnreachable
    7,     // HostNotFound
    89,    // NetworkTimeout
    91,    // ShutdownInProgress
    189,   // PrimarySteppedDown
    262,   // ExceededTimeLimit
    9001,  // SocketException
    10107, // NotWritablePrimary
    11600, // InterruptedAtShutdown
    11602, // InterruptedDueToReplStateChange
    13435, // NotPrimaryNoSecondaryOk
    13436, // NotPrimaryOrSecondary
    64,    // WriteConcernFailed (wtimeout)
];

/// The server code of a command or write error, if any.
pub(crate) fn server_code(e: &Error) -> Option<i32> {
    match e.kind.as_ref() {
        ErrorKind::Command(c) => Some(c.code),
        ErrorKind::Write(WriteFailure::WriteError(w)) => Some(w.code),
        ErrorKind::Write(WriteFailure::WriteConcernError(w)) => Some(w.code),
        ErrorKind::InsertMany(m) => m
            .write_errors
            .as_ref()
            .and_then(|v| v.first().map(|w| w.code))
            .or_else(|| m.write_concern_error.as_ref().map(|w| w.code)),
        _ => None,
    }
}

/// E11000: a unique index (the `_id` or another) refused the write. FerretDB 1.24 (SQLite back end) reports
/// E11000 for inserts, but an update or replace that would break a unique index fails with `InternalError`
/// and SQLite's "UNIQUE constraint failed" message.
pub(crate) fn is_duplicate_key(e: &Error) -> bool {
    match e.kind.as_ref() {
        ErrorKind::Command(c) if c.code == 1 => c.message.contains("UNIQUE constraint failed"),
        _ => server_code(e) == Some(11000),
    }
}

/// Whether repeating the call may succeed (the server was unreachable or busy, not the request wrong).
pub(crate) fn is_retryable(e: &Error) -> bool {
    match e.kind.as_ref() {
        ErrorKind::Io(_)
        | ErrorKind::ConnectionPoolCleared { .. }
        | ErrorKind::ServerSelection { .. }
        | ErrorKind::DnsResolve { .. } => true,
        _ => {
            e.contains_label("RetryableWriteError")
                || e.contains_label("TransientTransactionError")
                || server_code(e).is_some_and(|c| TRANSIENT_CODES.contains(&c))
        }
    }
}

/// A driver error as `STORE_UNAVAILABLE`, saying what the store was doing.
pub(crate) fn store_error(what: &str, e: Error) -> ClinicError {
    let retryable = is_retryable(&e);
    let detail = match e.kind.as_ref() {
        ErrorKind::ServerSelection { message, .. } => format!("MongoDB is unreachable (no server answered): {message}"),
        ErrorKind::InvalidArgument { message, .. } => format!("invalid MongoDB connection settings: {message}"),
        ErrorKind::DnsResolve { message, .. } => format!("cannot resolve the MongoDB host: {message}"),
        ErrorKind::Io(io) => format!("connection to MongoDB failed: {io}"),
        ErrorKind::Authentication { message, .. } => format!("MongoDB authentication failed: {message}"),
        _ => e.to_string(),
    };
    ClinicError::Store { message: format!("MongoDB {what}: {detail}"), retryable }
}
