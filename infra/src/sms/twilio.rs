//! Twilio's Messages API: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json` with
//! `To`, `From` (or `MessagingServiceSid`) and `Body` as a form, HTTP Basic auth with
//! the account SID and auth token.
//!
//! Answers: 2xx is sent; 400 and 404 (an invalid or unreachable number, Twilio's
//! error codes 21xxx) are permanent refusals; 401/403 (bad credentials), 429 (rate
//! limit), 5xx and network failures are not, so the message is retried once the
//! operator or the provider has fixed things. The base URL is configurable so tests
//! (and proxies) can stand in for `https://api.twilio.com`.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use super::{SmsError, SmsMessage, SmsSender, e164};

/// Twilio's API host.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";
/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// Longest part of an error answer quoted in the reason.
const QUOTED_ANSWER: usize = 300;

/// Where and as whom to send.
#[derive(Clone)]
pub struct TwilioConfig {
    /// The account SID (`AC…`).
    pub account_sid: String,
    /// The auth token (a secret: never printed).
    pub auth_token: String,
    /// The sender: a Twilio phone number (`+1…`) or a Messaging Service SID (`MG…`).
    pub from: String,
    /// The API's base URL, [`DEFAULT_BASE_URL`] unless testing or proxying.
    pub base_url: String,
}

impl std::fmt::Debug for TwilioConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioConfig")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"***")
            .field("from", &self.from)
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// Sends SMS through Twilio.
#[derive(Debug, Clone)]
pub struct TwilioSms {
    config: TwilioConfig,
    client: reqwest::Client,
}

/// Twilio's error answer.
#[derive(Debug, Deserialize)]
struct TwilioError {
    code: Option<i64>,
    message: Option<String>,
}

impl TwilioSms {
    /// A sender with its own HTTP client.
    pub fn new(config: TwilioConfig) -> Result<Self, SmsError> {
        let client = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build().map_err(|e| SmsError {
            to: String::new(),
            reason: format!("building the HTTP client: {e}"),
            permanent: true,
        })?;
        Ok(Self { config, client })
    }

    fn url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.config.base_url.trim_end_matches('/'),
            form_encode(&self.config.account_sid)
        )
    }

    fn form(&self, message: &SmsMessage) -> String {
        let sender = if self.config.from.starts_with("MG") { "MessagingServiceSid" } else { "From" };
        [("To", e164(&message.to)), (sender, self.config.from.clone()), ("Body", message.body.clone())]
            .iter()
            .map(|(name, value)| format!("{name}={}", form_encode(value)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

#[async_trait]
impl SmsSender for TwilioSms {
    #[tracing::instrument(skip_all, fields(to = %message.to))]
    async fn send(&self, message: &SmsMessage) -> Result<(), SmsError> {
        let failed = |reason: String, permanent: bool| SmsError { to: message.to.clone(), reason, permanent };
        let answer = self
            .client
            .post(self.url())
            .basic_auth(&self.config.account_sid, Some(&self.config.auth_token))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(self.form(message))
            .send()
            .await
            .map_err(|e| failed(format!("Twilio unreachable: {e}"), false))?;
        let status = answer.status();
        if status.is_success() {
            tracing::info!(status = status.as_u16(), "sms accepted by Twilio");
            return Ok(());
        }
        let body = answer.text().await.unwrap_or_default();
        let detail = match serde_json::from_str::<TwilioError>(&body) {
            Ok(TwilioError { code, message: Some(text) }) => match code {
                Some(code) => format!("{text} (Twilio error {code})"),
                None => text,
            },
            _ => body.chars().take(QUOTED_ANSWER).collect(),
        };
        let permanent = matches!(status.as_u16(), 400 | 404);
        Err(failed(format!("Twilio answered {}: {detail}", status.as_u16()), permanent))
    }
}

/// `application/x-www-form-urlencoded`: letters, digits and `*-._` stay, a space is
/// `+`, every other byte of the UTF-8 is `%XX`.
fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(char::from(byte)),
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    use super::*;

    /// A one-request HTTP server on a thread: answers `status` with `body` and hands
    /// back the request it got.
    fn fake_twilio(status: u16, body: &'static str) -> (String, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap();
                }
                head.push_str(&line);
                if line == "\r\n" {
                    break;
                }
            }
            let mut body_in = vec![0; length];
            reader.read_exact(&mut body_in).unwrap();
            let mut stream = stream;
            write!(stream, "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
            head + &String::from_utf8(body_in).unwrap()
        });
        (base, handle)
    }

    fn sender(base_url: String, from: &str) -> TwilioSms {
        TwilioSms::new(TwilioConfig {
            account_sid: "AC123".into(),
            auth_token: "secret".into(),
            from: from.into(),
            base_url,
        })
        .unwrap()
    }

    fn message() -> SmsMessage {
        SmsMessage { to: "+44 20-7946 0958".into(), body: "Sale: 20% off & more!".into() }
    }

    #[tokio::test]
    async fn a_message_is_posted_as_a_form_with_basic_auth() {
        let (base, server) = fake_twilio(201, r#"{"sid": "SM1", "status": "queued"}"#);
        sender(base, "+15005550006").send(&message()).await.unwrap();
        let request = server.join().unwrap();
        assert!(request.starts_with("POST /2010-04-01/Accounts/AC123/Messages.json HTTP/1.1\r\n"), "{request}");
        // "AC123:secret" in base64.
        assert!(request.to_ascii_lowercase().contains("authorization: basic qumxmjm6c2vjcmv0\r\n"), "{request}");
        assert!(
            request.ends_with("To=%2B442079460958&From=%2B15005550006&Body=Sale%3A+20%25+off+%26+more%21"),
            "{request}"
        );
    }

    #[tokio::test]
    async fn a_messaging_service_is_named_as_such() {
        let (base, server) = fake_twilio(201, "{}");
        sender(base, "MG42").send(&message()).await.unwrap();
        assert!(server.join().unwrap().contains("&MessagingServiceSid=MG42&"));
    }

    #[tokio::test]
    async fn an_invalid_number_is_a_permanent_refusal_and_an_outage_is_not() {
        let (base, _server) =
            fake_twilio(400, r#"{"code": 21211, "message": "The 'To' number is not valid.", "status": 400}"#);
        let error = sender(base, "+15005550006").send(&message()).await.unwrap_err();
        assert!(error.permanent);
        assert_eq!(error.reason, "Twilio answered 400: The 'To' number is not valid. (Twilio error 21211)");
        let (base, _server) = fake_twilio(503, "busy");
        let error = sender(base, "+15005550006").send(&message()).await.unwrap_err();
        assert!(!error.permanent);
        assert_eq!(error.reason, "Twilio answered 503: busy");
        let unreachable = sender("http://127.0.0.1:9".into(), "+1").send(&message()).await.unwrap_err();
        assert!(!unreachable.permanent);
    }

    #[test]
    fn the_auth_token_never_prints() {
        let config = TwilioConfig {
            account_sid: "AC1".into(),
            auth_token: "hunter2".into(),
            from: "+1".into(),
            base_url: DEFAULT_BASE_URL.into(),
        };
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
