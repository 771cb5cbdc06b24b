//! What each consumer running in this process is doing, for `/health/ready`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

/// A consumer's condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Starting: reading its checkpoint, opening its feed.
    Starting,
    /// Following the log.
    Running,
    /// Waiting for a leader lock another process holds (ready: it takes over when needed).
    Standby,
    /// A batch failed; retrying with back-off.
    Retrying,
    /// Stopped on request.
    Stopped,
    /// Stopped by an error it could not get past.
    Failed,
}

/// One consumer's entry on the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerState {
    /// Its name.
    pub name: String,
    /// Where its events come from (`store-tail`, `jetstream`).
    pub source: &'static str,
    /// Its condition.
    pub condition: Condition,
    /// The last position it committed.
    pub position: u64,
    /// Messages it has parked and not yet replayed.
    pub parked: u64,
    /// The last error, while retrying or after failing.
    pub error: Option<String>,
}

/// The board every runner of this process writes to. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Health {
    board: Arc<Mutex<BTreeMap<String, ConsumerState>>>,
}

impl Health {
    /// An empty board.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every consumer's state, by name.
    pub fn consumers(&self) -> Vec<ConsumerState> {
        self.board.lock().unwrap_or_else(PoisonError::into_inner).values().cloned().collect()
    }

    /// Whether no consumer has stopped or failed (an empty board is healthy).
    pub fn all_running(&self) -> bool {
        self.consumers().iter().all(|c| !matches!(c.condition, Condition::Stopped | Condition::Failed))
    }

    /// Registers (or resets) a consumer's entry.
    pub fn register(&self, name: &str, source: &'static str) {
        let state = ConsumerState {
            name: name.to_owned(),
            source,
            condition: Condition::Starting,
            position: 0,
            parked: 0,
            error: None,
        };
        self.board.lock().unwrap_or_else(PoisonError::into_inner).insert(name.to_owned(), state);
    }

    /// Changes a consumer's entry.
    pub fn update(&self, name: &str, change: impl FnOnce(&mut ConsumerState)) {
        if let Some(state) = self.board.lock().unwrap_or_else(PoisonError::into_inner).get_mut(name) {
            change(state);
        }
    }
}
