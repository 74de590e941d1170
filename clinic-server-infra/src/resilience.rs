//! Calls to a dependency that may be down (MongoDB, an SMTP relay, a webhook, an issuer's JWKS): a deadline,
//! bounded retries with backoff for calls that are safe to repeat, and a circuit breaker, so that while the
//! dependency is down callers fail in microseconds instead of each waiting for a driver timeout, and the
//! dependency is probed again by itself (half-open) once a cool-down has passed.
//!
//! Why a small state machine here rather than a crate: the server must *show* each breaker's state on
//! `/readyz` (name, state, failures, last error) and decide per call whether a failure is an outage (a
//! connection refused) or an answer (a duplicate key); `failsafe` exposes only `is_call_permitted` and
//! classifies by error type, not by value. The whole machine is three states and ~100 lines, tested below.
//!
//! A failure's message carries the dependency's name in a fixed form ([`unavailable_message`]) so the HTTP
//! layer can answer `DEPENDENCY_UNAVAILABLE` naming it ([`dependency_of`]) through error types it does not
//! own (`ClinicError::Store`, `InfraError::Store`).

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

/// The three states of a breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Calls go through.
    Closed,
    /// The dependency is considered down: calls fail at once until the cool-down has passed.
    Open,
    /// The cool-down has passed: one trial call goes through; its outcome closes or reopens the breaker.
    HalfOpen,
}

/// When a breaker opens and how long it stays open.
#[derive(Debug, Clone, Copy)]
pub struct BreakerConfig {
    /// Consecutive outage failures that open the breaker.
    pub failure_threshold: u32,
    /// How long an open breaker refuses calls before letting a trial through.
    pub open_for: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig { failure_threshold: 3, open_for: Duration::from_secs(2) }
    }
}

#[derive(Debug)]
struct Inner {
    state: BreakerState,
    consecutive_failures: u32,
    opened_at: Instant,
    trial_in_flight: bool,
    last_error: Option<String>,
    last_change: Instant,
}

/// A circuit breaker for one named dependency.
#[derive(Debug)]
pub struct CircuitBreaker {
    name: String,
    cfg: BreakerConfig,
    inner: Mutex<Inner>,
}

/// The right to make one call; record its outcome with [`Permit::success`] / [`Permit::failure`]. A permit
/// dropped unrecorded (the caller was cancelled) frees the half-open trial slot without judging the dependency.
#[derive(Debug)]
pub struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    trial: bool,
    recorded: bool,
}

impl Permit<'_> {
    pub fn success(mut self) {
        self.recorded = true;
        self.breaker.record(true, None);
    }
    pub fn failure(mut self, why: &str) {
        self.recorded = true;
        self.breaker.record(false, Some(why));
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.recorded && self.trial {
            if let Ok(mut g) = self.breaker.inner.lock() {
                g.trial_in_flight = false;
            }
        }
    }
}

/// What `/readyz` shows of one dependency.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DependencyStatus {
    pub name: String,
    /// `up` (closed), `down` (open) or `recovering` (half-open: a trial call is allowed).
    pub state: &'static str,
    pub breaker: BreakerState,
    /// Whether the server cannot serve without it (the store) or only degrades (notifications, OIDC).
    pub required: bool,
    pub consecutive_failures: u32,
    /// The class of the last failure (no driver text: it may hold hosts or addresses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Seconds since the state last changed.
    pub since_s: u64,
}

