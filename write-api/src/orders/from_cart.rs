//! The HTTP side of checkout from cart: the request for the use case
//! ([`emporium_commands::checkout`], where the cart is checked out, its coupon redeemed
//! and the order created in one atomic append) and its refusals as API errors.

use emporium_api_kit::ErrorCode;
use emporium_api_kit::{ApiError, RequestContext};
use emporium_commands::checkout::{CheckoutError, CheckoutFromCart, CheckoutPorts};
use emporium_domain::ids::{CartId, CustomerId, OrderId};

use super::answers::OrderPlaced;
use super::input::NewOrder;
use crate::errors::{domain_error, store_error};
use crate::state::WriteState;

/// The ports checkout runs on.
pub(crate) fn ports(state: &WriteState) -> CheckoutPorts<'_> {
    CheckoutPorts { commands: &state.commands, accounts: state.accounts.as_ref() }
}

/// The use case's request for `order`, paid with `payment_method`.
pub(crate) fn request(
    context: &RequestContext,
    actor: &str,
    customer_id: CustomerId,
    order_id: OrderId,
    order: &NewOrder,
    payment_method: String,
    at: chrono::DateTime<chrono::Utc>,
) -> CheckoutFromCart {
    CheckoutFromCart {
        cart_id: CartId::from_uuid(customer_id.as_uuid()),
        order_id,
        customer_id,
        shipping_address: order.shipping_address.clone(),
        payment_method,
        at,
        metadata: context.metadata(actor),
    }
}

/// A placed order as the API answers it.
pub(crate) fn answer(order: &emporium_domain::order::PlacedOrder, position: u64) -> OrderPlaced {
    OrderPlaced {
        id: order.order_id.to_string(),
        status: "pending".to_owned(),
        customer_id: order.customer_id.to_string(),
        line_count: order.lines.len(),
        subtotal: order.subtotal.into(),
        discount: order.discount.into(),
        total: order.total.into(),
        coupon_code: order.coupon.as_ref().map(|c| c.code.clone()),
        position,
    }
}

/// A checkout's refusal or failure as an API error.
pub(crate) fn checkout_error(error: CheckoutError) -> ApiError {
    match error {
        CheckoutError::EmptyCart => {
            ApiError::new(ErrorCode::CartEmpty, "your cart is empty: add items before ordering")
        }
        CheckoutError::ProductNotFound(_) => ApiError::new(ErrorCode::ProductNotFound, error.to_string()),
        CheckoutError::ProductDiscontinued(_) => ApiError::new(ErrorCode::ProductDiscontinued, error.to_string()),
        CheckoutError::CouponNotFound(_) => ApiError::new(ErrorCode::CouponNotFound, error.to_string()),
        CheckoutError::Cart(refusal) => domain_error(&refusal),
        CheckoutError::Coupon(refusal) => domain_error(&refusal),
        CheckoutError::Order(refusal) => domain_error(&refusal),
        CheckoutError::Contention(_) => ApiError::new(ErrorCode::CommandContention, error.to_string()),
        CheckoutError::Store(store) => store_error(store),
        other => ApiError::internal(&other),
    }
}
