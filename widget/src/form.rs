//! The signup form: Leptos signals hold what the user typed, what they touched and what the
//! server said; one effect per field and one for the form write that onto the page.
//!
//! Size decides the shape. Built with `view!`, every control shape, attribute and reactive
//! closure became its own copy of Leptos' rendering code: 46 KiB of the widget's gzip for the
//! form alone (`cargo xtask bench widget`). Here the form's elements are made by one function
//! ([`dom::el`]), every field is drawn by the same effect, and one listener on the `<form>`
//! hears every input, change, blur, submit and click. Leptos still renders the widget's states
//! around it (loading, unavailable, the form element itself: see `lib.rs`).

use crate::api::{idempotency_key, nonce, post_signup, ServerAnswer, Target};
use crate::dom::{self, el, flag, set};
use crate::i18n::{label, language_name, not_ready, state_name, strength_name, text, Text};
use enlist_shared::{message, strength, validate, Code, Field, Locale, Policy, Problem, SignupForm, TimeZone, UsState};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event};

/// What the last submission came back with, and the form it was for.
#[derive(Clone, Debug, PartialEq)]
struct Submission {
    form: SignupForm,
    answer: ServerAnswer,
}

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

/// The form's reactive state (Leptos signals: copyable handles). What the user typed, what
/// the rule set says about it, and the rest of the form's life in one signal (one signal type
/// more is another copy of Leptos' signal code in the wasm).
#[derive(Clone, Copy)]
struct State {
    values: RwSignal<SignupForm>,
    /// The rule set's verdict on the whole form, judged again on every change.
    problems: Memo<Vec<Problem>>,
    progress: RwSignal<Progress>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Progress {
    touched: Touched,
    /// A submit was tried: every problem shows, touched or not.
    attempted: bool,
    /// One submission at a time; its answer lands in `last`.
    pending: bool,
    last: Option<Submission>,
}

impl Progress {
    fn created(&self) -> bool {
        matches!(self.last, Some(Submission { answer: ServerAnswer::Created { .. }, .. }))
    }
}

/// One form on the page: its state, what it was built for, and its elements.
struct Form {
    state: State,
    policy: Policy,
    target: Target,
    locale: Locale,
    /// Random per form: with the form's contents, the idempotency key of a submission.
    nonce: String,
    /// The honeypot's value: a field people never see or reach, which bots that fill every
    /// input do.
    trap: RefCell<String>,
    element: Element,
}

/// A field's elements. The control is replaced when its shape changes (the state becomes a
/// list of US states when the country is the United States).
struct Control {
    field: Field,
    input: RefCell<Element>,
    problem: Element,
    /// The password's strength meter and the word beside it.
    meter: Option<(Element, Element)>,
}

/// What an effect draws: a field, or the form's own elements (button, status line, and the
/// panel that replaces the fields once the account exists).
enum Part {
    Field(Control),
    Form([Element; 3]),
}

/// What an effect last wrote.
#[derive(Clone, PartialEq)]
enum Shown {
    Field(FieldShown),
    Form(FormShown),
}

/// What a field's effect last wrote, so a run that changes nothing touches no element.
#[derive(Clone, Copy, PartialEq)]
struct FieldShown {
    code: Option<Code>,
    locked: bool,
    us: bool,
    /// The password's strength, `None` while it is empty.
    strength: Option<u8>,
}

/// What the form's effect last wrote.
#[derive(Clone, PartialEq)]
struct FormShown {
    state: &'static str,
    status: String,
    /// The last try found no server: the one button offers to try again.
    retry: bool,
}

/// The Leptos directive that builds the form inside the `<form>` element Leptos rendered:
/// `<form use:build=(target, policy, locale)>`.
pub fn build(element: Element, (target, policy, locale): (Target, Policy, Locale)) {
    let shown: Vec<Field> = policy.shown().collect();
    let mut initial = SignupForm::new();
    if shown.contains(&Field::TimeZone) {
        crate::rules::load_zones(&target.assets);
        if let Some(zone) = browser_time_zone() {
            initial.set(Field::TimeZone, zone);
        }
    }
    if shown.contains(&Field::Lang) {
        initial.set(Field::Lang, locale.tag());
    }
    let values = RwSignal::new(initial);
    let checked = policy.clone();
    let state = State {
        values,
        progress: RwSignal::new(Progress::default()),
        problems: Memo::new(move |_| {
            crate::rules::track();
            values.with(|v| validate(v, &checked).err().unwrap_or_default())
        }),
    };
    set(&element, "lang", Some(locale.tag()));
    let form = Rc::new(Form { state, policy, target, locale, nonce: nonce(), trap: RefCell::default(), element });

    // One effect per field and one for the form, all of one type (one copy of Leptos' effect
    // code in the wasm).
    let parts: Vec<Part> = shown.into_iter().map(|field| Part::Field(form.field(field))).collect();
    for part in parts.into_iter().chain([Part::Form(form.chrome())]) {
        let form = form.clone();
        Effect::new(move |before: Option<Shown>| form.draw(&part, before));
    }

    // One listener for the whole form. Blur does not bubble: it is heard on its way down.
    let listener = {
        let form = form.clone();
        Closure::<dyn FnMut(Event)>::new(move |event: Event| form.on_event(&event))
    };
    for (kind, capture) in [("input", false), ("change", false), ("blur", true), ("submit", false), ("click", false)] {
        let _ =
            form.element.add_event_listener_with_callback_and_bool(kind, listener.as_ref().unchecked_ref(), capture);
    }
    // Dropped with the form (when Leptos renders another state in its place).
    StoredValue::new_local(listener);

    // After the first render: the form can be used. Benchmarks read this mark.
    request_animation_frame(|| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark("enlist-interactive");
        }
    });
}

