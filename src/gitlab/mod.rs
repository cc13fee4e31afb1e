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
//! - debug output shows bodies with every `token` field replaced by `REDACTED`, and every text
//!   the server sent is scrubbed ([`crate::redact`]) before it reaches a message or a stream:
//!   every error leaves through `Client::checked`;
//! - an answer that takes long is reported (`wait`): verbose after 2 s, then progress;
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
mod in_use;
pub mod network;
pub mod pages;
pub mod retry;
pub mod throttle;
mod transport;
pub mod users;
pub mod wait;

use crate::config::{ShownProxy, Site, Timeouts};
use crate::error::{Error, ErrorKind, Result};
use crate::protocol::Reporter;
use crate::redact;
use crate::secret::Secret;
pub use network::TRUST_CA_HINT;
pub use retry::RetryPolicy;
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

/// Per-process HTTP state: agents, caches, warnings given and the concurrency limit. Shared by
/// the serve loop's workers, so every method takes `&self`.
pub struct Gitlab {
    agents: Mutex<HashMap<(Option<String>, Timeouts), Agent>>,
    pub(crate) users: users::UserCache,
    retry: RetryPolicy,
    warned: Warned,
    throttle: Arc<Throttle>,
    concurrency: usize,
    in_use: Arc<in_use::InUse>,
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
            in_use: Arc::default(),
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
            assumed_https: site.assumed_https.clone(),
            token: token.clone(),
            retry: self.retry,
            warned: self.warned.clone(),
            throttle: Arc::clone(&self.throttle),
            timeouts: site.timeouts,
            proxy: site.proxy.clone(),
            in_use: Arc::clone(&self.in_use),
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
    /// The site's note that `https://` was assumed, for transport failures.
    assumed_https: Option<String>,
    token: Secret,
    retry: RetryPolicy,
    warned: Warned,
    throttle: Arc<Throttle>,
    timeouts: Timeouts,
    /// The proxy in between (masked) and where it is set, for messages.
    proxy: Option<ShownProxy>,
    in_use: Arc<in_use::InUse>,
}

/// One request as it goes out, sent once per attempt.
struct Outgoing {
    agent: Agent,
    method: Method,
    url: String,
    /// The JSON body, serialized once.
    body: Option<Vec<u8>>,
    token: HeaderValue,
}

impl Outgoing {
    /// Send it once and read the answer.
    fn send(&self) -> Result<Answer, ureq::Error> {
        let response = match self.method {
            Method::Get => self
                .agent
                .get(&self.url)
                .header("PRIVATE-TOKEN", self.token.clone())
                .call(),
            Method::Post => self
                .agent
                .post(&self.url)
                .header("PRIVATE-TOKEN", self.token.clone())
                .header("content-type", "application/json; charset=utf-8")
                .send(self.body.as_deref().unwrap_or(b"null")),
            Method::Delete => self
                .agent
                .delete(&self.url)
                .header("PRIVATE-TOKEN", self.token.clone())
                .call(),
        }?;
        Answer::read(response)
    }
}

/// A raw answer: its status, the headers the client reads, and the body as text.
struct Answer {
    status: u16,
    content_type: Option<String>,
    /// Seconds, from `Retry-After`.
    retry_after: Option<u64>,
    location: Option<String>,
    /// The next page, from `X-Next-Page` or the `Link` header's `rel="next"`.
    next_page: Option<u32>,
    body: String,
}

