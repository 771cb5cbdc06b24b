//! The messages the account flows send: an address check after registering, a
//! password reset link, and a warning to an address someone tried to register again.
//! Each link carries `token=<secret>`; the secret is in the mail only, never in a log
//! line or an event.

use std::time::Duration;

use emporium_infra::accounts::{AccountStore, TokenKind};
use emporium_infra::html::escape;
use emporium_infra::mailer::{MailMessage, Mailer};
use uuid::Uuid;

use super::{AccountError, secrets};

/// Where links point and how long they work.
#[derive(Debug, Clone)]
pub struct LinkSettings {
    /// The shop's public base URL (`https://shop.example`).
    pub public_url: String,
    /// How long a mailed token works.
    pub ttl: Duration,
}

/// Which message to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// "Confirm your e-mail address": `/verify-email?token=…`.
    Verification,
    /// "Reset your password": `/reset-password?token=…`.
    PasswordReset,
}

impl Purpose {
    fn kind(self) -> TokenKind {
        match self {
            Self::Verification => TokenKind::EmailVerification,
            Self::PasswordReset => TokenKind::PasswordReset,
        }
    }
}

/// The ports a mailed link needs: the token store, the mailer and the link settings.
#[derive(Clone, Copy)]
pub struct Links<'a> {
    /// Where the token's digest is kept.
    pub accounts: &'a dyn AccountStore,
    /// How the message leaves.
    pub mailer: &'a dyn Mailer,
    /// Base URL and validity.
    pub settings: &'a LinkSettings,
}

impl Links<'_> {
    /// Issues a token for `purpose` and mails its link to `to`.
    pub async fn send(&self, purpose: Purpose, customer_id: Uuid, to: &str, name: &str) -> Result<(), AccountError> {
        let ttl = self.settings.ttl;
        let secret = secrets::issue(self.accounts, purpose.kind(), customer_id, ttl).await?;
        let message = compose(purpose, &self.settings.public_url, to, name, &secret, ttl.as_secs() / 3600);
        self.mailer.send(&message).await.map_err(AccountError::Mail)
    }

    /// Like [`Links::send`], but a failure is logged rather than returned: for flows
    /// whose main work is already done (the account exists) or that must answer the
    /// same either way.
    pub async fn send_logged(&self, purpose: Purpose, customer_id: Uuid, to: &str, name: &str) {
        if let Err(error) = self.send(purpose, customer_id, to, name).await {
            tracing::error!(%customer_id, ?purpose, %error, "could not mail a link");
        }
    }

    /// Tells the owner of `to` that someone tried to open a second account with it,
    /// in place of the answer register cannot give (that would tell anyone which
    /// addresses have accounts). A failure is logged, as the caller must answer the
    /// same either way.
    pub async fn send_registration_attempt(&self, to: &str) {
        let message = registration_attempt(&self.settings.public_url, to);
        if let Err(error) = self.mailer.send(&message).await {
            tracing::error!(%error, "could not mail a registration-attempt warning");
        }
    }
}

/// The message itself.
fn compose(purpose: Purpose, public_url: &str, to: &str, name: &str, secret: &str, valid_hours: u64) -> MailMessage {
    let base = public_url.trim_end_matches('/');
    let (subject, page, intro, action, outro) = match purpose {
        Purpose::Verification => (
            "Confirm your e-mail address",
            "verify-email",
            "Thanks for registering with Emporium. Please confirm that this is your e-mail address:",
            "Confirm my e-mail address",
            "If you did not register, ignore this message.",
        ),
        Purpose::PasswordReset => (
            "Reset your Emporium password",
            "reset-password",
            "Someone (hopefully you) asked to reset the password of your Emporium account:",
            "Choose a new password",
            "If you did not ask for this, ignore this message; your password stays as it is.",
        ),
    };
    let link = format!("{base}/{page}?token={secret}");
    let validity = match valid_hours {
        0 => "The link works once and expires within the hour.".to_owned(),
        1 => "The link works once and expires in 1 hour.".to_owned(),
        hours => format!("The link works once and expires in {hours} hours."),
    };
    let text = format!("Hello {name},\n\n{intro}\n\n{link}\n\n{validity}\n{outro}\n\n-- Emporium\n");
    let html = format!(
        "<!DOCTYPE html>\n<html><body>\n<p>Hello {name},</p>\n<p>{intro}</p>\n<p><a href=\"{href}\">{action}</a></p>\n\
         <p>{validity}<br>{outro}</p>\n<p>&mdash; Emporium</p>\n</body></html>\n",
        name = escape(name),
        href = escape(&link),
    );
    MailMessage { to: to.to_owned(), subject: subject.to_owned(), text, html, template: page.to_owned(), key: None }
}

/// The warning to an address someone tried to register again.
fn registration_attempt(public_url: &str, to: &str) -> MailMessage {
    let base = public_url.trim_end_matches('/');
    let text = format!(
        "Hello,\n\nSomeone, maybe you, tried to register a new Emporium account with this e-mail address, \
         which already has one. Nothing was changed.\n\nIf it was you, sign in at {base}, or ask for a \
         password reset there if you forgot your password. If it was not you, you can ignore this message.\n\n-- Emporium\n"
    );
    let html = format!(
        "<!DOCTYPE html>\n<html><body>\n<p>Hello,</p>\n<p>Someone, maybe you, tried to register a new Emporium \
         account with this e-mail address, which already has one. Nothing was changed.</p>\n<p>If it was you, sign \
         in at <a href=\"{href}\">{href}</a>, or ask for a password reset there if you forgot your password. If it \
         was not you, you can ignore this message.</p>\n<p>&mdash; Emporium</p>\n</body></html>\n",
        href = escape(base),
    );
    MailMessage {
        to: to.to_owned(),
        subject: "Someone tried to register with your address".to_owned(),
        text,
        html,
        template: "registration-attempt".to_owned(),
        key: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_token_and_names_are_escaped() {
        let message =
            compose(Purpose::Verification, "http://shop.test/", "ann@example.com", "<Ann & Co>", "s3cr3t-_", 24);
        assert!(message.text.contains("http://shop.test/verify-email?token=s3cr3t-_\n"));
        assert!(message.html.contains("href=\"http://shop.test/verify-email?token=s3cr3t-_\""));
        assert!(message.html.contains("Hello &lt;Ann &amp; Co&gt;,"));
        assert!(message.text.contains("expires in 24 hours"));
        let reset = compose(Purpose::PasswordReset, "http://shop.test", "ann@example.com", "Ann", "t", 1);
        assert!(reset.text.contains("http://shop.test/reset-password?token=t\n"));
        assert_eq!(reset.subject, "Reset your Emporium password");
    }
}
