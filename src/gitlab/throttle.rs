//! How many HTTP requests may be in flight at once, shared by every worker of a serve process.
//!
//! The limit starts at the configured concurrency. A 429 halves it and holds every new request
//! back until the wait GitLab asked for is over (multiplicative decrease); each run of `limit`
//! successful answers raises it by one again, up to the configured maximum (additive increase).
//! So a rate-limited instance sees the engine slow down at once and speed up gently.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The default number of requests in flight; `GITLABCLI_CONCURRENCY` overrides it.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// The most `GITLABCLI_CONCURRENCY` may ask for.
pub const MAX_CONCURRENCY: usize = 64;

#[derive(Debug)]
struct State {
    max: usize,
    limit: usize,
    in_flight: usize,
    successes: usize,
    paused_until: Option<Instant>,
}

/// The shared gate. [`Throttle::acquire`] waits for a slot; dropping the [`Permit`] frees it.
#[derive(Debug)]
pub struct Throttle {
    state: Mutex<State>,
    changed: Condvar,
}

impl Throttle {
    pub fn new(max: usize) -> Self {
        let max = max.clamp(1, MAX_CONCURRENCY);
        Throttle {
            state: Mutex::new(State {
                max,
                limit: max,
                in_flight: 0,
                successes: 0,
                paused_until: None,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wait until a request may be sent: a slot is free and no 429 wait is running.
    pub fn acquire(&self) -> Permit<'_> {
        let mut state = self.lock();
        loop {
            let now = Instant::now();
            match state.paused_until {
                Some(until) if until > now => {
                    state = self
                        .changed
                        .wait_timeout(state, until - now)
                        .unwrap_or_else(|p| p.into_inner())
                        .0;
                    continue;
                }
                Some(_) => state.paused_until = None,
                None => {}
            }
            if state.in_flight < state.limit {
                state.in_flight += 1;
                return Permit { throttle: self };
            }
            state = self.changed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// GitLab answered 429 and asked to wait `wait`: halve the limit and pause everyone.
    pub fn rate_limited(&self, wait: Duration) {
        let mut state = self.lock();
        state.limit = (state.limit / 2).max(1);
        state.successes = 0;
        let until = Instant::now() + wait;
        if state.paused_until.is_none_or(|t| t < until) {
            state.paused_until = Some(until);
        }
        self.changed.notify_all();
    }

    /// An answer that was not a 429: count towards raising the limit again.
    pub fn succeeded(&self) {
        let mut state = self.lock();
        if state.limit < state.max {
            state.successes += 1;
            if state.successes >= state.limit {
                state.limit += 1;
                state.successes = 0;
                self.changed.notify_all();
            }
        }
    }

    /// The current limit (for tests and verbose output).
    pub fn limit(&self) -> usize {
        self.lock().limit
    }
}

/// A slot for one request in flight.
#[derive(Debug)]
pub struct Permit<'a> {
    throttle: &'a Throttle,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut state = self.throttle.lock();
        state.in_flight -= 1;
        self.throttle.changed.notify_all();
    }
}

/// The concurrency asked for in `GITLABCLI_CONCURRENCY`, or the default. An unusable value
/// (not a number, 0, above the maximum) gives the default and a message saying why.
pub fn concurrency_from(value: Option<&str>) -> (usize, Option<String>) {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return (DEFAULT_CONCURRENCY, None);
    };
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_CONCURRENCY).contains(&n) => (n, None),
        _ => (
            DEFAULT_CONCURRENCY,
            Some(format!(
                "GITLABCLI_CONCURRENCY is '{text}', which is not a whole number from 1 to {MAX_CONCURRENCY}; \
                 using {DEFAULT_CONCURRENCY} requests in flight. Set it to a number in that range, or remove it."
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn never_more_in_flight_than_the_limit() {
        let throttle = Arc::new(Throttle::new(3));
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        std::thread::scope(|s| {
            for _ in 0..10 {
                s.spawn(|| {
                    for _ in 0..20 {
                        let _permit = throttle.acquire();
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_micros(200));
                        now.fetch_sub(1, Ordering::SeqCst);
                    }
                });
            }
        });
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_429_halves_the_limit_pauses_and_successes_raise_it_again() {
        let throttle = Throttle::new(8);
        throttle.rate_limited(Duration::from_secs(3600));
        assert_eq!(throttle.limit(), 4);
        assert!(throttle.lock().paused_until.is_some());
        // A later, shorter wait does not cut the pause short.
        let until = throttle.lock().paused_until;
        throttle.rate_limited(Duration::ZERO);
        assert_eq!(throttle.lock().paused_until, until);
        assert_eq!(throttle.limit(), 2);
        throttle.lock().paused_until = None;
        drop(throttle.acquire());
        for _ in 0..2 {
            throttle.succeeded();
        }
        assert_eq!(throttle.limit(), 3);
        throttle.rate_limited(Duration::ZERO);
        throttle.rate_limited(Duration::ZERO);
        assert_eq!(throttle.limit(), 1);
    }

    #[test]
    fn concurrency_setting_is_checked() {
        assert_eq!(concurrency_from(None), (DEFAULT_CONCURRENCY, None));
        assert_eq!(concurrency_from(Some(" 3 ")), (3, None));
        for bad in ["0", "-1", "many", "65"] {
            let (n, why) = concurrency_from(Some(bad));
            assert_eq!(n, DEFAULT_CONCURRENCY);
            assert!(why.unwrap().contains(bad));
        }
    }
}
