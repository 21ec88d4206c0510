//! An in-memory [`Store`] for fast native tests, with the uniqueness rules of the D1 schema
//! (`migrations/`).

use crate::campaign::{Campaign, Database, Scope};
use crate::limits::{Attempts, Bucket, Limits};
use crate::operator::{CredentialKind, Operator, StoredCredential};
use crate::reply::Reply;
use crate::store::{
    AccountChange, AccountRecord, Accounts, Claim, Claimed, Directory, InsertError, Job, MessageKind, NewAccount,
    Outbox, OutboxRecord, PageKey, Replies, Reservation, Settlement, StoreError, Unique, Verification,
    IDEMPOTENCY_STALE_MS, IDEMPOTENCY_TTL_MS, LEASE_MS, RELAY_BATCH,
};
use std::cell::RefCell;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct MemoryStore {
    campaigns: RefCell<HashMap<String, Campaign>>,
    operators: RefCell<HashMap<String, Operator>>,
    credentials: RefCell<HashMap<(CredentialKind, String), StoredCredential>>,
    accounts: RefCell<Vec<NewAccount>>,
    claimed: RefCell<HashMap<String, i64>>,
    /// Idempotency key → (reserved at, the first answer once there is one).
    replies: RefCell<HashMap<String, (i64, Option<Reply>)>>,
    attempts: RefCell<HashMap<(String, i64), u32>>,
    limits: Limits,
    /// Where new campaigns may go (empty: the directory's database only).
    databases: Vec<Database>,
    /// The outbox rows of every database, and the queue's messages so far (tests read it).
    outbox: RefCell<Vec<OutboxRow>>,
    pub queued: RefCell<Vec<Job>>,
    /// Account id → its verification link.
    verifications: RefCell<HashMap<String, Link>>,
    verified: RefCell<HashMap<String, i64>>,
}

/// A verification link: its token hash once armed, when it expires, when it was used.
type Link = (Option<String>, i64, Option<i64>);

/// An outbox row as the D1 schema keeps it.
#[derive(Clone, Debug)]
pub struct OutboxRow {
    pub job: Job,
    pub account_id: String,
    pub kind: MessageKind,
    pub webhook_id: Option<String>,
    pub created_at_ms: i64,
    pub enqueued_at_ms: Option<i64>,
    pub claimed_at_ms: Option<i64>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub last_status: Option<u16>,
    pub sent_at_ms: Option<i64>,
    pub dead_at_ms: Option<i64>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// The same store placing new campaigns on these databases (by name only: one memory
    /// holds them all, as the uniqueness rules never cross a scope anyway).
    pub fn with_databases(self, names: &[&str]) -> Self {
        Self { databases: names.iter().map(|n| Database((*n).to_owned())).collect(), ..self }
    }

    /// The same store enforcing these rate limits (off by default).
    pub fn with_limits(self, limits: Limits) -> Self {
        Self { limits, ..self }
    }

