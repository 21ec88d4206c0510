use crate::account::NewAccount;
use enlist_shared::Field;

/// Why an insert did not happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InsertError {
    /// A UNIQUE index refused the row: another account already holds this field's value.
    Duplicate(Field),
    /// The store failed; the text is for the operator's log, never for the caller.
    Unavailable(String),
}

/// Where accounts live: D1 in the Worker, memory in native tests. Uniqueness is the store's
/// job (D1's UNIQUE indexes), so concurrent signups cannot both win.
// The Worker is single-threaded and its futures are !Send, so no Send bound is wanted here.
#[allow(async_fn_in_trait)]
pub trait Store {
    async fn insert_account(&self, account: &NewAccount) -> Result<(), InsertError>;
}
