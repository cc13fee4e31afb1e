//! Every site a request could go to, and which one it goes to.
//!
//! The environment's site (`GITLAB_ACCESS_TOKEN`, at `GITLAB_URL` or gitlab.com) comes first,
//! then the config file's, in file order. Without a site URL the environment's site is used,
//! else the config file's one `IsDefault` site. A typed site URL selects the first site it names
//! (see [`url`](super::url) for the scheme rule), https before http when no scheme was typed;
//! it never falls back to another site.
//!
//! Ambiguities in the file (two `IsDefault: true`, one URL twice) are the error of a request
//! that depends on them, naming both entries and their lines, and a warning for every other
//! request, so a file that works for what you do keeps working while it says what to fix.
//!
//! A serve process loads the sites once ([`SitesCache`]) and reads the file again only when it
//! has changed.

use super::entry;
use super::env::Environment;
use super::file;
use super::proxy;
use super::site::{Origin, Site};
use super::timeouts;
use super::url::{self, Scheme, shown_url};
use super::yaml;
use super::{CONFIG_RELATIVE_PATH, DEFAULT_GITLAB_URL};
use crate::error::{Error, Result};
use crate::protocol::{SiteInfo, SiteSource};
use crate::secret::Secret;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Every candidate site, in precedence order (the environment's first).
#[derive(Clone, Debug, Default)]
pub struct Sites {
    pub sites: Vec<Site>,
    /// The config file that was (or would have been) read.
    pub config_path: Option<PathBuf>,
    /// Things the user should know but that do not stop a request (a config file others can
    /// read, a URL ending in `/api/v4`, a proxy variable that cannot be used). Callers send them
    /// with [`Sites::warnings_for`], which adds the file's ambiguities.
    pub warnings: Vec<String>,
    /// Groups of config sites (indexes into `sites`) that make a choice ambiguous.
    ambiguities: Vec<Ambiguity>,
    /// `GITLAB_URL` (masked) when it is set without `GITLAB_ACCESS_TOKEN`, so defines nothing.
    lone_gitlab_url: Option<String>,
}

/// Config sites that make a choice ambiguous.
#[derive(Clone, Debug)]
struct Ambiguity {
    what: Ambiguous,
    /// Indexes into [`Sites::sites`], in file order.
    sites: Vec<usize>,
    /// The sentence that says so, naming the entries and their lines.
    text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ambiguous {
    /// More than one `IsDefault: true`.
    Default,
    /// One URL more than once.
    Url,
}

/// What choosing a site came to.
enum Choice {
    Site(usize),
    /// The choice depends on the ambiguity with this index.
    Ambiguous(usize),
}

impl Sites {
    /// Load the environment's site and the config file's sites. A missing file is no error.
    ///
    /// Errors (config): `GITLAB_URL` is not a usable site URL; a timeout variable is not a
    /// number of seconds; the file is not a regular file, is too large, is not UTF-8, is not
    /// YAML, or has a site without a usable `Url`, or with values of the wrong type.
    pub fn load(env: &Environment) -> Result<Sites> {
        let (env_connect, env_read) = timeouts::from_environment(env)?;
        let mut warnings = proxy::warnings(env);
        let mut sites: Vec<Site> = environment_site(env, &mut warnings)?.into_iter().collect();
        let config_path = config_path(env);
        if let Some(path) = &config_path
            && let Some(read) = file::read(path)?
        {
            warnings.extend(read.warnings);
            let name = path.display().to_string();
            let root = yaml::parse(&read.text, &name)?;
            sites.extend(entry::sites_in(&root, &name, env, &mut warnings)?);
        }
        for site in &mut sites {
            if let Some(connect) = env_connect {
                site.timeouts.connect = connect;
            }
            if let Some(read) = env_read {
                site.timeouts.read = read;
            }
        }
        let lone_gitlab_url = match (&env.gitlab_url, &env.gitlab_access_token) {
            (Some(given), token) if token.as_ref().is_none_or(|t| t.is_empty()) => {
                Some(shown_url(given.trim()))
            }
            _ => None,
        };
        if let Some(given) = lone_gitlab_url.as_ref().filter(|_| !sites.is_empty()) {
            warnings.push(format!(
                "GITLAB_URL is set ({given}) but GITLAB_ACCESS_TOKEN is not, so GITLAB_URL is \
                 ignored and the config file's sites are used. Set GITLAB_ACCESS_TOKEN too, or \
                 unset GITLAB_URL."
            ));
        }
        let mut loaded = Sites {
            sites,
            config_path,
            warnings,
            ambiguities: Vec::new(),
            lone_gitlab_url,
        };
        loaded.ambiguities = loaded.find_ambiguities();
        Ok(loaded)
    }

    /// The warnings a request that resolves `site_url` gets: [`Sites::warnings`] and the
    /// file's ambiguities, except the one that is its error.
    pub fn warnings_for(&self, site_url: Option<&str>) -> Vec<String> {
        match self.choose(site_url) {
            Ok(Choice::Ambiguous(k)) => self.warnings_but(Some(k)),
            _ => self.warnings_but(None),
        }
    }

    /// The warnings a request that resolves no site (`list-sites`) gets: [`Sites::warnings`] and
    /// every ambiguity of the file.
    pub fn all_warnings(&self) -> Vec<String> {
        self.warnings_but(None)
    }

    fn warnings_but(&self, failing: Option<usize>) -> Vec<String> {
        let ambiguities = self
            .ambiguities
            .iter()
            .enumerate()
            .filter(|(k, _)| Some(*k) != failing)
            .map(|(_, a)| format!("{} {}", a.text, self.ambiguity_fix(a)));
        self.warnings.iter().cloned().chain(ambiguities).collect()
    }

    /// The sites, without tokens, for `list-sites`.
    ///
    /// `is_default` is true for exactly the site [`Sites::resolve`] picks when no site URL is
    /// given, and false for every other one; all false when there is no such site (none is
    /// marked, or the default is ambiguous).
    pub fn list(&self) -> Vec<SiteInfo> {
        let default = match self.choose(None) {
            Ok(Choice::Site(i)) => Some(i),
            _ => None,
        };
        self.sites
            .iter()
            .enumerate()
            .map(|(i, site)| SiteInfo {
                url: site.url.clone(),
                is_default: default == Some(i),
                source: site.source,
                has_token: site.has_token(),
                token_prefix: site
                    .token
                    .as_ref()
                    .filter(|t| !t.is_empty())
                    .map(crate::redact::token_prefix),
                proxy_url: site.proxy_url.as_deref().map(shown_url),
            })
            .collect()
    }

    /// [`Sites::list`], only the sites `site_url` selects by `-SiteUrl`'s rules (every entry of
    /// a URL the file has twice) and, with `default_only`, only the default.
    ///
    /// Errors: those of [`Sites::resolve`] for a URL that selects no site.
    pub fn list_matching(
        &self,
        site_url: Option<&str>,
        default_only: bool,
    ) -> Result<Vec<SiteInfo>> {
        let selected: Option<Vec<usize>> = match site_url {
            None => None,
            Some(given) => Some(match self.choose(Some(given))? {
                Choice::Site(i) => vec![i],
                Choice::Ambiguous(k) => self.ambiguities[k].sites.clone(),
            }),
        };
        Ok(self
            .list()
            .into_iter()
            .enumerate()
            .filter(|(i, info)| {
                selected.as_ref().is_none_or(|s| s.contains(i))
                    && (!default_only || info.is_default)
            })
            .map(|(_, info)| info)
            .collect())
    }

    /// The environment's site, when `GITLAB_ACCESS_TOKEN` defines one.
    pub fn environment_site(&self) -> Option<&Site> {
        self.sites
            .iter()
            .find(|s| s.source == SiteSource::Environment)
    }

    /// The site a typed URL selects by `-SiteUrl`'s rules, among every site (the environment's
    /// first); the config file's entries of a URL it has twice count as one.
    ///
    /// Errors: those of [`Sites::resolve`] for a URL that selects no site.
    pub fn select(&self, given: &str) -> Result<&Site> {
        Ok(match self.choose(Some(given))? {
            Choice::Site(i) => &self.sites[i],
            Choice::Ambiguous(k) => &self.sites[self.ambiguities[k].sites[0]],
        })
    }

    /// A site that is not configured (yet): `url` in normal form, with `env`'s timeouts and proxy
    /// rules, for checking a token before it is saved.
    pub fn unsaved(
        env: &Environment,
        url: &str,
        token: &Secret,
        proxy_url: Option<&str>,
    ) -> Result<Site> {
        let (connect, read) = timeouts::from_environment(env)?;
        let mut timeouts = timeouts::Timeouts::default();
        if let Some(connect) = connect {
            timeouts.connect = connect;
        }
        if let Some(read) = read {
            timeouts.read = read;
        }
        Ok(Site {
            proxy: proxy::for_site(url, proxy_url, env),
            url: url.to_string(),
            token: Some(token.clone()),
            proxy_url: proxy_url.map(str::to_string),
            timeouts,
            is_default: false,
            source: SiteSource::ConfigFile,
            assumed_https: None,
            origin: Origin::default(),
        })
    }

    /// The site a request goes to, with its token.
    ///
    /// Errors: invalid-argument on `site_url` when the given URL is blank or unusable; config
    /// when no site matches, there is no default, the choice is ambiguous, or the site has no
    /// token.
    pub fn resolve(&self, site_url: Option<&str>) -> Result<(&Site, &Secret)> {
        let site = match self.choose(site_url)? {
            Choice::Site(i) => &self.sites[i],
            Choice::Ambiguous(k) => {
                let a = &self.ambiguities[k];
                let lead = match (a.what, site_url) {
                    (Ambiguous::Default, _) => "No site URL was given, and ",
                    _ => "",
                };
                let mut text = a.text.clone();
                if !lead.is_empty() {
                    text = format!("{lead}{}{}", text[..1].to_lowercase(), &text[1..]);
                }
                return Err(Error::config(text).with_hint(self.ambiguity_fix(a)));
            }
        };
        match site.token.as_ref().filter(|t| !t.is_empty()) {
            Some(token) => Ok((site, token)),
            None => {
                let path = self.config_path_text();
                Err(Error::config(format!(
                    "Site {} has no access token. Add AccessToken to its entry in {path}, or set \
                     GITLAB_ACCESS_TOKEN.",
                    site.url
                ))
                .with_hint(format!(
                    "Add `AccessToken: <token>` under `Url: {}` in {path}, or set \
                     GITLAB_ACCESS_TOKEN{}.",
                    site.url,
                    if site.url == DEFAULT_GITLAB_URL {
                        String::new()
                    } else {
                        format!(" (with GITLAB_URL={})", site.url)
                    }
                )))
            }
        }
    }

    /// Which site `site_url` (or, without one, the default) names.
    fn choose(&self, site_url: Option<&str>) -> Result<Choice> {
        let index = match site_url {
            Some(given) => {
                let typed = url::typed(given)?;
                let mut candidates = self
                    .sites
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| typed.selects(&s.url));
                let first = candidates.next().map(|(i, _)| i);
                let https = (typed.scheme.is_none())
                    .then(|| {
                        first
                            .into_iter()
                            .chain(candidates.map(|(i, _)| i))
                            .find(|&i| self.sites[i].url.starts_with("https://"))
                    })
                    .flatten();
                https
                    .or(first)
                    .ok_or_else(|| self.unknown_site(given, &typed))?
            }
            None => match self.default_choice() {
                Some(Choice::Site(i)) => i,
                Some(ambiguous) => return Ok(ambiguous),
                None => return Err(self.no_default()),
            },
        };
        let twice = self
            .ambiguities
            .iter()
            .position(|a| a.what == Ambiguous::Url && a.sites.contains(&index));
        Ok(match twice {
            Some(k) if self.sites[index].source == SiteSource::ConfigFile => Choice::Ambiguous(k),
            _ => Choice::Site(index),
        })
    }

    /// The site used without a site URL: the environment's, else the config file's one
    /// `IsDefault` site (ambiguous when there are several); `None` when there is none.
    fn default_choice(&self) -> Option<Choice> {
        if let Some(i) = self
            .sites
            .iter()
            .position(|s| s.source == SiteSource::Environment)
        {
            return Some(Choice::Site(i));
        }
        if let Some(k) = self
            .ambiguities
            .iter()
            .position(|a| a.what == Ambiguous::Default)
        {
            return Some(Choice::Ambiguous(k));
        }
        self.sites
            .iter()
            .position(|s| s.source == SiteSource::ConfigFile && s.is_default)
            .map(Choice::Site)
    }

    /// The config file's ambiguities: its `IsDefault: true` sites when there are several, and
    /// each URL that more than one entry has.
    fn find_ambiguities(&self) -> Vec<Ambiguity> {
        let in_file: Vec<usize> = (0..self.sites.len())
            .filter(|&i| self.sites[i].source == SiteSource::ConfigFile)
            .collect();
        let path = self.config_path_text();
        let mut found = Vec::new();
        let defaults: Vec<usize> = in_file
            .iter()
            .copied()
            .filter(|&i| self.sites[i].is_default)
            .collect();
        if defaults.len() > 1 {
            let named: Vec<String> = defaults
                .iter()
                .map(|&i| {
                    let s = &self.sites[i];
                    format!(
                        "{} ({}{})",
                        s.origin.position,
                        s.url,
                        line_of(s.origin, ", ")
                    )
                })
                .collect();
            found.push(Ambiguity {
                what: Ambiguous::Default,
                text: format!(
                    "Sites {} in {path} are {} IsDefault: true, so the default site is ambiguous.",
                    and_list(&named),
                    if named.len() == 2 { "both" } else { "all" }
                ),
                sites: defaults,
            });
        }
        let mut seen: Vec<&str> = Vec::new();
        for &i in &in_file {
            let url = self.sites[i].url.as_str();
            if seen.contains(&url) {
                continue;
            }
            seen.push(url);
            let same: Vec<usize> = in_file
                .iter()
                .copied()
                .filter(|&j| self.sites[j].url == url)
                .collect();
            if same.len() > 1 {
                let named: Vec<String> = same
                    .iter()
                    .map(|&j| {
                        let o = self.sites[j].origin;
                        format!("{}{}", o.position, line_of(o, " "))
                    })
                    .collect();
                found.push(Ambiguity {
                    what: Ambiguous::Url,
                    text: format!(
                        "Sites {} in {path} {} have the Url {url}, so it is not clear which entry \
                         (and access token) to use for it.",
                        and_list(&named),
                        if named.len() == 2 { "both" } else { "all" }
                    ),
                    sites: same,
                });
            }
        }
        found
    }

    /// How to settle an ambiguity.
    fn ambiguity_fix(&self, a: &Ambiguity) -> String {
        let path = self.config_path_text();
        match a.what {
            Ambiguous::Default => format!(
                "Keep IsDefault: true on one site only in {path}, or pass a site URL (-SiteUrl)."
            ),
            Ambiguous::Url => format!(
                "Remove all but one of those entries from {path} (keep the one with the right \
                 AccessToken)."
            ),
        }
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
        let default = match self.default_choice() {
            Some(Choice::Site(i)) => Some(i),
            _ => None,
        };
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

    fn unknown_site(&self, given: &str, typed: &url::SiteUrl) -> Error {
        let path = self.config_path_text();
        let other_scheme = self.sites.iter().find(|s| {
            url::SiteUrl {
                scheme: None,
                ..typed.clone()
            }
            .selects(&s.url)
        });
        match (typed.scheme, other_scheme) {
            (Some(Scheme::Https), Some(site)) => Error::config(format!(
                "No https site '{}' is configured: {} is configured for plain http://; an \
                 https:// URL never selects it, so the token is never sent in clear by mistake.",
                shown_url(given.trim()),
                site.url
            ))
            .with_hint(format!(
                "Pass -SiteUrl {} to use it over plain HTTP, or change its Url to https:// in \
                 {path} if the server speaks HTTPS.",
                site.url
            )),
            (Some(Scheme::Http), Some(site)) => Error::config(format!(
                "No http site '{}' is configured: {} is configured for https://, and an http:// \
                 URL selects only http:// sites.",
                shown_url(given.trim()),
                site.url
            ))
            .with_hint(format!(
                "Pass -SiteUrl {} (or leave out the scheme).",
                site.url
            )),
            _ => Error::config(format!(
                "No site '{}' is configured. Configured sites: {}.",
                shown_url(given.trim()),
                self.site_list_text()
            ))
            .with_hint(format!(
                "Add a site with Url and AccessToken to {path}, or set GITLAB_URL and \
                 GITLAB_ACCESS_TOKEN."
            )),
        }
    }

    fn no_default(&self) -> Error {
        let path = self.config_path_text();
        if self.sites.is_empty() {
            let message = if let Some(given) = &self.lone_gitlab_url {
                format!(
                    "No GitLab site is configured: GITLAB_URL is set ({given}) but \
                     GITLAB_ACCESS_TOKEN is not, and {path} defines no site."
                )
            } else {
                format!(
                    "No GitLab site is configured: GITLAB_ACCESS_TOKEN is not set and {path} \
                     defines no site."
                )
            };
            return Error::config(message).with_hint(format!(
                "Set GITLAB_ACCESS_TOKEN to a personal access token with the api scope (and \
                 GITLAB_URL for a self-managed instance), or add a site with Url and AccessToken \
                 to {path}."
            ));
        }
        Error::config(format!(
            "No site URL was given and no default site is configured. Configured sites: {}.",
            self.site_list_text()
        ))
        .with_hint(format!(
            "Pass a site URL (-SiteUrl), or mark one site IsDefault: true in {path}."
        ))
    }
}

/// The environment's site: `GITLAB_ACCESS_TOKEN` (set and not blank) at `GITLAB_URL` or
/// [`DEFAULT_GITLAB_URL`].
fn environment_site(env: &Environment, warnings: &mut Vec<String>) -> Result<Option<Site>> {
    let Some(token) = env.gitlab_access_token.as_ref().filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let given = env
        .gitlab_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or(DEFAULT_GITLAB_URL);
    let parsed = url::parse(given).map_err(|why| {
        Error::config(format!(
            "GITLAB_URL '{}' is not a usable site URL: {why}.",
            shown_url(given)
        ))
        .with_hint(format!(
            "Set GITLAB_URL to the site's address, such as https://gitlab.example.com, or unset \
             it to use {DEFAULT_GITLAB_URL}."
        ))
    })?;
    let url = parsed.url.clone();
    if parsed.dropped_api {
        warnings.push(format!(
            "GITLAB_URL '{}' ends in /api/v4, which the engine adds itself; using {url}. Set \
             GITLAB_URL to {url}.",
            shown_url(given)
        ));
    }
    let assumed_https = parsed.scheme.is_none().then(|| {
        let written = shown_url(given.trim_end_matches('/'));
        format!(
            "GITLAB_URL '{written}' has no scheme, so https:// was assumed; if the server speaks \
             plain HTTP, write it as http://{written}."
        )
    });
    Ok(Some(Site {
        proxy: proxy::for_site(&url, None, env),
        url,
        token: Some(token.clone()),
        proxy_url: None,
        timeouts: Default::default(),
        is_default: true,
        source: SiteSource::Environment,
        assumed_https,
        origin: Origin::default(),
    }))
}

/// The config file of `env`'s home directory.
pub(super) fn config_path(env: &Environment) -> Option<PathBuf> {
    env.home
        .as_ref()
        .map(|home| home.join(CONFIG_RELATIVE_PATH))
}

/// "{sep}line N" for an entry whose line is known, else "".
fn line_of(origin: Origin, sep: &str) -> String {
    match (origin.line, sep) {
        (Some(n), " ") => format!(" (line {n})"),
        (Some(n), _) => format!("{sep}line {n}"),
        (None, _) => String::new(),
    }
}

/// "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// The sites of one environment, loaded once: the config file is read and parsed again only
/// when its identity (device, inode, size, times, mode) has changed, so a pipeline's plans and
/// runs see one version of it and read it once. Shared by the serve loop's workers.
#[derive(Debug)]
pub struct SitesCache {
    env: Environment,
    loaded: Mutex<Option<Loaded>>,
    /// How many times the sites were loaded (the file read and parsed).
    #[cfg(test)]
    pub(super) loads: std::sync::atomic::AtomicUsize,
}

#[derive(Debug)]
struct Loaded {
    identity: Option<file::Identity>,
    sites: Result<Arc<Sites>>,
}

impl SitesCache {
    pub fn new(env: &Environment) -> Self {
        SitesCache {
            env: env.clone(),
            loaded: Mutex::new(None),
            #[cfg(test)]
            loads: Default::default(),
        }
    }

    /// The environment the sites are loaded from.
    pub fn env(&self) -> &Environment {
        &self.env
    }

    /// The sites, as [`Sites::load`] gives them, from the last load while the file is unchanged.
    pub fn get(&self) -> Result<Arc<Sites>> {
        let identity = config_path(&self.env).and_then(|p| file::identity(&p));
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(l) = loaded.as_ref()
            && l.identity == identity
        {
            return l.sites.clone();
        }
        #[cfg(test)]
        self.loads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let sites = Sites::load(&self.env).map(Arc::new);
        *loaded = Some(Loaded {
            identity,
            sites: sites.clone(),
        });
        sites
    }
}
