//! The vendor dialects. A route decodes in its own dialect; the answer is written in the
//! route's dialect unless the caller names another (`X-Signup-Dialect` / `?dialect=`). Every
//! dialect can therefore write every [`Outcome`]; each module is the one place where problems
//! become its wire form.

use crate::account::{Created, SignupError};
use crate::auth::{AuthError, Presented};
use crate::campaign::Campaign;
use crate::operator::{Operator, Permission};
use crate::reply::Reply;
use crate::store::{AccountRecord, Store};
use enlist_shared::{Code, Field, Locale, Policy, Problem};
use std::net::IpAddr;

/// What a vendor route needs to know about a request.
#[derive(Clone, Debug, Default)]
pub struct VendorRequest<'a> {
    pub content_type: Option<&'a str>,
    pub authorization: Option<&'a str>,
    /// `CF-Connecting-IP`, for operators' address allowlists.
    pub client_ip: Option<IpAddr>,
    /// `Accept-Language`: the new account's language where the body names none.
    pub accept_language: Option<&'a str>,
    pub body: &'a [u8],
}

/// What an answer echoes from its request, whichever dialect writes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Echo {
    pub envelope: getresponse::Envelope,
    pub poken: poken::Echo,
}

/// A dialect's wire form: it writes every [`Outcome`] (each module's table of problem -> status
/// and wire code is the one place that mapping is made).
pub trait Wire {
    fn encode(outcome: &Outcome, echo: &Echo, locale: Locale, policy: &Policy) -> Reply;

    /// What a refused request's answer still echoes from its body (a JSON-RPC call's id).
    fn echo_of(_body: &[u8]) -> Echo {
        Echo::default()
    }
}

/// A vendor dialect's use cases: decode a request of one of its routes, run it.
#[allow(async_fn_in_trait)]
pub trait UseCases: Wire {
    /// Which of the dialect's routes (the dialects with one route have `()`).
    type Operation: Copy + std::fmt::Debug + Eq + 'static;

    /// The dialect's routes: method, path, and the operation each runs. The route table
    /// ([`crate::routes`]) takes them from here.
    const ROUTES: &'static [(&'static str, &'static str, Self::Operation)];

    async fn run<S: Store>(
        operation: Self::Operation,
        store: &S,
        request: &VendorRequest<'_>,
        context: &Context<'_>,
        now_ms: i64,
    ) -> (Echo, Outcome);
}

impl VendorRequest<'_> {
    /// The caller's language from `Accept-Language`, if it asks for one of the catalogue's.
    pub fn locale(&self) -> Option<enlist_shared::Locale> {
        let asked = self.accept_language.filter(|a| !a.trim().is_empty())?;
        Some(enlist_shared::Locale::negotiate(asked, &enlist_shared::Locale::ALL))
    }
}

/// What a use case needs besides its request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    /// Derives MoveDigital temporary passwords.
    pub outbox_secret: Option<&'a str>,
}

