//! What an order costs, computed by pure functions.

use super::line::{OrderLine, PricedOrderLine};
use crate::discount::Discount;
use crate::money::{Currency, Money, MoneyError};

/// An order's subtotal, discount and total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderTotals {
    /// Sum of the line totals.
    pub subtotal: Money,
    /// Taken off by the coupon.
    pub discount: Money,
    /// `subtotal - discount`; never negative.
    pub total: Money,
}

/// Prices one line: `unit_price * quantity`.
pub fn price_line(line: &OrderLine) -> Result<PricedOrderLine, MoneyError> {
    Ok(PricedOrderLine {
        product_id: line.product_id,
        sku: line.sku.clone(),
        name: line.name.clone(),
        unit_price: line.unit_price,
        quantity: line.quantity,
        line_total: line.unit_price.checked_mul(line.quantity.get())?,
    })
}

/// Sums priced lines in `currency` and takes the discount off.
pub fn order_totals(
    currency: Currency,
    lines: &[PricedOrderLine],
    discount: Option<&Discount>,
) -> Result<OrderTotals, MoneyError> {
    let subtotal = Money::sum(currency, lines.iter().map(|line| &line.line_total))?;
    let discount = match discount {
        Some(discount) => discount.amount_off(&subtotal)?,
        None => Money::zero(currency),
    };
    let total = subtotal.checked_sub(&discount)?;
    Ok(OrderTotals { subtotal, discount, total })
}
