//! Sites and their access tokens, from the environment and the config file shared with pwsh-gitlab.
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
//! Keys are matched ignoring case, `_` and `-` (`Url`, `url`, `access_token` all work); unknown
//! keys are ignored. A missing file defines no sites. A single mapping under `Sites` counts as a
//! one-site list, as the old module sometimes wrote it.
//!
//! URLs are normalised by [`normalize_url`]. Two URLs name the same site when they agree after
//! normalisation except for the scheme: host (case-insensitively), port and path all count.
//!
//! Timeouts: `ConnectTimeoutSeconds` and `TimeoutSeconds` per site in the file, or
//! `GITLABCLI_CONNECT_TIMEOUT_SECONDS` and `GITLABCLI_TIMEOUT_SECONDS` in the environment (which
//! win over the file, for every site). See [`Timeouts`].
//!
//! A config file that users other than its owner may read gets a warning (it holds tokens).
//! Errors about a site's values name the file, the site's position and the line.
//!
//! Access tokens stay in [`Secret`] and never appear in a message; the config file's own text is
//! not quoted in errors beyond the YAML parser's description, from which token values are removed.

use crate::error::{Error, Result};
use crate::protocol::{SiteInfo, SiteSource};
use crate::secret::Secret;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The config file, relative to the home directory.
pub const CONFIG_RELATIVE_PATH: &str = ".config/powershell/gitlabcli/config.yml";

/// The default site of the environment when `GITLAB_URL` is not set.
pub const DEFAULT_GITLAB_URL: &str = "https://gitlab.com";

/// The parameter name of a site URL the caller passes.
const SITE_URL: &str = "site_url";

/// The environment variable for the connect timeout, in seconds.
pub const CONNECT_TIMEOUT_VAR: &str = "GITLABCLI_CONNECT_TIMEOUT_SECONDS";
/// The environment variable for the read timeout, in seconds.
pub const TIMEOUT_VAR: &str = "GITLABCLI_TIMEOUT_SECONDS";

/// How long the engine waits on the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timeouts {
    /// Resolving the host name, connecting, and the TLS handshake (and a proxy's CONNECT).
    pub connect: Duration,
    /// Each of: sending the request, waiting for the answer's head, reading its body.
    pub read: Duration,
}

impl Timeouts {
    /// 15 seconds to connect.
    pub const DEFAULT_CONNECT: Duration = Duration::from_secs(15);
    /// 60 seconds for each read or write phase.
    pub const DEFAULT_READ: Duration = Duration::from_secs(60);
    /// The longest timeout accepted.
    const MAX_SECONDS: f64 = 3600.0;
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Timeouts::DEFAULT_CONNECT,
            read: Timeouts::DEFAULT_READ,
        }
    }
}

/// Seconds as written (`30`, `2.5`) to a duration; `None` when not a number from 0.1 to 3600.
fn parse_seconds(text: &str) -> Option<Duration> {
    let seconds: f64 = text.trim().parse().ok()?;
    (seconds.is_finite() && (0.1..=Timeouts::MAX_SECONDS).contains(&seconds))
        .then(|| Duration::from_secs_f64(seconds))
}

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
}

impl Environment {
    /// The timeouts the environment sets, each `None` when its variable is not set.
    ///
    /// Errors (config): a variable that is not a number of seconds from 0.1 to 3600.
    fn timeouts(&self) -> Result<(Option<Duration>, Option<Duration>)> {
        let read = |name: &str, value: &Option<String>| -> Result<Option<Duration>> {
            let Some(text) = value else { return Ok(None) };
            parse_seconds(text).map(Some).ok_or_else(|| {
                let shown: String = text.chars().take(40).collect();
                Error::config(format!(
                    "{name} is '{shown}', which is not a number of seconds from 0.1 to 3600."
                ))
                .with_hint(format!(
                    "Set {name} to a number of seconds such as 30, or unset it."
                ))
            })
        };
        Ok((
            read(CONNECT_TIMEOUT_VAR, &self.connect_timeout)?,
            read(TIMEOUT_VAR, &self.timeout)?,
        ))
    }
}

impl Environment {
    /// Read `GITLAB_URL`, `GITLAB_ACCESS_TOKEN` and the home directory from the process.
    ///
    /// A variable that is set but blank counts as not set. A value that is not valid Unicode is
    /// kept lossily, so that a garbled `GITLAB_URL` fails to normalise instead of silently
    /// sending the token to gitlab.com.
    pub fn from_process() -> Self {
        fn var(name: &str) -> Option<String> {
            std::env::var_os(name)
                .map(|v| v.to_string_lossy().into_owned())
                .filter(|v| !v.trim().is_empty())
        }
        Environment {
            gitlab_url: var("GITLAB_URL"),
            gitlab_access_token: var("GITLAB_ACCESS_TOKEN").map(Secret::new),
            home: dirs::home_dir(),
            connect_timeout: var(CONNECT_TIMEOUT_VAR),
            timeout: var(TIMEOUT_VAR),
        }
    }
}

/// A site a request can go to.
#[derive(Clone, Debug)]
pub struct Site {
    /// Canonical URL: with a scheme, without a trailing slash.
    pub url: String,
    /// `None` when the site has no access token, or a blank one.
    pub token: Option<Secret>,
    pub proxy_url: Option<String>,
    /// The site's timeouts, with the environment's applied.
    pub timeouts: Timeouts,
    /// As the source says: `IsDefault` for config sites; always true for the environment's site.
    /// [`Sites::list`] reports which site is actually used by default.
    pub is_default: bool,
    pub source: SiteSource,
}

impl Site {
    fn has_token(&self) -> bool {
        self.token.as_ref().is_some_and(|t| !t.is_empty())
    }
}

/// Every candidate site, in precedence order (the environment's first).
#[derive(Clone, Debug, Default)]
pub struct Sites {
    pub sites: Vec<Site>,
    /// The config file that was (or would have been) read.
    pub config_path: Option<PathBuf>,
    /// Things the user should know but that do not stop a request (a config file others can
    /// read). The caller sends them as warnings.
    pub warnings: Vec<String>,
}

