//! The admin API (docs/api.md, "Admin"): JSON in and out, `Authorization: Bearer <ADMIN_TOKEN>`.
//! Errors are RFC 9457 documents whose `detail` names the offending key.

use crate::campaign::{new_publishable_key, Campaign, CampaignError, CampaignPatch, CampaignRequest, Scope};
use crate::export::{Export, PageKey, EXPORT_PAGE};
use crate::operator::{configured_secret_matches, Operator, OperatorError, OperatorRequest};
use crate::query::query_value;
use crate::reply::Reply;
use crate::store::{AccountRecord, Accounts, InsertError, Store, StoreError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;

/// Largest admin body read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub struct AdminRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub authorization: Option<&'a str>,
    pub body: &'a [u8],
    /// The declared length was over [`MAX_BODY_BYTES`], so the body was not read.
    pub body_too_large: bool,
    /// The Worker's `ADMIN_TOKEN` secret (empty: the admin API is closed).
    pub admin_token: &'a str,
    /// Derives webhook secrets (`OUTBOX_SECRET`).
    pub outbox_secret: Option<&'a str>,
    /// A local run: webhooks may be `http://127.0.0.1`.
    pub local: bool,
}

fn document(status: u16, title: &str, detail: &str) -> Reply {
    let body = json!({"type": "about:blank", "title": title, "status": status, "detail": detail});
    Reply::new(status, "application/problem+json", body.to_string())
}

fn ok<T: Serialize>(status: u16, value: &T) -> Reply {
    Reply::new(status, "application/json", serde_json::to_string(value).expect("plain data serialises"))
}

