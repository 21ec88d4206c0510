//! "Create Account": decode the form, sign up (in `campaignId` or the campaign-less scope),
//! issue the OAuth2 code the answer carries.

use super::{Failure, Outcome, VendorRequest};
use crate::account::{sign_up, Signup};
use crate::auth::Presented;
use crate::campaign::Scope;
use crate::operator::{CredentialKind, Permission};
use crate::store::{MessageKind, OutboxEntry, Store};
use crate::dialects::values::SendEmail;
use crate::dialects::values::{parse_flag, parse_ipv4_integer, parse_unix_seconds, Spelling};
use enlist_shared::values::text::Text;
use enlist_shared::{Code, Email, Field, Phone, Policy, Problem, SignupForm};
use std::collections::BTreeMap;

use super::oauth::issue;
use super::*;

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
            vec![OutboxEntry::mail(MessageKind::Welcome, send_at_s.unwrap_or(0) * 1000)]
        }
        SendEmail::IfPresentToEvent => vec![OutboxEntry::mail(MessageKind::WelcomeIfPresent, now_ms)],
        SendEmail::CampaignDefault | SendEmail::SendNow => {
            vec![OutboxEntry::mail(MessageKind::Welcome, now_ms)]
        }
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
    // An anonymous "Create Account" (no `campaignId`) signs up into the campaign-less scope,
    // under the default policy.
    let (scope, campaign_policy, open, webhook, controller) = match &call.campaign_id {
        None => (Scope::NoCampaign, Policy::default(), true, false, None),
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
                Ok(Some(campaign)) => {
                    (campaign.scope(), campaign.policy, campaign.open, campaign.webhook.is_some(), Some(operator.id))
                }
                Ok(None) => return (echo, forbidden()),
                Err(e) => return (echo, Outcome::Failed(Failure::internal(e.0))),
            }
        }
    };
    let policy = policy(&campaign_policy);
    let mut signup = Signup::in_scope(scope, &policy, call.form, crate::names::Dialect::Poken);
    signup.open = open;
    signup.controller_id = controller;
    // "processed only if a valid campaign id is provided"
    signup.ext_ref_id = call.campaign_id.as_ref().and(call.ext_ref_id);
    signup.extra_profile = call.extra_profile;
    signup.problems = call.problems;
    signup.outbox = welcome(call.send_email, call.send_at_s, now_ms);
    signup.locale = request.locale();
    signup.webhook = webhook;
    let outcome: Outcome = sign_up(store, signup, now_ms).await.into();
    let Outcome::Created(created) = &outcome else { return (echo, outcome) };
    if !call.wants_code {
        return (echo, outcome);
    }
    match issue(store, CredentialKind::OauthCode, created.id.as_str(), now_ms + CODE_TTL_S * 1000, "pc_").await {
        Ok(code) => (Echo { code: Some(code), ..echo }, outcome),
        Err(why) => (echo, Outcome::Failed(Failure::internal(why.to_string()))),
    }
}
