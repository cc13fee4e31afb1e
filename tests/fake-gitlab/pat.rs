//! `/personal_access_tokens`: list, get, rotate and revoke, as GitLab's API documentation
//! (doc/api/personal_access_tokens.md) describes them.
//!
//! | Route                                      | Method | Answers |
//! |--------------------------------------------|--------|---------|
//! | `/personal_access_tokens`                  | GET    | 200 one page; a non-admin filtering by another `user_id` gets 401, an admin naming an unknown user 404 |
//! | `/personal_access_tokens/:id`              | GET    | 200; non-admin: 401 when missing or not theirs; admin: 404 when missing |
//! | `/personal_access_tokens/:id/rotate`       | POST   | 200 new token; 400 already revoked (and the family is revoked), 400 bad `expires_at`; 401/404 as GET |
//! | `/personal_access_tokens/:id`              | DELETE | 204; 400 already revoked; 403 another user's token (non-admin); 404 missing |
//!
//! `:id` may be `self`, the token the request authenticates with; the fixture tokens
//! (`fake-admin-token`, ...) are not in the fake's token table, so `self` answers them 404.
//!
//! Listing filters: `user_id` (integer), `created_after`/`created_before` and
//! `last_used_after`/`last_used_before` (date or date-time, inclusive), `expires_after`/
//! `expires_before` (date, exclusive), `revoked` (boolean), `state` (`active`|`inactive`), `search`
//! (part of the name, any case). Tokens come in id order. Pagination is GitLab's offset pagination:
//! `page` (default 1), `per_page` (default 20, at most 100), and the headers `X-Page`,
//! `X-Per-Page`, `X-Next-Page` (empty on the last page), `X-Prev-Page`, `X-Total`,
//! `X-Total-Pages` and `Link` (`first`, `prev`, `next`, `last`). With the setting
//! `link_only_pagination: true` only `Link` is sent, as GitLab does for very large lists.
//!
//! A rotated token gets today + 7 days unless `expires_at` is given (GitLab's one week).

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value, json};

use crate::api::{self, is_digits, not_found, parse_wire_date, unauthorized};
use crate::state::{State, Token, User, now_iso};
use crate::wire::{Body, Incoming, Reply};

/// GitLab's default and largest page sizes.
const DEFAULT_PER_PAGE: usize = 20;
const MAX_PER_PAGE: usize = 100;

/// GitLab's `PersonalAccessToken` entity: no token value.
pub fn entity(token: &Token, today: NaiveDate) -> Value {
    json!({
        "id": token.id,
        "name": token.name,
        "revoked": token.revoked,
        "created_at": token.created_at,
        "description": token.description,
        "scopes": token.scopes,
        "user_id": token.user_id,
        "last_used_at": token.last_used_at,
        "active": token.active(today),
        "expires_at": token.expires_at.map(|d| d.format("%Y-%m-%d").to_string()),
    })
}

