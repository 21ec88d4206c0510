//! Poken's XML answers: every problem one `<error>`, with the seeds' codes and descriptions.

use super::Outcome;
use crate::reply::Reply;
use enlist_shared::{message, Code, Locale, Policy, Problem};
use serde::Serialize;

use super::*;

#[derive(Serialize)]
#[serde(rename = "account")]
struct AccountDocument<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "accountId")]
    account_id: i64,
    #[serde(rename = "identityId")]
    identity_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename = "response")]
struct ResponseDocument {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    success: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    error: Vec<ErrorDocument>,
}

#[derive(Serialize)]
struct ErrorDocument {
    code: u32,
    description: String,
}

fn xml<T: Serialize>(status: u16, document: &T) -> Reply {
    let body = quick_xml::se::to_string(document).expect("plain data serialises to XML");
    Reply::new(
        status,
        "application/xml; charset=UTF-8",
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n{body}"),
    )
}

/// Writes any outcome as Poken would: every problem, one `<error>` each.
pub fn encode(outcome: &Outcome, echo: &Echo) -> Reply {
    let failure = match outcome {
        Outcome::Created(created) => {
            let document = AccountDocument {
                xmlns: "",
                account_id: created.number,
                identity_id: created.number,
                username: created.alias.as_deref(),
                code: echo.code.as_deref(),
                expires_in: echo.code.as_ref().map(|_| CODE_TTL_S),
            };
            return xml(200, &document);
        }
        Outcome::Updated { .. } => {
            return xml(200, &ResponseDocument { xmlns: NAMESPACE, success: "SUCCESS", error: vec![] })
        }
        Outcome::Failed(failure) => failure,
    };
    let first = failure.first();
    let status = match first.code {
        Code::Internal => 500,
        Code::AuthRequired | Code::AuthInvalid => 401,
        Code::AuthForbidden
        | Code::AddressForbidden
        | Code::IdentityInvalid
        | Code::IdentityLocked
        | Code::CampaignClosed
        | Code::TlsRequired => 403,
        Code::EmailTaken | Code::AliasTaken | Code::PhoneTaken | Code::ExtRefTaken => 409,
        Code::RateLimited => 429,
        _ => 400,
    };
    let single = matches!(status, 401 | 403 | 500);
    let shown: Vec<Problem> = if single { vec![first] } else { failure.problems.clone() };
    let policy = Policy::default();
    let error = shown
        .iter()
        .map(|p| match code_of(p, echo.operation) {
            Some(10039) if p.code == Code::IdentityLocked => {
                ErrorDocument { code: 10039, description: DENIED_NOT_NEW.into() }
            }
            Some(10039) => ErrorDocument { code: 10039, description: DENIED_UPDATE.into() },
            Some(10018) if p.code == Code::CampaignClosed => {
                ErrorDocument { code: 10018, description: CAMPAIGN_CLOSED.into() }
            }
            Some(code) => ErrorDocument { code, description: description(code).into() },
            None => ErrorDocument { code: 10000, description: message(*p, Locale::En, &policy) },
        })
        .collect();
    outcome.logged(xml(status, &ResponseDocument { xmlns: NAMESPACE, success: "FAILURE", error }))
}
