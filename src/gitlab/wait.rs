//! Waiting for an answer without going silent.
//!
//! The calling thread (a serve worker) sends the request and reads the answer itself. Before it
//! blocks, it tells its [`Reporter`] what it waits for ([`Reporter::wait_begins`]); serve's
//! reporter registers the wait with the process's one [`Watchdog`], a thread that sleeps until
//! the earliest wait is due: after [`FIRST_NOTICE`] without an answer it says in verbose output
//! what is awaited and how long it will be waited for, then sends a `progress` message every
//! [`EVERY`], in the request's place in the output. When the answer (or the timeout) comes, the
//! worker ends the wait and, if it was reported, sends a last `completed` progress.
//!
//! A quick answer costs two short lock holds and no thread hand-off: the watchdog is woken only
//! when it had nothing to watch, so under a steady stream of requests it sleeps until a wait is
//! actually due. A reporter with no watchdog (one collecting messages in a test) reports nothing
//! while waiting.

use crate::config::TIMEOUT_VAR;
use crate::protocol::{Body, Reporter};
use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long an answer may take before the user is told the engine is waiting.
pub const FIRST_NOTICE: Duration = Duration::from_secs(2);
/// How often the progress is updated after that.
pub const EVERY: Duration = Duration::from_secs(1);

const ACTIVITY: &str = "Waiting for GitLab";

/// Run `work` (a request and the reading of its answer) on this thread, and have the reporter's
/// watchdog report while it takes long. `what` names the request (`GET https://…`), `limit` is
/// the timeout that will end it.
pub fn reporting<T>(
    what: &str,
    limit: Duration,
    reporter: &mut dyn Reporter,
    work: impl FnOnce() -> T,
) -> T {
    /// Ends the wait even if `work` panics, so the watchdog never reports a finished request.
    struct Ends<'a> {
        reporter: &'a mut dyn Reporter,
        what: &'a str,
    }
    impl Drop for Ends<'_> {
        fn drop(&mut self) {
            if self.reporter.wait_ended() {
                self.reporter
                    .progress(ACTIVITY, format!("{}: done", self.what), true);
            }
        }
    }
    if !reporter.wait_begins(what, limit) {
        return work();
    }
    let _ends = Ends { reporter, what };
    work()
}

/// One wait being watched.
struct Wait<T> {
    tag: T,
    what: String,
    limit: Duration,
    started: Instant,
    /// When the next message is due, from `started`.
    next: Duration,
    reported: bool,
}

impl<T> Wait<T> {
    fn due(&self) -> Instant {
        self.started + self.next
    }
}

struct Watched<T> {
    waits: HashMap<u64, Wait<T>>,
    /// The watchdog sleeps until woken (it had nothing to watch).
    idle: bool,
    closed: bool,
}

/// The one thread per serve process that reports waits that take long (see the module comment).
/// Waits are keyed by a number unique among those open at a time (serve's request sequence
/// number; a request waits for one answer at a time), and carry a `tag` that [`Watchdog::run`]'s
/// `send` uses to put messages in their request's place.
pub struct Watchdog<T> {
    state: Mutex<Watched<T>>,
    wake: Condvar,
}

impl<T> Default for Watchdog<T> {
    fn default() -> Self {
        Watchdog {
            state: Mutex::new(Watched {
                waits: HashMap::new(),
                idle: false,
                closed: false,
            }),
            wake: Condvar::new(),
        }
    }
}

impl<T> Watchdog<T> {
    fn lock(&self) -> MutexGuard<'_, Watched<T>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Start watching wait `key`: `what` is awaited, given up after `limit`.
    pub fn begin(&self, key: u64, tag: T, what: &str, limit: Duration) {
        let mut state = self.lock();
        state.waits.insert(
            key,
            Wait {
                tag,
                what: what.to_string(),
                limit,
                started: Instant::now(),
                next: FIRST_NOTICE,
                reported: false,
            },
        );
        // Any other open wait is due sooner than this one (it is due within EVERY < FIRST_NOTICE),
        // so the watchdog needs waking only when it sleeps with nothing to watch.
        if std::mem::take(&mut state.idle) {
            self.wake.notify_one();
        }
    }

    /// Stop watching wait `key`; true if it was reported as long. The watchdog sends nothing for
    /// it after this returns.
    pub fn end(&self, key: u64) -> bool {
        self.lock().waits.remove(&key).is_some_and(|w| w.reported)
    }

    /// Make [`Watchdog::run`] return.
    pub fn close(&self) {
        self.lock().closed = true;
        self.wake.notify_one();
    }

