//! Proptest strategies that build every event of the domain through its public
//! constructors, and turn each into what the codec stores.

pub mod campaign;
pub mod cart;
pub mod catalog;
pub mod coupon;
pub mod customer;
pub mod envelope;
pub mod inventory;
pub mod invoice;
pub mod notification;
pub mod order;
pub mod payment;
pub mod values;

use emporium_domain::cart::Cart;
use emporium_domain::category::Category;
use emporium_domain::coupon::Coupon;
use emporium_domain::customer::Customer;
use emporium_domain::inventory::Inventory;
use emporium_domain::invoice::Invoice;
use emporium_domain::notification::Notification;
use emporium_domain::notification::campaign::Campaign;
use emporium_domain::order::Order;
use emporium_domain::payment::Payment;
use emporium_domain::payment::wallet::Wallet;
use emporium_domain::product::Product;
use emporium_domain::{Decider, DomainEvent};
use proptest::prelude::*;
use serde_json::Value;

/// One generated event as the codec stores it.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The aggregate's stream category.
    pub category: &'static str,
    /// `DomainEvent::event_type`.
    pub event_type: &'static str,
    /// `DomainEvent::schema_version`.
    pub schema_version: u32,
    /// The payload: the `data` of the adjacently tagged serialization.
    pub data: Value,
}

/// Serializes an event as `emporium_infra::codec::encode` does and keeps its `data`.
pub fn sample<D: Decider>(event: D::Event) -> Sample {
    let mut tagged = serde_json::to_value(&event).unwrap();
    assert_eq!(tagged["event_type"], event.event_type(), "the serde tag is not the event type");
    let data = tagged.as_object_mut().and_then(|o| o.remove("data")).unwrap_or(Value::Null);
    Sample { category: D::CATEGORY, event_type: event.event_type(), schema_version: event.schema_version(), data }
}

/// Any event of any aggregate.
pub fn any_sample() -> impl Strategy<Value = Sample> {
    prop_oneof![
        customer::events().prop_map(sample::<Customer>).boxed(),
        catalog::category_events().prop_map(sample::<Category>).boxed(),
        catalog::product_events().prop_map(sample::<Product>).boxed(),
        inventory::events().prop_map(sample::<Inventory>).boxed(),
        coupon::events().prop_map(sample::<Coupon>).boxed(),
        cart::events().prop_map(sample::<Cart>).boxed(),
        order::events().prop_map(sample::<Order>).boxed(),
        payment::payment_events().prop_map(sample::<Payment>).boxed(),
        payment::wallet_events().prop_map(sample::<Wallet>).boxed(),
        invoice::events().prop_map(sample::<Invoice>).boxed(),
        notification::events().prop_map(sample::<Notification>).boxed(),
        campaign::events().prop_map(sample::<Campaign>).boxed(),
    ]
}
