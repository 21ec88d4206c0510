//! The seeds' enumerations, each read case-insensitively and written as the seed spells it.

use crate::Code;

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
