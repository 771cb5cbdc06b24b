//! The facts the invoice sequence records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::DomainEvent;
use crate::ids::OrderId;

/// Everything that can happen to the invoice sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "event_type", content = "data")]
pub enum InvoiceEvent {
    /// An order got the next number.
    InvoiceNumberAssigned(InvoiceNumberAssigned),
}

impl DomainEvent for InvoiceEvent {
    fn event_type(&self) -> &'static str {
        match self {
            InvoiceEvent::InvoiceNumberAssigned(_) => "InvoiceNumberAssigned",
        }
    }
}

/// An order got an invoice number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InvoiceNumberAssigned {
    /// The order.
    pub order_id: OrderId,
    /// Its number: one more than the previous assignment's, starting at 1.
    pub number: u64,
    /// When.
    pub at: DateTime<Utc>,
}
