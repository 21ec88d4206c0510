use crate::Code;
use chrono_tz::Tz;
use std::fmt;

/// An IANA time zone (`Europe/Warsaw`), read in any case, written canonically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeZone(Tz);

impl TimeZone {
    pub fn parse(input: &str) -> Result<Self, Code> {
        let name = input.trim();
        if name.is_empty() {
            return Err(Code::Required);
        }
        // One pass over the variant list (not `Tz::from_str`, whose map would link every zone
        // name into the widget a second time).
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(name))
            .map(|&tz| Self(tz))
            .ok_or(Code::TimezoneInvalid)
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// Every IANA zone, in the database's order (for the widget's select).
    pub fn all() -> impl Iterator<Item = TimeZone> {
        chrono_tz::TZ_VARIANTS.iter().map(|&tz| Self(tz))
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_names_in_any_case() {
        assert_eq!(TimeZone::parse("Europe/Warsaw").unwrap().name(), "Europe/Warsaw");
        assert_eq!(TimeZone::parse(" europe/warsaw ").unwrap().name(), "Europe/Warsaw");
        assert_eq!(TimeZone::parse("America/Argentina/Buenos_Aires").unwrap().name(), "America/Argentina/Buenos_Aires");
        assert_eq!(TimeZone::parse("UTC").unwrap().name(), "UTC");
    }

    #[test]
    fn unknown_zones_and_offsets_are_invalid() {
        for bad in ["Europe/Gdansk", "GMT+2", "+02:00", "Mars/Olympus", "Europe/"] {
            assert_eq!(TimeZone::parse(bad), Err(Code::TimezoneInvalid), "{bad}");
        }
        assert_eq!(TimeZone::parse(""), Err(Code::Required));
    }
}
