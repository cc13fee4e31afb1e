//! Errors as the engine reports them: a stable kind, a human message, and the facts behind it.
//!
//! Every failure the engine can report is an [`Error`]. Its [`ErrorKind`] is part of the protocol:
//! it travels as a kebab-case string (`"not-found"`) and the PowerShell wrapper turns it into an
//! ErrorId (`GitlabCli.NotFound`). Kinds are only ever added, never renamed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The stable classification of an error. Tests and scripts branch on this, never on messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// GitLab refused the access token (HTTP 401): missing, wrong, expired or revoked.
    Unauthorized,
    /// The token is valid but may not do this (HTTP 403), e.g. a non-admin on an admin endpoint.
    Forbidden,
    /// A user or other resource does not exist (HTTP 404, or an empty lookup).
    NotFound,
    /// A parameter is wrong. Raised before any request, or by GitLab with HTTP 400/409/422.
    InvalidArgument,
    /// GitLab's rate limit was hit (HTTP 429) and the wait it asked for was too long to retry.
    RateLimited,
    /// GitLab failed (HTTP 5xx) or answered something the engine cannot read.
    ServerError,
    /// No HTTP exchange happened: DNS, connect, TLS, proxy or timeout failures.
    Network,
    /// Site configuration is missing or wrong: no token, unknown site, unreadable config file.
    Config,
    /// A protocol line was malformed, had an unknown version or named an unknown command.
    Protocol,
    /// The system clipboard could not be used.
    Clipboard,
    /// A request that changes something (a create) may have reached GitLab, but no usable answer
    /// came back: a timeout or dropped connection after sending, a 5xx, or an unreadable success.
    /// It is never retried; the message says how to check whether it took effect.
    OutcomeUnknown,
}

impl ErrorKind {
    /// Every kind, in documentation order.
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::InvalidArgument,
        ErrorKind::RateLimited,
        ErrorKind::ServerError,
        ErrorKind::Network,
        ErrorKind::Config,
        ErrorKind::Protocol,
        ErrorKind::Clipboard,
        ErrorKind::OutcomeUnknown,
    ];

    /// The kebab-case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not-found",
            ErrorKind::InvalidArgument => "invalid-argument",
            ErrorKind::RateLimited => "rate-limited",
            ErrorKind::ServerError => "server-error",
            ErrorKind::Network => "network",
            ErrorKind::Config => "config",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Clipboard => "clipboard",
            ErrorKind::OutcomeUnknown => "outcome-unknown",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// The details are boxed so a `Result` stays small; read them through `Deref` (`err.kind`,
// `err.message`, ...). Messages never contain a secret: the access token and a new token are held
// in `crate::secret::Secret`, which cannot be formatted into text.
/// An error with everything the user needs to act on it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Error(Box<ErrorDetails>);

/// The facts of an [`Error`], as they travel in an `error` message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ErrorDetails {
    /// Stable classification.
    pub kind: ErrorKind,
    /// What went wrong, for a human, naming the offending value.
    pub message: String,
    /// GitLab's own words, verbatim, when GitLab answered with an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitlab_message: Option<String>,
    /// The HTTP status GitLab answered with, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// How to fix it, when the engine knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The parameter at fault, in protocol spelling (`expires_at`), for invalid-argument errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Seconds GitLab asked to wait, for rate-limited errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// The chain of underlying causes, outermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caused_by: Vec<String>,
}

impl std::ops::Deref for Error {
    type Target = ErrorDetails;
    fn deref(&self) -> &ErrorDetails {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorDetails {
        &mut self.0
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Error {
    /// A new error of `kind` with a human `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(ErrorDetails {
            kind,
            message: message.into(),
            gitlab_message: None,
            status: None,
            hint: None,
            parameter: None,
            retry_after: None,
            caused_by: Vec::new(),
        }))
    }

    /// An invalid-argument error about `parameter` (its protocol name, kept in `parameter`).
    /// Protocol names in `message` are written as the cmdlets' parameters
    /// ([`crate::params::in_cmdlet_words`]): `expires_at` becomes `-ExpiresAt`.
    pub fn invalid(parameter: &str, message: impl Into<String>) -> Self {
        let message = crate::params::in_cmdlet_words(&message.into());
        Error::new(ErrorKind::InvalidArgument, message).with_parameter(parameter)
    }

    /// A config error.
    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, message)
    }

    /// A protocol error.
    pub fn protocol(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Protocol, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_gitlab_message(mut self, message: impl Into<String>) -> Self {
        self.gitlab_message = Some(message.into());
        self
    }

    pub fn with_parameter(mut self, parameter: &str) -> Self {
        self.parameter = Some(parameter.to_string());
        self
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Append the chain of `cause` (its `Display`, then each `source()`).
    pub fn caused_by(mut self, cause: &(dyn std::error::Error + 'static)) -> Self {
        let mut next: Option<&(dyn std::error::Error + 'static)> = Some(cause);
        while let Some(err) = next {
            let text = err.to_string();
            if self.caused_by.last() != Some(&text) {
                self.caused_by.push(text);
            }
            next = err.source();
        }
        self
    }

    /// Append one cause given as text.
    pub fn caused_by_text(mut self, cause: impl Into<String>) -> Self {
        self.caused_by.push(cause.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(gitlab) = &self.gitlab_message
            && !self.message.contains(gitlab.as_str())
        {
            write!(f, " GitLab said: {gitlab}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Shorthand used throughout the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialize_as_their_kebab_names() {
        for kind in ErrorKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            let back: ErrorKind = serde_json::from_str(&json).unwrap();
            assert_eq!(back, kind);
        }
    }

    #[test]
    fn cause_chain_is_recorded_outermost_first() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = Error::config("cannot read config").caused_by(&io);
        assert_eq!(err.caused_by, vec!["no such file".to_string()]);
    }

    #[test]
    fn display_adds_gitlab_words_once() {
        let err =
            Error::new(ErrorKind::Forbidden, "Not allowed.").with_gitlab_message("403 Forbidden");
        assert_eq!(err.to_string(), "Not allowed. GitLab said: 403 Forbidden");
        let err = Error::new(ErrorKind::Forbidden, "GitLab said 403 Forbidden")
            .with_gitlab_message("403 Forbidden");
        assert_eq!(err.to_string(), "GitLab said 403 Forbidden");
    }
}
