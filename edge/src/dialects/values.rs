//! The vendor dialects' own small values, each parsed into a type: an IPv4 address as an
//! integer, Unix timestamps and dates, booleans in each seed's spelling, and the seeds'
//! enumerations (read in any case, written as the seed spells it). Only the dialects read them,
//! so they live here and not in the rule set the widget compiles; their verdicts are pinned by
//! `edge/tests/seed_values.rs`.

use enlist_shared::Code;
use std::net::Ipv4Addr;

/// Poken's `ip`: an IPv4 address written as one unsigned 32-bit integer (`3232235777`).
pub fn parse_ipv4_integer(input: &str) -> Result<Ipv4Addr, Code> {
    let digits = input.trim();
    if digits.is_empty() {
        return Err(Code::Required);
    }
    if digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Code::IpInvalid);
    }
    digits.parse::<u32>().map(Ipv4Addr::from).map_err(|_| Code::IpInvalid)
}

/// Latest instant accepted: 9999-12-31T23:59:59Z.
const MAX_UNIX_SECONDS: i64 = 253_402_300_799;

/// A Unix timestamp in whole seconds since 1970 (Poken's `sendEmailTimestamp`).
pub fn parse_unix_seconds(input: &str) -> Result<i64, Code> {
    let digits = input.trim();
    if digits.is_empty() {
        return Err(Code::Required);
    }
    if digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Code::DateInvalid);
    }
    digits.parse::<i64>().ok().filter(|s| *s <= MAX_UNIX_SECONDS).ok_or(Code::DateInvalid)
}

/// A calendar date, `YYYY-MM-DD`, optionally with a time `THH:MM[:SS]` and `Z` or an offset
/// (Engagement's `lastActiveDate`). Returned as written, trimmed.
pub fn parse_date(input: &str) -> Result<String, Code> {
    let text = input.trim();
    if text.is_empty() {
        return Err(Code::Required);
    }
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let number = |s: &str| -> Option<u32> { s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse().ok()).flatten() };
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(Code::DateInvalid);
    };
    let (Some(year), Some(month), Some(day)) =
        (number(y).filter(|_| y.len() == 4), number(m).filter(|_| m.len() == 2), number(d).filter(|_| d.len() == 2))
    else {
        return Err(Code::DateInvalid);
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(Code::DateInvalid),
    };
    if year < 1900 || day == 0 || day > days {
        return Err(Code::DateInvalid);
    }
    if let Some(time) = time {
        let clock = time.trim_end_matches('Z');
        let clock = match clock.rfind(['+', '-']) {
            Some(at) if at >= 5 => {
                let offset = &clock[at + 1..];
                let valid_offset = offset.len() == 5
                    && offset.as_bytes()[2] == b':'
                    && number(&offset[..2]).is_some_and(|h| h <= 14)
                    && number(&offset[3..]).is_some_and(|m| m < 60);
                if !valid_offset || time.ends_with('Z') {
                    return Err(Code::DateInvalid);
                }
                &clock[..at]
            }
            _ => clock,
        };
        let fields: Vec<&str> = clock.split(':').collect();
        let ranges = [24, 60, 60];
        if !(2..=3).contains(&fields.len())
            || fields.iter().zip(ranges).any(|(f, max)| f.len() != 2 || number(f).is_none_or(|v| v >= max))
        {
            return Err(Code::DateInvalid);
        }
    }
    Ok(text.to_owned())
}

/// How a seed spells its booleans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    /// Poken's form fields: `true` / `false`.
    TrueFalse,
    /// MoveDigital's `eula_agree`: `yes` / `no`.
    YesNo,
    /// MoveDigital's `updates`: `on` / `off`.
    OnOff,
}

/// A boolean in the seed's spelling, in any case.
pub fn parse_flag(input: &str, spelling: Spelling) -> Result<bool, Code> {
    let word = input.trim();
    if word.is_empty() {
        return Err(Code::Required);
    }
    let (yes, no) = match spelling {
        Spelling::TrueFalse => ("true", "false"),
        Spelling::YesNo => ("yes", "no"),
        Spelling::OnOff => ("on", "off"),
    };
    if word.eq_ignore_ascii_case(yes) {
        Ok(true)
    } else if word.eq_ignore_ascii_case(no) {
        Ok(false)
    } else {
        Err(Code::EnumInvalid)
    }
}

macro_rules! choice {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn parse(input: &str) -> Result<Self, Code> {
                let word = input.trim();
                if word.is_empty() {
                    return Err(Code::Required);
                }
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(word)).ok_or(Code::EnumInvalid)
            }

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

