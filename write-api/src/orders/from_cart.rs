//! Placing an order from the caller's cart, in steps that are safe to repeat:
//!
//! 1. [`prepare`]: load the cart, check every product is still on sale, and run the
//!    cart's and the coupon's own rules on the current state, so a refusal leaves
//!    nothing behind;
//! 2. [`commit`]: redeem the coupon for this order (a no-op the second time), check
//!    the cart out under a command id derived from the order id, and read the
//!    `CartCheckedOut` event back: its lines, prices and coupon are what the order is
//!    created with, even when the cart changed between 1 and 2.
//!
//! Checking out before creating the order means two concurrent checkouts of one
//! cart cannot both succeed (the second finds it empty), and a crash in between
//! leaves a `CartCheckedOut` that a retry with the same `Idempotency-Key` finds again.

use chrono::{DateTime, Utc};
use emporium_api_kit::{ApiError, RequestContext};
use emporium_commands::handler::stream_id;
use emporium_domain::Decider;
use emporium_domain::cart::{Cart, CartCheckedOut, CartCommand, CartEvent, CartState};
use emporium_domain::coupon::{Coupon, CouponCommand};
use emporium_domain::ids::{CartId, CouponId, OrderId, ProductId};
use emporium_domain::money::Money;
use emporium_domain::order::{OrderCoupon, OrderLine};
use emporium_domain::values::{Quantity, Sku};
use emporium_infra::codec::decode;

use super::ids::step;
use crate::cart::lookups::{coupon_by_code, coupon_not_found, load, product_on_sale};
use crate::command::run;
use crate::errors::{command_error, domain_error};
use crate::state::WriteState;

/// A cart ready to become an order.
#[derive(Debug, Clone)]
pub(crate) struct PreparedCheckout {
    cart_id: CartId,
    /// The coupon to redeem, if the cart has one.
    coupon: Option<CouponId>,
    /// The cart's lines as order lines (for the order's own checks).
    pub(crate) lines: Vec<OrderLine>,
    /// The cart's coupon as the order records it.
    pub(crate) order_coupon: Option<OrderCoupon>,
    /// True when this order already checked the cart out (a retry after a crash):
    /// only the read-back remains.
    pub(crate) resumed: bool,
}

/// What the order is created with: the checked-out cart's contents.
#[derive(Debug, Clone)]
pub(crate) struct CheckedOut {
    /// The lines at the cart's prices.
    pub(crate) lines: Vec<OrderLine>,
    /// The coupon, if any.
    pub(crate) coupon: Option<OrderCoupon>,
    /// Position of the `CartCheckedOut` event.
    pub(crate) position: u64,
}

/// Step 1: checks without writing anything. 400 `cart.empty` for an empty cart.
pub(crate) async fn prepare(
    state: &WriteState,
    cart_id: CartId,
    order_id: OrderId,
    now: DateTime<Utc>,
) -> Result<PreparedCheckout, ApiError> {
    let cart: CartState = load::<Cart>(state, &cart_id.to_string()).await?;
    if cart.cart().is_some_and(|c| c.last_order_id == Some(order_id)) {
        return Ok(PreparedCheckout { cart_id, coupon: None, lines: Vec::new(), order_coupon: None, resumed: true });
    }
    let Some(open) = cart.cart().filter(|c| !c.is_empty()) else {
        return Err(ApiError::bad_request("cart.empty", "your cart is empty: add items before ordering"));
    };
    for line in &open.lines {
        product_on_sale(state, line.product_id).await?;
    }
    Cart::decide(&cart, &CartCommand::CheckOut { cart_id, order_id, at: now })
        .map_err(|refusal| domain_error(&refusal))?;
    let coupon = match &open.coupon {
        None => None,
        Some(applied) => {
            let (id, coupon) =
                coupon_by_code(state, &applied.code).await?.ok_or_else(|| coupon_not_found(&applied.code))?;
            Coupon::decide(&coupon, &CouponCommand::Redeem { coupon_id: id, order_id, at: now })
                .map_err(|refusal| domain_error(&refusal))?;
            Some(id)
        }
    };
    Ok(PreparedCheckout {
        cart_id,
        coupon,
        lines: open
            .lines
            .iter()
            .map(|l| order_line(&l.product_id, &l.sku, &l.name, l.unit_price, l.quantity))
            .collect(),
        order_coupon: open.coupon.as_ref().map(|c| OrderCoupon { code: c.code.clone(), discount: c.discount }),
        resumed: false,
    })
}

