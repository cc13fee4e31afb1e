//! The system clipboard, kept alive after the engine exits.
//!
//! On Windows and macOS the operating system keeps what was copied, so [`copy`] sets the text in
//! this process. On Linux (and the BSDs) an X11 or Wayland selection belongs to a process and dies
//! with it, while the engine exits as soon as the PowerShell pipeline ends. There [`copy`] starts
//! this same executable as a detached helper, `gitlabcli clipboard-hold`, hands it the secret
//! through its stdin (never argv or the environment, which is cut down to the display variables)
//! and waits for the helper's one-line report: `ok <pid>` once the clipboard holds the text and
//! has been read back, or `error <message>`. The helper keeps serving the clipboard until another
//! program takes it (or the display goes away), then exits. See `hold.rs` for the process dance.
//!
//! [`copy`] returns only when it knows whether the copy worked, so the caller can fall back to
//! returning the secret, with a warning, when it did not.

use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;
use std::ffi::OsString;
use std::process::ExitCode;

#[cfg(any(target_os = "linux", target_os = "freebsd"))]
mod hold;
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
mod spawn;
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
mod status;

#[cfg(any(target_os = "linux", target_os = "freebsd"))]
pub use spawn::copy_with_helper;

/// The hidden subcommand that runs [`hold_main`]; `crate::cli` routes it.
pub const HOLD_SUBCOMMAND: &str = "clipboard-hold";

/// Put `secret` on the system clipboard so that it outlives this process.
///
/// Returns a [`ErrorKind::Clipboard`] error when the text is not on the clipboard: no display,
/// the display refused, the helper could not start or did not report within 5 seconds.
pub fn copy(secret: &Secret) -> Result<()> {
    #[cfg(any(target_os = "linux", target_os = "freebsd"))]
    {
        let exe = std::env::current_exe().map_err(|err| {
            clipboard_error("cannot find the gitlabcli executable to start the clipboard helper")
                .caused_by(&err)
        })?;
        copy_with_helper(secret, std::process::Command::new(exe))
    }
    #[cfg(any(target_os = "macos", target_os = "windows"))]
    {
        in_process::copy(secret)
    }
    #[cfg(not(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "macos",
        target_os = "windows"
    )))]
    {
        let _ = secret;
        Err(clipboard_error(
            "the clipboard is not supported on this operating system",
        ))
    }
}

/// Entry point of the hidden `gitlabcli clipboard-hold` helper.
///
/// Reads the secret from stdin to EOF (one trailing newline is dropped), puts it on the
/// clipboard from a detached process, and writes one status line on stdout: `ok <pid>` or
/// `error <message>`. Exits 0 when the clipboard holds the text, 1 otherwise.
pub fn hold_main() -> ExitCode {
    #[cfg(any(target_os = "linux", target_os = "freebsd"))]
    {
        hold::main()
    }
    #[cfg(not(any(target_os = "linux", target_os = "freebsd")))]
    {
        use std::io::Write;
        let line = "error the clipboard helper is only used with X11 and Wayland\n";
        let _ = std::io::stdout().write_all(line.as_bytes());
        ExitCode::FAILURE
    }
}

fn clipboard_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Clipboard, message)
}

#[cfg_attr(not(any(target_os = "linux", target_os = "freebsd")), allow(dead_code))]
fn no_display_error(message: &str) -> Error {
    clipboard_error(message).with_hint(
        "Run this in a graphical session (X11 or Wayland), or don't ask for the clipboard.",
    )
}

/// Why there is no display to put a clipboard on, given how to look variables up; `None` when
/// `DISPLAY` or `WAYLAND_DISPLAY` is set (the display may still turn out to be unreachable).
#[cfg_attr(not(any(target_os = "linux", target_os = "freebsd")), allow(dead_code))]
fn display_missing(lookup: impl Fn(&str) -> Option<OsString>) -> Option<&'static str> {
    let set = |name| lookup(name).is_some_and(|value| !value.is_empty());
    if set("DISPLAY") || set("WAYLAND_DISPLAY") {
        None
    } else {
        Some("no display: neither DISPLAY nor WAYLAND_DISPLAY is set")
    }
}

/// The display systems this process tries, for messages: the Wayland display first (arboard
/// uses it when the compositor offers the data-control protocol) and the X11 display it falls
/// back to, e.g. `the Wayland display WAYLAND_DISPLAY=wayland-0 or, failing that, the X11
/// display DISPLAY=:0`.
#[cfg_attr(not(any(target_os = "linux", target_os = "freebsd")), allow(dead_code))]
fn display_name() -> String {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|value| !value.is_empty())
            .map(|value| format!("{name}={}", value.to_string_lossy()))
    };
    match (var("WAYLAND_DISPLAY"), var("DISPLAY")) {
        (Some(wayland), Some(x11)) => format!(
            "the Wayland display {wayland} (whose compositor must offer the data-control \
             protocol) or, failing that, the X11 display {x11}"
        ),
        (Some(wayland), None) => format!(
            "the Wayland display {wayland} (whose compositor must offer the data-control \
             protocol; there is no X11 display, DISPLAY, to fall back to)"
        ),
        (None, Some(x11)) => format!("the X11 display {x11}"),
        (None, None) => "no display".to_string(),
    }
}

/// Windows and macOS keep the clipboard after its writer exits: set it here and read it back.
#[cfg(any(target_os = "macos", target_os = "windows"))]
mod in_process {
    use super::clipboard_error;
    use crate::error::Result;
    use crate::secret::Secret;
    use zeroize::Zeroizing;

    pub(super) fn copy(secret: &Secret) -> Result<()> {
        if secret.expose().is_empty() {
            return Err(clipboard_error("nothing to copy: the text is empty"));
        }
        let mut clipboard = arboard::Clipboard::new()
            .map_err(|err| clipboard_error("cannot open the clipboard").caused_by(&err))?;
        let set = clipboard.set();
        #[cfg(target_os = "windows")]
        let set = {
            use arboard::SetExtWindows;
            set.exclude_from_history().exclude_from_cloud()
        };
        #[cfg(target_os = "macos")]
        let set = {
            use arboard::SetExtApple;
            set.exclude_from_history()
        };
        set.text(secret.expose())
            .map_err(|err| clipboard_error("cannot set the clipboard").caused_by(&err))?;
        let read_back = clipboard
            .get_text()
            .map(Zeroizing::new)
            .map_err(|err| clipboard_error("cannot read the clipboard back").caused_by(&err))?;
        if read_back.as_str() != secret.expose() {
            return Err(clipboard_error(
                "the clipboard did not keep the text (another program changed it)",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn the_cli_routes_the_hold_subcommand() {
        let cli = crate::cli::Cli::try_parse_from(["gitlabcli", HOLD_SUBCOMMAND]).unwrap();
        assert!(matches!(cli.command, crate::cli::CliCommand::ClipboardHold));
    }

    #[test]
    fn a_display_is_needed() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                let found = pairs.iter().find(|(key, _)| *key == name);
                found.map(|(_, value)| OsString::from(value))
            }
        };
        assert!(
            display_missing(env(&[]))
                .unwrap()
                .contains("neither DISPLAY nor")
        );
        assert!(display_missing(env(&[("DISPLAY", "")])).is_some());
        assert_eq!(display_missing(env(&[("DISPLAY", ":0")])), None);
        assert_eq!(
            display_missing(env(&[("WAYLAND_DISPLAY", "wayland-0")])),
            None
        );
    }
}
