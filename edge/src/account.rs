//! The signup use case: parse with the shared rule set, hash, store.

use crate::hashing;
use crate::store::{InsertError, Store};
use enlist_shared::{validate, Code, Email, Field, Policy, Problem, SignupForm};
use std::fmt;

/// An account's public id: `acc_` and 26 lower-case base32 characters (128 random bits).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AccountId(String);

impl AccountId {
    pub fn generate() -> Result<Self, getrandom::Error> {
        const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        let value = u128::from_be_bytes(bytes);
        let id: String = (0..26).map(|i| ALPHABET[((value >> (i * 5)) & 31) as usize] as char).collect();
        Ok(Self(format!("acc_{id}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A parsed, hashed account ready to be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccount {
    pub id: AccountId,
    pub email: Email,
    /// argon2id PHC string; the password itself is never kept.
    pub password_hash: String,
    pub created_at_ms: i64,
}

/// Why a signup did not create an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignupError {
    /// The form broke rules; every problem is listed, in field order.
    Invalid(Vec<Problem>),
    /// A unique value is already held by another account.
    Taken(Problem),
    /// Something failed on our side; the text is for the log only.
    Internal(String),
}

impl SignupError {
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Self::Invalid(problems) => problems.clone(),
            Self::Taken(problem) => vec![*problem],
            Self::Internal(_) => vec![Problem::new(Field::Request, Code::Internal)],
        }
    }
}

pub async fn sign_up<S: Store>(
    store: &S,
    form: &SignupForm,
    policy: &Policy,
    now_ms: i64,
) -> Result<AccountId, SignupError> {
    let valid = validate(form, policy).map_err(SignupError::Invalid)?;
    // Accounts are e-mail + password accounts so far, whatever a campaign's policy asks for.
    let (email, password) = match (valid.email, valid.password) {
        (Some(email), Some(password)) => (email, password),
        (email, password) => {
            let missing = [(email.is_none(), Field::Email), (password.is_none(), Field::Password)];
            let problems =
                missing.iter().filter(|(gone, _)| *gone).map(|(_, f)| Problem::new(*f, Code::Required)).collect();
            return Err(SignupError::Invalid(problems));
        }
    };
    let password_hash = hashing::hash(&password).map_err(|e| SignupError::Internal(e.to_string()))?;
    let id = AccountId::generate().map_err(|e| SignupError::Internal(e.to_string()))?;
    let account = NewAccount { id, email, password_hash, created_at_ms: now_ms };
    match store.insert_account(&account).await {
        Ok(()) => Ok(account.id),
        Err(InsertError::Duplicate(field)) => Err(SignupError::Taken(Problem::new(field, taken_code(field)))),
        Err(InsertError::Unavailable(why)) => Err(SignupError::Internal(why)),
    }
}

fn taken_code(field: Field) -> Code {
    match field {
        Field::Email => Code::EmailTaken,
        Field::Alias => Code::AliasTaken,
        Field::Phone => Code::PhoneTaken,
        // No other field is unique; a duplicate there is a schema surprise, not a user error.
        _ => Code::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStore;
    use pollster::block_on;

    fn form(email: &str, password: &str) -> SignupForm {
        SignupForm::new().with(Field::Email, email).with(Field::Password, password)
    }

    fn sign_up(store: &MemoryStore, form: &SignupForm) -> Result<AccountId, SignupError> {
        block_on(super::sign_up(store, form, &Policy::default(), 42))
    }

    #[test]
    fn creates_an_account_with_a_hashed_password() {
        let store = MemoryStore::new();
        let id = sign_up(&store, &form("Ada@Example.com", "Analytical Engine")).unwrap();
        let row = store.find_by_email("ada@example.com").expect("stored");
        assert_eq!(row.id, id);
        assert_eq!(row.created_at_ms, 42);
        assert!(row.password_hash.starts_with("$argon2id$"));
        assert!(!row.password_hash.contains("Analytical"));
        assert!(hashing::verify("Analytical Engine", &row.password_hash));
    }

    #[test]
    fn invalid_forms_list_every_problem_and_store_nothing() {
        let store = MemoryStore::new();
        let err = sign_up(&store, &form("not-an-email", "short")).unwrap_err();
        assert_eq!(
            err,
            SignupError::Invalid(vec![
                Problem::new(Field::Email, Code::EmailInvalid),
                Problem::new(Field::Password, Code::PasswordTooShort),
            ])
        );
        assert!(store.is_empty());
    }

    #[test]
    fn the_same_email_in_another_case_is_taken() {
        let store = MemoryStore::new();
        sign_up(&store, &form("ada@example.com", "Analytical Engine")).unwrap();
        let err = sign_up(&store, &form("ADA@example.COM", "Difference Engine")).unwrap_err();
        assert_eq!(err, SignupError::Taken(Problem::new(Field::Email, Code::EmailTaken)));
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn ids_are_prefixed_and_distinct() {
        let a = AccountId::generate().unwrap();
        let b = AccountId::generate().unwrap();
        assert_ne!(a, b);
        assert!(a.as_str().starts_with("acc_") && a.as_str().len() == 30, "{a}");
    }
}
