//! The widget in a real browser (wasm-bindgen-test in headless Chromium).
#![cfg(target_arch = "wasm32")]

use enlist_shared::{message, Code, Field, Locale, Policy, Presence, Problem};
use enlist_widget::{Signup, Target};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a fresh widget with `policy` in its own host element (each test has its own).
fn mount(policy: Policy, locale: Locale) -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), move || view! { <Signup policy=policy locale=locale /> }).forget();
    host
}

fn find(host: &HtmlElement, selector: &str) -> Element {
    host.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector} in the widget"))
}

/// Leptos updates the DOM after a microtask: let it run before asserting.
async fn settle() {
    JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL)).await.unwrap();
}

fn fire(element: &Element, name: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    element.dispatch_event(&Event::new_with_event_init_dict(name, &init).unwrap()).unwrap();
}

async fn type_into(input: &HtmlInputElement, text: &str) {
    input.set_value(text);
    fire(input, "input");
    settle().await;
}

async fn leave(element: &Element) {
    fire(element, "blur");
    settle().await;
}

fn text_of(host: &HtmlElement, selector: &str) -> String {
    find(host, selector).text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn an_invalid_email_shows_its_problem_after_the_field_is_left_until_fixed() {
    let host = mount(Policy::default(), Locale::En);
    settle().await;
    let input: HtmlInputElement = find(&host, "#enlist-email").unchecked_into();
    type_into(&input, "not-an-email").await;
    assert_eq!(text_of(&host, "#enlist-email-problem"), "", "not while the user is still typing the first time");

    leave(&input).await;
    let expected = message(Problem::new(Field::Email, Code::EmailInvalid), Locale::En, &Policy::default());
    assert_eq!(text_of(&host, "#enlist-email-problem"), expected);
    assert_eq!(find(&host, "#enlist-email-problem").get_attribute("data-code").as_deref(), Some("email.invalid"));
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(input.get_attribute("aria-describedby").as_deref(), Some("enlist-email-problem"));

    type_into(&input, "ada@example.com").await;
    assert_eq!(text_of(&host, "#enlist-email-problem"), "", "live once the field was left");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("false"));
}

#[wasm_bindgen_test]
async fn submitting_shows_every_problem_and_says_why() {
    let host = mount(Policy::default(), Locale::En);
    settle().await;
    let button: HtmlElement = find(&host, "button[type=submit]").unchecked_into();
    // Before anyone typed, nothing is said and nothing looks disabled.
    assert_eq!(button.get_attribute("aria-disabled"), None);
    assert_eq!(text_of(&host, "#enlist-status"), "");
    assert_eq!(
        host.query_selector_all("button:not(.enlist-reveal)").unwrap().length(),
        1,
        "one button (besides the password toggle)"
    );
    assert_eq!(button.get_attribute("aria-describedby").as_deref(), Some("enlist-status"));
    button.click();
    settle().await;
    assert_eq!(text_of(&host, "#enlist-email-problem"), "This field is required.");
    assert_eq!(text_of(&host, "#enlist-password-problem"), "This field is required.");
    assert_eq!(text_of(&host, "#enlist-status"), "2 fields still need attention.", "said once, counted");
    until("focus on the first field to mend", || focused_id() == "enlist-email").await;
}

