//! `PUT /api/v1/orders/{orderId}/status` (Admin/Manager): ship or deliver an order.
//! Other statuses are set by the fulfilment saga or by cancelling, never here; the
//! order's own transition table refuses illegal moves with 409.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Envelope, FieldError, RequestContext};
use emporium_domain::ids::OrderId;
use emporium_domain::order::{Order, OrderCommand, OrderStatus};
use serde::Deserialize;

use super::answers::OrderStatusChanged;
use crate::catalog::staff::Staff;
use crate::command::run;
use crate::errors::command_error;
use crate::lookups::load;
use crate::state::WriteState;

/// Longest carrier name and tracking number.
pub const MAX_SHIPMENT_FIELD_CHARS: usize = 100;

/// The statuses this endpoint sets, as the document states them.
fn shipment_status() -> utoipa::openapi::Object {
    emporium_api_kit::schema_rules::one_of(&["shipped", "delivered"])
}

/// `PUT /api/v1/orders/{orderId}/status`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusUpdateRequest {
    /// `shipped` or `delivered`.
    #[schema(schema_with = shipment_status)]
    pub status: String,
    /// The carrier (required for `shipped`), 1-100 characters.
    #[serde(default)]
    #[schema(schema_with = emporium_api_kit::schema_rules::optional_text::<100>)]
    pub carrier: Option<String>,
    /// The carrier's tracking number (required for `shipped`), 1-100 characters.
    #[serde(default)]
    #[schema(schema_with = emporium_api_kit::schema_rules::optional_text::<100>)]
    pub tracking_number: Option<String>,
}

/// A checked status change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChange {
    /// Hand over to a carrier.
    Ship {
        /// The carrier.
        carrier: String,
        /// Its tracking number.
        tracking_number: String,
    },
    /// Mark as received.
    Deliver,
}

fn required(errors: &mut Vec<FieldError>, field: &str, raw: Option<&str>) -> Option<String> {
    let value = raw.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        errors.push(FieldError::new(
            field,
            ErrorCode::ValidationRequired,
            format!("{field} is required to ship an order"),
        ));
        None
    } else if value.chars().count() > MAX_SHIPMENT_FIELD_CHARS {
        errors.push(FieldError::new(
            field,
            ErrorCode::ValidationTooLong,
            format!("{field} must be at most {MAX_SHIPMENT_FIELD_CHARS} characters"),
        ));
        None
    } else {
        Some(value.to_owned())
    }
}

impl TryFrom<StatusUpdateRequest> for StatusChange {
    type Error = ApiError;

    fn try_from(body: StatusUpdateRequest) -> Result<Self, ApiError> {
        let status = body.status.trim().to_ascii_lowercase();
        match status.as_str() {
            "shipped" => {
                let mut errors = Vec::new();
                let carrier = required(&mut errors, "carrier", body.carrier.as_deref());
                let tracking_number = required(&mut errors, "tracking_number", body.tracking_number.as_deref());
                match (carrier, tracking_number) {
                    (Some(carrier), Some(tracking_number)) => Ok(Self::Ship { carrier, tracking_number }),
                    _ => Err(ApiError::invalid(errors)),
                }
            }
            "delivered" => Ok(Self::Deliver),
            other if OrderStatus::ALL.iter().any(|s| s.as_str() == other) => Err(ApiError::field(
                "status",
                ErrorCode::OrderStatusNotSettable,
                format!("{other} is set by checkout, payment or cancellation; this endpoint sets shipped or delivered"),
            )),
            _ => Err(ApiError::field("status", ErrorCode::ValidationInvalid, "status must be shipped or delivered")),
        }
    }
}

/// The order named by `/orders/{orderId}`, or 404 (a malformed id names no order).
pub(crate) fn order_id(path: Result<Path<String>, PathRejection>) -> Result<OrderId, ApiError> {
    path.ok().and_then(|Path(raw)| raw.trim().parse().ok()).ok_or_else(order_not_found)
}

/// 404 `order.not_found`.
pub(crate) fn order_not_found() -> ApiError {
    ApiError::new(ErrorCode::OrderNotFound, "order not found")
}

/// Ships or delivers an order.
#[utoipa::path(
    put,
    path = "/api/v1/orders/{orderId}/status",
    tag = "orders",
    params(("orderId" = String, Path, description = "The order's id")),
    request_body = StatusUpdateRequest,
    responses(
        (status = 200, description = "The order's new status", body = Envelope<OrderStatusChanged>,
            headers(("X-Emporium-Position" = u64, description = "Position of the event"))),
        (status = 400, description = "`status` is not shipped/delivered; `carrier` or `tracking_number` missing", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 403, description = "Not Admin or Manager", body = Envelope<String>),
        (status = 404, description = "`order.not_found`", body = Envelope<String>),
        (status = 409, description = "`order.invalid_transition` (e.g. shipping an order that is not confirmed)", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn update_status(
    State(state): State<WriteState>,
    Staff(caller): Staff,
    context: RequestContext,
    path: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<StatusUpdateRequest>,
) -> Result<Response, ApiError> {
    let order_id = order_id(path)?;
    let change = StatusChange::try_from(body)?;
    if load::<Order>(&state, &order_id.to_string()).await?.order().is_none() {
        return Err(order_not_found());
    }
    let at = Utc::now();
    let (command, status) = match change {
        StatusChange::Ship { carrier, tracking_number } => {
            (OrderCommand::Ship { order_id, carrier, tracking_number, at }, OrderStatus::Shipped)
        }
        StatusChange::Deliver => (OrderCommand::Deliver { order_id, at }, OrderStatus::Delivered),
    };
    let outcome = run::<Order>(&state, &context, &caller.actor(), order_id.to_string(), command, None)
        .await
        .map_err(command_error)?;
    let data = OrderStatusChanged {
        id: order_id.to_string(),
        status: status.as_str().to_owned(),
        cancellation_reason: None,
        refund_due: None,
        position: outcome.position,
    };
    Ok(with_position(ok(data), outcome.position))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn request(status: &str, carrier: Option<&str>, tracking_number: Option<&str>) -> StatusUpdateRequest {
        StatusUpdateRequest {
            status: status.into(),
            carrier: carrier.map(Into::into),
            tracking_number: tracking_number.map(Into::into),
        }
    }

    fn fields(error: ApiError) -> Vec<String> {
        error.errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn shipping_needs_a_carrier_and_a_tracking_number() {
        let ship = StatusChange::try_from(request("Shipped", Some(" DHL "), Some("JD0001"))).unwrap();
        assert_eq!(ship, StatusChange::Ship { carrier: "DHL".into(), tracking_number: "JD0001".into() });
        assert_eq!(
            fields(StatusChange::try_from(request("shipped", None, Some(" "))).unwrap_err()),
            ["carrier", "tracking_number"]
        );
        let long = "x".repeat(101);
        assert_eq!(
            fields(StatusChange::try_from(request("shipped", Some(&long), Some("1"))).unwrap_err()),
            ["carrier"]
        );
    }

    #[test]
    fn only_shipped_and_delivered_can_be_set() {
        assert_eq!(StatusChange::try_from(request("delivered", None, None)).unwrap(), StatusChange::Deliver);
        for other in ["pending", "confirmed", "cancelled", "refunded", "lost", ""] {
            let error = StatusChange::try_from(request(other, None, None)).unwrap_err();
            assert_eq!(fields(error), ["status"], "{other}");
        }
        let error = StatusChange::try_from(request("paid", None, None)).unwrap_err();
        assert_eq!(error.errors[0].code, "order.status_not_settable");
    }
}
