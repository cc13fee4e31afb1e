//! The GitLab REST v4 endpoints the engine uses, answered the way GitLab answers them.
//!
//! | Route                                          | Method | Who            |
//! |------------------------------------------------|--------|----------------|
//! | `/api/v4/user`                                 | GET    | any token      |
//! | `/api/v4/users` (`?username=`)                 | GET    | any token      |
//! | `/api/v4/users/:id`                            | GET    | any token      |
//! | `/api/v4/users/:user_id/personal_access_tokens`| POST   | administrators |
//! | `/api/v4/user/personal_access_tokens`          | POST   | any token      |
//! | `/api/v4/personal_access_tokens`               | GET    | any token (own tokens; admins: all) |
//! | `/api/v4/personal_access_tokens/:id`           | GET, DELETE | owner or administrator (`self` too) |
//! | `/api/v4/personal_access_tokens/:id/rotate`    | POST   | owner or administrator (`self` too) |
//! | `/api/v4/groups/:id/access_tokens` (and `/:token_id`, `/:token_id/rotate`, `/self/rotate`) | GET, POST, DELETE | group Owners, administrators |
//! | `/api/v4/projects/:id/access_tokens` (the same) | GET, POST, DELETE | project Maintainers and Owners, administrators |
//!
//! The `personal_access_tokens` routes are answered in `pat.rs`, the group and project ones in
//! `resource_tokens.rs`; each documents its rules.
//!
//! Error bodies follow GitLab's two shapes: `{"message": ...}` from GitLab's own code (401, 403,
//! "404 User Not Found", model validation, service errors) and `{"error": ...}` from Grape, the
//! API framework (unknown routes, 405, missing or invalid parameters). A route that does not exist
//! answers 404 `{"error":"404 Not Found"}` and a known route with the wrong method answers 405
//! `{"error":"405 Not Allowed"}`, both before authentication. `HEAD` is accepted wherever `GET` is.
//!
//! Token creation checks, in this order: the token (401), administrator rights (403, admin
//! route only), `:user_id` all digits (404 Not Found), the user exists (404 User Not Found), the
//! body decodes (400/415), the parameters (400 `{"error":"name is missing, scopes is missing"}`
//! style, Grape's messages joined with `, `), the name (400 validation shape: blank, longer than
//! 255 characters), empty scopes (400 validation shape), then the expiry policy (422).
//!
//! Parameters come from the query string and the body together (the body wins), as Grape merges
//! them. `scopes` may be an array or a comma-separated string; a JSON `null` counts as absent.
//!
//! The expiry policy follows GitLab's `require_personal_access_token_expiry` setting: when on, a
//! token without `expires_at` gets today + `max_lifetime_days`, and a later date is refused with
//! 422 "Expires at must be before <that date>". A date today or earlier is always refused with 422
//! "Expires at cannot be in the past".
//!
//! Tokens the fake creates authenticate later requests as their user until their expiry date
//! (then 401 `invalid_token`). They need `api` to create tokens and one of `api`, `read_api`,
//! `read_user` to read users; otherwise 403 `insufficient_scope`. The fixed tokens may do anything.

use chrono::{Days, NaiveDate};
use serde_json::{Map, Value, json};

use crate::pat;
use crate::resource_tokens;
use crate::state::{Caller, State, Token, User, now_iso};
use crate::wire::{Body, Incoming, Reply, percent_decode};

/// The base path of the API.
pub const PREFIX: &str = "/api/v4";

/// Every scope GitLab accepts on a personal access token.
pub const ALL_SCOPES: &[&str] = &[
    "api",
    "read_user",
    "read_api",
    "read_repository",
    "write_repository",
    "read_registry",
    "write_registry",
    "sudo",
    "admin_mode",
    "create_runner",
    "manage_runner",
    "ai_features",
    "k8s_proxy",
    "read_service_ping",
    "self_rotate",
    "read_virtual_registry",
    "write_virtual_registry",
    "read_observability",
    "write_observability",
];

/// The scopes a user may give a token they create for themselves through the API.
pub const SELF_SCOPES: &[&str] = &["k8s_proxy", "self_rotate"];

/// The longest token name GitLab stores.
pub const MAX_NAME_CHARS: usize = 255;

