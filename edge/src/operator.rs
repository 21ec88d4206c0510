//! Operators: the systems that call the vendor dialects, with their permissions, campaigns,
//! address allowlist, and one credential per dialect (shown once, stored as argon2id).

use crate::hashing::{hash_secret, HashError};
use crate::secrets::{constant_time_eq, random_token};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    #[serde(rename = "accounts:create")]
    AccountsCreate,
    #[serde(rename = "accounts:update")]
    AccountsUpdate,
    #[serde(rename = "owner")]
    Owner,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    pub id: String,
    /// MoveDigital's numeric `userid`.
    pub number: i64,
    pub name: String,
    pub permissions: Vec<Permission>,
    /// The first is where dialects without a campaign in the request create accounts.
    pub campaigns: Vec<String>,
    /// Empty: any address.
    pub allowed_ips: Vec<IpAddr>,
    #[serde(default)]
    pub created_at_ms: i64,
}

impl Operator {
    pub fn may(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    pub fn acts_in(&self, campaign: &str) -> bool {
        self.campaigns.iter().any(|c| c == campaign)
    }

    pub fn default_campaign(&self) -> Option<&str> {
        self.campaigns.first().map(String::as_str)
    }

    pub fn allows_ip(&self, ip: Option<IpAddr>) -> bool {
        self.allowed_ips.is_empty() || ip.is_some_and(|ip| self.allowed_ips.contains(&ip))
    }
}

/// What `POST /admin/operators` sends.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorRequest {
    pub name: String,
    #[serde(default)]
    pub permissions: Vec<Permission>,
    #[serde(default)]
    pub campaigns: Vec<String>,
    #[serde(default)]
    pub allowed_ips: Vec<String>,
}

/// How a credential is presented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    /// GetResponse API key: `gr_<lookup>_<secret>`.
    ApiKey,
    /// Engagement HTTP Basic: user `<lookup>`, password `<secret>`.
    Basic,
    /// MoveDigital: `userid` + `sessionid` (the lookup) and `session` (the secret).
    MoveDigital,
    /// Poken operator Bearer token: `pt_<lookup>.<secret>`.
    Bearer,
    /// A Poken account's own access token (from the OAuth2 code exchange).
    AccountToken,
    /// An account's answer to its security question (MoveDigital), looked up by account id.
    SecurityAnswer,
    /// A Poken OAuth2 authorization code: single use, short-lived.
    OauthCode,
}

impl CredentialKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
            Self::Basic => "basic",
            Self::MoveDigital => "movedigital",
            Self::Bearer => "bearer",
            Self::AccountToken => "account_token",
            Self::SecurityAnswer => "security_answer",
            Self::OauthCode => "oauth_code",
        }
    }
}

/// A credential as stored: the look-up half in clear, the secret half hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCredential {
    pub kind: CredentialKind,
    pub lookup: String,
    pub owner_id: String,
    pub secret_hash: String,
    pub expires_at_ms: Option<i64>,
}

/// The credentials handed out once at creation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IssuedCredentials {
    pub api_key: String,
    pub basic: BasicCredentials,
    pub movedigital: MoveDigitalCredentials,
    pub bearer: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BasicCredentials {
    pub user: String,
    pub password: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MoveDigitalCredentials {
    pub userid: String,
    pub sessionid: String,
    pub session: String,
}

/// Why an admin request for an operator was refused; the text names the key at fault.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum InvalidOperator {
    #[error("name: 1 to 200 printable characters")]
    Name,
    #[error("campaigns: no campaign `{0}`")]
    NoCampaign(String),
    #[error("allowed_ips: `{0}` is not an IP address")]
    Ip(String),
}

