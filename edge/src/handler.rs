//! One request in, one answer out, in plain Rust: routing, TLS refusal, dialect negotiation,
//! body bounds, the per-address limit, and every route's answer. The Worker adapter in
//! `lib.rs` only turns a `worker::Request` into a [`Request`] and the [`Reply`] back into a
//! `Response`, so `cargo test` runs all of this natively.

use crate::dialects::{self, Asked, Context, Dialect, Echo, Failure, Malformed, Outcome, VendorRequest};
use crate::limits::{self, Bucket};
use crate::query::query_value;
use crate::reply::Reply;
use crate::routes::{Form, Route, VendorRoute};
use crate::store::Store;
use crate::{admin, native};
use enlist_shared::{Code, Locale, Policy};
use std::net::IpAddr;

/// A request as the edge needs it, independent of the Worker runtime.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    /// The URL's scheme was `https`.
    pub https: bool,
    pub path: String,
    pub query: Option<String>,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    /// `None`: the declared length was over [`body_bound`], so the body was not read.
    pub body: Option<Vec<u8>>,
    /// The client's address as the runtime vouches for it (never a header a client could set).
    pub client_ip: Option<IpAddr>,
}

impl Request {
    /// A request over HTTPS for `target` (a path with an optional `?query`), with its headers
    /// and whole body, from an unknown address: what tests and the fuzzer send.
    pub fn new(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Self {
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query.to_owned())),
            None => (target, None),
        };
        Request {
            method: method.into(),
            https: true,
            path: path.into(),
            query,
            headers: headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), (*v).to_owned())).collect(),
            body: Some(body.to_vec()),
            client_ip: None,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body within `bound`, or `None` when it was (or is) larger.
    fn bounded_body(&self, bound: usize) -> Option<&[u8]> {
        self.body.as_deref().filter(|body| body.len() <= bound)
    }

    fn accept_language(&self) -> Locale {
        Locale::negotiate(self.header("accept-language").unwrap_or(""), &Locale::ALL)
    }
}

/// The Worker's configuration: its variables and secrets.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Plain HTTP is refused with `tls.required` (off only for local development).
    pub require_tls: bool,
    /// The admin API's bearer token; empty: the admin API is closed.
    pub admin_token: String,
    /// Derives MoveDigital temporary passwords (the outbox consumer holds it too).
    pub outbox_secret: Option<String>,
}

/// The largest body a route reads; the adapter does not read a body declared larger.
pub fn body_bound(route: Route) -> usize {
    match route {
        Route::CreateAccount => native::MAX_BODY_BYTES,
        Route::Admin => admin::MAX_BODY_BYTES,
        Route::Vendor(_) | Route::PokenToken => VENDOR_MAX_BODY_BYTES,
        // Nothing reads a body there; the bound only keeps the adapter from holding one.
        Route::Policy
        | Route::Preflight
        | Route::Health
        | Route::Verify
        | Route::MethodNotAllowed { .. }
        | Route::NotFound => VENDOR_MAX_BODY_BYTES,
    }
}

/// Largest body a vendor route reads.
pub const VENDOR_MAX_BODY_BYTES: usize = 64 * 1024;

