//! Site URLs: normalising what was written, masking what is quoted, and the two facts about a
//! URL the rest of the engine asks (does it send the token in clear; which sites does a typed URL
//! select).
//!
//! Normal form: scheme and host in lower case, default port dropped, no trailing slash, a path
//! (GitLab under `/gitlab`) and a port kept. Without a scheme, `https://` is assumed (and
//! remembered, so that a failure can say so). A trailing `/api/v4` is dropped (the engine adds
//! it to every request itself), and remembered so the caller can warn.
//!
//! Matching a typed URL against configured sites (see [`Scheme`]): with `https://` only https
//! sites, with `http://` only http sites, without a scheme either, https first. So an explicit
//! `https://` never selects a plain-HTTP site.

use crate::error::{Error, Result};

/// The parameter name of a site URL the caller passes.
const SITE_URL: &str = "site_url";

/// A URL in normal form, and what normalising it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct SiteUrl {
    /// The normal form.
    pub url: String,
    /// The scheme as written, or `None` when none was (and `https://` was assumed).
    pub scheme: Option<Scheme>,
    /// A trailing `/api/v4` was dropped.
    pub dropped_api: bool,
}

/// A site URL's scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scheme {
    Http,
    Https,
}

impl SiteUrl {
    /// Whether `written` (a typed URL) selects the configured site at `configured` (normal form):
    /// the same host, port and path, and the scheme typed (when one was).
    pub fn selects(&self, configured: &str) -> bool {
        match_key(&self.url) == match_key(configured)
            && match self.scheme {
                None => true,
                Some(Scheme::Https) => configured.starts_with("https://"),
                Some(Scheme::Http) => configured.starts_with("http://"),
            }
    }
}

/// The normalised URL, or why there is none (a phrase for messages).
pub(super) fn parse(input: &str) -> std::result::Result<SiteUrl, String> {
    let given = input.trim();
    if given.is_empty() {
        return Err("it is empty".to_string());
    }
    let (with_scheme, written_scheme) = if given.contains("://") {
        (given.to_string(), true)
    } else {
        (format!("https://{given}"), false)
    };
    let mut url =
        url::Url::parse(&with_scheme).map_err(|e| format!("it is not a valid URL ({e})"))?;
    let scheme = match url.scheme() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        other => return Err(format!("only http and https are supported, not {other}")),
    };
    if url.host_str().is_none_or(str::is_empty) {
        return Err("it has no host name".to_string());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("it must not contain a user name or password".to_string());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("it must not have a query (?…) or fragment (#…)".to_string());
    }
    let path = url.path().trim_end_matches('/').to_string();
    let dropped_api = path.to_ascii_lowercase().ends_with("/api/v4");
    if dropped_api {
        url.set_path(&path[..path.len() - "/api/v4".len()]);
    }
    Ok(SiteUrl {
        url: url.as_str().trim_end_matches('/').to_string(),
        scheme: written_scheme.then_some(scheme),
        dropped_api,
    })
}

/// Normalise a site URL the caller passed (see the module's rules).
///
/// Errors are invalid-argument on `site_url`, naming the value (user name, password, query and
/// fragment are masked). The config file's and `GITLAB_URL`'s URLs go through the same rules but
/// fail as config errors naming their source.
pub fn normalize_url(input: &str) -> Result<String> {
    typed(input).map(|u| u.url)
}

/// [`normalize_url`], keeping what normalising did.
pub(super) fn typed(input: &str) -> Result<SiteUrl> {
    let given = input.trim();
    if given.is_empty() {
        return Err(Error::invalid(SITE_URL, "site_url is empty.").with_hint(
            "Give the site's address, such as https://gitlab.example.com, or leave -SiteUrl out \
             to use the default site.",
        ));
    }
    parse(given).map_err(|why| {
        Error::invalid(
            SITE_URL,
            format!("Site URL '{}' is not usable: {why}.", shown_url(given)),
        )
        .with_hint("Give the site's address, such as https://gitlab.example.com.")
    })
}

/// A site's URL given to be written into the config file (`add-site`'s `url`), in normal form.
///
/// Errors: invalid-argument on `parameter`, naming the value (masked) and why.
pub fn normalize_site_to_save(input: &str, parameter: &str) -> Result<String> {
    parse(input).map(|u| u.url).map_err(|why| {
        Error::invalid(
            parameter,
            format!(
                "Site URL '{}' is not usable: {why}.",
                shown_url(input.trim())
            ),
        )
        .with_hint(format!(
            "Give the site's address to {parameter}, such as https://gitlab.example.com."
        ))
    })
}

/// What identifies a site among normalised URLs apart from its scheme.
fn match_key(normalized: &str) -> &str {
    normalized
        .split_once("://")
        .map_or(normalized, |(_, rest)| rest)
}

/// A URL as quoted in messages: user name and password, query and fragment masked; at most 200
/// characters. Used for site URLs and proxy URLs alike.
pub fn shown_url(input: &str) -> String {
    let mut text = input.to_string();
    if let Some(cut) = text.find(['?', '#']) {
        text.truncate(cut);
        text.push('…');
    }
    let start = text.find("://").map_or(0, |i| i + 3);
    let end = text[start..].find('/').map_or(text.len(), |i| start + i);
    if let Some(at) = text[start..end].rfind('@') {
        text.replace_range(start..start + at, "REDACTED");
    }
    crate::text::truncate(&text, 200)
}

