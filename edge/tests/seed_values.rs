//! The vendor dialects' own values (`enlist_edge::dialects::values`) over a corpus of their
//! seeds' spellings (`tests/corpus/seed_values.jsonl`): each must get its checked-in verdict
//! (`seed_verdicts.jsonl`). They live in the edge, not the rule set, because only the dialects
//! read them; `ENLIST_BLESS=1 cargo test -p enlist-edge --test seed_values` rewrites the list
//! after a deliberate change. No generated input panics a parser, and an address parsed from its
//! integer form gives the same integer back.
#![cfg(not(target_arch = "wasm32"))]

use enlist_edge::dialects::values::*;
use enlist_shared::Code;
use proptest::prelude::*;

const CORPUS: &str = include_str!("../../tests/corpus/seed_values.jsonl");
const VERDICTS: &str = include_str!("../../tests/corpus/seed_verdicts.jsonl");

fn judge(kind: &str, input: &str) -> Result<String, String> {
    let code = |c: Code| c.as_str().to_owned();
    let shown = |v: &dyn std::fmt::Display| v.to_string();
    match kind {
        "ip" => parse_ipv4_integer(input).map(|ip| shown(&ip)).map_err(code),
        "unix" => parse_unix_seconds(input).map(|s| shown(&s)).map_err(code),
        "date" => parse_date(input).map_err(code),
        "flag_true_false" => parse_flag(input, Spelling::TrueFalse).map(|b| shown(&b)).map_err(code),
        "flag_yes_no" => parse_flag(input, Spelling::YesNo).map(|b| shown(&b)).map_err(code),
        "flag_on_off" => parse_flag(input, Spelling::OnOff).map(|b| shown(&b)).map_err(code),
        "visibility" => Visibility::parse(input).map(|v| shown(&v)).map_err(code),
        "email_frequency" => EmailFrequency::parse(input).map(|v| shown(&v)).map_err(code),
        "send_email" => SendEmail::parse(input).map(|v| shown(&v)).map_err(code),
        "optin" => Optin::parse(input).map(|v| shown(&v)).map_err(code),
        other => panic!("corpus kind `{other}` has no judge"),
    }
}

#[test]
fn the_seed_corpus_gets_the_checked_in_verdicts() {
    let got: String = CORPUS
        .lines()
        .map(|line| {
            let (kind, input): (String, String) = serde_json::from_str(line).expect("corpus lines are [kind, input]");
            let verdict = match judge(&kind, &input) {
                Ok(value) => ("ok", value),
                Err(problem) => ("err", problem),
            };
            serde_json::to_string(&(kind, input, verdict)).expect("strings serialise") + "\n"
        })
        .collect();
    if std::env::var_os("ENLIST_BLESS").is_some() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus/seed_verdicts.jsonl");
        std::fs::write(path, &got).expect("write the verdicts");
        return;
    }
    for (line, (want, have)) in VERDICTS.lines().zip(got.lines()).enumerate() {
        assert_eq!(have, want, "verdict {} differs from the checked-in list", line + 1);
    }
    assert_eq!(got.len(), VERDICTS.len(), "the verdict list has another length");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn no_input_panics_a_seed_parser(input in prop_oneof![
        any::<String>(),
        "[0-9+ -]{0,14}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})?)?",
        "[A-Za-z_]{0,20}",
    ]) {
        let _ = parse_ipv4_integer(&input);
        let _ = parse_unix_seconds(&input);
        let _ = parse_date(&input);
        for spelling in [Spelling::TrueFalse, Spelling::YesNo, Spelling::OnOff] {
            let _ = parse_flag(&input, spelling);
        }
        let _ = (Visibility::parse(&input), EmailFrequency::parse(&input), SendEmail::parse(&input), Optin::parse(&input));
        if let Ok(v) = parse_ipv4_integer(&input) {
            prop_assert_eq!(parse_ipv4_integer(&u32::from(v).to_string()), Ok(v));
        }
    }
}
