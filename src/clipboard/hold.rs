//! The hidden `gitlabcli clipboard-hold` helper: the process that keeps the secret on an X11 or
//! Wayland clipboard after the engine has exited.
//!
//! ```text
//! engine ──spawn──▶ helper (direct child)            holder (grandchild)
//!   stdin  ─secret─▶ read to EOF, check the display
//!                    fork ───────────────────────────▶ setsid, fds 0-2 → /dev/null,
//!                                                      close inherited fds, chdir /
//!                                                      set the clipboard, read it back
//!                    relay ◀──── "ok <pid>" ────────── report on a private pipe
//!   stdout ◀─status─ write the line, exit 0/1          serve until another program
//!   reap it                                            takes the clipboard, then exit
//! ```
//!
//! The direct child relays the status line so that its exit code means something and so that the
//! holder never holds the engine's pipes: the engine reads its status pipe to the end and reaps
//! the direct child at once, while the holder, reparented to init, lives on in its own session.

use super::status::{self, Status};
use super::{display_missing, display_name};
use arboard::{Clipboard, LinuxClipboardKind, SetExtLinux};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The largest secret the helper accepts; a token is a few dozen bytes.
const MAX_SECRET: usize = 64 * 1024;

/// How long the holder may take to set the clipboard and read it back before it reports an error.
/// Shorter than the engine's wait, so the engine hears the real reason.
const VERIFY_TIMEOUT: Duration = Duration::from_secs(3);

/// Last resort: if the display hangs before the holder has reported, SIGALRM ends it.
const SETUP_ALARM_SECS: u32 = 15;

/// How often a holder checks that it still holds the text. Losing the clipboard to another
/// program wakes it at once; this only catches a display that went away (X server exit), which
/// arboard's X11 backend never reports to a waiting setter.
const WATCH_INTERVAL: Duration = Duration::from_secs(1);

/// Run the helper. Exit code 0 when the clipboard holds the text, 1 otherwise.
pub(super) fn main() -> ExitCode {
    let mut status_out = io::stdout();
    let secret = match read_secret(io::stdin().lock()) {
        Ok(secret) => secret,
        Err(message) => return report(&mut status_out, &Status::Error(message)),
    };
    if let Some(message) = display_missing(|name| std::env::var_os(name)) {
        return report(&mut status_out, &Status::Error(message.to_string()));
    }
    let (from_holder, to_relay) = match pipe() {
        Ok(ends) => ends,
        Err(err) => {
            let message = format!("cannot create a pipe: {err}");
            return report(&mut status_out, &Status::Error(message));
        }
    };
    match fork() {
        Err(err) => {
            let message = format!("cannot fork the clipboard holder: {err}");
            report(&mut status_out, &Status::Error(message))
        }
        Ok(Fork::Parent) => {
            drop(to_relay);
            drop(secret);
            relay(from_holder, &mut status_out)
        }
        Ok(Fork::Child) => {
            drop(from_holder);
            if let Err(err) = detach(to_relay.as_raw_fd()) {
                let message = format!("cannot detach the clipboard holder: {err}");
                return report(&mut &to_relay, &Status::Error(message));
            }
            hold(secret, to_relay)
        }
    }
}

/// Write `status` as one line, and turn it into an exit code.
fn report(out: &mut impl Write, status: &Status) -> ExitCode {
    let written = out
        .write_all(status.to_line().as_bytes())
        .and_then(|()| out.flush());
    if written.is_ok() && status.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Read the secret to EOF and strip one trailing newline. Errors never contain the input.
fn read_secret(input: impl Read) -> Result<Zeroizing<String>, String> {
    // Reserve everything up front: a growing Vec would leave unwiped copies behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_SECRET + 1));
    input
        .take(MAX_SECRET as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| format!("cannot read the secret from stdin: {err}"))?;
    if bytes.len() > MAX_SECRET {
        return Err(format!(
            "the secret on stdin is longer than {MAX_SECRET} bytes"
        ));
    }
    let mut text = match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(text) => Zeroizing::new(text),
        Err(err) => {
            drop(Zeroizing::new(err.into_bytes()));
            return Err("the secret on stdin is not UTF-8 text".to_string());
        }
    };
    strip_one_newline(&mut text);
    if text.is_empty() {
        return Err("nothing to copy: the secret on stdin is empty".to_string());
    }
    Ok(text)
}

