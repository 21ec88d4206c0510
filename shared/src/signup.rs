use crate::{Code, Email, Field, Password, Problem};
use serde::{Deserialize, Serialize};

/// A signup as typed: raw strings, nothing checked yet. Missing fields are empty strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignupForm {
    pub email: String,
    pub password: String,
}

/// A signup whose every value has been parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidSignup {
    pub email: Email,
    pub password: Password,
}

/// Parses a whole form, collecting *every* problem in field order (email, then password).
pub fn validate(form: &SignupForm) -> Result<ValidSignup, Vec<Problem>> {
    let email = Email::parse(&form.email);
    let password = Password::parse(&form.password);
    match (email, password) {
        (Ok(email), Ok(password)) => Ok(ValidSignup { email, password }),
        (email, password) => Err([
            email.err().map(|code| Problem::new(Field::Email, code)),
            password.err().map(|code| Problem::new(Field::Password, code)),
        ]
        .into_iter()
        .flatten()
        .collect()),
    }
}

impl SignupForm {
    /// The raw value of one field as typed.
    pub fn value(&self, field: Field) -> &str {
        match field {
            Field::Email => &self.email,
            Field::Password => &self.password,
            Field::Request => "",
        }
    }

    /// The problem of one field, if any: the verdict [`validate`] gives for it.
    pub fn problem(&self, field: Field) -> Option<Code> {
        match field {
            Field::Email => Email::parse(&self.email).err(),
            Field::Password => Password::parse(&self.password).err(),
            Field::Request => None,
        }
    }

    /// The problem of one field as the user types: like [`Self::problem`], but `None` while
    /// the field is still empty (the user has not got to it yet).
    pub fn live_problem(&self, field: Field) -> Option<Code> {
        if self.value(field).is_empty() {
            None
        } else {
            self.problem(field)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(email: &str, password: &str) -> SignupForm {
        SignupForm { email: email.into(), password: password.into() }
    }

    #[test]
    fn a_good_form_parses() {
        let valid = validate(&form("ada@example.com", "analytical")).unwrap();
        assert_eq!(valid.email.as_ref(), "ada@example.com");
    }

    #[test]
    fn all_problems_are_collected_in_field_order() {
        assert_eq!(
            validate(&form("nope", "short")),
            Err(vec![
                Problem::new(Field::Email, Code::EmailInvalid),
                Problem::new(Field::Password, Code::PasswordTooShort),
            ])
        );
        assert_eq!(
            validate(&form("", "")),
            Err(vec![Problem::new(Field::Email, Code::Required), Problem::new(Field::Password, Code::Required),])
        );
    }

    #[test]
    fn live_problems_wait_for_input() {
        let f = form("", "abc");
        assert_eq!(f.live_problem(Field::Email), None);
        assert_eq!(f.live_problem(Field::Password), Some(Code::PasswordTooShort));
        assert_eq!(form("x@", "").live_problem(Field::Email), Some(Code::EmailInvalid));
        assert_eq!(f.problem(Field::Email), Some(Code::Required));
    }

    #[test]
    fn missing_json_fields_are_blank_not_errors() {
        let f: SignupForm = serde_json::from_str(r#"{"email":"a@b.co"}"#).unwrap();
        assert_eq!(f.password, "");
    }
}
