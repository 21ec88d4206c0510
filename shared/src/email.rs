use crate::Code;
use email_address::{EmailAddress, Options};
use std::fmt;

/// A registrable e-mail address: a bare address (no display name), a dotted domain, within
/// RFC 5321's length limits. Built only by [`Email::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

/// RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets.
const MAX_LEN: usize = 254;

impl Email {
    /// Parses what a user typed; surrounding white space is ignored.
    pub fn parse(input: &str) -> Result<Self, Code> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(Code::Required);
        }
        if trimmed.len() > MAX_LEN {
            return Err(Code::EmailInvalid);
        }
        let options = Options::default().without_display_text().without_domain_literal().with_required_tld();
        EmailAddress::parse_with_options(trimmed, options)
            .map(|address| Self(address.as_str().to_owned()))
            .map_err(|_| Code::EmailInvalid)
    }

    /// The form used for uniqueness: the whole address in lower case.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
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
        for ok in
            ["ada@example.com", "Ada.Lovelace+events@sub.example.co.uk", "  padded@example.org ", "o'brien@example.ie"]
        {
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
        ] {
            assert_eq!(Email::parse(bad), Err(Code::EmailInvalid), "{bad} should be refused");
        }
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
    }
}
