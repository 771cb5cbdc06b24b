//! Strategies for the domain's value types, built only through their public constructors.

use chrono::{DateTime, Utc};
use emporium_domain::coupon::CouponCode;
use emporium_domain::customer::{Phone, Role};
use emporium_domain::discount::Discount;
use emporium_domain::ids::{
    CartId, CartLineId, CategoryId, CouponId, CustomerId, OrderId, PaymentId, PaymentMethodId, ProductId,
};
use emporium_domain::money::{Currency, MAX_AMOUNT_MINOR, Money};
use emporium_domain::notification::{CampaignId, NotificationId};
use emporium_domain::order::{CountryCode, ShippingAddress};
use emporium_domain::payment::{MethodToken, TokenFingerprint};
use emporium_domain::values::{Email, Quantity, Sku, bounded_text};
use proptest::prelude::*;
use uuid::Uuid;

/// Any UUID.
pub fn uuid() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

/// Declares a strategy per typed id.
macro_rules! id_strategies {
    ($($name:ident -> $id:ident),+ $(,)?) => {$(
        #[doc = concat!("Any `", stringify!($id), "`.")]
        pub fn $name() -> impl Strategy<Value = $id> {
            uuid().prop_map($id::from_uuid)
        }
    )+};
}

id_strategies! {
    customer_id -> CustomerId, product_id -> ProductId, category_id -> CategoryId, cart_id -> CartId,
    cart_line_id -> CartLineId, coupon_id -> CouponId, order_id -> OrderId, payment_id -> PaymentId,
    payment_method_id -> PaymentMethodId, notification_id -> NotificationId, campaign_id -> CampaignId,
}

/// An instant between 1970 and 2100, with sub-second precision.
pub fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_102_444_800, 0u32..1_000_000_000)
        .prop_filter_map("representable instant", |(secs, nanos)| DateTime::from_timestamp(secs, nanos))
}

/// A currency code, given in any case.
pub fn currency() -> impl Strategy<Value = Currency> {
    "[A-Za-z]{3}".prop_map(|code| Currency::parse(&code).unwrap())
}

/// Any valid amount in `currency`, zero and the maximum included.
pub fn money_in(currency: Currency) -> impl Strategy<Value = Money> {
    prop_oneof![
        1 => Just(0),
        1 => Just(MAX_AMOUNT_MINOR),
        8 => 0..=MAX_AMOUNT_MINOR,
    ]
    .prop_map(move |amount| Money::new(amount, currency).unwrap())
}

/// A price up to 100 000 major units, so a line of up to 1000 units stays in range.
pub fn price_in(currency: Currency) -> impl Strategy<Value = Money> {
    (0i64..=10_000_000).prop_map(move |amount| Money::new(amount, currency).unwrap())
}

/// Any valid amount in any currency.
pub fn money() -> impl Strategy<Value = Money> {
    currency().prop_flat_map(money_in)
}

/// A SKU, given in any case.
pub fn sku() -> impl Strategy<Value = Sku> {
    "[A-Za-z0-9_-]{1,64}".prop_map(|raw| Sku::parse(&raw).unwrap())
}

/// Any quantity, the bounds included.
pub fn quantity() -> impl Strategy<Value = Quantity> {
    prop_oneof![Just(1), Just(i64::from(Quantity::MAX)), 1..=i64::from(Quantity::MAX)]
        .prop_map(|n| Quantity::new(n).unwrap())
}

/// A small quantity, for lines whose totals must stay in range.
pub fn small_quantity() -> impl Strategy<Value = Quantity> {
    (1i64..=1000).prop_map(|n| Quantity::new(n).unwrap())
}

/// A trimmed, non-empty text of up to `max` printable characters (any script).
pub fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("\\PC{{1,{max}}}"))
        .unwrap()
        .prop_filter_map("non-blank text", move |raw| bounded_text("text", &raw, max).ok())
}

/// A reason, a carrier name or similar free text.
pub fn short_text() -> impl Strategy<Value = String> {
    text(40)
}

/// An e-mail address, given in any case.
pub fn email() -> impl Strategy<Value = Email> {
    "[A-Za-z0-9._%+-]{1,20}@[A-Za-z0-9-]{1,12}(\\.[A-Za-z0-9-]{1,8}){1,2}"
        .prop_filter_map("valid e-mail", |raw| Email::parse(&raw).ok())
}

/// A phone number.
pub fn phone() -> impl Strategy<Value = Phone> {
    "\\+?[0-9][0-9 -]{3,17}[0-9]".prop_filter_map("valid phone", |raw| Phone::parse(&raw).ok())
}

/// Any role.
pub fn role() -> impl Strategy<Value = Role> {
    prop_oneof![Just(Role::Admin), Just(Role::Manager), Just(Role::Customer)]
}

/// A coupon code, given in any case.
pub fn coupon_code() -> impl Strategy<Value = CouponCode> {
    "[A-Za-z0-9_-]{3,32}".prop_map(|raw| CouponCode::parse(&raw).unwrap())
}

/// A discount a decider accepts: 1-100 per cent, or a positive amount in `currency`.
pub fn discount_in(currency: Currency) -> impl Strategy<Value = Discount> {
    prop_oneof![
        (1u8..=100).prop_map(|percent| Discount::Percent { percent }),
        money_in(currency).prop_filter("positive", |m| !m.is_zero()).prop_map(|amount| Discount::Fixed { amount }),
    ]
}

/// An assigned country code, given in any case.
pub fn country() -> impl Strategy<Value = CountryCode> {
    "[A-Za-z]{2}".prop_filter_map("assigned country code", |raw| CountryCode::parse(&raw).ok())
}

/// One part of an address: no commas, so it can also be written as v1's one-line address.
fn address_part(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[^,\\pC]{{1,{max}}}"))
        .unwrap()
        .prop_filter_map("non-blank part", move |raw| bounded_text("part", &raw, max).ok())
}

/// A normalized shipping address.
pub fn shipping_address() -> impl Strategy<Value = ShippingAddress> {
    (
        address_part(40),
        address_part(40),
        proptest::option::of(address_part(40)),
        address_part(30),
        address_part(10),
        country(),
    )
        .prop_filter_map("valid address", |(name, line1, line2, city, postal_code, country)| {
            ShippingAddress { name, line1, line2, city, postal_code, country }.normalized().ok()
        })
}

/// The fingerprint of a provider token.
pub fn token_fingerprint() -> impl Strategy<Value = TokenFingerprint> {
    "(pm|tok|ba)_[A-Za-z0-9]{4,24}".prop_map(|token| MethodToken::new(token).fingerprint())
}
