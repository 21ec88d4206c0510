use crate::Code;
use std::fmt;

/// A public user name: 2 to 32 ASCII letters, digits, `.`, `_` or `-`, starting with a letter
/// or digit, not digits only, and not a reserved word under any disguise (`Adm1n`, `r00t`,
/// `admin2024`). Compared case-insensitively for uniqueness.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Alias(String);

impl Alias {
    pub const MIN_CHARS: usize = 2;
    pub const MAX_CHARS: usize = 32;

    pub fn parse(input: &str, reserved: &[String]) -> Result<Self, Code> {
        let alias = input.trim();
        if alias.is_empty() {
            return Err(Code::Required);
        }
        let chars = alias.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(Code::AliasTooShort);
        }
        // A reserved word says so, however it is disguised (full-width or Cyrillic letters
        // included, which the character rule below would otherwise be the one to refuse).
        if is_reserved(alias, reserved) {
            return Err(Code::AliasReserved);
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        let starts_well = alias.starts_with(|c: char| c.is_ascii_alphanumeric());
        if chars > Self::MAX_CHARS || !alias.chars().all(allowed) || !starts_well {
            return Err(Code::AliasInvalid);
        }
        if alias.chars().all(|c| c.is_ascii_digit()) {
            return Err(Code::AliasNumeric);
        }
        Ok(Self(alias.to_owned()))
    }

    /// The form used for uniqueness: lower case.
    pub fn normalized(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// True when `candidate`, stripped of a numeric suffix and folded for look-alikes, is one of
/// the reserved words folded the same way.
pub fn is_reserved(candidate: &str, reserved: &[String]) -> bool {
    let folded = skeleton(candidate.trim_end_matches(|c: char| c.is_ascii_digit() || is_fullwidth_digit(c)));
    !folded.is_empty() && reserved.iter().any(|word| skeleton(word) == folded)
}

fn is_fullwidth_digit(c: char) -> bool {
    ('\u{FF10}'..='\u{FF19}').contains(&c)
}

/// Folds what a reader would take for the same word: full-width forms, case, digits and
/// symbols used as letters, Cyrillic and Greek look-alikes, and separators.
pub fn skeleton(text: &str) -> String {
    let unwidened = text.chars().map(|c| match c {
        // Full-width ASCII (U+FF01..U+FF5E) is ASCII shifted by 0xFEE0.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    });
    crate::lower::lower_each(unwidened)
        .filter_map(|c| match c {
            '.' | '_' | '-' | ' ' => None,
            '0' | 'о' | 'ο' => Some('o'),
            '1' | '!' | '|' | 'і' | 'ι' | 'l' | 'ӏ' => Some('i'),
            '3' | 'е' | 'ε' => Some('e'),
            '4' | '@' | 'а' | 'α' => Some('a'),
            '5' | '$' | 'ѕ' => Some('s'),
            '7' | 'т' | 'τ' => Some('t'),
            '8' | 'в' | 'β' => Some('b'),
            '9' => Some('g'),
            'р' | 'ρ' => Some('p'),
            'с' | 'ϲ' => Some('c'),
            'х' | 'χ' => Some('x'),
            'у' | 'γ' => Some('y'),
            'ј' => Some('j'),
            'ԁ' => Some('d'),
            'н' | 'η' => Some('h'),
            'к' | 'κ' => Some('k'),
            'м' | 'μ' => Some('m'),
            'ν' => Some('v'),
            other => Some(other),
        })
        .collect()
}

impl AsRef<str> for Alias {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Alias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reserved() -> Vec<String> {
        crate::Policy::default().reserved_aliases
    }

    #[test]
    fn accepts_ordinary_aliases() {
        for ok in ["jo", "ada_lovelace", "Grace.Hopper", "k8s-fan", "r2d2", "user2024"] {
            assert_eq!(Alias::parse(ok, &reserved()).map(|a| a.to_string()), Ok(ok.to_owned()));
        }
    }

    #[test]
    fn verdicts_for_each_rule() {
        let r = reserved();
        assert_eq!(Alias::parse("", &r), Err(Code::Required));
        assert_eq!(Alias::parse("a", &r), Err(Code::AliasTooShort));
        assert_eq!(Alias::parse("é", &r), Err(Code::AliasTooShort));
        assert_eq!(Alias::parse("12345", &r), Err(Code::AliasNumeric));
        assert_eq!(Alias::parse("ada lovelace", &r), Err(Code::AliasInvalid));
        assert_eq!(Alias::parse("zoë", &r), Err(Code::AliasInvalid));
        assert_eq!(Alias::parse("_ada", &r), Err(Code::AliasInvalid));
        assert_eq!(Alias::parse(&"a".repeat(33), &r), Err(Code::AliasInvalid));
        assert!(Alias::parse(&"a".repeat(32), &r).is_ok());
    }

    #[test]
    fn reserved_words_are_refused_in_any_disguise() {
        let r = reserved();
        for disguised in
            ["admin", "Admin", "ADMIN", "Adm1n", "4dmin", "r00t", "admin2024", "sup-port", "ＡＤＭＩＮ", "аdmin"]
        {
            assert_eq!(Alias::parse(disguised, &r), Err(Code::AliasReserved), "{disguised}");
        }
        assert!(is_reserved("ＡＤＭＩＮ", &r) && is_reserved("аdmin", &r), "look-alikes fold to the word");
        assert!(Alias::parse("administrate", &r).is_ok(), "only whole words are reserved");
        assert!(Alias::parse("admin", &[]).is_ok(), "the list is the policy's");
    }

    #[test]
    fn uniqueness_ignores_case() {
        let r = reserved();
        assert_eq!(Alias::parse("Ada", &r).unwrap().normalized(), Alias::parse("aDA", &r).unwrap().normalized());
    }
}
