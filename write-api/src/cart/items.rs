//! Adding, changing and removing cart lines. The product's current name, price and
//! SKU come from its own stream; a line never holds more units than are available.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::{created, ok};
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_domain::cart::{Cart, CartCommand, CartLine, CartState};
use emporium_domain::ids::{CartId, CartLineId, CustomerId};
use emporium_domain::values::Quantity;
use uuid::Uuid;

use super::input::{AddItemRequest, ChangeQuantityRequest, MAX_LINE_QUANTITY, NewItem};
use super::view::{CartWritten, from_state};
use crate::command::run;
use crate::errors::command_error;
use crate::lookups::{load, product_on_sale, require_stock};
use crate::state::WriteState;

/// The caller's cart id: one cart per customer, keyed by the customer's id.
pub(crate) fn cart_of(caller: &Caller) -> (CartId, CustomerId) {
    (CartId::from_uuid(caller.customer_id), CustomerId::from_uuid(caller.customer_id))
}

/// The line named by `/cart/items/{itemId}`, or 404 (a malformed id names no line).
fn line_id(path: Result<Path<String>, PathRejection>) -> Result<CartLineId, ApiError> {
    path.ok().and_then(|Path(raw)| raw.parse().ok()).ok_or_else(line_not_found)
}

fn line_not_found() -> ApiError {
    ApiError::new(ErrorCode::CartLineNotFound, "your cart has no such item")
}

/// The line of the loaded cart, or 404.
fn existing_line(cart: &CartState, id: CartLineId) -> Result<CartLine, ApiError> {
    cart.cart().and_then(|c| c.line(id)).cloned().ok_or_else(line_not_found)
}

/// The cart after a write, with the write's position.
pub(crate) async fn written(
    state: &WriteState,
    customer: CustomerId,
    item_id: Option<CartLineId>,
    position: u64,
) -> Result<CartWritten, ApiError> {
    let cart = load::<Cart>(state, &customer.to_string()).await?;
    Ok(CartWritten { cart: from_state(customer, &cart)?, item_id: item_id.map(|id| id.to_string()), position })
}

/// Adds units of a product to the caller's cart.
#[utoipa::path(
    post,
    path = "/api/v1/cart/items",
    tag = "cart",
    request_body = AddItemRequest,
    responses(
        (status = 201, description = "A new line was added; the cart as it now is", body = Envelope<CartWritten>,
            headers(("Location" = String, description = "/api/v1/cart/{userId}"), ("X-Emporium-Position" = u64, description = "Position of the event"))),
        (status = 200, description = "The units were merged into the product's line", body = Envelope<CartWritten>),
        (status = 400, description = "Bad `product_id` or `quantity` (1-1000)", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "`product.not_found`", body = Envelope<String>),
        (status = 409, description = "`product.discontinued`, `inventory.insufficient_stock`, `cart.quantity_too_large`, `cart.currency_mismatch`, `cart.too_many_lines`", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn add_item(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    ApiJson(body): ApiJson<AddItemRequest>,
) -> Result<Response, ApiError> {
    let item = NewItem::try_from(body)?;
    let product = product_on_sale(&state, item.product_id).await?;
    let (cart_id, customer_id) = cart_of(&caller);
    let cart = load::<Cart>(&state, &cart_id.to_string()).await?;
    let existing = cart.cart().and_then(|c| c.line_for_product(item.product_id)).cloned();
    let in_line = existing.as_ref().map_or(0, |l| u64::from(l.quantity.get())) + u64::from(item.quantity.get());
    if in_line > MAX_LINE_QUANTITY as u64 {
        return Err(ApiError::new(
            ErrorCode::CartQuantityTooLarge,
            format!("a cart line holds at most {MAX_LINE_QUANTITY} units; this would make {in_line}"),
        ));
    }
    require_stock(&state, product.sku(), product.name(), in_line).await?;
    let line_id = existing.as_ref().map_or_else(|| CartLineId::from_uuid(Uuid::now_v7()), |l| l.line_id);
    let command = CartCommand::AddItem {
        cart_id,
        customer_id,
        line_id,
        product_id: item.product_id,
        sku: product.sku().clone(),
        name: product.name().to_owned(),
        unit_price: product.price(),
        quantity: item.quantity,
        at: Utc::now(),
    };
    let outcome = run::<Cart>(&state, &context, &caller.actor(), cart_id.to_string(), command, None)
        .await
        .map_err(command_error)?;
    let data = written(&state, customer_id, Some(line_id), outcome.position).await?;
    let response = match existing {
        Some(_) => ok(data),
        None => created(&format!("/api/v1/cart/{customer_id}"), data),
    };
    Ok(with_position(response, outcome.position))
}

/// Sets the quantity of one line of the caller's cart.
#[utoipa::path(
    put,
    path = "/api/v1/cart/items/{itemId}",
    tag = "cart",
    params(("itemId" = String, Path, description = "The line's `id` from the cart view")),
    request_body = ChangeQuantityRequest,
    responses(
        (status = 200, description = "The cart as it now is", body = Envelope<CartWritten>,
            headers(("X-Emporium-Position" = u64, description = "Position of the last event"))),
        (status = 400, description = "`quantity` is not 1-1000", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "`cart.line_not_found`", body = Envelope<String>),
        (status = 409, description = "`inventory.insufficient_stock`", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn change_quantity(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    path: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<ChangeQuantityRequest>,
) -> Result<Response, ApiError> {
    let line_id = line_id(path)?;
    let quantity = Quantity::try_from(body)?;
    let (cart_id, customer_id) = cart_of(&caller);
    let cart = load::<Cart>(&state, &cart_id.to_string()).await?;
    let line = existing_line(&cart, line_id)?;
    if quantity > line.quantity {
        require_stock(&state, &line.sku, &line.name, u64::from(quantity.get())).await?;
    }
    let command = CartCommand::ChangeQuantity { cart_id, line_id, quantity, at: Utc::now() };
    let outcome = run::<Cart>(&state, &context, &caller.actor(), cart_id.to_string(), command, None)
        .await
        .map_err(command_error)?;
    let data = written(&state, customer_id, Some(line_id), outcome.position).await?;
    Ok(with_position(ok(data), outcome.position))
}

/// Removes one line from the caller's cart.
#[utoipa::path(
    delete,
    path = "/api/v1/cart/items/{itemId}",
    tag = "cart",
    params(("itemId" = String, Path, description = "The line's `id` from the cart view")),
    responses(
        (status = 200, description = "The cart as it now is", body = Envelope<CartWritten>,
            headers(("X-Emporium-Position" = u64, description = "Position of the last event"))),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "`cart.line_not_found`", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn remove_item(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let line_id = line_id(path)?;
    let (cart_id, customer_id) = cart_of(&caller);
    let cart = load::<Cart>(&state, &cart_id.to_string()).await?;
    existing_line(&cart, line_id)?;
    let command = CartCommand::RemoveItem { cart_id, line_id, at: Utc::now() };
    let outcome = run::<Cart>(&state, &context, &caller.actor(), cart_id.to_string(), command, None)
        .await
        .map_err(command_error)?;
    let data = written(&state, customer_id, None, outcome.position).await?;
    Ok(with_position(ok(data), outcome.position))
}