impl CircuitBreaker {
    pub fn new(name: impl Into<String>, cfg: BreakerConfig) -> Self {
        let now = Instant::now();
        CircuitBreaker {
            name: name.into(),
            cfg,
            inner: Mutex::new(Inner {
                state: BreakerState::Closed,
                consecutive_failures: 0,
                opened_at: now,
                trial_in_flight: false,
                last_error: None,
                last_change: now,
            }),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves plain counters behind: still consistent enough to go on.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A permit to call, or `None` while the breaker is open (or its half-open trial is taken).
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        let mut g = self.lock();
        match g.state {
            BreakerState::Closed => Some(Permit { breaker: self, trial: false, recorded: false }),
            BreakerState::Open if g.opened_at.elapsed() < self.cfg.open_for => None,
            BreakerState::Open | BreakerState::HalfOpen => {
                if g.trial_in_flight {
                    return None;
                }
                if g.state == BreakerState::Open {
                    g.state = BreakerState::HalfOpen;
                    g.last_change = Instant::now();
                }
                g.trial_in_flight = true;
                Some(Permit { breaker: self, trial: true, recorded: false })
            }
        }
    }

    fn record(&self, ok: bool, why: Option<&str>) {
        let mut g = self.lock();
        g.trial_in_flight = false;
        if ok {
            if g.state != BreakerState::Closed {
                tracing::info!(target: "clinic::resilience", dependency = %self.name, "dependency is back; breaker closed");
                g.last_change = Instant::now();
            }
            g.state = BreakerState::Closed;
            g.consecutive_failures = 0;
            return;
        }
        g.consecutive_failures = g.consecutive_failures.saturating_add(1);
        g.last_error = why.map(str::to_string);
        let reopen = g.state == BreakerState::HalfOpen;
        if reopen || (g.state == BreakerState::Closed && g.consecutive_failures >= self.cfg.failure_threshold) {
            if g.state == BreakerState::Closed {
                tracing::warn!(
                    target: "clinic::resilience",
                    dependency = %self.name,
                    failures = g.consecutive_failures,
                    error = why.unwrap_or(""),
                    "dependency down; breaker open"
                );
            }
            if g.state != BreakerState::Open {
                g.last_change = Instant::now();
            }
            g.state = BreakerState::Open;
            g.opened_at = Instant::now();
        }
    }

    /// The state as callers see it now (an open breaker past its cool-down reads as half-open).
    pub fn state(&self) -> BreakerState {
        let g = self.lock();
        match g.state {
            BreakerState::Open if g.opened_at.elapsed() >= self.cfg.open_for => BreakerState::HalfOpen,
            s => s,
        }
    }

    pub fn status(&self, required: bool) -> DependencyStatus {
        let state = self.state();
        let g = self.lock();
        DependencyStatus {
            name: self.name.clone(),
            state: match state {
                BreakerState::Closed => "up",
                BreakerState::Open => "down",
                BreakerState::HalfOpen => "recovering",
            },
            breaker: state,
            required,
            consecutive_failures: g.consecutive_failures,
            last_error: if state == BreakerState::Closed { None } else { g.last_error.clone() },
            since_s: g.last_change.elapsed().as_secs(),
        }
    }
}

/// How one dependency is called: the breaker, a deadline per call (retries included) and the retries.
#[derive(Debug, Clone, Copy)]
pub struct CallPolicy {
    pub breaker: BreakerConfig,
    /// The whole call, retries and backoff included, ends by then.
    pub timeout: Duration,
    /// Attempts of a call that is safe to repeat (1 = no retry).
    pub attempts: u32,
    /// Backoff before the second attempt; doubled for each next one, with up to 50 % jitter.
    pub backoff: Duration,
}

impl Default for CallPolicy {
    fn default() -> Self {
        CallPolicy {
            breaker: BreakerConfig::default(),
            timeout: Duration::from_secs(5),
            attempts: 3,
            backoff: Duration::from_millis(50),
        }
    }
}

/// Why a guarded call failed.
#[derive(Debug)]
pub enum CallError<E> {
    /// The breaker is open: the dependency was not called.
    Open,
    /// No answer within the policy's timeout.
    Timeout(Duration),
    /// The dependency answered with an error (an outage after the last retry, or an answer such as "not found").
    Failed(E),
}

/// A named dependency: its breaker and call policy (cheap to clone).
#[derive(Debug, Clone)]
pub struct Dependency {
    breaker: Arc<CircuitBreaker>,
    policy: CallPolicy,
    required: bool,
}

impl Dependency {
    pub fn new(name: impl Into<String>, policy: CallPolicy, required: bool) -> Self {
        Dependency { breaker: Arc::new(CircuitBreaker::new(name, policy.breaker)), policy, required }
    }

    pub fn name(&self) -> &str {
        self.breaker.name()
    }
    pub fn policy(&self) -> &CallPolicy {
        &self.policy
    }
    pub fn breaker(&self) -> &CircuitBreaker {
        &self.breaker
    }
    pub fn status(&self) -> DependencyStatus {
        self.breaker.status(self.required)
    }
    pub fn is_available(&self) -> bool {
        self.breaker.state() != BreakerState::Open
    }

