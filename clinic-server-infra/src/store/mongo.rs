//! [`MongoInfraStore`]: the server's records in MongoDB (or FerretDB), shared by several server instances.
//!
//! No multi-document transactions, and no reliance on an update's filter and write being atomic (FerretDB
//! 1.24 does not isolate them, see `clinic-mongo`): every compare-and-set is an insert under a unique `_id`.
//! - audit entries and events: `_id` = `seq`; an appender reads the head and inserts `head + 1`; a duplicate
//!   key means another appender won that `seq`, so it re-reads. Entry `n + 1` can only be written by someone
//!   who saw entry `n`, so the sequence has no gaps and no forks;
//! - a refresh token's use: an insert of `_id` = token hash into `refresh_token_uses`;
//! - a reminder: an insert of `_id` = `<appointment>:<kind>` into `reminder_claims`;
//! - an idempotency key: an insert of `_id` = key; taking over an expired record is itself claimed by an
//!   insert into `idempotency_takeovers` (`_id` = key + the stale record's creation time), so two retries
//!   of a stale key cannot both win.
//!
//! Monotonic writes (revoking a family, completing an idempotency record by its one winner) are plain
//! updates: racing them is harmless.

use std::time::Duration;

use async_trait::async_trait;
use bson::{doc, Bson, Document};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::error::{Error as MongoError, ErrorKind, WriteFailure};
use mongodb::options::{ClientOptions, IndexOptions};
use mongodb::{Client, Collection, Database, IndexModel};

use clinic_core::ids::{AppointmentId, UserId};
use clinic_core::rbac::Role;

use super::sqlite::role_str;
use super::InfraStore;
use crate::audit::{AuditActor, AuditEntry, AuditOutcome, AuditTarget};
use crate::error::{InfraError, Result};
use crate::events::EventRecord;
use crate::idempotency::{IdempotencyRecord, IdempotencyState, StoredResponse};
use crate::password::PasswordHash;
use crate::refresh::{FamilyId, RefreshFamily, RefreshTokenRecord, TokenHash};
use crate::users::{normalize_username, User};

/// The collections this store uses (none collides with `clinic-mongo`'s, so one database can hold both).
pub const INFRA_COLLECTIONS: &[&str] = &[
    "users",
    "refresh_families",
    "refresh_tokens",
    "refresh_token_uses",
    "audit_log",
    "idempotency",
    "idempotency_takeovers",
    "events",
    "reminder_claims",
];

/// How many times a sequence appender retries when others keep winning.
const MAX_SEQ_ATTEMPTS: usize = 200;

#[derive(Debug, Clone)]
struct Colls {
    users: Collection<Document>,
    families: Collection<Document>,
    tokens: Collection<Document>,
    token_uses: Collection<Document>,
    audit: Collection<Document>,
    idem: Collection<Document>,
    idem_takeovers: Collection<Document>,
    events: Collection<Document>,
    reminders: Collection<Document>,
}

/// The server's records in one MongoDB database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct MongoInfraStore {
    client: Client,
    db: Database,
    c: Colls,
}

fn server_code(e: &MongoError) -> Option<i32> {
    match e.kind.as_ref() {
        ErrorKind::Command(c) => Some(c.code),
        ErrorKind::Write(WriteFailure::WriteError(w)) => Some(w.code),
        ErrorKind::Write(WriteFailure::WriteConcernError(w)) => Some(w.code),
        ErrorKind::InsertMany(m) => m.write_errors.as_ref().and_then(|v| v.first().map(|w| w.code)),
        _ => None,
    }
}

/// E11000 (FerretDB also reports some unique violations as InternalError with SQLite's message).
fn is_duplicate_key(e: &MongoError) -> bool {
    match e.kind.as_ref() {
        ErrorKind::Command(c) if c.code == 1 => c.message.contains("UNIQUE constraint failed"),
        _ => server_code(e) == Some(11000),
    }
}