fn unavailable(e: StoreError) -> Reply {
    document(500, "Internal error", "the store failed; try again").with_log(e.0)
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Reply> {
    serde_json::from_slice(body).map_err(|e| document(422, "Unreadable request", &e.to_string()))
}

pub async fn handle<S: Store>(store: &S, request: AdminRequest<'_>, now_ms: i64) -> Reply {
    let presented = request.authorization.and_then(|h| crate::auth::credentials_of(h, "Bearer"));
    match presented {
        None => {
            return document(401, "Unauthorized", "send Authorization: Bearer <ADMIN_TOKEN>")
                .with_header("www-authenticate", "Bearer")
        }
        Some(token) if !configured_secret_matches(request.admin_token, token) => {
            return document(401, "Unauthorized", "the admin token is not valid")
                .with_header("www-authenticate", "Bearer")
        }
        Some(_) => {}
    }
    if request.body_too_large || request.body.len() > MAX_BODY_BYTES {
        return document(413, "Request body too large", "admin bodies are at most 64 KiB");
    }
    let segments: Vec<&str> = request.path.trim_start_matches("/admin/").split('/').collect();
    let query = |name: &str| query_value(request.query, name);
    match (request.method, segments.as_slice()) {
        ("GET", ["campaigns"]) => match store.campaigns().await {
            Ok(all) => ok(200, &json!({"campaigns": all.iter().map(campaign_json).collect::<Vec<_>>()})),
            Err(e) => unavailable(e),
        },
        ("POST", ["campaigns"]) => create_campaign(store, request.body, now_ms).await,
        ("GET", ["campaigns", id]) => with_campaign(store, id, |c| async move { ok(200, &campaign_json(&c)) }).await,
        ("PATCH", ["campaigns", id]) => with_campaign(store, id, |c| patch_campaign(store, c, &request, now_ms)).await,
        ("GET", ["campaigns", id, "webhook", "deliveries"]) => {
            let limit = query("limit");
            with_campaign(store, id, |c| webhook_deliveries(store, c, limit)).await
        }
        ("GET", ["dead-letters"]) => match store.dead_letters().await {
            Ok(found) => ok(200, &json!({"dead_letters": found.iter().map(outbox_json).collect::<Vec<_>>()})),
            Err(e) => unavailable(e),
        },
        ("POST", ["campaigns", id, "publishable-key"]) => {
            with_campaign(store, id, |c| rotate_key(store, c, now_ms)).await
        }
        ("GET", ["campaigns", id, "accounts"]) => {
            let (limit, cursor) = (query("limit"), query("cursor"));
            with_campaign(store, id, |c| accounts_page(store, c, limit, cursor)).await
        }
        ("GET", ["campaigns", id, "accounts.csv"]) => with_campaign(store, id, |c| async move { export(&c) }).await,
        ("GET", ["operators"]) => match store.operators().await {
            Ok(all) => ok(200, &json!({"operators": all.iter().map(operator_json).collect::<Vec<_>>()})),
            Err(e) => unavailable(e),
        },
        ("POST", ["operators"]) => create_operator(store, request.body, now_ms).await,
        ("POST", ["operators", id, "credentials"]) => rotate_credentials(store, id).await,
        ("DELETE", ["operators", id]) => match store.delete_operator(id).await {
            Ok(true) => Reply::new(204, "application/json", String::new()),
            Ok(false) => document(404, "Not found", &format!("no operator `{id}`")),
            Err(e) => unavailable(e),
        },
        ("GET", ["accounts", id]) if !id.is_empty() => {
            match account_by_any_id(store, id, query("campaign").as_deref()).await {
                Ok(found) => match found.as_slice() {
                    [account] => ok(200, account),
                    [] => document(404, "Not found", &format!("no account `{id}`")),
                    _ => document(
                        409,
                        "Ambiguous number",
                        &format!("accounts of several campaigns have the number {id}: add ?campaign=<id>"),
                    ),
                },
                Err(e) => unavailable(e),
            }
        }
        ("DELETE", ["accounts", id]) if !id.is_empty() => erase(store, id).await,
        ("GET", ["accounts"]) => {
            let Some(email) = query("email") else {
                return document(422, "Missing query", "use /admin/accounts?email=<address>");
            };
            let normalized = enlist_shared::Email::parse(&email)
                .map(|e| e.normalized())
                .unwrap_or_else(|_| enlist_shared::lowercase(&email));
            let campaign = query("campaign");
            match store.accounts_by_email(&normalized).await {
                Ok(mut found) => {
                    found.retain(|a| campaign.as_deref().is_none_or(|c| a.campaign_id.as_deref() == Some(c)));
                    ok(200, &json!({"accounts": found}))
                }
                Err(e) => unavailable(e),
            }
        }
        (_, path) => match allowed(path) {
            Some(allow) => document(405, "Method not allowed", &format!("use {allow}")).with_header("allow", allow),
            None => document(404, "Not found", "no such admin route"),
        },
    }
}

/// The methods a known admin path takes (for a 405's `Allow`); `None`: no such path.
fn allowed(path: &[&str]) -> Option<&'static str> {
    Some(match path {
        ["campaigns"] | ["operators"] => "GET, POST",
        ["campaigns", _] => "GET, PATCH",
        ["campaigns", _, "publishable-key"] | ["operators", _, "credentials"] => "POST",
        ["campaigns", _, "accounts" | "accounts.csv"] | ["accounts"] | ["dead-letters"] => "GET",
        ["campaigns", _, "webhook", "deliveries"] => "GET",
        ["operators", _] => "DELETE",
        ["accounts", _] => "GET, DELETE",
        _ => return None,
    })
}

/// A campaign as the admin API shows it.
fn campaign_json(c: &Campaign) -> serde_json::Value {
    json!({
        "id": c.id,
        "name": c.name,
        "allowed_origins": c.allowed_origins,
        "policy": c.policy,
        "open": c.open,
        "publishable_key": c.publishable_key,
        "webhook": c.webhook.as_ref().map(|w| json!({"url": w.url})),
        "created_at": crate::export::rfc3339(c.created_at_ms),
    })
}