/// `GET /personal_access_tokens`
pub fn list(state: &State, req: &Incoming, caller: &User) -> Reply {
    let q = &req.query;
    let text = |key: &str| q.get(key).and_then(Value::as_str).map(str::trim);
    let mut errors = Vec::new();

    let user_id = match text("user_id") {
        None | Some("") => None,
        Some(t) if is_digits(t) => t.parse::<u64>().ok(),
        Some(_) => {
            errors.push("user_id is invalid".to_string());
            None
        }
    };
    let mut instant = |key: &str| match text(key) {
        None | Some("") => None,
        Some(t) => match parse_instant(t) {
            Some(i) => Some(i),
            None => {
                errors.push(format!("{key} is invalid"));
                None
            }
        },
    };
    let created_after = instant("created_after");
    let created_before = instant("created_before");
    let last_used_after = instant("last_used_after");
    let last_used_before = instant("last_used_before");
    let mut date = |key: &str| match text(key) {
        None | Some("") => None,
        Some(t) => match parse_wire_date(t).or_else(|| parse_instant(t).map(|i| i.date_naive())) {
            Some(d) => Some(d),
            None => {
                errors.push(format!("{key} is invalid"));
                None
            }
        },
    };
    let expires_after = date("expires_after");
    let expires_before = date("expires_before");
    let revoked = match text("revoked") {
        None | Some("") => None,
        Some("true" | "1") => Some(true),
        Some("false" | "0") => Some(false),
        Some(_) => {
            errors.push("revoked is invalid".to_string());
            None
        }
    };
    let wanted_state = match text("state") {
        None | Some("") => None,
        Some(s @ ("active" | "inactive")) => Some(s == "active"),
        Some(_) => {
            errors.push("state does not have a valid value".to_string());
            None
        }
    };
    let search = text("search").map(str::to_lowercase);
    let page = match text("page") {
        None | Some("") => 1,
        Some(t) => match t.parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => {
                errors.push("page is invalid".to_string());
                1
            }
        },
    };
    let per_page = match text("per_page") {
        None | Some("") => DEFAULT_PER_PAGE,
        Some(t) => match t.parse::<usize>() {
            Ok(n) if n >= 1 => n.min(MAX_PER_PAGE),
            _ => {
                errors.push("per_page is invalid".to_string());
                DEFAULT_PER_PAGE
            }
        },
    };
    if !errors.is_empty() {
        return Reply::error(400, &errors.join(", "));
    }

    let owner = if caller.admin {
        match user_id {
            Some(id) if state.user(id).is_none() => return Reply::message(404, "404 Not found"),
            other => other,
        }
    } else {
        match user_id {
            Some(id) if id != caller.id => return unauthorized(),
            _ => Some(caller.id),
        }
    };

    let today = state.today();
    let created = |t: &Token| parse_instant(&t.created_at);
    let used = |t: &Token| t.last_used_at.as_deref().and_then(parse_instant);
    let mut matching: Vec<&Token> = state
        .tokens
        .iter()
        .filter(|t| owner.is_none_or(|id| t.user_id == id))
        .filter(|t| created_after.is_none_or(|a| created(t).is_some_and(|c| c >= a)))
        .filter(|t| created_before.is_none_or(|b| created(t).is_some_and(|c| c <= b)))
        .filter(|t| last_used_after.is_none_or(|a| used(t).is_some_and(|u| u >= a)))
        .filter(|t| last_used_before.is_none_or(|b| used(t).is_some_and(|u| u <= b)))
        .filter(|t| expires_after.is_none_or(|a| t.expires_at.is_some_and(|e| e > a)))
        .filter(|t| expires_before.is_none_or(|b| t.expires_at.is_some_and(|e| e < b)))
        .filter(|t| revoked.is_none_or(|r| t.revoked == r))
        .filter(|t| wanted_state.is_none_or(|active| t.active(today) == active))
        .filter(|t| {
            search
                .as_deref()
                .is_none_or(|s| t.name.to_lowercase().contains(s))
        })
        .collect();
    matching.sort_by_key(|t| t.id);

    let total = matching.len();
    let total_pages = total.div_ceil(per_page).max(1);
    let items: Vec<Value> = matching
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|t| entity(t, today))
        .collect();
    let next = (page < total_pages).then_some(page + 1);
    let prev = (page > 1).then(|| (page - 1).min(total_pages));

    let link_to = |n: usize| {
        let mut params: Vec<(String, String)> = q
            .iter()
            .filter(|(k, _)| k.as_str() != "page" && k.as_str() != "per_page")
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
            .collect();
        params.push(("page".into(), n.to_string()));
        params.push(("per_page".into(), per_page.to_string()));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        format!("<{}{}?{}>", state.base_url, req.path, query)
    };
    let mut links = Vec::new();
    if let Some(p) = prev {
        links.push(format!("{}; rel=\"prev\"", link_to(p)));
    }
    if let Some(n) = next {
        links.push(format!("{}; rel=\"next\"", link_to(n)));
    }
    links.push(format!("{}; rel=\"first\"", link_to(1)));
    links.push(format!("{}; rel=\"last\"", link_to(total_pages)));

    let mut reply = Reply::json(200, &Value::Array(items)).with_header("Link", &links.join(", "));
    if !state.settings.link_only_pagination {
        let shown = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
        reply = reply
            .with_header("X-Page", &page.to_string())
            .with_header("X-Per-Page", &per_page.to_string())
            .with_header("X-Next-Page", &shown(next))
            .with_header("X-Prev-Page", &shown(prev))
            .with_header("X-Total", &total.to_string())
            .with_header("X-Total-Pages", &total_pages.to_string());
    }
    reply
}

