//! What a cart costs, computed from its state by pure functions.

use serde::Serialize;

use super::state::{CartLine, OpenCart};
use crate::ids::CartLineId;
use crate::money::{Money, MoneyError};

/// A cart's prices: each line's total, their sum, the coupon's discount and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CartTotals {
    /// Each line's total, in the cart's line order.
    pub lines: Vec<CartLineTotal>,
    /// Sum of the line totals.
    pub subtotal: Money,
    /// `coupon.amount_off(subtotal)`, zero without a coupon.
    pub discount: Money,
    /// `subtotal - discount`; never negative.
    pub total: Money,
}

/// One line's total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CartLineTotal {
    /// The line.
    pub line_id: CartLineId,
    /// `unit_price * quantity`.
    pub total: Money,
}

/// `unit_price * quantity` of one line.
pub fn line_total(line: &CartLine) -> Result<Money, MoneyError> {
    line.unit_price.checked_mul(line.quantity.get())
}

/// The totals of a cart; `None` while it is empty, because it has no currency then.
pub fn cart_totals(cart: &OpenCart) -> Result<Option<CartTotals>, MoneyError> {
    let Some(currency) = cart.currency() else {
        return Ok(None);
    };
    let lines = cart
        .lines
        .iter()
        .map(|line| Ok(CartLineTotal { line_id: line.line_id, total: line_total(line)? }))
        .collect::<Result<Vec<_>, MoneyError>>()?;
    let subtotal = Money::sum(currency, lines.iter().map(|line| &line.total))?;
    let discount = match &cart.coupon {
        Some(coupon) => coupon.discount.amount_off(&subtotal)?,
        None => Money::zero(currency),
    };
    let total = subtotal.checked_sub(&discount)?;
    Ok(Some(CartTotals { lines, subtotal, discount, total }))
}
