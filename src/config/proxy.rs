//! Which proxy a site's requests go through, decided as the HTTP client (ureq) decides it, so
//! that messages can name it: a site's `ProxyUrl` always; otherwise the first usable variable of
//! [`PROXY_VARS`](super::env::PROXY_VARS), unless `NO_PROXY` lists the site's host (ureq's own
//! `NO_PROXY` matching is used). Proxy URLs are only ever shown masked.

use super::env::Environment;
use super::url::shown_url;
use std::fmt;

/// The proxy a site's requests go through, as messages show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownProxy {
    /// The proxy URL with any user name and password masked.
    pub url: String,
    /// Where it is set: `ProxyUrl` (the site's entry) or the environment variable's name.
    pub source: String,
}

impl fmt::Display for ShownProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (from {})", self.url, self.source)
    }
}

/// Whether the HTTP client can use `url` as a proxy.
pub fn usable(url: &str) -> bool {
    ureq::Proxy::new(url).is_ok()
}

/// The proxy variable the HTTP client uses: the first one whose value is a usable proxy URL.
fn from_environment(env: &Environment) -> Option<&(String, String)> {
    env.proxy_vars.iter().find(|(_, value)| usable(value))
}

/// Warnings about proxy variables the HTTP client skips (set, not blank, but unusable).
pub(super) fn warnings(env: &Environment) -> Vec<String> {
    env.proxy_vars
        .iter()
        .filter(|(_, value)| !value.trim().is_empty() && !usable(value))
        .map(|(name, value)| {
            format!(
                "{name} is '{}', which is not a proxy URL this engine can use, so it is ignored. \
                 Write it as http://host:port, or unset it.",
                shown_url(value.trim())
            )
        })
        .collect()
}

/// The proxy requests to `site_url` go through; `proxy_url` is the site's own `ProxyUrl`.
pub(super) fn for_site(
    site_url: &str,
    proxy_url: Option<&str>,
    env: &Environment,
) -> Option<ShownProxy> {
    if let Some(url) = proxy_url {
        return Some(ShownProxy {
            url: shown_url(url),
            source: "ProxyUrl".to_string(),
        });
    }
    let (name, value) = from_environment(env)?;
    if bypassed(site_url, env.no_proxy.as_deref()) {
        return None;
    }
    Some(ShownProxy {
        url: shown_url(value.trim()),
        source: name.clone(),
    })
}

/// Whether `NO_PROXY` (as `no_proxy` lists it) sends requests to `site_url` past the proxy.
fn bypassed(site_url: &str, no_proxy: Option<&str>) -> bool {
    let Some(list) = no_proxy else { return false };
    let builder = list.split(',').fold(
        ureq::Proxy::builder(ureq::ProxyProtocol::Http),
        |b, entry| b.no_proxy(entry),
    );
    match (builder.build(), site_url.parse::<ureq::http::Uri>()) {
        (Ok(proxy), Ok(uri)) => proxy.is_no_proxy(&uri),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)], no_proxy: Option<&str>) -> Environment {
        Environment {
            proxy_vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            no_proxy: no_proxy.map(str::to_string),
            ..Environment::default()
        }
    }

    #[test]
    fn the_site_proxy_wins_and_is_masked() {
        let e = env(&[("HTTP_PROXY", "http://env.example:1")], None);
        let p = for_site(
            "https://a.example",
            Some("http://u:p@site.example:3128"),
            &e,
        )
        .unwrap();
        assert_eq!(
            p.to_string(),
            "http://REDACTED@site.example:3128 (from ProxyUrl)"
        );
    }

    #[test]
    fn the_first_usable_variable_is_used_unless_no_proxy_lists_the_host() {
        let e = env(
            &[
                ("ALL_PROXY", "ftp://x"),
                ("HTTP_PROXY", "http://u:p@env.example:1"),
            ],
            None,
        );
        let p = for_site("http://a.example", None, &e).unwrap();
        assert_eq!(
            p.to_string(),
            "http://REDACTED@env.example:1 (from HTTP_PROXY)"
        );
        assert_eq!(warnings(&e).len(), 1);
        assert!(warnings(&e)[0].starts_with("ALL_PROXY is 'ftp://x'"));
        for list in ["a.example", "other.example,a.example", "*", ".example"] {
            let e = env(&[("HTTP_PROXY", "http://env.example:1")], Some(list));
            let host = if list == ".example" {
                "http://sub.a.example"
            } else {
                "http://a.example"
            };
            assert_eq!(for_site(host, None, &e), None, "{list}");
        }
        let e = env(&[("HTTP_PROXY", "http://env.example:1")], Some("b.example"));
        assert!(for_site("http://a.example", None, &e).is_some());
        assert_eq!(for_site("http://a.example", None, &env(&[], None)), None);
        // Blank means unset, without a warning.
        assert!(warnings(&env(&[("HTTP_PROXY", " ")], None)).is_empty());
    }
}
