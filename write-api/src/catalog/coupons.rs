//! Creating discount coupons (Admin/Manager). Codes are unique: the account store
//! holds a `coupon_code` claim from the upper-cased code to the coupon id, which is
//! also how the cart finds a coupon by the code a shopper types.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, TimeZone, Utc};
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::created;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Envelope, RequestContext};
use emporium_commands::unique::Creation;
use emporium_domain::coupon::{Coupon, CouponCode, CouponCommand, CouponError, CouponState};
use emporium_domain::discount::Discount;
use emporium_domain::ids::CouponId;
use emporium_domain::money::{Currency, MAX_AMOUNT_MINOR, Money};
use serde::Deserialize;
use uuid::Uuid;

use super::answers::CouponWritten;
use super::precheck::precheck;
use super::staff::Staff;
use crate::input::Problems;
use emporium_infra::accounts::ClaimKind;

use super::claims::create;
use crate::state::WriteState;

/// The currency of a fixed coupon that names none.
pub const DEFAULT_CURRENCY: &str = "USD";

/// What a coupon takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CouponKind {
    /// `value` per cent off the subtotal (1-100).
    Percent,
    /// `value` minor units of `currency` off the subtotal.
    Fixed,
}

/// `POST /api/v1/coupons`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCouponRequest {
    /// The code shoppers type: 3-32 of `A-Z 0-9 - _` (upper-cased); unique.
    #[schema(schema_with = emporium_api_kit::schema_rules::code::<3, 32>)]
    pub code: String,
    /// `percent` or `fixed`.
    pub kind: CouponKind,
    /// Percent off (1-100), or the fixed amount off in minor units (above 0).
    #[schema(minimum = 1)]
    pub value: i64,
    /// Fixed coupons only: ISO 4217 code of `value`; `USD` when absent.
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z]{3}$")]
    pub currency: Option<String>,
    /// First instant it applies (RFC 3339); now when absent.
    #[serde(default)]
    pub valid_from: Option<DateTime<Utc>>,
    /// First instant it no longer applies (RFC 3339); never expires when absent.
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
    /// How many orders may use it (at least 1); unlimited when absent.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub max_uses: Option<i64>,
}

/// A checked coupon request; open ends of the validity window are resolved at `command`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCoupon {
    /// The code.
    pub code: CouponCode,
    /// What it takes off.
    pub discount: Discount,
    /// Start, if given.
    pub valid_from: Option<DateTime<Utc>>,
    /// End, if given.
    pub valid_until: Option<DateTime<Utc>>,
    /// Usage limit.
    pub max_uses: Option<u32>,
}

/// The end of a coupon that never expires.
fn never() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).single().unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl TryFrom<CreateCouponRequest> for NewCoupon {
    type Error = ApiError;

    fn try_from(body: CreateCouponRequest) -> Result<Self, ApiError> {
        let mut problems = Problems::default();
        let code = problems.check("code", ErrorCode::CouponInvalidCode, CouponCode::parse(&body.code));
        let discount = match body.kind {
            CouponKind::Percent => match u8::try_from(body.value).ok().filter(|p| (1..=100).contains(p)) {
                Some(percent) => Some(Discount::Percent { percent }),
                None => {
                    problems.add("value", ErrorCode::CouponInvalidPercent, "a percent coupon's value must be 1 to 100");
                    None
                }
            },
            CouponKind::Fixed => {
                let currency = body.currency.as_deref().unwrap_or(DEFAULT_CURRENCY);
                let currency = problems.check("currency", ErrorCode::MoneyInvalidCurrency, Currency::parse(currency));
                if !(1..=MAX_AMOUNT_MINOR).contains(&body.value) {
                    problems.add(
                        "value",
                        ErrorCode::CouponInvalidAmount,
                        format!("a fixed coupon's value must be 1 to {MAX_AMOUNT_MINOR} minor units"),
                    );
                }
                currency
                    .and_then(|c| Money::new(body.value, c).ok())
                    .filter(|m| !m.is_zero())
                    .map(|amount| Discount::Fixed { amount })
            }
        };
        if matches!((body.valid_from, body.valid_until), (Some(from), Some(until)) if until <= from) {
            problems.add("valid_until", ErrorCode::CouponInvalidValidity, "valid_until must be after valid_from");
        }
        let max_uses = match body.max_uses {
            None => Some(None),
            Some(n) => match u32::try_from(n).ok().filter(|n| *n >= 1) {
                Some(n) => Some(Some(n)),
                None => {
                    problems.add(
                        "max_uses",
                        ErrorCode::CouponInvalidMaxUses,
                        format!("max_uses must be 1 to {}", u32::MAX),
                    );
                    None
                }
            },
        };
        problems.finish(|| {
            Some(NewCoupon {
                code: code?,
                discount: discount?,
                valid_from: body.valid_from,
                valid_until: body.valid_until,
                max_uses: max_uses?,
            })
        })
    }
}

