//! The engine leaves no core dump (issue 14): a running `gitlabcli serve` has a core size limit
//! of 0 (soft and hard) and is not dumpable. Read from `/proc/<pid>` of the real binary.

#![cfg(target_os = "linux")]

#[path = "common/proc_limits.rs"]
mod proc_limits;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

/// An unprivileged user the engine runs as when the tests run as root, so that ownership of
/// `/proc/<pid>/status` tells whether it is dumpable (the files of a process that is not
/// dumpable belong to root).
const NOBODY: u32 = 65534;

#[test]
fn a_running_engine_has_no_core_size_and_is_not_dumpable() {
    let root = unsafe { libc::geteuid() } == 0;
    let home = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_gitlabcli"));
    command
        .arg("serve")
        .env_clear()
        .env("HOME", home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if root {
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::setgid(NOBODY) != 0 || libc::setuid(NOBODY) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut engine = command.spawn().expect("start gitlabcli serve");
    let pid = engine.id();
    // One answer, so the engine is past its start-up.
    let mut stdin = engine.stdin.take().unwrap();
    writeln!(stdin, r#"{{"v":1,"id":1,"command":"list-sites"}}"#).unwrap();
    // The hello comes first (id null), then the answer.
    let mut reader = BufReader::new(engine.stdout.take().unwrap());
    let mut line = String::new();
    for _ in 0..2 {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line.contains("\"id\":1") {
            break;
        }
    }
    assert!(line.contains("\"id\":1"), "{line}");

    assert_eq!(
        proc_limits::core_size_limits(pid),
        ("0".into(), "0".into()),
        "soft and hard core size limits"
    );

    let own_uid = if root {
        NOBODY
    } else {
        unsafe { libc::geteuid() }
    };
    let owner = std::fs::metadata(format!("/proc/{pid}/status"))
        .unwrap()
        .uid();
    assert_eq!(
        owner, 0,
        "/proc/{pid}/status of a process that is not dumpable belongs to root, not to its user {own_uid}"
    );
    drop(stdin);
    engine.wait().unwrap();
}
