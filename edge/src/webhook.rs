//! Webhooks, by the Standard Webhooks convention: each new account of a campaign with a
//! webhook is POSTed to its URL as `{"type": "account.created", "timestamp", "data"}` with
//! `webhook-id` (the same on every retry), `webhook-timestamp` (Unix seconds of the attempt)
//! and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, delivered through
//! the outbox's queue until the receiver answers 2xx.
//!
//! **The signing secret at rest.** It must be usable to sign, so it cannot be a one-way hash.
//! It is not stored at all: D1 keeps a random 256-bit salt per campaign, and the secret is
//! HMAC-SHA256 of the campaign id and that salt under the Worker's `OUTBOX_SECRET` (a Worker
//! secret, never in D1, KV or any answer). A copy of the databases alone signs nothing.
//! Setting the webhook again draws a new salt, hence a new secret; rotating `OUTBOX_SECRET`
//! changes every campaign's secret (and every pending verification link).

use crate::campaign::Campaign;
pub use crate::campaign::Webhook;
use crate::store::{Claimed, Settlement};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Longest webhook URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// The secret as shown once to the organiser: `whsec_` and its bytes in base64.
pub fn secret_text(secret: &[u8; 32]) -> String {
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(secret))
}

/// `v1,<base64 HMAC-SHA256 over "id.timestamp.body">`.
pub fn signature(secret: &[u8], id: &str, timestamp_s: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(format!("{id}.{timestamp_s}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// Checks a webhook URL: `https://` with a host; with `allow_loopback` (local runs only),
/// also `http://127.0.0.1[:port]/...` and `http://localhost[:port]/...`.
pub fn check_url(url: &str, allow_loopback: bool) -> Result<String, String> {
    if url.len() > MAX_URL_LEN {
        return Err(format!("webhook.url: at most {MAX_URL_LEN} characters"));
    }
    let parsed = url::Url::parse(url).map_err(|e| format!("webhook.url: not a URL ({e})"))?;
    let host = parsed.host_str().unwrap_or_default();
    let loopback = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
    match parsed.scheme() {
        "https" if !host.is_empty() && parsed.username().is_empty() && parsed.password().is_none() => {
            Ok(parsed.to_string())
        }
        "http" if allow_loopback && loopback => Ok(parsed.to_string()),
        "http" if loopback => Err("webhook.url: http://127.0.0.1 is allowed only in local runs; use https".into()),
        _ => Err("webhook.url: an https:// URL with a host and no credentials".into()),
    }
}

/// The event body for a new account: the admin view of it.
pub fn event_body(claimed: &Claimed) -> String {
    serde_json::json!({
        "type": "account.created",
        "timestamp": crate::export::rfc3339(claimed.created_at_ms),
        "data": claimed.account,
    })
    .to_string()
}

/// A webhook delivery as it is to be POSTed: URL, headers, body.
pub type Post = (String, Vec<(String, String)>, String);

/// The request delivering a webhook row now (the body is the account's admin view; the
/// timestamp and signature are this attempt's), or how the row ends without one.
pub fn request(
    claimed: &Claimed,
    campaign: Option<&Campaign>,
    outbox_secret: Option<&str>,
    now_ms: i64,
) -> Result<Post, Settlement> {
    let Some((campaign, webhook)) = campaign.and_then(|c| c.webhook.as_ref().map(|w| (c, w))) else {
        return Err(Settlement::Abandoned { error: "the campaign's webhook was removed".into() });
    };
    let Some(outbox_secret) = outbox_secret.filter(|s| !s.is_empty()) else {
        return Err(Settlement::Failed { error: "OUTBOX_SECRET is not set".into(), status: None });
    };
    let id = claimed.webhook_id.clone().unwrap_or_else(|| format!("msg_{}_{}", claimed.job.db, claimed.job.id));
    let timestamp_s = now_ms.div_euclid(1000);
    let body = event_body(claimed);
    let signed = signature(&webhook.secret(outbox_secret, &campaign.id), &id, timestamp_s, &body);
    let headers = vec![
        ("content-type".to_owned(), "application/json".to_owned()),
        ("user-agent".to_owned(), "enlist-webhooks".to_owned()),
        ("webhook-id".to_owned(), id),
        ("webhook-timestamp".to_owned(), timestamp_s.to_string()),
        ("webhook-signature".to_owned(), signed),
    ];
    Ok((webhook.url.clone(), headers, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_https_except_loopback_in_local_runs() {
        assert!(check_url("https://hooks.example.com/enlist", false).is_ok());
        assert!(check_url("http://hooks.example.com/enlist", true).is_err());
        assert!(check_url("http://127.0.0.1:9000/hook", false).is_err());
        assert!(check_url("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(check_url("https://user:pw@hooks.example.com/", false).is_err());
        assert!(check_url("ftp://hooks.example.com/", false).is_err());
        assert!(check_url("not a url", false).is_err());
        assert!(check_url(&format!("https://e.example/{}", "a".repeat(MAX_URL_LEN)), false).is_err());
    }

    /// The Standard Webhooks specification's own example (its README): that secret, id,
    /// timestamp and body give that signature.
    #[test]
    fn signatures_match_the_standard_webhooks_example() {
        let secret = base64::engine::general_purpose::STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            signature(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn secrets_are_derived_per_campaign_and_salt() {
        let hook = Webhook { url: "https://e.example/".into(), salt: "salt".into() };
        let other = Webhook { salt: "pepper".into(), ..hook.clone() };
        assert_eq!(hook.secret("k", "c1"), hook.secret("k", "c1"));
        assert_ne!(hook.secret("k", "c1"), hook.secret("k", "c2"));
        assert_ne!(hook.secret("k", "c1"), other.secret("k", "c1"));
        assert!(secret_text(&hook.secret("k", "c1")).starts_with("whsec_"));
    }
}