    pub fn len(&self) -> usize {
        self.accounts.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The stored row itself, hash included (tests only: the admin API never shows it).
    pub fn stored_account(&self, id: &str) -> Option<NewAccount> {
        self.accounts.borrow().iter().find(|a| a.id.as_str() == id).cloned()
    }

    /// The stored row for an e-mail address (tests only; the first, if several scopes hold it).
    pub fn account_by_email_sync(&self, normalized: &str) -> NewAccount {
        self.accounts
            .borrow()
            .iter()
            .find(|a| a.email.as_ref().is_some_and(|e| e.normalized() == normalized))
            .cloned()
            .expect("an account")
    }

    /// Every stored row (tests only).
    pub fn all_accounts(&self) -> Vec<NewAccount> {
        self.accounts.borrow().clone()
    }

    fn record(account: &NewAccount) -> AccountRecord {
        AccountRecord {
            id: account.id.to_string(),
            number: account.number,
            campaign_id: account.scope.campaign_id().map(str::to_owned),
            email: account.email.as_ref().map(ToString::to_string),
            alias: account.alias.as_ref().map(ToString::to_string),
            phone: account.phone.as_ref().map(ToString::to_string),
            ext_ref_id: account.ext_ref_id.clone(),
            dialect: account.dialect.name().to_owned(),
            controller_id: account.controller_id.clone(),
            created_at_ms: account.created_at_ms,
            claimed_at_ms: None,
            profile: account.profile.clone(),
            locale: account.locale,
            email_verified_at_ms: None,
        }
    }

    /// Every outbox row (tests only).
    pub fn outbox_rows(&self) -> Vec<OutboxRow> {
        self.outbox.borrow().clone()
    }

    fn outbox_record(&self, row: &OutboxRow) -> OutboxRecord {
        let campaign_id = self
            .accounts
            .borrow()
            .iter()
            .find(|a| a.id.as_str() == row.account_id)
            .and_then(|a| a.scope.campaign_id().map(str::to_owned));
        OutboxRecord {
            database: row.job.db.clone(),
            id: row.job.id,
            account_id: row.account_id.clone(),
            campaign_id,
            kind: row.kind.as_str().to_owned(),
            webhook_id: row.webhook_id.clone(),
            attempts: i64::from(row.attempts),
            last_status: row.last_status.map(i64::from),
            last_error: row.last_error.clone(),
            send_at_ms: row.job.send_at_ms,
            created_at_ms: row.created_at_ms,
            sent_at_ms: row.sent_at_ms,
            dead_at_ms: row.dead_at_ms,
        }
    }

    fn find(&self, pred: impl Fn(&NewAccount) -> bool) -> Option<AccountRecord> {
        self.find_all(pred).into_iter().next()
    }

    fn find_all(&self, pred: impl Fn(&NewAccount) -> bool) -> Vec<AccountRecord> {
        let claimed = self.claimed.borrow();
        self.accounts
            .borrow()
            .iter()
            .filter(|a| pred(a))
            .map(|a| AccountRecord {
                claimed_at_ms: claimed.get(a.id.as_str()).copied(),
                email_verified_at_ms: self.verified.borrow().get(a.id.as_str()).copied(),
                ..Self::record(a)
            })
            .collect()
    }
}

impl Directory for MemoryStore {
    async fn insert_campaign(&self, campaign: &Campaign, _now_ms: i64) -> Result<(), InsertError> {
        let mut campaigns = self.campaigns.borrow_mut();
        if campaigns.contains_key(&campaign.id) {
            return Err(InsertError::Duplicate(Unique::Key));
        }
        campaigns.insert(campaign.id.clone(), campaign.clone());
        Ok(())
    }

    async fn campaign(&self, id: &str) -> Result<Option<Campaign>, StoreError> {
        Ok(self.campaigns.borrow().get(id).cloned())
    }

    async fn placement(&self) -> Result<Vec<(Database, usize)>, StoreError> {
        let campaigns = self.campaigns.borrow();
        let candidates = if self.databases.is_empty() { vec![Database::directory()] } else { self.databases.clone() };
        Ok(candidates
            .into_iter()
            .map(|d| {
                let count = campaigns.values().filter(|c| c.database == d).count();
                (d, count)
            })
            .collect())
    }

    async fn campaigns(&self) -> Result<Vec<Campaign>, StoreError> {
        let mut all: Vec<Campaign> = self.campaigns.borrow().values().cloned().collect();
        all.sort_by(|a, b| (a.created_at_ms, &a.id).cmp(&(b.created_at_ms, &b.id)));
        Ok(all)
    }

    async fn update_campaign(&self, campaign: &Campaign, _now_ms: i64) -> Result<(), InsertError> {
        let mut campaigns = self.campaigns.borrow_mut();
        let key_taken =
            campaigns.values().any(|c| c.id != campaign.id && c.publishable_key == campaign.publishable_key);
        if key_taken {
            return Err(InsertError::Duplicate(Unique::Key));
        }
        match campaigns.get_mut(&campaign.id) {
            Some(stored) => {
                *stored = campaign.clone();
                Ok(())
            }
            None => Err(InsertError::Unavailable(format!("no campaign {}", campaign.id))),
        }
    }

    async fn origin_allowed_anywhere(&self, origin: &str) -> Result<bool, StoreError> {
        Ok(self.campaigns.borrow().values().any(|c| c.allows_origin(origin)))
    }

