//! The log SMS sender: records each message in the log instead of sending it, for
//! deployments without an SMS provider (and for development).

use async_trait::async_trait;

use super::{SmsError, SmsMessage, SmsSender};

/// Logs each message (recipient and text) at `info`.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogSms;

#[async_trait]
impl SmsSender for LogSms {
    async fn send(&self, message: &SmsMessage) -> Result<(), SmsError> {
        tracing::info!(to = %message.to, body = %message.body, "sms (log sender: logged, not sent)");
        Ok(())
    }
}
