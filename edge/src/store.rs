//! What the edge keeps, behind five traits (one per kind of use: [`Directory`], [`Accounts`],
//! [`Replies`], the limits' `Attempts` and the [`Outbox`]; [`Store`] is all of them): D1 + KV in the Worker
//! ([`crate`]'s `d1` module), memory in native tests (`memory`). Uniqueness is the store's job (UNIQUE indexes),
//! so concurrent signups cannot both win; an account, its profile and its outbox entries are
//! written together or not at all.

use crate::campaign::{Campaign, Database, Scope};
pub use crate::export::PageKey;
use crate::limits::Attempts;
use crate::names::Dialect;
use crate::operator::{CredentialKind, Operator, StoredCredential};
use crate::reply::Reply;
use enlist_shared::{Alias, Email, Locale, Phone};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A value only one row may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unique {
    Email,
    Alias,
    /// The mobile number, where it is the campaign's reconciliation key.
    Phone,
    /// The external reference id, within a campaign.
    ExtRef,
    /// The random numeric id (a collision is retried).
    Number,
    /// A campaign id, an operator or a credential look-up.
    Key,
}

/// Why an insert did not happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InsertError {
    Duplicate(Unique),
    /// The store failed; the text is for the operator's log, never for the caller.
    Unavailable(String),
}

/// A failed read; the text is for the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl From<StoreError> for InsertError {
    fn from(e: StoreError) -> Self {
        InsertError::Unavailable(e.0)
    }
}

/// A message the outbox consumer will send at `send_at_ms` (an e-mail, or a webhook delivery).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    pub kind: MessageKind,
    pub send_at_ms: i64,
    /// A webhook delivery's `webhook-id`, the same on every retry.
    pub webhook_id: Option<String>,
}

impl OutboxEntry {
    pub fn mail(kind: MessageKind, send_at_ms: i64) -> Self {
        Self { kind, send_at_ms, webhook_id: None }
    }

    /// Whether the signup that writes it also queues it: due within the queue's longest delay
    /// and not waiting for an event. The relay queues the others when their time comes within
    /// reach (see `crate::outbox`).
    pub fn queued_at_write(&self, written_at_ms: i64) -> bool {
        !self.kind.waits() && self.send_at_ms - written_at_ms < i64::from(MAX_DELAY_S) * 1000
    }
}

/// What an outbox entry asks to be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// Poken's welcome (`sendEmailId` now or at a time).
    Welcome,
    /// Poken's welcome once the person is present at the event (`sendEmailId=3`).
    WelcomeIfPresent,
    /// MoveDigital's generated temporary password.
    TemporaryPassword,
    /// The one-time link that verifies the address (a policy's `verify_email`, GetResponse's
    /// double opt-in).
    Verification,
    /// The campaign's webhook, told of the new account (`account.created`).
    Webhook,
}

impl MessageKind {
    /// Its name in storage (the outbox's `kind` column).
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageKind::Welcome => "welcome",
            MessageKind::WelcomeIfPresent => "welcome_if_present",
            MessageKind::TemporaryPassword => "temporary_password",
            MessageKind::Verification => "verification",
            MessageKind::Webhook => "webhook",
        }
    }

    pub fn from_stored(kind: &str) -> Option<Self> {
        [Self::Welcome, Self::WelcomeIfPresent, Self::TemporaryPassword, Self::Verification, Self::Webhook]
            .into_iter()
            .find(|k| k.as_str() == kind)
    }

    /// Whether it waits for something else than its time (a welcome sent once the person is
    /// present at the event): the relay does not queue it.
    pub const fn waits(self) -> bool {
        matches!(self, MessageKind::WelcomeIfPresent)
    }
}

/// A parsed, hashed account ready to be stored, with its profile and outbox entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccount {
    pub id: AccountId,
    pub number: i64,
    pub scope: Scope,
    pub email: Option<Email>,
    pub alias: Option<Alias>,
    pub phone: Option<Phone>,
    /// The phone is the campaign's reconciliation key, so it must be unique there.
    pub phone_is_key: bool,
    pub ext_ref_id: Option<String>,
    /// argon2id PHC string; the password itself is never kept.
    pub password_hash: Option<String>,
    /// The dialect that created it.
    pub dialect: Dialect,
    pub controller_id: Option<String>,
    /// Wire field name → normalised value.
    pub profile: BTreeMap<String, String>,
    pub outbox: Vec<OutboxEntry>,
    /// Secrets that belong to the account (its own API key, a security answer), hashed.
    pub credentials: Vec<StoredCredential>,
    /// The language of the messages it is sent and the pages it is shown.
    pub locale: Locale,
    /// When its verification link expires, when the address must be verified (the link's
    /// token hash is stored when the e-mail is written: see [`crate::verify`]).
    pub verification: Option<i64>,
    pub created_at_ms: i64,
}

