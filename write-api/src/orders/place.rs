//! `POST /api/v1/orders`: an order from the caller's cart, or from explicit lines.
//!
//! Everything that can be refused is checked before anything is written (the body,
//! the payment method, the products, the cart's, coupon's and order's own rules);
//! then the token is stored outside the log, and the order is created under command
//! ids derived from the order id: from the cart by the checkout use case (cart,
//! coupon and order in one atomic append), from explicit lines on its own stream.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use emporium_api_kit::envelope::created;
use emporium_api_kit::idempotency::IDEMPOTENCY_KEY;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_commands::checkout;
use emporium_domain::Decider;
use emporium_domain::ids::{CustomerId, OrderId};
use emporium_domain::order::{Order, OrderCommand, OrderCoupon, OrderCreated, OrderEvent, OrderLine, OrderState};

use super::answers::OrderPlaced;
use super::input::{NewOrder, PlaceOrderRequest};
use super::{from_cart, from_lines, ids, payment};
use crate::command::run;
use crate::errors::{command_error, domain_error};
use crate::state::WriteState;

/// What every `Create` of this request shares.
struct Placing<'a> {
    order_id: OrderId,
    customer_id: CustomerId,
    order: &'a NewOrder,
    payment_method: String,
    at: DateTime<Utc>,
}

impl Placing<'_> {
    fn command(&self, lines: Vec<OrderLine>, coupon: Option<OrderCoupon>) -> OrderCommand {
        OrderCommand::Create {
            order_id: self.order_id,
            customer_id: self.customer_id,
            lines,
            coupon,
            shipping_address: self.order.shipping_address.clone(),
            payment_method: self.payment_method.clone(),
            at: self.at,
        }
    }
}

/// The order `command` would create, or the order's refusal; nothing is stored.
fn precheck(command: &OrderCommand) -> Result<OrderCreated, ApiError> {
    let events = Order::decide(&OrderState::default(), command).map_err(|refusal| domain_error(&refusal))?;
    events
        .into_iter()
        .find_map(|event| match event {
            OrderEvent::OrderCreated(created) => Some(created),
            _ => None,
        })
        .ok_or_else(|| ApiError::internal(&std::io::Error::other("creating an order decided no OrderCreated")))
}

/// Places an order.
#[utoipa::path(
    post,
    path = "/api/v1/orders",
    tag = "orders",
    request_body = PlaceOrderRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the same key places the same order once")),
    responses(
        (status = 201, description = "Order placed (status `pending`)", body = Envelope<OrderPlaced>,
            headers(("Location" = String, description = "/api/v1/orders/{orderId}"), ("X-Emporium-Position" = u64, description = "Position of the last event"))),
        (status = 400, description = "`cart.empty`, or a bad field named in `errors` (`shipping_address.*`, `payment_method`, `lines[i].*`)", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "`product.not_found`, `coupon.not_found`", body = Envelope<String>),
        (status = 409, description = "`product.discontinued`, `cart.coupon_expired`, `coupon.expired`, `coupon.usage_limit_reached`", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn place_order(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PlaceOrderRequest>,
) -> Result<Response, ApiError> {
    let order = NewOrder::try_from(body)?;
    let customer_id = CustomerId::from_uuid(caller.customer_id);
    let key = headers.get(&IDEMPOTENCY_KEY).and_then(|v| v.to_str().ok());
    let order_id = ids::order_id(caller.customer_id, key);
    let actor = caller.actor();
    payment::check(&state, customer_id, &order.payment).await?;
    let placing = Placing {
        order_id,
        customer_id,
        order: &order,
        payment_method: payment::reference(order_id, &order.payment),
        at: Utc::now(),
    };
    let Some(lines) = &order.lines else {
        let request = from_cart::request(
            &context,
            &actor,
            customer_id,
            order_id,
            &order,
            placing.payment_method.clone(),
            placing.at,
        );
        let ports = from_cart::ports(&state);
        let prepared = checkout::prepare(ports, &request).await.map_err(from_cart::checkout_error)?;
        payment::store(&state, order_id, &order.payment).await?;
        let outcome = checkout::commit(ports, &request, prepared).await.map_err(from_cart::checkout_error)?;
        tracing::debug!(%order_id, position = outcome.position, duplicate = outcome.duplicate, "checked out");
        let data = from_cart::answer(&outcome.order, outcome.position);
        return Ok(with_position(created(&format!("/api/v1/orders/{order_id}"), data), outcome.position));
    };
    let command = placing.command(from_lines::priced_lines(&state, lines).await?, None);
    precheck(&command)?;
    payment::store(&state, order_id, &order.payment).await?;
    let placed = precheck(&command)?;
    let outcome =
        run::<Order>(&state, &context, &actor, order_id.to_string(), command, Some(ids::step(order_id, "create")))
            .await
            .map_err(command_error)?;
    let data = OrderPlaced {
        id: order_id.to_string(),
        status: "pending".to_owned(),
        customer_id: customer_id.to_string(),
        line_count: placed.lines.len(),
        subtotal: placed.subtotal.into(),
        discount: placed.discount.into(),
        total: placed.total.into(),
        coupon_code: placed.coupon.map(|c| c.code),
        position: outcome.position,
    };
    Ok(with_position(created(&format!("/api/v1/orders/{order_id}"), data), outcome.position))
}
