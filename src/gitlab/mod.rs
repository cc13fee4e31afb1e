//! The HTTP client for GitLab's REST API v4.
//!
//! One [`Gitlab`] lives as long as the serve process and is shared by its workers. It keeps one
//! `ureq` agent per proxy and timeout setting, whose pool keeps a keep-alive connection per
//! worker, caches user lookups, and limits the requests in flight ([`throttle`]). A [`Client`] is
//! a site plus its token, borrowed for one command.
//!
//! What the client guarantees:
//! - the access token travels only in the `PRIVATE-TOKEN` header, marked sensitive;
//! - verbose output names method, URL, status and milliseconds, never a header;
//! - debug output shows bodies with every `token` field replaced by `REDACTED`;
//! - HTTP error statuses are answers, not transport errors, so GitLab's JSON error body is read;
//! - redirects are not followed, so the token never reaches another host;
//! - a 429 is waited out and retried when GitLab asks for a short wait, and slows every worker;
//! - a POST (it creates something) is never retried after it may have been sent: a timeout or
//!   dropped connection after sending, a 5xx or an unreadable success answer is an
//!   `outcome-unknown` error, while failures before sending (DNS, refused, TLS) are `network`;
//! - server certificates are checked against the platform's trust store (on Linux the system
//!   bundle, or the PEM file named by `SSL_CERT_FILE`);
//! - a token sent over plain `http://` to a host other than loopback, or through a proxy, gets a
//!   warning ([`Site::in_clear_warning`]); `-Verbose` names the proxy a request goes through;
//! - a transport failure on a site whose `https://` was only assumed says so.

pub mod errors;
pub mod pages;
pub mod throttle;
mod transport;
pub mod users;

use crate::config::{Site, Timeouts};
use crate::error::{Error, ErrorKind, Result};
use crate::protocol::Reporter;
use crate::secret::Secret;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use throttle::Throttle;
use ureq::Agent;
use ureq::http::HeaderValue;
use ureq::tls::{RootCerts, TlsConfig};

/// The User-Agent every request carries.
pub fn user_agent() -> String {
    format!(
        "GitlabCli/{} (gitlabcli engine; PowerShell module GitlabCli)",
        crate::VERSION
    )
}

/// When to wait out a 429 instead of failing.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The longest `Retry-After` the engine waits out by itself.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            max_wait: Duration::from_secs(60),
        }
    }
}

/// Per-process HTTP state: agents, caches, warnings given and the concurrency limit. Shared by
/// the serve loop's workers, so every method takes `&self`.
pub struct Gitlab {
    agents: Mutex<HashMap<(Option<String>, Timeouts), Agent>>,
    pub(crate) users: users::UserCache,
    retry: RetryPolicy,
    warned: Warned,
    throttle: Arc<Throttle>,
    concurrency: usize,
}

impl Default for Gitlab {
    fn default() -> Self {
        Gitlab::with_concurrency(throttle::DEFAULT_CONCURRENCY)
    }
}

/// Warnings already given by this process, so a pipeline of many records warns once.
#[derive(Clone, Default)]
pub struct Warned(Arc<Mutex<HashSet<String>>>);

impl Warned {
    /// Send `message` as a warning unless this process already sent it.
    pub fn warn_once(&self, message: &str, reporter: &mut dyn Reporter) {
        let first = match self.0.lock() {
            Ok(mut seen) => seen.insert(message.to_string()),
            Err(_) => true,
        };
        if first {
            reporter.warning(message.to_string());
        }
    }
}

impl Gitlab {
    pub fn new() -> Self {
        Gitlab::default()
    }

    /// A client state allowing at most `concurrency` requests in flight at once.
    pub fn with_concurrency(concurrency: usize) -> Self {
        Gitlab {
            agents: Mutex::default(),
            users: users::UserCache::default(),
            retry: RetryPolicy::default(),
            warned: Warned::default(),
            throttle: Arc::new(Throttle::new(concurrency)),
            concurrency: concurrency.clamp(1, throttle::MAX_CONCURRENCY),
        }
    }

    /// Send `message` as a warning unless this process already sent it.
    pub fn warn_once(&self, message: &str, reporter: &mut dyn Reporter) {
        self.warned.warn_once(message, reporter);
    }

