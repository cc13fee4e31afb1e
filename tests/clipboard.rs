//! The clipboard helper (`gitlabcli clipboard-hold`) and `clipboard::copy_with_helper`, driven
//! against the real gitlabcli binary, each test on its own Xvfb display, read back with xclip.
//!
//! Needs `Xvfb` and `xclip` (`apt-get install xvfb xclip`). Durations below only stop a broken
//! build from hanging the suite; nothing asserts on timing.

#![cfg(target_os = "linux")]

#[path = "common/proc_limits.rs"]
mod proc_limits;
#[path = "common/xvfb.rs"]
mod xvfb;

use gitlabcli::clipboard::copy_with_helper;
use gitlabcli::error::ErrorKind;
use gitlabcli::secret::Secret;
use std::io::{BufReader, Read, Write};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use xvfb::{INSTALL_HINT, Xvfb};

const GITLABCLI: &str = env!("CARGO_BIN_EXE_gitlabcli");

/// The longest any single wait may take before the test fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(60);

/// A display nobody serves.
const DEAD_DISPLAY: &str = ":59001";

fn unique_secret(tag: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("glpat-{tag}-{}-{nanos}", std::process::id())
}

/// `gitlabcli clipboard-hold` from `command`, with its stdin and stdout piped.
fn spawn_helper(mut command: Command) -> Child {
    command
        .arg("clipboard-hold")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start gitlabcli clipboard-hold")
}

/// Write `input` to the helper's stdin and close it.
fn hand_over(helper: &mut Child, input: &str) {
    let mut stdin = helper.stdin.take().expect("stdin is piped");
    stdin.write_all(input.as_bytes()).expect("write the secret");
}

/// Run `read` on a thread and give up after [`PATIENCE`].
fn within_patience<T: Send + 'static>(what: &str, read: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(read());
    });
    rx.recv_timeout(PATIENCE)
        .unwrap_or_else(|_| panic!("{what}: nothing after {PATIENCE:?}"))
}

/// The helper's status line, without its newline; the helper's stdout is then read to EOF.
fn status_line(helper: &mut Child) -> String {
    let stdout: ChildStdout = helper.stdout.take().expect("stdout is piped");
    within_patience("the helper's status line", move || {
        let mut text = String::new();
        BufReader::new(stdout)
            .read_to_string(&mut text)
            .expect("read the helper's stdout");
        text
    })
    .trim_end_matches('\n')
    .to_string()
}

fn wait_exit(helper: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if let Some(status) = helper.try_wait().expect("wait for the helper") {
            return status;
        }
        thread::sleep(Duration::from_millis(20));
    }
    let _ = helper.kill();
    panic!("the helper did not exit within {PATIENCE:?}");
}

/// The holder's PID from an `ok <pid>` line.
fn holder_pid(status: &str) -> u32 {
    let pid = status
        .strip_prefix("ok ")
        .unwrap_or_else(|| panic!("expected `ok <pid>`, got {status:?}"));
    pid.parse().expect("the PID after `ok`")
}

/// Whether `pid` is a live process (a zombie no longer is: it has exited).
fn is_running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => !stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
        Err(_) => false,
    }
}

fn wait_gone(pid: u32, why: &str) {
    let deadline = Instant::now() + PATIENCE;
    while is_running(pid) {
        assert!(
            Instant::now() < deadline,
            "the holder {pid} is still running {PATIENCE:?} after {why}"
        );
        thread::sleep(Duration::from_millis(50));
    }
}

/// Ends a holder the test started, if it is still running, when the test ends.
struct HolderGuard(u32);

impl Drop for HolderGuard {
    fn drop(&mut self) {
        if is_running(self.0) {
            let _ = Command::new("kill").arg(self.0.to_string()).status();
        }
    }
}

/// Start the helper on `x`, hand it `secret` plus a newline, and return the holder's PID once
/// the helper has reported and exited 0.
fn hold(x: &Xvfb, secret: &str) -> HolderGuard {
    let mut helper = spawn_helper(x.command(GITLABCLI));
    hand_over(&mut helper, &format!("{secret}\n"));
    let status = status_line(&mut helper);
    let exit = wait_exit(&mut helper);
    let pid = holder_pid(&status);
    assert!(exit.success(), "helper exit {exit} after {status:?}");
    assert_ne!(pid, helper.id(), "the holder must be a separate process");
    HolderGuard(pid)
}

