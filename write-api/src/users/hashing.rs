//! Password hashing: Argon2id with the argon2 crate's defaults (19 MiB, 2 passes,
//! 1 lane: OWASP's recommended minimum), stored as a PHC string in the account
//! store, never in an event.
//!
//! Hashing is deliberately slow and CPU-bound, so it runs on the blocking pool and
//! never stalls the async workers that serve other requests.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use emporium_api_kit::ApiError;

/// A hashing step failed (the blocking task died, or the library refused).
#[derive(Debug, thiserror::Error)]
#[error("password hashing: {0}")]
pub struct HashingError(String);

/// Hashes a password into an `$argon2id$…` PHC string with a fresh random salt.
pub async fn hash(password: String) -> Result<String, ApiError> {
    blocking(move || hash_now(&password)).await?.map_err(|e| ApiError::internal(&e))
}

/// True when `password` matches the PHC string `stored`. An unreadable stored hash
/// counts as a mismatch (and is logged).
pub async fn verify(password: String, stored: String) -> Result<bool, ApiError> {
    blocking(move || verify_now(&password, &stored)).await
}

/// Spends the time a real verification takes, for sign-ins with an unknown address,
/// so response times do not tell which addresses have accounts.
pub async fn verify_dummy(password: String) -> Result<(), ApiError> {
    blocking(move || {
        static DUMMY: OnceLock<Option<String>> = OnceLock::new();
        if let Some(stored) = DUMMY.get_or_init(|| hash_now("emporium-dummy-password").ok()) {
            let _ = verify_now(&password, stored);
        }
    })
    .await
}

fn hash_now(password: &str) -> Result<String, HashingError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| HashingError(e.to_string()))
}

fn verify_now(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        // The parameters (algorithm, memory, passes) come from the stored string.
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(error) => {
            tracing::error!(%error, "a stored password hash is not a PHC string");
            false
        }
    }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| ApiError::internal(&HashingError(e.to_string())))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("correct horse".into(), stored.clone()).await.unwrap());
        assert!(!verify("correct horsE".into(), stored.clone()).await.unwrap());
        assert_ne!(hash("correct horse".into()).await.unwrap(), stored, "salts differ");
        assert!(!verify("x".into(), "not a hash".into()).await.unwrap());
        verify_dummy("anything".into()).await.unwrap();
    }
}
