use crate::Code;
use std::fmt;

/// A US state, district, territory or military "state", by USPS code or name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UsState(&'static str, &'static str);

const STATES: &[(&str, &str)] = &[
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("DC", "District of Columbia"),
    ("AS", "American Samoa"),
    ("GU", "Guam"),
    ("MP", "Northern Mariana Islands"),
    ("PR", "Puerto Rico"),
    ("VI", "U.S. Virgin Islands"),
    ("UM", "U.S. Minor Outlying Islands"),
    ("AA", "Armed Forces Americas"),
    ("AE", "Armed Forces Europe"),
    ("AP", "Armed Forces Pacific"),
];

impl UsState {
    pub fn parse(input: &str) -> Result<Self, Code> {
        let wanted = input.trim();
        if wanted.is_empty() {
            return Err(Code::StateRequired);
        }
        let plain = |s: &str| s.replace('.', "").to_ascii_lowercase();
        STATES
            .iter()
            .find(|(code, name)| code.eq_ignore_ascii_case(wanted) || plain(name) == plain(wanted))
            .map(|&(code, name)| Self(code, name))
            .ok_or(Code::StateInvalid)
    }

    pub fn code(&self) -> &'static str {
        self.0
    }

    pub fn name(&self) -> &'static str {
        self.1
    }

    pub fn all() -> impl Iterator<Item = UsState> {
        STATES.iter().map(|&(code, name)| Self(code, name))
    }
}

impl fmt::Display for UsState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_in_any_case() {
        assert_eq!(UsState::parse("ny").unwrap().code(), "NY");
        assert_eq!(UsState::parse("New York").unwrap().code(), "NY");
        assert_eq!(UsState::parse("district of columbia").unwrap().code(), "DC");
        assert_eq!(UsState::parse("US Virgin Islands").unwrap().code(), "VI");
        assert_eq!(UsState::all().count(), 60);
    }

    #[test]
    fn unknown_or_blank_states() {
        assert_eq!(UsState::parse(""), Err(Code::StateRequired));
        assert_eq!(UsState::parse("pomorskie"), Err(Code::StateInvalid));
        assert_eq!(UsState::parse("XX"), Err(Code::StateInvalid));
    }
}
