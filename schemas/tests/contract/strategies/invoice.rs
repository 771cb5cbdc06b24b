//! Invoice-sequence events.

use emporium_domain::invoice::{InvoiceEvent, InvoiceNumberAssigned};
use proptest::prelude::*;

use super::values::*;

/// Any invoice event.
pub fn events() -> impl Strategy<Value = InvoiceEvent> {
    (order_id(), prop_oneof![Just(1u64), Just(u64::MAX), 1u64..], instant()).prop_map(|(order_id, number, at)| {
        InvoiceEvent::InvoiceNumberAssigned(InvoiceNumberAssigned { order_id, number, at })
    })
}
