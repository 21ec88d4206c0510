//! Country names in the page's language (the `country.<code>` lines of `locales/<tag>.txt`).

use crate::i18n::word;
use enlist_shared::{Country, Locale};

/// The common name of a country in a catalogue language (English until that language's file
/// has arrived), if the files have it.
pub fn local_name(alpha2: &str, locale: Locale) -> Option<&'static str> {
    Some(word(&format!("country.{alpha2}"), locale)).filter(|name| !name.is_empty())
}

/// Every country the rule set knows, as (code, local name), in the order a reader of that
/// language expects (accents and case folded).
pub fn options(locale: Locale) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = Country::all()
        .map(|c| (c.alpha2().to_owned(), local_name(c.alpha2(), locale).unwrap_or(c.name()).to_owned()))
        .collect();
    options.sort_by_cached_key(|(_, name)| enlist_shared::values::country::fold(name));
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_has_a_name_in_every_language() {
        crate::i18n::tests::install_all();
        for country in Country::all() {
            for locale in Locale::ALL {
                assert!(
                    local_name(country.alpha2(), locale).is_some_and(|n| !n.is_empty()),
                    "{} in {}",
                    country.alpha2(),
                    locale.tag()
                );
            }
        }
        assert_eq!(local_name("DE", Locale::De), Some("Deutschland"));
        assert_eq!(local_name("US", Locale::Pl), Some("Stany Zjednoczone"));
    }

    #[test]
    fn options_sort_by_the_local_name() {
        crate::i18n::tests::install_all();
        let german = options(Locale::De);
        let position = |code: &str| german.iter().position(|(c, _)| c == code).unwrap();
        assert!(position("EG") < position("FR"), "Ägypten sorts under A, not after Z");
        assert_eq!(german.len(), 249);
    }
}
