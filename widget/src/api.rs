//! Talking to the Worker's native routes.

use enlist_shared::{Code, Policy, Problem, SignupForm};
use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::cell::RefCell;

// JSON in: serde-json-core, a serde reader made for small binaries. Its errors are plain enum
// values, so nothing formats a message nobody reads (serde-wasm-bindgen's and serde_json's
// errors format every "invalid type" they meet, which links float and string formatting into
// the wasm). JSON out: a JS object and the browser's own `JSON.stringify`.

fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    // Unescaping never lengthens a string, so a buffer the size of the text always suffices.
    let mut unescaped = vec![0; text.len()];
    serde_json_core::from_str_escaped(text, &mut unescaped).ok().map(|(value, _)| value)
}

/// A signup's fields (and `extra` members) as a JSON object.
fn to_json(form: &SignupForm, extra: &[(&str, &str)]) -> Option<String> {
    let object = js_sys::Object::new();
    let members = form.fields().map(|(field, value)| (field.as_str(), value)).chain(extra.iter().copied());
    for (name, value) in members {
        js_sys::Reflect::set(&object, &name.into(), &value.into()).ok()?;
    }
    js_sys::JSON::stringify(&object).ok()?.as_string()
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

/// Why the campaign's policy could not be had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// The Worker refused the request (status, problem code): the organiser's set-up is wrong,
    /// and retrying cannot help.
    Refused(u16, Option<Code>),
    /// No answer, a server failure, or a body that is not ours: a retry may help.
    Unreachable(Option<u16>),
}

impl Unavailable {
    /// The campaign is closed (not a mistake of the embed).
    pub fn closed(&self) -> bool {
        matches!(self, Unavailable::Refused(_, Some(Code::CampaignClosed)))
    }
}

/// The problems of a problem document (one copy of its reader in the wasm, for both callers).
#[inline(never)]
fn problems_in(text: &str) -> Option<Vec<Problem>> {
    from_json::<ProblemDocument>(text).map(|d| d.errors)
}

/// Every request goes through here: the answer's status and text, `None` when there is no
/// answer. (One copy of the fetch machinery in the wasm, however many callers.)
async fn exchange(request: Result<Request, gloo_net::Error>) -> Option<(u16, String)> {
    let response = request.ok()?.send().await.ok()?;
    Some((response.status(), response.text().await.ok()?))
}

/// The text of a successful (2xx) answer.
async fn success_text(request: Result<Request, gloo_net::Error>) -> Option<String> {
    exchange(request).await.filter(|(status, _)| (200..300).contains(status)).map(|(_, text)| text)
}

/// `GET /v1/policy`. The key travels in the query (it is public: it sits in the page), so the
/// request is a simple one without a CORS pre-flight, and the Worker's refusals (a wrong key, an
/// origin the campaign does not list) reach the widget, which tells the organiser which.
pub async fn fetch_policy(target: &Target) -> Result<Policy, Unavailable> {
    let url = format!(
        "{}/v1/policy?campaign={}&key={}",
        target.api_base,
        js_sys::encode_uri_component(&target.campaign),
        js_sys::encode_uri_component(&target.key)
    );
    match exchange(Request::get(&url).build()).await {
        Some((200, text)) => {
            from_json::<PolicyDocument>(&text).map(|d| d.policy).ok_or(Unavailable::Unreachable(Some(200)))
        }
        Some((status, text)) if (400..500).contains(&status) => {
            let code = problems_in(&text).and_then(|found| found.first().map(|p| p.code));
            Err(Unavailable::Refused(status, code))
        }
        other => Err(Unavailable::Unreachable(other.map(|(status, _)| status))),
    }
}

/// GETs a text file (a static asset beside the widget); `None` on any failure.
pub async fn fetch_text(url: &str) -> Option<String> {
    success_text(Request::get(url).build()).await
}

