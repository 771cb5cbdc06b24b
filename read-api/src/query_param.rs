//! Checking query-string values. A bad value is recorded as a named field error
//! rather than answered at once, so one answer reports every bad parameter.

use emporium_api_kit::{ErrorCode, FieldError};

/// An optional whole number within `min..=max`, or a recorded problem.
pub(crate) fn bounded(errors: &mut Vec<FieldError>, field: &str, raw: Option<&str>, min: u64, max: u64) -> Option<u64> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    match raw.parse::<u64>() {
        Ok(value) if (min..=max).contains(&value) => Some(value),
        _ => {
            errors.push(FieldError::new(
                field,
                ErrorCode::ValidationOutOfRange,
                format!("{field} must be a whole number from {min} to {max}"),
            ));
            None
        }
    }
}