/// An API route, with its path parameter still as sent.
#[derive(Debug, Clone, PartialEq)]
enum Route {
    CurrentUser,
    Users,
    User(String),
    UserTokens(String),
    OwnTokens,
    /// `/personal_access_tokens`
    Pats,
    /// `/personal_access_tokens/:id` (`:id` may be `self`)
    Pat(String),
    /// `/personal_access_tokens/:id/rotate`
    PatRotate(String),
    /// `/groups/:id/access_tokens...` and `/projects/:id/access_tokens...`
    Resource(resource_tokens::Route),
}

impl Route {
    fn parse(path: &str) -> Option<Route> {
        let rest = path.strip_prefix(PREFIX)?.strip_prefix('/')?;
        let segments: Vec<String> = rest.split('/').map(percent_decode).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        match segments.as_slice() {
            ["user"] => Some(Route::CurrentUser),
            ["users"] => Some(Route::Users),
            ["users", id] if !id.is_empty() => Some(Route::User(id.to_string())),
            ["users", id, "personal_access_tokens"] if !id.is_empty() => {
                Some(Route::UserTokens(id.to_string()))
            }
            ["user", "personal_access_tokens"] => Some(Route::OwnTokens),
            ["personal_access_tokens"] => Some(Route::Pats),
            ["personal_access_tokens", id] if !id.is_empty() => Some(Route::Pat(id.to_string())),
            ["personal_access_tokens", id, "rotate"] if !id.is_empty() => {
                Some(Route::PatRotate(id.to_string()))
            }
            _ => resource_tokens::Route::parse(&segments).map(Route::Resource),
        }
    }

    /// The methods the route takes (`HEAD` counts as `GET`).
    fn methods(&self) -> &'static [&'static str] {
        match self {
            Route::CurrentUser | Route::Users | Route::User(_) | Route::Pats => &["GET"],
            Route::Pat(_) => &["GET", "DELETE"],
            Route::UserTokens(_) | Route::OwnTokens | Route::PatRotate(_) => &["POST"],
            Route::Resource(route) => route.methods(),
        }
    }

    /// The scopes a fake-created token needs for this request, or `None` when any scope will do.
    /// A token may always revoke itself; it may rotate itself with `api` or `self_rotate`.
    fn scopes_needed(&self, method: &str) -> Option<&'static [&'static str]> {
        match (self, method) {
            (Route::Pat(id), "DELETE") if id == "self" => None,
            (Route::PatRotate(id), _) if id == "self" => Some(&["api", "self_rotate"]),
            (Route::Resource(route), _) => route.scopes_needed(method),
            (Route::Pats | Route::Pat(_), "GET") => Some(&["api", "read_api"]),
            (_, "GET") => Some(&["api", "read_api", "read_user"]),
            _ => Some(&["api"]),
        }
    }
}

