use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A field of a signup, as named on the native wire (`"first_name"`, ...). Each dialect maps
/// its own names onto these. The declaration order is the order problems are reported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Alias,
    Prefix,
    FirstName,
    MiddleName,
    LastName,
    Email,
    Password,
    Organization,
    Title,
    Department,
    Specialty,
    Region,
    Address,
    City,
    PostalCode,
    Country,
    CountryName,
    State,
    TimeZone,
    Lang,
    Phone,
    WorkPhone,
    WorkFax,
    WorkEmail,
    Website,
    Eula,
    /// The request as a whole (malformed body, internal failure, unknown route).
    Request,
}

/// A stable problem code (listed in docs/api.md). The wire spelling never changes once shipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    Required,
    AliasTooShort,
    AliasInvalid,
    /// A reserved word in any disguise: on the wire `alias.invalid` (see [`Code::wire`]).
    AliasReserved,
    AliasNumeric,
    AliasTaken,
    PasswordTooShort,
    PasswordTooLong,
    PasswordTooWeak,
    /// One of the most used passwords, or one character repeated: on the wire
    /// `password.too_weak` (see [`Code::wire`]).
    PasswordCommon,
    EmailInvalid,
    EmailTaken,
    CountryInvalid,
    CountryMismatch,
    StateRequired,
    StateInvalid,
    TimezoneInvalid,
    LangInvalid,
    PhoneInvalid,
    PhoneTaken,
    UrlInvalid,
    IpInvalid,
    EnumInvalid,
    DateInvalid,
    TextTooLong,
    TextInvalid,
    ExtRefTaken,
    EulaRequired,
    AuthRequired,
    AuthInvalid,
    AuthForbidden,
    /// A valid caller at an address its operator's allowlist does not name.
    AddressForbidden,
    IdentityInvalid,
    IdentityLocked,
    TlsRequired,
    RequestMalformed,
    RateLimited,
    /// An earlier request with the same idempotency key is still running.
    RequestInProgress,
    /// The campaign takes no more signups (its organiser closed it).
    CampaignClosed,
    NotFound,
    MethodNotAllowed,
    Internal,
}

/// One failed rule: which field, which code. Messages are looked up from the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Problem {
    pub field: Field,
    pub code: Code,
}

impl Problem {
    pub const fn new(field: Field, code: Code) -> Self {
        Self { field, code }
    }
}

/// A field or code name that this version of the rule set does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownName(pub String);

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown name `{}`", self.0)
    }
}

impl std::error::Error for UnknownName {}

/// Wire names, kept in one table per enum so `as_str` and `from_str` cannot drift apart.
macro_rules! wire_names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }

        impl FromStr for $ty {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                // A scan of the table `as_str` reads (a `match` on strings compiles to a
                // comparison per name: a kilobyte of wasm per enum).
                Self::ALL.iter().find(|v| v.as_str() == s).copied().ok_or_else(|| UnknownName(s.to_owned()))
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Name;

                impl serde::de::Visitor<'_> for Name {
                    type Value = $ty;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a string")
                    }

                    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<$ty, E> {
                        name.parse().map_err(E::custom)
                    }
                }

                // Any string, borrowed or not: the one request every JSON reader answers (the
                // widget's, which unescapes into a buffer, has no owned strings for map keys).
                d.deserialize_str(Name)
            }
        }
    };
}

wire_names!(Field {
    Alias => "alias",
    Prefix => "prefix",
    FirstName => "first_name",
    MiddleName => "middle_name",
    LastName => "last_name",
    Email => "email",
    Password => "password",
    Organization => "organization",
    Title => "title",
    Department => "department",
    Specialty => "specialty",
    Region => "region",
    Address => "address",
    City => "city",
    PostalCode => "postal_code",
    Country => "country",
    CountryName => "country_name",
    State => "state",
    TimeZone => "time_zone",
    Lang => "lang",
    Phone => "phone",
    WorkPhone => "work_phone",
    WorkFax => "work_fax",
    WorkEmail => "work_email",
    Website => "website",
    Eula => "eula",
    Request => "request",
});

