//! The runtime killed with SIGKILL in the middle of a signup load, then restarted on the same
//! local state: every acknowledged account is there, and nothing is half-written.

use enlist_e2e::{spawn_worker, spawn_worker_on, try_post, DEMO_KEY};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn acknowledged_accounts_survive_a_sigkill_and_nothing_is_half_written() {
    let worker = spawn_worker();
    let url = worker.url("/v1/accounts");
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..8)
        .map(|t| {
            let (url, acknowledged, stop) = (url.clone(), Arc::clone(&acknowledged), Arc::clone(&stop));
            std::thread::spawn(move || {
                // Bounded: at most 200 signups a thread, and it ends at the first refused connection.
                for k in 0..200 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let body = json!({"campaign": "demo", "email": format!("crash{t}-{k}@example.com"), "password": "Crash-Test-2026",
                                      "first_name": "Crash", "country": "pl"});
                    match try_post(&url, "application/json", body.to_string().as_bytes(), &[("x-publishable-key", DEMO_KEY)]) {
                        Ok(answer) if answer.status == 201 => {
                            acknowledged.lock().unwrap().push(answer.json()["id"].as_str().unwrap().to_owned());
                        }
                        Ok(answer) => assert!(answer.status < 500 || stop.load(Ordering::SeqCst), "{} {}", answer.status, answer.body),
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();

    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 60 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Mid-load: requests are in flight on every thread.
    let state = worker.kill_hard();
    stop.store(true, Ordering::SeqCst);
    for thread in load {
        thread.join().expect("a load thread");
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 60, "the load ran before the kill: {}", acknowledged.len());

    let restarted = spawn_worker_on(state, &[("REQUIRE_TLS", "false")]);
    let stored: std::collections::HashSet<String> =
        restarted.d1("SELECT id FROM accounts").iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
    for id in &acknowledged {
        assert!(stored.contains(id), "acknowledged account {id} was lost");
    }
    let without_profile = restarted.d1(
        "SELECT COUNT(*) AS n FROM accounts a LEFT JOIN profiles p ON p.account_id = a.id WHERE p.account_id IS NULL",
    );
    assert_eq!(without_profile[0]["n"], 0, "an account without its profile");
    let orphans = restarted
        .d1("SELECT COUNT(*) AS n FROM profiles p LEFT JOIN accounts a ON a.id = p.account_id WHERE a.id IS NULL");
    assert_eq!(orphans[0]["n"], 0, "a profile without its account");
    let orphan_credentials = restarted.d1(
        "SELECT COUNT(*) AS n FROM credentials c WHERE c.owner_id NOT IN (SELECT id FROM accounts) AND c.owner_id NOT IN (SELECT id FROM operators)",
    );
    assert_eq!(orphan_credentials[0]["n"], 0, "an orphan credential");
    // The restarted Worker takes new signups on the same state.
    let after = try_post(
        &restarted.url("/v1/accounts"),
        "application/json",
        json!({"campaign": "demo", "email": "after@example.com", "password": "Crash-Test-2026"}).to_string().as_bytes(),
        &[("x-publishable-key", DEMO_KEY)],
    )
    .unwrap();
    assert_eq!(after.status, 201, "{}", after.body);
}
