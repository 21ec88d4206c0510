//! The widget's own words (texts, field labels) in the six catalogue languages. Problem
//! messages are not here: they come from the rule set's catalogue, the same texts the Worker's
//! native answers carry.
//!
//! The words are files, `widget/locales/<tag>.txt` (`key<TAB>text` per line). English is
//! compiled in; a page in another language fetches that language's file and the rule set's
//! catalogue (`catalogue/<tag>.txt`) beside the widget's wasm, so nobody downloads the five
//! languages they do not read. The form waits for them (the policy request runs at the same
//! time); if they cannot be had, it speaks English.

use enlist_shared::{Field, Locale};
use leptos::prelude::*;
use std::cell::Cell;
use std::sync::OnceLock;

/// The interface's fixed texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    Submit,
    Sending,
    Retry,
    CreatedHeading,
    Created,
    /// Created, and the address must be confirmed through the e-mailed link.
    CheckInbox,
    NetworkError,
    /// The e-mail address has an account here already: what it means, what to do.
    AlreadyRegistered,
    Choose,
    Strength,
    /// The five strength levels, `|`-separated.
    StrengthLevels,
    ShowPassword,
    /// The label of a long list's search box.
    Search,
}

impl Text {
    #[cfg(test)]
    const ALL: [Text; 13] = [
        Text::Submit,
        Text::Sending,
        Text::Retry,
        Text::CreatedHeading,
        Text::Created,
        Text::CheckInbox,
        Text::NetworkError,
        Text::AlreadyRegistered,
        Text::Choose,
        Text::Strength,
        Text::StrengthLevels,
        Text::ShowPassword,
        Text::Search,
    ];

    fn key(self) -> &'static str {
        match self {
            Text::Submit => "text.submit",
            Text::Sending => "text.sending",
            Text::Retry => "text.retry",
            Text::CreatedHeading => "text.created_heading",
            Text::Created => "text.created",
            Text::CheckInbox => "text.check_inbox",
            Text::NetworkError => "text.network_error",
            Text::AlreadyRegistered => "text.already_registered",
            Text::Choose => "text.choose",
            Text::Strength => "text.strength",
            Text::StrengthLevels => "text.strength_levels",
            Text::ShowPassword => "text.show_password",
            Text::Search => "text.search",
        }
    }
}

/// "{n} fields still need attention", in the plural form the language uses for `n`: the
/// browser's CLDR plural rules pick the category (Polish has `one`, `few`, `many`), the file
/// has a line per category (`text.not_ready.few`), `other` standing in for a missing one.
pub fn not_ready(n: usize, locale: Locale) -> String {
    let rules = js_sys::Intl::PluralRules::new(&js_sys::Array::of1(&locale.tag().into()), &js_sys::Object::new());
    let category = rules.select(n as f64).as_string().unwrap_or_default();
    not_ready_in(n, &category, locale)
}

/// [`not_ready`] for a plural category already chosen.
fn not_ready_in(n: usize, category: &str, locale: Locale) -> String {
    let text = Some(word(&format!("text.not_ready.{category}"), locale))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| word("text.not_ready.other", locale));
    text.replace("{n}", &n.to_string())
}

/// A US state's name in `locale` (the language files name them; English is the rule set's).
pub fn state_name(state: enlist_shared::UsState, locale: Locale) -> &'static str {
    Some(word(&format!("state.{}", state.code()), locale)).filter(|n| !n.is_empty()).unwrap_or(state.name())
}

/// The English file, compiled in.
const ENGLISH: &str = include_str!("../locales/en.txt");

/// A file's lines as (key, text), in file order: a few hundred, looked up by scanning (a map
/// would bring its own sorting and tree code into the wasm, for nothing measurable).
type Words = Vec<(&'static str, &'static str)>;

const LANGUAGES: usize = Locale::ALL.len();

/// Each language's file once installed, kept for the page's life (English is compiled in).
static FILES: [OnceLock<String>; LANGUAGES] = [const { OnceLock::new() }; LANGUAGES];
/// Each language's words, parsed from its file on first use.
static WORDS: [OnceLock<Words>; LANGUAGES] = [const { OnceLock::new() }; LANGUAGES];

