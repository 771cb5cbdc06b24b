//! Creating, changing and discontinuing products (Admin/Manager).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;
use emporium_api_kit::ErrorCode;
use emporium_api_kit::envelope::{created, ok};
use emporium_api_kit::position::with_position;
use emporium_api_kit::{ApiError, ApiJson, Envelope, RequestContext};
use emporium_commands::unique::Creation;
use emporium_domain::ids::ProductId;
use emporium_domain::inventory::{Inventory, InventoryCommand};
use emporium_domain::product::{Product, ProductCommand, ProductError, ProductState};
use emporium_domain::values::Sku;
use uuid::Uuid;

use super::answers::{ProductRemoved, ProductWritten};
use super::lookups::{existing_product, require_category};
use super::path_ids::product_id;
use super::precheck::precheck;
use super::product_input::{CreateProductRequest, NewProduct, ProductChanges, UpdateProductRequest};
use super::staff::Staff;
use emporium_infra::accounts::ClaimKind;

use super::claims::create;
use crate::command::run;
use crate::errors::command_error;
use crate::state::WriteState;

fn sku_taken(sku: &Sku) -> ApiError {
    ApiError::new(ErrorCode::ProductSkuTaken, format!("another product has the SKU {sku}"))
}

/// Adds a product; its `stock`, if any, is received into the SKU's inventory.
#[utoipa::path(
    post,
    path = "/api/v1/products",
    tag = "catalog",
    request_body = CreateProductRequest,
    responses(
        (status = 201, description = "Product created; `Location` names it", body = Envelope<ProductWritten>,
            headers(("Location" = String, description = "/api/v1/products/{id}"), ("X-Emporium-Position" = u64, description = "Position of the last event"))),
        (status = 400, description = "Invalid field(s), or `category` names no category", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 403, description = "Not Admin or Manager", body = Envelope<String>),
        (status = 409, description = "`product.sku_taken`: another product has the SKU", body = Envelope<String>),
        (status = 415, description = "Body is not JSON", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn create_product(
    State(state): State<WriteState>,
    Staff(caller): Staff,
    context: RequestContext,
    ApiJson(body): ApiJson<CreateProductRequest>,
) -> Result<Response, ApiError> {
    let product = NewProduct::try_from(body)?;
    let at = Utc::now();
    let candidate = Uuid::now_v7();
    precheck::<Product>(&ProductState::default(), &product.command(ProductId::from_uuid(candidate), at))?;
    if let Some(category) = product.category_id {
        require_category(&state, "category", category).await?;
    }
    let actor = caller.actor();
    let created_as = create::<Product>(
        &state,
        context.metadata(&actor),
        (ClaimKind::Sku, product.sku.as_str()),
        candidate,
        |id| product.command(ProductId::from_uuid(id), at),
        |refusal| matches!(refusal, ProductError::AlreadyExists),
    )
    .await?;
    let Creation::Created { id, mut position } = created_as else {
        return Err(sku_taken(&product.sku));
    };
    let id = ProductId::from_uuid(id);
    if let Some(quantity) = product.stock {
        let receive = InventoryCommand::ReceiveStock { sku: product.sku.clone(), quantity, at };
        // Derived from the product id: receiving the initial stock twice is impossible.
        let command_id = Uuid::new_v5(&id.as_uuid(), b"initial-stock");
        let stocked = run::<Inventory>(&state, &context, &actor, product.sku.to_string(), receive, Some(command_id))
            .await
            .map_err(command_error)?;
        position = position.max(stocked.position);
    }
    let data = ProductWritten { id: id.to_string(), sku: product.sku.to_string(), position };
    Ok(with_position(created(&format!("/api/v1/products/{id}"), data), position))
}

/// Changes what differs among name, description, images, price and category.
#[utoipa::path(
    put,
    path = "/api/v1/products/{id}",
    tag = "catalog",
    params(("id" = String, Path, description = "Product id")),
    request_body = UpdateProductRequest,
    responses(
        (status = 200, description = "Changed (or already so)", body = Envelope<ProductWritten>,
            headers(("X-Emporium-Position" = u64, description = "Position of the product's last event"))),
        (status = 400, description = "Invalid field(s), or `category` names no category", body = Envelope<String>),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 403, description = "Not Admin or Manager", body = Envelope<String>),
        (status = 404, description = "No such product", body = Envelope<String>),
        (status = 409, description = "`product.discontinued`, or `product.currency_change`", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn update_product(
    State(state): State<WriteState>,
    Staff(caller): Staff,
    context: RequestContext,
    path: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<UpdateProductRequest>,
) -> Result<Response, ApiError> {
    let id = product_id(path)?;
    let changes = ProductChanges::try_from(body)?;
    let current = existing_product(&state, id).await?;
    let commands = change_commands(id, &current.record, changes.clone());
    for command in &commands {
        precheck::<Product>(&current.state, command)?;
    }
    if let Some(category) = changes.category_id {
        require_category(&state, "category", category).await?;
    }
    let mut position = current.position;
    for command in commands {
        let outcome = run::<Product>(&state, &context, &caller.actor(), id.to_string(), command, None)
            .await
            .map_err(command_error)?;
        position = position.max(outcome.position);
    }
    let data = ProductWritten { id: id.to_string(), sku: current.record.sku().to_string(), position };
    Ok(with_position(ok(data), position))
}

/// One command per kind of change sent; the domain skips what does not differ.
fn change_commands(
    product_id: ProductId,
    current: &emporium_domain::product::ProductRecord,
    changes: ProductChanges,
) -> Vec<ProductCommand> {
    let at = Utc::now();
    let mut commands = Vec::new();
    if changes.touches_details() {
        commands.push(ProductCommand::ChangeDetails {
            product_id,
            name: changes.name.clone().unwrap_or_else(|| current.name().to_owned()),
            description: changes.description.clone().unwrap_or_else(|| current.description().to_owned()),
            images: changes.images.clone().unwrap_or_else(|| current.images().to_vec()),
            at,
        });
    }
    if let Some(price) = changes.price {
        commands.push(ProductCommand::ChangePrice { product_id, price, at });
    }
    if let Some(category_id) = changes.category_id {
        commands.push(ProductCommand::AssignCategory { product_id, category_id, at });
    }
    if commands.is_empty() && current.is_discontinued() {
        // An empty change of a discontinued product is still a change of one.
        commands.push(ProductCommand::ChangeDetails {
            product_id,
            name: current.name().to_owned(),
            description: current.description().to_owned(),
            images: current.images().to_vec(),
            at,
        });
    }
    commands
}

/// Discontinues the product: it leaves listings and search and can no longer be
/// sold or changed; `GET /api/v1/products/{id}` still shows it, with `discontinued: true`.
#[utoipa::path(
    delete,
    path = "/api/v1/products/{id}",
    tag = "catalog",
    params(("id" = String, Path, description = "Product id")),
    responses(
        (status = 200, description = "Discontinued (or already so)", body = Envelope<ProductRemoved>,
            headers(("X-Emporium-Position" = u64, description = "Position of the product's last event"))),
        (status = 401, description = "No valid bearer token", body = Envelope<String>),
        (status = 403, description = "Not Admin or Manager", body = Envelope<String>),
        (status = 404, description = "No such product", body = Envelope<String>),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(actor = %caller.actor()))]
pub async fn discontinue_product(
    State(state): State<WriteState>,
    Staff(caller): Staff,
    context: RequestContext,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = product_id(path)?;
    let command = ProductCommand::Discontinue { product_id: id, at: Utc::now() };
    let outcome = run::<Product>(&state, &context, &caller.actor(), id.to_string(), command, None)
        .await
        .map_err(command_error)?;
    let data = ProductRemoved { id: id.to_string(), discontinued: true, position: outcome.position };
    Ok(with_position(ok(data), outcome.position))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use emporium_domain::Decider;
    use emporium_domain::money::{Currency, Money};

    use super::*;

    fn record() -> (ProductId, ProductState) {
        let id = ProductId::from_uuid(Uuid::now_v7());
        let create = ProductCommand::CreateProduct {
            product_id: id,
            sku: Sku::parse("TEE").unwrap(),
            name: "Tee".into(),
            description: String::new(),
            price: Money::new(1000, Currency::parse("USD").unwrap()).unwrap(),
            category_id: None,
            images: vec![],
            at: Utc::now(),
        };
        let events = Product::decide(&ProductState::default(), &create).unwrap();
        (id, Product::replay(&events))
    }

    #[test]
    fn only_sent_kinds_of_change_become_commands() {
        let (id, state) = record();
        let current = state.product().unwrap();
        let changes = ProductChanges { description: Some("New".into()), ..Default::default() };
        let commands = change_commands(id, current, changes);
        assert!(
            matches!(&commands[..], [ProductCommand::ChangeDetails { name, description, .. }] if name == "Tee" && description == "New")
        );
        let price = Money::new(1200, Currency::parse("USD").unwrap()).unwrap();
        let commands = change_commands(id, current, ProductChanges { price: Some(price), ..Default::default() });
        assert!(matches!(&commands[..], [ProductCommand::ChangePrice { .. }]));
        assert!(change_commands(id, current, ProductChanges::default()).is_empty());
    }
}
