//! What black-box clients of each vendor API rely on, against the real Worker (workerd + local
//! D1/KV): a refused request changes nothing, overlapping retries get the first answer, every
//! problem comes back together, the seeds' optional fields stay optional, and the protocol
//! details (auth schemes, RFC 6749 errors, languages, numeric ids) hold. One Worker serves
//! every test of this file, each in its own campaign; all traffic is to 127.0.0.1.

use enlist_e2e::{basic_auth, post_with, shared_worker, Answer, Worker};
use serde_json::{json, Value};
use std::sync::{Arc, Barrier};

const FORM: &str = "application/x-www-form-urlencoded";

fn worker() -> &'static Worker {
    shared_worker()
}

/// A campaign `id` with an operator allowed everything in it; returns (publishable key,
/// credentials).
fn campaign_with_operator(id: &str, policy: Value) -> (String, Value) {
    let w = worker();
    let key = w.create_campaign(id, policy);
    let answer = w.admin(
        "POST",
        "/admin/operators",
        Some(json!({"name": id, "permissions": ["accounts:create", "accounts:update", "owner"], "campaigns": [id]})),
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    (key, answer.json()["credentials"].clone())
}

/// How many accounts hold `email`, asked through the admin API (the Worker's own view: a second
/// process reading the D1 file while the shared Worker writes would meet SQLite's lock).
fn accounts_with(email: &str) -> usize {
    let answer = worker().admin("GET", &format!("/admin/accounts?email={}", email.replace('@', "%40")), None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["accounts"].as_array().unwrap().len()
}

/// A good signup body per route, for `email`, with the credentials it needs.
fn signup_on(
    route: &str,
    key: &str,
    credentials: &Value,
    campaign: &str,
    email: &str,
) -> (String, Vec<(String, String)>, String, &'static str) {
    let encoded = email.replace('@', "%40");
    let md = &credentials["movedigital"];
    let s = |v: &Value| v.as_str().unwrap().to_owned();
    match route {
        "native" => (
            "/v1/accounts".into(),
            vec![("x-publishable-key".into(), key.into())],
            json!({"campaign": campaign, "email": email, "password": "Analytical-1843"}).to_string(),
            "application/json",
        ),
        "poken" => (
            "/poken/account/create".into(),
            vec![("authorization".into(), format!("Bearer {}", s(&credentials["bearer"])))],
            format!(
                "alias=u{}&password=Analytical-1843&email={encoded}&campaignId={campaign}",
                email.len() * 7 + email.as_bytes()[0] as usize
            ),
            FORM,
        ),
        "getresponse" => (
            "/getresponse".into(),
            vec![],
            json!({"jsonrpc": "2.0", "id": 7, "method": "add_account", "params": [s(&credentials["api_key"]), {
                "first_name": "Ada", "last_name": "Lovelace", "email": email, "password": "Analytical-1843",
                "country_code": "PL", "country": "Poland", "city": "Gdańsk", "street": "Długa 1",
                "zip_code": "80-001", "phone": "+48 58 000",
                "campaign": {"name": "welcome", "confirmation_subject": "Hi", "confirmation_body": "Body"}}]})
            .to_string(),
            "application/json",
        ),
        "movedigital" => (
            "/movedigital/services/rest/".into(),
            vec![],
            format!(
                "method=movedigital.accounts.proxy.createAccount&userid={}&sessionid={}&session={}\
                 &username=m{}&password=x&confirm_password=x&email={encoded}&eula_agree=yes",
                s(&md["userid"]),
                s(&md["sessionid"]),
                s(&md["session"]),
                email.len() * 7 + email.as_bytes()[0] as usize
            ),
            FORM,
        ),
        _ => (
            "/engagement/users".into(),
            vec![(
                "authorization".into(),
                basic_auth(&s(&credentials["basic"]["user"]), &s(&credentials["basic"]["password"])),
            )],
            json!({"firstName": "Ada", "lastName": "Lovelace", "country": "Poland", "email": email}).to_string(),
            "application/json;charset=UTF-8",
        ),
    }
}

fn post(path: &str, content_type: &str, body: &str, headers: &[(String, String)], extra: &[(&str, &str)]) -> Answer {
    let mut all: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    all.extend_from_slice(extra);
    post_with(&worker().url(path), Some(content_type), body.as_bytes(), &all)
}

#[test]
fn an_unknown_dialect_name_is_refused_and_changes_nothing_on_every_route() {
    let (key, credentials) = campaign_with_operator("klingon", json!({}));
    for (i, route) in ["native", "poken", "getresponse", "movedigital", "engagement"].into_iter().enumerate() {
        let email = format!("k{i}@example.com");
        let (path, headers, body, content_type) = signup_on(route, &key, &credentials, "klingon", &email);
        let by_header = post(&path, content_type, &body, &headers, &[("x-signup-dialect", "klingon")]);
        let by_query = post(&format!("{path}?dialect=klingon"), content_type, &body, &headers, &[]);
        for refused in [&by_header, &by_query] {
            assert!(
                !refused.body.contains("Successfully") && !refused.body.contains("ACCOUNT_ID"),
                "{route}: {}",
                refused.body
            );
            assert!(
                ![200, 201].contains(&refused.status) || matches!(route, "getresponse" | "movedigital"),
                "{route}: {}",
                refused.body
            );
        }
        assert_eq!(accounts_with(&email), 0, "{route}: a refused request stored an account");
        let retry = post(&path, content_type, &body, &headers, &[]);
        assert!(
            retry.status < 300 && !retry.body.contains("fail") && !retry.body.contains("error"),
            "{route}: {}",
            retry.body
        );
        assert_eq!(accounts_with(&email), 1, "{route}");
    }
}

#[test]
fn the_native_route_answers_in_the_dialect_asked_for() {
    let (key, credentials) = campaign_with_operator("native-any", json!({}));
    let (path, headers, body, content_type) = signup_on("native", &key, &credentials, "native-any", "any@example.com");
    let as_poken = post(&path, content_type, &body, &headers, &[("x-signup-dialect", "poken")]);
    assert!(as_poken.body.contains("<accountId>"), "{}", as_poken.body);
    let again = post(&format!("{path}?dialect=engagement"), content_type, &body, &headers, &[]);
    assert_eq!(again.status, 400);
    assert_eq!(again.json()["message"], "User already exists with this Email");
}

#[test]
fn six_overlapping_retries_with_one_key_get_the_first_answer() {
    let (key, _) = campaign_with_operator("idem", json!({}));
    let url = worker().url("/v1/accounts");
    let start = Arc::new(Barrier::new(6));
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let (url, key, start) = (url.clone(), key.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                let body = json!({"campaign": "idem", "email": "flaky@example.com", "password": "Analytical-1843"});
                start.wait();
                post_with(
                    &url,
                    Some("application/json"),
                    body.to_string().as_bytes(),
                    &[("x-publishable-key", &key), ("idempotency-key", "retry-7f1c")],
                )
            })
        })
        .collect();
    let answers: Vec<Answer> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    for answer in &answers {
        assert_eq!((answer.status, &answer.body), (201, &answers[0].body), "every overlapping retry: the first answer");
    }
    let body = json!({"campaign": "idem", "email": "flaky@example.com", "password": "Analytical-1843"});
    let later = post_with(
        &url,
        Some("application/json"),
        body.to_string().as_bytes(),
        &[("x-publishable-key", &key), ("idempotency-key", "retry-7f1c")],
    );
    assert_eq!((later.status, &later.body), (201, &answers[0].body));
    assert_eq!(accounts_with("flaky@example.com"), 1);
}

