//! The payment read endpoints: a payment by id, the payments of an order, and a
//! customer's saved payment methods, from the `payments` and `payment_methods`
//! read models. Customers reach only their own (anything else is a 404); Admin and
//! Manager reach all.
//!
//! Layout: [`queries`] (payments), [`methods`] (saved methods), [`views`] (answers).

pub mod methods;
pub mod queries;
pub mod views;

use axum::Router;
use axum::routing::get;

use crate::state::ReadState;

/// The payments routes.
pub fn router() -> Router<ReadState> {
    Router::new()
        .route("/api/v1/payments/{paymentId}", get(queries::get_payment))
        .route("/api/v1/payments/order/{orderId}", get(queries::get_order_payments))
        .route("/api/v1/payments/methods/{userId}", get(methods::list_methods))
}

/// The OpenAPI description of the payment read endpoints.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(queries::get_payment, queries::get_order_payments, methods::list_methods),
    components(schemas(
        emporium_api_kit::MoneyView,
        views::MethodView,
        views::SavedMethodView,
        views::MethodList,
        views::RefundView,
        views::PaymentStep,
        views::PaymentView,
        views::OrderPayments,
    )),
    tags((name = "payments", description = "Payments and saved payment methods"))
)]
pub struct PaymentsApi;
