//! GitLab's error answers, turned into [`Error`]s.
//!
//! GitLab answers errors in several shapes, all of which are read here:
//! - `{"message": "404 User Not Found"}` — most API errors;
//! - `{"message": {"name": ["is too long (maximum is 255 characters)"]}}` — model validation;
//! - `{"error": "scopes does not have a valid value"}` — parameter validation;
//! - `{"error": "invalid_token", "error_description": "Token has expired."}` — OAuth-style auth;
//! - plain text such as `Retry later` on a 429 from the rate limiter, or an HTML proxy page.

use crate::error::{Error, ErrorKind};
use crate::text::truncate;
use serde_json::Value;

/// The most a plain-text body contributes to a message.
const MAX_TEXT: usize = 300;

/// GitLab's own words from an error body, flattened to one line. `None` when the body says nothing
/// usable (empty, or an HTML page).
pub fn gitlab_message(content_type: Option<&str>, body: &str) -> Option<String> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return None;
    }
    if let Ok(json) = serde_json::from_str::<Value>(trimmed) {
        return message_from_json(&json);
    }
    let is_html = content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("html"))
        || trimmed.starts_with('<');
    if is_html {
        return None;
    }
    let one_line = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(truncate(&one_line, MAX_TEXT))
}

fn message_from_json(json: &Value) -> Option<String> {
    let obj = json.as_object()?;
    if let Some(message) = obj.get("message")
        && let Some(text) = flatten_message(message, None)
    {
        return Some(text);
    }
    match (
        obj.get("error").and_then(Value::as_str),
        obj.get("error_description").and_then(Value::as_str),
    ) {
        (Some(error), Some(description)) => Some(format!("{error}: {description}")),
        (Some(error), None) => Some(error.to_string()),
        (None, Some(description)) => Some(description.to_string()),
        (None, None) => obj.get("error").and_then(|e| flatten_message(e, None)),
    }
}

/// `"text"` → `text`; `{"name": ["is too long"], "base": ["x"]}` → `name is too long; x`.
fn flatten_message(value: &Value, field: Option<&str>) -> Option<String> {
    let prefix = |text: &str| match field {
        Some(f) if f != "base" && f != "error" => format!("{f} {text}"),
        _ => text.to_string(),
    };
    match value {
        Value::String(text) => Some(prefix(text)),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|item| flatten_message(item, field))
                .collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .filter_map(|(key, item)| flatten_message(item, Some(key)))
                .collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Value::Null => None,
        other => Some(prefix(&other.to_string())),
    }
}

/// The kind an HTTP error status maps to.
pub fn kind_for_status(status: u16) -> ErrorKind {
    match status {
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited,
        400 | 409 | 422 => ErrorKind::InvalidArgument,
        _ => ErrorKind::ServerError,
    }
}

/// The error for a non-success answer to `what` (e.g. `POST https://x/api/v4/users/42/...`).
pub fn from_response(
    what: &str,
    site_url: &str,
    status: u16,
    content_type: Option<&str>,
    body: &str,
) -> Error {
    let kind = kind_for_status(status);
    let said = gitlab_message(content_type, body);
    let reason = said.clone().unwrap_or_else(|| format!("HTTP {status}"));
    let mut err = match kind {
        ErrorKind::Unauthorized => Error::new(kind, format!("GitLab at {site_url} rejected the access token ({reason}).")).with_hint(
            "Check that the token is valid, not expired or revoked, and has the api scope. It comes from \
             GITLAB_ACCESS_TOKEN or the site's AccessToken in ~/.config/powershell/gitlabcli/config.yml.",
        ),
        ErrorKind::Forbidden => Error::new(kind, format!("GitLab at {site_url} refused {what} ({reason}).")),
        ErrorKind::NotFound => Error::new(kind, format!("GitLab at {site_url} found nothing at {what} ({reason}).")),
        ErrorKind::InvalidArgument => Error::new(kind, format!("GitLab at {site_url} refused the request: {reason}")),
        ErrorKind::RateLimited => Error::new(kind, format!("GitLab at {site_url} is rate limiting requests ({reason}).")),
        _ if status >= 500 => Error::new(kind, format!("GitLab at {site_url} failed with HTTP {status} on {what}.")),
        _ => Error::new(kind, format!("GitLab at {site_url} answered {what} with an unexpected HTTP {status}.")),
    }
    .with_status(status);
    if let Some(said) = said {
        err = err.with_gitlab_message(said);
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_documented_shape() {
        let cases = [
            (r#"{"message":"404 User Not Found"}"#, "404 User Not Found"),
            (
                r#"{"message":{"name":["is too long (maximum is 255 characters)"]}}"#,
                "name is too long (maximum is 255 characters)",
            ),
            (
                r#"{"message":{"name":["is blank"],"expires_at":["must be before 2027-01-01"]}}"#,
                "name is blank; expires_at must be before 2027-01-01",
            ),
            (
                r#"{"message":{"error":"Your snippet has been recognized as spam"}}"#,
                "Your snippet has been recognized as spam",
            ),
            (
                r#"{"error":"scopes does not have a valid value"}"#,
                "scopes does not have a valid value",
            ),
            (
                r#"{"error":"invalid_token","error_description":"Token has expired."}"#,
                "invalid_token: Token has expired.",
            ),
            ("Retry later\n", "Retry later"),
        ];
        for (body, expected) in cases {
            assert_eq!(
                gitlab_message(None, body).as_deref(),
                Some(expected),
                "body {body}"
            );
        }
    }

    #[test]
    fn html_and_empty_bodies_say_nothing() {
        assert_eq!(
            gitlab_message(
                Some("text/html"),
                "<html><body>502 Bad Gateway</body></html>"
            ),
            None
        );
        assert_eq!(gitlab_message(None, "   "), None);
    }

    #[test]
    fn long_text_is_truncated() {
        let long = "x".repeat(1000);
        let said = gitlab_message(Some("text/plain"), &long).unwrap();
        assert_eq!(said.chars().count(), MAX_TEXT + 1);
    }

    #[test]
    fn statuses_map_to_kinds() {
        assert_eq!(kind_for_status(401), ErrorKind::Unauthorized);
        assert_eq!(kind_for_status(403), ErrorKind::Forbidden);
        assert_eq!(kind_for_status(404), ErrorKind::NotFound);
        assert_eq!(kind_for_status(422), ErrorKind::InvalidArgument);
        assert_eq!(kind_for_status(429), ErrorKind::RateLimited);
        assert_eq!(kind_for_status(502), ErrorKind::ServerError);
        assert_eq!(kind_for_status(405), ErrorKind::ServerError);
    }

    #[test]
    fn server_refusals_keep_gitlabs_words_verbatim() {
        let err = from_response(
            "POST https://g/api/v4/users/42/personal_access_tokens",
            "https://g",
            422,
            Some("application/json"),
            r#"{"message":"Expires at must be before 2027-11-28"}"#,
        );
        assert_eq!(err.kind, ErrorKind::InvalidArgument);
        assert_eq!(err.status, Some(422));
        assert_eq!(
            err.gitlab_message.as_deref(),
            Some("Expires at must be before 2027-11-28")
        );
        assert!(err.message.contains("Expires at must be before 2027-11-28"));
    }
}