impl Sites {
    /// Load the environment's site and the config file's sites. A missing file is no error.
    ///
    /// Errors (config): `GITLAB_URL` is not a usable URL; the file cannot be read, is not YAML,
    /// or has a site without a usable `Url`, or with values of the wrong type.
    pub fn load(env: &Environment) -> Result<Sites> {
        let (env_connect, env_read) = env.timeouts()?;
        let mut sites = Vec::new();
        if let Some(token) = env.gitlab_access_token.as_ref().filter(|t| !t.is_empty()) {
            let given = env
                .gitlab_url
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .unwrap_or(DEFAULT_GITLAB_URL);
            let url = normalize(given).map_err(|why| {
                Error::config(format!(
                    "GITLAB_URL '{}' is not a usable site URL: {why}.",
                    shown_url(given)
                ))
                .with_hint(format!(
                    "Set GITLAB_URL to the site's address, such as https://gitlab.example.com, \
                     or unset it to use {DEFAULT_GITLAB_URL}."
                ))
            })?;
            sites.push(Site {
                url,
                token: Some(token.clone()),
                proxy_url: None,
                timeouts: Timeouts::default(),
                is_default: true,
                source: SiteSource::Environment,
            });
        }
        let config_path = env
            .home
            .as_ref()
            .map(|home| home.join(CONFIG_RELATIVE_PATH));
        let mut warnings = Vec::new();
        if let Some(path) = &config_path {
            sites.extend(read_config_file(path, &mut warnings)?);
        }
        for site in &mut sites {
            if let Some(connect) = env_connect {
                site.timeouts.connect = connect;
            }
            if let Some(read) = env_read {
                site.timeouts.read = read;
            }
        }
        Ok(Sites {
            sites,
            config_path,
            warnings,
        })
    }

    /// The sites, without tokens, for `list-sites`.
    ///
    /// `is_default` is true for exactly the site [`Sites::resolve`] picks when no site URL is
    /// given (the environment's site, else the config file's first `IsDefault` site), and false
    /// for every other one; all false when there is no such site.
    pub fn list(&self) -> Vec<SiteInfo> {
        let default = self.default_index();
        self.sites
            .iter()
            .enumerate()
            .map(|(i, site)| SiteInfo {
                url: site.url.clone(),
                is_default: default == Some(i),
                source: site.source,
                has_token: site.has_token(),
            })
            .collect()
    }

    /// The site a request goes to, with its token.
    ///
    /// With a site URL: the first site (environment, then config file) that names the same site;
    /// never a fallback. Without: the environment's site, else the config file's first
    /// `IsDefault` site.
    ///
    /// Errors: invalid-argument on `site_url` when the given URL is blank or unusable; config
    /// when no site matches, there is no default, there are no sites, or the site has no token.
    pub fn resolve(&self, site_url: Option<&str>) -> Result<(&Site, &Secret)> {
        let site = match site_url {
            Some(given) => {
                let wanted = normalize_url(given)?;
                let key = match_key(&wanted);
                self.sites
                    .iter()
                    .find(|site| match_key(&site.url) == key)
                    .ok_or_else(|| self.unknown_site(given))?
            }
            None => match self.default_index() {
                Some(i) => &self.sites[i],
                None => return Err(self.no_default()),
            },
        };
        match site.token.as_ref().filter(|t| !t.is_empty()) {
            Some(token) => Ok((site, token)),
            None => {
                let path = self.config_path_text();
                let fix = format!(
                    "Add AccessToken to its entry in {path}, or set GITLAB_ACCESS_TOKEN{}.",
                    if site.url == DEFAULT_GITLAB_URL {
                        String::new()
                    } else {
                        format!(" (with GITLAB_URL={})", site.url)
                    }
                );
                Err(Error::config(format!(
                    "Site {} has no access token. Add AccessToken to its entry in {path}, or set \
                     GITLAB_ACCESS_TOKEN.",
                    site.url
                ))
                .with_hint(fix))
            }
        }
    }

    /// The index of the site used when no site URL is given.
    fn default_index(&self) -> Option<usize> {
        self.sites
            .iter()
            .position(|s| s.source == SiteSource::Environment)
            .or_else(|| {
                self.sites
                    .iter()
                    .position(|s| s.source == SiteSource::ConfigFile && s.is_default)
            })
    }

    /// The config file's path for messages; the conventional one when there is no home directory.
    fn config_path_text(&self) -> String {
        match &self.config_path {
            Some(path) => path.display().to_string(),
            None => format!("~/{CONFIG_RELATIVE_PATH}"),
        }
    }

