//! enlist's signup widget: a Leptos client-side form whose fields come from the campaign's
//! policy, judged as the user types by the shared rule set, posted to the Worker's native
//! route with an idempotency key.

mod api;
mod country_names;
mod fields;
mod i18n;
mod rules;

pub use api::Target;
use api::{idempotency_key, nonce, post_signup, ServerAnswer};
use enlist_shared::{message, validate, Field, Locale, Policy, SignupForm};
use fields::{FieldControl, FormState};
pub use i18n::install_language;
use i18n::{early, text, Early, Text};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// What the last submission came back with, and the form it was for.
#[derive(Clone, Debug, PartialEq)]
struct Submission {
    form: SignupForm,
    answer: ServerAnswer,
}

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
    let loaded: RwSignal<Option<Result<Policy, String>>> = RwSignal::new(policy.map(Ok));
    if loaded.get_untracked().is_none() {
        let target = target.clone();
        leptos::task::spawn_local(async move { loaded.set(Some(api::fetch_policy(&target).await)) });
    }
    // A page in another language than English fetches that language's files while the policy
    // loads (the policy may still narrow the choice: then the form waits for the other one).
    i18n::load(locale, &target.assets);
    let loading =
        move || view! { <p class="enlist-status" role="status">{early(Early::Loading, locale)}</p> }.into_any();
    move || {
        i18n::track();
        match loaded.get() {
            None => loading(),
            Some(Err(_)) => {
                view! { <p class="enlist-status" role="alert">{early(Early::NotConfigured, locale)}</p> }.into_any()
            }
            Some(Ok(policy)) => {
                let wanted = Locale::negotiate(locale.tag(), &policy.languages);
                if !i18n::ready(wanted) {
                    i18n::load(wanted, &target.assets);
                    return loading();
                }
                let locale = i18n::spoken(wanted);
                view! { <SignupForm target=target.clone() policy=policy locale=locale /> }.into_any()
            }
        }
    }
}

/// The browser's own IANA time zone, if it names one the rule set knows.
fn browser_time_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    let zone = js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into()).ok()?.as_string()?;
    enlist_shared::TimeZone::parse(&zone).ok().map(|z| z.name().to_owned())
}

