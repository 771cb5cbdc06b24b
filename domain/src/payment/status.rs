//! A payment attempt's life cycle.

use serde::{Deserialize, Serialize};

/// Where a payment attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Asked of the gateway, no answer yet.
    Requested,
    /// The gateway holds the amount.
    Authorized,
    /// Money was taken.
    Captured,
    /// The gateway refused, or the attempt was abandoned; final.
    Failed,
    /// Part of the captured money was given back.
    PartiallyRefunded,
    /// All captured money was given back; final.
    Refunded,
}

impl PaymentStatus {
    /// The status as its wire name (`partially_refunded`).
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentStatus::Requested => "requested",
            PaymentStatus::Authorized => "authorized",
            PaymentStatus::Captured => "captured",
            PaymentStatus::Failed => "failed",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
        }
    }
}

impl std::fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What was asked of a payment, named in refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentAction {
    /// `Authorize`.
    Authorize,
    /// `Capture`.
    Capture,
    /// `Fail`.
    Fail,
    /// `Refund`.
    Refund,
}

impl PaymentAction {
    /// The action as its wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentAction::Authorize => "authorize",
            PaymentAction::Capture => "capture",
            PaymentAction::Fail => "fail",
            PaymentAction::Refund => "refund",
        }
    }
}

impl std::fmt::Display for PaymentAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