/// The browser's own IANA time zone, if it names one the rule set knows.
fn browser_time_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    let zone = js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into()).ok()?.as_string()?;
    TimeZone::parse(&zone).ok().map(|z| z.name().to_owned())
}

fn autocomplete(field: Field) -> &'static str {
    match field {
        Field::Alias => "username",
        Field::Prefix => "honorific-prefix",
        Field::FirstName => "given-name",
        Field::MiddleName => "additional-name",
        Field::LastName => "family-name",
        Field::Email => "email",
        // Work contacts say so, so a browser never offers a personal number or address there.
        Field::WorkEmail => "work email",
        Field::Password => "new-password",
        Field::Organization => "organization",
        Field::Title => "organization-title",
        Field::Address => "street-address",
        Field::City => "address-level2",
        Field::PostalCode => "postal-code",
        Field::Country => "country",
        Field::CountryName => "country-name",
        Field::State => "address-level1",
        Field::Phone => "tel",
        Field::WorkPhone => "work tel",
        Field::WorkFax => "fax tel",
        Field::Website => "url",
        _ => "off",
    }
}

fn input_type(field: Field) -> &'static str {
    match field {
        Field::Email | Field::WorkEmail => "email",
        Field::Password => "password",
        Field::Phone | Field::WorkPhone | Field::WorkFax => "tel",
        Field::Website => "url",
        Field::Eula => "checkbox",
        _ => "text",
    }
}

/// The id of a field's control.
pub fn control_id(field: Field) -> String {
    format!("enlist-{}", field.as_str().replace('_', "-"))
}

/// The id of a field's problem line (the control's `aria-describedby`).
fn problem_id(field: Field) -> String {
    format!("{}-problem", control_id(field))
}

fn is_us(values: &SignupForm) -> bool {
    values.get(Field::Country).eq_ignore_ascii_case("us")
}

impl Form {
    fn locked(&self) -> bool {
        self.state.progress.with(|p| p.created() || p.pending)
    }

    /// The problem a field shows: the server's while the field still holds the value the
    /// server judged; otherwise the rule set's, once the user has left the field or tried to
    /// submit.
    fn problem(&self, field: Field) -> Option<Code> {
        let State { values, problems, progress } = self.state;
        let (server, visible) = progress.with(|p| {
            let server = match &p.last {
                Some(Submission { form, answer: ServerAnswer::Problems(found) })
                    if values.with(|v| v.get(field) == form.get(field)) =>
                {
                    found.iter().find(|p| p.field == field).map(|p| p.code)
                }
                _ => None,
            };
            (server, p.attempted || p.touched.has(field))
        });
        server.or_else(|| {
            visible.then(|| problems.with(|ps| ps.iter().find(|p| p.field == field).map(|p| p.code))).flatten()
        })
    }

