//! The one place that makes text from a server safe to show.
//!
//! Whatever GitLab, a proxy or a WAF sends (an error body, a header, a raw body for debug
//! output) passes through [`scrub`] before it reaches a message, a stream or a property:
//! - the access token in use is replaced by `REDACTED` wherever it appears;
//! - so is anything shaped like a GitLab token (`glpat-…`, `gloas-…`, `glrt-…`, with or without
//!   an instance prefix such as `acme-glpat-…`; see [`TOKEN_PREFIXES`]);
//! - control characters (ESC, BEL, CSI, …) and bidirectional overrides are written out visibly
//!   ([`crate::text::escape_controls`]), so nothing can clear the screen, move the cursor,
//!   retitle a window or reverse what a reader sees.
//!
//! [`field`] is for the string fields the engine passes on from an answer (a token's name,
//! description, scopes and dates; a username): control characters are escaped the same way, and
//! nothing else changes, because these are the user's own data (a token named `glpat-migration`
//! keeps its name). A new token's value never passes through here: it reaches the user byte for
//! byte.
//!
//! [`debug_body`] is for raw bodies in debug output: JSON has its `token` fields replaced, and a
//! body that is not strict JSON (a byte order mark, bytes after the JSON, form encoding) has any
//! `"token": "…"` or `token=…` value replaced too, before it is scrubbed like any other text.

use crate::error::Error;
use crate::secret::Secret;
use crate::text::{escape_controls, truncate};
use serde_json::Value;

/// The word that replaces a secret.
pub const REDACTED: &str = "REDACTED";

/// GitLab's token prefixes (its "Token prefixes" documentation): personal, OAuth application
/// secret, deploy, runner authentication, runner registration, CI/CD job, pipeline trigger, feed,
/// incoming mail, agent for Kubernetes, SCIM, feature flags client, workspace and OAuth access
/// tokens.
pub const TOKEN_PREFIXES: [&str; 15] = [
    "glpat-",
    "gloas-",
    "gldt-",
    "glrt-",
    "glrtr-",
    "glcbt-",
    "glptt-",
    "glft-",
    "glimt-",
    "glagent-",
    "glsoat-",
    "glffct-",
    "glwt-",
    "gloat-",
    "GR1348941",
];

/// The fewest token characters after a prefix for the text to count as a token.
const MIN_TOKEN_CHARS: usize = 8;

/// The most of a raw body debug output shows.
pub const MAX_DEBUG_BODY: usize = 500;

/// `text` with the access token and anything shaped like a GitLab token replaced, and control
/// characters escaped.
pub fn scrub(text: &str, access_token: Option<&Secret>) -> String {
    let mut text = mask_token_shapes(text);
    if let Some(secret) = access_token {
        text = mask_secret(&text, secret);
    }
    escape_controls(&text)
}

/// A string field of a server's answer as the engine passes it on: control characters and
/// bidirectional controls escaped, nothing else changed.
pub fn field(text: &str) -> String {
    escape_controls(text)
}

/// How a configured access token is shown: its GitLab prefix (`glpat-`) and at most three more
/// characters, then `…`; the characters only when at least 16 remain hidden, so a short token
/// shows nothing of itself.
pub fn token_prefix(secret: &Secret) -> String {
    let value = secret.expose().trim();
    let prefix = TOKEN_PREFIXES
        .iter()
        .find(|p| value.starts_with(*p))
        .map_or("", |p| *p);
    let rest: Vec<char> = value[prefix.len()..].chars().collect();
    let shown: String = if rest.len() >= 19 {
        rest[..3].iter().collect()
    } else {
        String::new()
    };
    format!("{prefix}{shown}…")
}

