//! Every value a signup can carry, each a type that can only be built by parsing.

pub mod alias;
pub mod country;
pub mod email;
pub mod language;
pub mod password;
pub mod phone;
pub mod state;
pub mod text;
pub mod timezone;
pub mod url;

/// The first entry of a table `build.rs` generated whose first bytes are `prefix` in any ASCII
/// case.
pub(crate) fn find_entry(table: &'static str, prefix: &str) -> Option<&'static str> {
    let bytes = table.as_bytes();
    let mut at = 0;
    while let Some(&len) = bytes.get(at) {
        let len = usize::from(len);
        let entry = bytes.get(at + 1..at + 1 + len)?;
        if entry.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes())) {
            return table.get(at + 1..at + 1 + len);
        }
        at += 1 + len;
    }
    None
}

/// The entries of a table `build.rs` generated: each follows its length in one ASCII byte.
pub(crate) fn entries(table: &'static str) -> impl Iterator<Item = &'static str> {
    let mut rest = table;
    std::iter::from_fn(move || {
        let len = usize::from(*rest.as_bytes().first()?);
        let entry = rest.get(1..=len)?;
        rest = &rest[1 + len..];
        Some(entry)
    })
}