    async fn insert_operator(
        &self,
        operator: &Operator,
        credentials: &[StoredCredential],
        _now_ms: i64,
    ) -> Result<(), InsertError> {
        let mut stored = self.credentials.borrow_mut();
        let numbers_clash = self.operators.borrow().values().any(|o| o.number == operator.number);
        if numbers_clash || credentials.iter().any(|c| stored.contains_key(&(c.kind, c.lookup.clone()))) {
            return Err(InsertError::Duplicate(Unique::Key));
        }
        for c in credentials {
            stored.insert((c.kind, c.lookup.clone()), c.clone());
        }
        self.operators.borrow_mut().insert(operator.id.clone(), operator.clone());
        Ok(())
    }

    async fn operator(&self, id: &str) -> Result<Option<Operator>, StoreError> {
        Ok(self.operators.borrow().get(id).cloned())
    }

    async fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        let mut all: Vec<Operator> = self.operators.borrow().values().cloned().collect();
        all.sort_by(|a, b| (a.created_at_ms, &a.id).cmp(&(b.created_at_ms, &b.id)));
        Ok(all)
    }

    async fn replace_credentials(
        &self,
        operator_id: &str,
        credentials: &[StoredCredential],
    ) -> Result<bool, InsertError> {
        if !self.operators.borrow().contains_key(operator_id) {
            return Ok(false);
        }
        let mut stored = self.credentials.borrow_mut();
        let clash = credentials
            .iter()
            .any(|c| stored.get(&(c.kind, c.lookup.clone())).is_some_and(|old| old.owner_id != operator_id));
        if clash {
            return Err(InsertError::Duplicate(Unique::Key));
        }
        stored.retain(|_, c| c.owner_id != operator_id);
        for c in credentials {
            stored.insert((c.kind, c.lookup.clone()), c.clone());
        }
        Ok(true)
    }

    async fn delete_operator(&self, id: &str) -> Result<bool, StoreError> {
        let existed = self.operators.borrow_mut().remove(id).is_some();
        self.credentials.borrow_mut().retain(|_, c| c.owner_id != id);
        Ok(existed)
    }

    async fn credential(&self, kind: CredentialKind, lookup: &str) -> Result<Option<StoredCredential>, StoreError> {
        Ok(self.credentials.borrow().get(&(kind, lookup.to_owned())).cloned())
    }

    async fn insert_credential(&self, credential: &StoredCredential) -> Result<(), InsertError> {
        let mut stored = self.credentials.borrow_mut();
        let key = (credential.kind, credential.lookup.clone());
        if stored.contains_key(&key) {
            return Err(InsertError::Duplicate(Unique::Key));
        }
        stored.insert(key, credential.clone());
        Ok(())
    }

    async fn take_credential(
        &self,
        kind: CredentialKind,
        lookup: &str,
    ) -> Result<Option<StoredCredential>, StoreError> {
        Ok(self.credentials.borrow_mut().remove(&(kind, lookup.to_owned())))
    }
}