fn mongo_err(what: &str) -> impl Fn(MongoError) -> InfraError + '_ {
    move |e| {
        let retryable = matches!(
            e.kind.as_ref(),
            ErrorKind::Io(_) | ErrorKind::ConnectionPoolCleared { .. } | ErrorKind::ServerSelection { .. }
        ) || e.contains_label("RetryableWriteError");
        InfraError::Store { message: format!("MongoDB {what}: {e}"), retryable }
    }
}

fn corrupt(what: &str) -> InfraError {
    InfraError::store(format!("MongoDB: corrupt {what} document"))
}

fn date(t: DateTime<Utc>) -> Bson {
    Bson::DateTime(bson::DateTime::from_millis(t.timestamp_millis()))
}

fn get_date(d: &Document, k: &str) -> Option<DateTime<Utc>> {
    match d.get(k) {
        Some(Bson::DateTime(t)) => DateTime::<Utc>::from_timestamp_millis(t.timestamp_millis()),
        _ => None,
    }
}

fn get_opt_date(d: &Document, k: &str) -> Option<Option<DateTime<Utc>>> {
    match d.get(k) {
        None | Some(Bson::Null) => Some(None),
        Some(_) => get_date(d, k).map(Some),
    }
}

fn get_str<'a>(d: &'a Document, k: &str) -> Option<&'a str> {
    d.get_str(k).ok()
}

fn get_opt_str(d: &Document, k: &str) -> Option<Option<String>> {
    match d.get(k) {
        None | Some(Bson::Null) => Some(None),
        Some(Bson::String(s)) => Some(Some(s.clone())),
        _ => None,
    }
}

fn get_u64(d: &Document, k: &str) -> Option<u64> {
    match d.get(k) {
        Some(Bson::Int64(v)) => u64::try_from(*v).ok(),
        Some(Bson::Int32(v)) => u64::try_from(*v).ok(),
        Some(Bson::Double(v)) if *v >= 0.0 && v.fract() == 0.0 => Some(*v as u64),
        _ => None,
    }
}

fn parse_id<T: From<uuid::Uuid>>(s: &str) -> Option<T> {
    uuid::Uuid::parse_str(s).ok().map(T::from)
}

fn opt_id<T: From<uuid::Uuid>>(d: &Document, k: &str) -> Option<Option<T>> {
    match get_opt_str(d, k)? {
        None => Some(None),
        Some(s) => parse_id(&s).map(Some),
    }
}

fn opt_str_bson(s: Option<String>) -> Bson {
    s.map(Bson::String).unwrap_or(Bson::Null)
}

fn user_doc(u: &User) -> Document {
    doc! {
        "_id": u.id.to_string(),
        "username": &u.username,
        "username_key": normalize_username(&u.username),
        "role": role_str(u.role),
        "clinic_id": opt_str_bson(u.clinic_id.map(|i| i.to_string())),
        "practitioner_id": opt_str_bson(u.practitioner_id.map(|i| i.to_string())),
        "patient_id": opt_str_bson(u.patient_id.map(|i| i.to_string())),
        "password_hash": u.password_hash.as_phc(),
        "disabled": u.disabled,
        "created_at": date(u.created_at),
    }
}

fn user_from(d: &Document) -> Result<User> {
    let f = || -> Option<User> {
        Some(User {
            id: parse_id(get_str(d, "_id")?)?,
            username: get_str(d, "username")?.to_string(),
            role: Role::parse(get_str(d, "role")?)?,
            clinic_id: opt_id(d, "clinic_id")?,
            practitioner_id: opt_id(d, "practitioner_id")?,
            patient_id: opt_id(d, "patient_id")?,
            password_hash: PasswordHash::from_phc(get_str(d, "password_hash")?),
            disabled: d.get_bool("disabled").ok()?,
            created_at: get_date(d, "created_at")?,
        })
    };
    f().ok_or_else(|| corrupt("user"))
}

