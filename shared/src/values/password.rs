use crate::Code;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::OnceLock;

/// What a campaign asks of a password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordRules {
    pub min_chars: usize,
    pub max_chars: usize,
    pub composition: Composition,
    /// Refuse the 10 000 most common passwords (case-insensitively).
    pub refuse_common: bool,
}

impl Default for PasswordRules {
    fn default() -> Self {
        Self { min_chars: 8, max_chars: Password::MAX_CHARS, composition: Composition::Any, refuse_common: true }
    }
}

/// Which kinds of character a password must mix.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Composition {
    #[default]
    Any,
    /// GetResponse's rule: a lower-case letter, an upper-case letter, and a digit or a special
    /// character.
    LowerUpperDigitOrSpecial,
}

/// A password that satisfies the policy. It never prints itself: `Debug` shows a placeholder
/// and there is no `Display`, so it cannot leak into a log or an answer by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// No policy may accept more than this.
    pub const MAX_CHARS: usize = 256;

    /// Parses a password as typed. White space is significant and kept.
    pub fn parse(input: &str, rules: &PasswordRules) -> Result<Self, Code> {
        if input.is_empty() {
            return Err(Code::Required);
        }
        let chars = input.chars().count();
        if chars < rules.min_chars {
            return Err(Code::PasswordTooShort);
        }
        if chars > rules.max_chars.min(Self::MAX_CHARS) {
            return Err(Code::PasswordTooLong);
        }
        if rules.refuse_common && (is_common(input) || is_one_repeated(input)) {
            return Err(Code::PasswordCommon);
        }
        if !composes(input, rules.composition) {
            return Err(Code::PasswordTooWeak);
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

fn composes(password: &str, rule: Composition) -> bool {
    match rule {
        Composition::Any => true,
        Composition::LowerUpperDigitOrSpecial => {
            password.chars().any(char::is_lowercase)
                && password.chars().any(char::is_uppercase)
                && password.chars().any(|c| c.is_ascii_digit() || !c.is_alphanumeric())
        }
    }
}

static COMMON: OnceLock<Vec<String>> = OnceLock::new();

/// Decodes the front-coded list (see `data/README.md`).
fn decode_front_coded(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::with_capacity(10_000);
    let mut previous = String::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let shared = line.as_bytes().first().map_or(0, |b| (b.wrapping_sub(b'0')) as usize).min(previous.len());
        let word = format!("{}{}", previous.get(..shared).unwrap_or_default(), line.get(1..).unwrap_or_default());
        previous.clone_from(&word);
        words.push(word);
    }
    words
}

/// The common-password list, decoded once on first use: compiled in with the
/// `embedded-common-list` feature, otherwise as installed by [`install_common_list`].
fn common_list() -> Option<&'static [String]> {
    #[cfg(feature = "embedded-common-list")]
    return Some(COMMON.get_or_init(|| decode_front_coded(include_str!("../../data/common-passwords.fc"))));
    #[cfg(not(feature = "embedded-common-list"))]
    return COMMON.get().map(Vec::as_slice);
}

/// Installs the common-password list (the text of `data/common-passwords.fc`) where it is not
/// compiled in: the widget fetches it beside its wasm, so the list does not weigh on the
/// first download. Returns whether a list is in place afterwards (a first install wins).
pub fn install_common_list(front_coded: &str) -> bool {
    let words = decode_front_coded(front_coded);
    // Look-ups are binary searches: a damaged or truncated download is refused, not half-used.
    if words.len() >= 10_000 && words.windows(2).all(|w| w[0] < w[1]) {
        let _ = COMMON.set(words);
    }
    common_list_ready()
}

/// Whether common passwords are refused yet (always, where the list is compiled in).
pub fn common_list_ready() -> bool {
    common_list().is_some_and(|list| !list.is_empty())
}

/// `aaaaaaaa`, eight spaces: one character over and over.
fn is_one_repeated(password: &str) -> bool {
    let mut chars = password.chars();
    chars.next().is_some_and(|first| chars.all(|c| c == first))
}

/// True when the password, in lower case, is one of the 10 000 most common (false while no
/// list is installed).
pub fn is_common(password: &str) -> bool {
    let lower = crate::lower::lowercase(password);
    common_list().is_some_and(|list| list.binary_search_by(|w| w.as_str().cmp(&lower)).is_ok())
}

/// How many passwords the list holds (0 while none is installed).
pub fn common_count() -> usize {
    common_list().map_or(0, <[String]>::len)
}

