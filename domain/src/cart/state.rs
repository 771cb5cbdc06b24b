//! What a cart remembers between commands.

use chrono::{DateTime, Utc};

use crate::discount::Discount;
use crate::ids::{CartId, CartLineId, CustomerId, OrderId, ProductId};
use crate::money::{Currency, Money};
use crate::values::{Quantity, Sku};

/// Most distinct lines a cart may hold (an order takes at most as many).
pub const MAX_CART_LINES: usize = 100;

/// Longest product name kept in a line.
pub const MAX_NAME_LEN: usize = 200;

/// A cart, or the absence of one.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum CartState {
    /// No item was ever added.
    #[default]
    Absent,
    /// The cart exists (it may be empty again after a checkout).
    Present(OpenCart),
}

impl CartState {
    /// The cart, if it exists.
    pub fn cart(&self) -> Option<&OpenCart> {
        match self {
            CartState::Absent => None,
            CartState::Present(cart) => Some(cart),
        }
    }
}

/// An existing cart.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCart {
    /// The cart.
    pub cart_id: CartId,
    /// Its owner.
    pub customer_id: CustomerId,
    /// The lines, in the order they were added.
    pub lines: Vec<CartLine>,
    /// The coupon applied, if any.
    pub coupon: Option<CartCoupon>,
    /// The order created by the last checkout.
    pub last_order_id: Option<OrderId>,
    /// When the cart last changed.
    pub updated_at: DateTime<Utc>,
}

impl OpenCart {
    /// The cart's currency: that of its lines; `None` while empty.
    pub fn currency(&self) -> Option<Currency> {
        self.lines.first().map(|line| line.unit_price.currency())
    }

    /// True when the cart has no lines.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The line with this id.
    pub fn line(&self, line_id: CartLineId) -> Option<&CartLine> {
        self.lines.iter().find(|line| line.line_id == line_id)
    }

    /// The line holding this product.
    pub fn line_for_product(&self, product_id: ProductId) -> Option<&CartLine> {
        self.lines.iter().find(|line| line.product_id == product_id)
    }
}

/// One product in a cart.
#[derive(Debug, Clone, PartialEq)]
pub struct CartLine {
    /// The line.
    pub line_id: CartLineId,
    /// The product.
    pub product_id: ProductId,
    /// Its SKU.
    pub sku: Sku,
    /// Its name when last added.
    pub name: String,
    /// Its price when last added.
    pub unit_price: Money,
    /// Units.
    pub quantity: Quantity,
}

/// The coupon applied to a cart, with the validity window checked again at checkout.
#[derive(Debug, Clone, PartialEq)]
pub struct CartCoupon {
    /// The normalised code.
    pub code: String,
    /// Its discount.
    pub discount: Discount,
    /// Valid from this instant on.
    pub valid_from: DateTime<Utc>,
    /// Valid before this instant.
    pub valid_until: DateTime<Utc>,
}
