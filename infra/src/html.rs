//! Text inside HTML: the one escaping helper for everything Emporium renders as HTML
//! (mail templates, the invoice page, the account pages' mail).

/// Escapes text for HTML element content and quoted attribute values. `/` is left
/// alone, so links stay readable.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_quotes_are_escaped_and_links_kept() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jo'</a> /unsubscribe"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jo&#39;&lt;/a&gt; /unsubscribe"
        );
    }
}
