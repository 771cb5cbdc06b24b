//! What a read can ask of a collection: equality filters, numeric ranges, text
//! search, one sort key and a page. Adapters turn it into SQL with bind parameters.

use serde::Serialize;
use serde_json::Value;

use super::{FieldPath, ReadStoreError};

/// Page size when a query sets none.
pub const DEFAULT_LIMIT: u64 = 20;
/// The largest page a query can ask for; larger limits are capped.
pub const MAX_LIMIT: u64 = 100;

/// A scalar a field can equal.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// A JSON string.
    Text(String),
    /// A JSON number without fraction.
    Integer(i64),
    /// A JSON number with a fraction.
    Float(f64),
    /// A JSON boolean.
    Bool(bool),
}

impl FieldValue {
    /// The value as JSON.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Text(s) => Value::from(s.as_str()),
            Self::Integer(i) => Value::from(*i),
            Self::Float(f) => Value::from(*f),
            Self::Bool(b) => Value::from(*b),
        }
    }

    /// Whether a JSON value equals this one (numbers compare by value, `1 == 1.0`).
    pub fn matches(&self, value: &Value) -> bool {
        match (self, value) {
            (Self::Text(a), Value::String(b)) => a == b,
            (Self::Bool(a), Value::Bool(b)) => a == b,
            (Self::Integer(a), Value::Number(n)) => match n.as_i64() {
                Some(b) => *a == b,
                None => n.as_f64() == Some(*a as f64),
            },
            (Self::Float(a), Value::Number(n)) => n.as_f64() == Some(*a),
            _ => false,
        }
    }
}

impl From<&str> for FieldValue {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for FieldValue {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<i64> for FieldValue {
    fn from(value: i64) -> Self {
        Self::Integer(value)
    }
}

impl From<i32> for FieldValue {
    fn from(value: i32) -> Self {
        Self::Integer(i64::from(value))
    }
}

impl From<u32> for FieldValue {
    fn from(value: u32) -> Self {
        Self::Integer(i64::from(value))
    }
}

impl From<f64> for FieldValue {
    fn from(value: f64) -> Self {
        Self::Float(value)
    }
}

impl From<bool> for FieldValue {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

/// `field == value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// The field (dot-separated path).
    pub field: String,
    /// The value it must equal.
    pub value: FieldValue,
}

/// `min <= field <= max` on a numeric field; documents whose field is not a number
/// never match.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    /// The field (dot-separated path).
    pub field: String,
    /// Inclusive lower bound, if any.
    pub min: Option<f64>,
    /// Inclusive upper bound, if any.
    pub max: Option<f64>,
}

/// Case-insensitive substring search: a document matches if any field contains the text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextSearch {
    /// The text to find; matched lower-cased.
    pub text: String,
    /// The fields searched.
    pub fields: Vec<String>,
}

/// Sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

impl SortDirection {
    /// The SQL keyword.
    pub(crate) fn sql(self) -> &'static str {
        match self {
            Self::Asc => "ASC",
            Self::Desc => "DESC",
        }
    }
}

/// Sort by one field (numbers numerically, strings by code point); ties by id.
#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    /// The field (dot-separated path).
    pub field: String,
    /// Ascending or descending.
    pub direction: SortDirection,
}

/// A query on one collection; all conditions must hold. Build it with the methods:
///
/// ```
/// use emporium_infra::read_store::{Query, SortDirection};
/// let q = Query::new()
///     .filter("category_id", "c-1")
///     .range("price.amount", Some(1000.0), None)
///     .search("shoe", ["name", "description"])
///     .sort("price.amount", SortDirection::Desc)
///     .page(0, 20);
/// assert_eq!(q.limit, 20);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Equality conditions.
    pub filters: Vec<Filter>,
    /// Numeric ranges.
    pub ranges: Vec<Range>,
    /// Text search, if any.
    pub search: Option<TextSearch>,
    /// Sort key; without one, documents come in id order.
    pub sort: Option<Sort>,
    /// Documents to skip.
    pub offset: u64,
    /// Page size, capped at [`MAX_LIMIT`].
    pub limit: u64,
}

impl Default for Query {
    fn default() -> Self {
        Self { filters: Vec::new(), ranges: Vec::new(), search: None, sort: None, offset: 0, limit: DEFAULT_LIMIT }
    }
}

impl Query {
    /// Every document, first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `field == value`.
    pub fn filter(mut self, field: impl Into<String>, value: impl Into<FieldValue>) -> Self {
        self.filters.push(Filter { field: field.into(), value: value.into() });
        self
    }

