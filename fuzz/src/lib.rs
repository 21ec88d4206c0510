//! Fuzz targets: every dialect decoder (native, Poken create / token / profile, GetResponse,
//! MoveDigital, Engagement, the admin API's bodies), the request plumbing (routes, dialect
//! negotiation, Basic credentials) and every parser of the rule set, each followed by what
//! the Worker does next with a decoded value (validation under the dialect's policy, encoding
//! the outcome in every dialect).
//!
//! A target takes any bytes and must not panic. It returns a signature of what happened
//! (which branch, which problem codes), which the stable driver (`src/main.rs`) uses as
//! feedback: an input with a signature not seen before joins the corpus. The same functions
//! are the libFuzzer targets under `fuzz/libfuzzer/` (coverage-guided, nightly only).

use enlist_edge::dialects::values;
use enlist_edge::dialects::{self, engagement, getresponse, movedigital, poken, Dialect, Echo, Failure, Outcome};
use enlist_edge::memory::MemoryStore;
use enlist_edge::{admin, auth, campaign, handler, native, routes};
use enlist_shared::{
    strength, validate, Alias, Code, Country, Email, Language, Locale, Password, PasswordRules, Phone, Policy,
    SignupForm, Text, TimeZone, UsState, WebUrl,
};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// A fuzz target: bytes in, a signature of the outcome out; panics are the bugs.
pub type Target = fn(&[u8]) -> u64;

/// Every target, by name.
pub const TARGETS: [(&str, Target); 12] = [
    ("native", native_body),
    ("poken_create", poken_create),
    ("poken_token", poken_token),
    ("poken_profile", poken_profile),
    ("getresponse", getresponse_call),
    ("movedigital", movedigital_call),
    ("engagement", engagement_user),
    ("admin", admin_bodies),
    ("plumbing", plumbing),
    ("rules", rules),
    ("accept_language", accept_language),
    ("policy", policy_json),
];

fn signature(parts: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}

fn codes(failure: &Failure) -> Vec<&'static str> {
    failure.problems.iter().map(|p| p.code.as_str()).collect()
}

/// Validates a decoded form under `policy` and writes the result in every dialect, as the
/// Worker would (no store, no hashing: those are not parsers).
fn judge(form: &SignupForm, policy: &Policy) -> u64 {
    let verdict = validate(form, policy);
    let failure = match &verdict {
        Ok(_) => Failure::of(&[]),
        Err(problems) => Failure { problems: problems.clone(), existing: None, malformed: None, log: None },
    };
    let outcome = Outcome::Failed(failure);
    for dialect in [Dialect::Native, Dialect::Poken, Dialect::GetResponse, Dialect::MoveDigital, Dialect::Engagement] {
        let reply = dialects::encode_in(dialect, outcome.clone(), &Echo::default(), Locale::Pl, policy);
        assert!(reply.status >= 200 && reply.status < 600);
    }
    signature(
        verdict.map(|_| ()).map_err(|ps| ps.iter().map(|p| (p.field.as_str(), p.code.as_str())).collect::<Vec<_>>()),
    )
}

pub fn native_body(data: &[u8]) -> u64 {
    match native::decode(Some("application/json"), data) {
        Ok(signup) => signup.trapped as u64 ^ judge(&signup.form, &Policy::default()),
        Err(why) => signature(format!("{why:?}")),
    }
}

pub fn poken_create(data: &[u8]) -> u64 {
    match poken::decode_create(data) {
        Ok(request) => judge(&request.form, &poken::policy(&Policy::default())),
        Err(failure) => signature(codes(&failure)),
    }
}

pub fn poken_token(data: &[u8]) -> u64 {
    let store = MemoryStore::new();
    let form = Some("application/x-www-form-urlencoded");
    let reply = pollster::block_on(poken::exchange_code(&store, form, data, 0));
    signature((reply.status, reply.body))
}

pub fn poken_profile(data: &[u8]) -> u64 {
    match poken::fields_of(data) {
        Ok(mut fields) => {
            let identity = fields.remove("identityId").is_some();
            let (_, problems) = poken::change_of(fields, &poken::policy(&Policy::default()));
            signature((identity, problems.iter().map(|p| p.code.as_str()).collect::<Vec<_>>()))
        }
        Err(failure) => signature(codes(&failure)),
    }
}

pub fn getresponse_call(data: &[u8]) -> u64 {
    let (envelope, call) = getresponse::decode(data);
    let answered = getresponse::encode(&Outcome::Failed(Failure::request(Code::AuthInvalid)), &envelope);
    assert_eq!(answered.status, 200, "JSON-RPC always answers 200");
    match call {
        Ok(call) => judge(&call.form, &getresponse::policy(&Policy::default())),
        Err(error) => signature(format!("{error:?}")),
    }
}

pub fn movedigital_call(data: &[u8]) -> u64 {
    match movedigital::decode(data) {
        Ok(call) => judge(&call.form, &movedigital::policy(&Policy::default())),
        Err(failure) => signature(codes(&failure)),
    }
}

pub fn engagement_user(data: &[u8]) -> u64 {
    match engagement::decode(data) {
        Ok(user) => judge(&user.form, &engagement::policy(&Policy::default())),
        Err(failure) => signature(codes(&failure)),
    }
}

