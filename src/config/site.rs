//! A site a request can go to, and what its configuration says about how the token travels:
//! the warning when it travels in clear, the proxy to name in `-Verbose`, and the note for a
//! transport failure when `https://` was only assumed.

use super::proxy::ShownProxy;
use super::timeouts::Timeouts;
use super::url::{is_plain_http, sends_token_in_clear};
use crate::protocol::SiteSource;
use crate::secret::Secret;

/// A site a request can go to.
#[derive(Clone, Debug)]
pub struct Site {
    /// Canonical URL: with a scheme, without a trailing slash or `/api/v4`.
    pub url: String,
    /// `None` when the site has no access token, or a blank one.
    pub token: Option<Secret>,
    /// The site's own `ProxyUrl`, as written (it may hold a password: never show it; see
    /// [`Site::proxy`]).
    pub proxy_url: Option<String>,
    /// The site's timeouts, with the environment's applied.
    pub timeouts: Timeouts,
    /// As the source says: `IsDefault` for config sites; always true for the environment's site.
    /// [`Sites::list`](super::Sites::list) reports which site is actually used by default.
    pub is_default: bool,
    pub source: SiteSource,
    /// The proxy its requests go through (the site's `ProxyUrl`, or the environment's proxy
    /// unless `NO_PROXY` lists the host), masked; `None` when they go direct.
    pub proxy: Option<ShownProxy>,
    /// Set when the URL was written without a scheme: one sentence saying that `https://` was
    /// assumed and how to write the URL for a plain-HTTP server. The HTTP client adds it to the
    /// message of a transport failure, where a plain-HTTP server would otherwise be a mystery.
    pub assumed_https: Option<String>,
    /// Where the site is defined, for messages about it.
    pub(super) origin: Origin,
}

/// Where a site is defined.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Origin {
    /// Its position under `Sites` (from 1); 0 for the environment's site.
    pub position: usize,
    /// The line its entry starts on.
    pub line: Option<u64>,
}

impl Site {
    pub(super) fn has_token(&self) -> bool {
        self.token.as_ref().is_some_and(|t| !t.is_empty())
    }

    /// The warning a request to this site gets when the token travels unencrypted beyond this
    /// machine: plain `http://` to a host other than loopback, or through a proxy.
    pub fn in_clear_warning(&self) -> Option<String> {
        if !is_plain_http(&self.url) {
            return None;
        }
        let fix = "Use https:// for the site URL.";
        match &self.proxy {
            Some(proxy) => Some(format!(
                "{} uses plain http://, so the access token (and any new token) travels \
                 unencrypted through the proxy {proxy}{}. {fix}",
                self.url,
                if sends_token_in_clear(&self.url) {
                    " and across the network"
                } else {
                    ""
                }
            )),
            None if sends_token_in_clear(&self.url) => Some(format!(
                "{} uses plain http://, so the access token (and any new token) crosses the \
                 network unencrypted. {fix}",
                self.url
            )),
            None => None,
        }
    }
}