    /// Runs `op` under the breaker and the deadline. `is_outage` says which errors mean "the dependency is
    /// down" (they count toward the breaker and are retried when `repeatable`); any other error is an answer.
    pub async fn call<T, E, Fut>(
        &self,
        repeatable: bool,
        mut op: impl FnMut() -> Fut,
        is_outage: impl Fn(&E) -> bool,
    ) -> Result<T, CallError<E>>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        let deadline = Instant::now() + self.policy.timeout;
        let attempts = if repeatable { self.policy.attempts.max(1) } else { 1 };
        let mut backoff = self.policy.backoff;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let Some(permit) = self.breaker.try_acquire() else { return Err(CallError::Open) };
            let left = deadline.saturating_duration_since(Instant::now());
            let outcome = tokio::time::timeout(left, op()).await;
            let last = match outcome {
                Ok(Ok(v)) => {
                    permit.success();
                    return Ok(v);
                }
                Ok(Err(e)) if !is_outage(&e) => {
                    permit.success();
                    return Err(CallError::Failed(e));
                }
                Ok(Err(e)) => {
                    permit.failure("failed");
                    CallError::Failed(e)
                }
                Err(_) => {
                    permit.failure("timed out");
                    return Err(CallError::Timeout(self.policy.timeout));
                }
            };
            let pause = jitter(backoff);
            if attempt >= attempts || Instant::now() + pause >= deadline {
                return Err(last);
            }
            tokio::time::sleep(pause).await;
            backoff = backoff.saturating_mul(2);
        }
    }
}

/// `d` plus up to half of it, so that many callers retrying together do not hit the dependency in step.
fn jitter(d: Duration) -> Duration {
    let extra = d.as_millis() as u64 / 2;
    d + Duration::from_millis(if extra == 0 { 0 } else { rand::random::<u64>() % (extra + 1) })
}

/// The dependencies of one server, listed by `/readyz` (cheap to clone; registration order kept).
#[derive(Debug, Clone, Default)]
pub struct Dependencies {
    list: Arc<Mutex<Vec<Dependency>>>,
}

impl Dependencies {
    pub fn register(&self, dep: Dependency) -> Dependency {
        if let Ok(mut l) = self.list.lock() {
            l.retain(|d| d.name() != dep.name());
            l.push(dep.clone());
        }
        dep
    }
    pub fn get(&self, name: &str) -> Option<Dependency> {
        self.list.lock().ok()?.iter().find(|d| d.name() == name).cloned()
    }
    pub fn statuses(&self) -> Vec<DependencyStatus> {
        self.list.lock().map(|l| l.iter().map(Dependency::status).collect()).unwrap_or_default()
    }
}

const MARK: &str = "dependency ";
const MARK_END: &str = " unavailable";

/// An error message that names the unavailable dependency in the form [`dependency_of`] reads.
pub fn unavailable_message(dependency: &str, what: &str) -> String {
    format!("{MARK}{dependency}{MARK_END}: {what}")
}