/// The answer to one request.
pub async fn handle<S: Store>(store: &S, request: &Request, config: &Config, now_ms: i64) -> Reply {
    let route = Route::resolve(&request.method, &request.path);
    let reply = match route.dialect() {
        None if route == Route::Verify => {
            if config.require_tls && !request.https {
                refuse(Dialect::Native, Code::TlsRequired, request.accept_language())
            } else if address_limited(store, request, now_ms).await {
                Reply::new(429, "text/plain; charset=utf-8", "too many requests; try again in a minute\n".into())
            } else {
                let token = query_value(request.query.as_deref(), "token");
                crate::verify::verify(store, token.as_deref(), now_ms).await
            }
        }
        None => answer_plain(route, request.accept_language()),
        Some(route_dialect) => {
            // The answer's dialect is settled before anything else runs: a request naming an
            // unknown one is refused, in the route's dialect, with no effect at all.
            let answer_in = match Dialect::asked(request.header("x-signup-dialect"), request.query.as_deref()) {
                Asked::RoutesOwn => Some(route_dialect),
                Asked::Dialect(dialect) => Some(dialect),
                Asked::Unknown => None,
            };
            match answer_in {
                None if route.form() == Form::OAuth => token_error(400, "unknown dialect name"),
                None => refuse(route_dialect, Code::RequestMalformed, request.accept_language()),
                Some(_) if route.form() == Form::OAuth && config.require_tls && !request.https => {
                    token_error(403, "use HTTPS")
                }
                Some(answer_in) if config.require_tls && !request.https => {
                    refuse_tls(route, answer_in, request.accept_language())
                }
                Some(answer_in) => answer(store, route, answer_in, request, config, now_ms).await,
            }
        }
    };
    if reply.status == 429 && reply.header("retry-after").is_none() {
        return reply.with_header("retry-after", limits::retry_after_s(now_ms).to_string());
    }
    reply
}

/// Routes with no dialect: health, unknown paths, wrong methods.
fn answer_plain(route: Route, locale: Locale) -> Reply {
    match route {
        Route::Health => Reply::new(200, "text/plain", "ok".into()),
        Route::MethodNotAllowed { allow, form } => {
            // Written in the path's own form (a vendor client parses its own errors), with
            // HTTP's own status and `Allow`, whatever status the dialect usually uses.
            let mut reply = match form {
                Form::Dialect(dialect) => refuse(dialect, Code::MethodNotAllowed, locale),
                Form::OAuth => token_error(405, "use POST"),
                Form::Plain => refuse(Dialect::Native, Code::MethodNotAllowed, locale),
            };
            reply.status = 405;
            reply.with_header("allow", allow)
        }
        _ => dialects::native::not_found(locale),
    }
}

/// A request-level refusal written in `dialect`, in the caller's language where it has one.
fn refuse(dialect: Dialect, code: Code, locale: Locale) -> Reply {
    let outcome = Outcome::Failed(Failure::request(code));
    dialects::encode_in(dialect, outcome, &Echo::default(), locale, &Policy::default())
}

/// Plain HTTP on a route that carries credentials or personal data. The admin API and the
/// token endpoint answer in their own forms; everything else in the negotiated dialect.
fn refuse_tls(route: Route, answer_in: Dialect, locale: Locale) -> Reply {
    let dialect = if route.answers_in_any_dialect() { answer_in } else { Dialect::Native };
    refuse(dialect, Code::TlsRequired, locale)
}

async fn answer<S: Store>(
    store: &S,
    route: Route,
    answer_in: Dialect,
    request: &Request,
    config: &Config,
    now_ms: i64,
) -> Reply {
    let bound = body_bound(route);
    match route {
        Route::CreateAccount => {
            let meta = native::RequestMeta {
                content_type: request.header("content-type"),
                accept_language: request.header("accept-language"),
                publishable_key: request.header("x-publishable-key"),
                origin: request.header("origin"),
                idempotency_key: request.header("idempotency-key"),
                client_ip: request.client_ip,
            };
            native::create_account(store, meta, request.bounded_body(bound), answer_in, now_ms).await
        }
        Route::Policy => {
            let campaign = query_value(request.query.as_deref(), "campaign");
            // The widget sends its (public) key in the query, which keeps the request simple
            // (no CORS pre-flight); the header, where sent, wins.
            let key = query_value(request.query.as_deref(), "key");
            let meta = native::RequestMeta {
                publishable_key: request.header("x-publishable-key").or(key.as_deref()),
                origin: request.header("origin"),
                accept_language: request.header("accept-language"),
                ..Default::default()
            };
            native::policy(store, campaign.as_deref(), meta).await
        }
        Route::Preflight => native::preflight(store, request.header("origin"), request.accept_language()).await,
        Route::Admin => {
            let admin_request = admin::AdminRequest {
                method: &request.method,
                path: &request.path,
                query: request.query.as_deref(),
                authorization: request.header("authorization"),
                body: request.bounded_body(bound).unwrap_or_default(),
                body_too_large: request.bounded_body(bound).is_none(),
                admin_token: &config.admin_token,
                outbox_secret: config.outbox_secret.as_deref(),
                local: !config.require_tls,
            };
            admin::handle(store, admin_request, now_ms).await
        }
        Route::PokenToken => {
            if address_limited(store, request, now_ms).await {
                return token_error(429, "too many requests");
            }
            match request.bounded_body(bound) {
                None => token_error(413, "the body is too large"),
                Some(body) => dialects::poken::exchange_code(store, request.header("content-type"), body, now_ms).await,
            }
        }
        Route::Vendor(vendor_route) => vendor(store, vendor_route, answer_in, request, config, now_ms).await,
        // (The verification link has no dialect: `handle` answers it.)
        Route::Health | Route::Verify | Route::MethodNotAllowed { .. } | Route::NotFound => {
            answer_plain(route, request.accept_language())
        }
    }
}

