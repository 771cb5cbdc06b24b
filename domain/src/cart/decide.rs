//! The cart's rules: which commands are accepted and which facts they cause.

use chrono::{DateTime, Utc};

use super::command::CartCommand;
use super::coupon::{discount_is_valid, normalize_coupon_code};
use super::error::CartError;
use super::event::{
    CartCheckedOut, CartCheckedOutCoupon, CartCheckedOutLine, CartCleared, CartCouponApplied, CartCouponRemoved,
    CartEvent, CartItemAdded, CartItemQuantityChanged, CartItemRemoved,
};
use super::evolve::evolve;
use super::state::{CartState, MAX_CART_LINES, MAX_NAME_LEN, OpenCart};
use super::totals::{cart_totals, line_total};
use crate::discount::Discount;
use crate::ids::{CartId, CartLineId, CustomerId, OrderId, ProductId};
use crate::money::{Money, MoneyError};
use crate::values::{Quantity, Sku, bounded_text};

/// Checks a command against the cart and returns the events it causes.
pub(super) fn decide(state: &CartState, command: &CartCommand) -> Result<Vec<CartEvent>, CartError> {
    let events = match command {
        CartCommand::AddItem { cart_id, customer_id, line_id, product_id, sku, name, unit_price, quantity, at } => {
            let item = NewItem {
                cart_id: *cart_id,
                customer_id: *customer_id,
                line_id: *line_id,
                product_id: *product_id,
                sku,
                name,
                unit_price: *unit_price,
                quantity: *quantity,
                at: *at,
            };
            add_item(state, item)?
        }
        CartCommand::ChangeQuantity { line_id, quantity, at, .. } => {
            change_quantity(existing(state)?, *line_id, *quantity, *at)?
        }
        CartCommand::RemoveItem { line_id, at, .. } => remove_item(existing(state)?, *line_id, *at)?,
        CartCommand::ApplyCoupon { code, discount, valid_from, valid_until, uses_left, at, .. } => {
            let terms = CouponTerms {
                code,
                discount: *discount,
                valid_from: *valid_from,
                valid_until: *valid_until,
                uses_left: *uses_left,
            };
            apply_coupon(existing(state)?, terms, *at)?
        }
        CartCommand::RemoveCoupon { at, .. } => remove_coupon(existing(state)?, *at),
        CartCommand::Clear { at, .. } => clear(existing(state)?, *at),
        CartCommand::CheckOut { order_id, at, .. } => check_out(existing(state)?, *order_id, *at)?,
    };
    ensure_totals_computable(state, &events)?;
    Ok(events)
}

/// The cart a command other than `AddItem` needs.
fn existing(state: &CartState) -> Result<&OpenCart, CartError> {
    state.cart().ok_or(CartError::NotFound)
}

/// Refuses events after which the cart's totals would overflow or mix currencies,
/// so every accepted history has computable totals.
fn ensure_totals_computable(state: &CartState, events: &[CartEvent]) -> Result<(), CartError> {
    if events.is_empty() {
        return Ok(());
    }
    let after = events.iter().fold(state.clone(), evolve);
    if let Some(cart) = after.cart() {
        cart_totals(cart)?;
    }
    Ok(())
}

/// The fields of `AddItem`.
struct NewItem<'a> {
    cart_id: CartId,
    customer_id: CustomerId,
    line_id: CartLineId,
    product_id: ProductId,
    sku: &'a Sku,
    name: &'a str,
    unit_price: Money,
    quantity: Quantity,
    at: DateTime<Utc>,
}

fn add_item(state: &CartState, item: NewItem<'_>) -> Result<Vec<CartEvent>, CartError> {
    let name = bounded_text("name", item.name, MAX_NAME_LEN)?;
    let (line_id, line_quantity) = match state.cart() {
        None => (item.line_id, item.quantity),
        Some(cart) => {
            if cart.customer_id != item.customer_id {
                return Err(CartError::CustomerMismatch { owner: cart.customer_id, requested: item.customer_id });
            }
            if let Some(currency) = cart.currency().filter(|currency| *currency != item.unit_price.currency()) {
                return Err(MoneyError::CurrencyMismatch(currency, item.unit_price.currency()).into());
            }
            match cart.line_for_product(item.product_id) {
                Some(line) => (line.line_id, merged_quantity(line.quantity, item.quantity)?),
                None if cart.line(item.line_id).is_some() => {
                    return Err(CartError::LineIdTaken(item.line_id));
                }
                None if cart.lines.len() >= MAX_CART_LINES => {
                    return Err(CartError::TooManyLines { max: MAX_CART_LINES });
                }
                None => (item.line_id, item.quantity),
            }
        }
    };
    Ok(vec![CartEvent::CartItemAdded(CartItemAdded {
        cart_id: item.cart_id,
        customer_id: item.customer_id,
        line_id,
        product_id: item.product_id,
        sku: item.sku.clone(),
        name,
        unit_price: item.unit_price,
        quantity: item.quantity,
        line_quantity,
        at: item.at,
    })])
}

fn merged_quantity(current: Quantity, added: Quantity) -> Result<Quantity, CartError> {
    let sum = u64::from(current.get()) + u64::from(added.get());
    i64::try_from(sum)
        .ok()
        .and_then(|sum| Quantity::new(sum).ok())
        .ok_or(CartError::QuantityTooLarge { requested: sum, max: Quantity::MAX })
}

