//! The outbox against the real Worker (workerd through Miniflare, its local queues and its
//! simulated e-mail binding, whose messages land as `.eml` files): every promised e-mail is
//! sent exactly once, in the account's language; failures are retried, poison is parked in
//! the dead-letter queue and listed by the admin API; verification links work once;
//! scheduled sends go out at their time, beyond the queue's longest delay through the relay.

use enlist_e2e::{get, get_with, post_with, spawn_worker_with, Answer, Worker};
use serde_json::{json, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const PASSWORD: &str = "Analytical-1843";
const WAIT: Duration = Duration::from_secs(30);

fn worker() -> Worker {
    // flaky@ fails its first two attempts, poison@ every one (MAIL_FAULTS: the tests' fault
    // injection, which the consumer honours before calling the e-mail binding).
    spawn_worker_with(&[("MAIL_FAULTS", "flaky@example.com=2,poison@example.com=*")])
}

fn sign_up_with(worker: &Worker, campaign: &str, key: &str, fields: Value, language: &str) -> Answer {
    let mut body = fields;
    body["campaign"] = campaign.into();
    post_with(
        &worker.url("/v1/accounts"),
        Some("application/json"),
        body.to_string().as_bytes(),
        &[("x-publishable-key", key), ("accept-language", language)],
    )
}

/// An anonymous Poken create (the campaign-less scope) with these form fields, asserted to
/// succeed.
fn poken_create(worker: &Worker, form: &str) {
    let answer = post_with(
        &worker.url("/poken/account/create"),
        Some("application/x-www-form-urlencoded"),
        form.as_bytes(),
        &[],
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
}

fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines().take_while(|l| !l.is_empty()).find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
}

/// The body of a quoted-printable text part, decoded (soft line breaks joined).
fn body(mail: &str) -> String {
    let raw = mail.split_once("\r\n\r\n").or_else(|| mail.split_once("\n\n")).map(|(_, b)| b).unwrap_or_default();
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let mut bytes = Vec::new();
    let mut rest = joined.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'=' && tail.len() >= 2 {
            if let Ok(byte) = u8::from_str_radix(std::str::from_utf8(&tail[..2]).unwrap_or("zz"), 16) {
                bytes.push(byte);
                rest = &tail[2..];
                continue;
            }
        }
        bytes.push(b);
        rest = tail;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn account_id(answer: &Answer) -> String {
    answer.json()["id"].as_str().expect("an id").to_owned()
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// `verify_email`: one e-mail, in the registrant's language, whose link verifies the account
/// once (German page); a second use, an expired link and a made-up token are refused with a
/// page that says so; the admin view shows `email_verified_at`.
#[test]
fn verification_links_work_once_in_the_registrants_language() {
    let worker = worker();
    let key = worker.create_campaign("verified", json!({"verify_email": true}));
    let created = sign_up_with(
        &worker,
        "verified",
        &key,
        json!({"email": "grete@example.com", "password": PASSWORD}),
        "de-DE,de;q=0.9",
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let id = account_id(&created);
    let before = worker.admin("GET", &format!("/admin/accounts/{id}"), None).json();
    assert_eq!(before["email_verified_at"], Value::Null, "unverified until the link is followed");
    assert_eq!(before["locale"], "de");

    let mails = worker.mails_to("grete@example.com", 1, WAIT);
    assert_eq!(mails.len(), 1, "exactly one e-mail: {mails:?}");
    let mail = &mails[0];
    assert_eq!(header(mail, "Content-Language"), Some("de"), "{mail}");
    assert!(header(mail, "From").is_some_and(|f| f.contains("noreply@enlist.example")), "{mail}");
    let text = body(mail);
    assert!(text.contains("bitte bestätigen Sie"), "German text: {text}");
    let link = text.lines().find(|l| l.contains("/v1/verify?token=")).expect("a link").trim().to_owned();
    assert!(link.starts_with(&worker.url("/v1/verify?token=")), "{link}");
    // Only the token's hash is stored, and only once the e-mail carried it.
    let token = link.rsplit_once("token=").unwrap().1;
    enlist_e2e::remember_secret(token);
    assert!(worker.d1("SELECT token_hash FROM verifications")[0]["token_hash"].as_str().is_some_and(|h| h.len() == 64));
    assert!(!String::from_utf8_lossy(&worker.state_bytes()).contains(token), "the token itself is nowhere at rest");

    let first = get(&link);
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("lang=\"de\"") && first.body.contains("Adresse bestätigt"), "{}", first.body);
    let verified = worker.admin("GET", &format!("/admin/accounts/{id}"), None).json();
    assert!(verified["email_verified_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{verified}");

    let again = get(&link);
    assert_eq!(again.status, 410, "{}", again.body);
    assert!(again.body.contains("Link bereits verwendet"), "{}", again.body);
    let unknown = get(&worker.url(&format!("/v1/verify?token={}", "A".repeat(43))));
    assert_eq!(unknown.status, 404);
    assert!(get(&worker.url("/v1/verify")).status == 404, "no token: the unknown-link page");

    // An expired link (48 h old: moved back in D1) is refused with its own page.
    let late =
        sign_up_with(&worker, "verified", &key, json!({"email": "late@example.com", "password": PASSWORD}), "fr");
    assert_eq!(late.status, 201, "{}", late.body);
    let late_mail = worker.mails_to("late@example.com", 1, WAIT);
    let late_link = body(&late_mail[0]).lines().find(|l| l.contains("token=")).unwrap().trim().to_owned();
    let db = worker.d1("SELECT accounts_db FROM campaigns WHERE id = 'verified'")[0]["accounts_db"]
        .as_str()
        .unwrap()
        .to_owned();
    worker.d1_in(&db, "UPDATE verifications SET expires_at_ms = 1").unwrap();
    let expired = get_with(&late_link, &[]);
    assert_eq!(expired.status, 410, "{}", expired.body);
    assert!(expired.body.contains("Lien expiré"), "French, as the registrant asked: {}", expired.body);
    let still = worker.admin("GET", &format!("/admin/accounts/{}", account_id(&late)), None).json();
    assert_eq!(still["email_verified_at"], Value::Null);
}

/// Two people follow one link at the same moment (eight requests at once): one verifies,
/// the others are told it was used.
#[test]
fn a_link_followed_eight_times_at_once_verifies_once() {
    let worker = worker();
    let key = worker.create_campaign("racing", json!({"verify_email": true}));
    let created =
        sign_up_with(&worker, "racing", &key, json!({"email": "race@example.com", "password": PASSWORD}), "en");
    assert_eq!(created.status, 201, "{}", created.body);
    let mail = worker.mails_to("race@example.com", 1, WAIT);
    let link = body(&mail[0]).lines().find(|l| l.contains("token=")).unwrap().trim().to_owned();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
    let statuses: Vec<u16> = (0..8)
        .map(|_| {
            let (link, barrier) = (link.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                get(&link).status
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 410).count(), 7, "{statuses:?}");
}

/// MoveDigital's temporary password and Poken's welcome: one e-mail each, with the right
/// recipient, language and content.
#[test]
fn promised_emails_are_sent_once_with_their_content() {
    let worker = worker();
    let permissions = json!(["accounts:create"]);
    let operator = worker.admin(
        "POST",
        "/admin/operators",
        Some(json!({"name": "Desk", "permissions": permissions, "campaigns": ["demo"]})),
    );
    assert_eq!(operator.status, 201, "{}", operator.body);
    let md = operator.json()["credentials"]["movedigital"].clone();
    let form = format!(
        "method=movedigital.accounts.proxy.createAccount&userid={}&sessionid={}&session={}\
         &username=temp_person&password=x&confirm_password=x&email=temp%40example.com&eula_agree=yes",
        md["userid"].as_str().unwrap(),
        md["sessionid"].as_str().unwrap(),
        md["session"].as_str().unwrap()
    );
    let created = post_with(
        &worker.url("/movedigital/services/rest/"),
        Some("application/x-www-form-urlencoded"),
        form.as_bytes(),
        &[("accept-language", "it")],
    );
    assert!(created.body.contains("stat=\"ok\""), "{}", created.body);
    let mails = worker.mails_to("temp@example.com", 1, WAIT);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let text = body(&mails[0]);
    assert!(text.contains("La tua password temporanea"), "Italian: {text}");
    // The password stands on its own indented line (its alphabet has `!`, so no word test).
    let password = text.lines().find_map(|l| l.strip_prefix("    ")).map(str::trim);
    let password = password
        .filter(|p| p.chars().count() == 16 && p.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or_else(|| panic!("a 16-character temporary password: {text}"));
    enlist_e2e::remember_secret(password);

    poken_create(&worker, "alias=welcomed&password=Analytical-1843&email=welcome%40example.com&sendEmailId=4&lang=pl");
    let mails = worker.mails_to("welcome@example.com", 1, WAIT);
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(header(&mails[0], "Content-Language"), Some("pl"), "the form's own lang wins: {}", mails[0]);
    // Nothing else arrives for either (a second delivery would be a second file).
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(worker.mails_to("temp@example.com", 2, Duration::ZERO).len(), 1);
    assert_eq!(worker.mails_to("welcome@example.com", 2, Duration::ZERO).len(), 1);
}

/// The consumer fails twice (the binding refuses), then succeeds: still exactly one e-mail,
/// after three attempts. A message that always fails ends in the dead-letter queue: no e-mail,
/// the row dead, listed by `GET /admin/dead-letters` with its last error.
#[test]
fn retries_send_once_and_poison_is_parked_in_the_dead_letter_queue() {
    let worker = worker();
    // A welcome sent now (Poken's sendEmailId=4) to each.
    for (alias, email) in [("flaky_one", "flaky%40example.com"), ("poison_one", "poison%40example.com")] {
        poken_create(&worker, &format!("alias={alias}&password=Analytical-1843&email={email}&sendEmailId=4"));
    }
    let flaky = worker.mails_to("flaky@example.com", 1, WAIT);
    assert_eq!(flaky.len(), 1, "{flaky:?}");
    let rows = worker.d1("SELECT o.attempts, o.sent_at_ms FROM outbox o JOIN accounts a ON a.id = o.account_id WHERE a.email = 'flaky@example.com'");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["attempts"], 3, "two failures, then the send: {rows:?}");

    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let dead = loop {
        let listed = worker.admin("GET", "/admin/dead-letters", None);
        assert_eq!(listed.status, 200, "{}", listed.body);
        let letters = listed.json()["dead_letters"].as_array().cloned().unwrap_or_default();
        if let Some(letter) = letters.into_iter().next() {
            break letter;
        }
        assert!(std::time::Instant::now() < deadline, "no dead letter within 60 s");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(dead["kind"], "welcome");
    assert_eq!(dead["last_error"], "injected fault (MAIL_FAULTS)");
    assert!(dead["attempts"].as_i64().unwrap() >= 11, "the first try and ten retries: {dead}");
    assert!(dead["dead_at"].as_str().is_some());
    assert!(worker.mails_to("poison@example.com", 1, Duration::ZERO).is_empty(), "nothing was sent");
}

/// A row that reaches the consumer twice at the same moment (the relay queued it again while
/// its first message waited) is sent once.
#[test]
fn a_row_queued_twice_is_sent_once() {
    let worker = worker();
    // Far enough ahead that the relay runs before it is due, even on a busy machine.
    let soon = (now_ms() + 12_000) / 1000;
    let body = format!(
        "alias=twice&password=Analytical-1843&email=twice%40example.com&sendEmailId=2&sendEmailTimestamp={soon}"
    );
    poken_create(&worker, &body);
    // Its message waits in the queue until `soon`; pretend it was lost, and let the relay
    // queue the row a second time.
    worker.d1_in("DB", "UPDATE outbox SET enqueued_at_ms = 0").unwrap();
    worker.run_cron();
    assert!(now_ms() < soon * 1000, "the relay ran after the row was due: the test proves nothing; give it more time");
    assert!(worker.mails_to("twice@example.com", 1, Duration::ZERO).is_empty(), "not before its time");
    let mails = worker.mails_to("twice@example.com", 1, WAIT);
    assert_eq!(mails.len(), 1);
    let sent_at = worker.d1("SELECT sent_at_ms FROM outbox")[0]["sent_at_ms"].as_i64().unwrap();
    assert!(sent_at >= soon * 1000 - 1000, "sent at its time ({sent_at} vs {soon})");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(worker.mails_to("twice@example.com", 2, Duration::ZERO).len(), 1, "the second message found it sent");
}

/// A send time beyond the queue's longest delay (12 h) is not queued at signup; the relay
/// queues it once its time is within reach (here: moved to now in D1), and it is sent.
#[test]
fn sends_beyond_the_queues_longest_delay_go_through_the_relay() {
    let worker = worker();
    let in_two_days = now_ms() / 1000 + 2 * 24 * 3600;
    let body = format!(
        "alias=later&password=Analytical-1843&email=later%40example.com&sendEmailId=2&sendEmailTimestamp={in_two_days}"
    );
    poken_create(&worker, &body);
    let row = worker.d1("SELECT enqueued_at_ms, send_at_ms FROM outbox");
    assert_eq!(row[0]["enqueued_at_ms"], Value::Null, "not queued yet: {row:?}");
    worker.run_cron();
    assert_eq!(worker.d1("SELECT enqueued_at_ms FROM outbox")[0]["enqueued_at_ms"], Value::Null, "still too far off");
    worker.d1_in("DB", &format!("UPDATE outbox SET send_at_ms = {}", now_ms())).unwrap();
    worker.run_cron();
    assert_eq!(worker.mails_to("later@example.com", 1, WAIT).len(), 1);
}
