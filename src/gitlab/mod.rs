//! The HTTP client for GitLab's REST API v4.
//!
//! One [`Gitlab`] lives as long as the serve process and is shared by its workers. It keeps one
//! `ureq` agent per proxy setting, whose pool keeps a keep-alive connection per worker, caches
//! user lookups, and limits the requests in flight ([`throttle`]). A [`Client`] is a site plus
//! its token, borrowed for one command.
//!
//! What the client guarantees:
//! - the access token travels only in the `PRIVATE-TOKEN` header, marked sensitive;
//! - verbose output names method, URL, status and milliseconds, never a header;
//! - debug output shows bodies with every `token` field replaced by `REDACTED`;
//! - HTTP error statuses are answers, not transport errors, so GitLab's JSON error body is read;
//! - redirects are not followed, so the token never reaches another host;
//! - a 429 is waited out and retried when GitLab asks for a short wait, and slows every worker.

pub mod errors;
pub mod throttle;
pub mod users;

use crate::config::Site;
use crate::error::{Error, ErrorKind, Result};
use crate::protocol::Reporter;
use crate::secret::Secret;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use throttle::Throttle;
use ureq::Agent;
use ureq::http::HeaderValue;

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

/// Per-process HTTP state: agents, caches and the concurrency limit. Shared by the serve
/// loop's workers, so every method takes `&self`.
pub struct Gitlab {
    agents: Mutex<HashMap<Option<String>, Agent>>,
    pub(crate) users: users::UserCache,
    retry: RetryPolicy,
    throttle: Arc<Throttle>,
    concurrency: usize,
}

impl Default for Gitlab {
    fn default() -> Self {
        Gitlab::with_concurrency(throttle::DEFAULT_CONCURRENCY)
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
            throttle: Arc::new(Throttle::new(concurrency)),
            concurrency: concurrency.clamp(1, throttle::MAX_CONCURRENCY),
        }
    }

    /// A client for `site`, authenticated with `token`.
    pub fn client(&self, site: &Site, token: &Secret) -> Result<Client> {
        let mut agents = self.agents.lock().unwrap_or_else(|p| p.into_inner());
        let agent = match agents.get(&site.proxy_url) {
            Some(agent) => agent.clone(),
            None => {
                let agent = build_agent(site.proxy_url.as_deref(), self.concurrency)?;
                agents.insert(site.proxy_url.clone(), agent.clone());
                agent
            }
        };
        Ok(Client {
            agent,
            site_url: site.url.clone(),
            token: token.clone(),
            retry: self.retry,
            throttle: Arc::clone(&self.throttle),
        })
    }
}

/// An agent that keeps up to `concurrency` idle connections per host, so every worker finds its
/// keep-alive connection again (ureq's default keeps 3).
fn build_agent(proxy_url: Option<&str>, concurrency: usize) -> Result<Agent> {
    let proxy = match proxy_url {
        Some(url) => Some(ureq::Proxy::new(url).map_err(|e| {
            Error::config(format!(
                "The ProxyUrl '{url}' is not a proxy URL this engine can use."
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
        .timeout_connect(Some(Duration::from_secs(20)))
        .timeout_global(Some(Duration::from_secs(120)))
        .build();
    Ok(config.new_agent())
}

/// HTTP method of an exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A site and its token, ready to send requests.
pub struct Client {
    agent: Agent,
    site_url: String,
    token: Secret,
    retry: RetryPolicy,
    throttle: Arc<Throttle>,
}

/// A raw answer.
struct Answer {
    status: u16,
    content_type: Option<String>,
    body: String,
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
            };
            let mut response =
                sent.map_err(|e| network_error(&e, method, &what, &self.site_url))?;
            let status = response.status();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let content_type = header("content-type");
            let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
            let location = header("location");
            let text = response
                .body_mut()
                .with_config()
                .limit(16 * 1024 * 1024)
                .read_to_string()
                .map_err(|e| network_error(&e, method, &what, &self.site_url))?;
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
            });
        }
    }

    fn json(&self, method: Method, url: &str, answer: Answer) -> Result<Value> {
        let what = format!("{} {}", method.as_str(), url);
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

/// A transport failure: no HTTP answer was read.
fn network_error(err: &ureq::Error, method: Method, what: &str, site_url: &str) -> Error {
    let reason = match err {
        ureq::Error::HostNotFound => "the host name could not be resolved".to_string(),
        ureq::Error::Timeout(t) => format!("it timed out ({t})"),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "the connection was refused".to_string()
        }
        ureq::Error::Io(io) => format!("of an I/O error ({io})"),
        ureq::Error::Tls(t) => format!("of a TLS error ({t})"),
        ureq::Error::InvalidProxyUrl => "the proxy URL is invalid".to_string(),
        ureq::Error::BadUri(_) => {
            return Error::config(format!(
                "The site URL {site_url} cannot be used for {what}."
            ))
            .with_hint("Give the site URL as https://host or https://host/path.")
            .caused_by(err);
        }
        _ => "of a transport error".to_string(),
    };
    let mut error = Error::new(
        ErrorKind::Network,
        format!("{what} failed because {reason}."),
    )
    .caused_by(err);
    error.hint = Some(match method {
        Method::Get => {
            format!("Check that {site_url} is reachable from here (network, VPN, proxy settings).")
        }
        Method::Post => format!(
            "Check that {site_url} is reachable. If the request was cut off after it was sent, the token may \
             have been created: look at the user's access tokens in GitLab before trying again."
        ),
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
}
