//! One coupon for staff (`GET /api/v1/coupons/{id}`, where a create's `Location`
//! points). There is no coupon read model, so the coupon is folded from its own
//! stream, which is always current: no waiting for projections is needed.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::{ApiError, Caller, Envelope};
use emporium_domain::Decider;
use emporium_domain::coupon::{Coupon, CouponEvent, CouponRecord, CouponState};
use emporium_domain::discount::Discount;
use emporium_domain::ids::CouponId;
use emporium_infra::codec::decode;
use serde::Serialize;

use crate::state::ReadState;
use emporium_api_kit::MoneyView;

/// Events read per page while folding a coupon's stream.
const PAGE: usize = 500;

/// A coupon as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CouponView {
    /// The coupon's id.
    pub id: String,
    /// The code shoppers type.
    pub code: String,
    /// `percent` or `fixed`.
    pub kind: String,
    /// Percent off (1-100), or the fixed amount off in minor units.
    pub value: i64,
    /// The fixed amount's currency; null for percent coupons.
    pub currency: Option<String>,
    /// The fixed amount off as money; null for percent coupons.
    pub amount_off: Option<MoneyView>,
    /// First instant it applies (RFC 3339).
    pub valid_from: String,
    /// First instant it no longer applies (RFC 3339).
    pub valid_until: String,
    /// Usage limit; null for unlimited.
    pub max_uses: Option<u32>,
    /// Orders using it now.
    pub uses: u32,
    /// True once disabled.
    pub disabled: bool,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

impl CouponView {
    fn of(coupon: &CouponRecord) -> Self {
        let (kind, value, amount_off) = match coupon.discount() {
            Discount::Percent { percent } => ("percent", i64::from(percent), None),
            Discount::Fixed { amount } => ("fixed", amount.amount(), Some(MoneyView::from(&amount))),
        };
        Self {
            id: coupon.id().to_string(),
            code: coupon.code().to_string(),
            kind: kind.to_owned(),
            value,
            currency: amount_off.as_ref().map(|m| m.currency.clone()),
            amount_off,
            valid_from: coupon.valid_from().to_rfc3339(),
            valid_until: coupon.valid_until().to_rfc3339(),
            max_uses: coupon.max_uses(),
            uses: coupon.uses(),
            disabled: coupon.is_disabled(),
            created_at: coupon.created_at().to_rfc3339(),
        }
    }
}

/// One coupon (Admin/Manager).
#[utoipa::path(
    get,
    path = "/api/v1/coupons/{id}",
    tag = "catalog",
    params(("id" = String, Path, description = "Coupon id")),
    responses(
        (status = 200, description = "The coupon", body = Envelope<CouponView>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 403, description = "Not Admin or Manager", body = Envelope<String>),
        (status = 404, description = "No such coupon", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_coupon(
    State(state): State<ReadState>,
    caller: Caller,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    caller.require_staff()?;
    let not_found = || ApiError::new(ErrorCode::CouponNotFound, "coupon not found");
    let id: CouponId = path.ok().and_then(|Path(raw)| raw.parse().ok()).ok_or_else(not_found)?;
    let coupon = load(&state, id).await?;
    coupon.coupon().map(|c| ok(CouponView::of(c))).ok_or_else(not_found)
}

async fn load(state: &ReadState, id: CouponId) -> Result<CouponState, ApiError> {
    let stream = Coupon::stream_id(&id);
    let mut coupon = CouponState::default();
    let mut from = 1;
    loop {
        let events = state.events.read_stream(&stream, from, PAGE).await.map_err(|e| ApiError::internal(&e))?;
        for recorded in &events {
            let event: CouponEvent = decode(recorded).map_err(|e| ApiError::internal(&e))?;
            coupon = Coupon::evolve(coupon, &event);
            from = recorded.stream_version + 1;
        }
        if events.len() < PAGE {
            return Ok(coupon);
        }
    }
}