    /// A client for `site`, authenticated with `token`.
    pub fn client(&self, site: &Site, token: &Secret) -> Result<Client> {
        let key = (site.proxy_url.clone(), site.timeouts);
        let mut agents = self.agents.lock().unwrap_or_else(|p| p.into_inner());
        let agent = match agents.get(&key) {
            Some(agent) => agent.clone(),
            None => {
                let agent =
                    build_agent(site.proxy_url.as_deref(), site.timeouts, self.concurrency)?;
                agents.insert(key, agent.clone());
                agent
            }
        };
        Ok(Client {
            agent,
            site_url: site.url.clone(),
            in_clear: site.in_clear_warning(),
            route: site.route(),
            assumed_https: site.assumed_https.clone(),
            token: token.clone(),
            retry: self.retry,
            warned: self.warned.clone(),
            throttle: Arc::clone(&self.throttle),
        })
    }
}

/// An agent with the site's timeouts that keeps up to `concurrency` idle connections per host,
/// so every worker finds its keep-alive connection again (ureq's default keeps 3).
fn build_agent(proxy_url: Option<&str>, timeouts: Timeouts, concurrency: usize) -> Result<Agent> {
    let proxy = match proxy_url {
        Some(url) => Some(ureq::Proxy::new(url).map_err(|e| {
            Error::config(format!(
                "The ProxyUrl '{}' is not a proxy URL this engine can use.",
                crate::config::shown_url(url)
            ))
            .with_hint(
                "Use the form http://host:port (or socks5://host:port) in the site's ProxyUrl.",
            )
            .caused_by(&e)
        })?),
        // Without a site proxy, honour HTTP(S)_PROXY / ALL_PROXY / NO_PROXY like other tools.
        None => ureq::Proxy::try_from_env(),
    };
    let config = Agent::config_builder()
        .http_status_as_error(false)
        .user_agent(user_agent())
        .proxy(proxy)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .max_idle_connections_per_host(concurrency)
        .max_idle_connections(concurrency.max(10))
        // The platform's trust store: on Linux the system bundle, or SSL_CERT_FILE/SSL_CERT_DIR
        // for a corporate CA (ureq's default would be Mozilla's list only).
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::PlatformVerifier)
                .build(),
        )
        .timeout_resolve(Some(timeouts.connect))
        .timeout_connect(Some(timeouts.connect))
        .timeout_send_request(Some(timeouts.read))
        .timeout_send_body(Some(timeouts.read))
        .timeout_recv_response(Some(timeouts.read))
        .timeout_recv_body(Some(timeouts.read))
        .build();
    Ok(transport::agent(config))
}

/// HTTP method of an exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// A site and its token, ready to send requests.
pub struct Client {
    agent: Agent,
    site_url: String,
    /// The site's in-clear warning, if its token travels unencrypted.
    in_clear: Option<String>,
    /// "via the proxy …" when requests go through one.
    route: Option<String>,
    /// The site's note that `https://` was assumed, for transport failures.
    assumed_https: Option<String>,
    token: Secret,
    retry: RetryPolicy,
    warned: Warned,
    throttle: Arc<Throttle>,
}

/// A raw answer.
struct Answer {
    status: u16,
    content_type: Option<String>,
    body: String,
    /// The next page, from `X-Next-Page` or the `Link` header's `rel="next"`.
    next_page: Option<u32>,
}

impl Client {
    /// The site this client talks to.
    pub fn site_url(&self) -> &str {
        &self.site_url
    }