/// An operator that could not be made: the request's fault, or ours (no randomness for its id).
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error(transparent)]
    Invalid(#[from] InvalidOperator),
    #[error("no randomness for the operator's id: {0}")]
    Randomness(#[from] getrandom::Error),
}

impl Operator {
    /// Checks an admin request against the campaigns that exist; `number` comes from the store.
    pub fn from_request(
        request: OperatorRequest,
        number: i64,
        campaign_exists: impl Fn(&str) -> bool,
    ) -> Result<Self, OperatorError> {
        let name = request.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(InvalidOperator::Name.into());
        }
        if let Some(missing) = request.campaigns.iter().find(|c| !campaign_exists(c)) {
            return Err(InvalidOperator::NoCampaign(missing.clone()).into());
        }
        let allowed_ips = request
            .allowed_ips
            .iter()
            .map(|ip| ip.trim().parse::<IpAddr>().map_err(|_| InvalidOperator::Ip(ip.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        let mut permissions = request.permissions;
        permissions.dedup();
        Ok(Self {
            id: format!("op_{}", random_token(20)?),
            number,
            name: name.to_owned(),
            permissions,
            campaigns: request.campaigns,
            allowed_ips,
            created_at_ms: 0,
        })
    }

    /// Mints one credential per dialect: what to show once, and what to store.
    pub fn issue_credentials(&self) -> Result<(IssuedCredentials, Vec<StoredCredential>), HashError> {
        let mut stored = Vec::new();
        let mut mint = |kind: CredentialKind, lookup: String| -> Result<String, HashError> {
            let secret = random_token(32)?;
            stored.push(StoredCredential {
                kind,
                lookup,
                owner_id: self.id.clone(),
                secret_hash: hash_secret(&secret)?,
                expires_at_ms: None,
            });
            Ok(secret)
        };
        let api_lookup = random_token(12)?;
        let api_key = format!("gr_{api_lookup}_{}", mint(CredentialKind::ApiKey, api_lookup.clone())?);
        let user = format!("en_{}", random_token(12)?);
        let password = mint(CredentialKind::Basic, user.clone())?;
        let userid = self.number.to_string();
        let sessionid = random_token(16)?;
        let session = mint(CredentialKind::MoveDigital, format!("{userid}:{sessionid}"))?;
        let bearer_lookup = random_token(12)?;
        let bearer = format!("pt_{bearer_lookup}.{}", mint(CredentialKind::Bearer, bearer_lookup.clone())?);
        let issued = IssuedCredentials {
            api_key,
            basic: BasicCredentials { user, password },
            movedigital: MoveDigitalCredentials { userid, sessionid, session },
            bearer,
        };
        Ok((issued, stored))
    }
}

/// Splits `gr_<lookup>_<secret>` / `pt_<lookup>.<secret>` into look-up and secret.
pub fn split_token<'a>(token: &'a str, prefix: &str, separator: char) -> Option<(&'a str, &'a str)> {
    let (lookup, secret) = token.strip_prefix(prefix)?.split_once(separator)?;
    (!lookup.is_empty() && !secret.is_empty()).then_some((lookup, secret))
}

/// Compares an ADMIN_TOKEN-like configured secret with what was presented.
pub fn configured_secret_matches(configured: &str, presented: &str) -> bool {
    !configured.is_empty() && constant_time_eq(configured, presented)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::verify as verify_secret;

    fn request(json: &str) -> OperatorRequest {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn an_operator_gets_one_credential_per_dialect_stored_hashed() {
        let op = Operator::from_request(
            request(r#"{"name":"Box office","permissions":["accounts:create","owner"],"campaigns":["rf"],"allowed_ips":["127.0.0.1"]}"#),
            7,
            |c| c == "rf",
        )
        .unwrap();
        assert!(op.may(Permission::Owner) && !op.may(Permission::AccountsUpdate));
        assert!(op.allows_ip(Some("127.0.0.1".parse().unwrap())) && !op.allows_ip(Some("10.0.0.1".parse().unwrap())));
        let (issued, stored) = op.issue_credentials().unwrap();
        assert_eq!(stored.len(), 4);
        let (lookup, secret) = split_token(&issued.api_key, "gr_", '_').unwrap();
        let api = stored.iter().find(|c| c.kind == CredentialKind::ApiKey).unwrap();
        assert_eq!(api.lookup, lookup);
        assert!(verify_secret(secret, &api.secret_hash));
        let (lookup, secret) = split_token(&issued.bearer, "pt_", '.').unwrap();
        let bearer = stored.iter().find(|c| c.kind == CredentialKind::Bearer).unwrap();
        assert!(bearer.lookup == lookup && verify_secret(secret, &bearer.secret_hash));
        assert_eq!(issued.movedigital.userid, "7");
        for credential in &stored {
            for shown in [&issued.api_key, &issued.basic.password, &issued.movedigital.session, &issued.bearer] {
                assert!(!credential.secret_hash.contains(shown.as_str()), "a secret is stored in clear");
            }
        }
    }

    #[test]
    fn bad_operator_requests_are_named() {
        let exists = |c: &str| c == "rf";
        assert!(Operator::from_request(request(r#"{"name":""}"#), 1, exists).unwrap_err().to_string().contains("name"));
        assert!(Operator::from_request(request(r#"{"name":"x","campaigns":["nope"]}"#), 1, exists)
            .unwrap_err()
            .to_string()
            .contains("nope"));
        assert!(Operator::from_request(request(r#"{"name":"x","allowed_ips":["localhost"]}"#), 1, exists)
            .unwrap_err()
            .to_string()
            .contains("allowed_ips"));
        assert!(serde_json::from_str::<OperatorRequest>(r#"{"name":"x","permissions":["root"]}"#).is_err());
        assert!(Operator::from_request(request(r#"{"name":"x"}"#), 1, exists).unwrap().allows_ip(None));
    }

    #[test]
    fn tokens_split_only_when_well_formed() {
        assert_eq!(split_token("gr_abc_def", "gr_", '_'), Some(("abc", "def")));
        assert_eq!(split_token("gr_abc_", "gr_", '_'), None);
        assert_eq!(split_token("pt_abc.def", "gr_", '_'), None);
    }
}
