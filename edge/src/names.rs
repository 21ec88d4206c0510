//! The dialects' names, a leaf every module may use: which dialect an answer is written in (and
//! what a caller asked for), and which dialect created an account. The dialects themselves are
//! [`crate::dialects`]; this is their registry's list of names.

/// The dialects: the registry. A dialect is its module (decode, run, and an `encode` that writes
/// every [`Outcome`]), a variant here, its name in [`Dialect::name`] and its line in
/// `dialects::encode_in`; every `match` on it is exhaustive, so a dialect missing anywhere is a
/// compile error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Native,
    Poken,
    GetResponse,
    MoveDigital,
    Engagement,
}

/// What a caller asked its answer to be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    /// Nothing: the route's own dialect.
    RoutesOwn,
    Dialect(Dialect),
    /// A name no dialect has: the request is refused (in the route's own dialect).
    Unknown,
}

impl Dialect {
    pub const ALL: [Dialect; 5] =
        [Dialect::Native, Dialect::Poken, Dialect::GetResponse, Dialect::MoveDigital, Dialect::Engagement];

    /// The name `X-Signup-Dialect` / `?dialect=` use.
    pub const fn name(self) -> &'static str {
        match self {
            Dialect::Native => "native",
            Dialect::Poken => "poken",
            Dialect::GetResponse => "getresponse",
            Dialect::MoveDigital => "movedigital",
            Dialect::Engagement => "engagement",
        }
    }

    /// A dialect by its name, in any case.
    pub fn from_name(name: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.name().eq_ignore_ascii_case(name.trim()))
    }

    /// What the caller asked for: the header, else the query's `dialect`.
    pub fn asked(header: Option<&str>, query: Option<&str>) -> Asked {
        let name = match header {
            Some(name) => Some(name.to_owned()),
            None => crate::query::query_value(query, "dialect"),
        };
        match name {
            None => Asked::RoutesOwn,
            Some(name) => Dialect::from_name(&name).map_or(Asked::Unknown, Asked::Dialect),
        }
    }
}
