//! An HTTP answer read whole: status, headers and the JSON envelope.

use serde_json::Value;

/// One answer.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body as JSON (`Null` when it is not JSON).
    pub body: Value,
    /// The body as text.
    pub text: String,
}

impl ApiResponse {
    /// Reads a reqwest response.
    pub async fn read(response: reqwest::Response) -> anyhow::Result<Self> {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Self { status, headers, body, text })
    }

    /// `data` of the envelope.
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `X-Emporium-Position`, the global position of the write.
    pub fn position(&self) -> u64 {
        self.header("x-emporium-position").and_then(|p| p.parse().ok()).unwrap_or(0)
    }

    /// The field names in `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|e| e.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    /// The codes in `errors`.
    pub fn error_codes(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|e| e.iter().filter_map(|e| e["code"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    /// True when the body is the seed's envelope.
    pub fn is_envelope(&self) -> bool {
        self.body.get("success").is_some_and(Value::is_boolean)
            && self.body.get("message").is_some_and(Value::is_string)
            && self.body.get("errors").is_some_and(Value::is_array)
            && self.body.get("data").is_some()
    }
}

impl std::fmt::Display for ApiResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.text.chars().take(2000).collect::<String>())
    }
}
