//! `GET /api/v1/notifications/{userId}/history`: the messages sent to a customer,
//! newest first, paged, with each delivery's status and attempts. A customer reads
//! only their own (anyone else's is a 404); Admin and Manager read everyone's.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::MinPosition;
use emporium_api_kit::{ApiError, Caller, Envelope, FieldError};
use emporium_domain::notification::{Channel, NotificationKind, NotificationStatus};
use emporium_infra::read_store::{Query as ReadQuery, SortDirection};
use emporium_projections::models::notifications::NOTIFICATIONS;
use serde::Deserialize;
use uuid::Uuid;

use super::view::NotificationView;
use crate::paging::{DEFAULT_PAGE_SIZE, Listing, Paging};
use crate::state::ReadState;

/// Every status a filter may name.
const STATUSES: [NotificationStatus; 5] = [
    NotificationStatus::Queued,
    NotificationStatus::Sent,
    NotificationStatus::Retrying,
    NotificationStatus::Failed,
    NotificationStatus::GaveUp,
];

/// The query string of a notification history.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Page number from 1 (default 1).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    /// Notifications per page, 1-100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub page_size: Option<String>,
    /// Only notifications in this status (`queued`, `sent`, `retrying`, `failed`, `gave_up`).
    #[param(pattern = "^(|queued|sent|retrying|failed|gave_up)$")]
    pub status: Option<String>,
    /// Only notifications of this kind (`welcome`, `order_confirmation`, …, `promotion`).
    #[param(
        pattern = "^(|welcome|order_confirmation|payment_confirmation|shipping_update|cancellation|refund|promotion)$"
    )]
    pub kind: Option<String>,
    /// Only notifications on this channel (`email`, `sms`).
    #[param(pattern = "^(|email|sms)$")]
    pub channel: Option<String>,
}

/// The read-store query for a customer's history, or 400 naming each bad parameter.
pub fn history_query(customer: &str, params: &HistoryParams) -> Result<(ReadQuery, Paging), ApiError> {
    let mut errors = Vec::new();
    let paging = Paging::parse(params.page.as_deref(), params.page_size.as_deref(), DEFAULT_PAGE_SIZE, &mut errors);
    let mut query = ReadQuery::new().filter("customer_id", customer);
    let statuses: Vec<&str> = STATUSES.iter().map(NotificationStatus::as_str).collect();
    let kinds: Vec<&str> = NotificationKind::ALL.iter().map(NotificationKind::as_str).collect();
    let channels = [Channel::Email.as_str(), Channel::Sms.as_str()];
    for (field, raw, allowed) in [
        ("status", params.status.as_deref(), statuses.as_slice()),
        ("kind", params.kind.as_deref(), kinds.as_slice()),
        ("channel", params.channel.as_deref(), channels.as_slice()),
    ] {
        let Some(raw) = raw.map(str::trim).filter(|raw| !raw.is_empty()) else { continue };
        match allowed.iter().find(|name| **name == raw) {
            Some(name) => query = query.filter(field, *name),
            None => errors.push(FieldError::new(
                field,
                ErrorCode::ValidationInvalid,
                format!("{field} must be one of {}", allowed.join(", ")),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    Ok((query.sort("created_at", SortDirection::Desc).page(paging.offset(), paging.page_size), paging))
}

/// A customer's notifications, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/notifications/{userId}/history",
    tag = "notifications",
    params(
        ("userId" = String, Path, description = "The customer's id"),
        HistoryParams,
        ("X-Emporium-Min-Position" = Option<u64>, Header, description = "Wait until this position is applied"),
    ),
    responses(
        (status = 200, description = "A page of the customer's notifications", body = Envelope<Listing<NotificationView>>),
        (status = 400, description = "`page`, `page_size`, `status`, `kind` or `channel` is invalid", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "Another customer's history, or a malformed id", body = Envelope<String>),
        (status = 503, description = "The read model has not reached `X-Emporium-Min-Position` in 5 s", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn notification_history(
    State(state): State<ReadState>,
    caller: Caller,
    min: MinPosition,
    path: Result<Path<String>, PathRejection>,
    params: Result<Query<HistoryParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let customer = path
        .ok()
        .and_then(|Path(raw)| Uuid::parse_str(raw.trim()).ok())
        .filter(|id| caller.may_access(*id))
        .ok_or_else(|| ApiError::new(ErrorCode::UserNotFound, "customer not found"))?
        .to_string();
    let Query(params) =
        params.map_err(|rejection| ApiError::new(ErrorCode::RequestInvalidQuery, rejection.body_text()))?;
    let (query, paging) = history_query(&customer, &params)?;
    state.caught_up(min).await?;
    let page = state.reads.query(NOTIFICATIONS, &query).await.map_err(|e| ApiError::read_store(&e))?;
    let items = page.items.into_iter().map(NotificationView::from_doc).collect::<Result<Vec<_>, _>>()?;
    Ok(ok(Listing::new(items, page.total, paging)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn params(status: Option<&str>, kind: Option<&str>, channel: Option<&str>) -> HistoryParams {
        HistoryParams {
            status: status.map(Into::into),
            kind: kind.map(Into::into),
            channel: channel.map(Into::into),
            ..HistoryParams::default()
        }
    }

    #[test]
    fn the_history_is_the_customers_newest_first_with_optional_filters() {
        let (query, paging) = history_query("c1", &params(Some("gave_up"), Some("promotion"), Some("sms"))).unwrap();
        assert_eq!((paging.page, query.limit, query.filters.len()), (1, 20, 4));
        assert_eq!(query.sort.unwrap().field, "created_at");
    }

    #[test]
    fn unknown_filter_values_are_each_reported() {
        let error = history_query("c1", &params(Some("lost"), Some("spam"), Some("fax"))).unwrap_err();
        let fields: Vec<_> = error.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["status", "kind", "channel"]);
    }
}