    /// `https://a (default), https://b`, or `none`.
    fn site_list_text(&self) -> String {
        if self.sites.is_empty() {
            return "none".to_string();
        }
        let default = self.default_index();
        self.sites
            .iter()
            .enumerate()
            .map(|(i, site)| {
                let mut labels = Vec::new();
                if site.source == SiteSource::Environment {
                    labels.push("from the environment");
                }
                if default == Some(i) {
                    labels.push("default");
                }
                if labels.is_empty() {
                    site.url.clone()
                } else {
                    format!("{} ({})", site.url, labels.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn unknown_site(&self, given: &str) -> Error {
        let path = self.config_path_text();
        Error::config(format!(
            "No site '{}' is configured. Configured sites: {}. Add it to {path} or set GITLAB_URL \
             and GITLAB_ACCESS_TOKEN.",
            shown_url(given.trim()),
            self.site_list_text()
        ))
        .with_hint(format!(
            "Add a site with Url and AccessToken to {path}, or set GITLAB_URL and \
             GITLAB_ACCESS_TOKEN."
        ))
    }

    fn no_default(&self) -> Error {
        let path = self.config_path_text();
        if self.sites.is_empty() {
            let fix = format!(
                "Set GITLAB_ACCESS_TOKEN (and GITLAB_URL for a self-managed instance), or add a \
                 site with Url and AccessToken to {path}."
            );
            return Error::config(format!("No GitLab site is configured. {fix}")).with_hint(fix);
        }
        let fix =
            format!("Pass a site URL (-SiteUrl), or mark one site IsDefault: true in {path}.");
        Error::config(format!(
            "No site URL was given and no default site is configured. Configured sites: {}. {fix}",
            self.site_list_text()
        ))
        .with_hint(fix)
    }
}

/// Normalise a site URL the caller passed: trimmed, `https://` when there is no scheme, scheme
/// and host in lower case, no trailing slash; a path (GitLab under `/gitlab`) and a port are kept.
///
/// Errors are invalid-argument on `site_url`, naming the value (user name, password, query and
/// fragment are masked). The config file's and `GITLAB_URL`'s URLs go through the same rules but
/// fail as config errors naming their source.
pub fn normalize_url(input: &str) -> Result<String> {
    let given = input.trim();
    if given.is_empty() {
        return Err(Error::invalid(SITE_URL, "site_url is empty.").with_hint(
            "Give the site's address, such as https://gitlab.example.com, or leave -SiteUrl out \
             to use the default site.",
        ));
    }
    normalize(given).map_err(|why| {
        Error::invalid(
            SITE_URL,
            format!("Site URL '{}' is not usable: {why}.", shown_url(given)),
        )
        .with_hint("Give the site's address, such as https://gitlab.example.com.")
    })
}

/// The normalised URL, or why there is none (a phrase for messages).
fn normalize(input: &str) -> std::result::Result<String, String> {
    let given = input.trim();
    if given.is_empty() {
        return Err("it is empty".to_string());
    }
    let with_scheme = if given.contains("://") {
        given.to_string()
    } else {
        format!("https://{given}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|e| format!("it is not a valid URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "only http and https are supported, not {}",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("it has no host name".to_string());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("it must not contain a user name or password".to_string());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("it must not have a query (?…) or fragment (#…)".to_string());
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// What identifies a site among normalised URLs: everything but the scheme.
fn match_key(normalized: &str) -> &str {
    normalized
        .split_once("://")
        .map_or(normalized, |(_, rest)| rest)
}

/// A URL as quoted in messages: user name and password, query and fragment masked; at most 200
/// characters.
fn shown_url(input: &str) -> String {
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
    if text.chars().count() > 200 {
        text = text.chars().take(200).collect::<String>() + "…";
    }
    text
}

/// A warning when the file at `path` can be read by users other than its owner.
#[cfg(unix)]
fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o044 != 0).then(|| {
        format!(
            "The config file {} holds access tokens but other users can read it (mode {mode:03o}). \
             Run: chmod 600 '{}'",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn permission_warning(_path: &Path) -> Option<String> {
    None
}

/// The sites the config file at `path` defines; none when it does not exist.
fn read_config_file(path: &Path, warnings: &mut Vec<String>) -> Result<Vec<Site>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(
                Error::config(format!("Cannot read the config file {}.", path.display()))
                    .caused_by(&e)
                    .with_hint("Fix its permissions and make sure it is UTF-8 text, or remove it."),
            );
        }
    };
    warnings.extend(permission_warning(path));
    parse_config(&text, path)
}

/// The sites in a config file's text; `path` is for messages.
fn parse_config(text: &str, path: &Path) -> Result<Vec<Site>> {
    let file = path.display();
    let root: Value = serde_saphyr::from_str(text).map_err(|e| {
        let cause = redact_tokens(&e.without_snippet().to_string(), text);
        let at = e
            .location()
            .filter(|l| l.line() > 0)
            .map(|l| format!(" (line {}, column {})", l.line(), l.column()))
            .unwrap_or_default();
        Error::config(format!("The config file {file} is not valid YAML{at}."))
            .caused_by_text(cause)
            .with_hint(format!(
                "Fix the YAML in {file} (a Sites list of entries with Url and AccessToken), or \
                 remove the file."
            ))
    })?;
    let layout = || {
        Error::config(format!(
            "The config file {file} does not have the expected layout: a Sites list of entries \
             with Url and AccessToken."
        ))
        .with_hint(format!(
            "Fix {file} so that it reads like `Sites:` then `- Url: https://gitlab.example.com` \
             and `AccessToken: …`, or remove it."
        ))
    };
    let entries = match root {
        Value::Null => return Ok(Vec::new()),
        Value::Object(map) => match get(&map, "sites") {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(list)) => list.clone(),
            Some(one @ Value::Object(_)) => vec![one.clone()],
            Some(_) => return Err(layout()),
        },
        _ => return Err(layout()),
    };
    let lines = lines::site_lines(text);
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let none = lines::SiteLines::default();
            parse_site(entry, i + 1, path, lines.get(i).unwrap_or(&none))
        })
        .collect()
}

/// One entry of `Sites`, the `position`th (from 1); `lines` says where its parts are.
fn parse_site(
    entry: &Value,
    position: usize,
    path: &Path,
    lines: &lines::SiteLines,
) -> Result<Site> {
    let file = path.display();
    let at = format!("Site {position} in {file}");
    let err_at = |at: &str, key: Option<&str>, problem: String, fix: &str| {
        let line = key
            .and_then(|k| lines.key_line(k))
            .or(lines.entry)
            .map(|n| format!(" (line {n})"))
            .unwrap_or_default();
        Error::config(format!("{at}{line} {problem}.")).with_hint(format!("{fix} in {file}."))
    };
    let err = |problem: String, fix: &str| err_at(&at, None, problem, fix);
    let err_key = |key: &str, problem: String, fix: &str| err_at(&at, Some(key), problem, fix);
    let Value::Object(map) = entry else {
        return Err(err(
            "is not a mapping with Url and AccessToken".to_string(),
            "Make each site an entry with Url and AccessToken, or remove it,",
        ));
    };
    let url_text = match get(map, "url") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            return Err(err_key(
                "url",
                "has a Url that is not text".to_string(),
                "Give its Url as text, such as https://gitlab.example.com,",
            ));
        }
    };
    let Some(url_text) = url_text else {
        return Err(err(
            "has no Url".to_string(),
            "Add `Url: https://gitlab.example.com` to that entry, or remove the entry,",
        ));
    };
    let url = normalize(url_text).map_err(|why| {
        err_key(
            "url",
            format!(
                "has Url '{}', which is not usable: {why}",
                shown_url(url_text.trim())
            ),
            "Fix its Url (such as https://gitlab.example.com), or remove the entry,",
        )
    })?;
    let at = format!("Site {position} ({url}) in {file}");
    let err_key = |key: &str, problem: String, fix: &str| err_at(&at, Some(key), problem, fix);
    let token = match get(map, "accesstoken") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Secret::new(s.trim())).filter(|t| !t.is_empty()),
        Some(_) => {
            // Never quote it: it may be a token YAML read as a number.
            return Err(err_key(
                "accesstoken",
                "has an AccessToken that is not text".to_string(),
                "Quote its AccessToken value",
            ));
        }
    };
    let proxy_url = match get(map, "proxyurl") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_string()).filter(|p| !p.is_empty()),
        Some(_) => {
            return Err(err_key(
                "proxyurl",
                "has a ProxyUrl that is not text".to_string(),
                "Give its ProxyUrl as text, such as http://proxy.example.com:3128,",
            ));
        }
    };
    let is_default = match get(map, "isdefault") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => true,
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => false,
        Some(other) => {
            let value = match other {
                Value::String(s) => format!("'{}'", shown_url(s)),
                Value::Number(n) => n.to_string(),
                _ => "a list or mapping".to_string(),
            };
            return Err(err_key(
                "isdefault",
                format!("has IsDefault {value}; it must be true or false"),
                "Set its IsDefault to true or false",
            ));
        }
    };
    let mut timeouts = Timeouts::default();
    for (key, name, slot) in [
        (
            "connecttimeoutseconds",
            "ConnectTimeoutSeconds",
            &mut timeouts.connect,
        ),
        ("timeoutseconds", "TimeoutSeconds", &mut timeouts.read),
    ] {
        let seconds = match get(map, key) {
            None | Some(Value::Null) => continue,
            Some(Value::Number(n)) => parse_seconds(&n.to_string()),
            Some(Value::String(s)) => parse_seconds(s),
            Some(_) => None,
        };
        match seconds {
            Some(duration) => *slot = duration,
            None => {
                return Err(err_key(
                    key,
                    format!("has a {name} that is not a number of seconds from 0.1 to 3600"),
                    &format!("Set its {name} to a number of seconds such as 30, or remove it,"),
                ));
            }
        }
    }
    Ok(Site {
        url,
        token,
        proxy_url,
        timeouts,
        is_default,
        source: SiteSource::ConfigFile,
    })
}

