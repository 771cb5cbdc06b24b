//! Promotional campaign events.

use emporium_domain::notification::campaign::{CampaignDispatched, CampaignEvent, CampaignRequested};
use emporium_domain::notification::{Channel, MAX_SUBJECT_LEN};
use proptest::prelude::*;

use super::notification::channel;
use super::values::*;

/// A subject fitting the channel: one for e-mail, none for SMS.
fn subject(channel: Channel) -> BoxedStrategy<Option<String>> {
    match channel {
        Channel::Email => text(MAX_SUBJECT_LEN).prop_map(Some).boxed(),
        Channel::Sms => Just(None).boxed(),
    }
}

/// Any campaign event.
pub fn events() -> impl Strategy<Value = CampaignEvent> {
    prop_oneof![
        (campaign_id(), channel().prop_flat_map(|c| (Just(c), subject(c))), text(200), customer_id(), instant())
            .prop_map(|(campaign_id, (channel, subject), body, requested_by, at)| {
                CampaignEvent::CampaignRequested(CampaignRequested {
                    campaign_id,
                    channel,
                    subject,
                    body,
                    requested_by,
                    at,
                })
            }),
        (campaign_id(), any::<u32>(), instant()).prop_map(|(campaign_id, recipients, at)| {
            CampaignEvent::CampaignDispatched(CampaignDispatched { campaign_id, recipients, at })
        }),
    ]
}
