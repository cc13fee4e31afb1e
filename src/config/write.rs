//! Writing the config file: one [`Change`] to its `Sites` list, made under an exclusive lock on
//! `config.yml.lock` beside it, on the file as it is at that moment, and saved by writing
//! `config.yml.tmp` in the same folder, syncing it and renaming it over the old file. So two
//! writers at once both land (the second reads what the first wrote), and a crash at any point
//! leaves the old file or the new one, never a mix. The file is written 0600 and a folder this
//! creates 0700 (Unix).
//!
//! The file is read and checked exactly as [`Sites::load`](super::Sites::load) reads it: one that
//! does not parse, or whose entries are not usable, is never overwritten; the write is refused
//! with that error. Keys this engine does not know, on an entry or at the top, are kept (comments
//! and quoting style are not: the file is written again from its parsed form).
//!
//! Windows (not built or tested here): the plan is to create the file with an ACL that grants
//! only the current user full control and disables inheritance, replace it with `ReplaceFileW`,
//! and lock with `LockFileEx` on the lock file.

use super::CONFIG_RELATIVE_PATH;
use super::entry::{self, is_key};
use super::env::Environment;
use super::file;
use super::sites::config_path;
use super::url;
use super::yaml::{self, Node, Value};
use crate::error::{Error, Result};
use crate::secret::Secret;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One change to the `Sites` list. URLs are in normal form; an entry is the URL's when its `Url`
/// normalises to the same text.
#[derive(Debug)]
pub enum Change<'a> {
    /// Add a site. When its URL has entries already: refused unless `replace`, which updates the
    /// first (keeping its other keys) and drops the rest.
    Add {
        url: &'a str,
        token: &'a Secret,
        proxy_url: Option<&'a str>,
        is_default: bool,
        replace: bool,
    },
    /// Make the URL's entry the only one with `IsDefault: true`.
    SetDefault { url: &'a str },
    /// Remove every entry of the URL.
    Remove { url: &'a str },
    /// Put a new access token in the URL's entry.
    SetToken { url: &'a str, token: &'a Secret },
}

/// What a write did.
#[derive(Debug)]
pub struct Written {
    /// The file written.
    pub path: PathBuf,
    /// Entries of the URL that were there before (replaced or removed).
    pub replaced: usize,
}

/// Make `change` to `env`'s config file.
///
/// Errors (config): no home directory; the file cannot be read or parsed (nothing is written);
/// the URL has no entry (set-default, remove, set-token) or has one already (add without
/// replace); the folder or file cannot be written (the old file stays).
pub fn update(env: &Environment, change: &Change<'_>) -> Result<Written> {
    let path = config_path(env).ok_or_else(|| {
        Error::config(format!(
            "There is no home directory, so there is no ~/{CONFIG_RELATIVE_PATH} to write."
        ))
        .with_hint("Set HOME to your home directory.")
    })?;
    // Write through a link to the file it points at, so the link stays.
    let path = match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(&path).unwrap_or(path),
        _ => path,
    };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    create_dir(&dir)?;
    let _lock = lock(&dir, &path)?;
    let name = path.display().to_string();
    let mut root = match file::read(&path)? {
        Some(read) => {
            let root = yaml::parse(&read.text, &name)?;
            entry::sites_in(&root, &name, env, &mut Vec::new())?;
            root
        }
        None => Node {
            value: Value::Null,
            line: None,
        },
    };
    let replaced = apply(&mut root, change, &name)?;
    let text = yaml::emit(&root);
    // What is written must read back as the same sites; this never fails unless the writer has
    // a bug, and then nothing is written.
    let again = yaml::parse(&text, &name)?;
    entry::sites_in(&again, &name, env, &mut Vec::new())?;
    save(&path, &dir, text.as_bytes())?;
    Ok(Written { path, replaced })
}