#[test]
fn poken_and_movedigital_report_every_problem_together() {
    let (key, credentials) = campaign_with_operator("together", json!({}));
    let poken = post(
        "/poken/account/create",
        FORM,
        "alias=ada&password=Analytical-1843&email=nope&ip=999999999999&stopProcessing=maybe&mobilePhone=12&registrationEmail=bad&sendEmailId=2",
        &[],
        &[],
    );
    let codes: Vec<&str> = poken.body.split("<code>").skip(1).map(|c| c.split('<').next().unwrap()).collect();
    assert_eq!(poken.status, 400, "{}", poken.body);
    assert!(codes.contains(&"10017") && codes.contains(&"10040") && codes.len() >= 5, "{codes:?}: {}", poken.body);
    let (path, _, body, content_type) = signup_on("movedigital", &key, &credentials, "together", "nope");
    let body = body.replace("email=nope", "email=nope&updates=maybe&security_question=%00");
    let md = post(&path, content_type, &body, &[], &[]);
    assert!(md.body.contains("stat=\"fail\""), "{}", md.body);
    assert!(md.body.matches("<error ").count() >= 3, "e-mail, updates and the question together: {}", md.body);
    assert_eq!(accounts_with("nope"), 0);
}

#[test]
fn the_seeds_optional_state_is_optional_in_the_united_states() {
    let (key, credentials) = campaign_with_operator("usa", json!({}));
    let poken = post(
        "/poken/account/create",
        FORM,
        "alias=yankee&password=Analytical-1843&email=us1%40example.com&country=US",
        &[],
        &[],
    );
    assert_eq!(poken.status, 200, "{}", poken.body);
    let (path, headers, body, content_type) = signup_on("getresponse", &key, &credentials, "usa", "us2@example.com");
    let body = body
        .replace("\"country_code\":\"PL\"", "\"country_code\":\"US\"")
        .replace("\"country\":\"Poland\"", "\"country\":\"United States\"");
    let gr = post(&path, content_type, &body, &headers, &[]);
    assert!(gr.json()["result"]["added"] == 1, "{}", gr.body);
    // Engagement's seed makes it mandatory there.
    let (path, headers, _, content_type) = signup_on("engagement", &key, &credentials, "usa", "us3@example.com");
    let body =
        json!({"firstName": "A", "lastName": "B", "country": "United States", "email": "us3@example.com", "state": ""});
    let engagement = post(&path, content_type, &body.to_string(), &headers, &[]);
    assert_eq!(engagement.status, 400, "{}", engagement.body);
}