/// The id of the element that has the keyboard.
fn focused_id() -> String {
    web_sys::window().unwrap().document().unwrap().active_element().map(|e| e.id()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn counts_take_each_languages_plural_forms() {
    assert!(enlist_widget::install_language(
        Locale::Pl,
        include_str!("../locales/pl.txt"),
        include_str!("../../shared/catalogue/pl.txt")
    ));
    let mut policy = Policy::default();
    policy.fields.extend([(Field::FirstName, Presence::Required), (Field::LastName, Presence::Required)]);
    let host = mount(policy.clone(), Locale::Pl);
    settle().await;
    find(&host, "button[type=submit]").unchecked_into::<HtmlElement>().click();
    settle().await;
    assert_eq!(text_of(&host, "#enlist-status"), "4 pola wymagają jeszcze uwagi.", "few");
    type_into(&find(&host, "#enlist-first-name").unchecked_into(), "Ada").await;
    type_into(&find(&host, "#enlist-last-name").unchecked_into(), "Lovelace").await;
    type_into(&find(&host, "#enlist-email").unchecked_into(), "ada@example.com").await;
    find(&host, "button[type=submit]").unchecked_into::<HtmlElement>().click();
    settle().await;
    assert_eq!(text_of(&host, "#enlist-status"), "1 pole wymaga jeszcze uwagi.", "one");
    policy.fields.extend([Field::City, Field::Address, Field::Organization].map(|f| (f, Presence::Required)));
    let host = mount(policy, Locale::Pl);
    settle().await;
    find(&host, "button[type=submit]").unchecked_into::<HtmlElement>().click();
    settle().await;
    assert_eq!(text_of(&host, "#enlist-status"), "7 pól wymaga jeszcze uwagi.", "many");
}

#[wasm_bindgen_test]
async fn the_password_can_be_shown_and_the_advice_says_why_it_is_weak() {
    assert!(enlist_shared::install_common_list(include_str!("../../shared/data/common-passwords.fc")));
    let mut policy = Policy::default();
    policy.fields.insert(Field::Alias, Presence::Optional);
    policy.reserved_aliases.push("admin".into());
    let host = mount(policy, Locale::En);
    settle().await;
    let password: HtmlInputElement = find(&host, "#enlist-password").unchecked_into();
    let toggle: HtmlElement = find(&host, ".enlist-reveal").unchecked_into();
    assert_eq!(toggle.tag_name(), "BUTTON");
    assert_eq!(toggle.get_attribute("type").as_deref(), Some("button"), "never submits");
    assert_eq!(toggle.get_attribute("aria-pressed").as_deref(), Some("false"));
    assert_eq!(toggle.text_content().unwrap(), "Show password");
    assert_eq!(password.next_element_sibling().unwrap().class_name(), "enlist-reveal", "right after it");
    toggle.click();
    assert_eq!(password.type_(), "text");
    assert_eq!(toggle.get_attribute("aria-pressed").as_deref(), Some("true"));
    toggle.click();
    assert_eq!(password.type_(), "password");

    type_into(&password, "Password1").await;
    leave(&password).await;
    assert_eq!(find(&host, "meter").get_attribute("value").as_deref(), Some("1"), "very weak still shows");
    assert_eq!(text_of(&host, ".enlist-meter span"), "very weak");
    let advice = text_of(&host, "#enlist-password-problem");
    assert!(advice.contains("most used"), "{advice}");
    assert!(!advice.contains("upper and lower"), "Password1 mixes them already: {advice}");
    assert_eq!(
        find(&host, "#enlist-password-problem").get_attribute("data-code").as_deref(),
        Some("password.too_weak")
    );

    let alias: HtmlInputElement = find(&host, "#enlist-alias").unchecked_into();
    type_into(&alias, "Adm1n").await;
    leave(&alias).await;
    assert_eq!(text_of(&host, "#enlist-alias-problem"), "This user name is reserved: please choose another one.");
}

#[wasm_bindgen_test]
async fn long_lists_are_localised_searchable_and_free_of_legacy_zones() {
    assert!(enlist_widget::install_language(
        Locale::De,
        include_str!("../locales/de.txt"),
        include_str!("../../shared/catalogue/de.txt")
    ));
    let mut policy = Policy::default();
    policy.fields.extend([Field::Country, Field::State, Field::TimeZone].map(|f| (f, Presence::Optional)));
    let host = mount(policy, Locale::De);
    settle().await;
    let zones: Vec<String> = {
        let all = host.query_selector_all("#enlist-time-zone option").unwrap();
        (1..all.length())
            .map(|i| all.item(i).unwrap().unchecked_into::<Element>().get_attribute("value").unwrap())
            .collect()
    };
    for legacy in ["Zulu", "W-SU", "US/Pacific", "GB", "Etc/GMT+5"] {
        assert!(!zones.iter().any(|z| z == legacy), "{legacy} is a legacy alias");
    }
    assert!(zones.iter().any(|z| z == "Europe/Berlin") && zones.len() > 300 && zones.len() < 500, "{}", zones.len());
    let berlin = text_of(&host, "#enlist-time-zone option[value='Europe/Berlin']");
    assert!(berlin.starts_with("Berlin") && berlin.contains("Mitteleurop"), "{berlin}");

    // The search box narrows the list.
    let search: HtmlInputElement = find(&host, "[data-field=country] .enlist-filter").unchecked_into();
    assert_eq!(search.get_attribute("aria-controls").as_deref(), Some("enlist-country"));
    type_into(&search, "österr").await;
    let shown = host.query_selector_all("#enlist-country option:not([hidden])").unwrap();
    let names: Vec<String> = (0..shown.length()).map(|i| shown.item(i).unwrap().text_content().unwrap()).collect();
    assert!(names.contains(&"Österreich".to_owned()) && names.len() <= 3, "{names:?}");

    let country: HtmlSelectElement = find(&host, "#enlist-country").unchecked_into();
    country.set_value("US");
    fire(&country, "change");
    settle().await;
    settle().await;
    assert_eq!(text_of(&host, "#enlist-state option[value=CA]"), "Kalifornien", "US states in German");
}

#[wasm_bindgen_test]
async fn the_policy_decides_the_fields_and_the_password_meter_moves() {
    let mut policy = Policy::default();
    policy.fields.extend([
        (Field::Alias, Presence::Required),
        (Field::Country, Presence::Optional),
        (Field::State, Presence::Optional),
        (Field::Eula, Presence::Required),
    ]);
    let host = mount(policy, Locale::En);
    settle().await;
    for id in ["#enlist-alias", "#enlist-email", "#enlist-password", "#enlist-country", "#enlist-eula"] {
        find(&host, id);
    }
    assert!(host.query_selector("#enlist-phone").unwrap().is_none(), "hidden fields are not shown");
    assert_eq!(find(&host, "#enlist-alias").get_attribute("aria-required").as_deref(), Some("true"));

    let password: HtmlInputElement = find(&host, "#enlist-password").unchecked_into();
    type_into(&password, "aaaa").await;
    let weak = find(&host, "meter").get_attribute("value");
    type_into(&password, "Xk#9v!Qz2@Lm").await;
    assert_eq!(find(&host, "meter").get_attribute("value").as_deref(), Some("5"));
    assert_eq!(weak.as_deref(), Some("1"), "very weak fills the first step");

    let state: Element = find(&host, "#enlist-state");
    assert_eq!(state.tag_name(), "INPUT", "free text outside the US");
    let country: HtmlSelectElement = find(&host, "#enlist-country").unchecked_into();
    country.set_value("US");
    fire(&country, "change");
    settle().await;
    settle().await;
    assert_eq!(find(&host, "#enlist-state").tag_name(), "SELECT", "a state list in the US");
}

/// Waits (up to two seconds) for the browser to finish what the widget asked of it.
async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        let tick = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10).unwrap();
        });
        JsFuture::from(tick).await.unwrap();
    }
    panic!("gave up waiting: {what}");
}