    /// A field's elements: label, control, the password's meter, the problem beneath.
    fn field(&self, field: Field) -> Control {
        let locale = self.locale;
        let id = control_id(field);
        let classes = if field == Field::Eula { "enlist-field enlist-check" } else { "enlist-field" };
        let wrapper = el(&self.element, "div", &[("class", classes), ("data-field", field.as_str())]);
        let caption = el(&wrapper, "label", &[("for", &id)]);
        dom::text(&caption, label(field, locale));
        if self.policy.requires(field) {
            dom::text(&el(&caption, "span", &[("aria-hidden", "true")]), " *");
        }
        let input = self.control(field, self.state.values.with_untracked(is_us));
        if matches!(field, Field::Country | Field::TimeZone) {
            // A search box narrows a long list (its options are hidden, not removed): phones
            // show a select as one long wheel.
            let search = format!("{} · {}", label(field, locale), text(Text::Search, locale));
            el(
                &wrapper,
                "input",
                &[
                    ("type", "search"),
                    ("class", "enlist-filter"),
                    ("aria-label", &search),
                    ("placeholder", text(Text::Search, locale)),
                    ("aria-controls", &id),
                    ("autocomplete", "off"),
                ],
            );
        }
        let _ = wrapper.append_child(&input);
        let meter = (field == Field::Password).then(|| {
            // Shows what is typed, for checking it: a toggle button (aria-pressed), in the tab
            // order right after the password.
            let reveal = el(
                &wrapper,
                "button",
                &[("type", "button"), ("class", "enlist-reveal"), ("aria-controls", &id), ("aria-pressed", "false")],
            );
            dom::text(&reveal, text(Text::ShowPassword, locale));
            let line = el(&wrapper, "div", &[("class", "enlist-meter")]);
            // One step per strength level, the first one filled as soon as anything is typed:
            // "very weak" shows a red sliver, not an empty bar.
            let meter = el(
                &line,
                "meter",
                &[
                    ("min", "0"),
                    ("max", "5"),
                    ("low", "2.5"),
                    ("high", "3.5"),
                    ("optimum", "5"),
                    ("aria-label", text(Text::Strength, locale)),
                ],
            );
            (meter, el(&line, "span", &[("aria-live", "polite")]))
        });
        let problem = el(&wrapper, "p", &[("id", &problem_id(field)), ("class", "enlist-problem")]);
        Control { field, input: RefCell::new(input), problem, meter }
    }

    /// A field's control, not yet in the page: a list for the country, time zone, language and
    /// (in the US) state, a checkbox for the terms, a text input otherwise.
    fn control(&self, field: Field, us: bool) -> Element {
        let (id, problem_id) = (control_id(field), problem_id(field));
        let options: Option<Vec<(String, String)>> = match field {
            Field::Country => Some(crate::country_names::options(self.locale)),
            // A text input where the browser cannot list its zones and the list has not come.
            Field::TimeZone => crate::zones::options(self.locale),
            Field::Lang => {
                Some(self.policy.languages.iter().map(|l| (l.tag().to_owned(), language_name(*l).to_owned())).collect())
            }
            Field::State if us => {
                Some(UsState::all().map(|s| (s.code().to_owned(), state_name(s, self.locale).to_owned())).collect())
            }
            _ => None,
        };
        let mut attributes = vec![
            ("id", id.as_str()),
            ("name", field.as_str()),
            ("autocomplete", autocomplete(field)),
            ("aria-describedby", problem_id.as_str()),
        ];
        if self.policy.requires(field) {
            attributes.push(("aria-required", "true"));
        }
        let current = self.state.values.with_untracked(|v| v.get(field).to_owned());
        match options {
            Some(options) => {
                let select = dom::make("select", &attributes);
                dom::text(&el(&select, "option", &[("value", "")]), text(Text::Choose, self.locale));
                let mut chosen = "";
                for (value, name) in &options {
                    dom::text(&el(&select, "option", &[("value", value)]), name);
                    if value.eq_ignore_ascii_case(&current) {
                        chosen = value;
                    }
                }
                dom::set_value(&select, chosen);
                select
            }
            None => {
                attributes.push(("type", input_type(field)));
                let input = dom::make("input", &attributes);
                if field == Field::Eula {
                    flag(&input, "checked", current == "yes");
                } else {
                    dom::set_value(&input, &current);
                }
                input
            }
        }
    }

    fn draw(&self, part: &Part, before: Option<Shown>) -> Shown {
        match (part, before) {
            (Part::Field(control), Some(Shown::Field(before))) => Shown::Field(self.draw_field(control, Some(before))),
            (Part::Field(control), _) => Shown::Field(self.draw_field(control, None)),
            (Part::Form(elements), Some(Shown::Form(before))) => Shown::Form(self.draw_form(elements, Some(before))),
            (Part::Form(elements), _) => Shown::Form(self.draw_form(elements, None)),
        }
    }