#[test]
fn a_common_or_overlong_password_is_not_called_too_short_by_poken() {
    let common =
        post("/poken/account/create", FORM, "alias=common1&password=Password1&email=c1%40example.com", &[], &[]);
    assert_eq!(common.status, 400);
    assert!(common.body.contains("<code>10000</code>") && !common.body.contains("too short"), "{}", common.body);
    let long = format!("alias=long1&password={}&email=c2%40example.com", "Ab1-".repeat(70));
    let long = post("/poken/account/create", FORM, &long, &[], &[]);
    assert!(long.body.contains("<code>10000</code>") && !long.body.contains("too short"), "{}", long.body);
    let short = post("/poken/account/create", FORM, "alias=short1&password=Ab1-&email=c3%40example.com", &[], &[]);
    assert!(short.body.contains("<code>10002</code>"), "{}", short.body);
}

#[test]
fn authorization_schemes_are_case_insensitive() {
    let (_, credentials) = campaign_with_operator("schemes", json!({}));
    let bearer = credentials["bearer"].as_str().unwrap();
    for (i, scheme) in ["bearer", "BEARER"].into_iter().enumerate() {
        let body = format!("alias=scheme{i}&password=Analytical-1843&email=s{i}%40example.com&campaignId=schemes");
        let created =
            post("/poken/account/create", FORM, &body, &[("authorization".into(), format!("{scheme} {bearer}"))], &[]);
        assert_eq!(created.status, 200, "{scheme}: {}", created.body);
        let admin = enlist_e2e::get_with(
            &worker().url("/admin/accounts?email=s0%40example.com"),
            &[("authorization", &format!("{scheme} {}", enlist_e2e::ADMIN_TOKEN))],
        );
        assert_eq!(admin.status, 200, "{scheme}: {}", admin.body);
    }
    let user = credentials["basic"]["user"].as_str().unwrap();
    let password = credentials["basic"]["password"].as_str().unwrap();
    let lower = basic_auth(user, password).replacen("Basic", "basic", 1);
    let body = json!({"firstName": "A", "lastName": "B", "country": "Poland", "email": "basic@example.com"});
    let created =
        post("/engagement/users", "application/json", &body.to_string(), &[("authorization".into(), lower)], &[]);
    assert_eq!(created.status, 200, "{}", created.body);
}

