use crate::Code;
use std::borrow::Cow;
use std::fmt;

/// An IANA time zone (`Europe/Warsaw`), read in any case, written canonically. The names are
/// chrono-tz's, every one it knows (links such as `US/Eastern` included): `data/time-zones.txt`,
/// which build.rs checks against the crate. Compiled in with the `embedded-zones` feature;
/// otherwise (the widget) installed at run time by [`install_zones`], and until then any
/// well-formed name passes as typed (the Worker, which has the list, judges it).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TimeZone(Cow<'static, str>);

#[cfg(not(feature = "embedded-zones"))]
static INSTALLED: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The zone list, a name per line, where the rule set has it.
fn zones() -> Option<&'static str> {
    #[cfg(feature = "embedded-zones")]
    return Some(include_str!("../../data/time-zones.txt"));
    #[cfg(not(feature = "embedded-zones"))]
    return INSTALLED.get().map(String::as_str);
}

/// Installs the zone list (the text of `data/time-zones.txt`) where it is not compiled in.
/// A damaged download (too short, or without `Europe/Warsaw`) is refused. Returns whether a
/// list is in place afterwards.
pub fn install_zones(list: &str) -> bool {
    #[cfg(not(feature = "embedded-zones"))]
    if list.lines().count() >= 400 && list.lines().any(|zone| zone == "Europe/Warsaw") {
        let _ = INSTALLED.set(list.to_owned());
    }
    #[cfg(feature = "embedded-zones")]
    let _ = list;
    zones_ready()
}

/// Whether zone names are checked against the list yet (always, where it is compiled in).
pub fn zones_ready() -> bool {
    zones().is_some()
}

impl TimeZone {
    pub fn parse(input: &str) -> Result<Self, Code> {
        Self::parse_in(input, zones())
    }

    /// [`TimeZone::parse`] against a list, or (`None`, no list yet) by shape only.
    fn parse_in(input: &str, zones: Option<&'static str>) -> Result<Self, Code> {
        let name = input.trim();
        if name.is_empty() {
            return Err(Code::Required);
        }
        match zones {
            Some(zones) => zones.lines().find(|zone| zone.eq_ignore_ascii_case(name)).map(|z| Self(Cow::Borrowed(z))),
            None => {
                let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+');
                let shaped =
                    name.len() <= 40 && name.chars().all(allowed) && !name.starts_with('/') && !name.ends_with('/');
                shaped.then(|| Self(Cow::Owned(name.to_owned())))
            }
        }
        .ok_or(Code::TimezoneInvalid)
    }

    pub fn name(&self) -> &str {
        &self.0
    }

    /// Every IANA zone, in the database's order (none before the list is installed).
    pub fn all() -> impl Iterator<Item = TimeZone> {
        zones().unwrap_or("").lines().map(|z| Self(Cow::Borrowed(z)))
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
            assert_eq!(TimeZone::parse(&zone.name().to_uppercase()), Ok(zone.clone()));
            assert!(!zone.name().is_empty() && zone.name().trim() == zone.name());
        }
        assert_eq!(TimeZone::parse("Europe/Warsaw\u{d}Europe/Paris"), Err(Code::TimezoneInvalid));
    }

    #[test]
    fn before_the_list_arrives_a_well_formed_name_passes_as_typed() {
        assert_eq!(TimeZone::parse_in("Europe/Gdansk", None).map(|z| z.name().to_owned()), Ok("Europe/Gdansk".into()));
        for bad in ["Mars Olympus", "/Europe", "Europe/", "<script>", &"A/".repeat(30)] {
            assert_eq!(TimeZone::parse_in(bad, None), Err(Code::TimezoneInvalid), "{bad}");
        }
        assert_eq!(TimeZone::parse_in(" ", None), Err(Code::Required));
        assert_eq!(TimeZone::parse_in("Europe/Gdansk", zones()), Err(Code::TimezoneInvalid), "the list decides");
        assert!(zones_ready() && install_zones("garbage"), "compiled in here: installing changes nothing");
    }

    #[test]
    fn unknown_zones_and_offsets_are_invalid() {
        for bad in ["Europe/Gdansk", "GMT+2", "+02:00", "Mars/Olympus", "Europe/"] {
            assert_eq!(TimeZone::parse(bad), Err(Code::TimezoneInvalid), "{bad}");
        }
        assert_eq!(TimeZone::parse(""), Err(Code::Required));
    }
}
