//! Uniqueness under races, against the real Worker (workerd + local D1): UNIQUE indexes, not
//! look-ups before inserts, decide who wins. All traffic is to 127.0.0.1; every loop is bounded.

use enlist_e2e::{post_with, spawn_worker, Answer, Worker, DEMO_KEY};
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

fn operator_basic(worker: &Worker) -> String {
    worker.create_campaign("race", json!({}));
    let answer = worker.admin(
        "POST",
        "/admin/operators",
        Some(json!({"name": "CRM", "permissions": ["accounts:create"], "campaigns": ["race"]})),
    );
    let credentials = answer.json()["credentials"].clone();
    let pair = format!(
        "{}:{}",
        credentials["basic"]["user"].as_str().unwrap(),
        credentials["basic"]["password"].as_str().unwrap()
    );
    // RFC 4648 base64, enough for ASCII credentials.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::new();
    for chunk in pair.as_bytes().chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            encoded.push(if i <= chunk.len() { ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char } else { '=' });
        }
    }
    format!("Basic {encoded}")
}

#[test]
fn a_hundred_concurrent_signups_with_one_email_make_one_account() {
    let worker = Arc::new(spawn_worker());
    let basic = operator_basic(&worker);
    let cases = ["SAME@example.com", "same@EXAMPLE.com", "Same@Example.Com", "same@example.com"];
    let base = worker.base.clone();
    let answers = at_once(100, move |i| {
        let email = cases[i % cases.len()];
        match i % 3 {
            0 => post_with(
                &format!("{base}/v1/accounts"),
                Some("application/json"),
                json!({"campaign": "demo", "email": email, "password": "Race-Condition-1"}).to_string().as_bytes(),
                &[("x-publishable-key", DEMO_KEY)],
            ),
            1 => post_with(
                &format!("{base}/poken/account/create"),
                Some("application/x-www-form-urlencoded"),
                format!("alias=racer{i}&password=Race-Condition-1&email={}", email.replace('@', "%40")).as_bytes(),
                &[],
            ),
            _ => post_with(
                &format!("{base}/engagement/users"),
                Some("application/json"),
                json!({"firstName": "Race", "lastName": "Runner", "country": "Poland", "email": email})
                    .to_string()
                    .as_bytes(),
                &[("authorization", basic.as_str())],
            ),
        }
    });

    let mut created = 0;
    for (i, answer) in &answers {
        assert!(answer.status < 500, "request {i} answered {}: {}", answer.status, answer.body);
        let taken = match i % 3 {
            0 => answer.status == 409 && answer.json()["errors"][0]["code"] == "email.taken",
            1 => answer.status == 409 && answer.body.contains("<code>10004</code>"),
            _ => answer.status == 400 && answer.json()["message"] == "User already exists with this Email",
        };
        let won = matches!(answer.status, 200 | 201);
        assert!(
            taken || won,
            "request {i} is neither the winner nor a taken answer in its dialect: {} {}",
            answer.status,
            answer.body
        );
        created += usize::from(won);
    }
    assert_eq!(created, 1, "exactly one signup wins");
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts WHERE email_normalized = 'same@example.com'")[0]["n"], 1);
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts")[0]["n"], 1);
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
