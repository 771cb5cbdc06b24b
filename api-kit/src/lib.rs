//! HTTP plumbing shared by the write and read APIs: the seed's response envelope,
//! the API error type (the one place that knows HTTP status codes), a JSON body
//! extractor that answers in the envelope, bearer-token authentication, request ids,
//! and read-your-writes positions.
//!
//! Layout:
//! - [`envelope`]: `{"success", "data", "message", "errors"}`;
//! - [`error`]: [`ApiError`] and its `IntoResponse`;
//! - [`json`]: [`ApiJson`], the body extractor;
//! - [`token`]: HS256 JWT access tokens;
//! - [`sessions`]: ending every access token of an account at once (security versions);
//! - [`auth`]: the [`Caller`] extractor (a customer, a manager, an admin, or a guest);
//! - [`context`]: request ids and the metadata they give events;
//! - [`position`]: `X-Emporium-Position` and `X-Emporium-Min-Position`;
//! - [`idempotency`]: replaying the first answer to a repeated `Idempotency-Key`.

pub mod auth;
pub mod cart_view;
pub mod codes;
pub mod context;
pub mod envelope;
pub mod error;
pub mod idempotency;
pub mod json;
pub mod money_view;
pub mod position;
pub mod schema_rules;
pub mod sessions;
pub mod token;

pub use auth::{Caller, Guest, Role};
pub use codes::ErrorCode;
pub use context::RequestContext;
pub use envelope::{Envelope, FieldError};
pub use error::ApiError;
pub use json::ApiJson;
pub use money_view::MoneyView;
