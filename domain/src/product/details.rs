//! The checks on a product's descriptive fields: name, description, image URLs.

use super::error::ProductError;
use crate::values::bounded_text;

/// Longest product name accepted.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest description accepted.
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
/// Most images a product may show.
pub const MAX_IMAGES: usize = 20;
/// Longest image URL accepted.
pub const MAX_IMAGE_URL_CHARS: usize = 2048;

/// Name, description and images after trimming and checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Details {
    pub(super) name: String,
    pub(super) description: String,
    pub(super) images: Vec<String>,
}

impl Details {
    /// Trims and checks each field; the first failing field decides the error.
    pub(super) fn parse(name: &str, description: &str, images: &[String]) -> Result<Self, ProductError> {
        let name = bounded_text("name", name, MAX_NAME_CHARS).map_err(ProductError::InvalidName)?;
        let description = description.trim();
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(ProductError::DescriptionTooLong { max: MAX_DESCRIPTION_CHARS });
        }
        if images.len() > MAX_IMAGES {
            return Err(ProductError::TooManyImages { count: images.len(), max: MAX_IMAGES });
        }
        let images = images
            .iter()
            .enumerate()
            .map(|(index, url)| image_url(url).ok_or(ProductError::InvalidImageUrl { index }))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { name, description: description.to_owned(), images })
    }
}

/// A trimmed absolute http(s) URL with a host, no whitespace, at most [`MAX_IMAGE_URL_CHARS`].
fn image_url(raw: &str) -> Option<String> {
    let url = raw.trim();
    if url.chars().count() > MAX_IMAGE_URL_CHARS || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() { None } else { Some(url.to_owned()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_urls_must_be_absolute_http_or_https_with_a_host() {
        assert_eq!(image_url(" https://cdn.example.com/a.png "), Some("https://cdn.example.com/a.png".into()));
        assert!(image_url("HTTP://example.com").is_some());
        let long = format!("https://example.com/{}", "a".repeat(MAX_IMAGE_URL_CHARS));
        for bad in ["", "ftp://example.com/a.png", "https://", "https:///a.png", "/a.png", "https://a b.com", &long] {
            assert_eq!(image_url(bad), None, "{bad:?} should be refused");
        }
    }

    #[test]
    fn description_may_be_empty_but_not_too_long() {
        assert!(Details::parse("Tee", "", &[]).is_ok());
        assert_eq!(
            Details::parse("Tee", &"d".repeat(MAX_DESCRIPTION_CHARS + 1), &[]),
            Err(ProductError::DescriptionTooLong { max: MAX_DESCRIPTION_CHARS })
        );
    }
}
