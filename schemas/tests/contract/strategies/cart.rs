//! Cart events.

use emporium_domain::cart::{
    CartCheckedOut, CartCheckedOutCoupon, CartCheckedOutLine, CartCleared, CartCouponApplied, CartCouponRemoved,
    CartEvent, CartItemAdded, CartItemQuantityChanged, CartItemRemoved, normalize_coupon_code,
};
use proptest::collection::vec;
use proptest::prelude::*;

use super::order::priced_order;
use super::values::*;

/// A normalised coupon code as carts record it.
fn code() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,20}".prop_map(|raw| normalize_coupon_code(&raw).unwrap())
}

/// Any cart event.
pub fn events() -> impl Strategy<Value = CartEvent> {
    prop_oneof![
        (
            cart_id(),
            customer_id(),
            cart_line_id(),
            product_id(),
            sku(),
            short_text(),
            money(),
            quantity(),
            quantity(),
            instant()
        )
            .prop_map(
                |(cart_id, customer_id, line_id, product_id, sku, name, unit_price, quantity, line_quantity, at)| {
                    CartEvent::CartItemAdded(CartItemAdded {
                        cart_id,
                        customer_id,
                        line_id,
                        product_id,
                        sku,
                        name,
                        unit_price,
                        quantity,
                        line_quantity,
                        at,
                    })
                }
            ),
        (cart_id(), cart_line_id(), product_id(), quantity(), instant()).prop_map(
            |(cart_id, line_id, product_id, quantity, at)| {
                CartEvent::CartItemQuantityChanged(CartItemQuantityChanged {
                    cart_id,
                    line_id,
                    product_id,
                    quantity,
                    at,
                })
            }
        ),
        (cart_id(), cart_line_id(), product_id(), instant()).prop_map(|(cart_id, line_id, product_id, at)| {
            CartEvent::CartItemRemoved(CartItemRemoved { cart_id, line_id, product_id, at })
        }),
        (cart_id(), code(), currency().prop_flat_map(discount_in), instant(), instant(), instant()).prop_map(
            |(cart_id, code, discount, valid_from, valid_until, at)| {
                CartEvent::CartCouponApplied(CartCouponApplied { cart_id, code, discount, valid_from, valid_until, at })
            }
        ),
        (cart_id(), code(), instant())
            .prop_map(|(cart_id, code, at)| CartEvent::CartCouponRemoved(CartCouponRemoved { cart_id, code, at })),
        (cart_id(), instant()).prop_map(|(cart_id, at)| CartEvent::CartCleared(CartCleared { cart_id, at })),
        (cart_id(), customer_id(), order_id(), priced_order(), vec(cart_line_id(), 5), instant()).prop_map(
            |(cart_id, customer_id, order_id, order, line_ids, at)| {
                let lines = order
                    .lines
                    .into_iter()
                    .zip(line_ids)
                    .map(|(line, line_id)| CartCheckedOutLine {
                        line_id,
                        product_id: line.product_id,
                        sku: line.sku,
                        name: line.name,
                        unit_price: line.unit_price,
                        quantity: line.quantity,
                        line_total: line.line_total,
                    })
                    .collect();
                let coupon = order.coupon.map(|c| CartCheckedOutCoupon { code: c.code, discount: c.discount });
                let (subtotal, discount, total) = (order.totals.subtotal, order.totals.discount, order.totals.total);
                CartEvent::CartCheckedOut(CartCheckedOut {
                    cart_id,
                    customer_id,
                    order_id,
                    lines,
                    coupon,
                    subtotal,
                    discount,
                    total,
                    at,
                })
            }
        ),
    ]
}