wire_names!(Code {
    Required => "required",
    AliasTooShort => "alias.too_short",
    AliasInvalid => "alias.invalid",
    AliasReserved => "alias.reserved",
    AliasNumeric => "alias.numeric",
    AliasTaken => "alias.taken",
    PasswordTooShort => "password.too_short",
    PasswordTooLong => "password.too_long",
    PasswordTooWeak => "password.too_weak",
    PasswordCommon => "password.common",
    EmailInvalid => "email.invalid",
    EmailTaken => "email.taken",
    CountryInvalid => "country.invalid",
    CountryMismatch => "country.mismatch",
    StateRequired => "state.required",
    StateInvalid => "state.invalid",
    TimezoneInvalid => "timezone.invalid",
    LangInvalid => "lang.invalid",
    PhoneInvalid => "phone.invalid",
    PhoneTaken => "phone.taken",
    UrlInvalid => "url.invalid",
    IpInvalid => "ip.invalid",
    EnumInvalid => "enum.invalid",
    DateInvalid => "date.invalid",
    TextTooLong => "text.too_long",
    TextInvalid => "text.invalid",
    ExtRefTaken => "ext_ref.taken",
    EulaRequired => "eula.required",
    AuthRequired => "auth.required",
    AuthInvalid => "auth.invalid",
    AuthForbidden => "auth.forbidden",
    AddressForbidden => "auth.address_forbidden",
    IdentityInvalid => "identity.invalid",
    IdentityLocked => "identity.locked",
    TlsRequired => "tls.required",
    RequestMalformed => "request.malformed",
    RateLimited => "rate.limited",
    RequestInProgress => "request.in_progress",
    CampaignClosed => "campaign.closed",
    NotFound => "route.not_found",
    MethodNotAllowed => "route.method_not_allowed",
    Internal => "internal",
});

impl Code {
    /// The code a client sees. Two codes only refine another one so that the message can say
    /// why (a reserved user name, a common password); on every wire they keep the code the
    /// API has always given for them. Every other code is its own.
    pub const fn parent(self) -> Code {
        match self {
            Code::AliasReserved => Code::AliasInvalid,
            Code::PasswordCommon => Code::PasswordTooWeak,
            other => other,
        }
    }

    /// The wire spelling of [`Code::parent`].
    pub const fn wire(self) -> &'static str {
        self.parent().as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refinements_keep_their_parent_code_on_the_wire() {
        assert_eq!(Code::AliasReserved.wire(), "alias.invalid");
        assert_eq!(Code::PasswordCommon.wire(), "password.too_weak");
        assert_eq!(Code::EmailTaken.wire(), "email.taken");
        for code in Code::ALL {
            assert_eq!(code.wire().parse::<Code>().map(Code::parent), Ok(code.parent()));
        }
    }

    #[test]
    fn every_code_and_field_round_trips_through_its_wire_name() {
        for code in Code::ALL {
            assert_eq!(code.as_str().parse::<Code>(), Ok(*code));
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(serde_json::from_str::<Code>(&json).unwrap(), *code);
        }
        for field in Field::ALL {
            assert_eq!(field.as_str().parse::<Field>(), Ok(*field));
        }
    }

    #[test]
    fn unknown_names_are_refused() {
        assert_eq!("email.bogus".parse::<Code>(), Err(UnknownName("email.bogus".into())));
        assert!(serde_json::from_str::<Field>("\"nickname\"").is_err());
    }

    #[test]
    fn the_contracts_codes_are_spelled_as_in_the_contract() {
        let contract = [
            "required",
            "alias.too_short",
            "alias.invalid",
            "alias.numeric",
            "alias.taken",
            "password.too_short",
            "password.too_weak",
            "email.invalid",
            "email.taken",
            "country.invalid",
            "country.mismatch",
            "state.required",
            "timezone.invalid",
            "lang.invalid",
            "phone.invalid",
            "phone.taken",
            "url.invalid",
            "ip.invalid",
            "enum.invalid",
            "date.invalid",
            "ext_ref.taken",
            "eula.required",
            "auth.required",
            "auth.invalid",
            "auth.forbidden",
            "identity.invalid",
            "identity.locked",
            "tls.required",
            "request.malformed",
            "internal",
        ];
        for name in contract {
            assert!(name.parse::<Code>().is_ok(), "{name} is a documented code but not in Code");
        }
    }

    #[test]
    fn field_order_is_declaration_order() {
        let mut sorted = Field::ALL.to_vec();
        sorted.sort();
        assert_eq!(sorted, Field::ALL);
    }
}