/// An outbox row (a dead letter, a webhook delivery) as the admin API shows it.
fn outbox_json(r: &crate::store::OutboxRecord) -> serde_json::Value {
    let time = |ms: Option<i64>| ms.map(crate::export::rfc3339);
    json!({
        "database": r.database,
        "id": r.id,
        "account_id": r.account_id,
        "campaign_id": r.campaign_id,
        "kind": r.kind,
        "webhook_id": r.webhook_id,
        "attempts": r.attempts,
        "last_status": r.last_status,
        "last_error": r.last_error,
        "send_at": crate::export::rfc3339(r.send_at_ms),
        "created_at": crate::export::rfc3339(r.created_at_ms),
        "sent_at": time(r.sent_at_ms),
        "dead_at": time(r.dead_at_ms),
    })
}

/// `GET /admin/campaigns/{id}/webhook/deliveries?limit=N`: the newest deliveries first.
async fn webhook_deliveries<S: Store>(store: &S, campaign: Campaign, limit: Option<String>) -> Reply {
    let limit = match page_limit(limit) {
        Ok(limit) => limit,
        Err(reply) => return reply,
    };
    match store.webhook_deliveries(&campaign.scope(), limit).await {
        Ok(found) => ok(200, &json!({"deliveries": found.iter().map(outbox_json).collect::<Vec<_>>()})),
        Err(e) => unavailable(e),
    }
}

/// An operator as the admin API shows it: never a secret.
fn operator_json(o: &Operator) -> serde_json::Value {
    json!({
        "id": o.id,
        "name": o.name,
        "permissions": o.permissions,
        "campaigns": o.campaigns,
        "allowed_ips": o.allowed_ips,
        "created_at": crate::export::rfc3339(o.created_at_ms),
    })
}

/// Runs `then` on the campaign `id`, or answers 404.
async fn with_campaign<S: Store, F: std::future::Future<Output = Reply>>(
    store: &S,
    id: &str,
    then: impl FnOnce(Campaign) -> F,
) -> Reply {
    match store.campaign(id).await {
        Ok(Some(campaign)) => then(campaign).await,
        Ok(None) => document(404, "Not found", &format!("no campaign `{id}`")),
        Err(e) => unavailable(e),
    }
}

async fn patch_campaign<S: Store>(store: &S, campaign: Campaign, request: &AdminRequest<'_>, now_ms: i64) -> Reply {
    let patch = match patch_of(request.body, request.local) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let new_webhook = patch.webhook.clone().flatten();
    let secret = match (&new_webhook, request.outbox_secret.filter(|s| !s.is_empty())) {
        (None, _) => None,
        (Some(webhook), Some(outbox_secret)) => {
            Some(crate::webhook::secret_text(&webhook.secret(outbox_secret, &campaign.id)))
        }
        (Some(_), None) => {
            return unavailable(StoreError("OUTBOX_SECRET is not set: webhooks cannot be signed".into()))
        }
    };
    let changed = match campaign.patched(patch) {
        Ok(c) => c,
        Err(why) => return document(422, "Invalid campaign", &why.to_string()),
    };
    match store.update_campaign(&changed, now_ms).await {
        Ok(()) => {
            let mut shown = campaign_json(&changed);
            // The secret is shown this once: it is derived again only to sign.
            if let (Some(webhook), Some(secret)) = (&new_webhook, secret) {
                shown["webhook"] = json!({"url": webhook.url, "secret": secret});
            }
            ok(200, &shown)
        }
        Err(InsertError::Duplicate(_)) => document(409, "Conflict", "the campaign changed meanwhile; try again"),
        Err(InsertError::Unavailable(e)) => unavailable(StoreError(e)),
    }
}

