//! Invariants of a campaign: it is dispatched at most once, only after it was
//! requested, and replay rebuilds the same state.

use proptest::prelude::*;

use super::tests::{ID, at, request};
use super::*;
use crate::decider::Decider;
use crate::notification::Channel;

fn command() -> impl Strategy<Value = CampaignCommand> {
    prop_oneof![
        Just(request(Channel::Email, Some("Sale"), "Everything -20%")),
        Just(request(Channel::Sms, None, "Sale")),
        (0u32..1_000).prop_map(|recipients| CampaignCommand::RecordDispatch { campaign_id: ID, recipients, at: at(1) }),
    ]
}

proptest! {
    #[test]
    fn a_campaign_is_dispatched_at_most_once_and_only_after_its_request(commands in prop::collection::vec(command(), 0..20)) {
        let mut state = CampaignState::default();
        let mut history = Vec::new();
        for command in &commands {
            let Ok(events) = Campaign::decide(&state, command) else { continue };
            for event in events {
                if matches!(event, CampaignEvent::CampaignDispatched(_)) {
                    prop_assert!(state.campaign().is_some_and(|c| c.recipients.is_none()));
                }
                state = Campaign::evolve(state, &event);
                history.push(event);
            }
        }
        let requests = history.iter().filter(|e| matches!(e, CampaignEvent::CampaignRequested(_))).count();
        let dispatches = history.iter().filter(|e| matches!(e, CampaignEvent::CampaignDispatched(_))).count();
        prop_assert!(requests <= 1 && dispatches <= requests);
        prop_assert_eq!(Campaign::replay(&history), state);
    }
}
