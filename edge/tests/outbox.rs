//! The outbox's decisions (README "E-mail, verification and webhooks"), natively over the
//! in-memory store with a recording courier: what a signup writes and queues, that a row is
//! sent once however often it is delivered, retries and their back-off, the relay, the
//! dead-letter queue, verification links and webhooks.

use enlist_edge::campaign::{Campaign, CampaignRequest, Database, Webhook};
use enlist_edge::handler::{handle, Config, Request};
use enlist_edge::mail::Mail;
use enlist_edge::memory::MemoryStore;
use enlist_edge::outbox::{self, Courier, Delivery, Disposition, Job, MAX_DELAY_S, REQUEUE_AFTER_MS};
use enlist_edge::store::{Directory, MessageKind, Outbox};
use enlist_edge::verify;
use enlist_edge::webhook;
use pollster::block_on;
use serde_json::{json, Value};
use std::cell::RefCell;

const NOW: i64 = 1_700_000_000_000;
const SECRET: &str = "outbox";

/// A webhook POST: URL, headers, body.
type Post = (String, Vec<(String, String)>, String);

/// What the Worker's bindings would have sent; fails the first `failures` sends.
#[derive(Default)]
struct Recorder {
    mails: RefCell<Vec<Mail>>,
    posts: RefCell<Vec<Post>>,
    failures: RefCell<u32>,
    statuses: RefCell<Vec<u16>>,
}

impl Courier for Recorder {
    async fn send_mail(&self, mail: &Mail) -> Result<(), String> {
        let mut failures = self.failures.borrow_mut();
        if *failures > 0 {
            *failures -= 1;
            return Err("the binding refused".into());
        }
        self.mails.borrow_mut().push(mail.clone());
        Ok(())
    }

    async fn post(&self, url: &str, headers: &[(String, String)], body: &str) -> Result<u16, String> {
        self.posts.borrow_mut().push((url.to_owned(), headers.to_vec(), body.to_owned()));
        let mut statuses = self.statuses.borrow_mut();
        Ok(if statuses.is_empty() { 200 } else { statuses.remove(0) })
    }
}

fn delivery() -> Delivery<'static> {
    Delivery {
        sender: enlist_edge::mail::Sender {
            outbox_secret: Some(SECRET),
            mail_from: "enlist <noreply@enlist.example>",
            public_url: "https://enlist.example",
        },
        retry_base_s: 10,
        faults: "",
    }
}

fn store_with(policy: Value, webhook: Option<&str>) -> (MemoryStore, String) {
    let store = MemoryStore::new();
    let request: CampaignRequest =
        serde_json::from_value(json!({"id": "fest", "name": "Fest", "policy": policy})).unwrap();
    let mut campaign = Campaign::from_request(request, Database::default()).unwrap();
    campaign.webhook = webhook.map(|url| Webhook::new(url.to_owned()).unwrap());
    let key = campaign.publishable_key.clone();
    block_on(store.insert_campaign(&campaign, 0)).unwrap();
    (store, key)
}

