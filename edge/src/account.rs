//! The signup use case, shared by every dialect: parse with the campaign's policy, hash,
//! store the account with its profile and outbox entries in one write.

use crate::campaign::{Campaign, Scope};
use crate::hashing;
use crate::names::Dialect;
use crate::operator::{CredentialKind, StoredCredential};
pub use crate::store::AccountId;
use crate::store::{AccountRecord, InsertError, MessageKind, NewAccount, OutboxEntry, Store, Unique};
use enlist_shared::{validate, Code, Field, Locale, Policy, Problem, ReconciliationKey, SignupForm, ValidSignup};
use std::collections::BTreeMap;

/// A secret that belongs to the account being created (its owner is that account).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCredential {
    pub kind: CredentialKind,
    /// How the credential is found: by its own look-up value, or by the new account's id.
    pub lookup: Lookup,
    pub secret_hash: String,
    pub expires_at_ms: Option<i64>,
}

/// How a new account's credential is found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Its own public part (an API key's look-up).
    Value(String),
    /// The account's id (a security answer, asked for by account).
    AccountId,
}

/// Where the account's password comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordSource<'a> {
    /// The form's password, checked by the policy (required).
    FromForm,
    /// No password (Engagement users).
    None,
    /// A temporary password derived from this secret and the account id (MoveDigital): the
    /// outbox consumer, which holds the same secret, derives it again to e-mail it, so the
    /// password itself is never stored anywhere.
    Temporary { outbox_secret: &'a str },
}

/// One signup, as a dialect decoded it.
#[derive(Clone, Debug)]
pub struct Signup<'a> {
    /// Where the account will live: its campaign, or the campaign-less scope.
    pub scope: Scope,
    /// Whether the campaign still takes signups (the campaign-less scope always does).
    pub open: bool,
    /// The rules its form is judged by (the campaign's policy, as the dialect reads it).
    pub policy: &'a Policy,
    pub form: SignupForm,
    pub dialect: Dialect,
    pub password: PasswordSource<'a>,
    pub ext_ref_id: Option<String>,
    pub controller_id: Option<String>,
    /// Dialect-only profile values (Poken `visibility`...), already parsed.
    pub extra_profile: BTreeMap<String, String>,
    pub outbox: Vec<OutboxEntry>,
    /// Account secrets to store hashed with it, owned by the new account.
    pub credentials: Vec<NewCredential>,
    /// Problems the dialect found in values outside the rule set (Poken `ip`, MoveDigital
    /// `updates`...): reported together with the rule set's, never alone.
    pub problems: Vec<Problem>,
    /// The request's language (native: `Accept-Language`; GetResponse: the campaign's
    /// `language_code`), used when the form has no `lang` of its own.
    pub locale: Option<Locale>,
    /// The address must be verified whatever the policy says (GetResponse `optin: "double"`).
    pub verify: bool,
    /// The campaign has a webhook: the new account is delivered to it.
    pub webhook: bool,
}

impl<'a> Signup<'a> {
    /// A signup into `campaign`, judged by its policy.
    pub fn new(campaign: &'a Campaign, form: SignupForm, dialect: Dialect) -> Self {
        Self {
            open: campaign.open,
            webhook: campaign.webhook.is_some(),
            ..Self::in_scope(campaign.scope(), &campaign.policy, form, dialect)
        }
    }

    /// A signup into `scope`, judged by `policy`.
    pub fn in_scope(scope: Scope, policy: &'a Policy, form: SignupForm, dialect: Dialect) -> Self {
        Self {
            scope,
            open: true,
            policy,
            form,
            dialect,
            password: PasswordSource::FromForm,
            ext_ref_id: None,
            controller_id: None,
            extra_profile: BTreeMap::new(),
            outbox: Vec::new(),
            credentials: Vec::new(),
            problems: Vec::new(),
            locale: None,
            verify: false,
            webhook: false,
        }
    }
}

