//! [`Store`] over Cloudflare D1 (the source of truth) and KV (what the edge reads often:
//! campaigns and credential look-ups, read through with a short TTL; idempotency records).
//! Parameterised SQL only.

use crate::campaign::{Campaign, Database, Scope};
use crate::limits::{Attempts, Bucket, Limits};
use crate::operator::{CredentialKind, Operator, StoredCredential};
use crate::reply::Reply;
use crate::store::{
    AccountChange, AccountRecord, Accounts, Claim, Claimed, Directory, InsertError, Job, MessageKind, NewAccount,
    Outbox, OutboxRecord, PageKey, Replies, Reservation, Settlement, StoreError, Unique, Verification,
    IDEMPOTENCY_STALE_MS, IDEMPOTENCY_TTL_MS, LEASE_MS, RELAY_BATCH,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use worker::{D1Database, D1PreparedStatement, KvStore};

/// How long the edge may serve a cached campaign or credential (seconds; KV's minimum is 60).
const CACHE_TTL_S: u64 = 60;

/// A parameterised statement: `worker::query!`, which binds each value through serde (`None` as
/// NULL, integers as numbers).
macro_rules! sql {
    ($db:expr, $sql:expr, $($arg:expr),+ $(,)?) => {
        worker::query!($db, $sql, $($arg),+).map_err(unavailable)
    };
}

pub struct EdgeStore {
    /// The directory: campaigns, operators, credentials, idempotency records, rate counters;
    /// also the accounts of campaigns older than the account databases, and of the
    /// campaign-less scope.
    db: D1Database,
    /// The databases accounts are spread over, by binding name; new campaigns go to the one
    /// holding the fewest campaigns.
    accounts: Vec<(Database, D1Database)>,
    kv: KvStore,
    limits: Limits,
    /// The rate-limiting bindings (`None` where the Worker has none: nothing is limited).
    address_limiter: Option<worker::RateLimiter>,
    campaign_limiter: Option<worker::RateLimiter>,
    /// The outbox's queue (`OUTBOX_QUEUE`; `None`: nothing is queued, the relay finds the rows).
    queue: Option<worker::Queue>,
}

impl EdgeStore {
    pub fn new(db: D1Database, accounts: Vec<(Database, D1Database)>, kv: KvStore, limits: Limits) -> Self {
        Self { db, accounts, kv, limits, address_limiter: None, campaign_limiter: None, queue: None }
    }

    /// The store over the Worker's bindings: `DB`, `KV`, and the account databases that
    /// `ACCOUNT_DATABASES` lists (`ACCOUNTS_1,ACCOUNTS_2`: see wrangler.toml).
    pub fn from_env(env: &worker::Env) -> worker::Result<Self> {
        let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
        let limits = Limits::from_vars(
            var("RATE_LIMIT_PER_MINUTE").as_deref(),
            var("CAMPAIGN_RATE_LIMIT_PER_MINUTE").as_deref(),
        );
        let accounts = var("ACCOUNT_DATABASES").unwrap_or_default();
        let accounts = accounts.split(',').map(str::trim).filter(|name| !name.is_empty());
        let accounts =
            accounts.map(|name| Ok((Database(name.to_owned()), env.d1(name)?))).collect::<worker::Result<_>>()?;
        Ok(Self {
            address_limiter: env.rate_limiter("ADDRESS_RATE_LIMITER").ok(),
            campaign_limiter: env.rate_limiter("CAMPAIGN_RATE_LIMITER").ok(),
            queue: env.queue("OUTBOX_QUEUE").ok(),
            ..Self::new(env.d1("DB")?, accounts, env.kv("KV")?, limits)
        })
    }

    /// The database holding a scope's accounts.
    fn accounts_db(&self, scope: &Scope) -> Result<&D1Database, StoreError> {
        let name = scope.database();
        if name == Database::DIRECTORY {
            return Ok(&self.db);
        }
        self.accounts.iter().find(|(database, _)| database.as_str() == name).map(|(_, db)| db).ok_or_else(|| {
            StoreError(format!("no D1 binding `{name}` for the campaign's accounts (ACCOUNT_DATABASES)"))
        })
    }

    /// A database by its binding's name.
    fn database(&self, name: &str) -> Result<&D1Database, StoreError> {
        self.accounts_db(&Scope::Campaign { id: String::new(), database: Database(name.to_owned()) })
    }

    /// Every database that may hold accounts, with its binding's name.
    fn every_named_db(&self) -> impl Iterator<Item = (&str, &D1Database)> {
        std::iter::once((Database::DIRECTORY, &self.db)).chain(
            self.accounts
                .iter()
                .filter(|(database, _)| database.as_str() != Database::DIRECTORY)
                .map(|(database, db)| (database.as_str(), db)),
        )
    }

    /// Every database that may hold accounts: the directory's, then each account database.
    fn every_accounts_db(&self) -> impl Iterator<Item = &D1Database> {
        std::iter::once(&self.db).chain(
            self.accounts.iter().filter(|(database, _)| database.as_str() != Database::DIRECTORY).map(|(_, db)| db),
        )
    }

    /// Runs one account query on every database at once; the rows, oldest first.
    async fn accounts_everywhere(
        &self,
        condition: &str,
        value: impl Serialize,
    ) -> Result<Vec<AccountRecord>, StoreError> {
        let sql = accounts_sql(condition);
        let queries = self.every_accounts_db().map(|db| async {
            let statement = sql!(db, &sql, &value)?;
            let rows = statement.all().await.map_err(unavailable)?;
            rows.results::<AccountRow>().map_err(unavailable)
        });
        let mut found = Vec::new();
        for rows in futures_util::future::join_all(queries).await {
            found.extend(rows?.into_iter().map(AccountRow::into_record));
        }
        found.sort_by(|a, b| (a.created_at_ms, &a.id).cmp(&(b.created_at_ms, &b.id)));
        Ok(found)
    }

    /// A campaign from D1, with its version (`updated_at_ms`).
    async fn load_campaign(&self, id: &str) -> Result<Option<(i64, Campaign)>, StoreError> {
        let row: Option<CampaignRow> =
            self.first(sql!(&self.db, "SELECT id, name, allowed_origins, policy, publishable_key, accounts_db, open, webhook_url, webhook_salt, created_at_ms, updated_at_ms FROM campaigns WHERE id = ?1", id)?).await?;
        row.map(|r| Ok((r.updated_at_ms, r.into_campaign()?))).transpose()
    }

    async fn first<T: DeserializeOwned>(&self, statement: D1PreparedStatement) -> Result<Option<T>, StoreError> {
        statement.first::<T>(None).await.map_err(unavailable)
    }

    async fn cached<T: DeserializeOwned + Serialize>(
        &self,
        key: &str,
        load: impl std::future::Future<Output = Result<Option<T>, StoreError>>,
    ) -> Result<Option<T>, StoreError> {
        if let Ok(Some(hit)) = self.kv.get(key).json::<T>().await {
            return Ok(Some(hit));
        }
        let loaded = load.await?;
        if let Some(value) = &loaded {
            // A failed cache write only costs a later D1 read.
            if let Ok(put) = self.kv.put(key, serde_json::to_string(value).unwrap_or_default()) {
                let _ = put.expiration_ttl(CACHE_TTL_S).execute().await;
            }
        }
        Ok(loaded)
    }

    async fn account_first(&self, statement: D1PreparedStatement) -> Result<Option<AccountRecord>, StoreError> {
        let row: Option<AccountRow> = self.first(statement).await?;
        Ok(row.map(AccountRow::into_record))
    }
}

/// A credential's row, for `db`.
fn credential_statement(db: &D1Database, c: &StoredCredential) -> Result<D1PreparedStatement, StoreError> {
    sql!(
        db,
        "INSERT INTO credentials (kind, lookup, owner_id, secret_hash, expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        c.kind.as_str(),
        &c.lookup,
        &c.owner_id,
        &c.secret_hash,
        c.expires_at_ms
    )
}

/// Accounts with their profiles, by `condition` on `accounts a`.
fn accounts_sql(condition: &str) -> String {
    format!(
        "SELECT a.id, a.number, a.campaign_id, a.email, a.alias, a.phone, a.ext_ref_id, a.dialect, a.controller_id, \
         a.created_at_ms, a.claimed_at_ms, a.locale, a.email_verified_at_ms, p.fields AS profile FROM accounts a LEFT JOIN profiles p ON p.account_id = a.id \
         WHERE {condition}"
    )
}

/// One account with its profile, by `condition` on `accounts a`.
fn account_sql(condition: &str) -> String {
    accounts_sql(condition) + " LIMIT 1"
}

fn unavailable(error: worker::Error) -> StoreError {
    StoreError(error.to_string())
}

/// Which UNIQUE index refused a row. D1 reports a constraint as a `D1Error` whose cause is
/// SQLite's message (`UNIQUE constraint failed: accounts.email_normalized: SQLITE_CONSTRAINT`);
/// the binding exposes no code or constraint name beyond it, so the columns are read from that
/// message of a D1 error, and any other error is the store being unavailable.
fn classify(error: worker::Error) -> InsertError {
    let worker::Error::D1(d1) = &error else { return InsertError::Unavailable(error.to_string()) };
    let message = d1.cause();
    if !message.contains("UNIQUE constraint failed") {
        return InsertError::Unavailable(message);
    }
    let unique = if message.contains("accounts.email_normalized") {
        Unique::Email
    } else if message.contains("accounts.alias_normalized") {
        Unique::Alias
    } else if message.contains("accounts.phone_key") {
        Unique::Phone
    } else if message.contains("accounts.ext_ref_id") {
        Unique::ExtRef
    } else if message.contains("accounts.number") {
        Unique::Number
    } else {
        Unique::Key
    };
    InsertError::Duplicate(unique)
}

#[derive(Deserialize)]
struct AccountRow {
    id: String,
    number: i64,
    campaign_id: Option<String>,
    email: Option<String>,
    alias: Option<String>,
    phone: Option<String>,
    ext_ref_id: Option<String>,
    dialect: String,
    controller_id: Option<String>,
    created_at_ms: i64,
    claimed_at_ms: Option<i64>,
    locale: String,
    email_verified_at_ms: Option<i64>,
    profile: Option<String>,
}

impl AccountRow {
    fn into_record(self) -> AccountRecord {
        let profile: BTreeMap<String, String> =
            self.profile.and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_default();
        AccountRecord {
            id: self.id,
            number: self.number,
            campaign_id: self.campaign_id,
            email: self.email,
            alias: self.alias,
            phone: self.phone,
            ext_ref_id: self.ext_ref_id,
            dialect: self.dialect,
            controller_id: self.controller_id,
            created_at_ms: self.created_at_ms,
            claimed_at_ms: self.claimed_at_ms,
            profile,
            locale: enlist_shared::Locale::from_tag(&self.locale).unwrap_or_default(),
            email_verified_at_ms: self.email_verified_at_ms,
        }
    }
}

#[derive(Deserialize)]
struct CampaignRow {
    id: String,
    name: String,
    allowed_origins: String,
    policy: String,
    publishable_key: String,
    accounts_db: String,
    open: i64,
    webhook_url: Option<String>,
    webhook_salt: Option<String>,
    created_at_ms: i64,
    updated_at_ms: i64,
}

impl CampaignRow {
    fn into_campaign(self) -> Result<Campaign, StoreError> {
        Ok(Campaign {
            id: self.id,
            name: self.name,
            allowed_origins: json_field(&self.allowed_origins)?,
            policy: json_field(&self.policy)?,
            publishable_key: self.publishable_key,
            database: Database(self.accounts_db),
            open: self.open != 0,
            webhook: match (self.webhook_url, self.webhook_salt) {
                (Some(url), Some(salt)) => Some(crate::campaign::Webhook { url, salt }),
                _ => None,
            },
            created_at_ms: self.created_at_ms,
        })
    }
}

#[derive(Deserialize)]
struct OperatorRow {
    id: String,
    number: i64,
    name: String,
    permissions: String,
    campaigns: String,
    allowed_ips: String,
    created_at_ms: i64,
}

impl OperatorRow {
    fn into_operator(self) -> Result<Operator, StoreError> {
        Ok(Operator {
            id: self.id,
            number: self.number,
            name: self.name,
            permissions: json_field(&self.permissions)?,
            campaigns: json_field(&self.campaigns)?,
            allowed_ips: json_field(&self.allowed_ips)?,
            created_at_ms: self.created_at_ms,
        })
    }
}

#[derive(Deserialize)]
struct CredentialRow {
    owner_id: String,
    secret_hash: String,
    expires_at_ms: Option<i64>,
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

fn json_field<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError(format!("stored JSON unreadable: {e}")))
}

