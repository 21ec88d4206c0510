//! `POST /v1/accounts` against the real Worker (workerd + local D1).

use enlist_e2e::{get, post, spawn_worker};
use serde_json::json;

const JSON: Option<&str> = Some("application/json");

#[test]
fn a_signup_is_created_and_stored_with_a_hashed_password() {
    let worker = spawn_worker();
    let body = json!({"email": "Ada.Lovelace@Example.com", "password": "Analytical-Engine-1843"}).to_string();

    let answer = post(&worker.url("/v1/accounts"), JSON, body.as_bytes());

    assert_eq!(answer.status, 201, "{}", answer.body);
    assert!(answer.content_type.starts_with("application/json"));
    let id = answer.json()["id"].as_str().expect("an id").to_owned();
    assert!(!answer.body.contains("Analytical"), "the password is echoed: {}", answer.body);
    let rows = worker.d1(&format!("SELECT * FROM accounts WHERE id = '{id}'"));
    assert_eq!(rows.len(), 1, "the acknowledged account is in D1");
    let row = &rows[0];
    assert_eq!(row["email"], "Ada.Lovelace@Example.com");
    assert_eq!(row["email_normalized"], "ada.lovelace@example.com");
    let hash = row["password_hash"].as_str().unwrap();
    assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
    assert!(!row.to_string().contains("Analytical-Engine"), "the password is stored in clear: {row}");
    assert!(!worker.log_text().contains("Analytical-Engine"), "the password reached the log");
}

#[test]
fn the_same_email_in_another_case_is_taken() {
    let worker = spawn_worker();
    let first = post(&worker.url("/v1/accounts"), JSON, br#"{"email":"grace@example.com","password":"COBOL-1959!"}"#);
    assert_eq!(first.status, 201, "{}", first.body);

    let second = post(&worker.url("/v1/accounts"), JSON, br#"{"email":"GRACE@Example.COM","password":"another-one"}"#);

    assert_eq!(second.status, 409, "{}", second.body);
    assert_eq!(second.content_type, "application/problem+json");
    assert_eq!(
        second.json()["errors"],
        json!([{"field": "email", "code": "email.taken",
        "message": "An account with this e-mail address already exists."}])
    );
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts")[0]["n"], 1);
}

#[test]
fn invalid_and_malformed_bodies_are_4xx_never_5xx_and_write_nothing() {
    let worker = spawn_worker();
    let url = worker.url("/v1/accounts");
    let oversized = format!(r#"{{"email":"{}@example.com","password":"long enough"}}"#, "a".repeat(20_000));
    let cases: [(Option<&str>, &[u8], u16, &str); 8] = [
        (JSON, br#"{"email":"not-an-email","password":"short"}"#, 422, "email.invalid"),
        (JSON, br#"{}"#, 422, "required"),
        (JSON, b"{not json", 400, "request.malformed"),
        (JSON, b"", 400, "request.malformed"),
        (JSON, b"\xff\xfe\x00garbage", 400, "request.malformed"),
        (Some("text/plain"), br#"{"email":"a@example.com","password":"long enough"}"#, 415, "request.malformed"),
        (None, br#"{"email":"a@example.com","password":"long enough"}"#, 415, "request.malformed"),
        (JSON, oversized.as_bytes(), 413, "request.malformed"),
    ];
    for (content_type, body, status, code) in cases {
        let answer = post(&url, content_type, body);
        assert_eq!(
            answer.status,
            status,
            "{content_type:?} {:?}: {}",
            String::from_utf8_lossy(&body[..body.len().min(60)]),
            answer.body
        );
        assert_eq!(answer.content_type, "application/problem+json");
        assert_eq!(answer.json()["errors"][0]["code"], code);
    }
    let both = post(&url, JSON, br#"{"email":"not-an-email","password":"short"}"#).json();
    assert_eq!(both["errors"].as_array().unwrap().len(), 2, "every problem is listed: {both}");
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts")[0]["n"], 0);
}

#[test]
fn the_demo_page_is_served_at_the_root() {
    let worker = spawn_worker();
    let page = get(&worker.url("/"));
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"), "{}", page.content_type);
    assert!(page.body.contains("data-enlist"), "the page embeds the widget");
    let wasm = page.body.split('"').find(|s| s.ends_with(".wasm")).expect("the page loads a .wasm").to_owned();
    let module = get(&worker.url(&format!("/{}", wasm.trim_start_matches('/'))));
    assert_eq!(module.status, 200, "{wasm} is served");
}

#[test]
fn unknown_routes_and_wrong_methods_answer_problem_documents() {
    let worker = spawn_worker();

    let wrong_method = get(&worker.url("/v1/accounts"));
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.allow.as_deref(), Some("POST"));
    assert_eq!(wrong_method.content_type, "application/problem+json");
    assert_eq!(wrong_method.json()["errors"][0]["code"], "route.method_not_allowed");

    let unknown = post(&worker.url("/v2/whatever"), JSON, b"{}");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["errors"][0]["code"], "route.not_found");
}
