//! `POST /api/v1/payments/methods`: the body checked, the use case run
//! (`commands/src/wallet.rs`: the provider describes the token, the token is kept
//! outside the log, the wallet records the method with the token's fingerprint), the
//! method answered.

use axum::extract::State;
use axum::response::Response;
use emporium_api_kit::envelope::{created, ok};
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_commands::wallet;
use emporium_domain::ids::CustomerId;
use emporium_domain::payment::wallet::SavedMethod;

use super::answers::MethodSaved;
use super::input::{NewMethod, SaveMethodRequest};
use super::refusals::wallet_error;
use crate::state::WriteState;

fn answer(method: &SavedMethod, position: u64) -> MethodSaved {
    MethodSaved {
        id: method.method_id.to_string(),
        brand: method.brand.clone(),
        last4: method.last4.clone(),
        provider: method.provider.clone(),
        position,
    }
}

/// Saves a provider token (e.g. `pm_card_visa`) as a payment method of the caller.
#[utoipa::path(
    post,
    path = "/api/v1/payments/methods",
    tag = "payments",
    request_body = SaveMethodRequest,
    responses(
        (status = 201, description = "Method saved", body = Envelope<MethodSaved>,
            headers(("Location" = String, description = "/api/v1/payments/methods/{userId}"), ("X-Emporium-Position" = u64, description = "Position of the event"))),
        (status = 200, description = "This token was already saved: the existing method", body = Envelope<MethodSaved>),
        (status = 400, description = "`payment.invalid_method` (the provider does not know the token) or `payment.card_number_refused`, naming `token`", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 409, description = "`wallet.too_many_methods`", body = Envelope<String>),
        (status = 503, description = "The payment provider is unavailable", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn save_method(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    ApiJson(body): ApiJson<SaveMethodRequest>,
) -> Result<Response, ApiError> {
    let method = NewMethod::try_from(body)?;
    let customer_id = CustomerId::from_uuid(caller.customer_id);
    let metadata = context.metadata(caller.actor());
    let saved = wallet::save_method(state.wallet_ports(), customer_id, &method.token, metadata)
        .await
        .map_err(|e| wallet_error("token", e))?;
    let data = answer(&saved.method, saved.position);
    if saved.created {
        let location = format!("/api/v1/payments/methods/{customer_id}");
        Ok(with_position(created(&location, data), saved.position))
    } else {
        Ok(with_position(ok(data), saved.position))
    }
}
