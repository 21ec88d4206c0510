//! An operator never acts outside its campaigns, route by route (IDOR): with every credential
//! operator A holds, nothing reaches or reveals campaign B's accounts, and the admin API takes
//! none of them.

use enlist_e2e::{basic_auth, get_with, operator_basic, post_with, spawn_worker, Answer, Worker};
use serde_json::{json, Value};

const FORM: &str = "application/x-www-form-urlencoded";

fn operator(worker: &Worker, name: &str, campaign: &str) -> Value {
    let answer = worker.admin(
        "POST",
        "/admin/operators",
        Some(json!({"name": name, "permissions": ["accounts:create", "accounts:update", "owner"], "campaigns": [campaign]})),
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.json()["credentials"].clone()
}

fn form(worker: &Worker, path: &str, authorization: Option<&str>, body: &str) -> Answer {
    let headers: Vec<(&str, &str)> = authorization.map(|a| ("authorization", a)).into_iter().collect();
    post_with(&worker.url(path), Some(FORM), body.as_bytes(), &headers)
}

fn element<'a>(xml: &'a str, name: &str) -> &'a str {
    xml.split(&format!("<{name}>")).nth(1).and_then(|s| s.split('<').next()).unwrap_or_default()
}

fn engagement(worker: &Worker, authorization: &str, email: &str) -> Answer {
    let user = json!({"firstName": "Bea", "lastName": "B", "email": email, "country": "India"});
    post_with(
        &worker.url("/engagement/users"),
        Some("application/json;charset=UTF-8"),
        user.to_string().as_bytes(),
        &[("authorization", authorization)],
    )
}

/// Everything campaign B holds, to compare before and after A's attempts.
fn campaign_b(worker: &Worker) -> Vec<Value> {
    worker.d1("SELECT a.id, a.email, a.alias, a.phone, a.claimed_at_ms, p.fields FROM accounts a \
         LEFT JOIN profiles p ON p.account_id = a.id WHERE a.campaign_id = 'b' ORDER BY a.id")
}