impl Directory for EdgeStore {
    async fn insert_campaign(&self, c: &Campaign, now_ms: i64) -> Result<(), InsertError> {
        let origins = serde_json::to_string(&c.allowed_origins).unwrap_or_default();
        let policy = serde_json::to_string(&c.policy).unwrap_or_default();
        sql!(
            &self.db,
            "INSERT INTO campaigns (id, name, allowed_origins, policy, publishable_key, accounts_db, open, created_at_ms, \
             updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            &c.id,
            &c.name,
            &origins,
            &policy,
            &c.publishable_key,
            c.database.as_str(),
            c.open,
            now_ms
        )?
        .run()
        .await
        .map(|_| ())
        .map_err(classify)
    }

    async fn placement(&self) -> Result<Vec<(Database, usize)>, StoreError> {
        #[derive(Deserialize)]
        struct Placed {
            accounts_db: String,
            campaigns: usize,
        }
        let statement =
            worker::query!(&self.db, "SELECT accounts_db, COUNT(*) AS campaigns FROM campaigns GROUP BY accounts_db");
        let placed = statement.all().await.map_err(unavailable)?.results::<Placed>().map_err(unavailable)?;
        let candidates: Vec<Database> = if self.accounts.is_empty() {
            vec![Database::directory()]
        } else {
            self.accounts.iter().map(|(database, _)| database.clone()).collect()
        };
        Ok(candidates
            .into_iter()
            .map(|d| {
                let count = placed.iter().find(|p| p.accounts_db == d.as_str()).map_or(0, |p| p.campaigns);
                (d, count)
            })
            .collect())
    }

