//! The native routes (`POST /v1/accounts`, `GET /v1/policy`, their CORS pre-flight): decode,
//! admit by publishable key and origin, sign up once per idempotency key. Their answers are
//! written by the native dialect ([`crate::dialects::native`]), like every other dialect's.

use crate::account::{sign_up, Created, Signup, SignupError};
use crate::campaign::Campaign;
use crate::dialects::native::{encode, request_problem, JSON};
pub use crate::dialects::Malformed;
use crate::dialects::{encode_in, Dialect, Echo, Failure, Outcome};
use crate::reply::Reply;
use crate::store::{Reservation, Store};
use enlist_shared::{Code, Field, Locale, Policy, SignupForm};
use serde::Serialize;

/// Largest body the native route reads; a signup form is a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// What the native routes need to know about a request besides its body.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestMeta<'a> {
    pub content_type: Option<&'a str>,
    pub accept_language: Option<&'a str>,
    pub publishable_key: Option<&'a str>,
    /// The browser's `Origin`, when a browser sent it.
    pub origin: Option<&'a str>,
    pub idempotency_key: Option<&'a str>,
    /// The client's address (`CF-Connecting-IP`), for the per-address rate limit.
    pub client_ip: Option<std::net::IpAddr>,
}

/// A native signup body, read.
#[derive(Clone, Debug, PartialEq)]
pub struct NativeSignup {
    pub campaign: String,
    pub form: SignupForm,
    /// The widget's honeypot (`enlist_trap`) came filled in: a bot, not a person.
    pub trapped: bool,
}

/// Reads `{"campaign": ID, "enlist_trap"?: "", ...fields}`.
pub fn decode(content_type: Option<&str>, body: &[u8]) -> Result<NativeSignup, Malformed> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Malformed::TooLarge);
    }
    let is_json =
        content_type.and_then(|ct| ct.split(';').next()).is_some_and(|mime| mime.trim().eq_ignore_ascii_case(JSON));
    if !is_json {
        return Err(Malformed::WrongContentType);
    }
    // Straight from the bytes (not through a map that keeps the last of two equal keys), so a
    // field sent twice is refused.
    #[derive(serde::Deserialize)]
    struct Body {
        campaign: Option<String>,
        enlist_trap: Option<String>,
        #[serde(flatten)]
        form: SignupForm,
    }
    let parsed: Body = serde_json::from_slice(body).map_err(|_| Malformed::Unreadable)?;
    Ok(NativeSignup {
        campaign: parsed.campaign.ok_or(Malformed::NoCampaign)?,
        form: parsed.form,
        trapped: parsed.enlist_trap.is_some_and(|t| !t.is_empty()),
    })
}

/// Finds the campaign and checks the publishable key and the browser's origin. Unknown
/// campaigns and wrong keys get the same answer, so campaign ids cannot be probed.
async fn admit<S: Store>(store: &S, campaign_id: &str, meta: RequestMeta<'_>) -> Result<Campaign, Failure> {
    let campaign = store.campaign(campaign_id).await.map_err(|e| Failure::internal(e.0))?;
    let Some(key) = meta.publishable_key else {
        return Err(Failure::request(Code::AuthRequired));
    };
    let campaign = campaign.filter(|c| c.key_matches(key)).ok_or(Failure::request(Code::AuthInvalid))?;
    if let Some(origin) = meta.origin {
        if !campaign.allows_origin(origin) {
            return Err(Failure::request(Code::AuthForbidden));
        }
    }
    Ok(campaign)
}

/// How often, and how many times, a request waits for an earlier one with its idempotency key
/// to finish (5 s in all: a signup takes well under a second).
const IDEMPOTENCY_POLL_MS: u32 = 100;
const IDEMPOTENCY_POLLS: u32 = 50;

