//! A whole signup form: raw values in, every value parsed (or every problem listed) out.

use crate::values::alias::Alias;
use crate::values::country::Country;
use crate::values::email::Email;
use crate::values::language::Language;
use crate::values::password::Password;
use crate::values::phone::Phone;
use crate::values::state::UsState;
use crate::values::text::Text;
use crate::values::timezone::TimeZone;
use crate::values::url::WebUrl;
use crate::{Code, Field, FieldMap, Policy, Presence, Problem};
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A signup as typed: raw text per field, nothing checked yet. A missing field reads as "".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignupForm(FieldMap<String>);

impl SignupForm {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, field: Field, value: impl Into<String>) -> Self {
        self.set(field, value);
        self
    }

    pub fn set(&mut self, field: Field, value: impl Into<String>) {
        if field != Field::Request {
            self.0.insert(field, value.into());
        }
    }

    pub fn get(&self, field: Field) -> &str {
        self.0.get(&field).map_or("", String::as_str)
    }

    pub fn fields(&self) -> impl Iterator<Item = (Field, &str)> {
        self.0.iter().map(|(f, v)| (*f, v.as_str()))
    }

    /// The problem [`validate`] finds with one field, if any.
    pub fn problem(&self, field: Field, policy: &Policy) -> Option<Code> {
        validate(self, policy).err()?.into_iter().find(|p| p.field == field).map(|p| p.code)
    }

    /// Like [`Self::problem`], but quiet while the field is still empty: what a form shows as
    /// the user types, before a submit attempt.
    pub fn live_problem(&self, field: Field, policy: &Policy) -> Option<Code> {
        if self.get(field).is_empty() {
            None
        } else {
            self.problem(field, policy)
        }
    }
}

impl Serialize for SignupForm {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(f, v)| (f.as_str(), v)))
    }
}

/// Reads a JSON-like map: known field names take a string, number, boolean or null; other
/// keys (a dialect's extras such as `campaign`) are skipped.
impl<'de> Deserialize<'de> for SignupForm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FormVisitor;

        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Scalar {
            Text(String),
            Flag(bool),
            Whole(i64),
            Big(u64),
            Real(f64),
            Null(()),
        }

        impl<'de> Visitor<'de> for FormVisitor {
            type Value = SignupForm;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of signup fields")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SignupForm, A::Error> {
                let mut form = SignupForm::new();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.parse::<Field>() {
                        Ok(field) if field != Field::Request => {
                            let text = match map.next_value::<Scalar>()? {
                                Scalar::Text(s) => s,
                                Scalar::Flag(b) => b.to_string(),
                                Scalar::Whole(n) => n.to_string(),
                                Scalar::Big(n) => n.to_string(),
                                Scalar::Real(x) => x.to_string(),
                                Scalar::Null(()) => continue,
                            };
                            if form.0.insert(field, text).is_some() {
                                return Err(serde::de::Error::custom(format_args!("duplicate field `{key}`")));
                            }
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(form)
            }
        }

        deserializer.deserialize_map(FormVisitor)
    }
}

/// A signup whose every value has been parsed. Fields the form left empty are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidSignup {
    pub alias: Option<Alias>,
    pub email: Option<Email>,
    pub password: Option<Password>,
    pub country: Option<Country>,
    /// The state when the country is the United States (otherwise `state` is free text).
    pub us_state: Option<UsState>,
    pub time_zone: Option<TimeZone>,
    pub lang: Option<Language>,
    pub phone: Option<Phone>,
    pub work_phone: Option<Phone>,
    pub work_fax: Option<Phone>,
    pub work_email: Option<Email>,
    pub website: Option<WebUrl>,
    pub eula_accepted: bool,
    /// Free-text profile fields: names, organisation, address, city, postal code, region, and
    /// `state` outside the United States.
    pub profile: FieldMap<Text>,
}

/// The longest text a free-text field takes, in characters.
pub fn text_limit(field: Field) -> usize {
    match field {
        Field::Prefix | Field::PostalCode => 20,
        Field::Address => 200,
        _ => 100,
    }
}

/// Parses a whole form under a policy, collecting *every* problem in field order.
pub fn validate(form: &SignupForm, policy: &Policy) -> Result<ValidSignup, Vec<Problem>> {
    let mut valid = ValidSignup::default();
    let problems: Vec<Problem> = Field::ALL
        .iter()
        .filter(|&&field| field != Field::Request)
        .filter_map(|&field| {
            check(form.get(field), field, policy, &mut valid).err().map(|code| Problem::new(field, code))
        })
        .collect();
    if problems.is_empty() {
        Ok(valid)
    } else {
        Err(problems)
    }
}