    async fn campaign(&self, id: &str) -> Result<Option<Campaign>, StoreError> {
        // The campaign's version is read from D1 on every request (one small indexed row), so
        // a change (a rotated key, a closed campaign) holds on the very next request in every
        // isolate; the parsed campaign is reused while its version stands.
        #[derive(Deserialize)]
        struct Version {
            updated_at_ms: i64,
        }
        let version: Option<Version> =
            self.first(sql!(&self.db, "SELECT updated_at_ms FROM campaigns WHERE id = ?1", id)?).await?;
        let Some(Version { updated_at_ms }) = version else { return Ok(None) };
        if let Some(campaign) = remembered_campaign(id, updated_at_ms) {
            return Ok(Some(campaign));
        }
        let loaded = self.load_campaign(id).await?;
        if let Some((version, campaign)) = &loaded {
            remember_campaign(campaign, *version);
        }
        Ok(loaded.map(|(_, campaign)| campaign))
    }

    async fn campaigns(&self) -> Result<Vec<Campaign>, StoreError> {
        let statement = worker::query!(&self.db, "SELECT id, name, allowed_origins, policy, publishable_key, accounts_db, open, webhook_url, webhook_salt, created_at_ms, updated_at_ms FROM campaigns ORDER BY created_at_ms, id");
        let rows = statement.all().await.map_err(unavailable)?.results::<CampaignRow>().map_err(unavailable)?;
        rows.into_iter().map(CampaignRow::into_campaign).collect()
    }

    async fn update_campaign(&self, c: &Campaign, now_ms: i64) -> Result<(), InsertError> {
        let origins = serde_json::to_string(&c.allowed_origins).unwrap_or_default();
        let policy = serde_json::to_string(&c.policy).unwrap_or_default();
        // The version always moves forward, even for two changes within one millisecond.
        sql!(
            &self.db,
            "UPDATE campaigns SET name = ?2, allowed_origins = ?3, policy = ?4, open = ?5, publishable_key = ?6, \
             webhook_url = ?8, webhook_salt = ?9, updated_at_ms = MAX(updated_at_ms + 1, ?7) WHERE id = ?1",
            &c.id,
            &c.name,
            &origins,
            &policy,
            c.open,
            &c.publishable_key,
            now_ms,
            c.webhook.as_ref().map(|w| w.url.as_str()),
            c.webhook.as_ref().map(|w| w.salt.as_str())
        )?
        .run()
        .await
        .map(|_| ())
        .map_err(classify)
    }

    async fn origin_allowed_anywhere(&self, origin: &str) -> Result<bool, StoreError> {
        let Ok(origin) = crate::campaign::origin(origin) else { return Ok(false) };
        #[derive(Deserialize)]
        struct Hit {
            #[allow(dead_code)]
            hit: i64,
        }
        let hit: Option<Hit> = self
            .first(sql!(&self.db, "SELECT 1 AS hit FROM campaigns, json_each(campaigns.allowed_origins) WHERE json_each.value = ?1 LIMIT 1", &origin)?)
            .await?;
        Ok(hit.is_some())
    }