/// Remove one trailing `\n` or `\r\n`, in place (no copy is made).
fn strip_one_newline(text: &mut String) {
    if text.ends_with("\r\n") {
        text.truncate(text.len() - 2);
    } else if text.ends_with('\n') {
        text.truncate(text.len() - 1);
    }
}

/// The fork's parent: pass the holder's line on, then exit.
fn relay(from_holder: File, status_out: &mut impl Write) -> ExitCode {
    let mut line = String::new();
    let read = BufReader::new(from_holder.take(status::MAX_LINE)).read_line(&mut line);
    let status = match read.ok().and_then(|_| Status::parse(&line)) {
        Some(status) => status,
        None => Status::Error("the clipboard holder ended without reporting".to_string()),
    };
    report(status_out, &status)
}

/// The fork's child: take the clipboard, report, and serve it until it is replaced.
fn hold(secret: Zeroizing<String>, to_relay: File) -> ExitCode {
    set_alarm(SETUP_ALARM_SECS);
    // A panic would end the holder silently (its stderr is /dev/null): report it instead.
    let taken = panic::catch_unwind(AssertUnwindSafe(|| Holder::take(secret)));
    let holder = match taken {
        Ok(Ok(holder)) => holder,
        Ok(Err(message)) => return report(&mut &to_relay, &Status::Error(message)),
        Err(payload) => {
            let what = (payload.downcast_ref::<&str>().copied())
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("no message");
            let message = format!("the clipboard code failed on {}: {what}", display_name());
            return report(&mut &to_relay, &Status::Error(message));
        }
    };
    let ok = Status::Ok {
        holder: Some(std::process::id()),
    };
    if report(&mut &to_relay, &ok) != ExitCode::SUCCESS {
        // Nobody learnt that the copy worked, so the caller kept the secret elsewhere: let go.
        return ExitCode::FAILURE;
    }
    drop(to_relay);
    set_alarm(0);
    holder.serve_until_replaced();
    ExitCode::SUCCESS
}

/// A process that owns the clipboard.
struct Holder {
    clipboard: Clipboard,
    secret: Arc<Zeroizing<String>>,
    /// The setter thread's result: it arrives when another program has taken the clipboard.
    replaced: mpsc::Receiver<Result<(), arboard::Error>>,
}

impl Holder {
    /// Set the clipboard and read it back.
    fn take(secret: Zeroizing<String>) -> Result<Holder, String> {
        let clipboard = Clipboard::new()
            .map_err(|err| format!("cannot open the clipboard on {}: {err}", display_name()))?;
        let secret = Arc::new(secret);
        let (done, replaced) = mpsc::channel();
        let text = Arc::clone(&secret);
        // `wait()` makes `text()` set the clipboard, then block until another program takes it.
        thread::spawn(move || {
            let result = Clipboard::new().and_then(|mut setter| {
                setter
                    .set()
                    .clipboard(LinuxClipboardKind::Clipboard)
                    .exclude_from_history()
                    .wait()
                    .text(text.as_str())
            });
            let _ = done.send(result);
        });
        let mut holder = Holder {
            clipboard,
            secret,
            replaced,
        };
        let deadline = Instant::now() + VERIFY_TIMEOUT;
        loop {
            if holder.holds_the_secret() {
                return Ok(holder);
            }
            match holder.replaced.try_recv() {
                Ok(Err(err)) => return Err(format!("cannot set the clipboard: {err}")),
                Ok(Ok(())) => {
                    return Err(
                        "another program took the clipboard before the copy could be \
                                checked"
                            .to_string(),
                    );
                }
                Err(mpsc::TryRecvError::Disconnected) => {
                    return Err("the clipboard thread ended unexpectedly".to_string());
                }
                Err(mpsc::TryRecvError::Empty) => {}
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "the clipboard did not hold the text within {} s",
                    VERIFY_TIMEOUT.as_secs()
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the clipboard, read back through the display, holds the secret.
    fn holds_the_secret(&mut self) -> bool {
        match self.clipboard.get_text() {
            Ok(text) => Zeroizing::new(text).as_str() == self.secret.as_str(),
            Err(_) => false,
        }
    }

    /// Block until another program takes the clipboard, or the display goes away.
    fn serve_until_replaced(mut self) {
        loop {
            match self.replaced.recv_timeout(WATCH_INTERVAL) {
                Ok(_) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if !self.holds_the_secret() {
                        // The display is gone (or the clipboard changed hands unnoticed): arboard's
                        // destructor would only talk to a dead connection, so skip it.
                        std::mem::forget(self.clipboard);
                        return;
                    }
                }
            }
        }
    }
}

enum Fork {
    Parent,
    Child,
}

fn fork() -> io::Result<Fork> {
    // SAFETY: `main` runs before this process creates any thread (clap does not; arboard is not
    // touched before this point), so the child is a full copy of a single-threaded process and
    // may run any code, not only async-signal-safe functions.
    match unsafe { libc::fork() } {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(Fork::Child),
        _ => Ok(Fork::Parent),
    }
}

/// A pipe, both ends close-on-exec: (read end, write end).
fn pipe() -> io::Result<(File, File)> {
    let mut fds: [libc::c_int; 2] = [-1, -1];
    // SAFETY: `fds` is a valid array of two ints for pipe2 to fill in.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both descriptors are open and nothing else owns them.
    Ok(unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) })
}