/// Answers one API request. Never panics on any input.
pub fn handle(state: &mut State, req: &Incoming) -> Reply {
    let Some(route) = Route::parse(&req.path) else {
        return not_found();
    };
    let method = if req.method == "HEAD" {
        "GET"
    } else {
        req.method.as_str()
    };
    if !route.methods().contains(&method) {
        let allow = route
            .methods()
            .iter()
            .map(|m| if *m == "GET" { "GET, HEAD" } else { m })
            .collect::<Vec<_>>()
            .join(", ");
        return Reply::error(405, "405 Not Allowed").with_header("Allow", &allow);
    }

    let (caller_id, scopes) = match state.authenticate(token_of(req)) {
        Caller::User { user_id, scopes } => (user_id, scopes),
        Caller::Expired => return expired(),
        Caller::Revoked => return revoked(),
        Caller::Unknown => return unauthorized(),
    };
    let Some(caller) = state.user(caller_id).cloned() else {
        return unauthorized();
    };
    if let (Some(scopes), Some(enough)) = (&scopes, route.scopes_needed(method)) {
        if !scopes.iter().any(|s| enough.contains(&s.as_str())) {
            return if matches!(route, Route::PatRotate(_)) {
                // GitLab's answer when a token may not rotate itself.
                forbidden()
            } else {
                insufficient_scope()
            };
        }
    }
    let own_token = token_of(req)
        .and_then(|value| state.token_by_value(value))
        .map(|t| t.id);

    match route {
        Route::CurrentUser => {
            let entity = if caller.admin {
                admin_entity(state, &caller)
            } else {
                public_entity(state, &caller)
            };
            Reply::json(200, &Value::Object(entity))
        }
        Route::Users => {
            let wanted = req.query.get("username").and_then(Value::as_str);
            // `search`: part of the username or name; a whole email address matches the user's
            // email only for administrators (others see public emails, which the fixture leaves empty).
            let search = req
                .query
                .get("search")
                .and_then(Value::as_str)
                .map(str::to_lowercase);
            let list: Vec<Value> = state
                .users
                .iter()
                .filter(|u| wanted.is_none_or(|w| u.username.eq_ignore_ascii_case(w)))
                .filter(|u| {
                    search.as_deref().is_none_or(|s| {
                        u.username.to_lowercase().contains(s)
                            || u.name.to_lowercase().contains(s)
                            || (caller.admin
                                && format!("{}@example.test", u.username.to_lowercase()) == s)
                    })
                })
                .map(|u| {
                    Value::Object(if caller.admin {
                        admin_entity(state, u)
                    } else {
                        basic_entity(state, u)
                    })
                })
                .collect();
            Reply::json(200, &Value::Array(list))
        }
        Route::User(id) => {
            if !is_digits(&id) {
                return not_found();
            }
            match id.parse().ok().and_then(|id| state.user(id)) {
                Some(user) if caller.admin => {
                    Reply::json(200, &Value::Object(admin_entity(state, user)))
                }
                Some(user) => Reply::json(200, &Value::Object(user_entity(state, user))),
                None => user_not_found(),
            }
        }
        Route::UserTokens(id) => {
            if !caller.admin {
                return forbidden();
            }
            if !is_digits(&id) {
                return not_found();
            }
            let Some(user_id) = id.parse().ok().filter(|&id| state.user(id).is_some()) else {
                return user_not_found();
            };
            create_token(state, req, user_id, ALL_SCOPES)
        }
        Route::OwnTokens => create_token(state, req, caller.id, SELF_SCOPES),
        Route::Pats => pat::list(state, req, &caller),
        Route::Pat(id) if method == "DELETE" => pat::revoke(state, &caller, &id, own_token),
        // A fixture token (scopes: None) is not in the token table; `self` still describes it.
        Route::Pat(id)
            if id == "self" && own_token.is_none() && scopes.is_none() && method == "GET" =>
        {
            pat::fixture_self(&caller)
        }
        Route::Pat(id) => pat::get(state, &caller, &id, own_token),
        Route::PatRotate(id) => pat::rotate(state, req, &caller, &id, own_token),
        Route::Resource(route) => resource_tokens::handle(state, req, &caller, own_token, &route),
    }
}

