//! Sites and their access tokens, from the environment and the config file shared with pwsh-gitlab.
//!
//! STUB: to be implemented (see the contract in the doc comments).

use crate::error::Result;
use crate::protocol::{SiteInfo, SiteSource};
use crate::secret::Secret;
use std::path::PathBuf;

/// The config file, relative to the home directory.
pub const CONFIG_RELATIVE_PATH: &str = ".config/powershell/gitlabcli/config.yml";

/// The default site of the environment when `GITLAB_URL` is not set.
pub const DEFAULT_GITLAB_URL: &str = "https://gitlab.com";

/// What the engine reads from its environment. Tests build one by hand.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// `GITLAB_URL`.
    pub gitlab_url: Option<String>,
    /// `GITLAB_ACCESS_TOKEN`.
    pub gitlab_access_token: Option<Secret>,
    /// The home directory, for the config file.
    pub home: Option<PathBuf>,
}

impl Environment {
    /// Read `GITLAB_URL`, `GITLAB_ACCESS_TOKEN` and the home directory from the process.
    pub fn from_process() -> Self {
        todo!()
    }
}

/// A site a request can go to.
#[derive(Clone, Debug)]
pub struct Site {
    /// Canonical URL: with a scheme, without a trailing slash.
    pub url: String,
    pub token: Option<Secret>,
    pub proxy_url: Option<String>,
    pub is_default: bool,
    pub source: SiteSource,
}

/// Every candidate site, in precedence order (the environment's first).
#[derive(Clone, Debug, Default)]
pub struct Sites {
    pub sites: Vec<Site>,
    /// The config file that was (or would have been) read.
    pub config_path: Option<PathBuf>,
}

impl Sites {
    /// Load the environment's site and the config file's sites. A missing file is no error.
    pub fn load(_env: &Environment) -> Result<Sites> {
        todo!()
    }

    /// The sites, without tokens, for `list-sites`.
    pub fn list(&self) -> Vec<SiteInfo> {
        todo!()
    }

    /// The site a request goes to, with its token.
    pub fn resolve(&self, _site_url: Option<&str>) -> Result<(&Site, &Secret)> {
        todo!()
    }
}