/// Leave the engine's session and let go of everything inherited from it but `keep`.
fn detach(keep: RawFd) -> io::Result<()> {
    // SAFETY: setsid has no memory-safety preconditions. It cannot fail with EPERM here: a fresh
    // fork is never a process group leader.
    if unsafe { libc::setsid() } == -1 {
        return Err(io::Error::last_os_error());
    }
    close_inherited_fds(keep);
    let null = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")?;
    for standard in 0..=2 {
        // SAFETY: dup2 atomically replaces descriptor 0, 1 or 2 with /dev/null. Rust's stdin,
        // stdout and stderr handles refer to those numbers and stay valid; nothing is buffered.
        if unsafe { libc::dup2(null.as_raw_fd(), standard) } == -1 {
            return Err(io::Error::last_os_error());
        }
    }
    std::env::set_current_dir("/")
}

/// Close descriptors above 2 other than `keep`: whatever started the engine may have leaked a
/// pipe into it, and a long-lived holder must not keep anybody's pipe open.
fn close_inherited_fds(keep: RawFd) {
    let listing = std::fs::read_dir("/proc/self/fd").or_else(|_| std::fs::read_dir("/dev/fd"));
    let Ok(listing) = listing else { return };
    let fds: Vec<RawFd> = listing
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    for fd in fds.into_iter().filter(|&fd| fd > 2 && fd != keep) {
        // SAFETY: at this point nothing in this single-threaded process owns a descriptor above 2
        // but `keep` (the listing's own descriptor is already closed; closing it again only
        // fails with EBADF), so no live Rust object is left with a dangling descriptor.
        unsafe { libc::close(fd) };
    }
}

/// Ask for SIGALRM (which ends the process) in `seconds`; 0 cancels.
fn set_alarm(seconds: u32) {
    // SAFETY: alarm has no memory-safety preconditions.
    unsafe { libc::alarm(seconds) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_trailing_newline_is_stripped() {
        let read = |input: &str| read_secret(input.as_bytes()).map(|s| s.as_str().to_string());
        assert_eq!(read("glpat-x\n"), Ok("glpat-x".to_string()));
        assert_eq!(read("glpat-x\r\n"), Ok("glpat-x".to_string()));
        assert_eq!(read("glpat-x\n\n"), Ok("glpat-x\n".to_string()));
        assert_eq!(read("glpat-x"), Ok("glpat-x".to_string()));
        assert_eq!(read(" glpat-x "), Ok(" glpat-x ".to_string()));
    }

    #[test]
    fn empty_or_oversized_or_binary_input_is_refused_without_echoing_it() {
        assert!(read_secret("\n".as_bytes()).unwrap_err().contains("empty"));
        let big = "s".repeat(MAX_SECRET + 1);
        let err = read_secret(big.as_bytes()).unwrap_err();
        assert!(err.contains("longer than") && !err.contains("sss"));
        let err = read_secret(&b"glpat-\xff"[..]).unwrap_err();
        assert!(err.contains("UTF-8") && !err.contains("glpat"));
    }

    #[test]
    fn relay_passes_the_holder_line_on_and_sets_the_exit_code() {
        let (read_end, mut write_end) = pipe().unwrap();
        write_end.write_all(b"ok 77\n").unwrap();
        drop(write_end);
        let mut out = Vec::new();
        assert_eq!(relay(read_end, &mut out), ExitCode::SUCCESS);
        assert_eq!(out, b"ok 77\n");

        let (read_end, write_end) = pipe().unwrap();
        drop(write_end);
        let mut out = Vec::new();
        assert_eq!(relay(read_end, &mut out), ExitCode::FAILURE);
        assert!(String::from_utf8(out).unwrap().starts_with("error "));
    }
}
