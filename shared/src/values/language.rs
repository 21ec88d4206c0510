use crate::values::country::Country;
use crate::Code;
use std::fmt;

/// The 184 ISO 639-1 language codes.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv \
cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig \
ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn \
mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk \
sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za \
zh zu";

/// An ISO 639-1 language with an optional ISO 3166-1 region: `en`, `en-GB`, `pt_BR`, `PL`.
/// Written as BCP 47 (`pt-BR`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Language {
    code: [u8; 2],
    region: Option<Country>,
}

impl Language {
    pub fn parse(input: &str) -> Result<Self, Code> {
        let tag = input.trim();
        if tag.is_empty() {
            return Err(Code::Required);
        }
        let (lang, region) = match tag.split_once(['-', '_']) {
            Some((lang, region)) => (lang, Some(region)),
            None => (tag, None),
        };
        let lang = lang.to_ascii_lowercase();
        if lang.len() != 2 || !ISO_639_1.split(' ').any(|known| known == lang) {
            return Err(Code::LangInvalid);
        }
        let region = match region {
            None => None,
            Some(region) => Some(Country::parse_code(region).map_err(|_| Code::LangInvalid)?),
        };
        let bytes = lang.as_bytes();
        Ok(Self { code: [bytes[0], bytes[1]], region })
    }

    /// The two-letter language code, lower case.
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("")
    }

    pub fn region(&self) -> Option<Country> {
        self.region
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.region {
            Some(region) => write!(f, "{}-{}", self.code(), region.alpha2()),
            None => f.write_str(self.code()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contracts_examples() {
        for (input, out) in [("en", "en"), ("en-GB", "en-GB"), ("pt_BR", "pt-BR"), ("PL", "pl"), (" de-at ", "de-AT")] {
            assert_eq!(Language::parse(input).map(|l| l.to_string()), Ok(out.to_owned()), "{input}");
        }
        assert_eq!(ISO_639_1.split(' ').count(), 184);
    }

    #[test]
    fn unknown_languages_and_regions() {
        for bad in ["xx", "eng", "e", "en-XX", "en-", "en-GBR", "es-419", "english", "en GB"] {
            assert_eq!(Language::parse(bad), Err(Code::LangInvalid), "{bad}");
        }
        assert_eq!(Language::parse(""), Err(Code::Required));
    }
}