    async fn insert_operator(
        &self,
        op: &Operator,
        credentials: &[StoredCredential],
        now_ms: i64,
    ) -> Result<(), InsertError> {
        let mut statements = vec![sql!(&self.db, "INSERT INTO operators (id, number, name, permissions, campaigns, allowed_ips, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &op.id, op.number, &op.name, &to_json(&op.permissions), &to_json(&op.campaigns), &to_json(&op.allowed_ips), now_ms)?];
        for c in credentials {
            statements.push(credential_statement(&self.db, c)?);
        }
        self.db.batch(statements).await.map(|_| ()).map_err(classify)
    }

    async fn operator(&self, id: &str) -> Result<Option<Operator>, StoreError> {
        self.cached(&format!("operator:{id}"), async {
            let row: Option<OperatorRow> = self
                .first(sql!(
                    &self.db,
                    "SELECT id, number, name, permissions, campaigns, allowed_ips, created_at_ms FROM operators WHERE id = ?1",
                    id
                )?)
                .await?;
            row.map(OperatorRow::into_operator).transpose()
        })
        .await
    }

    async fn credential(&self, kind: CredentialKind, lookup: &str) -> Result<Option<StoredCredential>, StoreError> {
        // Read from D1 every time: a rotated or revoked credential is refused on the very next
        // request (a cache would keep accepting it).
        let row: Option<CredentialRow> = self
            .first(sql!(
                &self.db,
                "SELECT owner_id, secret_hash, expires_at_ms FROM credentials WHERE kind = ?1 AND lookup = ?2",
                kind.as_str(),
                lookup
            )?)
            .await?;
        Ok(row.map(|r| StoredCredential {
            kind,
            lookup: lookup.to_owned(),
            owner_id: r.owner_id,
            secret_hash: r.secret_hash,
            expires_at_ms: r.expires_at_ms,
        }))
    }

    async fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        let statement = worker::query!(
            &self.db,
            "SELECT id, number, name, permissions, campaigns, allowed_ips, created_at_ms FROM operators ORDER BY created_at_ms, id"
        );
        let rows = statement.all().await.map_err(unavailable)?.results::<OperatorRow>().map_err(unavailable)?;
        rows.into_iter().map(OperatorRow::into_operator).collect()
    }

    async fn replace_credentials(
        &self,
        operator_id: &str,
        credentials: &[StoredCredential],
    ) -> Result<bool, InsertError> {
        if self.operator(operator_id).await?.is_none() {
            return Ok(false);
        }
        let mut statements = vec![sql!(&self.db, "DELETE FROM credentials WHERE owner_id = ?1", operator_id)?];
        for c in credentials {
            statements.push(credential_statement(&self.db, c)?);
        }
        // One batch: the new credentials and none of the old, or nothing changed.
        self.db.batch(statements).await.map(|_| ()).map_err(classify)?;
        Ok(true)
    }

    async fn delete_operator(&self, id: &str) -> Result<bool, StoreError> {
        if self.operator(id).await?.is_none() {
            return Ok(false);
        }
        let statements = vec![
            sql!(&self.db, "DELETE FROM credentials WHERE owner_id = ?1", id)?,
            sql!(&self.db, "DELETE FROM operators WHERE id = ?1", id)?,
        ];
        self.db.batch(statements).await.map_err(unavailable)?;
        let _ = self.kv.delete(&format!("operator:{id}")).await;
        Ok(true)
    }

    async fn insert_credential(&self, c: &StoredCredential) -> Result<(), InsertError> {
        credential_statement(&self.db, c)?.run().await.map(|_| ()).map_err(classify)
    }

    async fn take_credential(
        &self,
        kind: CredentialKind,
        lookup: &str,
    ) -> Result<Option<StoredCredential>, StoreError> {
        // DELETE ... RETURNING is one statement: of two concurrent takers, one gets the row.
        let row: Option<CredentialRow> = self
            .first(sql!(&self.db, "DELETE FROM credentials WHERE kind = ?1 AND lookup = ?2 RETURNING owner_id, secret_hash, expires_at_ms", kind.as_str(), lookup)?)
            .await?;
        Ok(row.map(|r| StoredCredential {
            kind,
            lookup: lookup.to_owned(),
            owner_id: r.owner_id,
            secret_hash: r.secret_hash,
            expires_at_ms: r.expires_at_ms,
        }))
    }
}

impl Accounts for EdgeStore {
    async fn insert_account(&self, a: &NewAccount) -> Result<Vec<Job>, InsertError> {
        let db = self.accounts_db(&a.scope)?;
        let id = a.id.as_str();
        let email_normalized = a.email.as_ref().map(|e| e.normalized());
        let alias_normalized = a.alias.as_ref().map(|x| x.normalized());
        let phone = a.phone.as_ref().map(|p| p.to_string());
        let email = a.email.as_ref().map(|e| e.to_string());
        let alias = a.alias.as_ref().map(|x| x.to_string());
        let phone_key = if a.phone_is_key { phone.clone() } else { None };
        let mut statements = vec![sql!(
            db,
            "INSERT INTO accounts (id, number, campaign_id, email, email_normalized, alias, alias_normalized, phone, \
             phone_key, ext_ref_id, password_hash, dialect, controller_id, created_at_ms, locale) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            id,
            a.number,
            a.scope.campaign_id(),
            email.as_deref(),
            email_normalized.as_deref(),
            alias.as_deref(),
            alias_normalized.as_deref(),
            phone.as_deref(),
            phone_key.as_deref(),
            a.ext_ref_id.as_deref(),
            a.password_hash.as_deref(),
            a.dialect.name(),
            a.controller_id.as_deref(),
            a.created_at_ms,
            a.locale.tag()
        )?];
        let profile = serde_json::to_string(&a.profile).unwrap_or_else(|_| "{}".into());
        statements.push(sql!(db, "INSERT INTO profiles (account_id, fields) VALUES (?1, ?2)", id, &profile)?);
        // A row queued at write is marked queued in the same write, and queued right after it
        // commits (`OutboxEntry::queued_at_write`).
        let outbox_rows = statements.len()..statements.len() + a.outbox.len();
        for entry in &a.outbox {
            statements.push(sql!(
                db,
                "INSERT INTO outbox (account_id, kind, send_at_ms, created_at_ms, enqueued_at_ms, webhook_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id, send_at_ms",
                id,
                entry.kind.as_str(),
                entry.send_at_ms,
                a.created_at_ms,
                entry.queued_at_write(a.created_at_ms).then_some(a.created_at_ms),
                entry.webhook_id.as_deref()
            )?);
        }
        if let Some(expires_at_ms) = a.verification {
            statements.push(sql!(
                db,
                "INSERT INTO verifications (account_id, expires_at_ms) VALUES (?1, ?2)",
                id,
                expires_at_ms
            )?);
        }
        // The secrets minted with the account live beside it, in its database.
        for c in &a.credentials {
            statements.push(credential_statement(db, c)?);
        }
        // One batch is one transaction: the account, its profile, e-mails and secrets, or nothing.
        let results = db.batch(statements).await.map_err(classify)?;
        let mut jobs = Vec::new();
        for (result, entry) in results[outbox_rows].iter().zip(&a.outbox) {
            #[derive(Deserialize)]
            struct Written {
                id: i64,
                send_at_ms: i64,
            }
            let written = result.results::<Written>().map_err(|e| InsertError::Unavailable(e.to_string()))?;
            if entry.queued_at_write(a.created_at_ms) {
                jobs.extend(written.into_iter().map(|w| Job {
                    db: a.scope.database().to_owned(),
                    id: w.id,
                    send_at_ms: w.send_at_ms,
                }));
            }
        }
        Ok(jobs)
    }

