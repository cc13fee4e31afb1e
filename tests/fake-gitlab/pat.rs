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
//! (`fake-admin-token`, ...) are not in the fake's token table: `GET self` describes them
//! ([`fixture_self`]: id 1,000,000 + the user's id, scope `api`, never expiring), while rotating
//! or revoking `self` answers them 404.
//!
//! Listing: `user_id` (integer), and the filters, `sort` and offset pagination every token list
//! shares ([`crate::listing`]).
//!
//! A rotated token gets today + 7 days unless `expires_at` is given (GitLab's one week).

use chrono::{Days, NaiveDate};
use serde_json::{Map, Value, json};

use crate::api::{self, is_digits, not_found, parse_wire_date, unauthorized};
use crate::listing::{self, ListQuery};
use crate::state::{State, Token, User, now_iso};
use crate::wire::{Body, Incoming, Reply};

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
    let mut errors = Vec::new();
    let user_id = match listing::text(q, "user_id") {
        None => None,
        Some(t) if is_digits(t) => t.parse::<u64>().ok(),
        Some(_) => {
            errors.push("user_id is invalid".to_string());
            None
        }
    };
    let query = ListQuery::parse(q, &mut errors);
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
    let mut matching: Vec<&Token> = state
        .tokens
        .iter()
        .filter(|t| owner.is_none_or(|id| t.user_id == id))
        .filter(|t| query.matches(t, today))
        .collect();
    query.sort(&mut matching);
    query.page_reply(state, req, &matching, |t| entity(t, today))
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

/// The id `GET /personal_access_tokens/self` gives a fixture token: above any seeded token's.
pub const FIXTURE_TOKEN_ID_BASE: u64 = 1_000_000;

/// `GET /personal_access_tokens/self` for a fixture token.
pub fn fixture_self(caller: &User) -> Reply {
    Reply::json(
        200,
        &json!({
            "id": FIXTURE_TOKEN_ID_BASE + caller.id,
            "name": "fixture token",
            "revoked": false,
            "created_at": "2020-01-06T10:00:00.000Z",
            "description": null,
            "scopes": ["api"],
            "user_id": caller.id,
            "last_used_at": null,
            "active": true,
            "expires_at": null,
        }),
    )
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
    let expires_at = match rotation_params(req) {
        Ok(date) => date,
        Err(reply) => return reply,
    };
    match rotate_at(state, i, expires_at, None) {
        Ok(new) => Reply::json(200, &api::token_entity(&state.tokens[new])),
        Err(reply) => reply,
    }
}

/// A rotation's one parameter, `expires_at` (query or body), after Grape's checks.
pub fn rotation_params(req: &Incoming) -> Result<Option<NaiveDate>, Reply> {
    let mut params = req.query.clone();
    match req.body() {
        Body::Empty => {}
        Body::Json(Value::Object(fields)) | Body::Form(fields) => params.extend(fields),
        Body::Json(_) | Body::Malformed | Body::Unsupported => {
            return Err(Reply::error(
                400,
                "message body does not match declared format",
            ));
        }
    }
    match params.get("expires_at") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => parse_wire_date(s)
            .map(Some)
            .ok_or_else(|| Reply::error(400, "expires_at is invalid")),
        Some(_) => Err(Reply::error(400, "expires_at is invalid")),
    }
}

/// Rotates token number `i` as GitLab's rotate service does, for every kind of token: a revoked
/// token is refused and its whole family revoked (reuse detection); an expired one is refused with
/// 401; then `refusal` (a caller-specific check, such as a resource token's access level) is
/// answered; then the new expiry is checked. On success the old token is revoked and the index of
/// its successor (same user, name, description and scopes) is returned.
pub fn rotate_at(
    state: &mut State,
    i: usize,
    expires_at: Option<NaiveDate>,
    refusal: Option<Reply>,
) -> Result<usize, Reply> {
    let today = state.today();
    let old = state.tokens[i].clone();
    if old.revoked {
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
        return Err(Reply::message(
            400,
            "400 Bad request - Token already revoked",
        ));
    }
    if old.expires_at.is_some_and(|d| d <= today) {
        return Err(unauthorized());
    }
    if let Some(reply) = refusal {
        return Err(reply);
    }
    let settings = state.settings.clone();
    let max_date = today
        .checked_add_days(Days::new(u64::from(settings.max_lifetime_days)))
        .unwrap_or(NaiveDate::MAX);
    let new_expiry = match expires_at {
        Some(d) if d <= today => {
            return Err(Reply::message(
                400,
                "400 Bad request - Expiration date must be in the future",
            ));
        }
        Some(d) if settings.require_expiry && d > max_date => {
            return Err(Reply::message(
                400,
                &format!(
                    "400 Bad request - Expires at must be before {}",
                    max_date.format("%Y-%m-%d")
                ),
            ));
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
    state.tokens.push(new);
    Ok(state.tokens.len() - 1)
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