fn order_line(product_id: &ProductId, sku: &Sku, name: &str, unit_price: Money, quantity: Quantity) -> OrderLine {
    OrderLine { product_id: *product_id, sku: sku.clone(), name: name.to_owned(), unit_price, quantity }
}

/// Step 2: redeems the coupon and checks the cart out; returns what was checked out.
pub(crate) async fn commit(
    state: &WriteState,
    context: &RequestContext,
    actor: &str,
    order_id: OrderId,
    prepared: &PreparedCheckout,
    now: DateTime<Utc>,
) -> Result<CheckedOut, ApiError> {
    if let Some(coupon_id) = prepared.coupon {
        redeem(state, context, actor, coupon_id, order_id, now).await?;
    }
    let command = CartCommand::CheckOut { cart_id: prepared.cart_id, order_id, at: now };
    let outcome = match run::<Cart>(
        state,
        context,
        actor,
        prepared.cart_id.to_string(),
        command,
        Some(step(order_id, "checkout")),
    )
    .await
    {
        Ok(outcome) => outcome,
        Err(error) => {
            if let Some(coupon_id) = prepared.coupon {
                release(state, context, actor, coupon_id, order_id, now).await;
            }
            return Err(command_error(error));
        }
    };
    let event = checked_out_event(state, prepared.cart_id, order_id, outcome.stream_version).await?;
    let coupon = event.coupon.as_ref().map(|c| OrderCoupon { code: c.code.clone(), discount: c.discount });
    if coupon.as_ref().map(|c| &c.code) != prepared.order_coupon.as_ref().map(|c| &c.code) {
        // The coupon changed between the checks and the checkout: follow the cart.
        if let Some(coupon_id) = prepared.coupon {
            release(state, context, actor, coupon_id, order_id, now).await;
        }
        if let Some(code) = coupon.as_ref().map(|c| c.code.as_str()) {
            redeem_checked_out(state, context, actor, code, order_id, now).await?;
        }
    }
    let lines =
        event.lines.iter().map(|l| order_line(&l.product_id, &l.sku, &l.name, l.unit_price, l.quantity)).collect();
    Ok(CheckedOut { lines, coupon, position: outcome.position })
}

async fn redeem(
    state: &WriteState,
    context: &RequestContext,
    actor: &str,
    coupon_id: CouponId,
    order_id: OrderId,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    // Redeeming for the same order twice is a no-op in the coupon itself.
    let command = CouponCommand::Redeem { coupon_id, order_id, at };
    run::<Coupon>(state, context, actor, coupon_id.to_string(), command, None).await.map(|_| ()).map_err(command_error)
}

/// Redeems the coupon a cart was checked out with; a refusal is logged, as the
/// checkout already happened.
async fn redeem_checked_out(
    state: &WriteState,
    context: &RequestContext,
    actor: &str,
    code: &str,
    order_id: OrderId,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some((coupon_id, _)) = coupon_by_code(state, code).await? else {
        tracing::warn!(%order_id, %code, "the coupon the cart was checked out with no longer exists");
        return Ok(());
    };
    if let Err(error) = redeem(state, context, actor, coupon_id, order_id, at).await {
        tracing::warn!(%order_id, %code, %error, "the coupon the cart was checked out with could not be redeemed");
    }
    Ok(())
}

/// Gives an order's coupon use back; a failure is logged (the use stays taken).
async fn release(
    state: &WriteState,
    context: &RequestContext,
    actor: &str,
    coupon_id: CouponId,
    order_id: OrderId,
    at: DateTime<Utc>,
) {
    let command = CouponCommand::ReleaseRedemption { coupon_id, order_id, at };
    if let Err(error) = run::<Coupon>(state, context, actor, coupon_id.to_string(), command, None).await {
        tracing::error!(%coupon_id, %order_id, %error, "could not give back a coupon use of an order that was not placed");
    }
}

/// The `CartCheckedOut` event at `version` of the cart's stream, for `order_id`.
async fn checked_out_event(
    state: &WriteState,
    cart_id: CartId,
    order_id: OrderId,
    version: u64,
) -> Result<CartCheckedOut, ApiError> {
    let stream = stream_id::<Cart>(&cart_id.to_string());
    let recorded = state.commands.store().read_stream(&stream, version, 1).await.map_err(|e| ApiError::internal(&e))?;
    let event = recorded.first().map(decode::<CartEvent>).transpose().map_err(|e| ApiError::internal(&e))?;
    match event {
        Some(CartEvent::CartCheckedOut(checked_out)) if checked_out.order_id == order_id => Ok(checked_out),
        _ => Err(ApiError::internal(&std::io::Error::other(format!(
            "{stream} v{version} is not the checkout of order {order_id}"
        )))),
    }
}
