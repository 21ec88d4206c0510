//! The API decisions of `docs/api.md` (and the README) and the five vendor documents'
//! sentences that no other test pins down, each checked through the whole request path:
//! `handler::handle` over a `MemoryStore`, as the Worker runs it. One test per sentence; its
//! `///` line quotes the sentence (shortened).

use base64::Engine;
use enlist_edge::account::temporary_password;
use enlist_edge::campaign::{Campaign, CampaignRequest, Database};
use enlist_edge::handler::{handle, Config, Request};
use enlist_edge::hashing;
use enlist_edge::limits::Limits;
use enlist_edge::memory::MemoryStore;
use enlist_edge::operator::{CredentialKind, IssuedCredentials, Operator, OperatorRequest, Permission};
use enlist_edge::reply::Reply;
use enlist_edge::store::{Directory, MessageKind, OutboxEntry};
use pollster::block_on;
use serde_json::{json, Value};

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
const ENGAGEMENT_JSON: &str = "application/json;charset=UTF-8";
const ADMIN: &str = "Bearer admin-secret";
const NOW: i64 = 1_000;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const EVERYTHING: [Permission; 3] = [Permission::AccountsCreate, Permission::AccountsUpdate, Permission::Owner];
const MD_METHOD: &str = "movedigital.accounts.proxy.createAccount";
/// A good MoveDigital account, after the method and session fields.
const MD_USER: &str = "&username=ada&password=x&confirm_password=x&email=ada%40example.com&eula_agree=yes";
/// A good Engagement user.
const USER: &str = r#"{"firstName":"Latha","lastName":"Ganesh","country":"India","email":"latha@example.com"}"#;

// ---------------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------------

fn campaign(id: &str, policy: Value, origins: &[&str]) -> Campaign {
    let request: CampaignRequest =
        serde_json::from_value(json!({"id": id, "name": "RustFest", "allowed_origins": origins, "policy": policy}))
            .unwrap();
    Campaign::from_request(request, Database::default()).unwrap()
}

/// Stores a campaign; returns its publishable key.
fn add_campaign(store: &MemoryStore, id: &str, policy: Value, origins: &[&str]) -> String {
    let created = campaign(id, policy, origins);
    block_on(store.insert_campaign(&created, 0)).unwrap();
    created.publishable_key
}

/// Stores an operator numbered `number` (its MoveDigital `userid`); returns its credentials.
fn add_operator(
    store: &MemoryStore,
    number: i64,
    permissions: &[Permission],
    campaigns: &[&str],
    allowed_ips: &[&str],
) -> IssuedCredentials {
    let request = OperatorRequest {
        name: "Box office".into(),
        permissions: permissions.to_vec(),
        campaigns: campaigns.iter().map(|c| (*c).to_owned()).collect(),
        allowed_ips: allowed_ips.iter().map(|ip| (*ip).to_owned()).collect(),
    };
    let operator = Operator::from_request(request, number, |_| true).unwrap();
    let (issued, stored) = operator.issue_credentials().unwrap();
    block_on(store.insert_operator(&operator, &stored, 0)).unwrap();
    issued
}

/// Campaign `rf` and an operator allowed everything in it: (store, publishable key, credentials).
fn fixture() -> (MemoryStore, String, IssuedCredentials) {
    let store = MemoryStore::new();
    let key = add_campaign(&store, "rf", json!({}), &[]);
    let issued = add_operator(&store, 1, &EVERYTHING, &["rf"], &[]);
    (store, key, issued)
}

/// An operator allowed everything in a campaign that does not exist: its calls fail on our side.
fn ghost() -> (MemoryStore, IssuedCredentials) {
    let store = MemoryStore::new();
    let issued = add_operator(&store, 12, &EVERYTHING, &["ghost"], &[]);
    (store, issued)
}

fn config() -> Config {
    Config { require_tls: true, admin_token: "admin-secret".into(), outbox_secret: Some("outbox".into()) }
}

fn request(method: &str, path_and_query: &str, headers: &[(&str, &str)], body: &str) -> Request {
    Request::new(method, path_and_query, headers, body.as_bytes())
}

/// The same request over plain HTTP.
fn plain(mut request: Request) -> Request {
    request.https = false;
    request
}

fn send_at(store: &MemoryStore, request: &Request, now_ms: i64) -> Reply {
    block_on(handle(store, request, &config(), now_ms))
}

fn send(store: &MemoryStore, request: &Request) -> Reply {
    send_at(store, request, NOW)
}

fn post(store: &MemoryStore, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    send(store, &request("POST", path, headers, body))
}

/// A form post (the Poken routes), with or without an `Authorization`, at `now_ms`.
fn form_at(store: &MemoryStore, path: &str, authorization: Option<&str>, body: &str, now_ms: i64) -> Reply {
    let mut headers = vec![("content-type", FORM)];
    if let Some(authorization) = authorization {
        headers.push(("authorization", authorization));
    }
    send_at(store, &request("POST", path, &headers, body), now_ms)
}

fn form(store: &MemoryStore, path: &str, authorization: Option<&str>, body: &str) -> Reply {
    form_at(store, path, authorization, body, NOW)
}

fn movedigital(store: &MemoryStore, body: &str) -> Reply {
    post(store, "/movedigital/services/rest/", &[("content-type", FORM)], body)
}

fn engagement(store: &MemoryStore, issued: &IssuedCredentials, body: &str) -> Reply {
    let auth = basic(issued);
    post(store, "/engagement/users", &[("content-type", ENGAGEMENT_JSON), ("authorization", auth.as_str())], body)
}

/// A GetResponse call's answer (HTTP 200 always).
fn getresponse(store: &MemoryStore, body: &str) -> Value {
    let reply = post(store, "/getresponse", &[("content-type", JSON)], body);
    assert_eq!(reply.status, 200, "JSON-RPC answers 200: {}", reply.body);
    doc(&reply)
}

fn doc(reply: &Reply) -> Value {
    serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", reply.status, reply.body))
}

fn basic(issued: &IssuedCredentials) -> String {
    let pair = format!("{}:{}", issued.basic.user, issued.basic.password);
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
}

fn bearer(issued: &IssuedCredentials) -> String {
    format!("Bearer {}", issued.bearer)
}

/// A MoveDigital call with the operator's session; `rest` follows it.
fn md_call(issued: &IssuedCredentials, rest: &str) -> String {
    let md = &issued.movedigital;
    format!("method={MD_METHOD}&userid={}&sessionid={}&session={}{rest}", md.userid, md.sessionid, md.session)
}

/// The seed's `add_account` example fields, for `email`.
fn gr_fields(email: &str) -> Value {
    json!({
        "password": "12#$qwER", "first_name": "John", "last_name": "Doe", "email": email, "company_name": "Implix",
        "phone": "+48111111111", "country_code": "PL", "country": "Poland", "city": "Gdańsk", "state": "pomorskie",
        "street": "Żabiańska", "zip_code": "24-213",
        "campaign": {"name": "trains", "description": "Fani pociągów.", "confirmation_subject": "CONFIRMATION_SUBJECT_ID",
                     "confirmation_body": "CONFIRMATION_BODY_ID", "language_code": "PL", "optin": "single"}
    })
}

fn gr_call(api_key: &str, fields: Value) -> String {
    json!({"jsonrpc": "2.0", "method": "add_account", "id": 1, "params": [api_key, fields]}).to_string()
}

/// The text of the first `<name>` element.
fn element<'a>(xml: &'a str, name: &str) -> &'a str {
    xml.split(&format!("<{name}>")).nth(1).and_then(|s| s.split('<').next()).unwrap_or_default()
}