#[wasm_bindgen_test]
async fn the_widget_speaks_the_pages_language() {
    // The files Trunk ships beside the widget, installed as the widget does once it has fetched
    // them (a page test fetches them for real).
    assert!(enlist_widget::install_language(
        Locale::De,
        include_str!("../locales/de.txt"),
        include_str!("../../shared/catalogue/de.txt")
    ));
    let mut policy = Policy::default();
    policy.fields.insert(Field::Country, Presence::Optional);
    let host = mount(policy, Locale::De);
    settle().await;
    assert_eq!(text_of(&host, "label[for=enlist-password]").trim_end_matches(" *"), "Passwort");
    let input: HtmlInputElement = find(&host, "#enlist-password").unchecked_into();
    type_into(&input, "abc").await;
    leave(&input).await;
    assert_eq!(text_of(&host, "#enlist-password-problem"), "Verwenden Sie mindestens 8 Zeichen.");
    assert_eq!(find(&host, "form").get_attribute("lang").as_deref(), Some("de"));
    assert_eq!(
        text_of(&host, "#enlist-country option[value=DE]"),
        "Deutschland",
        "country names in the page's language"
    );
}

#[wasm_bindgen_test]
async fn countries_are_named_and_sorted_in_the_pages_language() {
    let mut policy = Policy::default();
    policy.fields.insert(Field::Country, Presence::Optional);
    let english = mount(policy.clone(), Locale::En);
    settle().await;
    assert!(enlist_widget::install_language(
        Locale::Pl,
        include_str!("../locales/pl.txt"),
        include_str!("../../shared/catalogue/pl.txt")
    ));
    let polish = mount(policy, Locale::Pl);
    settle().await;
    let options = |host: &HtmlElement| -> Vec<(String, String)> {
        let all = host.query_selector_all("#enlist-country option").unwrap();
        (1..all.length())
            .map(|i| {
                let option: Element = all.item(i).unwrap().unchecked_into();
                (option.get_attribute("value").unwrap(), option.text_content().unwrap())
            })
            .collect()
    };
    let (english, polish) = (options(&english), options(&polish));
    assert_eq!(english.len(), 249, "every ISO 3166-1 country the rule set knows");
    let name = |list: &[(String, String)], code: &str| list.iter().find(|(c, _)| c == code).unwrap().1.clone();
    assert_eq!(name(&english, "DE"), "Germany");
    assert_eq!(name(&polish, "DE"), "Niemcy");
    assert_eq!(name(&polish, "US"), "Stany Zjednoczone");
    // Sorted by the local name, accents folded: Ö sorts with O, not after Z.
    let at = |list: &[(String, String)], code: &str| list.iter().position(|(c, _)| c == code).unwrap();
    assert!(at(&english, "AX") < at(&english, "AL"), "Åland Islands under A: {:?}", &english[..4]);
    assert!(at(&english, "DE") < at(&english, "GH"), "Germany before Ghana");
    assert!(at(&polish, "DE") > at(&polish, "FR"), "Niemcy after Francja");
}