/// A PATCH body, each key read on its own so a refusal names it.
fn patch_of(body: &[u8], local: bool) -> Result<CampaignPatch, Reply> {
    let fields: serde_json::Map<String, serde_json::Value> = parse(body)?;
    let mut patch = CampaignPatch::default();
    for (key, value) in fields {
        let bad = |e: serde_json::Error| document(422, "Invalid campaign", &format!("{key}: {e}"));
        match key.as_str() {
            "name" => patch.name = Some(serde_json::from_value(value).map_err(bad)?),
            "allowed_origins" => patch.allowed_origins = Some(serde_json::from_value(value).map_err(bad)?),
            "policy" => patch.policy = Some(value),
            "open" => patch.open = Some(serde_json::from_value(value).map_err(bad)?),
            "webhook" => patch.webhook = Some(webhook_of(&value, local)?),
            _ => {
                let detail = format!("{key}: not a campaign setting (name, allowed_origins, policy, open, webhook)");
                return Err(document(422, "Invalid campaign", &detail));
            }
        }
    }
    Ok(patch)
}

/// PATCH's `webhook`: `{"url": U}` sets it (a fresh secret), `null` removes it.
fn webhook_of(value: &serde_json::Value, local: bool) -> Result<Option<crate::campaign::Webhook>, Reply> {
    let invalid = |detail: &str| document(422, "Invalid campaign", detail);
    let url = match value {
        serde_json::Value::Null => return Ok(None),
        serde_json::Value::Object(fields) => match (fields.get("url"), fields.len()) {
            (Some(serde_json::Value::String(url)), 1) => url,
            _ => return Err(invalid("webhook: {\"url\": \"https://...\"}, or null to remove it")),
        },
        _ => return Err(invalid("webhook: {\"url\": \"https://...\"}, or null to remove it")),
    };
    let url = crate::webhook::check_url(url, local).map_err(|why| invalid(&why))?;
    crate::campaign::Webhook::new(url).map(Some).map_err(|e| unavailable(StoreError(e.to_string())))
}

async fn rotate_key<S: Store>(store: &S, mut campaign: Campaign, now_ms: i64) -> Reply {
    for _attempt in 0..3 {
        campaign.publishable_key = match new_publishable_key() {
            Ok(key) => key,
            Err(e) => return unavailable(StoreError(e.to_string())),
        };
        match store.update_campaign(&campaign, now_ms).await {
            Ok(()) => return ok(200, &json!({"publishable_key": campaign.publishable_key})),
            Err(InsertError::Duplicate(_)) => continue, // 120 random bits collided
            Err(InsertError::Unavailable(e)) => return unavailable(StoreError(e)),
        }
    }
    unavailable(StoreError("three publishable-key collisions in a row".into()))
}

/// Largest page of accounts (and of webhook deliveries), and the default.
const PAGE_MAX: usize = 1000;
const PAGE_DEFAULT: usize = 100;

/// A page's `limit` query value: 1 to [`PAGE_MAX`], [`PAGE_DEFAULT`] when absent.
fn page_limit(limit: Option<String>) -> Result<usize, Reply> {
    match limit.map(|l| l.trim().parse::<usize>()) {
        None => Ok(PAGE_DEFAULT),
        Some(Ok(n)) if (1..=PAGE_MAX).contains(&n) => Ok(n),
        Some(_) => Err(document(422, "Invalid query", "limit: a whole number from 1 to 1000")),
    }
}

async fn accounts_page<S: Store>(
    store: &S,
    campaign: Campaign,
    limit: Option<String>,
    cursor: Option<String>,
) -> Reply {
    let limit = match page_limit(limit) {
        Ok(limit) => limit,
        Err(reply) => return reply,
    };
    let after = match cursor.as_deref().map(crate::export::page_key) {
        None => None,
        Some(Some(key)) => Some(key),
        Some(None) => return document(422, "Invalid query", "cursor: not a cursor this API gave"),
    };
    match store.accounts_page(&campaign.scope(), after.as_ref(), limit).await {
        Ok(accounts) => {
            let next = (accounts.len() == limit)
                .then(|| accounts.last().map(|a| crate::export::cursor_of(&page_key_of(a))))
                .flatten();
            ok(200, &json!({"accounts": accounts, "next_cursor": next}))
        }
        Err(e) => unavailable(e),
    }
}

