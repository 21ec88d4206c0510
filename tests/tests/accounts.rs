//! The native routes against the real Worker (workerd + local D1/KV).

use enlist_e2e::{get, post, post_with, spawn_worker, DEMO_KEY};
use serde_json::json;

const JSON: Option<&str> = Some("application/json");

#[test]
fn a_signup_is_created_and_stored_with_a_hashed_password() {
    let worker = spawn_worker();

    let answer = worker.sign_up(json!({"email": "Ada.Lovelace@Example.com", "password": "Analytical-Engine-1843", "first_name": "Ada", "country": "gb"}));

    assert_eq!(answer.status, 201, "{}", answer.body);
    assert!(answer.content_type.starts_with("application/json"));
    let id = answer.json()["id"].as_str().expect("an id").to_owned();
    assert!(!answer.body.contains("Analytical"), "the password is echoed: {}", answer.body);
    let rows = worker.d1(&format!("SELECT * FROM accounts WHERE id = '{id}'"));
    assert_eq!(rows.len(), 1, "the acknowledged account is in D1");
    let row = &rows[0];
    assert_eq!(row["email"], "Ada.Lovelace@Example.com");
    assert_eq!(row["email_normalized"], "ada.lovelace@example.com");
    assert_eq!(row["campaign_id"], "demo");
    let hash = row["password_hash"].as_str().unwrap();
    assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
    assert!(!row.to_string().contains("Analytical-Engine"), "the password is stored in clear: {row}");
    let profile = worker.d1(&format!("SELECT fields FROM profiles WHERE account_id = '{id}'"));
    assert_eq!(profile[0]["fields"], r#"{"country":"GB","first_name":"Ada"}"#);
    assert!(!worker.log_text().contains("Analytical-Engine"), "the password reached the log");
}

#[test]
fn the_same_email_in_another_case_is_taken() {
    let worker = spawn_worker();
    let first = worker.sign_up(json!({"email": "grace@example.com", "password": "COBOL-1959!"}));
    assert_eq!(first.status, 201, "{}", first.body);

    let second = worker.sign_up(json!({"email": "GRACE@Example.COM", "password": "another-one-2"}));

    assert_eq!(second.status, 409, "{}", second.body);
    assert_eq!(second.content_type, "application/problem+json");
    assert_eq!(
        second.json()["errors"],
        json!([{"field": "email", "code": "email.taken", "message": "This e-mail address is already registered for this event."}])
    );
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts")[0]["n"], 1);
}

#[test]
fn invalid_and_malformed_bodies_are_4xx_never_5xx_and_write_nothing() {
    let worker = spawn_worker();
    let url = worker.url("/v1/accounts");
    let oversized =
        format!(r#"{{"campaign":"demo","email":"{}@example.com","password":"long enough"}}"#, "a".repeat(20_000));
    let cases: [(Option<&str>, &[u8], u16, &str); 9] = [
        (JSON, br#"{"campaign":"demo","email":"not-an-email","password":"short"}"#, 422, "email.invalid"),
        (JSON, br#"{"campaign":"demo"}"#, 422, "required"),
        (JSON, br#"{"email":"a@example.com","password":"long enough"}"#, 400, "request.malformed"),
        (JSON, b"{not json", 400, "request.malformed"),
        (JSON, b"", 400, "request.malformed"),
        (JSON, b"\xff\xfe\x00garbage", 400, "request.malformed"),
        (
            Some("text/plain"),
            br#"{"campaign":"demo","email":"a@example.com","password":"long enough"}"#,
            415,
            "request.malformed",
        ),
        (None, br#"{"campaign":"demo","email":"a@example.com","password":"long enough"}"#, 415, "request.malformed"),
        (JSON, oversized.as_bytes(), 413, "request.malformed"),
    ];
    for (content_type, body, status, code) in cases {
        let answer = post_with(&url, content_type, body, &[("x-publishable-key", DEMO_KEY)]);
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
    let both = worker.sign_up(json!({"email": "not-an-email", "password": "short"})).json();
    assert_eq!(both["errors"].as_array().unwrap().len(), 2, "every problem is listed: {both}");
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts")[0]["n"], 0);
}

#[test]
fn keys_origins_idempotency_and_the_policy_route() {
    let worker = spawn_worker();
    let url = worker.url("/v1/accounts");
    let body = br#"{"campaign":"demo","email":"mary@example.com","password":"Difference-Engine-1"}"#;

    let no_key = post(&url, JSON, body);
    assert_eq!((no_key.status, no_key.json()["errors"][0]["code"].as_str()), (401, Some("auth.required")));
    let wrong_key = post_with(&url, JSON, body, &[("x-publishable-key", "pk_wrong")]);
    assert_eq!(wrong_key.status, 401);
    let foreign =
        post_with(&url, JSON, body, &[("x-publishable-key", DEMO_KEY), ("origin", "https://evil.example.com")]);
    assert_eq!(foreign.status, 403);

    let headers = [("x-publishable-key", DEMO_KEY), ("idempotency-key", "retry-1"), ("origin", worker.base.as_str())];
    let first = post_with(&url, JSON, body, &headers);
    assert_eq!(first.status, 201, "{}", first.body);
    let again = post_with(&url, JSON, body, &headers);
    assert_eq!((again.status, again.body.as_str()), (201, first.body.as_str()), "the retry gets the first answer");
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts")[0]["n"], 1);

    let policy = enlist_e2e::get_with(&worker.url("/v1/policy?campaign=demo"), &[("x-publishable-key", DEMO_KEY)]);
    assert_eq!(policy.status, 200, "{}", policy.body);
    assert_eq!(policy.json()["policy"]["password"]["min_chars"], 8);
    assert_eq!(enlist_e2e::get_with(&worker.url("/v1/policy?campaign=demo"), &[]).status, 401);
}

#[test]
fn the_admin_api_creates_campaigns_and_operators_and_shows_accounts_without_secrets() {
    let worker = spawn_worker();
    let unauthorised = post(&worker.url("/admin/campaigns"), JSON, br#"{"id":"x","name":"x"}"#);
    assert_eq!(unauthorised.status, 401);

    let key = worker.create_campaign("lisbon", json!({"password": {"min_chars": 12}}));
    assert!(key.starts_with("pk_"));
    assert_eq!(worker.admin("POST", "/admin/campaigns", Some(json!({"id": "lisbon", "name": "again"}))).status, 409);
    assert_eq!(worker.admin("POST", "/admin/campaigns", Some(json!({"id": "bad id", "name": "x"}))).status, 422);

    let operator = worker.admin(
        "POST",
        "/admin/operators",
        Some(json!({"name": "Box office", "permissions": ["accounts:create"], "campaigns": ["lisbon"]})),
    );
    assert_eq!(operator.status, 201, "{}", operator.body);
    let credentials = operator.json()["credentials"].clone();
    let session = credentials["movedigital"]["session"].as_str().unwrap().to_owned();
    let stored = worker.d1("SELECT * FROM credentials");
    assert_eq!(stored.len(), 4);
    assert!(stored.iter().all(|c| c["secret_hash"].as_str().unwrap().starts_with("$argon2id$")));
    assert!(!format!("{stored:?}").contains(&session), "a secret is stored in clear");

    let short = post_with(
        &worker.url("/v1/accounts"),
        JSON,
        br#"{"campaign":"lisbon","email":"ada@example.com","password":"only-11-chr"}"#,
        &[("x-publishable-key", &key)],
    );
    assert_eq!(short.json()["errors"][0]["code"], "password.too_short", "the campaign's policy applies");
    assert!(short.body.contains("12"), "{}", short.body);
    let created = post_with(
        &worker.url("/v1/accounts"),
        JSON,
        br#"{"campaign":"lisbon","email":"Ada@example.com","password":"long-enough-pass"}"#,
        &[("x-publishable-key", &key)],
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();

    let shown = worker.admin("GET", &format!("/admin/accounts/{id}"), None);
    assert_eq!(shown.status, 200);
    assert_eq!(shown.json()["campaign_id"], "lisbon");
    assert!(!shown.body.contains("argon2") && !shown.body.contains("long-enough-pass"), "{}", shown.body);
    let found = worker.admin("GET", "/admin/accounts?email=ADA%40example.com", None);
    assert_eq!(found.json()["accounts"][0]["id"], id.as_str());
    assert_eq!(worker.admin("GET", "/admin/accounts/acc_missing", None).status, 404);
}

#[test]
fn the_demo_page_and_the_embed_files_are_served() {
    let worker = spawn_worker();
    let page = get(&worker.url("/"));
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"), "{}", page.content_type);
    assert!(
        page.body.contains(r#"<script src="/embed.js" data-campaign="demo""#),
        "the page embeds the widget with the one tag"
    );
    for file in enlist_e2e::widget_files(&worker) {
        let file = file.as_str();
        let answer = enlist_e2e::get_with(&worker.url(file), &[("origin", "https://some-event.example")]);
        assert_eq!(answer.status, 200, "{file} is served");
        assert_eq!(answer.header_acao.as_deref(), Some("*"), "{file} may be loaded cross-origin");
    }
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