/// Apply `change` to the parsed file; the number of entries of its URL that were there.
fn apply(root: &mut Node, change: &Change<'_>, file: &str) -> Result<usize> {
    if root.value == Value::Null {
        root.value = Value::Map(Vec::new());
    }
    let Value::Map(top) = &mut root.value else {
        unreachable!("sites_in accepted the file, so its top is a mapping or empty")
    };
    let sites = match top.iter().position(|(k, _)| is_key(k, "sites")) {
        Some(i) => &mut top[i].1,
        None => {
            top.push(("Sites".to_string(), node(Value::Null)));
            &mut top.last_mut().expect("just pushed").1
        }
    };
    let entries = match std::mem::replace(&mut sites.value, Value::Null) {
        Value::Seq(items) => items,
        Value::Null => Vec::new(),
        single => vec![node(single)],
    };
    sites.value = Value::Seq(entries);
    let Value::Seq(entries) = &mut sites.value else {
        unreachable!()
    };
    let url = match change {
        Change::Add { url, .. }
        | Change::SetDefault { url }
        | Change::Remove { url }
        | Change::SetToken { url, .. } => *url,
    };
    let mine: Vec<usize> = (0..entries.len())
        .filter(|&i| entry_url(&entries[i]).as_deref() == Some(url))
        .collect();
    let missing = || {
        Error::config(format!("{file} has no site {url}."))
            .with_hint("List the configured sites with Get-GitlabConfiguration.")
    };
    match change {
        Change::Add {
            token,
            proxy_url,
            is_default,
            replace,
            ..
        } => {
            if !mine.is_empty() && !replace {
                return Err(Error::config(format!(
                    "{url} is already configured in {file}; it is replaced only with -Force."
                ))
                .with_hint(format!(
                    "Pass -Force to replace its access token, or remove it first with \
                     Remove-GitlabSite {url}."
                )));
            }
            let keep = match mine.first() {
                Some(&first) => {
                    for &i in mine.iter().skip(1).rev() {
                        entries.remove(i);
                    }
                    first
                }
                None => {
                    entries.push(node(Value::Map(vec![(
                        "Url".to_string(),
                        node(Value::Str(url.to_string())),
                    )])));
                    entries.len() - 1
                }
            };
            let map = map_of(&mut entries[keep]);
            set(
                map,
                "accesstoken",
                "AccessToken",
                Value::Str(token.expose().to_string()),
            );
            match proxy_url {
                Some(proxy) => set(map, "proxyurl", "ProxyUrl", Value::Str(proxy.to_string())),
                None => map.retain(|(k, _)| !is_key(k, "proxyurl")),
            }
            if *is_default {
                make_default(entries, keep);
            } else if mine.is_empty() {
                set(
                    map_of(&mut entries[keep]),
                    "isdefault",
                    "IsDefault",
                    Value::Bool(false),
                );
            }
        }
        Change::SetDefault { .. } => {
            let &first = mine.first().ok_or_else(missing)?;
            make_default(entries, first);
        }
        Change::Remove { .. } => {
            if mine.is_empty() {
                return Err(missing());
            }
            for &i in mine.iter().rev() {
                entries.remove(i);
            }
        }
        Change::SetToken { token, .. } => {
            let &first = mine.first().ok_or_else(missing)?;
            set(
                map_of(&mut entries[first]),
                "accesstoken",
                "AccessToken",
                Value::Str(token.expose().to_string()),
            );
        }
    }
    Ok(mine.len())
}

fn node(value: Value) -> Node {
    Node { value, line: None }
}

/// The entry's mapping (sites_in checked that every entry is one).
fn map_of(entry: &mut Node) -> &mut Vec<(String, Node)> {
    match &mut entry.value {
        Value::Map(map) => map,
        _ => unreachable!("sites_in accepted every entry as a mapping"),
    }
}

/// The entry's `Url` in normal form.
fn entry_url(entry: &Node) -> Option<String> {
    let Value::Map(map) = &entry.value else {
        return None;
    };
    map.iter()
        .find(|(k, _)| is_key(k, "url"))
        .and_then(|(_, v)| match &v.value {
            Value::Str(s) => url::parse(s).ok().map(|u| u.url),
            _ => None,
        })
}

/// Set `key` (matched as [`is_key`] does, keeping the key as written), or add it as `name`.
fn set(map: &mut Vec<(String, Node)>, key: &str, name: &str, value: Value) {
    match map.iter_mut().find(|(k, _)| is_key(k, key)) {
        Some((_, v)) => *v = node(value),
        None => map.push((name.to_string(), node(value))),
    }
}

/// `IsDefault: true` on entry `chosen`; `false` on every other entry that has the key.
fn make_default(entries: &mut [Node], chosen: usize) {
    for (i, entry) in entries.iter_mut().enumerate() {
        let map = map_of(entry);
        if i == chosen {
            set(map, "isdefault", "IsDefault", Value::Bool(true));
        } else if map.iter().any(|(k, _)| is_key(k, "isdefault")) {
            set(map, "isdefault", "IsDefault", Value::Bool(false));
        }
    }
}

