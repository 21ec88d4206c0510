use crate::Code;
use std::fmt;

include!(concat!(env!("OUT_DIR"), "/countries.rs"));

/// An ISO 3166-1 country, read from an alpha-2 code (any case) or an English name. The codes
/// and names are isocountry's, copied into one string at build time (see build.rs): an entry
/// per country, the code then the name, which this holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country(&'static str);

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Country").field(&self.alpha2()).finish()
    }
}

/// Common English names that are not the ISO short name, already in [`fold`]ed form.
const ALIASES: &[(&str, &str)] = &[
    ("usa", "US"),
    ("us", "US"),
    ("united states", "US"),
    ("america", "US"),
    ("us of america", "US"),
    ("uk", "GB"),
    ("united kingdom", "GB"),
    ("great britain", "GB"),
    ("britain", "GB"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("northern ireland", "GB"),
    ("russia", "RU"),
    ("south korea", "KR"),
    ("korea", "KR"),
    ("republic of korea", "KR"),
    ("north korea", "KP"),
    ("iran", "IR"),
    ("syria", "SY"),
    ("vietnam", "VN"),
    ("laos", "LA"),
    ("bolivia", "BO"),
    ("venezuela", "VE"),
    ("tanzania", "TZ"),
    ("moldova", "MD"),
    ("czech republic", "CZ"),
    ("czechia", "CZ"),
    ("taiwan", "TW"),
    ("macedonia", "MK"),
    ("north macedonia", "MK"),
    ("ivory coast", "CI"),
    ("cote divoire", "CI"),
    ("holland", "NL"),
    ("netherlands", "NL"),
    ("vatican", "VA"),
    ("vatican city", "VA"),
    ("holy see", "VA"),
    ("palestine", "PS"),
    ("brunei", "BN"),
    ("cape verde", "CV"),
    ("cabo verde", "CV"),
    ("micronesia", "FM"),
    ("swaziland", "SZ"),
    ("eswatini", "SZ"),
    ("burma", "MM"),
    ("myanmar", "MM"),
    ("east timor", "TL"),
    ("timor leste", "TL"),
    ("congo", "CG"),
    ("republic of the congo", "CG"),
    ("congo brazzaville", "CG"),
    ("dr congo", "CD"),
    ("drc", "CD"),
    ("democratic republic of the congo", "CD"),
    ("congo kinshasa", "CD"),
    ("turkey", "TR"),
    ("turkiye", "TR"),
    ("uae", "AE"),
    ("emirates", "AE"),
    ("macau", "MO"),
    ("macao", "MO"),
    ("hong kong", "HK"),
    ("falklands", "FK"),
    ("st lucia", "LC"),
    ("st kitts and nevis", "KN"),
    ("st vincent and the grenadines", "VC"),
    ("the bahamas", "BS"),
    ("the gambia", "GM"),
    ("bosnia", "BA"),
    ("trinidad", "TT"),
    ("sao tome and principe", "ST"),
    ("reunion", "RE"),
    ("curacao", "CW"),
    ("aland", "AX"),
    ("saint martin", "MF"),
    ("sint maarten", "SX"),
    ("the philippines", "PH"),
];

impl Country {
    /// An ISO 3166-1 alpha-2 code, in any case (`pl`, `PL`).
    pub fn parse_code(input: &str) -> Result<Self, Code> {
        let code = input.trim();
        if code.is_empty() {
            return Err(Code::Required);
        }
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(Code::CountryInvalid);
        }
        super::find_entry(COUNTRIES, code).map(Self).ok_or(Code::CountryInvalid)
    }

    /// An English country name: the ISO short name (`Poland`, `Bolivia (Plurinational State
    /// of)`), that name without its parenthesis (`Bolivia`), or a common name (`USA`, `UK`).
    /// Case, accents and punctuation do not matter.
    pub fn parse_name(input: &str) -> Result<Self, Code> {
        let wanted = fold(input);
        if wanted.is_empty() {
            return Err(Code::Required);
        }
        if let Some((_, code)) = ALIASES.iter().find(|(name, _)| *name == wanted) {
            return Self::parse_code(code);
        }
        if let Some(country) = Self::all().find(|c| fold(c.name()) == wanted) {
            return Ok(country);
        }
        // Two countries sharing a short form (Korea, Congo) are left to ALIASES.
        let mut by_short_name = Self::all().filter(|c| fold(short_name(c.name())) == wanted);
        match (by_short_name.next(), by_short_name.next()) {
            (Some(country), None) => Ok(country),
            _ => Err(Code::CountryInvalid),
        }
    }

    /// Whether a country name names this country (GetResponse's `country` vs `country_code`).
    pub fn is_named(&self, name: &str) -> bool {
        Self::parse_name(name).is_ok_and(|named| named == *self)
    }

    pub fn alpha2(&self) -> &'static str {
        &self.0[..2]
    }

    /// The ISO English short name.
    pub fn name(&self) -> &'static str {
        &self.0[2..]
    }

    pub fn is_united_states(&self) -> bool {
        self.alpha2() == "US"
    }

    /// Every country, in isocountry's order (for the widget's select).
    pub fn all() -> impl Iterator<Item = Country> {
        super::entries(COUNTRIES).map(Country)
    }
}