/// The token a request carries: `PRIVATE-TOKEN`, else `Authorization: Bearer`, else the
/// `private_token` or `access_token` query parameter.
fn token_of(req: &Incoming) -> Option<&str> {
    if let Some(token) = req.header("private-token") {
        return Some(token.trim());
    }
    let bearer = req
        .header("authorization")
        .and_then(|auth| auth.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"));
    if let Some((_, token)) = bearer {
        return Some(token.trim());
    }
    ["private_token", "access_token"]
        .iter()
        .find_map(|k| req.query.get(*k).and_then(Value::as_str))
}

/// The parameters of a token creation, after Grape's checks.
#[derive(Debug, PartialEq)]
struct TokenParams {
    name: String,
    description: Option<String>,
    scopes: Vec<String>,
    expires_at: Option<NaiveDate>,
}

/// A creation's parameters: the query string and the body together (the body wins), as Grape
/// merges them; a body that does not decode is 400, an unsupported media type 415.
pub fn request_params(req: &Incoming) -> Result<Map<String, Value>, Reply> {
    let mut params = req.query.clone();
    match req.body() {
        Body::Empty => {}
        Body::Json(Value::Object(fields)) | Body::Form(fields) => params.extend(fields),
        Body::Json(_) | Body::Malformed => {
            return Err(Reply::error(
                400,
                "message body does not match declared format",
            ));
        }
        Body::Unsupported => {
            let media_type = req.header("content-type").unwrap_or_default();
            return Err(Reply::error(
                415,
                &format!("The provided content-type '{media_type}' is not supported."),
            ));
        }
    }
    Ok(params)
}

/// The expiry a new token gets under the instance's policy, or GitLab's message refusing the date
/// asked for (the endpoints differ in the status and prefix they answer it with).
pub fn new_token_expiry(
    state: &State,
    asked: Option<NaiveDate>,
) -> Result<Option<NaiveDate>, String> {
    let today = state.today();
    let settings = &state.settings;
    let max_date = today
        .checked_add_days(Days::new(u64::from(settings.max_lifetime_days)))
        .unwrap_or(NaiveDate::MAX);
    match asked {
        Some(date) if date <= today => Err("Expires at cannot be in the past".to_string()),
        Some(date) if settings.require_expiry && date > max_date => Err(format!(
            "Expires at must be before {}",
            max_date.format("%Y-%m-%d")
        )),
        Some(date) => Ok(Some(date)),
        None if settings.require_expiry => Ok(Some(max_date)),
        None => Ok(None),
    }
}

fn create_token(state: &mut State, req: &Incoming, user_id: u64, allowed: &[&str]) -> Reply {
    let params = match request_params(req) {
        Ok(params) => params,
        Err(reply) => return reply,
    };
    let p = match check_params(&params, allowed) {
        Ok(p) => p,
        Err(errors) => return Reply::error(400, &errors.join(", ")),
    };

    if p.name.trim().is_empty() {
        return validation_error("name", "can't be blank");
    }
    if p.name.chars().count() > MAX_NAME_CHARS {
        return validation_error("name", "is too long (maximum is 255 characters)");
    }
    if p.scopes.is_empty() {
        return validation_error("scopes", "can't be blank");
    }

    let expires_at = match new_token_expiry(state, p.expires_at) {
        Ok(date) => date,
        Err(message) => return Reply::message(422, &message),
    };

    let t = add_token(state, user_id, p.name, p.description, p.scopes, expires_at);
    Reply::json(201, &token_entity(&state.tokens[t]))
}

/// Adds a token just created (a fresh value, never used, not revoked); answers its index.
pub fn add_token(
    state: &mut State,
    user_id: u64,
    name: String,
    description: Option<String>,
    scopes: Vec<String>,
    expires_at: Option<NaiveDate>,
) -> usize {
    let token = Token {
        id: state.next_token_id,
        user_id,
        name,
        description,
        scopes,
        expires_at,
        created_at: now_iso(),
        value: state.fresh_token_value(),
        revoked: false,
        last_used_at: None,
        previous_id: None,
    };
    state.next_token_id += 1;
    state.tokens.push(token);
    state.tokens.len() - 1
}

/// Grape's parameter checks: presence, type and allowed values, errors in declaration order.
fn check_params(params: &Map<String, Value>, allowed: &[&str]) -> Result<TokenParams, Vec<String>> {
    let mut errors = Vec::new();
    let present = |key: &str| params.get(key).filter(|v| !v.is_null());

    let name = match present("name").map(scalar_text) {
        None => {
            errors.push("name is missing".to_string());
            None
        }
        Some(None) => {
            errors.push("name is invalid".to_string());
            None
        }
        Some(Some(text)) => Some(text),
    };
    let description = match present("description").map(scalar_text) {
        None => None,
        Some(None) => {
            errors.push("description is invalid".to_string());
            None
        }
        Some(Some(text)) => Some(text),
    };
    let scopes = checked_scopes(params, allowed, &mut errors);
    let expires_at = match present("expires_at") {
        None => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => match parse_wire_date(s) {
            Some(date) => Some(date),
            None => {
                errors.push("expires_at is invalid".to_string());
                None
            }
        },
        Some(_) => {
            errors.push("expires_at is invalid".to_string());
            None
        }
    };

    match (name, scopes) {
        (Some(name), Some(scopes)) if errors.is_empty() => Ok(TokenParams {
            name,
            description,
            scopes,
            expires_at,
        }),
        _ => Err(errors),
    }
}

/// Grape's checks of a required `scopes` list whose values must be among `allowed`; problems are
/// added to `errors`.
pub fn checked_scopes(
    params: &Map<String, Value>,
    allowed: &[&str],
    errors: &mut Vec<String>,
) -> Option<Vec<String>> {
    let problem = match params.get("scopes").filter(|v| !v.is_null()) {
        None => "scopes is missing",
        Some(value) => match scope_list(value) {
            None => "scopes is invalid",
            Some(list) if list.iter().any(|s| !allowed.contains(&s.as_str())) => {
                "scopes does not have a valid value"
            }
            Some(list) => return Some(list),
        },
    };
    errors.push(problem.to_string());
    None
}

/// A string, number or boolean as text (Grape coerces these to `String`); `None` otherwise.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An array of strings, or a comma-separated string; `None` for anything else.
pub fn scope_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(
            s.split(',')
                .map(|part| part.trim().to_string())
                .filter(|part| !part.is_empty())
                .collect(),
        ),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

/// `YYYY-MM-DD` exactly, and a real calendar date.
pub fn parse_wire_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

pub fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// GitLab's personal access token entity, with the token value (shown only at creation).
pub fn token_entity(token: &Token) -> Value {
    json!({
        "id": token.id,
        "name": token.name,
        "revoked": false,
        "created_at": token.created_at,
        "description": token.description,
        "scopes": token.scopes,
        "user_id": token.user_id,
        "last_used_at": null,
        "active": true,
        "expires_at": token.expires_at.map(|d| d.format("%Y-%m-%d").to_string()),
        "token": token.value,
    })
}

/// The fields anyone may see (`UserBasic`): what `GET /users` lists for non-administrators.
pub fn basic_entity(state: &State, user: &User) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(user.id));
    m.insert("username".into(), json!(user.username));
    m.insert("public_email".into(), Value::Null);
    m.insert("name".into(), json!(user.name));
    m.insert("state".into(), json!(user.state));
    m.insert("locked".into(), json!(false));
    m.insert(
        "avatar_url".into(),
        json!(format!(
            "https://www.gravatar.com/avatar/{:032x}?s=80&d=identicon",
            u128::from(user.id).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
        )),
    );
    m.insert(
        "web_url".into(),
        json!(format!("{}/{}", state.base_url, user.username)),
    );
    m
}

