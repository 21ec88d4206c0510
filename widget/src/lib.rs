//! enlist's signup widget: a Leptos client-side form whose fields come from the campaign's
//! policy, judged as the user types by the shared rule set, posted to the Worker's native
//! route with an idempotency key.

mod api;
mod country_names;
mod dom;
mod form;
mod i18n;
mod rules;

pub use api::Target;
use enlist_shared::{Locale, Policy};
use form::build as build_form;
pub use i18n::install_language;
use i18n::{early, Early};
use leptos::either::Either;
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

/// The widget: loads the campaign's policy (unless given one), then shows the form.
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
    if loaded.get_untracked().is_none() {
        let target = target.clone();
        leptos::task::spawn_local(async move { loaded.set(Some(api::fetch_policy(&target).await)) });
    }
    // A page in another language than English fetches that language's files while the policy
    // loads (the policy may still narrow the choice: then the form waits for the other one).
    i18n::load(locale, &target.assets);
    // Two shapes only (a line of text, the form), so no type-erased view is needed.
    let note = move |role: &'static str, which: Early| {
        Either::Left(view! { <p class="enlist-status" role=role>{early(which, locale)}</p> })
    };
    move || {
        i18n::track();
        match loaded.get() {
            None => note("status", Early::Loading),
            Some(Err(_)) => note("alert", Early::NotConfigured),
            Some(Ok(policy)) => {
                let wanted = Locale::negotiate(locale.tag(), &policy.languages);
                if !i18n::ready(wanted) {
                    i18n::load(wanted, &target.assets);
                    return note("status", Early::Loading);
                }
                let locale = i18n::spoken(wanted);
                // Leptos renders the form element; the directive builds the fields inside it.
                Either::Right(
                    view! { <form class="enlist-form" novalidate use:build_form=(target.clone(), policy, locale)></form> },
                )
            }
        }
    }
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

/// Mounts a widget into every element marked `data-enlist` on the page (`data-campaign`,
/// `data-key`, optional `data-api` and `data-lang`).
pub fn mount_all() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(hosts) = document.query_selector_all("[data-enlist]") else { return };
    for i in 0..hosts.length() {
        let Some(host) = hosts.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) else { continue };
        let (target, lang) = target_of(&host);
        let locale = page_locale(lang);
        let assets = target.assets.clone();
        leptos::mount::mount_to(host, move || view! { <Signup target=target locale=locale /> }).forget();
        // After mounting, which starts Leptos' task executor.
        rules::load(&assets);
    }
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
