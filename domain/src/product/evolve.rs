//! Folds a product fact into the state; never fails, never validates.

use super::event::ProductEvent;
use super::state::{ProductRecord, ProductState};

/// Applies one event. Facts about a product never created are ignored.
pub(super) fn evolve(mut state: ProductState, event: &ProductEvent) -> ProductState {
    if let ProductEvent::ProductCreated(e) = event {
        state.product = Some(ProductRecord {
            id: e.product_id,
            sku: e.sku.clone(),
            name: e.name.clone(),
            description: e.description.clone(),
            price: e.price,
            category_id: e.category_id,
            images: e.images.clone(),
            created_at: e.at,
            discontinued_at: None,
        });
        return state;
    }
    let Some(product) = state.product.as_mut() else {
        return state;
    };
    match event {
        ProductEvent::ProductCreated(_) => {}
        ProductEvent::ProductDetailsChanged(e) => {
            product.name = e.name.clone();
            product.description = e.description.clone();
            product.images = e.images.clone();
        }
        ProductEvent::ProductPriceChanged(e) => product.price = e.price,
        ProductEvent::ProductCategoryAssigned(e) => product.category_id = Some(e.category_id),
        ProductEvent::ProductDiscontinued(e) => product.discontinued_at = Some(e.at),
    }
    state
}
