//! What the config file's YAML says: the `Sites` list and each entry's keys, checked and turned
//! into [`Site`]s. Keys are matched ignoring case, `_` and `-` (`Url`, `url`, `access_token` all
//! work); unknown keys are ignored. A single mapping under `Sites` counts as a one-site list, as
//! the old module sometimes wrote it. Errors name the file, the entry's position and the line.

use super::env::Environment;
use super::proxy;
use super::site::{Origin, Site};
use super::timeouts::{Timeouts, parse_seconds};
use super::url::{self, shown_url};
use super::yaml::{Node, Value};
use crate::error::{Error, Result};
use crate::protocol::SiteSource;
use crate::secret::Secret;

/// The sites the parsed file `root` defines; `file` names it in messages. Warnings (a Url that
/// ends in `/api/v4`) go to `warnings`.
pub(super) fn sites_in(
    root: &Node,
    file: &str,
    env: &Environment,
    warnings: &mut Vec<String>,
) -> Result<Vec<Site>> {
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
    let entries: Vec<&Node> = match &root.value {
        Value::Null => return Ok(Vec::new()),
        Value::Map(map) => match get(map, "sites") {
            None => return Ok(Vec::new()),
            Some(node) => match &node.value {
                Value::Null => return Ok(Vec::new()),
                Value::Seq(items) => items.iter().collect(),
                Value::Map(_) => vec![node],
                _ => return Err(layout()),
            },
        },
        _ => return Err(layout()),
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| site(entry, i + 1, file, env, warnings))
        .collect()
}

/// The value of `key` (lower case, without `_` or `-`), matching keys case-insensitively and
/// ignoring `_` and `-`. The first match wins.
fn get<'a>(map: &'a [(String, Node)], key: &str) -> Option<&'a Node> {
    map.iter().find(|(k, _)| is_key(k, key)).map(|(_, v)| v)
}

/// Whether the key `written` is `key` (lower case, without `_` or `-`), ignoring case, `_` and
/// `-`.
pub(super) fn is_key(written: &str, key: &str) -> bool {
    written
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .eq(key.chars())
}

/// The value of `key` unless it is missing or null.
fn present<'a>(map: &'a [(String, Node)], key: &str) -> Option<&'a Node> {
    get(map, key).filter(|n| n.value != Value::Null)
}

/// One entry of `Sites`, the `position`th (from 1).
fn site(
    entry: &Node,
    position: usize,
    file: &str,
    env: &Environment,
    warnings: &mut Vec<String>,
) -> Result<Site> {
    let err_at = |at: &str, line: Option<u64>, problem: String, fix: &str| {
        let line = line
            .or(entry.line)
            .map(|n| format!(" (line {n})"))
            .unwrap_or_default();
        Error::config(format!("{at}{line} {problem}.")).with_hint(format!("{fix} in {file}."))
    };
    let at = format!("Site {position} in {file}");
    let Value::Map(map) = &entry.value else {
        return Err(err_at(
            &at,
            None,
            "is not a mapping with Url and AccessToken".to_string(),
            "Make each site an entry with Url and AccessToken, or remove it,",
        ));
    };
    let url_node = present(map, "url");
    let url_text = match url_node.map(|n| &n.value) {
        None => None,
        Some(Value::Str(s)) if s.trim().is_empty() => None,
        Some(Value::Str(s)) => Some(s.as_str()),
        Some(_) => {
            return Err(err_at(
                &at,
                url_node.and_then(|n| n.line),
                "has a Url that is not text".to_string(),
                "Give its Url as text, such as https://gitlab.example.com,",
            ));
        }
    };
    let Some(url_text) = url_text else {
        return Err(err_at(
            &at,
            None,
            "has no Url".to_string(),
            "Add `Url: https://gitlab.example.com` to that entry, or remove the entry,",
        ));
    };
    let url_line = url_node.and_then(|n| n.line);
    let parsed = url::parse(url_text).map_err(|why| {
        err_at(
            &at,
            url_line,
            format!(
                "has Url '{}', which is not usable: {why}",
                shown_url(url_text.trim())
            ),
            "Fix its Url (such as https://gitlab.example.com), or remove the entry,",
        )
    })?;
    let url = parsed.url.clone();
    let line_text = url_line
        .or(entry.line)
        .map(|n| format!(" (line {n})"))
        .unwrap_or_default();
    if parsed.dropped_api {
        warnings.push(format!(
            "Site {position} in {file}{line_text} has Url '{}', which ends in /api/v4, which the \
             engine adds itself; using {url}. Write `Url: {url}`.",
            shown_url(url_text.trim())
        ));
    }
    let assumed_https = parsed.scheme.is_none().then(|| {
        let written = shown_url(url_text.trim().trim_end_matches('/'));
        format!(
            "Site {position}'s Url '{written}' in {file}{line_text} has no scheme, so https:// \
             was assumed; if the server speaks plain HTTP, write it as http://{written}."
        )
    });

    let at = format!("Site {position} ({url}) in {file}");
    let err_key = |key: &str, problem: String, fix: &str| {
        err_at(&at, get(map, key).and_then(|n| n.line), problem, fix)
    };
    let token = match present(map, "accesstoken").map(|n| &n.value) {
        None => None,
        Some(Value::Str(s)) => Some(Secret::new(s.trim())).filter(|t| !t.is_empty()),
        Some(_) => {
            // Never quote it: it may be a token YAML read as a number.
            return Err(err_key(
                "accesstoken",
                "has an AccessToken that is not text".to_string(),
                "Quote its AccessToken value",
            ));
        }
    };
    let proxy_url = match present(map, "proxyurl").map(|n| &n.value) {
        None => None,
        Some(Value::Str(s)) => Some(s.trim().to_string()).filter(|p| !p.is_empty()),
        Some(_) => {
            return Err(err_key(
                "proxyurl",
                "has a ProxyUrl that is not text".to_string(),
                "Give its ProxyUrl as text, such as http://proxy.example.com:3128,",
            ));
        }
    };
    if let Some(proxy) = proxy_url.as_deref().filter(|p| !proxy::usable(p)) {
        return Err(err_key(
            "proxyurl",
            format!(
                "has ProxyUrl '{}', which is not a proxy URL this engine can use",
                shown_url(proxy)
            ),
            "Write its ProxyUrl as http://host:port (or socks5://host:port)",
        ));
    }
    let is_default = match present(map, "isdefault").map(|n| &n.value) {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Str(s)) if s.trim().eq_ignore_ascii_case("true") => true,
        Some(Value::Str(s)) if s.trim().eq_ignore_ascii_case("false") => false,
        Some(other) => {
            let value = match other {
                Value::Str(s) => format!("'{}'", shown_url(s)),
                Value::Number(n) => n.clone(),
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
        let seconds = match present(map, key).map(|n| &n.value) {
            None => continue,
            Some(Value::Number(n) | Value::Str(n)) => parse_seconds(n),
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
        proxy: proxy::for_site(&url, proxy_url.as_deref(), env),
        url,
        token,
        proxy_url,
        timeouts,
        is_default,
        source: SiteSource::ConfigFile,
        assumed_https,
        origin: Origin {
            position,
            line: entry.line,
        },
    })
}