fn family_from(d: &Document) -> Result<RefreshFamily> {
    let f = || -> Option<RefreshFamily> {
        Some(RefreshFamily {
            id: FamilyId(uuid::Uuid::parse_str(get_str(d, "_id")?).ok()?),
            user_id: parse_id(get_str(d, "user_id")?)?,
            created_at: get_date(d, "created_at")?,
            expires_at: get_date(d, "expires_at")?,
            revoked_at: get_opt_date(d, "revoked_at")?,
        })
    };
    f().ok_or_else(|| corrupt("refresh family"))
}

fn audit_doc(e: &AuditEntry) -> Result<Document> {
    let seq = i64::try_from(e.seq).map_err(|_| InfraError::store("sequence number out of range"))?;
    Ok(doc! {
        "_id": seq,
        "at": date(e.at),
        "actor_user": opt_str_bson(e.actor.user_id.map(|u| u.to_string())),
        "actor_role": opt_str_bson(e.actor.role.map(|r| role_str(r).to_string())),
        "action": &e.action,
        "target_kind": &e.target.kind,
        "target_id": opt_str_bson(e.target.id.clone()),
        "client": opt_str_bson(e.client.clone()),
        "outcome": e.outcome.as_str(),
        "code": opt_str_bson(e.code.clone()),
        "prev_hash": &e.prev_hash,
        "hash": &e.hash,
    })
}

fn audit_from(d: &Document) -> Result<AuditEntry> {
    let f = || -> Option<AuditEntry> {
        let role = match get_opt_str(d, "actor_role")? {
            None => None,
            Some(r) => Some(Role::parse(&r)?),
        };
        Some(AuditEntry {
            seq: get_u64(d, "_id")?,
            at: get_date(d, "at")?,
            actor: AuditActor { user_id: opt_id::<UserId>(d, "actor_user")?, role },
            action: get_str(d, "action")?.to_string(),
            target: AuditTarget { kind: get_str(d, "target_kind")?.to_string(), id: get_opt_str(d, "target_id")? },
            client: get_opt_str(d, "client")?,
            outcome: AuditOutcome::parse(get_str(d, "outcome")?)?,
            code: get_opt_str(d, "code")?,
            prev_hash: get_str(d, "prev_hash")?.to_string(),
            hash: get_str(d, "hash")?.to_string(),
        })
    };
    f().ok_or_else(|| corrupt("audit"))
}

fn idem_from(d: &Document) -> Result<IdempotencyRecord> {
    let f = || -> Option<IdempotencyRecord> {
        let response = match get_opt_str(d, "response")? {
            None => None,
            Some(s) => Some(serde_json::from_str::<StoredResponse>(&s).ok()?),
        };
        Some(IdempotencyRecord {
            key: get_str(d, "_id")?.to_string(),
            fingerprint: get_str(d, "fingerprint")?.to_string(),
            state: match get_str(d, "state")? {
                "in_progress" => IdempotencyState::InProgress,
                "done" => IdempotencyState::Done,
                _ => return None,
            },
            response,
            created_at: get_date(d, "created_at")?,
            expires_at: get_date(d, "expires_at")?,
        })
    };
    f().ok_or_else(|| corrupt("idempotency"))
}

fn event_from(d: &Document) -> Result<EventRecord> {
    let f = || -> Option<EventRecord> {
        Some(EventRecord {
            seq: get_u64(d, "_id")?,
            at: get_date(d, "at")?,
            kind: get_str(d, "kind")?.to_string(),
            payload: serde_json::from_str(get_str(d, "payload")?).ok()?,
        })
    };
    f().ok_or_else(|| corrupt("event"))
}

