//! The engine's side of the helper: start it, hand it the secret through its stdin, wait for its
//! one-line report, reap it.

use super::status::{self, Status};
use super::{HOLD_SUBCOMMAND, clipboard_error, display_missing, no_display_error};
use crate::error::Result;
use crate::secret::Secret;
use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long the engine waits for the helper's report.
const REPORT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the engine waits for the helper to exit once it has reported (it exits at once).
const REAP_TIMEOUT: Duration = Duration::from_secs(5);

const DISPLAY_HINT: &str = "Check that this session can reach its X11 or Wayland display \
                            (DISPLAY, WAYLAND_DISPLAY), or don't ask for the clipboard.";

/// The only environment variables the helper gets: what it takes to reach an X11 or Wayland
/// display. Nothing else is passed on: the engine's environment may hold `GITLAB_ACCESS_TOKEN`,
/// and the holder lives for hours.
pub(super) const HELPER_ENV: [&str; 5] = [
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XAUTHORITY",
    "XDG_RUNTIME_DIR",
    "HOME",
];

/// Copy `secret` with the helper `helper` names: the gitlabcli executable, plus any environment
/// it should run with. This adds the `clipboard-hold` argument and the standard streams, and
/// narrows the environment to [`HELPER_ENV`] (as set on `helper`, else as this process has them).
///
/// Fails fast, without starting anything, when the helper would have no display.
pub fn copy_with_helper(secret: &Secret, mut helper: Command) -> Result<()> {
    if secret.expose().is_empty() {
        return Err(clipboard_error("nothing to copy: the text is empty"));
    }
    if let Some(message) = display_missing(|name| env_of(&helper, name)) {
        return Err(no_display_error(message));
    }
    let kept: Vec<(&str, OsString)> = HELPER_ENV
        .into_iter()
        .filter_map(|name| Some((name, env_of(&helper, name)?)))
        .collect();
    helper.env_clear().envs(kept);
    helper
        .arg(HOLD_SUBCOMMAND)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = helper.spawn().map_err(|err| {
        let program = helper.get_program().to_string_lossy().into_owned();
        clipboard_error(format!("cannot start the clipboard helper {program}"))
            .with_hint("Reinstall the GitlabCli module; its engine executable may be damaged.")
            .caused_by(&err)
    })?;

    // The secret goes through the pipe only; closing it tells the helper it has all of it.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let handed = stdin.write_all(secret.expose().as_bytes());
    drop(stdin);
    if let Err(err) = handed {
        kill_and_reap(&mut child);
        return Err(
            clipboard_error("cannot hand the text to the clipboard helper").caused_by(&err),
        );
    }

    // Read the report on a thread so the wait can time out; the thread ends at EOF.
    let stdout = child.stdout.take().expect("stdout is piped");
    let (report_tx, report_rx) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout.take(status::MAX_LINE)).read_line(&mut line);
        let _ = report_tx.send(read.map(|_| line));
    });
    let report = match report_rx.recv_timeout(REPORT_TIMEOUT) {
        Ok(report) => report,
        Err(_) => {
            kill_and_reap(&mut child);
            return Err(clipboard_error(format!(
                "the clipboard helper did not report within {} s",
                REPORT_TIMEOUT.as_secs()
            ))
            .with_hint(DISPLAY_HINT));
        }
    };
    let exit = reap(&mut child);

    let line = report.map_err(|err| {
        clipboard_error("cannot read the clipboard helper's report").caused_by(&err)
    })?;
    match Status::parse(&line) {
        Some(Status::Ok { .. }) => Ok(()),
        Some(Status::Error(message)) => {
            // The helper never prints the secret; make sure of it anyway.
            let message = message.replace(secret.expose(), "REDACTED");
            Err(
                clipboard_error(format!("cannot copy to the clipboard: {message}"))
                    .with_hint(DISPLAY_HINT),
            )
        }
        None => {
            let exit = exit.map_or_else(|| "unknown".to_string(), |status| status.to_string());
            Err(
                clipboard_error("the clipboard helper ended without reporting")
                    .caused_by_text(format!("helper exit status: {exit}")),
            )
        }
    }
}

/// The value `name` will have in `command`'s environment (`env_clear` is not accounted for).
fn env_of(command: &Command, name: &str) -> Option<OsString> {
    match command.get_envs().find(|(key, _)| *key == OsStr::new(name)) {
        Some((_, value)) => value.map(OsStr::to_os_string),
        None => std::env::var_os(name),
    }
}

/// Wait for the helper to exit; it does so right after reporting. Kill it if it does not.
fn reap(child: &mut Child) -> Option<ExitStatus> {
    let deadline = Instant::now() + REAP_TIMEOUT;
    while Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(_) => break,
        }
    }
    kill_and_reap(child)
}

fn kill_and_reap(child: &mut Child) -> Option<ExitStatus> {
    let _ = child.kill();
    child.wait().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_environment_overrides_the_process_environment() {
        let mut command = Command::new("gitlabcli");
        command.env("DISPLAY", ":42").env_remove("WAYLAND_DISPLAY");
        assert_eq!(env_of(&command, "DISPLAY"), Some(OsString::from(":42")));
        assert_eq!(env_of(&command, "WAYLAND_DISPLAY"), None);
        assert_eq!(env_of(&command, "PATH"), std::env::var_os("PATH"));
    }

    #[test]
    fn no_display_fails_before_starting_anything() {
        let mut command = Command::new("/nonexistent/gitlabcli");
        command.env_remove("DISPLAY").env("WAYLAND_DISPLAY", "");
        let err = copy_with_helper(&Secret::new("glpat-secret"), command).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::Clipboard);
        assert!(
            err.message.contains("neither DISPLAY nor WAYLAND_DISPLAY"),
            "{err:?}"
        );
        assert!(err.hint.is_some());
    }

    #[test]
    fn a_missing_helper_is_a_clipboard_error() {
        let mut command = Command::new("/nonexistent/gitlabcli");
        command.env("DISPLAY", ":42");
        let err = copy_with_helper(&Secret::new("glpat-secret"), command).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::Clipboard);
        assert!(err.message.contains("/nonexistent/gitlabcli"), "{err:?}");
        assert!(!format!("{err:?}").contains("glpat-secret"));
    }
}