fn cannot_write(what: &Path, e: &std::io::Error) -> Error {
    Error::config(format!("Cannot write the config file {}.", what.display()))
        .caused_by(e)
        .with_hint(format!(
            "Check that you can write to {} (the old file is unchanged).",
            what.parent().unwrap_or(what).display()
        ))
}

#[cfg(unix)]
fn create_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| cannot_write(&dir.join("config.yml"), &e))
}

#[cfg(not(unix))]
fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| cannot_write(&dir.join("config.yml"), &e))
}

/// An exclusive lock on `<file>.lock` in `dir`, held until the returned file is dropped (and
/// released by the system when the process dies).
#[cfg(unix)]
fn lock(dir: &Path, path: &Path) -> Result<std::fs::File> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let lock_path = dir.join(lock_name(path));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&lock_path)
        .map_err(|e| cannot_write(&lock_path, &e))?;
    loop {
        // SAFETY: flock on a descriptor this function owns; it reads no memory.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
            return Ok(file);
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(cannot_write(&lock_path, &e));
        }
    }
}

#[cfg(not(unix))]
fn lock(dir: &Path, path: &Path) -> Result<std::fs::File> {
    let lock_path = dir.join(lock_name(path));
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|e| cannot_write(&lock_path, &e))
}

fn lock_name(path: &Path) -> String {
    format!("{}.lock", file_name(path))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.yml".to_string())
}

/// Write `bytes` to `<file>.tmp`, sync it, rename it over `path`, sync the folder.
fn save(path: &Path, dir: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = dir.join(format!("{}.tmp", file_name(path)));
    let mut out = open_private(&tmp).map_err(|e| cannot_write(path, &e))?;
    out.write_all(bytes)
        .and_then(|()| out.sync_all())
        .map_err(|e| cannot_write(path, &e))?;
    drop(out);
    pause_for_tests();
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        cannot_write(path, &e)
    })?;
    #[cfg(unix)]
    if let Ok(folder) = std::fs::File::open(dir) {
        // The rename is durable once the folder is; a failure here leaves the new file in place.
        let _ = folder.sync_all();
    }
    Ok(())
}

