//! enlist's signup widget: a Leptos client-side form that validates as the user types with
//! the shared rule set and posts to the Worker's native route.

mod api;

pub use api::Target;
use api::{post_signup, ServerAnswer};
use enlist_shared::{message, validate, Code, Field, Locale, Policy, Problem, SignupForm};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What the last submission came back with, and the form it was for.
#[derive(Clone, Debug, PartialEq)]
struct Submission {
    form: SignupForm,
    answer: ServerAnswer,
}

/// The signup form for one campaign (`target`: the Worker's origin, empty for the page's own,
/// the campaign id and its publishable key).
#[component]
pub fn Signup(#[prop(optional, into)] target: Target) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let attempted = RwSignal::new(false);
    let policy = StoredValue::new(Policy::default());
    let form =
        Memo::new(move |_| SignupForm::new().with(Field::Email, email.get()).with(Field::Password, password.get()));

    let submit = Action::new_local(move |form: &SignupForm| {
        let target = target.clone();
        let form = form.clone();
        async move {
            let answer = post_signup(&target, &form).await;
            Submission { form, answer }
        }
    });
    let last = submit.value();

    // A field shows the server's verdict while it still holds the value the server judged,
    // otherwise the shared rule set's: live once typed in, strict after a submit attempt.
    let problem_of = move |field: Field| {
        Signal::derive(move || {
            let current = form.get();
            let server = last.with(|sub| match sub {
                Some(Submission { form: sent, answer: ServerAnswer::Problems(problems) })
                    if sent.get(field) == current.get(field) =>
                {
                    problems.iter().find(|p| p.field == field).map(|p| p.code)
                }
                _ => None,
            });
            server.or_else(|| {
                policy.with_value(|p| {
                    if attempted.get() {
                        current.problem(field, p)
                    } else {
                        current.live_problem(field, p)
                    }
                })
            })
        })
    };

    let status = move || match last.get().map(|s| s.answer) {
        _ if submit.pending().get() => "Signing you up…".to_owned(),
        Some(ServerAnswer::Created { .. }) => "You're registered: your account is ready.".to_owned(),
        Some(ServerAnswer::Problems(problems)) => problems
            .iter()
            .find(|p| p.field == Field::Request)
            .map(|p| policy.with_value(|policy| message(*p, Locale::En, policy)))
            .unwrap_or_else(|| "Please correct the highlighted fields.".to_owned()),
        Some(ServerAnswer::Unreachable) => {
            policy.with_value(|p| message(Problem::new(Field::Request, Code::Internal), Locale::En, p))
        }
        None => String::new(),
    };
    let created = move || matches!(last.get().map(|s| s.answer), Some(ServerAnswer::Created { .. }));

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        attempted.set(true);
        let current = form.get_untracked();
        if !submit.pending().get_untracked() && policy.with_value(|p| validate(&current, p).is_ok()) {
            submit.dispatch(current);
        }
    };

    view! {
        <form class="enlist-form" novalidate on:submit=on_submit data-state=move || if created() { "created" } else { "open" }>
            <Input id="enlist-email" field=Field::Email label="E-mail" kind="email" autocomplete="email"
                value=email problem=problem_of(Field::Email) policy=policy />
            <Input id="enlist-password" field=Field::Password label="Password" kind="password" autocomplete="new-password"
                value=password problem=problem_of(Field::Password) policy=policy />
            <button type="submit" disabled=move || submit.pending().get()>"Sign up"</button>
            <p class="enlist-status" role="status" aria-live="polite">{status}</p>
        </form>
    }
}

/// One labelled input with its problem beneath it, tied together for assistive technology.
#[component]
fn Input(
    id: &'static str,
    field: Field,
    label: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    problem: Signal<Option<Code>>,
    policy: StoredValue<Policy>,
) -> impl IntoView {
    let problem_id = format!("{id}-problem");
    view! {
        <div class="enlist-field">
            <label for=id>{label}</label>
            <input id=id name=field.as_str() type=kind autocomplete=autocomplete
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if problem.get().is_some() { "true" } else { "false" }
                aria-describedby=problem_id.clone() />
            <p id=problem_id class="enlist-problem" data-code=move || problem.get().map(Code::as_str)>
                {move || problem.get().map(|code| policy.with_value(|p| message(Problem::new(field, code), Locale::En, p)))}
            </p>
        </div>
    }
}

/// Mounts a widget into every element marked `data-enlist` on the page. The element's
/// `data-campaign` and `data-key` name the campaign and its publishable key; `data-api` the
/// Worker's origin (default: the page's own).
pub fn mount_all() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(hosts) = document.query_selector_all("[data-enlist]") else { return };
    for i in 0..hosts.length() {
        let Some(host) = hosts.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) else { continue };
        let attribute = |name: &str| host.get_attribute(name).unwrap_or_default();
        let target = Target {
            api_base: attribute("data-api"),
            campaign: attribute("data-campaign"),
            key: attribute("data-key"),
        };
        leptos::mount::mount_to(host, move || view! { <Signup target=target /> }).forget();
    }
}