/// An account as the admin API shows it: no password, hash or secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountRecord {
    pub id: String,
    pub number: i64,
    pub campaign_id: Option<String>,
    pub email: Option<String>,
    pub alias: Option<String>,
    pub phone: Option<String>,
    pub ext_ref_id: Option<String>,
    pub dialect: String,
    pub controller_id: Option<String>,
    pub created_at_ms: i64,
    pub claimed_at_ms: Option<i64>,
    pub profile: BTreeMap<String, String>,
    /// The language of its messages and pages (`en`, `de`, ...).
    pub locale: Locale,
    /// When its owner followed the verification link (`None`: not verified); shown as
    /// `email_verified_at`, RFC 3339.
    #[serde(rename = "email_verified_at", serialize_with = "rfc3339_or_null")]
    pub email_verified_at_ms: Option<i64>,
}

fn rfc3339_or_null<S: serde::Serializer>(ms: &Option<i64>, serializer: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => serializer.serialize_str(&crate::export::rfc3339(*ms)),
        None => serializer.serialize_none(),
    }
}

/// What a profile update changes. `None` leaves a value as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountChange {
    pub email: Option<Email>,
    pub alias: Option<Alias>,
    pub phone: Option<Phone>,
    /// Profile fields to set (wire name → value), merged into the stored ones.
    pub profile: BTreeMap<String, String>,
}

/// An account's public id: `acc_` and 26 lower-case base32 characters (128 random bits).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AccountId(String);

impl AccountId {
    pub fn generate() -> Result<Self, getrandom::Error> {
        Ok(Self(format!("acc_{}", crate::secrets::random_token(26)?)))
    }