fn check(raw: &str, field: Field, policy: &Policy, valid: &mut ValidSignup) -> Result<(), Code> {
    // In the United States the state is a USPS state, and required wherever the policy shows
    // the field (a form that asks for a state must get one there); a policy that hides it (the
    // default, and the dialects whose seeds call it optional) lets it be left out.
    if field == Field::State && valid.country.is_some_and(|c| c.is_united_states()) {
        if raw.trim().is_empty() && policy.presence(Field::State) == Presence::Hidden {
            return Ok(());
        }
        valid.us_state = Some(UsState::parse(raw)?);
        return Ok(());
    }
    let blank = if field == Field::Password { raw.is_empty() } else { raw.trim().is_empty() };
    if blank {
        return match (policy.requires(field), field) {
            (false, _) => Ok(()),
            (true, Field::Eula) => Err(Code::EulaRequired),
            (true, _) => Err(Code::Required),
        };
    }
    match field {
        Field::Alias => valid.alias = Some(Alias::parse(raw, &policy.reserved_aliases)?),
        Field::Email => valid.email = Some(Email::parse_with(raw, policy.require_dotted_domain)?),
        Field::WorkEmail => valid.work_email = Some(Email::parse_with(raw, policy.require_dotted_domain)?),
        Field::Password => valid.password = Some(Password::parse(raw, &policy.password)?),
        Field::Country => valid.country = Some(Country::parse_code(raw)?),
        Field::CountryName => {
            let named = Country::parse_name(raw)?;
            match valid.country {
                Some(code) if code != named => return Err(Code::CountryMismatch),
                Some(_) => {}
                None => valid.country = Some(named),
            }
        }
        Field::TimeZone => valid.time_zone = Some(TimeZone::parse(raw)?),
        Field::Lang => valid.lang = Some(Language::parse(raw)?),
        Field::Phone => valid.phone = Some(Phone::parse(raw)?),
        Field::WorkPhone => valid.work_phone = Some(Phone::parse(raw)?),
        Field::WorkFax => valid.work_fax = Some(Phone::parse(raw)?),
        Field::Website => valid.website = Some(WebUrl::parse(raw)?),
        Field::Eula => {
            let accepted = match raw.trim().to_ascii_lowercase().as_str() {
                "yes" | "true" | "on" | "1" => true,
                "no" | "false" | "off" | "0" => false,
                _ => return Err(Code::EnumInvalid),
            };
            if !accepted && policy.requires(field) {
                return Err(Code::EulaRequired);
            }
            valid.eula_accepted = accepted;
        }
        Field::Prefix
        | Field::FirstName
        | Field::MiddleName
        | Field::LastName
        | Field::Organization
        | Field::Title
        | Field::Department
        | Field::Specialty
        | Field::Region
        | Field::Address
        | Field::City
        | Field::PostalCode
        | Field::State => {
            valid.profile.insert(field, Text::parse(raw, text_limit(field))?);
        }
        Field::Request => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy_with(fields: &[(Field, Presence)]) -> Policy {
        let mut policy = Policy::default();
        policy.fields.extend(fields.iter().copied());
        policy
    }

    #[test]
    fn a_good_default_form_parses() {
        let form = SignupForm::new().with(Field::Email, "ada@example.com").with(Field::Password, "Analytical-1843");
        let valid = validate(&form, &Policy::default()).unwrap();
        assert_eq!(valid.email.unwrap().as_ref(), "ada@example.com");
        assert!(valid.alias.is_none());
    }

    #[test]
    fn every_problem_is_collected_in_field_order() {
        let policy = policy_with(&[(Field::Alias, Presence::Required), (Field::Country, Presence::Optional)]);
        let form =
            SignupForm::new().with(Field::Email, "nope").with(Field::Password, "short").with(Field::Country, "XX");
        assert_eq!(
            validate(&form, &policy),
            Err(vec![
                Problem::new(Field::Alias, Code::Required),
                Problem::new(Field::Email, Code::EmailInvalid),
                Problem::new(Field::Password, Code::PasswordTooShort),
                Problem::new(Field::Country, Code::CountryInvalid),
            ])
        );
    }

    #[test]
    fn values_are_judged_even_when_the_policy_hides_the_field() {
        let form = SignupForm::new()
            .with(Field::Email, "a@b.co")
            .with(Field::Password, "Xk#9v!Qz2")
            .with(Field::Website, "nope");
        assert_eq!(validate(&form, &Policy::default()), Err(vec![Problem::new(Field::Website, Code::UrlInvalid)]));
    }

    #[test]
    fn us_state_is_required_and_checked_only_in_the_us() {
        let policy = policy_with(&[(Field::State, Presence::Optional)]);
        let base = SignupForm::new().with(Field::Email, "a@b.co").with(Field::Password, "Xk#9v!Qz2");
        let us = base.clone().with(Field::Country, "us");
        assert_eq!(validate(&us, &policy), Err(vec![Problem::new(Field::State, Code::StateRequired)]));
        assert_eq!(us.clone().with(Field::State, "Narnia").problem(Field::State, &policy), Some(Code::StateInvalid));
        let ok = validate(&us.with(Field::State, "ny"), &policy).unwrap();
        assert_eq!(ok.us_state.unwrap().code(), "NY");
        let pl = validate(&base.clone().with(Field::Country, "PL").with(Field::State, "pomorskie"), &policy).unwrap();
        assert_eq!(pl.profile[&Field::State].as_ref(), "pomorskie");
        let by_name = SignupForm::new()
            .with(Field::Email, "a@b.co")
            .with(Field::Password, "Xk#9v!Qz2")
            .with(Field::CountryName, "United States");
        assert_eq!(by_name.problem(Field::State, &policy), Some(Code::StateRequired));
        // A policy that does not show the state lets a US signup leave it out, and still
        // judges one that is given.
        let hidden = Policy::default();
        assert!(validate(&base.clone().with(Field::Country, "us"), &hidden).is_ok());
        assert_eq!(
            base.with(Field::Country, "us").with(Field::State, "Narnia").problem(Field::State, &hidden),
            Some(Code::StateInvalid)
        );
    }

    #[test]
    fn country_name_must_match_the_code() {
        let policy = Policy::default();
        let form = SignupForm::new()
            .with(Field::Email, "a@b.co")
            .with(Field::Password, "Xk#9v!Qz2")
            .with(Field::Country, "PL");
        assert!(validate(&form.clone().with(Field::CountryName, "Poland"), &policy).is_ok());
        assert_eq!(
            form.with(Field::CountryName, "Germany").problem(Field::CountryName, &policy),
            Some(Code::CountryMismatch)
        );
    }

    #[test]
    fn eula_must_be_accepted_when_required() {
        let policy = policy_with(&[(Field::Eula, Presence::Required)]);
        let form = SignupForm::new().with(Field::Email, "a@b.co").with(Field::Password, "Xk#9v!Qz2");
        assert_eq!(form.problem(Field::Eula, &policy), Some(Code::EulaRequired));
        assert_eq!(form.clone().with(Field::Eula, "no").problem(Field::Eula, &policy), Some(Code::EulaRequired));
        assert_eq!(form.clone().with(Field::Eula, "maybe").problem(Field::Eula, &policy), Some(Code::EnumInvalid));
        assert!(validate(&form.with(Field::Eula, "yes"), &policy).unwrap().eula_accepted);
    }

    #[test]
    fn the_mobile_reconciliation_key_makes_the_phone_required() {
        let policy = Policy { reconciliation_key: crate::ReconciliationKey::Mobile, ..Policy::default() };
        let form = SignupForm::new().with(Field::Email, "a@b.co").with(Field::Password, "Xk#9v!Qz2");
        assert_eq!(form.problem(Field::Phone, &policy), Some(Code::Required));
    }

    #[test]
    fn live_problems_wait_for_input() {
        let policy = Policy::default();
        let form = SignupForm::new().with(Field::Password, "abc");
        assert_eq!(form.live_problem(Field::Email, &policy), None);
        assert_eq!(form.problem(Field::Email, &policy), Some(Code::Required));
        assert_eq!(form.live_problem(Field::Password, &policy), Some(Code::PasswordTooShort));
    }

    #[test]
    fn json_forms_take_scalars_skip_unknown_keys_and_refuse_duplicates() {
        let form: SignupForm = serde_json::from_str(
            r#"{"email":"a@b.co","eula":true,"phone":48111111111,"campaign":{"name":"x"},"middle_name":null}"#,
        )
        .unwrap();
        assert_eq!(form.get(Field::Eula), "true");
        assert_eq!(form.get(Field::Phone), "48111111111");
        assert_eq!(form.get(Field::MiddleName), "");
        assert!(serde_json::from_str::<SignupForm>(r#"{"email":"a@b.co","email":"c@d.co"}"#).is_err());
        assert!(serde_json::from_str::<SignupForm>(r#"{"email":["a@b.co"]}"#).is_err());
        assert!(serde_json::from_str::<SignupForm>(r#"["email"]"#).is_err());
    }
}
