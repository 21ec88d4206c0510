//! Poken (seeds 000 and 001): "Create Account" and "Update Account Profile" as form posts,
//! the OAuth2 code flow, XML out. Codes and descriptions are the seeds', verbatim.

use super::{Failure, Outcome, VendorRequest};
use crate::account::{sign_up, Signup};
use crate::auth::Presented;
use crate::campaign::Campaign;
use crate::hashing::{hash_secret, verify as verify_secret};
use crate::operator::{split_token, CredentialKind, Permission, StoredCredential};
use crate::reply::Reply;
use crate::secrets::random_token;
use crate::store::{AccountChange, AccountRecord, InsertError, MessageKind, OutboxEntry, Store, Unique};
use enlist_shared::values::choice::{EmailFrequency, SendEmail, Visibility};
use enlist_shared::values::scalars::{parse_flag, parse_ipv4_integer, parse_unix_seconds, Spelling};
use enlist_shared::values::text::Text;
use enlist_shared::{
    message, Alias, Code, Country, Email, Field, Language, Locale, Phone, Policy, Presence, Problem, SignupForm,
    TimeZone,
};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

pub const NAMESPACE: &str = "http://xsd.poken.com";
/// How long an OAuth2 code may be exchanged, in seconds.
pub const CODE_TTL_S: i64 = 600;
/// How long an account's access token lives, in seconds.
pub const TOKEN_TTL_S: i64 = 3600;
/// How long an account counts as "new" (updatable by an operator) when its owner never signed in.
pub const NEW_ACCOUNT_MS: i64 = 24 * 60 * 60 * 1000;

/// Which operation an answer is for (10039 and 10018 mean different things in each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Operation {
    #[default]
    Create,
    Update,
}

/// What a Poken answer echoes: the operation, and the OAuth2 code issued with a new account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Echo {
    pub operation: Operation,
    pub code: Option<String>,
}

/// The seeds' descriptions.
pub fn description(code: u32) -> &'static str {
    match code {
        10001 => "This username has already been taken.",
        10002 => "The password provided is too short.",
        10004 => "The email address provided is already registered.",
        10010 => "The identity specified is either invalid or not one of your identites.",
        10014 => "The username is too short.It should be at least 2 characters long.",
        10015 => "The username contains invalid characters or keywords.",
        10016 => "The username contains just numbers.",
        10017 => "Invalid email format provided.",
        10018 => "You don't have the permission to request such an action.",
        10021 => "The country code specified is not a 2 character ISO code.",
        10025 => "The timezone specified is invalid.",
        10026 => "The language specified is invalid.",
        10040 => "Not a valid account mobile phone provided.",
        10041 => "The provided external reference ID is already used for a different account.",
        150001 => "The endpoint requires an authenticated account",
        _ => "An unhandled exception has occured.",
    }
}

const DENIED_UPDATE: &str = "Permission denied, not allowed to update this account's profile.";
const DENIED_NOT_NEW: &str = "Permission denied, not a new account anymore.";

/// The seed code of a problem; `None` where Poken has no code (reported as 10000 with our text).
fn code_of(problem: &Problem, operation: Operation) -> Option<u32> {
    Some(match (problem.code, problem.field) {
        (Code::AliasTaken, _) => 10001,
        // Poken has no code for a password that is too long or too common: those are 10000
        // with our text, which says what is wrong.
        (Code::PasswordTooShort, _) | (Code::Required, Field::Password) => 10002,
        (Code::EmailTaken, _) => 10004,
        (Code::IdentityInvalid, _) => 10010,
        (Code::AliasTooShort, _) | (Code::Required, Field::Alias) => 10014,
        (Code::AliasInvalid | Code::AliasReserved, _) => 10015,
        (Code::AliasNumeric, _) => 10016,
        (Code::EmailInvalid, _) | (Code::Required, Field::Email) => 10017,
        (Code::AuthForbidden | Code::AddressForbidden, _) if operation == Operation::Create => 10018,
        (Code::AuthForbidden | Code::AddressForbidden | Code::IdentityLocked, _) => 10039,
        (Code::CountryInvalid, _) => 10021,
        (Code::TimezoneInvalid, _) => 10025,
        (Code::LangInvalid, _) => 10026,
        (Code::PhoneInvalid, Field::Phone) => 10040,
        (Code::ExtRefTaken, _) => 10041,
        (Code::AuthRequired | Code::AuthInvalid, _) => 150001,
        (Code::Internal, _) => 10000,
        _ => return None,
    })
}

fn malformed() -> Failure {
    Failure::request(Code::RequestMalformed)
}

fn bad(field: Field, code: Code) -> Failure {
    Failure::of(&[(field, code)])
}

/// Form fields, each at most once.
pub fn fields_of(body: &[u8]) -> Result<BTreeMap<String, String>, Failure> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| malformed())?;
    let mut fields = BTreeMap::new();
    for (key, value) in pairs {
        if fields.insert(key, value).is_some() {
            return Err(malformed());
        }
    }
    Ok(fields)
}

/// A decoded "Create Account".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateRequest {
    pub campaign_id: Option<String>,
    pub ext_ref_id: Option<String>,
    pub wants_code: bool,
    pub form: SignupForm,
    pub extra_profile: BTreeMap<String, String>,
    pub send_email: SendEmail,
    pub send_at_s: Option<i64>,
    /// Problems with values outside the rule set, reported with the rule set's.
    pub problems: Vec<Problem>,
}