thread_local! {
    /// Languages whose files could not be had.
    static FAILED: Cell<[bool; LANGUAGES]> = const { Cell::new([false; LANGUAGES]) };
    static ARRIVED: ArcTrigger = ArcTrigger::new();
}

/// The file's lines with a text (the rule set reads its catalogue files the same way).
fn parse(file: &str) -> Vec<(&str, &str)> {
    enlist_shared::keyed_lines(file).filter(|(_, text)| !text.is_empty()).collect()
}

fn words(locale: Locale) -> Option<&'static Words> {
    let at = locale as usize;
    let file: &'static str = if locale == Locale::En { ENGLISH } else { FILES[at].get()? };
    Some(WORDS[at].get_or_init(|| parse(file)))
}

/// Installs a language's file. Refused (false, nothing changes) when it lacks a key the
/// English file has, or for English itself; the first accepted file of a language stays.
pub fn install(locale: Locale, file: &str) -> bool {
    let english = words(Locale::En).expect("English is compiled in");
    let offered = parse(file);
    if locale == Locale::En || !english.iter().all(|(key, _)| offered.iter().any(|(k, _)| k == key)) {
        return false;
    }
    let _ = FILES[locale as usize].set(file.to_owned());
    true
}

/// A word in a language, English when that language has not arrived.
pub fn word(key: &str, locale: Locale) -> &'static str {
    let found = |locale| words(locale).and_then(|w| w.iter().find(|(k, _)| *k == key).map(|&(_, text)| text));
    found(locale).or_else(|| found(Locale::En)).unwrap_or("")
}

pub fn text(text: Text, locale: Locale) -> &'static str {
    word(text.key(), locale)
}

/// The name of a strength score 0-4.
pub fn strength_name(score: u8, locale: Locale) -> &'static str {
    text(Text::StrengthLevels, locale).split('|').nth(usize::from(score.min(4))).unwrap_or("")
}

pub fn label(field: Field, locale: Locale) -> &'static str {
    word(&format!("label.{}", field.as_str()), locale)
}

/// A language's own name, for the language select.
pub fn language_name(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "English",
        Locale::De => "Deutsch",
        Locale::Fr => "Français",
        Locale::Es => "Español",
        Locale::Pl => "Polski",
        Locale::It => "Italiano",
    }
}

/// The file names of a language, beside the widget's assets: the widget's words and the rule
/// set's catalogue (Trunk copies `widget/locales` and `shared/catalogue`).
pub fn files(locale: Locale) -> [String; 2] {
    [format!("locales/{}.txt", locale.tag()), format!("catalogue/{}.txt", locale.tag())]
}

/// True when the form can be shown in `locale`: its files are installed, or could not be had
/// (then it speaks English: see [`spoken`]).
pub fn ready(locale: Locale) -> bool {
    let arrived = words(locale).is_some() && enlist_shared::catalogue_ready(locale);
    arrived || FAILED.get()[locale as usize]
}

/// The language the form actually speaks when asked for `locale`.
pub fn spoken(locale: Locale) -> Locale {
    if FAILED.get()[locale as usize] {
        Locale::En
    } else {
        locale
    }
}

/// Makes the reactive closure that calls it (the widget's screen) run again when a language
/// arrives (or fails); nothing else redraws it.
pub fn track() {
    ARRIVED.with(|arrived| arrived.track());
}

/// Installs both files of a language (the widget's words, the rule set's catalogue); false
/// unless both are whole.
pub fn install_language(locale: Locale, words: &str, catalogue: &str) -> bool {
    install(locale, words) && enlist_shared::install_catalogue(locale, catalogue)
}

