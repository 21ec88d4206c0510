//! The `native` dialect (`POST /v1/accounts`): JSON in, JSON or RFC 9457 problem+json out.
//! This module is the one place where problems become native wire forms.

use crate::account::{sign_up, AccountId, SignupError};
use crate::reply::Reply;
use crate::store::Store;
use enlist_shared::{message, Code, Field, Locale, Policy, Problem, SignupForm};
use serde::Serialize;

/// Largest body the native route reads; a signup form is a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

const JSON: &str = "application/json";
const PROBLEM_JSON: &str = "application/problem+json";

/// Why a request body could not be read as a signup form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    TooLarge,
    NotJson,
    Unreadable,
}

/// Refuses a body whose declared length is over the bound before it is read.
pub fn check_length(content_length: Option<&str>) -> Result<(), Reply> {
    match content_length.and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(len) if len > MAX_BODY_BYTES as u64 => Err(malformed(Malformed::TooLarge, Locale::En)),
        _ => Ok(()),
    }
}

pub fn decode(content_type: Option<&str>, body: &[u8]) -> Result<SignupForm, Malformed> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Malformed::TooLarge);
    }
    let is_json = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|mime| mime.trim().eq_ignore_ascii_case(JSON))
        .unwrap_or(false);
    if !is_json {
        return Err(Malformed::NotJson);
    }
    serde_json::from_slice(body).map_err(|_| Malformed::Unreadable)
}

/// What the native route needs to know about a request besides its body.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestMeta<'a> {
    pub content_type: Option<&'a str>,
    pub accept_language: Option<&'a str>,
}

/// The whole native route: decode, sign up, answer in the caller's language.
pub async fn create_account<S: Store>(store: &S, meta: RequestMeta<'_>, body: &[u8], now_ms: i64) -> Reply {
    let policy = Policy::default();
    let locale = Locale::negotiate(meta.accept_language.unwrap_or(""), &policy.languages);
    match decode(meta.content_type, body) {
        Err(why) => malformed(why, locale),
        Ok(form) => answer(sign_up(store, &form, &policy, now_ms).await, locale, &policy),
    }
}

#[derive(Serialize)]
struct Created<'a> {
    id: &'a str,
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

pub fn answer(outcome: Result<AccountId, SignupError>, locale: Locale, policy: &Policy) -> Reply {
    match outcome {
        Ok(id) => Reply {
            status: 201,
            content_type: JSON,
            body: serde_json::to_string(&Created { id: id.as_str() }).expect("plain struct serialises"),
        },
        Err(error) => {
            let (status, title) = match &error {
                SignupError::Invalid(_) => (422, "The signup has problems"),
                SignupError::Taken(_) => (409, "Already registered"),
                SignupError::Internal(_) => (500, "Internal error"),
            };
            problems(status, title, &error.problems(), locale, policy)
        }
    }
}

pub fn not_found() -> Reply {
    request_problem(404, "No such route", Code::NotFound, Locale::En)
}

pub fn method_not_allowed() -> Reply {
    request_problem(405, "Method not allowed on this route", Code::MethodNotAllowed, Locale::En)
}

fn request_problem(status: u16, title: &'static str, code: Code, locale: Locale) -> Reply {
    problems(status, title, &[Problem::new(Field::Request, code)], locale, &Policy::default())
}

fn malformed(why: Malformed, locale: Locale) -> Reply {
    let (status, title) = match why {
        Malformed::TooLarge => (413, "Request body too large"),
        Malformed::NotJson => (415, "Expected application/json"),
        Malformed::Unreadable => (400, "Request body is not a signup form"),
    };
    request_problem(status, title, Code::RequestMalformed, locale)
}