    /// `GET /api/v4{path}?{query}` and parse the JSON answer.
    pub fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
        reporter: &mut dyn Reporter,
    ) -> Result<Value> {
        let url = self.url(path, query);
        let answer = self.exchange(Method::Get, &url, None, reporter)?;
        self.json(Method::Get, &url, answer)
    }

    /// `POST /api/v4{path}` with a JSON body and parse the JSON answer.
    pub fn post(&self, path: &str, body: &Value, reporter: &mut dyn Reporter) -> Result<Value> {
        let url = self.url(path, &[]);
        let answer = self.exchange(Method::Post, &url, Some(body), reporter)?;
        self.json(Method::Post, &url, answer)
    }

    /// `DELETE /api/v4{path}`; any 2xx (GitLab answers 204 No Content) is success.
    pub fn delete(&self, path: &str, reporter: &mut dyn Reporter) -> Result<()> {
        let url = self.url(path, &[]);
        let answer = self.exchange(Method::Delete, &url, None, reporter)?;
        if (200..300).contains(&answer.status) {
            return Ok(());
        }
        Err(errors::from_response(
            &format!("DELETE {url}"),
            &self.site_url,
            answer.status,
            answer.content_type.as_deref(),
            &answer.body,
        ))
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}/api/v4{}", self.site_url, path);
        if !query.is_empty() {
            let encoded = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(query)
                .finish();
            url.push('?');
            url.push_str(&encoded);
        }
        url
    }

    fn token_header(&self) -> Result<HeaderValue> {
        let mut value = HeaderValue::from_str(self.token.expose().trim()).map_err(|_| {
            Error::config(format!("The access token for {} contains characters that cannot be sent in an HTTP header.", self.site_url))
                .with_hint("Copy the token again without line breaks or spaces.")
        })?;
        value.set_sensitive(true);
        Ok(value)
    }

    fn exchange(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        reporter: &mut dyn Reporter,
    ) -> Result<Answer> {
        let what = format!("{} {}", method.as_str(), url);
        if let Some(body) = body {
            reporter.debug(format!(
                "{what} request body: {}",
                redact(body, &self.token)
            ));
        }
        if let Some(warning) = &self.in_clear {
            self.warned.warn_once(warning, reporter);
        }
        if let Some(route) = &self.route {
            reporter.verbose(format!("{what} goes {route}"));
        }
        let mut attempt = 1;
        loop {
            // Held until the answer is read; given back before any 429 wait.
            let permit = self.throttle.acquire();
            let started = Instant::now();
            let sent = match method {
                Method::Get => self
                    .agent
                    .get(url)
                    .header("PRIVATE-TOKEN", self.token_header()?)
                    .call(),
                Method::Post => self
                    .agent
                    .post(url)
                    .header("PRIVATE-TOKEN", self.token_header()?)
                    .send_json(body.unwrap_or(&Value::Null)),
                Method::Delete => self
                    .agent
                    .delete(url)
                    .header("PRIVATE-TOKEN", self.token_header()?)
                    .call(),
            };
            let mut response = sent.map_err(|e| self.transport_error(&e, method, &what))?;
            let status = response.status();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let content_type = header("content-type");
            let retry_after =
                header("retry-after").and_then(|v| retry_after_seconds(&v, chrono::Utc::now()));
            let location = header("location");
            let next_page =
                pages::next_page(header("x-next-page").as_deref(), header("link").as_deref());
            let text = response
                .body_mut()
                .with_config()
                .limit(16 * 1024 * 1024)
                .read_to_string()
                .map_err(|e| self.transport_error(&e, method, &what))?;
            drop(permit);
            let elapsed = started.elapsed().as_millis();
            reporter.verbose(format!(
                "{what} -> {} {} ({elapsed} ms)",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            ));
            reporter.debug(format!(
                "{what} response {}: {}",
                status.as_u16(),
                redact_text(&text, &self.token)
            ));

            let status = status.as_u16();
            if status == 429 {
                match retry_after {
                    Some(wait)
                        if attempt < self.retry.max_attempts
                            && Duration::from_secs(wait) <= self.retry.max_wait =>
                    {
                        reporter.warning(format!(
                            "GitLab at {} is rate limiting (HTTP 429); waiting {wait} s as it asked, then retrying (attempt {} of {}).",
                            self.site_url,
                            attempt + 1,
                            self.retry.max_attempts
                        ));
                        reporter.progress(
                            "Waiting for GitLab's rate limit",
                            format!("Retrying in {wait} s"),
                            false,
                        );
                        // Every worker slows down and waits, not just this one.
                        self.throttle.rate_limited(Duration::from_secs(wait));
                        std::thread::sleep(Duration::from_secs(wait));
                        reporter.progress(
                            "Waiting for GitLab's rate limit",
                            "Retrying".to_string(),
                            true,
                        );
                        attempt += 1;
                        continue;
                    }
                    _ => {
                        // Too long to wait out here: fewer requests in flight, no pause.
                        self.throttle.rate_limited(Duration::ZERO);
                        let mut err = errors::from_response(
                            &what,
                            &self.site_url,
                            status,
                            content_type.as_deref(),
                            &text,
                        );
                        err.hint = Some(match retry_after {
                            Some(wait) => format!(
                                "GitLab asked to wait {wait} s before the next request; try again then."
                            ),
                            None => {
                                "Wait a while before the next request; GitLab gave no Retry-After."
                                    .to_string()
                            }
                        });
                        err.retry_after = retry_after;
                        return Err(err);
                    }
                }
            }
            self.throttle.succeeded();
            if (300..400).contains(&status) {
                let to = location.unwrap_or_else(|| "an unnamed location".to_string());
                return Err(Error::new(
                    ErrorKind::ServerError,
                    format!("GitLab at {} redirected {what} to {to}; redirects are not followed so the access token stays with the site it belongs to.", self.site_url),
                )
                .with_status(status)
                .with_hint("Use the URL GitLab redirects to as the site URL (for example https:// instead of http://)."));
            }
            return Ok(Answer {
                status,
                content_type,
                body: text,
                next_page,
            });
        }
    }

    /// [`network_error`], plus the site's note when its `https://` was only assumed.
    fn transport_error(&self, err: &ureq::Error, method: Method, what: &str) -> Error {
        let mut error = network_error(err, method, what, &self.site_url);
        if let Some(note) = &self.assumed_https {
            error.message = format!("{} {note}", error.message);
        }
        error
    }

    fn json(&self, method: Method, url: &str, answer: Answer) -> Result<Value> {
        let what = format!("{} {}", method.as_str(), url);
        if method == Method::Post && answer.status >= 500 {
            let err = errors::from_response(
                &what,
                &self.site_url,
                answer.status,
                answer.content_type.as_deref(),
                &answer.body,
            );
            let mut unknown = Error::new(
                ErrorKind::OutcomeUnknown,
                format!(
                    "GitLab at {} failed with HTTP {} on {what}; the request reached GitLab, so it \
                     may have taken effect.",
                    self.site_url, answer.status
                ),
            )
            .with_status(answer.status);
            unknown.gitlab_message = err.gitlab_message.clone();
            return Err(unknown);
        }
        if !(200..300).contains(&answer.status) {
            return Err(errors::from_response(
                &what,
                &self.site_url,
                answer.status,
                answer.content_type.as_deref(),
                &answer.body,
            ));
        }
        serde_json::from_str(&answer.body).map_err(|e| {
            if method == Method::Post {
                return Error::new(
                    ErrorKind::OutcomeUnknown,
                    format!(
                        "GitLab at {} answered {what} with HTTP {} but the body is not JSON, so \
                         the request may have taken effect without its result reaching here.",
                        self.site_url, answer.status
                    ),
                )
                .with_status(answer.status)
                .caused_by(&e);
            }
            Error::new(
                ErrorKind::ServerError,
                format!(
                    "GitLab at {} answered {what} with HTTP {} but the body is not JSON.",
                    self.site_url, answer.status
                ),
            )
            .with_status(answer.status)
            .with_hint(
                "Check that the site URL points at GitLab itself, not at a proxy or login page.",
            )
            .caused_by(&e)
        })
    }
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

