//! The users write endpoints: registration, sign-in with rotating refresh tokens,
//! profile changes, passwords (change, forgot, reset), e-mail verification, roles.
//!
//! Credentials live in the account store only: Argon2id hashes ([`hashing`]) and
//! the SHA-256 of every single-use token ([`secrets`]); the log records facts such
//! as `CustomerPasswordChanged`, never a secret. Access tokens carry the roles the
//! account's stream shows at sign-in ([`sessions`]).
//!
//! Layout: one module per flow — [`register`], [`login`] (login, refresh, logout),
//! [`profile`], [`change_password`], [`recovery`] (forgot and reset), [`verify`],
//! [`roles`], and [`admin`] (the start-up admin account, [`ensure_admin`]); shared
//! pieces: [`input`] (field checks), [`account`] (loading an account), [`mail`]
//! (the mailed links), [`answers`] (response shapes), [`refusals`] (domain errors
//! as HTTP).

pub mod account;
pub mod admin;
pub mod answers;
pub mod change_password;
pub mod input;
pub mod login;
pub mod profile;
pub mod recovery;
pub mod refusals;
pub mod register;
pub mod roles;
pub mod sessions;
pub mod throttle;
pub mod verify;

#[cfg(test)]
mod tests;

use axum::Router;
use axum::routing::{delete, post, put};

pub use admin::ensure_admin;

use crate::state::WriteState;

/// The users routes.
pub fn router() -> Router<WriteState> {
    Router::new()
        .route("/api/v1/users/register", post(register::register))
        .route("/api/v1/users/login", post(login::login))
        .route("/api/v1/users/refresh", post(login::refresh))
        .route("/api/v1/users/logout", post(login::logout))
        .route("/api/v1/users/profile", put(profile::update_profile))
        .route("/api/v1/users/change-password", post(change_password::change_password))
        .route("/api/v1/users/forgot-password", post(recovery::forgot_password))
        .route("/api/v1/users/reset-password", post(recovery::reset_password))
        .route("/api/v1/users/verify-email", post(verify::verify_email))
        .route("/api/v1/users/verify-email/resend", post(verify::resend_verification))
        .route("/api/v1/users/{id}/roles", post(roles::grant_role))
        .route("/api/v1/users/{id}/roles/{role}", delete(roles::revoke_role))
}

/// The OpenAPI description of the users write endpoints.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        register::register,
        login::login,
        login::refresh,
        login::logout,
        profile::update_profile,
        change_password::change_password,
        recovery::forgot_password,
        recovery::reset_password,
        verify::verify_email,
        verify::resend_verification,
        roles::grant_role,
        roles::revoke_role,
    ),
    components(schemas(
        register::RegisterRequest,
        login::LoginRequest,
        login::RefreshRequest,
        login::LogoutRequest,
        profile::ProfileRequest,
        change_password::ChangePasswordRequest,
        recovery::ForgotPasswordRequest,
        recovery::ResetPasswordRequest,
        verify::VerifyEmailRequest,
        roles::GrantRoleRequest,
        answers::Registered,
        answers::ProfileWritten,
        answers::Done,
        answers::Accepted,
        answers::RolesWritten,
        sessions::Session,
    )),
    tags((name = "users", description = "Accounts, sign-in, passwords, e-mail verification and roles"))
)]
pub struct UsersApi;
