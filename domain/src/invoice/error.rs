//! Why the invoice sequence refused a command.

/// A refused invoice command; [`InvoiceError::code`] gives its stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    /// Every number up to `u64::MAX` is taken.
    #[error("the invoice sequence is exhausted")]
    Exhausted,
}

impl InvoiceError {
    /// The stable, documented code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            InvoiceError::Exhausted => "invoice.exhausted",
        }
    }
}