/// The temporary file, emptied, readable and writable by its owner only.
#[cfg(unix)]
fn open_private(tmp: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(tmp)?;
    // A temporary file left by a crash may have another mode.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

#[cfg(not(unix))]
fn open_private(tmp: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(tmp)
}

/// Debug builds only, for the tests of a write killed midway and of two writers at once:
/// `GITLABCLI_TEST_PAUSE_BEFORE_RENAME=<marker>;<ms>` creates `<marker>` once the new file is
/// written and synced (and the lock held), then waits `<ms>` before the rename.
#[cfg(debug_assertions)]
fn pause_for_tests() {
    let Some(spec) = std::env::var_os("GITLABCLI_TEST_PAUSE_BEFORE_RENAME") else {
        return;
    };
    let spec = spec.to_string_lossy().into_owned();
    let (marker, ms) = spec.rsplit_once(';').unwrap_or((spec.as_str(), "0"));
    let _ = std::fs::write(marker, b"paused");
    std::thread::sleep(std::time::Duration::from_millis(ms.parse().unwrap_or(0)));
}

#[cfg(not(debug_assertions))]
fn pause_for_tests() {}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "glpat-NEWNEWNEWNEWNEWNEWNE";

    fn home(yaml: Option<&str>) -> (tempfile::TempDir, Environment, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_RELATIVE_PATH);
        if let Some(yaml) = yaml {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, yaml).unwrap();
        }
        let env = Environment {
            home: Some(dir.path().to_path_buf()),
            ..Environment::default()
        };
        (dir, env, path)
    }

    fn add<'a>(url: &'a str, token: &'a Secret, is_default: bool) -> Change<'a> {
        Change::Add {
            url,
            token,
            proxy_url: None,
            is_default,
            replace: false,
        }
    }

    #[test]
    fn the_first_site_makes_the_file_in_pwsh_gitlabs_layout() {
        let (_d, env, path) = home(None);
        let token = Secret::new(TOKEN);
        update(&env, &add("https://gitlab.example.com", &token, true)).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!(
                "Sites:\n- Url: https://gitlab.example.com\n  AccessToken: {TOKEN}\n  IsDefault: \
                 true\n"
            )
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
        let sites = super::super::Sites::load(&env).unwrap();
        assert_eq!(sites.resolve(None).unwrap().1.expose(), TOKEN);
    }

    #[test]
    fn unknown_keys_stay_and_only_one_site_is_default() {
        let (_d, env, path) = home(Some(
            "Theme: dark\nSites:\n- Url: https://a.example\n  AccessToken: glpat-AAAAAAAAAAAAAAAAAAAA\n  IsDefault: 'true'\n  Note: keep me\n  Tags:\n  - x\n  - 12\n",
        ));
        let token = Secret::new(TOKEN);
        update(
            &env,
            &Change::Add {
                url: "https://b.example",
                token: &token,
                proxy_url: Some("http://proxy.example:3128"),
                is_default: true,
                replace: false,
            },
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!(
                "Theme: dark\nSites:\n- Url: https://a.example\n  AccessToken: \
                 glpat-AAAAAAAAAAAAAAAAAAAA\n  IsDefault: false\n  Note: \"keep me\"\n  Tags:\n  - \
                 x\n  - 12\n- Url: https://b.example\n  AccessToken: {TOKEN}\n  ProxyUrl: \
                 http://proxy.example:3128\n  IsDefault: true\n"
            )
        );
        update(
            &env,
            &Change::Remove {
                url: "https://b.example",
            },
        )
        .unwrap();
        update(
            &env,
            &Change::SetDefault {
                url: "https://a.example",
            },
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "Theme: dark\nSites:\n- Url: https://a.example\n  AccessToken: \
             glpat-AAAAAAAAAAAAAAAAAAAA\n  IsDefault: true\n  Note: \"keep me\"\n  Tags:\n  - x\n  \
             - 12\n"
        );
    }

    #[test]
    fn text_that_reads_as_another_type_is_quoted() {
        let (_d, env, path) = home(Some(
            "Sites:\n- Url: https://a.example\n  AccessToken: \"12345678\"\n  Flag: \"true\"\n  Empty: ''\n",
        ));
        let token = Secret::new("0x1F: #not a comment");
        update(
            &env,
            &Change::SetToken {
                url: "https://a.example",
                token: &token,
            },
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "Sites:\n- Url: https://a.example\n  AccessToken: \"0x1F: #not a comment\"\n  Flag: \
             \"true\"\n  Empty: \"\"\n"
        );
        let sites = super::super::Sites::load(&env).unwrap();
        assert!(sites.resolve(None).is_err());
        assert_eq!(
            sites.resolve(Some("a.example")).unwrap().1.expose(),
            "0x1F: #not a comment"
        );
    }

    #[test]
    fn a_file_that_does_not_parse_is_refused_and_untouched() {
        for bad in [
            "Sites:\n- Url: https://a.example\n  AccessToken: 'unclosed\n",
            "Sites:\n- AccessToken: glpat-AAAAAAAAAAAAAAAAAAAA\n",
        ] {
            let (_d, env, path) = home(Some(bad));
            let token = Secret::new(TOKEN);
            let err = update(&env, &add("https://b.example", &token, false)).unwrap_err();
            assert_eq!(err.kind, crate::error::ErrorKind::Config, "{}", err.message);
            assert_eq!(std::fs::read_to_string(&path).unwrap(), bad);
        }
    }

    #[test]
    fn an_existing_url_is_replaced_only_when_asked() {
        let (_d, env, path) = home(Some(
            "Sites:\n- Url: https://A.example/\n  AccessToken: glpat-AAAAAAAAAAAAAAAAAAAA\n  ProxyUrl: http://p.example:1\n  Extra: 1\n",
        ));
        let token = Secret::new(TOKEN);
        let err = update(&env, &add("https://a.example", &token, false)).unwrap_err();
        assert!(
            err.message.contains("already configured"),
            "{}",
            err.message
        );
        let replace = Change::Add {
            url: "https://a.example",
            token: &token,
            proxy_url: None,
            is_default: false,
            replace: true,
        };
        assert_eq!(update(&env, &replace).unwrap().replaced, 1);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("Sites:\n- Url: https://A.example/\n  AccessToken: {TOKEN}\n  Extra: 1\n")
        );
        let err = update(
            &env,
            &Change::Remove {
                url: "https://c.example",
            },
        )
        .unwrap_err();
        assert!(
            err.message.contains("has no site https://c.example"),
            "{}",
            err.message
        );
    }
}
