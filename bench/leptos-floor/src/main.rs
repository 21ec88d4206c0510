//! The smallest form Leptos can render client-side, built like the widget (release profile,
//! wasm-bindgen, wasm-opt -Oz). `cargo xtask bench widget` weighs it: whatever any Leptos form
//! costs before it has a single rule, field type or message of its own.

use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| {
        let (typed, set_typed) = signal(0);
        view! {
            <form>
                <label>"Name"<input on:input=move |_| set_typed.update(|n| *n += 1) /></label>
                <p>{move || typed.get()}</p>
                <button>"Go"</button>
            </form>
        }
    })
}
