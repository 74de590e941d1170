//! Adapters from the server's ports to `clinic-server-infra` (users, tokens, refresh families, rate limits,
//! idempotency records). Interim: until the infra crate lands, nothing authenticates.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use async_trait::async_trait;
use clinic_core::rbac::Actor;

use crate::error::AppError;
use crate::state::{AuthPort, IdempotencyPort, StoredResponse, TokenPair};

#[derive(Debug, Default)]
pub struct NoAuth;

#[async_trait]
impl AuthPort for NoAuth {
    async fn login(&self, _: &str, _: &str, _: IpAddr) -> Result<TokenPair, AppError> {
        Err(AppError::unauthenticated("authentication is not configured"))
    }
    async fn refresh(&self, _: &str, _: IpAddr) -> Result<TokenPair, AppError> {
        Err(AppError::unauthenticated("authentication is not configured"))
    }
    async fn logout(&self, _: &str) -> Result<(), AppError> {
        Ok(())
    }
    async fn verify_access(&self, _: &str) -> Result<Actor, AppError> {
        Err(AppError::unauthenticated("authentication is not configured"))
    }
}

#[derive(Debug, Default)]
pub struct MemoryIdempotency(Mutex<HashMap<(String, String), StoredResponse>>);

#[async_trait]
impl IdempotencyPort for MemoryIdempotency {
    async fn get(&self, scope: &str, key: &str) -> Result<Option<StoredResponse>, AppError> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).get(&(scope.into(), key.into())).cloned())
    }
    async fn put(&self, scope: &str, key: &str, resp: &StoredResponse) -> Result<StoredResponse, AppError> {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        Ok(m.entry((scope.into(), key.into())).or_insert_with(|| resp.clone()).clone())
    }
}