/// The vendor routes: the address limit, the body bound, then the dialect's own use case.
async fn vendor<S: Store>(
    store: &S,
    route: VendorRoute,
    answer_in: Dialect,
    request: &Request,
    config: &Config,
    now_ms: i64,
) -> Reply {
    let body = request.bounded_body(body_bound(Route::Vendor(route)));
    let (echo, outcome) = if address_limited(store, request, now_ms).await {
        // A refused call's answer still echoes what its dialect echoes (a JSON-RPC id).
        (body.map(|body| route.echo_of(body)).unwrap_or_default(), Outcome::Failed(Failure::request(Code::RateLimited)))
    } else if let Some(body) = body {
        let vendor_request = VendorRequest {
            content_type: request.header("content-type"),
            authorization: request.header("authorization"),
            client_ip: request.client_ip,
            accept_language: request.header("accept-language"),
            body,
        };
        let context = Context { outbox_secret: config.outbox_secret.as_deref() };
        route.run(store, &vendor_request, &context, now_ms).await
    } else {
        (Echo::default(), Outcome::Failed(Failure::malformed(Malformed::TooLarge)))
    };
    dialects::encode_in(answer_in, outcome, &echo, request.accept_language(), &Policy::default())
}

/// A refusal of the token endpoint, in its own form.
fn token_error(status: u16, description: &str) -> Reply {
    dialects::poken::token_error(status, "invalid_request", description)
}