#[wasm_bindgen_test]
async fn a_language_whose_files_cannot_be_had_gives_an_english_form() {
    // Nothing serves `locales/it.txt` here: the widget waits for it, then speaks English.
    let host = mount(Policy::default(), Locale::It);
    settle().await;
    until("the form", || host.query_selector("form").unwrap().is_some()).await;
    assert_eq!(find(&host, "form").get_attribute("lang").as_deref(), Some("en"));
    assert_eq!(text_of(&host, "label[for=enlist-password]").trim_end_matches(" *"), "Password");
    let input: HtmlInputElement = find(&host, "#enlist-password").unchecked_into();
    type_into(&input, "abc").await;
    leave(&input).await;
    assert_eq!(text_of(&host, "#enlist-password-problem"), "Use at least 8 characters.");
}

/// Replaces `window.fetch` for this page: the policy request is not made (tests pass a
/// policy), every POST is recorded in `window.__posts` with its idempotency key, and answered
/// by the next entry of `answers` (`"network"` rejects like a network failure).
fn script_fetch(answers: &str) {
    js_sys::eval(&format!(
        r#"window.__posts = []; window.__answers = {answers};
        window.fetch = async (url, init) => {{
            const request = url instanceof Request ? url : new Request(url, init);
            window.__posts.push({{ key: request.headers.get('idempotency-key'), body: await request.clone().text() }});
            const next = window.__answers.shift();
            if (next === 'network') return Promise.reject(new TypeError('Failed to fetch'));
            return Promise.resolve(new Response(JSON.stringify(next.body), {{ status: next.status, headers: {{ 'content-type': 'application/json' }} }}));
        }};"#
    ))
    .unwrap();
}