/// The value of `key` (lower case, without `_` or `-`), matching keys case-insensitively and
/// ignoring `_` and `-`. The first match wins.
fn get<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.iter()
        .find(|(k, _)| {
            k.chars()
                .filter(|c| !matches!(c, '_' | '-'))
                .map(|c| c.to_ascii_lowercase())
                .eq(key.chars())
        })
        .map(|(_, v)| v)
}

/// `message` with anything that may be a token from `yaml` replaced by REDACTED.
///
/// The YAML parser's messages may quote the text around an error (a duplicate key, say), and a
/// config file that failed to parse has no structure to find its tokens by. So two textual rules:
/// every value written after an access-token key, and every token-like word (16 or more of
/// `A-Z a-z 0-9 _ -`, not only letters) that also occurs in the file.
fn redact_tokens(message: &str, yaml: &str) -> String {
    let lower = yaml.to_ascii_lowercase();
    let mut values: Vec<&str> = Vec::new();
    for key in ["accesstoken", "access_token", "access-token"] {
        for (start, _) in lower.match_indices(key) {
            let rest = &yaml[start + key.len()..];
            let rest = rest.trim_start_matches(['"', '\'']).trim_start();
            let Some(rest) = rest.strip_prefix(':') else {
                continue;
            };
            let rest = rest.trim_start().trim_start_matches(['"', '\'']);
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '}' | '#'))
                .unwrap_or(rest.len());
            let value = &rest[..end];
            if value.len() >= 4 {
                values.push(value);
            }
        }
    }
    let is_word_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-');
    values.extend(
        message
            .split(|c: char| !is_word_char(c))
            .filter(|w| w.len() >= 16 && !w.chars().all(|c| c.is_ascii_alphabetic()))
            .filter(|w| yaml.contains(*w)),
    );
    // Longest first, so that a token containing another is replaced whole.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    let mut out = message.to_string();
    for value in values {
        out = out.replace(value, "REDACTED");
    }
    out
}

/// Where the parts of each site are in the config file's text, for messages.
mod lines {
    use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_saphyr::Spanned;
    use std::fmt;

    /// The line of a site's entry and of each of its keys (lower case, without `_` or `-`).
    #[derive(Default)]
    pub struct SiteLines {
        pub entry: Option<u64>,
        keys: Vec<(String, u64)>,
    }

    impl SiteLines {
        pub fn key_line(&self, key: &str) -> Option<u64> {
            self.keys.iter().find(|(k, _)| k == key).map(|(_, n)| *n)
        }
    }

    /// A YAML node with the locations of its children.
    enum Node {
        Map(Vec<(String, Spanned<Node>)>),
        Seq(Vec<Spanned<Node>>),
        Other,
    }