fn page_key_of(account: &AccountRecord) -> PageKey {
    PageKey { created_at_ms: account.created_at_ms, id: account.id.clone() }
}

/// `GET /admin/campaigns/{id}/accounts.csv`: the header now; the Worker streams the rows
/// ([`next_chunk`]).
fn export(campaign: &Campaign) -> Reply {
    let export = Export::of(campaign);
    let mut reply = Reply::new(200, "text/csv; charset=utf-8", export.header())
        .with_header("content-disposition", format!("attachment; filename=\"{}.csv\"", campaign.id))
        .with_header("cache-control", "no-store");
    reply.export = Some(Box::new(export));
    reply
}

/// The next rows of an export: one page of accounts; `None` at the end.
pub async fn next_chunk<S: Accounts>(export: &mut Export, store: &S) -> Result<Option<String>, StoreError> {
    if export.done {
        return Ok(None);
    }
    let page = store.accounts_page(&export.scope, export.after.as_ref(), EXPORT_PAGE).await?;
    export.done = page.len() < EXPORT_PAGE;
    let Some(last) = page.last() else { return Ok(None) };
    export.after = Some(page_key_of(last));
    Ok(Some(page.iter().map(|a| csv_row(export, a)).collect()))
}

/// An account's CSV record: the fixed columns, then each profile field's.
fn csv_row(export: &Export, a: &AccountRecord) -> String {
    let fixed = [
        a.id.clone(),
        a.number.to_string(),
        a.email.clone().unwrap_or_default(),
        a.alias.clone().unwrap_or_default(),
        crate::export::rfc3339(a.created_at_ms),
        a.dialect.clone(),
    ];
    let profile = export.columns.iter().map(|field| match field {
        enlist_shared::Field::Phone => a.phone.clone().unwrap_or_default(),
        field => a.profile.get(field.as_str()).cloned().unwrap_or_default(),
    });
    crate::export::row(fixed.into_iter().chain(profile))
}

/// A whole export at once (tests; the Worker streams it).
pub async fn collect<S: Accounts>(reply: Reply, store: &S) -> Result<String, StoreError> {
    let mut file = reply.body;
    if let Some(mut export) = reply.export {
        while let Some(chunk) = next_chunk(&mut export, store).await? {
            file.push_str(&chunk);
        }
    }
    Ok(file)
}

async fn rotate_credentials<S: Store>(store: &S, id: &str) -> Reply {
    let operator = match store.operator(id).await {
        Ok(Some(operator)) => operator,
        Ok(None) => return document(404, "Not found", &format!("no operator `{id}`")),
        Err(e) => return unavailable(e),
    };
    for _attempt in 0..3 {
        let (issued, stored) = match operator.issue_credentials() {
            Ok(pair) => pair,
            Err(e) => return unavailable(StoreError(e.to_string())),
        };
        match store.replace_credentials(&operator.id, &stored).await {
            Ok(true) => return ok(200, &json!({"id": operator.id, "credentials": issued})),
            Ok(false) => return document(404, "Not found", &format!("no operator `{id}`")),
            Err(InsertError::Duplicate(_)) => continue, // a random look-up collided
            Err(InsertError::Unavailable(e)) => return unavailable(StoreError(e)),
        }
    }
    unavailable(StoreError("three credential collisions in a row".into()))
}

