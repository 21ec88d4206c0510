//! E-mail verification (double opt-in): a policy's `verify_email`, or GetResponse's
//! `optin: "double"`, creates the account unverified with a one-time link,
//! `GET /v1/verify?token=T`, e-mailed through the outbox. Following it once verifies the
//! account; the page it answers is in the account's language.
//!
//! The token is derived, not stored: HMAC-SHA256 of the account id under the Worker's
//! `OUTBOX_SECRET` (the outbox consumer derives it again to write the e-mail). D1 keeps only
//! its SHA-256 (a 256-bit random-looking token needs no slow hash: nothing to guess), its
//! expiry and when it was used.

use crate::reply::Reply;
use crate::store::{Directory, Outbox, Verification};
use enlist_shared::Locale;

/// How long a link works.
pub const TOKEN_TTL_MS: i64 = crate::store::VERIFICATION_TTL_MS;

pub use crate::secrets::{sha256_hex as token_hash, verification_token as token};

/// `GET /v1/verify?token=T`: 200 and "confirmed" once; 410 used or expired; 404 unknown.
pub async fn verify<S: Outbox + Directory>(store: &S, token: Option<&str>, now_ms: i64) -> Reply {
    // A token is 43 characters; anything else is not one (and is not looked up).
    let found = match token.map(str::trim).filter(|t| t.len() == 43) {
        Some(token) => match store.use_verification(&token_hash(token), now_ms).await {
            Ok(found) => found,
            Err(e) => return Reply::new(500, "text/plain; charset=utf-8", "try again later\n".into()).with_log(e.0),
        },
        None => Verification::Unknown,
    };
    let (status, key, account) = match &found {
        Verification::Verified(a) => (200, "verified", Some(a)),
        Verification::Used(a) => (410, "used", Some(a)),
        Verification::Expired(a) => (410, "expired", Some(a)),
        Verification::Unknown => (404, "unknown", None),
    };
    let locale = account.map_or(Locale::En, |a| a.locale);
    let campaign = match account.and_then(|a| a.campaign_id.as_deref()) {
        Some(id) => store.campaign(id).await.ok().flatten(),
        None => None,
    };
    let event = crate::mail::event_name(campaign.as_ref());
    page(status, locale, key, &event)
}

/// A small page in `locale`: a heading and one sentence.
fn page(status: u16, locale: Locale, key: &str, event: &str) -> Reply {
    let escape = |s: String| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let title = escape(crate::mail::text(locale, &format!("page.{key}.title"), &[]));
    let text = escape(crate::mail::text(locale, &format!("page.{key}.text"), &[("event", event)]));
    let body = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
         <style>body{{font:1.1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}}</style>\
         </head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>\n",
        lang = locale.tag()
    );
    Reply::new(status, "text/html; charset=utf-8", body)
        .with_header("cache-control", "no-store")
        .with_header("referrer-policy", "no-referrer")
        .with_header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_derived_and_only_their_hash_is_kept() {
        let t = token("secret", "acc_1");
        assert_eq!(t.len(), 43);
        assert_eq!(t, token("secret", "acc_1"));
        assert_ne!(t, token("secret", "acc_2"));
        assert_ne!(t, token("other", "acc_1"));
        assert_eq!(token_hash(&t).len(), 64);
        assert!(!token_hash(&t).contains(&t));
    }

    #[test]
    fn pages_are_escaped_and_in_the_language() {
        let reply = page(200, Locale::Fr, "verified", "<Fête>");
        assert!(reply.body.contains("lang=\"fr\""));
        assert!(reply.body.contains("Adresse confirmée"));
        assert!(reply.body.contains("&lt;Fête&gt;"));
    }
}
