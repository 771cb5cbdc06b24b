//! The mailer port: how Emporium sends e-mail. Adapters: [`outbox`] writes each
//! message as an `.eml` file (the embedded default) and [`log`] only logs it.

pub mod log;
pub mod outbox;
mod rfc5322;
pub mod smtp;

use async_trait::async_trait;

/// One e-mail with a plain-text and an HTML part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailMessage {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
#[error("sending mail to {to}: {reason}")]
pub struct MailError {
    /// The recipient.
    pub to: String,
    /// What failed.
    pub reason: String,
}

/// Sends mail.
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Sends (or durably queues) one message.
    async fn send(&self, message: &MailMessage) -> Result<(), MailError>;
}
