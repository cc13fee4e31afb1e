//! Sites and their access tokens, from the environment and the config file shared with
//! pwsh-gitlab.
//!
//! Two sources define sites, in this order of precedence:
//! - the environment: `GITLAB_ACCESS_TOKEN` (set and not blank) defines one site, at `GITLAB_URL`
//!   or [`DEFAULT_GITLAB_URL`];
//! - the config file `<home>/`[`CONFIG_RELATIVE_PATH`], the YAML the pwsh-gitlab module writes:
//!
//! ```yaml
//! Sites:
//! - Url: https://gitlab.example.com
//!   AccessToken: glpat-xxxx
//!   ProxyUrl: http://proxy.example.com:3128   # optional
//!   IsDefault: true                            # or 'true' / 'false', any case
//! ```
//!
//! One concern per module, each using only those listed before it:
//!
//! | module | concern |
//! | --- | --- |
//! | `env` | what the process environment holds (no interpretation) |
//! | `url` | normalising, masking and matching site URLs; "is this plain HTTP beyond loopback" |
//! | `timeouts` | the timeouts, their range and their environment variables |
//! | `proxy` | which proxy a site's requests go through, as the HTTP client decides |
//! | `file` | reading the file: regular files only, 1 MiB at most, UTF-8, its identity and mode |
//! | `yaml` | one parse that keeps every node's line; YAML errors with position and reason |
//! | `site` | a [`Site`] and what it implies for messages (in-clear warning, proxy, assumed https) |
//! | `entry` | what a `Sites` entry says, checked and turned into a [`Site`] |
//! | `sites` | all sites, ambiguities, choosing one ([`Sites::resolve`]), the per-process cache |
//! | `write` | changing the file: under a lock, on its current text, atomically, 0600 ([`update`]) |
//!
//! Access tokens stay in [`Secret`](crate::secret::Secret) and never appear in a message; proxy
//! passwords are masked wherever a proxy URL is shown; the config file's text is not quoted in
//! errors beyond the YAML parser's reason, from which token values are removed.

mod entry;
mod env;
mod file;
mod proxy;
mod site;
mod sites;
mod timeouts;
mod url;
mod write;
mod yaml;

pub use env::{Environment, NO_PROXY_VARS, PROXY_VARS};
pub use file::MAX_BYTES;
pub use proxy::ShownProxy;
pub use proxy::usable as usable_proxy;
pub use site::Site;
pub use sites::{Sites, SitesCache};
pub use timeouts::{CONNECT_TIMEOUT_VAR, TIMEOUT_VAR, Timeouts};
pub use url::{normalize_site_to_save, normalize_url, sends_token_in_clear, shown_url};
pub use write::{Change, Written, update};

/// The config file, relative to the home directory.
pub const CONFIG_RELATIVE_PATH: &str = ".config/powershell/gitlabcli/config.yml";

/// The default site of the environment when `GITLAB_URL` is not set.
pub const DEFAULT_GITLAB_URL: &str = "https://gitlab.com";

#[cfg(test)]
mod tests;