    impl<'de> Deserialize<'de> for Node {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
            deserializer.deserialize_any(NodeVisitor)
        }
    }

    struct NodeVisitor;

    impl<'de> Visitor<'de> for NodeVisitor {
        type Value = Node;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("any YAML node")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
            let mut entries = Vec::new();
            while let Some(key) = map.next_key::<KeyText>()? {
                entries.push((key.0, map.next_value::<Spanned<Node>>()?));
            }
            Ok(Node::Map(entries))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element::<Spanned<Node>>()? {
                items.push(item);
            }
            Ok(Node::Seq(items))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Node, E> {
            Ok(Node::Other)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Node, E> {
            Ok(Node::Other)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Node, E> {
            Ok(Node::Other)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Node, E> {
            Ok(Node::Other)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Node, E> {
            Ok(Node::Other)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
            Ok(Node::Other)
        }
        fn visit_none<E: de::Error>(self) -> Result<Node, E> {
            Ok(Node::Other)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
            Node::deserialize(d)
        }
    }

    /// A key as text; keys that are not scalars become empty.
    struct KeyText(String);

    impl<'de> Deserialize<'de> for KeyText {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<KeyText, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = KeyText;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a mapping key")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText, E> {
                    Ok(KeyText(v.to_string()))
                }
                fn visit_bool<E: de::Error>(self, v: bool) -> Result<KeyText, E> {
                    Ok(KeyText(v.to_string()))
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyText, E> {
                    Ok(KeyText(v.to_string()))
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyText, E> {
                    Ok(KeyText(v.to_string()))
                }
                fn visit_f64<E: de::Error>(self, v: f64) -> Result<KeyText, E> {
                    Ok(KeyText(v.to_string()))
                }
                fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
                    Ok(KeyText(String::new()))
                }
                fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<KeyText, A::Error> {
                    NodeVisitor.visit_map(map).map(|_| KeyText(String::new()))
                }
                fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<KeyText, A::Error> {
                    NodeVisitor.visit_seq(seq).map(|_| KeyText(String::new()))
                }
            }
            deserializer.deserialize_any(V)
        }
    }

    fn normalise(key: &str) -> String {
        key.chars()
            .filter(|c| !matches!(c, '_' | '-'))
            .map(|c| c.to_ascii_lowercase())
            .collect()
    }

    /// The lines of each site under `Sites`, in order; empty when the text cannot be read so.
    pub fn site_lines(text: &str) -> Vec<SiteLines> {
        let Ok(Node::Map(root)) = serde_saphyr::from_str::<Node>(text) else {
            return Vec::new();
        };
        let Some((_, sites)) = root.iter().find(|(k, _)| normalise(k) == "sites") else {
            return Vec::new();
        };
        let one = |entry: &Spanned<Node>| {
            let keys = match &entry.value {
                Node::Map(map) => map
                    .iter()
                    .map(|(k, v)| (normalise(k), v.referenced.line()))
                    .collect(),
                _ => Vec::new(),
            };
            // A mapping's own span points at its first key, which is the entry's line.
            SiteLines {
                entry: Some(entry.referenced.line()).filter(|&n| n > 0),
                keys,
            }
        };
        match &sites.value {
            Node::Seq(items) => items.iter().map(one).collect(),
            Node::Map(_) => vec![one(sites)],
            Node::Other => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use std::fs;
    use tempfile::TempDir;

    const ENV_TOKEN: &str = "glpat-ENVTOKEN0000000000";
    const TOKEN_A: &str = "glpat-AAAAAAAAAAAAAAAAAAAA";
    const TOKEN_B: &str = "glpat-BBBBBBBBBBBBBBBBBBBB";

    /// A home directory, with a config file when `yaml` is given.
    fn make_home(yaml: Option<&str>) -> TempDir {
        let dir = tempfile::tempdir().unwrap();
        if let Some(yaml) = yaml {
            let path = dir.path().join(CONFIG_RELATIVE_PATH);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, yaml).unwrap();
        }
        dir
    }

    fn env(home: &TempDir, url: Option<&str>, token: Option<&str>) -> Environment {
        Environment {
            gitlab_url: url.map(str::to_string),
            gitlab_access_token: token.map(Secret::new),
            home: Some(home.path().to_path_buf()),
            ..Environment::default()
        }
    }

    fn config_path(home: &TempDir) -> String {
        home.path().join(CONFIG_RELATIVE_PATH).display().to_string()
    }

    fn two_sites() -> String {
        format!(
            "Sites:\n\
             - Url: https://gitlab.example.com\n  AccessToken: {TOKEN_A}\n  IsDefault: 'false'\n\
             - Url: gitlab.other.org/\n  AccessToken: {TOKEN_B}\n  \
               ProxyUrl: http://proxy.example.com:3128\n  IsDefault: true\n"
        )
    }

    /// Every text an error shows, for secrecy checks.
    fn all_text(err: &Error) -> String {
        format!("{err} {err:?} {}", serde_json::to_string(err).unwrap())
    }

    fn assert_no_tokens(text: &str) {
        for token in [ENV_TOKEN, TOKEN_A, TOKEN_B, "glpat-"] {
            assert!(!text.contains(token), "token leaked in: {text}");
        }
    }

    fn config_err(result: Result<impl std::fmt::Debug>) -> Error {
        let err = result.expect_err("a config error");
        assert_eq!(err.kind, ErrorKind::Config, "{err:?}");
        assert!(err.hint.is_some(), "{err:?}");
        assert_no_tokens(&all_text(&err));
        err
    }

    #[test]
    fn environment_only() {
        let home = make_home(None);
        let sites = Sites::load(&env(&home, None, Some(ENV_TOKEN))).unwrap();
        let (site, token) = sites.resolve(None).unwrap();
        assert_eq!(site.url, "https://gitlab.com");
        assert_eq!(site.source, SiteSource::Environment);
        assert_eq!(token.expose(), ENV_TOKEN);
        assert_eq!(
            sites.config_path,
            Some(home.path().join(CONFIG_RELATIVE_PATH))
        );

        let sites = Sites::load(&env(
            &home,
            Some(" GitLab.Example.com/gitlab/ "),
            Some(ENV_TOKEN),
        ))
        .unwrap();
        let (site, _) = sites
            .resolve(Some("https://gitlab.example.com/gitlab"))
            .unwrap();
        assert_eq!(site.url, "https://gitlab.example.com/gitlab");
        assert_eq!(
            sites.list(),
            vec![SiteInfo {
                url: "https://gitlab.example.com/gitlab".into(),
                is_default: true,
                source: SiteSource::Environment,
                has_token: true,
            }]
        );
    }

    #[test]
    fn blank_environment_token_is_not_set() {
        let home = make_home(None);
        for token in ["", "   "] {
            let sites =
                Sites::load(&env(&home, Some("https://gitlab.example.com"), Some(token))).unwrap();
            assert!(sites.sites.is_empty());
        }
        // GITLAB_URL alone defines nothing, and a blank GITLAB_URL means gitlab.com.
        let sites = Sites::load(&env(&home, Some("https://x.example"), None)).unwrap();
        assert!(sites.sites.is_empty());
        let sites = Sites::load(&env(&home, Some("  "), Some(ENV_TOKEN))).unwrap();
        assert_eq!(sites.sites[0].url, "https://gitlab.com");
    }

    #[test]
    fn unusable_gitlab_url_is_a_config_error() {
        let home = make_home(None);
        let err = config_err(Sites::load(&env(
            &home,
            Some("ftp://x.example"),
            Some(ENV_TOKEN),
        )));
        assert_eq!(
            err.message,
            "GITLAB_URL 'ftp://x.example' is not a usable site URL: only http and https are \
             supported, not ftp."
        );
    }

    #[test]
    fn config_file_only() {
        let home = make_home(Some(&two_sites()));
        let sites = Sites::load(&env(&home, None, None)).unwrap();
        assert_eq!(sites.sites.len(), 2);
        let (site, token) = sites.resolve(None).unwrap();
        assert_eq!(site.url, "https://gitlab.other.org");
        assert_eq!(site.source, SiteSource::ConfigFile);
        assert_eq!(
            site.proxy_url.as_deref(),
            Some("http://proxy.example.com:3128")
        );
        assert_eq!(token.expose(), TOKEN_B);

        let (site, token) = sites.resolve(Some("gitlab.example.com")).unwrap();
        assert_eq!(site.url, "https://gitlab.example.com");
        assert_eq!(site.proxy_url, None);
        assert_eq!(token.expose(), TOKEN_A);

        assert_eq!(
            sites.list(),
            vec![
                SiteInfo {
                    url: "https://gitlab.example.com".into(),
                    is_default: false,
                    source: SiteSource::ConfigFile,
                    has_token: true,
                },
                SiteInfo {
                    url: "https://gitlab.other.org".into(),
                    is_default: true,
                    source: SiteSource::ConfigFile,
                    has_token: true,
                },
            ]
        );
    }

    #[test]
    fn environment_and_config_file() {
        let home = make_home(Some(&two_sites()));
        let sites = Sites::load(&env(&home, None, Some(ENV_TOKEN))).unwrap();
        assert_eq!(sites.sites.len(), 3);
        // Without a URL the environment wins over the config file's default.
        let (site, token) = sites.resolve(None).unwrap();
        assert_eq!(site.url, "https://gitlab.com");
        assert_eq!(token.expose(), ENV_TOKEN);
        // With a URL, the config site it names.
        let (site, token) = sites.resolve(Some("https://gitlab.other.org")).unwrap();
        assert_eq!(site.source, SiteSource::ConfigFile);
        assert_eq!(token.expose(), TOKEN_B);
        // Exactly one default in the listing: the environment's site.
        let defaults: Vec<_> = sites
            .list()
            .into_iter()
            .filter(|s| s.is_default)
            .map(|s| s.url)
            .collect();
        assert_eq!(defaults, vec!["https://gitlab.com".to_string()]);
        assert_eq!(sites.list()[0].source, SiteSource::Environment);
    }

    #[test]
    fn environment_wins_over_the_same_site_in_the_config_file() {
        let home = make_home(Some(&two_sites()));
        let sites = Sites::load(&env(
            &home,
            Some("https://gitlab.example.com"),
            Some(ENV_TOKEN),
        ))
        .unwrap();
        let (site, token) = sites.resolve(Some("gitlab.example.com")).unwrap();
        assert_eq!(site.source, SiteSource::Environment);
        assert_eq!(token.expose(), ENV_TOKEN);
    }

    #[test]
    fn matching_ignores_scheme_trailing_slashes_and_host_case() {
        let home = make_home(Some(&format!(
            "Sites:\n\
             - Url: https://gitlab.example.com\n  AccessToken: {TOKEN_A}\n\
             - Url: https://gitlab.example.com:8443/gitlab\n  AccessToken: {TOKEN_B}\n"
        )));
        let sites = Sites::load(&env(&home, None, None)).unwrap();
        for given in [
            "gitlab.example.com",
            "https://gitlab.example.com/",
            "http://GITLAB.example.com",
            "HTTPS://Gitlab.Example.Com//",
            "  gitlab.example.com/  ",
        ] {
            let (site, token) = sites.resolve(Some(given)).unwrap();
            assert_eq!(site.url, "https://gitlab.example.com", "{given}");
            assert_eq!(token.expose(), TOKEN_A);
        }
        for given in [
            "gitlab.example.com:8443/gitlab",
            "http://GitLab.Example.com:8443/gitlab/",
        ] {
            let (site, _) = sites.resolve(Some(given)).unwrap();
            assert_eq!(
                site.url, "https://gitlab.example.com:8443/gitlab",
                "{given}"
            );
        }
        // Port and path count.
        for given in [
            "gitlab.example.com:8443",
            "gitlab.example.com/gitlab",
            "gitlab.example.com:8443/GitLab",
            "gitlab.example.org",
        ] {
            let err = config_err(sites.resolve(Some(given)));
            assert!(err.message.starts_with("No site '"), "{given}");
        }
    }

    #[test]
    fn unknown_site_lists_the_configured_ones() {
        let home = make_home(Some(&two_sites()));
        let path = config_path(&home);
        let sites = Sites::load(&env(&home, None, None)).unwrap();
        let err = config_err(sites.resolve(Some("gitlab.nowhere.test")));
        assert_eq!(
            err.message,
            format!(
                "No site 'gitlab.nowhere.test' is configured. Configured sites: \
                 https://gitlab.example.com, https://gitlab.other.org (default). Add it to {path} \
                 or set GITLAB_URL and GITLAB_ACCESS_TOKEN."
            )
        );

        let sites = Sites::load(&env(&home, None, Some(ENV_TOKEN))).unwrap();
        let err = config_err(sites.resolve(Some("gitlab.nowhere.test")));
        assert!(
            err.message.contains(
                "Configured sites: https://gitlab.com (from the environment, default), \
                 https://gitlab.example.com, https://gitlab.other.org."
            ),
            "{}",
            err.message
        );

        let empty = make_home(None);
        let sites = Sites::load(&env(&empty, None, None)).unwrap();
        let err = config_err(sites.resolve(Some("https://gitlab.nowhere.test/")));
        assert!(
            err.message.contains("Configured sites: none."),
            "{}",
            err.message
        );
        assert!(
            err.message.contains(&config_path(&empty)),
            "{}",
            err.message
        );
    }

    #[test]
    fn bad_site_url_argument_is_invalid_argument() {
        let sites = Sites::default();
        for (given, why) in [
            ("", "-SiteUrl is empty."),
            ("  ", "-SiteUrl is empty."),
            (
                "ftp://gitlab.example.com",
                "only http and https are supported, not ftp",
            ),
            ("https://", "is not usable"),
            ("https://gitlab.example.com?x=1", "must not have a query"),
            (
                "http://user:pw@gitlab.example.com",
                "must not contain a user name or password",
            ),
        ] {
            let err = sites.resolve(Some(given)).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidArgument, "{given}");
            assert_eq!(err.parameter.as_deref(), Some("site_url"), "{given}");
            assert!(err.message.contains(why), "{given}: {}", err.message);
            assert!(!err.message.contains("pw@"), "{}", err.message);
            assert!(!err.message.contains("x=1"), "{}", err.message);
        }
    }

    #[test]
    fn no_default_lists_the_sites_and_says_how_to_pick_one() {
        let home = make_home(Some(&format!(
            "Sites:\n\
             - Url: https://a.example\n  AccessToken: {TOKEN_A}\n  IsDefault: false\n\
             - Url: https://b.example\n  AccessToken: {TOKEN_B}\n"
        )));
        let path = config_path(&home);
        let sites = Sites::load(&env(&home, None, None)).unwrap();
        let err = config_err(sites.resolve(None));
        assert_eq!(
            err.message,
            format!(
                "No site URL was given and no default site is configured. Configured sites: \
                 https://a.example, https://b.example. Pass a site URL (-SiteUrl), or mark one \
                 site IsDefault: true in {path}."
            )
        );
        assert!(sites.list().iter().all(|s| !s.is_default));
        // A URL still works.
        assert_eq!(
            sites.resolve(Some("b.example")).unwrap().1.expose(),
            TOKEN_B
        );
    }

    #[test]
    fn no_sites_at_all_says_how_to_configure_one() {
        let home = make_home(None);
        let path = config_path(&home);
        let sites = Sites::load(&env(&home, None, None)).unwrap();
        assert!(sites.list().is_empty());
        let err = config_err(sites.resolve(None));
        assert_eq!(
            err.message,
            format!(
                "No GitLab site is configured. Set GITLAB_ACCESS_TOKEN (and GITLAB_URL for a \
                 self-managed instance), or add a site with Url and AccessToken to {path}."
            )
        );
        // Without a home directory the conventional path is shown.
        let sites = Sites::load(&Environment::default()).unwrap();
        assert_eq!(sites.config_path, None);
        let err = config_err(sites.resolve(None));
        assert!(
            err.message
                .contains("~/.config/powershell/gitlabcli/config.yml"),
            "{}",
            err.message
        );
    }

    #[test]
    fn missing_or_blank_token_is_a_config_error() {
        let home = make_home(Some(
            "Sites:\n\
             - Url: https://a.example\n  IsDefault: true\n\
             - Url: https://b.example\n  AccessToken: '   '\n\
             - Url: https://c.example\n  AccessToken:\n",
        ));
        let path = config_path(&home);
        let sites = Sites::load(&env(&home, None, None)).unwrap();
        let err = config_err(sites.resolve(None));
        assert_eq!(
            err.message,
            format!(
                "Site https://a.example has no access token. Add AccessToken to its entry in \
                 {path}, or set GITLAB_ACCESS_TOKEN."
            )
        );
        assert!(
            err.hint
                .clone()
                .unwrap()
                .contains("GITLAB_URL=https://a.example")
        );
        for given in ["b.example", "c.example"] {
            let err = config_err(sites.resolve(Some(given)));
            assert!(err.message.contains("has no access token"), "{given}");
        }
        assert!(sites.list().iter().all(|s| !s.has_token));
        assert_eq!(
            sites
                .list()
                .iter()
                .map(|s| s.is_default)
                .collect::<Vec<_>>(),
            vec![true, false, false]
        );
    }

    #[test]
    fn is_default_as_bool_or_string() {
        for (value, expected) in [
            ("true", true),
            ("True", true),
            ("false", false),
            ("'true'", true),
            ("'TRUE'", true),
            ("\"True\"", true),
            ("'false'", false),
            ("'FALSE'", false),
            ("' true '", true),
            ("", false),
            ("~", false),
        ] {
            let home = make_home(Some(&format!(
                "Sites:\n- Url: https://a.example\n  AccessToken: {TOKEN_A}\n  IsDefault: {value}\n"
            )));
            let sites = Sites::load(&env(&home, None, None)).unwrap();
            assert_eq!(sites.sites[0].is_default, expected, "IsDefault: {value}");
            assert_eq!(sites.list()[0].is_default, expected, "IsDefault: {value}");
        }
        let home = make_home(Some(&format!(
            "Sites:\n- Url: https://a.example\n  AccessToken: {TOKEN_A}\n  IsDefault: 'yes please'\n"
        )));
        let err = config_err(Sites::load(&env(&home, None, None)));
        assert_eq!(
            err.message,
            format!(
                "Site 1 (https://a.example) in {} (line 4) has IsDefault 'yes please'; it must be \
                 true or false.",
                config_path(&home)
            )
        );
    }

    #[test]
    fn first_of_several_defaults_wins() {
        let home = make_home(Some(&format!(
            "Sites:\n\
             - Url: https://a.example\n  AccessToken: {TOKEN_A}\n\
             - Url: https://b.example\n  AccessToken: {TOKEN_B}\n  IsDefault: true\n\
             - Url: https://c.example\n  AccessToken: {TOKEN_A}\n  IsDefault: true\n"
        )));
        let sites = Sites::load(&env(&home, None, None)).unwrap();
        assert_eq!(sites.resolve(None).unwrap().0.url, "https://b.example");
        assert_eq!(
            sites
                .list()
                .iter()
                .map(|s| s.is_default)
                .collect::<Vec<_>>(),
            vec![false, true, false]
        );
    }

    #[test]
    fn urls_without_scheme_and_other_spellings() {
        let home = make_home(Some(&format!(
            "sites:\n\
             - url: gitlab.other.org\n  accessToken: {TOKEN_A}\n  isDefault: true\n\
             - URL: 'HTTP://Gitlab.Example.com/gitlab///'\n  access_token: {TOKEN_B}\n  \
               proxy_url: ' '\n  Unknown: whatever\n  Nested: {{a: [1, 2]}}\n"
        )));
        let sites = Sites::load(&env(&home, None, None)).unwrap();
        let urls: Vec<_> = sites.sites.iter().map(|s| s.url.as_str()).collect();
        assert_eq!(
            urls,
            vec![
                "https://gitlab.other.org",
                "http://gitlab.example.com/gitlab"
            ]
        );
        assert_eq!(sites.sites[1].token.as_ref().unwrap().expose(), TOKEN_B);
        assert_eq!(sites.sites[1].proxy_url, None);
        assert!(sites.sites[0].is_default);
    }

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
    fn missing_file_empty_file_and_empty_sites_mean_no_sites() {
        for yaml in [
            None,
            Some(""),
            Some("# nothing yet\n"),
            Some("Sites:\n"),
            Some("Sites: []\n"),
            Some("Other: 1\n"),
        ] {
            let home = make_home(yaml);
            let sites = Sites::load(&env(&home, None, None)).unwrap();
            assert!(sites.sites.is_empty(), "{yaml:?}");
        }
    }

    #[test]
    fn a_single_site_mapping_counts_as_a_list() {
        let home = make_home(Some(&format!(
            "Sites:\n  Url: https://a.example\n  AccessToken: {TOKEN_A}\n  IsDefault: 'True'\n"
        )));
        let sites = Sites::load(&env(&home, None, None)).unwrap();
        assert_eq!(sites.resolve(None).unwrap().1.expose(), TOKEN_A);
    }

    #[test]
    fn site_without_url_names_the_file_and_position() {
        let home = make_home(Some(&format!(
            "Sites:\n\
             - Url: https://a.example\n  AccessToken: {TOKEN_A}\n\
             - AccessToken: {TOKEN_B}\n  IsDefault: true\n"
        )));
        let err = config_err(Sites::load(&env(&home, None, None)));
        assert_eq!(
            err.message,
            format!("Site 2 in {} (line 4) has no Url.", config_path(&home))
        );
        let home2 = make_home(Some("Sites:\n- Url: '  '\n"));
        let err = config_err(Sites::load(&env(&home2, None, None)));
        assert!(err.message.starts_with("Site 1 in "), "{}", err.message);
        assert!(err.message.ends_with("has no Url."), "{}", err.message);
    }

    #[test]
    fn wrong_shapes_are_config_errors() {
        for (yaml, says) in [
            (
                "- a\n- b\n".to_string(),
                "does not have the expected layout",
            ),
            (
                "just text\n".to_string(),
                "does not have the expected layout",
            ),
            (
                "Sites: 3\n".to_string(),
                "does not have the expected layout",
            ),
            ("Sites:\n- just text\n".to_string(), "Site 1 in "),
            (
                "Sites:\n- Url: [a, b]\n".to_string(),
                "has a Url that is not text",
            ),
            (
                "Sites:\n- Url: https://a.example\n  AccessToken: 123456789012\n".to_string(),
                "has an AccessToken that is not text",
            ),
            (
                "Sites:\n- Url: https://a.example\n  ProxyUrl: [x]\n".to_string(),
                "has a ProxyUrl that is not text",
            ),
            (
                format!("Sites:\n- Url: ftp://a.example\n  AccessToken: {TOKEN_A}\n"),
                "has Url 'ftp://a.example', which is not usable: only http and https",
            ),
        ] {
            let home = make_home(Some(&yaml));
            let err = config_err(Sites::load(&env(&home, None, None)));
            assert!(err.message.contains(says), "{yaml}: {}", err.message);
            assert!(err.message.contains(&config_path(&home)), "{}", err.message);
            assert!(!err.message.contains("123456789012"), "{}", err.message);
        }
    }

    #[test]
    fn malformed_yaml_names_the_file_line_and_problem() {
        for (yaml, line) in [
            (
                format!("Sites:\n- Url: https://a.example\n  AccessToken: \"{TOKEN_A}\n"),
                3,
            ),
            (
                format!("Sites:\n- Url: https://a.example\n  AccessToken: {TOKEN_A}\n   bad: [\n"),
                4,
            ),
            (
                format!("Sites:\n- {{Url: https://a.example, AccessToken: {TOKEN_A}\n"),
                2,
            ),
            (
                format!("Sites:\n\t- Url: x\n  AccessToken: '{TOKEN_B}'\n  : :\n"),
                2,
            ),
            (format!("Sites: *nowhere\nAccessToken: {TOKEN_A}\n"), 1),
            (
                format!("Sites:\n- Url: a\n  AccessToken: {TOKEN_A}\n  AccessToken: {TOKEN_B}\n"),
                4,
            ),
            (
                format!("Sites:\n- Url: a\n  {TOKEN_A}: 1\n  {TOKEN_A}: 2\n"),
                4,
            ),
        ] {
            let home = make_home(Some(&yaml));
            let err = config_err(Sites::load(&env(&home, None, None)));
            let prefix = format!(
                "The config file {} is not valid YAML (line ",
                config_path(&home)
            );
            assert!(err.message.starts_with(&prefix), "{yaml}: {}", err.message);
            assert!(
                err.message[prefix.len()..].starts_with(&format!("{line}, column ")),
                "{yaml}: {}",
                err.message
            );
            assert!(!err.caused_by.is_empty(), "{yaml}");
            assert!(err.hint.as_deref().unwrap().contains("remove the file"));
        }
    }

    #[test]
    fn unreadable_file_is_a_config_error() {
        // A directory where the file should be cannot be read as text.
        let home = make_home(None);
        fs::create_dir_all(home.path().join(CONFIG_RELATIVE_PATH)).unwrap();
        let err = config_err(Sites::load(&env(&home, None, None)));
        assert_eq!(
            err.message,
            format!("Cannot read the config file {}.", config_path(&home))
        );
        assert!(!err.caused_by.is_empty());

        let home = make_home(None);
        let path = home.path().join(CONFIG_RELATIVE_PATH);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, b"Sites:\n- Url: \xff\xfe\n").unwrap();
        let err = config_err(Sites::load(&env(&home, None, None)));
        assert!(err.message.starts_with("Cannot read the config file"));
    }

    #[test]
    fn tokens_never_show_in_debug_output() {
        let home = make_home(Some(&two_sites()));
        let environment = env(&home, None, Some(ENV_TOKEN));
        let sites = Sites::load(&environment).unwrap();
        for text in [
            format!("{environment:?}"),
            format!("{sites:?}"),
            format!("{:?}", sites.list()),
            serde_json::to_string(&sites.list()).unwrap(),
            format!("{:?}", sites.resolve(None).unwrap()),
            format!("{:?}", sites.resolve(Some("gitlab.example.com")).unwrap()),
        ] {
            assert_no_tokens(&text);
            assert!(!text.contains("AAAAAAAA") && !text.contains("ENVTOKEN"));
        }
    }

    #[test]
    fn wrongly_typed_values_name_their_line() {
        let yaml = format!(
            "# sites\nSites:\n- Url: https://a.example\n  AccessToken: {TOKEN_A}\n\
             - Url: https://b.example\n\n  AccessToken: 123456789012\n"
        );
        let home = make_home(Some(&yaml));
        let err = config_err(Sites::load(&env(&home, None, None)));
        assert_eq!(
            err.message,
            format!(
                "Site 2 (https://b.example) in {} (line 7) has an AccessToken that is not text.",
                config_path(&home)
            )
        );
        let home = make_home(Some("Sites:\n  url: [x]\n"));
        let err = config_err(Sites::load(&env(&home, None, None)));
        assert!(
            err.message.contains("(line 2) has a Url"),
            "{}",
            err.message
        );
    }

    #[test]
    fn timeouts_come_from_the_file_and_the_environment() {
        let home = make_home(Some(&format!(
            "Sites:\n- Url: https://a.example\n  AccessToken: {TOKEN_A}\n  TimeoutSeconds: 2.5\n\
             - Url: https://b.example\n  AccessToken: {TOKEN_B}\n  connect_timeout_seconds: '3'\n"
        )));
        let sites = Sites::load(&env(&home, None, None)).unwrap();
        assert_eq!(sites.sites[0].timeouts.read, Duration::from_millis(2500));
        assert_eq!(sites.sites[0].timeouts.connect, Timeouts::DEFAULT_CONNECT);
        assert_eq!(sites.sites[1].timeouts.connect, Duration::from_secs(3));
        assert_eq!(sites.sites[1].timeouts.read, Timeouts::DEFAULT_READ);

        let mut environment = env(&home, Some("https://c.example"), Some(ENV_TOKEN));
        environment.timeout = Some("7".into());
        let sites = Sites::load(&environment).unwrap();
        assert!(
            sites
                .sites
                .iter()
                .all(|s| s.timeouts.read == Duration::from_secs(7))
        );
        assert_eq!(sites.sites[0].timeouts.connect, Timeouts::DEFAULT_CONNECT);
        assert_eq!(sites.sites[2].timeouts.connect, Duration::from_secs(3));

        for bad in ["0", "-1", "abc", "99999", "NaN"] {
            let mut environment = env(&home, None, None);
            environment.connect_timeout = Some(bad.into());
            let err = config_err(Sites::load(&environment));
            assert!(
                err.message
                    .starts_with(&format!("{CONNECT_TIMEOUT_VAR} is '{bad}', which is not")),
                "{}",
                err.message
            );
        }
        let home = make_home(Some(
            "Sites:\n- Url: https://a.example\n  TimeoutSeconds: soon\n",
        ));
        let err = config_err(Sites::load(&env(&home, None, None)));
        assert!(
            err.message
                .contains("(line 3) has a TimeoutSeconds that is not a number of seconds"),
            "{}",
            err.message
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_config_file_others_can_read_gets_a_warning() {
        use std::os::unix::fs::PermissionsExt;
        let home = make_home(Some(&two_sites()));
        let path = home.path().join(CONFIG_RELATIVE_PATH);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(
            Sites::load(&env(&home, None, None))
                .unwrap()
                .warnings
                .is_empty()
        );
        for mode in [0o640, 0o604, 0o644] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let warnings = Sites::load(&env(&home, None, None)).unwrap().warnings;
            assert_eq!(warnings.len(), 1, "{mode:o}");
            assert!(
                warnings[0].contains(&format!("mode {mode:03o}")),
                "{}",
                warnings[0]
            );
            assert!(warnings[0].contains("chmod 600"), "{}", warnings[0]);
            assert_no_tokens(&warnings[0]);
        }
    }

    #[test]
    fn redaction_of_parser_text_finds_token_values() {
        let yaml = format!(
            "Sites:\n- AccessToken: \"{TOKEN_A}\"\n- {{url: x, access_token: {TOKEN_B}}}\n"
        );
        let message = format!("error near {TOKEN_A} and '{TOKEN_B}'");
        assert_eq!(
            redact_tokens(&message, &yaml),
            "error near REDACTED and 'REDACTED'"
        );
        // A token-like word the file contains, wherever it was written.
        let yaml = "Sites:\n- Url: a\n  abcdef0123456789xyz: 1\n";
        assert_eq!(
            redact_tokens(
                "duplicate mapping key: abcdef0123456789xyz, set DuplicateKeyPolicy",
                yaml
            ),
            "duplicate mapping key: REDACTED, set DuplicateKeyPolicy"
        );
    }
}
