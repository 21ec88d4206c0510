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
use dom::set;
use enlist_shared::{Code, Field, Locale, Policy, Problem};
use form::build as build_form;
pub use i18n::install_language;
use leptos::prelude::*;
use std::sync::Arc;
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

/// What the widget shows: nothing yet (embed.js's loading line stays), a line saying the form
/// is unavailable (with a retry where one can help), or the form.
#[derive(Clone)]
enum Screen {
    Waiting,
    NotConfigured,
    /// The organiser closed the campaign: said in the page's language instead of a form.
    Closed(Locale),
    Unreachable(Arc<dyn Fn() + Send + Sync>),
    Form(Target, Policy, Locale),
}

/// The widget: loads the campaign's policy (unless given one), then shows the form.
///
/// Every state is one `<div>` drawn by [`draw`], not a Leptos view per state: each view type
/// is another copy of Leptos' rendering code in the wasm (see form.rs).
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
    let fetch: Arc<dyn Fn() + Send + Sync> = {
        let target = target.clone();
        Arc::new(move || {
            let target = target.clone();
            loaded.set(None);
            leptos::task::spawn_local(async move {
                let answer = api::fetch_policy(&target).await;
                // A closed campaign is no mistake of the embed: nothing to tell the organiser.
                if let Some(why) = answer.as_ref().err().filter(|w| !w.closed()) {
                    tell_the_organiser(&target, why);
                }
                loaded.set(Some(answer));
            });
        })
    };
    if loaded.get_untracked().is_none() {
        fetch();
    }
    // A page in another language than English fetches that language's files while the policy
    // loads (the policy may still narrow the choice: then the form waits for the other one).
    i18n::load(locale, &target.assets);
    move || {
        i18n::track();
        let screen = match loaded.get() {
            None => Screen::Waiting,
            Some(Err(api::Unavailable::Refused(_, Some(Code::CampaignClosed)))) if i18n::ready(locale) => {
                Screen::Closed(i18n::spoken(locale))
            }
            Some(Err(api::Unavailable::Refused(_, Some(Code::CampaignClosed)))) => Screen::Waiting,
            Some(Err(api::Unavailable::Refused(..))) => Screen::NotConfigured,
            Some(Err(api::Unavailable::Unreachable(_))) => Screen::Unreachable(fetch.clone()),
            Some(Ok(policy)) => {
                let wanted = Locale::negotiate(locale.tag(), &policy.languages);
                if i18n::ready(wanted) {
                    Screen::Form(target.clone(), policy, i18n::spoken(wanted))
                } else {
                    i18n::load(wanted, &target.assets);
                    Screen::Waiting
                }
            }
        };
        view! { <div class="enlist-screen" use:draw=screen></div> }
    }
}

/// Draws a screen into its `<div>`; anything but waiting takes the place of embed.js's
/// loading line. The unavailable and unreachable lines are embed.js's, in the page's language
/// (`data-unavailable`, `data-unreachable`, `data-retry` on the widget's root; English where a
/// page mounts the widget without it).
fn draw(element: web_sys::Element, screen: Screen) {
    let root = element.parent_element();
    let said = |name: &str, english: &str| {
        root.as_ref().and_then(|r| r.get_attribute(&format!("data-{name}"))).unwrap_or_else(|| english.to_owned())
    };
    if !matches!(screen, Screen::Waiting) {
        if let Some(loading) = root.as_ref().and_then(|r| r.query_selector(".enlist-loading").ok().flatten()) {
            loading.remove();
        }
    }
    let note = |text: &str| {
        let line = dom::el(&element, "p", &[("class", "enlist-status"), ("role", "alert")]);
        dom::text(&line, text);
    };
    match screen {
        Screen::Waiting => {}
        Screen::NotConfigured => note(&said("unavailable", "This registration form is not available right now.")),
        Screen::Closed(locale) => {
            let closed = Problem::new(Field::Request, Code::CampaignClosed);
            note(&enlist_shared::message(closed, locale, &Policy::default()));
        }
        Screen::Unreachable(fetch) => {
            set(&element, "class", Some("enlist-screen enlist-unreachable"));
            note(&said("unreachable", "The registration form could not be reached."));
            // Retrying can help here: the one button asks again.
            let again = dom::el(&element, "button", &[("type", "button")]);
            dom::text(&again, &said("retry", "Try again"));
            let listener = Closure::<dyn FnMut()>::new(move || fetch());
            let _ = again.add_event_listener_with_callback("click", listener.as_ref().unchecked_ref());
            // Dropped with the screen.
            StoredValue::new_local(listener);
        }
        Screen::Form(target, policy, locale) => {
            let form = dom::el(&element, "form", &[("class", "enlist-form"), ("novalidate", "")]);
            build_form(form, (target, policy, locale));
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
        api::Unavailable::Refused(_, Some(Code::AuthForbidden)) => {
            format!("add this page's origin {origin} to campaign {campaign}'s allowed_origins")
        }
        api::Unavailable::Refused(_, Some(Code::AuthInvalid | Code::AuthRequired)) => {
            format!("no campaign {campaign} with this data-key (both are in the campaign's creation answer)")
        }
        api::Unavailable::Refused(status, _) => format!("{api} refused the policy request ({status})"),
        api::Unavailable::Unreachable(_) => format!(
            "no usable answer from {api}: is it up, is data-api right, does the page's CSP allow it (connect-src)?"
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
