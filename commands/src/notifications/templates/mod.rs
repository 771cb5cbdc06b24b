//! The message templates (minijinja), embedded in the binary: per kind a subject
//! line, a plain-text part and an HTML part (autoescaped, extending `layout.html`),
//! and an SMS text for campaigns.
//!
//! Campaign messages carry [`UNSUBSCRIBE_MARKER`] where the recipient's unsubscribe
//! link goes; the dispatcher puts the link in only when it sends, so no token ever
//! enters the log.

use emporium_domain::notification::{Channel, NotificationKind};
use minijinja::{Environment, Value, context};

use super::facts::Facts;
pub(super) use emporium_infra::html::escape as escape_html;

/// Stands for the unsubscribe link in stored campaign messages.
pub const UNSUBSCRIBE_MARKER: &str = "[[unsubscribe_url]]";
/// The shop's name in every message.
pub const SHOP: &str = "Emporium";
/// Longest SMS label shown in the history (the start of the text).
const SMS_LABEL_CHARS: usize = 60;

/// Every template, by name. Names ending in `.html` are autoescaped.
const SOURCES: &[(&str, &str)] = &[
    ("layout.html", include_str!("layout.html")),
    ("welcome.subject.txt", include_str!("welcome.subject.txt")),
    ("welcome.txt", include_str!("welcome.txt")),
    ("welcome.html", include_str!("welcome.html")),
    ("order_confirmation.subject.txt", include_str!("order_confirmation.subject.txt")),
    ("order_confirmation.txt", include_str!("order_confirmation.txt")),
    ("order_confirmation.html", include_str!("order_confirmation.html")),
    ("payment_confirmation.subject.txt", include_str!("payment_confirmation.subject.txt")),
    ("payment_confirmation.txt", include_str!("payment_confirmation.txt")),
    ("payment_confirmation.html", include_str!("payment_confirmation.html")),
    ("shipping_update.subject.txt", include_str!("shipping_update.subject.txt")),
    ("shipping_update.txt", include_str!("shipping_update.txt")),
    ("shipping_update.html", include_str!("shipping_update.html")),
    ("cancellation.subject.txt", include_str!("cancellation.subject.txt")),
    ("cancellation.txt", include_str!("cancellation.txt")),
    ("cancellation.html", include_str!("cancellation.html")),
    ("refund.subject.txt", include_str!("refund.subject.txt")),
    ("refund.txt", include_str!("refund.txt")),
    ("refund.html", include_str!("refund.html")),
    ("promotion.subject.txt", include_str!("promotion.subject.txt")),
    ("promotion.txt", include_str!("promotion.txt")),
    ("promotion.html", include_str!("promotion.html")),
    ("promotion.sms.txt", include_str!("promotion.sms.txt")),
];

/// A rendered message, ready to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line (e-mail) or a short label (SMS).
    pub subject: String,
    /// The plain-text part, or the SMS.
    pub text: String,
    /// The HTML part (e-mail only).
    pub html: Option<String>,
}

/// Why a message could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The kind has no template for the channel (only campaigns go by SMS).
    #[error("no {channel} template for {kind} messages")]
    NoTemplate {
        /// The kind.
        kind: NotificationKind,
        /// The channel.
        channel: Channel,
    },
    /// The engine failed.
    #[error("rendering {template}: {source}")]
    Render {
        /// The template.
        template: String,
        /// The engine's error.
        #[source]
        source: minijinja::Error,
    },
}

/// The loaded templates.
pub struct Templates {
    env: Environment<'static>,
    shop_url: String,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").field("shop_url", &self.shop_url).finish_non_exhaustive()
    }
}

impl Templates {
    /// Loads every template; links point at `shop_url`.
    pub fn new(shop_url: &str) -> Self {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_keep_trailing_newline(true);
        for (name, source) in SOURCES {
            // The sources are compiled in and parsed by the tests; a failure here is a bug,
            // and only the messages of that template will fail to render.
            if let Err(error) = env.add_template(name, source) {
                tracing::error!(template = name, %error, "a message template does not parse");
            }
        }
        Self { env, shop_url: shop_url.trim_end_matches('/').to_owned() }
    }

    /// Renders `facts` for a recipient called `name`, on `channel`.
    pub fn render(&self, facts: &Facts, name: &str, channel: Channel) -> Result<Rendered, TemplateError> {
        let kind = facts.kind();
        let context = context! {
            shop => SHOP,
            shop_url => Value::from_safe_string(escape_html(&self.shop_url)),
            name => name,
            unsubscribe_url => UNSUBSCRIBE_MARKER,
            ..Value::from_serialize(facts)
        };
        match (channel, facts) {
            (Channel::Email, _) => {
                let subject = self.render_one(&format!("{kind}.subject.txt"), &context)?.trim().to_owned();
                let context = context! { subject => subject, ..context };
                Ok(Rendered {
                    text: self.render_one(&format!("{kind}.txt"), &context)?,
                    html: Some(self.render_one(&format!("{kind}.html"), &context)?),
                    subject,
                })
            }
            (Channel::Sms, Facts::Promotion { body, .. }) => {
                let first_line = body.lines().next().unwrap_or_default();
                let mut subject: String = first_line.chars().take(SMS_LABEL_CHARS).collect();
                if first_line.chars().count() > SMS_LABEL_CHARS {
                    subject.push('…');
                }
                Ok(Rendered {
                    subject,
                    text: self.render_one("promotion.sms.txt", &context)?.trim_end().to_owned(),
                    html: None,
                })
            }
            (Channel::Sms, _) => Err(TemplateError::NoTemplate { kind, channel }),
        }
    }

    fn render_one(&self, name: &str, context: &Value) -> Result<String, TemplateError> {
        let failed = |source| TemplateError::Render { template: name.to_owned(), source };
        self.env.get_template(name).map_err(failed)?.render(context).map_err(failed)
    }
}

/// Puts the recipient's unsubscribe link where a campaign message has the marker:
/// as is in text, HTML-escaped in HTML.
pub fn with_unsubscribe_link(text: &str, html: Option<&str>, link: &str) -> (String, Option<String>) {
    let escaped = escape_html(link);
    (text.replace(UNSUBSCRIBE_MARKER, link), html.map(|html| html.replace(UNSUBSCRIBE_MARKER, &escaped)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
