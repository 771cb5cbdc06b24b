//! Typed identifiers: a UUID that knows which aggregate it names.

/// Declares a UUID newtype with serde, `Display` and `FromStr`.
macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(transparent)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// Wraps a UUID (generated outside the domain, which has no clock).
            pub const fn from_uuid(id: uuid::Uuid) -> Self {
                Self(id)
            }

            /// The UUID inside.
            pub const fn as_uuid(&self) -> uuid::Uuid {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(id: uuid::Uuid) -> Self {
                Self(id)
            }
        }
    };
}

typed_id!(
    /// A customer account.
    CustomerId
);
typed_id!(
    /// A product of the catalog.
    ProductId
);
typed_id!(
    /// A catalog category.
    CategoryId
);
typed_id!(
    /// A shopping cart (one per customer).
    CartId
);
typed_id!(
    /// A line in a cart.
    CartLineId
);
typed_id!(
    /// A discount coupon.
    CouponId
);
typed_id!(
    /// An order.
    OrderId
);
typed_id!(
    /// A payment of an order.
    PaymentId
);
typed_id!(
    /// A saved payment method (a provider token, never a card number).
    PaymentMethodId
);
