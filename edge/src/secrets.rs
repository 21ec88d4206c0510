//! Random identifiers and secrets from the platform's CSPRNG, and constant-time comparison.
//! (Their slow hashes are [`crate::hashing`]'s.)

use subtle::ConstantTimeEq;

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// `N` random bytes.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

/// A random number of exactly `digits` decimal digits (1 to 18), for the numeric ids some
/// dialects show. (The modulo's bias is under 10^-10: 64 random bits over at most 9·10^17.)
pub fn random_number(digits: u32) -> Result<i64, getrandom::Error> {
    let low = 10u64.pow(digits.clamp(1, 18) - 1);
    let span = low * 9;
    Ok((low + u64::from_le_bytes(random_bytes::<8>()?) % span) as i64)
}

/// `len` characters of lower-case Crockford base32 (5 random bits each).
pub fn random_token(len: usize) -> Result<String, getrandom::Error> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| ALPHABET[(b & 31) as usize] as char).collect())
}

/// Compares two strings in time that depends only on their lengths (`subtle`).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// An account's verification token (43 URL-safe characters): HMAC-SHA256 of its id under the
/// Worker's `OUTBOX_SECRET`, so whoever holds the secret derives it again and nobody stores it.
pub fn verification_token(outbox_secret: &str, account_id: &str) -> String {
    use base64::Engine;
    use hmac::Mac;
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(outbox_secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(b"verify:");
    mac.update(account_id.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// SHA-256 of a text, hex: what D1 keeps of a verification token.
pub fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
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
    fn numbers_have_their_digits() {
        for digits in [1, 7, 9, 18] {
            for _ in 0..200 {
                assert_eq!(random_number(digits).unwrap().to_string().len(), digits as usize);
            }
        }
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq("pk_abc", "pk_abc"));
        assert!(!constant_time_eq("pk_abc", "pk_abd"));
        assert!(!constant_time_eq("pk_abc", "pk_ab"));
    }
}
