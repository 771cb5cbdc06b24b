//! Changing one's own profile: name, phone, marketing consent. Fields left out keep
//! their current value; `"phone": null` (or `""`) removes the number.

use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::envelope::ok;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Caller, Envelope, RequestContext};
use emporium_domain::customer::{Customer, CustomerCommand, Phone};
use emporium_domain::ids::CustomerId;
use serde::{Deserialize, Deserializer};

use super::account;
use super::answers::ProfileWritten;
use crate::command::run;
use crate::errors::command_error;
use crate::input::Problems;
use crate::state::WriteState;

/// `PUT /api/v1/users/profile`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    /// Display name, 1 to 200 characters (trimmed; not blank); unchanged when absent.
    #[serde(default)]
    #[schema(schema_with = emporium_api_kit::schema_rules::optional_text::<200>)]
    pub name: Option<String>,
    /// Contact number (5-20 of digits, spaces, `+`, `-`); `null` or `""` removes it;
    /// unchanged when absent.
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = emporium_api_kit::schema_rules::phone)]
    pub phone: Option<Option<String>>,
    /// Whether marketing mail is welcome; unchanged when absent.
    #[serde(default)]
    pub marketing_opt_in: Option<bool>,
}

/// Tells an absent field (`None`, by `default`) from an explicit `null` (`Some(None)`).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// The checked changes: `None` keeps the current value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileChange {
    /// New name.
    pub name: Option<String>,
    /// New phone (`Some(None)` removes it).
    pub phone: Option<Option<Phone>>,
    /// New consent.
    pub marketing_opt_in: Option<bool>,
}

impl TryFrom<ProfileRequest> for ProfileChange {
    type Error = ApiError;

    fn try_from(body: ProfileRequest) -> Result<Self, ApiError> {
        let mut problems = Problems::default();
        let name = body.name.as_deref().map(|raw| problems.name("name", raw));
        let phone = body.phone.as_ref().map(|raw| match raw.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(number) => problems.phone("phone", number).map(Some),
        });
        problems.finish(|| {
            Some(ProfileChange {
                name: match name {
                    None => None,
                    Some(checked) => Some(checked?),
                },
                phone: match phone {
                    None => None,
                    Some(checked) => Some(checked?),
                },
                marketing_opt_in: body.marketing_opt_in,
            })
        })
    }
}

/// Replaces the caller's profile fields that the body names.
#[utoipa::path(
    put,
    path = "/api/v1/users/profile",
    tag = "users",
    request_body = ProfileRequest,
    responses(
        (status = 200, description = "Profile changed", body = Envelope<ProfileWritten>,
            headers(("X-Emporium-Position" = u64, description = "Position of the event"))),
        (status = 400, description = "Invalid name or phone", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 404, description = "The account does not exist", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(customer_id = %caller.customer_id))]
pub async fn update_profile(
    State(state): State<WriteState>,
    caller: Caller,
    context: RequestContext,
    ApiJson(body): ApiJson<ProfileRequest>,
) -> Result<Response, ApiError> {
    let change = ProfileChange::try_from(body)?;
    let (current, _) = account::require(&state, caller.customer_id).await?;
    let name = change.name.unwrap_or_else(|| current.name().to_owned());
    let phone = change.phone.unwrap_or_else(|| current.phone().cloned());
    let marketing_opt_in = change.marketing_opt_in.unwrap_or(current.marketing_opt_in());
    let command = CustomerCommand::ChangeProfile {
        customer_id: CustomerId::from_uuid(caller.customer_id),
        name: name.clone(),
        phone: phone.as_ref().map(|p| p.as_str().to_owned()),
        marketing_opt_in,
        at: Utc::now(),
    };
    let outcome = run::<Customer>(&state, &context, &caller.actor(), caller.customer_id.to_string(), command, None)
        .await
        .map_err(command_error)?;
    let mut data = ProfileWritten::of(&current, outcome.position);
    data.name = name;
    data.phone = phone.map(String::from);
    data.marketing_opt_in = marketing_opt_in;
    Ok(with_position(ok(data), outcome.position))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<ProfileChange, ApiError> {
        ProfileChange::try_from(serde_json::from_str::<ProfileRequest>(json).unwrap())
    }

    #[test]
    fn absent_fields_keep_and_null_phone_removes() {
        assert_eq!(parse("{}").unwrap(), ProfileChange::default());
        assert_eq!(parse(r#"{"phone": null}"#).unwrap().phone, Some(None));
        assert_eq!(parse(r#"{"phone": ""}"#).unwrap().phone, Some(None));
        let change = parse(r#"{"name": " Ann ", "phone": "+44 20 7946 0958", "marketing_opt_in": true}"#).unwrap();
        assert_eq!(change.name.as_deref(), Some("Ann"));
        assert_eq!(change.phone.unwrap().unwrap().as_str(), "+44 20 7946 0958");
        assert_eq!(change.marketing_opt_in, Some(true));
    }

    #[test]
    fn bad_fields_are_all_reported() {
        let error = parse(r#"{"name": "", "phone": "call me maybe"}"#).unwrap_err();
        let fields: Vec<_> = error.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "phone"]);
        assert!(serde_json::from_str::<ProfileRequest>(r#"{"nickname": "x"}"#).is_err(), "unknown fields are refused");
    }
}