thread_local! {
    /// Every URL [`fetch_once`] was asked for on this page.
    static ASKED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Fetches a static file (a language's words or catalogue, the common-password list, the zone
/// names) once per page and hands its text (`None` when it could not be had) to `install`,
/// which tells whoever waits for it. Files asked for together are fetched at the same time.
/// (`install` is boxed: one copy of this in the wasm, whoever calls it.)
pub fn fetch_once(url: String, install: Box<dyn FnOnce(Option<String>)>) {
    let asked_before = ASKED.with_borrow_mut(|asked| {
        let before = asked.contains(&url);
        if !before {
            asked.push(url.clone());
        }
        before
    });
    if !asked_before {
        leptos::task::spawn_local(async move { install(fetch_text(&url).await) });
    }
}

pub async fn post_signup(
    target: &Target,
    form: &SignupForm,
    trap: &str,
    idempotency_key: &str,
    accept_language: &str,
) -> ServerAnswer {
    // The server answers a filled honeypot as if it had created the account, and stores nothing.
    let trap = if trap.is_empty() { None } else { Some(("enlist_trap", trap)) };
    let extra: Vec<(&str, &str)> = [("campaign", target.campaign.as_str())].into_iter().chain(trap).collect();
    let Some(body) = to_json(form, &extra) else { return ServerAnswer::Unreachable };
    let url = format!("{}/v1/accounts", target.api_base);
    let request = Request::post(&url)
        .header("content-type", "application/json")
        .header("x-publishable-key", &target.key)
        .header("idempotency-key", idempotency_key)
        .header("accept-language", accept_language)
        .body(body);
    match exchange(request).await {
        Some((201, body)) => {
            from_json::<Created>(&body).map_or(ServerAnswer::Unreachable, |c| ServerAnswer::Created { id: c.id })
        }
        Some((status, body)) if status < 500 => {
            problems_in(&body).map_or(ServerAnswer::Unreachable, ServerAnswer::Problems)
        }
        _ => ServerAnswer::Unreachable,
    }
}

/// The idempotency key of a form's contents: the same body retried gets the same key, an
/// edited one a new key. `nonce` is random per page load, so two people never share keys.
pub fn idempotency_key(nonce: &str, form: &SignupForm) -> String {
    let json = to_json(form, &[]).unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::*;
    use enlist_shared::{Field, Locale, Presence};

    #[test]
    fn a_policy_document_reads_back_whole_escapes_and_all() {
        let mut policy = Policy::default();
        policy.fields.insert(Field::Country, Presence::Required);
        policy.reserved_aliases.push("quote\"back\\slash\u{e9}\u{1F600}\ttab".to_owned());
        policy.languages = vec![Locale::De, Locale::En];
        // What `GET /v1/policy` answers (the Worker writes it with serde_json), plus a member
        // the widget does not know, which it skips.
        let json = serde_json::json!({"campaign": "gala", "name": "Gala \u{2014} 2027", "policy": policy, "extra": [1, {"a": null}]});
        let text = serde_json::to_string(&json).unwrap();
        assert_eq!(from_json::<PolicyDocument>(&text).map(|d| d.policy), Some(policy.clone()));
        // Escapes written as \u sequences, as another JSON writer may.
        let ascii = text.replace('\u{e9}', "\\u00e9");
        assert_eq!(from_json::<PolicyDocument>(&ascii).map(|d| d.policy), Some(policy));
        // The reader's one limit: a character beyond the BMP escaped as a surrogate pair (the
        // Worker's serde_json writes such characters as they are, above). Refused, not misread.
        let surrogates = text.replace('\u{1F600}', "\\ud83d\\ude00");
        assert!(from_json::<PolicyDocument>(&surrogates).is_none());
    }

    #[test]
    fn answers_read_their_fields_and_refuse_what_is_not_theirs() {
        let problems = r#"{"errors":[{"field":"email","code":"email.taken","message":"An account…"}]}"#;
        let read = from_json::<ProblemDocument>(problems).unwrap();
        assert_eq!(read.errors, vec![Problem::new(Field::Email, Code::EmailTaken)]);
        assert_eq!(from_json::<Created>(r#"{"id":"acc_1","email":"a@b.co"}"#).map(|c| c.id).as_deref(), Some("acc_1"));
        for broken in
            ["", "{", "<html>", r#"{"errors":[{"field":"nickname","code":"email.taken"}]}"#, r#"{"errors":7}"#]
        {
            assert!(from_json::<ProblemDocument>(broken).is_none(), "{broken}");
        }
        assert!(from_json::<PolicyDocument>(r#"{"policy":{"fields":{"email":"sometimes"}}}"#).is_none());
    }

    /// The reader has `unreachable!()`s for requests our types never make; no input may reach
    /// one (in the widget's build a panic stops the wasm). Mutated answers, 60 000 of them.
    #[test]
    fn no_answer_however_mangled_panics_the_reader() {
        let policy = serde_json::to_string(&serde_json::json!({"campaign": "c", "policy": Policy::default()})).unwrap();
        let seeds = [
            policy.as_str(),
            r#"{"errors":[{"field":"email","code":"email.taken","message":"x\u00e9\n"}]}"#,
            r#"{"id":"acc_1"}"#,
        ];
        let tokens: [&[u8]; 12] = [b"{", b"}", b"[", b"]", b"\"", b":", b",", b"\\u", b"null", b"-1e9", b"\\", b"\xff"];
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for round in 0..60_000 {
            let mut bytes = seeds[round % seeds.len()].as_bytes().to_vec();
            for _ in 0..1 + next(4) {
                let at = next(bytes.len() + 1);
                match next(3) {
                    0 => bytes.truncate(at),
                    1 => bytes.splice(at..at, tokens[next(tokens.len())].iter().copied()).for_each(drop),
                    _ => {
                        if at < bytes.len() {
                            bytes.remove(at);
                        }
                    }
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            let _ = from_json::<PolicyDocument>(&text);
            let _ = from_json::<ProblemDocument>(&text);
            let _ = from_json::<Created>(&text);
        }
    }
}
