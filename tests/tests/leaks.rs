//! After a tour of every dialect, no password, plaintext secret or token is found anywhere:
//! not in D1, not in KV (their files on disk), not in the Worker's log.

use enlist_e2e::{operator_basic, post_with, spawn_worker};
use serde_json::json;

#[test]
fn no_password_secret_or_token_is_stored_or_logged() {
    let worker = spawn_worker();
    worker.create_campaign("tour", json!({}));
    let operator = worker.admin(
        "POST",
        "/admin/operators",
        Some(json!({"name": "Tour", "permissions": ["accounts:create", "accounts:update", "owner"], "campaigns": ["tour"]})),
    );
    let credentials = operator.json()["credentials"].clone();
    let mut secrets: Vec<String> = vec![
        credentials["api_key"].as_str().unwrap().to_owned(),
        credentials["basic"]["password"].as_str().unwrap().to_owned(),
        credentials["movedigital"]["session"].as_str().unwrap().to_owned(),
        credentials["bearer"].as_str().unwrap().to_owned(),
        enlist_e2e::ADMIN_TOKEN.to_owned(),
        enlist_e2e::OUTBOX_SECRET.to_owned(),
    ];
    let form = "application/x-www-form-urlencoded";

    // Native, with a password only this test uses.
    let native = worker.sign_up(json!({"email": "leak-native@example.com", "password": "Native-Leak-Pass-1"}));
    assert_eq!(native.status, 201);
    // Poken with the OAuth2 flow: the code and the token are secrets too.
    let created = post_with(
        &worker.url("/poken/account/create"),
        Some(form),
        b"alias=leaky&password=Poken-Leak-Pass-2&email=leak-poken%40example.com&response_type=code",
        &[],
    );
    let code = created.body.split("<code>").nth(1).and_then(|s| s.split('<').next()).unwrap().to_owned();
    let token = post_with(
        &worker.url("/poken/oauth2/token"),
        Some(form),
        format!("grant_type=authorization_code&code={code}").as_bytes(),
        &[],
    );
    let access = token.json()["access_token"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {access}");
    let updated = post_with(
        &worker.url("/poken/account/profile"),
        Some(form),
        b"visibility=PUBLIC",
        &[("authorization", bearer.as_str())],
    );
    assert!(updated.body.contains("SUCCESS"), "{}", updated.body);
    // GetResponse, MoveDigital (with a security answer), Engagement.
    let call = json!({"method": "add_account", "id": 1, "params": [credentials["api_key"], {
        "password": "Getresponse-Leak-3", "first_name": "J", "last_name": "D", "email": "leak-gr@example.com", "phone": "1",
        "country_code": "PL", "country": "Poland", "city": "G", "street": "S", "zip_code": "1",
        "campaign": {"name": "n", "confirmation_subject": "s", "confirmation_body": "b"}}]});
    let gr = post_with(&worker.url("/getresponse"), Some("application/json"), call.to_string().as_bytes(), &[]);
    assert_eq!(gr.json()["result"]["added"], 1, "{}", gr.body);
    let md = credentials["movedigital"].clone();
    let body = format!(
        "method=movedigital.accounts.proxy.createAccount&userid={}&sessionid={}&session={}&username=leaker&password=Ignored-Leak-4&confirm_password=Ignored-Leak-4&email=leak-md%40example.com&eula_agree=yes&security_question=Pet&security_answer=Secret-Answer-5",
        md["userid"].as_str().unwrap(), md["sessionid"].as_str().unwrap(), md["session"].as_str().unwrap()
    );
    assert!(post_with(&worker.url("/movedigital/services/rest/"), Some(form), body.as_bytes(), &[])
        .body
        .contains(r#"stat="ok""#));
    let eng = post_with(
        &worker.url("/engagement/users"),
        Some("application/json"),
        br#"{"firstName":"L","lastName":"G","country":"India","email":"leak-eng@example.com"}"#,
        &[("authorization", operator_basic(&credentials).as_str())],
    );
    assert_eq!(eng.status, 200, "{}", eng.body);
    // A refused signup's password must not be kept either.
    let refused = worker.sign_up(json!({"email": "not-an-email", "password": "Refused-Leak-Pass-6"}));
    assert_eq!(refused.status, 422);

    secrets.extend(
        [
            "Native-Leak-Pass-1",
            "Poken-Leak-Pass-2",
            "Getresponse-Leak-3",
            "Ignored-Leak-4",
            "Secret-Answer-5",
            "Refused-Leak-Pass-6",
        ]
        .map(str::to_owned),
    );
    secrets.extend([code, access]);
    let mut dump: Vec<u8> = Vec::new();
    for table in ["accounts", "profiles", "outbox", "credentials", "operators", "campaigns"] {
        dump.extend(format!("{:?}", worker.d1(&format!("SELECT * FROM {table}"))).into_bytes());
    }
    dump.extend(worker.state_bytes());
    dump.extend(worker.log_text().into_bytes());
    assert!(dump.len() > 10_000, "the dump holds the state: {} bytes", dump.len());
    let haystack = String::from_utf8_lossy(&dump);
    for secret in &secrets {
        assert!(!haystack.contains(secret.as_str()), "found a secret in D1, KV or the log: {secret}");
    }
    // The password hashes are there, as hashes: the search looked at the right data.
    assert!(haystack.contains("$argon2id$"));
}