/// Counts the request against its client address; whether it is over the limit.
async fn address_limited<S: Store>(store: &S, request: &Request, now_ms: i64) -> bool {
    match request.client_ip {
        Some(ip) => limits::admit(store, Bucket::Address(ip), now_ms).await.is_err(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::tests::campaign;
    use crate::memory::MemoryStore;
    use crate::operator::{Operator, OperatorRequest, Permission};
    use crate::store::Directory;
    use crate::store::Replies;
    use crate::store::Reservation;
    use pollster::block_on;
    use serde_json::{json, Value};

    const FORM: &str = "application/x-www-form-urlencoded";
    const JSON: &str = "application/json";

    /// A store with campaign `rf` and an operator creating into it; returns the operator's
    /// credentials (as the admin API hands them out).
    fn fixture() -> (MemoryStore, String, crate::operator::IssuedCredentials) {
        let store = MemoryStore::new();
        let rf = campaign(json!({}));
        block_on(store.insert_campaign(&rf, 0)).unwrap();
        let request = OperatorRequest {
            name: "Box office".into(),
            permissions: vec![Permission::AccountsCreate, Permission::AccountsUpdate, Permission::Owner],
            campaigns: vec!["rf".into()],
            allowed_ips: vec![],
        };
        let operator = Operator::from_request(request, 1, |_| true).unwrap();
        let (issued, stored) = operator.issue_credentials().unwrap();
        block_on(store.insert_operator(&operator, &stored, 0)).unwrap();
        (store, rf.publishable_key, issued)
    }

    fn request(method: &str, path_and_query: &str, headers: &[(&str, &str)], body: &str) -> Request {
        Request::new(method, path_and_query, headers, body.as_bytes())
    }

    fn config() -> Config {
        Config { require_tls: true, admin_token: "admin-secret".into(), outbox_secret: Some("outbox".into()) }
    }

    fn send(store: &MemoryStore, request: &Request) -> Reply {
        block_on(handle(store, request, &config(), 1_000))
    }

    /// A route's path, its headers and its body.
    type Call = (String, Vec<(String, String)>, String);

    /// A valid signup on every signup route, with its credentials.
    fn signups(key: &str, issued: &crate::operator::IssuedCredentials) -> Vec<Call> {
        let basic = {
            use base64::Engine;
            let pair = format!("{}:{}", issued.basic.user, issued.basic.password);
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
        };
        let md = &issued.movedigital;
        let h = |pairs: &[(&str, &str)]| pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        vec![
            (
                "/v1/accounts".into(),
                h(&[("content-type", JSON), ("x-publishable-key", key)]),
                json!({"campaign": "rf", "email": "ada@example.com", "password": "Analytical-1843"}).to_string(),
            ),
            (
                "/poken/account/create".into(),
                h(&[("content-type", FORM)]),
                "alias=ada&password=Analytical-1843&email=ada%40example.com".into(),
            ),
            (
                "/getresponse".into(),
                h(&[("content-type", JSON)]),
                json!({"method": "add_account", "id": 1, "params": [issued.api_key, {
                    "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                    "password": "Analytical-1843", "country_code": "PL", "country": "Poland",
                    "city": "Gdańsk", "street": "Długa 1", "zip_code": "80-001", "phone": "+48 58 000",
                    "campaign": {"name": "welcome", "confirmation_subject": "Hi", "confirmation_body": "Body"}}]})
                .to_string(),
            ),
            (
                "/movedigital/services/rest/".into(),
                h(&[("content-type", FORM)]),
                format!(
                    "method=movedigital.accounts.proxy.createAccount&userid={}&sessionid={}&session={}\
                     &username=ada&password=x&confirm_password=x&email=ada%40example.com&eula_agree=yes",
                    md.userid, md.sessionid, md.session
                ),
            ),
            (
                "/engagement/users".into(),
                h(&[("content-type", "application/json;charset=UTF-8"), ("authorization", basic.as_str())]),
                json!({"firstName": "Ada", "lastName": "Lovelace", "country": "Poland", "email": "ada@example.com"})
                    .to_string(),
            ),
        ]
    }

    fn with_headers(path: &str, headers: &[(String, String)], extra: &[(&str, &str)], body: &str) -> Request {
        let mut all: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        all.extend_from_slice(extra);
        request("POST", path, &all, body)
    }

    #[test]
    fn every_signup_route_creates_with_good_credentials() {
        for (path, _, _) in signups("", &fixture().2) {
            let (store, key, issued) = fixture();
            let (_, headers, body) = signups(&key, &issued).into_iter().find(|(p, _, _)| *p == path).unwrap();
            let reply = send(&store, &with_headers(&path, &headers, &[], &body));
            assert!(matches!(reply.status, 200 | 201), "{path}: {} {}", reply.status, reply.body);
            assert_eq!(store.len(), 1, "{path}: {}", reply.body);
        }
    }

    #[test]
    fn an_unknown_dialect_name_is_refused_before_anything_runs_on_every_route() {
        for (path, _, _) in signups("", &fixture().2) {
            for (extra, query) in [(Some(("x-signup-dialect", "klingon")), ""), (None, "?dialect=klingon")] {
                let (store, key, issued) = fixture();
                let (_, headers, body) = signups(&key, &issued).into_iter().find(|(p, _, _)| *p == path).unwrap();
                let extra: Vec<(&str, &str)> = extra.into_iter().collect();
                let reply = send(&store, &with_headers(&format!("{path}{query}"), &headers, &extra, &body));
                assert!(store.is_empty(), "{path}{query} {extra:?} stored an account: {}", reply.body);
                assert!(
                    !matches!(reply.status, 200 | 201) || path.contains("getresponse") || path.contains("movedigital")
                );
                // Answered in the route's own dialect, as a malformed request.
                let route_form = match path.as_str() {
                    "/v1/accounts" => reply.body.contains("request.malformed") && reply.status == 400,
                    "/poken/account/create" => reply.body.contains("<success>FAILURE</success>"),
                    "/getresponse" => reply.body.contains("\"error\"") && reply.status == 200,
                    "/movedigital/services/rest/" => reply.body.contains("stat=\"fail\""),
                    _ => reply.status == 400 && reply.body.contains("invalid attributes"),
                };
                assert!(route_form, "{path}{query}: {} {}", reply.status, reply.body);
                // The same request without the bad name then creates the account.
                let retry = send(&store, &with_headers(path.as_str(), &headers, &[], &body));
                assert!(matches!(retry.status, 200 | 201), "{path}: {}", retry.body);
                assert!(!retry.body.contains("already"), "{path}: {}", retry.body);
            }
        }
    }

    #[test]
    fn every_signup_route_answers_in_any_dialect_asked_for() {
        for (path, _, _) in signups("", &fixture().2) {
            for (name, looks_like) in [
                ("native", "\"id\":\"acc_"),
                ("poken", "<accountId>"),
                ("getresponse", "\"ACCOUNT_ID\""),
                ("movedigital", "<rsp stat=\"ok\">"),
                ("engagement", "Details added successfully"),
            ] {
                let (store, key, issued) = fixture();
                let (_, headers, body) = signups(&key, &issued).into_iter().find(|(p, _, _)| *p == path).unwrap();
                let reply = send(&store, &with_headers(&path, &headers, &[("x-signup-dialect", name)], &body));
                assert!(reply.body.contains(looks_like), "{path} as {name}: {} {}", reply.status, reply.body);
                let query = format!("{path}?dialect={name}");
                let (store, key, issued) = fixture();
                let (_, headers, body) = signups(&key, &issued).into_iter().find(|(p, _, _)| *p == path).unwrap();
                let reply = send(&store, &with_headers(&query, &headers, &[], &body));
                assert!(reply.body.contains(looks_like), "{query}: {} {}", reply.status, reply.body);
            }
        }
    }

    #[test]
    fn native_answers_are_localised_everywhere_including_413_415_and_vendor_routes() {
        let (store, key, _) = fixture();
        let german = [("accept-language", "de-DE,de;q=0.9"), ("x-publishable-key", key.as_str())];
        let message = |reply: &Reply| -> String {
            let doc: Value = serde_json::from_str(&reply.body).unwrap();
            doc["errors"][0]["message"].as_str().unwrap().to_owned()
        };
        let wrong_type = request("POST", "/v1/accounts", &[german[0], german[1], ("content-type", "text/plain")], "{}");
        let reply = send(&store, &wrong_type);
        assert_eq!(reply.status, 415);
        assert_eq!(message(&reply), "Die Anfrage konnte nicht gelesen werden.");
        let mut too_large = request("POST", "/v1/accounts", &[german[0], german[1], ("content-type", JSON)], "");
        too_large.body = None;
        let reply = send(&store, &too_large);
        assert_eq!(reply.status, 413);
        assert_eq!(message(&reply), "Die Anfrage konnte nicht gelesen werden.");
        let poken_as_native = request(
            "POST",
            "/poken/account/create?dialect=native",
            &[german[0], ("content-type", FORM)],
            "alias=ada&password=Analytical-1843&email=nope",
        );
        let reply = send(&store, &poken_as_native);
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(message(&reply), "Geben Sie eine gültige E-Mail-Adresse ein, z. B. name@example.com.");
        let mut huge_vendor = request("POST", "/engagement/users", &[german[0], ("x-signup-dialect", "native")], "");
        huge_vendor.body = None;
        let reply = send(&store, &huge_vendor);
        assert_eq!(reply.status, 413, "{}", reply.body);
        assert_eq!(message(&reply), "Die Anfrage konnte nicht gelesen werden.");
        assert!(store.is_empty());
    }

    #[test]
    fn plain_http_is_refused_in_the_negotiated_dialect() {
        let (store, key, _) = fixture();
        let mut plain = request("POST", "/poken/account/create", &[("content-type", FORM)], "alias=ada");
        plain.https = false;
        let reply = send(&store, &plain);
        assert_eq!(reply.status, 403);
        assert!(reply.body.contains("<success>FAILURE</success>"), "{}", reply.body);
        plain.query = Some("dialect=movedigital".into());
        assert!(send(&store, &plain).body.contains("code=\"111\""));
        let mut native = request("POST", "/v1/accounts", &[("x-publishable-key", key.as_str())], "{}");
        native.https = false;
        assert!(send(&store, &native).body.contains("tls.required"));
        let mut health = request("GET", "/healthz", &[], "");
        health.https = false;
        assert_eq!(send(&store, &health).status, 200);
        assert!(store.is_empty());
    }

    #[test]
    fn bearer_and_basic_schemes_are_case_insensitive_on_every_route_that_takes_them() {
        let (store, key, issued) = fixture();
        let bearer = issued.bearer.clone();
        for (i, scheme) in ["bearer", "BEARER", "Bearer"].into_iter().enumerate() {
            let auth = format!("{scheme} {bearer}");
            let body = format!("alias=ada{i}&password=Analytical-1843&email=ada{i}%40example.com&campaignId=rf");
            let reply = send(
                &store,
                &request("POST", "/poken/account/create", &[("content-type", FORM), ("authorization", &auth)], &body),
            );
            assert_eq!(reply.status, 200, "{scheme}: {}", reply.body);
            let admin = format!("{scheme} admin-secret");
            let reply = send(
                &store,
                &request("GET", "/admin/accounts?email=x%40example.com", &[("authorization", &admin)], ""),
            );
            assert_eq!(reply.status, 200, "{scheme}: {}", reply.body);
        }
        for (scheme, email) in [("basic", "b1@example.com"), ("BASIC", "b2@example.com")] {
            use base64::Engine;
            let pair = format!("{}:{}", issued.basic.user, issued.basic.password);
            let auth = format!("{scheme} {}", base64::engine::general_purpose::STANDARD.encode(pair));
            let body = json!({"firstName": "Ada", "lastName": "L", "country": "Poland", "email": email}).to_string();
            let reply = send(
                &store,
                &request("POST", "/engagement/users", &[("content-type", JSON), ("authorization", &auth)], &body),
            );
            assert_eq!(reply.status, 200, "{scheme}: {}", reply.body);
        }
        let _ = key;
    }

    #[test]
    fn overlapping_retries_replay_the_first_answer_and_never_store_another() {
        let (store, key, _) = fixture();
        let headers = [("content-type", JSON), ("x-publishable-key", key.as_str()), ("idempotency-key", "k-1")];
        let body = json!({"campaign": "rf", "email": "ada@example.com", "password": "Analytical-1843"}).to_string();
        // A first request holds the key and is still running: a retry waits, then says so.
        assert_eq!(block_on(store.reserve_reply("native:rf:k-1", 1_000)).unwrap(), Reservation::Won);
        let waiting = send(&store, &request("POST", "/v1/accounts", &headers, &body));
        assert_eq!(waiting.status, 409, "{}", waiting.body);
        assert!(waiting.body.contains("request.in_progress"));
        assert!(store.is_empty(), "a retry of a running request creates nothing");
        // The first finishes: every retry now replays its answer, byte for byte.
        let first = Reply::new(201, JSON, r#"{"id":"acc_first"}"#.into());
        block_on(store.keep_reply("native:rf:k-1", &first)).unwrap();
        for _ in 0..3 {
            assert_eq!(send(&store, &request("POST", "/v1/accounts", &headers, &body)), first);
        }
        // A request whose first run died (no answer for 30 s) is run again by a retry.
        assert_eq!(block_on(store.reserve_reply("native:rf:k-2", 0)).unwrap(), Reservation::Won);
        let later = Request {
            headers: vec![
                ("content-type".into(), JSON.into()),
                ("x-publishable-key".into(), key.clone()),
                ("idempotency-key".into(), "k-2".into()),
            ],
            ..request("POST", "/v1/accounts", &[], &body)
        };
        let reply = block_on(handle(&store, &later, &config(), 40_000));
        assert_eq!(reply.status, 201, "{}", reply.body);
        assert_eq!(block_on(handle(&store, &later, &config(), 41_000)), reply);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn a_retry_with_another_key_or_none_is_judged_anew() {
        let (store, key, _) = fixture();
        let body = json!({"campaign": "rf", "email": "ada@example.com", "password": "Analytical-1843"}).to_string();
        let post = |idem: &str| {
            let headers = [("content-type", JSON), ("x-publishable-key", key.as_str()), ("idempotency-key", idem)];
            send(&store, &request("POST", "/v1/accounts", &headers, &body))
        };
        let first = post("a");
        assert_eq!(first.status, 201);
        assert_eq!(post("a"), first);
        assert_eq!(post("b").status, 409);
        assert_eq!(post("a"), first, "the key's answer stays the first, not a later one");
    }

    #[test]
    fn unknown_routes_and_wrong_methods() {
        let store = MemoryStore::new();
        let reply = send(&store, &request("GET", "/v1/accounts", &[], ""));
        assert_eq!((reply.status, reply.header("allow")), (405, Some("POST")));
        assert!(reply.body.contains("route.method_not_allowed"));
        for (path, own_form) in [
            ("/poken/account/create", "<success>FAILURE</success>"),
            ("/getresponse", "\"error\""),
            ("/movedigital/services/rest/", "stat=\"fail\""),
            ("/engagement/users", "\"message\""),
        ] {
            for method in ["GET", "PUT", "DELETE"] {
                let reply = send(&store, &request(method, path, &[], ""));
                assert_eq!((reply.status, reply.header("allow")), (405, Some("POST")), "{method} {path}");
                assert!(reply.body.contains(own_form), "{method} {path}: {}", reply.body);
            }
        }
        assert_eq!(send(&store, &request("GET", "/nope", &[], "")).status, 404);
        let german = send(&store, &request("GET", "/nope", &[("accept-language", "de")], ""));
        assert!(german.body.contains("Unter dieser Adresse"), "{}", german.body);
        assert_eq!(send(&store, &request("GET", "/healthz", &[], "")).body, "ok");
    }

    #[test]
    fn rate_limited_answers_carry_retry_after() {
        let store = MemoryStore::new().with_limits(crate::limits::Limits { per_address: 1, per_campaign: 0 });
        let mut limited = request("POST", "/engagement/users", &[("content-type", JSON)], "{}");
        limited.client_ip = Some("192.0.2.1".parse().unwrap());
        send(&store, &limited);
        let reply = send(&store, &limited);
        assert!(reply.header("retry-after").is_some(), "{}: {}", reply.status, reply.body);
        let mut token =
            request("POST", "/poken/oauth2/token", &[("content-type", FORM)], "grant_type=authorization_code");
        token.client_ip = Some("192.0.2.1".parse().unwrap());
        let reply = send(&store, &token);
        assert_eq!(reply.status, 429);
        assert!(reply.header("retry-after").is_some());
    }
}