/// The profile (`User`): what `GET /users/:id` shows non-administrators.
pub fn user_entity(state: &State, user: &User) -> Map<String, Value> {
    let mut m = basic_entity(state, user);
    m.insert("created_at".into(), json!(user.created_at));
    for key in [
        "bio",
        "location",
        "linkedin",
        "twitter",
        "discord",
        "website_url",
        "organization",
        "job_title",
    ] {
        m.insert(key.into(), json!(""));
    }
    m.insert("pronouns".into(), Value::Null);
    m.insert("bot".into(), json!(false));
    m.insert("work_information".into(), Value::Null);
    m.insert("followers".into(), json!(0));
    m.insert("following".into(), json!(0));
    m
}

/// The caller's own view (`UserPublic`): what `GET /user` shows non-administrators.
pub fn public_entity(state: &State, user: &User) -> Map<String, Value> {
    let mut m = user_entity(state, user);
    let email = format!("{}@example.test", user.username);
    m.insert("last_sign_in_at".into(), Value::Null);
    m.insert("confirmed_at".into(), json!(user.created_at));
    m.insert(
        "last_activity_on".into(),
        json!(state.today().format("%Y-%m-%d").to_string()),
    );
    m.insert("email".into(), json!(email));
    m.insert("theme_id".into(), json!(1));
    m.insert("color_scheme_id".into(), json!(1));
    m.insert("projects_limit".into(), json!(100_000));
    m.insert("current_sign_in_at".into(), Value::Null);
    m.insert("identities".into(), json!([]));
    m.insert("can_create_group".into(), json!(true));
    m.insert("can_create_project".into(), json!(true));
    m.insert("two_factor_enabled".into(), json!(false));
    m.insert("external".into(), json!(false));
    m.insert("private_profile".into(), json!(false));
    m.insert("commit_email".into(), json!(email));
    m
}

