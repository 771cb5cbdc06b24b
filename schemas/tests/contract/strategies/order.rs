//! Order events, and the priced lines and totals shared with cart checkouts.

use emporium_domain::cart::normalize_coupon_code;
use emporium_domain::order::{
    ItemsReserved, OrderCancelled, OrderConfirmed, OrderCoupon, OrderCreated, OrderDelivered, OrderEvent, OrderLine,
    OrderPaymentFailed, OrderPaymentMethodChanged, OrderRefunded, OrderShipped, OrderTotals, PaymentProcessed,
    PricedOrderLine, order_totals, price_line,
};
use proptest::collection::vec;
use proptest::prelude::*;

use super::values::*;

/// Lines, an optional coupon and the totals they make, all in one currency.
#[derive(Debug, Clone)]
pub struct PricedOrder {
    /// The priced lines (up to five).
    pub lines: Vec<PricedOrderLine>,
    /// The coupon, if any.
    pub coupon: Option<OrderCoupon>,
    /// Subtotal, discount and total computed by the domain.
    pub totals: OrderTotals,
}

/// Up to five lines in one currency, priced and totalled by the domain's own functions.
pub fn priced_order() -> impl Strategy<Value = PricedOrder> {
    currency().prop_flat_map(|currency| {
        let line = (product_id(), sku(), short_text(), price_in(currency), small_quantity());
        let coupon = ("[A-Za-z0-9_-]{1,20}", discount_in(currency));
        (vec(line, 0..=5), proptest::option::of(coupon)).prop_map(move |(lines, coupon)| {
            let lines: Vec<PricedOrderLine> = lines
                .into_iter()
                .map(|(product_id, sku, name, unit_price, quantity)| {
                    price_line(&OrderLine { product_id, sku, name, unit_price, quantity }).unwrap()
                })
                .collect();
            let coupon =
                coupon.map(|(code, discount)| OrderCoupon { code: normalize_coupon_code(&code).unwrap(), discount });
            let totals = order_totals(currency, &lines, coupon.as_ref().map(|c| &c.discount)).unwrap();
            PricedOrder { lines, coupon, totals }
        })
    })
}

/// A payment method reference.
fn payment_method() -> impl Strategy<Value = String> {
    "(card|paypal|wallet:[a-z0-9]{4,12})"
}

/// An `OrderCreated` with or without a coupon.
pub fn order_created() -> impl Strategy<Value = OrderCreated> {
    order_created_from(priced_order())
}

/// An `OrderCreated` as v1 could have recorded it: no coupon, so no discount.
pub fn order_created_without_coupon() -> impl Strategy<Value = OrderCreated> {
    let without_coupon = priced_order().prop_map(|order| {
        let currency = order.totals.subtotal.currency();
        let totals = order_totals(currency, &order.lines, None).unwrap();
        PricedOrder { coupon: None, totals, ..order }
    });
    order_created_from(without_coupon)
}

fn order_created_from(orders: impl Strategy<Value = PricedOrder>) -> impl Strategy<Value = OrderCreated> {
    (order_id(), customer_id(), orders, shipping_address(), payment_method(), instant()).prop_map(
        |(order_id, customer_id, order, shipping_address, payment_method, at)| OrderCreated {
            order_id,
            customer_id,
            lines: order.lines,
            coupon: order.coupon,
            subtotal: order.totals.subtotal,
            discount: order.totals.discount,
            total: order.totals.total,
            shipping_address,
            payment_method,
            at,
        },
    )
}

/// Any order event.
pub fn events() -> impl Strategy<Value = OrderEvent> {
    prop_oneof![
        order_created().prop_map(OrderEvent::OrderCreated),
        (order_id(), instant()).prop_map(|(order_id, at)| OrderEvent::ItemsReserved(ItemsReserved { order_id, at })),
        (order_id(), payment_id(), money(), instant()).prop_map(|(order_id, payment_id, amount, at)| {
            OrderEvent::PaymentProcessed(PaymentProcessed { order_id, payment_id, amount, at })
        }),
        (order_id(), short_text(), instant(), instant()).prop_map(|(order_id, reason, deadline, at)| {
            OrderEvent::OrderPaymentFailed(OrderPaymentFailed { order_id, reason, deadline, at })
        }),
        (order_id(), payment_method(), instant()).prop_map(|(order_id, payment_method, at)| {
            OrderEvent::OrderPaymentMethodChanged(OrderPaymentMethodChanged { order_id, payment_method, at })
        }),
        (order_id(), any::<u64>(), instant()).prop_map(|(order_id, invoice_number, at)| {
            OrderEvent::OrderConfirmed(OrderConfirmed { order_id, invoice_number, at })
        }),
        (order_id(), short_text(), "[A-Z0-9]{6,20}", instant()).prop_map(|(order_id, carrier, tracking_number, at)| {
            OrderEvent::OrderShipped(OrderShipped { order_id, carrier, tracking_number, at })
        }),
        (order_id(), instant()).prop_map(|(order_id, at)| OrderEvent::OrderDelivered(OrderDelivered { order_id, at })),
        (order_id(), short_text(), any::<bool>(), instant()).prop_map(|(order_id, reason, refund_due, at)| {
            OrderEvent::OrderCancelled(OrderCancelled { order_id, reason, refund_due, at })
        }),
        (order_id(), currency().prop_flat_map(|c| (money_in(c), money_in(c))), any::<bool>(), instant()).prop_map(
            |(order_id, (amount, total_refunded), fully_refunded, at)| {
                OrderEvent::OrderRefunded(OrderRefunded { order_id, amount, total_refunded, fully_refunded, at })
            }
        ),
    ]
}
