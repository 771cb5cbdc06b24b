//! The mailer port: how Emporium sends e-mail. Adapters: [`outbox`] writes each
//! message as an `.eml` file (the embedded default) and [`log`] only logs it.

pub mod log;
pub mod outbox;
mod rfc5322;
#[cfg(feature = "smtp")]
pub mod smtp;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

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
    /// Which kind of message this is (`verify-email`, `order_confirmation`, …): what
    /// a log may say about it instead of its body, which can hold one-time links.
    pub template: String,
    /// The message's identity, when its sender may send it again (after a crash
    /// between sending and recording it): see [`MessageKey`]. `None` for one-off mail.
    pub key: Option<MessageKey>,
}

/// A message's stable identity across repeated sends. The outbox stores the message
/// under a name derived from it (a repeat replaces the first copy, so the outbox holds
/// it once); SMTP sends it as the `Message-ID` and `Date`, so the receiving side can
/// recognise a repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageKey {
    /// Unique per message (e.g. the notification id).
    pub id: Uuid,
    /// When the message was first queued.
    pub at: DateTime<Utc>,
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
