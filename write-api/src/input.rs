//! Turning request fields into domain values while collecting every problem, so a
//! client learns about all bad fields at once: [`Problems`] and the checks every area
//! shares (text, ids, money). Areas add their own checks to `Problems` beside their
//! requests (`users/input.rs`: e-mail addresses, passwords, tokens).

use emporium_api_kit::ErrorCode;
use emporium_api_kit::{ApiError, FieldError};
use emporium_domain::money::{Currency, MAX_AMOUNT_MINOR, Money};
use serde::Deserialize;

/// The field errors found so far in one request body.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<FieldError>);

impl Problems {
    /// Records a problem with `field`.
    pub(crate) fn add(&mut self, field: &str, code: ErrorCode, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// The value, or records `code` for `field` with the error's text.
    pub(crate) fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        code: ErrorCode,
        result: Result<T, E>,
    ) -> Option<T> {
        result.map_err(|e| self.add(field, code, e.to_string())).ok()
    }

    /// `Ok(value)` when nothing was recorded, else a 400 listing every problem.
    pub(crate) fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        if !self.0.is_empty() {
            return Err(ApiError::invalid(self.0));
        }
        value().ok_or_else(|| {
            ApiError::invalid(vec![FieldError::new("", ErrorCode::ValidationFailed, "the request is invalid")])
        })
    }
}

/// Money as requests send it: minor units and an ISO 4217 code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyInput {
    /// Minor units (cents), 0 to 10^13.
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub amount: i64,
    /// ISO 4217 code, e.g. `USD`.
    #[schema(pattern = "^[A-Za-z]{3}$")]
    pub currency: String,
}

impl MoneyInput {
    /// The amount as [`Money`], or records why not under `field.amount` / `field.currency`.
    pub(crate) fn parse(&self, field: &str, problems: &mut Problems) -> Option<Money> {
        let currency = problems.check(
            &format!("{field}.currency"),
            ErrorCode::MoneyInvalidCurrency,
            Currency::parse(&self.currency),
        );
        if !(0..=MAX_AMOUNT_MINOR).contains(&self.amount) {
            problems.add(
                &format!("{field}.amount"),
                ErrorCode::MoneyOutOfRange,
                format!("amount must be minor units between 0 and {MAX_AMOUNT_MINOR}"),
            );
            return None;
        }
        Money::new(self.amount, currency?).ok()
    }
}

/// A text field: trimmed, non-empty, at most `max` characters.
pub(crate) fn text(problems: &mut Problems, field: &str, code: ErrorCode, raw: &str, max: usize) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        problems.add(field, ErrorCode::ValidationRequired, format!("{field} must not be empty"));
        return None;
    }
    if trimmed.chars().count() > max {
        problems.add(field, code, format!("{field} must be at most {max} characters"));
        return None;
    }
    Some(trimmed.to_owned())
}

/// A typed id sent in a body (`category`, `parent_id`).
pub(crate) fn id<T: std::str::FromStr>(problems: &mut Problems, field: &str, raw: &str) -> Option<T> {
    match raw.trim().parse() {
        Ok(id) => Some(id),
        Err(_) => {
            problems.add(field, ErrorCode::ValidationInvalidId, format!("{field} must be an id (a UUID)"));
            None
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn money_names_the_bad_part() {
        let mut problems = Problems::default();
        assert!(MoneyInput { amount: -1, currency: "usd".into() }.parse("price", &mut problems).is_none());
        assert!(MoneyInput { amount: 5, currency: "dollars".into() }.parse("price", &mut problems).is_none());
        let error = problems.finish(|| Some(())).unwrap_err();
        let fields: Vec<_> = error.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["price.amount", "price.currency"]);
    }

    #[test]
    fn money_in_range_is_upper_cased() {
        let mut problems = Problems::default();
        let money = MoneyInput { amount: 1999, currency: "eur".into() }.parse("price", &mut problems).unwrap();
        assert_eq!((money.amount(), money.currency().as_str()), (1999, "EUR"));
        assert!(
            MoneyInput { amount: MAX_AMOUNT_MINOR + 1, currency: "EUR".into() }.parse("price", &mut problems).is_none()
        );
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        let mut problems = Problems::default();
        assert_eq!(text(&mut problems, "name", ErrorCode::ValidationInvalid, "  Tee ", 10).as_deref(), Some("Tee"));
        assert!(text(&mut problems, "name", ErrorCode::ValidationInvalid, "   ", 10).is_none());
        assert!(text(&mut problems, "name", ErrorCode::ValidationInvalid, &"a".repeat(11), 10).is_none());
        assert_eq!(problems.0.len(), 2);
    }
}