/// Reserves an idempotency key, or finds the first answer given for it (waiting while the
/// first request with it still runs). `Ok(None)`: this request is the key's first.
async fn first_answer<S: Store>(store: &S, key: &str, now_ms: i64) -> Result<Option<Reply>, Failure> {
    for poll in 0..=IDEMPOTENCY_POLLS {
        let waited_ms = i64::from(poll * IDEMPOTENCY_POLL_MS);
        match store.reserve_reply(key, now_ms + waited_ms).await.map_err(|e| Failure::internal(e.0))? {
            Reservation::Won => return Ok(None),
            Reservation::Answered(first) => return Ok(Some(first)),
            Reservation::Running if poll < IDEMPOTENCY_POLLS => store.pause(IDEMPOTENCY_POLL_MS).await,
            Reservation::Running => {}
        }
    }
    Err(Failure::request(Code::RequestInProgress))
}

/// `POST /v1/accounts`: limit, decode, admit, sign up (once per idempotency key), answer in
/// the negotiated dialect and the caller's language. `body` is `None` when it was over the bound.
pub async fn create_account<S: Store>(
    store: &S,
    meta: RequestMeta<'_>,
    body: Option<&[u8]>,
    answer_in: Dialect,
    now_ms: i64,
) -> Reply {
    let any_language = Locale::negotiate(meta.accept_language.unwrap_or(""), &Locale::ALL);
    let write = |outcome: Outcome, locale: Locale, policy: &Policy| {
        encode_in(answer_in, outcome, &Echo::default(), locale, policy)
    };
    let refuse = |failure: Failure| write(Outcome::Failed(failure), any_language, &Policy::default());
    if let Some(ip) = meta.client_ip {
        if let Err(code) = crate::limits::admit(store, crate::limits::Bucket::Address(ip), now_ms).await {
            // A browser must be able to read the refusal, so allowed origins get CORS headers.
            let origin = match meta.origin {
                Some(origin) if store.origin_allowed_anywhere(origin).await.unwrap_or(false) => Some(origin),
                _ => None,
            };
            return with_cors(refuse(Failure::request(code)), origin);
        }
    }
    let decoded = match body {
        None => Err(Malformed::TooLarge),
        Some(body) => decode(meta.content_type, body),
    };
    let NativeSignup { campaign: campaign_id, form, trapped } = match decoded {
        Ok(decoded) => decoded,
        Err(why) => return refuse(Failure::malformed(why)),
    };
    let campaign = match admit(store, &campaign_id, meta).await {
        Ok(campaign) => campaign,
        Err(failure) => return refuse(failure),
    };
    let policy = &campaign.policy;
    let locale = Locale::negotiate(meta.accept_language.unwrap_or(""), &policy.languages);
    if trapped {
        let reply = write(decoy(&form), locale, policy)
            .with_log("honeypot field filled in: answered as created, nothing stored");
        return with_cors(reply, meta.origin);
    }
    let idempotency_key = meta.idempotency_key.map(|key| format!("native:{}:{key}", campaign.id));
    if let Some(key) = &idempotency_key {
        match first_answer(store, key, now_ms).await {
            Ok(None) => {}
            Ok(Some(first)) => return with_cors(first, meta.origin),
            Err(failure) => return with_cors(refuse(failure), meta.origin),
        }
    }
    let mut signup = Signup::new(&campaign, form, crate::names::Dialect::Native);
    signup.locale = Some(locale);
    let outcome = Outcome::from(sign_up(store, signup, now_ms).await);
    let failed_on_our_side = matches!(&outcome, Outcome::Failed(f) if f.has(Code::Internal));
    let reply = write(outcome, locale, policy);
    if let Some(key) = &idempotency_key {
        // Our own failures are not the key's answer: a retry runs again.
        let kept = match failed_on_our_side {
            false => store.keep_reply(key, &reply).await,
            true => store.release_reply(key).await,
        };
        if let Err(e) = kept {
            return with_cors(refuse(Failure::internal(e.0)), meta.origin);
        }
    }
    with_cors(reply, meta.origin)
}

#[derive(Serialize)]
struct PolicyDocument<'a> {
    campaign: &'a str,
    name: &'a str,
    policy: &'a Policy,
}

