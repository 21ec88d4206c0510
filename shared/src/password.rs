use crate::Code;
use std::fmt;

/// A password that satisfies the policy. It never prints itself: `Debug` shows a placeholder
/// and there is no `Display`, so it cannot leak into a log or an answer by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 256;

    /// Parses a password as typed. White space is significant and kept.
    pub fn parse(input: &str) -> Result<Self, Code> {
        if input.is_empty() {
            return Err(Code::Required);
        }
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(Code::PasswordTooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(Code::PasswordTooLong);
        }
        Ok(Self(input.to_owned()))
    }

    /// The secret itself, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimum_is_eight_characters_not_bytes() {
        assert_eq!(Password::parse("1234567"), Err(Code::PasswordTooShort));
        assert!(Password::parse("12345678").is_ok());
        // Seven characters, fourteen bytes: still too short.
        assert_eq!(Password::parse("ééééééé"), Err(Code::PasswordTooShort));
    }

    #[test]
    fn empty_is_required() {
        assert_eq!(Password::parse(""), Err(Code::Required));
    }

    #[test]
    fn maximum_is_256_characters() {
        assert!(Password::parse(&"x".repeat(256)).is_ok());
        assert_eq!(Password::parse(&"x".repeat(257)), Err(Code::PasswordTooLong));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let p = Password::parse("correct horse battery").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
        assert_eq!(p.expose(), "correct horse battery");
    }
}
