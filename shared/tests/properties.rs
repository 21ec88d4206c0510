//! Properties of every parser over generated input: no input panics, parsing what a value
//! displays gives the value back, and normal forms are fixed points.
#![cfg(not(target_arch = "wasm32"))]

use enlist_shared::*;
use proptest::prelude::*;

/// Arbitrary text, and text shaped like what each field receives (so parsers get past their
/// first checks often).
fn inputs() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ a-zA-Z0-9._%+'@-]{0,40}",
        "[a-z0-9._+-]{1,20}@[a-z0-9-]{1,12}\\.[a-z]{2,6}",
        "[+0 ][0-9 ()./-]{0,20}",
        "(https?://)?[a-z0-9.-]{1,20}(\\.[a-z]{2,5})?(:[0-9]{1,6})?(/[a-zA-Z0-9?#=&._-]{0,15})?",
        "[A-Za-z]{1,3}([-_][A-Za-z0-9]{1,4})?",
        "[A-Z][a-z]+/[A-Z][a-z_]+",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})?)?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn no_input_panics_any_parser(input in inputs()) {
        let policy = Policy::default();
        let _ = Alias::parse(&input, &policy.reserved_aliases);
        let _ = Email::parse(&input);
        let _ = Password::parse(&input, &policy.password);
        let _ = strength(&input);
        let _ = Country::parse_code(&input);
        let _ = Country::parse_name(&input);
        let _ = UsState::parse(&input);
        let _ = TimeZone::parse(&input);
        let _ = Language::parse(&input);
        let _ = Phone::parse(&input);
        let _ = WebUrl::parse(&input);
        let _ = Text::parse(&input, 100);
        let _ = Locale::negotiate(&input, &Locale::ALL);
        let _ = serde_json::from_str::<SignupForm>(&input);
    }

    #[test]
    fn parse_display_parse_is_stable(input in inputs()) {
        let policy = Policy::default();
        if let Ok(v) = Alias::parse(&input, &policy.reserved_aliases) { prop_assert_eq!(Alias::parse(&format!("{v}"), &policy.reserved_aliases), Ok(v)); }
        if let Ok(v) = Email::parse(&input) { prop_assert_eq!(Email::parse(&format!("{v}")), Ok(v)); }
        if let Ok(v) = Country::parse_code(&input) { prop_assert_eq!(Country::parse_code(&v.to_string()), Ok(v)); prop_assert_eq!(Country::parse_name(v.name()), Ok(v)); }
        if let Ok(v) = Country::parse_name(&input) { prop_assert_eq!(Country::parse_name(v.name()), Ok(v)); }
        if let Ok(v) = UsState::parse(&input) { prop_assert_eq!(UsState::parse(v.code()), Ok(v)); prop_assert_eq!(UsState::parse(v.name()), Ok(v)); }
        if let Ok(v) = TimeZone::parse(&input) { prop_assert_eq!(TimeZone::parse(&format!("{v}")), Ok(v)); }
        if let Ok(v) = Language::parse(&input) { prop_assert_eq!(Language::parse(&format!("{v}")), Ok(v)); }
        if let Ok(v) = Phone::parse(&input) { prop_assert_eq!(Phone::parse(&format!("{v}")), Ok(v)); }
        if let Ok(v) = WebUrl::parse(&input) { prop_assert_eq!(WebUrl::parse(&format!("{v}")), Ok(v)); }
        if let Ok(v) = Text::parse(&input, 100) { prop_assert_eq!(Text::parse(&format!("{v}"), 100), Ok(v)); }
    }

    #[test]
    fn normal_forms_are_fixed_points(input in inputs()) {
        let policy = Policy::default();
        if let Ok(e) = Email::parse(&input) {
            let normal = e.normalized();
            prop_assert_eq!(Email::parse(&normal).map(|n| n.normalized()), Ok(normal.clone()));
        }
        if let Ok(a) = Alias::parse(&input, &policy.reserved_aliases) {
            let normal = a.normalized();
            prop_assert_eq!(Alias::parse(&normal, &policy.reserved_aliases).map(|n| n.normalized()), Ok(normal.clone()));
        }
        let folded = enlist_shared::values::country::fold(&input);
        prop_assert_eq!(enlist_shared::values::country::fold(&folded), folded.clone());
        let skeleton = enlist_shared::values::alias::skeleton(&input);
        prop_assert_eq!(enlist_shared::values::alias::skeleton(&skeleton), skeleton.clone());
    }
}
