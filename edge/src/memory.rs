use crate::account::NewAccount;
use crate::store::{InsertError, Store};
use enlist_shared::Field;
use std::cell::RefCell;
use std::collections::HashMap;

/// An in-memory [`Store`] for fast native tests, with the same uniqueness rules as the D1
/// schema (`migrations/`).
#[derive(Debug, Default)]
pub struct MemoryStore {
    by_email: RefCell<HashMap<String, NewAccount>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.by_email.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn find_by_email(&self, normalized: &str) -> Option<NewAccount> {
        self.by_email.borrow().get(normalized).cloned()
    }
}

impl Store for MemoryStore {
    async fn insert_account(&self, account: &NewAccount) -> Result<(), InsertError> {
        let mut rows = self.by_email.borrow_mut();
        let key = account.email.normalized();
        if rows.contains_key(&key) {
            return Err(InsertError::Duplicate(Field::Email));
        }
        rows.insert(key, account.clone());
        Ok(())
    }
}
