//! The organiser's side against the real Worker (workerd, its local D1 databases): paging
//! while signups arrive, the CSV export (parsed back, formulas neutralised, 100 000 accounts
//! streamed in bounded memory), erasure, key and credential rotation, revocation and closing a
//! campaign, each taking effect on the very next request in every dialect.

use enlist_e2e::worlds::{created, Worlds, DIALECTS};
use enlist_e2e::{get_with, spawn_worker, Answer, Worker};
use serde_json::{json, Value};
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

fn admin_get(worker: &Worker, path: &str) -> Answer {
    worker.admin("GET", path, None)
}

/// 25 signups paged by 10 give the 25 accounts in order, each once, while 10 more arrive from
/// another thread at the same time.
#[test]
fn paging_never_skips_or_repeats_while_signups_arrive() {
    let worker = Arc::new(spawn_worker());
    let key = worker.create_campaign("paged", json!({}));
    for n in 0..25 {
        let answer = worker.sign_up_in(
            "paged",
            &key,
            json!({"email": format!("p{n:02}@example.com"), "password": "Analytical-1843"}),
        );
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let arriving = {
        let (worker, key) = (Arc::clone(&worker), key.clone());
        std::thread::spawn(move || {
            for n in 25..35 {
                let answer = worker.sign_up_in(
                    "paged",
                    &key,
                    json!({"email": format!("p{n:02}@example.com"), "password": "Analytical-1843"}),
                );
                assert_eq!(answer.status, 201, "{}", answer.body);
            }
        })
    };
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => "/admin/campaigns/paged/accounts?limit=10".to_owned(),
            Some(c) => format!("/admin/campaigns/paged/accounts?limit=10&cursor={c}"),
        };
        let page = admin_get(&worker, &path);
        assert_eq!(page.status, 200, "{}", page.body);
        let page = page.json();
        seen.extend(page["accounts"].as_array().unwrap().iter().map(|a| a["email"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    arriving.join().unwrap();
    let first: Vec<String> = (0..25).map(|n| format!("p{n:02}@example.com")).collect();
    assert_eq!(seen[..25], first[..], "the 25 in creation order");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no account twice: {seen:?}");
    assert!(seen.len() <= 35);
    let refused = admin_get(&worker, "/admin/campaigns/paged/accounts?limit=1001");
    assert_eq!(refused.status, 422);
}

/// Reads a CSV export back as a spreadsheet program would.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
}

/// Names with commas, quotes, line breaks and `=HYPERLINK(...)` come back exactly (the formula
/// with a leading `'`), one column per profile field the campaign shows.
#[test]
fn the_csv_export_parses_back_to_what_was_stored() {
    let worker = spawn_worker();
    let key = worker.create_campaign("csv", json!({"fields": {"first_name": "required", "city": "optional"}}));
    let names = ["Lovelace, Ada", "Ada \"the Countess\"", "=HYPERLINK(\"http://evil.example\",\"x\")", "Zoë Ñandú"];
    for (n, name) in names.iter().enumerate() {
        let answer = worker.sign_up_in(
            "csv",
            &key,
            json!({"email": format!("c{n}@example.com"), "password": "Analytical-1843", "first_name": name, "city": "Lisboa"}),
        );
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    // A line break cannot pass the rules; a stored value may still hold one (an older import).
    let row = &worker.d1("SELECT id FROM accounts WHERE email_normalized = 'c0@example.com'")[0];
    let id = row["id"].as_str().unwrap();
    let database = enlist_e2e::d1_bindings()
        .into_iter()
        .find(|b| worker.d1_in(b, &format!("SELECT id FROM accounts WHERE id = '{id}'")).is_ok_and(|r| !r.is_empty()))
        .unwrap();
    worker
        .d1_in(&database, &format!("UPDATE profiles SET fields = json_set(fields, '$.city', 'two' || char(10) || 'lines') WHERE account_id = '{id}'"))
        .unwrap();

    let answer = admin_get(&worker, "/admin/campaigns/csv/accounts.csv");
    assert_eq!(answer.status, 200);
    let rows = parse_csv(&answer.body);
    assert_eq!(rows[0], ["id", "number", "email", "alias", "created_at", "dialect", "first_name", "city"]);
    assert_eq!(rows.len(), 1 + names.len());
    let first_names: Vec<&str> = rows[1..].iter().map(|r| r[6].as_str()).collect();
    assert_eq!(
        first_names,
        ["Lovelace, Ada", "Ada \"the Countess\"", "'=HYPERLINK(\"http://evil.example\",\"x\")", "Zoë Ñandú"]
    );
    assert_eq!(rows[1][7], "two\nlines");
    assert!(rows[1..].iter().all(|r| r[5] == "native" && r[4].ends_with('Z')));
}

/// 100 000 accounts export, streamed: the whole file arrives, and the Worker reads the accounts
/// as the client reads the file. Measured from /proc (workerd's `RssAnon`, sampled every 20 ms)
/// for a file of about 108 MB: when the client has its first megabyte, the runtime holds far
/// less than the file (a Worker that built the file first would hold all of it), and while the
/// client then stops reading for 3 s it takes in only what is in flight (a Worker that read on
/// regardless would take in the rest). Over the whole export, resident memory also holds what
/// V8 has not yet collected, so that figure is printed, not judged.
#[test]
fn a_hundred_thousand_accounts_export_in_bounded_memory() {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let worker = spawn_worker();
    worker.create_campaign("big", json!({"fields": {"first_name": "optional"}}));
    let placed = worker.d1_in("DB", "SELECT accounts_db FROM campaigns WHERE id = 'big'").unwrap();
    let database = placed[0]["accounts_db"].as_str().unwrap().to_owned();
    // Each account carries a 1 000-character first name, so the file is about 108 MB: far more
    // than what is in flight between the runtime and the client at any time (socket buffers).
    let padding = "x".repeat(1000);
    worker
        .d1_in(
            &database,
            &format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
                 INSERT INTO accounts (id, number, campaign_id, email, email_normalized, dialect, created_at_ms) \
                 SELECT 'acc_big' || i, 1000000000 + i, 'big', 'big' || i || '@example.com', 'big' || i || '@example.com', 'native', i FROM n; \
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
                 INSERT INTO profiles (account_id, fields) SELECT 'acc_big' || i, json_object('first_name', '{padding}') FROM n;"
            ),
        )
        .unwrap();
    let rss = worker.runtime_rss_kib_reader();
    let rss_now = worker.runtime_rss_kib_reader();
    let before = rss();
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (Arc::clone(&peak), Arc::clone(&done));
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                peak.fetch_max(rss(), Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let response = ureq::get(&worker.url("/admin/campaigns/big/accounts.csv"))
        .set("authorization", &format!("Bearer {}", enlist_e2e::ADMIN_TOKEN))
        .timeout(Duration::from_secs(300))
        .call()
        .unwrap();
    assert_eq!(response.content_type(), "text/csv");
    let mut reader = response.into_reader();
    let (mut bytes, mut lines) = (0u64, 0u64);
    let mut buffer = vec![0u8; 64 * 1024];
    let mut paused_growth = None;
    let mut first_growth = 0;
    loop {
        let read = reader.read(&mut buffer).unwrap();
        if read == 0 {
            break;
        }
        bytes += read as u64;
        lines += buffer[..read].iter().filter(|b| **b == b'\n').count() as u64;
        if paused_growth.is_none() && bytes > 1_000_000 {
            // The client stops reading for three seconds: how much does the runtime take meanwhile?
            let at_pause = rss_now();
            first_growth = at_pause.saturating_sub(before);
            let mut most = at_pause;
            for _ in 0..60 {
                std::thread::sleep(Duration::from_millis(50));
                most = most.max(rss_now());
            }
            paused_growth = Some(most.saturating_sub(at_pause));
        }
    }
    done.store(true, Ordering::SeqCst);
    sampler.join().unwrap();
    let paused_kib = paused_growth.unwrap();
    let grown_kib = peak.load(Ordering::SeqCst).saturating_sub(before);
    println!(
        "export: {bytes} bytes, {lines} lines; workerd RssAnon {before} KiB before, {first_growth} KiB more when the \
         client had 1 MB, {paused_kib} KiB more while it paused 3 s, {grown_kib} KiB more at most over the whole export"
    );
    assert_eq!(lines, 100_001, "the header and every account");
    assert!(bytes > 100_000_000, "{bytes}");
    assert!(
        first_growth * 1024 < bytes / 4,
        "{first_growth} KiB held for the first megabyte: the file was built first"
    );
    assert!(
        paused_kib * 1024 < bytes / 4,
        "{paused_kib} KiB taken while the client paused: the export is not streamed"
    );
}

/// Erasure leaves nothing in any database, and the same address registers again.
#[test]
fn an_erased_account_is_gone_from_every_database_and_may_register_again() {
    let worker = spawn_worker();
    let key = worker.create_campaign("gdpr", json!({"fields": {"first_name": "optional"}}));
    let fields = json!({"email": "forget.me@example.com", "password": "Analytical-1843", "first_name": "Forget"});
    let created = worker.sign_up_in("gdpr", &key, fields.clone());
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(worker.admin("DELETE", &format!("/admin/accounts/{id}"), None).status, 204);
    for table in
        ["accounts WHERE id", "profiles WHERE account_id", "outbox WHERE account_id", "credentials WHERE owner_id"]
    {
        let left = worker.d1(&format!("SELECT COUNT(*) AS n FROM {table} = '{id}'"));
        assert_eq!(left[0]["n"], 0, "{table}");
    }
    assert_eq!(worker.d1(&format!("SELECT COUNT(*) AS n FROM idempotency WHERE instr(reply, '{id}') > 0"))[0]["n"], 0);
    assert_eq!(admin_get(&worker, &format!("/admin/accounts/{id}")).status, 404);
    assert_eq!(worker.admin("DELETE", &format!("/admin/accounts/{id}"), None).status, 404);
    let again = worker.sign_up_in("gdpr", &key, fields);
    assert_eq!(again.status, 201, "{}", again.body);
}

/// A rotated publishable key, rotated operator credentials and a revoked operator are refused
/// on the very next request, in every dialect; a closed campaign refuses every dialect.
#[test]
fn rotation_revocation_and_closing_hold_on_the_next_request_in_every_dialect() {
    let worlds = Worlds::new();
    let worker = &worlds.worker;
    // Warm every cache first: one signup per dialect.
    for dialect in DIALECTS {
        assert!(created(
            dialect,
            &worlds.sign_up(dialect, 0, &format!("warm.{dialect}@example.com"), &format!("warm_{dialect}"))
        ));
    }
    // Closed: refused in every dialect, then open again.
    let patched = worker.admin("PATCH", "/admin/campaigns/a", Some(json!({"open": false})));
    assert_eq!(patched.status, 200, "{}", patched.body);
    for dialect in DIALECTS {
        let refused =
            worlds.sign_up(dialect, 0, &format!("closed.{dialect}@example.com"), &format!("closed_{dialect}"));
        assert!(!created(dialect, &refused), "{dialect}: {}", refused.body);
        let why = if dialect == "movedigital" { r#"code="98""# } else { "closed" };
        assert!(refused.body.contains(why), "{dialect} says why: {}", refused.body);
    }
    let policy = get_with(&worker.url(&format!("/v1/policy?campaign=a&key={}", worlds.keys[0])), &[]);
    assert_eq!((policy.status, policy.json()["errors"][0]["code"].clone()), (403, json!("campaign.closed")));
    assert_eq!(worker.admin("PATCH", "/admin/campaigns/a", Some(json!({"open": true}))).status, 200);

    // The publishable key.
    let rotated = worker.admin("POST", "/admin/campaigns/a/publishable-key", None).json();
    let fields = json!({"email": "after.rotation@example.com", "password": "Analytical-1843"});
    assert_eq!(worker.sign_up_in("a", &worlds.keys[0], fields.clone()).status, 401, "the old key, at once");
    assert_eq!(worker.sign_up_in("a", rotated["publishable_key"].as_str().unwrap(), fields).status, 201);

    // The operator's credentials: every old one refused at once.
    let operators = admin_get(worker, "/admin/operators").json();
    let id = operators["operators"].as_array().unwrap().iter().find(|o| o["campaigns"] == json!(["a"])).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let fresh = worker.admin("POST", &format!("/admin/operators/{id}/credentials"), None);
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    for dialect in &DIALECTS[1..] {
        let refused = worlds.sign_up(dialect, 0, &format!("old.{dialect}@example.com"), &format!("old_{dialect}"));
        assert!(!created(dialect, &refused), "{dialect} with a rotated credential: {}", refused.body);
    }
    let renewed = Worlds { operators: [fresh.json()["credentials"].clone(), worlds.operators[1].clone()], ..worlds };
    for dialect in &DIALECTS[1..] {
        let welcome = renewed.sign_up(dialect, 0, &format!("new.{dialect}@example.com"), &format!("new_{dialect}"));
        assert!(created(dialect, &welcome), "{dialect} with the new credential: {}", welcome.body);
    }
    // Revoked: refused everywhere at once.
    assert_eq!(renewed.worker.admin("DELETE", &format!("/admin/operators/{id}"), None).status, 204);
    for dialect in &DIALECTS[1..] {
        let refused =
            renewed.sign_up(dialect, 0, &format!("revoked.{dialect}@example.com"), &format!("revoked_{dialect}"));
        assert!(!created(dialect, &refused), "{dialect} after revocation: {}", refused.body);
    }
    let listed: Value = admin_get(&renewed.worker, "/admin/operators").json();
    assert_eq!(listed["operators"].as_array().unwrap().len(), 1);
}