impl NewCoupon {
    /// The domain command creating this coupon as `coupon_id` at `now`.
    pub fn command(&self, coupon_id: CouponId, now: DateTime<Utc>) -> CouponCommand {
        CouponCommand::CreateCoupon {
            coupon_id,
            code: self.code.to_string(),
            discount: self.discount,
            valid_from: self.valid_from.unwrap_or(now),
            valid_until: self.valid_until.unwrap_or_else(never),
            max_uses: self.max_uses,
            at: now,
        }
    }
}

/// Creates a coupon.
#[utoipa::path(
    post,
    path = "/api/v1/coupons",
    tag = "catalog",
    request_body = CreateCouponRequest,
    responses(
        (status = 201, description = "Coupon created", body = Envelope<CouponWritten>,
            headers(("Location" = String, description = "/api/v1/coupons/{id}"), ("X-Emporium-Position" = u64, description = "Position of the event"))),
        (status = 400, description = "Invalid code, value, currency, window or max_uses", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 403, description = "Not Admin or Manager", body = Envelope<String>),
        (status = 409, description = "`coupon.code_taken`: another coupon has the code", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn create_coupon(
    State(state): State<WriteState>,
    Staff(caller): Staff,
    context: RequestContext,
    ApiJson(body): ApiJson<CreateCouponRequest>,
) -> Result<Response, ApiError> {
    let coupon = NewCoupon::try_from(body)?;
    let now = Utc::now();
    let candidate = Uuid::now_v7();
    precheck::<Coupon>(&CouponState::default(), &coupon.command(CouponId::from_uuid(candidate), now))?;
    let code_taken =
        || ApiError::new(ErrorCode::CouponCodeTaken, format!("another coupon has the code {}", coupon.code));
    let created_as = create::<Coupon>(
        &state,
        context.metadata(caller.actor()),
        (ClaimKind::CouponCode, coupon.code.as_str()),
        candidate,
        |id| coupon.command(CouponId::from_uuid(id), now),
        |refusal| matches!(refusal, CouponError::AlreadyExists),
    )
    .await?;
    let Creation::Created { id, position } = created_as else {
        return Err(code_taken());
    };
    let data = CouponWritten { id: id.to_string(), code: coupon.code.to_string(), position };
    Ok(with_position(created(&format!("/api/v1/coupons/{id}"), data), position))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn request(kind: CouponKind, value: i64) -> CreateCouponRequest {
        CreateCouponRequest {
            code: "save10".into(),
            kind,
            value,
            currency: None,
            valid_from: None,
            valid_until: None,
            max_uses: None,
        }
    }

    #[test]
    fn percent_coupons_take_1_to_100() {
        let coupon = NewCoupon::try_from(request(CouponKind::Percent, 10)).unwrap();
        assert_eq!((coupon.code.as_str(), coupon.discount), ("SAVE10", Discount::Percent { percent: 10 }));
        for bad in [0, 101, -5, 1 << 40] {
            assert_eq!(NewCoupon::try_from(request(CouponKind::Percent, bad)).unwrap_err().errors[0].field, "value");
        }
    }

    #[test]
    fn fixed_coupons_default_to_usd() {
        let coupon = NewCoupon::try_from(request(CouponKind::Fixed, 500)).unwrap();
        assert!(
            matches!(coupon.discount, Discount::Fixed { amount } if amount.amount() == 500 && amount.currency().as_str() == "USD")
        );
        let eur = NewCoupon::try_from(CreateCouponRequest {
            currency: Some("eur".into()),
            ..request(CouponKind::Fixed, 500)
        })
        .unwrap();
        assert!(matches!(eur.discount, Discount::Fixed { amount } if amount.currency().as_str() == "EUR"));
        assert!(NewCoupon::try_from(request(CouponKind::Fixed, 0)).is_err());
        assert!(NewCoupon::try_from(request(CouponKind::Fixed, MAX_AMOUNT_MINOR + 1)).is_err());
    }

    #[test]
    fn window_and_limit_are_checked_and_open_ends_resolved() {
        let now = Utc::now();
        let backwards = CreateCouponRequest {
            valid_from: Some(now),
            valid_until: Some(now),
            max_uses: Some(0),
            ..request(CouponKind::Percent, 5)
        };
        let fields: Vec<_> = NewCoupon::try_from(backwards).unwrap_err().errors.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["valid_until", "max_uses"]);
        let open = NewCoupon::try_from(request(CouponKind::Percent, 5)).unwrap();
        let CouponCommand::CreateCoupon { valid_from, valid_until, max_uses, .. } =
            open.command(CouponId::from_uuid(Uuid::now_v7()), now)
        else {
            panic!("a create command");
        };
        assert_eq!((valid_from, valid_until, max_uses), (now, never(), None));
    }
}
