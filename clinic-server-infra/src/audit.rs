//! The append-only, hash-chained audit log of patient-data access.
//!
//! Entry `n` stores `hash = SHA-256(canonical bytes of entry n including prev_hash)` and `prev_hash` = entry
//! `n-1`'s hash (64 zeros for the first). Editing an entry changes its hash; deleting, inserting or
//! reordering entries breaks a link or leaves a gap in `seq`; [`verify_entries`] says at which `seq`.
//! Removing entries from the *end* cannot be seen from the chain alone: keep the head
//! ([`AuditReport::head`]) somewhere else (a ticket, a log shipper) and compare it with
//! [`AuditLog::verify_with_anchor`].
//!
//! Appending is a compare-and-set on `seq` (a unique key): two appenders, in one process or in two server
//! instances on one MongoDB, never fork the chain — the loser re-reads the head and links after the winner.
//!
//! Entries carry ids and codes only, never names, phone numbers or free text: every text field is checked
//! against a narrow alphabet so PII cannot slip in by mistake.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use clinic_core::ids::UserId;
use clinic_core::rbac::Role;
use clinic_core::ErrorCode;

use crate::error::{InfraError, Result};
use crate::group_commit::{BatchWrite, GroupCommit};
use crate::store::InfraStore;

/// `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acted. `None` user: the system itself or an unauthenticated caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditActor {
    pub user_id: Option<UserId>,
    pub role: Option<Role>,
}

/// What was acted on: a kind (`patient`, `appointment`, `user`, …) and its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditTarget {
    pub kind: String,
    pub id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    Success,
    /// Refused by authentication or authorization.
    Denied,
    /// Failed for another reason (validation, conflict, store error).
    Failed,
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Denied => "denied",
            AuditOutcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "success" => Some(AuditOutcome::Success),
            "denied" => Some(AuditOutcome::Denied),
            "failed" => Some(AuditOutcome::Failed),
            _ => None,
        }
    }
}

/// What the server records; the log adds `seq`, `prev_hash` and `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    pub at: DateTime<Utc>,
    pub actor: AuditActor,
    /// A dotted verb such as `patient.read`, `appointment.create`, `auth.login`.
    pub action: String,
    pub target: AuditTarget,
    /// The client's IP address (as the server saw it).
    pub client: Option<String>,
    pub outcome: AuditOutcome,
    /// The error code when the outcome is not success (`FORBIDDEN`, `SLOT_CONFLICT_ROOM`, …).
    pub code: Option<String>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    /// Millisecond precision (what every store keeps exactly).
    pub at: DateTime<Utc>,
    pub actor: AuditActor,
    pub action: String,
    pub target: AuditTarget,
    pub client: Option<String>,
    pub outcome: AuditOutcome,
    pub code: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hashed form: a fixed field order and fixed formats, so the bytes do not depend on the store.
#[derive(Serialize)]
struct Canonical<'a> {
    v: u8,
    seq: u64,
    at: String,
    actor_user: Option<String>,
    actor_role: Option<Role>,
    action: &'a str,
    target_kind: &'a str,
    target_id: Option<&'a str>,
    client: Option<&'a str>,
    outcome: &'static str,
    code: Option<&'a str>,
    prev_hash: &'a str,
}

/// The timestamp format inside the hash: RFC 3339, UTC, milliseconds.
pub fn canonical_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

impl AuditEntry {
    /// The bytes the hash covers (everything but `hash`).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let c = Canonical {
            v: 1,
            seq: self.seq,
            at: canonical_time(self.at),
            actor_user: self.actor.user_id.map(|u| u.to_string()),
            actor_role: self.actor.role,
            action: &self.action,
            target_kind: &self.target.kind,
            target_id: self.target.id.as_deref(),
            client: self.client.as_deref(),
            outcome: self.outcome.as_str(),
            code: self.code.as_deref(),
            prev_hash: &self.prev_hash,
        };
        // Serializing a struct of strings and integers cannot fail.
        serde_json::to_vec(&c).unwrap_or_default()
    }

    /// The hash this entry should have.
    pub fn compute_hash(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_bytes()))
    }

    fn link(seq: u64, prev_hash: String, e: &NewAuditEntry) -> AuditEntry {
        let mut entry = AuditEntry {
            seq,
            at: e.at.trunc_subsecs(3),
            actor: e.actor.clone(),
            action: e.action.clone(),
            target: e.target.clone(),
            client: e.client.clone(),
            outcome: e.outcome,
            code: e.code.clone(),
            prev_hash,
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }
}

fn check_token(field: &'static str, s: &str, max: usize, extra: &[char]) -> Result<()> {
    if s.is_empty() || s.len() > max {
        return Err(InfraError::invalid(ErrorCode::TooLong, field, format!("1 to {max} characters")));
    }
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(&c)) {
        return Err(InfraError::invalid(
            ErrorCode::InvalidId,
            field,
            "ids and codes only (ASCII letters, digits and a few separators): no names or free text",
        ));
    }
    Ok(())
}

