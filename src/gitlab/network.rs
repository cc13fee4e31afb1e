//! Transport failures (no HTTP answer was read), turned into [`Error`]s that say what failed,
//! where (the site, or the proxy in between), whether anything may have reached GitLab, and which
//! setting to change.

use super::{Method, transport};
use crate::config::{CONNECT_TIMEOUT_VAR, TIMEOUT_VAR, Timeouts};
use crate::error::{Error, ErrorKind};

/// The most of an answer the engine reads, in bytes.
pub const MAX_ANSWER_BYTES: u64 = 16 * 1024 * 1024;

/// How to make the engine trust a certificate authority.
pub const TRUST_CA_HINT: &str = "If the site's certificate comes from a private or corporate \
    certificate authority, trust that CA: add it to the system trust store (on Debian/Ubuntu copy \
    it to /usr/local/share/ca-certificates/ and run update-ca-certificates; on Windows and macOS \
    import it into the system certificate store), or on Linux set SSL_CERT_FILE to a PEM file \
    that contains it. Do not turn verification off.";

/// Where a request went: the site, the proxy it went through (its URL masked), the timeouts.
#[derive(Clone, Copy, Debug)]
pub struct Route<'a> {
    pub site_url: &'a str,
    pub proxy: Option<&'a str>,
    pub timeouts: Timeouts,
}

/// Whether a transport failure happened before the request could have reached the server:
/// in name resolution or connection setup (marked by [`transport`]), or in the TLS handshake,
/// which rustls may finish lazily on the first write but which sends no HTTP before it succeeds.
fn failed_before_sending(err: &ureq::Error, marked: bool) -> bool {
    marked
        || match err {
            ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed
            | ureq::Error::InvalidProxyUrl
            | ureq::Error::ConnectProxyFailed(_)
            | ureq::Error::BadUri(_)
            | ureq::Error::Tls(_)
            | ureq::Error::Rustls(_)
            | ureq::Error::Pem(_)
            | ureq::Error::TlsRequired
            | ureq::Error::RequireHttpsOnly(_) => true,
            ureq::Error::Timeout(t) => {
                matches!(t, ureq::Timeout::Resolve | ureq::Timeout::Connect)
            }
            ureq::Error::Io(io) => tls_failure(io).is_some(),
            _ => false,
        }
}

/// The TLS error inside an I/O error (rustls reports handshake failures through the socket).
fn tls_failure(io: &std::io::Error) -> Option<&rustls::Error> {
    io.get_ref()?.downcast_ref::<rustls::Error>()
}

fn seconds(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

/// Why a transport failed, in words; `None` for a site URL that cannot be requested at all.
fn reason(err: &ureq::Error, marked: bool, tls: Option<&str>, route: &Route<'_>) -> Option<String> {
    Some(match err {
        _ if tls.is_some() => format!(
            "the TLS connection could not be set up ({})",
            tls.unwrap_or_default()
        ),
        ureq::Error::HostNotFound => match route.proxy {
            Some(proxy) => {
                format!("the host name could not be resolved (through the proxy {proxy})")
            }
            None => "the host name could not be resolved".to_string(),
        },
        ureq::Error::Io(io) if marked && io.to_string().contains("lookup address") => {
            format!("the host name could not be resolved ({io})")
        }
        ureq::Error::Timeout(t @ (ureq::Timeout::Resolve | ureq::Timeout::Connect)) => format!(
            "it timed out connecting ({t}) after {}; {CONNECT_TIMEOUT_VAR} or the site's \
             ConnectTimeoutSeconds sets this limit",
            seconds(route.timeouts.connect)
        ),
        ureq::Error::Timeout(t) => format!(
            "it timed out: no answer came within {} ({t}); {TIMEOUT_VAR} or the site's TimeoutSeconds sets \
             this limit",
            seconds(route.timeouts.read)
        ),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            match route.proxy {
                Some(proxy) if marked => format!("the proxy {proxy} refused the connection"),
                _ => "the connection was refused".to_string(),
            }
        }
        ureq::Error::ConnectionFailed => match route.proxy {
            Some(proxy) => format!("the proxy {proxy} could not be reached"),
            None => "the connection could not be made".to_string(),
        },
        ureq::Error::Io(io) => format!("of an I/O error ({io})"),
        ureq::Error::InvalidProxyUrl => "the proxy URL is invalid".to_string(),
        ureq::Error::ConnectProxyFailed(why) => match route.proxy {
            Some(proxy) => format!("the proxy {proxy} refused the tunnel ({why})"),
            None => format!("the proxy refused the tunnel ({why})"),
        },
        ureq::Error::BodyExceedsLimit(_) => format!(
            "the answer was too large: more than the {} MiB this engine reads",
            MAX_ANSWER_BYTES / (1024 * 1024)
        ),
        ureq::Error::BadUri(_) => return None,
        other => format!("of a transport error ({other})"),
    })
}

/// A transport failure: no HTTP answer was read.
pub fn error(outer: &ureq::Error, method: Method, what: &str, route: &Route<'_>) -> Error {
    let site_url = route.site_url;
    let (err, marked) = transport::unmark(outer);
    let tls = match err {
        ureq::Error::Io(io) => tls_failure(io).map(ToString::to_string),
        ureq::Error::Rustls(e) => Some(e.to_string()),
        ureq::Error::Tls(t) => Some(t.to_string()),
        _ => None,
    };
    let Some(reason) = reason(err, marked, tls.as_deref(), route) else {
        return Error::config(format!(
            "The site URL {site_url} cannot be used for {what}."
        ))
        .with_hint("Give the site URL as https://host or https://host/path.")
        .caused_by(err);
    };
    let before_sending = failed_before_sending(err, marked);
    if method == Method::Post && !before_sending {
        return Error::new(
            ErrorKind::OutcomeUnknown,
            format!(
                "{what} failed after the request may have reached GitLab, because {reason}; it \
                 may have taken effect."
            ),
        )
        .caused_by(err);
    }
    let mut error = Error::new(
        ErrorKind::Network,
        format!("{what} failed because {reason}."),
    )
    .caused_by(err);
    let slow = matches!(err, ureq::Error::Timeout(_));
    error.hint = Some(if tls.is_some() {
        TRUST_CA_HINT.to_string()
    } else if method == Method::Delete && !before_sending {
        format!(
            "Check that {site_url} is reachable. The request may have been cut off after it was \
             sent, so the token may already be revoked: list the tokens \
             (Get-GitlabPersonalAccessToken) before trying again; revoking it twice is harmless."
        )
    } else if slow {
        format!(
            "Check that {site_url} is reachable from here. If it is just slow, raise the timeouts \
             with {CONNECT_TIMEOUT_VAR} / {TIMEOUT_VAR} or the site's ConnectTimeoutSeconds / \
             TimeoutSeconds in the config file."
        )
    } else if matches!(err, ureq::Error::BodyExceedsLimit(_)) {
        "Ask for less at a time (a smaller page), or check that the site URL points at GitLab \
         itself and not at a page that sends a file."
            .to_string()
    } else if let (Some(proxy), true) = (route.proxy, before_sending) {
        format!(
            "Check that the proxy {proxy} is running and reachable (the site's ProxyUrl, or \
             HTTPS_PROXY / HTTP_PROXY / ALL_PROXY); nothing reached GitLab, so trying again is safe."
        )
    } else if method != Method::Get {
        format!(
            "Nothing reached GitLab, so it is safe to try again once {site_url} is reachable \
             (network, VPN, proxy settings)."
        )
    } else {
        format!("Check that {site_url} is reachable from here (network, VPN, proxy settings).")
    });
    error
}
