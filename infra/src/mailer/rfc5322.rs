//! One [`MailMessage`] as a complete Internet message (RFC 5322 with MIME): a
//! `multipart/alternative` of the plain-text and HTML parts, CRLF line endings.
//!
//! Parts go as `8bit` so links stay readable and greppable (`token=…` is not turned
//! into `token=3D…` as quoted-printable would); a part with a line longer than the
//! 998 octets RFC 5322 allows goes as base64 instead. Subjects are RFC 2047 encoded
//! words, so any text is safe in a header.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::MailMessage;

/// The sender every message names.
pub(crate) const FROM: &str = "Emporium <no-reply@emporium.local>";
/// The domain of generated `Message-ID`s.
pub(crate) const ID_DOMAIN: &str = "emporium.local";
/// RFC 5322's hard limit on a line, without its CRLF.
const MAX_LINE: usize = 998;

/// Renders `message` as sent at `at`, identified by `id`.
pub(crate) fn render(message: &MailMessage, at: DateTime<Utc>, id: Uuid) -> String {
    let boundary = format!("=_emporium_{}", id.simple());
    let mut out = String::new();
    header(&mut out, "Date", &at.to_rfc2822());
    header(&mut out, "From", FROM);
    header(&mut out, "To", &single_line(&message.to));
    header(&mut out, "Subject", &encode_words(&single_line(&message.subject)));
    header(&mut out, "Message-ID", &format!("<{}@{ID_DOMAIN}>", id.simple()));
    header(&mut out, "MIME-Version", "1.0");
    header(&mut out, "Content-Type", &format!("multipart/alternative; boundary=\"{boundary}\""));
    out.push_str("\r\nThis is a multi-part message in MIME format.\r\n");
    part(&mut out, &boundary, "text/plain", &message.text);
    part(&mut out, &boundary, "text/html", &message.html);
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

fn header(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(": ");
    out.push_str(value);
    out.push_str("\r\n");
}

/// Drops line breaks and other control characters: a header value is one line, and
/// a caller's text must never be able to add headers.
fn single_line(value: &str) -> String {
    value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned()
}

/// RFC 2047 `B` encoded words of at most 75 characters, folded onto continuation lines;
/// a short printable-ASCII value stays as it is.
fn encode_words(value: &str) -> String {
    if value.len() <= 60 && value.bytes().all(|b| (0x20..0x7f).contains(&b)) && !value.contains("=?") {
        return value.to_owned();
    }
    // 45 bytes encode to 60 base64 characters: with `=?utf-8?B?` and `?=`, 72 in all.
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in value.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?utf-8?B?{}?=", STANDARD.encode(&chunk)));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() || words.is_empty() {
        words.push(format!("=?utf-8?B?{}?=", STANDARD.encode(&chunk)));
    }
    words.join("\r\n ")
}

fn part(out: &mut String, boundary: &str, content_type: &str, body: &str) {
    let body = crlf(body);
    let eight_bit = body.split("\r\n").all(|line| line.len() <= MAX_LINE) && !body.contains('\0');
    out.push_str(&format!("--{boundary}\r\n"));
    header(out, "Content-Type", &format!("{content_type}; charset=utf-8"));
    if eight_bit {
        header(out, "Content-Transfer-Encoding", "8bit");
        out.push_str("\r\n");
        out.push_str(&body);
    } else {
        header(out, "Content-Transfer-Encoding", "base64");
        out.push_str("\r\n");
        let encoded = STANDARD.encode(body.as_bytes());
        for line in encoded.as_bytes().chunks(76) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push_str("\r\n");
        }
    }
    if !out.ends_with("\r\n") {
        out.push_str("\r\n");
    }
}

/// Every line break as CRLF (bare CR or LF are not allowed in a message).
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\r\n")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn message(subject: &str, text: &str) -> MailMessage {
        MailMessage {
            to: "ann@example.com".into(),
            subject: subject.into(),
            text: text.into(),
            html: "<p><a href=\"http://x/verify-email?token=abc_-1\">verify</a></p>".into(),
            template: "test".into(),
            key: None,
        }
    }

    #[test]
    fn a_message_has_the_headers_and_both_parts() {
        let at = DateTime::parse_from_rfc3339("2025-07-01T10:00:00Z").unwrap().with_timezone(&Utc);
        let rendered =
            render(&message("Verify your e-mail", "Open http://x/verify-email?token=abc_-1\n"), at, Uuid::nil());
        assert!(rendered.starts_with("Date: Tue, 1 Jul 2025 10:00:00 +0000\r\n"));
        for line in [
            "From: Emporium <no-reply@emporium.local>\r\n",
            "To: ann@example.com\r\n",
            "Subject: Verify your e-mail\r\n",
            "Message-ID: <00000000000000000000000000000000@emporium.local>\r\n",
            "MIME-Version: 1.0\r\n",
            "Content-Type: text/plain; charset=utf-8\r\n",
            "Content-Type: text/html; charset=utf-8\r\n",
            "token=abc_-1\r\n",
        ] {
            assert!(rendered.contains(line), "missing {line:?} in\n{rendered}");
        }
        assert!(rendered.ends_with("--=_emporium_00000000000000000000000000000000--\r\n"));
        assert!(!rendered.replace("\r\n", "").contains('\n'), "only CRLF line breaks");
    }

    #[test]
    fn headers_cannot_be_injected_and_unicode_subjects_are_encoded() {
        let mut m = message("Hi\r\nBcc: evil@example.com", "x");
        m.to = "ann@example.com\r\nBcc: evil@example.com".into();
        let rendered = render(&m, Utc::now(), Uuid::nil());
        assert!(!rendered.contains("\r\nBcc:"));
        let subject = encode_words(&"Grüße aus dem Laden, ".repeat(5));
        assert!(subject.starts_with("=?utf-8?B?"));
        assert!(subject.split("\r\n ").all(|w| w.len() <= 75 && w.ends_with("?=")));
    }

    #[test]
    fn over_long_lines_switch_the_part_to_base64() {
        let rendered = render(&message("s", &"a".repeat(2000)), Utc::now(), Uuid::nil());
        assert!(rendered.contains("Content-Transfer-Encoding: base64"));
        assert!(rendered.split("\r\n").all(|line| line.len() <= MAX_LINE));
    }
}
