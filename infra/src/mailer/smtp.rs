//! The SMTP mailer: sends each message to a relay with lettre, as a
//! `multipart/alternative` of the plain-text and HTML parts.
//!
//! The connection is plain SMTP without TLS (meant for a local relay), with optional
//! credentials. Every failure — connection refused, a timeout, a transient `4xx` or a
//! permanent `5xx` reply — comes back as a [`MailError`]; the notification
//! dispatcher retries on error, so a relay that is down delays mail but loses none.
//! The whole exchange is bounded by the configured timeout, so a send never hangs.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{MailError, MailMessage, Mailer};

/// Where and how to reach the SMTP relay.
#[derive(Clone)]
pub struct SmtpConfig {
    /// The relay's host name or address.
    pub host: String,
    /// The relay's port.
    pub port: u16,
    /// The user to authenticate as (no authentication when `None`).
    pub username: Option<String>,
    /// The password for `username`; never shown by `Debug`.
    pub password: Option<String>,
    /// The sender, such as `Emporium <no-reply@emporium.local>`.
    pub from: String,
    /// The longest a connection or a whole send may take.
    pub timeout: Duration,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Sends each message through an SMTP relay.
pub struct SmtpMailer {
    config: SmtpConfig,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer").field("config", &self.config).finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for the relay `config` names. Nothing connects until the first send.
    pub fn new(config: SmtpConfig) -> Self {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
            .port(config.port)
            .timeout(Some(config.timeout));
        if let Some(username) = &config.username {
            let password = config.password.clone().unwrap_or_default();
            builder = builder.credentials(Credentials::new(username.clone(), password));
        }
        Self { transport: builder.build(), config }
    }

    /// The relay configuration (its `Debug` hides the password).
    pub fn config(&self) -> &SmtpConfig {
        &self.config
    }

    fn build(&self, message: &MailMessage) -> Result<Message, String> {
        let from: Mailbox =
            self.config.from.parse().map_err(|error| format!("invalid sender {:?}: {error}", self.config.from))?;
        let to: Mailbox = message.to.parse().map_err(|error| format!("invalid recipient: {error}"))?;
        let mut builder = Message::builder().from(from).to(to).subject(message.subject.clone());
        if let Some(key) = message.key {
            // The same Message-ID and Date on a repeat, so the receiving side can tell.
            builder = builder.message_id(Some(format!("<{}@{}>", key.id.simple(), super::rfc5322::ID_DOMAIN)));
            builder = builder.date(key.at.into());
        }
        builder
            .multipart(MultiPart::alternative_plain_html(message.text.clone(), message.html.clone()))
            .map_err(|error| format!("building the message: {error}"))
    }
}

/// A readable reason for an SMTP failure, saying whether a retry may help.
fn describe(error: &lettre::transport::smtp::Error) -> String {
    if error.is_transient() {
        format!("transient SMTP reply: {error}")
    } else if error.is_permanent() {
        format!("permanent SMTP reply: {error}")
    } else if error.is_timeout() {
        format!("SMTP timeout: {error}")
    } else {
        format!("SMTP error: {error}")
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    #[tracing::instrument(skip_all, fields(to = %message.to))]
    async fn send(&self, message: &MailMessage) -> Result<(), MailError> {
        let failed = |reason: String| MailError { to: message.to.clone(), reason };
        let email = self.build(message).map_err(failed)?;
        // lettre bounds each network operation; this bounds the exchange as a whole.
        let budget = self.config.timeout.saturating_mul(2);
        match tokio::time::timeout(budget, self.transport.send(email)).await {
            Ok(Ok(response)) => {
                tracing::info!(code = %response.code(), subject = %message.subject, "mail sent over SMTP");
                Ok(())
            }
            Ok(Err(error)) => Err(failed(describe(&error))),
            Err(_) => {
                Err(failed(format!("no answer from {}:{} within {budget:?}", self.config.host, self.config.port)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let mailer = SmtpMailer::new(SmtpConfig {
            host: "localhost".into(),
            port: 2525,
            username: Some("shop".into()),
            password: Some("hunter2-secret".into()),
            from: "Emporium <no-reply@emporium.local>".into(),
            timeout: Duration::from_secs(1),
        });
        let shown = format!("{mailer:?} {:?}", mailer.config());
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
