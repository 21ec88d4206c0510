//! One control per kind of field: a labelled input, select or checkbox with its problem
//! beneath it, tied together for assistive technology.

use crate::i18n::{label, language_name, strength_name, text, Text};
use enlist_shared::{message, strength, Code, Field, Locale, Policy, Problem, SignupForm, TimeZone, UsState};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// What every control needs from the form.
#[derive(Clone, Copy)]
pub struct FormState {
    pub values: RwSignal<SignupForm>,
    pub touched: RwSignal<BTreeSet<Field>>,
    pub policy: StoredValue<Policy>,
    pub locale: Locale,
    pub locked: Signal<bool>,
}

fn autocomplete(field: Field) -> &'static str {
    match field {
        Field::Alias => "username",
        Field::Prefix => "honorific-prefix",
        Field::FirstName => "given-name",
        Field::MiddleName => "additional-name",
        Field::LastName => "family-name",
        Field::Email => "email",
        Field::Password => "new-password",
        Field::Organization => "organization",
        Field::Title => "organization-title",
        Field::Address => "street-address",
        Field::City => "address-level2",
        Field::PostalCode => "postal-code",
        Field::Country | Field::CountryName => "country",
        Field::State => "address-level1",
        Field::Phone | Field::WorkPhone | Field::WorkFax => "tel",
        Field::Website => "url",
        Field::WorkEmail => "email",
        _ => "off",
    }
}

fn input_type(field: Field) -> &'static str {
    match field {
        Field::Email | Field::WorkEmail => "email",
        Field::Password => "password",
        Field::Phone | Field::WorkPhone | Field::WorkFax => "tel",
        Field::Website => "url",
        _ => "text",
    }
}

/// The id of a field's control (and, with `-problem`, of its message).
pub fn control_id(field: Field) -> String {
    format!("enlist-{}", field.as_str().replace('_', "-"))
}

#[component]
pub fn FieldControl(field: Field, state: FormState, problem: Signal<Option<Code>>) -> impl IntoView {
    let FormState { values, touched, policy, locale, locked } = state;
    let id = control_id(field);
    let problem_id = format!("{id}-problem");
    let required = policy.with_value(|p| p.requires(field));
    let value = move || values.with(|v| v.get(field).to_owned());
    let set = move |text: String| values.update(|v| v.set(field, text));
    let blurred = move |_| {
        touched.update(|t| {
            t.insert(field);
        })
    };
    let invalid = move || if problem.get().is_some() { "true" } else { "false" };
    let described = problem_id.clone();
    let shown_message =
        move || problem.get().map(|code| policy.with_value(|p| message(Problem::new(field, code), locale, p)));
    let us = move || values.with(|v| v.get(Field::Country).eq_ignore_ascii_case("us"));

    let control = match field {
        Field::Eula => view! {
            <input id=id.clone() name=field.as_str() type="checkbox" aria-required=required.then_some("true")
                prop:checked=move || matches!(values.with(|v| v.get(field).to_owned()).as_str(), "yes")
                on:change=move |ev| set(if event_target_checked(&ev) { "yes".into() } else { "no".into() })
                on:blur=blurred aria-invalid=invalid aria-describedby=described.clone() disabled=locked />
        }
        .into_any(),
        Field::Country | Field::TimeZone | Field::Lang => {
            let options: Vec<(String, String)> = match field {
                Field::Country => crate::country_names::options(locale),
                Field::TimeZone => TimeZone::all().map(|t| (t.name().to_owned(), t.name().replace('_', " "))).collect(),
                _ => policy.with_value(|p| {
                    p.languages.iter().map(|l| (l.tag().to_owned(), language_name(*l).to_owned())).collect()
                }),
            };
            select(&id, field, options, state, invalid, &described, locale).into_any()
        }
        Field::State => {
            let states: Vec<(String, String)> =
                UsState::all().map(|s| (s.code().to_owned(), s.name().to_owned())).collect();
            let select_id = id.clone();
            let text_id = id.clone();
            let described_select = described.clone();
            let described_text = described.clone();
            view! {
                <Show when=us fallback=move || text_input(&text_id, field, state, invalid, &described_text, required)>
                    {select(&select_id, field, states.clone(), state, invalid, &described_select, locale)}
                </Show>
            }
            .into_any()
        }
        _ => text_input(&id, field, state, invalid, &described, required).into_any(),
    };
    let meter = (field == Field::Password).then(|| {
        let score = move || {
            crate::rules::track();
            strength(&value())
        };
        view! {
            <div class="enlist-meter">
                <meter min="0" max="4" low="2" high="3" optimum="4" value=move || score().to_string()
                    aria-label=text(Text::Strength, locale)></meter>
                <span aria-live="polite">{move || if value().is_empty() { String::new() } else { strength_name(score(), locale).to_owned() }}</span>
            </div>
        }
    });
    let classes = if field == Field::Eula { "enlist-field enlist-check" } else { "enlist-field" };
    view! {
        <div class=classes data-field=field.as_str()>
            <label for=id>{label(field, locale)}{required.then_some(view! { <span aria-hidden="true">" *"</span> })}</label>
            {control}
            {meter}
            <p id=problem_id class="enlist-problem" data-code=move || problem.get().map(Code::as_str)>{shown_message}</p>
        </div>
    }
}

fn text_input(
    id: &str,
    field: Field,
    state: FormState,
    invalid: impl Fn() -> &'static str + Copy + Send + Sync + 'static,
    described: &str,
    required: bool,
) -> impl IntoView {
    let FormState { values, touched, locked, .. } = state;
    view! {
        <input id=id.to_owned() name=field.as_str() type=input_type(field) autocomplete=autocomplete(field)
            aria-required=required.then_some("true")
            prop:value=move || values.with(|v| v.get(field).to_owned())
            on:input=move |ev| values.update(|v| v.set(field, event_target_value(&ev)))
            on:blur=move |_| touched.update(|t| { t.insert(field); })
            aria-invalid=invalid aria-describedby=described.to_owned() disabled=locked />
    }
}

fn select(
    id: &str,
    field: Field,
    options: Vec<(String, String)>,
    state: FormState,
    invalid: impl Fn() -> &'static str + Copy + Send + Sync + 'static,
    described: &str,
    locale: Locale,
) -> impl IntoView {
    let FormState { values, touched, locked, .. } = state;
    let current = move || values.with(|v| v.get(field).to_owned());
    view! {
        <select id=id.to_owned() name=field.as_str() autocomplete=autocomplete(field)
            prop:value=current
            on:change=move |ev| { values.update(|v| v.set(field, event_target_value(&ev))); touched.update(|t| { t.insert(field); }); }
            on:blur=move |_| touched.update(|t| { t.insert(field); })
            aria-invalid=invalid aria-describedby=described.to_owned() disabled=locked>
            <option value="">{text(Text::Choose, locale)}</option>
            {options.into_iter().map(|(value, name)| {
                let selected_value = value.clone();
                view! { <option value=value selected=move || current().eq_ignore_ascii_case(&selected_value)>{name}</option> }
            }).collect_view()}
        </select>
    }
}