    async fn account(&self, id: &str) -> Result<Option<AccountRecord>, StoreError> {
        Ok(self.accounts_everywhere("a.id = ?1", id).await?.into_iter().next())
    }

    async fn account_by_email(&self, scope: &Scope, normalized: &str) -> Result<Option<AccountRecord>, StoreError> {
        let db = self.accounts_db(scope)?;
        self.account_first(sql!(
            db,
            &account_sql("a.scope = ?1 AND a.email_normalized = ?2"),
            scope.campaign_id().unwrap_or_default(),
            normalized
        )?)
        .await
    }

    async fn accounts_by_email(&self, normalized: &str) -> Result<Vec<AccountRecord>, StoreError> {
        self.accounts_everywhere("a.email_normalized = ?1", normalized).await
    }

    async fn account_by_phone_key(&self, scope: &Scope, phone: &str) -> Result<Option<AccountRecord>, StoreError> {
        let db = self.accounts_db(scope)?;
        self.account_first(sql!(
            db,
            &account_sql("a.scope = ?1 AND a.phone_key = ?2"),
            scope.campaign_id().unwrap_or_default(),
            phone
        )?)
        .await
    }

    async fn accounts_by_number(&self, number_id: i64) -> Result<Vec<AccountRecord>, StoreError> {
        self.accounts_everywhere("a.number = ?1", number_id).await
    }

    async fn update_account(&self, scope: &Scope, id: &str, change: &AccountChange) -> Result<(), InsertError> {
        let db = self.accounts_db(scope)?;
        let email = change.email.as_ref().map(|e| e.to_string());
        let email_normalized = change.email.as_ref().map(|e| e.normalized());
        let alias = change.alias.as_ref().map(|x| x.to_string());
        let alias_normalized = change.alias.as_ref().map(|x| x.normalized());
        let phone = change.phone.as_ref().map(|p| p.to_string());
        let profile = serde_json::to_string(&change.profile).unwrap_or_else(|_| "{}".into());
        let statements = vec![
            sql!(
                db,
                "UPDATE accounts SET email = COALESCE(?2, email), email_normalized = COALESCE(?3, email_normalized), \
                 alias = COALESCE(?4, alias), alias_normalized = COALESCE(?5, alias_normalized), \
                 phone = COALESCE(?6, phone), phone_key = CASE WHEN phone_key IS NULL THEN NULL ELSE COALESCE(?6, phone_key) END \
                 WHERE id = ?1",
                id,
                email.as_deref(),
                email_normalized.as_deref(),
                alias.as_deref(),
                alias_normalized.as_deref(),
                phone.as_deref()
            )?,
            sql!(db, "UPDATE profiles SET fields = json_patch(fields, ?2) WHERE account_id = ?1", id, &profile)?,
        ];
        db.batch(statements).await.map(|_| ()).map_err(classify)
    }

    async fn claim_account(&self, id: &str, now_ms: i64) -> Result<(), StoreError> {
        // The id is in one database; the statement changes nothing in the others.
        let claims = self.every_accounts_db().map(|db| async move {
            sql!(db, "UPDATE accounts SET claimed_at_ms = COALESCE(claimed_at_ms, ?2) WHERE id = ?1", id, now_ms)?
                .run()
                .await
                .map(|_| ())
                .map_err(unavailable)
        });
        futures_util::future::join_all(claims).await.into_iter().collect()
    }

    async fn accounts_page(
        &self,
        scope: &Scope,
        after: Option<&PageKey>,
        limit: usize,
    ) -> Result<Vec<AccountRecord>, StoreError> {
        let db = self.accounts_db(scope)?;
        // Before every account: creation times are never negative.
        let (after_ms, after_id) = after.map_or((-1, ""), |k| (k.created_at_ms, k.id.as_str()));
        let sql =
            accounts_sql("a.scope = ?1 AND (a.created_at_ms, a.id) > (?2, ?3) ORDER BY a.created_at_ms, a.id LIMIT ?4");
        let statement = sql!(db, &sql, scope.campaign_id().unwrap_or_default(), after_ms, after_id, limit)?;
        let rows = statement.all().await.map_err(unavailable)?.results::<AccountRow>().map_err(unavailable)?;
        Ok(rows.into_iter().map(AccountRow::into_record).collect())
    }