    /// An id read back from storage.
    pub fn from_stored(id: String) -> Self {
        Self(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How long a first answer is replayed for its idempotency key.
pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// After how long a reservation without an answer counts as abandoned (a signup takes well
/// under a second; a Worker invocation this old has died).
pub const IDEMPOTENCY_STALE_MS: i64 = 30_000;

/// What [`Replies::reserve_reply`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reservation {
    /// This request is the key's first: run it, then keep (or release) its answer.
    Won,
    /// The key's first answer, to replay byte for byte.
    Answered(Reply),
    /// The key's first request is still running.
    Running,
}

// The Worker is single-threaded and its futures are !Send, so no Send bound is wanted here.
/// The directory: campaigns, operators and their credentials.
#[allow(async_fn_in_trait)]
pub trait Directory {
    async fn insert_campaign(&self, campaign: &Campaign, now_ms: i64) -> Result<(), InsertError>;
    async fn campaign(&self, id: &str) -> Result<Option<Campaign>, StoreError>;
    /// The databases new campaigns may be placed on (configuration), each with how many
    /// campaigns it holds now.
    async fn placement(&self) -> Result<Vec<(Database, usize)>, StoreError>;
    /// Every campaign, oldest first.
    async fn campaigns(&self) -> Result<Vec<Campaign>, StoreError>;
    /// Stores a campaign's new name, origins, policy, `open` and publishable key. Takes effect
    /// on the very next request everywhere (no cache may serve the old campaign).
    async fn update_campaign(&self, campaign: &Campaign, now_ms: i64) -> Result<(), InsertError>;
    /// Whether any campaign lists `origin` (for CORS pre-flights, which name no campaign).
    async fn origin_allowed_anywhere(&self, origin: &str) -> Result<bool, StoreError>;
    async fn insert_operator(
        &self,
        operator: &Operator,
        credentials: &[StoredCredential],
        now_ms: i64,
    ) -> Result<(), InsertError>;
    async fn operator(&self, id: &str) -> Result<Option<Operator>, StoreError>;
    /// Every operator, oldest first.
    async fn operators(&self) -> Result<Vec<Operator>, StoreError>;
    /// Replaces every credential of an operator with `credentials`, atomically: the old ones
    /// are refused from then on. `false`: no such operator (nothing changed).
    async fn replace_credentials(
        &self,
        operator_id: &str,
        credentials: &[StoredCredential],
    ) -> Result<bool, InsertError>;
    /// Removes an operator and every credential of it. `false`: no such operator.
    async fn delete_operator(&self, id: &str) -> Result<bool, StoreError>;
    async fn credential(&self, kind: CredentialKind, lookup: &str) -> Result<Option<StoredCredential>, StoreError>;
    async fn insert_credential(&self, credential: &StoredCredential) -> Result<(), InsertError>;
    /// Removes and returns a credential: what a single-use one (an OAuth2 code) needs, so two
    /// concurrent exchanges cannot both succeed.
    async fn take_credential(&self, kind: CredentialKind, lookup: &str)
        -> Result<Option<StoredCredential>, StoreError>;
}

/// Accounts and their profiles. Each scope's accounts are in its database; the look-ups
/// that name no scope (by id, by number, every campaign's accounts with one e-mail) ask every
/// database.
#[allow(async_fn_in_trait)]
pub trait Accounts {
    /// Inserts the account, its profile, its outbox entries, its verification token and its
    /// own credentials atomically: all of them, or nothing. The outbox rows it wrote, to queue.
    async fn insert_account(&self, account: &NewAccount) -> Result<Vec<Job>, InsertError>;
    /// An account by its id, in whichever database holds it.
    async fn account(&self, id: &str) -> Result<Option<AccountRecord>, StoreError>;
    /// The scope's account with this normalised e-mail.
    async fn account_by_email(&self, scope: &Scope, normalized: &str) -> Result<Option<AccountRecord>, StoreError>;
    /// Every scope's account with this normalised e-mail (admin look-ups), oldest first.
    async fn accounts_by_email(&self, normalized: &str) -> Result<Vec<AccountRecord>, StoreError>;
    /// The scope's account whose reconciliation key is this phone.
    async fn account_by_phone_key(&self, scope: &Scope, phone: &str) -> Result<Option<AccountRecord>, StoreError>;
    /// Every account with this number: a number is unique within its database only.
    async fn accounts_by_number(&self, number: i64) -> Result<Vec<AccountRecord>, StoreError>;
    /// Changes an account's unique values (judged within its scope) and merges profile
    /// fields, atomically.
    async fn update_account(&self, scope: &Scope, id: &str, change: &AccountChange) -> Result<(), InsertError>;
    /// Marks the first sign-in of an account's owner (it is no longer "new").
    async fn claim_account(&self, id: &str, now_ms: i64) -> Result<(), StoreError>;
    /// Up to `limit` accounts of a scope after `after` in (created at, id) order: keyset
    /// paging, so accounts arriving meanwhile never make a page skip or repeat one.
    async fn accounts_page(
        &self,
        scope: &Scope,
        after: Option<&PageKey>,
        limit: usize,
    ) -> Result<Vec<AccountRecord>, StoreError>;
    /// Erases an account for good: the account, its profile, its outbox entries and every
    /// credential it owns (in its database and in the directory), and the idempotency records
    /// whose answers name it. `false`: no such account in that scope.
    async fn erase_account(&self, scope: &Scope, id: &str) -> Result<bool, StoreError>;
}

/// The first answers given to idempotency keys, replayed to retries.
#[allow(async_fn_in_trait)]
pub trait Replies {
    /// Reserves an idempotency key for the request that asks first, atomically: of any number
    /// of overlapping requests with one key, exactly one wins. The others find the first
    /// answer, or that the first request is still running. A reservation left without an
    /// answer for [`IDEMPOTENCY_STALE_MS`] (its request died) is taken over; keys are kept
    /// for [`IDEMPOTENCY_TTL_MS`].
    async fn reserve_reply(&self, key: &str, now_ms: i64) -> Result<Reservation, StoreError>;
    /// Records the key's first answer (only the winner of [`Replies::reserve_reply`] calls it).
    async fn keep_reply(&self, key: &str, reply: &Reply) -> Result<(), StoreError>;
    /// Gives a reservation up without an answer (our own failure), so a retry runs again.
    async fn release_reply(&self, key: &str) -> Result<(), StoreError>;
    /// Waits, without holding anything, before asking again.
    async fn pause(&self, ms: u32);
}

/// How long a verification link works.
pub const VERIFICATION_TTL_MS: i64 = 48 * 60 * 60 * 1000;

// The outbox's storage (see `crate::outbox` for how it is drained).

/// The queue's longest delay for one message (Cloudflare Queues: 12 hours).
pub const MAX_DELAY_S: u32 = 12 * 60 * 60;
/// How long a claim holds a row: a delivery takes seconds; one this old has died.
pub const LEASE_MS: i64 = 60_000;
/// After how long a queued row that is neither sent nor dead is queued again by the relay
/// (its message may have been lost between the batch and the queue).
pub const REQUEUE_AFTER_MS: i64 = 15 * 60_000;
/// Most rows the relay queues per run and database (the cron runs every minute).
pub const RELAY_BATCH: usize = 100;

/// A queue message: one outbox row of one database.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Job {
    /// The D1 binding holding the row (`DB`, `ACCOUNTS_1`, ...).
    pub db: String,
    pub id: i64,
    /// When it is due (the queue delays it until then, up to [`MAX_DELAY_S`]).
    pub send_at_ms: i64,
}

impl Job {
    /// How many seconds the queue should hold it back.
    pub fn delay_s(&self, now_ms: i64) -> u32 {
        let ms = (self.send_at_ms - now_ms).max(0);
        u32::try_from((ms + 999) / 1000).unwrap_or(u32::MAX).min(MAX_DELAY_S)
    }
}

/// A claimed outbox row with what its delivery needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    pub job: Job,
    pub kind: MessageKind,
    /// This attempt's number (1 for the first).
    pub attempt: u32,
    pub webhook_id: Option<String>,
    pub created_at_ms: i64,
    pub account: AccountRecord,
}

