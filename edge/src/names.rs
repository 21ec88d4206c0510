//! The dialects' names, a leaf every module may use: which dialect an answer is written in (and
//! what a caller asked for), and which dialect created an account. The dialects themselves are
//! [`crate::dialects`]; this is their registry's list of names.

/// The registry: every dialect, one line each — its variant, its module under `dialects/` and
/// the type there that implements it, and its name (`X-Signup-Dialect`, `?dialect=`, the
/// `dialect` column). The native dialect writes every outcome but owns no vendor route; every
/// other line is a vendor dialect, whose module declares its own routes (`UseCases::ROUTES`).
///
/// The list is expanded twice: here into [`Dialect`] (it holds no paths, so this module stays a
/// leaf every module may use) and in `dialects` into the modules, [`crate::dialects::VendorRoute`]
/// and the dispatch. A sixth dialect is its module plus one line below.
macro_rules! registry {
    ($expand:ident) => {
        $expand! {
            native: Native native::Native "native";
            vendors: [
                Poken poken::Poken "poken",
                GetResponse getresponse::GetResponse "getresponse",
                MoveDigital movedigital::MoveDigital "movedigital",
                Engagement engagement::Engagement "engagement",
            ]
        }
    };
}
pub(crate) use registry;

/// Expands the registry into the list of names.
macro_rules! names {
    (native: $native:ident $nm:ident::$nt:ident $native_name:literal;
     vendors: [$($vendor:ident $m:ident::$t:ident $name:literal),+ $(,)?]) => {
        /// The dialects (see [`registry`]): every `match` on it is exhaustive, so a dialect
        /// missing anywhere is a compile error.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Dialect {
            $native,
            $($vendor),+
        }

        impl Dialect {
            pub const ALL: &'static [Dialect] = &[Dialect::$native, $(Dialect::$vendor),+];

            /// The name `X-Signup-Dialect` / `?dialect=` use.
            pub const fn name(self) -> &'static str {
                match self {
                    Dialect::$native => $native_name,
                    $(Dialect::$vendor => $name),+
                }
            }
        }
    };
}
registry!(names);

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
    /// A dialect by its name, in any case.
    pub fn from_name(name: &str) -> Option<Dialect> {
        Dialect::ALL.iter().copied().find(|d| d.name().eq_ignore_ascii_case(name.trim()))
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