/// `DELETE /admin/accounts/{id}`: the account and everything of it, for good.
async fn erase<S: Store>(store: &S, id: &str) -> Reply {
    let account = match store.account(id).await {
        Ok(Some(account)) => account,
        Ok(None) => return document(404, "Not found", &format!("no account `{id}`")),
        Err(e) => return unavailable(e),
    };
    let scope = match &account.campaign_id {
        None => Scope::NoCampaign,
        Some(campaign_id) => match store.campaign(campaign_id).await {
            Ok(Some(campaign)) => campaign.scope(),
            Ok(None) => return unavailable(StoreError(format!("account {id} names missing campaign {campaign_id}"))),
            Err(e) => return unavailable(e),
        },
    };
    match store.erase_account(&scope, id).await {
        Ok(true) => Reply::new(204, "application/json", String::new()),
        Ok(false) => document(404, "Not found", &format!("no account `{id}`")),
        Err(e) => unavailable(e),
    }
}

async fn create_campaign<S: Store>(store: &S, body: &[u8], now_ms: i64) -> Reply {
    let request: CampaignRequest = match parse(body) {
        Ok(r) => r,
        Err(reply) => return reply,
    };
    let database = match store.placement().await {
        Ok(counts) => crate::campaign::place(&counts),
        Err(e) => return unavailable(e),
    };
    let campaign = match Campaign::from_request(request, database) {
        Ok(c) => Campaign { created_at_ms: now_ms, ..c },
        Err(CampaignError::Invalid(why)) => return document(422, "Invalid campaign", &why.to_string()),
        Err(fault @ CampaignError::Randomness(_)) => return unavailable(StoreError(fault.to_string())),
    };
    match store.insert_campaign(&campaign, now_ms).await {
        Ok(()) => ok(201, &json!({"id": campaign.id, "publishable_key": campaign.publishable_key})),
        Err(InsertError::Duplicate(_)) => {
            document(409, "Campaign exists", &format!("a campaign `{}` exists", campaign.id))
        }
        Err(InsertError::Unavailable(e)) => unavailable(StoreError(e)),
    }
}

async fn create_operator<S: Store>(store: &S, body: &[u8], now_ms: i64) -> Reply {
    let request: OperatorRequest = match parse(body) {
        Ok(r) => r,
        Err(reply) => return reply,
    };
    let mut missing = None;
    for id in &request.campaigns {
        match store.campaign(id).await {
            Ok(Some(_)) => {}
            Ok(None) => missing = Some(id.clone()),
            Err(e) => return unavailable(e),
        }
    }
    for _attempt in 0..3 {
        let number = match crate::secrets::random_number(7) {
            Ok(n) => n,
            Err(e) => return unavailable(StoreError(e.to_string())),
        };
        let operator = match Operator::from_request(
            OperatorRequest {
                name: request.name.clone(),
                permissions: request.permissions.clone(),
                campaigns: request.campaigns.clone(),
                allowed_ips: request.allowed_ips.clone(),
            },
            number,
            |c| missing.as_deref() != Some(c),
        ) {
            Ok(op) => Operator { created_at_ms: now_ms, ..op },
            Err(OperatorError::Invalid(why)) => return document(422, "Invalid operator", &why.to_string()),
            Err(fault @ OperatorError::Randomness(_)) => return unavailable(StoreError(fault.to_string())),
        };
        let (issued, stored) = match operator.issue_credentials() {
            Ok(pair) => pair,
            Err(e) => return unavailable(StoreError(e.to_string())),
        };
        match store.insert_operator(&operator, &stored, now_ms).await {
            Ok(()) => return ok(201, &json!({"id": operator.id, "credentials": issued})),
            Err(InsertError::Duplicate(_)) => continue, // a random number or look-up collided
            Err(InsertError::Unavailable(e)) => return unavailable(StoreError(e)),
        }
    }
    unavailable(StoreError("three credential collisions in a row".into()))
}

