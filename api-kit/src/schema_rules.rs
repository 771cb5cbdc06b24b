//! The OpenAPI shapes of text fields whose rules are more than a length, in one place,
//! so every request type that takes an e-mail address or a token documents exactly
//! what the handlers accept (`#[schema(schema_with = schema_rules::email)]`). A client
//! generated from the document, or a fuzzer, then only sends what the shop takes.
//!
//! The patterns may be stricter than the parsers (a document that promises less is
//! still true); they are never looser. Plain non-blank text is `pattern = "\\S"` on the
//! field itself.

use utoipa::openapi::Object;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};

/// What [`emporium_domain`]'s `Email::parse` accepts, written as a plain address.
pub const EMAIL_PATTERN: &str = r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63}){1,4}$";
/// Mailed and refresh tokens: base64url, 1 to 128 characters.
pub const TOKEN_PATTERN: &str = r"^[A-Za-z0-9_-]{1,128}$";

/// Image URLs: absolute http(s), at most 2048 characters, up to 20.
pub const IMAGE_URL_PATTERN: &str =
    r"^https?://[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63}){0,4}(/[A-Za-z0-9._~%-]{0,64}){0,8}$";

/// A product's image URLs.
pub fn image_urls() -> utoipa::openapi::Array {
    let url = ObjectBuilder::new().schema_type(Type::String).max_length(Some(2048)).pattern(Some(IMAGE_URL_PATTERN));
    ArrayBuilder::new()
        .items(url)
        .max_items(Some(20))
        .description(Some("Up to 20 absolute http(s) image URLs."))
        .build()
}

/// An assigned ISO 3166-1 alpha-2 code, from the list the domain checks against.
pub fn country() -> Object {
    let pattern = format!("^({})$", emporium_domain::order::ASSIGNED_COUNTRY_CODES.join("|"));
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some("An assigned ISO 3166-1 alpha-2 code, upper case, e.g. `DE`."))
        .build()
}

/// One line of text: no control characters, not blank (Rust's `char::is_control` is
/// the Unicode Cc range written here).
pub const ONE_LINE_PATTERN: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";

/// A mail's subject: one line of 1 to 200 characters.
pub fn subject() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(200))
        .pattern(Some(ONE_LINE_PATTERN))
        .description(Some("Subject line, one line of 1 to 200 characters."))
        .build()
}

/// A sign-in address.
pub fn email() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(254))
        .pattern(Some(EMAIL_PATTERN))
        .description(Some("An e-mail address like name@example.com (any case; stored lower-cased)."))
        .build()
}

/// A token this shop issued (mailed links, refresh tokens).
pub fn token() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(TOKEN_PATTERN))
        .description(Some("A token this shop issued: base64url, at most 128 characters."))
        .build()
}

#[cfg(test)]
mod tests {
    use emporium_domain::values::Email;
    use proptest::prelude::*;

    use super::*;

    /// proptest's generator takes no anchors; the patterns are anchored at both ends.
    fn unanchored(pattern: &str) -> &str {
        pattern.trim_start_matches('^').trim_end_matches('$')
    }

    proptest! {
        /// The document never promises more than the parser takes: every address the
        /// pattern allows (and its length limit) is one `Email::parse` accepts.
        #[test]
        fn every_address_the_pattern_allows_is_accepted(
            address in proptest::string::string_regex(unanchored(EMAIL_PATTERN)).unwrap()
        ) {
            prop_assume!(address.len() <= 254);
            prop_assert!(Email::parse(&address).is_ok(), "{address}");
        }
    }
}
