//! The few DOM calls the form is built with. Every element goes through [`el`], so the wasm
//! holds one copy of the code that makes elements, whatever the field.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Node};

pub fn document() -> Document {
    web_sys::window().and_then(|w| w.document()).expect("the widget runs in a page")
}

/// A new element with its attributes, not yet in the page.
pub fn make(tag: &str, attributes: &[(&str, &str)]) -> Element {
    let element = document().create_element(tag).expect("a valid tag name");
    for (name, value) in attributes {
        set(&element, name, Some(value));
    }
    element
}

/// A new element with its attributes, appended to `parent`.
pub fn el(parent: &Node, tag: &str, attributes: &[(&str, &str)]) -> Element {
    let element = make(tag, attributes);
    let _ = parent.append_child(&element);
    element
}

/// Sets an attribute, or removes it for `None`.
pub fn set(element: &Element, name: &str, value: Option<&str>) {
    let _ = match value {
        Some(value) => element.set_attribute(name, value),
        None => element.remove_attribute(name),
    };
}

/// Sets a boolean attribute (`hidden`, `disabled`): present when `on`.
pub fn flag(element: &Element, name: &str, on: bool) {
    set(element, name, on.then_some(""));
}

pub fn text(element: &Element, text: &str) {
    element.set_text_content(Some(text));
}

/// The `value` property of an input or select.
pub fn value(element: &Element) -> String {
    js_sys::Reflect::get(element, &"value".into()).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

pub fn set_value(element: &Element, value: &str) {
    let _ = js_sys::Reflect::set(element, &"value".into(), &value.into());
}

/// The `checked` property of a checkbox.
pub fn checked(element: &Element) -> bool {
    js_sys::Reflect::get(element, &"checked".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false)
}

pub fn element_of(target: Option<web_sys::EventTarget>) -> Option<Element> {
    target?.dyn_into::<Element>().ok()
}
