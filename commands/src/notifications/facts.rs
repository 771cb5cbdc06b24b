//! What a message says, per kind: the facts its template renders, taken from the
//! event that caused it (and the order it concerns), with money already written for
//! people.

use emporium_domain::notification::NotificationKind;
use serde::Serialize;

/// One order line as the confirmation lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineFacts {
    /// Product name.
    pub name: String,
    /// Units.
    pub quantity: u32,
    /// `19.98 USD`.
    pub line_total: String,
}

/// The facts of one message; the variant picks the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Facts {
    /// A new account.
    Welcome,
    /// A confirmed, invoiced order.
    OrderConfirmation {
        /// The order.
        order_id: String,
        /// Its invoice number.
        invoice_number: u64,
        /// Its lines.
        lines: Vec<LineFacts>,
        /// Sum of the lines.
        subtotal: String,
        /// Coupon discount, when there was one.
        discount: Option<String>,
        /// What was paid.
        total: String,
    },
    /// A payment taken.
    PaymentConfirmation {
        /// The order paid.
        order_id: String,
        /// How much.
        amount: String,
    },
    /// An order handed to a carrier.
    ShippingUpdate {
        /// The order.
        order_id: String,
        /// The carrier.
        carrier: String,
        /// The carrier's tracking number.
        tracking_number: String,
    },
    /// A cancelled order.
    Cancellation {
        /// The order.
        order_id: String,
        /// Why.
        reason: String,
        /// Whether money will come back.
        refund_due: bool,
    },
    /// Money given back.
    Refund {
        /// The order.
        order_id: String,
        /// This refund.
        amount: String,
        /// All refunds of the order so far.
        total_refunded: String,
    },
    /// A promotional campaign.
    Promotion {
        /// The e-mail subject (`None` for SMS).
        subject: Option<String>,
        /// The message, plain text.
        body: String,
        /// The body's paragraphs (split at blank lines), each as its lines, for HTML.
        paragraphs: Vec<Vec<String>>,
    },
}

impl Facts {
    /// The kind of notification these facts make.
    pub fn kind(&self) -> NotificationKind {
        match self {
            Self::Welcome => NotificationKind::Welcome,
            Self::OrderConfirmation { .. } => NotificationKind::OrderConfirmation,
            Self::PaymentConfirmation { .. } => NotificationKind::PaymentConfirmation,
            Self::ShippingUpdate { .. } => NotificationKind::ShippingUpdate,
            Self::Cancellation { .. } => NotificationKind::Cancellation,
            Self::Refund { .. } => NotificationKind::Refund,
            Self::Promotion { .. } => NotificationKind::Promotion,
        }
    }

    /// A campaign's facts, with the body split into paragraphs of lines.
    pub fn promotion(subject: Option<String>, body: &str) -> Self {
        let normalised = body.replace("\r\n", "\n");
        let paragraphs = normalised
            .split("\n\n")
            .map(|paragraph| {
                paragraph
                    .lines()
                    .map(str::trim_end)
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .filter(|lines| !lines.is_empty())
            .collect();
        Self::Promotion { subject, body: normalised.trim().to_owned(), paragraphs }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_campaign_body_splits_into_paragraphs_of_lines() {
        let Facts::Promotion { paragraphs, body, .. } = Facts::promotion(None, "Sale!\r\nToday only.\n\n\n20% off  \n")
        else {
            panic!()
        };
        assert_eq!(paragraphs, vec![vec!["Sale!".to_owned(), "Today only.".to_owned()], vec!["20% off".to_owned()]]);
        assert_eq!(body, "Sale!\nToday only.\n\n\n20% off");
    }
}
