//! The SMS port: how Emporium sends text messages. Adapters: [`log`] only logs each
//! message (the embedded default) and [`twilio`] sends it through Twilio's
//! Messages API.

pub mod log;
#[cfg(feature = "twilio")]
pub mod twilio;

use async_trait::async_trait;

/// One text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsMessage {
    /// The recipient's phone number as the customer gave it (digits, spaces, `+`, `-`).
    pub to: String,
    /// The text.
    pub body: String,
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sending SMS to {to}: {reason}")]
pub struct SmsError {
    /// The recipient.
    pub to: String,
    /// What failed.
    pub reason: String,
    /// True when the provider refused the message for good (an invalid number):
    /// sending it again cannot succeed. Outages and rate limits are not permanent.
    pub permanent: bool,
}

/// Sends text messages.
#[async_trait]
pub trait SmsSender: Send + Sync + 'static {
    /// Sends (or durably queues with the provider) one message.
    async fn send(&self, message: &SmsMessage) -> Result<(), SmsError>;
}

/// A phone number in E.164 shape for providers: the `+` and digits only
/// (`+44 20-7946 0958` → `+442079460958`).
pub fn e164(number: &str) -> String {
    number.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_lose_their_spaces_and_dashes() {
        assert_eq!(super::e164(" +44 20-7946 0958 "), "+442079460958");
    }
}