/// A date (midnight UTC) or an ISO 8601 date-time, with or without an offset (UTC assumed).
fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    if let Some(d) = parse_wire_date(text) {
        return d.and_hms_opt(0, 0, 0).map(|n| n.and_utc());
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .map(|n| n.and_utc())
}

/// Which token `:id` names, with GitLab's answers when it names none the caller may touch:
/// non-administrators get 401 whether the token is missing or someone else's (so they learn
/// nothing about other users' tokens), administrators 404 for a missing token.
fn find(
    state: &State,
    caller: &User,
    id: &str,
    own_token: Option<u64>,
    others: Reply,
) -> Result<usize, Reply> {
    let wanted = if id == "self" {
        own_token.ok_or_else(|| Reply::message(404, "404 Not found"))?
    } else if is_digits(id) {
        id.parse::<u64>().map_err(|_| not_found())?
    } else {
        return Err(not_found());
    };
    match state.tokens.iter().position(|t| t.id == wanted) {
        Some(i) if caller.admin || state.tokens[i].user_id == caller.id => Ok(i),
        Some(_) => Err(others),
        None if caller.admin => Err(Reply::message(404, "404 Not found")),
        None => Err(unauthorized()),
    }
}

/// `GET /personal_access_tokens/:id`
pub fn get(state: &State, caller: &User, id: &str, own_token: Option<u64>) -> Reply {
    match find(state, caller, id, own_token, unauthorized()) {
        Ok(i) => Reply::json(200, &entity(&state.tokens[i], state.today())),
        Err(reply) => reply,
    }
}

/// `DELETE /personal_access_tokens/:id`
pub fn revoke(state: &mut State, caller: &User, id: &str, own_token: Option<u64>) -> Reply {
    // Deleting goes through the token lookup first (404 for a missing token, for everyone),
    // then the revoke service's permission check.
    let missing_is_404 = User {
        admin: true,
        ..caller.clone()
    };
    let i = match find(state, &missing_is_404, id, own_token, unauthorized()) {
        Ok(i) => i,
        Err(reply) => return reply,
    };
    if !caller.admin && state.tokens[i].user_id != caller.id {
        return Reply::message(403, "403 Forbidden");
    }
    if state.tokens[i].revoked {
        return Reply::message(400, "400 Bad request");
    }
    state.tokens[i].revoked = true;
    Reply::empty(204)
}

/// `POST /personal_access_tokens/:id/rotate`
pub fn rotate(
    state: &mut State,
    req: &Incoming,
    caller: &User,
    id: &str,
    own_token: Option<u64>,
) -> Reply {
    let i = match find(state, caller, id, own_token, unauthorized()) {
        Ok(i) => i,
        Err(reply) => return reply,
    };
    let mut params = req.query.clone();
    match req.body() {
        Body::Empty => {}
        Body::Json(Value::Object(fields)) | Body::Form(fields) => params.extend(fields),
        Body::Json(_) | Body::Malformed | Body::Unsupported => {
            return Reply::error(400, "message body does not match declared format");
        }
    }
    let today = state.today();
    let expires_at = match params.get("expires_at") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => match parse_wire_date(s) {
            Some(d) => Some(d),
            None => return Reply::error(400, "expires_at is invalid"),
        },
        Some(_) => return Reply::error(400, "expires_at is invalid"),
    };

    let old = state.tokens[i].clone();
    if old.revoked {
        // Reuse detection: rotating a revoked token revokes its whole family.
        let root = state.family_root(old.id);
        let family: Vec<u64> = state
            .tokens
            .iter()
            .map(|t| t.id)
            .filter(|&t| state.family_root(t) == root)
            .collect();
        for t in state.tokens.iter_mut().filter(|t| family.contains(&t.id)) {
            t.revoked = true;
        }
        return Reply::message(400, "400 Bad request - Token already revoked");
    }
    if old.expires_at.is_some_and(|d| d <= today) {
        return unauthorized();
    }
    let settings = state.settings.clone();
    let max_date = today
        .checked_add_days(Days::new(u64::from(settings.max_lifetime_days)))
        .unwrap_or(NaiveDate::MAX);
    let new_expiry = match expires_at {
        Some(d) if d <= today => {
            return Reply::message(
                400,
                "400 Bad request - Expiration date must be in the future",
            );
        }
        Some(d) if settings.require_expiry && d > max_date => {
            return Reply::message(
                400,
                &format!(
                    "400 Bad request - Expires at must be before {}",
                    max_date.format("%Y-%m-%d")
                ),
            );
        }
        Some(d) => d,
        None => today
            .checked_add_days(Days::new(7))
            .unwrap_or(NaiveDate::MAX),
    };

    state.tokens[i].revoked = true;
    let new = Token {
        id: state.next_token_id,
        user_id: old.user_id,
        name: old.name.clone(),
        description: old.description.clone(),
        scopes: old.scopes.clone(),
        expires_at: Some(new_expiry),
        created_at: now_iso(),
        value: state.fresh_token_value(),
        revoked: false,
        last_used_at: None,
        previous_id: Some(old.id),
    };
    state.next_token_id += 1;
    let answer = api::token_entity(&new);
    state.tokens.push(new);
    Reply::json(200, &answer)
}