/// `Bolivia (Plurinational State of)` → `Bolivia`.
fn short_name(name: &str) -> &str {
    name.split(" (").next().unwrap_or(name)
}

/// Lower case, accents dropped, `&` as `and`, punctuation and a leading "the" removed,
/// white space collapsed.
pub fn fold(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    for c in crate::lower::lower_chars(name.trim()) {
        match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => folded.push('a'),
            'é' | 'è' | 'ê' | 'ë' => folded.push('e'),
            'í' | 'ì' | 'î' | 'ï' => folded.push('i'),
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => folded.push('o'),
            'ú' | 'ù' | 'û' | 'ü' => folded.push('u'),
            'ç' => folded.push('c'),
            'ñ' => folded.push('n'),
            '&' => folded.push_str(" and "),
            '.' | ',' | '\'' | '’' | '(' | ')' => {}
            '-' => folded.push(' '),
            c => folded.push(c),
        }
    }
    let words: Vec<&str> = folded.split_whitespace().collect();
    let words = if words.first() == Some(&"the") && words.len() > 1 { &words[1..] } else { &words[..] };
    let joined = words.join(" ");
    joined.strip_prefix("saint ").map(|rest| format!("st {rest}")).unwrap_or(joined)
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.alpha2())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_in_any_case_come_out_upper_case() {
        assert_eq!(Country::parse_code("pl").unwrap().alpha2(), "PL");
        assert_eq!(Country::parse_code(" Us ").unwrap().alpha2(), "US");
        for bad in ["XX", "POL", "P", "12", "p1", "ÜS"] {
            assert_eq!(Country::parse_code(bad), Err(Code::CountryInvalid), "{bad}");
        }
        assert_eq!(Country::parse_code(""), Err(Code::Required));
    }

    #[test]
    fn every_iso_name_and_code_round_trips() {
        let mut count = 0;
        for country in Country::all() {
            assert_eq!(Country::parse_code(country.alpha2()), Ok(country));
            assert_eq!(Country::parse_name(country.name()), Ok(country), "{}", country.name());
            count += 1;
        }
        assert_eq!(count, 249);
    }

    #[test]
    fn common_english_names_are_understood() {
        for (name, code) in [
            ("Poland", "PL"),
            ("India", "IN"),
            ("poland", "PL"),
            ("United States", "US"),
            ("USA", "US"),
            ("U.S.A.", "US"),
            ("UK", "GB"),
            ("Russia", "RU"),
            ("South Korea", "KR"),
            ("North Korea", "KP"),
            ("Bolivia", "BO"),
            ("Cote d'Ivoire", "CI"),
            ("Côte d’Ivoire", "CI"),
            ("Vietnam", "VN"),
            ("The Netherlands", "NL"),
            ("Saint Lucia", "LC"),
            ("St. Lucia", "LC"),
            ("Czechia", "CZ"),
        ] {
            assert_eq!(Country::parse_name(name).map(|c| c.alpha2()), Ok(code), "{name}");
        }
        for bad in ["Atlantis", "Polska Rzeczpospolita", "Europe", "PL"] {
            assert_eq!(Country::parse_name(bad), Err(Code::CountryInvalid), "{bad}");
        }
    }

    #[test]
    fn names_match_codes_as_getresponse_requires() {
        let pl = Country::parse_code("PL").unwrap();
        assert!(pl.is_named("Poland"));
        assert!(!pl.is_named("Germany"));
        assert!(!pl.is_named("Nowhere"));
    }
}