fn problems(status: u16, title: &'static str, problems: &[Problem], locale: Locale, policy: &Policy) -> Reply {
    let doc = ProblemDocument {
        kind: "about:blank",
        title,
        status,
        errors: problems
            .iter()
            .map(|p| WireProblem {
                field: p.field.as_str(),
                code: p.code.as_str(),
                message: message(*p, locale, policy),
            })
            .collect(),
    };
    Reply { status, content_type: PROBLEM_JSON, body: serde_json::to_string(&doc).expect("plain struct serialises") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStore;
    use pollster::block_on;
    use serde_json::{json, Value};

    fn post(store: &MemoryStore, content_type: Option<&str>, body: &str) -> (u16, Value) {
        let meta = RequestMeta { content_type, accept_language: None };
        let reply = block_on(create_account(store, meta, body.as_bytes(), 0));
        (reply.status, serde_json::from_str(&reply.body).expect("answers are JSON"))
    }

    #[test]
    fn created_answers_201_with_the_id() {
        let store = MemoryStore::new();
        let (status, body) = post(
            &store,
            Some("application/json; charset=utf-8"),
            r#"{"email":"ada@example.com","password":"Analytical-1843"}"#,
        );
        assert_eq!(status, 201);
        assert!(body["id"].as_str().unwrap().starts_with("acc_"));
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn validation_problems_answer_422_with_every_problem() {
        let store = MemoryStore::new();
        let (status, body) = post(&store, Some(JSON), r#"{"email":"nope","password":"short"}"#);
        assert_eq!(status, 422);
        assert_eq!(body["status"], 422);
        assert_eq!(
            body["errors"],
            json!([
                {"field": "email", "code": "email.invalid", "message": "Enter a valid e-mail address, like name@example.com."},
                {"field": "password", "code": "password.too_short", "message": "Use at least 8 characters."},
            ])
        );
    }

    #[test]
    fn duplicates_answer_409_email_taken() {
        let store = MemoryStore::new();
        post(&store, Some(JSON), r#"{"email":"ada@example.com","password":"Analytical-1843"}"#);
        let (status, body) = post(&store, Some(JSON), r#"{"email":"ADA@EXAMPLE.COM","password":"Analytical-1843"}"#);
        assert_eq!(status, 409);
        assert_eq!(body["errors"][0]["code"], "email.taken");
        assert_eq!(body["errors"][0]["field"], "email");
    }

    #[test]
    fn malformed_bodies_are_4xx_and_store_nothing() {
        let store = MemoryStore::new();
        for (ct, body, want) in [
            (Some(JSON), "{not json", 400),
            (Some(JSON), "[1,2]", 400),
            (Some(JSON), r#"{"email": ["a@b.co"]}"#, 400),
            (Some(JSON), r#"{"email": "a@b.co", "email": "c@d.co"}"#, 400),
            (Some("text/plain"), r#"{"email":"a@b.co","password":"12345678"}"#, 415),
            (None, r#"{"email":"a@b.co","password":"12345678"}"#, 415),
        ] {
            let (status, answer) = post(&store, ct, body);
            assert_eq!(status, want, "{body}");
            assert_eq!(answer["errors"][0]["code"], "request.malformed");
        }
        let huge = format!(r#"{{"email":"{}@b.co","password":"12345678"}}"#, "a".repeat(MAX_BODY_BYTES));
        assert_eq!(post(&store, Some(JSON), &huge).0, 413);
        assert!(store.is_empty());
    }

    #[test]
    fn unknown_routes_and_methods_are_problem_documents() {
        let not_found = not_found();
        assert_eq!((not_found.status, not_found.content_type), (404, PROBLEM_JSON));
        assert!(not_found.body.contains("route.not_found"));
        let wrong_method = method_not_allowed();
        assert_eq!(wrong_method.status, 405);
        assert!(wrong_method.body.contains("route.method_not_allowed"));
    }

    #[test]
    fn declared_oversize_is_refused_before_reading() {
        assert_eq!(check_length(Some("16385")).unwrap_err().status, 413);
        assert!(check_length(Some("120")).is_ok());
        assert!(check_length(None).is_ok());
    }

    #[test]
    fn messages_follow_accept_language() {
        let store = MemoryStore::new();
        let meta = RequestMeta { content_type: Some(JSON), accept_language: Some("pl-PL, en;q=0.5") };
        let reply = block_on(create_account(&store, meta, br#"{"email":"nope","password":"Analytical-1843"}"#, 0));
        let body: Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(body["errors"][0]["message"], "Podaj prawidłowy adres e-mail, np. imie@example.com.");
        assert_eq!(body["errors"][0]["code"], "email.invalid", "codes never change with the language");
    }

    #[test]
    fn answers_never_contain_the_password() {
        let store = MemoryStore::new();
        for body in [
            r#"{"email":"ada@example.com","password":"s3cret-Passw0rd"}"#,
            r#"{"email":"ada@example.com","password":"s3cret-Passw0rd"}"#,
            r#"{"email":"bad","password":"s3cret-Passw0rd"}"#,
        ] {
            let meta = RequestMeta { content_type: Some(JSON), accept_language: None };
            let reply = block_on(create_account(&store, meta, body.as_bytes(), 0));
            assert!(!reply.body.contains("s3cret"), "{}", reply.body);
        }
    }
}