/// The admin API's bodies: a campaign through the whole handler (no hashing on that path),
/// an operator request through its decoder and checks.
pub fn admin_bodies(data: &[u8]) -> u64 {
    let store = MemoryStore::new();
    let request = admin_request(data);
    let reply = pollster::block_on(admin::handle(&store, request, 0));
    // The same bytes as a PATCH of an existing campaign (webhook URLs included).
    let demo = serde_json::from_value(serde_json::json!({"id": "demo", "name": "Demo"})).expect("a request");
    let demo = campaign::Campaign::from_request(demo, campaign::Database::default()).expect("a campaign");
    pollster::block_on(enlist_edge::store::Directory::insert_campaign(&store, &demo, 0)).expect("stored");
    let patch = admin::AdminRequest { method: "PATCH", path: "/admin/campaigns/demo", ..admin_request(data) };
    let patched = pollster::block_on(admin::handle(&store, patch, 0));
    let operator = serde_json::from_slice::<enlist_edge::operator::OperatorRequest>(data)
        .map(|r| enlist_edge::operator::Operator::from_request(r, 1, |c| c == "demo").is_ok());
    let campaign = serde_json::from_slice::<campaign::CampaignRequest>(data)
        .map(|r| campaign::Campaign::from_request(r, campaign::Database::default()).is_ok());
    signature((reply.status, patched.status, operator.ok(), campaign.ok()))
}

fn admin_request(data: &[u8]) -> admin::AdminRequest<'_> {
    admin::AdminRequest {
        method: "POST",
        path: "/admin/campaigns",
        query: None,
        authorization: Some("Bearer fuzz-admin-token"),
        body: data,
        body_too_large: false,
        admin_token: "fuzz-admin-token",
        outbox_secret: Some("fuzz-outbox-secret"),
        local: false,
    }
}

/// Routing, dialect negotiation and credential headers, from one input split at NULs.
pub fn plumbing(data: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let (method, path, header, query) =
        (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next(), parts.next());
    let route = routes::Route::resolve(method, path);
    let negotiated = Dialect::asked(header, query);
    let basic = auth::parse_basic(header.unwrap_or(&text));
    // The whole request path of the Worker, on an empty store.
    let target = match query {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let headers: Vec<(&str, &str)> = header.map(|h| vec![("x-signup-dialect", h)]).unwrap_or_default();
    let request = handler::Request::new(method, &target, &headers, data);
    let reply = pollster::block_on(handler::handle(&MemoryStore::new(), &request, &handler::Config::default(), 0));
    assert!(reply.status >= 200 && reply.status < 600);
    signature((format!("{route:?}"), format!("{negotiated:?}"), basic.is_some(), reply.status))
}

/// Every parser of the rule set on one input; what parses must print to a normal form that
/// parses to itself.
pub fn rules(data: &[u8]) -> u64 {
    let input = String::from_utf8_lossy(data);
    let input = input.as_ref();
    fn stable<T: ToString>(parsed: Result<T, Code>, again: impl Fn(&str) -> Result<T, Code>) -> Option<Code> {
        match parsed {
            Ok(value) => {
                let shown = value.to_string();
                let reparsed = again(&shown).unwrap_or_else(|code| panic!("{shown:?} printed, then refused: {code:?}"));
                assert_eq!(reparsed.to_string(), shown, "normal form is stable");
                None
            }
            Err(code) => Some(code),
        }
    }
    let reserved = Policy::default().reserved_aliases;
    let rules = PasswordRules::default();
    let strict = PasswordRules { composition: enlist_shared::Composition::LowerUpperDigitOrSpecial, ..rules.clone() };
    let verdicts = [
        stable(Alias::parse(input, &reserved), |s| Alias::parse(s, &reserved)),
        stable(Email::parse(input), Email::parse),
        stable(Email::parse_with(input, false), |s| Email::parse_with(s, false)),
        Password::parse(input, &rules).err(),
        Password::parse(input, &strict).err(),
        stable(Country::parse_code(input), Country::parse_code),
        Country::parse_name(input).err(),
        stable(UsState::parse(input), UsState::parse),
        stable(TimeZone::parse(input), TimeZone::parse),
        stable(Language::parse(input), Language::parse),
        stable(Phone::parse(input), Phone::parse),
        stable(WebUrl::parse(input), WebUrl::parse),
        stable(Text::parse(input, 200), |s| Text::parse(s, 200)),
        values::parse_ipv4_integer(input).err(),
        values::parse_unix_seconds(input).err(),
        values::parse_date(input).err(),
        values::parse_flag(input, values::Spelling::TrueFalse).err(),
        values::parse_flag(input, values::Spelling::YesNo).err(),
        values::parse_flag(input, values::Spelling::OnOff).err(),
        values::Visibility::parse(input).err(),
        values::EmailFrequency::parse(input).err(),
        values::SendEmail::parse(input).err(),
        values::Optin::parse(input).err(),
    ];
    let score = strength(input);
    assert!(score <= 4);
    signature((verdicts, score))
}

pub fn accept_language(data: &[u8]) -> u64 {
    let header = String::from_utf8_lossy(data);
    let locale = Locale::negotiate(&header, &Locale::ALL);
    let only_german = Locale::negotiate(&header, &[Locale::De]);
    assert!(matches!(only_german, Locale::De | Locale::En));
    signature((locale.tag(), only_german.tag()))
}

/// A campaign's policy as the admin API and `GET /v1/policy` carry it.
pub fn policy_json(data: &[u8]) -> u64 {
    match serde_json::from_slice::<Policy>(data) {
        Ok(policy) => {
            let checked = policy.check();
            let form: SignupForm = SignupForm::new();
            signature((checked.is_ok(), judge(&form, &policy)))
        }
        Err(_) => 0,
    }
}