/// True when `site_url` is `http://` to a host other than loopback: the token would cross the
/// network in clear text even without a proxy.
pub fn sends_token_in_clear(site_url: &str) -> bool {
    is_plain_http(site_url) && !is_loopback(site_url)
}

/// True when `url` is `http://`.
pub(super) fn is_plain_http(url: &str) -> bool {
    url.trim_start().to_ascii_lowercase().starts_with("http://")
}

/// True when `url`'s host is loopback (`localhost`, `*.localhost`, `127.0.0.0/8`, `::1`).
fn is_loopback(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn normalize_url_rules() {
        for (input, expected) in [
            ("gitlab.example.com", "https://gitlab.example.com"),
            ("  gitlab.example.com/ ", "https://gitlab.example.com"),
            ("HTTPS://GitLab.Example.COM", "https://gitlab.example.com"),
            ("http://gitlab.example.com//", "http://gitlab.example.com"),
            ("gitlab.example.com:8443", "https://gitlab.example.com:8443"),
            (
                "https://gitlab.example.com:443/",
                "https://gitlab.example.com",
            ),
            (
                "gitlab.example.com/GitLab/",
                "https://gitlab.example.com/GitLab",
            ),
            ("localhost:3000", "https://localhost:3000"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:8080/", "http://[::1]:8080"),
            (
                "https://gitlab.example.com/api/v4",
                "https://gitlab.example.com",
            ),
            (
                "gitlab.example.com/gitlab/api/v4/",
                "https://gitlab.example.com/gitlab",
            ),
            (
                "https://gitlab.example.com/API/V4//",
                "https://gitlab.example.com",
            ),
        ] {
            assert_eq!(normalize_url(input).unwrap(), expected, "{input}");
        }
        for input in [
            "",
            "ftp://gitlab.example.com",
            "file:///etc/passwd",
            "https://",
            "https:// space.example",
            "https://gitlab.example.com/#top",
            "https://tok@gitlab.example.com",
        ] {
            let err = normalize_url(input).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidArgument, "{input}");
            assert_eq!(err.parameter.as_deref(), Some("site_url"));
            assert!(err.hint.is_some());
        }
        assert_eq!(
            normalize_url("ftp://gitlab.example.com")
                .unwrap_err()
                .message,
            "Site URL 'ftp://gitlab.example.com' is not usable: only http and https are \
             supported, not ftp."
        );
        assert!(
            !normalize_url("https://tok@gitlab.example.com")
                .unwrap_err()
                .message
                .contains("tok@")
        );
    }

    #[test]
    fn what_normalising_did_is_kept() {
        let bare = parse("127.0.0.1:8080").unwrap();
        assert_eq!(bare.scheme, None);
        assert_eq!(bare.url, "https://127.0.0.1:8080");
        assert_eq!(
            parse("http://a.example").unwrap().scheme,
            Some(Scheme::Http)
        );
        assert_eq!(
            parse("HTTPS://a.example").unwrap().scheme,
            Some(Scheme::Https)
        );
        assert!(parse("https://a.example/api/v4/").unwrap().dropped_api);
        assert!(!parse("https://a.example/api/v4x").unwrap().dropped_api);
        assert!(!parse("https://a.example/api").unwrap().dropped_api);
    }

    #[test]
    fn a_typed_scheme_selects_only_that_scheme() {
        let typed = |t: &str| parse(t).unwrap();
        assert!(typed("https://a.example").selects("https://a.example"));
        assert!(!typed("https://a.example").selects("http://a.example"));
        assert!(typed("http://a.example").selects("http://a.example"));
        assert!(!typed("http://a.example").selects("https://a.example"));
        assert!(typed("a.example").selects("http://a.example"));
        assert!(typed("a.example").selects("https://a.example"));
        assert!(!typed("a.example:8443").selects("https://a.example"));
        assert!(!typed("a.example/gitlab").selects("https://a.example"));
    }

    #[test]
    fn masking_hides_user_and_password_query_and_fragment() {
        assert_eq!(
            shown_url("http://user:pass@proxy.example:3128"),
            "http://REDACTED@proxy.example:3128"
        );
        assert_eq!(shown_url("user:pass@proxy:1/x"), "REDACTED@proxy:1/x");
        assert_eq!(
            shown_url("https://a.example/?private_token=x"),
            "https://a.example/…"
        );
        assert_eq!(shown_url(&"x".repeat(300)).chars().count(), 201);
    }

    #[test]
    fn clear_text_means_http_to_a_host_other_than_loopback() {
        for url in [
            "http://gitlab.example.com",
            "http://10.0.0.5:8080/gitlab",
            "http://[2001:db8::1]",
            "http://localhost.example.com",
        ] {
            assert!(sends_token_in_clear(url), "{url}");
        }
        for url in [
            "https://gitlab.example.com",
            "http://localhost:3000",
            "http://LOCALHOST.",
            "http://app.localhost",
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://[::1]:80",
        ] {
            assert!(!sends_token_in_clear(url), "{url}");
        }
    }
}
