//! Applying a coupon to the caller's cart, and taking it off. The coupon is found by
//! its code (the catalog's `coupon_code` claim), its own stream says whether it
//! applies now (`coupon::check_applicable`), and the cart records its terms so the
//! totals shown are what checkout charges.

use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_domain::cart::{Cart, CartCommand};
use emporium_domain::coupon::check_applicable;

use super::input::{ApplyCouponRequest, coupon_code};
use super::items::{cart_of, written};
use super::view::CartWritten;
use crate::command::run;
use crate::errors::{command_error, domain_error};
use crate::lookups::{coupon_by_code, coupon_not_found, load};
use crate::state::WriteState;

/// Applies a coupon to the caller's cart, replacing any earlier one.
#[utoipa::path(
    post,
    path = "/api/v1/cart/apply-coupon",
    tag = "cart",
    request_body = ApplyCouponRequest,
    responses(
        (status = 200, description = "The cart with the discount", body = Envelope<CartWritten>,
            headers(("X-Emporium-Position" = u64, description = "Position of the last event"))),
        (status = 400, description = "`code` is empty or too long; `cart.empty`", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "`coupon.not_found`", body = Envelope<String>),
        (status = 409, description = "`coupon.expired`, `coupon.not_yet_valid`, `coupon.disabled`, `coupon.usage_limit_reached`, `cart.currency_mismatch`", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn apply_coupon(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    ApiJson(body): ApiJson<ApplyCouponRequest>,
) -> Result<Response, ApiError> {
    let code = coupon_code(&body)?;
    let (coupon_id, coupon) = coupon_by_code(&state, &code).await?.ok_or_else(|| coupon_not_found(&code))?;
    let now = Utc::now();
    let discount = check_applicable(&coupon, now).map_err(|refusal| domain_error(&refusal))?;
    let record = coupon.coupon().ok_or_else(|| coupon_not_found(&code))?;
    let (cart_id, customer_id) = cart_of(&caller);
    let cart = load::<Cart>(&state, &cart_id.to_string()).await?;
    if cart.cart().is_none_or(|c| c.is_empty()) {
        return Err(ApiError::new(ErrorCode::CartEmpty, "add an item to your cart before applying a coupon"));
    }
    let command = CartCommand::ApplyCoupon {
        cart_id,
        code: record.code().to_string(),
        discount,
        valid_from: record.valid_from(),
        valid_until: record.valid_until(),
        uses_left: record.max_uses().map(|max| max.saturating_sub(record.uses())),
        at: now,
    };
    tracing::debug!(%coupon_id, "applying coupon");
    let outcome = run::<Cart>(&state, &context, &caller.actor(), cart_id.to_string(), command, None)
        .await
        .map_err(command_error)?;
    let data = written(&state, customer_id, None, outcome.position).await?;
    Ok(with_position(ok(data), outcome.position))
}

/// Takes the coupon off the caller's cart (nothing changes when it has none).
#[utoipa::path(
    delete,
    path = "/api/v1/cart/coupon",
    tag = "cart",
    responses(
        (status = 200, description = "The cart without a coupon", body = Envelope<CartWritten>,
            headers(("X-Emporium-Position" = u64, description = "Position of the last event"))),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn remove_coupon(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
) -> Result<Response, ApiError> {
    let (cart_id, customer_id) = cart_of(&caller);
    let cart = load::<Cart>(&state, &cart_id.to_string()).await?;
    let position = match cart.cart() {
        None => 0,
        Some(_) => {
            let command = CartCommand::RemoveCoupon { cart_id, at: Utc::now() };
            run::<Cart>(&state, &context, &caller.actor(), cart_id.to_string(), command, None)
                .await
                .map_err(command_error)?
                .position
        }
    };
    let data = written(&state, customer_id, None, position).await?;
    Ok(with_position(ok(data), position))
}
