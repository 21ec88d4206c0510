use crate::Code;
use std::fmt;

/// ITU-T E.164 country calling codes in service (1 to 3 digits).
const CALLING_CODES: &str = "1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 \
61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98 211 212 213 216 218 220 221 222 223 224 225 226 227 228 229 \
230 231 232 233 234 235 236 237 238 239 240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255 256 257 \
258 260 261 262 263 264 265 266 267 268 269 290 291 297 298 299 350 351 352 353 354 355 356 357 358 359 370 371 \
372 373 374 375 376 377 378 379 380 381 382 383 385 386 387 389 420 421 423 500 501 502 503 504 505 506 507 508 \
509 590 591 592 593 594 595 596 597 598 599 670 672 673 674 675 676 677 678 679 680 681 682 683 685 686 687 688 \
689 690 691 692 800 808 850 852 853 855 856 870 878 880 881 882 883 886 888 960 961 962 963 964 965 966 967 968 \
970 971 972 973 974 975 976 977 979 992 993 994 995 996 998";

/// The calling code in service that starts `digits` (codes are prefix-free, so at most one).
fn calling_code_of(digits: &str) -> Option<&str> {
    (1..=3).filter_map(|len| digits.get(..len)).find(|prefix| CALLING_CODES.split(' ').any(|code| code == *prefix))
}

/// A plausible international phone number, normalised to `+<digits>` (E.164): a calling code
/// in service, then a national number of a plausible length, 15 digits at most in all.
/// Spaces, dots, dashes, slashes and parentheses are ignored; a leading `00` means `+`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, Code> {
        let typed = input.trim();
        if typed.is_empty() {
            return Err(Code::Required);
        }
        let mut digits = String::with_capacity(typed.len());
        for c in typed.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '/' | '(' | ')' | '\u{a0}' => {}
                '+' if digits.is_empty() => digits.push('+'),
                _ => return Err(Code::PhoneInvalid),
            }
        }
        let digits = match (digits.strip_prefix('+'), digits.strip_prefix("00")) {
            (Some(rest), _) | (None, Some(rest)) => rest.to_owned(),
            (None, None) => return Err(Code::PhoneInvalid),
        };
        let calling_code = calling_code_of(&digits).ok_or(Code::PhoneInvalid)?;
        let national = digits.len() - calling_code.len();
        let plausible = match calling_code {
            // North American Numbering Plan and Russia/Kazakhstan: exactly ten digits.
            "1" | "7" => national == 10,
            _ => (4..=15 - calling_code.len()).contains(&national),
        };
        let trunk_zero = digits[calling_code.len()..].starts_with('0') && calling_code != "39";
        if !plausible || trunk_zero {
            return Err(Code::PhoneInvalid);
        }
        Ok(Self(format!("+{digits}")))
    }

    /// The calling code, without `+`.
    pub fn calling_code(&self) -> &str {
        calling_code_of(&self.0[1..]).unwrap_or("")
    }

    /// The national (subscriber) number, without the calling code.
    pub fn national(&self) -> &str {
        &self.0[1 + self.calling_code().len()..]
    }
}

impl AsRef<str> for Phone {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_plus_digits() {
        for (typed, e164) in [
            ("+48111111111", "+48111111111"),
            ("+48 111 111 111", "+48111111111"),
            ("0048 (111) 111-111", "+48111111111"),
            ("+1 (415) 555-2671", "+14155552671"),
            ("+91 98765 43210", "+919876543210"),
            ("+39 06 698 12345", "+390669812345"),
            ("+683 4002", "+6834002"),
        ] {
            assert_eq!(Phone::parse(typed).map(|p| p.to_string()), Ok(e164.to_owned()), "{typed}");
        }
        let p = Phone::parse("+44 20 7946 0958").unwrap();
        assert_eq!((p.calling_code(), p.national()), ("44", "2079460958"));
    }

    #[test]
    fn implausible_numbers() {
        for bad in [
            "111111111",         // no calling code
            "+999 1234567",      // calling code not in service
            "+1 415 555 267",    // NANP needs ten digits
            "+48 12",            // too short
            "+4812345678901234", // over 15 digits
            "+48 111-111-11x",   // letters
            "++48111111111",
            "+48 0111 111 111", // national numbers do not start with 0 (Italy aside)
            "9876543210",
        ] {
            assert_eq!(Phone::parse(bad), Err(Code::PhoneInvalid), "{bad}");
        }
        assert_eq!(Phone::parse(" "), Err(Code::Required));
    }
}