/// Starts fetching a language's files from the `assets` base URL, once per page.
pub fn load(locale: Locale, assets: &str) {
    if ready(locale) {
        return;
    }
    let base = assets.trim_end_matches('/').to_owned();
    let [words, catalogue] = files(locale).map(|file| format!("{base}/{file}"));
    // Both at once; each installs as it arrives. A language with a file missing or damaged
    // speaks English (see [`spoken`]).
    let arrived = move |installed: bool| {
        if !installed {
            let mut failed = FAILED.get();
            failed[locale as usize] = true;
            FAILED.set(failed);
        }
        ARRIVED.with(|arrived| arrived.notify());
    };
    crate::api::fetch_once(words, Box::new(move |text| arrived(text.is_some_and(|t| install(locale, &t)))));
    crate::api::fetch_once(
        catalogue,
        Box::new(move |text| arrived(text.is_some_and(|t| enlist_shared::install_catalogue(locale, &t)))),
    );
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Every language's file, as Trunk ships them.
    pub fn install_all() {
        for (locale, file) in [
            (Locale::De, include_str!("../locales/de.txt")),
            (Locale::Fr, include_str!("../locales/fr.txt")),
            (Locale::Es, include_str!("../locales/es.txt")),
            (Locale::Pl, include_str!("../locales/pl.txt")),
            (Locale::It, include_str!("../locales/it.txt")),
        ] {
            assert!(install(locale, file), "{} is complete", locale.tag());
        }
    }

    #[test]
    fn every_form_field_is_labelled_in_every_language() {
        install_all();
        for field in Field::ALL.iter().filter(|f| **f != Field::Request) {
            for locale in Locale::ALL {
                assert!(!label(*field, locale).is_empty(), "{field} has no {} label", locale.tag());
            }
        }
        for locale in Locale::ALL {
            for text in Text::ALL {
                assert!(words(locale).unwrap().iter().any(|(k, _)| *k == text.key()), "{:?} in {}", text, locale.tag());
            }
            assert!(words(locale).unwrap().iter().any(|(k, _)| *k == "text.not_ready.other"), "{}", locale.tag());
            assert_eq!(self::text(Text::StrengthLevels, locale).split('|').count(), 5);
            assert!(!strength_name(4, locale).is_empty());
        }
        assert_eq!(label(Field::Password, Locale::De), "Passwort");
        assert_eq!(text(Text::Submit, Locale::Fr), "Créer mon compte");
    }

    #[test]
    fn counts_take_the_plural_form_of_their_category() {
        install_all();
        // Categories as CLDR gives them (the browser picks them at run time).
        assert_eq!(not_ready_in(1, "one", Locale::Pl), "1 pole wymaga jeszcze uwagi.");
        assert_eq!(not_ready_in(3, "few", Locale::Pl), "3 pola wymagają jeszcze uwagi.");
        assert_eq!(not_ready_in(5, "many", Locale::Pl), "5 pól wymaga jeszcze uwagi.");
        assert_eq!(not_ready_in(2, "other", Locale::En), "2 fields still need attention.");
        assert_eq!(not_ready_in(1, "one", Locale::En), "1 field still needs attention.");
        assert_eq!(
            not_ready_in(7, "many", Locale::De),
            "7 Felder brauchen noch Ihre Aufmerksamkeit.",
            "other stands in"
        );
    }

    #[test]
    fn us_states_are_named_in_the_page_language() {
        install_all();
        let california = enlist_shared::UsState::parse("CA").unwrap();
        assert_eq!(state_name(california, Locale::En), "California");
        assert_eq!(state_name(california, Locale::De), "Kalifornien");
        assert_eq!(state_name(california, Locale::Fr), "Californie");
        for locale in Locale::ALL {
            for state in enlist_shared::UsState::all() {
                assert!(!state_name(state, locale).is_empty());
                if locale != Locale::En {
                    assert!(
                        !word(&format!("state.{}", state.code()), locale).is_empty(),
                        "{} in {}",
                        state.code(),
                        locale.tag()
                    );
                }
            }
        }
    }

    #[test]
    fn a_damaged_file_is_refused_and_english_stands_in() {
        let german = include_str!("../locales/de.txt");
        let cut: String = german.lines().filter(|l| !l.starts_with("label.city")).map(|l| format!("{l}\n")).collect();
        assert!(!install(Locale::It, &cut));
        assert!(!install(Locale::En, german));
        assert_eq!(label(Field::City, Locale::It), "City", "English until Italian arrives");
    }
}