fn posted_keys() -> Vec<String> {
    let posts = js_sys::eval("window.__posts.map(p => p.key)").unwrap();
    js_sys::Array::from(&posts).iter().map(|k| k.as_string().unwrap_or_default()).collect()
}

/// Lets the widget's request and its answer run.
async fn round_trip() {
    for _ in 0..20 {
        let tick = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 5).unwrap();
        });
        JsFuture::from(tick).await.unwrap();
    }
}

async fn fill_valid_form(host: &HtmlElement) {
    type_into(&find(host, "#enlist-email").unchecked_into(), "ada@example.com").await;
    type_into(&find(host, "#enlist-password").unchecked_into(), "Analytical-Engine-1843").await;
}

#[wasm_bindgen_test]
async fn server_problems_land_on_their_fields_until_edited() {
    script_fetch(r#"[{ status: 409, body: { errors: [{ field: "email", code: "email.taken", message: "x" }] } }]"#);
    let host = mount(Policy::default(), Locale::En);
    settle().await;
    fill_valid_form(&host).await;
    find(&host, "button[type=submit]").unchecked_into::<HtmlElement>().click();
    round_trip().await;
    assert_eq!(text_of(&host, "#enlist-email-problem"), "This e-mail address is already registered for this event.");
    assert_eq!(find(&host, "#enlist-email-problem").get_attribute("data-code").as_deref(), Some("email.taken"));
    assert_eq!(text_of(&host, "#enlist-password-problem"), "", "only the field the server named");
    // What it means and the ways forward, said once, and the keyboard on the address.
    let status = text_of(&host, "#enlist-status");
    assert!(status.contains("already on its list") && status.contains("someone else"), "{status}");
    until("focus on the e-mail address", || focused_id() == "enlist-email").await;

    type_into(&find(&host, "#enlist-email").unchecked_into(), "ada.l@example.com").await;
    assert_eq!(text_of(&host, "#enlist-email-problem"), "", "an edited field is judged again");
}

#[wasm_bindgen_test]
async fn a_network_error_is_retried_with_the_same_key_and_never_double_submits() {
    script_fetch(r#"["network", { status: 201, body: { id: "acc_1" } }]"#);
    let host = mount(Policy::default(), Locale::En);
    settle().await;
    fill_valid_form(&host).await;
    let submit: HtmlElement = find(&host, "button[type=submit]").unchecked_into();
    submit.click();
    submit.click(); // a second click while sending does nothing
    round_trip().await;
    assert_eq!(posted_keys().len(), 1, "one request for two clicks");
    assert!(text_of(&host, "#enlist-status").contains("could not reach"), "{}", text_of(&host, "#enlist-status"));

    // One button, which now offers to try again, and has the keyboard.
    assert_eq!(host.query_selector_all("button").unwrap().length(), 2, "the submit button and the password toggle");
    assert_eq!(submit.text_content().unwrap(), "Try again");
    until("focus on the button", || {
        web_sys::window().unwrap().document().unwrap().active_element() == Some(submit.clone().into())
    })
    .await;
    submit.click();
    round_trip().await;
    let keys = posted_keys();
    assert_eq!(keys.len(), 2);
    assert!(!keys[0].is_empty());
    assert_eq!(keys[0], keys[1], "the retry carries the first attempt's idempotency key");
    assert_eq!(find(&host, "form").get_attribute("data-state").as_deref(), Some("created"));
    // Success: a heading that has the keyboard, what happens next, no form left to edit.
    assert_eq!(find(&host, ".enlist-done").get_attribute("hidden"), None);
    assert_eq!(text_of(&host, ".enlist-done h3"), "You're registered");
    assert!(text_of(&host, ".enlist-done p").contains("nothing more to do"));
    assert!(submit.has_attribute("hidden"));
    until("focus on the heading", || focused_id() == "enlist-done").await;
    for input in ["#enlist-email", "#enlist-password"] {
        assert!(find(&host, input).has_attribute("disabled"), "{input} cannot be edited");
    }
}

fn posted_bodies() -> Vec<serde_json::Value> {
    let posts = js_sys::eval("window.__posts.map(p => p.body)").unwrap();
    js_sys::Array::from(&posts).iter().map(|b| serde_json::from_str(&b.as_string().unwrap()).unwrap()).collect()
}

#[wasm_bindgen_test]
async fn the_honeypot_is_out_of_reach_and_sent_only_when_filled() {
    script_fetch(r#"[{ status: 201, body: { id: "acc_1" } }, { status: 201, body: { id: "acc_2" } }]"#);
    // The embed script gives the widget its stylesheet; here the test does.
    let document = web_sys::window().unwrap().document().unwrap();
    let style = document.create_element("style").unwrap();
    style.set_text_content(Some(include_str!("../widget.css")));
    document.head().unwrap().append_child(&style).unwrap();
    let mut with_website = Policy::default();
    with_website.fields.insert(Field::Website, Presence::Optional);
    let host = mount(with_website, Locale::En);
    settle().await;
    assert_eq!(host.query_selector_all("[id=enlist-website]").unwrap().length(), 1, "ids stay unique");
    let trap: HtmlInputElement = find(&host, "input[name=homepage]").unchecked_into();
    assert_eq!(trap.tab_index(), -1, "Tab never reaches it");
    assert_eq!(trap.closest("[aria-hidden=true]").unwrap().map(|e| e.class_name()).as_deref(), Some("enlist-trap"));
    // Invisible where it stands (clipped to nothing, transparent, 1 px), not moved off-screen:
    // an offset widens a right-to-left page by as much.
    let wrapper = trap.closest(".enlist-trap").unwrap().unwrap();
    let place = wrapper.get_bounding_client_rect();
    assert!(place.width() <= 1.0 && place.height() <= 1.0, "1 px: {}x{}", place.width(), place.height());
    let style = web_sys::window().unwrap().get_computed_style(&wrapper).unwrap().unwrap();
    assert_eq!(style.get_property_value("opacity").unwrap(), "0");
    assert!(style.get_property_value("clip-path").unwrap().starts_with("inset(50%"));
    assert!(place.left() >= 0.0, "not off-screen: {}", place.left());

    // A person leaves it empty: the body has no trap.
    fill_valid_form(&host).await;
    find(&host, "button[type=submit]").unchecked_into::<HtmlElement>().click();
    round_trip().await;
    assert_eq!(posted_bodies()[0].get("enlist_trap"), None);

    // A bot that fills every input fills it too, and the body says so.
    let host = mount(Policy::default(), Locale::En);
    settle().await;
    fill_valid_form(&host).await;
    type_into(&find(&host, "input[name=homepage]").unchecked_into(), "https://spam.example").await;
    find(&host, "button[type=submit]").unchecked_into::<HtmlElement>().click();
    round_trip().await;
    let bodies = posted_bodies();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[1]["enlist_trap"], "https://spam.example");
}

#[wasm_bindgen_test]
async fn contact_fields_carry_autocomplete_tokens_that_keep_personal_values_out_of_work_ones() {
    let mut policy = Policy::default();
    for field in [Field::Phone, Field::WorkPhone, Field::WorkFax, Field::WorkEmail, Field::CountryName] {
        policy.fields.insert(field, Presence::Optional);
    }
    let host = mount(policy, Locale::En);
    settle().await;
    for (id, token) in [
        ("enlist-email", "email"),
        ("enlist-phone", "tel"),
        ("enlist-work-phone", "work tel"),
        ("enlist-work-fax", "fax tel"),
        ("enlist-work-email", "work email"),
        ("enlist-country-name", "country-name"),
    ] {
        assert_eq!(find(&host, &format!("#{id}")).get_attribute("autocomplete").as_deref(), Some(token), "{id}");
    }
}

#[wasm_bindgen_test]
async fn every_kind_of_field_judges_live_with_the_rule_set() {
    // The widget's build fetches the common list at run time; here the test installs it (a
    // no-op where the test build compiled it in).
    assert!(enlist_shared::install_common_list(include_str!("../../shared/data/common-passwords.fc")));
    let mut policy = Policy::default();
    policy.fields.extend(
        [Field::Alias, Field::FirstName, Field::Phone, Field::Website, Field::WorkEmail, Field::PostalCode]
            .map(|f| (f, Presence::Optional)),
    );
    let host = mount(policy, Locale::En);
    settle().await;
    for (id, typed, code) in [
        ("#enlist-alias", "12345", "alias.numeric"),
        ("#enlist-alias", "Adm1n", "alias.invalid"),
        ("#enlist-alias", "ada lovelace", "alias.invalid"),
        ("#enlist-first-name", &"x".repeat(101), "text.too_long"),
        ("#enlist-phone", "12", "phone.invalid"),
        ("#enlist-website", "javascript:alert(1)", "url.invalid"),
        ("#enlist-work-email", "ada@localhost", "email.invalid"),
        ("#enlist-postal-code", "line\u{202e}break", "text.invalid"),
        ("#enlist-password", "password", "password.too_weak"),
    ] {
        let input: HtmlInputElement = find(&host, id).unchecked_into();
        type_into(&input, typed).await;
        leave(&input).await;
        let problem = find(&host, &format!("{id}-problem"));
        assert_eq!(problem.get_attribute("data-code").as_deref(), Some(code), "{id} with {typed:?}");
        assert!(!problem.text_content().unwrap_or_default().is_empty());
        type_into(&input, "").await;
    }
}

/// A campaign its organiser closed: the policy request is refused with `campaign.closed`, and
/// the widget says registration is closed, in the page's language, instead of drawing a form.
#[wasm_bindgen_test]
async fn a_closed_campaign_says_so_instead_of_a_form() {
    js_sys::eval(
        r#"window.fetch = async () => new Response(JSON.stringify({ type: 'about:blank', title: 'Registration is closed',
             status: 403, errors: [{ field: 'request', code: 'campaign.closed', message: 'closed' }] }),
             { status: 403, headers: { 'content-type': 'application/problem+json' } });"#,
    )
    .unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let target = Target {
        api_base: "https://api.example".into(),
        campaign: "gala".into(),
        key: "pk_closed".into(),
        assets: "/".into(),
    };
    leptos::mount::mount_to(host.clone(), move || view! { <Signup target=target locale=Locale::En /> }).forget();
    round_trip().await;
    assert!(host.query_selector("form").unwrap().is_none(), "no form for a closed campaign");
    assert_eq!(text_of(&host, ".enlist-status"), "Registration for this event is closed.");
}

#[wasm_bindgen_test]
async fn a_campaign_that_verifies_addresses_says_to_check_the_inbox() {
    script_fetch(r#"[{ status: 201, body: { id: "acc_1" } }]"#);
    let policy = Policy { verify_email: true, ..Policy::default() };
    let host = mount(policy, Locale::En);
    settle().await;
    fill_valid_form(&host).await;
    let submit: HtmlElement = find(&host, "button[type=submit]").unchecked_into();
    submit.click();
    round_trip().await;
    assert_eq!(find(&host, "form").get_attribute("data-state").as_deref(), Some("created"));
    let said = text_of(&host, ".enlist-done p");
    assert!(said.starts_with("Check your inbox") && said.contains("48 hours"), "{said}");
}
