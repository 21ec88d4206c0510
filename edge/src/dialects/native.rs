//! The native dialect's wire form: JSON for what was created, RFC 9457 `problem+json` for
//! every problem, with messages in the caller's language. The one place where problems
//! become native answers (status and title per code: `status_of`).

use crate::dialects::{Malformed, Outcome};
use crate::reply::Reply;
use enlist_shared::{message, Code, Field, Locale, Policy, Problem};
use serde::Serialize;

pub const JSON: &str = "application/json";
const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Serialize)]
struct CreatedDocument<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
}

#[derive(Serialize)]
struct ProblemDocument<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    errors: Vec<WireProblem<'a>>,
}

#[derive(Serialize)]
struct WireProblem<'a> {
    field: &'a str,
    code: &'a str,
    message: String,
}

/// Writes any outcome natively; the status follows the problem a single answer leads with.
pub fn encode(outcome: &Outcome, locale: Locale, policy: &Policy) -> Reply {
    let failure = match outcome {
        Outcome::Created(created) => {
            let doc = CreatedDocument {
                id: created.id.as_str(),
                username: created.alias.as_deref(),
                email: created.email.as_deref(),
            };
            return Reply::new(201, JSON, serde_json::to_string(&doc).expect("plain data serialises"));
        }
        Outcome::Updated { id, .. } => {
            return Reply::new(200, JSON, serde_json::json!({"id": id, "updated": true}).to_string());
        }
        Outcome::Failed(failure) => failure,
    };
    let (status, title) = match (failure.first().code, failure.malformed) {
        (Code::RequestMalformed, Some(why)) => malformed_status(why),
        (code, _) => status_of(code),
    };
    outcome.logged(problems(status, title, &failure.problems, locale, policy))
}

/// The status and title of a body that could not be read.
fn malformed_status(why: Malformed) -> (u16, &'static str) {
    match why {
        Malformed::TooLarge => (413, "Request body too large"),
        Malformed::WrongContentType => (415, "Expected application/json"),
        Malformed::Unreadable => (400, "Request body is not a signup form"),
        Malformed::NoCampaign => (400, "The request names no campaign"),
    }
}

/// The status and title a native answer leading with `code` has.
fn status_of(code: Code) -> (u16, &'static str) {
    match code {
        Code::Internal => (500, "Internal error"),
        Code::AuthRequired | Code::AuthInvalid => (401, "Not authenticated"),
        Code::IdentityInvalid | Code::IdentityLocked => (403, "Not allowed"),
        Code::AuthForbidden | Code::AddressForbidden | Code::TlsRequired => (403, "Not allowed"),
        Code::RequestMalformed => (400, "Request not readable"),
        Code::RateLimited => (429, "Too many requests"),
        Code::CampaignClosed => (403, "Registration is closed"),
        Code::NotFound => (404, "No such route"),
        Code::MethodNotAllowed => (405, "Method not allowed on this route"),
        Code::EmailTaken | Code::AliasTaken | Code::PhoneTaken | Code::ExtRefTaken => (409, "Already registered"),
        Code::RequestInProgress => (409, "A request with this idempotency key is still running"),
        _ => (422, "The signup has problems"),
    }
}

pub fn not_found(locale: Locale) -> Reply {
    request_problem(404, "No such route", Code::NotFound, locale)
}

/// A 500 whose reason goes to the Worker's log, never to the caller.
pub fn internal(log_only: &str) -> Reply {
    request_problem(500, "Internal error", Code::Internal, Locale::En).with_log(log_only)
}

pub fn request_problem(status: u16, title: &'static str, code: Code, locale: Locale) -> Reply {
    problems(status, title, &[Problem::new(Field::Request, code)], locale, &Policy::default())
}

fn problems(status: u16, title: &'static str, problems: &[Problem], locale: Locale, policy: &Policy) -> Reply {
    let doc = ProblemDocument {
        kind: "about:blank",
        title,
        status,
        errors: problems
            .iter()
            .map(|p| WireProblem { field: p.field.as_str(), code: p.code.wire(), message: message(*p, locale, policy) })
            .collect(),
    };
    Reply::new(status, PROBLEM_JSON, serde_json::to_string(&doc).expect("plain data serialises"))
}

/// The native dialect (its routes' use cases are the native module's).
pub struct Native;

impl super::Wire for Native {
    fn encode(outcome: &Outcome, _echo: &super::Echo, locale: Locale, policy: &Policy) -> Reply {
        encode(outcome, locale, policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_routes_and_methods_are_problem_documents() {
        let nf = not_found(Locale::En);
        assert_eq!((nf.status, nf.content_type.as_str()), (404, PROBLEM_JSON));
        assert!(nf.body.contains("route.not_found"));
    }
}