/// The policy Poken creates with: alias, e-mail and password required; `state` optional even
/// in the United States ("(optional) The State/Region").
pub fn policy(campaign: &Policy) -> Policy {
    let mut policy = campaign.clone();
    for field in [Field::Alias, Field::Email, Field::Password] {
        policy.fields.insert(field, Presence::Required);
    }
    policy.fields.insert(Field::State, Presence::Hidden);
    policy
}

pub fn decode_create(body: &[u8]) -> Result<CreateRequest, Failure> {
    let mut fields = fields_of(body)?;
    let mut take = |key: &str| fields.remove(key).filter(|v| !v.trim().is_empty());
    let mut form = SignupForm::new();
    for (key, field) in [
        ("alias", Field::Alias),
        ("password", Field::Password),
        ("email", Field::Email),
        ("lang", Field::Lang),
        ("timeZone", Field::TimeZone),
        ("country", Field::Country),
        ("firstName", Field::FirstName),
        ("lastName", Field::LastName),
        ("prefix", Field::Prefix),
        ("middleName", Field::MiddleName),
        ("organization", Field::Organization),
        ("title", Field::Title),
        ("department", Field::Department),
        ("specialty", Field::Specialty),
        ("region", Field::Region),
        ("address", Field::Address),
        ("city", Field::City),
        ("postalCode", Field::PostalCode),
        ("state", Field::State),
        ("accountMobilePhone", Field::Phone),
        ("workPhone", Field::WorkPhone),
        ("workFax", Field::WorkFax),
        ("workEmail", Field::WorkEmail),
        ("workWebPage", Field::Website),
    ] {
        if let Some(value) = take(key) {
            form.set(field, value);
        }
    }
    // Values outside the rule set: each problem is collected, and reported with the rule set's.
    let mut extra_profile = BTreeMap::new();
    let mut problems = Vec::new();
    let mut judge = |field: Field, parsed: Result<(&str, String), Code>| match parsed {
        Ok((key, value)) => drop(extra_profile.insert(key.to_owned(), value)),
        Err(code) => problems.push(Problem::new(field, code)),
    };
    if let Some(ip) = take("ip") {
        judge(Field::Request, parse_ipv4_integer(&ip).map(|ip| ("ip", ip.to_string())));
    }
    if let Some(mobile) = take("mobilePhone") {
        let phone = Phone::parse(&mobile).map_err(|_| Code::PhoneInvalid);
        judge(Field::Phone, phone.map(|p| ("mobile_phone", p.to_string())));
    }
    if let Some(email) = take("registrationEmail") {
        let email = Email::parse(&email).map_err(|_| Code::EmailInvalid);
        judge(Field::Email, email.map(|e| ("registration_email", e.to_string())));
    }
    for key in ["visitorCategories", "inviteId"] {
        if let Some(value) = take(key) {
            judge(Field::Request, Text::parse(&value, 500).map(|t| (key, t.to_string())));
        }
    }
    if let Some(stop) = take("stopProcessing") {
        let stop = parse_flag(&stop, Spelling::TrueFalse);
        judge(Field::Request, stop.map(|stop| ("stopProcessing", stop.to_string())));
    }
    let send_email = match take("sendEmailId").map(|v| SendEmail::parse(&v)).transpose() {
        Ok(send_email) => send_email,
        Err(code) => {
            problems.push(Problem::new(Field::Request, code));
            None
        }
    };
    let send_at_s = match take("sendEmailTimestamp").map(|v| parse_unix_seconds(&v)).transpose() {
        Ok(send_at_s) => send_at_s,
        Err(code) => {
            problems.push(Problem::new(Field::Request, code));
            None
        }
    };
    let send_email = send_email.unwrap_or(SendEmail::CampaignDefault);
    // "only valid for sendEmailId=2" (and required with it).
    let scheduled = send_email == SendEmail::Scheduled;
    if scheduled != send_at_s.is_some() && !problems.iter().any(|p| p.code == Code::DateInvalid) {
        problems.push(Problem::new(Field::Request, Code::DateInvalid));
    }
    let wants_code = match take("response_type").as_deref() {
        None => false,
        Some("code") => true,
        Some(_) => return Err(malformed()),
    };
    let campaign_id = take("campaignId");
    let ext_ref_id = match take("extRefId").map(|v| Text::parse(&v, 200)).transpose() {
        Ok(ext_ref_id) => ext_ref_id.map(|t| t.to_string()),
        Err(code) => {
            problems.push(Problem::new(Field::Request, code));
            None
        }
    };
    for ignored in ["client_id", "redirect_uri", "state_token"] {
        take(ignored);
    }
    if !fields.is_empty() {
        return Err(malformed());
    }
    Ok(CreateRequest { campaign_id, ext_ref_id, wants_code, form, extra_profile, send_email, send_at_s, problems })
}

/// The outbox entry a `sendEmailId` asks for.
fn welcome(send_email: SendEmail, send_at_s: Option<i64>, now_ms: i64) -> Vec<OutboxEntry> {
    match send_email {
        SendEmail::NoEmail => vec![],
        SendEmail::Scheduled => {
            vec![OutboxEntry { kind: MessageKind::Welcome, send_at_ms: send_at_s.unwrap_or(0) * 1000 }]
        }
        SendEmail::IfPresentToEvent => vec![OutboxEntry { kind: MessageKind::WelcomeIfPresent, send_at_ms: now_ms }],
        SendEmail::CampaignDefault | SendEmail::SendNow => {
            vec![OutboxEntry { kind: MessageKind::Welcome, send_at_ms: now_ms }]
        }
    }
}

