//! Why a cart refused a command.

use chrono::{DateTime, Utc};

use crate::ids::{CartLineId, CustomerId};
use crate::money::MoneyError;
use crate::values::ValueError;

/// A refused cart command; [`CartError::code`] gives its stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    /// The cart does not exist yet.
    #[error("cart not found")]
    NotFound,
    /// The cart belongs to another customer.
    #[error("cart belongs to customer {owner}, not {requested}")]
    CustomerMismatch {
        /// The cart's owner.
        owner: CustomerId,
        /// Who asked.
        requested: CustomerId,
    },
    /// No line with this id.
    #[error("cart line {0} not found")]
    LineNotFound(CartLineId),
    /// A new line's id is already used by a line of another product.
    #[error("cart line id {0} is already used")]
    LineIdTaken(CartLineId),
    /// The cart already holds the most lines allowed.
    #[error("a cart holds at most {max} lines")]
    TooManyLines {
        /// The limit.
        max: usize,
    },
    /// Merging into a line would exceed the largest quantity.
    #[error("quantity {requested} exceeds the maximum {max}")]
    QuantityTooLarge {
        /// The quantity the line would have.
        requested: u64,
        /// The limit.
        max: u32,
    },
    /// The command needs items in the cart.
    #[error("the cart is empty")]
    Empty,
    /// The coupon's discount takes nothing off, or more than 100 per cent.
    #[error("coupon {code} has an invalid discount")]
    InvalidDiscount {
        /// The code.
        code: String,
    },
    /// The coupon is not valid yet.
    #[error("coupon {code} is valid from {valid_from}")]
    CouponNotYetValid {
        /// The code.
        code: String,
        /// When it becomes valid.
        valid_from: DateTime<Utc>,
    },
    /// The coupon has expired.
    #[error("coupon {code} expired at {valid_until}")]
    CouponExpired {
        /// The code.
        code: String,
        /// When it stopped being valid.
        valid_until: DateTime<Utc>,
    },
    /// The coupon has no redemptions left.
    #[error("coupon {code} has no uses left")]
    CouponExhausted {
        /// The code.
        code: String,
    },
    /// A text, SKU or quantity is not valid.
    #[error(transparent)]
    InvalidValue(#[from] ValueError),
    /// Money in another currency than the cart's, or an amount out of range.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl CartError {
    /// The stable, documented code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            CartError::NotFound => "cart.not_found",
            CartError::CustomerMismatch { .. } => "cart.customer_mismatch",
            CartError::LineNotFound(_) => "cart.line_not_found",
            CartError::LineIdTaken(_) => "cart.line_id_taken",
            CartError::TooManyLines { .. } => "cart.too_many_lines",
            CartError::QuantityTooLarge { .. } => "cart.quantity_too_large",
            CartError::Empty => "cart.empty",
            CartError::InvalidDiscount { .. } => "cart.invalid_discount",
            CartError::CouponNotYetValid { .. } => "cart.coupon_not_yet_valid",
            CartError::CouponExpired { .. } => "cart.coupon_expired",
            CartError::CouponExhausted { .. } => "cart.coupon_exhausted",
            CartError::InvalidValue(_) => "cart.invalid_value",
            CartError::Money(MoneyError::CurrencyMismatch(..)) => "cart.currency_mismatch",
            CartError::Money(MoneyError::OutOfRange(_)) => "cart.amount_out_of_range",
            CartError::Money(MoneyError::InvalidCurrency(_)) => "cart.invalid_currency",
        }
    }
}