/// The control API's `POST /__fake/tokens`: adds tokens as they would stand after some life.
///
/// Fields: `user_id` or `username` (default user 42), `name` (required), `scopes` (default
/// `["api"]`), `expires_at`, `created_at`, `last_used_at`, `description`, `revoked`, `value`
/// (default a fresh `glpat-` value) and `count` (that many copies, named `<name> 1`, `<name> 2`, ...).
/// Answers the new tokens with their values.
pub fn seed(state: &mut State, spec: &Map<String, Value>) -> Result<Vec<Value>, String> {
    let text = |key: &str| -> Result<Option<String>, String> {
        match spec.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("{key} must be text")),
        }
    };
    let user_id = match (spec.get("user_id"), text("username")?) {
        (Some(v), _) if !v.is_null() => v.as_u64().ok_or("user_id must be a number")?,
        (_, Some(name)) => {
            state
                .user_by_username(&name)
                .ok_or(format!("no user {name}"))?
                .id
        }
        _ => 42,
    };
    if state.user(user_id).is_none() {
        return Err(format!("no user {user_id}"));
    }
    let name = text("name")?.ok_or("name is required")?;
    let scopes = match spec.get("scopes") {
        None | Some(Value::Null) => vec!["api".to_string()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or("scopes must be text")?,
        Some(_) => return Err("scopes must be an array".into()),
    };
    let expires_at = match text("expires_at")? {
        None => None,
        Some(s) => Some(parse_wire_date(&s).ok_or("expires_at must be YYYY-MM-DD")?),
    };
    let revoked = spec
        .get("revoked")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let count = spec.get("count").and_then(Value::as_u64).unwrap_or(1);
    let fixed_value = text("value")?;
    if count != 1 && fixed_value.is_some() {
        return Err("value needs count 1".into());
    }
    let mut out = Vec::new();
    for n in 1..=count {
        let token = Token {
            id: state.next_token_id,
            user_id,
            name: if count == 1 {
                name.clone()
            } else {
                format!("{name} {n}")
            },
            description: text("description")?,
            scopes: scopes.clone(),
            expires_at,
            created_at: text("created_at")?.unwrap_or_else(now_iso),
            value: match &fixed_value {
                Some(v) => v.clone(),
                None => state.fresh_token_value(),
            },
            revoked,
            last_used_at: text("last_used_at")?,
            previous_id: None,
        };
        state.next_token_id += 1;
        let mut shown = entity(&token, state.today());
        shown["token"] = json!(token.value);
        out.push(shown);
        state.tokens.push(token);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_read_dates_and_date_times() {
        let midnight = parse_instant("2025-01-31").unwrap();
        assert_eq!(midnight.to_rfc3339(), "2025-01-31T00:00:00+00:00");
        assert!(parse_instant("2025-01-31T10:00:00.123Z").unwrap() > midnight);
        assert!(parse_instant("2025-01-31T10:00:00+02:00").is_some());
        assert!(parse_instant("yesterday").is_none());
    }

    #[test]
    fn a_rotation_chain_has_one_root() {
        let mut state = State::new("http://x".into());
        for (id, previous) in [(1, None), (2, Some(1)), (3, Some(2)), (4, None)] {
            state.tokens.push(Token {
                id,
                user_id: 42,
                name: "t".into(),
                description: None,
                scopes: vec!["api".into()],
                expires_at: None,
                created_at: now_iso(),
                value: format!("v{id}"),
                revoked: false,
                last_used_at: None,
                previous_id: previous,
            });
        }
        assert_eq!(state.family_root(3), 1);
        assert_eq!(state.family_root(4), 4);
    }
}
