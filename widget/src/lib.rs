//! enlist's signup widget: a Leptos client-side form whose fields come from the campaign's
//! policy, judged as the user types by the shared rule set, posted to the Worker's native
//! route with an idempotency key.

mod api;
mod country_names;
mod dom;
mod form;
mod i18n;
mod rules;
mod zones;

pub use api::Target;
use enlist_shared::Code;
use enlist_shared::{Locale, Policy};
use form::build as build_form;
pub use i18n::install_language;
use i18n::{early, Early};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// The page's language: the embed's `data-lang`, else the document's `lang`, else the browser's.
pub fn page_locale(data_lang: Option<String>) -> Locale {
    let document_lang = || web_sys::window()?.document()?.document_element()?.get_attribute("lang");
    let browser = || web_sys::window()?.navigator().language();
    [data_lang, document_lang(), browser()]
        .into_iter()
        .flatten()
        .find_map(|tag| Locale::from_tag(&tag))
        .unwrap_or_default()
}

/// The widget: loads the campaign's policy (unless given one), then shows the form. While the
/// policy loads it draws nothing: embed.js's loading line (in the reserved space) stays.
#[component]
pub fn Signup(
    #[prop(optional, into)] target: Target,
    /// Skips the policy request (tests, pages that inline the policy).
    #[prop(optional)]
    policy: Option<Policy>,
    #[prop(optional)] locale: Option<Locale>,
) -> impl IntoView {
    let locale = locale.unwrap_or_else(|| page_locale(None));
    let loaded: RwSignal<Option<Result<Policy, api::Unavailable>>> = RwSignal::new(policy.map(Ok));
    let fetch = {
        let target = target.clone();
        move || {
            let target = target.clone();
            loaded.set(None);
            leptos::task::spawn_local(async move {
                let answer = api::fetch_policy(&target).await;
                if let Err(why) = &answer {
                    tell_the_organiser(&target, why);
                }
                loaded.set(Some(answer));
            });
        }
    };
    if loaded.get_untracked().is_none() {
        fetch();
    }
    // A page in another language than English fetches that language's files while the policy
    // loads (the policy may still narrow the choice: then the form waits for the other one).
    i18n::load(locale, &target.assets);
    move || {
        i18n::track();
        let fetch = fetch.clone();
        match loaded.get() {
            None => None,
            Some(Err(api::Unavailable::Refused(..))) => Some(EitherOf3::A(view! {
                <p class="enlist-status" role="alert">{early(Early::NotConfigured, locale)}</p>
            })),
            // Retrying can help here: the one button asks again.
            Some(Err(api::Unavailable::Unreachable(_))) => Some(EitherOf3::B(view! {
                <div class="enlist-unreachable">
                    <p class="enlist-status" role="alert">{early(Early::Unreachable, locale)}</p>
                    <button type="button" class="enlist-again" on:click=move |_| fetch()>{early(Early::Retry, locale)}</button>
                </div>
            })),
            Some(Ok(policy)) => {
                let wanted = Locale::negotiate(locale.tag(), &policy.languages);
                if !i18n::ready(wanted) {
                    i18n::load(wanted, &target.assets);
                    return None;
                }
                let locale = i18n::spoken(wanted);
                // Leptos renders the form element; the directive builds the fields inside it.
                Some(EitherOf3::C(
                    view! { <form class="enlist-form" novalidate use:build_form=(target.clone(), policy, locale)></form> },
                ))
            }
        }
    }
}

/// Says in the browser's console what is wrong with the embed and how to mend it: the
/// organiser reads it there, the registrant only sees that the form is unavailable.
fn tell_the_organiser(target: &Target, why: &api::Unavailable) {
    let campaign = &target.campaign;
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let api = if target.api_base.is_empty() { origin.as_str() } else { target.api_base.as_str() };
    let advice = match why {
        api::Unavailable::Refused(_, Some(Code::AuthForbidden)) => format!(
            "this page's origin {origin} is not among the allowed origins of campaign \"{campaign}\". \
             Add it to the campaign's allowed_origins with the admin API."
        ),
        api::Unavailable::Refused(_, Some(Code::AuthInvalid | Code::AuthRequired)) => format!(
            "campaign \"{campaign}\" does not exist, or data-key is not its publishable key. Copy both \
             from the answer that created the campaign (or rotated its key)."
        ),
        api::Unavailable::Refused(status, code) => format!(
            "the Worker at {api} refused the form's policy request ({status} {}). Check data-campaign \
             and data-key.",
            code.map_or("", Code::as_str)
        ),
        api::Unavailable::Unreachable(Some(status)) => format!(
            "the Worker at {api} answered {status} to the form's policy request. The registrant is offered \
             a retry."
        ),
        api::Unavailable::Unreachable(None) => format!(
            "no answer from the Worker at {api} (it is down, the address in data-api is wrong, or the \
             page's Content-Security-Policy blocks it: connect-src must allow it). The registrant is \
             offered a retry."
        ),
    };
    web_sys::console::error_1(&format!("enlist: {advice}").into());
}

/// The target (with where the widget's data files are) and the page's requested language.
fn target_of(element: &web_sys::Element) -> (Target, Option<String>) {
    let attribute = |name: &str| element.get_attribute(name).unwrap_or_default();
    let api_base = attribute("data-api");
    // The data sits beside the widget's own files (`data-assets`, which embed.js sets), or
    // with the Worker that serves both.
    let assets = element.get_attribute("data-assets").unwrap_or_else(|| api_base.clone());
    let target = Target { api_base, campaign: attribute("data-campaign"), key: attribute("data-key"), assets };
    (target, element.get_attribute("data-lang"))
}

/// For `embed.js`: mounts the widget into `root` (an element inside a shadow root), configured
/// by `config`'s `data-*` attributes (the script tag).
#[wasm_bindgen]
pub fn mount_into(root: web_sys::HtmlElement, config: web_sys::Element) {
    let (target, lang) = target_of(&config);
    let locale = page_locale(lang);
    let assets = target.assets.clone();
    leptos::mount::mount_to(root, move || view! { <Signup target=target locale=locale /> }).forget();
    // After mounting, which starts Leptos' task executor.
    rules::load(&assets);
}
