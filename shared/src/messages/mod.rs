//! The message catalogue: one text per problem code in six languages, chosen from an
//! `Accept-Language`-style list, English as the fallback. Parameters (`{min}`, `{max}`) are
//! filled from the same policy the rule used, so a text cannot disagree with its rule.
//!
//! English is compiled in (`en.rs`). The other languages are files, `shared/catalogue/<tag>.txt`
//! (`code<TAB>text` per line): with the `embedded-catalogue` feature (the Worker, native tools)
//! they are compiled in too; without it (the widget) a page fetches only its own language and
//! hands it to [`install_catalogue`], and until then, or if it never arrives, texts are English.

mod en;

use crate::signup::text_limit;
use crate::values::alias::Alias;
use crate::values::password::Password;
use crate::{Code, Policy, Problem};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

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
        accept_language
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
            // The highest weight; among equals, the one listed first.
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
            .map_or(Locale::En, |(_, _, locale)| locale)
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

/// A non-English catalogue file as compiled in.
#[cfg(feature = "embedded-catalogue")]
fn embedded(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "",
        Locale::De => include_str!("../../catalogue/de.txt"),
        Locale::Fr => include_str!("../../catalogue/fr.txt"),
        Locale::Es => include_str!("../../catalogue/es.txt"),
        Locale::Pl => include_str!("../../catalogue/pl.txt"),
        Locale::It => include_str!("../../catalogue/it.txt"),
    }
}

/// Each language's texts in `Code::ALL` order, once installed (or, embedded, once first used).
static INSTALLED: [OnceLock<Vec<String>>; Locale::ALL.len()] = [const { OnceLock::new() }; Locale::ALL.len()];

/// Why a catalogue file was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CatalogueError {
    /// A problem code has no line, or an empty text.
    Missing(Code),
    /// A text's `{placeholders}` differ from the English text's.
    Placeholders(Code),
}

impl std::fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CatalogueError::Missing(code) => write!(f, "no text for `{code}`"),
            CatalogueError::Placeholders(code) => {
                write!(f, "the text for `{code}` has other placeholders than English")
            }
        }
    }
}

/// The `key<TAB>text` lines of a language file (the catalogue's, and the widget's own words),
/// trimmed; comment lines (`#`) and lines without a tab are skipped.
pub fn keyed_lines(file: &str) -> impl Iterator<Item = (&str, &str)> {
    file.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .map(|(key, text)| (key.trim(), text.trim()))
}

/// Reads a catalogue file: every problem code needs a text with the English text's
/// placeholders. Comment lines (`#`), blank lines and codes this version does not know are
/// skipped.
pub fn parse_catalogue(file: &str) -> Result<Vec<String>, CatalogueError> {
    let lines: Vec<(&str, &str)> = keyed_lines(file).collect();
    Code::ALL
        .iter()
        .map(|&code| {
            let text = lines.iter().find(|(name, _)| *name == code.as_str()).map(|&(_, text)| text);
            let text = text.filter(|t| !t.is_empty()).ok_or(CatalogueError::Missing(code))?;
            if !same_placeholders(text, en::text(code)) {
                return Err(CatalogueError::Placeholders(code));
            }
            Ok(text.to_owned())
        })
        .collect()
}

/// The `{names}` a text fills, in order.
fn placeholders(text: &str) -> Vec<&str> {
    text.match_indices('{')
        .filter_map(|(at, _)| text[at..].split_once('}').map(|(p, _)| &text[at..at + p.len() + 1]))
        .collect()
}

/// True when two texts fill the same `{names}` as often, in whatever order (counted rather
/// than sorted: no sorting code in the widget for this).
fn same_placeholders(a: &str, b: &str) -> bool {
    let (a, b) = (placeholders(a), placeholders(b));
    let count = |list: &[&str], p: &str| list.iter().filter(|q| **q == p).count();
    a.len() == b.len() && a.iter().all(|p| count(&a, p) == count(&b, p))
}

/// Installs a language's catalogue file (fetched by the widget). False, and nothing changes,
/// when the file is damaged or the language is English (always compiled in); installing a
/// language twice keeps the first.
pub fn install_catalogue(locale: Locale, file: &str) -> bool {
    if locale == Locale::En {
        return false;
    }
    match parse_catalogue(file) {
        Ok(texts) => {
            let _ = INSTALLED[locale as usize].set(texts);
            true
        }
        Err(_) => false,
    }
}

/// True when messages in `locale` are in that language (English always is).
pub fn catalogue_ready(locale: Locale) -> bool {
    locale == Locale::En || installed(locale).is_some()
}

fn installed(locale: Locale) -> Option<&'static Vec<String>> {
    let cell = &INSTALLED[locale as usize];
    #[cfg(feature = "embedded-catalogue")]
    if locale != Locale::En {
        return Some(cell.get_or_init(|| parse_catalogue(embedded(locale)).unwrap_or_default()));
    }
    cell.get()
}

/// The template of a code in a language, with its `{placeholders}` unfilled: English when the
/// language's catalogue is not installed.
pub fn template(code: Code, locale: Locale) -> &'static str {
    let position = Code::ALL.iter().position(|&c| c == code).unwrap_or(0);
    installed(locale).and_then(|texts| texts.get(position)).map_or_else(|| en::text(code), String::as_str)
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

    #[test]
    #[cfg(feature = "embedded-catalogue")]
    fn every_code_has_a_text_in_every_language_with_the_same_placeholders() {
        for &code in Code::ALL {
            let english = template(code, Locale::En);
            for locale in Locale::ALL {
                let text = template(code, locale);
                assert!(!text.trim().is_empty(), "{code} has no {} text", locale.tag());
                assert!(same_placeholders(text, english), "{code} in {} has other placeholders", locale.tag());
                if locale != Locale::En {
                    assert_ne!(text, english, "{code} is not translated into {}", locale.tag());
                }
            }
        }
    }

    #[test]
    fn a_catalogue_file_is_refused_when_damaged() {
        let german = include_str!("../../catalogue/de.txt");
        let texts = parse_catalogue(german).unwrap();
        assert_eq!(texts.len(), Code::ALL.len());
        assert_eq!(texts[0], "Dieses Feld ist erforderlich.");
        // Skips comments and codes it does not know (a newer file still installs).
        assert!(parse_catalogue(&format!("# note\nsome.new_code\tNeu\n{german}")).is_ok());
        let without_taken: String =
            german.lines().filter(|l| !l.starts_with("email.taken")).map(|l| format!("{l}\n")).collect();
        assert_eq!(parse_catalogue(&without_taken), Err(CatalogueError::Missing(Code::EmailTaken)));
        let lost_placeholder = german.replace("mindestens {min} Zeichen", "mindestens acht Zeichen");
        assert_eq!(parse_catalogue(&lost_placeholder), Err(CatalogueError::Placeholders(Code::AliasTooShort)));
        let emptied = german.replace("required\tDieses Feld ist erforderlich.", "required\t ");
        assert_eq!(parse_catalogue(&emptied), Err(CatalogueError::Missing(Code::Required)));
        assert!(!install_catalogue(Locale::En, german), "English is compiled in");
        assert!(!install_catalogue(Locale::Fr, &without_taken), "nothing half-installed");
        assert!(install_catalogue(Locale::De, german));
        assert!(catalogue_ready(Locale::De));
        assert_eq!(template(Code::Required, Locale::De), "Dieses Feld ist erforderlich.");
    }

    #[test]
    #[cfg(feature = "embedded-catalogue")]
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
