//! Uniqueness under races, against the real Worker (workerd + local D1): UNIQUE indexes, not
//! look-ups before inserts, decide who wins. All traffic is to 127.0.0.1; every loop is bounded.

use enlist_e2e::{operator_basic, post_with, spawn_worker, Answer, Worker, DEMO_KEY};
use serde_json::json;
use std::sync::{Arc, Barrier};

/// Runs `count` requests at once from `count` threads released together.
fn at_once(count: usize, request: impl Fn(usize) -> Answer + Send + Sync + 'static) -> Vec<(usize, Answer)> {
    let request = Arc::new(request);
    let start = Arc::new(Barrier::new(count));
    let threads: Vec<_> = (0..count)
        .map(|i| {
            let (request, start) = (Arc::clone(&request), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                (i, request(i))
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().expect("a request thread")).collect()
}

/// A campaign `race` and an operator creating into it; returns its Basic credential.
fn race_operator(worker: &Worker, policy: serde_json::Value) -> String {
    worker.create_campaign("race", policy);
    operator_basic(&operator_in(worker, "race"))
}

/// An operator creating accounts in `campaign`; returns its credentials.
fn operator_in(worker: &Worker, campaign: &str) -> serde_json::Value {
    let answer = worker.admin(
        "POST",
        "/admin/operators",
        Some(json!({"name": "CRM", "permissions": ["accounts:create"], "campaigns": [campaign]})),
    );
    answer.json()["credentials"].clone()
}

/// One signup of `email` into `campaign` (publishable key `key`, operator `operator`), through
/// the native, Poken or Engagement route by `i`.
fn one_signup(base: &str, i: usize, campaign: &str, key: &str, operator: &serde_json::Value, email: &str) -> Answer {
    match i % 3 {
        0 => post_with(
            &format!("{base}/v1/accounts"),
            Some("application/json"),
            json!({"campaign": campaign, "email": email, "password": "Race-Condition-1"}).to_string().as_bytes(),
            &[("x-publishable-key", key)],
        ),
        1 => post_with(
            &format!("{base}/poken/account/create"),
            Some("application/x-www-form-urlencoded"),
            format!(
                "campaignId={campaign}&alias=racer{i}&password=Race-Condition-1&email={}",
                email.replace('@', "%40")
            )
            .as_bytes(),
            &[("authorization", &format!("Bearer {}", operator["bearer"].as_str().expect("a bearer token")))],
        ),
        _ => post_with(
            &format!("{base}/engagement/users"),
            Some("application/json"),
            json!({"firstName": "Race", "lastName": "Runner", "country": "Poland", "email": email})
                .to_string()
                .as_bytes(),
            &[("authorization", operator_basic(operator).as_str())],
        ),
    }
}

/// Whether `answer` (to request `i` of [`one_signup`]) is its dialect's "e-mail taken".
fn email_taken(i: usize, answer: &Answer) -> bool {
    match i % 3 {
        0 => answer.status == 409 && answer.json()["errors"][0]["code"] == "email.taken",
        1 => answer.status == 409 && answer.body.contains("<code>10004</code>"),
        _ => answer.status == 400 && answer.json()["message"] == "User already exists with this Email",
    }
}

/// Checks every answer is a win or a "taken"; returns how many won.
fn winners(answers: &[(usize, Answer)]) -> usize {
    let mut created = 0;
    for (i, answer) in answers {
        assert!(answer.status < 500, "request {i} answered {}: {}", answer.status, answer.body);
        let won = matches!(answer.status, 200 | 201);
        assert!(
            email_taken(*i, answer) || won,
            "request {i} is neither a winner nor a taken answer in its dialect: {} {}",
            answer.status,
            answer.body
        );
        created += usize::from(won);
    }
    created
}

#[test]
fn a_hundred_concurrent_signups_with_one_email_make_one_account() {
    let worker = Arc::new(spawn_worker());
    let operator = operator_in(&worker, "demo");
    let cases = ["SAME@example.com", "same@EXAMPLE.com", "Same@Example.Com", "same@example.com"];
    let base = worker.base.clone();
    let answers = at_once(100, move |i| one_signup(&base, i, "demo", DEMO_KEY, &operator, cases[i % cases.len()]));
    assert_eq!(winners(&answers), 1, "exactly one signup wins");
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts WHERE email_normalized = 'same@example.com'")[0]["n"], 1);
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts")[0]["n"], 1);
}

/// §4: the same 100 concurrent signups spread over four campaigns make one account in each.
#[test]
fn a_hundred_concurrent_signups_with_one_email_over_four_campaigns_make_four_accounts() {
    let worker = Arc::new(spawn_worker());
    let campaigns: Vec<(String, String, serde_json::Value)> = (0..4)
        .map(|n| {
            let id = format!("event-{n}");
            let key = worker.create_campaign(&id, json!({}));
            let operator = operator_in(&worker, &id);
            (id, key, operator)
        })
        .collect();
    let base = worker.base.clone();
    let answers = at_once(100, move |i| {
        let (campaign, key, operator) = &campaigns[i % 4];
        one_signup(&base, i / 4, campaign, key, operator, ["SAME@example.com", "same@example.com"][i % 2])
    });
    // Request i went through route (i / 4) % 3: judge each answer by that.
    let by_route: Vec<(usize, Answer)> = answers.into_iter().map(|(i, a)| (i / 4, a)).collect();
    assert_eq!(winners(&by_route), 4, "one signup wins in each campaign");
    let per_campaign = worker.d1("SELECT campaign_id FROM accounts WHERE email_normalized = 'same@example.com'");
    let mut campaigns: Vec<&str> = per_campaign.iter().map(|r| r["campaign_id"].as_str().unwrap()).collect();
    campaigns.sort();
    assert_eq!(campaigns, ["event-0", "event-1", "event-2", "event-3"]);
}

#[test]
fn a_thousand_concurrent_unique_signups_are_all_stored() {
    let worker = spawn_worker();
    let base = worker.base.clone();
    // 50 threads at once, 20 signups each.
    let answers = at_once(50, move |t| {
        let mut last = None;
        let mut ids = Vec::new();
        for k in 0..20 {
            let body = json!({"campaign": "demo", "email": format!("runner{t}-{k}@example.com"), "password": "Race-Condition-1"});
            let answer = post_with(
                &format!("{base}/v1/accounts"),
                Some("application/json"),
                body.to_string().as_bytes(),
                &[("x-publishable-key", DEMO_KEY)],
            );
            assert_eq!(answer.status, 201, "{}", answer.body);
            ids.push(answer.json()["id"].as_str().unwrap().to_owned());
            last = Some(answer);
        }
        let mut answer = last.expect("twenty answers");
        answer.body = ids.join(",");
        answer
    });
    let acknowledged: Vec<String> = answers.iter().flat_map(|(_, a)| a.body.split(',').map(str::to_owned)).collect();
    assert_eq!(acknowledged.len(), 1000);
    let stored: std::collections::HashSet<String> =
        worker.d1("SELECT id FROM accounts").iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(stored.len(), 1000);
    for id in &acknowledged {
        assert!(stored.contains(id), "acknowledged account {id} is missing");
    }
}

#[test]
fn a_hundred_concurrent_signups_with_one_alias_make_one_account() {
    let worker = spawn_worker();
    let base = worker.base.clone();
    let aliases = ["Grace", "grace", "GRACE", "gRaCe"];
    let answers = at_once(100, move |i| {
        post_with(
            &format!("{base}/poken/account/create"),
            Some("application/x-www-form-urlencoded"),
            format!("alias={}&password=Race-Condition-1&email=grace{i}%40example.com", aliases[i % 4]).as_bytes(),
            &[],
        )
    });
    let created = answers.iter().filter(|(_, a)| a.status == 200).count();
    for (i, answer) in &answers {
        assert!(
            answer.status == 200 || (answer.status == 409 && answer.body.contains("<code>10001</code>")),
            "request {i}: {} {}",
            answer.status,
            answer.body
        );
    }
    assert_eq!(created, 1);
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts WHERE alias_normalized = 'grace'")[0]["n"], 1);
}

#[test]
fn a_hundred_concurrent_signups_with_one_reconciliation_phone_make_one_account() {
    let worker = spawn_worker();
    let basic = race_operator(&worker, json!({"reconciliation_key": "mobile", "fields": {"phone": "optional"}}));
    let base = worker.base.clone();
    let answers = at_once(100, move |i| {
        let body = json!({"firstName": "Ada", "lastName": "L", "country": "India", "mobileNumber": "919876543210", "email": format!("m{i}@example.com")});
        post_with(
            &format!("{base}/engagement/users"),
            Some("application/json"),
            body.to_string().as_bytes(),
            &[("authorization", basic.as_str())],
        )
    });
    let created = answers.iter().filter(|(_, a)| a.status == 200).count();
    for (i, answer) in &answers {
        let taken = answer.status == 400 && answer.json()["message"] == "User already exists with this mobile number";
        assert!(answer.status == 200 || taken, "request {i}: {} {}", answer.status, answer.body);
    }
    assert_eq!(created, 1);
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts WHERE phone_key = '+919876543210'")[0]["n"], 1);
}