impl NewAuditEntry {
    /// Checks that every text field is an identifier or code, so no PII can be logged by mistake.
    pub fn validate(&self) -> Result<()> {
        check_token("action", &self.action, 64, &['.', '_', '-'])?;
        check_token("target.kind", &self.target.kind, 64, &['.', '_', '-'])?;
        if let Some(id) = &self.target.id {
            check_token("target.id", id, 128, &['.', '_', '-', ':'])?;
        }
        if let Some(c) = &self.client {
            if c.parse::<std::net::IpAddr>().is_err() {
                return Err(InfraError::invalid(ErrorCode::InvalidId, "client", "must be an IP address"));
            }
        }
        if let Some(code) = &self.code {
            check_token("code", code, 64, &['_'])?;
        }
        Ok(())
    }
}

/// What went wrong in the chain, at [`AuditProblem::seq`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditProblemKind {
    /// The entry's content does not match its hash: it was edited.
    Edited,
    /// The entry's `prev_hash` is not the previous entry's hash: an entry was inserted, removed and the rest
    /// renumbered, or entries were reordered.
    BrokenLink,
    /// The entry with this `seq` is missing (deleted).
    Missing,
    /// This `seq` comes after a higher or equal one (a reordered or duplicated export).
    OutOfOrder,
    /// The log ends before (or differs at) the anchor given to [`AuditLog::verify_with_anchor`]: entries were
    /// removed from the end.
    Truncated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AuditProblem {
    pub seq: u64,
    pub kind: AuditProblemKind,
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            AuditProblemKind::Edited => "was edited (content does not match its hash)",
            AuditProblemKind::BrokenLink => "does not link to the previous entry (inserted, reordered or renumbered)",
            AuditProblemKind::Missing => "is missing (deleted)",
            AuditProblemKind::OutOfOrder => "is out of order",
            AuditProblemKind::Truncated => "is missing at the end of the log (truncated after the anchor)",
        };
        write!(f, "audit entry {} {what}", self.seq)
    }
}

/// The result of a verification: the first problem found, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Entries checked.
    pub checked: u64,
    /// `(seq, hash)` of the last entry: record it elsewhere to detect truncation later.
    pub head: Option<(u64, String)>,
    pub problem: Option<AuditProblem>,
}

impl AuditReport {
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// Incremental verifier (so the store can be read page by page).
#[derive(Debug, Clone)]
struct Verifier {
    checked: u64,
    last: Option<(u64, String)>,
    problem: Option<AuditProblem>,
}

impl Verifier {
    fn new() -> Self {
        Verifier { checked: 0, last: None, problem: None }
    }

    fn push(&mut self, e: &AuditEntry) {
        if self.problem.is_some() {
            return;
        }
        self.checked += 1;
        let (expected_seq, expected_prev) = match &self.last {
            None => (1, GENESIS_HASH.to_string()),
            Some((s, h)) => (s + 1, h.clone()),
        };
        let problem = if e.seq < expected_seq {
            Some(AuditProblemKind::OutOfOrder)
        } else if e.seq > expected_seq {
            self.problem = Some(AuditProblem { seq: expected_seq, kind: AuditProblemKind::Missing });
            return;
        } else if e.compute_hash() != e.hash {
            Some(AuditProblemKind::Edited)
        } else if e.prev_hash != expected_prev {
            Some(AuditProblemKind::BrokenLink)
        } else {
            None
        };
        match problem {
            Some(kind) => self.problem = Some(AuditProblem { seq: e.seq, kind }),
            None => self.last = Some((e.seq, e.hash.clone())),
        }
    }

    fn finish(self) -> AuditReport {
        AuditReport { checked: self.checked, head: self.last, problem: self.problem }
    }
}

/// Verifies a sequence of entries as read (or exported), in the order given.
pub fn verify_entries<'a>(entries: impl IntoIterator<Item = &'a AuditEntry>) -> AuditReport {
    let entries: Vec<&AuditEntry> = entries.into_iter().collect();
    let mut v = Verifier::new();
    for e in &entries {
        v.push(e);
    }
    let mut report = v.finish();
    // In a store (read by seq) a gap is a deletion; in a given sequence the "missing" entry may just come
    // later: then it is a reordering.
    if let Some(p) = report.problem.as_mut() {
        if p.kind == AuditProblemKind::Missing && entries.iter().any(|e| e.seq == p.seq) {
            p.kind = AuditProblemKind::OutOfOrder;
        }
    }
    report
}

/// How many times an appender retries when other appenders keep taking the next `seq`.
const MAX_APPEND_ATTEMPTS: usize = 200;
const VERIFY_PAGE: usize = 1000;