/// Expands the registry ([`crate::names::registry`]) into the dialects' modules, the vendor
/// routes and the dispatch to each dialect's implementation.
macro_rules! dialects {
    (native: $native:ident $nm:ident::$nt:ident $native_name:literal;
     vendors: [$($vendor:ident $m:ident::$t:ident $name:literal),+ $(,)?]) => {
        pub mod $nm;
        $(pub mod $m;)+

        /// A vendor dialect's route: its dialect, and which of the dialect's operations (the
        /// dialects with one route have `()`). The routes are those each module declares.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum VendorRoute {
            $($vendor(<$m::$t as UseCases>::Operation)),+
        }

        impl VendorRoute {
            /// Every vendor route as (method, path, route), from each dialect's own list.
            pub fn table() -> impl Iterator<Item = (&'static str, &'static str, VendorRoute)> {
                std::iter::empty()
                    $(.chain(<$m::$t as UseCases>::ROUTES.iter().map(|&(method, path, operation)| {
                        (method, path, VendorRoute::$vendor(operation))
                    })))+
            }

            /// The dialect the route reads.
            pub const fn dialect(self) -> Dialect {
                match self {
                    $(VendorRoute::$vendor(_) => Dialect::$vendor),+
                }
            }

            /// Runs the route's use case in its dialect.
            pub async fn run<S: Store>(
                self,
                store: &S,
                request: &VendorRequest<'_>,
                context: &Context<'_>,
                now_ms: i64,
            ) -> (Echo, Outcome) {
                match self {
                    $(VendorRoute::$vendor(operation) => {
                        <$m::$t as UseCases>::run(operation, store, request, context, now_ms).await
                    })+
                }
            }

            /// What a refused request's answer echoes from its body.
            pub fn echo_of(self, body: &[u8]) -> Echo {
                match self {
                    $(VendorRoute::$vendor(_) => <$m::$t as Wire>::echo_of(body)),+
                }
            }
        }

        /// Writes an outcome in the negotiated dialect. `echo` carries what the request's own
        /// dialect echoes (a JSON-RPC envelope, a Poken code); `locale` and `policy` fill the
        /// native messages.
        pub fn encode_in(dialect: Dialect, outcome: Outcome, echo: &Echo, locale: Locale, policy: &Policy) -> Reply {
            match dialect {
                Dialect::$native => <$nm::$nt as Wire>::encode(&outcome, echo, locale, policy),
                $(Dialect::$vendor => <$m::$t as Wire>::encode(&outcome, echo, locale, policy)),+
            }
        }
    };
}
crate::names::registry!(dialects);

pub mod values;

/// Resolves the operator behind a presented credential, checks its permission, and loads the
/// campaign it creates into (its first).
pub async fn admit<S: Store>(
    store: &S,
    presented: Option<Presented<'_>>,
    client_ip: Option<IpAddr>,
    permission: Permission,
    now_ms: i64,
) -> Result<(Operator, Campaign), Failure> {
    let presented = presented.ok_or(Failure::request(Code::AuthRequired))?;
    let operator = crate::auth::operator(store, presented, client_ip, now_ms).await.map_err(|e| match e {
        AuthError::Missing => Failure::request(Code::AuthRequired),
        AuthError::Invalid => Failure::request(Code::AuthInvalid),
        AuthError::AddressNotAllowed => Failure::request(Code::AddressForbidden),
        AuthError::Unavailable(why) => Failure::internal(why),
    })?;
    if !operator.may(permission) {
        return Err(Failure::request(Code::AuthForbidden));
    }
    let campaign_id = operator.default_campaign().ok_or(Failure::request(Code::AuthForbidden))?;
    match store.campaign(campaign_id).await {
        Ok(Some(campaign)) => Ok((operator, campaign)),
        Ok(None) => Err(Failure::internal(format!("operator {} names missing campaign {campaign_id}", operator.id))),
        Err(e) => Err(Failure::internal(e.0)),
    }
}

/// What a request came to, before a dialect writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created(Created),
    /// An existing account changed (Poken profile update).
    Updated {
        id: String,
        number: i64,
    },
    Failed(Failure),
}

/// Why nothing was created: every problem found (dialects that carry one show the first by
/// their fixed priority), the existing account for duplicates, and a reason for the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub problems: Vec<Problem>,
    pub existing: Option<Box<AccountRecord>>,
    /// Why a `request.malformed` body could not be read (native answers differ by status).
    pub malformed: Option<Malformed>,
    pub log: Option<String>,
}

/// Why a request body could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// Over the route's bound (413).
    TooLarge,
    /// Not the content type the route reads (415).
    WrongContentType,
    /// Not readable in the route's encoding, or not its shape (400).
    Unreadable,
    /// A native request that names no campaign (400).
    NoCampaign,
}

impl Failure {
    /// A request-level problem (auth, malformed, internal...).
    pub fn request(code: Code) -> Self {
        Self { problems: vec![Problem::new(Field::Request, code)], existing: None, malformed: None, log: None }
    }

    /// A body that could not be read, and why.
    pub fn malformed(why: Malformed) -> Self {
        Self { malformed: Some(why), ..Self::request(Code::RequestMalformed) }
    }

