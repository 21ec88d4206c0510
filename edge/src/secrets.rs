//! Random identifiers and secrets, their salted slow hashes, and constant-time comparison.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// `len` characters of lower-case Crockford base32 from the platform's CSPRNG (5 bits each).
pub fn random_token(len: usize) -> Result<String, String> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes.iter().map(|b| ALPHABET[(b & 31) as usize] as char).collect())
}

/// Generated secrets carry 160 random bits (32 base32 characters), so a lighter argon2id than
/// the password one (which must resist guessing of human-chosen words) is plenty: 4 MiB, 1 pass.
fn secret_hasher() -> Argon2<'static> {
    let params = Params::new(4 * 1024, 1, 1, None).expect("constant argon2 params are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A salted argon2id PHC string of a generated secret.
pub fn hash_secret(secret: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    secret_hasher().hash_password(secret.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Checks a presented secret against its PHC string (the crate compares in constant time).
pub fn verify_secret(secret: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| secret_hasher().verify_password(secret.as_bytes(), &parsed).is_ok())
}

/// Compares two strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_base32() {
        let a = random_token(32).unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(a, random_token(32).unwrap());
    }

    #[test]
    fn secrets_hash_salted_and_verify() {
        let secret = random_token(32).unwrap();
        let phc = hash_secret(&secret).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=4096,t=1,p=1$"));
        assert_ne!(phc, hash_secret(&secret).unwrap());
        assert!(!phc.contains(&secret));
        assert!(verify_secret(&secret, &phc));
        assert!(!verify_secret("wrong", &phc));
        assert!(!verify_secret(&secret, "garbage"));
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq("pk_abc", "pk_abc"));
        assert!(!constant_time_eq("pk_abc", "pk_abd"));
        assert!(!constant_time_eq("pk_abc", "pk_ab"));
    }
}
