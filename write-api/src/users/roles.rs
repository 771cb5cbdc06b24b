//! Granting and revoking roles (Admin only): how a shop gets its managers. A change
//! reaches the account's access tokens at its next login or refresh.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_domain::customer::{Customer, CustomerCommand, Role};
use emporium_domain::ids::CustomerId;
use serde::Deserialize;
use uuid::Uuid;

use super::account;
use super::answers::RolesWritten;
use crate::command::run;
use crate::errors::command_error;
use crate::state::WriteState;

/// `POST /api/v1/users/{id}/roles`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRoleRequest {
    /// `admin`, `manager` or `customer`.
    #[schema(schema_with = emporium_api_kit::schema_rules::role)]
    pub role: String,
}

/// The path of `DELETE /api/v1/users/{id}/roles/{role}`, for the document.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct RolePath {
    /// The customer's id.
    id: String,
    /// admin, manager or customer.
    #[param(schema_with = emporium_api_kit::schema_rules::role)]
    role: String,
}

fn parse_role(field: &str, raw: &str) -> Result<Role, ApiError> {
    Role::parse(&raw.trim().to_ascii_lowercase()).ok_or_else(|| {
        ApiError::field(field, ErrorCode::CustomerInvalidRole, "role must be admin, manager or customer")
    })
}

fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw.trim()).map_err(|_| account::not_found())
}

/// Gives an account a role.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/roles",
    tag = "users",
    params(("id" = String, Path, description = "The customer's id")),
    request_body = GrantRoleRequest,
    responses(
        (status = 200, description = "Granted", body = Envelope<RolesWritten>),
        (status = 400, description = "Unknown role", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 403, description = "Not Admin", body = Envelope<String>),
        (status = 404, description = "No such customer", body = Envelope<String>),
        (status = 409, description = "`customer.role_already_granted`", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn grant_role(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<GrantRoleRequest>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let role = parse_role("role", &body.role)?;
    let customer_id = parse_id(&id)?;
    let command = CustomerCommand::GrantRole { customer_id: CustomerId::from_uuid(customer_id), role, at: Utc::now() };
    change(&state, &context, &caller, customer_id, command).await
}

/// Takes a role away from an account (an admin cannot drop their own Admin role).
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}/roles/{role}",
    tag = "users",
    params(RolePath),
    responses(
        (status = 200, description = "Revoked", body = Envelope<RolesWritten>),
        (status = 400, description = "Unknown role", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 403, description = "Not Admin", body = Envelope<String>),
        (status = 404, description = "No such customer", body = Envelope<String>),
        (status = 409, description = "`customer.role_not_held`, or an admin revoking their own Admin role", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn revoke_role(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    Path((id, role)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let role = parse_role("role", &role)?;
    let customer_id = parse_id(&id)?;
    if customer_id == caller.customer_id && role == Role::Admin {
        return Err(ApiError::new(ErrorCode::CustomerOwnAdminRole, "an admin cannot revoke their own Admin role"));
    }
    let command = CustomerCommand::RevokeRole { customer_id: CustomerId::from_uuid(customer_id), role, at: Utc::now() };
    let answer = change(&state, &context, &caller, customer_id, command).await?;
    // Access tokens already issued carry the role: they end now (a refresh, which reads
    // the roles again, gives the customer a token without it).
    state.keys.sessions().end_all(customer_id).await?;
    Ok(answer)
}

async fn change(
    state: &WriteState,
    context: &RequestContext,
    caller: &Caller,
    customer_id: Uuid,
    command: CustomerCommand,
) -> Result<Response, ApiError> {
    let outcome = run::<Customer>(state, context, &caller.actor(), customer_id.to_string(), command, None)
        .await
        .map_err(command_error)?;
    let (account, _) = account::require(state, customer_id).await?;
    let data =
        RolesWritten { id: customer_id.to_string(), roles: account::role_names(&account), position: outcome.position };
    Ok(with_position(ok(data), outcome.position))
}