/// The campaign an anonymous "Create Account" (no `campaignId`) signs up into: none, with the
/// default policy.
fn no_campaign() -> Campaign {
    Campaign {
        id: String::new(),
        name: String::new(),
        allowed_origins: vec![],
        policy: Policy::default(),
        publishable_key: String::new(),
    }
}

/// `POST /poken/account/create`.
pub async fn create_account<S: Store>(store: &S, request: &VendorRequest<'_>, now_ms: i64) -> (Echo, Outcome) {
    let echo = Echo { operation: Operation::Create, code: None };
    let call = match decode_create(request.body) {
        Ok(call) => call,
        Err(failure) => return (echo, Outcome::Failed(failure)),
    };
    let forbidden = || Outcome::Failed(Failure::request(Code::AuthForbidden));
    let (mut campaign, controller) = match &call.campaign_id {
        None => (no_campaign(), None),
        Some(campaign_id) => {
            let bearer = request.authorization.and_then(|h| crate::auth::credentials_of(h, "Bearer"));
            let Some(bearer) = bearer else { return (echo, forbidden()) };
            let Ok(operator) = crate::auth::operator(store, Presented::Bearer(bearer), request.client_ip, now_ms).await
            else {
                return (echo, forbidden());
            };
            if !operator.may(Permission::AccountsCreate) || !operator.acts_in(campaign_id) {
                return (echo, forbidden());
            }
            match store.campaign(campaign_id).await {
                Ok(Some(campaign)) => (campaign, Some(operator.id)),
                Ok(None) => return (echo, forbidden()),
                Err(e) => return (echo, Outcome::Failed(Failure::internal(e.0))),
            }
        }
    };
    campaign.policy = policy(&campaign.policy);
    let mut signup = Signup::new(&campaign, call.form, "poken");
    signup.controller_id = controller;
    // "processed only if a valid campaign id is provided"
    signup.ext_ref_id = call.campaign_id.as_ref().and(call.ext_ref_id);
    signup.extra_profile = call.extra_profile;
    signup.problems = call.problems;
    signup.outbox = welcome(call.send_email, call.send_at_s, now_ms);
    let outcome: Outcome = sign_up(store, signup, now_ms).await.into();
    let Outcome::Created(created) = &outcome else { return (echo, outcome) };
    if !call.wants_code {
        return (echo, outcome);
    }
    match issue(store, CredentialKind::OauthCode, created.id.as_str(), now_ms + CODE_TTL_S * 1000, "pc_").await {
        Ok(code) => (Echo { code: Some(code), ..echo }, outcome),
        Err(why) => (echo, Outcome::Failed(Failure::internal(why))),
    }
}

/// Mints `<prefix><lookup>.<secret>`, stored hashed.
async fn issue<S: Store>(
    store: &S,
    kind: CredentialKind,
    owner: &str,
    expires_at_ms: i64,
    prefix: &str,
) -> Result<String, String> {
    let (lookup, secret) = (random_token(12)?, random_token(32)?);
    let credential = StoredCredential {
        kind,
        lookup: lookup.clone(),
        owner_id: owner.to_owned(),
        secret_hash: hash_secret(&secret)?,
        expires_at_ms: Some(expires_at_ms),
    };
    store.insert_credential(&credential).await.map_err(|e| format!("{e:?}"))?;
    Ok(format!("{prefix}{lookup}.{secret}"))
}

/// `POST /poken/oauth2/token` (`grant_type=authorization_code`, `code`): RFC 6749 JSON. A code
/// works once, within its lifetime; the first exchange also marks the account as claimed.
/// Errors as RFC 6749 §5.2 sorts them: a body that is not a form, a parameter sent twice or a
/// missing `grant_type` or `code` is `invalid_request`; another grant type is
/// `unsupported_grant_type`; a code that is malformed, unknown, used or expired is `invalid_grant`.
pub async fn exchange_code<S: Store>(store: &S, content_type: Option<&str>, body: &[u8], now_ms: i64) -> Reply {
    let error = token_error;
    let is_form = content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    if !is_form {
        return error(400, "invalid_request", "send application/x-www-form-urlencoded");
    }
    let Ok(fields) = fields_of(body) else {
        return error(400, "invalid_request", "the body is not a form, or repeats a parameter");
    };
    let present = |name: &str| fields.get(name).map(String::as_str).filter(|v| !v.is_empty());
    match present("grant_type") {
        None => return error(400, "invalid_request", "grant_type is missing"),
        Some("authorization_code") => {}
        Some(_) => return error(400, "unsupported_grant_type", "only authorization_code is supported"),
    }
    let Some(code) = present("code") else { return error(400, "invalid_request", "code is missing") };
    let invalid_grant = || error(400, "invalid_grant", "the code is invalid, expired or already used");
    let Some((lookup, secret)) = split_token(code, "pc_", '.') else {
        return invalid_grant();
    };
    let taken = match store.take_credential(CredentialKind::OauthCode, lookup).await {
        Ok(taken) => taken,
        Err(e) => return error(500, "server_error", "try again").with_log(e.0),
    };
    let Some(code) =
        taken.filter(|c| c.expires_at_ms.is_none_or(|t| now_ms < t) && verify_secret(secret, &c.secret_hash))
    else {
        return invalid_grant();
    };
    if let Err(e) = store.claim_account(&code.owner_id, now_ms).await {
        return error(500, "server_error", "try again").with_log(e.0);
    }
    match issue(store, CredentialKind::AccountToken, &code.owner_id, now_ms + TOKEN_TTL_S * 1000, "pa_").await {
        Ok(token) => Reply::new(
            200,
            "application/json",
            json!({"access_token": token, "token_type": "bearer", "expires_in": TOKEN_TTL_S}).to_string(),
        )
        .with_header("cache-control", "no-store")
        .with_header("pragma", "no-cache"),
        Err(why) => error(500, "server_error", "try again").with_log(why),
    }
}

