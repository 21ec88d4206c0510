//! The outbox, drained through a queue: every e-mail and webhook delivery a signup promises is
//! an outbox row, written in the same D1 batch as the account (a transactional outbox), then
//! referenced by a queue message ([`Job`]). The consumer ([`deliver`]) claims the row, sends it
//! and marks it sent; a failure is retried by the queue with back-off; after the queue's last
//! retry the message goes to the dead-letter queue, whose consumer ([`bury`]) marks the row
//! dead, where the admin API lists it.
//!
//! **Never lost**: the row exists before any message does. The signup queues its rows right
//! after the batch commits; if that send fails (or the Worker dies in between), the scheduled
//! relay ([`relay`], a cron trigger) finds rows queued longer ago than [`REQUEUE_AFTER_MS`]
//! and still neither sent nor dead, and queues them again. It also queues the rows whose send
//! time was beyond the queue's longest delay ([`MAX_DELAY_S`]) once it comes within reach.
//!
//! **Never twice**: a queue delivers at least once, and the relay may queue a row again, so a
//! row can reach the consumer more than once, even at the same moment. Each delivery first
//! claims the row with one conditional `UPDATE` (not sent, not dead, no live claim): of any
//! number of deliveries exactly one holds the claim; the others find the row sent (ack) or
//! claimed (retry after the claim's lease). The one window left is a send that succeeds
//! whose "sent" mark is then lost (the Worker dies between the two): after the lease the row
//! is sent again. Each message carries a `Message-ID` derived from its row, so receiving mail
//! systems can tell the copy.

pub use crate::store::{
    Claim, Claimed, Job, Outbox, OutboxRecord, Settlement, Verification, LEASE_MS, MAX_DELAY_S, RELAY_BATCH,
    REQUEUE_AFTER_MS,
};
use crate::store::{MessageKind, StoreError};

/// Longest back-off between two attempts.
pub const MAX_BACKOFF_S: u32 = 60 * 60;

/// What the consumer does with a queue message after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    Ack,
    /// Retry after this many seconds.
    Retry(u32),
}

/// The back-off before attempt `attempt + 1`: `base_s` doubled per attempt made, at most
/// [`MAX_BACKOFF_S`] (`base_s` 0: at once, as the tests run).
pub fn backoff_s(base_s: u32, attempt: u32) -> u32 {
    let doubled = u64::from(base_s) << attempt.saturating_sub(1).min(20);
    u32::try_from(doubled).unwrap_or(u32::MAX).min(MAX_BACKOFF_S)
}

/// What sends: the e-mail binding and `fetch`, in the Worker; a recorder in native tests.
#[allow(async_fn_in_trait)]
pub trait Courier {
    /// Sends one RFC 5322 message. The error text is for the log and the admin API.
    async fn send_mail(&self, mail: &crate::mail::Mail) -> Result<(), String>;
    /// POSTs a webhook; the receiver's status, or why there was none.
    async fn post(&self, url: &str, headers: &[(String, String)], body: &str) -> Result<u16, String>;
}

/// What delivering needs besides the store and the courier.
#[derive(Clone, Debug, Default)]
pub struct Delivery<'a> {
    /// The sender, the secret and the public origin messages need.
    pub sender: crate::mail::Sender<'a>,
    /// The first retry's back-off in seconds (`OUTBOX_RETRY_SECONDS`), doubled per attempt.
    pub retry_base_s: u32,
    /// Fault injection for the end-to-end tests (`MAIL_FAULTS`, never set in production):
    /// recipients whose first N attempts fail as if the binding had refused them.
    pub faults: &'a str,
}

impl Delivery<'_> {
    /// Whether attempt `attempt` to `recipient` is to fail (`MAIL_FAULTS`: `address=N` fails
    /// the first N attempts, `address=*` every one).
    pub fn injected_fault(&self, recipient: &str, attempt: u32) -> bool {
        self.faults.split(',').filter_map(|f| f.trim().split_once('=')).any(|(address, times)| {
            address.eq_ignore_ascii_case(recipient)
                && (times == "*" || times.parse::<u32>().is_ok_and(|n| attempt <= n))
        })
    }
}

/// The scheduled relay: queues what was never queued or whose message was lost, and what
/// comes within the queue's longest delay. How many it queued.
pub async fn relay<S: Outbox>(store: &S, now_ms: i64) -> Result<usize, StoreError> {
    let due_before = now_ms + i64::from(MAX_DELAY_S) * 1000;
    let jobs = store.take_unqueued(due_before, now_ms - REQUEUE_AFTER_MS, now_ms).await?;
    if !jobs.is_empty() {
        store.enqueue(&jobs, now_ms).await?;
    }
    Ok(jobs.len())
}

