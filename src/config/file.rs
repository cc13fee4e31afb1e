//! Reading the config file: a regular file only (a FIFO would block, `/dev/zero` never ends),
//! at most [`MAX_BYTES`], UTF-8 text; plus its identity, so that a file read once is not read
//! again while it is unchanged, and the warning when other users can read it.
//!
//! Nothing here knows YAML.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// The largest config file read: a file of sites is a few hundred bytes; 1 MiB is thousands of
/// sites.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// What identifies one version of the file: device, inode, size, modification and change times,
/// mode. Equal identities mean the file has not been changed (or replaced) in between.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Identity(Vec<i128>);

/// The config file's text and warnings about it.
#[derive(Debug)]
pub(super) struct FileText {
    pub text: String,
    pub warnings: Vec<String>,
}

/// The identity of the file at `path` now (following a symlink); `None` when there is none.
pub(super) fn identity(path: &Path) -> Option<Identity> {
    std::fs::metadata(path).ok().map(|m| identity_of(&m))
}

#[cfg(unix)]
fn identity_of(m: &std::fs::Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt;
    Identity(vec![
        i128::from(m.dev()),
        i128::from(m.ino()),
        i128::from(m.size()),
        i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
        i128::from(m.mode()),
    ])
}

#[cfg(not(unix))]
fn identity_of(m: &std::fs::Metadata) -> Identity {
    let modified = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    Identity(vec![i128::from(m.len()), modified])
}

/// The file at `path`, or `None` when there is none.
///
/// Errors (config): not a regular file (after following a symlink), larger than [`MAX_BYTES`],
/// not UTF-8 (naming the line and column of the first bad byte), or unreadable.
pub(super) fn read(path: &Path) -> Result<Option<FileText>> {
    let file = match open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match std::fs::read_link(path) {
                // A link that leads nowhere is a mistake, not "no config file".
                Ok(target) => Err(Error::config(format!(
                    "The config file {} is a link to {}, which does not exist.",
                    path.display(),
                    target.display()
                ))
                .with_hint("Point the link at the real config file, or remove it.")),
                Err(_) => Ok(None),
            };
        }
        Err(e) => return Err(unreadable(path, &e)),
    };
    let meta = file.metadata().map_err(|e| unreadable(path, &e))?;
    if !meta.is_file() {
        return Err(Error::config(format!(
            "The config file {} is {}{}, not a regular file.",
            path.display(),
            kind(&meta),
            link_note(path)
        ))
        .with_hint(format!(
            "Make {} a regular YAML file (a Sites list of entries with Url and AccessToken), or \
             remove it.",
            path.display()
        )));
    }
    if meta.len() > MAX_BYTES {
        return Err(too_big(path, meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(path, &e))?;
    if bytes.len() as u64 > MAX_BYTES {
        // It grew while being read.
        return Err(too_big(path, bytes.len() as u64));
    }
    let text = decode(bytes, path)?;
    Ok(Some(FileText {
        text,
        warnings: permission_warning(path, &meta).into_iter().collect(),
    }))
}

/// Open for reading without blocking on a FIFO and without taking a terminal as the controlling
/// one; what was opened is checked before a byte is read.
#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

fn unreadable(path: &Path, e: &std::io::Error) -> Error {
    Error::config(format!("Cannot read the config file {}.", path.display()))
        .caused_by(e)
        .with_hint("Fix its permissions so that you can read it, or remove it.")
}

fn too_big(path: &Path, size: u64) -> Error {
    Error::config(format!(
        "The config file {} is {size} bytes; a config file may be at most {MAX_BYTES} bytes (1 \
         MiB).",
        path.display()
    ))
    .with_hint(format!(
        "Check that {} is the YAML list of sites (a few lines per site), not another file.",
        path.display()
    ))
}

/// What kind of file `meta` describes, with an article: "a directory", "a FIFO (named pipe)".
fn kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// " (a link to TARGET)" when `path` is a symlink.
fn link_note(path: &Path) -> String {
    std::fs::read_link(path)
        .map(|target| format!(" (a link to {})", target.display()))
        .unwrap_or_default()
}

/// The file's bytes as text. A UTF-8 byte order mark is dropped.
fn decode(bytes: Vec<u8>, path: &Path) -> Result<String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::config(format!(
            "The config file {} is UTF-16 text; it must be UTF-8.",
            path.display()
        ))
        .with_hint("Save it again as UTF-8 (in PowerShell: Set-Content -Encoding utf8)."));
    }
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let before = &bytes[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        // Valid up to `at`, so this slice is text.
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Error::config(format!(
            "The config file {} is not UTF-8 text: byte 0x{:02X} at line {line}, column {column}.",
            path.display(),
            bytes[at]
        ))
        .with_hint("Save it again as UTF-8, or retype that character.")
    })
}

/// A warning when users other than the owner can read the file (it holds tokens).
#[cfg(unix)]
fn permission_warning(path: &Path, meta: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    (mode & 0o044 != 0).then(|| {
        format!(
            "The config file {} holds access tokens but other users can read it (mode {mode:03o}). \
             Run: chmod 600 '{}'",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn permission_warning(_path: &Path, _meta: &std::fs::Metadata) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yml");
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    #[test]
    fn a_missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(&dir.path().join("nothing.yml")).unwrap().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yml");
        std::os::unix::fs::symlink(dir.path().join("gone.yml"), &path).unwrap();
        let err = read(&path).unwrap_err();
        assert!(
            err.message.contains("which does not exist"),
            "{}",
            err.message
        );
    }

    #[test]
    fn text_with_a_bom_and_bad_bytes() {
        let (_d, path) = write(b"\xEF\xBB\xBFSites:\n");
        assert_eq!(read(&path).unwrap().unwrap().text, "Sites:\n");
        let (_d, path) = write(b"Sites:\n- Url: \xc3\xa9\xff");
        let err = read(&path).unwrap_err();
        assert!(
            err.message
                .ends_with("is not UTF-8 text: byte 0xFF at line 2, column 9."),
            "{}",
            err.message
        );
        let (_d, path) = write(b"\xFE\xFF\0S");
        assert!(read(&path).unwrap_err().message.contains("is UTF-16 text"));
    }

    #[test]
    fn the_size_limit_is_inclusive() {
        let (_d, path) = write(&vec![b'#'; MAX_BYTES as usize]);
        assert!(read(&path).is_ok());
        let (_d, path) = write(&vec![b'#'; MAX_BYTES as usize + 1]);
        let err = read(&path).unwrap_err();
        assert!(
            err.message
                .contains("is 1048577 bytes; a config file may be at most 1048576")
        );
    }

    #[test]
    fn identity_changes_with_the_file() {
        let (_d, path) = write(b"a: 1\n");
        let first = identity(&path).unwrap();
        assert_eq!(identity(&path), Some(first.clone()));
        std::fs::write(&path, b"a: 22\n").unwrap();
        assert_ne!(identity(&path), Some(first));
    }
}