impl Answer {
    /// Read the head and the body (at most [`network::MAX_ANSWER_BYTES`]).
    fn read(mut response: ureq::http::Response<ureq::Body>) -> Result<Answer, ureq::Error> {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let status = response.status().as_u16();
        let content_type = header("content-type");
        let retry_after =
            header("retry-after").and_then(|v| retry::retry_after_seconds(&v, chrono::Utc::now()));
        let location = header("location");
        let next_page =
            pages::next_page(header("x-next-page").as_deref(), header("link").as_deref());
        let body = response
            .body_mut()
            .with_config()
            .limit(network::MAX_ANSWER_BYTES)
            .read_to_string()?;
        Ok(Answer {
            status,
            content_type,
            retry_after,
            location,
            next_page,
            body,
        })
    }
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
        self.checked(
            self.exchange(Method::Get, &url, None, reporter)
                .and_then(|answer| self.json(Method::Get, &url, answer)),
        )
    }

    /// `POST /api/v4{path}` with a JSON body and parse the JSON answer.
    pub fn post(&self, path: &str, body: &Value, reporter: &mut dyn Reporter) -> Result<Value> {
        let url = self.url(path, &[]);
        self.checked(
            self.exchange(Method::Post, &url, Some(body), reporter)
                .and_then(|answer| self.json(Method::Post, &url, answer)),
        )
    }

    /// `DELETE /api/v4{path}`; any 2xx (GitLab answers 204 No Content) is success.
    pub fn delete(&self, path: &str, reporter: &mut dyn Reporter) -> Result<()> {
        let url = self.url(path, &[]);
        let answer = self.checked(self.exchange(Method::Delete, &url, None, reporter))?;
        if (200..300).contains(&answer.status) {
            return Ok(());
        }
        self.checked(Err(errors::from_response(
            &format!("DELETE {url}"),
            &self.site_url,
            answer.status,
            answer.content_type.as_deref(),
            &answer.body,
        )))
    }

    /// Every error leaves the client through here: server text in it scrubbed
    /// ([`redact::scrub_error`]), and a 401 after this process revoked the token in use blamed
    /// on that.
    fn checked<T>(&self, result: Result<T>) -> Result<T> {
        result.map_err(|err| {
            let mut err = redact::scrub_error(err, &self.token);
            if err.kind == ErrorKind::Unauthorized && self.access_token_revoked_here() {
                err.message = format!("{} {}", in_use::REVOKED_HERE, err.message);
                err.hint = Some(in_use::REVOKED_HERE_HINT.to_string());
            }
            err
        })
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

    /// Where requests go, for transport errors.
    fn route(&self) -> network::Route<'_> {
        network::Route {
            site_url: &self.site_url,
            proxy: self.proxy.as_ref().map(|proxy| proxy.url.as_str()),
            timeouts: self.timeouts,
        }
    }

    /// One request, its answer read, with 429s waited out and redirects refused.
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
                redact::debug_json(body, &self.token)
            ));
        }
        if let Some(warning) = &self.in_clear {
            self.warned.warn_once(warning, reporter);
        }
        if let Some(proxy) = &self.proxy {
            reporter.verbose(format!("{what} goes via the proxy {proxy}"));
        }
        let outgoing = Outgoing {
            agent: self.agent.clone(),
            method,
            url: url.to_string(),
            body: body.map(|b| b.to_string().into_bytes()),
            token: self.token_header()?,
        };
        let mut attempt = 1;
        loop {
            // Held until the answer is read; given back before any 429 wait.
            let permit = self.throttle.acquire();
            let started = Instant::now();
            let read = wait::reporting(&what, self.timeouts.read, reporter, || outgoing.send());
            drop(permit);
            let answer = read.map_err(|e| self.transport_error(&e, method, &what))?;
            log_answer(&what, &answer, started.elapsed(), &self.token, reporter);

            if answer.status == 429 {
                if let Some(wait) = self.retry.wait_for(attempt, answer.retry_after) {
                    self.retry.announce(&self.site_url, wait, attempt, reporter);
                    // Every worker slows down and waits, not just this one.
                    self.throttle.rate_limited(wait);
                    std::thread::sleep(wait);
                    RetryPolicy::resumed(reporter);
                    attempt += 1;
                    continue;
                }
                // Too long to wait out here: fewer requests in flight, no pause.
                self.throttle.rate_limited(Duration::ZERO);
                let err = errors::from_response(
                    &what,
                    &self.site_url,
                    answer.status,
                    answer.content_type.as_deref(),
                    &answer.body,
                );
                return Err(retry::too_long(err, answer.retry_after));
            }
            self.throttle.succeeded();
            if (300..400).contains(&answer.status) {
                return Err(self.redirected(&what, answer.status, answer.location));
            }
            return Ok(answer);
        }
    }

    /// A 3xx: not followed, so the token stays with its site.
    fn redirected(&self, what: &str, status: u16, location: Option<String>) -> Error {
        let to = location.unwrap_or_else(|| "an unnamed location".to_string());
        Error::new(
            ErrorKind::ServerError,
            format!("GitLab at {} redirected {what} to {to}; redirects are not followed so the access token stays with the site it belongs to.", self.site_url),
        )
        .with_status(status)
        .with_hint("Use the URL GitLab redirects to as the site URL (for example https:// instead of http://).")
    }

    /// [`network::error`], plus the site's note when its `https://` was only assumed.
    fn transport_error(&self, err: &ureq::Error, method: Method, what: &str) -> Error {
        let mut error = network::error(err, method, what, &self.route());
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

/// Verbose: method, URL, status and time. Debug: the body, scrubbed.
fn log_answer(
    what: &str,
    answer: &Answer,
    elapsed: Duration,
    token: &Secret,
    reporter: &mut dyn Reporter,
) {
    let reason = ureq::http::StatusCode::from_u16(answer.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    reporter.verbose(format!(
        "{what} -> {} {reason} ({} ms)",
        answer.status,
        elapsed.as_millis()
    ));
    reporter.debug(format!(
        "{what} response {}: {}",
        answer.status,
        redact::debug_body(&answer.body, token)
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_the_product_and_version() {
        assert!(user_agent().starts_with(&format!("GitlabCli/{}", crate::VERSION)));
    }
}
