use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The field a problem belongs to, as named on the wire (`"email"`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Email,
    Password,
    /// The request as a whole (malformed body, internal failure).
    Request,
}

/// A stable problem code (`CONTRACT.md` §1). The wire spelling never changes once shipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    Required,
    EmailInvalid,
    EmailTaken,
    PasswordTooShort,
    PasswordTooLong,
    RequestMalformed,
    /// No route at this path (native answers only).
    NotFound,
    /// The path exists, the method does not (native answers only).
    MethodNotAllowed,
    Internal,
}

/// One failed rule: which field, which code. Messages are looked up from the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
                match s {
                    $($name => Ok($ty::$variant),)+
                    other => Err(UnknownName(other.to_owned())),
                }
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
                let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                name.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

wire_names!(Field {
    Email => "email",
    Password => "password",
    Request => "request",
});

wire_names!(Code {
    Required => "required",
    EmailInvalid => "email.invalid",
    EmailTaken => "email.taken",
    PasswordTooShort => "password.too_short",
    PasswordTooLong => "password.too_long",
    RequestMalformed => "request.malformed",
    NotFound => "route.not_found",
    MethodNotAllowed => "route.method_not_allowed",
    Internal => "internal",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_wire_name() {
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
    fn wire_names_are_the_contracts() {
        assert_eq!(Code::EmailInvalid.as_str(), "email.invalid");
        assert_eq!(Code::PasswordTooShort.as_str(), "password.too_short");
        assert_eq!(Code::Required.as_str(), "required");
        assert_eq!(Code::EmailTaken.as_str(), "email.taken");
    }
}
