use crate::{Code, Password};

/// A catalogue language. English is the fallback for every lookup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
}

/// The user-facing message for a problem code. Parameters (`{min}`) are filled in here, from
/// the same constants the rules use, so the text cannot disagree with the rule.
pub fn message(code: Code, lang: Lang) -> String {
    match lang {
        Lang::En => en(code),
    }
}

fn en(code: Code) -> String {
    let template = match code {
        Code::Required => "This field is required.",
        Code::EmailInvalid => "Enter a valid e-mail address, like name@example.com.",
        Code::EmailTaken => "An account with this e-mail address already exists.",
        Code::PasswordTooShort => "Use at least {min} characters.",
        Code::PasswordTooLong => "Use at most {max} characters.",
        Code::RequestMalformed => "The request could not be read.",
        Code::NotFound => "There is nothing at this address.",
        Code::MethodNotAllowed => "This address does not accept that kind of request.",
        Code::Internal => "Something went wrong on our side. Please try again.",
    };
    template.replace("{min}", &Password::MIN_CHARS.to_string()).replace("{max}", &Password::MAX_CHARS.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_filled_english_message() {
        for code in Code::ALL {
            let text = message(*code, Lang::En);
            assert!(!text.is_empty(), "{code} has no message");
            assert!(!text.contains('{'), "{code} has an unfilled parameter: {text}");
        }
    }

    #[test]
    fn parameters_come_from_the_rule() {
        assert_eq!(message(Code::PasswordTooShort, Lang::En), "Use at least 8 characters.");
    }
}
