//! The identifiers of the notification area: one notification (one message to one
//! recipient) and one promotional campaign.
//!
//! Shaped like the typed ids of [`crate::ids`]; they live here because only this
//! area uses them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One message to one recipient; its stream is `notification-<id>`.
///
/// Ids are derived by the caller from what caused the message (the triggering event,
/// the campaign and recipient), so a repeated cause names the same notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct NotificationId(Uuid);

/// A promotional campaign; its stream is `campaign-<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct CampaignId(Uuid);

macro_rules! uuid_id {
    ($name:ident) => {
        impl $name {
            /// Wraps a UUID (generated outside the domain).
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The UUID inside.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

uuid_id!(NotificationId);
uuid_id!(CampaignId);