    /// The watchdog's loop, until [`Watchdog::close`]: each message goes to `send` with its
    /// wait's tag. `send` is called with the watchdog's lock held, so a wait's messages all come
    /// before [`Watchdog::end`] returns for it.
    pub fn run(&self, send: impl Fn(&T, Body)) {
        let mut state = self.lock();
        while !state.closed {
            let now = Instant::now();
            for wait in state.waits.values_mut() {
                if wait.due() <= now {
                    report(wait, &send);
                }
            }
            let earliest = state.waits.values().map(Wait::due).min();
            state = match earliest {
                Some(due) => {
                    let left = due.saturating_duration_since(Instant::now());
                    self.wake
                        .wait_timeout(state, left)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
                None => {
                    state.idle = true;
                    self.wake.wait(state).unwrap_or_else(|p| p.into_inner())
                }
            };
        }
    }
}

/// The messages of one wait that is due: what is awaited (the first time), then the progress.
fn report<T>(wait: &mut Wait<T>, send: &impl Fn(&T, Body)) {
    let what = &wait.what;
    let limit = wait.limit.as_secs();
    if !wait.reported {
        send(
            &wait.tag,
            Body::Verbose {
                message: format!(
                    "{what}: sent, waiting for GitLab's answer (giving up after {limit} s without \
                     one; {TIMEOUT_VAR} or the site's TimeoutSeconds sets this)."
                ),
            },
        );
        wait.reported = true;
    }
    let waited = wait.started.elapsed().as_secs();
    send(
        &wait.tag,
        Body::Progress {
            activity: ACTIVITY.to_string(),
            status: format!("{what}: no answer yet after {waited} s (giving up after {limit} s)"),
            percent: None,
            completed: false,
        },
    );
    wait.next += EVERY;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Collected;
    use std::sync::Arc;

    /// A reporter whose waits a real watchdog watches, collecting every message in one list.
    struct Watching {
        dog: Arc<Watchdog<()>>,
        seen: Arc<Mutex<Vec<Body>>>,
    }

    impl Reporter for Watching {
        fn send(&mut self, body: Body) {
            self.seen.lock().unwrap().push(body);
        }
        fn wait_begins(&mut self, what: &str, limit: Duration) -> bool {
            self.dog.begin(1, (), what, limit);
            true
        }
        fn wait_ended(&mut self) -> bool {
            self.dog.end(1)
        }
    }

    fn watched(work: impl FnOnce() -> &'static str) -> (&'static str, Vec<Body>) {
        let dog = Arc::new(Watchdog::default());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let runner = {
            let (dog, seen) = (Arc::clone(&dog), Arc::clone(&seen));
            std::thread::spawn(move || dog.run(|_, body| seen.lock().unwrap().push(body)))
        };
        let mut reporter = Watching {
            dog: Arc::clone(&dog),
            seen: Arc::clone(&seen),
        };
        let out = reporting(
            "GET https://g/api/v4/user",
            Duration::from_secs(60),
            &mut reporter,
            work,
        );
        dog.close();
        runner.join().unwrap();
        let seen = seen.lock().unwrap().clone();
        (out, seen)
    }

    #[test]
    fn a_quick_answer_reports_nothing() {
        let (out, seen) = watched(|| "answer");
        assert_eq!(out, "answer");
        assert!(seen.is_empty(), "{seen:?}");
        let mut collected = Collected::default();
        assert_eq!(
            reporting("GET x", Duration::from_secs(60), &mut collected, || 7),
            7
        );
        assert!(collected.0.is_empty());
    }

    #[test]
    fn a_panicking_request_ends_its_wait() {
        let dog = Watchdog::<()>::default();
        let seen = Mutex::new(Vec::new());
        let mut reporter = Collected::default();
        struct Begins<'a>(&'a Watchdog<()>, &'a mut Collected);
        impl Reporter for Begins<'_> {
            fn send(&mut self, body: Body) {
                self.1.send(body);
            }
            fn wait_begins(&mut self, what: &str, limit: Duration) -> bool {
                self.0.begin(1, (), what, limit);
                true
            }
            fn wait_ended(&mut self) -> bool {
                self.0.end(1)
            }
        }
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            reporting(
                "GET x",
                Duration::from_secs(60),
                &mut Begins(&dog, &mut reporter),
                || -> u8 { panic!("boom") },
            )
        }));
        assert!(failed.is_err());
        assert!(dog.lock().waits.is_empty(), "the wait was ended");
        dog.close();
        dog.run(|_, body| seen.lock().unwrap().push(body));
        assert!(seen.lock().unwrap().is_empty());
    }

    #[test]
    fn a_slow_answer_reports_what_it_waits_for_then_completes() {
        let (out, seen) = watched(|| {
            std::thread::sleep(FIRST_NOTICE + EVERY + Duration::from_millis(300));
            "answer"
        });
        assert_eq!(out, "answer");
        assert!(
            matches!(&seen[0], Body::Verbose { message } if message.contains("waiting") && message.contains(TIMEOUT_VAR)),
            "{seen:?}"
        );
        let progress: Vec<bool> = seen
            .iter()
            .filter_map(|b| match b {
                Body::Progress { completed, .. } => Some(*completed),
                _ => None,
            })
            .collect();
        assert!(progress.len() >= 2, "{seen:?}");
        assert_eq!(progress.last(), Some(&true));
    }
}
