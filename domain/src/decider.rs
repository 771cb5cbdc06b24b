//! The decider pattern every aggregate follows: pure `decide` and `evolve`.

use crate::event::DomainEvent;

/// An aggregate as a decider: business rules in `decide`, state changes in `evolve`.
///
/// `decide` never mutates and never does IO; `evolve` never fails, because an event
/// is a fact that already happened. Replaying the same events always rebuilds the
/// same state.
pub trait Decider {
    /// The stream category, the `<category>` of `<category>-<id>` stream ids.
    const CATEGORY: &'static str;
    /// What the aggregate remembers between commands.
    type State: Default + Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static;
    /// What callers ask the aggregate to do.
    type Command: std::fmt::Debug;
    /// The facts the aggregate records.
    type Event: DomainEvent;
    /// Why a command was refused.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Checks a command against the current state and returns the events it causes.
    fn decide(state: &Self::State, command: &Self::Command) -> Result<Vec<Self::Event>, Self::Error>;

    /// Applies one event to the state.
    fn evolve(state: Self::State, event: &Self::Event) -> Self::State;

    /// Rebuilds the state from a stream's events.
    fn replay<'a, I>(events: I) -> Self::State
    where
        I: IntoIterator<Item = &'a Self::Event>,
        Self::Event: 'a,
    {
        events.into_iter().fold(Self::State::default(), |state, event| Self::evolve(state, event))
    }
}