    async fn erase_account(&self, scope: &Scope, id: &str) -> Result<bool, StoreError> {
        let db = self.accounts_db(scope)?;
        let campaign = scope.campaign_id().unwrap_or_default();
        let found = self.account_first(sql!(db, &account_sql("a.scope = ?1 AND a.id = ?2"), campaign, id)?).await?;
        if found.is_none() {
            return Ok(false);
        }
        // The directory first (the tokens and codes it issued, the answers it replays): should
        // the second batch fail, the account is still there and the erasure can be asked again.
        let directory = vec![
            sql!(&self.db, "DELETE FROM credentials WHERE owner_id = ?1", id)?,
            sql!(&self.db, "DELETE FROM idempotency WHERE instr(reply, ?1) > 0", id)?,
        ];
        self.db.batch(directory).await.map_err(unavailable)?;
        let account = vec![
            sql!(db, "DELETE FROM outbox WHERE account_id = ?1", id)?,
            sql!(db, "DELETE FROM verifications WHERE account_id = ?1", id)?,
            sql!(db, "DELETE FROM profiles WHERE account_id = ?1", id)?,
            sql!(db, "DELETE FROM credentials WHERE owner_id = ?1", id)?,
            sql!(db, "DELETE FROM accounts WHERE id = ?1", id)?,
        ];
        db.batch(account).await.map_err(unavailable)?;
        Ok(true)
    }
}

impl Replies for EdgeStore {
    async fn reserve_reply(&self, key: &str, now_ms: i64) -> Result<Reservation, StoreError> {
        #[derive(Deserialize)]
        struct Reserved {
            reply: Option<String>,
        }
        // One statement decides the race: the row is inserted (or an expired or abandoned one
        // taken over) for exactly one request; RETURNING tells that request it won.
        let won: Option<Reserved> = self
            .first(sql!(
                &self.db,
                "INSERT INTO idempotency (key, reserved_at_ms) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET reserved_at_ms = excluded.reserved_at_ms, reply = NULL \
                 WHERE idempotency.reserved_at_ms < ?3 \
                    OR (idempotency.reply IS NULL AND idempotency.reserved_at_ms < ?4) \
                 RETURNING reply",
                key,
                now_ms,
                now_ms - IDEMPOTENCY_TTL_MS,
                now_ms - IDEMPOTENCY_STALE_MS
            )?)
            .await?;
        if won.is_some() {
            // The winner sweeps keys nobody may replay any more (indexed; usually none).
            sql!(&self.db, "DELETE FROM idempotency WHERE reserved_at_ms < ?1", now_ms - IDEMPOTENCY_TTL_MS)?
                .run()
                .await
                .map_err(unavailable)?;
            return Ok(Reservation::Won);
        }
        let found: Option<Reserved> =
            self.first(sql!(&self.db, "SELECT reply FROM idempotency WHERE key = ?1", key)?).await?;
        match found.and_then(|row| row.reply) {
            Some(json) => Ok(Reservation::Answered(json_field(&json)?)),
            None => Ok(Reservation::Running),
        }
    }

