//! Given / when / then for deciders, used by every aggregate's tests.

use crate::decider::Decider;

/// A test scenario: the events a stream already holds.
pub struct Given<D: Decider> {
    state: D::State,
}

/// Starts a scenario from the events already in the stream.
pub fn given<D: Decider>(events: &[D::Event]) -> Given<D> {
    Given { state: D::replay(events) }
}

impl<D: Decider> Given<D> {
    /// Runs one command against the state.
    pub fn when(self, command: D::Command) -> Then<D> {
        let result = D::decide(&self.state, &command);
        Then { state: self.state, result }
    }
}

/// The outcome of a scenario.
pub struct Then<D: Decider> {
    state: D::State,
    result: Result<Vec<D::Event>, D::Error>,
}

impl<D: Decider> Then<D>
where
    D::Error: PartialEq,
{
    /// Asserts the command produced exactly these events; returns the state after them.
    #[track_caller]
    pub fn then(self, expected: &[D::Event]) -> D::State {
        match self.result {
            Ok(events) => {
                assert_eq!(events, expected, "unexpected events");
                events.iter().fold(self.state, |s, e| D::evolve(s, e))
            }
            Err(error) => panic!("expected events {expected:?}, got error {error:?}"),
        }
    }

    /// Asserts the command was refused with exactly this error.
    #[track_caller]
    pub fn then_error(self, expected: D::Error) {
        match self.result {
            Ok(events) => panic!("expected error {expected:?}, got events {events:?}"),
            Err(error) => assert_eq!(error, expected),
        }
    }

    /// The raw result, for assertions that need to look inside the events.
    pub fn result(self) -> Result<Vec<D::Event>, D::Error> {
        self.result
    }
}