fn limit_i64(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn seq_i64(seq: u64) -> Result<i64> {
    i64::try_from(seq).map_err(|_| InfraError::store("sequence number out of range"))
}

impl MongoInfraStore {
    /// Connects to `uri` and uses database `db_name` (the same one as the scheduling store is fine).
    pub async fn connect(uri: &str, db_name: &str) -> Result<Self> {
        let mut co = ClientOptions::parse(uri).await.map_err(mongo_err("connection string"))?;
        co.app_name.get_or_insert_with(|| "clinic-server-infra".to_string());
        co.server_selection_timeout.get_or_insert(Duration::from_secs(10));
        co.connect_timeout.get_or_insert(Duration::from_secs(10));
        let client = Client::with_options(co).map_err(mongo_err("client settings"))?;
        Self::with_client(client, db_name).await
    }

    /// Uses an existing client (e.g. `clinic_mongo::MongoStore::client()`, to share its connection pool).
    pub async fn with_client(client: Client, db_name: &str) -> Result<Self> {
        let db = client.database(db_name);
        db.run_command(doc! { "ping": 1 }).await.map_err(mongo_err("ping"))?;
        let col = |n: &str| db.collection::<Document>(n);
        let c = Colls {
            users: col("users"),
            families: col("refresh_families"),
            tokens: col("refresh_tokens"),
            token_uses: col("refresh_token_uses"),
            audit: col("audit_log"),
            idem: col("idempotency"),
            idem_takeovers: col("idempotency_takeovers"),
            events: col("events"),
            reminders: col("reminder_claims"),
        };
        let store = MongoInfraStore { client, db, c };
        store.ensure_indexes().await?;
        Ok(store)
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates missing indexes (FerretDB 1.24 fails when asked to create one that exists, so only missing
    /// names are created).
    async fn ensure_indexes(&self) -> Result<()> {
        let idx = |keys: Document, name: &str, unique: bool| {
            IndexModel::builder()
                .keys(keys)
                .options(IndexOptions::builder().name(name.to_string()).unique(unique.then_some(true)).build())
                .build()
        };
        let wanted = [
            (&self.c.users, idx(doc! { "username_key": 1 }, "username_key_unique", true)),
            (&self.c.families, idx(doc! { "user_id": 1 }, "user_id", false)),
            (&self.c.tokens, idx(doc! { "expires_at": 1 }, "expires_at", false)),
            (&self.c.idem, idx(doc! { "expires_at": 1 }, "expires_at", false)),
        ];
        for (coll, model) in wanted {
            let name = model.options.as_ref().and_then(|o| o.name.clone()).unwrap_or_default();
            let existing = coll.list_index_names().await.unwrap_or_default();
            if existing.contains(&name) {
                continue;
            }
            if let Err(e) = coll.create_index(model).await {
                let now = coll.list_index_names().await.map_err(mongo_err("index creation"))?;
                if !now.contains(&name) {
                    return Err(mongo_err("index creation")(e));
                }
            }
        }
        Ok(())
    }

    async fn last_by_id(coll: &Collection<Document>) -> Result<Option<Document>> {
        coll.find_one(doc! {}).sort(doc! { "_id": -1 }).await.map_err(mongo_err("read"))
    }

    async fn page(coll: &Collection<Document>, after: u64, limit: usize) -> Result<Vec<Document>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        coll.find(doc! { "_id": { "$gt": seq_i64(after)? } })
            .sort(doc! { "_id": 1 })
            .limit(limit_i64(limit))
            .await
            .map_err(mongo_err("read"))?
            .try_collect()
            .await
            .map_err(mongo_err("read"))
    }

    /// Inserts `d`; `Ok(false)` on a duplicate `_id` (the compare-and-set lost).
    async fn try_insert(coll: &Collection<Document>, d: Document) -> Result<bool> {
        match coll.insert_one(d).await {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate_key(&e) => Ok(false),
            Err(e) => Err(mongo_err("insert")(e)),
        }
    }
}

#[async_trait]
impl InfraStore for MongoInfraStore {
    async fn ping(&self) -> Result<()> {
        self.db.run_command(doc! { "ping": 1 }).await.map(|_| ()).map_err(mongo_err("ping"))
    }

    async fn create_user(&self, user: &User) -> Result<()> {
        match self.c.users.insert_one(user_doc(user)).await {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate_key(&e) => {
                // The unique index on username_key, or (improbably) the same id.
                Err(InfraError::UsernameTaken)
            }
            Err(e) => Err(mongo_err("insert user")(e)),
        }
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        let d = self.c.users.find_one(doc! { "_id": id.to_string() }).await.map_err(mongo_err("read user"))?;
        d.as_ref().map(user_from).transpose()
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        // The key is a plain string compared for equality: no operator can be smuggled in through it.
        let key = normalize_username(username);
        let d = self.c.users.find_one(doc! { "username_key": key }).await.map_err(mongo_err("read user"))?;
        d.as_ref().map(user_from).transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        let docs: Vec<Document> = self
            .c
            .users
            .find(doc! {})
            .sort(doc! { "username_key": 1 })
            .await
            .map_err(mongo_err("read users"))?
            .try_collect()
            .await
            .map_err(mongo_err("read users"))?;
        docs.iter().map(user_from).collect()
    }

    async fn update_user(&self, user: &User) -> Result<()> {
        let r = self
            .c
            .users
            .update_one(
                doc! { "_id": user.id.to_string() },
                doc! { "$set": {
                    "role": role_str(user.role),
                    "clinic_id": opt_str_bson(user.clinic_id.map(|i| i.to_string())),
                    "practitioner_id": opt_str_bson(user.practitioner_id.map(|i| i.to_string())),
                    "patient_id": opt_str_bson(user.patient_id.map(|i| i.to_string())),
                    "password_hash": user.password_hash.as_phc(),
                    "disabled": user.disabled,
                } },
            )
            .await
            .map_err(mongo_err("update user"))?;
        if r.matched_count == 0 {
            return Err(InfraError::NotFound { entity: "user", id: user.id.to_string() });
        }
        Ok(())
    }

    async fn create_refresh_family(&self, f: &RefreshFamily) -> Result<()> {
        let d = doc! {
            "_id": f.id.to_string(),
            "user_id": f.user_id.to_string(),
            "created_at": date(f.created_at),
            "expires_at": date(f.expires_at),
            "revoked_at": f.revoked_at.map(date).unwrap_or(Bson::Null),
        };
        self.c.families.insert_one(d).await.map(|_| ()).map_err(mongo_err("insert refresh family"))
    }

    async fn refresh_family(&self, id: FamilyId) -> Result<Option<RefreshFamily>> {
        let d =
            self.c.families.find_one(doc! { "_id": id.to_string() }).await.map_err(mongo_err("read refresh family"))?;
        d.as_ref().map(family_from).transpose()
    }

    async fn revoke_refresh_family(&self, id: FamilyId, at: DateTime<Utc>) -> Result<()> {
        self.c
            .families
            .update_one(
                doc! { "_id": id.to_string(), "revoked_at": Bson::Null },
                doc! { "$set": { "revoked_at": date(at) } },
            )
            .await
            .map(|_| ())
            .map_err(mongo_err("revoke refresh family"))
    }

    async fn revoke_user_refresh_families(&self, user: UserId, at: DateTime<Utc>) -> Result<u64> {
        self.c
            .families
            .update_many(
                doc! { "user_id": user.to_string(), "revoked_at": Bson::Null },
                doc! { "$set": { "revoked_at": date(at) } },
            )
            .await
            .map(|r| r.modified_count)
            .map_err(mongo_err("revoke refresh families"))
    }

    async fn insert_refresh_token(&self, t: &RefreshTokenRecord) -> Result<()> {
        let d = doc! {
            "_id": t.hash.as_str(),
            "family_id": t.family.to_string(),
            "user_id": t.user_id.to_string(),
            "issued_at": date(t.issued_at),
            "expires_at": date(t.expires_at),
        };
        self.c.tokens.insert_one(d).await.map_err(mongo_err("insert refresh token"))?;
        if let Some(used) = t.used_at {
            Self::try_insert(
                &self.c.token_uses,
                doc! { "_id": t.hash.as_str(), "at": date(used), "expires_at": date(t.expires_at) },
            )
            .await?;
        }
        Ok(())
    }

    async fn refresh_token(&self, hash: &TokenHash) -> Result<Option<RefreshTokenRecord>> {
        let Some(d) =
            self.c.tokens.find_one(doc! { "_id": hash.as_str() }).await.map_err(mongo_err("read refresh token"))?
        else {
            return Ok(None);
        };
        let used =
            self.c.token_uses.find_one(doc! { "_id": hash.as_str() }).await.map_err(mongo_err("read refresh token"))?;
        let f = || -> Option<RefreshTokenRecord> {
            Some(RefreshTokenRecord {
                hash: TokenHash(get_str(&d, "_id")?.to_string()),
                family: FamilyId(uuid::Uuid::parse_str(get_str(&d, "family_id")?).ok()?),
                user_id: parse_id(get_str(&d, "user_id")?)?,
                issued_at: get_date(&d, "issued_at")?,
                expires_at: get_date(&d, "expires_at")?,
                used_at: match &used {
                    None => None,
                    Some(u) => Some(get_date(u, "at")?),
                },
            })
        };
        f().ok_or_else(|| corrupt("refresh token")).map(Some)
    }

    async fn mark_refresh_token_used(&self, hash: &TokenHash, at: DateTime<Utc>) -> Result<bool> {
        let Some(t) =
            self.c.tokens.find_one(doc! { "_id": hash.as_str() }).await.map_err(mongo_err("read refresh token"))?
        else {
            return Ok(false);
        };
        let expires = t.get("expires_at").cloned().unwrap_or(Bson::Null);
        Self::try_insert(&self.c.token_uses, doc! { "_id": hash.as_str(), "at": date(at), "expires_at": expires }).await
    }

    async fn purge_expired_refresh(&self, now: DateTime<Utc>) -> Result<u64> {
        let f = doc! { "expires_at": { "$lte": date(now) } };
        let err = mongo_err("purge refresh tokens");
        let a = self.c.tokens.delete_many(f.clone()).await.map_err(&err)?.deleted_count;
        let b = self.c.token_uses.delete_many(f.clone()).await.map_err(&err)?.deleted_count;
        let c = self.c.families.delete_many(f).await.map_err(&err)?.deleted_count;
        Ok(a + b + c)
    }

    async fn audit_last(&self) -> Result<Option<AuditEntry>> {
        Self::last_by_id(&self.c.audit).await?.as_ref().map(audit_from).transpose()
    }

    async fn audit_try_append(&self, entry: &AuditEntry) -> Result<bool> {
        Self::try_insert(&self.c.audit, audit_doc(entry)?).await
    }

    async fn audit_entries(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>> {
        Self::page(&self.c.audit, after, limit).await?.iter().map(audit_from).collect()
    }

    async fn idempotency_begin(&self, r: &IdempotencyRecord, now: DateTime<Utc>) -> Result<Option<IdempotencyRecord>> {
        let fresh = doc! {
            "_id": &r.key,
            "fingerprint": &r.fingerprint,
            "state": "in_progress",
            "response": Bson::Null,
            "created_at": date(r.created_at),
            "expires_at": date(r.expires_at),
        };
        for _ in 0..MAX_SEQ_ATTEMPTS {
            if Self::try_insert(&self.c.idem, fresh.clone()).await? {
                return Ok(None);
            }
            let Some(existing) =
                self.c.idem.find_one(doc! { "_id": &r.key }).await.map_err(mongo_err("read idempotency"))?
            else {
                continue; // deleted in between (abandoned or purged): try to insert again
            };
            let existing = idem_from(&existing)?;
            if existing.expires_at > now {
                return Ok(Some(existing));
            }
            // Expired: exactly one caller may take it over, decided by a unique insert naming this record.
            let takeover_id = format!("{}@{}", r.key, existing.created_at.timestamp_millis());
            let takeover = doc! { "_id": takeover_id, "expires_at": date(r.expires_at) };
            if !Self::try_insert(&self.c.idem_takeovers, takeover).await? {
                return Ok(Some(existing));
            }
            let replaced = self
                .c
                .idem
                .replace_one(doc! { "_id": &r.key, "created_at": date(existing.created_at) }, fresh.clone())
                .await
                .map_err(mongo_err("replace idempotency"))?;
            if replaced.matched_count == 1 {
                return Ok(None);
            }
        }
        Err(InfraError::Store { message: "idempotency: too much contention on one key".into(), retryable: true })
    }

    async fn idempotency_complete(
        &self,
        key: &str,
        response: &StoredResponse,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let body =
            serde_json::to_string(response).map_err(|e| InfraError::Internal(format!("response encoding: {e}")))?;
        self.c
            .idem
            .update_one(
                doc! { "_id": key },
                doc! { "$set": { "state": "done", "response": body, "expires_at": date(expires_at) } },
            )
            .await
            .map(|_| ())
            .map_err(mongo_err("complete idempotency"))
    }

    async fn idempotency_abandon(&self, key: &str) -> Result<()> {
        self.c
            .idem
            .delete_one(doc! { "_id": key, "state": "in_progress" })
            .await
            .map(|_| ())
            .map_err(mongo_err("abandon idempotency"))
    }

    async fn idempotency_get(&self, key: &str) -> Result<Option<IdempotencyRecord>> {
        let d = self.c.idem.find_one(doc! { "_id": key }).await.map_err(mongo_err("read idempotency"))?;
        d.as_ref().map(idem_from).transpose()
    }

    async fn idempotency_purge_expired(&self, now: DateTime<Utc>) -> Result<u64> {
        let f = doc! { "expires_at": { "$lte": date(now) } };
        let a = self.c.idem.delete_many(f.clone()).await.map_err(mongo_err("purge idempotency"))?.deleted_count;
        // Takeover markers outlive the record they replaced by the in-progress lifetime; keep them a day more
        // so a very late duplicate takeover attempt still loses.
        let old = date(now - chrono::Duration::days(1));
        self.c
            .idem_takeovers
            .delete_many(doc! { "expires_at": { "$lte": old } })
            .await
            .map_err(mongo_err("purge idempotency"))?;
        Ok(a)
    }

    async fn publish_event(&self, kind: &str, payload: &serde_json::Value, at: DateTime<Utc>) -> Result<u64> {
        let payload = payload.to_string();
        for _ in 0..MAX_SEQ_ATTEMPTS {
            let next = match Self::last_by_id(&self.c.events).await? {
                None => 1,
                Some(d) => get_u64(&d, "_id").ok_or_else(|| corrupt("event"))? + 1,
            };
            let d = doc! { "_id": seq_i64(next)?, "at": date(at), "kind": kind, "payload": &payload };
            if Self::try_insert(&self.c.events, d).await? {
                return Ok(next);
            }
            tokio::time::sleep(Duration::from_millis(rand::random::<u64>() % 5)).await;
        }
        Err(InfraError::Store { message: "event feed: too much contention".into(), retryable: true })
    }

    async fn events_after(&self, after: u64, limit: usize) -> Result<Vec<EventRecord>> {
        Self::page(&self.c.events, after, limit).await?.iter().map(event_from).collect()
    }

    async fn last_event_seq(&self) -> Result<u64> {
        match Self::last_by_id(&self.c.events).await? {
            None => Ok(0),
            Some(d) => get_u64(&d, "_id").ok_or_else(|| corrupt("event")),
        }
    }

    async fn claim_reminder(&self, appointment: AppointmentId, kind: &str, at: DateTime<Utc>) -> Result<bool> {
        Self::try_insert(&self.c.reminders, doc! { "_id": format!("{appointment}:{kind}"), "claimed_at": date(at) })
            .await
    }

    async fn release_reminder(&self, appointment: AppointmentId, kind: &str) -> Result<()> {
        self.c
            .reminders
            .delete_one(doc! { "_id": format!("{appointment}:{kind}") })
            .await
            .map(|_| ())
            .map_err(mongo_err("release reminder"))
    }
}
