//! Waiting for an answer without going silent.
//!
//! A request runs on a companion thread while the calling thread, which owns the request's
//! [`Reporter`], watches the clock: after [`FIRST_NOTICE`] without an answer it says in verbose
//! output what it is waiting for and how long it will wait, then sends a `progress` message
//! every [`EVERY`] until the answer (or the timeout) comes, and a last `completed` one.
//!
//! Each calling thread (a serve worker) keeps one companion for its whole life: starting a
//! thread per request costs about 200 µs here, handing work to a waiting one about 15 µs.

use crate::config::TIMEOUT_VAR;
use crate::protocol::Reporter;
use std::cell::RefCell;
use std::sync::mpsc;
use std::time::{Duration, Instant};

type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    /// This thread's companion, started on first use; it ends when this thread does.
    static COMPANION: RefCell<Option<mpsc::Sender<Job>>> = const { RefCell::new(None) };
}

/// Run `job` on this thread's companion; on this thread when no companion can be started.
fn hand_over(job: Job) {
    COMPANION.with(|slot| {
        let mut slot = slot.borrow_mut();
        let job = match slot.as_ref() {
            Some(companion) => match companion.send(job) {
                Ok(()) => return,
                // The companion is gone: start another.
                Err(mpsc::SendError(job)) => job,
            },
            None => job,
        };
        let (jobs, queue) = mpsc::channel::<Job>();
        let started = std::thread::Builder::new()
            .name("gitlabcli-request".to_string())
            .spawn(move || {
                for job in queue {
                    // A job that panics drops its answer channel, so its caller learns of it;
                    // the companion lives on for the next request.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            });
        match started {
            Ok(_) => {
                let _ = jobs.send(job);
                *slot = Some(jobs);
            }
            Err(_) => job(),
        }
    });
}

/// How long an answer may take before the user is told the engine is waiting.
pub const FIRST_NOTICE: Duration = Duration::from_secs(2);
/// How often the progress is updated after that.
pub const EVERY: Duration = Duration::from_secs(1);

const ACTIVITY: &str = "Waiting for GitLab";

/// Run `work` (a request and the reading of its answer) and report while it takes long.
/// `what` names the request (`GET https://…`), `limit` is the timeout that will end it.
pub fn reporting<T: Send + 'static>(
    what: &str,
    limit: Duration,
    reporter: &mut dyn Reporter,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (done, finished) = mpsc::channel::<T>();
    hand_over(Box::new(move || {
        let _ = done.send(work());
    }));
    let started = Instant::now();
    let mut next = FIRST_NOTICE;
    let mut reported = false;
    let out = loop {
        let left = next.saturating_sub(started.elapsed());
        match finished.recv_timeout(left) {
            Ok(out) => break out,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("the request thread ended without an answer to {what}")
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let waited = started.elapsed().as_secs();
                if !reported {
                    reporter.verbose(format!(
                        "{what}: sent, waiting for GitLab's answer (giving up after {} s without \
                         one; {TIMEOUT_VAR} or the site's TimeoutSeconds sets this).",
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
    };
    if reported {
        reporter.progress(ACTIVITY, format!("{what}: done"), true);
    }
    out
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
    fn a_panicking_job_does_not_take_the_next_requests_with_it() {
        let mut seen = Collected::default();
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            reporting("GET x", Duration::from_secs(60), &mut seen, || -> u8 {
                panic!("boom")
            })
        }));
        assert!(failed.is_err());
        assert_eq!(
            reporting("GET y", Duration::from_secs(60), &mut seen, || 5),
            5
        );
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