fn sign_up(store: &MemoryStore, key: &str, email: &str, language: &str) -> Value {
    let body = json!({"campaign": "fest", "email": email, "password": "Analytical-1843"}).to_string();
    let headers = [("content-type", "application/json"), ("x-publishable-key", key), ("accept-language", language)];
    let config = Config { require_tls: true, admin_token: "admin".into(), outbox_secret: Some(SECRET.into()) };
    let reply = block_on(handle(store, &Request::new("POST", "/v1/accounts", &headers, body.as_bytes()), &config, NOW));
    assert_eq!(reply.status, 201, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

fn drain(store: &MemoryStore, courier: &Recorder, now_ms: i64) -> Vec<Disposition> {
    let jobs: Vec<Job> = store.queued.borrow_mut().drain(..).collect();
    jobs.iter().map(|job| block_on(outbox::deliver(store, courier, job, &delivery(), now_ms))).collect()
}

/// "A policy with `verify_email` creates the account unverified and sends a link": the
/// verification row and its e-mail are written with the account and queued at once; the link
/// works once, in the account's language, and a repeated delivery sends nothing more.
#[test]
fn verification_is_written_with_the_account_and_its_link_works_once() {
    let (store, key) = store_with(json!({"verify_email": true}), None);
    let created = sign_up(&store, &key, "ada@example.com", "fr");
    let queued = store.queued.borrow().clone();
    assert_eq!(queued.len(), 1, "queued right after the write");
    let courier = Recorder::default();
    assert_eq!(drain(&store, &courier, NOW), [Disposition::Ack]);
    let mails = courier.mails.borrow().clone();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "ada@example.com");
    assert!(mails[0].subject.starts_with("Veuillez confirmer"), "{}", mails[0].subject);
    let token = verify::token(SECRET, created["id"].as_str().unwrap());
    assert!(mails[0].body.contains(&format!("https://enlist.example/v1/verify?token={token}")), "{}", mails[0].body);

    // The queue delivering the same message again sends nothing.
    assert_eq!(block_on(outbox::deliver(&store, &courier, &queued[0], &delivery(), NOW + 5)), Disposition::Ack);
    assert_eq!(courier.mails.borrow().len(), 1);

    let page = |token: &str, now| block_on(verify::verify(&store, Some(token), now));
    let first = page(&token, NOW + 10);
    assert_eq!(first.status, 200);
    assert!(first.body.contains("Adresse confirmée"), "{}", first.body);
    assert_eq!(page(&token, NOW + 20).status, 410, "used");
    assert_eq!(page(&"x".repeat(43), NOW).status, 404, "unknown");
    assert_eq!(block_on(verify::verify(&store, None, NOW)).status, 404);
}

#[test]
fn an_expired_link_is_refused_and_verifies_nothing() {
    let (store, key) = store_with(json!({"verify_email": true}), None);
    let created = sign_up(&store, &key, "ada@example.com", "en");
    drain(&store, &Recorder::default(), NOW);
    let token = verify::token(SECRET, created["id"].as_str().unwrap());
    let late = block_on(verify::verify(&store, Some(&token), NOW + verify::TOKEN_TTL_MS));
    assert_eq!(late.status, 410);
    assert!(late.body.contains("Link expired"), "{}", late.body);
}

/// A failed send is retried with back-off (10 s, 20 s, ...); the third attempt sends, once.
#[test]
fn failures_are_retried_with_back_off_and_sent_once() {
    let (store, key) = store_with(json!({"verify_email": true}), None);
    sign_up(&store, &key, "ada@example.com", "en");
    let job = store.queued.borrow()[0].clone();
    let courier = Recorder { failures: RefCell::new(2), ..Default::default() };
    let attempt = |now| block_on(outbox::deliver(&store, &courier, &job, &delivery(), now));
    assert_eq!(attempt(NOW), Disposition::Retry(10));
    assert_eq!(attempt(NOW + 10_000), Disposition::Retry(20));
    assert_eq!(attempt(NOW + 30_000), Disposition::Ack);
    assert_eq!(attempt(NOW + 40_000), Disposition::Ack);
    assert_eq!(courier.mails.borrow().len(), 1);
    let row = &store.outbox_rows()[0];
    assert_eq!(row.attempts, 3);
    assert_eq!(row.last_error.as_deref(), Some("the binding refused"));
}

/// Two deliveries of one row at the same moment: the second finds it claimed and waits out
/// the lease; the dead-letter queue's message parks a row that was never sent.
#[test]
fn a_claimed_row_is_held_and_a_dead_letter_is_parked() {
    let (store, key) = store_with(json!({"verify_email": true}), None);
    sign_up(&store, &key, "ada@example.com", "en");
    let job = store.queued.borrow()[0].clone();
    assert!(matches!(block_on(store.claim(&job, NOW)), Ok(enlist_edge::store::Claim::Claimed(_))));
    let courier = Recorder::default();
    assert_eq!(block_on(outbox::deliver(&store, &courier, &job, &delivery(), NOW + 1)), Disposition::Retry(60));
    assert!(courier.mails.borrow().is_empty());
    assert_eq!(block_on(outbox::bury(&store, &job, NOW + 2)), Disposition::Ack);
    let dead = block_on(store.dead_letters()).unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].kind, "verification");
    assert_eq!(dead[0].campaign_id.as_deref(), Some("fest"));
    assert_eq!(block_on(outbox::deliver(&store, &courier, &job, &delivery(), NOW + 70_000)), Disposition::Ack);
    assert!(courier.mails.borrow().is_empty(), "a dead row is never sent");
}

