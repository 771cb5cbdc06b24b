//! A validated document field path: the only user-influenced text that enters SQL.

use super::ReadStoreError;

/// A dot-separated path to a field (`status`, `price.amount`); each segment matches
/// `^[a-z_][a-z0-9_]*$`, so it is safe to write into SQL as a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath(Vec<String>);

impl FieldPath {
    /// Parses a path, refusing anything but lower-case ASCII letters, digits and `_`
    /// in non-empty segments that do not start with a digit.
    pub fn parse(raw: &str) -> Result<Self, ReadStoreError> {
        let segments: Vec<String> = raw.split('.').map(str::to_owned).collect();
        if raw.len() > 200 || !segments.iter().all(|s| valid_segment(s)) {
            return Err(ReadStoreError::InvalidField { field: raw.chars().take(64).collect() });
        }
        Ok(Self(segments))
    }

    /// The path's segments, outermost first.
    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// SQLite's JSON path: `$.price.amount`.
    pub fn sqlite_path(&self) -> String {
        format!("$.{}", self.0.join("."))
    }

    /// The value at this path inside a JSON document, if present.
    pub fn lookup<'v>(&self, doc: &'v serde_json::Value) -> Option<&'v serde_json::Value> {
        self.0.iter().try_fold(doc, |value, segment| value.get(segment))
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

fn valid_segment(segment: &str) -> bool {
    let mut chars = segment.chars();
    match chars.next() {
        Some(c) if c.is_ascii_lowercase() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_snake_case_segments() {
        for ok in ["status", "_x", "price.amount", "a1_b2"] {
            assert!(FieldPath::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_anything_that_could_break_out_of_sql() {
        for bad in ["", "1a", "Name", "a-b", "a..b", "a.", "a'", "a;drop", "a b", "é", "a\"b", "$.a"] {
            assert!(FieldPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn renders_sqlite_paths_and_looks_up_values() {
        let path = FieldPath::parse("price.amount").unwrap();
        assert_eq!(path.sqlite_path(), "$.price.amount");
        let doc = serde_json::json!({"price": {"amount": 5}});
        assert_eq!(path.lookup(&doc), Some(&serde_json::json!(5)));
    }
}
