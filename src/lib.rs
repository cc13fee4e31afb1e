//! gitlabcli: the engine behind the GitlabCli PowerShell module.
//!
//! One concern per module:
//! - [`protocol`]: the versioned JSON Lines contract with the wrapper, and the serve loop;
//! - [`commands`]: what each protocol command does (validation, plan, run);
//! - [`gitlab`]: the HTTP client for GitLab's REST API v4 and its error bodies;
//! - [`config`]: sites from the environment and the config file shared with pwsh-gitlab;
//! - [`dates`]: expiry parsing and calendar arithmetic; [`git_remote`]: the project of a git checkout;
//! - [`params`]: the cmdlets' names for the protocol's parameters, for messages;
//! - [`redact`]: the one place that makes server text safe to show (secrets, token shapes,
//!   control characters); [`text`]: truncation and naming invisible characters;
//! - [`clipboard`]: the system clipboard, kept alive after the engine exits;
//! - [`error`] and [`secret`]: the error model and the type that keeps tokens out of text;
//! - [`harden`]: what the process does to itself at start (no core dumps);
//! - [`cli`]: the command line of the executable.

pub mod cli;
pub mod clipboard;
pub mod commands;
pub mod config;
pub mod dates;
pub mod error;
pub mod git_remote;
pub mod gitlab;
pub mod harden;
pub mod params;
pub mod protocol;
pub mod redact;
pub mod secret;
pub mod text;

/// The engine's version, as sent in the User-Agent header.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
