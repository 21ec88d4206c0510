//! The vendor dialects. A route decodes in its own dialect; the answer is written in the
//! route's dialect unless the caller names another (`X-Signup-Dialect` / `?dialect=`). Every
//! dialect can therefore write every [`Outcome`]; each module is the one place where problems
//! become its wire form.

pub mod engagement;

use crate::account::{Created, SignupError};
use crate::store::AccountRecord;
use enlist_shared::{Code, Field, Problem};

/// What a request came to, before a dialect writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created(Created),
    Failed(Failure),
}

/// Why nothing was created: every problem found (dialects that carry one show the first by
/// their fixed priority), the existing account for duplicates, and a reason for the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub problems: Vec<Problem>,
    pub existing: Option<Box<AccountRecord>>,
    pub log: Option<String>,
}

impl Failure {
    /// A request-level problem (auth, malformed, internal...).
    pub fn request(code: Code) -> Self {
        Self { problems: vec![Problem::new(Field::Request, code)], existing: None, log: None }
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
            Code::AuthRequired | Code::AuthInvalid | Code::AuthForbidden => 2,
            Code::RequestMalformed | Code::RateLimited | Code::NotFound | Code::MethodNotAllowed => 3,
            Code::EmailTaken | Code::AliasTaken | Code::PhoneTaken | Code::ExtRefTaken => 4,
            _ => 5,
        };
        self.problems.iter().min_by_key(|p| rank(p)).copied().unwrap_or(Problem::new(Field::Request, Code::Internal))
    }
}

impl From<SignupError> for Failure {
    fn from(error: SignupError) -> Self {
        match error {
            SignupError::Invalid(problems) => Self { problems, existing: None, log: None },
            SignupError::Taken { problem, existing } => Self { problems: vec![problem], existing, log: None },
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

/// A dialect's name, as `X-Signup-Dialect` / `?dialect=` spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Native,
    Poken,
    GetResponse,
    MoveDigital,
    Engagement,
}

impl Dialect {
    pub fn from_name(name: &str) -> Option<Dialect> {
        match name.trim().to_ascii_lowercase().as_str() {
            "native" => Some(Dialect::Native),
            "poken" => Some(Dialect::Poken),
            "getresponse" => Some(Dialect::GetResponse),
            "movedigital" => Some(Dialect::MoveDigital),
            "engagement" => Some(Dialect::Engagement),
            _ => None,
        }
    }

    /// The answer's dialect: the caller's choice, else the route's. An unknown name is a
    /// `request.malformed`, answered in the route's dialect.
    pub fn negotiate(route: Dialect, header: Option<&str>, query: Option<&str>) -> Result<Dialect, Dialect> {
        let asked = header.or_else(|| query?.split('&').find_map(|pair| pair.strip_prefix("dialect=")));
        match asked {
            None => Ok(route),
            Some(name) => Dialect::from_name(name).ok_or(route),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation() {
        assert_eq!(Dialect::negotiate(Dialect::Engagement, None, None), Ok(Dialect::Engagement));
        assert_eq!(Dialect::negotiate(Dialect::Engagement, Some("GetResponse"), None), Ok(Dialect::GetResponse));
        assert_eq!(Dialect::negotiate(Dialect::Native, None, Some("a=1&dialect=poken")), Ok(Dialect::Poken));
        assert_eq!(Dialect::negotiate(Dialect::Native, Some("klingon"), None), Err(Dialect::Native));
    }

    #[test]
    fn single_problem_dialects_show_auth_before_rules() {
        let failure = Failure {
            problems: vec![
                Problem::new(Field::Email, Code::EmailInvalid),
                Problem::new(Field::Request, Code::AuthInvalid),
            ],
            existing: None,
            log: None,
        };
        assert_eq!(failure.first().code, Code::AuthInvalid);
    }
}
