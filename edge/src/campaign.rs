//! Campaigns: who may sign up where, under which policy.

use crate::secrets::{constant_time_eq, random_token};
use enlist_shared::{Field, Policy, PolicyError, Presence, ReconciliationKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The world an account lives in, inside which every uniqueness rule holds (e-mail, alias,
/// reconciliation phone, external reference): one campaign, or the campaign-less scope that
/// the accounts created with no campaign share (Poken create without `campaignId`). Nothing
/// crosses a scope, and a scope's accounts are all in one database.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    Campaign { id: String, database: Database },
    NoCampaign,
}

impl Scope {
    pub fn campaign_id(&self) -> Option<&str> {
        match self {
            Scope::Campaign { id, .. } => Some(id),
            Scope::NoCampaign => None,
        }
    }

    /// The database holding the scope's accounts (the campaign-less scope's is the directory's).
    pub fn database(&self) -> &str {
        match self {
            Scope::Campaign { database, .. } => database.as_str(),
            Scope::NoCampaign => Database::DIRECTORY,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    pub allowed_origins: Vec<String>,
    pub policy: Policy,
    pub publishable_key: String,
    /// Where its accounts live: chosen when the campaign is created, never moved.
    #[serde(default)]
    pub database: Database,
    /// Whether it takes signups; its organiser closes it when the event is full.
    #[serde(default = "open")]
    pub open: bool,
    /// Where its new accounts are POSTed (see [`crate::webhook`]).
    #[serde(default)]
    pub webhook: Option<Webhook>,
    #[serde(default)]
    pub created_at_ms: i64,
}

fn open() -> bool {
    true
}

/// A campaign's webhook as stored: where, and the salt its secret is derived from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub url: String,
    pub salt: String,
}

impl Webhook {
    /// A webhook to `url` with a fresh salt.
    pub fn new(url: String) -> Result<Self, getrandom::Error> {
        Ok(Self { url, salt: crate::secrets::random_token(52)? })
    }

    /// The signing secret's bytes for `campaign_id`.
    pub fn secret(&self, outbox_secret: &str, campaign_id: &str) -> [u8; 32] {
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(outbox_secret.as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(b"webhook:");
        mac.update(campaign_id.as_bytes());
        mac.update(b":");
        mac.update(self.salt.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// A D1 database that holds accounts, by its binding's name (`ACCOUNTS_1`, ...). Each campaign's
/// accounts are in one of them. The directory database (`DB`) holds the campaigns, operators
/// and credentials, and also the accounts of campaigns created before accounts were spread
/// over several databases, and of the campaign-less scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Database(pub String);

impl Database {
    /// The directory database's binding.
    pub const DIRECTORY: &'static str = "DB";

    pub fn directory() -> Self {
        Self(Self::DIRECTORY.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Database {
    /// Campaigns stored before they named a database have their accounts in the directory's.
    fn default() -> Self {
        Self::directory()
    }
}

/// Where a new campaign's accounts go: of the candidate databases, each with how many
/// campaigns it holds, the one holding the fewest, the first of them on a tie. Adding a
/// database to the candidates sends new campaigns there until it has caught up; none is ever
/// moved.
pub fn place(candidates: &[(Database, usize)]) -> Database {
    candidates.iter().min_by_key(|(_, campaigns)| *campaigns).map(|(d, _)| d.clone()).unwrap_or_default()
}

/// What `POST /admin/campaigns` sends.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignRequest {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    #[serde(default)]
    pub policy: Option<Value>,
}

/// Why an admin request for a campaign was refused; the text names the key at fault (the
/// admin API's 422 detail).
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum Invalid {
    #[error("id: 1 to 64 lower-case letters, digits, `-` or `_`, starting with a letter or digit")]
    Id,
    #[error("name: 1 to 200 printable characters")]
    Name,
    #[error("allowed_origins: `{0}` is not an origin like https://events.example.com")]
    Origin(String),
    #[error("policy: an object of overrides, like {{\"fields\": {{\"alias\": \"optional\"}}}}")]
    PolicyShape,
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("policy.fields: shows neither `email` nor `phone`: there would be no way to reach the registrant")]
    NoContact,
    #[error("policy.reconciliation_key: `mobile` needs the `phone` field shown (policy.fields.phone)")]
    MobileWithoutPhone,
    #[error("{0}")]
    Webhook(String),
}

/// A campaign that could not be made: the request's fault, or ours (no randomness for its key).
#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("no randomness for the publishable key: {0}")]
    Randomness(#[from] getrandom::Error),
}

impl Campaign {
    /// Checks an admin request and mints the campaign's publishable key; its accounts will live
    /// in `database`.
    pub fn from_request(request: CampaignRequest, database: Database) -> Result<Self, CampaignError> {
        let id = request.id.trim();
        let id_ok = (1..=64).contains(&id.len())
            && id.starts_with(|c: char| c.is_ascii_alphanumeric())
            && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !id_ok {
            return Err(Invalid::Id.into());
        }
        let name = checked_name(&request.name)?;
        let allowed_origins = origins(&request.allowed_origins)?;
        let policy = match request.policy {
            None => Policy::default(),
            Some(overrides) => policy_from_overrides(&overrides)?,
        };
        let publishable_key = new_publishable_key()?;
        Ok(Self {
            id: id.to_owned(),
            name,
            allowed_origins,
            policy,
            publishable_key,
            database,
            open: true,
            webhook: None,
            created_at_ms: 0,
        })
    }

    /// The world its accounts live in.
    pub fn scope(&self) -> Scope {
        Scope::Campaign { id: self.id.clone(), database: self.database.clone() }
    }

    /// This campaign with an admin's changes: every key given replaces its value (a policy is
    /// overrides merged onto the default policy, as at creation), each checked as at creation.
    pub fn patched(&self, patch: CampaignPatch) -> Result<Self, Invalid> {
        let mut changed = self.clone();
        if let Some(name) = patch.name {
            changed.name = checked_name(&name)?;
        }
        if let Some(allowed_origins) = patch.allowed_origins {
            changed.allowed_origins = origins(&allowed_origins)?;
        }
        if let Some(overrides) = patch.policy {
            changed.policy = policy_from_overrides(&overrides)?;
        }
        if let Some(open) = patch.open {
            changed.open = open;
        }
        if let Some(webhook) = patch.webhook {
            changed.webhook = webhook;
        }
        Ok(changed)
    }

    pub fn key_matches(&self, presented: &str) -> bool {
        constant_time_eq(&self.publishable_key, presented)
    }

    /// Whether a browser page at `origin` may call this campaign (exact match after
    /// normalisation; `*` is not a thing).
    pub fn allows_origin(&self, origin: &str) -> bool {
        self::origin(origin).is_ok_and(|o| self.allowed_origins.contains(&o))
    }
}

/// What `PATCH /admin/campaigns/{id}` sends (read key by key by `admin::patch_of`): each key
/// it names changes.
#[derive(Debug, Default)]
pub struct CampaignPatch {
    pub name: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    pub policy: Option<Value>,
    pub open: Option<bool>,
    /// A new webhook (its URL checked, a fresh salt drawn), or `Some(None)` to remove it.
    pub webhook: Option<Option<Webhook>>,
}

/// A fresh publishable key: `pk_` and 24 random base32 characters (120 bits).
pub fn new_publishable_key() -> Result<String, getrandom::Error> {
    Ok(format!("pk_{}", random_token(24)?))
}

fn checked_name(name: &str) -> Result<String, Invalid> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(Invalid::Name);
    }
    Ok(name.to_owned())
}

fn origins(given: &[String]) -> Result<Vec<String>, Invalid> {
    given.iter().map(|o| origin(o)).collect()
}

/// A campaign's policy: its overrides merged onto the default policy key by key (objects merge,
/// other values replace), so `{"fields": {"alias": "optional"}}` adds an optional alias and
/// keeps the default's required e-mail and password. A policy that leaves no way to reach the
/// registrant is refused, naming the key.
pub fn policy_from_overrides(overrides: &Value) -> Result<Policy, Invalid> {
    fn merge(base: &mut Value, over: &Value) {
        match (base, over) {
            (Value::Object(base), Value::Object(over)) => {
                for (key, value) in over {
                    match base.get_mut(key) {
                        Some(slot) => merge(slot, value),
                        None => drop(base.insert(key.clone(), value.clone())),
                    }
                }
            }
            (slot, value) => *slot = value.clone(),
        }
    }
    if !overrides.is_object() {
        return Err(Invalid::PolicyShape);
    }
    let mut merged = serde_json::to_value(Policy::default()).unwrap_or_default();
    merge(&mut merged, overrides);
    let policy = Policy::from_json(&merged.to_string())?;
    let shown = |field| policy.presence(field) != Presence::Hidden;
    if !shown(Field::Email) && !shown(Field::Phone) {
        return Err(Invalid::NoContact);
    }
    if policy.reconciliation_key == ReconciliationKey::Mobile && !shown(Field::Phone) {
        return Err(Invalid::MobileWithoutPhone);
    }
    Ok(policy)
}

/// `https://Events.Example.com:443/` → `https://events.example.com`. Scheme, host and an
/// optional non-default port; nothing else.
pub fn origin(text: &str) -> Result<String, Invalid> {
    let bad = || Invalid::Origin(text.to_owned());
    let lower = text.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://").ok_or_else(bad)?;
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err(bad());
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || rest.starts_with('[') => (host, Some(port)),
        _ => (rest, None),
    };
    if host.is_empty() || !host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b)) {
        return Err(bad());
    }
    match port {
        None => Ok(format!("{scheme}://{host}")),
        Some(p) => {
            let number: u16 = p.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?;
            let default = (scheme == "http" && number == 80) || (scheme == "https" && number == 443);
            Ok(if default { format!("{scheme}://{host}") } else { format!("{scheme}://{host}:{number}") })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(value: Value) -> CampaignRequest {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn policy_overrides_merge_onto_the_default_key_by_key() {
        // The API reference's own example (docs/api.md): an optional alias, e-mail and password still required.
        let policy = policy_from_overrides(&json!({"fields": {"alias": "optional"}})).unwrap();
        assert_eq!(policy.presence(Field::Alias), Presence::Optional);
        assert_eq!(policy.presence(Field::Email), Presence::Required);
        assert_eq!(policy.presence(Field::Password), Presence::Required);
        let shorter = policy_from_overrides(&json!({"password": {"min_chars": 12}})).unwrap();
        assert_eq!(shorter.password.min_chars, 12);
        assert_eq!(shorter.password.max_chars, Policy::default().password.max_chars, "siblings kept");
        assert_eq!(shorter.fields, Policy::default().fields);
        let hidden = policy_from_overrides(&json!({"fields": {"password": "hidden"}})).unwrap();
        assert_eq!(hidden.presence(Field::Password), Presence::Hidden);
    }

    #[test]
    fn a_policy_with_no_way_to_reach_the_registrant_is_refused_naming_the_key() {
        let no_contact = policy_from_overrides(&json!({"fields": {"email": "hidden"}})).unwrap_err().to_string();
        assert!(no_contact.starts_with("policy.fields"), "{no_contact}");
        let mobile = policy_from_overrides(&json!({"reconciliation_key": "mobile"})).unwrap_err().to_string();
        assert!(mobile.starts_with("policy.reconciliation_key"), "{mobile}");
        assert!(
            policy_from_overrides(&json!({"reconciliation_key": "mobile", "fields": {"phone": "required"}})).is_ok()
        );
        assert!(policy_from_overrides(&json!({"fields": {"email": "hidden", "phone": "required"}})).is_ok());
        assert!(policy_from_overrides(&json!(["fields"])).unwrap_err().to_string().starts_with("policy"));
        assert!(policy_from_overrides(&json!({"fields": {"alias": "sometimes"}}))
            .unwrap_err()
            .to_string()
            .starts_with("policy"));
    }

    #[test]
    fn a_campaign_gets_a_publishable_key_and_normalised_origins() {
        let c = Campaign::from_request(
            request(json!({
                "id": "rustfest-2027", "name": "RustFest 2027",
                "allowed_origins": ["https://Events.Example.com:443/", "http://127.0.0.1:8787"],
                "policy": {"fields": {"email": "required", "password": "required", "alias": "optional"}}
            })),
            Database::default(),
        )
        .unwrap();
        assert!(c.publishable_key.starts_with("pk_") && c.publishable_key.len() == 27);
        assert_eq!(c.allowed_origins, ["https://events.example.com", "http://127.0.0.1:8787"]);
        assert!(c.allows_origin("https://events.example.com"));
        assert!(!c.allows_origin("https://evil.example.com"));
        assert!(c.key_matches(&c.publishable_key.clone()));
        assert!(!c.key_matches("pk_nope"));
    }

    #[test]
    fn bad_admin_input_is_named() {
        for (value, mentions) in [
            (json!({"id": "Has Space", "name": "x"}), "id"),
            (json!({"id": "", "name": "x"}), "id"),
            (json!({"id": "ok", "name": ""}), "name"),
            (json!({"id": "ok", "name": "x", "allowed_origins": ["events.example.com"]}), "allowed_origins"),
            (json!({"id": "ok", "name": "x", "allowed_origins": ["https://x.com/path"]}), "allowed_origins"),
            (json!({"id": "ok", "name": "x", "policy": {"password": {"min_chars": 0}}}), "password"),
        ] {
            let err = Campaign::from_request(request(value.clone()), Database::default()).unwrap_err().to_string();
            assert!(err.contains(mentions), "{value}: {err}");
        }
    }
}
