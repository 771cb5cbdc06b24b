//! Emptying a cart: every line and the coupon. Clearing an empty or never-used cart
//! changes nothing and still answers 200.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, Caller, Envelope, RequestContext};
use emporium_domain::cart::{Cart, CartCommand};
use emporium_domain::ids::{CartId, CustomerId};
use uuid::Uuid;

use super::items::written;
use super::view::CartWritten;
use crate::command::run;
use crate::errors::command_error;
use crate::lookups::load;
use crate::state::WriteState;

/// The customer named by `/cart/{userId}` if the caller may reach their cart: its
/// owner or staff; anyone else (or a malformed id) gets 404.
pub(crate) fn reachable_customer(
    caller: &Caller,
    path: Result<Path<String>, PathRejection>,
) -> Result<CustomerId, ApiError> {
    path.ok()
        .and_then(|Path(raw)| Uuid::parse_str(raw.trim()).ok())
        .filter(|id| caller.may_access(*id))
        .map(CustomerId::from_uuid)
        .ok_or_else(|| ApiError::new(ErrorCode::CartNotFound, "cart not found"))
}

/// Empties a cart (its owner's, or anyone's for Admin/Manager).
#[utoipa::path(
    delete,
    path = "/api/v1/cart/{userId}/clear",
    tag = "cart",
    params(("userId" = String, Path, description = "The cart owner's customer id")),
    responses(
        (status = 200, description = "The cart, now empty", body = Envelope<CartWritten>,
            headers(("X-Emporium-Position" = u64, description = "Position of the last event"))),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "Another customer's cart, or a malformed id", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn clear_cart(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let customer = reachable_customer(&caller, path)?;
    let cart_id = CartId::from_uuid(customer.as_uuid());
    let cart = load::<Cart>(&state, &cart_id.to_string()).await?;
    let position = match cart.cart() {
        // Nothing to clear in a cart that never existed.
        None => 0,
        Some(_) => {
            let command = CartCommand::Clear { cart_id, at: Utc::now() };
            run::<Cart>(&state, &context, &caller.actor(), cart_id.to_string(), command, None)
                .await
                .map_err(command_error)?
                .position
        }
    };
    let data = written(&state, customer, None, position).await?;
    Ok(with_position(ok(data), position))
}