/// A strength score from 0 (trivial or common) to 4 (strong), for the meter. Integer-only so
/// the browser and the edge always agree.
pub fn strength(password: &str) -> u8 {
    if password.is_empty() || is_common(password) {
        return 0;
    }
    let has = |member: fn(char) -> bool| password.chars().any(member);
    let mut pool: u128 = 0;
    for (present, size) in [
        (has(|c| c.is_ascii_lowercase()), 26),
        (has(|c| c.is_ascii_uppercase()), 26),
        (has(|c| c.is_ascii_digit()), 10),
        (has(|c| c.is_ascii_punctuation() || c == ' '), 33),
        (!password.is_ascii(), 100),
    ] {
        if present {
            pool += size;
        }
    }
    // floor(10 * log2(pool)) without floats: the bit length of pool^10.
    let tenth_bits_per_char = 127 - pool.max(2).pow(10).leading_zeros() as u64;
    // Repeats and runs (aaaa, abcd, 4321) add almost nothing.
    let mut effective = 0u64;
    let mut previous: Option<char> = None;
    for c in password.chars() {
        let predictable = previous.is_some_and(|p| (p as i64 - c as i64).abs() <= 1);
        if !predictable {
            effective += 1;
        }
        previous = Some(c);
    }
    match effective * tenth_bits_per_char / 10 {
        0..15 => 0,
        15..28 => 1,
        28..40 => 2,
        40..60 => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> PasswordRules {
        PasswordRules::default()
    }

    #[test]
    fn minimum_is_counted_in_characters_not_bytes() {
        assert_eq!(Password::parse("1234567", &rules()), Err(Code::PasswordTooShort));
        assert!(Password::parse("zq8!vW3#", &rules()).is_ok());
        assert_eq!(Password::parse("ééééééé", &rules()), Err(Code::PasswordTooShort));
    }

    #[test]
    fn empty_is_required_and_the_policy_sets_the_bounds() {
        assert_eq!(Password::parse("", &rules()), Err(Code::Required));
        let strict = PasswordRules { min_chars: 12, max_chars: 20, ..rules() };
        assert_eq!(Password::parse("zq8!vW3#zq8", &strict), Err(Code::PasswordTooShort));
        assert_eq!(Password::parse(&"zq8!vW3#".repeat(3), &strict), Err(Code::PasswordTooLong));
    }

    #[test]
    fn no_policy_accepts_more_than_256_characters() {
        let lax = PasswordRules { max_chars: 10_000, ..rules() };
        assert!(Password::parse(&"xQ".repeat(128), &lax).is_ok());
        assert_eq!(Password::parse(&"xQ!".repeat(86), &lax), Err(Code::PasswordTooLong));
    }

    #[test]
    fn getresponse_composition_rule() {
        let gr = PasswordRules { composition: Composition::LowerUpperDigitOrSpecial, ..rules() };
        assert!(Password::parse("12#$qwER", &gr).is_ok(), "the seed's sample password");
        assert!(Password::parse("Trainspotting", &gr).is_err());
        assert!(Password::parse("trainspott1ng", &gr).is_err());
        assert!(Password::parse("TRAINSPOTT1NG", &gr).is_err());
        assert!(Password::parse("Trainspott!ng", &gr).is_ok());
        assert_eq!(Password::parse("Trainspotting", &gr), Err(Code::PasswordTooWeak));
    }

    #[test]
    fn common_passwords_are_too_weak_in_any_case() {
        assert_eq!(common_count(), 10_000);
        for common in ["password", "PASSWORD", "12345678", "baseball", "qwertyuiop", "iloveyou"] {
            assert!(is_common(common), "{common}");
        }
        assert_eq!(Password::parse("Password", &rules()), Err(Code::PasswordCommon));
        assert_eq!(Password::parse("Password1", &rules()), Err(Code::PasswordCommon), "common beats composition");
        assert!(!is_common("Analytical-Engine-1843"));
        let lax = PasswordRules { refuse_common: false, ..rules() };
        assert!(Password::parse("password", &lax).is_ok());
        assert_eq!(Password::parse("        ", &rules()), Err(Code::PasswordCommon));
        assert_eq!(Password::parse("ZZZZZZZZZZZZ", &rules()), Err(Code::PasswordCommon));
    }

    #[test]
    fn the_list_decodes_sorted_and_distinct() {
        let list = decode_front_coded(include_str!("../../data/common-passwords.fc"));
        assert!(list.len() >= 10_000);
        assert!(list.windows(2).all(|w| w[0] < w[1]), "front-coded data must be strictly sorted");
        assert!(list.iter().all(|w| !w.is_empty() && w.to_lowercase() == *w));
        assert!(common_list_ready());
        // A damaged download is refused (and the list in place stays).
        assert!(install_common_list("0zzz\n0aaa\n"));
        assert!(is_common("password"));
    }

    #[test]
    fn strength_orders_passwords_as_a_person_would() {
        assert_eq!(strength(""), 0);
        assert_eq!(strength("password"), 0);
        assert_eq!(strength("aaaaaaaaaaaaaaaa"), 0);
        assert!(strength("zq8vw3") <= 2);
        assert!(strength("Tr0ub4dor&3") >= 3);
        assert_eq!(strength("correct horse battery staple"), 4);
        assert!(strength("abcdefghijklmnop") < strength("Xk#9v!Qz2@Lm"));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let p = Password::parse("correct horse", &rules()).unwrap();
        assert!(!format!("{p:?}").contains("horse"));
        assert_eq!(p.expose(), "correct horse");
    }
}
