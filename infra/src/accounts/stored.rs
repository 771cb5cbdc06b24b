//! Encodings shared by both adapters: replayed headers as JSON, addresses normalised.

use super::AccountStoreError;

/// Headers as the JSON array of `[name, value]` pairs both adapters store.
pub(super) fn encode_headers(headers: &[(String, String)]) -> String {
    serde_json::Value::Array(headers.iter().map(|(name, value)| serde_json::json!([name, value])).collect()).to_string()
}

/// Reads headers stored by [`encode_headers`].
pub(super) fn decode_headers(
    json: &str,
    context: impl FnOnce() -> String,
) -> Result<Vec<(String, String)>, AccountStoreError> {
    serde_json::from_str(json)
        .map_err(|e| AccountStoreError::Corrupt { context: context(), reason: format!("stored headers: {e}") })
}

/// The form e-mail addresses are stored and looked up in: trimmed and lower-cased.
pub(super) fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_survive_a_round_trip() {
        let headers =
            vec![("Location".to_owned(), "/x".to_owned()), ("X-Emporium-Position".to_owned(), "7".to_owned())];
        assert_eq!(decode_headers(&encode_headers(&headers), String::new).ok(), Some(headers));
        assert!(decode_headers("{", String::new).is_err());
    }
}
