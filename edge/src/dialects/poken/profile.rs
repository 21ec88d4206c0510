//! "Update Account Profile": who may update which account, and the change itself.

use super::{Failure, Outcome, VendorRequest};
use crate::auth::Presented;
use crate::hashing::verify as verify_secret;
use crate::operator::{split_token, CredentialKind, Permission};
use crate::campaign::Scope;
use crate::store::{AccountChange, AccountRecord, InsertError, Store, Unique};
use crate::dialects::values::{EmailFrequency, Visibility};
use crate::dialects::values::{parse_flag, Spelling};
use enlist_shared::{Alias, Code, Country, Email, Field, Language, Phone, Policy, Problem, TimeZone};
use std::collections::BTreeMap;

use super::*;

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
    // A number is unique within a database only: of the accounts holding it, the operator's.
    let mut found = store.accounts_by_number(number).await.map_err(|e| Failure::internal(e.0))?;
    found.retain(|a| a.campaign_id.as_deref().is_some_and(|c| operator.acts_in(c)));
    let [account] = <[AccountRecord; 1]>::try_from(found).map_err(|_| unknown_identity())?;
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
    // The same reserved words as at signup: the account's campaign's, as Poken reads them;
    // uniqueness is judged in the account's own scope.
    let (campaign_policy, scope) = match &account.campaign_id {
        Some(id) => match store.campaign(id).await {
            Ok(Some(campaign)) => (campaign.policy.clone(), campaign.scope()),
            Ok(None) => return fail(Failure::internal(format!("account {} names missing campaign {id}", account.id))),
            Err(e) => return fail(Failure::internal(e.0)),
        },
        None => (Policy::default(), Scope::NoCampaign),
    };
    let (change, problems) = change_of(fields, &policy(&campaign_policy));
    if !problems.is_empty() {
        return fail(Failure { problems, existing: None, malformed: None, log: None });
    }
    match store.update_account(&scope, &account.id, &change).await {
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
