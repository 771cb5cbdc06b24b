//! `POST /api/v1/products/{id}/stock` (Admin/Manager): the body checked into a
//! [`StockChange`], then the stock use case ([`emporium_commands::stock`]).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Envelope, RequestContext};
use emporium_commands::stock::{self, ChangeStock, StockChange, StockError};
use emporium_domain::values::Quantity;
use serde::Deserialize;

use super::answers::StockChanged;
use super::path_ids::product_id;
use super::staff::Staff;
use crate::errors::command_error;
use crate::input::Problems;
use crate::state::WriteState;

/// Longest reason accepted (the inventory aggregate's own limit).
const MAX_REASON_CHARS: usize = 200;

/// `POST /api/v1/products/{id}/stock`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockRequest {
    /// Signed change in units, non-zero, at most 1 000 000 either way: positive
    /// receives (or, with a reason, adjusts up); negative adjusts down.
    #[schema(minimum = -1_000_000, maximum = 1_000_000)]
    pub quantity: i64,
    /// Why; required for a negative change, at most 200 characters.
    #[serde(default)]
    #[schema(schema_with = emporium_api_kit::schema_rules::optional_text_or_blank::<200>)]
    pub reason: Option<String>,
}

impl TryFrom<StockRequest> for StockChange {
    type Error = ApiError;

    fn try_from(body: StockRequest) -> Result<Self, ApiError> {
        let mut problems = Problems::default();
        let magnitude = body.quantity.unsigned_abs();
        let quantity_ok = magnitude != 0 && magnitude <= u64::from(Quantity::MAX);
        if !quantity_ok {
            problems.add(
                "quantity",
                ErrorCode::InventoryInvalidAdjustment,
                format!("quantity must be non-zero and at most {} either way", Quantity::MAX),
            );
        }
        let reason = body.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
            problems.add(
                "reason",
                ErrorCode::InventoryInvalidReason,
                format!("reason must be at most {MAX_REASON_CHARS} characters"),
            );
        }
        if body.quantity < 0 && reason.is_none() {
            problems.add("reason", ErrorCode::ValidationRequired, "a reason is required to take stock away");
        }
        problems.finish(|| match reason {
            Some(reason) => Some(StockChange::Adjust { delta: body.quantity, reason: reason.to_owned() }),
            None => Quantity::new(body.quantity).ok().map(StockChange::Receive),
        })
    }
}

/// Applies a signed stock change to the product's SKU.
#[utoipa::path(
    post,
    path = "/api/v1/products/{id}/stock",
    tag = "catalog",
    params(("id" = String, Path, description = "Product id")),
    request_body = StockRequest,
    responses(
        (status = 200, description = "Stock changed; levels after the change", body = Envelope<StockChanged>,
            headers(("X-Emporium-Position" = u64, description = "Position of the inventory event"))),
        (status = 400, description = "Zero or out-of-range quantity, missing reason for a negative change", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 403, description = "Not Admin or Manager", body = Envelope<String>),
        (status = 404, description = "No such product", body = Envelope<String>),
        (status = 409, description = "`inventory.adjustment_exceeds_available` (would go below reserved or zero), `inventory.on_hand_limit_exceeded`", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn change_stock(
    State(state): State<WriteState>,
    Staff(caller): Staff,
    context: RequestContext,
    path: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<StockRequest>,
) -> Result<Response, ApiError> {
    let id = product_id(path)?;
    let quantity = body.quantity;
    let change = StockChange::try_from(body)?;
    let request = ChangeStock { product_id: id, change, at: Utc::now(), metadata: context.metadata(caller.actor()) };
    let changed = stock::change_stock(&state.commands, request).await.map_err(|error| match error {
        StockError::ProductNotFound(_) => ApiError::new(ErrorCode::ProductNotFound, "product not found"),
        StockError::Inventory(error) => command_error(error),
        StockError::Product(error) => command_error(error),
    })?;
    let data = StockChanged {
        product_id: id.to_string(),
        sku: changed.sku.to_string(),
        quantity,
        on_hand: changed.on_hand,
        reserved: changed.reserved,
        available: changed.available,
        position: changed.position,
    };
    Ok(with_position(ok(data), changed.position))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn change(quantity: i64, reason: Option<&str>) -> Result<StockChange, ApiError> {
        StockChange::try_from(StockRequest { quantity, reason: reason.map(str::to_owned) })
    }

    #[test]
    fn positive_receives_and_with_a_reason_adjusts_up() {
        assert_eq!(change(5, None).unwrap(), StockChange::Receive(Quantity::new(5).unwrap()));
        assert_eq!(change(5, Some("  ")).unwrap(), StockChange::Receive(Quantity::new(5).unwrap()));
        assert_eq!(
            change(5, Some("found a box")).unwrap(),
            StockChange::Adjust { delta: 5, reason: "found a box".into() }
        );
    }

    #[test]
    fn negative_needs_a_reason() {
        assert_eq!(change(-2, Some("damaged")).unwrap(), StockChange::Adjust { delta: -2, reason: "damaged".into() });
        let error = change(-2, None).unwrap_err();
        assert_eq!(error.errors[0].field, "reason");
    }

    #[test]
    fn zero_and_absurd_quantities_are_refused() {
        for bad in [0, 1_000_001, -1_000_001, i64::MIN, i64::MAX] {
            let error = change(bad, Some("x")).unwrap_err();
            assert_eq!(error.errors[0].field, "quantity", "{bad}");
        }
        assert_eq!(change(1, Some(&"r".repeat(201))).unwrap_err().errors[0].field, "reason");
    }
}