/// An RFC 6749 §5.2 error answer of the token endpoint (never cached, as §5.1 asks).
pub fn token_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::new(status, "application/json", json!({"error": error, "error_description": description}).to_string())
        .with_header("cache-control", "no-store")
        .with_header("pragma", "no-cache")
}

/// Who may update which profile.
async fn updatable<S: Store>(
    store: &S,
    request: &VendorRequest<'_>,
    identity: Option<&str>,
    now_ms: i64,
) -> Result<AccountRecord, Failure> {
    let token = request
        .authorization
        .and_then(|h| crate::auth::credentials_of(h, "Bearer"))
        .ok_or(Failure::request(Code::AuthRequired))?;
    let unknown_identity = || Failure::request(Code::IdentityInvalid);
    if let Some((lookup, secret)) = split_token(token, "pa_", '.') {
        // An account's own token: its own profile only.
        let stored =
            store.credential(CredentialKind::AccountToken, lookup).await.map_err(|e| Failure::internal(e.0))?;
        let stored = stored
            .filter(|c| c.expires_at_ms.is_none_or(|t| now_ms < t) && verify_secret(secret, &c.secret_hash))
            .ok_or(Failure::request(Code::AuthInvalid))?;
        let own = store
            .account(&stored.owner_id)
            .await
            .map_err(|e| Failure::internal(e.0))?
            .ok_or(Failure::request(Code::AuthInvalid))?;
        return match identity {
            Some(id) if id.trim() != own.number.to_string() => Err(unknown_identity()),
            _ => Ok(own),
        };
    }
    let operator = crate::auth::operator(store, Presented::Bearer(token), request.client_ip, now_ms).await.map_err(
        |e| match e {
            crate::auth::AuthError::Unavailable(why) => Failure::internal(why),
            _ => Failure::request(Code::AuthInvalid),
        },
    )?;
    let number: i64 = identity.and_then(|id| id.trim().parse().ok()).ok_or_else(unknown_identity)?;
    let account =
        store.account_by_number(number).await.map_err(|e| Failure::internal(e.0))?.ok_or_else(unknown_identity)?;
    if !account.campaign_id.as_deref().is_some_and(|c| operator.acts_in(c)) {
        return Err(unknown_identity());
    }
    if !operator.may(Permission::AccountsUpdate) {
        return Err(Failure::request(Code::AuthForbidden));
    }
    if account.claimed_at_ms.is_some() || now_ms - account.created_at_ms > NEW_ACCOUNT_MS {
        return Err(Failure::request(Code::IdentityLocked));
    }
    Ok(account)
}

/// `POST /poken/account/profile`.
pub async fn update_profile<S: Store>(store: &S, request: &VendorRequest<'_>, now_ms: i64) -> (Echo, Outcome) {
    let echo = Echo { operation: Operation::Update, code: None };
    let fail = |failure: Failure| (Echo { operation: Operation::Update, code: None }, Outcome::Failed(failure));
    let mut fields = match fields_of(request.body) {
        Ok(fields) => fields,
        Err(failure) => return fail(failure),
    };
    let identity = fields.remove("identityId");
    let account = match updatable(store, request, identity.as_deref(), now_ms).await {
        Ok(account) => account,
        Err(failure) => return fail(failure),
    };
    // The same reserved words as at signup: the account's campaign's, as Poken reads them.
    let campaign_policy = match &account.campaign_id {
        Some(id) => match store.campaign(id).await {
            Ok(found) => found.map(|c| c.policy).unwrap_or_default(),
            Err(e) => return fail(Failure::internal(e.0)),
        },
        None => Policy::default(),
    };
    let (change, problems) = change_of(fields, &policy(&campaign_policy));
    if !problems.is_empty() {
        return fail(Failure { problems, existing: None, malformed: None, log: None });
    }
    match store.update_account(&account.id, &change).await {
        Ok(()) => (echo, Outcome::Updated { id: account.id, number: account.number }),
        Err(InsertError::Duplicate(Unique::Email)) => fail(bad(Field::Email, Code::EmailTaken)),
        Err(InsertError::Duplicate(Unique::Alias)) => fail(bad(Field::Alias, Code::AliasTaken)),
        Err(InsertError::Duplicate(other)) => fail(Failure::internal(format!("unexpected duplicate {other:?}"))),
        Err(InsertError::Unavailable(why)) => fail(Failure::internal(why)),
    }
}

