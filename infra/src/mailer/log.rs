//! The log mailer: records each message in the log instead of sending it, for
//! deployments where nobody should receive mail (and for development).

use async_trait::async_trait;

use super::{MailError, MailMessage, Mailer};

/// Logs each message (recipient, subject and plain-text body) at `info`.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogMailer;

#[async_trait]
impl Mailer for LogMailer {
    async fn send(&self, message: &MailMessage) -> Result<(), MailError> {
        tracing::info!(to = %message.to, subject = %message.subject, text = %message.text, "mail (log mailer: logged, not sent)");
        Ok(())
    }
}