/// How to make the engine trust a certificate authority.
pub const TRUST_CA_HINT: &str = "If the site's certificate comes from a private or corporate \
    certificate authority, trust that CA: add it to the system trust store (on Debian/Ubuntu copy \
    it to /usr/local/share/ca-certificates/ and run update-ca-certificates; on Windows and macOS \
    import it into the system certificate store), or on Linux set SSL_CERT_FILE to a PEM file \
    that contains it. Do not turn verification off.";

/// A transport failure: no HTTP answer was read.
fn network_error(outer: &ureq::Error, method: Method, what: &str, site_url: &str) -> Error {
    let (err, marked) = transport::unmark(outer);
    let tls = match err {
        ureq::Error::Io(io) => tls_failure(io).map(ToString::to_string),
        ureq::Error::Rustls(e) => Some(e.to_string()),
        ureq::Error::Tls(t) => Some(t.to_string()),
        _ => None,
    };
    let reason = match err {
        _ if tls.is_some() => format!(
            "the TLS connection could not be set up ({})",
            tls.as_deref().unwrap_or_default()
        ),
        ureq::Error::HostNotFound => "the host name could not be resolved".to_string(),
        ureq::Error::Io(io) if marked && io.to_string().contains("lookup address") => {
            format!("the host name could not be resolved ({io})")
        }
        ureq::Error::Timeout(t) => format!("it timed out ({t})"),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "the connection was refused".to_string()
        }
        ureq::Error::Io(io) => format!("of an I/O error ({io})"),
        ureq::Error::InvalidProxyUrl => "the proxy URL is invalid".to_string(),
        ureq::Error::ConnectProxyFailed(why) => format!("the proxy refused the tunnel ({why})"),
        ureq::Error::BadUri(_) => {
            return Error::config(format!(
                "The site URL {site_url} cannot be used for {what}."
            ))
            .with_hint("Give the site URL as https://host or https://host/path.")
            .caused_by(err);
        }
        _ => "of a transport error".to_string(),
    };
    if method == Method::Post && !failed_before_sending(err, marked) {
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
    } else if method == Method::Delete && !failed_before_sending(err, marked) {
        format!(
            "Check that {site_url} is reachable. The request may have been cut off after it was \
             sent, so the token may already be revoked: list the tokens \
             (Get-GitlabPersonalAccessToken) before trying again; revoking it twice is harmless."
        )
    } else if slow {
        format!(
            "Check that {site_url} is reachable from here. If it is just slow, raise the timeouts \
             with {} / {} or the site's ConnectTimeoutSeconds / TimeoutSeconds in the config file.",
            crate::config::CONNECT_TIMEOUT_VAR,
            crate::config::TIMEOUT_VAR
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

/// A JSON body for debug output: every `token` field replaced, and the access token masked anywhere.
pub fn redact(value: &Value, access_token: &Secret) -> String {
    let mut copy = value.clone();
    redact_in_place(&mut copy);
    mask(&copy.to_string(), access_token)
}

fn redact_in_place(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if key == "token" && item.is_string() {
                    *item = Value::String("REDACTED".into());
                } else {
                    redact_in_place(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_in_place),
        _ => {}
    }
}

/// A response body for debug output: JSON is redacted field-wise; other text is cut short.
pub fn redact_text(text: &str, access_token: &Secret) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(json) => redact(&json, access_token),
        Err(_) => {
            let short: String = text.chars().take(500).collect();
            mask(&short, access_token)
        }
    }
}

