use crate::Code;
use email_address::{EmailAddress, Options};
use std::fmt;

/// A registrable e-mail address: a bare address (no display name, no domain literal), within
/// RFC 5321's length limits, with a dotted domain unless the policy allows otherwise. Built
/// only by parsing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

/// RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets.
const MAX_LEN: usize = 254;

impl Email {
    /// Parses with the default rules (dotted domain required).
    pub fn parse(input: &str) -> Result<Self, Code> {
        Self::parse_with(input, true)
    }

    /// Parses what a user typed; surrounding white space is ignored.
    pub fn parse_with(input: &str, require_dotted_domain: bool) -> Result<Self, Code> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(Code::Required);
        }
        if trimmed.len() > MAX_LEN || trimmed.chars().any(|c| c.is_control()) {
            return Err(Code::EmailInvalid);
        }
        let mut options = Options::default().without_display_text().without_domain_literal();
        if require_dotted_domain {
            options = options.with_required_tld();
        }
        let address = EmailAddress::parse_with_options(trimmed, options).map_err(|_| Code::EmailInvalid)?;
        if !registrable(address.local_part(), address.domain(), require_dotted_domain) {
            return Err(Code::EmailInvalid);
        }
        Ok(Self(address.as_str().to_owned()))
    }

    /// The form used for uniqueness: the whole address in lower case, with the word-final
    /// sigma as `σ` (so `ΟΔΟΣ`, `οδος` and `οδοσ` are one address, as case folding has it).
    pub fn normalized(&self) -> String {
        crate::lower::lowercase(&self.0).replace('ς', "σ")
    }
}

/// What RFC 5322 allows but a registration form refuses: quoted local parts (`"a b"@x.com`),
/// host labels outside letters, digits and hyphens (`exa_mple.com`), and top-level domains
/// that cannot exist (`example.123`, `example.c`).
fn registrable(local: &str, domain: &str, require_dotted_domain: bool) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let host_labels = labels.iter().all(|label| label.chars().all(|c| c.is_alphanumeric() || c == '-'));
    let tld = labels.last().copied().unwrap_or_default();
    let real_tld = !require_dotted_domain || (tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
    !local.starts_with('"') && host_labels && real_tld
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "ada@example.com",
            "Ada.Lovelace+events@sub.example.co.uk",
            "  padded@example.org ",
            "o'brien@example.ie",
            "john.doe@example.mail",
            "zoë@bücher.example",
            "ada@xn--bcher-kva.example",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok} should be accepted");
        }
    }

    #[test]
    fn refuses_what_a_registration_form_must_refuse() {
        for bad in [
            "not-an-email",
            "@example.com",
            "ada@",
            "ada@localhost",
            "Ada <ada@example.com>",
            "ada@[127.0.0.1]",
            "ada@@example.com",
            "ada example@example.com",
            "ada@exam\nple.com",
            "ada\u{0}@example.com",
            "\"ada lovelace\"@example.com",
            "ada@exa_mple.com",
            "ada@example.123",
            "ada@example.c",
        ] {
            assert_eq!(Email::parse(bad), Err(Code::EmailInvalid), "{bad:?} should be refused");
        }
    }

    #[test]
    fn a_policy_may_allow_undotted_domains() {
        assert!(Email::parse_with("ada@localhost", false).is_ok());
    }

    #[test]
    fn blank_is_required_not_invalid() {
        assert_eq!(Email::parse(""), Err(Code::Required));
        assert_eq!(Email::parse("   "), Err(Code::Required));
    }

    #[test]
    fn overlong_addresses_are_invalid() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(Code::EmailInvalid));
    }

    #[test]
    fn normalised_form_ignores_case_and_padding() {
        let a = Email::parse(" Ada@Example.COM").unwrap();
        let b = Email::parse("ada@example.com").unwrap();
        assert_eq!(a.normalized(), b.normalized());
        assert_eq!(a.as_ref(), "Ada@Example.COM");
        // Beyond ASCII too, the word-final sigma included.
        let greek =
            ["ΟΔΟΣ@Example.gr", "οδος@example.gr", "οδοσ@example.gr"].map(|e| Email::parse(e).unwrap().normalized());
        assert!(greek.iter().all(|n| *n == greek[0]), "{greek:?}");
        assert_eq!(Email::parse("ÉLODIE@Exemple.fr").unwrap().normalized(), "élodie@exemple.fr");
    }
}
