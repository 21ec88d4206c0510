//! A wasm module that reads a signup form as JSON and answers a verdict. With the `rules`
//! feature the verdict comes from the whole rule set (every parser, the common-password list,
//! the catalogue); without it the module only parses the JSON, which is the baseline that
//! any widget pays. The difference in gzip size is what the rule set adds.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub fn judge(form_json: &str, accept_language: &str) -> String {
    #[cfg(feature = "rules")]
    {
        use enlist_shared::{message, validate, Locale, Policy, SignupForm};
        let policy = Policy::default();
        let locale = Locale::negotiate(accept_language, &policy.languages);
        match serde_json::from_str::<SignupForm>(form_json) {
            Err(e) => e.to_string(),
            Ok(form) => match validate(&form, &policy) {
                Ok(_) => "ok".to_owned(),
                Err(problems) => problems.iter().map(|p| message(*p, locale, &policy)).collect::<Vec<_>>().join("\n"),
            },
        }
    }
    #[cfg(not(feature = "rules"))]
    {
        match serde_json::from_str::<serde_json::Value>(form_json) {
            Err(e) => e.to_string(),
            Ok(value) => format!("{accept_language}{}", value.as_object().map_or(0, |o| o.len())),
        }
    }
}
