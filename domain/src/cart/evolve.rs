//! Folds cart events into the state; never fails.

use super::event::{CartCheckedOut, CartEvent, CartItemAdded};
use super::state::{CartCoupon, CartLine, CartState, OpenCart};

/// Applies one event to a cart.
pub(super) fn evolve(state: CartState, event: &CartEvent) -> CartState {
    match (state, event) {
        (CartState::Absent, CartEvent::CartItemAdded(added)) => {
            let cart = OpenCart {
                cart_id: added.cart_id,
                customer_id: added.customer_id,
                lines: Vec::new(),
                coupon: None,
                last_order_id: None,
                updated_at: added.at,
            };
            CartState::Present(add_item(cart, added))
        }
        // Only CartItemAdded can start a cart; anything else before it changes nothing.
        (CartState::Absent, _) => CartState::Absent,
        (CartState::Present(cart), event) => CartState::Present(apply(cart, event)),
    }
}

fn apply(mut cart: OpenCart, event: &CartEvent) -> OpenCart {
    match event {
        CartEvent::CartItemAdded(added) => return add_item(cart, added),
        CartEvent::CartItemQuantityChanged(changed) => {
            if let Some(line) = cart.lines.iter_mut().find(|line| line.line_id == changed.line_id) {
                line.quantity = changed.quantity;
            }
            cart.updated_at = changed.at;
        }
        CartEvent::CartItemRemoved(removed) => {
            cart.lines.retain(|line| line.line_id != removed.line_id);
            cart.updated_at = removed.at;
        }
        CartEvent::CartCouponApplied(applied) => {
            cart.coupon = Some(CartCoupon {
                code: applied.code.clone(),
                discount: applied.discount,
                valid_from: applied.valid_from,
                valid_until: applied.valid_until,
            });
            cart.updated_at = applied.at;
        }
        CartEvent::CartCouponRemoved(removed) => {
            cart.coupon = None;
            cart.updated_at = removed.at;
        }
        CartEvent::CartCleared(cleared) => {
            cart.lines.clear();
            cart.coupon = None;
            cart.updated_at = cleared.at;
        }
        CartEvent::CartCheckedOut(CartCheckedOut { order_id, at, .. }) => {
            cart.lines.clear();
            cart.coupon = None;
            cart.last_order_id = Some(*order_id);
            cart.updated_at = *at;
        }
    }
    cart
}

fn add_item(mut cart: OpenCart, added: &CartItemAdded) -> OpenCart {
    match cart.lines.iter_mut().find(|line| line.line_id == added.line_id) {
        Some(line) => {
            line.quantity = added.line_quantity;
            line.unit_price = added.unit_price;
            line.name.clone_from(&added.name);
            line.sku = added.sku.clone();
        }
        None => cart.lines.push(CartLine {
            line_id: added.line_id,
            product_id: added.product_id,
            sku: added.sku.clone(),
            name: added.name.clone(),
            unit_price: added.unit_price,
            quantity: added.line_quantity,
        }),
    }
    cart.updated_at = added.at;
    cart
}
