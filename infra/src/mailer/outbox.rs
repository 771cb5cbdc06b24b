//! The outbox mailer (embedded default): each message becomes one `.eml` file in a
//! directory, for a person to open or a test to read.
//!
//! Files are written whole under a temporary name, flushed to disk and renamed, so
//! a reader never sees half a message. Names start with the UTC time to the
//! microsecond and a per-mailer sequence number, so sorting names sorts messages
//! by when they were sent. A message with a [`MessageKey`](super::MessageKey) is named
//! by its key's time and id instead, so sending it again replaces it: the outbox
//! holds each such message once however often it is sent.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use chrono::Utc;
use uuid::Uuid;

use super::{MailError, MailMessage, Mailer, rfc5322};

/// Writes each message as an RFC 5322 `.eml` file under a directory.
#[derive(Debug)]
pub struct OutboxMailer {
    dir: PathBuf,
    sequence: AtomicU64,
}

impl OutboxMailer {
    /// A mailer writing into `dir` (created on first send if missing).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir, sequence: AtomicU64::new(0) }
    }

    /// The directory messages are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[async_trait]
impl Mailer for OutboxMailer {
    #[tracing::instrument(skip_all, fields(to = %message.to))]
    async fn send(&self, message: &MailMessage) -> Result<(), MailError> {
        let (at, id, name) = match message.key {
            // A message that may be sent again gets a name of its own: the repeat
            // replaces the first copy instead of adding a second.
            Some(key) => (key.at, key.id, format!("{}-{}.eml", key.at.format("%Y%m%dT%H%M%S%.6fZ"), key.id.simple())),
            None => {
                let at = Utc::now();
                let id = Uuid::now_v7();
                let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
                let suffix = &id.simple().to_string()[24..];
                (at, id, format!("{}-{sequence:06}-{suffix}.eml", at.format("%Y%m%dT%H%M%S%.6fZ")))
            }
        };
        let contents = rfc5322::render(message, at, id);
        let dir = self.dir.clone();
        let path = dir.join(&name);
        let written = tokio::task::spawn_blocking(move || {
            crate::private_files::write_atomically(&dir, &name, contents.as_bytes())
        })
        .await;
        let failed = |reason: String| MailError { to: message.to.clone(), reason };
        match written {
            Ok(Ok(())) => {
                tracing::info!(path = %path.display(), subject = %message.subject, "mail written to the outbox");
                Ok(())
            }
            Ok(Err(error)) => Err(failed(format!("writing {}: {error}", path.display()))),
            Err(error) => Err(failed(format!("the writer task failed: {error}"))),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn message(to: &str) -> MailMessage {
        MailMessage {
            to: to.into(),
            subject: "Hello".into(),
            text: "token=abc".into(),
            html: "<p>token=abc</p>".into(),
            template: "test".into(),
            key: None,
        }
    }

    #[tokio::test]
    async fn a_keyed_message_sent_twice_is_in_the_outbox_once() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = OutboxMailer::new(dir.path().join("mail"));
        let key = super::super::MessageKey { id: Uuid::now_v7(), at: Utc::now() };
        let keyed = MailMessage { key: Some(key), ..message("ann@example.com") };
        mailer.send(&keyed).await.unwrap();
        mailer.send(&keyed).await.unwrap();
        mailer.send(&message("bob@example.com")).await.unwrap();
        let names: Vec<String> =
            std::fs::read_dir(mailer.dir()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        let kept = names.iter().find(|n| n.contains(&key.id.simple().to_string())).expect("the keyed message");
        let text = std::fs::read_to_string(mailer.dir().join(kept)).unwrap();
        assert!(text.contains(&format!("Message-ID: <{}@", key.id.simple())), "{text}");
    }

    #[tokio::test]
    async fn each_message_is_one_eml_file_and_names_sort_in_sending_order() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = OutboxMailer::new(dir.path().join("mail"));
        for i in 0..20 {
            mailer.send(&message(&format!("user{i:02}@example.com"))).await.unwrap();
        }
        let mut names: Vec<String> =
            std::fs::read_dir(mailer.dir()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert_eq!(names.len(), 20, "no temporary files are left behind: {names:?}");
        assert!(names.iter().all(|n| n.ends_with(".eml")));
        names.sort();
        for (i, name) in names.iter().enumerate() {
            let text = std::fs::read_to_string(mailer.dir().join(name)).unwrap();
            assert!(text.contains(&format!("To: user{i:02}@example.com\r\n")), "{name} out of order");
        }
    }
}
