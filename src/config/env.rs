//! What the engine reads from its environment: the site variables, the timeout variables, the
//! proxy variables and the home directory. Nothing here interprets them.

use crate::secret::Secret;
use std::path::PathBuf;

/// The environment variables that name a proxy, in the order ureq (which the HTTP client uses)
/// tries them: the first one that holds a usable proxy URL is used for every site without a
/// `ProxyUrl`.
pub const PROXY_VARS: [&str; 6] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
];

/// The environment variables that list hosts reached without a proxy; the first one set is used.
pub const NO_PROXY_VARS: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// What the engine reads from its environment. Tests build one by hand.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// `GITLAB_URL`.
    pub gitlab_url: Option<String>,
    /// `GITLAB_ACCESS_TOKEN`.
    pub gitlab_access_token: Option<Secret>,
    /// The home directory, for the config file.
    pub home: Option<PathBuf>,
    /// `GITLABCLI_CONNECT_TIMEOUT_SECONDS`, as written.
    pub connect_timeout: Option<String>,
    /// `GITLABCLI_TIMEOUT_SECONDS`, as written.
    pub timeout: Option<String>,
    /// Every variable of [`PROXY_VARS`] that is set, in that order, as written.
    pub proxy_vars: Vec<(String, String)>,
    /// The first variable of [`NO_PROXY_VARS`] that is set, as written.
    pub no_proxy: Option<String>,
}

impl Environment {
    /// Read `GITLAB_URL`, `GITLAB_ACCESS_TOKEN`, the timeout and proxy variables and the home
    /// directory from the process.
    ///
    /// A site or timeout variable that is set but blank counts as not set. A value that is not
    /// valid Unicode is kept lossily, so that a garbled `GITLAB_URL` fails to normalise instead
    /// of silently sending the token to gitlab.com. Proxy variables are kept as the HTTP client
    /// reads them (set means set, even when blank).
    pub fn from_process() -> Self {
        fn var(name: &str) -> Option<String> {
            raw(name).filter(|v| !v.trim().is_empty())
        }
        fn raw(name: &str) -> Option<String> {
            std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
        }
        Environment {
            gitlab_url: var("GITLAB_URL"),
            gitlab_access_token: var("GITLAB_ACCESS_TOKEN").map(Secret::new),
            home: dirs::home_dir(),
            connect_timeout: var(super::CONNECT_TIMEOUT_VAR),
            timeout: var(super::TIMEOUT_VAR),
            proxy_vars: PROXY_VARS
                .iter()
                .filter_map(|name| raw(name).map(|v| (name.to_string(), v)))
                .collect(),
            no_proxy: NO_PROXY_VARS.iter().find_map(|name| raw(name)),
        }
    }
}
