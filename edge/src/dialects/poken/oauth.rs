//! The OAuth2 code flow: codes minted with a new account, exchanged once for a token
//! (RFC 6749).

use crate::hashing::{hash_secret, verify as verify_secret, HashError};
use crate::operator::{split_token, CredentialKind, StoredCredential};
use crate::reply::Reply;
use crate::secrets::random_token;
use crate::store::{InsertError, Store};
use serde_json::json;

use super::*;

/// Why a code or token could not be issued (never the caller's fault; the text is for the log).
#[derive(Debug, thiserror::Error)]
pub(super) enum IssueError {
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("storing the credential failed: {0:?}")]
    Store(InsertError),
}

/// Mints `<prefix><lookup>.<secret>`, stored hashed.
pub(super) async fn issue<S: Store>(
    store: &S,
    kind: CredentialKind,
    owner: &str,
    expires_at_ms: i64,
    prefix: &str,
) -> Result<String, IssueError> {
    let (lookup, secret) = (random_token(12).map_err(HashError::from)?, random_token(32).map_err(HashError::from)?);
    let credential = StoredCredential {
        kind,
        lookup: lookup.clone(),
        owner_id: owner.to_owned(),
        secret_hash: hash_secret(&secret)?,
        expires_at_ms: Some(expires_at_ms),
    };
    store.insert_credential(&credential).await.map_err(IssueError::Store)?;
    Ok(format!("{prefix}{lookup}.{secret}"))
}

/// `POST /poken/oauth2/token` (`grant_type=authorization_code`, `code`): RFC 6749 JSON. A code
/// works once, within its lifetime; the first exchange also marks the account as claimed.
/// Errors as RFC 6749 §5.2 sorts them: a body that is not a form, a parameter sent twice or a
/// missing `grant_type` or `code` is `invalid_request`; another grant type is
/// `unsupported_grant_type`; a code that is malformed, unknown, used or expired is `invalid_grant`.
pub async fn exchange_code<S: Store>(store: &S, content_type: Option<&str>, body: &[u8], now_ms: i64) -> Reply {
    let error = token_error;
    let is_form = content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    if !is_form {
        return error(400, "invalid_request", "send application/x-www-form-urlencoded");
    }
    let Ok(fields) = fields_of(body) else {
        return error(400, "invalid_request", "the body is not a form, or repeats a parameter");
    };
    let present = |name: &str| fields.get(name).map(String::as_str).filter(|v| !v.is_empty());
    match present("grant_type") {
        None => return error(400, "invalid_request", "grant_type is missing"),
        Some("authorization_code") => {}
        Some(_) => return error(400, "unsupported_grant_type", "only authorization_code is supported"),
    }
    let Some(code) = present("code") else { return error(400, "invalid_request", "code is missing") };
    let invalid_grant = || error(400, "invalid_grant", "the code is invalid, expired or already used");
    let Some((lookup, secret)) = split_token(code, "pc_", '.') else {
        return invalid_grant();
    };
    let taken = match store.take_credential(CredentialKind::OauthCode, lookup).await {
        Ok(taken) => taken,
        Err(e) => return error(500, "server_error", "try again").with_log(e.0),
    };
    let Some(code) =
        taken.filter(|c| c.expires_at_ms.is_none_or(|t| now_ms < t) && verify_secret(secret, &c.secret_hash))
    else {
        return invalid_grant();
    };
    if let Err(e) = store.claim_account(&code.owner_id, now_ms).await {
        return error(500, "server_error", "try again").with_log(e.0);
    }
    match issue(store, CredentialKind::AccountToken, &code.owner_id, now_ms + TOKEN_TTL_S * 1000, "pa_").await {
        Ok(token) => Reply::new(
            200,
            "application/json",
            json!({"access_token": token, "token_type": "bearer", "expires_in": TOKEN_TTL_S}).to_string(),
        )
        .with_header("cache-control", "no-store")
        .with_header("pragma", "no-cache"),
        Err(why) => error(500, "server_error", "try again").with_log(why.to_string()),
    }
}

/// An RFC 6749 §5.2 error answer of the token endpoint (never cached, as §5.1 asks).
pub fn token_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::new(status, "application/json", json!({"error": error, "error_description": description}).to_string())
        .with_header("cache-control", "no-store")
        .with_header("pragma", "no-cache")
}
