//! The widget in a real browser (wasm-bindgen-test in headless Chromium).
#![cfg(target_arch = "wasm32")]

use enlist_shared::{message, Code, Field, Locale, Policy, Problem};
use enlist_widget::Signup;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a fresh widget in its own host element (left mounted: each test has its own).
fn mount() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), || view! { <Signup /> }).forget();
    host
}

fn find(host: &HtmlElement, selector: &str) -> Element {
    host.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector} in the widget"))
}

/// Leptos updates the DOM after a microtask: let it run before asserting.
async fn settle() {
    JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL)).await.unwrap();
}

async fn type_into(input: &HtmlInputElement, text: &str) {
    input.set_value(text);
    let init = EventInit::new();
    init.set_bubbles(true);
    input.dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
    settle().await;
}

#[wasm_bindgen_test]
async fn an_invalid_email_shows_its_problem_beside_the_field_until_fixed() {
    let host = mount();
    let input: HtmlInputElement = find(&host, "#enlist-email").unchecked_into();
    let problem = find(&host, "#enlist-email-problem");
    assert_eq!(problem.text_content().unwrap_or_default(), "", "no problem before typing");

    type_into(&input, "not-an-email").await;
    let expected = message(Problem::new(Field::Email, Code::EmailInvalid), Locale::En, &Policy::default());
    assert_eq!(problem.text_content().unwrap(), expected);
    assert_eq!(problem.get_attribute("data-code").as_deref(), Some("email.invalid"));
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(input.get_attribute("aria-describedby").as_deref(), Some("enlist-email-problem"));

    type_into(&input, "ada@example.com").await;
    assert_eq!(problem.text_content().unwrap_or_default(), "");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("false"));
}

#[wasm_bindgen_test]
async fn a_short_password_shows_the_minimum() {
    let host = mount();
    let input: HtmlInputElement = find(&host, "#enlist-password").unchecked_into();
    type_into(&input, "abc").await;
    assert_eq!(find(&host, "#enlist-password-problem").text_content().unwrap(), "Use at least 8 characters.");
}
