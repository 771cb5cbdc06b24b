//! Placing an order for explicit lines: each product is priced now from its own
//! stream; the cart is left alone.

use emporium_api_kit::ApiError;
use emporium_domain::order::OrderLine;

use crate::cart::input::NewItem;
use crate::lookups::product_on_sale;
use crate::state::WriteState;

/// The lines at today's prices: 404/409 for a product that is gone or discontinued.
pub(crate) async fn priced_lines(state: &WriteState, lines: &[NewItem]) -> Result<Vec<OrderLine>, ApiError> {
    let mut priced = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        let product = product_on_sale(state, line.product_id).await.map_err(|mut error| {
            error.message = format!("lines[{index}]: {}", error.message);
            error
        })?;
        priced.push(OrderLine {
            product_id: line.product_id,
            sku: product.sku().clone(),
            name: product.name().to_owned(),
            unit_price: product.price(),
            quantity: line.quantity,
        });
    }
    Ok(priced)
}
