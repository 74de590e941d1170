//! Adapters from the server's ports to `clinic-server-infra` (users, tokens, refresh families, rate limits,
//! idempotency records). Interim: until the infra crate lands, nothing authenticates.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use async_trait::async_trait;
use clinic_core::rbac::Actor;

use crate::error::AppError;
use crate::state::{AuthPort, Begin, IdempotencyPort, StoredResponse, TokenPair};

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
pub struct MemoryIdempotency(Mutex<HashMap<(String, String), (String, Option<StoredResponse>)>>);

#[async_trait]
impl IdempotencyPort for MemoryIdempotency {
    fn fingerprint(&self, method: &str, path: &str, body: &[u8]) -> String {
        format!("{method} {path} {}", String::from_utf8_lossy(body))
    }
    async fn begin(&self, actor: &str, key: &str, fp: &str) -> Result<Begin, AppError> {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match m.get(&(actor.into(), key.into())) {
            None => {
                m.insert((actor.into(), key.into()), (fp.into(), None));
                Ok(Begin::Proceed)
            }
            Some((f, Some(r))) if f == fp => Ok(Begin::Replay(r.clone())),
            _ => Err(AppError::bad_query("idempotency key in use")),
        }
    }
    async fn complete(&self, actor: &str, key: &str, resp: &StoredResponse) -> Result<(), AppError> {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = m.get_mut(&(actor.into(), key.into())) {
            e.1 = Some(resp.clone());
        }
        Ok(())
    }
    async fn abandon(&self, actor: &str, key: &str) -> Result<(), AppError> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(&(actor.into(), key.into()));
        Ok(())
    }
}
