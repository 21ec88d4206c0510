//! One corpus (`tests/corpus/rules.jsonl`, 1 186 inputs) judged by the rule set natively and
//! under wasm32 in headless Chromium; both must produce the checked-in verdict list byte for
//! byte, so the widget and the Worker cannot disagree. `ENLIST_BLESS=1 cargo test -p
//! enlist-shared --test same_verdicts` rewrites the list after a deliberate rule change.

use enlist_shared::*;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const CORPUS: &str = include_str!("../../tests/corpus/rules.jsonl");
const VERDICTS: &str = include_str!("../../tests/corpus/verdicts.jsonl");

fn judge(kind: &str, input: &str) -> Result<String, String> {
    let policy = Policy::default();
    let code = |c: Code| c.as_str().to_owned();
    let shown = |v: &dyn std::fmt::Display| v.to_string();
    match kind {
        "alias" => {
            Alias::parse(input, &policy.reserved_aliases).map(|a| format!("{a} ~ {}", a.normalized())).map_err(code)
        }
        "email" => Email::parse(input).map(|e| format!("{e} ~ {}", e.normalized())).map_err(code),
        "password" => {
            Password::parse(input, &policy.password).map(|_| format!("strength {}", strength(input))).map_err(code)
        }
        "password_gr" => {
            let rules = PasswordRules { composition: Composition::LowerUpperDigitOrSpecial, ..Default::default() };
            Password::parse(input, &rules).map(|_| format!("strength {}", strength(input))).map_err(code)
        }
        "country" => Country::parse_code(input).map(|c| format!("{} {}", c.alpha2(), c.name())).map_err(code),
        "country_name" => Country::parse_name(input).map(|c| c.alpha2().to_owned()).map_err(code),
        "state" => UsState::parse(input).map(|s| s.code().to_owned()).map_err(code),
        "timezone" => TimeZone::parse(input).map(|t| shown(&t)).map_err(code),
        "lang" => Language::parse(input).map(|l| shown(&l)).map_err(code),
        "phone" => Phone::parse(input).map(|p| format!("{p} cc {}", p.calling_code())).map_err(code),
        "url" => WebUrl::parse(input).map(|u| shown(&u)).map_err(code),
        "text" => Text::parse(input, 100).map(|t| shown(&t)).map_err(code),
        "accept_language" => Ok(Locale::negotiate(input, &Locale::ALL).tag().to_owned()),
        "form" => {
            let form: SignupForm = serde_json::from_str(input).map_err(|e| format!("unreadable: {e}"))?;
            match validate(&form, &policy) {
                Ok(valid) => Ok(format!(
                    "valid, country {:?}, {} profile fields",
                    valid.country.map(|c| c.alpha2()),
                    valid.profile.len()
                )),
                Err(problems) => {
                    Err(problems.iter().map(|p| format!("{}:{}", p.field, p.code)).collect::<Vec<_>>().join(" "))
                }
            }
        }
        other => panic!("corpus kind `{other}` has no judge"),
    }
}

fn verdicts() -> String {
    CORPUS
        .lines()
        .map(|line| {
            let (kind, input): (String, String) = serde_json::from_str(line).expect("corpus lines are [kind, input]");
            let verdict = match judge(&kind, &input) {
                Ok(value) => ("ok", value),
                Err(problem) => ("err", problem),
            };
            serde_json::to_string(&(kind, input, verdict)).expect("strings serialise") + "\n"
        })
        .collect()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_corpus_gets_the_checked_in_verdicts() {
    let got = verdicts();
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("ENLIST_BLESS").is_some() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus/verdicts.jsonl");
        std::fs::write(path, &got).expect("write the verdicts");
        return;
    }
    assert!(CORPUS.lines().count() >= 1000, "the corpus must hold at least 1 000 inputs");
    for (line, (want, have)) in VERDICTS.lines().zip(got.lines()).enumerate() {
        assert_eq!(have, want, "verdict {} differs from the checked-in list", line + 1);
    }
    assert_eq!(got.len(), VERDICTS.len(), "the verdict list has another length");
}
