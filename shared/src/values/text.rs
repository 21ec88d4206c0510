use crate::Code;
use std::fmt;

/// Free text for a profile field (names, organisation, address...): trimmed, within a length
/// bound, with no control characters, bidirectional overrides or invisible zero-width
/// characters (which can disguise what a reader sees).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Text(String);

impl Text {
    pub fn parse(input: &str, max_chars: usize) -> Result<Self, Code> {
        let text = input.trim();
        if text.is_empty() {
            return Err(Code::Required);
        }
        let disguising = |c: char| {
            c.is_control()
                || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
        };
        if text.chars().any(disguising) {
            return Err(Code::TextInvalid);
        }
        if text.chars().count() > max_chars {
            return Err(Code::TextTooLong);
        }
        Ok(Self(text.to_owned()))
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimmed_bounded_and_printable() {
        assert_eq!(Text::parse("  Gdańsk ", 100).map(|t| t.to_string()), Ok("Gdańsk".to_owned()));
        assert_eq!(Text::parse("Żabiańska", 9).map(|t| t.to_string()), Ok("Żabiańska".to_owned()));
        assert_eq!(Text::parse("Żabiańska", 8), Err(Code::TextTooLong));
        assert_eq!(Text::parse("Line\nbreak", 100), Err(Code::TextInvalid));
        assert_eq!(Text::parse("nul\0", 100), Err(Code::TextInvalid));
        assert_eq!(Text::parse("evil\u{202E}txt.exe", 100), Err(Code::TextInvalid));
        assert_eq!(Text::parse("zero\u{200B}width", 100), Err(Code::TextInvalid));
        assert_eq!(Text::parse(" \t ", 100), Err(Code::Required));
    }
}
