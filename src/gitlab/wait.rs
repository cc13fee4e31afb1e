//! Waiting for an answer without going silent.
//!
//! A request runs on a scoped thread while the calling thread, which owns the request's
//! [`Reporter`], watches the clock: after [`FIRST_NOTICE`] without an answer it says in verbose
//! output what it is waiting for and how long it will wait, then sends a `progress` message
//! every [`EVERY`] until the answer (or the timeout) comes, and a last `completed` one.

use crate::config::TIMEOUT_VAR;
use crate::protocol::Reporter;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long an answer may take before the user is told the engine is waiting.
pub const FIRST_NOTICE: Duration = Duration::from_secs(2);
/// How often the progress is updated after that.
pub const EVERY: Duration = Duration::from_secs(1);

const ACTIVITY: &str = "Waiting for GitLab";

/// Run `work` (a request and the reading of its answer) and report while it takes long.
/// `what` names the request (`GET https://…`), `limit` is the timeout that will end it.
pub fn reporting<T: Send>(
    what: &str,
    limit: Duration,
    reporter: &mut dyn Reporter,
    work: impl FnOnce() -> T + Send,
) -> T {
    std::thread::scope(|scope| {
        let (done, finished) = mpsc::channel::<()>();
        let worker = scope.spawn(move || {
            let out = work();
            let _ = done.send(());
            out
        });
        let started = Instant::now();
        let mut next = FIRST_NOTICE;
        let mut reported = false;
        loop {
            let left = next.saturating_sub(started.elapsed());
            match finished.recv_timeout(left) {
                Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let waited = started.elapsed().as_secs();
                    if !reported {
                        reporter.verbose(format!(
                            "{what}: sent, waiting for GitLab's answer (giving up after {} s \
                             without one; {TIMEOUT_VAR} or the site's TimeoutSeconds sets this).",
                            limit.as_secs()
                        ));
                        reported = true;
                    }
                    reporter.progress(
                        ACTIVITY,
                        format!(
                            "{what}: no answer yet after {waited} s (giving up after {} s)",
                            limit.as_secs()
                        ),
                        false,
                    );
                    next += EVERY;
                }
            }
        }
        if reported {
            reporter.progress(ACTIVITY, format!("{what}: done"), true);
        }
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Body, Collected};

    #[test]
    fn a_quick_answer_reports_nothing() {
        let mut seen = Collected::default();
        let out = reporting("GET x", Duration::from_secs(60), &mut seen, || 7);
        assert_eq!(out, 7);
        assert!(seen.0.is_empty(), "{:?}", seen.0);
    }

    #[test]
    fn a_slow_answer_reports_what_it_waits_for_then_completes() {
        let mut seen = Collected::default();
        let out = reporting(
            "GET https://g/api/v4/user",
            Duration::from_secs(60),
            &mut seen,
            || {
                std::thread::sleep(FIRST_NOTICE + EVERY + Duration::from_millis(300));
                "answer"
            },
        );
        assert_eq!(out, "answer");
        assert!(
            matches!(&seen.0[0], Body::Verbose { message } if message.contains("waiting") && message.contains(TIMEOUT_VAR))
        );
        let progress: Vec<bool> = seen
            .0
            .iter()
            .filter_map(|b| match b {
                Body::Progress { completed, .. } => Some(*completed),
                _ => None,
            })
            .collect();
        assert!(progress.len() >= 2, "{:?}", seen.0);
        assert_eq!(progress.last(), Some(&true));
    }
}
