//! Password hashing: Argon2id with the argon2 crate's defaults (19 MiB, 2 passes,
//! 1 lane: OWASP's recommended minimum), stored as a PHC string in the account
//! store, never in an event.
//!
//! Hashing is deliberately slow and CPU-bound, so it runs on the blocking pool and
//! never stalls the async workers that serve other requests. It is also bounded: at
//! most [`HashingGate::for_this_machine`]'s number of hashes run at once, a short queue
//! waits behind them, and anything beyond is refused as [`HashingError::Busy`] (HTTP
//! answers 503 `server.busy` with `Retry-After`) instead of growing memory by 19 MiB
//! per request (a flood of logins would otherwise take the process down).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Why a password was not hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum HashingError {
    /// Too many hashes are running or waiting (HTTP answers 503 `server.busy`).
    #[error("too many passwords are being hashed right now")]
    Busy,
    /// The blocking task died, or the library refused.
    #[error("password hashing: {0}")]
    Failed(String),
}

/// Hashes a password into an `$argon2id$…` PHC string with a fresh random salt.
pub async fn hash(password: String) -> Result<String, HashingError> {
    blocking(move || hash_now(&password)).await?
}

/// True when `password` matches the PHC string `stored`. An unreadable stored hash
/// counts as a mismatch (and is logged).
pub async fn verify(password: String, stored: String) -> Result<bool, HashingError> {
    blocking(move || verify_now(&password, &stored)).await
}

/// Spends the time a real verification takes, for sign-ins with an unknown address,
/// so response times do not tell which addresses have accounts.
pub async fn verify_dummy(password: String) -> Result<(), HashingError> {
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
        .map_err(|e| HashingError::Failed(e.to_string()))
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

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, HashingError> {
    static GATE: OnceLock<HashingGate> = OnceLock::new();
    let _permit = GATE.get_or_init(HashingGate::for_this_machine).enter().await?;
    tokio::task::spawn_blocking(work).await.map_err(|e| HashingError::Failed(e.to_string()))
}

/// How many hashes run at once, how many may wait, and for how long.
#[derive(Debug)]
pub struct HashingGate {
    running: tokio::sync::Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    max_wait: Duration,
}

/// A place in the gate; dropping it lets the next hash in.
pub type HashingPermit<'a> = tokio::sync::SemaphorePermit<'a>;

impl HashingGate {
    /// `running` hashes at once (at least one), `max_waiting` more queued for up to `max_wait`.
    pub fn new(running: usize, max_waiting: usize, max_wait: Duration) -> Self {
        Self {
            running: tokio::sync::Semaphore::new(running.max(1)),
            waiting: AtomicUsize::new(0),
            max_waiting,
            max_wait,
        }
    }

    /// Two hashes per core (about 40 MiB each core), eight per core queued for up to 2 s.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self::new(2 * cores, 8 * cores, Duration::from_secs(2))
    }

    /// Waits for a turn; [`HashingError::Busy`] when the queue is full or the wait too long.
    pub async fn enter(&self) -> Result<HashingPermit<'_>, HashingError> {
        if let Ok(permit) = self.running.try_acquire() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(busy());
        }
        let waited = tokio::time::timeout(self.max_wait, self.running.acquire()).await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        match waited {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(busy()),
        }
    }
}

/// Too many sign-ins at once.
fn busy() -> HashingError {
    tracing::warn!("password hashing saturated; refusing");
    HashingError::Busy
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_gate_refuses_at_once_and_a_queued_hash_gets_in_when_one_ends() {
        let gate = HashingGate::new(2, 1, Duration::from_secs(5));
        let first = gate.enter().await.unwrap();
        let _second = gate.enter().await.unwrap();
        // The third waits in the queue; the fourth finds the queue full.
        let queued = gate.enter();
        tokio::pin!(queued);
        assert!(tokio::time::timeout(Duration::from_millis(50), queued.as_mut()).await.is_err(), "it waits");
        let refused = gate.enter().await.unwrap_err();
        assert!(matches!(refused, HashingError::Busy), "{refused}");
        drop(first);
        let _entered = queued.await.unwrap();
    }

    #[tokio::test]
    async fn a_queued_hash_gives_up_after_the_longest_wait() {
        let gate = HashingGate::new(1, 4, Duration::from_millis(100));
        let _running = gate.enter().await.unwrap();
        let refused = gate.enter().await.unwrap_err();
        assert!(matches!(refused, HashingError::Busy), "{refused}");
    }

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
