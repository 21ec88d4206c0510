//! [`Store`] over Cloudflare D1. Parameterised SQL only.

use crate::account::NewAccount;
use crate::store::{InsertError, Store};
use enlist_shared::Field;
use worker::wasm_bindgen::JsValue;
use worker::D1Database;

pub struct D1Store {
    db: D1Database,
}

impl D1Store {
    pub fn new(db: D1Database) -> Self {
        Self { db }
    }
}

impl Store for D1Store {
    async fn insert_account(&self, account: &NewAccount) -> Result<(), InsertError> {
        let statement = self
            .db
            .prepare(
                "INSERT INTO accounts (id, email, email_normalized, password_hash, created_at_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .bind(&[
                JsValue::from(account.id.as_str()),
                JsValue::from(account.email.as_ref()),
                JsValue::from(account.email.normalized()),
                JsValue::from(account.password_hash.as_str()),
                JsValue::from(account.created_at_ms as f64),
            ])
            .map_err(|e| InsertError::Unavailable(e.to_string()))?;
        match statement.run().await {
            Ok(_) => Ok(()),
            Err(e) => Err(classify(&e.to_string())),
        }
    }
}

/// Maps D1's error text to a duplicate of the field whose UNIQUE index refused the row.
fn classify(text: &str) -> InsertError {
    if text.contains("UNIQUE constraint failed") && text.contains("accounts.email_normalized") {
        InsertError::Duplicate(Field::Email)
    } else {
        InsertError::Unavailable(text.to_owned())
    }
}