/// `GET /v1/policy?campaign=ID`: the campaign's policy for the widget.
pub async fn policy<S: Store>(store: &S, campaign_id: Option<&str>, meta: RequestMeta<'_>) -> Reply {
    let locale = Locale::negotiate(meta.accept_language.unwrap_or(""), &Locale::ALL);
    let Some(campaign_id) = campaign_id.filter(|c| !c.is_empty()) else {
        return encode(&Outcome::Failed(Failure::malformed(Malformed::NoCampaign)), locale, &Policy::default())
            .with_header("access-control-allow-origin", "*");
    };
    match admit(store, campaign_id, meta).await {
        // Any page may read why it was refused (a wrong key, an origin the campaign does not
        // list): the widget tells its organiser. A refusal carries nothing about the campaign.
        Err(failure) => encode(&Outcome::Failed(failure), locale, &Policy::default())
            .with_header("access-control-allow-origin", "*"),
        // A closed campaign's page says so instead of drawing a form.
        Ok(c) if !c.open => encode(&Outcome::Failed(Failure::request(Code::CampaignClosed)), locale, &c.policy)
            .with_header("access-control-allow-origin", "*"),
        Ok(c) => {
            let doc = PolicyDocument { campaign: &c.id, name: &c.name, policy: &c.policy };
            let reply = Reply::new(200, JSON, serde_json::to_string(&doc).expect("plain data serialises"));
            with_cors(reply, meta.origin)
        }
    }
}

/// CORS pre-flight: allowed only for origins some campaign lists.
pub async fn preflight<S: Store>(store: &S, origin: Option<&str>, locale: Locale) -> Reply {
    let allowed = match origin {
        Some(origin) => store.origin_allowed_anywhere(origin).await.unwrap_or(false),
        None => false,
    };
    if !allowed {
        return request_problem(403, "Origin not allowed", Code::AuthForbidden, locale);
    }
    with_cors(Reply::new(204, "text/plain", String::new()), origin)
        .with_header("access-control-allow-methods", "GET, POST, OPTIONS")
        .with_header(
            "access-control-allow-headers",
            "content-type, x-publishable-key, idempotency-key, accept-language",
        )
        .with_header("access-control-max-age", "600")
}

/// Answers a browser only after `admit` accepted its origin (or for a pre-flight).
fn with_cors(reply: Reply, origin: Option<&str>) -> Reply {
    match origin {
        Some(origin) => reply.with_header("access-control-allow-origin", origin).with_header("vary", "Origin"),
        None => reply,
    }
}

/// What a bot that filled the honeypot is told: a created-looking answer (so it has no reason
/// to adapt), with a fresh random id that names nothing. Nothing is stored.
fn decoy(form: &SignupForm) -> Outcome {
    let id =
        crate::account::AccountId::generate().unwrap_or_else(|_| crate::account::AccountId::from_stored("acc_".into()));
    let given = |field: Field| Some(form.get(field).to_owned()).filter(|v| !v.is_empty());
    let number = crate::account::random_number().unwrap_or(100_000_000);
    Outcome::Created(Created { id, number, alias: given(Field::Alias), email: given(Field::Email) })
}