    /// Writes a field's state onto its elements (the effect of each field).
    fn draw_field(&self, control: &Control, before: Option<FieldShown>) -> FieldShown {
        let field = control.field;
        let us = field == Field::State && self.state.values.with(is_us);
        let strength = control.meter.as_ref().and_then(|_| {
            crate::rules::track();
            self.state.values.with(|v| Some(v.get(field)).filter(|p| !p.is_empty()).map(strength))
        });
        let now = FieldShown { code: self.problem(field), locked: self.locked(), us, strength };
        let mut before = before;
        if before.is_some_and(|b| b.us != us) {
            let fresh = self.control(field, us);
            let _ = control.input.borrow().replace_with_with_node_1(&fresh);
            control.input.replace(fresh);
            before = None;
        }
        let input = control.input.borrow();
        if before.is_none_or(|b| b.code != now.code) {
            set(&input, "aria-invalid", Some(if now.code.is_some() { "true" } else { "false" }));
            set(&control.problem, "data-code", now.code.map(Code::wire));
            let message = now.code.map(|code| message(Problem::new(field, code), self.locale, &self.policy));
            dom::text(&control.problem, message.as_deref().unwrap_or(""));
        }
        if before.is_none_or(|b| b.locked != now.locked) {
            flag(&input, "disabled", now.locked);
        }
        if let Some((meter, word)) =
            control.meter.as_ref().filter(|_| before.is_none_or(|b| b.strength != now.strength))
        {
            set(meter, "value", Some(&now.strength.map_or(0, |score| score + 1).to_string()));
            dom::text(word, now.strength.map_or("", |score| strength_name(score, self.locale)));
        }
        now
    }

    /// The form's own elements after the fields: the honeypot, the one button, the status
    /// line, and the panel shown once the account exists.
    fn chrome(&self) -> [Element; 3] {
        let form = &self.element;
        let locale = self.locale;
        let trap = el(form, "div", &[("class", "enlist-trap"), ("aria-hidden", "true")]);
        dom::text(&el(&trap, "label", &[("for", "enlist-homepage")]), "Homepage");
        el(
            &trap,
            "input",
            &[
                ("id", "enlist-homepage"),
                ("name", "homepage"),
                ("type", "text"),
                ("tabindex", "-1"),
                ("autocomplete", "off"),
            ],
        );
        let button = el(form, "button", &[("type", "submit"), ("aria-describedby", "enlist-status")]);
        let status = el(
            form,
            "p",
            &[("id", "enlist-status"), ("class", "enlist-status"), ("role", "status"), ("aria-live", "polite")],
        );
        let done = el(form, "div", &[("class", "enlist-done"), ("hidden", "")]);
        let heading = el(&done, "h3", &[("id", "enlist-done"), ("tabindex", "-1")]);
        dom::text(&heading, text(Text::CreatedHeading, locale));
        // A campaign that verifies addresses: the account waits for the e-mailed link.
        let said = if self.policy.verify_email { Text::CheckInbox } else { Text::Created };
        dom::text(&el(&done, "p", &[]), text(said, locale));
        [button, status, done]
    }

    /// Writes the form's state onto its own elements (the form's effect).
    fn draw_form(&self, [button, status, done]: &[Element; 3], before: Option<FormShown>) -> FormShown {
        let State { problems, progress, .. } = self.state;
        let locale = self.locale;
        let (pending, attempted, answer) =
            progress.with(|p| (p.pending, p.attempted, p.last.as_ref().map(|s| s.answer.clone())));
        let created = matches!(answer, Some(ServerAnswer::Created { .. }));
        let open = problems.with(Vec::len);
        // Nothing is said until there is something to say: no count before a first try.
        let status_text = if pending {
            text(Text::Sending, locale).to_owned()
        } else {
            match &answer {
                Some(ServerAnswer::Created { .. }) => String::new(),
                Some(ServerAnswer::Unreachable) => text(Text::NetworkError, locale).to_owned(),
                Some(ServerAnswer::Problems(found)) => {
                    if let Some(request) = found.iter().find(|p| p.field == Field::Request) {
                        message(*request, locale, &self.policy)
                    } else if found.iter().any(|p| p.code == Code::EmailTaken) {
                        text(Text::AlreadyRegistered, locale).to_owned()
                    } else {
                        not_ready(found.len(), locale)
                    }
                }
                None if attempted && open > 0 => not_ready(open, locale),
                None => String::new(),
            }
        };
        let now = FormShown {
            state: if created {
                "created"
            } else if pending {
                "sending"
            } else {
                "open"
            },
            status: status_text,
            retry: matches!(answer, Some(ServerAnswer::Unreachable)),
        };
        let before = before.as_ref();
        if before.is_none_or(|b| b.state != now.state || b.retry != now.retry) {
            set(&self.element, "data-state", Some(now.state));
            set(&self.element, "aria-busy", Some(if pending { "true" } else { "false" }));
            let label = match (pending, now.retry) {
                (true, _) => Text::Sending,
                (false, true) => Text::Retry,
                (false, false) => Text::Submit,
            };
            dom::text(button, text(label, locale));
            flag(button, "hidden", created);
            flag(done, "hidden", !created);
        }
        if before.is_none_or(|b| b.status != now.status) {
            dom::text(status, &now.status);
        }
        now
    }

