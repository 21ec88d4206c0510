//! One control per kind of field: a labelled input, select or checkbox with its problem
//! beneath it, tied together for assistive technology.
//!
//! Size matters here more than anywhere: every distinct closure handed to a view becomes its
//! own copy of Leptos' rendering code. So reactive attributes are `Signal`s and event handlers
//! are boxed: each control shape is compiled once, whatever field it serves.

use crate::i18n::{label, language_name, strength_name, text, Text};
use enlist_shared::{message, strength, Code, Field, Locale, Policy, Problem, SignupForm, TimeZone, UsState};
use leptos::prelude::*;

/// An event handler with its type erased (see the module's note).
pub type Handler<E> = Box<dyn FnMut(E)>;

// Every field has its bit.
const _: () = assert!(Field::ALL.len() <= 64);

/// The fields the user has left: a bit per `Field` (a set type would bring its tree code).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Touched(u64);

impl Touched {
    pub fn has(self, field: Field) -> bool {
        self.0 & (1 << field as u32) != 0
    }

    fn add(&mut self, field: Field) {
        self.0 |= 1 << field as u32;
    }
}

/// What every control needs from the form.
#[derive(Clone, Copy)]
pub struct FormState {
    pub values: RwSignal<SignupForm>,
    pub touched: RwSignal<Touched>,
    pub policy: StoredValue<Policy>,
    pub locale: Locale,
    pub locked: Signal<bool>,
}

impl FormState {
    fn value(self, field: Field) -> Signal<String> {
        let values = self.values;
        Signal::derive(move || values.with(|v| v.get(field).to_owned()))
    }

    fn set(self, field: Field, value: String) {
        self.values.update(|v| v.set(field, value));
    }

    fn touch(self, field: Field) {
        self.touched.update(|t| t.add(field));
    }

    fn on_blur(self, field: Field) -> Handler<leptos::ev::FocusEvent> {
        Box::new(move |_| self.touch(field))
    }
}

/// What a control's attributes say about it, shared by every shape.
#[derive(Clone)]
struct Described {
    id: String,
    problem_id: String,
    invalid: Signal<&'static str>,
    required: Option<&'static str>,
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
    let FormState { values, policy, locale, .. } = state;
    let id = control_id(field);
    let required = policy.with_value(|p| p.requires(field));
    let described = Described {
        problem_id: format!("{id}-problem"),
        id,
        invalid: Signal::derive(move || if problem.get().is_some() { "true" } else { "false" }),
        required: required.then_some("true"),
    };
    let shown_message = Signal::derive(move || {
        problem
            .get()
            .map(|code| policy.with_value(|p| message(Problem::new(field, code), locale, p)))
            .unwrap_or_default()
    });

    let control = match field {
        Field::Eula => checkbox(field, state, &described),
        Field::Country | Field::TimeZone | Field::Lang => {
            let options: Vec<(String, String)> = match field {
                Field::Country => crate::country_names::options(locale),
                Field::TimeZone => TimeZone::all().map(|t| (t.name().to_owned(), t.name().replace('_', " "))).collect(),
                _ => policy.with_value(|p| {
                    p.languages.iter().map(|l| (l.tag().to_owned(), language_name(*l).to_owned())).collect()
                }),
            };
            select(field, options, state, &described)
        }
        Field::State => {
            // A list of states when the country is the United States, free text otherwise.
            let states: Vec<(String, String)> =
                UsState::all().map(|s| (s.code().to_owned(), s.name().to_owned())).collect();
            // A memo, so the control is rebuilt only when the country crosses that line.
            let us = Memo::new(move |_| values.with(|v| v.get(Field::Country).eq_ignore_ascii_case("us")));
            let described = described.clone();
            (move || {
                if us.get() {
                    select(field, states.clone(), state, &described)
                } else {
                    text_input(field, state, &described)
                }
            })
            .into_any()
        }
        _ => text_input(field, state, &described),
    };
    let meter = (field == Field::Password).then(|| {
        let value = state.value(field);
        let score = Signal::derive(move || {
            crate::rules::track();
            strength(&value.get())
        });
        let level = Signal::derive(move || score.get().to_string());
        let word = Signal::derive(move || {
            if value.with(String::is_empty) { String::new() } else { strength_name(score.get(), locale).to_owned() }
        });
        view! {
            <div class="enlist-meter">
                <meter min="0" max="4" low="2" high="3" optimum="4" value=level aria-label=text(Text::Strength, locale)></meter>
                <span aria-live="polite">{word}</span>
            </div>
        }
    });
    let classes = if field == Field::Eula { "enlist-field enlist-check" } else { "enlist-field" };
    let code = Signal::derive(move || problem.get().map(Code::as_str));
    let Described { id, problem_id, .. } = described;
    view! {
        <div class=classes data-field=field.as_str()>
            <label for=id>{label(field, locale)}{required.then_some(view! { <span aria-hidden="true">" *"</span> })}</label>
            {control}
            {meter}
            <p id=problem_id class="enlist-problem" data-code=code>{shown_message}</p>
        </div>
    }
}

fn checkbox(field: Field, state: FormState, described: &Described) -> AnyView {
    let value = state.value(field);
    let checked = Signal::derive(move || value.with(|v| v == "yes"));
    let on_change: Handler<leptos::ev::Event> =
        Box::new(move |ev| state.set(field, if event_target_checked(&ev) { "yes".into() } else { "no".into() }));
    let Described { id, problem_id, invalid, required } = described.clone();
    view! {
        <input id=id name=field.as_str() type="checkbox" aria-required=required
            prop:checked=checked on:change=on_change on:blur=state.on_blur(field)
            aria-invalid=invalid aria-describedby=problem_id disabled=state.locked />
    }
    .into_any()
}

fn text_input(field: Field, state: FormState, described: &Described) -> AnyView {
    let on_input: Handler<leptos::ev::Event> = Box::new(move |ev| state.set(field, event_target_value(&ev)));
    let Described { id, problem_id, invalid, required } = described.clone();
    view! {
        <input id=id name=field.as_str() type=input_type(field) autocomplete=autocomplete(field)
            aria-required=required prop:value=state.value(field) on:input=on_input on:blur=state.on_blur(field)
            aria-invalid=invalid aria-describedby=problem_id disabled=state.locked />
    }
    .into_any()
}

fn select(field: Field, options: Vec<(String, String)>, state: FormState, described: &Described) -> AnyView {
    let current = state.value(field);
    let on_change: Handler<leptos::ev::Event> = Box::new(move |ev| {
        state.set(field, event_target_value(&ev));
        state.touch(field);
    });
    let Described { id, problem_id, invalid, .. } = described.clone();
    let choose = text(Text::Choose, state.locale);
    view! {
        <select id=id name=field.as_str() autocomplete=autocomplete(field)
            prop:value=current on:change=on_change on:blur=state.on_blur(field)
            aria-invalid=invalid aria-describedby=problem_id disabled=state.locked>
            <option value="">{choose}</option>
            {options.into_iter().map(|(value, name)| {
                let selected = Signal::derive({
                    let value = value.clone();
                    move || current.with(|c| c.eq_ignore_ascii_case(&value))
                });
                view! { <option value=value selected=selected>{name}</option> }
            }).collect_view()}
        </select>
    }
    .into_any()
}
