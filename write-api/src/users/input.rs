//! Checking what clients send about accounts, collecting every field problem so a
//! client learns about all of them at once.

use emporium_api_kit::ErrorCode;
use emporium_domain::customer::Phone;
use emporium_domain::values::Email;

use crate::input::Problems;

/// Fewest characters a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Most characters a password may have (Argon2 hashes any length; this bounds the work).
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Longest display name (the customer aggregate's own limit).
pub const MAX_NAME_CHARS: usize = 200;
/// Longest token accepted: ours are 43 characters of base64url.
const MAX_TOKEN_CHARS: usize = 128;

/// The account checks: sign-in addresses, passwords, names, phone numbers, tokens.
impl Problems {
    /// A sign-in address, normalised (trimmed, lower-cased).
    pub(crate) fn email(&mut self, field: &str, raw: &str) -> Option<Email> {
        match Email::parse(raw) {
            Ok(email) => Some(email),
            Err(_) => {
                self.add(
                    field,
                    ErrorCode::ValidationInvalidEmail,
                    format!("{field} must be an e-mail address like name@example.com"),
                );
                None
            }
        }
    }

    /// A new password: 8 to 128 characters, taken as sent (no trimming).
    pub(crate) fn new_password(&mut self, field: &str, raw: &str) -> Option<String> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            self.add(
                field,
                ErrorCode::ValidationPasswordTooShort,
                format!("{field} must have at least {MIN_PASSWORD_CHARS} characters"),
            );
            None
        } else if chars > MAX_PASSWORD_CHARS {
            self.add(
                field,
                ErrorCode::ValidationPasswordTooLong,
                format!("{field} must have at most {MAX_PASSWORD_CHARS} characters"),
            );
            None
        } else {
            Some(raw.to_owned())
        }
    }

    /// A password being checked against a stored one: present and not absurdly long.
    pub(crate) fn given_password(&mut self, field: &str, raw: &str) -> Option<String> {
        if raw.is_empty() {
            self.add(field, ErrorCode::ValidationRequired, format!("{field} must not be empty"));
            None
        } else if raw.chars().count() > MAX_PASSWORD_CHARS {
            self.add(
                field,
                ErrorCode::ValidationPasswordTooLong,
                format!("{field} must have at most {MAX_PASSWORD_CHARS} characters"),
            );
            None
        } else {
            Some(raw.to_owned())
        }
    }

    /// A display name: trimmed, 1 to 200 characters.
    pub(crate) fn name(&mut self, field: &str, raw: &str) -> Option<String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            self.add(field, ErrorCode::ValidationRequired, format!("{field} must not be empty"));
            None
        } else if trimmed.chars().count() > MAX_NAME_CHARS {
            self.add(
                field,
                ErrorCode::CustomerInvalidName,
                format!("{field} must be at most {MAX_NAME_CHARS} characters"),
            );
            None
        } else {
            Some(trimmed.to_owned())
        }
    }

    /// A contact number (see [`Phone`]).
    pub(crate) fn phone(&mut self, field: &str, raw: &str) -> Option<Phone> {
        match Phone::parse(raw) {
            Ok(phone) => Some(phone),
            Err(_) => {
                self.add(
                    field,
                    ErrorCode::CustomerInvalidPhone,
                    format!("{field} must be 5-20 characters of digits, spaces, + and -"),
                );
                None
            }
        }
    }

    /// A mailed or refresh token: base64url characters of a sane length.
    pub(crate) fn token(&mut self, field: &str, raw: &str) -> Option<String> {
        let token = raw.trim();
        let plausible = !token.is_empty()
            && token.len() <= MAX_TOKEN_CHARS
            && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if plausible {
            Some(token.to_owned())
        } else {
            self.add(field, ErrorCode::AuthInvalidToken, format!("{field} is not a token this shop issued"));
            None
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_reported() {
        let mut problems = Problems::default();
        assert!(problems.email("email", "not-an-address").is_none());
        assert!(problems.new_password("password", "short").is_none());
        assert!(problems.name("name", &"x".repeat(MAX_NAME_CHARS + 1)).is_none());
        assert!(problems.phone("phone", "call me").is_none());
        assert!(problems.token("token", "not a token!").is_none());
        let error = problems.finish(|| Some(())).unwrap_err();
        let fields: Vec<_> = error.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "password", "name", "phone", "token"]);
    }

    #[test]
    fn passwords_are_bounded_but_not_trimmed() {
        let mut problems = Problems::default();
        assert_eq!(problems.new_password("p", " 12345678 ").as_deref(), Some(" 12345678 "));
        assert!(problems.new_password("p", &"é".repeat(MAX_PASSWORD_CHARS)).is_some(), "characters, not bytes");
        assert!(problems.new_password("p", &"x".repeat(MAX_PASSWORD_CHARS + 1)).is_none());
        assert!(problems.given_password("p", "").is_none());
    }

    #[test]
    fn names_and_emails_are_normalised() {
        let mut problems = Problems::default();
        assert_eq!(problems.name("name", "  Ann  ").as_deref(), Some("Ann"));
        assert_eq!(
            problems.email("email", " Ann@Example.com ").map(|e| e.as_str().to_owned()).as_deref(),
            Some("ann@example.com")
        );
        assert!(problems.finish(|| Some(())).is_ok());
    }
}
