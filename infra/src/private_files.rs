//! Files only the shop's own user may read: the data directory and what it holds
//! (the token secret, mailed links in the outbox, SQLite files with password hashes).
//!
//! Modes are set when a file or directory is created, never loosened afterwards: a
//! directory this module creates is `0700`, a file `0600`, whatever the umask.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

/// Mode of the directories created here.
pub const DIR_MODE: u32 = 0o700;
/// Mode of the files created here.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and any missing parents with mode `0700` (an existing one is left as it is).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)
}

/// Creates `path` empty with mode `0600` if it does not exist (so that SQLite, which
/// gives its `-wal` and `-shm` files the database's mode, starts from a private file).
pub fn create_file(path: &Path) -> io::Result<()> {
    match OpenOptions::new().write(true).create_new(true).mode(FILE_MODE).open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Writes `dir/.name.tmp` with mode `0600`, syncs it, renames it to `dir/name` and
/// syncs the directory, so a reader never sees half a file and the rename survives a crash.
pub fn write_atomically(dir: &Path, name: &str, contents: &[u8]) -> io::Result<()> {
    create_dir(dir)?;
    let temporary = dir.join(format!(".{name}.tmp"));
    let result = (|| {
        let mut file = OpenOptions::new().write(true).create(true).truncate(true).mode(FILE_MODE).open(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&temporary, dir.join(name))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result?;
    // Make the rename itself durable; not every platform can open a directory.
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn what_is_created_here_only_its_owner_can_read() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data").join("mail");
        write_atomically(&dir, "secret", b"s3cret").unwrap();
        create_file(&root.path().join("data").join("emporium.db")).unwrap();
        assert_eq!(mode(&root.path().join("data")), DIR_MODE);
        assert_eq!(mode(&dir), DIR_MODE);
        assert_eq!(mode(&dir.join("secret")), FILE_MODE);
        assert_eq!(mode(&root.path().join("data").join("emporium.db")), FILE_MODE);
        assert_eq!(std::fs::read(dir.join("secret")).unwrap(), b"s3cret");
    }

    #[test]
    fn an_existing_file_is_left_as_it_is() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("emporium.db");
        std::fs::write(&path, b"data").unwrap();
        create_file(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"data");
    }
}
