//! Abuse controls against the real Worker: rate limits per client address and per campaign,
//! answered in every dialect's own form, and nothing written by a refused attempt.

use enlist_e2e::{d1_bindings, post_from, post_with, spawn_worker_with, Answer, Worker, DEMO_KEY};
use serde_json::json;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const FORM: &str = "application/x-www-form-urlencoded";

/// Limits count per minute; a test that started late in a minute could see the count reset
/// half way, so it starts early in one.
fn early_in_a_minute() {
    let into = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() % 60_000;
    if into > 45_000 {
        std::thread::sleep(Duration::from_millis((60_000 - into + 200) as u64));
    }
}

fn native(worker: &Worker, n: usize, headers: &[(&str, &str)]) -> Answer {
    let body = json!({"campaign": "demo", "email": format!("limit{n}@example.com"), "password": "zq8!vW3#lim"});
    let mut all = vec![("x-publishable-key", DEMO_KEY)];
    all.extend_from_slice(headers);
    post_with(&worker.url("/v1/accounts"), Some("application/json"), body.to_string().as_bytes(), &all)
}

fn accounts(worker: &Worker) -> u64 {
    worker.d1("SELECT COUNT(*) AS n FROM accounts")[0]["n"].as_u64().unwrap()
}

#[test]
fn one_address_over_its_limit_is_refused_on_every_route_in_its_dialect() {
    let worker = spawn_worker_with(&[
        ("REQUIRE_TLS", "false"),
        ("RATE_LIMIT_PER_MINUTE", "3"),
        ("CAMPAIGN_RATE_LIMIT_PER_MINUTE", "1000"),
    ]);
    early_in_a_minute();
    let origin = worker.base.clone();
    for n in 0..3 {
        assert_eq!(native(&worker, n, &[]).status, 201);
    }
    let before = accounts(&worker);

    let refused = native(&worker, 3, &[("origin", &origin), ("accept-language", "de")]);
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.json()["errors"][0]["code"], "rate.limited");
    assert!(refused.json()["errors"][0]["message"].as_str().unwrap().starts_with("Zu viele Versuche"));
    assert_eq!(refused.header_acao.as_deref(), Some(origin.as_str()), "the widget can read why");
    let wait: u64 = refused.retry_after.as_deref().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");

    let poken = post_with(&worker.url("/poken/account/create"), Some(FORM), b"alias=limited&password=zq8!vW3#lim", &[]);
    assert_eq!(poken.status, 429, "{}", poken.body);
    assert!(poken.body.contains("<success>FAILURE</success>") && poken.retry_after.is_some(), "{}", poken.body);

    let token = post_with(&worker.url("/poken/oauth2/token"), Some(FORM), b"grant_type=authorization_code&code=x", &[]);
    assert_eq!(token.status, 429, "{}", token.body);

    let call = json!({"method": "add_account", "id": 7, "params": ["key", {}]});
    let gr = post_with(&worker.url("/getresponse"), Some("application/json"), call.to_string().as_bytes(), &[]);
    assert_eq!(gr.status, 200);
    assert_eq!(gr.json()["error"], json!({"code": -1, "message": "Too many requests"}), "{}", gr.body);
    assert_eq!(gr.json()["id"], 7);

    let md = post_with(
        &worker.url("/movedigital/services/rest/"),
        Some(FORM),
        b"method=movedigital.accounts.proxy.createAccount&userid=1&sessionid=2&session=3",
        &[],
    );
    assert_eq!(md.status, 200);
    assert!(md.body.contains(r#"stat="fail""#) && md.body.contains(r#"code="109""#), "{}", md.body);

    let engagement = post_with(&worker.url("/engagement/users"), Some("application/json;charset=UTF-8"), b"{}", &[]);
    assert_eq!(engagement.status, 429, "{}", engagement.body);
    assert_eq!(engagement.json()["message"], "Too many requests, please retry later");

    // Reading is not limited, and nothing was written by the refused attempts.
    let health = enlist_e2e::get(&worker.url("/healthz"));
    assert_eq!(health.status, 200);
    assert_eq!(accounts(&worker), before);
}

#[test]
fn one_campaign_over_its_limit_is_refused_whoever_asks_and_other_campaigns_go_on() {
    let worker = spawn_worker_with(&[
        ("REQUIRE_TLS", "false"),
        ("RATE_LIMIT_PER_MINUTE", "0"),
        ("CAMPAIGN_RATE_LIMIT_PER_MINUTE", "2"),
    ]);
    early_in_a_minute();
    let other_key = worker.create_campaign("other", json!({}));
    for n in 0..2 {
        assert_eq!(native(&worker, n, &[]).status, 201);
    }
    let refused = native(&worker, 2, &[]);
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.json()["errors"][0]["code"], "rate.limited");

    // The same campaign through an operator's dialect is refused too (Engagement).
    let operator = worker.admin(
        "POST",
        "/admin/operators",
        Some(json!({"name": "Ops", "permissions": ["accounts:create"], "campaigns": ["demo"]})),
    );
    let basic = enlist_e2e::operator_basic(&operator.json()["credentials"]);
    let user = json!({"firstName": "A", "lastName": "B", "email": "eng-limit@example.com",
                      "mobileNumber": "+919876543210", "country": "India"});
    let engagement = post_with(
        &worker.url("/engagement/users"),
        Some("application/json;charset=UTF-8"),
        user.to_string().as_bytes(),
        &[("authorization", &basic)],
    );
    assert_eq!(engagement.status, 429, "{}", engagement.body);

    let elsewhere = json!({"campaign": "other", "email": "elsewhere@example.com", "password": "zq8!vW3#lim"});
    let created = post_with(
        &worker.url("/v1/accounts"),
        Some("application/json"),
        elsewhere.to_string().as_bytes(),
        &[("x-publishable-key", &other_key)],
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(accounts(&worker), 3);
}

#[test]
fn a_filled_honeypot_is_answered_as_created_and_nothing_is_stored() {
    let worker = enlist_e2e::spawn_worker();
    let bot = json!({"campaign": "demo", "email": "bot@example.com", "password": "zq8!vW3#bot", "enlist_trap": "https://spam.example"});
    let answer = post_with(
        &worker.url("/v1/accounts"),
        Some("application/json"),
        bot.to_string().as_bytes(),
        &[("x-publishable-key", DEMO_KEY)],
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert!(answer.json()["id"].as_str().unwrap().starts_with("acc_"));
    assert_eq!(accounts(&worker), 0);
    assert!(worker.log_text().contains("honeypot field filled in"), "the operator's log says why");
}

/// The rows of every table of every local D1 database, by `database.table`.
fn every_table(worker: &Worker) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for binding in d1_bindings() {
        let tables = worker
            .d1_in(
                &binding,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
            )
            .unwrap();
        let names: Vec<String> = tables.iter().map(|t| t["name"].as_str().unwrap().to_owned()).collect();
        // One row, a column per table (D1 caps compound SELECTs, not columns).
        let columns =
            names.iter().map(|name| format!("(SELECT COUNT(*) FROM \"{name}\") AS \"{name}\"")).collect::<Vec<_>>();
        let row = &worker.d1_in(&binding, &format!("SELECT {}", columns.join(", "))).unwrap()[0];
        for name in &names {
            counts.insert(format!("{binding}.{name}"), row[name.as_str()].as_u64().unwrap());
        }
    }
    counts
}

/// A flood of 500 refused native signups from 200 client addresses: over the limit they are
/// 429s as configured, and not one row of any table of any database is written (the limits are
/// counted by the rate-limiting binding, not in D1).
#[test]
fn a_flood_of_refused_signups_writes_nothing_to_d1() {
    let worker = spawn_worker_with(&[("RATE_LIMIT_PER_MINUTE", "2"), ("CAMPAIGN_RATE_LIMIT_PER_MINUTE", "1000")]);
    let before = every_table(&worker);
    assert!(before.keys().any(|t| t.ends_with(".accounts")), "{before:?}");
    assert!(!before.keys().any(|t| t.ends_with(".rate_hits")), "no hand-made rate table: {before:?}");
    early_in_a_minute();
    let url = worker.url("/v1/accounts");
    let body = json!({"campaign": "demo", "email": "flood@example.com", "password": "zq8!vW3#lim"}).to_string();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (url, body) = (url.clone(), body.clone());
            std::thread::spawn(move || {
                (0..500)
                    .filter(|i| i % 8 == t)
                    .map(|i: usize| {
                        // 127.0.0.2 to 127.0.0.201: the local edge front sees 200 clients.
                        let source = Ipv4Addr::new(127, 0, 0, 2 + (i % 200) as u8);
                        let headers = [("x-publishable-key", "pk_not_the_key")];
                        post_from(source, &url, "application/json", body.as_bytes(), &headers).0
                    })
                    .collect::<Vec<u16>>()
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    let refused = statuses.iter().filter(|s| **s == 401).count();
    // Each address may try twice a minute: 100 of them tried a third time.
    assert_eq!((refused, limited), (400, 100), "{statuses:?}");
    assert_eq!(every_table(&worker), before, "a refused attempt writes nothing");
}