#[test]
fn the_token_endpoint_answers_rfc_6749_errors() {
    let token = |content_type: &str, body: &str| {
        let answer = post("/poken/oauth2/token", content_type, body, &[], &[]);
        (answer.status, answer.json()["error"].as_str().unwrap().to_owned())
    };
    assert_eq!(token(FORM, "code=pc_a.b"), (400, "invalid_request".into()));
    assert_eq!(token(FORM, "grant_type=authorization_code"), (400, "invalid_request".into()));
    assert_eq!(token("application/json", r#"{"grant_type":"authorization_code"}"#), (400, "invalid_request".into()));
    assert_eq!(token(FORM, "grant_type=password&username=a&password=b"), (400, "unsupported_grant_type".into()));
    assert_eq!(token(FORM, "grant_type=authorization_code&code=pc_no.such"), (400, "invalid_grant".into()));
}

#[test]
fn native_answers_are_localised_including_413_415_and_vendor_routes() {
    let german = ("accept-language", "de");
    let wrong_type = post_with(&worker().url("/v1/accounts"), Some("text/plain"), b"{}", &[german]);
    assert_eq!(wrong_type.status, 415);
    assert_eq!(wrong_type.json()["errors"][0]["message"], "Die Anfrage konnte nicht gelesen werden.");
    let huge = vec![b' '; 17 * 1024];
    let too_large = post_with(&worker().url("/v1/accounts"), Some("application/json"), &huge, &[german]);
    assert_eq!(too_large.status, 413);
    assert_eq!(too_large.json()["errors"][0]["message"], "Die Anfrage konnte nicht gelesen werden.");
    let vendor = post_with(
        &worker().url("/poken/account/create?dialect=native"),
        Some(FORM),
        b"alias=ada&password=Analytical-1843&email=nope",
        &[german],
    );
    assert_eq!(
        vendor.json()["errors"][0]["message"],
        "Geben Sie eine gültige E-Mail-Adresse ein, z. B. name@example.com."
    );
}

#[test]
fn the_admin_api_finds_an_account_by_the_numeric_id_a_dialect_handed_out() {
    let (key, credentials) = campaign_with_operator("numbers", json!({}));
    let (path, headers, body, content_type) = signup_on("engagement", &key, &credentials, "numbers", "num@example.com");
    let created = post(&path, content_type, &body, &headers, &[]);
    let number = created.json()["id"].as_str().unwrap().to_owned();
    let found = worker().admin("GET", &format!("/admin/accounts/{number}"), None);
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.json()["email"], "num@example.com");
    assert_eq!(worker().admin("GET", &format!("/admin/accounts/{number}?campaign=numbers"), None).status, 200);
    assert_eq!(worker().admin("GET", &format!("/admin/accounts/{number}?campaign=other"), None).status, 404);
}

#[test]
fn a_forged_cf_connecting_ip_does_not_pass_an_address_allowlist() {
    let w = worker();
    w.create_campaign("allowlist", json!({}));
    let answer = w.admin(
        "POST",
        "/admin/operators",
        Some(json!({"name": "Fixed", "permissions": ["accounts:create"], "campaigns": ["allowlist"], "allowed_ips": ["203.0.113.7"]})),
    );
    let credentials = answer.json()["credentials"].clone();
    let auth = enlist_e2e::operator_basic(&credentials);
    let body = json!({"firstName": "A", "lastName": "B", "country": "Poland", "email": "forged@example.com"});
    let forged = post(
        "/engagement/users",
        "application/json",
        &body.to_string(),
        &[("authorization".into(), auth)],
        &[("cf-connecting-ip", "203.0.113.7")],
    );
    assert_eq!(forged.status, 401, "a header any client can send is no address: {}", forged.body);
    assert_eq!(accounts_with("forged@example.com"), 0);
}

#[test]
fn policy_overrides_merge_onto_the_default_and_a_policy_that_reaches_nobody_is_refused() {
    // The API reference's own example (docs/api.md): an optional user name beside the default e-mail and password.
    let key = worker().create_campaign("merged", json!({"fields": {"alias": "optional"}}));
    let policy = enlist_e2e::get_with(&worker().url("/v1/policy?campaign=merged"), &[("x-publishable-key", &key)]);
    assert_eq!(policy.status, 200, "{}", policy.body);
    let fields = &policy.json()["policy"]["fields"];
    assert_eq!(
        (&fields["alias"], &fields["email"], &fields["password"]),
        (&json!("optional"), &json!("required"), &json!("required")),
        "{fields}"
    );
    let refused = worker().admin(
        "POST",
        "/admin/campaigns",
        Some(json!({"id": "nobody", "name": "Nobody", "policy": {"fields": {"email": "hidden"}}})),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.json()["detail"].as_str().unwrap().starts_with("policy.fields"), "{}", refused.body);
    assert_eq!(worker().admin("GET", "/admin/accounts?email=x%40example.com", None).status, 200);
}

#[test]
fn the_widgets_files_may_be_loaded_and_timed_by_pages_of_any_origin_and_cached_by_content() {
    for file in enlist_e2e::widget_files(worker()) {
        let answer = ureq::get(&worker().url(&file)).call().unwrap_or_else(|e| panic!("GET {file}: {e}"));
        assert_eq!(answer.status(), 200, "{file}");
        assert_eq!(answer.header("access-control-allow-origin"), Some("*"), "{file}");
        assert_eq!(answer.header("timing-allow-origin"), Some("*"), "{file}");
        let cache = answer.header("cache-control").unwrap_or_default().to_owned();
        if file == "/embed.js" {
            // The one tag's file keeps its name: checked again after five minutes.
            assert_eq!(cache, "public, max-age=300", "{file}");
        } else {
            // Named by content: a year, never re-checked.
            assert!(file.starts_with("/w/"), "{file}");
            assert_eq!(cache, "public, max-age=31536000, immutable", "{file}");
        }
    }
    // Trunk's own loader under the old names is gone from the demo page.
    let page = ureq::get(&worker().url("/")).call().unwrap().into_string().unwrap();
    assert!(!page.contains("enlist-widget.js") && !page.contains("modulepreload"), "{page}");
}