/// `text` with every occurrence of `secret` (trimmed, at least 4 characters) replaced.
pub fn mask_secret(text: &str, secret: &Secret) -> String {
    let value = secret.expose().trim();
    if value.len() >= 4 {
        text.replace(value, REDACTED)
    } else {
        text.to_string()
    }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// `text` with every GitLab-token-shaped word replaced: a known prefix followed by at least
/// [`MIN_TOKEN_CHARS`] token characters.
fn mask_token_shapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'scan: while !rest.is_empty() {
        for prefix in TOKEN_PREFIXES {
            if let Some(tail) = rest.strip_prefix(prefix) {
                let len = tail.find(|c| !is_token_char(c)).unwrap_or(tail.len());
                if tail[..len].chars().count() >= MIN_TOKEN_CHARS {
                    out.push_str(REDACTED);
                    rest = &tail[len..];
                    continue 'scan;
                }
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `err` with every text it carries scrubbed: message, GitLab's words, hint and causes.
pub fn scrub_error(mut err: Error, access_token: &Secret) -> Error {
    let token = Some(access_token);
    err.message = scrub(&err.message, token);
    err.gitlab_message = err.gitlab_message.as_deref().map(|t| scrub(t, token));
    err.hint = err.hint.as_deref().map(|t| scrub(t, token));
    for cause in &mut err.caused_by {
        *cause = scrub(cause, token);
    }
    err
}

/// A JSON value for debug output: every `token` field replaced, then scrubbed as text.
pub fn debug_json(value: &Value, access_token: &Secret) -> String {
    let mut copy = value.clone();
    redact_token_fields(&mut copy);
    scrub(&copy.to_string(), Some(access_token))
}

fn redact_token_fields(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if key == "token" && item.is_string() {
                    *item = Value::String(REDACTED.into());
                } else {
                    redact_token_fields(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_token_fields),
        _ => {}
    }
}

/// A raw response body for debug output. Strict JSON is redacted field by field; anything else
/// has its `"token": "…"` and `token=…` values replaced, is scrubbed and cut to
/// [`MAX_DEBUG_BODY`] characters.
pub fn debug_body(text: &str, access_token: &Secret) -> String {
    if let Ok(json) = serde_json::from_str::<Value>(text) {
        return debug_json(&json, access_token);
    }
    let masked = mask_form_tokens(&mask_json_token_fields(text));
    truncate(&scrub(&masked, Some(access_token)), MAX_DEBUG_BODY)
}

/// `"token" : "…"` in text that is not strict JSON: the value replaced.
fn mask_json_token_fields(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\"token\"") {
        let after_key = at + "\"token\"".len();
        out.push_str(&rest[..after_key]);
        rest = &rest[after_key..];
        let spaced = rest.trim_start();
        let Some(value) = spaced.strip_prefix(':').map(str::trim_start) else {
            continue;
        };
        let Some(inner) = value.strip_prefix('"') else {
            continue;
        };
        // The value runs to the next quote that is not escaped.
        let mut end = None;
        let mut escaped = false;
        for (i, c) in inner.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        let end = end.unwrap_or(inner.len());
        out.push_str(&rest[..rest.len() - inner.len()]);
        out.push_str(REDACTED);
        rest = &inner[end..];
    }
    out.push_str(rest);
    out
}

/// `token=…` in form-encoded text: the value replaced (up to the next `&`).
fn mask_form_tokens(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.trim().eq_ignore_ascii_case("token") => {
                format!("{key}={REDACTED}")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_access_token_and_token_shapes_are_replaced() {
        let access = Secret::new("fake-admin-token");
        let said = "bad fake-admin-token; also glpat-abcdefghij1234567890 and acme-glrt-t1_ABCDEFGHIJ.01.0w1x2y3z4 but not glpat-short";
        let shown = scrub(said, Some(&access));
        assert_eq!(
            shown,
            "bad REDACTED; also REDACTED and acme-REDACTED but not glpat-short"
        );
        for prefix in TOKEN_PREFIXES {
            let shown = scrub(&format!("x {prefix}0123456789abcdef y"), None);
            assert_eq!(shown, "x REDACTED y", "{prefix}");
        }
    }

    #[test]
    fn control_characters_are_escaped() {
        let shown = scrub("\u{1b}[2J\u{1b}[HToken created successfully\u{7}", None);
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown}"
        );
    }

    #[test]
    fn debug_bodies_never_show_tokens() {
        let access = Secret::new("glpat-access-123");
        let body = json!({"id": 1, "token": "glpat-new-456", "nested": [{"token": "glpat-x"}], "note": "glpat-access-123"});
        let shown = debug_json(&body, &access);
        assert!(!shown.contains("glpat-new-456"));
        assert!(!shown.contains("glpat-x\""));
        assert!(!shown.contains("glpat-access-123"));
        assert!(shown.contains("\"token\":\"REDACTED\""));
    }

    #[test]
    fn raw_bodies_that_are_not_strict_json_are_masked_too() {
        let access = Secret::new("sekrit-token");
        assert_eq!(
            debug_body("bad token sekrit-token", &access),
            "bad token REDACTED"
        );
        for raw in [
            "\u{feff}{\"id\":1,\"token\":\"new-value-1\"}",
            "{\"id\":1,\"token\" : \"new-value-1\"} trailing",
            "{\"id\":1,\"token\":\"new-\\\"value-1\"}{}",
            "id=1&token=new-value-1&name=x",
        ] {
            let shown = debug_body(raw, &access);
            assert!(!shown.contains("value-1"), "{raw:?} shown as {shown}");
            assert!(shown.contains(REDACTED), "{shown}");
        }
    }
}
