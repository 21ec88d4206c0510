//! Slow salted hashes: argon2id as PHC strings (`$argon2id$v=19$m=...`), one set-up with a named
//! cost profile per kind of secret. Verification reads the cost from the stored string, so a
//! profile can change without invalidating what was stored under the old one.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use enlist_shared::Password;

/// How much work a hash costs, by what it protects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Human-chosen passwords: OWASP's minimum for argon2id, 19 MiB, 2 passes, 1 lane.
    Password,
    /// Generated secrets (operator credentials, one-time codes, answers): they carry 160 random
    /// bits, so guessing is hopeless whatever the cost; 4 MiB, 1 pass keeps the verify cheap.
    GeneratedSecret,
}

impl Profile {
    /// (memory in KiB, passes, lanes)
    const fn cost(self) -> (u32, u32, u32) {
        match self {
            Profile::Password => (19 * 1024, 2, 1),
            Profile::GeneratedSecret => (4 * 1024, 1, 1),
        }
    }

    fn hasher(self) -> Argon2<'static> {
        let (memory, passes, lanes) = self.cost();
        let params = Params::new(memory, passes, lanes, None).expect("constant argon2 params are valid");
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }
}

/// Why a hash could not be made: the platform gave no randomness for the salt, or the hasher
/// refused (neither is the caller's doing).
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("hashing failed: no randomness for the salt: {0}")]
    Randomness(#[from] getrandom::Error),
    #[error("hashing failed: {0}")]
    Hasher(argon2::password_hash::Error),
}

/// Hashes a parsed password (the password profile).
pub fn hash(password: &Password) -> Result<String, HashError> {
    hash_with(Profile::Password, password.expose())
}

/// Hashes a generated secret (the lighter profile).
pub fn hash_secret(secret: &str) -> Result<String, HashError> {
    hash_with(Profile::GeneratedSecret, secret)
}

/// Hashes `text` with a fresh 16-byte salt from the platform's CSPRNG.
pub fn hash_with(profile: Profile, text: &str) -> Result<String, HashError> {
    let salt = crate::secrets::random_bytes::<16>()?;
    let salt = SaltString::encode_b64(&salt).map_err(HashError::Hasher)?;
    profile.hasher().hash_password(text.as_bytes(), &salt).map(|phc| phc.to_string()).map_err(HashError::Hasher)
}

/// Checks `text` against a stored PHC string, at the cost the string records (the crate
/// compares the results in constant time). A string that is not argon2id PHC never verifies.
pub fn verify(text: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        parsed.algorithm == argon2::ARGON2ID_IDENT
            && Argon2::default().verify_password(text.as_bytes(), &parsed).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_to_salted_phc_strings_that_verify() {
        let password = Password::parse("correct horse", &Default::default()).unwrap();
        let a = hash(&password).unwrap();
        let b = hash(&password).unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "two hashes of one password must differ by salt");
        assert!(!a.contains("correct horse"));
        assert!(verify("correct horse", &a));
        assert!(!verify("correct horsf", &a));
        assert!(!verify("correct horse", "not a phc string"));
    }

    #[test]
    fn generated_secrets_take_the_lighter_profile_and_verify_at_their_own_cost() {
        let secret = crate::secrets::random_token(32).unwrap();
        let phc = hash_with(Profile::GeneratedSecret, &secret).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=4096,t=1,p=1$"), "{phc}");
        assert_ne!(phc, hash_with(Profile::GeneratedSecret, &secret).unwrap());
        assert!(!phc.contains(&secret));
        assert!(verify(&secret, &phc));
        assert!(!verify("wrong", &phc));
        assert!(!verify(&secret, "garbage"));
    }
}