/// Parses every updatable field under the account's campaign policy (its reserved aliases),
/// collecting every problem.
pub fn change_of(mut fields: BTreeMap<String, String>, policy: &Policy) -> (AccountChange, Vec<Problem>) {
    let reserved = &policy.reserved_aliases;
    let mut change = AccountChange::default();
    let mut problems = Vec::new();
    let mut take = |key: &str| fields.remove(key).filter(|v| !v.trim().is_empty());
    let mut profile = BTreeMap::new();
    macro_rules! field {
        ($key:expr, $field:expr, $parse:expr, $apply:expr) => {
            if let Some(value) = take($key) {
                match $parse(&value) {
                    Ok(parsed) => $apply(parsed),
                    Err(code) => problems.push(Problem::new($field, code)),
                }
            }
        };
    }
    field!("alias", Field::Alias, |v: &str| Alias::parse(v, reserved), |a| change.alias = Some(a));
    field!("email", Field::Email, Email::parse, |e| change.email = Some(e));
    field!("lang", Field::Lang, Language::parse, |l: Language| {
        profile.insert("lang".to_owned(), l.to_string());
    });
    field!("timezone", Field::TimeZone, TimeZone::parse, |t: TimeZone| {
        profile.insert("time_zone".to_owned(), t.name().to_owned());
    });
    field!("country", Field::Country, Country::parse_code, |c: Country| {
        profile.insert("country".to_owned(), c.alpha2().to_owned());
    });
    field!("mobilePhone", Field::Phone, |v: &str| Phone::parse(v).map_err(|_| Code::PhoneInvalid), |p| change.phone =
        Some(p));
    field!("visibility", Field::Request, Visibility::parse, |v: Visibility| {
        profile.insert("visibility".to_owned(), v.as_str().to_owned());
    });
    for key in ["emailRecentCollected", "emailNetworkUpdates"] {
        field!(key, Field::Request, EmailFrequency::parse, |v: EmailFrequency| {
            profile.insert(key.to_owned(), v.as_str().to_owned());
        });
    }
    for key in ["autoLogin", "geolocationEnabled", "shareActivity", "tagCollectEnabled", "emailEventUpdates"] {
        field!(key, Field::Request, |v: &str| parse_flag(v, Spelling::TrueFalse), |b: bool| {
            profile.insert(key.to_owned(), b.to_string());
        });
    }
    if !fields.is_empty() {
        problems.push(Problem::new(Field::Request, Code::RequestMalformed));
    }
    change.profile = profile;
    (change, problems)
}

#[derive(Serialize)]
#[serde(rename = "account")]
struct AccountDocument<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "accountId")]
    account_id: i64,
    #[serde(rename = "identityId")]
    identity_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename = "response")]
struct ResponseDocument {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    success: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    error: Vec<ErrorDocument>,
}

#[derive(Serialize)]
struct ErrorDocument {
    code: u32,
    description: String,
}

fn xml<T: Serialize>(status: u16, document: &T) -> Reply {
    let body = quick_xml::se::to_string(document).expect("plain data serialises to XML");
    Reply::new(
        status,
        "application/xml; charset=UTF-8",
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n{body}"),
    )
}

/// Writes any outcome as Poken would: every problem, one `<error>` each.
pub fn encode(outcome: &Outcome, echo: &Echo) -> Reply {
    let failure = match outcome {
        Outcome::Created(created) => {
            let document = AccountDocument {
                xmlns: "",
                account_id: created.number,
                identity_id: created.number,
                username: created.alias.as_deref(),
                code: echo.code.as_deref(),
                expires_in: echo.code.as_ref().map(|_| CODE_TTL_S),
            };
            return xml(200, &document);
        }
        Outcome::Updated { .. } => {
            return xml(200, &ResponseDocument { xmlns: NAMESPACE, success: "SUCCESS", error: vec![] })
        }
        Outcome::Failed(failure) => failure,
    };
    let first = failure.first();
    let status = match first.code {
        Code::Internal => 500,
        Code::AuthRequired | Code::AuthInvalid => 401,
        Code::AuthForbidden
        | Code::AddressForbidden
        | Code::IdentityInvalid
        | Code::IdentityLocked
        | Code::TlsRequired => 403,
        Code::EmailTaken | Code::AliasTaken | Code::PhoneTaken | Code::ExtRefTaken => 409,
        Code::RateLimited => 429,
        _ => 400,
    };
    let single = matches!(status, 401 | 403 | 500);
    let shown: Vec<Problem> = if single { vec![first] } else { failure.problems.clone() };
    let policy = Policy::default();
    let error = shown
        .iter()
        .map(|p| match code_of(p, echo.operation) {
            Some(10039) if p.code == Code::IdentityLocked => {
                ErrorDocument { code: 10039, description: DENIED_NOT_NEW.into() }
            }
            Some(10039) => ErrorDocument { code: 10039, description: DENIED_UPDATE.into() },
            Some(code) => ErrorDocument { code, description: description(code).into() },
            None => ErrorDocument { code: 10000, description: message(*p, Locale::En, &policy) },
        })
        .collect();
    outcome.logged(xml(status, &ResponseDocument { xmlns: NAMESPACE, success: "FAILURE", error }))
}

/// The Poken dialect (its token route, RFC 6749's, is [`exchange_code`]).
pub struct Poken;

impl super::Wire for Poken {
    fn encode(
        outcome: &Outcome,
        echo: &super::Echo,
        _locale: enlist_shared::Locale,
        _policy: &enlist_shared::Policy,
    ) -> Reply {
        encode(outcome, &echo.poken)
    }
}

impl super::UseCases for Poken {
    type Operation = Operation;