#[component]
fn SignupForm(target: Target, policy: Policy, locale: Locale) -> impl IntoView {
    let shown: Vec<Field> = policy.shown().collect();
    let mut initial = SignupForm::new();
    if shown.contains(&Field::TimeZone) {
        if let Some(zone) = browser_time_zone() {
            initial.set(Field::TimeZone, zone);
        }
    }
    if shown.contains(&Field::Lang) {
        initial.set(Field::Lang, locale.tag());
    }
    let policy = StoredValue::new(policy);
    let values = RwSignal::new(initial);
    let touched = RwSignal::new(fields::Touched::default());
    let attempted = RwSignal::new(false);
    let nonce = StoredValue::new(nonce());
    let problems = Memo::new(move |_| {
        rules::track();
        values.with(|v| policy.with_value(|p| validate(v, p).err().unwrap_or_default()))
    });

    // The honeypot: a field people never see or reach, which bots that fill every input do.
    let trap = StoredValue::new(String::new());
    // One submission at a time (`send` checks `pending`); its answer lands in `last`. Plain
    // signals and a task rather than Leptos' `Action`, whose async machinery weighs more.
    let target = StoredValue::new(target);
    let pending = RwSignal::new(false);
    let last: RwSignal<Option<Submission>> = RwSignal::new(None);
    let submit = move |form: SignupForm| {
        pending.set(true);
        let (target, trap) = (target.get_value(), trap.get_value());
        let key = idempotency_key(&nonce.get_value(), &form);
        leptos::task::spawn_local(async move {
            let answer = post_signup(&target, &form, &trap, &key, locale.tag()).await;
            last.set(Some(Submission { form, answer }));
            pending.set(false);
        });
    };
    let created = Signal::derive(move || {
        last.with(|s| matches!(s, Some(Submission { answer: ServerAnswer::Created { .. }, .. })))
    });
    let locked = Signal::derive(move || created.get() || pending.get());

    // A field shows the server's verdict while it still holds the value the server judged;
    // otherwise the rule set's, once the user has left the field or tried to submit.
    let problem_of = move |field: Field| {
        Signal::derive(move || {
            let server = last.with(|sub| match sub {
                Some(Submission { form, answer: ServerAnswer::Problems(found) })
                    if values.with(|v| v.get(field) == form.get(field)) =>
                {
                    found.iter().find(|p| p.field == field).map(|p| p.code)
                }
                _ => None,
            });
            let visible = attempted.get() || touched.get().has(field);
            server.or_else(|| {
                visible.then(|| problems.with(|ps| ps.iter().find(|p| p.field == field).map(|p| p.code))).flatten()
            })
        })
    };

    let form_ref = NodeRef::<leptos::html::Form>::new();
    let send = move || {
        attempted.set(true);
        if pending.get_untracked() || created.get_untracked() {
            return;
        }
        if problems.with_untracked(|p| p.is_empty()) {
            submit(values.get_untracked());
        } else {
            // Take the keyboard to the first field that needs attention.
            request_animation_frame(move || {
                let first =
                    form_ref.get_untracked().and_then(|f| f.query_selector("[aria-invalid='true']").ok().flatten());
                if let Some(element) = first.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = element.focus();
                }
            });
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send();
    };

    let status = Signal::derive(move || {
        if pending.get() {
            return text(Text::Sending, locale).to_owned();
        }
        match last.get().map(|s| s.answer) {
            Some(ServerAnswer::Created { .. }) => text(Text::Created, locale).to_owned(),
            Some(ServerAnswer::Unreachable) => text(Text::NetworkError, locale).to_owned(),
            Some(ServerAnswer::Problems(found)) => found
                .iter()
                .find(|p| p.field == Field::Request)
                .map(|p| policy.with_value(|policy| message(*p, locale, policy)))
                .unwrap_or_else(|| text(Text::FixFields, locale).to_owned()),
            None if attempted.get() && problems.with(|p| !p.is_empty()) => text(Text::FixFields, locale).to_owned(),
            None => String::new(),
        }
    });
    let unreachable = move || matches!(last.get().map(|s| s.answer), Some(ServerAnswer::Unreachable));
    // After the first render: the form can be used. Benchmarks read this mark.
    Effect::new(move |_| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark("enlist-interactive");
        }
    });
    let not_ready = move || problems.with(|p| !p.is_empty()) || pending.get();
    // Reactive attributes and texts as signals: one copy of Leptos' code per value type, not
    // per closure (see fields.rs).
    let form_state = Signal::derive(move || {
        if created.get() {
            "created"
        } else if pending.get() {
            "sending"
        } else {
            "open"
        }
    });
    let busy = Signal::derive(move || if pending.get() { "true" } else { "false" });
    let disabled = Signal::derive(move || if not_ready() { "true" } else { "false" });
    let button = Signal::derive(move || text(if pending.get() { Text::Sending } else { Text::Submit }, locale));
    let hint_hidden = Signal::derive(move || !problems.with(|p| !p.is_empty()) || created.get());
    let hint =
        Signal::derive(move || text(Text::NotReady, locale).replace("{n}", &problems.with(|p| p.len()).to_string()));
    let state = FormState { values, touched, policy, locale, locked };

    view! {
        <form class="enlist-form" novalidate node_ref=form_ref on:submit=on_submit lang=locale.tag()
            data-state=form_state aria-busy=busy>
            {shown.into_iter().map(|field| view! { <FieldControl field=field state=state problem=problem_of(field) /> }).collect_view()}
            <div class="enlist-trap" aria-hidden="true">
                <label for="enlist-homepage">"Homepage"</label>
                <input id="enlist-homepage" name="homepage" type="text" tabindex="-1" autocomplete="off"
                    on:input=move |ev| trap.set_value(event_target_value(&ev)) />
            </div>
            <button type="submit" aria-disabled=disabled aria-describedby="enlist-hint enlist-status" hidden=created>
                {button}
            </button>
            <p id="enlist-hint" class="enlist-hint" hidden=hint_hidden>{hint}</p>
            <p id="enlist-status" class="enlist-status" role="status" aria-live="polite">{status}</p>
            <Show when=unreachable>
                <button type="button" class="enlist-retry" on:click=move |_| send()>{text(Text::Retry, locale)}</button>
            </Show>
        </form>
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
