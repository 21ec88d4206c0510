//! A corpus of hostile requests (`tests/corpus/hostile.jsonl`, 308 of them) against the real
//! Worker: every answer is an error in the route's own dialect, never a 5xx, and nothing is
//! written.

use enlist_e2e::{decode_base64, post_with, spawn_worker};
use serde_json::Value;

const CORPUS: &str = include_str!("../corpus/hostile.jsonl");

/// Whether an answer (status, content type, body) is a dialect's refusal.
type Refusal = fn(u16, &str, &str) -> bool;

/// The route's path, and its dialect's refusal.
fn route(name: &str) -> (&'static str, Refusal) {
    match name {
        "native" => ("/v1/accounts", |status, ct, _| (400..500).contains(&status) && ct == "application/problem+json"),
        "admin" => {
            ("/admin/campaigns", |status, ct, _| (400..500).contains(&status) && ct == "application/problem+json")
        }
        "poken" => ("/poken/account/create", |status, ct, body| {
            (400..500).contains(&status)
                && ct.starts_with("application/xml")
                && body.contains("<success>FAILURE</success>")
        }),
        "poken_profile" => ("/poken/account/profile", |status, ct, body| {
            (400..500).contains(&status)
                && ct.starts_with("application/xml")
                && body.contains("<success>FAILURE</success>")
        }),
        "poken_token" => ("/poken/oauth2/token", |status, _, body| {
            (400..500).contains(&status) && serde_json::from_str::<Value>(body).is_ok_and(|v| v["error"].is_string())
        }),
        "getresponse" => ("/getresponse", |status, _, body| {
            status == 200 && serde_json::from_str::<Value>(body).is_ok_and(|v| !v["error"].is_null())
        }),
        "movedigital" => {
            ("/movedigital/services/rest/", |status, _, body| status == 200 && body.contains(r#"<rsp stat="fail">"#))
        }
        "engagement" => ("/engagement/users", |status, _, body| {
            (400..500).contains(&status) && serde_json::from_str::<Value>(body).is_ok_and(|v| v["message"].is_string())
        }),
        other => panic!("unknown route {other}"),
    }
}

#[test]
fn hostile_requests_get_clear_refusals_and_write_nothing() {
    let worker = spawn_worker();
    let mut count = 0;
    for line in CORPUS.lines() {
        let case: Value = serde_json::from_str(line).expect("corpus lines are JSON");
        let (path, refused) = route(case["route"].as_str().unwrap());
        let body = decode_base64(case["body_b64"].as_str().unwrap());
        let headers: Vec<(String, String)> = case["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let answer = post_with(&worker.url(path), case["content_type"].as_str(), &body, &headers);
        assert!(answer.status < 500, "case {count} ({path}) answered {}: {}", answer.status, answer.body);
        assert!(
            refused(answer.status, &answer.content_type, &answer.body),
            "case {count} ({path}) was not refused in its dialect: {} {} {}",
            answer.status,
            answer.content_type,
            answer.body
        );
        count += 1;
    }
    assert!(count >= 200, "the corpus holds at least 200 requests");
    for table in ["accounts", "profiles", "outbox", "credentials", "operators"] {
        assert_eq!(worker.d1(&format!("SELECT COUNT(*) AS n FROM {table}"))[0]["n"], 0, "{table} has rows");
    }
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM campaigns")[0]["n"], 1, "only the seeded demo campaign");
}