    /// Problems on fields (or on the request), nothing else.
    pub fn of(problems: &[(Field, Code)]) -> Self {
        Self {
            problems: problems.iter().map(|(f, c)| Problem::new(*f, *c)).collect(),
            existing: None,
            malformed: None,
            log: None,
        }
    }

    pub fn internal(log: impl Into<String>) -> Self {
        Self { log: Some(log.into()), ..Self::request(Code::Internal) }
    }

    pub fn has(&self, code: Code) -> bool {
        self.problems.iter().any(|p| p.code == code)
    }

    /// The problem a single-problem dialect shows: auth and request problems first, then
    /// duplicates, then the first rule problem in field order.
    pub fn first(&self) -> Problem {
        let rank = |p: &Problem| match p.code {
            Code::Internal => 0,
            Code::TlsRequired => 1,
            Code::AuthRequired | Code::AuthInvalid | Code::AuthForbidden | Code::AddressForbidden => 2,
            Code::CampaignClosed => 3,
            Code::RequestMalformed | Code::RateLimited | Code::NotFound | Code::MethodNotAllowed => 3,
            Code::EmailTaken | Code::AliasTaken | Code::PhoneTaken | Code::ExtRefTaken => 4,
            _ => 5,
        };
        self.problems.iter().min_by_key(|p| rank(p)).copied().unwrap_or(Problem::new(Field::Request, Code::Internal))
    }
}

impl Outcome {
    /// Hands a failure's reason to the Worker's log (never to the caller) with the reply.
    pub fn logged(&self, reply: Reply) -> Reply {
        match self {
            Outcome::Failed(Failure { log: Some(why), .. }) => reply.with_log(why.clone()),
            _ => reply,
        }
    }
}

impl From<SignupError> for Failure {
    fn from(error: SignupError) -> Self {
        match error {
            SignupError::Invalid(problems) => Self { problems, existing: None, malformed: None, log: None },
            SignupError::Taken { problem, existing } => {
                Self { problems: vec![problem], existing, malformed: None, log: None }
            }
            SignupError::RateLimited => Self::request(Code::RateLimited),
            SignupError::Closed => Self::request(Code::CampaignClosed),
            SignupError::Internal(why) => Self::internal(why),
        }
    }
}

impl From<Result<Created, SignupError>> for Outcome {
    fn from(result: Result<Created, SignupError>) -> Self {
        match result {
            Ok(created) => Outcome::Created(created),
            Err(error) => Outcome::Failed(error.into()),
        }
    }
}

pub use crate::names::{Asked, Dialect};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation() {
        assert_eq!(Dialect::asked(None, None), Asked::RoutesOwn);
        assert_eq!(Dialect::asked(Some("GetResponse"), None), Asked::Dialect(Dialect::GetResponse));
        assert_eq!(Dialect::asked(None, Some("a=1&dialect=poken")), Asked::Dialect(Dialect::Poken));
        assert_eq!(Dialect::asked(Some("klingon"), None), Asked::Unknown);
        assert_eq!(Dialect::asked(None, Some("dialect=klingon")), Asked::Unknown);
        assert_eq!(Dialect::asked(None, Some("dialect=")), Asked::Unknown);
        assert_eq!(Dialect::asked(None, Some("dialect=%6Eative")), Asked::Dialect(Dialect::Native));
        assert_eq!(
            Dialect::asked(Some("native"), Some("dialect=poken")),
            Asked::Dialect(Dialect::Native),
            "the header wins"
        );
        for dialect in Dialect::ALL {
            assert_eq!(Dialect::from_name(&dialect.name().to_uppercase()), Some(*dialect));
        }
    }

    #[test]
    fn single_problem_dialects_show_auth_before_rules() {
        let failure = Failure {
            problems: vec![
                Problem::new(Field::Email, Code::EmailInvalid),
                Problem::new(Field::Request, Code::AuthInvalid),
            ],
            existing: None,
            malformed: None,
            log: None,
        };
        assert_eq!(failure.first().code, Code::AuthInvalid);
    }
}
