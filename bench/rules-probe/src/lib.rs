//! A wasm module that reads a signup form as `field=value` lines and answers a verdict. With
//! the `rules` feature the verdict comes from the whole rule set (every parser and the
//! catalogue's messages in the six languages; the common-password list is fetched at run time,
//! as in the widget, so it is not compiled in); without it the module only splits the lines,
//! which is the baseline any wasm module pays (allocator, formatting, panics). The difference
//! in gzip size is what the rule set itself costs a widget, before any interface or JSON.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub fn judge(pairs: &str, accept_language: &str) -> String {
    #[cfg(feature = "rules")]
    {
        use enlist_shared::{message, validate, Field, Locale, Policy, SignupForm};
        let policy = Policy::default();
        let locale = Locale::negotiate(accept_language, &policy.languages);
        let mut form = SignupForm::new();
        for (name, value) in pairs.lines().filter_map(|line| line.split_once('=')) {
            if let Ok(field) = name.parse::<Field>() {
                form.set(field, value);
            }
        }
        match validate(&form, &policy) {
            Ok(_) => "ok".to_owned(),
            Err(problems) => problems.iter().map(|p| message(*p, locale, &policy)).collect::<Vec<_>>().join("\n"),
        }
    }
    #[cfg(not(feature = "rules"))]
    {
        let mut echo = String::from(accept_language);
        for (name, value) in pairs.lines().filter_map(|line| line.split_once('=')) {
            echo.push_str(name);
            echo.push_str(value);
        }
        echo
    }
}
