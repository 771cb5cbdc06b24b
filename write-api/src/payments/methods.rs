//! Saving a payment method to the caller's wallet: the provider describes the token
//! (brand, last four digits), the token is kept outside the log, and the wallet
//! records the method with the token's fingerprint.

use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::envelope::{created, ok};
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_domain::ids::{CustomerId, PaymentMethodId};
use emporium_domain::payment::wallet::SavedMethod;
use emporium_domain::payment::{Wallet, WalletCommand, WalletState};
use uuid::Uuid;

use super::answers::MethodSaved;
use super::input::{NewMethod, SaveMethodRequest};
use super::refusals::method_refused;
use super::tokens::{keep_token, wallet};
use crate::catalog::precheck::precheck;
use crate::command::run;
use crate::errors::command_error;
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

/// The method already saved with this token, if any.
fn existing(wallet: &WalletState, method: &NewMethod) -> Option<SavedMethod> {
    wallet.wallet().and_then(|w| w.method_with_fingerprint(method.token.fingerprint())).cloned()
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
    let details = state.gateway.describe_method(method.token.expose()).await.map_err(|e| method_refused("token", e))?;
    let customer_id = CustomerId::from_uuid(caller.customer_id);
    let (current, position) = wallet(&state, customer_id).await?;
    if let Some(saved) = existing(&current, &method) {
        return Ok(with_position(ok(answer(&saved, position)), position));
    }
    let method_id = PaymentMethodId::from_uuid(Uuid::now_v7());
    let command = WalletCommand::SaveMethod {
        customer_id,
        method_id,
        provider: state.gateway.name().to_owned(),
        token: method.token.clone(),
        brand: details.brand,
        last4: details.last4,
        at: Utc::now(),
    };
    precheck::<Wallet>(&current, &command)?;
    keep_token(&state, method_id, &method.token).await?;
    let outcome = run::<Wallet>(&state, &context, &caller.actor(), customer_id.to_string(), command, None)
        .await
        .map_err(command_error)?;
    let (after, position) = wallet(&state, customer_id).await?;
    let saved = after.wallet().and_then(|w| w.method(method_id)).cloned();
    match (saved, outcome.appended) {
        (Some(saved), appended) if appended > 0 => {
            let location = format!("/api/v1/payments/methods/{customer_id}");
            Ok(with_position(created(&location, answer(&saved, outcome.position)), outcome.position))
        }
        // A concurrent request saved the same token first: answer with its method.
        _ => match existing(&after, &method) {
            Some(saved) => Ok(with_position(ok(answer(&saved, position)), position)),
            None => Err(ApiError::internal(&std::io::Error::other("a saved payment method vanished from its wallet"))),
        },
    }
}
