//! Talking to the Worker's native routes.

use enlist_shared::{Policy, Problem, SignupForm};
use gloo_net::http::Request;
use serde::Deserialize;

/// Which campaign the widget signs up into, and its publishable key (from the embed tag).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    /// The Worker's origin; empty for the page's own.
    pub api_base: String,
    pub campaign: String,
    pub key: String,
}

/// What the Worker said about a signup.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerAnswer {
    Created {
        id: String,
    },
    Problems(Vec<Problem>),
    /// No usable answer: network failure, or a body that is not ours. Safe to retry with the
    /// same idempotency key.
    Unreachable,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct ProblemDocument {
    errors: Vec<Problem>,
}

#[derive(Deserialize)]
struct PolicyDocument {
    policy: Policy,
}

pub async fn fetch_policy(target: &Target) -> Result<Policy, String> {
    let url = format!("{}/v1/policy?campaign={}", target.api_base, js_sys::encode_uri_component(&target.campaign));
    let response =
        Request::get(&url).header("x-publishable-key", &target.key).send().await.map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("status {}", response.status()));
    }
    response.json::<PolicyDocument>().await.map(|d| d.policy).map_err(|e| e.to_string())
}

/// GETs a text file (a static asset beside the widget); `None` on any failure.
pub async fn fetch_text(url: &str) -> Option<String> {
    let response = Request::get(url).send().await.ok()?;
    if !response.ok() {
        return None;
    }
    response.text().await.ok()
}

pub async fn post_signup(
    target: &Target,
    form: &SignupForm,
    trap: &str,
    idempotency_key: &str,
    accept_language: &str,
) -> ServerAnswer {
    let mut body = serde_json::to_value(form).unwrap_or_default();
    if let Some(object) = body.as_object_mut() {
        object.insert("campaign".into(), target.campaign.clone().into());
        // The server answers a filled honeypot as if it had created the account, and stores nothing.
        if !trap.is_empty() {
            object.insert("enlist_trap".into(), trap.into());
        }
    }
    let url = format!("{}/v1/accounts", target.api_base);
    let request = Request::post(&url)
        .header("x-publishable-key", &target.key)
        .header("idempotency-key", idempotency_key)
        .header("accept-language", accept_language)
        .json(&body);
    let Ok(request) = request else { return ServerAnswer::Unreachable };
    let Ok(response) = request.send().await else { return ServerAnswer::Unreachable };
    let Ok(body) = response.text().await else { return ServerAnswer::Unreachable };
    if response.status() == 201 {
        serde_json::from_str::<Created>(&body)
            .map(|c| ServerAnswer::Created { id: c.id })
            .unwrap_or(ServerAnswer::Unreachable)
    } else if response.status() >= 500 {
        ServerAnswer::Unreachable
    } else {
        serde_json::from_str::<ProblemDocument>(&body)
            .map(|d| ServerAnswer::Problems(d.errors))
            .unwrap_or(ServerAnswer::Unreachable)
    }
}

/// The idempotency key of a form's contents: the same body retried gets the same key, an
/// edited one a new key. `nonce` is random per page load, so two people never share keys.
pub fn idempotency_key(nonce: &str, form: &SignupForm) -> String {
    let json = serde_json::to_string(form).unwrap_or_default();
    let hash =
        json.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    format!("{nonce}-{hash:016x}")
}

/// A random nonce from the browser's CSPRNG.
pub fn nonce() -> String {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok();
    let uuid = crypto.and_then(|c| {
        let f: js_sys::Function = js_sys::Reflect::get(&c, &"randomUUID".into()).ok()?.into();
        f.call0(&c).ok()?.as_string()
    });
    uuid.unwrap_or_else(|| format!("{:x}", js_sys::Date::now() as u64))
}
