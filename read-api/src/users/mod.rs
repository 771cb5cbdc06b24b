//! The users read endpoints: the caller's own profile, from the `customers` read model.
//!
//! Layout: [`profile`] (the handler and the [`profile::Profile`] view).

pub mod profile;

use axum::Router;
use axum::routing::get;

use crate::state::ReadState;

/// The users routes.
pub fn router() -> Router<ReadState> {
    Router::new().route("/api/v1/users/profile", get(profile::get_profile))
}

/// The OpenAPI description of the users read endpoints.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(profile::get_profile),
    components(schemas(profile::Profile)),
    tags((name = "users", description = "Accounts, sign-in, passwords, e-mail verification and roles"))
)]
pub struct UsersApi;