#[test]
fn operator_a_reaches_nothing_of_campaign_b_on_any_route() {
    let worker = spawn_worker();
    let key_a = worker.create_campaign("a", json!({}));
    let _key_b = worker.create_campaign("b", json!({}));
    let a = operator(&worker, "A", "a");
    let b = operator(&worker, "B", "b");
    let (bearer_a, bearer_b) =
        (format!("Bearer {}", a["bearer"].as_str().unwrap()), format!("Bearer {}", b["bearer"].as_str().unwrap()));

    // Campaign B's accounts, made by B: a new Poken account and an Engagement user.
    let made = form(
        &worker,
        "/poken/account/create",
        Some(&bearer_b),
        "campaignId=b&alias=bobby&password=Bee-Pass-2027&email=bobby%40example.com",
    );
    assert_eq!(made.status, 200, "{}", made.body);
    let identity_b = element(&made.body, "identityId").to_owned();
    let bea = engagement(&worker, &operator_basic(&b), "bea@example.com");
    assert_eq!(bea.status, 200, "{}", bea.body);
    let bea_in_b = bea.json()["id"].clone();
    // An account of campaign A with its own OAuth token.
    let mine = form(
        &worker,
        "/poken/account/create",
        Some(&bearer_a),
        "campaignId=a&alias=alice&password=Ay-Pass-2027&email=alice%40example.com&response_type=code",
    );
    let code = element(&mine.body, "code").to_owned();
    let token = form(&worker, "/poken/oauth2/token", None, &format!("grant_type=authorization_code&code={code}"));
    let account_bearer = format!("Bearer {}", token.json()["access_token"].as_str().unwrap());
    let before = campaign_b(&worker);
    assert_eq!(before.len(), 2);

    // Native: A's publishable key does not open campaign B, for writing or reading its policy.
    let native = json!({"campaign": "b", "email": "n@example.com", "password": "zq8!vW3#acc"});
    let refused = post_with(
        &worker.url("/v1/accounts"),
        Some("application/json"),
        native.to_string().as_bytes(),
        &[("x-publishable-key", &key_a)],
    );
    assert_eq!(refused.status, 401, "{}", refused.body);
    let policy = get_with(&worker.url("/v1/policy?campaign=b"), &[("x-publishable-key", &key_a)]);
    assert_eq!(policy.status, 401);

    // Poken create into B with A's bearer: 10018.
    let outside = form(
        &worker,
        "/poken/account/create",
        Some(&bearer_a),
        "campaignId=b&alias=intruder&password=Ay-Pass-2027&email=intruder%40example.com",
    );
    assert_eq!(outside.status, 403, "{}", outside.body);
    assert!(outside.body.contains("<code>10018</code>"), "{}", outside.body);

    // Poken profile update of B's new account: with A's operator bearer, and with the account
    // token of A's own account.
    for bearer in [&bearer_a, &account_bearer] {
        let update = form(
            &worker,
            "/poken/account/profile",
            Some(bearer),
            &format!("identityId={identity_b}&visibility=PUBLIC&email=stolen%40example.com"),
        );
        assert!(update.body.contains("<success>FAILURE</success>"), "{}", update.body);
        assert!(update.status == 403 || update.status == 400, "{} {}", update.status, update.body);
    }

    // Engagement: B's user's address, sent by A, is a new user of A's own campaign (a campaign
    // is a world of its own: nothing of B is said or touched) ...
    let in_a = engagement(&worker, &operator_basic(&a), "bea@example.com");
    assert_eq!(in_a.status, 200, "{}", in_a.body);
    assert_ne!(in_a.json()["id"], bea_in_b);
    // ... and B is told which of its own users holds the address, never A's.
    let own = engagement(&worker, &operator_basic(&b), "bea@example.com");
    assert_eq!(own.json(), json!({"message": "User already exists with this Email", "id": bea_in_b}), "{}", own.body);

    // GetResponse and MoveDigital carry no campaign: A's calls land in A's campaign only.
    let call = json!({"method": "add_account", "id": 1, "params": [a["api_key"], {
        "password": "Ay-Pass-2027", "first_name": "G", "last_name": "R", "email": "gr-a@example.com", "phone": "1",
        "country_code": "PL", "country": "Poland", "city": "G", "street": "S", "zip_code": "1",
        "campaign": {"name": "n", "confirmation_subject": "s", "confirmation_body": "b"}}]});
    let gr = post_with(&worker.url("/getresponse"), Some("application/json"), call.to_string().as_bytes(), &[]);
    assert_eq!(gr.json()["result"]["added"], 1, "{}", gr.body);
    let md = &a["movedigital"];
    let md_body = format!(
        "method=movedigital.accounts.proxy.createAccount&userid={}&sessionid={}&session={}&username=mdalice&password=x&confirm_password=x&email=md-a%40example.com&eula_agree=yes&security_question=Pet%3F&security_answer=Rex",
        md["userid"].as_str().unwrap(),
        md["sessionid"].as_str().unwrap(),
        md["session"].as_str().unwrap()
    );
    let moved = form(&worker, "/movedigital/services/rest/", None, &md_body);
    assert!(moved.body.contains(r#"stat="ok""#), "{}", moved.body);
    for email in ["gr-a@example.com", "md-a@example.com"] {
        let row = worker.d1(&format!("SELECT campaign_id FROM accounts WHERE email_normalized = '{email}'"));
        assert_eq!(row[0]["campaign_id"], "a", "{email}");
    }

    // A credential of one kind is not another: A's API key as a Poken bearer, the Basic
    // password as an API key.
    let api_key_as_bearer = format!("Bearer {}", a["api_key"].as_str().unwrap());
    let wrong_kind = form(
        &worker,
        "/poken/account/create",
        Some(&api_key_as_bearer),
        "campaignId=a&alias=wrongkind&password=Ay-Pass-2027&email=wk%40example.com",
    );
    assert!(wrong_kind.body.contains("<success>FAILURE</success>"), "{}", wrong_kind.body);
    let mut call = call;
    call["params"][0] = a["basic"]["password"].clone();
    let gr_wrong = post_with(&worker.url("/getresponse"), Some("application/json"), call.to_string().as_bytes(), &[]);
    assert_eq!(gr_wrong.json()["error"]["message"], "API key verification failed", "{}", gr_wrong.body);

    // The admin API takes none of A's credentials.
    let basic = basic_auth(a["basic"]["user"].as_str().unwrap(), a["basic"]["password"].as_str().unwrap());
    let presented =
        [bearer_a.clone(), account_bearer.clone(), format!("Bearer {}", a["api_key"].as_str().unwrap()), basic];
    let account_b = before[0]["id"].as_str().unwrap();
    for authorization in &presented {
        for (method, path) in [
            ("GET", format!("/admin/accounts/{account_b}")),
            ("GET", "/admin/accounts?email=bea%40example.com".to_owned()),
            ("POST", "/admin/campaigns".to_owned()),
            ("POST", "/admin/operators".to_owned()),
        ] {
            let request = ureq::request(method, &worker.url(&path)).set("authorization", authorization);
            let status = match if method == "POST" {
                request.send_json(json!({"id": "x", "name": "x"}))
            } else {
                request.call()
            } {
                Ok(r) => r.status(),
                Err(ureq::Error::Status(status, _)) => status,
                Err(e) => panic!("{method} {path}: {e}"),
            };
            assert_eq!(status, 401, "{method} {path} with an operator credential");
        }
    }

    assert_eq!(campaign_b(&worker), before, "campaign B is exactly as B left it");
    assert_eq!(worker.d1("SELECT COUNT(*) AS n FROM campaigns WHERE id = 'x'")[0]["n"], 0);
}
