//! Product request bodies and their conversion into checked values.

use chrono::{DateTime, Utc};
use emporium_api_kit::ApiError;
use emporium_api_kit::ErrorCode;
use emporium_domain::ids::{CategoryId, ProductId};
use emporium_domain::money::Money;
use emporium_domain::product::{
    MAX_DESCRIPTION_CHARS, MAX_IMAGE_URL_CHARS, MAX_IMAGES, MAX_NAME_CHARS, ProductCommand,
};
use emporium_domain::values::{Quantity, Sku};
use serde::Deserialize;

use crate::input::{MoneyInput, Problems, id, text};

/// `POST /api/v1/products`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProductRequest {
    /// Display name, 1-200 characters.
    #[schema(schema_with = emporium_api_kit::schema_rules::text::<200>)]
    pub name: String,
    /// Description, at most 5000 characters.
    #[serde(default)]
    #[schema(schema_with = emporium_api_kit::schema_rules::text_or_blank::<5000>)]
    pub description: String,
    /// Stock-keeping unit: 1-64 of `A-Z 0-9 - _` (upper-cased); unique.
    #[schema(schema_with = emporium_api_kit::schema_rules::code::<1, 64>)]
    pub sku: String,
    /// The id of an existing category, or null.
    #[serde(default)]
    #[schema(format = Uuid)]
    pub category: Option<String>,
    /// Unit price in minor units.
    pub price: MoneyInput,
    /// Up to 20 absolute http(s) image URLs.
    #[serde(default)]
    #[schema(schema_with = emporium_api_kit::schema_rules::image_urls)]
    pub images: Vec<String>,
    /// Units received into the SKU's inventory at creation, 0 to 1 000 000.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub stock: Option<i64>,
}

/// A create request after every field was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    /// The SKU.
    pub sku: Sku,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: String,
    /// The category, not yet checked to exist.
    pub category_id: Option<CategoryId>,
    /// Unit price.
    pub price: Money,
    /// Image URLs.
    pub images: Vec<String>,
    /// Initial stock, if any.
    pub stock: Option<Quantity>,
}

impl NewProduct {
    /// The domain command creating this product as `product_id`.
    pub fn command(&self, product_id: ProductId, at: DateTime<Utc>) -> ProductCommand {
        ProductCommand::CreateProduct {
            product_id,
            sku: self.sku.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            price: self.price,
            category_id: self.category_id,
            images: self.images.clone(),
            at,
        }
    }
}

impl TryFrom<CreateProductRequest> for NewProduct {
    type Error = ApiError;

    fn try_from(body: CreateProductRequest) -> Result<Self, ApiError> {
        let mut problems = Problems::default();
        let name = text(&mut problems, "name", ErrorCode::ProductInvalidName, &body.name, MAX_NAME_CHARS);
        description(&mut problems, &body.description);
        let sku = problems.check("sku", ErrorCode::ProductInvalidSku, Sku::parse(&body.sku));
        let category_id = match body.category.as_deref() {
            Some(raw) => id(&mut problems, "category", raw),
            None => None,
        };
        let price = body.price.parse("price", &mut problems);
        images(&mut problems, &body.images);
        let stock = match body.stock {
            None | Some(0) => None,
            Some(units) => problems.check("stock", ErrorCode::ValidationOutOfRange, Quantity::new(units)),
        };
        problems.finish(|| {
            Some(NewProduct {
                sku: sku?,
                name: name?,
                description: body.description.trim().to_owned(),
                category_id,
                price: price?,
                images: body.images,
                stock,
            })
        })
    }
}

/// `PUT /api/v1/products/{id}`: every field optional; what is sent and differs changes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProductRequest {
    /// New display name, 1-200 characters.
    #[serde(default)]
    #[schema(schema_with = emporium_api_kit::schema_rules::optional_text::<200>)]
    pub name: Option<String>,
    /// New description, at most 5000 characters.
    #[serde(default)]
    #[schema(schema_with = emporium_api_kit::schema_rules::optional_text_or_blank::<5000>)]
    pub description: Option<String>,
    /// New image URLs (replaces the list).
    #[serde(default)]
    #[schema(schema_with = emporium_api_kit::schema_rules::optional_image_urls)]
    pub images: Option<Vec<String>>,
    /// New unit price, in the product's currency.
    #[serde(default)]
    pub price: Option<MoneyInput>,
    /// The id of an existing category to list the product in.
    #[serde(default)]
    #[schema(format = Uuid)]
    pub category: Option<String>,
}

/// An update request after every field was checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductChanges {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New images.
    pub images: Option<Vec<String>>,
    /// New price.
    pub price: Option<Money>,
    /// New category, not yet checked to exist.
    pub category_id: Option<CategoryId>,
}

