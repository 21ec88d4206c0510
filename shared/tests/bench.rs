//! Benchmark (run by `cargo xtask bench`, ignored by `cargo test`): validating a whole
//! 20-field form, natively and under wasm32 in headless Chromium, from this one source. It
//! prints figures and asserts nothing about time.

use enlist_shared::{validate, Field, Policy, Presence, SignupForm};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const FIELDS: [(Field, &str); 20] = [
    (Field::Alias, "ada_lovelace"),
    (Field::Prefix, "Countess"),
    (Field::FirstName, "Augusta Ada"),
    (Field::MiddleName, "King"),
    (Field::LastName, "Lovelace"),
    (Field::Email, "Ada.Lovelace@example.co.uk"),
    (Field::Password, "Analytical-Engine-1843"),
    (Field::Organization, "Analytical Society"),
    (Field::Title, "Mathematician"),
    (Field::Department, "Notes"),
    (Field::Address, "12 St James's Square"),
    (Field::City, "London"),
    (Field::PostalCode, "SW1Y 4LB"),
    (Field::Country, "gb"),
    (Field::CountryName, "United Kingdom"),
    (Field::TimeZone, "europe/london"),
    (Field::Lang, "en_GB"),
    (Field::Phone, "+44 20 7946 0958"),
    (Field::WorkPhone, "0044 (20) 7946-0959"),
    (Field::Website, "ada.example.org/notes"),
];

fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        // performance.now(): sub-millisecond, unlike Date.now().
        let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).expect("a performance object");
        let now: js_sys::Function = js_sys::Reflect::get(&performance, &"now".into()).expect("performance.now").into();
        now.call0(&performance).ok().and_then(|v| v.as_f64()).unwrap_or(0.0)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::OnceLock;
        static START: OnceLock<std::time::Instant> = OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed().as_secs_f64() * 1000.0
    }
}

fn report(line: String) {
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::console_log!("{line}");
    #[cfg(not(target_arch = "wasm32"))]
    println!("{line}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[ignore = "benchmark: run by `cargo xtask bench`"]
fn validate_a_whole_20_field_form() {
    let mut policy = Policy::default();
    policy.fields.extend(FIELDS.iter().map(|(f, _)| (*f, Presence::Required)));
    let form = FIELDS.iter().fold(SignupForm::new(), |form, (field, value)| form.with(*field, *value));

    // The first call in the process also decodes the common-password list.
    let first = now_ms();
    let verdict = validate(&form, &policy);
    let cold = now_ms() - first;
    assert!(verdict.is_ok(), "the benchmark form must be valid: {verdict:?}");
    let rounds = 20_000;
    let start = now_ms();
    let mut valid = 0;
    for _ in 0..rounds {
        valid += usize::from(validate(std::hint::black_box(&form), &policy).is_ok());
    }
    let per_call_us = (now_ms() - start) * 1000.0 / rounds as f64;
    assert_eq!(valid, rounds);
    let target = if cfg!(target_arch = "wasm32") { "wasm32 (Chromium)" } else { "native" };
    report(format!("BENCH validate_20_fields {target} {per_call_us:.2} us"));
    report(format!("BENCH first_validate_incl_list_decode {target} {:.2} ms", cold));
}
