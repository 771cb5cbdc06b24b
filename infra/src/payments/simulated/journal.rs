//! The simulator's ledger on disk: one JSON [`Entry`] per line, appended and synced
//! before the answer is given, so that a provider that "answered" also remembers it
//! after Emporium is killed — as a real provider, which lives outside the process, does.
//!
//! A crash can leave the last line half written (no trailing newline). Opening the
//! journal drops such a tail: that call was never answered, so forgetting it is
//! exactly what the caller saw. Any other unreadable line is corruption and refuses
//! to open.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::ledger::Entry;

/// An open, append-only journal file.
#[derive(Debug)]
pub(super) struct Journal {
    file: File,
    path: PathBuf,
}

impl Journal {
    /// Opens (creating if missing) the journal at `path` and returns it with every
    /// complete entry it holds, oldest first.
    pub(super) fn open(path: &Path) -> io::Result<(Self, Vec<Entry>)> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            crate::private_files::create_dir(parent)?;
        }
        // Payment records are nobody else's business: owner-only, like every store file.
        let mut file =
            OpenOptions::new().read(true).append(true).create(true).mode(crate::private_files::FILE_MODE).open(path)?;
        let mut entries = Vec::new();
        let mut complete = 0u64;
        let mut reader = BufReader::new(&file);
        let mut line = String::new();
        let mut number = 0usize;
        loop {
            line.clear();
            let read = reader.read_line(&mut line)?;
            if read == 0 || !line.ends_with('\n') {
                break;
            }
            number += 1;
            let entry: Entry = serde_json::from_str(line.trim_end()).map_err(|error| {
                io::Error::new(io::ErrorKind::InvalidData, format!("{} line {number}: {error}", path.display()))
            })?;
            entries.push(entry);
            complete += read as u64;
        }
        drop(reader);
        if file.metadata()?.len() > complete {
            tracing::warn!(path = %path.display(), "dropping a half-written last entry of the simulated payment journal");
            file.set_len(complete)?;
            file.sync_data()?;
        }
        file.seek(SeekFrom::End(0))?;
        Ok((Self { file, path: path.to_owned() }, entries))
    }

    /// Appends one entry and waits until it is on disk.
    pub(super) fn append(&mut self, entry: &Entry) -> io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)?;
        self.file.sync_data()
    }

    /// Where it lives.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use emporium_domain::money::{Currency, Money};

    use super::super::ledger::{Outcome, Request};
    use super::*;

    fn entry(key: &str) -> Entry {
        Entry {
            key: key.to_owned(),
            request: Request::Authorize {
                amount: Money::new(1250, Currency::parse("EUR").unwrap()).unwrap(),
                method_token: "pm_card_visa".to_owned(),
            },
            outcome: Outcome::Authorized { provider_reference: format!("pi_sim_{key}") },
        }
    }

    #[test]
    fn entries_come_back_in_order_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/journal.jsonl");
        let (mut journal, entries) = Journal::open(&path).unwrap();
        assert!(entries.is_empty());
        journal.append(&entry("a")).unwrap();
        journal.append(&entry("b")).unwrap();
        drop(journal);
        let (_, entries) = Journal::open(&path).unwrap();
        assert_eq!(entries, vec![entry("a"), entry("b")]);
    }

    #[test]
    fn a_half_written_last_line_is_dropped_and_appending_goes_on_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let (mut journal, _) = Journal::open(&path).unwrap();
        journal.append(&entry("a")).unwrap();
        drop(journal);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"key":"b","request":{"ca"#).unwrap();
        drop(file);
        let (mut journal, entries) = Journal::open(&path).unwrap();
        assert_eq!(entries, vec![entry("a")]);
        journal.append(&entry("c")).unwrap();
        drop(journal);
        let (_, entries) = Journal::open(&path).unwrap();
        assert_eq!(entries, vec![entry("a"), entry("c")]);
    }

    #[test]
    fn a_corrupt_complete_line_refuses_to_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        std::fs::write(&path, "not json\n").unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("line 1"), "{error}");
    }
}
