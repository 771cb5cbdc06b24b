//! The log mailer: records each message in the log instead of sending it, for
//! deployments where nobody should receive mail (and for development).

use async_trait::async_trait;

use super::{MailError, MailMessage, Mailer};

/// Logs each message's recipient, subject and template at `info`, never its body:
/// bodies carry one-time verification and password-reset links, and logs are read
/// by more people, and kept longer, than a mailbox.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogMailer;

#[async_trait]
impl Mailer for LogMailer {
    async fn send(&self, message: &MailMessage) -> Result<(), MailError> {
        tracing::info!(
            to = %message.to,
            subject = %message.subject,
            template = %message.template,
            "mail (log mailer: logged, not sent)"
        );
        Ok(())
    }
}