/// What administrators see of any user (`UserWithAdmin`): the public view plus `is_admin`.
pub fn admin_entity(state: &State, user: &User) -> Map<String, Value> {
    let mut m = public_entity(state, user);
    m.insert("is_admin".into(), json!(user.admin));
    m.insert("note".into(), Value::Null);
    m.insert("namespace_id".into(), json!(user.id));
    m.insert("created_by".into(), Value::Null);
    m
}

pub fn not_found() -> Reply {
    Reply::error(404, "404 Not Found")
}

fn user_not_found() -> Reply {
    Reply::message(404, "404 User Not Found")
}

pub fn unauthorized() -> Reply {
    Reply::message(401, "401 Unauthorized")
}

pub fn forbidden() -> Reply {
    Reply::message(403, "403 Forbidden")
}

fn expired() -> Reply {
    Reply::json(
        401,
        &json!({"error": "invalid_token", "error_description": "Token has expired."}),
    )
    .with_header(
        "WWW-Authenticate",
        "Bearer realm=\"Protected by OAuth 2.0\", error=\"invalid_token\", \
         error_description=\"Token has expired.\"",
    )
}

fn revoked() -> Reply {
    Reply::json(
        401,
        &json!({"error": "invalid_token", "error_description": "Token was revoked. You have to re-authorize from the user."}),
    )
    .with_header(
        "WWW-Authenticate",
        "Bearer realm=\"Protected by OAuth 2.0\", error=\"invalid_token\", \
         error_description=\"Token was revoked. You have to re-authorize from the user.\"",
    )
}

pub fn insufficient_scope() -> Reply {
    Reply::json(
        403,
        &json!({
            "error": "insufficient_scope",
            "error_description": "The request requires higher privileges than provided by the access token.",
            "scope": "api",
        }),
    )
}

/// The shape of an ActiveRecord validation failure: `{"message":{"field":["problem"]}}`.
pub fn validation_error(field: &str, problem: &str) -> Reply {
    Reply::json(400, &json!({ "message": { field: [problem] } }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn routes_parse() {
        assert_eq!(Route::parse("/api/v4/user"), Some(Route::CurrentUser));
        assert_eq!(
            Route::parse("/api/v4/users/4%32/personal_access_tokens"),
            Some(Route::UserTokens("42".into()))
        );
        assert_eq!(Route::parse("/api/v4/users/"), None);
        assert_eq!(Route::parse("/api/v4"), None);
        assert_eq!(Route::parse("/api/v3/user"), None);
    }

    #[test]
    fn missing_parameters_are_joined_in_order() {
        let err = check_params(&params(json!({})), ALL_SCOPES).unwrap_err();
        assert_eq!(err.join(", "), "name is missing, scopes is missing");
        let err = check_params(
            &params(json!({"scopes":["api","bogus"],"expires_at":"2030-1-1"})),
            ALL_SCOPES,
        )
        .unwrap_err();
        assert_eq!(
            err,
            [
                "name is missing",
                "scopes does not have a valid value",
                "expires_at is invalid"
            ]
        );
    }

    #[test]
    fn scopes_accept_comma_separated_text() {
        let p = check_params(
            &params(json!({"name":"n","scopes":"api, read_user","expires_at":null})),
            ALL_SCOPES,
        )
        .unwrap();
        assert_eq!(p.scopes, ["api", "read_user"]);
        assert_eq!(p.expires_at, None);
    }

    #[test]
    fn self_service_scopes_are_limited() {
        let err =
            check_params(&params(json!({"name":"n","scopes":["api"]})), SELF_SCOPES).unwrap_err();
        assert_eq!(err, ["scopes does not have a valid value"]);
    }

    #[test]
    fn wire_dates_are_strict() {
        assert_eq!(
            parse_wire_date("2030-02-28"),
            NaiveDate::from_ymd_opt(2030, 2, 28)
        );
        for bad in [
            "2030-02-30",
            "2030-2-28",
            "30-02-2030",
            "2030/02/28",
            "2030-02-28T00:00:00Z",
        ] {
            assert_eq!(parse_wire_date(bad), None, "{bad}");
        }
    }
}