/// The dependency an error message of [`unavailable_message`] names.
pub fn dependency_of(message: &str) -> Option<&str> {
    let rest = message.strip_prefix(MARK)?;
    let end = rest.find(MARK_END)?;
    let name = &rest[..end];
    (!name.is_empty() && !name.contains(' ')).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(threshold: u32, open_ms: u64) -> BreakerConfig {
        BreakerConfig { failure_threshold: threshold, open_for: Duration::from_millis(open_ms) }
    }

    #[test]
    fn opens_after_threshold_then_half_opens_and_closes_on_success() {
        let b = CircuitBreaker::new("db", cfg(2, 30));
        b.try_acquire().unwrap().failure("refused");
        assert_eq!(b.state(), BreakerState::Closed);
        b.try_acquire().unwrap().failure("refused");
        assert_eq!(b.state(), BreakerState::Open);
        assert!(b.try_acquire().is_none(), "open refuses at once");
        assert_eq!(b.status(true).state, "down");
        assert_eq!(b.status(true).last_error.as_deref(), Some("refused"));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(b.state(), BreakerState::HalfOpen);
        let trial = b.try_acquire().expect("one trial after the cool-down");
        assert!(b.try_acquire().is_none(), "only one trial at a time");
        trial.success();
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.status(true).consecutive_failures, 0);
    }

    #[test]
    fn failed_trial_reopens_and_success_resets_the_count() {
        let b = CircuitBreaker::new("smtp", cfg(2, 20));
        b.try_acquire().unwrap().failure("x");
        b.try_acquire().unwrap().success();
        b.try_acquire().unwrap().failure("x");
        assert_eq!(b.state(), BreakerState::Closed, "failures must be consecutive");
        b.try_acquire().unwrap().failure("x");
        assert_eq!(b.state(), BreakerState::Open);
        std::thread::sleep(Duration::from_millis(30));
        b.try_acquire().unwrap().failure("still down");
        assert_eq!(b.state(), BreakerState::Open, "a failed trial reopens");
        assert!(b.try_acquire().is_none());
    }

    #[test]
    fn a_cancelled_trial_frees_the_slot() {
        let b = CircuitBreaker::new("jwks", cfg(1, 10));
        b.try_acquire().unwrap().failure("x");
        std::thread::sleep(Duration::from_millis(20));
        drop(b.try_acquire().unwrap());
        assert!(b.try_acquire().is_some(), "a dropped trial permit must not block the breaker forever");
    }

    #[test]
    fn marker_round_trip() {
        let m = unavailable_message("mongodb", "timed out");
        assert_eq!(dependency_of(&m), Some("mongodb"));
        assert_eq!(dependency_of("dependency  unavailable"), None);
        assert_eq!(dependency_of("connection refused"), None);
    }

    fn policy(attempts: u32, timeout_ms: u64) -> CallPolicy {
        CallPolicy {
            breaker: cfg(3, 10_000),
            timeout: Duration::from_millis(timeout_ms),
            attempts,
            backoff: Duration::from_millis(5),
        }
    }

    #[tokio::test]
    async fn retries_outages_only_when_repeatable() {
        let d = Dependency::new("db", policy(3, 2_000), true);
        let n = std::sync::atomic::AtomicU32::new(0);
        let r: Result<u32, CallError<&str>> = d
            .call(
                true,
                || async {
                    let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if i < 2 {
                        Err("down")
                    } else {
                        Ok(i)
                    }
                },
                |_| true,
            )
            .await;
        assert_eq!(r.unwrap(), 2, "third attempt succeeds");
        assert_eq!(d.breaker().state(), BreakerState::Closed);

        let n = std::sync::atomic::AtomicU32::new(0);
        let r: Result<(), CallError<&str>> = d
            .call(
                false,
                || async {
                    n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    Err("down")
                },
                |_| true,
            )
            .await;
        assert!(matches!(r, Err(CallError::Failed("down"))));
        assert_eq!(n.load(std::sync::atomic::Ordering::SeqCst), 1, "not repeatable: one attempt");
    }

    #[tokio::test]
    async fn answers_are_not_outages_and_timeouts_open_the_breaker() {
        let d = Dependency::new("db", policy(3, 50), true);
        for _ in 0..5 {
            let r: Result<(), CallError<&str>> = d.call(true, || async { Err("not found") }, |_| false).await;
            assert!(matches!(r, Err(CallError::Failed("not found"))));
        }
        assert_eq!(d.breaker().state(), BreakerState::Closed, "an answer is not an outage");
        for _ in 0..3 {
            let started = Instant::now();
            let r: Result<(), CallError<&str>> = d.call(true, std::future::pending::<Result<(), &str>>, |_| true).await;
            assert!(matches!(r, Err(CallError::Timeout(_))));
            assert!(started.elapsed() < Duration::from_millis(1_000));
        }
        assert_eq!(d.status().state, "down");
        let r: Result<(), CallError<&str>> = d.call(true, || async { Ok(()) }, |_| true).await;
        assert!(matches!(r, Err(CallError::Open)), "open: the dependency is not called");
    }

    #[test]
    fn registry_lists_in_order_and_replaces_by_name() {
        let deps = Dependencies::default();
        deps.register(Dependency::new("mongodb", CallPolicy::default(), true));
        deps.register(Dependency::new("smtp", CallPolicy::default(), false));
        deps.register(Dependency::new("mongodb", CallPolicy::default(), true));
        let names: Vec<_> = deps.statuses().into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["smtp", "mongodb"]);
        assert!(deps.get("smtp").is_some_and(|d| d.is_available()));
    }
}