    async fn keep_reply(&self, key: &str, reply: &Reply) -> Result<(), StoreError> {
        let json = serde_json::to_string(reply).map_err(|e| StoreError(e.to_string()))?;
        sql!(&self.db, "UPDATE idempotency SET reply = ?2 WHERE key = ?1 AND reply IS NULL", key, &json)?
            .run()
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    async fn release_reply(&self, key: &str) -> Result<(), StoreError> {
        sql!(&self.db, "DELETE FROM idempotency WHERE key = ?1 AND reply IS NULL", key)?
            .run()
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    async fn pause(&self, ms: u32) {
        worker::Delay::from(std::time::Duration::from_millis(u64::from(ms))).await;
    }
}

impl Attempts for EdgeStore {
    fn limits(&self) -> Limits {
        self.limits
    }

    async fn take_attempt(&self, bucket: &Bucket<'_>, _limit: u32, _now_ms: i64) -> Option<bool> {
        // The binding holds the limit (configured from the same variables): nothing is written.
        let limiter = match bucket {
            Bucket::Address(_) => self.address_limiter.as_ref(),
            Bucket::Campaign(_) => self.campaign_limiter.as_ref(),
        }?;
        limiter.limit(bucket.key()).await.ok().map(|outcome| outcome.success)
    }
}

thread_local! {
    /// Campaigns this isolate parsed, with the version each was read at: every signup needs
    /// its campaign, and parsing it each time was most of a refused signup's CPU (`cargo xtask
    /// bench`). A copy is used only while D1 says its version stands.
    static CAMPAIGNS: std::cell::RefCell<std::collections::HashMap<String, (i64, Campaign)>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn remembered_campaign(id: &str, version: i64) -> Option<Campaign> {
    CAMPAIGNS.with(|c| c.borrow().get(id).filter(|(at, _)| *at == version).map(|(_, campaign)| campaign.clone()))
}

fn remember_campaign(campaign: &Campaign, version: i64) {
    CAMPAIGNS.with(|c| {
        let mut cache = c.borrow_mut();
        // Bounded: an isolate serving many campaigns starts over.
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(campaign.id.clone(), (version, campaign.clone()));
    });
}

/// An outbox row as the admin API lists it, with its account's campaign.
#[derive(Deserialize)]
struct OutboxRow {
    id: i64,
    account_id: String,
    campaign_id: Option<String>,
    kind: String,
    webhook_id: Option<String>,
    attempts: i64,
    last_status: Option<i64>,
    last_error: Option<String>,
    send_at_ms: i64,
    created_at_ms: i64,
    sent_at_ms: Option<i64>,
    dead_at_ms: Option<i64>,
}

impl OutboxRow {
    fn into_record(self, database: &str) -> OutboxRecord {
        OutboxRecord {
            database: database.to_owned(),
            id: self.id,
            account_id: self.account_id,
            campaign_id: self.campaign_id,
            kind: self.kind,
            webhook_id: self.webhook_id,
            attempts: self.attempts,
            last_status: self.last_status,
            last_error: self.last_error,
            send_at_ms: self.send_at_ms,
            created_at_ms: self.created_at_ms,
            sent_at_ms: self.sent_at_ms,
            dead_at_ms: self.dead_at_ms,
        }
    }
}

/// Outbox rows with their account's campaign, by `condition` on `outbox o` / `accounts a`.
fn outbox_sql(condition: &str) -> String {
    format!(
        "SELECT o.id, o.account_id, a.campaign_id, o.kind, o.webhook_id, o.attempts, o.last_status, o.last_error, \
         o.send_at_ms, o.created_at_ms, o.sent_at_ms, o.dead_at_ms FROM outbox o \
         LEFT JOIN accounts a ON a.id = o.account_id WHERE {condition}"
    )
}

/// The queue takes at most this many messages per send.
const QUEUE_BATCH: usize = 100;

impl Outbox for EdgeStore {
    async fn enqueue(&self, jobs: &[Job], now_ms: i64) -> Result<(), StoreError> {
        let Some(queue) = &self.queue else {
            return Err(StoreError("no OUTBOX_QUEUE binding: the relay will queue the rows".into()));
        };
        for chunk in jobs.chunks(QUEUE_BATCH) {
            let mut batch = worker::BatchMessageBuilder::new();
            for job in chunk {
                batch =
                    batch.message(worker::MessageBuilder::new(job.clone()).delay_seconds(job.delay_s(now_ms)).build());
            }
            if let Err(e) = queue.send_batch(batch.build()).await {
                worker::console_error!(
                    "queueing {} outbox message(s) failed (the relay queues them later): {e}",
                    chunk.len()
                );
                return Err(unavailable(e));
            }
        }
        Ok(())
    }

    async fn claim(&self, job: &Job, now_ms: i64) -> Result<Claim, StoreError> {
        #[derive(Deserialize)]
        struct Taken {
            account_id: String,
            kind: String,
            attempts: i64,
            webhook_id: Option<String>,
            created_at_ms: i64,
            send_at_ms: i64,
        }
        let db = self.database(&job.db)?;
        // One statement decides the race between deliveries of the same row.
        let taken: Option<Taken> = self
            .first(sql!(
                db,
                "UPDATE outbox SET claimed_at_ms = ?2, enqueued_at_ms = ?2, attempts = attempts + 1 \
                 WHERE id = ?1 AND sent_at_ms IS NULL AND dead_at_ms IS NULL AND send_at_ms <= ?2 \
                 AND (claimed_at_ms IS NULL OR claimed_at_ms <= ?3) \
                 RETURNING account_id, kind, attempts, webhook_id, created_at_ms, send_at_ms",
                job.id,
                now_ms,
                now_ms - LEASE_MS
            )?)
            .await?;
        let Some(taken) = taken else {
            #[derive(Deserialize)]
            struct State {
                sent_at_ms: Option<i64>,
                dead_at_ms: Option<i64>,
                send_at_ms: i64,
            }
            let state: Option<State> = self
                .first(sql!(db, "SELECT sent_at_ms, dead_at_ms, send_at_ms FROM outbox WHERE id = ?1", job.id)?)
                .await?;
            return Ok(match state {
                None | Some(State { sent_at_ms: Some(_), .. }) | Some(State { dead_at_ms: Some(_), .. }) => {
                    Claim::Settled
                }
                Some(State { send_at_ms, .. }) if send_at_ms > now_ms => Claim::NotYet { send_at_ms },
                Some(_) => Claim::Held,
            });
        };
        let Some(kind) = MessageKind::from_stored(&taken.kind) else {
            let settled = Settlement::Abandoned { error: format!("unknown outbox kind `{}`", taken.kind) };
            self.settle(job, &settled, now_ms).await?;
            return Ok(Claim::Settled);
        };
        let Some(account) = self.account_first(sql!(db, &account_sql("a.id = ?1"), &taken.account_id)?).await? else {
            return Ok(Claim::Settled);
        };
        Ok(Claim::Claimed(Box::new(Claimed {
            job: Job { send_at_ms: taken.send_at_ms, ..job.clone() },
            kind,
            attempt: u32::try_from(taken.attempts).unwrap_or(u32::MAX),
            webhook_id: taken.webhook_id,
            created_at_ms: taken.created_at_ms,
            account,
        })))
    }

    async fn settle(&self, job: &Job, settlement: &Settlement, now_ms: i64) -> Result<(), StoreError> {
        let db = self.database(&job.db)?;
        let statement = match settlement {
            Settlement::Sent { status } => sql!(
                db,
                "UPDATE outbox SET sent_at_ms = ?2, claimed_at_ms = NULL, last_status = ?3, last_error = NULL WHERE id = ?1",
                job.id,
                now_ms,
                *status
            )?,
            Settlement::Failed { error, status } => sql!(
                db,
                "UPDATE outbox SET claimed_at_ms = NULL, last_error = ?2, last_status = ?3 WHERE id = ?1",
                job.id,
                error,
                *status
            )?,
            Settlement::Abandoned { error } => sql!(
                db,
                "UPDATE outbox SET claimed_at_ms = NULL, last_error = ?2, dead_at_ms = ?3 WHERE id = ?1",
                job.id,
                error,
                now_ms
            )?,
        };
        statement.run().await.map(|_| ()).map_err(unavailable)
    }

    async fn mark_dead(&self, job: &Job, now_ms: i64) -> Result<(), StoreError> {
        let db = self.database(&job.db)?;
        sql!(
            db,
            "UPDATE outbox SET dead_at_ms = COALESCE(dead_at_ms, ?2), claimed_at_ms = NULL \
             WHERE id = ?1 AND sent_at_ms IS NULL",
            job.id,
            now_ms
        )?
        .run()
        .await
        .map(|_| ())
        .map_err(unavailable)
    }

    async fn take_unqueued(
        &self,
        due_before_ms: i64,
        queued_before_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<Job>, StoreError> {
        #[derive(Deserialize)]
        struct Taken {
            id: i64,
            send_at_ms: i64,
        }
        let mut jobs = Vec::new();
        for (name, db) in self.every_named_db() {
            let statement = sql!(
                db,
                "UPDATE outbox SET enqueued_at_ms = ?3 WHERE id IN (SELECT id FROM outbox \
                 WHERE sent_at_ms IS NULL AND dead_at_ms IS NULL AND kind != ?4 AND send_at_ms < ?1 \
                 AND (enqueued_at_ms IS NULL OR enqueued_at_ms < ?2) ORDER BY send_at_ms LIMIT ?5) \
                 RETURNING id, send_at_ms",
                due_before_ms,
                queued_before_ms,
                now_ms,
                MessageKind::WelcomeIfPresent.as_str(),
                RELAY_BATCH as i64
            )?;
            let taken = statement.all().await.map_err(unavailable)?.results::<Taken>().map_err(unavailable)?;
            jobs.extend(taken.into_iter().map(|t| Job { db: name.to_owned(), id: t.id, send_at_ms: t.send_at_ms }));
        }
        Ok(jobs)
    }

    async fn dead_letters(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        let sql = outbox_sql("o.dead_at_ms IS NOT NULL ORDER BY o.dead_at_ms DESC LIMIT 1000");
        let mut found = Vec::new();
        for (name, db) in self.every_named_db() {
            let rows = worker::query!(db, &sql).all().await.map_err(unavailable)?;
            found.extend(rows.results::<OutboxRow>().map_err(unavailable)?.into_iter().map(|r| r.into_record(name)));
        }
        found.sort_by_key(|r| std::cmp::Reverse(r.dead_at_ms));
        Ok(found)
    }

    async fn webhook_deliveries(&self, scope: &Scope, limit: usize) -> Result<Vec<OutboxRecord>, StoreError> {
        let db = self.accounts_db(scope)?;
        let sql = outbox_sql("o.kind = ?1 AND a.scope = ?2 ORDER BY o.id DESC LIMIT ?3");
        let statement =
            sql!(db, &sql, MessageKind::Webhook.as_str(), scope.campaign_id().unwrap_or_default(), limit as i64)?;
        let rows = statement.all().await.map_err(unavailable)?.results::<OutboxRow>().map_err(unavailable)?;
        Ok(rows.into_iter().map(|r| r.into_record(scope.database())).collect())
    }

    async fn arm_verification(&self, job: &Job, account_id: &str, token_hash: &str) -> Result<(), StoreError> {
        let db = self.database(&job.db)?;
        sql!(db, "UPDATE verifications SET token_hash = ?2 WHERE account_id = ?1", account_id, token_hash)?
            .run()
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    async fn use_verification(&self, token_hash: &str, now_ms: i64) -> Result<Verification, StoreError> {
        #[derive(Deserialize)]
        struct Link {
            account_id: String,
            expires_at_ms: i64,
            used_at_ms: Option<i64>,
        }
        // Which database holds the link (one at most: tokens are unique per account).
        let lookups = self.every_named_db().map(|(_, db)| async move {
            let statement = sql!(
                db,
                "SELECT account_id, expires_at_ms, used_at_ms FROM verifications WHERE token_hash = ?1",
                token_hash
            )?;
            Ok::<_, StoreError>(statement.first::<Link>(None).await.map_err(unavailable)?.map(|link| (db, link)))
        });
        let mut found = None;
        for lookup in futures_util::future::join_all(lookups).await {
            found = found.or(lookup?);
        }
        let Some((db, link)) = found else { return Ok(Verification::Unknown) };
        let account =
            |db| async move { self.account_first(sql!(db, &account_sql("a.id = ?1"), &link.account_id)?).await };
        if link.used_at_ms.is_some() || link.expires_at_ms <= now_ms {
            let Some(record) = account(db).await? else { return Ok(Verification::Unknown) };
            return Ok(if link.used_at_ms.is_some() {
                Verification::Used(record)
            } else {
                Verification::Expired(record)
            });
        }
        // One batch (one transaction): of two concurrent uses, the first marks the link used
        // and verifies the account; the second's UPDATE finds it used and returns nothing.
        let results = db
            .batch(vec![
                sql!(
                    db,
                    "UPDATE accounts SET email_verified_at_ms = ?2 WHERE id = (SELECT account_id FROM verifications \
                     WHERE token_hash = ?1 AND used_at_ms IS NULL AND expires_at_ms > ?2) AND email_verified_at_ms IS NULL",
                    token_hash,
                    now_ms
                )?,
                sql!(
                    db,
                    "UPDATE verifications SET used_at_ms = ?2 WHERE token_hash = ?1 AND used_at_ms IS NULL \
                     AND expires_at_ms > ?2 RETURNING account_id",
                    token_hash,
                    now_ms
                )?,
            ])
            .await
            .map_err(unavailable)?;
        #[derive(Deserialize)]
        struct Used {
            #[allow(dead_code)]
            account_id: String,
        }
        let won = results
            .get(1)
            .map(|r| r.results::<Used>().map(|rows| !rows.is_empty()))
            .transpose()
            .map_err(unavailable)?;
        let Some(record) = account(db).await? else { return Ok(Verification::Unknown) };
        Ok(if won == Some(true) { Verification::Verified(record) } else { Verification::Used(record) })
    }
}
