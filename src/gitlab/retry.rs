//! GitLab's 429: when to wait it out and try again, and the error when the wait is too long.

use crate::error::Error;
use crate::protocol::Reporter;
use std::time::Duration;

/// When to wait out a 429 instead of failing.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The longest `Retry-After` the engine waits out by itself.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            max_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1`, when this 429 is worth waiting out.
    pub fn wait_for(&self, attempt: u32, retry_after: Option<u64>) -> Option<Duration> {
        let wait = Duration::from_secs(retry_after?);
        (attempt < self.max_attempts && wait <= self.max_wait).then_some(wait)
    }

    /// Say that the engine waits `wait` before attempt `attempt + 1`.
    pub fn announce(
        &self,
        site_url: &str,
        wait: Duration,
        attempt: u32,
        reporter: &mut dyn Reporter,
    ) {
        let seconds = wait.as_secs();
        reporter.warning(format!(
            "GitLab at {site_url} is rate limiting (HTTP 429); waiting {seconds} s as it asked, then retrying (attempt {} of {}).",
            attempt + 1,
            self.max_attempts
        ));
        reporter.progress(
            "Waiting for GitLab's rate limit",
            format!("Retrying in {seconds} s"),
            false,
        );
    }

    /// Say that the wait is over.
    pub fn resumed(reporter: &mut dyn Reporter) {
        reporter.progress(
            "Waiting for GitLab's rate limit",
            "Retrying".to_string(),
            true,
        );
    }
}

/// A 429 not waited out: when to try again, as GitLab said.
pub fn too_long(mut err: Error, retry_after: Option<u64>) -> Error {
    err.hint = Some(match retry_after {
        Some(wait) => {
            format!("GitLab asked to wait {wait} s before the next request; try again then.")
        }
        None => "Wait a while before the next request; GitLab gave no Retry-After.".to_string(),
    });
    err.retry_after = retry_after;
    err
}

/// Seconds to wait from a `Retry-After` value: whole seconds, or an HTTP date (then the time
/// from `now` until it, rounded up, and 0 for a date already past). `None` when unreadable.
pub fn retry_after_seconds(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let millis = (at.with_timezone(&chrono::Utc) - now)
        .num_milliseconds()
        .max(0);
    Some((millis as u64).div_ceil(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(retry_after_seconds("30", now), Some(30));
        assert_eq!(retry_after_seconds(" 0 ", now), Some(0));
        assert_eq!(
            retry_after_seconds("Sat, 28 Nov 2026 10:00:42 GMT", now),
            Some(42)
        );
        // A date already past: no wait.
        assert_eq!(
            retry_after_seconds("Sat, 28 Nov 2026 09:59:00 GMT", now),
            Some(0)
        );
        assert_eq!(retry_after_seconds("soon", now), None);
        assert_eq!(retry_after_seconds("-5", now), None);
    }

    #[test]
    fn only_short_waits_within_the_attempts_are_waited_out() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.wait_for(1, Some(5)), Some(Duration::from_secs(5)));
        assert_eq!(policy.wait_for(1, Some(61)), None);
        assert_eq!(policy.wait_for(3, Some(1)), None);
        assert_eq!(policy.wait_for(1, None), None);
    }
}