/// The consumer: one queue message, one attempt.
pub async fn deliver<S, C>(store: &S, courier: &C, job: &Job, delivery: &Delivery<'_>, now_ms: i64) -> Disposition
where
    S: Outbox + crate::store::Directory,
    C: Courier,
{
    let claimed = match store.claim(job, now_ms).await {
        Ok(Claim::Claimed(claimed)) => claimed,
        Ok(Claim::Settled) => return Disposition::Ack,
        Ok(Claim::Held) => return Disposition::Retry((LEASE_MS / 1000) as u32),
        Ok(Claim::NotYet { send_at_ms }) => {
            return Disposition::Retry(Job { send_at_ms, ..job.clone() }.delay_s(now_ms).max(1))
        }
        // The store failed: the queue tries again.
        Err(_) => return Disposition::Retry(backoff_s(delivery.retry_base_s.max(1), 1)),
    };
    let settlement = attempt(store, courier, &claimed, delivery, now_ms).await;
    let disposition = match &settlement {
        Settlement::Sent { .. } | Settlement::Abandoned { .. } => Disposition::Ack,
        Settlement::Failed { .. } => Disposition::Retry(backoff_s(delivery.retry_base_s, claimed.attempt)),
    };
    match store.settle(job, &settlement, now_ms).await {
        Ok(()) => disposition,
        // Not recorded: the claim's lease runs out and the queue's retry finds the row again.
        Err(_) => Disposition::Retry((LEASE_MS / 1000) as u32),
    }
}

async fn attempt<S: Outbox + crate::store::Directory, C: Courier>(
    store: &S,
    courier: &C,
    claimed: &Claimed,
    delivery: &Delivery<'_>,
    now_ms: i64,
) -> Settlement {
    let campaign = match &claimed.account.campaign_id {
        Some(id) => match store.campaign(id).await {
            Ok(found) => found,
            Err(e) => return Settlement::Failed { error: e.0, status: None },
        },
        None => None,
    };
    if claimed.kind == MessageKind::Webhook {
        let (url, headers, body) =
            match crate::webhook::request(claimed, campaign.as_ref(), delivery.sender.outbox_secret, now_ms) {
                Ok(post) => post,
                Err(ends) => return ends,
            };
        return match courier.post(&url, &headers, &body).await {
            Ok(status) if (200..300).contains(&status) => Settlement::Sent { status: Some(status) },
            Ok(status) => Settlement::Failed { error: format!("the receiver answered {status}"), status: Some(status) },
            Err(error) => Settlement::Failed { error, status: None },
        };
    }
    let mail = match crate::mail::render(claimed, campaign.as_ref(), &delivery.sender) {
        Ok(mail) => mail,
        Err(why) => return Settlement::Abandoned { error: why },
    };
    if delivery.injected_fault(&mail.to, claimed.attempt) {
        return Settlement::Failed { error: "injected fault (MAIL_FAULTS)".into(), status: None };
    }
    if claimed.kind == MessageKind::Verification {
        // The link works from the moment the e-mail can carry it.
        let token =
            crate::secrets::verification_token(delivery.sender.outbox_secret.unwrap_or_default(), &claimed.account.id);
        let hash = crate::secrets::sha256_hex(&token);
        if let Err(e) = store.arm_verification(&claimed.job, &claimed.account.id, &hash).await {
            return Settlement::Failed { error: e.0, status: None };
        }
    }
    match courier.send_mail(&mail).await {
        Ok(()) => Settlement::Sent { status: None },
        Err(error) => Settlement::Failed { error, status: None },
    }
}

/// The dead-letter queue's consumer: the row is parked as dead, for the admin API.
pub async fn bury<S: Outbox>(store: &S, job: &Job, now_ms: i64) -> Disposition {
    match store.mark_dead(job, now_ms).await {
        Ok(()) => Disposition::Ack,
        Err(_) => Disposition::Retry(LEASE_MS as u32 / 1000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_clamped_to_the_queues_longest() {
        let job = |at| Job { db: "DB".into(), id: 1, send_at_ms: at };
        assert_eq!(job(0).delay_s(5_000), 0);
        assert_eq!(job(5_001).delay_s(5_000), 1);
        assert_eq!(job(5_000 + 90_000).delay_s(5_000), 90);
        assert_eq!(job(i64::MAX / 2).delay_s(0), MAX_DELAY_S);
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!([1, 2, 3, 4].map(|a| backoff_s(5, a)), [5, 10, 20, 40]);
        assert_eq!(backoff_s(5, 40), MAX_BACKOFF_S);
        assert_eq!(backoff_s(0, 3), 0);
    }

    #[test]
    fn injected_faults_name_a_recipient_and_a_count() {
        let d = Delivery { faults: "flaky@example.com=2, poison@example.com=*", ..Default::default() };
        assert!(d.injected_fault("flaky@example.com", 1));
        assert!(d.injected_fault("FLAKY@example.com", 2));
        assert!(!d.injected_fault("flaky@example.com", 3));
        assert!(d.injected_fault("poison@example.com", 99));
        assert!(!d.injected_fault("ada@example.com", 1));
        assert!(!Delivery::default().injected_fault("ada@example.com", 1));
    }
}
