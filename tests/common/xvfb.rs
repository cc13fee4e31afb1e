//! A private X server for one test, so tests can run in parallel without sharing a clipboard.
//!
//! `Xvfb -displayfd 1` picks a free display number itself and writes it on its stdout. The
//! display is only ever put in child processes' environments (see [`Xvfb::command`]): the test
//! process's own environment is never changed.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long Xvfb may take to start. A guard against hanging, not a timing expectation.
const START_PATIENCE: Duration = Duration::from_secs(60);

pub const INSTALL_HINT: &str = "these tests need an X server and xclip: apt-get install xvfb xclip";

pub struct Xvfb {
    child: Child,
    display: String,
    log: tempfile::NamedTempFile,
}

impl Xvfb {
    /// Start a new X server on a free display. Panics, with Xvfb's log, if it cannot.
    pub fn start() -> Xvfb {
        let log = tempfile::NamedTempFile::new().expect("create a file for the Xvfb log");
        let stderr = log.reopen().expect("open the Xvfb log for writing");
        let spawned = Command::new("Xvfb")
            .args(["-displayfd", "1", "-nolisten", "tcp", "-noreset"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                panic!("Xvfb is not installed; {INSTALL_HINT}")
            }
            Err(err) => panic!("cannot start Xvfb: {err}"),
        };

        // Read the display number on a thread so a stuck Xvfb cannot hang the test; the thread
        // then drains Xvfb's stdout until it exits.
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line).map(|_| line);
            let _ = tx.send(read);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let number = match rx.recv_timeout(START_PATIENCE) {
            Ok(Ok(line)) if line.trim().parse::<u32>().is_ok() => line.trim().to_string(),
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "Xvfb did not report a display number ({other:?}). Its log:\n{}",
                    read_log(&log)
                );
            }
        };
        Xvfb {
            child,
            display: format!(":{number}"),
            log,
        }
    }

    /// The display, e.g. `:3`.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// A command for `program` that runs on this display (and not on any Wayland one).
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("DISPLAY", &self.display)
            .env_remove("WAYLAND_DISPLAY");
        command
    }

    /// Stop the server now (clients lose their connection).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What Xvfb wrote on its stderr so far.
    pub fn log(&self) -> String {
        read_log(&self.log)
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        self.stop();
    }
}

fn read_log(log: &tempfile::NamedTempFile) -> String {
    let mut text = String::new();
    match log
        .reopen()
        .and_then(|mut file| file.read_to_string(&mut text))
    {
        Ok(_) => text,
        Err(err) => format!("(cannot read the log: {err})"),
    }
}