choice!(
    /// Poken's profile `visibility`.
    Visibility { Contacts => "CONTACTS", EventParticipants => "EVENT_PARTICIPANTS", Public => "PUBLIC" }
);

choice!(
    /// Poken's e-mail frequencies (`emailRecentCollected`, `emailNetworkUpdates`).
    EmailFrequency { Daily => "DAILY", Weekly => "WEEKLY", NoEmail => "NO_EMAIL" }
);

choice!(
    /// Poken's `sendEmailId`.
    SendEmail { CampaignDefault => "0", NoEmail => "1", Scheduled => "2", IfPresentToEvent => "3", SendNow => "4" }
);

choice!(
    /// GetResponse's campaign `optin`.
    Optin { Single => "single", Double => "double" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_as_integer() {
        assert_eq!(parse_ipv4_integer("3232235777"), Ok(Ipv4Addr::new(192, 168, 1, 1)));
        assert_eq!(parse_ipv4_integer("0"), Ok(Ipv4Addr::new(0, 0, 0, 0)));
        assert_eq!(parse_ipv4_integer("4294967295"), Ok(Ipv4Addr::new(255, 255, 255, 255)));
        for bad in ["4294967296", "-1", "192.168.1.1", "12a", "99999999999", "+5"] {
            assert_eq!(parse_ipv4_integer(bad), Err(Code::IpInvalid), "{bad}");
        }
    }

    #[test]
    fn unix_seconds() {
        assert_eq!(parse_unix_seconds("1700000000"), Ok(1_700_000_000));
        assert_eq!(parse_unix_seconds("253402300799"), Ok(MAX_UNIX_SECONDS));
        for bad in ["253402300800", "-5", "1.5", "soon", "1e9"] {
            assert_eq!(parse_unix_seconds(bad), Err(Code::DateInvalid), "{bad}");
        }
    }

    #[test]
    fn dates() {
        for ok in [
            "2024-02-29",
            "2026-11-24T10:15:00Z",
            "2026-11-24T10:15",
            "2026-11-24T10:15:59+05:30",
            "2026-11-24 23:59:59",
        ] {
            assert_eq!(parse_date(ok), Ok(ok.to_owned()), "{ok}");
        }
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-1-01",
            "24-11-2026",
            "2026-11-24T25:00",
            "2026-11-24T10:60",
            "yesterday",
            "2026-11-24T10:15+5",
        ] {
            assert_eq!(parse_date(bad), Err(Code::DateInvalid), "{bad}");
        }
    }

    #[test]
    fn booleans_in_each_spelling() {
        assert_eq!(parse_flag("true", Spelling::TrueFalse), Ok(true));
        assert_eq!(parse_flag("FALSE", Spelling::TrueFalse), Ok(false));
        assert_eq!(parse_flag("yes", Spelling::YesNo), Ok(true));
        assert_eq!(parse_flag("No", Spelling::YesNo), Ok(false));
        assert_eq!(parse_flag("on", Spelling::OnOff), Ok(true));
        assert_eq!(parse_flag("off", Spelling::OnOff), Ok(false));
        assert_eq!(parse_flag("yes", Spelling::TrueFalse), Err(Code::EnumInvalid));
        assert_eq!(parse_flag("1", Spelling::OnOff), Err(Code::EnumInvalid));
    }

    #[test]
    fn seed_spellings_in_any_case() {
        assert_eq!(Visibility::parse("event_participants"), Ok(Visibility::EventParticipants));
        assert_eq!(Visibility::parse("PUBLIC").map(Visibility::as_str), Ok("PUBLIC"));
        assert_eq!(EmailFrequency::parse("no_email"), Ok(EmailFrequency::NoEmail));
        assert_eq!(SendEmail::parse("2"), Ok(SendEmail::Scheduled));
        assert_eq!(Optin::parse("Double"), Ok(Optin::Double));
    }

    #[test]
    fn anything_else_is_enum_invalid() {
        assert_eq!(Visibility::parse("FRIENDS"), Err(Code::EnumInvalid));
        assert_eq!(SendEmail::parse("5"), Err(Code::EnumInvalid));
        assert_eq!(SendEmail::parse("02"), Err(Code::EnumInvalid));
        assert_eq!(Optin::parse("triple"), Err(Code::EnumInvalid));
        assert_eq!(EmailFrequency::parse(""), Err(Code::Required));
    }
}