/// The accounts with this `acc_...` id, or with the numeric id the Poken, MoveDigital and
/// Engagement answers show (unique within a database only, so several campaigns may hold
/// one); `campaign`, when given, must be the account's.
async fn account_by_any_id<S: Store>(
    store: &S,
    id: &str,
    campaign: Option<&str>,
) -> Result<Vec<crate::store::AccountRecord>, StoreError> {
    let mut found = match id.parse::<i64>() {
        Ok(number) if id.bytes().all(|b| b.is_ascii_digit()) => store.accounts_by_number(number).await?,
        _ => store.account(id).await?.into_iter().collect(),
    };
    found.retain(|account| campaign.is_none_or(|c| account.campaign_id.as_deref() == Some(c)));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{sign_up, Signup};
    use crate::memory::MemoryStore;
    use crate::store::Directory;
    use enlist_shared::{Field, SignupForm};
    use pollster::block_on;
    use serde_json::Value;

    const TOKEN: &str = "admin-secret";

    fn call(
        store: &MemoryStore,
        method: &str,
        path: &str,
        query: Option<&str>,
        auth: Option<&str>,
        body: Value,
    ) -> (u16, Value) {
        let body = body.to_string();
        let request = AdminRequest {
            method,
            path,
            query,
            authorization: auth,
            body: body.as_bytes(),
            body_too_large: false,
            admin_token: TOKEN,
            outbox_secret: Some("outbox"),
            local: false,
        };
        let reply = block_on(handle(store, request, 0));
        (reply.status, serde_json::from_str(&reply.body).unwrap())
    }

    const AUTH: Option<&str> = Some("Bearer admin-secret");

    #[test]
    fn the_admin_token_is_required_and_compared() {
        let store = MemoryStore::new();
        assert_eq!(call(&store, "POST", "/admin/campaigns", None, None, json!({})).0, 401);
        assert_eq!(call(&store, "POST", "/admin/campaigns", None, Some("Bearer nope"), json!({})).0, 401);
        let closed = AdminRequest {
            method: "GET",
            path: "/admin/accounts/x",
            query: None,
            authorization: Some("Bearer "),
            body: b"",
            body_too_large: false,
            admin_token: "",
            outbox_secret: Some("outbox"),
            local: false,
        };
        assert_eq!(block_on(handle(&store, closed, 0)).status, 401, "an unset token closes the API");
    }

    #[test]
    fn campaigns_operators_and_accounts() {
        let store = MemoryStore::new();
        let (status, created) = call(
            &store,
            "POST",
            "/admin/campaigns",
            None,
            AUTH,
            json!({"id": "rf", "name": "RustFest", "allowed_origins": ["https://events.example.com"]}),
        );
        assert_eq!(status, 201);
        assert!(created["publishable_key"].as_str().unwrap().starts_with("pk_"));
        assert_eq!(call(&store, "POST", "/admin/campaigns", None, AUTH, json!({"id": "rf", "name": "Again"})).0, 409);
        let (status, bad) = call(
            &store,
            "POST",
            "/admin/campaigns",
            None,
            AUTH,
            json!({"id": "x", "name": "X", "policy": {"password": {"min_chars": 0}}}),
        );
        assert_eq!(status, 422);
        assert!(bad["detail"].as_str().unwrap().contains("min_chars"));

        let (status, op) = call(
            &store,
            "POST",
            "/admin/operators",
            None,
            AUTH,
            json!({"name": "Box office", "permissions": ["accounts:create"], "campaigns": ["rf"]}),
        );
        assert_eq!(status, 201, "{op}");
        for key in ["api_key", "bearer"] {
            assert!(op["credentials"][key].as_str().is_some_and(|s| s.len() > 30), "{key}");
        }
        assert!(op["credentials"]["basic"]["password"].is_string());
        assert!(op["credentials"]["movedigital"]["session"].is_string());
        let (status, bad) =
            call(&store, "POST", "/admin/operators", None, AUTH, json!({"name": "x", "campaigns": ["nope"]}));
        assert_eq!(status, 422);
        assert!(bad["detail"].as_str().unwrap().contains("nope"));

        let campaign = block_on(store.campaign("rf")).unwrap().unwrap();
        let form = SignupForm::new().with(Field::Email, "Ada@Example.com").with(Field::Password, "Analytical-1843");
        let created =
            block_on(sign_up(&store, Signup::new(&campaign, form, crate::names::Dialect::Native), 5)).unwrap();
        let (status, account) =
            call(&store, "GET", &format!("/admin/accounts/{}", created.id), None, AUTH, json!(null));
        assert_eq!(status, 200);
        assert_eq!(account["email"], "Ada@Example.com");
        let text = account.to_string();
        assert!(!text.contains("argon2") && !text.contains("Analytical") && !text.contains("password"), "{text}");
        let (status, found) =
            call(&store, "GET", "/admin/accounts", Some("email=ada%40example.com"), AUTH, json!(null));
        assert_eq!(status, 200);
        assert_eq!(found["accounts"].as_array().unwrap().len(), 1);
        let (_, none) = call(&store, "GET", "/admin/accounts", Some("email=nobody%40example.com"), AUTH, json!(null));
        assert_eq!(none["accounts"], json!([]));
        assert_eq!(call(&store, "GET", "/admin/accounts/acc_nope", None, AUTH, json!(null)).0, 404);
        assert_eq!(call(&store, "PUT", "/admin/accounts/x", None, AUTH, json!(null)).0, 405);
        assert_eq!(call(&store, "GET", "/admin/whatever", None, AUTH, json!(null)).0, 404);
    }

    #[test]
    fn oversized_bodies_are_refused() {
        let store = MemoryStore::new();
        let huge = vec![b' '; MAX_BODY_BYTES + 1];
        for (body, too_large) in [(&huge[..], false), (&b"{}"[..], true)] {
            let request = AdminRequest {
                method: "POST",
                path: "/admin/campaigns",
                query: None,
                authorization: AUTH,
                body,
                body_too_large: too_large,
                admin_token: TOKEN,
                outbox_secret: Some("outbox"),
                local: false,
            };
            assert_eq!(block_on(handle(&store, request, 0)).status, 413);
        }
    }

    #[test]
    fn accounts_are_found_by_their_numeric_id_and_the_bearer_scheme_is_case_insensitive() {
        let store = MemoryStore::new();
        call(&store, "POST", "/admin/campaigns", None, AUTH, json!({"id": "rf", "name": "RustFest"}));
        let campaign = block_on(store.campaign("rf")).unwrap().unwrap();
        let form = SignupForm::new().with(Field::Email, "ada@example.com").with(Field::Password, "Analytical-1843");
        let created =
            block_on(sign_up(&store, Signup::new(&campaign, form, crate::names::Dialect::Native), 5)).unwrap();
        let number = created.number.to_string();
        for auth in ["bearer admin-secret", "BEARER admin-secret", "Bearer  admin-secret"] {
            let (status, account) =
                call(&store, "GET", &format!("/admin/accounts/{number}"), None, Some(auth), json!(null));
            assert_eq!(status, 200, "{auth}: {account}");
            assert_eq!(account["id"], created.id.as_str());
        }
        let path = format!("/admin/accounts/{number}");
        assert_eq!(call(&store, "GET", &path, Some("campaign=rf"), AUTH, json!(null)).0, 200);
        assert_eq!(call(&store, "GET", &path, Some("campaign=other"), AUTH, json!(null)).0, 404);
        assert_eq!(call(&store, "GET", "/admin/accounts/123456789", None, AUTH, json!(null)).0, 404);
        assert_eq!(
            call(&store, "GET", "/admin/accounts", Some("email=ADA%40example.com"), AUTH, json!(null)).1["accounts"][0]
                ["id"],
            created.id.as_str()
        );
        assert_eq!(
            call(&store, "GET", "/admin/accounts", Some("email=ada@example.com"), AUTH, json!(null)).1["accounts"][0]
                ["id"],
            created.id.as_str()
        );
    }
}
