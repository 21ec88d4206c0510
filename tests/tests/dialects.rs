//! The vendor dialects against the real Worker (workerd + local D1/KV): create, duplicate,
//! bad input, missing or wrong credentials, permissions, and answering in another dialect.

use enlist_e2e::{operator_basic, post_with, spawn_worker, Answer, Worker};
use serde_json::{json, Value};

/// A campaign and an operator in it; returns the operator's credentials.
fn operator(worker: &Worker, campaign: &str, permissions: Value, allowed_ips: Value) -> Value {
    worker.create_campaign(campaign, json!({}));
    let answer = worker.admin(
        "POST",
        "/admin/operators",
        Some(json!({"name": "Box office", "permissions": permissions, "campaigns": [campaign], "allowed_ips": allowed_ips})),
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.json()["credentials"].clone()
}

const LATHA: &str = r#"{"firstName":"Latha","lastName":"Ganesh","country":"India","mobileNumber":"919876543210",
    "email":"latha@example.com","smsSubscription":true,"voiceSubscription":true,"emailSubscription":true,"state":""}"#;

fn engagement(worker: &Worker, authorization: &str, body: &str, extra: &[(&str, &str)]) -> Answer {
    let mut headers = vec![("authorization", authorization)];
    headers.extend_from_slice(extra);
    post_with(&worker.url("/engagement/users"), Some("application/json;charset=UTF-8"), body.as_bytes(), &headers)
}

#[test]
fn engagement_creates_answers_duplicates_with_the_id_and_refuses_strangers() {
    let worker = spawn_worker();
    let credentials = operator(&worker, "conf", json!(["accounts:create"]), json!([]));
    let auth = operator_basic(&credentials);

    let created = engagement(&worker, &auth, LATHA, &[]);
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.json()["message"], "Details added successfully");
    let id = created.json()["id"].as_str().unwrap().to_owned();

    let again = engagement(&worker, &auth, LATHA, &[]);
    assert_eq!(again.status, 400);
    assert_eq!(again.json(), json!({"message": "User already exists with this Email", "id": id}));

    let invalid = engagement(
        &worker,
        &auth,
        r#"{"firstName":"A","lastName":"B","country":"Atlantis","email":"b@example.com"}"#,
        &[],
    );
    assert_eq!(
        (invalid.status, invalid.json()["message"].as_str()),
        (400, Some("The request contains invalid attributes"))
    );
    let stranger = engagement(&worker, "Basic bm9ib2R5Om5vdGhpbmc=", LATHA, &[]);
    assert_eq!((stranger.status, stranger.json()["message"].as_str()), (401, Some("Unauthorized request")));
    let missing = post_with(&worker.url("/engagement/users"), Some("application/json"), LATHA.as_bytes(), &[]);
    assert_eq!(missing.status, 401);
    let row = &worker.d1(&format!("SELECT * FROM accounts WHERE number = {id}"))[0];
    assert_eq!(row["dialect"], "engagement");
    assert!(row["password_hash"].is_null());
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts")[0]["n"], 1);
}

