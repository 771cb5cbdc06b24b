//! The `Staff` extractor: an Admin or Manager, checked before the body is read, so a
//! customer is refused 403 (and a guest 401) whatever they send.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use emporium_api_kit::token::TokenKeys;
use emporium_api_kit::{ApiError, Caller};

/// An authenticated Admin or Manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff(pub Caller);

impl<S> FromRequestParts<S> for Staff
where
    TokenKeys: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require_staff()?;
        Ok(Self(caller))
    }
}