fn xclip(x: &Xvfb) -> Command {
    let mut command = x.command("xclip");
    command.args(["-selection", "clipboard"]);
    command
}

/// What the CLIPBOARD selection holds, read by another program.
fn clipboard_text(x: &Xvfb) -> String {
    let mut command = xclip(x);
    command.arg("-o");
    let output = within_patience("xclip -o", move || command.output());
    let output = match output {
        Ok(output) => output,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            panic!("xclip is not installed; {INSTALL_HINT}")
        }
        Err(err) => panic!("cannot run xclip: {err}"),
    };
    assert!(
        output.status.success(),
        "xclip -o failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 from xclip")
}

/// Another program takes the clipboard. xclip forks a process that serves it until the display
/// goes away.
fn copy_with_xclip(x: &Xvfb, text: &str) {
    let mut command = xclip(x);
    command
        .arg("-i")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut xclip = command.spawn().expect("start xclip -i");
    xclip
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let status = within_patience("xclip -i", move || xclip.wait());
    assert!(status.expect("wait for xclip -i").success());
}

fn proc_file(pid: u32, name: &str) -> Vec<u8> {
    std::fs::read(format!("/proc/{pid}/{name}"))
        .unwrap_or_else(|err| panic!("read /proc/{pid}/{name}: {err}"))
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn the_secret_stays_on_the_clipboard_after_the_helper_exits() {
    let x = Xvfb::start();
    let secret = unique_secret("stays");
    let holder = hold(&x, &secret);
    assert!(is_running(holder.0), "the holder must outlive the helper");
    assert_eq!(
        clipboard_text(&x),
        secret,
        "one trailing newline is dropped"
    );
}

#[test]
fn the_holder_leaves_no_core_dump_either() {
    let x = Xvfb::start();
    let holder = hold(&x, &unique_secret("core"));
    let limits = proc_limits::core_size_limits(holder.0);
    assert_eq!(
        limits,
        ("0".into(), "0".into()),
        "the holder's core size limits"
    );
}

#[test]
fn another_program_taking_the_clipboard_ends_the_holder() {
    let x = Xvfb::start();
    let secret = unique_secret("replaced");
    let holder = hold(&x, &secret);
    assert_eq!(clipboard_text(&x), secret);

    copy_with_xclip(&x, "something else");
    wait_gone(holder.0, "xclip took the clipboard");
    assert_eq!(clipboard_text(&x), "something else");
}

#[test]
fn a_second_copy_replaces_the_first() {
    let x = Xvfb::start();
    let first = hold(&x, &unique_secret("first"));
    let second_secret = unique_secret("second");
    let second = hold(&x, &second_secret);
    wait_gone(first.0, "a second holder took the clipboard");
    assert!(is_running(second.0));
    assert_eq!(clipboard_text(&x), second_secret);
}

#[test]
fn the_holder_exits_when_its_display_goes_away() {
    let mut x = Xvfb::start();
    let holder = hold(&x, &unique_secret("display-gone"));
    x.stop();
    wait_gone(holder.0, "its X server stopped");
}

#[test]
fn without_a_display_the_helper_reports_an_error_and_exits_1() {
    let mut command = Command::new(GITLABCLI);
    command.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
    let mut helper = spawn_helper(command);
    hand_over(&mut helper, &unique_secret("no-display"));
    let status = status_line(&mut helper);
    assert_eq!(
        status,
        "error no display: neither DISPLAY nor WAYLAND_DISPLAY is set"
    );
    assert_eq!(wait_exit(&mut helper).code(), Some(1));
}

#[test]
fn an_unreachable_display_is_reported_and_the_helper_exits_1() {
    let mut command = Command::new(GITLABCLI);
    command
        .env("DISPLAY", DEAD_DISPLAY)
        .env_remove("WAYLAND_DISPLAY");
    let mut helper = spawn_helper(command);
    let secret = unique_secret("dead-display");
    hand_over(&mut helper, &secret);
    let status = status_line(&mut helper);
    assert!(
        status.starts_with("error cannot open the clipboard on the X11 display DISPLAY=:59001"),
        "{status:?}"
    );
    assert!(!status.contains(&secret));
    assert_eq!(wait_exit(&mut helper).code(), Some(1));
}

#[test]
fn a_wayland_failure_names_wayland_and_the_x11_fallback() {
    // A Wayland display nobody serves: arboard tries Wayland, then falls back to X11 (here a
    // dead X display too). The message names both, Wayland first, not only "X11".
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(GITLABCLI);
    command
        .env("XDG_RUNTIME_DIR", dir.path())
        .env("WAYLAND_DISPLAY", "wayland-nobody")
        .env("DISPLAY", DEAD_DISPLAY);
    let mut helper = spawn_helper(command);
    hand_over(&mut helper, &unique_secret("dead-wayland"));
    let status = status_line(&mut helper);
    assert!(status.starts_with("error "), "{status:?}");
    assert!(
        status.contains("Wayland display WAYLAND_DISPLAY=wayland-nobody"),
        "{status:?}"
    );
    assert!(status.contains("X11 display DISPLAY=:59001"), "{status:?}");
    assert_eq!(wait_exit(&mut helper).code(), Some(1));
}

#[test]
fn a_failure_inside_the_holder_is_reported_not_swallowed() {
    // x11rb computes the TCP port as 6000 + display in u16: this overflows, which panics in a
    // debug build (and fails to connect in a release build). Either way: an error line, exit 1.
    let mut command = Command::new(GITLABCLI);
    command
        .env("DISPLAY", ":65001")
        .env_remove("WAYLAND_DISPLAY");
    let mut helper = spawn_helper(command);
    let secret = unique_secret("panic");
    hand_over(&mut helper, &secret);
    let status = status_line(&mut helper);
    assert!(status.starts_with("error "), "{status:?}");
    assert!(status.contains("DISPLAY=:65001"), "{status:?}");
    assert!(!status.contains(&secret));
    assert_eq!(wait_exit(&mut helper).code(), Some(1));
}

#[test]
fn empty_input_is_refused() {
    let x = Xvfb::start();
    let mut helper = spawn_helper(x.command(GITLABCLI));
    hand_over(&mut helper, "\n");
    assert_eq!(
        status_line(&mut helper),
        "error nothing to copy: the secret on stdin is empty"
    );
    assert_eq!(wait_exit(&mut helper).code(), Some(1));
}

#[test]
fn the_secret_is_never_in_argv_or_the_environment() {
    let x = Xvfb::start();
    let secret = unique_secret("argv");
    let mut helper = spawn_helper(x.command(GITLABCLI));
    // The helper is blocked reading stdin: this is how it was started. Right after spawn() the
    // kernel may still be setting up the new program, with an empty cmdline: wait for it.
    let helper_pid = helper.id();
    let deadline = Instant::now() + PATIENCE;
    let cmdline = loop {
        let cmdline = proc_file(helper_pid, "cmdline");
        if !cmdline.is_empty() || Instant::now() >= deadline {
            break cmdline;
        }
        thread::sleep(Duration::from_millis(10));
    };
    let started_with = [cmdline, proc_file(helper_pid, "environ")];
    assert!(
        contains(&started_with[0], "clipboard-hold"),
        "{:?}",
        String::from_utf8_lossy(&started_with[0])
    );
    assert!(contains(&started_with[1], "DISPLAY="));
    hand_over(&mut helper, &secret);
    let status = status_line(&mut helper);
    let holder = HolderGuard(holder_pid(&status));
    for text in &started_with {
        assert!(
            !contains(text, &secret),
            "the secret is in the helper's argv or environ"
        );
    }
    for name in ["cmdline", "environ"] {
        let text = proc_file(holder.0, name);
        assert!(!text.is_empty(), "/proc/{}/{name} is empty", holder.0);
        assert!(
            !contains(&text, &secret),
            "the secret is in the holder's {name}"
        );
    }
    assert!(wait_exit(&mut helper).success());
    assert_eq!(clipboard_text(&x), secret);
}

#[test]
fn the_holder_keeps_none_of_the_callers_streams() {
    let x = Xvfb::start();
    let secret = unique_secret("detached");
    let mut helper = x
        .command(GITLABCLI)
        .arg("clipboard-hold")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start gitlabcli clipboard-hold");
    hand_over(&mut helper, &secret);
    let stderr = helper.stderr.take().unwrap();
    // status_line reads stdout to EOF: it returns only if the holder let go of it.
    let status = status_line(&mut helper);
    let stderr = within_patience("the helper's stderr to EOF", move || {
        let mut text = String::new();
        BufReader::new(stderr)
            .read_to_string(&mut text)
            .map(|_| text)
    })
    .expect("read the helper's stderr");
    let holder = HolderGuard(holder_pid(&status));
    assert!(is_running(holder.0), "the holder must still be serving");
    assert!(!stderr.contains(&secret));
    assert!(wait_exit(&mut helper).success());

    for fd in 0..=2 {
        let target = std::fs::read_link(format!("/proc/{}/fd/{fd}", holder.0)).unwrap();
        assert_eq!(target.to_str(), Some("/dev/null"), "holder fd {fd}");
    }
    let cwd = std::fs::read_link(format!("/proc/{}/cwd", holder.0)).unwrap();
    assert_eq!(cwd.to_str(), Some("/"));
    // setsid: the holder leads its own session. /proc/<pid>/stat: "pid (comm) state ppid pgrp
    // session ...".
    let stat = String::from_utf8(proc_file(holder.0, "stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    assert_eq!(fields[3], holder.0.to_string(), "session of the holder");
}

#[test]
fn copy_with_helper_puts_the_secret_on_the_clipboard_for_good() {
    let x = Xvfb::start();
    let secret = unique_secret("copy");
    copy_with_helper(&Secret::new(secret.clone()), x.command(GITLABCLI)).expect("copy works");
    assert_eq!(clipboard_text(&x), secret);
    // The holder is left to stop with the display when `x` drops.
}

#[test]
fn copy_with_helper_passes_on_only_what_reaching_the_display_takes() {
    let x = Xvfb::start();
    let secret = unique_secret("environ");
    let access_token = unique_secret("access");
    let mut command = x.command(GITLABCLI);
    command.env("GITLAB_ACCESS_TOKEN", &access_token);
    copy_with_helper(&Secret::new(secret.clone()), command).expect("copy works");
    assert_eq!(clipboard_text(&x), secret);

    let holder = holders_on(&x);
    assert_eq!(holder.len(), 1, "one holder serves {}", x.display());
    let environ = proc_file(holder[0].0, "environ");
    let names: Vec<String> = environ
        .split(|&byte| byte == 0)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let entry = String::from_utf8_lossy(entry);
            entry.split('=').next().unwrap().to_string()
        })
        .collect();
    let allowed = [
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "XAUTHORITY",
        "XDG_RUNTIME_DIR",
        "HOME",
    ];
    for name in &names {
        assert!(allowed.contains(&name.as_str()), "the holder got {name}");
    }
    assert!(names.contains(&"DISPLAY".to_string()));
    assert!(!contains(&environ, &access_token));
}

/// The holders serving `x`: gitlabcli clipboard-hold processes whose DISPLAY is `x`'s.
fn holders_on(x: &Xvfb) -> Vec<HolderGuard> {
    let display = format!("DISPLAY={}", x.display());
    let mut holders = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let (Ok(cmdline), Ok(environ)) = (
            std::fs::read(format!("/proc/{pid}/cmdline")),
            std::fs::read(format!("/proc/{pid}/environ")),
        ) else {
            continue;
        };
        let on_x = environ
            .split(|&byte| byte == 0)
            .any(|e| e == display.as_bytes());
        if contains(&cmdline, "clipboard-hold") && on_x && is_running(pid) {
            holders.push(HolderGuard(pid));
        }
    }
    holders
}

#[test]
fn copy_with_helper_reports_an_unreachable_display_as_a_clipboard_error() {
    let secret = unique_secret("copy-dead");
    let mut command = Command::new(GITLABCLI);
    command
        .env("DISPLAY", DEAD_DISPLAY)
        .env_remove("WAYLAND_DISPLAY");
    let err = copy_with_helper(&Secret::new(secret.clone()), command).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Clipboard);
    assert!(
        err.message.starts_with(
            "cannot copy to the clipboard: cannot open the clipboard on the X11 display DISPLAY="
        ),
        "{err:?}"
    );
    assert!(err.hint.is_some());
    assert!(!format!("{err:?}").contains(&secret));
}

#[test]
fn copy_with_helper_without_a_display_fails_without_starting_the_helper() {
    let mut command = Command::new("/nonexistent/gitlabcli");
    command.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
    let err = copy_with_helper(&Secret::new("glpat-unused"), command).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Clipboard);
    assert_eq!(
        err.message,
        "no display: neither DISPLAY nor WAYLAND_DISPLAY is set"
    );
}
