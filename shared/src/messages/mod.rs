//! The message catalogue: one text per problem code in six languages, chosen from an
//! `Accept-Language`-style list, English as the fallback. Parameters (`{min}`, `{max}`) are
//! filled from the same policy the rule used, so a text cannot disagree with its rule.

mod de;
mod en;
mod es;
mod fr;
mod it;
mod pl;

use crate::signup::text_limit;
use crate::values::alias::Alias;
use crate::values::password::Password;
use crate::{Code, Policy, Problem};
use serde::{Deserialize, Serialize};

/// A catalogue language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    En,
    De,
    Fr,
    Es,
    Pl,
    It,
}

impl Locale {
    pub const ALL: [Locale; 6] = [Locale::En, Locale::De, Locale::Fr, Locale::Es, Locale::Pl, Locale::It];

    pub const fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
            Locale::Es => "es",
            Locale::Pl => "pl",
            Locale::It => "it",
        }
    }

    /// The catalogue language of a language tag (`de`, `de-CH`, `pt_BR`), if there is one.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.tag() == primary)
    }

    /// Picks from an `Accept-Language` value (`de-CH, fr;q=0.8, *;q=0.1`) the preferred
    /// language that is also `offered`; English when none is.
    pub fn negotiate(accept_language: &str, offered: &[Locale]) -> Locale {
        let mut ranked: Vec<(u16, usize, Locale)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(position, item)| {
                let mut parts = item.split(';');
                let locale = Locale::from_tag(parts.next()?)?;
                // No weight means 1; a weight that is not an RFC 9110 qvalue drops the item.
                let quality = match parts.find_map(|p| p.trim().strip_prefix("q=")) {
                    Some(q) => thousandths(q.trim()).unwrap_or(0),
                    None => 1000,
                };
                (quality > 0 && offered.contains(&locale)).then_some((quality, position, locale))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map_or(Locale::En, |&(_, _, locale)| locale)
    }
}

/// An RFC 9110 quality value (`0`, `0.8`, `1.000`) in thousandths. Integer-only: no float
/// parsing (and none of its tables in the widget), and ties compare exactly everywhere.
fn thousandths(q: &str) -> Option<u16> {
    let (whole, fraction) = q.split_once('.').unwrap_or((q, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut value: u16 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    for (digit, scale) in fraction.bytes().zip([100u16, 10, 1]) {
        value += u16::from(digit - b'0') * scale;
    }
    (value <= 1000).then_some(value)
}

/// The template of a code in a language, with its `{placeholders}` unfilled.
pub fn template(code: Code, locale: Locale) -> &'static str {
    match locale {
        Locale::En => en::text(code),
        Locale::De => de::text(code),
        Locale::Fr => fr::text(code),
        Locale::Es => es::text(code),
        Locale::Pl => pl::text(code),
        Locale::It => it::text(code),
    }
}

/// The user-facing message for a problem under a policy.
pub fn message(problem: Problem, locale: Locale, policy: &Policy) -> String {
    let (min, max) = match problem.code {
        Code::AliasTooShort => (Alias::MIN_CHARS, Alias::MAX_CHARS),
        Code::PasswordTooShort | Code::PasswordTooLong => {
            (policy.password.min_chars, policy.password.max_chars.min(Password::MAX_CHARS))
        }
        Code::TextTooLong => (1, text_limit(problem.field)),
        _ => (0, 0),
    };
    template(problem.code, locale).replace("{min}", &min.to_string()).replace("{max}", &max.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Field;

    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .match_indices('{')
            .filter_map(|(at, _)| text[at..].split_once('}').map(|(p, _)| &text[at..at + p.len() + 1]))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn every_code_has_a_text_in_every_language_with_the_same_placeholders() {
        for &code in Code::ALL {
            let english = template(code, Locale::En);
            for locale in Locale::ALL {
                let text = template(code, locale);
                assert!(!text.trim().is_empty(), "{code} has no {} text", locale.tag());
                assert_eq!(
                    placeholders(text),
                    placeholders(english),
                    "{code} in {} has other placeholders",
                    locale.tag()
                );
                if locale != Locale::En {
                    assert_ne!(text, english, "{code} is not translated into {}", locale.tag());
                }
            }
        }
    }

    #[test]
    fn parameters_come_from_the_policy() {
        let mut policy = Policy::default();
        let short = Problem::new(Field::Password, Code::PasswordTooShort);
        assert_eq!(message(short, Locale::En, &policy), "Use at least 8 characters.");
        policy.password.min_chars = 12;
        assert_eq!(message(short, Locale::De, &policy), "Verwenden Sie mindestens 12 Zeichen.");
        let long_city = Problem::new(Field::City, Code::TextTooLong);
        assert_eq!(message(long_city, Locale::Pl, &policy), "Użyj najwyżej 100 znaków.");
        for &code in Code::ALL {
            for locale in Locale::ALL {
                assert!(!message(Problem::new(Field::Alias, code), locale, &policy).contains('{'));
            }
        }
    }

    #[test]
    fn accept_language_negotiation() {
        let all = Locale::ALL;
        assert_eq!(
            ["0", "0.8", "0.05", "1", "1.000", "0.999", "1.5", "2", ".5", "0.1234", "-0", "0.x"].map(thousandths),
            [Some(0), Some(800), Some(50), Some(1000), Some(1000), Some(999), None, None, None, None, None, None]
        );
        assert_eq!(Locale::negotiate("de-CH, fr;q=0.8", &all), Locale::De);
        assert_eq!(Locale::negotiate("pt-BR, fr;q=0.5, de;q=0.7", &all), Locale::De);
        assert_eq!(Locale::negotiate("pl;q=0.5, it;q=0.5", &all), Locale::Pl);
        assert_eq!(Locale::negotiate("ja, zh", &all), Locale::En);
        assert_eq!(Locale::negotiate("", &all), Locale::En);
        assert_eq!(Locale::negotiate("fr;q=0, es", &all), Locale::Es);
        assert_eq!(Locale::negotiate("de, fr", &[Locale::En, Locale::Fr]), Locale::Fr);
        assert_eq!(Locale::negotiate("*;q=0.1, garbage;;q=x", &all), Locale::En);
    }
}
