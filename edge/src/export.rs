//! A campaign's registrations out: keyset paging cursors, and the CSV export's state and
//! format. The admin API (`admin::next_chunk`) reads the accounts page by page, so a campaign
//! of any size streams within a fixed amount of memory.

use crate::campaign::{Campaign, Scope};
use base64::Engine;
use enlist_shared::Field;

/// Where a page of accounts ends: the last account's creation time and id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PageKey {
    pub created_at_ms: i64,
    pub id: String,
}

/// Accounts read from the store per CSV chunk.
pub const EXPORT_PAGE: usize = 500;

/// A cursor as the admin API hands it out: opaque, URL-safe (`base64url("<ms>.<id>")`).
pub fn cursor_of(key: &PageKey) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}.{}", key.created_at_ms, key.id))
}

/// Reads back a cursor of [`cursor_of`]; `None` for anything else.
pub fn page_key(cursor: &str) -> Option<PageKey> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (ms, id) = text.split_once('.')?;
    let ok_id = id.len() > 4
        && id.len() <= 64
        && id.starts_with("acc_")
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    Some(PageKey { created_at_ms: ms.parse().ok()?, id: id.to_owned() }).filter(|_| ok_id)
}

/// An instant as RFC 3339 UTC with milliseconds (`2026-12-03T20:21:17.123Z`).
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// A CSV export in progress: the header first, then one chunk per page of accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub scope: Scope,
    /// The profile fields the campaign's policy shows, in form order.
    pub columns: Vec<Field>,
    /// The last account written so far.
    pub after: Option<PageKey>,
    pub done: bool,
}

/// The fixed columns, before one per profile field.
const FIXED: [&str; 6] = ["id", "number", "email", "alias", "created_at", "dialect"];

impl Export {
    pub fn of(campaign: &Campaign) -> Self {
        let fixed = [Field::Email, Field::Alias, Field::Password];
        let columns = campaign.policy.shown().filter(|f| !fixed.contains(f)).collect();
        Self { scope: campaign.scope(), columns, after: None, done: false }
    }

    /// The header row.
    pub fn header(&self) -> String {
        let mut header: Vec<&str> = FIXED.to_vec();
        header.extend(self.columns.iter().map(|f| f.as_str()));
        row(header.into_iter().map(str::to_owned))
    }
}

/// One RFC 4180 record, CRLF-terminated.
pub fn row(cells: impl Iterator<Item = String>) -> String {
    let mut line = cells.map(|c| cell(&c)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// One field: a value a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return) gets a leading `'`, as OWASP recommends against CSV injection;
/// then it is quoted when it holds a comma, a quote or a line break (quotes doubled).
pub fn cell(value: &str) -> String {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let value = if formula { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(cell("Ada"), "Ada");
        assert_eq!(cell("Lovelace, Ada"), "\"Lovelace, Ada\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        assert_eq!(cell("+48 111"), "'+48 111");
        assert_eq!(cell("-5"), "'-5");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Zoë"), "Zoë");
    }

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        let key = PageKey { created_at_ms: 1_700_000_000_123, id: "acc_0123456789abcdefghjkmnpqrs".into() };
        assert_eq!(page_key(&cursor_of(&key)), Some(key));
        for bad in ["", "nope", "MTIzLmFjY18", &cursor_of(&PageKey { created_at_ms: 1, id: "x'; DROP".into() })] {
            assert_eq!(page_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_764_793_277_123), "2025-12-03T20:21:17.123Z");
    }
}
