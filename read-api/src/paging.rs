//! Paging, the same for every listing: the checked `page` and `page_size` query
//! parameters ([`Paging`]) and the page answered ([`Listing`]).

use emporium_api_kit::FieldError;
use serde::Serialize;

use crate::query_param::bounded;

/// Page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The largest page size.
pub const MAX_PAGE_SIZE: u64 = 100;
/// The highest page number accepted (keeps offsets far from overflow).
pub const MAX_PAGE: u64 = 1_000_000;

/// A page request: 1-based page and its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// From 1.
    pub page: u64,
    /// 1 to [`MAX_PAGE_SIZE`].
    pub page_size: u64,
}

impl Paging {
    /// Documents to skip.
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.page_size
    }

    /// Checks `page` and `page_size`, recording problems.
    pub fn parse(page: Option<&str>, page_size: Option<&str>, default_size: u64, errors: &mut Vec<FieldError>) -> Self {
        let page = bounded(errors, "page", page, 1, MAX_PAGE).unwrap_or(1);
        let page_size = bounded(errors, "page_size", page_size, 1, MAX_PAGE_SIZE).unwrap_or(default_size);
        Self { page, page_size }
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Listing<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u64,
    /// The page size asked for.
    pub page_size: u64,
    /// How many pages there are (0 when nothing matches).
    pub total_pages: u64,
}

impl<T> Listing<T> {
    /// A page of `items` out of `total`.
    pub fn new(items: Vec<T>, total: u64, paging: Paging) -> Self {
        Self {
            items,
            total,
            page: paging.page,
            page_size: paging.page_size,
            total_pages: total.div_ceil(paging.page_size),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted() {
        let listing = Listing::new(vec![1, 2], 41, Paging { page: 1, page_size: 20 });
        assert_eq!(listing.total_pages, 3);
        assert_eq!(Listing::<u8>::new(vec![], 0, Paging { page: 1, page_size: 20 }).total_pages, 0);
    }

    #[test]
    fn a_page_skips_the_pages_before_it_and_unset_values_take_the_defaults() {
        let mut errors = Vec::new();
        let paging = Paging::parse(Some("3"), Some("10"), DEFAULT_PAGE_SIZE, &mut errors);
        assert_eq!((paging.page, paging.page_size, paging.offset()), (3, 10, 20));
        let paging = Paging::parse(None, Some(" "), MAX_PAGE_SIZE, &mut errors);
        assert_eq!((paging.page, paging.page_size, paging.offset()), (1, 100, 0));
        assert!(errors.is_empty());
    }
}