/// The relay queues what was never queued (a send time beyond the queue's 12 hours, once it
/// comes within them) and what was queued but not sent for 15 minutes; nothing else.
#[test]
fn the_relay_queues_far_sends_in_time_and_lost_messages_again() {
    let store = MemoryStore::new();
    let body = format!(
        "alias=later&password=Analytical-1843&email=later%40example.com&sendEmailId=2&sendEmailTimestamp={}",
        (NOW + 2 * 24 * 3600 * 1000) / 1000
    );
    let config = Config { require_tls: true, admin_token: "admin".into(), outbox_secret: Some(SECRET.into()) };
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let reply = block_on(handle(
        &store,
        &Request::new("POST", "/poken/account/create", &headers, body.as_bytes()),
        &config,
        NOW,
    ));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(store.queued.borrow().is_empty(), "beyond the queue's longest delay");
    assert_eq!(block_on(outbox::relay(&store, NOW)).unwrap(), 0);
    let within = NOW + 2 * 24 * 3600 * 1000 - i64::from(MAX_DELAY_S) * 1000 + 60_000;
    assert_eq!(block_on(outbox::relay(&store, within)).unwrap(), 1);
    let job = store.queued.borrow()[0].clone();
    assert!(job.delay_s(within) > 0 && job.delay_s(within) <= MAX_DELAY_S);
    assert_eq!(block_on(outbox::relay(&store, within + 1000)).unwrap(), 0, "queued: not again");
    assert_eq!(block_on(outbox::relay(&store, within + REQUEUE_AFTER_MS + 1)).unwrap(), 1, "lost: queued again");
}

/// "Each new account in that campaign is then POSTed to U" with the Standard Webhooks
/// headers; a failure is retried with the same `webhook-id`; a removed webhook ends the row.
#[test]
fn webhooks_are_signed_retried_with_one_id_and_dropped_when_removed() {
    let (store, key) = store_with(json!({}), Some("https://hooks.example.com/in"));
    let created = sign_up(&store, &key, "ada@example.com", "en");
    let job = store.queued.borrow()[0].clone();
    let courier = Recorder { statuses: RefCell::new(vec![503]), ..Default::default() };
    assert_eq!(block_on(outbox::deliver(&store, &courier, &job, &delivery(), NOW)), Disposition::Retry(10));
    assert_eq!(block_on(outbox::deliver(&store, &courier, &job, &delivery(), NOW + 10_000)), Disposition::Ack);
    let posts = courier.posts.borrow().clone();
    assert_eq!(posts.len(), 2);
    let header = |i: usize, name: &str| posts[i].1.iter().find(|(n, _)| n == name).unwrap().1.clone();
    assert_eq!(header(0, "webhook-id"), header(1, "webhook-id"));
    let campaign = block_on(store.campaign("fest")).unwrap().unwrap();
    let secret = campaign.webhook.as_ref().unwrap().secret(SECRET, "fest");
    let timestamp: i64 = header(1, "webhook-timestamp").parse().unwrap();
    assert_eq!(timestamp, (NOW + 10_000) / 1000);
    assert_eq!(
        header(1, "webhook-signature"),
        webhook::signature(&secret, &header(1, "webhook-id"), timestamp, &posts[1].2)
    );
    let event: Value = serde_json::from_str(&posts[1].2).unwrap();
    assert_eq!(event["data"]["id"], created["id"]);
    let log = block_on(store.webhook_deliveries(&campaign.scope(), 10)).unwrap();
    assert_eq!((log[0].attempts, log[0].last_status), (2, Some(200)));

    // Removed before its delivery: the row ends dead, with the reason, and nothing is posted.
    let mut without = campaign.clone();
    without.webhook = None;
    block_on(store.update_campaign(&without, NOW)).unwrap();
    let mut hooked = campaign;
    hooked.webhook = Some(Webhook::new("https://hooks.example.com/in".into()).unwrap());
    block_on(store.update_campaign(&hooked, NOW)).unwrap();
    store.queued.borrow_mut().clear();
    sign_up(&store, &key, "bea@example.com", "en");
    block_on(store.update_campaign(&without, NOW)).unwrap();
    let courier = Recorder::default();
    assert_eq!(drain(&store, &courier, NOW + 20_000), [Disposition::Ack]);
    assert!(courier.posts.borrow().is_empty());
    let dead = block_on(store.dead_letters()).unwrap();
    assert_eq!(dead[0].last_error.as_deref(), Some("the campaign's webhook was removed"));
}