impl Accounts for MemoryStore {
    async fn insert_account(&self, account: &NewAccount) -> Result<Vec<Job>, InsertError> {
        let mut accounts = self.accounts.borrow_mut();
        // As the schema: numbers unique per database, everything else per scope.
        let clash = |other: &NewAccount| -> Option<Unique> {
            let same = |a: Option<String>, b: Option<String>| a.is_some() && a == b;
            let same_scope = other.scope == account.scope;
            if other.number == account.number && other.scope.database() == account.scope.database() {
                Some(Unique::Number)
            } else if !same_scope {
                None
            } else if same(other.email.as_ref().map(|e| e.normalized()), account.email.as_ref().map(|e| e.normalized()))
            {
                Some(Unique::Email)
            } else if same(other.alias.as_ref().map(|a| a.normalized()), account.alias.as_ref().map(|a| a.normalized()))
            {
                Some(Unique::Alias)
            } else if other.phone_is_key
                && account.phone_is_key
                && same(other.phone.as_ref().map(ToString::to_string), account.phone.as_ref().map(ToString::to_string))
            {
                Some(Unique::Phone)
            } else if same(other.ext_ref_id.clone(), account.ext_ref_id.clone()) {
                Some(Unique::ExtRef)
            } else {
                None
            }
        };
        if let Some(unique) = accounts.iter().find_map(clash) {
            return Err(InsertError::Duplicate(unique));
        }
        let mut stored = self.credentials.borrow_mut();
        if account.credentials.iter().any(|c| stored.contains_key(&(c.kind, c.lookup.clone()))) {
            return Err(InsertError::Duplicate(Unique::Key));
        }
        for c in &account.credentials {
            stored.insert((c.kind, c.lookup.clone()), c.clone());
        }
        accounts.push(account.clone());
        let mut outbox = self.outbox.borrow_mut();
        let mut jobs = Vec::new();
        for entry in &account.outbox {
            let job = Job {
                db: account.scope.database().to_owned(),
                id: outbox.len() as i64 + 1,
                send_at_ms: entry.send_at_ms,
            };
            let queue_now = entry.queued_at_write(account.created_at_ms);
            outbox.push(OutboxRow {
                job: job.clone(),
                account_id: account.id.to_string(),
                kind: entry.kind,
                webhook_id: entry.webhook_id.clone(),
                created_at_ms: account.created_at_ms,
                enqueued_at_ms: queue_now.then_some(account.created_at_ms),
                claimed_at_ms: None,
                attempts: 0,
                last_error: None,
                last_status: None,
                sent_at_ms: None,
                dead_at_ms: None,
            });
            if queue_now {
                jobs.push(job);
            }
        }
        if let Some(expires_at_ms) = account.verification {
            self.verifications.borrow_mut().insert(account.id.to_string(), (None, expires_at_ms, None));
        }
        Ok(jobs)
    }

    async fn account(&self, id: &str) -> Result<Option<AccountRecord>, StoreError> {
        Ok(self.find(|a| a.id.as_str() == id))
    }

    async fn account_by_email(&self, scope: &Scope, normalized: &str) -> Result<Option<AccountRecord>, StoreError> {
        Ok(self.find(|a| &a.scope == scope && a.email.as_ref().is_some_and(|e| e.normalized() == normalized)))
    }

    async fn accounts_by_email(&self, normalized: &str) -> Result<Vec<AccountRecord>, StoreError> {
        Ok(self.find_all(|a| a.email.as_ref().is_some_and(|e| e.normalized() == normalized)))
    }

    async fn account_by_phone_key(&self, scope: &Scope, phone: &str) -> Result<Option<AccountRecord>, StoreError> {
        Ok(self.find(|a| &a.scope == scope && a.phone_is_key && a.phone.as_ref().is_some_and(|p| p.as_ref() == phone)))
    }

    async fn accounts_by_number(&self, number: i64) -> Result<Vec<AccountRecord>, StoreError> {
        Ok(self.find_all(|a| a.number == number))
    }

    async fn update_account(&self, scope: &Scope, id: &str, change: &AccountChange) -> Result<(), InsertError> {
        let mut accounts = self.accounts.borrow_mut();
        let others = || accounts.iter().filter(|a| &a.scope == scope && a.id.as_str() != id);
        if let Some(email) = &change.email {
            if others().any(|a| a.email.as_ref().is_some_and(|e| e.normalized() == email.normalized())) {
                return Err(InsertError::Duplicate(Unique::Email));
            }
        }
        if let Some(alias) = &change.alias {
            if others().any(|a| a.alias.as_ref().is_some_and(|x| x.normalized() == alias.normalized())) {
                return Err(InsertError::Duplicate(Unique::Alias));
            }
        }
        let account = accounts
            .iter_mut()
            .find(|a| &a.scope == scope && a.id.as_str() == id)
            .ok_or(InsertError::Unavailable(format!("no account {id}")))?;
        if let Some(email) = &change.email {
            account.email = Some(email.clone());
        }
        if let Some(alias) = &change.alias {
            account.alias = Some(alias.clone());
        }
        if let Some(phone) = &change.phone {
            account.phone = Some(phone.clone());
        }
        account.profile.extend(change.profile.clone());
        Ok(())
    }

    async fn claim_account(&self, id: &str, now_ms: i64) -> Result<(), StoreError> {
        self.claimed.borrow_mut().entry(id.to_owned()).or_insert(now_ms);
        Ok(())
    }

