use crate::Code;
use std::fmt;

include!(concat!(env!("OUT_DIR"), "/zones.rs"));

/// An IANA time zone (`Europe/Warsaw`), read in any case, written canonically. The names are
/// chrono-tz's, every one it knows (links such as `US/Eastern` included), copied into one
/// string at build time (see build.rs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeZone(&'static str);

impl TimeZone {
    pub fn parse(input: &str) -> Result<Self, Code> {
        let name = input.trim();
        if name.is_empty() {
            return Err(Code::Required);
        }
        ZONES.lines().find(|zone| zone.eq_ignore_ascii_case(name)).map(Self).ok_or(Code::TimezoneInvalid)
    }

    pub fn name(&self) -> &'static str {
        self.0
    }

    /// Every IANA zone, in the database's order (for the widget's select).
    pub fn all() -> impl Iterator<Item = TimeZone> {
        ZONES.lines().map(Self)
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
        assert_eq!(TimeZone::parse("us/eastern").unwrap().name(), "US/Eastern", "links too");
    }

    #[test]
    fn every_zone_chrono_tz_knows_and_no_other() {
        assert!(TimeZone::all().count() > 590);
        for zone in TimeZone::all() {
            assert_eq!(TimeZone::parse(&zone.name().to_uppercase()), Ok(zone));
            assert!(!zone.name().is_empty() && zone.name().trim() == zone.name());
        }
        assert_eq!(TimeZone::parse("Europe/Warsaw\u{d}Europe/Paris"), Err(Code::TimezoneInvalid));
    }

    #[test]
    fn unknown_zones_and_offsets_are_invalid() {
        for bad in ["Europe/Gdansk", "GMT+2", "+02:00", "Mars/Olympus", "Europe/"] {
            assert_eq!(TimeZone::parse(bad), Err(Code::TimezoneInvalid), "{bad}");
        }
        assert_eq!(TimeZone::parse(""), Err(Code::Required));
    }
}