    async fn run<S: Store>(
        operation: Operation,
        store: &S,
        request: &VendorRequest<'_>,
        _context: &super::Context<'_>,
        now_ms: i64,
    ) -> (super::Echo, Outcome) {
        let (poken, outcome) = match operation {
            Operation::Create => create_account(store, request, now_ms).await,
            Operation::Update => update_profile(store, request, now_ms).await,
        };
        (super::Echo { poken, ..Default::default() }, outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::tests::campaign;
    use crate::account::{AccountId, Created};
    use crate::memory::MemoryStore;
    use crate::operator::{Operator, OperatorRequest};
    use crate::store::Accounts;
    use crate::store::Directory;
    use pollster::block_on;

    fn failed(problems: &[(Field, Code)]) -> Outcome {
        Outcome::Failed(Failure::of(problems))
    }

    /// (success, [(code, description)]) read back from the XML.
    fn read(reply: &Reply) -> (String, Vec<(String, String)>) {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(&reply.body);
        let (mut success, mut errors, mut current, mut pending) =
            (String::new(), Vec::new(), String::new(), (String::new(), String::new()));
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) => current = String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
                event @ (Event::Text(_) | Event::GeneralRef(_)) => {
                    let text = match event {
                        Event::Text(t) => t.decode().unwrap().into_owned(),
                        Event::GeneralRef(r) => match r.as_ref() {
                            b"apos" => "'".to_owned(),
                            b"quot" => "\"".to_owned(),
                            b"amp" => "&".to_owned(),
                            b"lt" => "<".to_owned(),
                            b"gt" => ">".to_owned(),
                            other => panic!("unexpected entity {other:?}"),
                        },
                        _ => unreachable!(),
                    };
                    match current.as_str() {
                        "success" => success.push_str(&text),
                        "code" => pending.0.push_str(&text),
                        "description" => pending.1.push_str(&text),
                        _ => {}
                    }
                }
                Event::End(e) if e.name().as_ref() == b"error" => errors.push(std::mem::take(&mut pending)),
                Event::End(_) => current.clear(),
                Event::Eof => break,
                _ => {}
            }
        }
        (success, errors)
    }

    #[test]
    fn the_seed_sample_response_shape() {
        let created = Outcome::Created(Created {
            id: AccountId::from_stored("acc_x".into()),
            number: 123,
            alias: Some("ada".into()),
            email: None,
        });
        let reply = encode(&created, &Echo { operation: Operation::Create, code: Some("pc_a.b".into()) });
        assert_eq!(reply.status, 200);
        assert!(reply.body.starts_with(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#));
        assert!(reply.body.contains(r#"<account xmlns=""><accountId>123</accountId><identityId>123</identityId><username>ada</username><code>pc_a.b</code><expires_in>600</expires_in></account>"#), "{}", reply.body);
        let updated = encode(&Outcome::Updated { id: "acc_x".into(), number: 1 }, &Echo::default());
        assert!(
            updated.body.contains(r#"<response xmlns="http://xsd.poken.com"><success>SUCCESS</success></response>"#),
            "{}",
            updated.body
        );
    }

    #[test]
    fn every_seed_error_code_and_description() {
        let create = Echo { operation: Operation::Create, code: None };
        let update = Echo { operation: Operation::Update, code: None };
        for (outcome, echo, status, code) in [
            (Outcome::Failed(Failure::internal("x")), &create, 500, 10000),
            (failed(&[(Field::Alias, Code::AliasTaken)]), &create, 409, 10001),
            (failed(&[(Field::Password, Code::PasswordTooShort)]), &create, 400, 10002),
            (failed(&[(Field::Email, Code::EmailTaken)]), &create, 409, 10004),
            (failed(&[(Field::Request, Code::IdentityInvalid)]), &update, 403, 10010),
            (failed(&[(Field::Alias, Code::AliasTooShort)]), &create, 400, 10014),
            (failed(&[(Field::Alias, Code::AliasInvalid)]), &create, 400, 10015),
            (failed(&[(Field::Alias, Code::AliasNumeric)]), &create, 400, 10016),
            (failed(&[(Field::Email, Code::EmailInvalid)]), &create, 400, 10017),
            (failed(&[(Field::Request, Code::AuthForbidden)]), &create, 403, 10018),
            (failed(&[(Field::Country, Code::CountryInvalid)]), &create, 400, 10021),
            (failed(&[(Field::TimeZone, Code::TimezoneInvalid)]), &create, 400, 10025),
            (failed(&[(Field::Lang, Code::LangInvalid)]), &create, 400, 10026),
            (failed(&[(Field::Request, Code::AuthForbidden)]), &update, 403, 10039),
            (failed(&[(Field::Request, Code::IdentityLocked)]), &update, 403, 10039),
            (failed(&[(Field::Phone, Code::PhoneInvalid)]), &update, 400, 10040),
            (failed(&[(Field::Request, Code::ExtRefTaken)]), &create, 409, 10041),
            (failed(&[(Field::Request, Code::AuthRequired)]), &update, 401, 150001),
        ] {
            let reply = encode(&outcome, echo);
            assert_eq!(reply.status, status, "{code}");
            let (success, errors) = read(&reply);
            assert_eq!(success, "FAILURE");
            assert_eq!(errors[0].0, code.to_string());
            let expected = match (code, &outcome) {
                (10039, Outcome::Failed(f)) if f.has(Code::IdentityLocked) => DENIED_NOT_NEW,
                (10039, _) => DENIED_UPDATE,
                _ => description(code),
            };
            assert_eq!(errors[0].1, expected);
        }
        assert_eq!(description(10014), "The username is too short.It should be at least 2 characters long.");
    }

    #[test]
    fn every_problem_is_an_error_element() {
        let reply = encode(
            &failed(&[
                (Field::Alias, Code::AliasNumeric),
                (Field::Email, Code::EmailInvalid),
                (Field::Website, Code::UrlInvalid),
            ]),
            &Echo::default(),
        );
        let (_, errors) = read(&reply);
        assert_eq!(errors.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["10016", "10017", "10000"]);
        assert_eq!(errors[2].1, "Enter a web address, like https://example.com.", "no seed code: our text");
    }

    #[test]
    fn create_requests_decode_every_parameter() {
        let body = "alias=ada&password=Analytical-1843&email=ada%40example.com&lang=en_GB&ip=3232235777&timeZone=Europe%2FLondon\
            &country=gb&sendEmailId=2&sendEmailTimestamp=1900000000&stopProcessing=true&visitorCategories=vip%2Cspeaker\
            &inviteId=inv-1&extRefId=crm-42&firstName=Ada&lastName=Lovelace&prefix=Countess&middleName=King&organization=AS\
            &title=Analyst&department=Notes&specialty=Engines&region=London&address=12+St+James&city=London&postalCode=SW1Y\
            &state=Westminster&accountMobilePhone=%2B44+20+7946+0958&mobilePhone=%2B44+20+7946+0959&workPhone=%2B44+20+7946+0960\
            &workFax=%2B44+20+7946+0961&workEmail=ada%40work.example&registrationEmail=ada%40old.example&workWebPage=ada.example.org\
            &response_type=code";
        let call = decode_create(body.as_bytes()).unwrap();
        assert!(call.wants_code);
        assert_eq!(call.send_email, SendEmail::Scheduled);
        assert_eq!(call.send_at_s, Some(1_900_000_000));
        assert_eq!(call.extra_profile["ip"], "192.168.1.1");
        assert_eq!(call.extra_profile["mobile_phone"], "+442079460959");
        assert_eq!(call.ext_ref_id.as_deref(), Some("crm-42"));
        assert!(enlist_shared::validate(&call.form, &policy(&Policy::default())).is_ok());
        for malformed in ["alias=a&alias=b", "colour=red", "response_type=token"] {
            assert!(decode_create(malformed.as_bytes()).is_err(), "{malformed}");
        }
        // Bad values outside the rule set are collected, to be reported with the rule set's.
        for (bad, want) in [
            ("sendEmailTimestamp=1", vec![Problem::new(Field::Request, Code::DateInvalid)]),
            ("sendEmailId=2", vec![Problem::new(Field::Request, Code::DateInvalid)]),
            ("ip=1.2.3.4", vec![Problem::new(Field::Request, Code::IpInvalid)]),
            (
                "ip=x&mobilePhone=12&registrationEmail=no&stopProcessing=maybe&sendEmailId=9",
                vec![
                    Problem::new(Field::Request, Code::IpInvalid),
                    Problem::new(Field::Phone, Code::PhoneInvalid),
                    Problem::new(Field::Email, Code::EmailInvalid),
                    Problem::new(Field::Request, Code::EnumInvalid),
                    Problem::new(Field::Request, Code::EnumInvalid),
                ],
            ),
        ] {
            assert_eq!(decode_create(bad.as_bytes()).unwrap().problems, want, "{bad}");
        }
    }

    fn operator(store: &MemoryStore, number: i64, permissions: Vec<Permission>) -> String {
        let request =
            OperatorRequest { name: "Reg desk".into(), permissions, campaigns: vec!["rf".into()], allowed_ips: vec![] };
        let op = Operator::from_request(request, number, |_| true).unwrap();
        let (issued, stored) = op.issue_credentials().unwrap();
        block_on(store.insert_operator(&op, &stored, 0)).unwrap();
        format!("Bearer {}", issued.bearer)
    }

    fn call(
        store: &MemoryStore,
        f: fn(&MemoryStore, &VendorRequest<'_>) -> (Echo, Outcome),
        auth: Option<&str>,
        body: &str,
    ) -> Reply {
        let request = VendorRequest { content_type: None, authorization: auth, client_ip: None, body: body.as_bytes() };
        let (echo, outcome) = f(store, &request);
        encode(&outcome, &echo)
    }

    fn create(store: &MemoryStore, request: &VendorRequest<'_>) -> (Echo, Outcome) {
        block_on(create_account(store, request, 1_000))
    }

    fn update(store: &MemoryStore, request: &VendorRequest<'_>) -> (Echo, Outcome) {
        block_on(update_profile(store, request, 2_000))
    }

    fn value_of<'a>(xml: &'a str, element: &str) -> &'a str {
        xml.split(&format!("<{element}>")).nth(1).and_then(|s| s.split('<').next()).unwrap_or_default()
    }

    const FORM: &str = "application/x-www-form-urlencoded";

    #[test]
    fn token_errors_are_rfc_6749_section_5_2s() {
        let store = MemoryStore::new();
        let error_of = |content_type: Option<&str>, body: &str| {
            let reply = block_on(exchange_code(&store, content_type, body.as_bytes(), 0));
            assert_eq!(reply.header("cache-control"), Some("no-store"));
            assert_eq!(reply.content_type, "application/json");
            let doc: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
            (reply.status, doc["error"].as_str().unwrap().to_owned())
        };
        for (content_type, body, want) in [
            (Some(FORM), "code=pc_a.b", "invalid_request"),
            (Some(FORM), "grant_type=&code=pc_a.b", "invalid_request"),
            (Some(FORM), "grant_type=authorization_code", "invalid_request"),
            (Some(FORM), "grant_type=authorization_code&code=", "invalid_request"),
            (Some(FORM), "grant_type=authorization_code&code=pc_a.b&code=pc_c.d", "invalid_request"),
            (Some("application/json"), r#"{"grant_type":"authorization_code","code":"pc_a.b"}"#, "invalid_request"),
            (None, "grant_type=authorization_code&code=pc_a.b", "invalid_request"),
            (Some(FORM), "grant_type=password&username=a&password=b", "unsupported_grant_type"),
            (Some(FORM), "grant_type=client_credentials", "unsupported_grant_type"),
            (Some(FORM), "grant_type=authorization_code&code=nonsense", "invalid_grant"),
            (Some(FORM), "grant_type=authorization_code&code=pc_unknown.secret", "invalid_grant"),
            (
                Some("application/x-www-form-urlencoded; charset=UTF-8"),
                "grant_type=authorization_code&code=pc_x.y",
                "invalid_grant",
            ),
        ] {
            assert_eq!(error_of(content_type, body), (400, want.to_owned()), "{content_type:?} {body}");
        }
    }

    #[test]
    fn code_token_profile_flow() {
        let store = MemoryStore::new();
        let created =
            call(&store, create, None, "alias=ada&password=Analytical-1843&email=ada%40example.com&response_type=code");
        assert_eq!(created.status, 200, "{}", created.body);
        let code = value_of(&created.body, "code").to_owned();
        let token_reply = block_on(exchange_code(
            &store,
            Some(FORM),
            format!("grant_type=authorization_code&code={code}").as_bytes(),
            1_500,
        ));
        assert_eq!(token_reply.status, 200, "{}", token_reply.body);
        let token: serde_json::Value = serde_json::from_str(&token_reply.body).unwrap();
        let again = block_on(exchange_code(
            &store,
            Some(FORM),
            format!("grant_type=authorization_code&code={code}").as_bytes(),
            1_600,
        ));
        let again_error: serde_json::Value = serde_json::from_str(&again.body).unwrap();
        assert_eq!((again.status, &again_error["error"]), (400, &json!("invalid_grant")), "a code works once");
        let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
        let updated = call(&store, update, Some(&bearer), "visibility=PUBLIC&timezone=europe%2Fwarsaw&alias=ada_l");
        assert_eq!(read(&updated).0, "SUCCESS", "{}", updated.body);
        let record = block_on(store.account_by_email("ada@example.com")).unwrap().unwrap();
        assert_eq!(record.alias.as_deref(), Some("ada_l"));
        assert_eq!(record.profile["visibility"], "PUBLIC");
        assert_eq!(record.profile["time_zone"], "Europe/Warsaw");
        let rejected = call(&store, update, Some(&bearer), "mobilePhone=12&visibility=FRIENDS");
        assert_eq!(read(&rejected).1.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["10040", "10000"]);
        assert_eq!(read(&call(&store, update, None, "visibility=PUBLIC")).1[0].0, "150001");
    }

    #[test]
    fn a_profile_update_uses_the_campaigns_reserved_aliases() {
        let store = MemoryStore::new();
        block_on(store.insert_campaign(&campaign(serde_json::json!({"reserved_aliases": ["acme"]})), 0)).unwrap();
        let creator = operator(&store, 5, vec![Permission::AccountsCreate, Permission::AccountsUpdate]);
        let taken_at_signup = call(
            &store,
            create,
            Some(&creator),
            "campaignId=rf&alias=acme&password=COBOL-1959%21&email=a%40example.com",
        );
        assert_eq!(read(&taken_at_signup).1[0].0, "10015", "{}", taken_at_signup.body);
        let created = call(
            &store,
            create,
            Some(&creator),
            "campaignId=rf&alias=grace&password=COBOL-1959%21&email=g%40example.com",
        );
        let identity = value_of(&created.body, "identityId").to_owned();
        let renamed = call(&store, update, Some(&creator), &format!("identityId={identity}&alias=ACME"));
        assert_eq!(read(&renamed).1[0].0, "10015", "the same word is refused on update: {}", renamed.body);
    }

    #[test]
    fn operators_update_only_new_accounts_of_their_campaigns() {
        let store = MemoryStore::new();
        block_on(store.insert_campaign(&campaign(serde_json::json!({})), 0)).unwrap();
        let creator = operator(&store, 5, vec![Permission::AccountsCreate, Permission::AccountsUpdate]);
        let created = call(
            &store,
            create,
            Some(&creator),
            "campaignId=rf&extRefId=crm-1&alias=grace&password=COBOL-1959%21&email=grace%40example.com",
        );
        assert_eq!(created.status, 200, "{}", created.body);
        let identity = value_of(&created.body, "identityId").to_owned();
        let dup_ref = call(
            &store,
            create,
            Some(&creator),
            "campaignId=rf&extRefId=crm-1&alias=grace2&password=COBOL-1959%21&email=g2%40example.com",
        );
        assert_eq!(read(&dup_ref).1[0].0, "10041");
        let no_bearer =
            call(&store, create, None, "campaignId=rf&alias=x1&password=COBOL-1959%21&email=x1%40example.com");
        assert_eq!(read(&no_bearer).1[0].0, "10018");

        let ok = call(&store, update, Some(&creator), &format!("identityId={identity}&visibility=CONTACTS"));
        assert_eq!(read(&ok).0, "SUCCESS", "{}", ok.body);
        assert_eq!(read(&call(&store, update, Some(&creator), "identityId=999&visibility=CONTACTS")).1[0].0, "10010");
        let viewer = operator(&store, 6, vec![Permission::AccountsCreate]);
        assert_eq!(read(&call(&store, update, Some(&viewer), &format!("identityId={identity}"))).1[0].1, DENIED_UPDATE);
        let account = block_on(store.account_by_number(identity.parse().unwrap())).unwrap().unwrap();
        block_on(store.claim_account(&account.id, 1_800)).unwrap();
        let locked = call(&store, update, Some(&creator), &format!("identityId={identity}&visibility=PUBLIC"));
        assert_eq!(read(&locked).1[0], ("10039".to_owned(), DENIED_NOT_NEW.to_owned()));
    }
}
