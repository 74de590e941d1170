//! Faults of the server's dependencies: the `--dependency-*` / `--breaker-*` flags, and the decorators that
//! put the scheduling store ([`store`]) and the server's records ([`records`]) behind a deadline, retries and
//! a circuit breaker. Notifications (a queue in front of SMTP / the webhook) and the OIDC JWKS fetch use the
//! same machinery from `clinic_server_infra::resilience`; every dependency is registered in one
//! [`Dependencies`] list that `/readyz` shows.

use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use clinic_core::ports::Store;
use clinic_server_infra::resilience::{BreakerConfig, CallPolicy, Dependency};
use clinic_server_infra::InfraStore;

pub mod records;
pub mod store;

pub use clinic_server_infra::resilience::Dependencies;

/// How the server calls what it depends on (MongoDB, SMTP, webhooks, the OIDC issuer).
#[derive(Debug, Clone, Args)]
pub struct ResilienceArgs {
    /// Deadline of one call to a dependency, retries included, in milliseconds: past it the request is
    /// answered 503 `DEPENDENCY_UNAVAILABLE` instead of waiting.
    #[arg(long, env = "CLINIC_DEPENDENCY_TIMEOUT_MS", default_value_t = 5000)]
    pub dependency_timeout_ms: u64,
    /// Extra attempts (with backoff) of a call that is safe to repeat (reads, upserts, e-mail sends).
    #[arg(long, env = "CLINIC_DEPENDENCY_RETRIES", default_value_t = 2)]
    pub dependency_retries: u32,
    /// Consecutive failures after which a dependency counts as down (its breaker opens).
    #[arg(long, env = "CLINIC_BREAKER_FAILURES", default_value_t = 3)]
    pub breaker_failures: u32,
    /// Milliseconds a down dependency is left alone before one trial call checks whether it is back.
    #[arg(long, env = "CLINIC_BREAKER_OPEN_MS", default_value_t = 2000)]
    pub breaker_open_ms: u64,
    /// Notifications kept in memory while SMTP / the webhook is down (beyond it, reminders wait in the store).
    #[arg(long, env = "CLINIC_NOTIFY_QUEUE", default_value_t = 10_000)]
    pub notify_queue: usize,
}

impl Default for ResilienceArgs {
    fn default() -> Self {
        ResilienceArgs {
            dependency_timeout_ms: 5000,
            dependency_retries: 2,
            breaker_failures: 3,
            breaker_open_ms: 2000,
            notify_queue: 10_000,
        }
    }
}

impl ResilienceArgs {
    pub fn policy(&self) -> CallPolicy {
        CallPolicy {
            breaker: BreakerConfig {
                failure_threshold: self.breaker_failures.max(1),
                open_for: Duration::from_millis(self.breaker_open_ms.max(1)),
            },
            timeout: Duration::from_millis(self.dependency_timeout_ms.max(1)),
            attempts: self.dependency_retries.saturating_add(1),
            backoff: Duration::from_millis(50),
        }
    }
}

/// The scheduling store behind `dep`.
pub fn guard_store(inner: Arc<dyn Store>, dep: Dependency) -> Arc<dyn Store> {
    Arc::new(store::ResilientStore::new(inner, dep))
}

/// The server's records behind `dep`.
pub fn guard_records(inner: Arc<dyn InfraStore>, dep: Dependency) -> Arc<dyn InfraStore> {
    Arc::new(records::ResilientRecords::new(inner, dep))
}