impl ProductChanges {
    /// True when any of name, description or images is sent.
    pub fn touches_details(&self) -> bool {
        self.name.is_some() || self.description.is_some() || self.images.is_some()
    }
}

impl TryFrom<UpdateProductRequest> for ProductChanges {
    type Error = ApiError;

    fn try_from(body: UpdateProductRequest) -> Result<Self, ApiError> {
        let mut problems = Problems::default();
        let name =
            body.name.as_deref().map(|n| text(&mut problems, "name", ErrorCode::ProductInvalidName, n, MAX_NAME_CHARS));
        if let Some(d) = &body.description {
            description(&mut problems, d);
        }
        if let Some(urls) = &body.images {
            images(&mut problems, urls);
        }
        let price = body.price.as_ref().map(|p| p.parse("price", &mut problems));
        let category_id = body.category.as_deref().map(|raw| id(&mut problems, "category", raw));
        problems.finish(|| {
            Some(ProductChanges {
                name: name.transpose_some()?,
                description: body.description.map(|d| d.trim().to_owned()),
                images: body.images,
                price: price.transpose_some()?,
                category_id: category_id.transpose_some()?,
            })
        })
    }
}

/// `Some(None)` (a sent field that failed) is a failure; `None` (not sent) is fine.
trait TransposeSome<T> {
    fn transpose_some(self) -> Option<Option<T>>;
}

impl<T> TransposeSome<T> for Option<Option<T>> {
    fn transpose_some(self) -> Option<Option<T>> {
        match self {
            None => Some(None),
            Some(Some(value)) => Some(Some(value)),
            Some(None) => None,
        }
    }
}

fn description(problems: &mut Problems, raw: &str) {
    if raw.trim().chars().count() > MAX_DESCRIPTION_CHARS {
        problems.add(
            "description",
            ErrorCode::ProductDescriptionTooLong,
            format!("description must be at most {MAX_DESCRIPTION_CHARS} characters"),
        );
    }
}

/// The count and length limits; the domain checks each URL's form.
fn images(problems: &mut Problems, urls: &[String]) {
    if urls.len() > MAX_IMAGES {
        problems.add("images", ErrorCode::ProductTooManyImages, format!("at most {MAX_IMAGES} images"));
        return;
    }
    for (index, url) in urls.iter().enumerate() {
        if url.trim().chars().count() > MAX_IMAGE_URL_CHARS {
            problems.add(
                &format!("images[{index}]"),
                ErrorCode::ProductInvalidImageUrl,
                format!("image URLs are at most {MAX_IMAGE_URL_CHARS} characters"),
            );
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn request() -> CreateProductRequest {
        CreateProductRequest {
            name: " Linen shirt ".into(),
            description: "Soft".into(),
            sku: "shirt-01".into(),
            category: Some("0190c2b4-0000-7000-8000-000000000001".into()),
            price: MoneyInput { amount: 4999, currency: "usd".into() },
            images: vec!["https://img.example.com/1.png".into()],
            stock: Some(12),
        }
    }

    #[test]
    fn a_good_request_becomes_checked_values() {
        let product = NewProduct::try_from(request()).unwrap();
        assert_eq!(product.name, "Linen shirt");
        assert_eq!(product.sku.as_str(), "SHIRT-01");
        assert_eq!(product.price.amount(), 4999);
        assert_eq!(product.stock.map(|q| q.get()), Some(12));
        assert!(product.category_id.is_some());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let body = CreateProductRequest {
            name: "x".repeat(1_000_000),
            sku: "has space".into(),
            category: Some("shoes".into()),
            price: MoneyInput { amount: -5, currency: "USD".into() },
            stock: Some(-1),
            ..request()
        };
        let error = NewProduct::try_from(body).unwrap_err();
        let fields: Vec<_> = error.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "sku", "category", "price.amount", "stock"]);
        assert_eq!(error.status, axum::http::StatusCode::BAD_REQUEST);
    }

    #[test]
    fn zero_stock_receives_nothing_and_too_much_is_refused() {
        assert_eq!(NewProduct::try_from(CreateProductRequest { stock: Some(0), ..request() }).unwrap().stock, None);
        assert!(NewProduct::try_from(CreateProductRequest { stock: Some(1_000_001), ..request() }).is_err());
    }

    #[test]
    fn updates_check_only_what_is_sent() {
        let changes =
            ProductChanges::try_from(UpdateProductRequest { name: Some("New".into()), ..Default::default() }).unwrap();
        assert!(changes.touches_details());
        assert_eq!(changes.price, None);
        let nothing = ProductChanges::try_from(UpdateProductRequest::default()).unwrap();
        assert_eq!(nothing, ProductChanges::default());
        let bad =
            UpdateProductRequest { name: Some(" ".into()), images: Some(vec!["x".into(); 21]), ..Default::default() };
        let fields: Vec<_> = ProductChanges::try_from(bad).unwrap_err().errors.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "images"]);
    }
}