    fn on_event(self: &Rc<Self>, event: &Event) {
        let Some(target) = dom::element_of(event.target()) else { return };
        let kind = event.type_();
        match kind.as_str() {
            "submit" => {
                event.prevent_default();
                self.send();
            }
            "click" => {
                if target.class_name() == "enlist-reveal" {
                    reveal(&target);
                }
            }
            _ if target.class_name() == "enlist-filter" => filter(&target),
            _ => {
                let name = target.get_attribute("name").unwrap_or_default();
                if name == "homepage" {
                    self.trap.replace(dom::value(&target));
                    return;
                }
                let Ok(field) = name.parse::<Field>() else { return };
                if kind == "blur" {
                    self.touch(field);
                    return;
                }
                let value = if field == Field::Eula {
                    (if dom::checked(&target) { "yes" } else { "no" }).to_owned()
                } else {
                    dom::value(&target)
                };
                if self.state.values.with_untracked(|v| v.get(field) != value) {
                    self.state.values.update(|v| v.set(field, value));
                }
                if kind == "change" && target.tag_name() == "SELECT" {
                    self.touch(field);
                }
            }
        }
    }

    fn touch(&self, field: Field) {
        if !self.state.progress.with_untracked(|p| p.touched.has(field)) {
            self.state.progress.update(|p| p.touched.add(field));
        }
    }

    /// Submits the form when the rule set has no objection; otherwise shows every problem and
    /// takes the keyboard to the first field that needs attention.
    fn send(self: &Rc<Self>) {
        let State { values, problems, progress } = self.state;
        progress.update(|p| p.attempted = true);
        if progress.with_untracked(|p| p.pending || p.created()) {
            return;
        }
        if problems.with_untracked(Vec::is_empty) {
            progress.update(|p| p.pending = true);
            let form = values.get_untracked();
            let key = idempotency_key(&self.nonce, &form);
            let me = self.clone();
            leptos::task::spawn_local(async move {
                let trap = me.trap.borrow().clone();
                let answer = post_signup(&me.target, &form, &trap, &key, me.locale.tag()).await;
                // Where the reader goes next: the success heading, the first field the server
                // found fault with, or the button (which now offers to try again, described by
                // the status line).
                let next = match &answer {
                    ServerAnswer::Created { .. } => "#enlist-done",
                    ServerAnswer::Problems(found) if found.iter().any(|p| p.field != Field::Request) => {
                        "[aria-invalid='true']"
                    }
                    _ => "button[type='submit']",
                };
                // The form may have been replaced meanwhile (another language arrived).
                let _ = progress.try_update(|p| {
                    p.last = Some(Submission { form, answer });
                    p.pending = false;
                });
                me.focus_after_render(next);
            });
        } else {
            self.focus_after_render("[aria-invalid='true']");
        }
    }

    /// Moves the keyboard to the first element matching `selector` once the page shows the
    /// new state.
    fn focus_after_render(&self, selector: &'static str) {
        let element = self.element.clone();
        request_animation_frame(move || {
            let first = element.query_selector(selector).ok().flatten();
            if let Some(first) = first.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = first.focus();
            }
        });
    }
}

/// The show-password toggle: the password's input (just before it) flips between `password`
/// and `text`.
fn reveal(button: &Element) {
    let shown = button.get_attribute("aria-pressed").as_deref() != Some("true");
    set(button, "aria-pressed", Some(if shown { "true" } else { "false" }));
    if let Some(input) = button.previous_element_sibling() {
        set(&input, "type", Some(if shown { "text" } else { "password" }));
    }
}

/// A long list's search box: hides the options whose text does not contain what is typed
/// (case and accents folded as the rule set folds country names); the chosen one stays.
fn filter(search: &Element) {
    let wanted = enlist_shared::values::country::fold(&dom::value(search));
    let Some(select) = search.next_element_sibling() else { return };
    let chosen = dom::value(&select);
    let options = select.children();
    for i in 0..options.length() {
        let Some(option) = options.item(i) else { continue };
        let value = option.get_attribute("value").unwrap_or_default();
        let name = enlist_shared::values::country::fold(&option.text_content().unwrap_or_default());
        let keep = wanted.is_empty() || value.is_empty() || value == chosen || name.contains(&wanted);
        flag(&option, "hidden", !keep);
    }
}