    /// Adds `min <= field <= max` (either bound optional).
    pub fn range(mut self, field: impl Into<String>, min: Option<f64>, max: Option<f64>) -> Self {
        self.ranges.push(Range { field: field.into(), min, max });
        self
    }

    /// Searches `text` case-insensitively in `fields`; empty text searches nothing.
    pub fn search<I, S>(mut self, text: impl Into<String>, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let text = text.into();
        self.search = if text.trim().is_empty() {
            None
        } else {
            Some(TextSearch { text, fields: fields.into_iter().map(Into::into).collect() })
        };
        self
    }

    /// Sorts by `field`.
    pub fn sort(mut self, field: impl Into<String>, direction: SortDirection) -> Self {
        self.sort = Some(Sort { field: field.into(), direction });
        self
    }

    /// Skips `offset` documents and returns at most `limit` (capped at [`MAX_LIMIT`]).
    pub fn page(mut self, offset: u64, limit: u64) -> Self {
        self.offset = offset;
        self.limit = limit;
        self
    }

    /// Validates every field name and caps the limit: what adapters execute.
    pub fn checked(&self) -> Result<CheckedQuery, ReadStoreError> {
        let filters = self
            .filters
            .iter()
            .map(|f| Ok((FieldPath::parse(&f.field)?, f.value.clone())))
            .collect::<Result<_, ReadStoreError>>()?;
        let ranges = self
            .ranges
            .iter()
            .map(|r| {
                if r.min.is_some_and(f64::is_nan) || r.max.is_some_and(f64::is_nan) {
                    return Err(ReadStoreError::InvalidQuery(format!("range on {} has a NaN bound", r.field)));
                }
                Ok((FieldPath::parse(&r.field)?, r.min, r.max))
            })
            .collect::<Result<_, ReadStoreError>>()?;
        let search = match &self.search {
            None => None,
            Some(s) if s.fields.is_empty() => {
                return Err(ReadStoreError::InvalidQuery("text search names no fields".to_owned()));
            }
            Some(s) => {
                Some((s.text.to_lowercase(), s.fields.iter().map(|f| FieldPath::parse(f)).collect::<Result<_, _>>()?))
            }
        };
        let sort = self.sort.as_ref().map(|s| FieldPath::parse(&s.field).map(|p| (p, s.direction))).transpose()?;
        Ok(CheckedQuery { filters, ranges, search, sort, offset: self.offset, limit: self.limit.min(MAX_LIMIT) })
    }
}

/// A [`Query`] whose field names are validated and whose limit is capped.
#[derive(Debug, Clone)]
pub struct CheckedQuery {
    /// `(field, value)` equalities.
    pub filters: Vec<(FieldPath, FieldValue)>,
    /// `(field, min, max)` ranges.
    pub ranges: Vec<(FieldPath, Option<f64>, Option<f64>)>,
    /// Lower-cased needle and the fields it is searched in.
    pub search: Option<(String, Vec<FieldPath>)>,
    /// Sort key.
    pub sort: Option<(FieldPath, SortDirection)>,
    /// Documents to skip.
    pub offset: u64,
    /// Page size, at most [`MAX_LIMIT`].
    pub limit: u64,
}

/// One page of query results.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Page {
    /// The documents of this page, in query order.
    pub items: Vec<Value>,
    /// How many documents match the query in total (ignoring offset and limit).
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_above_the_maximum_are_capped() {
        let q = Query::new().page(5, 10_000).checked().unwrap();
        assert_eq!((q.offset, q.limit), (5, MAX_LIMIT));
    }

    #[test]
    fn bad_field_names_fail_before_any_sql_is_built() {
        assert!(matches!(
            Query::new().sort("name; DROP TABLE rm_documents", SortDirection::Asc).checked(),
            Err(ReadStoreError::InvalidField { .. })
        ));
        assert!(Query::new().filter("a'b", 1).checked().is_err());
        assert!(Query::new().search("x", ["ok", "NO"]).checked().is_err());
    }

    #[test]
    fn empty_search_text_searches_nothing() {
        assert_eq!(Query::new().search("  ", ["name"]).search, None);
    }

    #[test]
    fn field_values_match_json_by_type_and_value() {
        assert!(FieldValue::from(1).matches(&serde_json::json!(1.0)));
        assert!(!FieldValue::from(1).matches(&serde_json::json!(true)));
        assert!(!FieldValue::from("1").matches(&serde_json::json!(1)));
        assert!(FieldValue::from(true).matches(&serde_json::json!(true)));
    }
}