    async fn accounts_page(
        &self,
        scope: &Scope,
        after: Option<&PageKey>,
        limit: usize,
    ) -> Result<Vec<AccountRecord>, StoreError> {
        let key = |a: &AccountRecord| PageKey { created_at_ms: a.created_at_ms, id: a.id.clone() };
        let mut found = self.find_all(|a| &a.scope == scope);
        found.sort_by_key(key);
        found.retain(|a| after.is_none_or(|after| key(a) > *after));
        found.truncate(limit);
        Ok(found)
    }

    async fn erase_account(&self, scope: &Scope, id: &str) -> Result<bool, StoreError> {
        let mut accounts = self.accounts.borrow_mut();
        let before = accounts.len();
        accounts.retain(|a| !(&a.scope == scope && a.id.as_str() == id));
        if accounts.len() == before {
            return Ok(false);
        }
        self.claimed.borrow_mut().remove(id);
        self.outbox.borrow_mut().retain(|row| row.account_id != id);
        self.verifications.borrow_mut().remove(id);
        self.verified.borrow_mut().remove(id);
        self.credentials.borrow_mut().retain(|_, c| c.owner_id != id);
        self.replies.borrow_mut().retain(|_, (_, reply)| !reply.as_ref().is_some_and(|r| r.body.contains(id)));
        Ok(true)
    }
}

impl Replies for MemoryStore {
    async fn reserve_reply(&self, key: &str, now_ms: i64) -> Result<Reservation, StoreError> {
        let mut replies = self.replies.borrow_mut();
        let expired = |(at, reply): &(i64, Option<Reply>)| {
            now_ms - at > IDEMPOTENCY_TTL_MS || (reply.is_none() && now_ms - at > IDEMPOTENCY_STALE_MS)
        };
        match replies.get(key) {
            Some(entry) if !expired(entry) => Ok(entry.1.clone().map_or(Reservation::Running, Reservation::Answered)),
            _ => {
                replies.insert(key.to_owned(), (now_ms, None));
                Ok(Reservation::Won)
            }
        }
    }

    async fn keep_reply(&self, key: &str, reply: &Reply) -> Result<(), StoreError> {
        if let Some(entry) = self.replies.borrow_mut().get_mut(key) {
            entry.1 = Some(reply.clone());
        }
        Ok(())
    }

    async fn release_reply(&self, key: &str) -> Result<(), StoreError> {
        self.replies.borrow_mut().remove(key);
        Ok(())
    }

    async fn pause(&self, _ms: u32) {}
}

impl Attempts for MemoryStore {
    fn limits(&self) -> Limits {
        self.limits
    }

    async fn take_attempt(&self, bucket: &Bucket<'_>, limit: u32, now_ms: i64) -> Option<bool> {
        let minute = crate::limits::minute(now_ms);
        let mut attempts = self.attempts.borrow_mut();
        attempts.retain(|(_, m), _| *m >= minute - 1);
        let count = attempts.entry((bucket.key(), minute)).or_insert(0);
        *count += 1;
        Some(*count <= limit)
    }
}

impl Outbox for MemoryStore {
    async fn enqueue(&self, jobs: &[Job], _now_ms: i64) -> Result<(), StoreError> {
        self.queued.borrow_mut().extend(jobs.iter().cloned());
        Ok(())
    }

    async fn claim(&self, job: &Job, now_ms: i64) -> Result<Claim, StoreError> {
        let claimed = {
            let mut outbox = self.outbox.borrow_mut();
            let Some(row) = outbox.iter_mut().find(|r| r.job.db == job.db && r.job.id == job.id) else {
                return Ok(Claim::Settled);
            };
            if row.sent_at_ms.is_some() || row.dead_at_ms.is_some() {
                return Ok(Claim::Settled);
            }
            if row.claimed_at_ms.is_some_and(|at| at > now_ms - LEASE_MS) {
                return Ok(Claim::Held);
            }
            if row.job.send_at_ms > now_ms {
                return Ok(Claim::NotYet { send_at_ms: row.job.send_at_ms });
            }
            row.claimed_at_ms = Some(now_ms);
            row.enqueued_at_ms = Some(now_ms);
            row.attempts += 1;
            row.clone()
        };
        let Some(account) = self.find(|a| a.id.as_str() == claimed.account_id) else { return Ok(Claim::Settled) };
        Ok(Claim::Claimed(Box::new(Claimed {
            job: claimed.job,
            kind: claimed.kind,
            attempt: claimed.attempts,
            webhook_id: claimed.webhook_id,
            created_at_ms: claimed.created_at_ms,
            account,
        })))
    }