/// GetResponse's `optin: "double"` means the same as `verify_email` for that account, and its
/// campaign's `language_code` is the account's language.
#[test]
fn getresponse_double_optin_sends_a_verification_in_the_campaigns_language() {
    let (store, _) = store_with(json!({}), None);
    let request = enlist_edge::operator::OperatorRequest {
        name: "Desk".into(),
        permissions: vec![enlist_edge::operator::Permission::AccountsCreate, enlist_edge::operator::Permission::Owner],
        campaigns: vec!["fest".into()],
        allowed_ips: vec![],
    };
    let operator = enlist_edge::operator::Operator::from_request(request, 1, |_| true).unwrap();
    let (issued, stored) = operator.issue_credentials().unwrap();
    block_on(store.insert_operator(&operator, &stored, 0)).unwrap();
    let fields = json!({
        "password": "12#$qwER", "first_name": "John", "last_name": "Doe", "email": "john@example.com",
        "company_name": "Implix", "phone": "+48111111111", "country_code": "PL", "country": "Poland",
        "city": "Gdańsk", "state": "pomorskie", "street": "Żabiańska", "zip_code": "24-213",
        "campaign": {"name": "trains", "confirmation_subject": "S", "confirmation_body": "B",
                     "language_code": "PL", "optin": "double"}
    });
    let call = json!({"jsonrpc": "2.0", "method": "add_account", "id": 1, "params": [issued.api_key, fields]});
    let config = Config { require_tls: true, admin_token: "admin".into(), outbox_secret: Some(SECRET.into()) };
    let headers = [("content-type", "application/json")];
    let reply = block_on(handle(
        &store,
        &Request::new("POST", "/getresponse", &headers, call.to_string().as_bytes()),
        &config,
        NOW,
    ));
    assert!(reply.body.contains("\"result\""), "{}", reply.body);
    let rows = store.outbox_rows();
    assert_eq!(rows.iter().map(|r| r.kind).collect::<Vec<_>>(), [MessageKind::Verification]);
    let courier = Recorder::default();
    drain(&store, &courier, NOW);
    assert!(courier.mails.borrow()[0].subject.starts_with("Potwierdź"), "{}", courier.mails.borrow()[0].subject);
}

/// "Plain HTTP is refused with `tls.required` (the token is a secret) and the per-address rate
/// limit applies. The pages send `cache-control: no-store` and `referrer-policy: no-referrer`."
#[test]
fn the_verification_route_needs_tls_is_limited_and_is_not_cached() {
    let store = MemoryStore::new().with_limits(enlist_edge::limits::Limits::from_vars(Some("2"), Some("0")));
    let config = Config { require_tls: true, admin_token: "admin".into(), outbox_secret: Some(SECRET.into()) };
    let path = format!("/v1/verify?token={}", "A".repeat(43));
    let mut plain = Request::new("GET", &path, &[], b"");
    plain.https = false;
    let refused = block_on(handle(&store, &plain, &config, NOW));
    assert!(refused.body.contains("tls.required"), "{} {}", refused.status, refused.body);
    let mut from = Request::new("GET", &path, &[], b"");
    from.client_ip = Some("203.0.113.7".parse().unwrap());
    let answers: Vec<u16> = (0..3).map(|_| block_on(handle(&store, &from, &config, NOW)).status).collect();
    assert_eq!(answers, [404, 404, 429]);
    let page = block_on(handle(&store, &Request::new("GET", &path, &[], b""), &config, NOW));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert!(page.content_type.starts_with("text/html"), "{}", page.content_type);
}