fn change_quantity(
    cart: &OpenCart,
    line_id: CartLineId,
    quantity: Quantity,
    at: DateTime<Utc>,
) -> Result<Vec<CartEvent>, CartError> {
    let line = cart.line(line_id).ok_or(CartError::LineNotFound(line_id))?;
    if line.quantity == quantity {
        return Ok(Vec::new());
    }
    Ok(vec![CartEvent::CartItemQuantityChanged(CartItemQuantityChanged {
        cart_id: cart.cart_id,
        line_id,
        product_id: line.product_id,
        quantity,
        at,
    })])
}

fn remove_item(cart: &OpenCart, line_id: CartLineId, at: DateTime<Utc>) -> Result<Vec<CartEvent>, CartError> {
    let line = cart.line(line_id).ok_or(CartError::LineNotFound(line_id))?;
    let mut events = vec![CartEvent::CartItemRemoved(CartItemRemoved {
        cart_id: cart.cart_id,
        line_id,
        product_id: line.product_id,
        at,
    })];
    // An empty cart keeps no coupon: a fixed discount's currency may not fit the next items.
    if let Some(coupon) = cart.coupon.as_ref().filter(|_| cart.lines.len() == 1) {
        events.push(CartEvent::CartCouponRemoved(CartCouponRemoved {
            cart_id: cart.cart_id,
            code: coupon.code.clone(),
            at,
        }));
    }
    Ok(events)
}

/// The fields of `ApplyCoupon` that describe the coupon.
struct CouponTerms<'a> {
    code: &'a str,
    discount: Discount,
    valid_from: DateTime<Utc>,
    valid_until: DateTime<Utc>,
    uses_left: Option<u32>,
}

fn apply_coupon(cart: &OpenCart, terms: CouponTerms<'_>, at: DateTime<Utc>) -> Result<Vec<CartEvent>, CartError> {
    let code = normalize_coupon_code(terms.code)?;
    let Some(currency) = cart.currency() else {
        return Err(CartError::Empty);
    };
    if !discount_is_valid(&terms.discount) {
        return Err(CartError::InvalidDiscount { code });
    }
    if at < terms.valid_from {
        return Err(CartError::CouponNotYetValid { code, valid_from: terms.valid_from });
    }
    if at >= terms.valid_until {
        return Err(CartError::CouponExpired { code, valid_until: terms.valid_until });
    }
    if terms.uses_left == Some(0) {
        return Err(CartError::CouponExhausted { code });
    }
    match terms.discount {
        Discount::Fixed { amount } if amount.currency() != currency => {
            return Err(MoneyError::CurrencyMismatch(currency, amount.currency()).into());
        }
        _ => {}
    }
    let unchanged = cart.coupon.as_ref().is_some_and(|current| {
        current.code == code
            && current.discount == terms.discount
            && current.valid_from == terms.valid_from
            && current.valid_until == terms.valid_until
    });
    if unchanged {
        return Ok(Vec::new());
    }
    Ok(vec![CartEvent::CartCouponApplied(CartCouponApplied {
        cart_id: cart.cart_id,
        code,
        discount: terms.discount,
        valid_from: terms.valid_from,
        valid_until: terms.valid_until,
        at,
    })])
}

fn remove_coupon(cart: &OpenCart, at: DateTime<Utc>) -> Vec<CartEvent> {
    match &cart.coupon {
        None => Vec::new(),
        Some(coupon) => vec![CartEvent::CartCouponRemoved(CartCouponRemoved {
            cart_id: cart.cart_id,
            code: coupon.code.clone(),
            at,
        })],
    }
}

fn clear(cart: &OpenCart, at: DateTime<Utc>) -> Vec<CartEvent> {
    if cart.is_empty() && cart.coupon.is_none() {
        return Vec::new();
    }
    vec![CartEvent::CartCleared(CartCleared { cart_id: cart.cart_id, at })]
}

fn check_out(cart: &OpenCart, order_id: OrderId, at: DateTime<Utc>) -> Result<Vec<CartEvent>, CartError> {
    let totals = cart_totals(cart)?.ok_or(CartError::Empty)?;
    if let Some(coupon) = cart.coupon.as_ref().filter(|coupon| at >= coupon.valid_until) {
        return Err(CartError::CouponExpired { code: coupon.code.clone(), valid_until: coupon.valid_until });
    }
    let lines = cart
        .lines
        .iter()
        .map(|line| {
            Ok(CartCheckedOutLine {
                line_id: line.line_id,
                product_id: line.product_id,
                sku: line.sku.clone(),
                name: line.name.clone(),
                unit_price: line.unit_price,
                quantity: line.quantity,
                line_total: line_total(line)?,
            })
        })
        .collect::<Result<Vec<_>, MoneyError>>()?;
    let coupon = cart
        .coupon
        .as_ref()
        .map(|coupon| CartCheckedOutCoupon { code: coupon.code.clone(), discount: coupon.discount });
    Ok(vec![CartEvent::CartCheckedOut(CartCheckedOut {
        cart_id: cart.cart_id,
        customer_id: cart.customer_id,
        order_id,
        lines,
        coupon,
        subtotal: totals.subtotal,
        discount: totals.discount,
        total: totals.total,
        at,
    })])
}