pub fn answer(outcome: Result<Created, SignupError>, locale: Locale, policy: &Policy) -> Reply {
    encode(&Outcome::from(outcome), locale, policy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::tests::campaign;
    use crate::memory::MemoryStore;
    use crate::store::Directory;
    use pollster::block_on;
    use serde_json::{json, Value};

    struct Fixture {
        store: MemoryStore,
        key: String,
    }

    fn fixture() -> Fixture {
        let store = MemoryStore::new();
        let mut c = campaign(json!({}));
        c.allowed_origins = vec!["https://events.example.com".into()];
        block_on(store.insert_campaign(&c, 0)).unwrap();
        Fixture { store, key: c.publishable_key }
    }

    impl Fixture {
        fn meta(&self) -> RequestMeta<'_> {
            RequestMeta { content_type: Some(JSON), publishable_key: Some(&self.key), ..Default::default() }
        }

        fn post(&self, meta: RequestMeta<'_>, body: Value) -> (Reply, Value) {
            let reply =
                block_on(create_account(&self.store, meta, Some(body.to_string().as_bytes()), Dialect::Native, 0));
            let json = serde_json::from_str(&reply.body).expect("answers are JSON");
            (reply, json)
        }
    }

    fn signup(email: &str) -> Value {
        json!({"campaign": "rf", "email": email, "password": "Analytical-1843"})
    }

    #[test]
    fn created_answers_201_with_the_id() {
        let f = fixture();
        let (reply, body) = f.post(f.meta(), signup("ada@example.com"));
        assert_eq!(reply.status, 201, "{}", reply.body);
        assert!(body["id"].as_str().unwrap().starts_with("acc_"));
        assert_eq!(body["email"], "ada@example.com");
        assert_eq!(f.store.len(), 1);
    }

    #[test]
    fn a_filled_honeypot_gets_a_created_looking_answer_and_nothing_is_stored() {
        let f = fixture();
        let mut body = signup("bot@example.com");
        body["enlist_trap"] = "https://cheap-pills.example".into();
        let (reply, doc) = f.post(f.meta(), body);
        assert_eq!(reply.status, 201, "{}", reply.body);
        assert!(doc["id"].as_str().unwrap().starts_with("acc_"));
        assert_eq!(doc["email"], "bot@example.com");
        assert!(reply.log.as_deref().unwrap().contains("honeypot"));
        assert_eq!(f.store.len(), 0);
        // Left empty, as the widget sends it for people, it changes nothing.
        let mut body = signup("person@example.com");
        body["enlist_trap"] = "".into();
        assert_eq!(f.post(f.meta(), body).0.status, 201);
        assert_eq!(f.store.len(), 1);
    }

    #[test]
    fn validation_problems_answer_422_with_every_problem() {
        let f = fixture();
        let (reply, body) = f.post(f.meta(), json!({"campaign": "rf", "email": "nope", "password": "short"}));
        assert_eq!(reply.status, 422);
        assert_eq!(
            body["errors"],
            json!([
                {"field": "email", "code": "email.invalid", "message": "Enter a valid e-mail address, like name@example.com."},
                {"field": "password", "code": "password.too_short", "message": "Use at least 8 characters."},
            ])
        );
    }

    #[test]
    fn duplicates_answer_409_email_taken() {
        let f = fixture();
        f.post(f.meta(), signup("ada@example.com"));
        let (reply, body) = f.post(f.meta(), signup("ADA@EXAMPLE.COM"));
        assert_eq!(reply.status, 409);
        assert_eq!(body["errors"][0]["code"], "email.taken");
    }

    #[test]
    fn keys_campaigns_and_origins_are_checked() {
        let f = fixture();
        let no_key = RequestMeta { publishable_key: None, ..f.meta() };
        assert_eq!(f.post(no_key, signup("a@example.com")).1["errors"][0]["code"], "auth.required");
        let wrong = RequestMeta { publishable_key: Some("pk_wrong"), ..f.meta() };
        let (reply, body) = f.post(wrong, signup("a@example.com"));
        assert_eq!((reply.status, body["errors"][0]["code"].as_str()), (401, Some("auth.invalid")));
        let (reply, _) =
            f.post(f.meta(), json!({"campaign": "nope", "email": "a@example.com", "password": "Analytical-1843"}));
        assert_eq!(reply.status, 401, "unknown campaigns look like wrong keys");
        let evil = RequestMeta { origin: Some("https://evil.example.com"), ..f.meta() };
        let (reply, _) = f.post(evil, signup("a@example.com"));
        assert_eq!(reply.status, 403);
        assert_eq!(reply.header("access-control-allow-origin"), None);
        let good = RequestMeta { origin: Some("https://events.example.com"), ..f.meta() };
        let (reply, _) = f.post(good, signup("a@example.com"));
        assert_eq!(reply.status, 201);
        assert_eq!(reply.header("access-control-allow-origin"), Some("https://events.example.com"));
        assert_eq!(f.store.len(), 1);
    }

    #[test]
    fn a_retry_with_the_same_idempotency_key_gets_the_first_answer() {
        let f = fixture();
        let meta = RequestMeta { idempotency_key: Some("k-1"), ..f.meta() };
        let (first, _) = f.post(meta, signup("ada@example.com"));
        let (again, _) = f.post(meta, signup("ada@example.com"));
        assert_eq!(first, again);
        assert_eq!(again.status, 201);
        assert_eq!(f.store.len(), 1);
    }

    #[test]
    fn malformed_bodies_are_4xx_and_store_nothing() {
        let f = fixture();
        for (ct, body, want) in [
            (Some(JSON), "{not json", 400),
            (Some(JSON), "[1,2]", 400),
            (Some(JSON), r#"{"email":"a@b.co","password":"Analytical-1843"}"#, 400),
            (Some(JSON), r#"{"campaign":"rf","email": ["a@b.co"]}"#, 400),
            (Some(JSON), r#"{"campaign":"rf","email": "a@b.co", "email": "c@d.co"}"#, 400),
            (Some("text/plain"), r#"{"campaign":"rf","email":"a@b.co","password":"Analytical-1843"}"#, 415),
            (None, r#"{"campaign":"rf","email":"a@b.co","password":"Analytical-1843"}"#, 415),
        ] {
            let meta = RequestMeta { content_type: ct, ..f.meta() };
            let reply = block_on(create_account(&f.store, meta, Some(body.as_bytes()), Dialect::Native, 0));
            assert_eq!(reply.status, want, "{body}: {}", reply.body);
            assert!(reply.body.contains("request.malformed"));
        }
        let huge = format!(r#"{{"campaign":"rf","email":"{}@b.co"}}"#, "a".repeat(MAX_BODY_BYTES));
        assert_eq!(block_on(create_account(&f.store, f.meta(), Some(huge.as_bytes()), Dialect::Native, 0)).status, 413);
        assert!(f.store.is_empty());
    }

    #[test]
    fn the_policy_route_serves_the_campaigns_policy() {
        let f = fixture();
        let reply = block_on(policy(&f.store, Some("rf"), f.meta()));
        assert_eq!(reply.status, 200);
        let doc: Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(doc["policy"]["password"]["min_chars"], 8);
        assert_eq!(block_on(policy(&f.store, None, f.meta())).status, 400);
        assert_eq!(block_on(policy(&f.store, Some("rf"), RequestMeta::default())).status, 401);
    }

    #[test]
    fn preflights_only_for_listed_origins() {
        let f = fixture();
        let ok = block_on(preflight(&f.store, Some("https://events.example.com"), Locale::En));
        assert_eq!(ok.status, 204);
        assert!(ok.header("access-control-allow-headers").unwrap().contains("x-publishable-key"));
        assert_eq!(block_on(preflight(&f.store, Some("https://evil.example.com"), Locale::En)).status, 403);
    }

    #[test]
    fn messages_follow_accept_language() {
        let f = fixture();
        let meta = RequestMeta { accept_language: Some("pl-PL, en;q=0.5"), ..f.meta() };
        let (_, body) = f.post(meta, json!({"campaign": "rf", "email": "nope", "password": "Analytical-1843"}));
        assert_eq!(body["errors"][0]["message"], "Podaj prawidłowy adres e-mail, np. imie@example.com.");
        assert_eq!(body["errors"][0]["code"], "email.invalid", "codes never change with the language");
    }

    #[test]
    fn answers_never_contain_the_password() {
        let f = fixture();
        for email in ["ada@example.com", "ada@example.com", "bad"] {
            let body = json!({"campaign": "rf", "email": email, "password": "s3cret-Passw0rd"});
            let (reply, _) = f.post(f.meta(), body);
            assert!(!reply.body.contains("s3cret"), "{}", reply.body);
        }
    }
}
