//! A campaign's policy: which fields the form shows and requires and how strict the rules
//! are. The same JSON is stored per campaign, served to the widget by `GET /v1/policy`, and
//! used by the Worker, so both sides judge with the same rules.

use crate::values::password::{Password, PasswordRules};
use crate::{Field, FieldMap, Locale};
use serde::{Deserialize, Serialize};

/// Whether the form shows a field and whether a signup must fill it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Hidden,
    Optional,
    Required,
}

/// Which value makes two signups the same person (Engagement's reconciliation key).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReconciliationKey {
    #[default]
    Email,
    Mobile,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Fields not listed are hidden and optional.
    pub fields: FieldMap<Presence>,
    pub password: PasswordRules,
    /// Refuse addresses whose domain has no dot (`ada@localhost`).
    pub require_dotted_domain: bool,
    /// Aliases refused in any case or disguise (`Adm1n`, `ＡＤＭＩＮ`).
    pub reserved_aliases: Vec<String>,
    pub reconciliation_key: ReconciliationKey,
    /// Languages the widget offers; messages fall back to English.
    pub languages: Vec<Locale>,
    /// Double opt-in: a new account's e-mail address must be confirmed through a link sent to
    /// it (the widget's success says to check the inbox).
    pub verify_email: bool,
}

const RESERVED: &[&str] = &[
    "admin",
    "administrator",
    "root",
    "superuser",
    "sysadmin",
    "system",
    "support",
    "help",
    "helpdesk",
    "moderator",
    "staff",
    "official",
    "security",
    "abuse",
    "postmaster",
    "hostmaster",
    "webmaster",
    "info",
    "contact",
    "noreply",
    "null",
    "undefined",
    "anonymous",
    "api",
    "www",
    "enlist",
    "poken",
    "getresponse",
    "movedigital",
    "engagement",
    "prodigem",
];

impl Default for Policy {
    fn default() -> Self {
        Self {
            fields: FieldMap::from([(Field::Email, Presence::Required), (Field::Password, Presence::Required)]),
            password: PasswordRules::default(),
            require_dotted_domain: true,
            reserved_aliases: RESERVED.iter().map(|w| (*w).to_owned()).collect(),
            reconciliation_key: ReconciliationKey::Email,
            languages: Locale::ALL.to_vec(),
            verify_email: false,
        }
    }
}

impl Policy {
    pub fn presence(&self, field: Field) -> Presence {
        self.fields.get(&field).copied().unwrap_or(Presence::Hidden)
    }

    /// Whether a signup must fill `field`: the policy says so, or the field is the
    /// reconciliation key.
    pub fn requires(&self, field: Field) -> bool {
        let key = match self.reconciliation_key {
            ReconciliationKey::Email => Field::Email,
            ReconciliationKey::Mobile => Field::Phone,
        };
        self.presence(field) == Presence::Required || field == key
    }

    /// The fields the form shows, in form order.
    pub fn shown(&self) -> impl Iterator<Item = Field> + '_ {
        Field::ALL.iter().copied().filter(|f| *f != Field::Request && self.presence(*f) != Presence::Hidden)
    }

    /// Reads a policy from JSON (a campaign's overrides on top of the defaults) and checks it.
    pub fn from_json(json: &str) -> Result<Self, PolicyError> {
        let policy: Policy = serde_json::from_str(json).map_err(|e| PolicyError::Unreadable(e.to_string()))?;
        policy.check()?;
        Ok(policy)
    }

    /// The policy's own consistency: bounds that can be met, a language to speak.
    pub fn check(&self) -> Result<(), PolicyError> {
        let p = &self.password;
        if p.min_chars == 0 || p.min_chars > p.max_chars {
            return Err(PolicyError::MinChars { min: p.min_chars, max: p.max_chars });
        }
        if p.max_chars > Password::MAX_CHARS {
            return Err(PolicyError::MaxChars(p.max_chars));
        }
        if self.fields.contains_key(&Field::Request) {
            return Err(PolicyError::RequestField);
        }
        if self.languages.is_empty() {
            return Err(PolicyError::NoLanguage);
        }
        Ok(())
    }
}

/// Why a policy was refused; its text names the key at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyError {
    /// Not a policy's shape: an unknown key, a value of the wrong kind (serde's words).
    Unreadable(String),
    MinChars {
        min: usize,
        max: usize,
    },
    MaxChars(usize),
    RequestField,
    NoLanguage,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyError::Unreadable(why) => write!(f, "policy: {why}"),
            PolicyError::MinChars { min, max } => {
                write!(f, "password.min_chars must be from 1 to max_chars ({max}), not {min}")
            }
            PolicyError::MaxChars(max) => {
                write!(f, "password.max_chars must be at most {}, not {max}", Password::MAX_CHARS)
            }
            PolicyError::RequestField => f.write_str("fields: `request` is not a form field"),
            PolicyError::NoLanguage => f.write_str("languages must offer at least one language"),
        }
    }
}

impl std::error::Error for PolicyError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_ask_for_email_and_password_only() {
        let policy = Policy::default();
        assert_eq!(policy.shown().collect::<Vec<_>>(), [Field::Email, Field::Password]);
        assert!(policy.requires(Field::Email) && policy.requires(Field::Password));
        assert!(!policy.requires(Field::Alias));
        assert_eq!(policy.password.min_chars, 8);
        assert!(policy.reserved_aliases.iter().any(|w| w == "admin"));
    }

    #[test]
    fn json_overrides_what_it_names_and_keeps_the_rest() {
        let policy = Policy::from_json(
            r#"{"fields": {"alias": "required", "email": "required", "password": "required", "country": "optional"},
                "password": {"min_chars": 10, "composition": "lower_upper_digit_or_special"},
                "reconciliation_key": "mobile", "languages": ["pl", "en"]}"#,
        )
        .unwrap();
        assert_eq!(policy.presence(Field::Alias), Presence::Required);
        assert_eq!(policy.presence(Field::Country), Presence::Optional);
        assert_eq!(policy.password.min_chars, 10);
        assert_eq!(policy.password.max_chars, 256, "unnamed keys keep their defaults");
        assert!(policy.requires(Field::Phone), "the mobile reconciliation key is required");
        assert_eq!(policy.languages, [Locale::Pl, Locale::En]);
        assert!(policy.require_dotted_domain);
    }

    #[test]
    fn the_policy_round_trips_through_json() {
        let policy = Policy::default();
        let json = serde_json::to_string(&policy).unwrap();
        assert_eq!(Policy::from_json(&json), Ok(policy));
    }

    #[test]
    fn impossible_or_unknown_settings_are_refused() {
        for bad in [
            r#"{"password": {"min_chars": 0}}"#,
            r#"{"password": {"min_chars": 20, "max_chars": 10}}"#,
            r#"{"password": {"max_chars": 1000}}"#,
            r#"{"languages": []}"#,
            r#"{"languages": ["xx"]}"#,
            r#"{"fields": {"nickname": "required"}}"#,
            r#"{"fields": {"email": "mandatory"}}"#,
            r#"{"colour": "red"}"#,
        ] {
            assert!(Policy::from_json(bad).is_err(), "{bad} should be refused");
        }
    }
}
