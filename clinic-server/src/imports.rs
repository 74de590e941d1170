//! Recent import reports kept for download of their rejections as CSV (`GET /imports/{id}/rejections.csv`).
//!
//! Held in memory, bounded, and only for the user who ran the import: the report of a file a clinic is
//! fixing right now, not an archive.

use std::collections::VecDeque;
use std::sync::Mutex;

use clinic_core::import::Rejection;
use clinic_core::UserId;
use uuid::Uuid;

const KEEP: usize = 64;

#[derive(Debug, Default)]
pub struct RecentImports {
    items: Mutex<VecDeque<(Uuid, Option<UserId>, Vec<Rejection>)>>,
}

impl RecentImports {
    pub fn remember(&self, user: Option<UserId>, rejections: Vec<Rejection>) -> Uuid {
        let id = Uuid::now_v7();
        let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        if items.len() >= KEEP {
            items.pop_front();
        }
        items.push_back((id, user, rejections));
        id
    }

    pub fn get(&self, id: Uuid, user: Option<UserId>) -> Option<Vec<Rejection>> {
        let items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        items.iter().find(|(i, u, _)| *i == id && *u == user).map(|(_, _, r)| r.clone())
    }
}