fn unescape(text: &str) -> String {
    text.replace("&apos;", "'").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// A Poken answer's `<error>`s as (code, description).
fn poken_errors(reply: &Reply) -> Vec<(String, String)> {
    reply
        .body
        .split("<error>")
        .skip(1)
        .map(|e| (unescape(element(e, "code")), unescape(element(e, "description"))))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

/// One MoveDigital `<error .../>`.
#[derive(Debug, PartialEq, Eq)]
struct MdError {
    code: String,
    msg: String,
    field: Option<String>,
    problem: Option<String>,
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let spaced = format!(" {tag}");
    let start = spaced.find(&format!(" {name}=\""))? + name.len() + 3;
    let value = &spaced[start..];
    Some(unescape(&value[..value.find('"')?]))
}

fn md_errors(reply: &Reply) -> Vec<MdError> {
    reply
        .body
        .split("<error ")
        .skip(1)
        .map(|e| {
            let tag = e.split("/>").next().unwrap_or_default();
            MdError {
                code: attribute(tag, "code").unwrap_or_default(),
                msg: attribute(tag, "msg").unwrap_or_default(),
                field: attribute(tag, "field"),
                problem: attribute(tag, "problem"),
            }
        })
        .collect()
}

/// A MoveDigital answer's errors as (code, msg).
fn md_codes(reply: &Reply) -> Vec<(String, String)> {
    md_errors(reply).into_iter().map(|e| (e.code, e.msg)).collect()
}

/// Whether a refusal is written in `path`'s own dialect.
fn in_own_dialect(path: &str, reply: &Reply) -> bool {
    let json = serde_json::from_str::<Value>(&reply.body).ok();
    match path {
        "/getresponse" => json.is_some_and(|d| d["error"]["code"].is_i64() && d["error"]["message"].is_string()),
        "/movedigital/services/rest/" => {
            reply.body.contains(r#"<rsp stat="fail">"#) && reply.body.contains("<error code=")
        }
        "/engagement/users" => json.is_some_and(|d| d["message"].is_string()),
        _ => reply.body.contains("<response") && reply.body.contains("<success>FAILURE</success>"),
    }
}

// ---------------------------------------------------------------------------------------------
// Routes and methods
// ---------------------------------------------------------------------------------------------

/// "wrong method / unknown route | 405 (with `Allow`)": on a vendor route, in the route's own dialect.
#[test]
fn a_wrong_method_on_a_vendor_route_is_405_with_allow_post_in_its_own_dialect() {
    let (store, _, _) = fixture();
    for path in [
        "/poken/account/create",
        "/poken/account/profile",
        "/getresponse",
        "/movedigital/services/rest/",
        "/engagement/users",
    ] {
        for method in ["GET", "PUT", "DELETE", "PATCH"] {
            let reply = send(&store, &request(method, path, &[], ""));
            assert_eq!((reply.status, reply.header("allow")), (405, Some("POST")), "{method} {path}: {}", reply.body);
            assert!(in_own_dialect(path, &reply), "{method} {path}: {} {}", reply.content_type, reply.body);
        }
    }
    assert!(store.is_empty());
}

/// "wrong method / unknown route | 405 (with `Allow`)": the policy route and the admin API name their method.
#[test]
fn wrong_methods_on_the_policy_route_and_the_admin_api_are_405_with_allow() {
    let (store, _, _) = fixture();
    let policy = send(&store, &request("POST", "/v1/policy?campaign=rf", &[], "{}"));
    assert_eq!((policy.status, policy.header("allow")), (405, Some("GET")), "{}", policy.body);
    assert_eq!(doc(&policy)["errors"][0]["code"], "route.method_not_allowed");
    for (method, path, allow) in [
        ("PUT", "/admin/campaigns", "GET, POST"),
        ("PUT", "/admin/operators", "GET, POST"),
        ("POST", "/admin/campaigns/rf", "GET, PATCH"),
        ("GET", "/admin/campaigns/rf/publishable-key", "POST"),
        ("DELETE", "/admin/campaigns/rf/accounts", "GET"),
        ("GET", "/admin/operators/op_x", "DELETE"),
        ("GET", "/admin/operators/op_x/credentials", "POST"),
        ("PUT", "/admin/accounts/acc_x", "GET, DELETE"),
        ("POST", "/admin/accounts", "GET"),
    ] {
        let reply = send(&store, &request(method, path, &[("authorization", ADMIN)], "{}"));
        assert_eq!((reply.status, reply.header("allow")), (405, Some(allow)), "{method} {path}: {}", reply.body);
    }
}

/// "wrong method / unknown route | 405 (with `Allow`) / 404": `/healthz` is a route, so POST on it is a wrong method.
#[test]
fn a_wrong_method_on_healthz_is_405_with_allow_get() {
    let store = MemoryStore::new();
    let reply = send(&store, &request("POST", "/healthz", &[], ""));
    assert_eq!((reply.status, reply.header("allow")), (405, Some("GET")), "{}", reply.body);
}

// ---------------------------------------------------------------------------------------------
// Admin
// ---------------------------------------------------------------------------------------------

/// "Admin errors are RFC 9457 documents with a `detail`" (401, 404, 405, 409, 413, 422).
#[test]
fn admin_errors_are_rfc_9457_documents_with_a_detail() {
    let (store, _, _) = fixture();
    let auth = [("authorization", ADMIN), ("content-type", JSON)];
    let mut too_large = request("POST", "/admin/campaigns", &auth, "");
    too_large.body = None;
    for (status, call) in [
        (401, request("GET", "/admin/accounts?email=a%40example.com", &[], "")),
        (404, request("GET", "/admin/whatever", &auth, "")),
        (405, request("PUT", "/admin/campaigns", &auth, "")),
        (409, request("POST", "/admin/campaigns", &auth, r#"{"id":"rf","name":"Again"}"#)),
        (413, too_large),
        (422, request("POST", "/admin/campaigns", &auth, r#"{"id":"Not An Id","name":"X"}"#)),
    ] {
        let reply = send(&store, &call);
        assert_eq!(reply.status, status, "{}", reply.body);
        assert_eq!(reply.content_type, "application/problem+json", "{status}");
        let problem = doc(&reply);
        assert_eq!(problem["status"], status, "{}", reply.body);
        assert!(problem["type"].is_string() && problem["title"].is_string(), "{}", reply.body);
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()), "{}", reply.body);
    }
}

/// "an unset `ADMIN_TOKEN` closes the API": no presented token opens it, an empty one included.
#[test]
fn an_unset_admin_token_closes_the_admin_api() {
    let (store, _, _) = fixture();
    let closed = Config { admin_token: String::new(), ..config() };
    for authorization in ["Bearer admin-secret", "Bearer ", "Bearer", "bearer x"] {
        let headers = [("authorization", authorization), ("content-type", JSON)];
        let create = request("POST", "/admin/campaigns", &headers, r#"{"id":"new","name":"New"}"#);
        let reply = block_on(handle(&store, &create, &closed, NOW));
        assert_eq!(reply.status, 401, "{authorization:?}: {}", reply.body);
    }
    assert!(block_on(store.campaign("new")).unwrap().is_none());
}

/// "Operator credentials are generated (160 random bits each) … stored only as argon2id (4 MiB, 1 pass …; passwords get more)".
#[test]
fn operator_secrets_carry_160_random_bits_and_are_stored_as_light_argon2id_while_passwords_get_more() {
    // 32 characters of a 32-letter alphabet (`secrets::random_token`): 160 bits.
    const BASE32: &str = "0123456789abcdefghjkmnpqrstvwxyz";
    let (store, key, _) = fixture();
    let reply = post(
        &store,
        "/admin/operators",
        &[("authorization", ADMIN), ("content-type", JSON)],
        r#"{"name":"Box office","permissions":["accounts:create"],"campaigns":["rf"]}"#,
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let credentials = doc(&reply)["credentials"].clone();
    let text = |value: &Value| value.as_str().unwrap().to_owned();
    let api_key = text(&credentials["api_key"]);
    let bearer_token = text(&credentials["bearer"]);
    let user = text(&credentials["basic"]["user"]);
    let password = text(&credentials["basic"]["password"]);
    let session = text(&credentials["movedigital"]["session"]);
    let md_lookup =
        format!("{}:{}", text(&credentials["movedigital"]["userid"]), text(&credentials["movedigital"]["sessionid"]));
    let (api_lookup, api_secret) = api_key.strip_prefix("gr_").and_then(|k| k.split_once('_')).unwrap();
    let (bearer_lookup, bearer_secret) = bearer_token.strip_prefix("pt_").and_then(|k| k.split_once('.')).unwrap();
    for secret in [api_secret, bearer_secret, password.as_str(), session.as_str()] {
        assert!(secret.len() == 32 && secret.chars().all(|c| BASE32.contains(c)), "{secret}");
    }
    for (kind, lookup) in [
        (CredentialKind::ApiKey, api_lookup),
        (CredentialKind::Bearer, bearer_lookup),
        (CredentialKind::Basic, user.as_str()),
        (CredentialKind::MoveDigital, md_lookup.as_str()),
    ] {
        let stored = block_on(store.credential(kind, lookup)).unwrap().unwrap_or_else(|| panic!("{kind:?} stored"));
        assert!(stored.secret_hash.starts_with("$argon2id$v=19$m=4096,t=1,"), "{kind:?}: {}", stored.secret_hash);
    }
    let signup = json!({"campaign": "rf", "email": "ada@example.com", "password": "Analytical-1843"}).to_string();
    let created = post(&store, "/v1/accounts", &[("content-type", JSON), ("x-publishable-key", key.as_str())], &signup);
    assert_eq!(created.status, 201, "{}", created.body);
    let hash = store.account_by_email_sync("ada@example.com").password_hash.unwrap();
    let memory_kib: u32 =
        hash.split(['$', ',']).find_map(|p| p.strip_prefix("m=")).and_then(|m| m.parse().ok()).unwrap();
    assert!(memory_kib > 4096, "a password gets more than a generated secret: {hash}");
}

/// "Campaign ids: 1–64 lower-case letters, digits, `-`, `_`."
#[test]
fn campaign_ids_are_1_to_64_lower_case_letters_digits_dashes_and_underscores() {
    let store = MemoryStore::new();
    let create = |id: &str| {
        let body = json!({"id": id, "name": "X"}).to_string();
        post(&store, "/admin/campaigns", &[("authorization", ADMIN), ("content-type", JSON)], &body)
    };
    for good in ["a".repeat(64), "rust-fest_2027".to_owned(), "7".to_owned()] {
        let reply = create(good.as_str());
        assert_eq!(reply.status, 201, "{good}: {}", reply.body);
    }
    for bad in ["a".repeat(65), "RustFest".to_owned(), "rust fest".to_owned(), "rust.fest".to_owned(), String::new()] {
        let reply = create(bad.as_str());
        assert_eq!(reply.status, 422, "{bad:?}: {}", reply.body);
        assert!(doc(&reply)["detail"].as_str().is_some_and(|d| d.starts_with("id")), "{}", reply.body);
    }
}

/// "Campaign ids: 1–64 lower-case letters, digits, `-`, `_`, starting with a letter or digit."
#[test]
fn a_campaign_id_must_begin_with_a_letter_or_digit() {
    let store = MemoryStore::new();
    for id in ["_early-bird", "-late"] {
        let body = json!({"id": id, "name": "X"}).to_string();
        let reply = post(&store, "/admin/campaigns", &[("authorization", ADMIN), ("content-type", JSON)], &body);
        assert_eq!(reply.status, 422, "{id}: {}", reply.body);
    }
    let body = json!({"id": "9-early_bird", "name": "X"}).to_string();
    let reply = post(&store, "/admin/campaigns", &[("authorization", ADMIN), ("content-type", JSON)], &body);
    assert_eq!(reply.status, 201, "{}", reply.body);
}

// ---------------------------------------------------------------------------------------------
// Native
// ---------------------------------------------------------------------------------------------

/// "unknown campaign or wrong key | 401 | … (the same answer for both, so campaign ids cannot be probed)".
#[test]
fn an_unknown_campaign_and_a_wrong_key_get_the_same_answer() {
    let (store, key, _) = fixture();
    let signup = |campaign: &str, presented: &str| {
        let body = json!({"campaign": campaign, "email": "ada@example.com", "password": "Analytical-1843"});
        post(&store, "/v1/accounts", &[("content-type", JSON), ("x-publishable-key", presented)], &body.to_string())
    };
    let wrong_key = signup("rf", "pk_wrong");
    let unknown_campaign = signup("nope", key.as_str());
    assert_eq!((wrong_key.status, doc(&wrong_key)["errors"][0]["code"].as_str()), (401, Some("auth.invalid")));
    assert_eq!(wrong_key, unknown_campaign);
    assert!(store.is_empty());
}

/// "Every answer is localised from `Accept-Language` (413, 415, 401 and the rest too …)": the 401s.
#[test]
fn refused_credentials_are_answered_in_the_callers_language() {
    let (store, _, _) = fixture();
    let body = json!({"campaign": "rf", "email": "ada@example.com", "password": "Analytical-1843"}).to_string();
    let headers = [("content-type", JSON), ("x-publishable-key", "pk_wrong"), ("accept-language", "de-DE,de;q=0.9")];
    let wrong_key = post(&store, "/v1/accounts", &headers, &body);
    assert_eq!(wrong_key.status, 401, "{}", wrong_key.body);
    assert_eq!(doc(&wrong_key)["errors"][0]["message"], "Die Zugangsdaten sind ungültig.");
    let no_key = send(&store, &request("GET", "/v1/policy?campaign=rf", &[("accept-language", "pl")], ""));
    assert_eq!(no_key.status, 401, "{}", no_key.body);
    assert_eq!(doc(&no_key)["errors"][0]["message"], "Zaloguj się lub podaj dane uwierzytelniające, aby kontynuować.");
}

/// "a language the campaign does not offer falls back to English for that campaign's answers".
#[test]
fn a_language_the_campaign_does_not_offer_falls_back_to_english() {
    let store = MemoryStore::new();
    let key = add_campaign(&store, "en-pl", json!({"languages": ["en", "pl"]}), &[]);
    let body = json!({"campaign": "en-pl", "email": "nope", "password": "Analytical-1843"}).to_string();
    let message_in = |language: &str| {
        let headers = [("content-type", JSON), ("x-publishable-key", key.as_str()), ("accept-language", language)];
        let reply = post(&store, "/v1/accounts", &headers, &body);
        assert_eq!(reply.status, 422, "{}", reply.body);
        doc(&reply)["errors"][0]["message"].as_str().unwrap().to_owned()
    };
    assert_eq!(message_in("de"), "Enter a valid e-mail address, like name@example.com.");
    assert_eq!(message_in("pl"), "Podaj prawidłowy adres e-mail, np. imie@example.com.");
}

/// "Field values may be JSON strings, numbers or booleans (read as their text); unknown keys are ignored."
#[test]
fn native_field_values_may_be_numbers_or_booleans_and_unknown_keys_are_ignored() {
    let (store, key, _) = fixture();
    let body = json!({
        "campaign": "rf", "email": "num@example.com", "password": "Analytical-1843",
        "first_name": 1843, "eula": true, "nickname": "ada", "newsletter": {"weekly": [1, 2]}
    });
    let headers = [("content-type", JSON), ("x-publishable-key", key.as_str())];
    let reply = post(&store, "/v1/accounts", &headers, &body.to_string());
    assert_eq!(reply.status, 201, "{}", reply.body);
    let stored = store.account_by_email_sync("num@example.com");
    assert_eq!(stored.profile.get("first_name").map(String::as_str), Some("1843"));
    assert_eq!(stored.profile.get("eula").map(String::as_str), Some("accepted"));
}

/// "already registered | 409 | `email.taken` / `alias.taken` / `phone.taken`" (and the 201's `"username"?`).
#[test]
fn a_taken_alias_or_reconciliation_phone_is_409_natively() {
    let store = MemoryStore::new();
    let handles = add_campaign(
        &store,
        "handles",
        json!({"fields": {"alias": "optional", "email": "required", "password": "required"}}),
        &[],
    );
    let mobiles = add_campaign(
        &store,
        "mobiles",
        json!({"reconciliation_key": "mobile", "fields": {"phone": "optional", "email": "hidden", "password": "required"}}),
        &[],
    );
    let signup = |key: &str, body: Value| {
        post(&store, "/v1/accounts", &[("content-type", JSON), ("x-publishable-key", key)], &body.to_string())
    };
    let first = signup(
        handles.as_str(),
        json!({"campaign": "handles", "alias": "ada", "email": "a1@example.com", "password": "Analytical-1843"}),
    );
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(doc(&first)["username"], "ada");
    let alias = signup(
        handles.as_str(),
        json!({"campaign": "handles", "alias": "ADA", "email": "a2@example.com", "password": "Analytical-1843"}),
    );
    assert_eq!((alias.status, doc(&alias)["errors"][0]["code"].as_str()), (409, Some("alias.taken")), "{}", alias.body);
    let phone = json!({"campaign": "mobiles", "phone": "+48 111 111 111", "password": "Analytical-1843"});
    let created = signup(mobiles.as_str(), phone.clone());
    assert_eq!(created.status, 201, "{}", created.body);
    let again = signup(mobiles.as_str(), phone);
    assert_eq!((again.status, doc(&again)["errors"][0]["code"].as_str()), (409, Some("phone.taken")), "{}", again.body);
}

/// "A `POST` with an `Idempotency-Key` reserves that key (per campaign) … as does every later retry for 24 h."
#[test]
fn an_idempotency_key_is_kept_per_campaign_for_24_hours() {
    let (store, key, _) = fixture();
    let other = add_campaign(&store, "rf2", json!({}), &[]);
    let signup = |campaign: &str, presented: &str, email: &str, now_ms: i64| {
        let headers = [("content-type", JSON), ("x-publishable-key", presented), ("idempotency-key", "retry-1")];
        let body = json!({"campaign": campaign, "email": email, "password": "Analytical-1843"}).to_string();
        send_at(&store, &request("POST", "/v1/accounts", &headers, &body), now_ms)
    };
    let first = signup("rf", key.as_str(), "ada@example.com", NOW);
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(signup("rf", key.as_str(), "ada@example.com", NOW + DAY_MS - 1), first, "replayed within 24 h");
    let elsewhere = signup("rf2", other.as_str(), "grace@example.com", NOW + 1);
    assert_eq!(elsewhere.status, 201, "the same key in another campaign is another key: {}", elsewhere.body);
    assert_ne!(doc(&elsewhere)["id"], doc(&first)["id"]);
    let later = signup("rf", key.as_str(), "ada@example.com", NOW + DAY_MS + 1);
    assert_eq!(
        (later.status, doc(&later)["errors"][0]["code"].as_str()),
        (409, Some("email.taken")),
        "after 24 h the request is judged anew: {}",
        later.body
    );
}

/// "CORS: answers to a browser carry `Access-Control-Allow-Origin` only for the campaign's allowed origins"
/// … "`GET /v1/policy` *refusals* … carry `Access-Control-Allow-Origin: *` … a refusal carries nothing about the campaign".
#[test]
fn answers_to_an_allowed_origin_carry_allow_origin_on_the_policy_route_and_with_problems() {
    let store = MemoryStore::new();
    let key = add_campaign(&store, "web", json!({}), &["https://events.example.com"]);
    let policy_for = |origin: &str| {
        let headers = [("x-publishable-key", key.as_str()), ("origin", origin)];
        send(&store, &request("GET", "/v1/policy?campaign=web", &headers, ""))
    };
    let allowed = policy_for("https://events.example.com");
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    assert_eq!(allowed.header("access-control-allow-origin"), Some("https://events.example.com"));
    let foreign = policy_for("https://evil.example.com");
    assert_eq!((foreign.status, foreign.header("access-control-allow-origin")), (403, Some("*")), "{}", foreign.body);
    assert_eq!(doc(&foreign)["errors"][0]["code"], "auth.forbidden");
    assert!(
        !foreign.body.contains("web") && !foreign.body.contains("policy"),
        "nothing of the campaign: {}",
        foreign.body
    );
    // Wrong key and unknown campaign: one answer, readable by the page, equal in every byte.
    let wrong =
        send(&store, &request("GET", "/v1/policy?campaign=web&key=pk_wrong", &[("origin", "https://x.example")], ""));
    let unknown =
        send(&store, &request("GET", "/v1/policy?campaign=nope&key=pk_wrong", &[("origin", "https://x.example")], ""));
    assert_eq!((wrong.status, wrong.header("access-control-allow-origin")), (401, Some("*")), "{}", wrong.body);
    assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown.body));
    // The key in the query (the widget's simple request) admits like the header.
    let by_query = send(
        &store,
        &request("GET", &format!("/v1/policy?campaign=web&key={key}"), &[("origin", "https://events.example.com")], ""),
    );
    assert_eq!(by_query.status, 200, "{}", by_query.body);
    assert_eq!(by_query.header("access-control-allow-origin"), Some("https://events.example.com"));
    let headers =
        [("content-type", JSON), ("x-publishable-key", key.as_str()), ("origin", "https://events.example.com")];
    let body = json!({"campaign": "web", "email": "nope", "password": "Analytical-1843"}).to_string();
    let problems = post(&store, "/v1/accounts", &headers, &body);
    assert_eq!(problems.status, 422, "{}", problems.body);
    assert_eq!(problems.header("access-control-allow-origin"), Some("https://events.example.com"));
}

/// "Every signup route … answers in its own dialect unless the caller names another … (the header wins when both are given)".
#[test]
fn the_dialect_header_wins_over_the_query() {
    let (store, _, _) = fixture();
    let headers = [("content-type", FORM), ("x-signup-dialect", "native")];
    let body = "alias=ada&password=Analytical-1843&email=ada%40example.com";
    let created = post(&store, "/poken/account/create?dialect=engagement", &headers, body);
    assert_eq!(created.status, 201, "answered natively: {}", created.body);
    assert!(doc(&created)["id"].as_str().is_some_and(|id| id.starts_with("acc_")), "{}", created.body);
    let headers = [("content-type", FORM), ("x-signup-dialect", "klingon")];
    let body = "alias=grace&password=Analytical-1843&email=grace%40example.com";
    let refused = post(&store, "/poken/account/create?dialect=native", &headers, body);
    assert!(refused.body.contains("<success>FAILURE</success>"), "refused in the route's dialect: {}", refused.body);
    assert_eq!(store.len(), 1);
}

/// "The policy, pre-flight, token and admin routes answer in their own forms only", whatever dialect is named.
#[test]
fn the_policy_preflight_token_and_admin_routes_answer_in_their_own_forms_whatever_dialect_is_named() {
    let (store, key, _) = fixture();
    add_campaign(&store, "web", json!({}), &["https://events.example.com"]);
    let headers = [("x-publishable-key", key.as_str()), ("x-signup-dialect", "poken")];
    let policy = send(&store, &request("GET", "/v1/policy?campaign=rf", &headers, ""));
    assert_eq!((policy.status, doc(&policy)["campaign"].as_str()), (200, Some("rf")), "{}", policy.body);
    let origin = [("origin", "https://events.example.com")];
    let preflight = send(&store, &request("OPTIONS", "/v1/accounts?dialect=getresponse", &origin, ""));
    assert_eq!(preflight.status, 204, "{}", preflight.body);
    let token = post(
        &store,
        "/poken/oauth2/token?dialect=native",
        &[("content-type", FORM)],
        "grant_type=authorization_code&code=pc_no.such",
    );
    assert_eq!((token.status, doc(&token)["error"].as_str()), (400, Some("invalid_grant")), "{}", token.body);
    let admin = send(
        &store,
        &request("GET", "/admin/accounts?email=a%40example.com&dialect=movedigital", &[("authorization", ADMIN)], ""),
    );
    assert_eq!(admin.status, 200, "{}", admin.body);
    assert_eq!(doc(&admin)["accounts"], json!([]));
}

/// "… but refuse an unknown name the same way": `request.malformed`, and the request has no effect at all.
#[test]
fn an_unknown_dialect_name_on_the_policy_token_and_admin_routes_is_refused_with_no_effect() {
    let (store, key, _) = fixture();
    let admin = post(
        &store,
        "/admin/campaigns?dialect=klingon",
        &[("authorization", ADMIN), ("content-type", JSON)],
        r#"{"id":"new","name":"New"}"#,
    );
    assert_eq!(admin.status, 400, "{}", admin.body);
    assert!(admin.body.contains("request.malformed"), "{}", admin.body);
    assert!(block_on(store.campaign("new")).unwrap().is_none(), "nothing was created");
    let headers = [("x-publishable-key", key.as_str())];
    let policy = send(&store, &request("GET", "/v1/policy?campaign=rf&dialect=klingon", &headers, ""));
    assert_eq!(policy.status, 400, "{}", policy.body);
    assert!(policy.body.contains("request.malformed"), "{}", policy.body);
    let created = form(
        &store,
        "/poken/account/create",
        None,
        "alias=ada&password=Analytical-1843&email=ada%40example.com&response_type=code",
    );
    let exchange = format!("grant_type=authorization_code&code={}", element(&created.body, "code"));
    let headers = [("content-type", FORM), ("x-signup-dialect", "klingon")];
    let refused = post(&store, "/poken/oauth2/token", &headers, &exchange);
    assert_ne!(refused.status, 200, "{}", refused.body);
    let token = form(&store, "/poken/oauth2/token", None, &exchange);
    assert_eq!(token.status, 200, "the refused exchange did not use the code up: {}", token.body);
}

/// "… token and admin routes answer in their own forms only (… RFC 6749 JSON …)": the token route's TLS refusal too.
#[test]
fn plain_http_on_the_token_endpoint_is_refused_in_rfc_6749_json() {
    let store = MemoryStore::new();
    let token = plain(request(
        "POST",
        "/poken/oauth2/token",
        &[("content-type", FORM)],
        "grant_type=authorization_code&code=pc_a.b",
    ));
    let reply = send(&store, &token);
    assert_eq!(reply.status / 100, 4, "{}", reply.body);
    assert!(reply.content_type.starts_with(JSON), "{}: {}", reply.content_type, reply.body);
    assert!(doc(&reply)["error"].is_string(), "RFC 6749 §5.2 names the error in `error`: {}", reply.body);
}

/// "… token and admin routes answer in their own forms only (… RFC 6749 JSON …), but refuse an unknown name the same way".
#[test]
fn an_unknown_dialect_name_on_the_token_endpoint_is_refused_in_rfc_6749_json() {
    let store = MemoryStore::new();
    let headers = [("content-type", FORM), ("x-signup-dialect", "klingon")];
    let reply = post(&store, "/poken/oauth2/token", &headers, "grant_type=authorization_code&code=pc_a.b");
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(reply.content_type.starts_with(JSON), "{}: {}", reply.content_type, reply.body);
    assert_eq!(doc(&reply)["error"], "invalid_request", "{}", reply.body);
}

/// "The token endpoint answers RFC 6749 JSON with `no-store`": its 413 and 429 too.
#[test]
fn every_token_endpoint_answer_carries_no_store() {
    let store = MemoryStore::new().with_limits(Limits { per_address: 1, per_campaign: 0 });
    let mut huge = request("POST", "/poken/oauth2/token", &[("content-type", FORM)], "");
    huge.body = None;
    let too_large = send(&store, &huge);
    assert!(too_large.content_type.starts_with(JSON), "{}", too_large.content_type);
    assert_eq!(too_large.header("cache-control"), Some("no-store"), "{} {}", too_large.status, too_large.body);
    let mut limited =
        request("POST", "/poken/oauth2/token", &[("content-type", FORM)], "grant_type=authorization_code&code=pc_a.b");
    limited.client_ip = Some("192.0.2.1".parse().unwrap());
    send(&store, &limited);
    let refused = send(&store, &limited);
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.header("cache-control"), Some("no-store"), "{}", refused.body);
}

// ---------------------------------------------------------------------------------------------
// TLS, bounds, operators
// ---------------------------------------------------------------------------------------------

/// "Every route but `/healthz` and the static page refuses plain HTTP with `tls.required`" (the routes not yet tried).
#[test]
fn plain_http_is_refused_on_the_admin_policy_preflight_getresponse_engagement_and_profile_routes() {
    let (store, key, issued) = fixture();
    add_campaign(&store, "web", json!({}), &["https://events.example.com"]);
    let admin = [("authorization", ADMIN), ("content-type", JSON)];
    for refused in [
        request("POST", "/admin/campaigns", &admin, r#"{"id":"new","name":"New"}"#),
        request("GET", "/v1/policy?campaign=rf", &[("x-publishable-key", key.as_str())], ""),
        request("OPTIONS", "/v1/accounts", &[("origin", "https://events.example.com")], ""),
    ] {
        let what = format!("{} {}", refused.method, refused.path);
        let reply = send(&store, &plain(refused));
        assert_eq!(reply.status, 403, "{what}: {}", reply.body);
        assert_eq!(doc(&reply)["errors"][0]["code"], "tls.required", "{what}");
    }
    assert!(block_on(store.campaign("new")).unwrap().is_none());
    let call = gr_call(&issued.api_key, gr_fields("gr@example.com"));
    let gr = send(&store, &plain(request("POST", "/getresponse", &[("content-type", JSON)], &call)));
    assert_eq!(gr.status, 200, "{}", gr.body);
    assert!(doc(&gr)["error"].is_object(), "{}", gr.body);
    let auth = basic(&issued);
    let headers = [("content-type", ENGAGEMENT_JSON), ("authorization", auth.as_str())];
    let eng = send(&store, &plain(request("POST", "/engagement/users", &headers, USER)));
    assert!((400..500).contains(&eng.status) && doc(&eng)["message"].is_string(), "{} {}", eng.status, eng.body);
    let operator = bearer(&issued);
    let headers = [("content-type", FORM), ("authorization", operator.as_str())];
    let profile = send(&store, &plain(request("POST", "/poken/account/profile", &headers, "visibility=PUBLIC")));
    assert_eq!(profile.status, 403, "{}", profile.body);
    assert!(profile.body.contains("<success>FAILURE</success>"), "{}", profile.body);
    assert!(store.is_empty());
}

/// "Bodies over 64 KiB are malformed", in the route's own dialect (and 64 KiB itself is read).
#[test]
fn a_vendor_body_over_64_kib_is_malformed_in_the_routes_dialect() {
    let (store, _, issued) = fixture();
    let auth = basic(&issued);
    let huge = "x".repeat(64 * 1024 + 1);
    let poken = form(&store, "/poken/account/create", None, &huge);
    assert_eq!(poken.status, 400, "{}", poken.body);
    assert!(poken.body.contains("<success>FAILURE</success>"), "{}", poken.body);
    assert_eq!(getresponse(&store, &huge)["error"]["code"], -32600);
    let md = movedigital(&store, &huge);
    assert_eq!(md_codes(&md), pairs(&[("106", "Some data was missing or invalid.")]), "{}", md.body);
    let engagement_headers = [("content-type", ENGAGEMENT_JSON), ("authorization", auth.as_str())];
    let eng = post(&store, "/engagement/users", &engagement_headers, &huge);
    assert_eq!((eng.status, doc(&eng)["message"].as_str()), (400, Some("The request contains invalid attributes")));
    assert!(store.is_empty());
    let exactly = format!("{USER}{}", " ".repeat(64 * 1024 - USER.len()));
    let created = post(&store, "/engagement/users", &engagement_headers, &exactly);
    assert_eq!(created.status, 200, "64 KiB is not over 64 KiB: {}", created.body);
}

/// Vendor routes, "creates into": "the operator's first campaign" (GetResponse, MoveDigital, Engagement).
#[test]
fn the_vendor_routes_without_a_campaign_create_into_the_operators_first_campaign() {
    let store = MemoryStore::new();
    add_campaign(&store, "first", json!({}), &[]);
    add_campaign(&store, "second", json!({}), &[]);
    let issued = add_operator(&store, 6, &EVERYTHING, &["first", "second"], &[]);
    let gr = getresponse(&store, &gr_call(&issued.api_key, gr_fields("gr@example.com")));
    assert_eq!(gr["result"]["added"], 1, "{gr}");
    let md = movedigital(
        &store,
        &md_call(&issued, "&username=mover&password=x&confirm_password=x&email=md%40example.com&eula_agree=yes"),
    );
    assert!(md.body.contains(r#"<rsp stat="ok">"#), "{}", md.body);
    let eng = engagement(&store, &issued, USER);
    assert_eq!(eng.status, 200, "{}", eng.body);
    for email in ["gr@example.com", "md@example.com", "latha@example.com"] {
        assert_eq!(store.account_by_email_sync(email).scope.campaign_id(), Some("first"), "{email}");
    }
}

/// "Operator address allowlists compare `CF-Connecting-IP`; outside the list is `auth.address_forbidden`".
#[test]
fn a_caller_outside_its_operators_address_allowlist_is_auth_address_forbidden() {
    let store = MemoryStore::new();
    add_campaign(&store, "rf", json!({}), &[]);
    let issued = add_operator(&store, 7, &EVERYTHING, &["rf"], &["192.0.2.7"]);
    let auth = basic(&issued);
    let from = |path: &str, ip: &str| {
        let headers = [("content-type", ENGAGEMENT_JSON), ("authorization", auth.as_str())];
        let mut call = request("POST", path, &headers, USER);
        call.client_ip = Some(ip.parse().unwrap());
        send(&store, &call)
    };
    let outside = from("/engagement/users?dialect=native", "198.51.100.1");
    assert_eq!(
        (outside.status, doc(&outside)["errors"][0]["code"].as_str()),
        (403, Some("auth.address_forbidden")),
        "{}",
        outside.body
    );
    assert!(store.is_empty());
    let inside = from("/engagement/users", "192.0.2.7");
    assert_eq!(inside.status, 200, "{}", inside.body);
}

/// "… as it is on a native form whose policy shows the state field; a policy that hides it (the default) lets a US signup leave it out."
#[test]
fn a_native_us_signup_needs_a_state_only_where_the_policy_shows_the_field() {
    let store = MemoryStore::new();
    let hidden = add_campaign(&store, "rf", json!({}), &[]);
    let shown = add_campaign(
        &store,
        "usa",
        json!({"fields": {"email": "required", "password": "required", "country": "optional", "state": "optional"}}),
        &[],
    );
    let signup = |key: &str, body: Value| {
        post(&store, "/v1/accounts", &[("content-type", JSON), ("x-publishable-key", key)], &body.to_string())
    };
    let left_out = signup(
        hidden.as_str(),
        json!({"campaign": "rf", "email": "a@example.com", "password": "Analytical-1843", "country": "US"}),
    );
    assert_eq!(left_out.status, 201, "{}", left_out.body);
    let missing = signup(
        shown.as_str(),
        json!({"campaign": "usa", "email": "b@example.com", "password": "Analytical-1843", "country": "US"}),
    );
    assert_eq!(missing.status, 422, "{}", missing.body);
    let problem = doc(&missing)["errors"][0].clone();
    assert_eq!((problem["field"].as_str(), problem["code"].as_str()), (Some("state"), Some("state.required")));
    let body = json!({
        "campaign": "usa", "email": "c@example.com", "password": "Analytical-1843", "country": "US", "state": "NY"
    });
    let given = signup(shown.as_str(), body);
    assert_eq!(given.status, 201, "{}", given.body);
}

// ---------------------------------------------------------------------------------------------
// Poken (seeds 000 and 001)
// ---------------------------------------------------------------------------------------------

/// "`sendEmailId` 0 and 4 queue a `welcome` e-mail now, 2 at `sendEmailTimestamp` …, 3 a `welcome_if_present`, 1 nothing."
#[test]
fn poken_send_email_id_queues_the_welcome_email_as_decided() {
    let store = MemoryStore::new();
    let welcome = |kind: MessageKind, send_at_ms: i64| vec![OutboxEntry::mail(kind, send_at_ms)];
    let cases = [
        ("", welcome(MessageKind::Welcome, NOW)),
        ("&sendEmailId=0", welcome(MessageKind::Welcome, NOW)),
        ("&sendEmailId=1", vec![]),
        ("&sendEmailId=2&sendEmailTimestamp=1900000000", welcome(MessageKind::Welcome, 1_900_000_000_000)),
        ("&sendEmailId=3", welcome(MessageKind::WelcomeIfPresent, NOW)),
        ("&sendEmailId=4", welcome(MessageKind::Welcome, NOW)),
    ];
    for (n, (extra, outbox)) in cases.into_iter().enumerate() {
        let body = format!("alias=sender{n}&password=Analytical-1843&email=sender{n}%40example.com{extra}");
        let reply = form(&store, "/poken/account/create", None, &body);
        assert_eq!(reply.status, 200, "{extra}: {}", reply.body);
        assert_eq!(store.account_by_email_sync(&format!("sender{n}@example.com")).outbox, outbox, "{extra:?}");
    }
}

/// Seed 000, `extRefId`: "processed only if a valid campaign id is provided".
#[test]
fn poken_ext_ref_id_is_processed_only_with_a_campaign_id() {
    let store = MemoryStore::new();
    for n in 0..2 {
        let body = format!("alias=ref{n}&password=Analytical-1843&email=ref{n}%40example.com&extRefId=crm-1");
        let reply = form(&store, "/poken/account/create", None, &body);
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(store.account_by_email_sync(&format!("ref{n}@example.com")).ext_ref_id, None);
    }
}

/// Storage: "UNIQUE indexes hold … external reference ids per campaign" (seed 000's 10041 text).
#[test]
fn external_reference_ids_are_unique_per_campaign_only() {
    let store = MemoryStore::new();
    add_campaign(&store, "rf", json!({}), &[]);
    add_campaign(&store, "rf2", json!({}), &[]);
    let operator = bearer(&add_operator(&store, 8, &EVERYTHING, &["rf", "rf2"], &[]));
    let create = |campaign: &str, n: u32| {
        let body = format!(
            "campaignId={campaign}&extRefId=crm-1&alias=ref{n}&password=Analytical-1843&email=ref{n}%40example.com"
        );
        form(&store, "/poken/account/create", Some(operator.as_str()), &body)
    };
    let first = create("rf", 1);
    assert_eq!(first.status, 200, "{}", first.body);
    let elsewhere = create("rf2", 2);
    assert_eq!(elsewhere.status, 200, "another campaign may hold the same id: {}", elsewhere.body);
    let again = create("rf", 3);
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(
        poken_errors(&again),
        pairs(&[("10041", "The provided external reference ID is already used for a different account.")])
    );
}

/// Storage: e-mail and alias are unique within one campaign, whatever their case (seed 000's
/// 10001 and 10004 texts); another campaign is a world of its own, where both are free.
#[test]
fn e_mail_and_alias_are_unique_within_a_campaign_whatever_their_case_and_free_in_another() {
    let store = MemoryStore::new();
    add_campaign(&store, "rf", json!({}), &[]);
    add_campaign(&store, "rf2", json!({}), &[]);
    let operator = bearer(&add_operator(&store, 9, &EVERYTHING, &["rf", "rf2"], &[]));
    let create = |body: &str| form(&store, "/poken/account/create", Some(operator.as_str()), body);
    let first = create("campaignId=rf&alias=Grace&password=Analytical-1843&email=grace%40example.com");
    assert_eq!(first.status, 200, "{}", first.body);
    let alias = create("campaignId=rf&alias=GRACE&password=Analytical-1843&email=other%40example.com");
    assert_eq!(alias.status, 409, "{}", alias.body);
    assert_eq!(poken_errors(&alias), pairs(&[("10001", "This username has already been taken.")]));
    let email = create("campaignId=rf&alias=hopper&password=Analytical-1843&email=GRACE%40Example.com");
    assert_eq!(email.status, 409, "{}", email.body);
    assert_eq!(poken_errors(&email), pairs(&[("10004", "The email address provided is already registered.")]));
    let elsewhere = create("campaignId=rf2&alias=GRACE&password=Analytical-1843&email=GRACE%40Example.com");
    assert_eq!(elsewhere.status, 200, "the same person registers for another event: {}", elsewhere.body);
    assert_eq!(store.len(), 2);
}

/// Seed 000, "Error Codes": 10002, 10014, 10015, 10016, 10017, 10021, 10025, 10026, with the seed's descriptions.
#[test]
fn poken_create_errors_carry_the_seeds_codes_and_descriptions() {
    let store = MemoryStore::new();
    for (body, code, description) in [
        (
            "alias=a&password=Analytical-1843&email=x%40example.com",
            "10014",
            "The username is too short.It should be at least 2 characters long.",
        ),
        (
            "alias=ad%21x&password=Analytical-1843&email=x%40example.com",
            "10015",
            "The username contains invalid characters or keywords.",
        ),
        (
            "alias=Adm1n&password=Analytical-1843&email=x%40example.com",
            "10015",
            "The username contains invalid characters or keywords.",
        ),
        ("alias=123456&password=Analytical-1843&email=x%40example.com", "10016", "The username contains just numbers."),
        ("alias=ada&password=Analytical-1843&email=nope", "10017", "Invalid email format provided."),
        (
            "alias=ada&password=Analytical-1843&email=x%40example.com&country=GBR",
            "10021",
            "The country code specified is not a 2 character ISO code.",
        ),
        (
            "alias=ada&password=Analytical-1843&email=x%40example.com&timeZone=Mars%2FOlympus",
            "10025",
            "The timezone specified is invalid.",
        ),
        (
            "alias=ada&password=Analytical-1843&email=x%40example.com&lang=xx",
            "10026",
            "The language specified is invalid.",
        ),
        ("alias=ada&email=x%40example.com", "10002", "The password provided is too short."),
    ] {
        let reply = form(&store, "/poken/account/create", None, body);
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        assert_eq!(poken_errors(&reply), pairs(&[(code, description)]), "{body}");
    }
    assert!(store.is_empty());
}

/// Seed 000, 10018: "You don't have the permission to request such an action." ("auth problems stand alone").
#[test]
fn a_poken_operator_without_accounts_create_gets_10018_alone() {
    let (store, _, _) = fixture();
    let updater = bearer(&add_operator(&store, 2, &[Permission::AccountsUpdate], &["rf"], &[]));
    let body = "campaignId=rf&alias=a&password=short&email=nope";
    let reply = form(&store, "/poken/account/create", Some(updater.as_str()), body);
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(poken_errors(&reply), pairs(&[("10018", "You don't have the permission to request such an action.")]));
    assert!(store.is_empty());
}

/// Seed 001, "Error Codes": 150001, 10010, 10039, 10001, 10004, 10017, 10040, with the seed's descriptions.
#[test]
fn poken_profile_errors_carry_the_seeds_codes_and_descriptions() {
    let (store, _, issued) = fixture();
    let operator = bearer(&issued);
    let create = |alias: &str| {
        let body = format!("campaignId=rf&alias={alias}&password=Analytical-1843&email={alias}%40example.com");
        form(&store, "/poken/account/create", Some(operator.as_str()), &body)
    };
    let grace = create("grace");
    assert_eq!(grace.status, 200, "{}", grace.body);
    let hopper = create("hopper");
    assert_eq!(hopper.status, 200, "{}", hopper.body);
    let identity = element(&hopper.body, "identityId").to_owned();
    let viewer = bearer(&add_operator(&store, 3, &[Permission::AccountsCreate], &["rf"], &[]));
    let own = Some(operator.as_str());
    for (authorization, body, status, code, description) in [
        (None, "visibility=PUBLIC".to_owned(), 401, "150001", "The endpoint requires an authenticated account"),
        (
            own,
            "identityId=1&visibility=PUBLIC".to_owned(),
            403,
            "10010",
            "The identity specified is either invalid or not one of your identites.",
        ),
        (
            Some(viewer.as_str()),
            format!("identityId={identity}&visibility=PUBLIC"),
            403,
            "10039",
            "Permission denied, not allowed to update this account's profile.",
        ),
        (own, format!("identityId={identity}&alias=GRACE"), 409, "10001", "This username has already been taken."),
        (
            own,
            format!("identityId={identity}&email=GRACE%40example.com"),
            409,
            "10004",
            "The email address provided is already registered.",
        ),
        (own, format!("identityId={identity}&email=nope"), 400, "10017", "Invalid email format provided."),
        (
            own,
            format!("identityId={identity}&mobilePhone=12"),
            400,
            "10040",
            "Not a valid account mobile phone provided.",
        ),
    ] {
        let reply = form(&store, "/poken/account/profile", authorization, &body);
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(poken_errors(&reply), pairs(&[(code, description)]), "{body}");
    }
}

/// "A "new account" (which an operator with `accounts:update` may still edit by `identityId`) is … younger than 24 h".
#[test]
fn an_operator_may_update_a_poken_account_only_in_its_first_24_hours() {
    let (store, _, issued) = fixture();
    let operator = bearer(&issued);
    let created = form(
        &store,
        "/poken/account/create",
        Some(operator.as_str()),
        "campaignId=rf&alias=grace&password=Analytical-1843&email=grace%40example.com",
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let body = format!("identityId={}&visibility=PUBLIC", element(&created.body, "identityId"));
    let young = form_at(&store, "/poken/account/profile", Some(operator.as_str()), &body, NOW + DAY_MS - 1);
    assert_eq!(young.status, 200, "{}", young.body);
    let old = form_at(&store, "/poken/account/profile", Some(operator.as_str()), &body, NOW + DAY_MS + 1);
    assert_eq!(old.status, 403, "{}", old.body);
    assert_eq!(poken_errors(&old), pairs(&[("10039", "Permission denied, not a new account anymore.")]));
}

/// "`POST /poken/oauth2/token` | … | the code (single use, 600 s)".
#[test]
fn a_poken_code_is_exchangeable_for_600_seconds() {
    let store = MemoryStore::new();
    let exchange_of = |alias: &str| {
        let body = format!("alias={alias}&password=Analytical-1843&email={alias}%40example.com&response_type=code");
        let created = form(&store, "/poken/account/create", None, &body);
        assert_eq!(created.status, 200, "{}", created.body);
        format!("grant_type=authorization_code&code={}", element(&created.body, "code"))
    };
    let late = form_at(&store, "/poken/oauth2/token", None, &exchange_of("late"), NOW + 600_000);
    assert_eq!((late.status, doc(&late)["error"].as_str()), (400, Some("invalid_grant")), "{}", late.body);
    let prompt = form_at(&store, "/poken/oauth2/token", None, &exchange_of("prompt"), NOW + 599_999);
    assert_eq!(prompt.status, 200, "{}", prompt.body);
}

/// "Account tokens (`pa_`) last an hour."
#[test]
fn a_poken_account_token_lasts_an_hour() {
    let store = MemoryStore::new();
    let created = form(
        &store,
        "/poken/account/create",
        None,
        "alias=ada&password=Analytical-1843&email=ada%40example.com&response_type=code",
    );
    let exchange = format!("grant_type=authorization_code&code={}", element(&created.body, "code"));
    let exchanged_at = NOW + 1_000;
    let token = form_at(&store, "/poken/oauth2/token", None, &exchange, exchanged_at);
    assert_eq!(token.status, 200, "{}", token.body);
    let own = format!("Bearer {}", doc(&token)["access_token"].as_str().unwrap());
    let update =
        |now_ms: i64| form_at(&store, "/poken/account/profile", Some(own.as_str()), "visibility=PUBLIC", now_ms);
    let within = update(exchanged_at + 3_600_000 - 1);
    assert_eq!(within.status, 200, "{}", within.body);
    let expired = update(exchanged_at + 3_600_000);
    assert_eq!(expired.status, 401, "{}", expired.body);
    assert_eq!(poken_errors(&expired).first().map(|e| e.0.as_str()), Some("150001"));
}

// ---------------------------------------------------------------------------------------------
// GetResponse (seed 002)
// ---------------------------------------------------------------------------------------------

/// "JSON-RPC 1.0/2.0 `add_account`": 1.0 gets `result` and `error: null`, 2.0 only one of them; both their `id`.
#[test]
fn getresponse_answers_json_rpc_1_0_and_2_0_calls_in_their_own_envelopes() {
    let (store, _, issued) = fixture();
    let fields = gr_fields("one@example.com");
    let one = json!({"method": "add_account", "id": "call-1", "params": [issued.api_key, fields]});
    let answer = getresponse(&store, &one.to_string());
    assert!(answer.get("jsonrpc").is_none(), "{answer}");
    assert!(answer.get("error").is_some_and(Value::is_null), "{answer}");
    assert_eq!(answer["result"]["added"], 1, "{answer}");
    assert_eq!(answer["id"], "call-1");
    let fields = gr_fields("two@example.com");
    let two = json!({"jsonrpc": "2.0", "method": "add_account", "id": 9, "params": ["gr_no_pe", fields]});
    let answer = getresponse(&store, &two.to_string());
    assert_eq!(answer["jsonrpc"], "2.0");
    assert!(answer.get("result").is_none(), "a 2.0 error has no result: {answer}");
    assert_eq!(answer["error"], json!({"code": -1, "message": "API key verification failed"}));
    assert_eq!(answer["id"], 9);
}

/// "JSON-RPC's own codes (`-32700`, `-32600`, `-32601` …) for the rest. HTTP 200 always."
#[test]
fn getresponse_answers_http_200_with_json_rpcs_own_codes_for_calls_it_cannot_run() {
    let (store, _, _) = fixture();
    for (body, code, message) in [
        ("{".to_owned(), -32700, "Parse error"),
        ("[1]".to_owned(), -32600, "Invalid Request"),
        (json!({"method": "get_campaigns", "id": 1, "params": []}).to_string(), -32601, "Method not found"),
        ("x".repeat(64 * 1024 + 1), -32600, "Invalid Request"),
    ] {
        let answer = getresponse(&store, &body);
        assert_eq!(answer["error"], json!({"code": code, "message": message}), "{}", &body[..body.len().min(40)]);
    }
}

/// "`-32602` "Invalid params", also for a missing mandatory field"; "The `campaign` object is checked … and stored".
#[test]
fn getresponse_missing_mandatory_fields_are_invalid_params_and_the_campaign_object_is_checked_and_stored() {
    let (store, _, issued) = fixture();
    let invalid_params = json!({"code": -32602, "message": "Invalid params"});
    for missing in ["first_name", "last_name", "city", "street", "zip_code", "phone", "campaign"] {
        let mut fields = gr_fields("missing@example.com");
        fields.as_object_mut().unwrap().remove(missing);
        let answer = getresponse(&store, &gr_call(&issued.api_key, fields));
        assert_eq!(answer["error"], invalid_params, "without {missing}: {answer}");
    }
    for missing in ["name", "confirmation_subject", "confirmation_body"] {
        let mut fields = gr_fields("missing@example.com");
        fields["campaign"].as_object_mut().unwrap().remove(missing);
        let answer = getresponse(&store, &gr_call(&issued.api_key, fields));
        assert_eq!(answer["error"], invalid_params, "campaign without {missing}: {answer}");
    }
    for (key, bad) in [("optin", "maybe"), ("language_code", "zz")] {
        let mut fields = gr_fields("bad@example.com");
        fields["campaign"][key] = bad.into();
        let answer = getresponse(&store, &gr_call(&issued.api_key, fields));
        assert_eq!(answer["error"], invalid_params, "campaign {key} {bad}: {answer}");
    }
    assert!(store.is_empty());
    let answer = getresponse(&store, &gr_call(&issued.api_key, gr_fields("kept@example.com")));
    assert_eq!(answer["result"]["added"], 1, "{answer}");
    let stored = store.account_by_email_sync("kept@example.com");
    let campaign: Value = serde_json::from_str(&stored.profile["getresponse_campaign"]).unwrap();
    assert_eq!(campaign["name"], "trains");
    assert_eq!(campaign["confirmation_subject"], "CONFIRMATION_SUBJECT_ID");
    assert_eq!(campaign["confirmation_body"], "CONFIRMATION_BODY_ID");
    assert_eq!(campaign["optin"], "single");
}

/// "`phone` is free text (the seed forces no format)."
#[test]
fn getresponse_phone_is_free_text() {
    let (store, _, issued) = fixture();
    let mut fields = gr_fields("free@example.com");
    fields["phone"] = "ask for Ada at the desk".into();
    let answer = getresponse(&store, &gr_call(&issued.api_key, fields));
    assert_eq!(answer["result"]["added"], 1, "{answer}");
    let stored = store.account_by_email_sync("free@example.com");
    assert_eq!(stored.profile.get("phone").map(String::as_str), Some("ask for Ada at the desk"));
}

// ---------------------------------------------------------------------------------------------
// MoveDigital (seed 003)
// ---------------------------------------------------------------------------------------------

/// "The answer's `<method>` echoes the method called" (with seed 003's `<format>rest</format>` and `<userid>`).
#[test]
fn a_movedigital_answer_echoes_the_method_with_format_rest_and_the_new_userid() {
    let (store, _, issued) = fixture();
    let created = movedigital(&store, &md_call(&issued, MD_USER));
    assert!(created.body.contains(r#"<rsp stat="ok">"#), "{}", created.body);
    assert_eq!(element(&created.body, "method"), MD_METHOD);
    assert_eq!(element(&created.body, "format"), "rest");
    assert!(created.body.contains(r#"<message msg="Successfully created account."/>"#), "{}", created.body);
    let number = store.account_by_email_sync("ada@example.com").number;
    assert_eq!(element(&created.body, "userid"), number.to_string());
    let taken = movedigital(&store, &md_call(&issued, MD_USER));
    assert!(taken.body.contains(r#"<rsp stat="fail">"#), "{}", taken.body);
    assert_eq!(element(&taken.body, "method"), MD_METHOD);
}

/// "The answer's `<method>` names the one method the route serves, whatever was called."
#[test]
fn a_movedigital_answer_names_the_method_the_route_serves() {
    let (store, _, issued) = fixture();
    let other = md_call(&issued, MD_USER).replace(MD_METHOD, "movedigital.accounts.createAccount");
    let reply = movedigital(&store, &other);
    assert!(reply.body.contains(r#"<rsp stat="fail">"#), "{}", reply.body);
    assert_eq!(element(&reply.body, "method"), MD_METHOD, "{}", reply.body);
}

/// Seed 003, "Error Codes": 98, 99, 106 and 109 with the seed's texts.
#[test]
fn movedigital_errors_carry_the_seeds_codes_and_texts() {
    let (store, _, issued) = fixture();
    let viewer = add_operator(&store, 4, &[Permission::AccountsUpdate], &["rf"], &[]);
    let fenced = add_operator(&store, 5, &EVERYTHING, &["rf"], &["192.0.2.7"]);
    let insufficient = pairs(&[("98", "Insufficient permissions.")]);
    assert_eq!(md_codes(&movedigital(&store, &md_call(&viewer, MD_USER))), insufficient, "no accounts:create");
    assert_eq!(md_codes(&movedigital(&store, &md_call(&fenced, MD_USER))), insufficient, "outside its allowlist");
    let md = &issued.movedigital;
    let unsigned = format!("method={MD_METHOD}&userid={}&sessionid={}&session={MD_USER}", md.userid, md.sessionid);
    assert_eq!(md_codes(&movedigital(&store, &unsigned)), pairs(&[("99", "User not signed in.")]));
    let bad_email = md_call(&issued, &MD_USER.replace("ada%40example.com", "nope"));
    assert_eq!(
        md_errors(&movedigital(&store, &bad_email)),
        [MdError {
            code: "106".into(),
            msg: "Some data was missing or invalid.".into(),
            field: Some("email".into()),
            problem: Some("email.invalid".into()),
        }]
    );
    assert!(store.is_empty());
    let limited = MemoryStore::new().with_limits(Limits { per_address: 1, per_campaign: 0 });
    let body = md_call(&issued, MD_USER);
    let mut call = request("POST", "/movedigital/services/rest/", &[("content-type", FORM)], &body);
    call.client_ip = Some("192.0.2.1".parse().unwrap());
    send(&limited, &call);
    assert_eq!(md_codes(&send(&limited, &call)), pairs(&[("109", "Service is currently unavailable.")]));
}

/// "Every problem of a call is listed together …; only a call that is not this method's … is one `106` on its own."
#[test]
fn movedigital_lists_every_problem_together_and_only_a_foreign_call_alone() {
    let (store, _, issued) = fixture();
    let together = movedigital(&store, &md_call(&issued, "&username=ada&password=x&email=nope&eula_agree=yes"));
    let errors = md_errors(&together);
    let named: Vec<(Option<&str>, Option<&str>)> =
        errors.iter().map(|e| (e.field.as_deref(), e.problem.as_deref())).collect();
    assert!(named.contains(&(Some("email"), Some("email.invalid"))), "{}", together.body);
    assert!(named.contains(&(Some("password"), Some("required"))), "the missing confirm_password: {}", together.body);
    assert!(errors.iter().all(|e| e.code == "106"), "{}", together.body);
    let well_formed = "&username=ada&password=x&confirm_password=x&email=nope&eula_agree=yes";
    for body in [
        md_call(&issued, &format!("{well_formed}&colour=red")),
        md_call(&issued, &format!("{well_formed}&username=grace")),
        md_call(&issued, well_formed).replace(MD_METHOD, "movedigital.accounts.proxy.deleteAccount"),
    ] {
        let errors = md_errors(&movedigital(&store, &body));
        assert_eq!(errors.len(), 1, "{body}: {errors:?}");
        assert_eq!((errors[0].code.as_str(), errors[0].field.as_deref()), ("106", None), "{body}");
    }
    assert!(store.is_empty());
}

/// "The temporary password is HMAC-SHA256 of the account id under the `OUTBOX_SECRET` … so it is stored nowhere."
#[test]
fn a_movedigital_account_gets_the_derived_temporary_password_not_the_submitted_one() {
    let (store, _, issued) = fixture();
    let call = "&username=ada&password=chosen-1&confirm_password=chosen-1&email=ada%40example.com&eula_agree=yes";
    let reply = movedigital(&store, &md_call(&issued, call));
    assert!(reply.body.contains(r#"<rsp stat="ok">"#), "{}", reply.body);
    let stored = store.account_by_email_sync("ada@example.com");
    let temporary = temporary_password("outbox", stored.id.as_str());
    let hash = stored.password_hash.as_deref().unwrap();
    assert!(hashing::verify(&temporary, hash), "the password is the one derived from the account id");
    assert!(!hashing::verify("chosen-1", hash), "the submitted password is ignored");
    assert_eq!(stored.outbox, vec![OutboxEntry::mail(MessageKind::TemporaryPassword, NOW)]);
    assert!(!format!("{stored:?}").contains(&temporary), "stored nowhere");
}

// ---------------------------------------------------------------------------------------------
// Engagement (seed 004)
// ---------------------------------------------------------------------------------------------

/// Seed 004: "The payload's request header includes Content-Type as application/json;charset=UTF-8."
#[test]
fn engagement_refuses_a_body_that_is_not_application_json() {
    let (store, _, issued) = fixture();
    let auth = basic(&issued);
    for content_type in ["text/plain", FORM, "application/xml"] {
        let headers = [("content-type", content_type), ("authorization", auth.as_str())];
        let reply = post(&store, "/engagement/users", &headers, USER);
        assert_eq!(reply.status, 400, "{content_type}: {}", reply.body);
        assert!(doc(&reply)["message"].is_string(), "{}", reply.body);
    }
    let untyped = post(&store, "/engagement/users", &[("authorization", auth.as_str())], USER);
    assert_eq!(untyped.status, 400, "{}", untyped.body);
    assert!(store.is_empty());
}

/// Seed 004: "Mobile number should have country code …", "User already exists with this mobile number", "An empty value will cause an error."
#[test]
fn engagement_mobile_number_errors_carry_the_seeds_texts() {
    let store = MemoryStore::new();
    add_campaign(&store, "mob", json!({"reconciliation_key": "mobile", "fields": {"phone": "optional"}}), &[]);
    let issued = add_operator(&store, 10, &[Permission::AccountsCreate], &["mob"], &[]);
    let user = |mobile: &str| {
        json!({"firstName": "Latha", "lastName": "Ganesh", "country": "India", "mobileNumber": mobile}).to_string()
    };
    let message = |reply: &Reply| doc(reply)["message"].as_str().map(str::to_owned);
    let empty = engagement(&store, &issued, &user(""));
    assert_eq!(
        (empty.status, message(&empty).as_deref()),
        (400, Some("Attribute ‘phonenumber’ is a mandatory field. Please provide a valid value for the same"))
    );
    let short = engagement(&store, &issued, &user("12"));
    assert_eq!(
        (short.status, message(&short).as_deref()),
        (400, Some("Mobile number should have country code followed by ten digit number"))
    );
    let first = engagement(&store, &issued, &user("919876543210"));
    assert_eq!(first.status, 200, "{}", first.body);
    let again = engagement(&store, &issued, &user("919876543210"));
    assert_eq!(again.status, 400, "{}", again.body);
    assert_eq!(doc(&again), json!({"message": "User already exists with this mobile number", "id": doc(&first)["id"]}));
}

/// Storage: "UNIQUE indexes hold … the mobile number where it is a campaign's reconciliation key" (there only).
#[test]
fn a_mobile_number_is_unique_only_in_a_campaign_whose_reconciliation_key_it_is() {
    let (store, _, issued) = fixture();
    for email in ["a@example.com", "b@example.com"] {
        let user = json!({
            "firstName": "A", "lastName": "B", "country": "India", "email": email, "mobileNumber": "919876543210"
        });
        let reply = engagement(&store, &issued, &user.to_string());
        assert_eq!(reply.status, 200, "{email}: {}", reply.body);
    }
    assert_eq!(store.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Our own failures
// ---------------------------------------------------------------------------------------------

/// "anything unexpected | 500 | `internal`; the reason goes to the Worker's log only".
#[test]
fn an_unexpected_failure_is_500_internal_with_its_reason_in_the_log_only() {
    let (store, issued) = ghost();
    let auth = basic(&issued);
    let headers = [("content-type", ENGAGEMENT_JSON), ("authorization", auth.as_str())];
    let reply = post(&store, "/engagement/users?dialect=native", &headers, USER);
    assert_eq!(reply.status, 500, "{}", reply.body);
    assert_eq!(doc(&reply)["errors"][0]["code"], "internal");
    assert!(!reply.body.contains("ghost"), "{}", reply.body);
    assert!(reply.log.as_deref().is_some_and(|why| why.contains("ghost")), "{:?}", reply.log);
}

/// Our failures in each vendor's words: seed 004 "Status 500 | Server failure …", 003 "108", 000 "10000", GetResponse `-32603`.
#[test]
fn our_own_failures_are_told_in_each_vendors_words() {
    let (store, issued) = ghost();
    let eng = engagement(&store, &issued, USER);
    assert_eq!((eng.status, doc(&eng)["message"].as_str()), (500, Some("Server failure to process request")));
    let md = movedigital(&store, &md_call(&issued, MD_USER));
    assert_eq!(md_codes(&md), pairs(&[("108", "Internal error.")]), "{}", md.body);
    let gr = getresponse(&store, &gr_call(&issued.api_key, gr_fields("gr@example.com")));
    assert_eq!(gr["error"], json!({"code": -32603, "message": "Internal error"}), "{gr}");
    let auth = basic(&issued);
    let headers = [("content-type", ENGAGEMENT_JSON), ("authorization", auth.as_str())];
    let poken = post(&store, "/engagement/users?dialect=poken", &headers, USER);
    assert_eq!(poken.status, 500, "{}", poken.body);
    assert_eq!(poken_errors(&poken), pairs(&[("10000", "An unhandled exception has occured.")]));
    for body in [&eng.body, &md.body, &gr.to_string(), &poken.body] {
        assert!(!body.contains("ghost"), "the reason reached the caller: {body}");
    }
    assert!(store.is_empty());
}

/// "Two refinements never reach a wire: `alias.reserved` is sent as `alias.invalid` and `password.common`
/// as `password.too_weak` … they choose the message … and `message` texts in every dialect say why."
#[test]
fn reserved_names_and_common_passwords_keep_their_codes_and_say_why() {
    let (store, key, _) = fixture();
    let headers = [("content-type", JSON), ("x-publishable-key", key.as_str())];
    let body = json!({"campaign": "rf", "email": "ada@example.com", "password": "Password1", "alias": "Adm1n"});
    let refused = post(&store, "/v1/accounts", &headers, &body.to_string());
    assert_eq!(refused.status, 422, "{}", refused.body);
    let errors = doc(&refused)["errors"].clone();
    let of = |field: &str| errors.as_array().unwrap().iter().find(|e| e["field"] == field).unwrap().clone();
    assert_eq!(of("alias")["code"], "alias.invalid");
    assert_eq!(of("alias")["message"], "This user name is reserved: please choose another one.");
    assert_eq!(of("password")["code"], "password.too_weak");
    assert!(of("password")["message"].as_str().unwrap().contains("among the most used"), "{errors}");
    // Characters outside the set keep their own message.
    let body =
        json!({"campaign": "rf", "email": "ada@example.com", "password": "Analytical-1843", "alias": "ada lovelace"});
    let refused = post(&store, "/v1/accounts", &headers, &body.to_string());
    assert_eq!(doc(&refused)["errors"][0]["code"], "alias.invalid");
    assert!(
        doc(&refused)["errors"][0]["message"].as_str().unwrap().starts_with("Use only letters"),
        "{}",
        refused.body
    );
    assert_eq!(store.len(), 0);
}

/// Every route of the table, and the admin API, answers through `handle` natively: in its own
/// form, never "no such route", never a 5xx for an empty request.
#[test]
fn every_route_answers_natively_through_handle() {
    use enlist_edge::routes::{table, Route};
    let (store, key, issued) = fixture();
    let mut seen = 0;
    for (method, path, route) in table() {
        let target = if path == "/v1/policy" { format!("{path}?campaign=rf") } else { path.to_owned() };
        let auth = basic(&issued);
        let headers = [("content-type", JSON), ("x-publishable-key", key.as_str()), ("authorization", auth.as_str())];
        let reply = send(&store, &request(method, &target, &headers, ""));
        // (A verification link with no token is a link not found: its own page, 404.)
        let own_404 = route == Route::Verify && reply.body.contains("Link not valid");
        assert!(
            (reply.status != 404 || own_404) && reply.status < 500,
            "{method} {path} ({route:?}): {} {}",
            reply.status,
            reply.body
        );
        assert!(!reply.body.contains("route.not_found"), "{method} {path}: {}", reply.body);
        seen += 1;
    }
    assert_eq!(seen, 12, "the table's routes");
    let admin =
        send(&store, &request("GET", "/admin/accounts?email=ada%40example.com", &[("authorization", ADMIN)], ""));
    assert_eq!(admin.status, 200, "{}", admin.body);
    assert_eq!(Route::resolve("GET", "/admin/accounts"), Route::Admin);
}

// ---------------------------------------------------------------------------------------------
// A campaign is a world of its own
// ---------------------------------------------------------------------------------------------

/// Two campaigns, `a` and `b`, with an operator allowed everything in each, the campaigns
/// reconciling by e-mail (the default) and an Engagement operator for a mobile-keyed pair.
struct Worlds {
    store: MemoryStore,
    keys: [String; 2],
    operators: [IssuedCredentials; 2],
}

impl Worlds {
    fn new() -> Self {
        let store = MemoryStore::new().with_databases(&["ACCOUNTS_1", "ACCOUNTS_2"]);
        let policy = json!({"fields": {"alias": "optional"}});
        let keys = [add_campaign(&store, "a", policy.clone(), &[]), add_campaign(&store, "b", policy, &[])];
        let operators =
            [add_operator(&store, 21, &EVERYTHING, &["a"], &[]), add_operator(&store, 22, &EVERYTHING, &["b"], &[])];
        Self { store, keys, operators }
    }

    /// Signs `email` (and `alias`) up into campaign `world` (0: `a`, 1: `b`) through `dialect`.
    fn sign_up(&self, dialect: &str, world: usize, email: &str, alias: &str) -> Reply {
        let (store, operator) = (&self.store, &self.operators[world]);
        let campaign = ["a", "b"][world];
        match dialect {
            "native" => post(
                store,
                "/v1/accounts",
                &[("content-type", JSON), ("x-publishable-key", self.keys[world].as_str())],
                &json!({"campaign": campaign, "email": email, "alias": alias, "password": "Analytical-1843"})
                    .to_string(),
            ),
            "poken" => form(
                store,
                "/poken/account/create",
                Some(bearer(operator).as_str()),
                &format!(
                    "campaignId={campaign}&alias={alias}&password=Analytical-1843&email={email}&extRefId=crm-{alias}"
                ),
            ),
            "getresponse" => {
                post(store, "/getresponse", &[("content-type", JSON)], &gr_call(&operator.api_key, gr_fields(email)))
            }
            "movedigital" => movedigital(
                store,
                &md_call(
                    operator,
                    &format!("&username={alias}&password=x&confirm_password=x&email={email}&eula_agree=yes"),
                ),
            ),
            "engagement" => engagement(
                store,
                operator,
                &json!({"firstName": "Latha", "lastName": "Ganesh", "country": "India", "email": email}).to_string(),
            ),
            other => panic!("no dialect {other}"),
        }
    }
}

const DIALECTS: [&str; 5] = ["native", "poken", "getresponse", "movedigital", "engagement"];

/// A reply with what differs between two signups of two people (the address, ids, numbers,
/// keys) masked: what is left is the answer's shape.
fn shape(reply: &Reply, address: &str) -> (u16, String) {
    let body = reply.body.replace(address, "ADDRESS");
    let mut masked = String::new();
    let mut token = String::new();
    let flush = |token: &mut String, masked: &mut String| {
        if token.bytes().any(|b| b.is_ascii_digit()) {
            masked.push('#');
        } else {
            masked.push_str(token);
        }
        token.clear();
    };
    for c in body.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            token.push(c);
        } else {
            flush(&mut token, &mut masked);
            masked.push(c);
        }
    }
    flush(&mut token, &mut masked);
    (reply.status, masked)
}

fn created(dialect: &str, reply: &Reply) -> bool {
    match dialect {
        "getresponse" => doc(reply)["result"].is_object(),
        "movedigital" => reply.body.contains("stat=\"ok\""),
        _ => matches!(reply.status, 200 | 201),
    }
}

/// §4: every uniqueness rule holds within one campaign. The same e-mail and alias register in
/// a second campaign through every dialect; in the same campaign they are still taken.
#[test]
fn the_same_person_registers_for_two_campaigns_in_every_dialect_and_once_in_each() {
    for dialect in DIALECTS {
        let worlds = Worlds::new();
        let first = worlds.sign_up(dialect, 0, "ada@example.com", "ada");
        assert!(created(dialect, &first), "{dialect}: {} {}", first.status, first.body);
        let second = worlds.sign_up(dialect, 1, "ada@example.com", "ada");
        assert!(created(dialect, &second), "{dialect}, another campaign: {} {}", second.status, second.body);
        let again = worlds.sign_up(dialect, 0, "ADA@example.com", "other");
        assert!(!created(dialect, &again), "{dialect}, the same campaign: {} {}", again.status, again.body);
        assert_eq!(worlds.store.len(), 2, "{dialect}");
        let scopes: Vec<_> =
            worlds.store.all_accounts().iter().map(|a| a.scope.campaign_id().map(str::to_owned)).collect();
        assert_eq!(scopes, [Some("a".to_owned()), Some("b".to_owned())], "{dialect}");
    }
}

/// §4: nothing any route answers about one campaign reveals anything about another. For an
/// address registered only in campaign `a`, a signup through campaign `b`'s credentials is
/// answered exactly as for an address nobody ever used, in every dialect.
#[test]
fn an_address_of_another_campaign_is_answered_as_one_nobody_used_in_every_dialect() {
    for dialect in DIALECTS {
        let worlds = Worlds::new();
        assert!(created(dialect, &worlds.sign_up(dialect, 0, "known@example.com", "known")), "{dialect}");
        let known = worlds.sign_up(dialect, 1, "known@example.com", "known");
        let fresh = worlds.sign_up(dialect, 1, "fresh@example.com", "fresh");
        let (known, fresh) = (shape(&known, "known"), shape(&fresh, "fresh"));
        assert_eq!(known, fresh, "{dialect}: another campaign's address must look unused");
    }
}

/// §4: the reconciliation phone and the external reference are unique within a campaign too.
#[test]
fn a_reconciliation_phone_and_an_external_reference_are_free_in_another_campaign() {
    let store = MemoryStore::new();
    let mobile = json!({"reconciliation_key": "mobile", "fields": {"phone": "optional", "email": "hidden"}});
    let keys = [add_campaign(&store, "m1", mobile.clone(), &[]), add_campaign(&store, "m2", mobile, &[])];
    let phone = |n: usize| {
        let campaign = ["m1", "m2"][n];
        let body = json!({"campaign": campaign, "phone": "+48 111 111 111", "password": "Analytical-1843"});
        post(
            &store,
            "/v1/accounts",
            &[("content-type", JSON), ("x-publishable-key", keys[n].as_str())],
            &body.to_string(),
        )
    };
    assert_eq!((phone(0).status, phone(1).status, phone(0).status), (201, 201, 409));
    add_campaign(&store, "r1", json!({}), &[]);
    add_campaign(&store, "r2", json!({}), &[]);
    let operator_r = bearer(&add_operator(&store, 6, &EVERYTHING, &["r1", "r2"], &[]));
    let reference = |campaign: &str, n: u8| {
        let body = format!(
            "campaignId={campaign}&extRefId=crm-1&alias=ref{n}&password=Analytical-1843&email=ref{n}%40example.com"
        );
        form(&store, "/poken/account/create", Some(operator_r.as_str()), &body).status
    };
    assert_eq!((reference("r1", 1), reference("r2", 2), reference("r1", 3)), (200, 200, 409));
}

/// The campaign-less scope (Poken create without `campaignId`) is one world of its own: taken
/// within it, free in any campaign and the other way round.
#[test]
fn the_campaign_less_scope_is_one_world() {
    let (store, _, issued) = fixture();
    let anonymous = |email: &str| {
        form(
            &store,
            "/poken/account/create",
            None,
            &format!("alias=x{}&password=Analytical-1843&email={email}", email.len()),
        )
    };
    let in_rf = |email: &str| {
        let body = format!("campaignId=rf&alias=y{}&password=Analytical-1843&email={email}", email.len());
        form(&store, "/poken/account/create", Some(bearer(&issued).as_str()), &body)
    };
    assert_eq!(anonymous("grace%40example.com").status, 200);
    assert_eq!(in_rf("grace%40example.com").status, 200, "a campaign is another world");
    assert_eq!(anonymous("GRACE%40example.com").status, 409, "taken in the campaign-less scope");
    assert_eq!(store.len(), 2);
}

/// §6: each new campaign is placed on one of the account databases (the one with the fewest
/// campaigns), recorded in the directory; admin look-ups by e-mail find every campaign's account.
#[test]
fn new_campaigns_spread_over_the_account_databases_and_admin_finds_every_campaigns_account() {
    let store = MemoryStore::new().with_databases(&["ACCOUNTS_1", "ACCOUNTS_2"]);
    let admin = |method: &str, path: &str, body: &str| {
        send(&store, &request(method, path, &[("authorization", ADMIN), ("content-type", JSON)], body))
    };
    let mut keys = Vec::new();
    for n in 0..4 {
        let created = admin("POST", "/admin/campaigns", &json!({"id": format!("c{n}"), "name": "Event"}).to_string());
        assert_eq!(created.status, 201, "{}", created.body);
        keys.push(doc(&created)["publishable_key"].as_str().unwrap().to_owned());
    }
    let databases: Vec<_> =
        (0..4).map(|n| block_on(store.campaign(&format!("c{n}"))).unwrap().unwrap().database.0).collect();
    assert_eq!(databases, ["ACCOUNTS_1", "ACCOUNTS_2", "ACCOUNTS_1", "ACCOUNTS_2"]);
    for (n, key) in keys.iter().enumerate() {
        let body = json!({"campaign": format!("c{n}"), "email": "ada@example.com", "password": "Analytical-1843"});
        let reply = post(
            &store,
            "/v1/accounts",
            &[("content-type", JSON), ("x-publishable-key", key.as_str())],
            &body.to_string(),
        );
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    let found = doc(&admin("GET", "/admin/accounts?email=ADA%40example.com", ""));
    let campaigns: Vec<_> = found["accounts"].as_array().unwrap().iter().map(|a| a["campaign_id"].clone()).collect();
    assert_eq!(campaigns, [json!("c0"), json!("c1"), json!("c2"), json!("c3")]);
    let narrowed = doc(&admin("GET", "/admin/accounts?email=ada%40example.com&campaign=c2", ""));
    assert_eq!(narrowed["accounts"].as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// The organiser's side (admin API §6)
// ---------------------------------------------------------------------------------------------

fn admin(store: &MemoryStore, method: &str, path: &str, body: Value) -> Reply {
    let body = if body.is_null() { String::new() } else { body.to_string() };
    send(store, &request(method, path, &[("authorization", ADMIN), ("content-type", JSON)], &body))
}

/// A native signup into campaign `id` with `key`.
fn native_in(store: &MemoryStore, id: &str, key: &str, fields: Value) -> Reply {
    let mut body = fields;
    body["campaign"] = id.into();
    post(store, "/v1/accounts", &[("content-type", JSON), ("x-publishable-key", key)], &body.to_string())
}

/// §6: campaigns are listed, shown, and changed with PATCH (policy overrides merged onto the
/// default), each mistake a 422 naming the key, an unknown campaign 404.
#[test]
fn campaigns_are_listed_shown_and_patched() {
    let store = MemoryStore::new();
    for id in ["alpha", "beta"] {
        let created = admin(&store, "POST", "/admin/campaigns", json!({"id": id, "name": "Event"}));
        assert_eq!(created.status, 201);
    }
    let listed = doc(&admin(&store, "GET", "/admin/campaigns", Value::Null));
    let ids: Vec<_> = listed["campaigns"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect();
    assert_eq!(ids, [json!("alpha"), json!("beta")]);
    for key in ["id", "name", "allowed_origins", "policy", "open", "created_at"] {
        assert!(listed["campaigns"][0].get(key).is_some(), "{key}: {listed}");
    }
    assert_eq!(listed["campaigns"][0]["open"], true);

    let patched = admin(
        &store,
        "PATCH",
        "/admin/campaigns/alpha",
        json!({"name": "Alpha 2027", "allowed_origins": ["https://Alpha.Example.com/"],
               "policy": {"fields": {"alias": "optional"}}, "open": false}),
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    let shown = doc(&admin(&store, "GET", "/admin/campaigns/alpha", Value::Null));
    assert_eq!(shown, doc(&patched));
    assert_eq!(shown["name"], "Alpha 2027");
    assert_eq!(shown["allowed_origins"], json!(["https://alpha.example.com"]));
    assert_eq!(shown["policy"]["fields"]["alias"], "optional");
    assert_eq!(shown["policy"]["fields"]["email"], "required", "overrides merge onto the default");
    assert_eq!(shown["open"], false);

    for (body, names) in [
        (json!({"policy": {"fields": {"email": "hidden"}}}), "policy.fields"),
        (json!({"allowed_origins": ["alpha.example.com"]}), "allowed_origins"),
        (json!({"name": ""}), "name"),
        (json!({"colour": "red"}), "colour"),
        (json!({"open": "yes"}), "open"),
    ] {
        let refused = admin(&store, "PATCH", "/admin/campaigns/beta", body.clone());
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert!(doc(&refused)["detail"].as_str().unwrap().contains(names), "{body}: {}", refused.body);
    }
    assert_eq!(
        doc(&admin(&store, "GET", "/admin/campaigns/beta", Value::Null))["name"],
        "Event",
        "a refused PATCH changes nothing"
    );
    assert_eq!(admin(&store, "GET", "/admin/campaigns/gamma", Value::Null).status, 404);
    assert_eq!(admin(&store, "PATCH", "/admin/campaigns/gamma", json!({"open": true})).status, 404);
}

/// §6: a closed campaign refuses signups in every dialect with `campaign.closed`, and its
/// policy route says so (the widget shows it instead of a form); reopened, it takes them again.
#[test]
fn a_closed_campaign_refuses_signups_in_every_dialect() {
    let worlds = Worlds::new();
    let close = |open: bool| admin(&worlds.store, "PATCH", "/admin/campaigns/a", json!({"open": open})).status;
    assert_eq!(close(false), 200);
    for dialect in DIALECTS {
        let refused = worlds.sign_up(dialect, 0, "late@example.com", "late");
        let said = match dialect {
            "native" => refused.status == 403 && doc(&refused)["errors"][0]["code"] == "campaign.closed",
            "poken" => {
                refused.status == 403
                    && poken_errors(&refused) == pairs(&[("10018", "Registration for this campaign is closed.")])
            }
            "getresponse" => doc(&refused)["error"] == json!({"code": -1, "message": "Campaign closed"}),
            "movedigital" => refused.body.contains(r#"code="98""#) && refused.body.contains(r#"stat="fail""#),
            _ => refused.status == 400 && doc(&refused)["message"] == "Registration for this campaign is closed",
        };
        assert!(said, "{dialect}: {} {}", refused.status, refused.body);
    }
    assert!(worlds.store.is_empty());
    let policy =
        send(&worlds.store, &request("GET", &format!("/v1/policy?campaign=a&key={}", worlds.keys[0]), &[], ""));
    assert_eq!((policy.status, doc(&policy)["errors"][0]["code"].clone()), (403, json!("campaign.closed")));
    assert_eq!(close(true), 200);
    let welcome = worlds.sign_up("native", 0, "late@example.com", "late");
    assert_eq!(welcome.status, 201, "{}", welcome.body);
}

/// §6: a rotated publishable key is refused on the very next request; the new one works.
#[test]
fn a_rotated_publishable_key_is_refused_at_once() {
    let (store, old, _) = fixture();
    let rotated = admin(&store, "POST", "/admin/campaigns/rf/publishable-key", Value::Null);
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new = doc(&rotated)["publishable_key"].as_str().unwrap().to_owned();
    assert!(new.starts_with("pk_") && new != old);
    let fields = json!({"email": "ada@example.com", "password": "Analytical-1843"});
    assert_eq!(native_in(&store, "rf", &old, fields.clone()).status, 401);
    assert_eq!(native_in(&store, "rf", &new, fields).status, 201);
    assert_eq!(admin(&store, "POST", "/admin/campaigns/nope/publishable-key", Value::Null).status, 404);
}

/// §6: operators are listed without a secret; rotating an operator's credentials refuses every
/// old one at once, in every dialect; a revoked operator is refused everywhere.
#[test]
fn operator_credentials_rotate_and_revoke_at_once_in_every_dialect() {
    let worlds = Worlds::new();
    let listed = admin(&worlds.store, "GET", "/admin/operators", Value::Null);
    let text = listed.body.clone();
    assert_eq!(doc(&listed)["operators"].as_array().unwrap().len(), 2);
    let old = &worlds.operators[0];
    for secret in [&old.api_key, &old.basic.password, &old.bearer, &old.movedigital.session] {
        assert!(!text.contains(secret.as_str()), "no secret in the list");
    }
    let operators = doc(&listed)["operators"].as_array().unwrap().clone();
    let id = operators.iter().find(|o| o["campaigns"] == json!(["a"])).unwrap()["id"].as_str().unwrap().to_owned();
    let rotated = admin(&worlds.store, "POST", &format!("/admin/operators/{id}/credentials"), Value::Null);
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let fresh: IssuedCredentials = serde_json::from_value(doc(&rotated)["credentials"].clone()).unwrap();
    let vendors = ["poken", "getresponse", "movedigital", "engagement"];
    for (n, dialect) in vendors.into_iter().enumerate() {
        let refused = worlds.sign_up(dialect, 0, &format!("old{n}@example.com"), &format!("old{n}"));
        assert!(!created(dialect, &refused), "{dialect} with an old credential: {}", refused.body);
    }
    let renewed = Worlds { store: worlds.store, keys: worlds.keys, operators: [fresh, worlds.operators[1].clone()] };
    for (n, dialect) in vendors.into_iter().enumerate() {
        let welcome = renewed.sign_up(dialect, 0, &format!("new{n}@example.com"), &format!("new{n}"));
        assert!(created(dialect, &welcome), "{dialect} with the new credential: {}", welcome.body);
    }
    assert_eq!(admin(&renewed.store, "DELETE", &format!("/admin/operators/{id}"), Value::Null).status, 204);
    for (n, dialect) in vendors.into_iter().enumerate() {
        let refused = renewed.sign_up(dialect, 0, &format!("gone{n}@example.com"), &format!("gone{n}"));
        assert!(!created(dialect, &refused), "{dialect} after revocation: {}", refused.body);
    }
    assert_eq!(admin(&renewed.store, "DELETE", &format!("/admin/operators/{id}"), Value::Null).status, 404);
    assert_eq!(admin(&renewed.store, "POST", "/admin/operators/op_nope/credentials", Value::Null).status, 404);
    assert_eq!(
        doc(&admin(&renewed.store, "GET", "/admin/operators", Value::Null))["operators"].as_array().unwrap().len(),
        1
    );
}

/// §6: pages of a campaign's accounts, oldest first, never skip or repeat one while signups
/// arrive; `limit` is 1-1000 and a cursor must be one the API gave.
#[test]
fn accounts_page_without_skipping_or_repeating_while_signups_arrive() {
    let (store, key, _) = fixture();
    let sign = |n: usize, at: i64| {
        let body = json!({"campaign": "rf", "email": format!("p{n:02}@example.com"), "password": "Analytical-1843"});
        let reply = send_at(
            &store,
            &request(
                "POST",
                "/v1/accounts",
                &[("content-type", JSON), ("x-publishable-key", key.as_str())],
                &body.to_string(),
            ),
            at,
        );
        assert_eq!(reply.status, 201, "{}", reply.body);
    };
    // Two share each millisecond, so the id breaks the ties.
    for n in 0..25 {
        sign(n, 1_000 + (n as i64) / 2);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut late = 25;
    loop {
        let path = match &cursor {
            None => "/admin/campaigns/rf/accounts?limit=10".to_owned(),
            Some(c) => format!("/admin/campaigns/rf/accounts?limit=10&cursor={c}"),
        };
        let page = doc(&admin(&store, "GET", &path, Value::Null));
        seen.extend(page["accounts"].as_array().unwrap().iter().map(|a| a["email"].as_str().unwrap().to_owned()));
        for _ in 0..5.min(35 - late) {
            sign(late, 5_000 + late as i64);
            late += 1;
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    // Oldest first, ties (two in one millisecond) by id.
    let mut stored = store.all_accounts();
    stored.sort_by(|a, b| (a.created_at_ms, a.id.as_str()).cmp(&(b.created_at_ms, b.id.as_str())));
    let wanted: Vec<String> = stored.iter().map(|a| a.email.as_ref().unwrap().to_string()).collect();
    assert_eq!(wanted.len(), 35);
    assert_eq!(seen, wanted, "every account exactly once, oldest first, the late ones after the others");
    for bad in ["limit=0", "limit=1001", "limit=ten", "cursor=nope"] {
        let refused = admin(&store, "GET", &format!("/admin/campaigns/rf/accounts?{bad}"), Value::Null);
        assert_eq!(refused.status, 422, "{bad}");
        assert!(doc(&refused)["detail"].as_str().unwrap().starts_with(bad.split('=').next().unwrap()), "{bad}");
    }
    let default = doc(&admin(&store, "GET", "/admin/campaigns/rf/accounts", Value::Null));
    assert_eq!(default["accounts"].as_array().unwrap().len(), 35);
    assert!(default["next_cursor"].is_null());
}

/// §6: the CSV export: a header, then one RFC 4180 record per account, one column per profile
/// field the policy shows; commas, quotes and line breaks come back exactly, and a value a
/// spreadsheet would run as a formula comes back with a leading `'`.
#[test]
#[cfg(not(target_arch = "wasm32"))]
fn the_csv_export_parses_back_and_neutralises_formulas() {
    let store = MemoryStore::new();
    let policy = json!({"fields": {"first_name": "required", "last_name": "optional", "alias": "optional"}});
    let key = add_campaign(&store, "csv", policy, &[]);
    let names = [
        "Lovelace, Ada",
        "Ada \"the Countess\"",
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "Zoë",
        "-2+3",
        "@SUM(A1)",
    ];
    for (n, name) in names.iter().enumerate() {
        let fields = json!({"email": format!("c{n}@example.com"), "password": "Analytical-1843", "first_name": name});
        assert_eq!(native_in(&store, "csv", &key, fields).status, 201);
    }
    // A line break cannot pass the rules, but a stored value may hold one (an older import).
    let mut stored = store.all_accounts().remove(0);
    stored.id = enlist_edge::account::AccountId::from_stored("acc_multiline".into());
    stored.number = 1;
    stored.email = Some(enlist_shared::Email::parse("lines@example.com").unwrap());
    stored.profile.insert("first_name".into(), "two\nlines\r\nhere".into());
    block_on(enlist_edge::store::Accounts::insert_account(&store, &stored)).unwrap();

    let reply = admin(&store, "GET", "/admin/campaigns/csv/accounts.csv", Value::Null);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, "text/csv; charset=utf-8");
    let file = block_on(enlist_edge::admin::collect(reply, &store)).unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(file.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, ["id", "number", "email", "alias", "created_at", "dialect", "first_name", "last_name"]);
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    assert_eq!(rows.len(), names.len() + 1);
    let first_names: Vec<&str> = rows.iter().map(|r| r[6].as_str()).collect();
    for name in ["Lovelace, Ada", "Ada \"the Countess\"", "Zoë", "two\nlines\r\nhere"] {
        assert!(first_names.contains(&name), "{name:?} comes back exactly: {first_names:?}");
    }
    for formula in ["=HYPERLINK(\"http://evil.example\",\"x\")", "-2+3", "@SUM(A1)"] {
        let neutral = format!("'{formula}");
        assert!(first_names.contains(&neutral.as_str()), "{formula:?} neutralised: {first_names:?}");
    }
    assert!(rows.iter().all(|r| r[4].ends_with('Z') && r[5] == "native"));
    assert_eq!(admin(&store, "GET", "/admin/campaigns/nope/accounts.csv", Value::Null).status, 404);
}

/// §6, GDPR art. 17: erasing an account leaves nothing of it (account, profile, outbox, its
/// credentials, the idempotency answers that name it), and the same address may register again.
#[test]
fn an_erased_account_leaves_nothing_and_the_address_may_register_again() {
    let (store, key, issued) = fixture();
    let headers = [("content-type", JSON), ("x-publishable-key", key.as_str()), ("idempotency-key", "first-try")];
    let body = json!({"campaign": "rf", "email": "forget@example.com", "password": "Analytical-1843"}).to_string();
    let created = post(&store, "/v1/accounts", &headers, &body);
    assert_eq!(created.status, 201);
    let id = doc(&created)["id"].as_str().unwrap().to_owned();
    // A MoveDigital account: a temporary-password e-mail in the outbox, a security answer.
    let with_answer = format!("{}&security_question=Pet%3F&security_answer=Rex", MD_USER.replace("ada", "forgetme"));
    let md = movedigital(&store, &md_call(&issued, &with_answer));
    assert!(md.body.contains("stat=\"ok\""), "{}", md.body);
    let md_account = store.account_by_email_sync("forgetme@example.com");
    assert!(!md_account.outbox.is_empty() && !md_account.credentials.is_empty());

    for erased in [id.as_str(), md_account.id.as_str()] {
        assert_eq!(admin(&store, "DELETE", &format!("/admin/accounts/{erased}"), Value::Null).status, 204);
        assert_eq!(admin(&store, "GET", &format!("/admin/accounts/{erased}"), Value::Null).status, 404);
        assert_eq!(admin(&store, "DELETE", &format!("/admin/accounts/{erased}"), Value::Null).status, 404);
    }
    assert!(store.is_empty());
    assert!(block_on(enlist_edge::store::Directory::credential(
        &store,
        CredentialKind::SecurityAnswer,
        md_account.id.as_str()
    ))
    .unwrap()
    .is_none());
    // The first answer is not replayed any more (it named the erased account): the retry signs up anew.
    let again = post(&store, "/v1/accounts", &headers, &body);
    assert_eq!(again.status, 201, "{}", again.body);
    assert_ne!(doc(&again)["id"], id);
}
