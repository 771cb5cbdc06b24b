//! The query string of product listing and search: `q`, `category`, `min_price`,
//! `max_price`, `sort`, `page`, `page_size`, checked into a read-store [`Query`]
//! that hides discontinued products. Every bad parameter is reported by name.

use emporium_api_kit::ErrorCode;
use emporium_api_kit::{ApiError, FieldError};
use emporium_domain::money::MAX_AMOUNT_MINOR;
use emporium_infra::read_store::{Query, SortDirection};
use serde::Deserialize;
use uuid::Uuid;

use crate::paging::{DEFAULT_PAGE_SIZE, Paging};
use crate::query_param::bounded;

/// Longest search text.
pub const MAX_QUERY_CHARS: usize = 200;

/// Fields the text search looks in.
const SEARCHED: [&str; 4] = ["name", "description", "sku", "category_name"];

/// The raw parameters, as sent (all text, so that bad values get our own errors).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductParams {
    /// Text to find (case-insensitive) in name, description, SKU or category name; at most 200 characters.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// A category id, or a category's exact name.
    pub category: Option<String>,
    /// Lowest unit price, in minor units (inclusive).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub min_price: Option<String>,
    /// Highest unit price, in minor units (inclusive).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub max_price: Option<String>,
    /// `price`, `-price`, `name`, `-name`, `newest` (default) or `oldest`.
    #[param(pattern = "^(|price|-price|name|-name|newest|oldest)$")]
    pub sort: Option<String>,
    /// Page number from 1 (default 1).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    /// Products per page, 1-100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub page_size: Option<String>,
}

/// A checked product listing or search.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductSearch {
    /// The read-store query (filters, search, sort, page).
    pub query: Query,
    /// The page asked for.
    pub paging: Paging,
}

impl ProductSearch {
    /// Checks the parameters; `require_q` for the search endpoint.
    pub fn parse(params: &ProductParams, require_q: bool) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let mut query = Query::new().filter("discontinued", false);
        let text = params.q.as_deref().map(str::trim).unwrap_or_default();
        if text.chars().count() > MAX_QUERY_CHARS {
            errors.push(FieldError::new(
                "q",
                ErrorCode::ValidationTooLong,
                format!("q must be at most {MAX_QUERY_CHARS} characters"),
            ));
        } else if text.is_empty() && require_q {
            errors.push(FieldError::new("q", ErrorCode::ValidationRequired, "q (the text to search for) is required"));
        } else if !text.is_empty() {
            query = query.search(text, SEARCHED);
        }
        match params.category.as_deref().map(str::trim) {
            None | Some("") => {}
            Some(raw) => match Uuid::parse_str(raw) {
                Ok(id) => query = query.filter("category_id", id.to_string()),
                Err(_) if raw.chars().count() <= 100 => query = query.filter("category_name", raw),
                Err(_) => errors.push(FieldError::new(
                    "category",
                    ErrorCode::ValidationInvalid,
                    "category must be a category id or name",
                )),
            },
        }
        let min = bounded(&mut errors, "min_price", params.min_price.as_deref(), 0, MAX_AMOUNT_MINOR as u64);
        let max = bounded(&mut errors, "max_price", params.max_price.as_deref(), 0, MAX_AMOUNT_MINOR as u64);
        if matches!((min, max), (Some(low), Some(high)) if low > high) {
            errors.push(FieldError::new(
                "min_price",
                ErrorCode::ValidationOutOfRange,
                "min_price must not be above max_price",
            ));
        }
        if min.is_some() || max.is_some() {
            query = query.range("price.amount", min.map(|v| v as f64), max.map(|v| v as f64));
        }
        match sort(params.sort.as_deref()) {
            Some((field, direction)) => query = query.sort(field, direction),
            None => errors.push(FieldError::new(
                "sort",
                ErrorCode::ValidationInvalid,
                "sort must be one of price, -price, name, -name, newest, oldest",
            )),
        }
        let paging = Paging::parse(params.page.as_deref(), params.page_size.as_deref(), DEFAULT_PAGE_SIZE, &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        Ok(Self { query: query.page(paging.offset(), paging.page_size), paging })
    }
}

