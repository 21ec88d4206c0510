//! Talking to the Worker's native routes.

use enlist_shared::{Policy, Problem, SignupForm};
use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

// JSON goes through the browser's own `JSON.parse`/`JSON.stringify` and serde-wasm-bindgen,
// not serde_json: the browser already has a JSON parser, and serde_json's would be a tenth of
// the widget's code (`cargo xtask bench`).

/// A value as a plain JS object (maps as objects, as JSON has them).
fn to_js<T: Serialize>(value: &T) -> Option<JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).ok()
}

fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_wasm_bindgen::from_value(js_sys::JSON::parse(text).ok()?).ok()
}

fn stringify(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok()?.as_string()
}

/// Which campaign the widget signs up into, and its publishable key (from the embed tag).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    /// The Worker's origin; empty for the page's own.
    pub api_base: String,
    pub campaign: String,
    pub key: String,
    /// Where the widget's data files are (the common-password list, the languages' files):
    /// beside its wasm (`data-assets`, which embed.js sets), else with the Worker.
    pub assets: String,
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

/// The campaign's policy could not be had (network, status, or not a policy document). The
/// widget then says it is unavailable; why is in the browser's network panel (formatting the
/// error here would bring every error text of the HTTP and JSON stacks into the wasm).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unavailable;

pub async fn fetch_policy(target: &Target) -> Result<Policy, Unavailable> {
    let url = format!("{}/v1/policy?campaign={}", target.api_base, js_sys::encode_uri_component(&target.campaign));
    let response = Request::get(&url).header("x-publishable-key", &target.key).send().await.map_err(|_| Unavailable)?;
    if !response.ok() {
        return Err(Unavailable);
    }
    let text = response.text().await.map_err(|_| Unavailable)?;
    from_json::<PolicyDocument>(&text).map(|d| d.policy).ok_or(Unavailable)
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
    let Some(body) = to_js(form) else { return ServerAnswer::Unreachable };
    let set = |name: &str, value: &str| js_sys::Reflect::set(&body, &name.into(), &value.into()).is_ok();
    // The server answers a filled honeypot as if it had created the account, and stores nothing.
    if !set("campaign", &target.campaign) || (!trap.is_empty() && !set("enlist_trap", trap)) {
        return ServerAnswer::Unreachable;
    }
    let Some(body) = stringify(&body) else { return ServerAnswer::Unreachable };
    let url = format!("{}/v1/accounts", target.api_base);
    let request = Request::post(&url)
        .header("content-type", "application/json")
        .header("x-publishable-key", &target.key)
        .header("idempotency-key", idempotency_key)
        .header("accept-language", accept_language)
        .body(body);
    let Ok(request) = request else { return ServerAnswer::Unreachable };
    let Ok(response) = request.send().await else { return ServerAnswer::Unreachable };
    let Ok(body) = response.text().await else { return ServerAnswer::Unreachable };
    if response.status() == 201 {
        from_json::<Created>(&body).map_or(ServerAnswer::Unreachable, |c| ServerAnswer::Created { id: c.id })
    } else if response.status() >= 500 {
        ServerAnswer::Unreachable
    } else {
        from_json::<ProblemDocument>(&body).map_or(ServerAnswer::Unreachable, |d| ServerAnswer::Problems(d.errors))
    }
}

/// The idempotency key of a form's contents: the same body retried gets the same key, an
/// edited one a new key. `nonce` is random per page load, so two people never share keys.
pub fn idempotency_key(nonce: &str, form: &SignupForm) -> String {
    let json = to_js(form).and_then(|v| stringify(&v)).unwrap_or_default();
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
