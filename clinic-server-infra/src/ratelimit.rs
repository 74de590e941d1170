//! Keyed rate limiting (GCRA, `governor`) for login and refresh: per client IP and per account, each
//! answering with how long to wait (`Retry-After`).
//!
//! The state is in memory, per instance: behind a load balancer with N instances an attacker gets at most
//! N times the budget, which still bounds password guessing.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{InfraError, Result};
use crate::users::normalize_username;

/// A budget: `burst` attempts at once, refilled by one every `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub per: Duration,
}

impl Rate {
    pub fn new(burst: u32, per: Duration) -> Self {
        Rate { burst, per }
    }
}

/// A rate limiter keyed by a string (an IP, an account name, …).
pub struct KeyedLimiter {
    rate: Rate,
    inner: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl std::fmt::Debug for KeyedLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedLimiter").field("rate", &self.rate).field("keys", &self.inner.len()).finish()
    }
}

impl KeyedLimiter {
    pub fn new(rate: Rate) -> Result<Self> {
        let burst =
            NonZeroU32::new(rate.burst).ok_or_else(|| InfraError::Config("rate limit burst must be ≥ 1".into()))?;
        let quota = Quota::with_period(rate.per)
            .ok_or_else(|| InfraError::Config("rate limit period must be positive".into()))?
            .allow_burst(burst);
        Ok(KeyedLimiter { rate, inner: RateLimiter::keyed(quota), clock: DefaultClock::default() })
    }

    /// Takes one attempt from `key`'s budget, or says how long until the next one is allowed.
    pub fn check(&self, key: &str) -> Result<()> {
        self.inner.check_key(&key.to_string()).map_err(|not_until| InfraError::RateLimited {
            retry_after: not_until.wait_time_from(self.clock.now()).max(Duration::from_millis(1)),
        })
    }

    /// Forgets keys whose budget is full again (call periodically: bounds memory under an IP sweep).
    pub fn retain_recent(&self) {
        self.inner.retain_recent();
        self.inner.shrink_to_fit();
    }

    /// Keys currently tracked.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

/// The two limits of the authentication endpoints.
#[derive(Debug)]
pub struct AuthRateLimiter {
    pub per_ip: KeyedLimiter,
    pub per_account: KeyedLimiter,
}

impl AuthRateLimiter {
    /// Defaults: 20 attempts per IP, refilled one per 3 s; 5 per account, refilled one per 30 s.
    pub fn with_defaults() -> Self {
        Self::new(Rate::new(20, Duration::from_secs(3)), Rate::new(5, Duration::from_secs(30)))
            .unwrap_or_else(|_| unreachable!("the default rates are valid"))
    }

    pub fn new(per_ip: Rate, per_account: Rate) -> Result<Self> {
        Ok(AuthRateLimiter { per_ip: KeyedLimiter::new(per_ip)?, per_account: KeyedLimiter::new(per_account)? })
    }

    /// Checks both budgets (the account one only when a username is known); on refusal the error carries the
    /// longer wait.
    pub fn check(&self, ip: IpAddr, account: Option<&str>) -> Result<()> {
        let by_ip = self.per_ip.check(&ip.to_string());
        let by_account = match account {
            Some(a) => self.per_account.check(&normalize_username(a)),
            None => Ok(()),
        };
        match (by_ip, by_account) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(a), Ok(())) | (Ok(()), Err(a)) => Err(a),
            (Err(a), Err(b)) => Err(if a.retry_after() >= b.retry_after() { a } else { b }),
        }
    }

    pub fn retain_recent(&self) {
        self.per_ip.retain_recent();
        self.per_account.retain_recent();
    }
}