#[test]
fn any_route_answers_in_the_dialect_asked_for() {
    let worker = spawn_worker();
    let credentials = operator(&worker, "conf", json!(["accounts:create"]), json!([]));
    let auth = operator_basic(&credentials);

    let native = engagement(&worker, &auth, LATHA, &[("x-signup-dialect", "native")]);
    assert_eq!(native.status, 201, "{}", native.body);
    assert!(native.json()["id"].as_str().unwrap().starts_with("acc_"));
    let movedigital = engagement(&worker, &auth, LATHA, &[("x-signup-dialect", "movedigital")]);
    assert_eq!(movedigital.status, 200);
    assert!(
        movedigital.body.contains(r#"<rsp stat="fail">"#) && movedigital.body.contains(r#"code="106""#),
        "{}",
        movedigital.body
    );
    let unknown = engagement(&worker, &auth, LATHA, &[("x-signup-dialect", "klingon")]);
    assert_eq!(
        (unknown.status, unknown.json()["message"].as_str()),
        (400, Some("The request contains invalid attributes"))
    );
}

fn getresponse(worker: &Worker, api_key: &str, fields: Value) -> Value {
    let call = json!({"jsonrpc": "2.0", "method": "add_account", "id": 1, "params": [api_key, fields]});
    let answer = post_with(&worker.url("/getresponse"), Some("application/json"), call.to_string().as_bytes(), &[]);
    assert_eq!(answer.status, 200, "JSON-RPC always answers 200: {}", answer.body);
    answer.json()
}

fn seed_fields(email: &str) -> Value {
    json!({
        "password": "12#$qwER", "first_name": "John", "last_name": "Doe", "email": email, "company_name": "Implix",
        "phone": "+48111111111", "country_code": "PL", "country": "Poland", "city": "Gdańsk", "state": "pomorskie",
        "street": "Żabiańska", "zip_code": "24-213",
        "campaign": {"name": "trains", "description": "Fani pociągów.", "confirmation_subject": "CONFIRMATION_SUBJECT_ID",
                     "confirmation_body": "CONFIRMATION_BODY_ID", "language_code": "PL", "optin": "single"}
    })
}

#[test]
fn getresponse_add_account_and_its_errors() {
    let worker = spawn_worker();
    let credentials = operator(&worker, "conf", json!(["accounts:create", "owner"]), json!([]));
    let key = credentials["api_key"].as_str().unwrap();

    let created = getresponse(&worker, key, seed_fields("john.doe@example.mail"));
    assert_eq!(created["result"]["added"], 1, "{created}");
    let account_id = created["result"]["ACCOUNT_ID"].as_str().unwrap().to_owned();
    let own_keys = worker.d1(&format!("SELECT kind, secret_hash FROM credentials WHERE owner_id = '{account_id}'"));
    assert_eq!(own_keys[0]["kind"], "api_key", "every added account gets its own API key");

    let message = |answer: Value| answer["error"]["message"].as_str().unwrap_or_default().to_owned();
    assert_eq!(message(getresponse(&worker, key, seed_fields("JOHN.DOE@example.mail"))), "Email already taken");
    assert_eq!(message(getresponse(&worker, key, seed_fields("not-an-email"))), "Invalid email syntax");
    let mut weak = seed_fields("weak@example.mail");
    weak["password"] = "trainspotting".into();
    assert_eq!(message(getresponse(&worker, key, weak)), "Password too weak");
    let mut mismatch = seed_fields("mismatch@example.mail");
    mismatch["country"] = "Germany".into();
    assert_eq!(message(getresponse(&worker, key, mismatch)), "Invalid country");
    assert_eq!(
        message(getresponse(&worker, "gr_nope_nope", seed_fields("x@example.mail"))),
        "API key verification failed"
    );
    let not_a_hash = json!({"jsonrpc": "2.0", "method": "add_account", "id": 2, "params": [key, "not a hash"]});
    let answer =
        post_with(&worker.url("/getresponse"), Some("application/json"), not_a_hash.to_string().as_bytes(), &[]).json();
    assert_eq!(answer["error"], json!({"code": -32602, "message": "Invalid params"}));
    assert_eq!(answer["id"], 2);
}

#[test]
fn getresponse_owner_privilege_and_address_allowlist() {
    let worker = spawn_worker();
    let no_owner = operator(&worker, "conf", json!(["accounts:create"]), json!([]));
    let answer = getresponse(&worker, no_owner["api_key"].as_str().unwrap(), seed_fields("a@example.mail"));
    assert_eq!(answer["error"]["message"], "Owner privilege missing");

    let elsewhere = worker.admin(
        "POST",
        "/admin/operators",
        Some(json!({"name": "Far away", "permissions": ["accounts:create", "owner"], "campaigns": ["conf"], "allowed_ips": ["203.0.113.9"]})),
    );
    let key = elsewhere.json()["credentials"]["api_key"].as_str().unwrap().to_owned();
    let answer = getresponse(&worker, &key, seed_fields("b@example.mail"));
    assert_eq!(answer["error"]["message"], "API client IP not allowed");
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts")[0]["n"], 0);
}

fn movedigital(worker: &Worker, credentials: &Value, fields: &[(&str, &str)]) -> Answer {
    let md = &credentials["movedigital"];
    let mut pairs = vec![
        ("method", "movedigital.accounts.proxy.createAccount"),
        ("userid", md["userid"].as_str().unwrap()),
        ("sessionid", md["sessionid"].as_str().unwrap()),
        ("session", md["session"].as_str().unwrap()),
    ];
    pairs.extend_from_slice(fields);
    let body = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace('@', "%40").replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&");
    let answer = post_with(
        &worker.url("/movedigital/services/rest/"),
        Some("application/x-www-form-urlencoded"),
        body.as_bytes(),
        &[],
    );
    assert_eq!(answer.status, 200, "MoveDigital always answers 200");
    answer
}

const NEW_USER: [(&str, &str); 7] = [
    ("username", "newuser"),
    ("password", "ignored-by-design"),
    ("confirm_password", "ignored-by-design"),
    ("email", "new@example.com"),
    ("eula_agree", "yes"),
    ("security_question", "First pet?"),
    ("security_answer", "Rex"),
];

#[test]
fn movedigital_creates_with_a_temporary_password_and_a_controller() {
    let worker = spawn_worker();
    let credentials = operator(&worker, "conf", json!(["accounts:create"]), json!([]));

    let created = movedigital(&worker, &credentials, &NEW_USER);
    assert!(created.body.contains(r#"<rsp stat="ok">"#), "{}", created.body);
    assert!(created.body.contains(r#"<message msg="Successfully created account."/>"#));
    let userid: String =
        created.body.split("<userid>").nth(1).and_then(|s| s.split("</userid>").next()).unwrap().to_owned();
    let row = &worker.d1(&format!("SELECT * FROM accounts WHERE number = {userid}"))[0];
    assert!(row["controller_id"].as_str().unwrap().starts_with("op_"));
    assert!(row["password_hash"].as_str().unwrap().starts_with("$argon2id$"));
    assert!(!row.to_string().contains("ignored-by-design"), "the submitted password is ignored");
    let outbox = worker.d1(&format!("SELECT kind FROM outbox WHERE account_id = '{}'", row["id"].as_str().unwrap()));
    assert_eq!(outbox[0]["kind"], "temporary_password");
    let answer = worker.d1(&format!(
        "SELECT secret_hash FROM credentials WHERE kind = 'security_answer' AND owner_id = '{}'",
        row["id"].as_str().unwrap()
    ));
    assert!(
        answer[0]["secret_hash"].as_str().unwrap().starts_with("$argon2id$") && !answer[0].to_string().contains("Rex")
    );

    let mut taken = NEW_USER;
    taken[3] = ("email", "other@example.com");
    let again = movedigital(&worker, &credentials, &taken);
    assert!(again.body.contains(r#"code="104""#), "{}", again.body);

    let mut no_eula = NEW_USER;
    no_eula[0] = ("username", "second");
    no_eula[3] = ("email", "second@example.com");
    no_eula[4] = ("eula_agree", "no");
    let refused = movedigital(&worker, &credentials, &no_eula);
    assert!(refused.body.contains(r#"code="106""#) && refused.body.contains("eula.required"), "{}", refused.body);

    let mut wrong = credentials.clone();
    wrong["movedigital"]["session"] = "not-the-session".into();
    assert!(movedigital(&worker, &wrong, &NEW_USER).body.contains(r#"code="99""#));
    let no_permission = worker
        .admin("POST", "/admin/operators", Some(json!({"name": "Viewer", "permissions": [], "campaigns": ["conf"]})))
        .json();
    assert!(movedigital(&worker, &no_permission["credentials"], &NEW_USER).body.contains(r#"code="98""#));
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts")[0]["n"], 1);
}

fn form(worker: &Worker, path: &str, authorization: Option<&str>, body: &str) -> Answer {
    let headers: Vec<(&str, &str)> = authorization.map(|a| ("authorization", a)).into_iter().collect();
    post_with(&worker.url(path), Some("application/x-www-form-urlencoded"), body.as_bytes(), &headers)
}

fn element<'a>(xml: &'a str, name: &str) -> &'a str {
    xml.split(&format!("<{name}>")).nth(1).and_then(|s| s.split('<').next()).unwrap_or_default()
}

#[test]
fn poken_code_token_and_profile_update_flow() {
    let worker = spawn_worker();
    let created = form(
        &worker,
        "/poken/account/create",
        None,
        "alias=ada&password=Analytical-1843&email=ada%40example.com&country=gb&response_type=code",
    );
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(
        created.body.contains("<account xmlns=\"\">") && created.body.contains("<expires_in>600</expires_in>"),
        "{}",
        created.body
    );
    let code = element(&created.body, "code").to_owned();

    let exchange = format!("grant_type=authorization_code&code={code}");
    let token = form(&worker, "/poken/oauth2/token", None, &exchange);
    assert_eq!(token.status, 200, "{}", token.body);
    let access = token.json()["access_token"].as_str().unwrap().to_owned();
    let replay = form(&worker, "/poken/oauth2/token", None, &exchange);
    assert_eq!((replay.status, replay.json()["error"].as_str()), (400, Some("invalid_grant")), "a code works once");

    let bearer = format!("Bearer {access}");
    let updated = form(
        &worker,
        "/poken/account/profile",
        Some(&bearer),
        "visibility=PUBLIC&timezone=europe%2Fwarsaw&emailRecentCollected=WEEKLY",
    );
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert!(updated.body.contains("<success>SUCCESS</success>"));
    let fields = &worker.d1("SELECT fields FROM profiles")[0]["fields"];
    assert!(fields.as_str().unwrap().contains(r#""visibility":"PUBLIC""#), "{fields}");

    let bad_phone = form(&worker, "/poken/account/profile", Some(&bearer), "mobilePhone=12");
    assert_eq!(bad_phone.status, 400);
    assert!(bad_phone.body.contains("<code>10040</code>"), "{}", bad_phone.body);
    let anonymous = form(&worker, "/poken/account/profile", None, "visibility=PUBLIC");
    assert_eq!(anonymous.status, 401);
    assert!(anonymous.body.contains("<code>150001</code>"));
    let taken =
        form(&worker, "/poken/account/create", None, "alias=ADA&password=Analytical-1843&email=other%40example.com");
    assert_eq!(taken.status, 409);
    assert!(taken.body.contains("<code>10001</code>"));
    assert!(
        !worker.d1("SELECT * FROM credentials").iter().any(|c| c.to_string().contains(&access)),
        "tokens are stored hashed"
    );
}

#[test]
fn poken_operators_create_in_their_campaigns_and_update_new_accounts_only() {
    let worker = spawn_worker();
    let credentials = operator(&worker, "conf", json!(["accounts:create", "accounts:update"]), json!([]));
    let bearer = format!("Bearer {}", credentials["bearer"].as_str().unwrap());
    worker.create_campaign("other", json!({}));

    let body =
        "campaignId=conf&extRefId=crm-7&alias=grace&password=COBOL-1959%21&email=grace%40example.com&sendEmailId=4";
    let created = form(&worker, "/poken/account/create", Some(&bearer), body);
    assert_eq!(created.status, 200, "{}", created.body);
    let identity = element(&created.body, "identityId").to_owned();
    assert_eq!(worker.d1("SELECT kind FROM outbox")[0]["kind"], "welcome");

    let outside = form(
        &worker,
        "/poken/account/create",
        Some(&bearer),
        "campaignId=other&alias=x2&password=COBOL-1959%21&email=x2%40example.com",
    );
    assert_eq!(outside.status, 403);
    assert!(outside.body.contains("<code>10018</code>"), "an operator never acts outside its campaigns");
    let duplicate_ref = form(&worker, "/poken/account/create", Some(&bearer), &body.replace("grace", "grace2"));
    assert!(duplicate_ref.body.contains("<code>10041</code>"), "{}", duplicate_ref.body);

    let update =
        form(&worker, "/poken/account/profile", Some(&bearer), &format!("identityId={identity}&visibility=CONTACTS"));
    assert_eq!(update.status, 200, "{}", update.body);
    let stranger = form(&worker, "/poken/account/profile", Some(&bearer), "identityId=1&visibility=CONTACTS");
    assert!(stranger.body.contains("<code>10010</code>"));
    worker.d1("UPDATE accounts SET claimed_at_ms = 1");
    let locked =
        form(&worker, "/poken/account/profile", Some(&bearer), &format!("identityId={identity}&visibility=PUBLIC"));
    assert_eq!(locked.status, 403);
    assert!(locked.body.contains("Permission denied, not a new account anymore."), "{}", locked.body);
}

#[test]
fn plain_http_is_refused_in_each_dialect_when_tls_is_required() {
    let worker = enlist_e2e::spawn_worker_with(&[("REQUIRE_TLS", "true")]);
    let movedigital =
        form(&worker, "/movedigital/services/rest/", None, "method=movedigital.accounts.proxy.createAccount");
    assert_eq!(movedigital.status, 200);
    assert!(
        movedigital.body.contains(r#"code="111""#) && movedigital.body.contains("Method must be accessed via SSL."),
        "{}",
        movedigital.body
    );
    let native = worker.sign_up(json!({"email": "a@example.com", "password": "Analytical-1843"}));
    assert_eq!((native.status, native.json()["errors"][0]["code"].as_str()), (403, Some("tls.required")));
    assert_eq!(enlist_e2e::get(&worker.url("/healthz")).status, 200, "health checks stay plain");
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM accounts")[0]["n"], 0);
}
