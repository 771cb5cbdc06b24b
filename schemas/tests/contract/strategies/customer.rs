//! Customer account events.

use emporium_domain::customer::{
    CustomerEmailVerified, CustomerEvent, CustomerPasswordChanged, CustomerProfileChanged, CustomerRegistered,
    CustomerRoleGranted, CustomerRoleRevoked,
};
use proptest::prelude::*;

use super::values::*;

/// Any customer event.
pub fn events() -> impl Strategy<Value = CustomerEvent> {
    prop_oneof![
        (customer_id(), email(), short_text(), instant()).prop_map(|(customer_id, email, name, at)| {
            CustomerEvent::CustomerRegistered(CustomerRegistered { customer_id, email, name, at })
        }),
        (customer_id(), instant()).prop_map(|(customer_id, at)| CustomerEvent::CustomerEmailVerified(
            CustomerEmailVerified { customer_id, at }
        )),
        (customer_id(), short_text(), proptest::option::of(phone()), any::<bool>(), instant()).prop_map(
            |(customer_id, name, phone, marketing_opt_in, at)| {
                CustomerEvent::CustomerProfileChanged(CustomerProfileChanged {
                    customer_id,
                    name,
                    phone,
                    marketing_opt_in,
                    at,
                })
            }
        ),
        (customer_id(), instant()).prop_map(|(customer_id, at)| CustomerEvent::CustomerPasswordChanged(
            CustomerPasswordChanged { customer_id, at }
        )),
        (customer_id(), role(), instant()).prop_map(|(customer_id, role, at)| CustomerEvent::CustomerRoleGranted(
            CustomerRoleGranted { customer_id, role, at }
        )),
        (customer_id(), role(), instant()).prop_map(|(customer_id, role, at)| CustomerEvent::CustomerRoleRevoked(
            CustomerRoleRevoked { customer_id, role, at }
        )),
    ]
}
