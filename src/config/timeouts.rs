//! How long the engine waits on the network: the defaults, the accepted range, and the
//! environment variables that override a site's `ConnectTimeoutSeconds` / `TimeoutSeconds`.

use super::env::Environment;
use crate::error::{Error, Result};
use std::time::Duration;

/// The environment variable for the connect timeout, in seconds.
pub const CONNECT_TIMEOUT_VAR: &str = "GITLABCLI_CONNECT_TIMEOUT_SECONDS";
/// The environment variable for the read timeout, in seconds.
pub const TIMEOUT_VAR: &str = "GITLABCLI_TIMEOUT_SECONDS";

/// How long the engine waits on the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timeouts {
    /// Resolving the host name, connecting, and the TLS handshake (and a proxy's CONNECT).
    pub connect: Duration,
    /// Each of: sending the request, waiting for the answer's head, reading its body.
    pub read: Duration,
}

impl Timeouts {
    /// 15 seconds to connect.
    pub const DEFAULT_CONNECT: Duration = Duration::from_secs(15);
    /// 60 seconds for each read or write phase.
    pub const DEFAULT_READ: Duration = Duration::from_secs(60);
    /// The longest timeout accepted.
    const MAX_SECONDS: f64 = 3600.0;
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Timeouts::DEFAULT_CONNECT,
            read: Timeouts::DEFAULT_READ,
        }
    }
}

/// Seconds as written (`30`, `2.5`) to a duration; `None` when not a number from 0.1 to 3600.
pub(super) fn parse_seconds(text: &str) -> Option<Duration> {
    let seconds: f64 = text.trim().parse().ok()?;
    (seconds.is_finite() && (0.1..=Timeouts::MAX_SECONDS).contains(&seconds))
        .then(|| Duration::from_secs_f64(seconds))
}

/// The timeouts the environment sets (connect, read), each `None` when its variable is not set.
///
/// Errors (config): a variable that is not a number of seconds from 0.1 to 3600.
pub(super) fn from_environment(env: &Environment) -> Result<(Option<Duration>, Option<Duration>)> {
    let read = |name: &str, value: &Option<String>| -> Result<Option<Duration>> {
        let Some(text) = value else { return Ok(None) };
        parse_seconds(text).map(Some).ok_or_else(|| {
            let shown = crate::text::truncate(text, 40);
            Error::config(format!(
                "{name} is '{shown}', which is not a number of seconds from 0.1 to 3600."
            ))
            .with_hint(format!(
                "Set {name} to a number of seconds such as 30, or unset it."
            ))
        })
    };
    Ok((
        read(CONNECT_TIMEOUT_VAR, &env.connect_timeout)?,
        read(TIMEOUT_VAR, &env.timeout)?,
    ))
}
