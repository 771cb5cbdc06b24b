//! The OpenAPI shapes of text fields whose rules are more than a length, in one place,
//! so every request type documents exactly what its handler accepts
//! (`#[schema(schema_with = schema_rules::text::<200>)]`). A client generated from the
//! document, or a fuzzer, then sends only what the shop takes.
//!
//! Each rule is the parser's rule written as JSON Schema, no stricter and no looser:
//! Schemathesis checks both ways (every value the document allows is accepted, every
//! value it forbids is refused). Most parsers trim first, with Rust's `str::trim`
//! (Unicode `White_Space`), so the patterns spell that set out rather than use `\s`,
//! which differs between regex dialects. No string may hold NUL (`ApiJson` refuses it
//! everywhere), so no pattern admits it.

use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{Array, Object};

/// Rust's `char::is_whitespace` (Unicode `White_Space`), as regex class members.
const SPACE: &str = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// Rust's `char::is_control` (Unicode `Cc`), as regex class members.
const CONTROL: &str = r"\x00-\x1f\x7f-\x9f";

/// Text that, trimmed, is 1 to `max` characters whose first and last are `edge` and the
/// rest `inner`, with any whitespace around it.
fn trimmed(edge: &str, inner: &str, max: usize) -> String {
    format!("^[{SPACE}]*{edge}(?:{inner}{{0,{}}}{edge})?[{SPACE}]*$", max.saturating_sub(2))
}

fn string(pattern: String, description: String) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)).description(Some(description))
}

fn nullable(object: ObjectBuilder) -> Object {
    object.schema_type(SchemaType::from_iter([Type::String, Type::Null])).build()
}

/// Trimmed text of 1 to `MAX` characters (names, address lines, carriers).
pub fn text<const MAX: usize>() -> Object {
    string(trimmed(&format!("[^{SPACE}\\x00]"), r"[^\x00]", MAX), format!("1 to {MAX} characters, trimmed.")).build()
}

/// [`text`], or `null`.
pub fn optional_text<const MAX: usize>() -> Object {
    nullable(string(trimmed(&format!("[^{SPACE}\\x00]"), r"[^\x00]", MAX), format!("1 to {MAX} characters, trimmed.")))
}

/// Trimmed text of at most `MAX` characters, blank allowed (descriptions).
pub fn text_or_blank<const MAX: usize>() -> Object {
    let some = trimmed(&format!("[^{SPACE}\\x00]"), r"[^\x00]", MAX);
    string(format!("{some}|^[{SPACE}]*$"), format!("Up to {MAX} characters, trimmed.")).build()
}

/// [`optional_text`], where blank text counts as absent.
pub fn optional_text_or_blank<const MAX: usize>() -> Object {
    let some = trimmed(&format!("[^{SPACE}\\x00]"), r"[^\x00]", MAX);
    let pattern = format!("{}|^[{SPACE}]*$", some);
    nullable(string(pattern, format!("Up to {MAX} characters, trimmed; blank means none.")))
}

/// One line for a mail's subject: trimmed, 1 to 200 characters, no control characters.
pub fn subject() -> Object {
    string(
        trimmed(&format!("[^{SPACE}{CONTROL}]"), &format!("[^{CONTROL}]"), 200),
        "One line of 1 to 200 characters.".into(),
    )
    .build()
}

/// A code of `A-Z 0-9 - _` (any case; trimmed and upper-cased), `MIN` to `MAX` long
/// (SKUs, coupon codes).
pub fn code<const MIN: usize, const MAX: usize>() -> Object {
    let pattern = format!("^[{SPACE}]*[A-Za-z0-9_-]{{{MIN},{MAX}}}[{SPACE}]*$");
    string(pattern, format!("{MIN} to {MAX} of A-Z 0-9 - _ (any case).")).build()
}

/// A token this shop issued (mailed links, refresh tokens): base64url, at most 128
/// characters, trimmed.
pub fn token() -> Object {
    string(
        format!("^[{SPACE}]*[A-Za-z0-9_-]{{1,128}}[{SPACE}]*$"),
        "A token this shop issued: base64url, at most 128 characters.".into(),
    )
    .build()
}

/// One of `words`, in any case, trimmed (a role, a shipment status).
pub fn one_of(words: &[&str]) -> Object {
    let alternatives: Vec<String> = words.iter().map(|word| any_case(word)).collect();
    let pattern = format!("^[{SPACE}]*({})[{SPACE}]*$", alternatives.join("|"));
    string(pattern, format!("One of {} (any case).", words.join(", "))).build()
}

/// `admin`, `manager` or `customer`, any case, trimmed.
pub fn role() -> Object {
    one_of(&["admin", "manager", "customer"])
}

/// An assigned ISO 3166-1 alpha-2 code, from the list the domain checks against (any
/// case, trimmed).
pub fn country() -> Object {
    let codes: Vec<String> = emporium_domain::order::ASSIGNED_COUNTRY_CODES.iter().map(|c| any_case(c)).collect();
    let pattern = format!("^[{SPACE}]*({})[{SPACE}]*$", codes.join("|"));
    string(pattern, "An assigned ISO 3166-1 alpha-2 code, e.g. `DE`.".into()).build()
}

/// A contact number: trimmed, 5 to 20 of digits, spaces, `+` and `-` with at least one
/// digit; `""` or `null` removes it.
pub fn phone() -> Object {
    // The lookahead bounds the trimmed number; the rest asks for a digit in it.
    let number = format!("(?=[0-9+-][0-9 +-]{{3,18}}[0-9+-][{SPACE}]*$)[ +-]*[0-9][0-9 +-]*");
    let pattern = format!("^[{SPACE}]*({number})?[{SPACE}]*$");
    nullable(string(pattern, "5 to 20 of digits, spaces, + and -; blank or null removes it.".into()))
}

/// A sign-in address. `format: email` rather than a pattern: `Email::parse` takes every
/// RFC 5321 address (and trims and lower-cases), so a pattern strict enough to be
/// readable would refuse addresses the shop takes, and one loose enough would be the
/// parser again.
pub fn email() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .max_length(Some(254))
        .description(Some("An e-mail address like name@example.com (any case; stored lower-cased)."))
        .build()
}

/// A product's image URLs: up to 20 absolute http(s) URLs with a host, trimmed, of at
/// most 2048 characters, without whitespace or control characters.
pub fn image_urls() -> Array {
    let host = format!("[^/?#{SPACE}{CONTROL}]");
    let rest = format!("[^{SPACE}{CONTROL}]");
    let http = format!("[Hh][Tt][Tt][Pp]://{host}{rest}{{0,2040}}");
    let https = format!("[Hh][Tt][Tt][Pp][Ss]://{host}{rest}{{0,2039}}");
    let url = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("^[{SPACE}]*(?:{http}|{https})[{SPACE}]*$")));
    ArrayBuilder::new()
        .items(url)
        .max_items(Some(20))
        .description(Some("Up to 20 absolute http(s) image URLs."))
        .build()
}

/// [`image_urls`], or `null` (unchanged).
pub fn optional_image_urls() -> Array {
    let mut urls = image_urls();
    urls.schema_type = SchemaType::from_iter([Type::Array, Type::Null]);
    urls
}

/// `word` matching in any case: `ab` → `[aA][bB]`.
fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_match_in_any_case() {
        assert_eq!(any_case("De-1"), "[dD][eE]-1");
    }

    #[test]
    fn trimmed_text_bounds_the_text_between_its_first_and_last_visible_characters() {
        assert_eq!(trimmed("E", "I", 200), format!("^[{SPACE}]*E(?:I{{0,198}}E)?[{SPACE}]*$"));
    }
}