    async fn settle(&self, job: &Job, settlement: &Settlement, now_ms: i64) -> Result<(), StoreError> {
        let mut outbox = self.outbox.borrow_mut();
        if let Some(row) = outbox.iter_mut().find(|r| r.job.db == job.db && r.job.id == job.id) {
            row.claimed_at_ms = None;
            match settlement {
                Settlement::Sent { status } => {
                    row.sent_at_ms = Some(now_ms);
                    row.last_status = *status;
                }
                Settlement::Failed { error, status } => {
                    row.last_error = Some(error.clone());
                    row.last_status = *status;
                }
                Settlement::Abandoned { error } => {
                    row.last_error = Some(error.clone());
                    row.dead_at_ms = Some(now_ms);
                }
            }
        }
        Ok(())
    }

    async fn mark_dead(&self, job: &Job, now_ms: i64) -> Result<(), StoreError> {
        let mut outbox = self.outbox.borrow_mut();
        if let Some(row) =
            outbox.iter_mut().find(|r| r.job.db == job.db && r.job.id == job.id && r.sent_at_ms.is_none())
        {
            row.dead_at_ms.get_or_insert(now_ms);
            row.claimed_at_ms = None;
        }
        Ok(())
    }

    async fn take_unqueued(
        &self,
        due_before_ms: i64,
        queued_before_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<Job>, StoreError> {
        let mut taken = Vec::new();
        for row in self.outbox.borrow_mut().iter_mut() {
            let open = row.sent_at_ms.is_none() && row.dead_at_ms.is_none() && !row.kind.waits();
            let lost = row.enqueued_at_ms.is_none_or(|at| at < queued_before_ms);
            if open && lost && row.job.send_at_ms < due_before_ms && taken.len() < RELAY_BATCH {
                row.enqueued_at_ms = Some(now_ms);
                taken.push(row.job.clone());
            }
        }
        Ok(taken)
    }

    async fn dead_letters(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        let rows = self.outbox.borrow().clone();
        Ok(rows.iter().rev().filter(|r| r.dead_at_ms.is_some()).map(|r| self.outbox_record(r)).collect())
    }

    async fn webhook_deliveries(&self, scope: &Scope, limit: usize) -> Result<Vec<OutboxRecord>, StoreError> {
        let rows = self.outbox.borrow().clone();
        Ok(rows
            .iter()
            .rev()
            .filter(|r| r.kind == MessageKind::Webhook)
            .map(|r| self.outbox_record(r))
            .filter(|r| r.campaign_id.as_deref() == scope.campaign_id())
            .take(limit)
            .collect())
    }

    async fn arm_verification(&self, _job: &Job, account_id: &str, token_hash: &str) -> Result<(), StoreError> {
        if let Some(entry) = self.verifications.borrow_mut().get_mut(account_id) {
            entry.0 = Some(token_hash.to_owned());
        }
        Ok(())
    }

    async fn use_verification(&self, token_hash: &str, now_ms: i64) -> Result<Verification, StoreError> {
        let found = {
            let mut verifications = self.verifications.borrow_mut();
            let Some((account_id, entry)) =
                verifications.iter_mut().find(|(_, (hash, _, _))| hash.as_deref() == Some(token_hash))
            else {
                return Ok(Verification::Unknown);
            };
            let state = match entry {
                (_, _, Some(_)) => 1,
                (_, expires, None) if *expires <= now_ms => 2,
                _ => {
                    entry.2 = Some(now_ms);
                    self.verified.borrow_mut().insert(account_id.clone(), now_ms);
                    0
                }
            };
            (account_id.clone(), state)
        };
        let Some(account) = self.find(|a| a.id.as_str() == found.0) else { return Ok(Verification::Unknown) };
        Ok(match found.1 {
            0 => Verification::Verified(account),
            1 => Verification::Used(account),
            _ => Verification::Expired(account),
        })
    }
}