fn mask(text: &str, access_token: &Secret) -> String {
    let secret = access_token.expose().trim();
    if secret.len() >= 4 {
        text.replace(secret, "REDACTED")
    } else {
        text.to_string()
    }
}

/// Seconds to wait from a `Retry-After` value: whole seconds, or an HTTP date (then the time
/// from `now` until it, rounded up, and 0 for a date already past). `None` when unreadable.
fn retry_after_seconds(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let millis = (at.with_timezone(&chrono::Utc) - now)
        .num_milliseconds()
        .max(0);
    Some((millis as u64).div_ceil(1000))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn debug_bodies_never_show_tokens() {
        let access = Secret::new("glpat-access-123");
        let body = json!({"id": 1, "token": "glpat-new-456", "nested": [{"token": "glpat-x"}], "note": "glpat-access-123"});
        let shown = redact(&body, &access);
        assert!(!shown.contains("glpat-new-456"));
        assert!(!shown.contains("glpat-x\""));
        assert!(!shown.contains("glpat-access-123"));
        assert!(shown.contains("\"token\":\"REDACTED\""));
    }

    #[test]
    fn plain_text_bodies_are_masked_too() {
        let access = Secret::new("sekrit-token");
        assert_eq!(
            redact_text("bad token sekrit-token", &access),
            "bad token REDACTED"
        );
    }

    #[test]
    fn user_agent_names_the_product_and_version() {
        assert!(user_agent().starts_with(&format!("GitlabCli/{}", crate::VERSION)));
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(retry_after_seconds("30", now), Some(30));
        assert_eq!(retry_after_seconds(" 0 ", now), Some(0));
        assert_eq!(
            retry_after_seconds("Sat, 28 Nov 2026 10:00:42 GMT", now),
            Some(42)
        );
        // A date already past: no wait.
        assert_eq!(
            retry_after_seconds("Sat, 28 Nov 2026 09:59:00 GMT", now),
            Some(0)
        );
        assert_eq!(retry_after_seconds("soon", now), None);
        assert_eq!(retry_after_seconds("-5", now), None);
    }
}
