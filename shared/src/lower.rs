//! Lower case for the rules that compare text case-insensitively (aliases, e-mail addresses,
//! URL hosts, common passwords, country names). The same mapping as `char::to_lowercase`, from
//! a table `build.rs` generates with it, stored as runs: std's own table is a twelfth of the
//! widget's download, this one a few hundred bytes.
//!
//! One deliberate difference from `str::to_lowercase`: a capital sigma is always `σ`, never
//! the word-final `ς` (whose rule needs two more Unicode tables). What compares text here also
//! folds `ς` to `σ` where it matters ([`crate::Email::normalized`]).

include!(concat!(env!("OUT_DIR"), "/lower_case.rs"));

/// The lower case of one character: one character, except `İ` (`i` and a combining dot).
pub fn lower(c: char) -> (char, Option<char>) {
    if c.is_ascii() {
        return (c.to_ascii_lowercase(), None);
    }
    if c == '\u{130}' {
        return ('i', Some('\u{307}'));
    }
    let code = c as u32;
    let run = RUNS.partition_point(|&(head, _)| head >> 11 <= code);
    let Some(&(head, tail)) = run.checked_sub(1).map(|i| &RUNS[i]) else { return (c, None) };
    let (start, len, stride, offset) = (head >> 11, head & 0x7FF, tail & 3, (tail as i32) >> 2);
    let step = code - start;
    if step.is_multiple_of(stride) && step / stride < len {
        (char::from_u32(code.wrapping_add_signed(offset)).unwrap_or(c), None)
    } else {
        (c, None)
    }
}

/// `chars` in lower case.
pub fn lower_each(chars: impl Iterator<Item = char>) -> impl Iterator<Item = char> {
    chars.flat_map(|c| {
        let (first, second) = lower(c);
        std::iter::once(first).chain(second)
    })
}

/// The characters of `text` in lower case.
pub fn lower_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    lower_each(text.chars())
}

/// `text` in lower case.
pub fn lowercase(text: &str) -> String {
    lower_chars(text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_lowers_as_std_lowers_it() {
        for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
            let ours: String = lower_chars(c.encode_utf8(&mut [0; 4])).collect();
            let std: String = c.to_lowercase().collect();
            assert_eq!(ours, std, "{c:?} (U+{:04X})", c as u32);
        }
    }

    #[test]
    fn strings_lower_as_std_except_the_final_sigma() {
        for text in ["ÉCOLE", "Straße", "İstanbul", "ΑΘΗΝΑ", "Ǆemal", "ＡＤＭＩＮ", "KELVIN \u{212A}", ""]
        {
            assert_eq!(lowercase(text), text.to_lowercase(), "{text}");
        }
        assert_eq!("ΟΔΟΣ".to_lowercase(), "οδος");
        assert_eq!(lowercase("ΟΔΟΣ"), "οδοσ", "σ, not the word-final ς");
    }
}
