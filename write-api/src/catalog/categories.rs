//! Creating categories (Admin/Manager). Sibling names are unique (case-insensitive):
//! the account store holds a `category_name` claim per parent and name.

use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::created;
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Envelope, RequestContext};
use emporium_commands::unique::Creation;
use emporium_domain::category::{Category, CategoryCommand, CategoryError, CategoryState};
use emporium_domain::ids::CategoryId;
use serde::Deserialize;
use uuid::Uuid;

use super::answers::CategoryWritten;
use super::lookups::category_exists;
use super::precheck::precheck;
use super::staff::Staff;
use crate::input::{Problems, id, text};
use emporium_infra::accounts::ClaimKind;

use super::claims::create;
use crate::state::WriteState;

/// Longest category name (the category aggregate's own limit).
const MAX_NAME_CHARS: usize = 100;

/// `POST /api/v1/categories`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCategoryRequest {
    /// Display name, 1-100 characters (trimmed; not blank), unique among its siblings.
    #[schema(schema_with = emporium_api_kit::schema_rules::text::<100>)]
    pub name: String,
    /// The id of an existing category to sit under, or null for a top-level one.
    #[serde(default)]
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
}

/// A checked category request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCategory {
    /// Display name, trimmed.
    pub name: String,
    /// Parent, not yet checked to exist.
    pub parent_id: Option<CategoryId>,
}

impl TryFrom<CreateCategoryRequest> for NewCategory {
    type Error = ApiError;

    fn try_from(body: CreateCategoryRequest) -> Result<Self, ApiError> {
        let mut problems = Problems::default();
        let name = text(&mut problems, "name", ErrorCode::CategoryInvalidName, &body.name, MAX_NAME_CHARS);
        let parent_id = body.parent_id.as_deref().map(|raw| id(&mut problems, "parent_id", raw));
        problems.finish(|| {
            let parent_id = match parent_id {
                None => None,
                Some(parsed) => Some(parsed?),
            };
            Some(NewCategory { name: name?, parent_id })
        })
    }
}

impl NewCategory {
    /// The uniqueness key: parent (or `root`) and the lower-cased name.
    pub fn sibling_key(&self) -> String {
        let parent = self.parent_id.map_or_else(|| "root".to_owned(), |p| p.to_string());
        format!("{parent}/{}", self.name.to_lowercase())
    }
}

/// Creates a category, optionally under an existing parent.
#[utoipa::path(
    post,
    path = "/api/v1/categories",
    tag = "catalog",
    request_body = CreateCategoryRequest,
    responses(
        (status = 201, description = "Category created", body = Envelope<CategoryWritten>,
            headers(("Location" = String, description = "/api/v1/categories/{id}"), ("X-Emporium-Position" = u64, description = "Position of the event"))),
        (status = 400, description = "Invalid name, or `parent_id` names no category", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 403, description = "Not Admin or Manager", body = Envelope<String>),
        (status = 409, description = "`category.name_taken`: a sibling has this name", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn create_category(
    State(state): State<WriteState>,
    Staff(caller): Staff,
    context: RequestContext,
    ApiJson(body): ApiJson<CreateCategoryRequest>,
) -> Result<Response, ApiError> {
    let category = NewCategory::try_from(body)?;
    let at = Utc::now();
    let candidate = Uuid::now_v7();
    let command = |category_id| CategoryCommand::CreateCategory {
        category_id,
        name: category.name.clone(),
        parent_id: category.parent_id,
        at,
    };
    precheck::<Category>(&CategoryState::default(), &command(CategoryId::from_uuid(candidate)))?;
    let missing_parent = match category.parent_id {
        Some(parent) if !category_exists(&state, parent).await? => Some(parent),
        _ => None,
    };
    if let Some(parent) = missing_parent {
        return Err(ApiError::field(
            "parent_id",
            ErrorCode::CategoryParentNotFound,
            format!("no category has the id {parent}"),
        ));
    }
    let name_taken = || {
        ApiError::new(
            ErrorCode::CategoryNameTaken,
            format!("a category named {:?} already exists there", category.name),
        )
    };
    let created_as = create::<Category>(
        &state,
        context.metadata(caller.actor()),
        (ClaimKind::CategoryName, &category.sibling_key()),
        candidate,
        |id| command(CategoryId::from_uuid(id)),
        |refusal| matches!(refusal, CategoryError::AlreadyExists),
    )
    .await?;
    let Creation::Created { id, position } = created_as else {
        return Err(name_taken());
    };
    let data = CategoryWritten {
        id: id.to_string(),
        name: category.name.clone(),
        parent_id: category.parent_id.map(|p| p.to_string()),
        position,
    };
    Ok(with_position(created(&format!("/api/v1/categories/{id}"), data), position))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_parents_must_be_ids() {
        let ok = NewCategory::try_from(CreateCategoryRequest { name: " Shoes ".into(), parent_id: None }).unwrap();
        assert_eq!(ok.name, "Shoes");
        assert_eq!(ok.sibling_key(), "root/shoes");
        let bad =
            NewCategory::try_from(CreateCategoryRequest { name: "x".repeat(101), parent_id: Some("clothes".into()) })
                .unwrap_err();
        let fields: Vec<_> = bad.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "parent_id"]);
    }
}