/// What claiming a row found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This delivery holds the row.
    Claimed(Box<Claimed>),
    /// Sent, dead, or gone (its account erased): nothing to do.
    Settled,
    /// Another delivery holds it: ask again after the lease.
    Held,
    /// Not due yet (a queue delivers early only if asked to; the relay may): ask again then.
    NotYet { send_at_ms: i64 },
}

/// How a claimed row's attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// Sent (a webhook: the receiver's 2xx status).
    Sent { status: Option<u16> },
    /// Failed; the claim is released for the queue's retry. The text is for the log and the
    /// admin API (never a secret: errors of the binding or the receiver's status).
    Failed { error: String, status: Option<u16> },
    /// Will never be sent (its webhook was removed): dead with this reason, no retry.
    Abandoned { error: String },
}

/// An outbox row as the admin API shows it (dead letters, webhook deliveries).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutboxRecord {
    pub database: String,
    pub id: i64,
    pub account_id: String,
    pub campaign_id: Option<String>,
    pub kind: String,
    pub webhook_id: Option<String>,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub send_at_ms: i64,
    pub created_at_ms: i64,
    pub sent_at_ms: Option<i64>,
    pub dead_at_ms: Option<i64>,
}

/// What following a verification link found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// The account is verified now.
    Verified(AccountRecord),
    /// The link was followed before.
    Used(AccountRecord),
    /// The link is older than [`VERIFICATION_TTL_MS`].
    Expired(AccountRecord),
    /// No such link (never issued, or its account erased).
    Unknown,
}

/// The outbox part of the store.
#[allow(async_fn_in_trait)]
pub trait Outbox {
    /// Sends the jobs to the queue, each delayed until it is due (up to [`MAX_DELAY_S`]).
    async fn enqueue(&self, jobs: &[Job], now_ms: i64) -> Result<(), StoreError>;
    /// Claims a row for one delivery (see the module's "never twice").
    async fn claim(&self, job: &Job, now_ms: i64) -> Result<Claim, StoreError>;
    /// Records how a claimed attempt ended and releases the claim.
    async fn settle(&self, job: &Job, settlement: &Settlement, now_ms: i64) -> Result<(), StoreError>;
    /// Marks a row dead (the dead-letter queue got its message), unless it was sent.
    async fn mark_dead(&self, job: &Job, now_ms: i64) -> Result<(), StoreError>;
    /// In every database: rows neither sent nor dead nor waiting, due before `due_before_ms`,
    /// never queued or queued before `queued_before_ms`; at most [`RELAY_BATCH`] per
    /// database, marked queued at `now_ms`.
    async fn take_unqueued(
        &self,
        due_before_ms: i64,
        queued_before_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<Job>, StoreError>;
    /// Every dead row, in every database, newest first.
    async fn dead_letters(&self) -> Result<Vec<OutboxRecord>, StoreError>;
    /// A campaign's webhook deliveries (in its database), newest first, at most `limit`.
    async fn webhook_deliveries(&self, scope: &Scope, limit: usize) -> Result<Vec<OutboxRecord>, StoreError>;
    /// Stores the hash of an account's verification token (before its e-mail is sent; the
    /// same hash every time, so a repeated attempt changes nothing).
    async fn arm_verification(&self, job: &Job, account_id: &str, token_hash: &str) -> Result<(), StoreError>;
    /// Uses a verification token (by its hash) once, atomically: of two concurrent uses, one
    /// verifies.
    async fn use_verification(&self, token_hash: &str, now_ms: i64) -> Result<Verification, StoreError>;
}

/// Everything the Worker stores, for the routes that need several parts (each use case asks
/// for the parts it uses where it can).
pub trait Store: Directory + Accounts + Replies + Attempts + Outbox {}

impl<T: Directory + Accounts + Replies + Attempts + Outbox> Store for T {}
