//! What a notification is about and how it travels.

use serde::{Deserialize, Serialize};

/// Why a customer is told something: one template each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// An account was opened.
    Welcome,
    /// An order was confirmed and invoiced.
    OrderConfirmation,
    /// A payment was taken.
    PaymentConfirmation,
    /// An order left with a carrier.
    ShippingUpdate,
    /// An order was cancelled.
    Cancellation,
    /// Money was given back.
    Refund,
    /// A promotional campaign (only to customers who opted in).
    Promotion,
}

impl NotificationKind {
    /// Every kind, in a stable order.
    pub const ALL: [Self; 7] = [
        Self::Welcome,
        Self::OrderConfirmation,
        Self::PaymentConfirmation,
        Self::ShippingUpdate,
        Self::Cancellation,
        Self::Refund,
        Self::Promotion,
    ];

    /// The kind's wire name, as in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Welcome => "welcome",
            Self::OrderConfirmation => "order_confirmation",
            Self::PaymentConfirmation => "payment_confirmation",
            Self::ShippingUpdate => "shipping_update",
            Self::Cancellation => "cancellation",
            Self::Refund => "refund",
            Self::Promotion => "promotion",
        }
    }
}

impl std::fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a notification reaches its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// E-mail with a plain-text and an HTML part.
    Email,
    /// A text message to a phone.
    Sms,
}

impl Channel {
    /// The channel's wire name, as in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