/// Appends to and verifies the audit log over an [`InfraStore`].
///
/// Appends are group-committed (see `crate::group_commit`): entries queued while a batch is being written go
/// into the next batch, linked in queue order and stored in one commit; each caller returns once its own
/// entry is stored. Across instances the store's compare-and-set on `seq` still decides.
#[derive(Debug, Clone)]
pub struct AuditLog {
    store: Arc<dyn InfraStore>,
    appender: GroupCommit<Appender>,
}

/// The one writer of this log in this process: links queued entries after the head and stores them.
struct Appender {
    store: Arc<dyn InfraStore>,
    /// `(seq, hash)` of the last entry this writer stored or read: saves a head read per batch. When another
    /// appender (another instance, another `AuditLog` on the same store) moved the head, the
    /// compare-and-set fails and the head is read again.
    head: Option<(u64, String)>,
}

impl Appender {
    async fn head(&mut self) -> Result<(u64, String)> {
        if let Some(h) = self.head.take() {
            return Ok(h);
        }
        Ok(match self.store.audit_last().await? {
            None => (0, GENESIS_HASH.to_string()),
            Some(l) => (l.seq, l.hash),
        })
    }
}

#[async_trait::async_trait]
impl BatchWrite for Appender {
    type Item = NewAuditEntry;
    type Output = AuditEntry;

    async fn write(&mut self, items: Vec<NewAuditEntry>) -> Vec<Result<AuditEntry>> {
        let mut done: Vec<Result<AuditEntry>> = Vec::with_capacity(items.len());
        let mut attempt = 0;
        while done.len() < items.len() {
            if attempt == MAX_APPEND_ATTEMPTS {
                let e = InfraError::Store {
                    message: "audit log: could not append after many attempts (heavy contention)".into(),
                    retryable: true,
                };
                done.resize_with(items.len(), || Err(e.clone()));
                break;
            }
            let (mut seq, mut prev) = match self.head().await {
                Ok(h) => h,
                Err(e) => {
                    done.resize_with(items.len(), || Err(e.clone()));
                    break;
                }
            };
            let linked: Vec<AuditEntry> = items[done.len()..]
                .iter()
                .map(|e| {
                    seq += 1;
                    let l = AuditEntry::link(seq, std::mem::take(&mut prev), e);
                    prev = l.hash.clone();
                    l
                })
                .collect();
            match self.store.audit_try_append_many(&linked).await {
                Ok(n) if n == linked.len() => {
                    self.head = Some((seq, prev));
                    done.extend(linked.into_iter().map(Ok));
                }
                Ok(n) => {
                    // Another appender took the next `seq`: keep what went in, re-read the head, back off a
                    // little (jittered) and link the rest after the winner.
                    done.extend(linked.into_iter().take(n).map(Ok));
                    let jitter = rand::random::<u64>() % (1 + (attempt as u64).min(20));
                    if jitter > 0 {
                        tokio::time::sleep(Duration::from_millis(jitter)).await;
                    }
                    attempt += 1;
                }
                Err(e) => {
                    done.resize_with(items.len(), || Err(e.clone()));
                    break;
                }
            }
        }
        done
    }
}

impl AuditLog {
    pub fn new(store: Arc<dyn InfraStore>) -> Self {
        AuditLog { appender: GroupCommit::new(Appender { store: store.clone(), head: None }), store }
    }

    /// Links and stores one entry; returns it with its `seq` and hashes once it is durably stored.
    pub async fn append(&self, entry: NewAuditEntry) -> Result<AuditEntry> {
        entry.validate()?;
        self.appender.submit(entry).await
    }

    /// Entries after `after`, ascending (for `GET /audit` and exports).
    pub async fn entries(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>> {
        self.store.audit_entries(after, limit).await
    }

    /// Checks the whole chain.
    pub async fn verify(&self) -> Result<AuditReport> {
        let mut v = Verifier::new();
        let mut after = 0;
        loop {
            let page = self.store.audit_entries(after, VERIFY_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for e in &page {
                v.push(e);
            }
            if v.problem.is_some() || page.len() < VERIFY_PAGE {
                break;
            }
        }
        Ok(v.finish())
    }

    /// [`verify`](Self::verify), and also checks that the entry `anchor.0` still exists with hash `anchor.1`
    /// (an anchor recorded earlier): detects entries removed from the end.
    pub async fn verify_with_anchor(&self, anchor: (u64, &str)) -> Result<AuditReport> {
        let mut report = self.verify().await?;
        if report.problem.is_some() {
            return Ok(report);
        }
        let (seq, hash) = anchor;
        let found = if seq == 0 {
            true
        } else {
            let page = self.store.audit_entries(seq - 1, 1).await?;
            page.first().is_some_and(|e| e.seq == seq && e.hash == hash)
        };
        if !found {
            report.problem = Some(AuditProblem { seq, kind: AuditProblemKind::Truncated });
        }
        Ok(report)
    }
}
