//! Rate limits: attempts per client address and per campaign in fixed one-minute windows,
//! counted by the platform's rate-limiting binding in the Worker (`ADDRESS_RATE_LIMITER`,
//! `CAMPAIGN_RATE_LIMITER`), so counting an attempt writes nothing to D1. A limit of 0
//! switches that limit off.
//!
//! Every request on a signup or sign-in route counts against its client address before its
//! (bounded) body is parsed or any secret is checked (wrong keys and malformed bodies
//! included: they are what a scraper sends); a valid signup counts against its campaign
//! before its password is hashed.

use enlist_shared::Code;
use std::net::IpAddr;

/// How many times the per-address limit a campaign accepts per minute when no campaign limit
/// is configured: one busy event is many people, each at their own address.
pub const CAMPAIGN_FACTOR: u32 = 100;

/// The limits the store enforces (attempts per minute).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    pub per_address: u32,
    pub per_campaign: u32,
}

impl Limits {
    /// No limits (native tests, load tests).
    pub const OFF: Limits = Limits { per_address: 0, per_campaign: 0 };

    /// From the Worker's variables `RATE_LIMIT_PER_MINUTE` and `CAMPAIGN_RATE_LIMIT_PER_MINUTE`.
    /// Unset or unreadable values take the defaults: 60 per address, [`CAMPAIGN_FACTOR`] times
    /// the per-address limit per campaign.
    pub fn from_vars(per_address: Option<&str>, per_campaign: Option<&str>) -> Self {
        let read = |v: Option<&str>| v.and_then(|v| v.trim().parse::<u32>().ok());
        let per_address = read(per_address).unwrap_or(60);
        let per_campaign = read(per_campaign).unwrap_or(per_address.saturating_mul(CAMPAIGN_FACTOR));
        Self { per_address, per_campaign }
    }
}

/// What an attempt counts against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket<'a> {
    Address(IpAddr),
    /// A campaign's signups (`None`: the campaign-less scope's).
    Campaign(Option<&'a str>),
}

impl Bucket<'_> {
    /// The counter's name. IPv6 clients are counted by their /64: one subscriber usually holds
    /// a whole /64, and counting single addresses would let it rotate past the limit.
    pub fn key(&self) -> String {
        match self {
            Bucket::Address(IpAddr::V4(ip)) => format!("ip:{ip}"),
            Bucket::Address(IpAddr::V6(ip)) => {
                let s = ip.segments();
                format!("ip:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
            Bucket::Campaign(Some(id)) => format!("campaign:{id}"),
            Bucket::Campaign(None) => "campaign-less".to_owned(),
        }
    }
}

/// The one-minute window `now_ms` falls in.
pub fn minute(now_ms: i64) -> i64 {
    now_ms.div_euclid(60_000)
}

/// Seconds until the current window ends (for `Retry-After`).
pub fn retry_after_s(now_ms: i64) -> i64 {
    60 - now_ms.rem_euclid(60_000) / 1000
}

/// What rate limiting needs: the configured limits and a counter of attempts.
// The Worker is single-threaded and its futures are !Send, so no Send bound is wanted here.
#[allow(async_fn_in_trait)]
pub trait Attempts {
    /// The rate limits this store's edge enforces.
    fn limits(&self) -> Limits;
    /// Counts one attempt against `bucket`, whose limit is `limit` a minute: `Some(true)` while
    /// within it, `Some(false)` over it, `None` when it cannot count. (The Worker's binding is
    /// configured with the same limit: see `edge/serve.mjs` and `cargo xtask build`.)
    async fn take_attempt(&self, bucket: &Bucket<'_>, limit: u32, now_ms: i64) -> Option<bool>;
}

/// Counts one attempt; `Err(Code::RateLimited)` when it is over the bucket's limit. A store
/// that cannot count lets the attempt through (the limit is a brake, not a lock: refusing
/// every signup because a counter is unavailable would be worse).
pub async fn admit<S: Attempts>(store: &S, bucket: Bucket<'_>, now_ms: i64) -> Result<(), Code> {
    let limits = store.limits();
    let limit = match bucket {
        Bucket::Address(_) => limits.per_address,
        Bucket::Campaign(_) => limits.per_campaign,
    };
    if limit == 0 {
        return Ok(());
    }
    match store.take_attempt(&bucket, limit, now_ms).await {
        Some(false) => Err(Code::RateLimited),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStore;
    use pollster::block_on;

    #[test]
    fn variables_and_defaults() {
        assert_eq!(Limits::from_vars(None, None), Limits { per_address: 60, per_campaign: 6000 });
        assert_eq!(Limits::from_vars(Some("5"), None), Limits { per_address: 5, per_campaign: 500 });
        assert_eq!(Limits::from_vars(Some("0"), None), Limits::OFF);
        assert_eq!(Limits::from_vars(Some("0"), Some("7")), Limits { per_address: 0, per_campaign: 7 });
        assert_eq!(Limits::from_vars(Some("lots"), Some("")), Limits { per_address: 60, per_campaign: 6000 });
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(Bucket::Address(a).key(), Bucket::Address(b).key());
        assert_ne!(Bucket::Address(a).key(), Bucket::Address(c).key());
        assert_eq!(Bucket::Address("10.0.0.1".parse().unwrap()).key(), "ip:10.0.0.1");
    }

    #[test]
    fn the_limit_plus_one_is_refused_until_the_next_minute() {
        let store = MemoryStore::new().with_limits(Limits { per_address: 3, per_campaign: 0 });
        let ip = Bucket::Address("192.0.2.7".parse().unwrap());
        let other = Bucket::Address("192.0.2.8".parse().unwrap());
        let t = 1_700_000_000_000 - 1_700_000_000_000 % 60_000;
        for _ in 0..3 {
            assert_eq!(block_on(admit(&store, ip, t)), Ok(()));
        }
        assert_eq!(block_on(admit(&store, ip, t + 59_999)), Err(Code::RateLimited));
        assert_eq!(block_on(admit(&store, other, t)), Ok(()), "another address has its own count");
        assert_eq!(block_on(admit(&store, Bucket::Campaign(Some("c")), t)), Ok(()), "campaign limit off");
        assert_eq!(block_on(admit(&store, ip, t + 60_000)), Ok(()), "a new minute");
        assert_eq!(retry_after_s(t + 59_000), 1);
        assert_eq!(retry_after_s(t), 60);
    }
}
