//! The notifications read endpoint: a customer's delivery history, from the
//! `notifications` read model (`emporium_projections::models::notifications`),
//! honouring `X-Emporium-Min-Position`. Layout: [`history`] (the handler and its
//! query), [`view`] (the shape of one notification).

pub mod history;
pub mod view;

use axum::Router;
use axum::routing::get;

use crate::state::ReadState;

/// The notifications routes.
pub fn router() -> Router<ReadState> {
    Router::new().route("/api/v1/notifications/{userId}/history", get(history::notification_history))
}

/// The OpenAPI description of the notifications read endpoint.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(history::notification_history),
    components(schemas(view::NotificationView, view::DeliveryStepView)),
    tags((name = "notifications", description = "Promotional campaigns, unsubscribe links and delivery history"))
)]
pub struct NotificationsApi;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use utoipa::OpenApi;

    #[test]
    fn the_route_is_described_and_does_not_conflict() {
        let _ = super::router();
        let doc = serde_json::to_value(super::NotificationsApi::openapi()).unwrap();
        assert!(doc["paths"].as_object().unwrap().contains_key("/api/v1/notifications/{userId}/history"));
    }
}