/// The sort key and direction for a `sort` value; `None` when unknown.
fn sort(raw: Option<&str>) -> Option<(&'static str, SortDirection)> {
    match raw.map(str::trim).unwrap_or("newest") {
        "" | "newest" | "-created_at" => Some(("created_at", SortDirection::Desc)),
        "oldest" | "created_at" => Some(("created_at", SortDirection::Asc)),
        "price" => Some(("price.amount", SortDirection::Asc)),
        "-price" => Some(("price.amount", SortDirection::Desc)),
        "name" => Some(("name", SortDirection::Asc)),
        "-name" => Some(("name", SortDirection::Desc)),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use emporium_infra::read_store::FieldValue;

    use super::*;

    fn params(pairs: &[(&str, &str)]) -> ProductParams {
        let mut p = ProductParams::default();
        for (key, value) in pairs {
            let value = Some((*value).to_owned());
            match *key {
                "q" => p.q = value,
                "category" => p.category = value,
                "min_price" => p.min_price = value,
                "max_price" => p.max_price = value,
                "sort" => p.sort = value,
                "page" => p.page = value,
                "page_size" => p.page_size = value,
                _ => unreachable!(),
            }
        }
        p
    }

    fn fields(error: ApiError) -> Vec<String> {
        error.errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn defaults_list_newest_first_twenty_at_a_time_without_discontinued() {
        let search = ProductSearch::parse(&ProductParams::default(), false).unwrap();
        assert_eq!(search.paging, Paging { page: 1, page_size: 20 });
        assert_eq!(search.query.filters[0].field, "discontinued");
        assert_eq!(search.query.filters[0].value, FieldValue::Bool(false));
        let sort = search.query.sort.unwrap();
        assert_eq!((sort.field.as_str(), sort.direction), ("created_at", SortDirection::Desc));
        assert_eq!(search.query.search, None);
    }

    #[test]
    fn every_parameter_shapes_the_query() {
        let id = "0190c2b4-0000-7000-8000-000000000001";
        let p = params(&[
            ("q", " Shirt "),
            ("category", id),
            ("min_price", "100"),
            ("max_price", "5000"),
            ("sort", "-price"),
            ("page", "3"),
            ("page_size", "10"),
        ]);
        let search = ProductSearch::parse(&p, true).unwrap();
        let q = &search.query;
        assert_eq!(q.search.as_ref().unwrap().text, "Shirt");
        assert_eq!(q.filters[1].field, "category_id");
        assert_eq!((q.ranges[0].min, q.ranges[0].max), (Some(100.0), Some(5000.0)));
        assert_eq!(q.sort.as_ref().unwrap().direction, SortDirection::Desc);
        assert_eq!((q.offset, q.limit), (20, 10));
        let by_name = ProductSearch::parse(&params(&[("category", "Shoes")]), false).unwrap();
        assert_eq!(by_name.query.filters[1].field, "category_name");
    }

    #[test]
    fn bad_values_are_named() {
        let p = params(&[
            ("min_price", "-1"),
            ("max_price", "1e30"),
            ("sort", "random"),
            ("page", "0"),
            ("page_size", "101"),
        ]);
        assert_eq!(
            fields(ProductSearch::parse(&p, false).unwrap_err()),
            ["min_price", "max_price", "sort", "page", "page_size"]
        );
        assert_eq!(
            fields(ProductSearch::parse(&params(&[("min_price", "10"), ("max_price", "5")]), false).unwrap_err()),
            ["min_price"]
        );
        assert_eq!(fields(ProductSearch::parse(&params(&[("q", &"x".repeat(201))]), false).unwrap_err()), ["q"]);
        assert_eq!(fields(ProductSearch::parse(&params(&[("page", "abc")]), false).unwrap_err()), ["page"]);
    }

    #[test]
    fn search_needs_text_but_listing_does_not() {
        assert_eq!(fields(ProductSearch::parse(&params(&[("q", "  ")]), true).unwrap_err()), ["q"]);
        assert!(ProductSearch::parse(&params(&[("q", "  ")]), false).is_ok());
    }
}