/// What a successful signup created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    pub id: AccountId,
    pub number: i64,
    pub alias: Option<String>,
    pub email: Option<String>,
}

/// Why a signup did not create an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignupError {
    /// The form broke rules; every problem is listed, in field order.
    Invalid(Vec<Problem>),
    /// A unique value is already held by another account (shown where a dialect says so).
    Taken { problem: Problem, existing: Option<Box<AccountRecord>> },
    /// The campaign took more signups this minute than its limit.
    RateLimited,
    /// The campaign's organiser closed it: it takes no more signups.
    Closed,
    /// Something failed on our side; the text is for the log only.
    Internal(String),
}

impl SignupError {
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Self::Invalid(problems) => problems.clone(),
            Self::Taken { problem, .. } => vec![*problem],
            Self::RateLimited => vec![Problem::new(Field::Request, Code::RateLimited)],
            Self::Closed => vec![Problem::new(Field::Request, Code::CampaignClosed)],
            Self::Internal(_) => vec![Problem::new(Field::Request, Code::Internal)],
        }
    }
}

/// Every parsed value that is not an account column, by wire name.
pub fn profile_of(valid: &ValidSignup) -> BTreeMap<String, String> {
    let mut profile: BTreeMap<String, String> =
        valid.profile.iter().map(|(field, text)| (field.as_str().to_owned(), text.to_string())).collect();
    let mut put = |field: Field, value: Option<String>| {
        if let Some(value) = value {
            profile.insert(field.as_str().to_owned(), value);
        }
    };
    put(Field::Country, valid.country.map(|c| c.alpha2().to_owned()));
    put(Field::State, valid.us_state.map(|s| s.code().to_owned()));
    put(Field::TimeZone, valid.time_zone.as_ref().map(|t| t.name().to_owned()));
    put(Field::Lang, valid.lang.map(|l| l.to_string()));
    put(Field::WorkPhone, valid.work_phone.as_ref().map(ToString::to_string));
    put(Field::WorkFax, valid.work_fax.as_ref().map(ToString::to_string));
    put(Field::WorkEmail, valid.work_email.as_ref().map(ToString::to_string));
    put(Field::Website, valid.website.as_ref().map(ToString::to_string));
    put(Field::Eula, valid.eula_accepted.then(|| "accepted".to_owned()));
    profile
}

/// The temporary password of an account: HMAC-SHA256 of its id under the outbox secret, 16
/// base32 characters (80 bits). Whoever holds the secret (the outbox consumer) can derive it
/// to e-mail it; nobody else, and it is stored nowhere.
pub fn temporary_password(outbox_secret: &str, account_id: &str) -> String {
    use hmac::{Hmac, Mac};
    const ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz23456789!";
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(outbox_secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(b"enlist temporary password:");
    mac.update(account_id.as_bytes());
    mac.finalize().into_bytes().iter().take(16).map(|b| ALPHABET[(b & 31) as usize] as char).collect()
}

/// A random nine-digit number for the dialects that show numeric ids.
pub fn random_number() -> Result<i64, getrandom::Error> {
    crate::secrets::random_number(9)
}

pub async fn sign_up<S: Store>(store: &S, signup: Signup<'_>, now_ms: i64) -> Result<Created, SignupError> {
    // A closed campaign refuses before anything else is looked at: nothing to judge, count or hash.
    if !signup.open {
        return Err(SignupError::Closed);
    }
    let policy = signup.policy;
    let valid = match (validate(&signup.form, policy), signup.problems) {
        (Ok(valid), found) if found.is_empty() => valid,
        (verdict, found) => {
            let mut problems = verdict.err().unwrap_or_default();
            problems.extend(found);
            // Field order, as the rule set reports; a field's own problems keep their order.
            problems.sort_by_key(|p| p.field);
            return Err(SignupError::Invalid(problems));
        }
    };
    // Only a signup that could create an account counts against its campaign (before the
    // hash): refused forms cost no hash and no write, and the address limit already bounds them.
    crate::limits::admit(store, crate::limits::Bucket::Campaign(signup.scope.campaign_id()), now_ms)
        .await
        .map_err(|_| SignupError::RateLimited)?;
    let id = AccountId::generate().map_err(|e| SignupError::Internal(e.to_string()))?;
    let internal = |e: hashing::HashError| SignupError::Internal(e.to_string());
    let password_hash = match (signup.password, &valid.password) {
        (PasswordSource::None, _) => None,
        (PasswordSource::FromForm, Some(password)) => Some(hashing::hash(password).map_err(internal)?),
        (PasswordSource::FromForm, None) => {
            return Err(SignupError::Invalid(vec![Problem::new(Field::Password, Code::Required)]));
        }
        (PasswordSource::Temporary { outbox_secret }, _) => Some(
            hashing::hash_with(hashing::Profile::Password, &temporary_password(outbox_secret, id.as_str()))
                .map_err(internal)?,
        ),
    };
    let credentials = signup
        .credentials
        .into_iter()
        .map(|c| StoredCredential {
            kind: c.kind,
            lookup: match c.lookup {
                Lookup::Value(lookup) => lookup,
                Lookup::AccountId => id.to_string(),
            },
            owner_id: id.to_string(),
            secret_hash: c.secret_hash,
            expires_at_ms: c.expires_at_ms,
        })
        .collect();
    let mut profile = profile_of(&valid);
    profile.extend(signup.extra_profile);
    // The account's language: the form's own `lang`, else the request's, else English.
    let locale = valid.lang.and_then(|l| Locale::from_tag(&l.to_string())).or(signup.locale).unwrap_or_default();
    let mut outbox = signup.outbox;
    // Double opt-in: the account starts unverified, and a link is sent at once. The link's
    // token is derived by the outbox consumer (which holds the secret); this row keeps its
    // expiry, and its hash once the e-mail is written.
    let verification = ((policy.verify_email || signup.verify) && valid.email.is_some()).then(|| {
        outbox.push(OutboxEntry::mail(MessageKind::Verification, now_ms));
        now_ms + crate::store::VERIFICATION_TTL_MS
    });
    if signup.webhook {
        let webhook_id = crate::secrets::random_token(26).map_err(|e| SignupError::Internal(e.to_string()))?;
        outbox.push(OutboxEntry {
            kind: MessageKind::Webhook,
            send_at_ms: now_ms,
            webhook_id: Some(format!("msg_{webhook_id}")),
        });
    }
    let phone_is_key = policy.reconciliation_key == ReconciliationKey::Mobile && valid.phone.is_some();
    let mut account = NewAccount {
        id,
        number: random_number().map_err(|e| SignupError::Internal(e.to_string()))?,
        scope: signup.scope,
        email: valid.email,
        alias: valid.alias,
        phone: valid.phone,
        phone_is_key,
        ext_ref_id: signup.ext_ref_id,
        password_hash,
        dialect: signup.dialect,
        controller_id: signup.controller_id,
        profile,
        outbox,
        credentials,
        locale,
        verification,
        created_at_ms: now_ms,
    };
    for _attempt in 0..3 {
        match store.insert_account(&account).await {
            Ok(jobs) => {
                // Queued right after the write; should that fail, the rows are written and the
                // relay queues them (the store logs why): not the signup's failure.
                if !jobs.is_empty() {
                    let _ = store.enqueue(&jobs, now_ms).await;
                }
                return Ok(Created {
                    id: account.id,
                    number: account.number,
                    alias: account.alias.map(|a| a.to_string()),
                    email: account.email.map(|e| e.to_string()),
                });
            }
            Err(InsertError::Duplicate(Unique::Number)) => {
                account.number = random_number().map_err(|e| SignupError::Internal(e.to_string()))?
            }
            Err(InsertError::Duplicate(unique)) => return Err(taken(store, &account, unique).await),
            Err(InsertError::Unavailable(why)) => return Err(SignupError::Internal(why)),
        }
    }
    Err(SignupError::Internal("three account-number collisions in a row".into()))
}

async fn taken<S: Store>(store: &S, account: &NewAccount, unique: Unique) -> SignupError {
    let (field, code) = match unique {
        Unique::Email => (Field::Email, Code::EmailTaken),
        Unique::Alias => (Field::Alias, Code::AliasTaken),
        Unique::Phone => (Field::Phone, Code::PhoneTaken),
        Unique::ExtRef => (Field::Request, Code::ExtRefTaken),
        Unique::Number | Unique::Key => return SignupError::Internal(format!("unexpected duplicate {unique:?}")),
    };
    let existing = match unique {
        Unique::Email => match &account.email {
            Some(email) => store.account_by_email(&account.scope, &email.normalized()).await.ok().flatten(),
            None => None,
        },
        Unique::Phone => match &account.phone {
            Some(phone) => store.account_by_phone_key(&account.scope, phone.as_ref()).await.ok().flatten(),
            None => None,
        },
        _ => None,
    };
    SignupError::Taken { problem: Problem::new(field, code), existing: existing.map(Box::new) }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::campaign::CampaignRequest;
    use crate::memory::MemoryStore;
    use pollster::block_on;

    pub fn campaign(policy: serde_json::Value) -> Campaign {
        let request: CampaignRequest =
            serde_json::from_value(serde_json::json!({"id": "rf", "name": "RustFest", "policy": policy})).unwrap();
        Campaign::from_request(request, crate::campaign::Database::default()).unwrap()
    }

    fn form(email: &str, password: &str) -> SignupForm {
        SignupForm::new().with(Field::Email, email).with(Field::Password, password)
    }

    #[test]
    fn a_campaign_over_its_limit_refuses_before_hashing_and_writes_nothing() {
        use crate::limits::Limits;
        let store = MemoryStore::new().with_limits(Limits { per_address: 0, per_campaign: 2 });
        let rf = campaign(serde_json::json!({}));
        let other = Campaign { id: "other".into(), ..rf.clone() };
        for n in 0..2 {
            let signup = Signup::new(&rf, form(&format!("n{n}@example.com"), "zq8!vW3#x"), Dialect::Native);
            assert!(block_on(sign_up(&store, signup, 0)).is_ok());
        }
        let third =
            block_on(sign_up(&store, Signup::new(&rf, form("n3@example.com", "zq8!vW3#x"), Dialect::Native), 1));
        assert_eq!(third, Err(SignupError::RateLimited));
        assert_eq!(store.len(), 2);
        let elsewhere = Signup::new(&other, form("n3@example.com", "zq8!vW3#x"), Dialect::Native);
        assert!(block_on(sign_up(&store, elsewhere, 2)).is_ok(), "another campaign has its own count");
        let next_minute = Signup::new(&rf, form("n4@example.com", "zq8!vW3#x"), Dialect::Native);
        assert!(block_on(sign_up(&store, next_minute, 60_000)).is_ok());
    }

    #[test]
    fn creates_an_account_with_a_hashed_password_and_a_profile() {
        let store = MemoryStore::new();
        let c = campaign(serde_json::json!({}));
        let f = form("Ada@Example.com", "Analytical Engine").with(Field::Country, "gb").with(Field::FirstName, " Ada ");
        let created = block_on(sign_up(&store, Signup::new(&c, f, Dialect::Native), 42)).unwrap();
        let row = store.stored_account(created.id.as_str()).expect("stored");
        assert!((100_000_000..1_000_000_000).contains(&row.number));
        assert_eq!(row.created_at_ms, 42);
        let hash = row.password_hash.unwrap();
        assert!(hash.starts_with("$argon2id$") && !hash.contains("Analytical"));
        assert!(hashing::verify("Analytical Engine", &hash));
        assert_eq!(row.profile["country"], "GB");
        assert_eq!(row.profile["first_name"], "Ada");
    }

    #[test]
    fn invalid_forms_list_every_problem_and_store_nothing() {
        let store = MemoryStore::new();
        let c = campaign(serde_json::json!({}));
        let err =
            block_on(sign_up(&store, Signup::new(&c, form("not-an-email", "short"), Dialect::Native), 0)).unwrap_err();
        assert_eq!(
            err,
            SignupError::Invalid(vec![
                Problem::new(Field::Email, Code::EmailInvalid),
                Problem::new(Field::Password, Code::PasswordTooShort),
            ])
        );
        assert!(store.is_empty());
    }

    #[test]
    fn duplicates_are_taken_and_name_the_existing_account() {
        let store = MemoryStore::new();
        let c = campaign(serde_json::json!({"fields": {"alias": "optional"}}));
        let first = block_on(sign_up(
            &store,
            Signup::new(&c, form("ada@example.com", "Analytical Engine").with(Field::Alias, "ada"), Dialect::Native),
            0,
        ))
        .unwrap();
        let again = block_on(sign_up(
            &store,
            Signup::new(&c, form("ADA@example.COM", "Difference Engine"), Dialect::Native),
            0,
        ))
        .unwrap_err();
        match again {
            SignupError::Taken { problem, existing } => {
                assert_eq!(problem, Problem::new(Field::Email, Code::EmailTaken));
                assert_eq!(existing.unwrap().id, first.id.as_str());
            }
            other => panic!("{other:?}"),
        }
        let alias = block_on(sign_up(
            &store,
            Signup::new(&c, form("b@example.com", "Difference Engine").with(Field::Alias, "ADA"), Dialect::Native),
            0,
        ))
        .unwrap_err();
        assert_eq!(alias.problems(), [Problem::new(Field::Alias, Code::AliasTaken)]);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn a_mobile_reconciliation_key_makes_the_phone_unique_in_the_campaign() {
        let store = MemoryStore::new();
        let c = campaign(serde_json::json!({"reconciliation_key": "mobile",
            "fields": {"email": "optional", "password": "hidden", "phone": "optional"}}));
        let mut signup = Signup::new(&c, SignupForm::new().with(Field::Phone, "+48 111 111 111"), Dialect::Engagement);
        signup.password = PasswordSource::None;
        block_on(sign_up(&store, signup.clone(), 0)).unwrap();
        let err = block_on(sign_up(&store, signup, 0)).unwrap_err();
        assert_eq!(err.problems(), [Problem::new(Field::Phone, Code::PhoneTaken)]);
    }

    #[test]
    fn temporary_passwords_are_derived_not_stored() {
        let store = MemoryStore::new();
        let c = campaign(serde_json::json!({"fields": {"password": "hidden"}}));
        let mut signup = Signup::new(&c, SignupForm::new().with(Field::Email, "md@example.com"), Dialect::MoveDigital);
        signup.password = PasswordSource::Temporary { outbox_secret: "outbox-secret" };
        let created = block_on(sign_up(&store, signup, 0)).unwrap();
        let temporary = temporary_password("outbox-secret", created.id.as_str());
        assert_eq!(temporary.len(), 16);
        assert_ne!(temporary, temporary_password("other-secret", created.id.as_str()));
        let row = store.stored_account(created.id.as_str()).unwrap();
        assert!(hashing::verify(&temporary, row.password_hash.as_deref().unwrap()));
        assert!(!format!("{row:?}").contains(&temporary));
    }

    #[test]
    fn ids_are_prefixed_and_distinct() {
        let a = AccountId::generate().unwrap();
        assert_ne!(a, AccountId::generate().unwrap());
        assert!(a.as_str().starts_with("acc_") && a.as_str().len() == 30, "{a}");
    }
}
