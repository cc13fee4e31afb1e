//! Group and project access tokens, as GitLab's API documentation (doc/api/group_access_tokens.md,
//! doc/api/project_access_tokens.md) and its Grape code (lib/api/resource_access_tokens.rb and
//! resource_access_tokens/self_rotation.rb, the create, revoke and rotate services) describe them.
//!
//! | Route (`:kind` is `groups` or `projects`)   | Method | Answers |
//! |---------------------------------------------|--------|---------|
//! | `/:kind/:id/access_tokens`                  | GET    | 200 one page (filters, `sort` and paging as every token list: [`crate::listing`]); 401 without the role |
//! | `/:kind/:id/access_tokens`                  | POST   | 201 new token with `token`; 400 Grape's parameter errors, the role, the access level, the name, the expiry |
//! | `/:kind/:id/access_tokens/:token_id`        | GET    | 200; 401 without the role; 404 `{"message":"404 group Access Token Not Found"}` |
//! | `/:kind/:id/access_tokens/:token_id`        | DELETE | 204 (again 204 for a revoked token, as GitLab's revoke service does); 400 without the role; 404 as GET |
//! | `/:kind/:id/access_tokens/:token_id/rotate` | POST   | 200 new token; 400 revoked (its family is revoked too), access level, expiry; 401 without the role, missing (non-admins), expired, or a resource token rotating another; 404 missing (admins) |
//! | `/:kind/:id/access_tokens/self/rotate`      | POST   | 200 the caller's own resource token rotated; 405 unless the caller is a resource token; 401 a token of another group or project |
//!
//! `:id` is a numeric id or the URL-encoded full path (`acme%2Fplatform`), matched without regard
//! to case; one the caller may not see (unknown, or private without membership) answers 404
//! `{"message":"404 Group Not Found"}` / `404 Project Not Found`. Every check above comes after
//! authentication (401) and the scopes (403 `insufficient_scope`: `api` or `read_api` to read,
//! `api` to change, `api` or `self_rotate` for `self/rotate`); Grape's parameter errors (400
//! `{"error":"name is missing, scopes is missing"}`) come before the group or project is looked up.
//!
//! Roles: managing (listing, reading, creating, revoking, rotating) a group's tokens takes the
//! Owner role in it (GitLab's `admin_group`), a project's the Maintainer role or higher
//! (`admin_project`). Membership is inherited from parent groups (by full path). Administrators
//! count as Owner everywhere (as GitLab's `Group#max_member_access_for_user` has it). A failed
//! create answers 400 `{"message":"400 Bad request - User does not have permission to create group
//! access token"}`, a failed revoke `"400 Bad request - <caller's name> cannot delete <bot's
//! name>"`, a failed read or rotation 401. A resource token cannot create tokens.
//!
//! Access levels: 10 guest, 15 planner, 20 reporter, 30 developer, 40 maintainer (the default),
//! 50 owner; anything else is 400 `access_level does not have a valid value`. A caller may give a
//! level up to their own, and Planner only as Owner or Planner (GitLab's `Authz::Role`), else 400
//! `"400 Bad request - Access level of the token contains permissions not held by the creating
//! user"`; rotating a token whose level is above the caller's is 400 `"400 Bad request - Not
//! eligible to rotate tokens with permissions not held by the user"`.
//!
//! Scopes: GitLab's `resource_bot_scopes` ([`RESOURCE_SCOPES`]): the personal list without
//! `read_user`, `sudo`, `admin_mode` and `read_service_ping`. Others are 400 `scopes does not have
//! a valid value`.
//!
//! The name and description checks answer Rails' validation sentences with the same prefix
//! (`Name can't be blank`, `Name is too long (maximum is 255 characters)`, `Description is too
//! long (maximum is 255 characters)`, `Scopes can't be blank`); these were not confirmed word for
//! word against GitLab's code, unlike the other messages here.
//!
//! Expiry follows the instance settings as for personal tokens (`require_expiry`,
//! `max_lifetime_days`), answered 400 with GitLab's words: `"400 Bad request - Expires at cannot
//! be in the past"`, `"400 Bad request - Expires at must be before YYYY-MM-DD"`. A rotation takes
//! the personal tokens' rules ([`pat::rotate_at`]).
//!
//! Each token has its bot user, made at creation: a user named like the token, username
//! `group_<id>_bot_<32 hex>` (or `project_...`), a member of the group or project with the
//! token's access level; the token's `user_id` is the bot's id and the token authenticates as the
//! bot. The entity is the personal token's plus `access_level`, `resource_type` (`group` or
//! `project`) and `resource_id`.
//!
//! `GET .../access_tokens/self` and `DELETE .../self` answer 404 like any unknown id: GitLab's code
//! looks `:token_id` up as an id there (only its 17.x pages mentioned `self` for GET).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use crate::api::{self, MAX_NAME_CHARS, is_digits, parse_wire_date, unauthorized};
use crate::control::{object_body, seed_batch};
use crate::listing::ListQuery;
use crate::pat;
use crate::state::{State, Token, User, now_iso};
use crate::wire::{Incoming, Reply};

/// GitLab's `Gitlab::Auth.resource_bot_scopes`: what group and project access tokens may have.
pub const RESOURCE_SCOPES: &[&str] = &[
    "api",
    "read_api",
    "create_runner",
    "manage_runner",
    "k8s_proxy",
    "self_rotate",
    "read_repository",
    "write_repository",
    "read_registry",
    "write_registry",
    "read_virtual_registry",
    "write_virtual_registry",
    "read_observability",
    "write_observability",
    "ai_features",
];

/// GitLab's roles by name, as `access_level` takes them.
pub const ACCESS_LEVELS: &[(&str, u32)] = &[
    ("guest", 10),
    ("planner", 15),
    ("reporter", 20),
    ("developer", 30),
    ("maintainer", 40),
    ("owner", 50),
];
const PLANNER: u32 = 15;
const MAINTAINER: u32 = 40;
const OWNER: u32 = 50;

/// What owns the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Group,
    Project,
}

impl Kind {
    /// The word GitLab's messages use (`group`, `project`).
    fn noun(self) -> &'static str {
        match self {
            Kind::Group => "group",
            Kind::Project => "project",
        }
    }

    /// `find_group!` / `find_project!` when there is nothing the caller may see.
    fn not_found(self) -> Reply {
        match self {
            Kind::Group => Reply::message(404, "404 Group Not Found"),
            Kind::Project => Reply::message(404, "404 Project Not Found"),
        }
    }

    /// The role managing this kind's tokens takes.
    fn managing_level(self) -> u32 {
        match self {
            Kind::Group => OWNER,
            Kind::Project => MAINTAINER,
        }
    }
}

/// A group or a project.
#[derive(Debug, Clone)]
pub struct Resource {
    pub kind: Kind,
    pub id: u64,
    pub full_path: String,
    pub name: String,
    /// `private`, `internal` or `public`.
    pub visibility: String,
    /// Direct members: user id → access level (bot users included).
    pub members: BTreeMap<u64, u32>,
}

impl Resource {
    fn to_json(&self) -> Value {
        let members: Vec<Value> = self
            .members
            .iter()
            .map(|(user_id, level)| json!({"user_id": user_id, "access_level": level}))
            .collect();
        json!({
            "kind": self.kind.noun(),
            "id": self.id,
            "full_path": self.full_path,
            "name": self.name,
            "visibility": self.visibility,
            "members": members,
        })
    }
}

/// The bot user behind a resource access token: whose it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Bot {
    pub kind: Kind,
    pub resource_id: u64,
}

/// Every group and project, and the bots of their tokens.
#[derive(Debug, Default)]
pub struct Resources {
    pub list: Vec<Resource>,
    /// Bot user id → what the bot belongs to.
    pub bots: HashMap<u64, Bot>,
}

/// An access token route, with `:id` and `:token_id` decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// `/:kind/:id/access_tokens`
    List(Kind, String),
    /// `/:kind/:id/access_tokens/:token_id`
    One(Kind, String, String),
    /// `/:kind/:id/access_tokens/:token_id/rotate`
    Rotate(Kind, String, String),
}

impl Route {
    /// Reads the path segments after `/api/v4/`, already percent-decoded (so an encoded full
    /// path is one segment, and a path with plain slashes matches no route, as in GitLab).
    pub fn parse(segments: &[&str]) -> Option<Route> {
        let (kind, rest) = match segments.split_first()? {
            (&"groups", rest) => (Kind::Group, rest),
            (&"projects", rest) => (Kind::Project, rest),
            _ => return None,
        };
        let text = |s: &str| s.to_string();
        match rest {
            [id, "access_tokens"] if !id.is_empty() => Some(Route::List(kind, text(id))),
            [id, "access_tokens", token] if !id.is_empty() && !token.is_empty() => {
                Some(Route::One(kind, text(id), text(token)))
            }
            [id, "access_tokens", token, "rotate"] if !id.is_empty() && !token.is_empty() => {
                Some(Route::Rotate(kind, text(id), text(token)))
            }
            _ => None,
        }
    }

    /// The methods the route takes (`HEAD` counts as `GET`).
    pub fn methods(&self) -> &'static [&'static str] {
        match self {
            Route::List(..) => &["GET", "POST"],
            Route::One(..) => &["GET", "DELETE"],
            Route::Rotate(..) => &["POST"],
        }
    }

    /// The scopes a fake-created token needs for this request.
    pub fn scopes_needed(&self, method: &str) -> Option<&'static [&'static str]> {
        match (self, method) {
            (Route::Rotate(_, _, token), _) if token == "self" => Some(&["api", "self_rotate"]),
            (_, "GET") => Some(&["api", "read_api"]),
            _ => Some(&["api"]),
        }
    }
}

/// Answers one access token request from an authenticated caller whose scopes were checked.
pub fn handle(
    state: &mut State,
    req: &Incoming,
    caller: &User,
    own_token: Option<u64>,
    route: &Route,
) -> Reply {
    let reading = req.method == "GET" || req.method == "HEAD";
    let answer = match route {
        Route::List(kind, id) if reading => list(state, req, caller, *kind, id),
        Route::List(kind, id) => create(state, req, caller, *kind, id),
        Route::One(kind, id, token) if reading => get(state, caller, *kind, id, token),
        Route::One(kind, id, token) => revoke(state, caller, *kind, id, token),
        Route::Rotate(kind, id, token) if token == "self" => {
            self_rotate(state, req, caller, own_token, *kind, id)
        }
        Route::Rotate(kind, id, token) => rotate(state, req, caller, *kind, id, token),
    };
    answer.unwrap_or_else(|reply| reply)
}

/// The index of the group or project `id` names, if the caller may see it.
fn find(state: &State, caller: &User, kind: Kind, id: &str) -> Result<usize, Reply> {
    let list = &state.resources.list;
    let found = if is_digits(id) {
        let wanted = id.parse::<u64>().ok();
        list.iter()
            .position(|r| r.kind == kind && Some(r.id) == wanted)
    } else {
        list.iter()
            .position(|r| r.kind == kind && r.full_path.eq_ignore_ascii_case(id))
    };
    match found {
        Some(i) if list[i].visibility != "private" || level(state, caller, i) > 0 => Ok(i),
        _ => Err(kind.not_found()),
    }
}

/// The caller's access level in resource `i`: direct or through a parent group, the highest;
/// Owner for administrators.
fn level(state: &State, user: &User, i: usize) -> u32 {
    if user.admin {
        return OWNER;
    }
    let resource = &state.resources.list[i];
    state
        .resources
        .list
        .iter()
        .filter(|r| {
            std::ptr::eq(*r, resource)
                || (r.kind == Kind::Group
                    && resource
                        .full_path
                        .to_lowercase()
                        .starts_with(&format!("{}/", r.full_path.to_lowercase())))
        })
        .filter_map(|r| r.members.get(&user.id).copied())
        .max()
        .unwrap_or(0)
}

/// Whether the caller has the role managing resource `i`'s tokens.
fn may_manage(state: &State, caller: &User, i: usize) -> bool {
    level(state, caller, i) >= state.resources.list[i].kind.managing_level()
}

/// GitLab's `Authz::Role.access_level_encompasses?`: a level up to one's own, and Planner (which
/// is outside the hierarchy) only for Owners and Planners.
fn encompasses(own: u32, wanted: u32) -> bool {
    if wanted == PLANNER {
        own == OWNER || own == PLANNER
    } else {
        wanted <= own
    }
}

fn bot_of(state: &State, user_id: u64) -> Option<&Bot> {
    state.resources.bots.get(&user_id)
}

/// The index of resource `i`'s token `token_id` (digits only; `self` names none).
fn token_in(state: &State, i: usize, token_id: &str) -> Option<usize> {
    let wanted = Some(token_id)
        .filter(|t| is_digits(t))
        .and_then(|t| t.parse::<u64>().ok())?;
    let t = state.tokens.iter().position(|t| t.id == wanted)?;
    belongs(state, i, state.tokens[t].user_id).then_some(t)
}

/// Whether `user_id` is a bot of resource `i`.
fn belongs(state: &State, i: usize, user_id: u64) -> bool {
    let r = &state.resources.list[i];
    bot_of(state, user_id).is_some_and(|b| b.kind == r.kind && b.resource_id == r.id)
}

/// `404 group Access Token Not Found`, GitLab's words (with its lower-case noun).
fn token_not_found(kind: Kind) -> Reply {
    Reply::message(404, &format!("404 {} Access Token Not Found", kind.noun()))
}

fn bad_request(reason: &str) -> Reply {
    Reply::message(400, &format!("400 Bad request - {reason}"))
}

/// GitLab's `ResourceAccessToken` entity (with `token` when `with_value`).
fn entity(state: &State, token: &Token, with_value: bool) -> Value {
    let mut shown = pat::entity(token, state.today());
    let owner = bot_of(state, token.user_id).and_then(|b| {
        state
            .resources
            .list
            .iter()
            .find(|r| r.kind == b.kind && r.id == b.resource_id)
    });
    let access_level = owner.and_then(|r| r.members.get(&token.user_id));
    shown["access_level"] = json!(access_level);
    shown["resource_type"] = json!(owner.map(|r| r.kind.noun()));
    shown["resource_id"] = json!(owner.map(|r| r.id));
    if with_value {
        shown["token"] = json!(token.value);
    }
    shown
}

/// `GET /:kind/:id/access_tokens`
fn list(
    state: &State,
    req: &Incoming,
    caller: &User,
    kind: Kind,
    id: &str,
) -> Result<Reply, Reply> {
    let mut errors = Vec::new();
    let query = ListQuery::parse(&req.query, &mut errors);
    if !errors.is_empty() {
        return Err(Reply::error(400, &errors.join(", ")));
    }
    let i = find(state, caller, kind, id)?;
    if !may_manage(state, caller, i) {
        return Err(unauthorized());
    }
    let today = state.today();
    let mut matching: Vec<&Token> = state
        .tokens
        .iter()
        .filter(|t| belongs(state, i, t.user_id))
        .filter(|t| query.matches(t, today))
        .collect();
    query.sort(&mut matching);
    Ok(query.page_reply(state, req, &matching, |t| entity(state, t, false)))
}

/// `GET /:kind/:id/access_tokens/:token_id`
fn get(state: &State, caller: &User, kind: Kind, id: &str, token_id: &str) -> Result<Reply, Reply> {
    let i = find(state, caller, kind, id)?;
    if !may_manage(state, caller, i) {
        return Err(unauthorized());
    }
    let t = token_in(state, i, token_id).ok_or_else(|| token_not_found(kind))?;
    Ok(Reply::json(200, &entity(state, &state.tokens[t], false)))
}

/// `DELETE /:kind/:id/access_tokens/:token_id`: the token is looked up first, then the revoke
/// service checks the role.
fn revoke(
    state: &mut State,
    caller: &User,
    kind: Kind,
    id: &str,
    token_id: &str,
) -> Result<Reply, Reply> {
    let i = find(state, caller, kind, id)?;
    let t = token_in(state, i, token_id).ok_or_else(|| token_not_found(kind))?;
    if !may_manage(state, caller, i) {
        let bot_name = state
            .user(state.tokens[t].user_id)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        return Err(bad_request(&format!(
            "{} cannot delete {bot_name}",
            caller.name
        )));
    }
    state.tokens[t].revoked = true;
    Ok(Reply::empty(204))
}

/// A creation's parameters after Grape's checks.
#[derive(Debug, PartialEq)]
struct CreateParams {
    name: String,
    description: Option<String>,
    expires_at: Option<NaiveDate>,
    scopes: Vec<String>,
    access_level: u32,
}

/// Grape's checks for a creation, errors in declaration order: `name`, `description`,
/// `expires_at` (the shared token parameters), then `scopes` and `access_level`.
fn check_create(params: &Map<String, Value>) -> Result<CreateParams, Vec<String>> {
    let mut errors = Vec::new();
    let present = |key: &str| params.get(key).filter(|v| !v.is_null());
    let text = |key: &str, required: bool, errors: &mut Vec<String>| match present(key) {
        None if required => {
            errors.push(format!("{key} is missing"));
            None
        }
        None => None,
        Some(value) => {
            let text = api::scalar_text(value);
            if text.is_none() {
                errors.push(format!("{key} is invalid"));
            }
            text
        }
    };
    let name = text("name", true, &mut errors);
    let description = text("description", false, &mut errors);
    let expires_at = match present("expires_at") {
        None => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(value) => {
            let date = value.as_str().and_then(parse_wire_date);
            if date.is_none() {
                errors.push("expires_at is invalid".to_string());
            }
            date
        }
    };
    let scopes = api::checked_scopes(params, RESOURCE_SCOPES, &mut errors);
    let access_level = match present("access_level") {
        None => Some(MAINTAINER),
        Some(value) => match integer(value) {
            None => {
                errors.push("access_level is invalid".to_string());
                None
            }
            Some(n)
                if ACCESS_LEVELS
                    .iter()
                    .any(|(_, level)| u64::from(*level) == n) =>
            {
                u32::try_from(n).ok()
            }
            Some(_) => {
                errors.push("access_level does not have a valid value".to_string());
                None
            }
        },
    };
    match (name, scopes, access_level) {
        (Some(name), Some(scopes), Some(access_level)) if errors.is_empty() => Ok(CreateParams {
            name,
            description,
            expires_at,
            scopes,
            access_level,
        }),
        _ => Err(errors),
    }
}

/// A JSON number or a string of digits as an integer (Grape's `Integer` coercion).
fn integer(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if is_digits(s.trim()) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `POST /:kind/:id/access_tokens`
fn create(
    state: &mut State,
    req: &Incoming,
    caller: &User,
    kind: Kind,
    id: &str,
) -> Result<Reply, Reply> {
    let params = api::request_params(req)?;
    let p = check_create(&params).map_err(|errors| Reply::error(400, &errors.join(", ")))?;
    let i = find(state, caller, kind, id)?;
    if bot_of(state, caller.id).is_some() || !may_manage(state, caller, i) {
        return Err(bad_request(&format!(
            "User does not have permission to create {} access token",
            kind.noun()
        )));
    }
    if !encompasses(level(state, caller, i), p.access_level) {
        return Err(bad_request(
            "Access level of the token contains permissions not held by the creating user",
        ));
    }
    if p.name.trim().is_empty() {
        return Err(bad_request("Name can't be blank"));
    }
    if p.name.chars().count() > MAX_NAME_CHARS {
        return Err(bad_request("Name is too long (maximum is 255 characters)"));
    }
    if p.description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_NAME_CHARS)
    {
        return Err(bad_request(
            "Description is too long (maximum is 255 characters)",
        ));
    }
    if p.scopes.is_empty() {
        return Err(bad_request("Scopes can't be blank"));
    }
    let expires_at = api::new_token_expiry(state, p.expires_at).map_err(|m| bad_request(&m))?;

    let bot_id = add_bot(state, i, &p.name, p.access_level);
    let t = api::add_token(state, bot_id, p.name, p.description, p.scopes, expires_at);
    Ok(Reply::json(201, &entity(state, &state.tokens[t], true)))
}

/// Makes the bot user for a new token of resource `i` and makes it a member; answers its id.
fn add_bot(state: &mut State, i: usize, name: &str, access_level: u32) -> u64 {
    let id = state.next_user_id;
    state.next_user_id += 1;
    let (kind, resource_id) = (state.resources.list[i].kind, state.resources.list[i].id);
    // Distinct per bot; GitLab uses 16 random bytes.
    let suffix = u128::from(id).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
    state.users.push(User {
        id,
        username: format!("{}_{resource_id}_bot_{suffix:032x}", kind.noun()),
        name: name.to_string(),
        admin: false,
        state: "active".to_string(),
        created_at: now_iso(),
    });
    state.resources.list[i].members.insert(id, access_level);
    state.resources.bots.insert(id, Bot { kind, resource_id });
    id
}

/// `POST /:kind/:id/access_tokens/:token_id/rotate`
fn rotate(
    state: &mut State,
    req: &Incoming,
    caller: &User,
    kind: Kind,
    id: &str,
    token_id: &str,
) -> Result<Reply, Reply> {
    let expires_at = pat::rotation_params(req)?;
    let i = find(state, caller, kind, id)?;
    // A resource token may rotate only itself (`self/rotate`).
    let allowed = bot_of(state, caller.id).is_none() && may_manage(state, caller, i);
    let Some(t) = token_in(state, i, token_id).filter(|_| allowed) else {
        // Only administrators learn that the token does not exist.
        return Err(if caller.admin {
            Reply::message(404, "404 Not Found")
        } else {
            unauthorized()
        });
    };
    let token_level = entity(state, &state.tokens[t], false)["access_level"]
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0);
    let refusal = (!encompasses(level(state, caller, i), token_level)).then(|| {
        bad_request("Not eligible to rotate tokens with permissions not held by the user")
    });
    let new = pat::rotate_at(state, t, expires_at, refusal)?;
    Ok(Reply::json(200, &entity(state, &state.tokens[new], true)))
}

/// `POST /:kind/:id/access_tokens/self/rotate`: a resource token rotating itself.
fn self_rotate(
    state: &mut State,
    req: &Incoming,
    caller: &User,
    own_token: Option<u64>,
    kind: Kind,
    id: &str,
) -> Result<Reply, Reply> {
    let expires_at = pat::rotation_params(req)?;
    let own = own_token.filter(|_| bot_of(state, caller.id).is_some());
    let Some(own) = own else {
        return Err(Reply::message(405, "405 Method Not Allowed"));
    };
    let i = find(state, caller, kind, id)?;
    let t = token_in(state, i, &own.to_string()).ok_or_else(unauthorized)?;
    let new = pat::rotate_at(state, t, expires_at, None)?;
    Ok(Reply::json(200, &entity(state, &state.tokens[new], true)))
}

/// The control API's routes for groups, projects and their tokens (`None`: not one of them).
///
/// | Route                      | Method | Body → answer |
/// |----------------------------|--------|---------------|
/// | `/__fake/groups`           | GET    | → 200 every group, with its members |
/// | `/__fake/groups`           | POST   | one spec, or `{"groups":[..]}` → 201 the group (or array); 409 a taken path or id |
/// | `/__fake/projects`         | GET, POST | the same for projects (`{"projects":[..]}`) |
/// | `/__fake/resource-tokens`  | GET    | → 200 every group and project token, with `token` and `previous_id` |
/// | `/__fake/resource-tokens`  | POST   | one spec, or `{"tokens":[..]}` → 201 array of new tokens with values |
///
/// A group or project spec: `full_path` (required: segments without spaces, joined by `/`),
/// `id` (default the kind's highest id + 1), `name` (default the last path segment), `visibility`
/// (`private`, the default, `internal` or `public`) and `members`: `[{"user_id": 42,
/// "access_level": 50}, {"username": "alice", "access_level": "maintainer"}]`. A project
/// inherits the members of the groups its path lies under, as a subgroup does its parents'.
///
/// A token spec: `group` or `project` (id or full path), `access_level` (number or name,
/// default 40), `count`, and the fields of `POST /__fake/tokens` (`name`, `scopes`,
/// `expires_at`, `created_at`, `last_used_at`, `description`, `revoked`, `value`); each token
/// gets its own bot user, as a created one does.
pub fn control(state: &mut State, route: &str, req: &Incoming) -> Option<Reply> {
    let kind = match route {
        "/groups" => Some(Kind::Group),
        "/projects" => Some(Kind::Project),
        "/resource-tokens" => None,
        _ => return None,
    };
    let method = req.method.as_str();
    if method != "GET" && method != "POST" {
        return Some(
            Reply::error(405, &format!("{} takes GET, POST", req.path))
                .with_header("Allow", "GET, POST"),
        );
    }
    let body = match object_body(req) {
        Ok(body) => body,
        Err(reply) => return Some(reply),
    };
    let result = match (method, kind) {
        ("GET", Some(kind)) => Ok(Reply::json(
            200,
            &Value::Array(
                state
                    .resources
                    .list
                    .iter()
                    .filter(|r| r.kind == kind)
                    .map(Resource::to_json)
                    .collect(),
            ),
        )),
        ("GET", None) => {
            let all = state
                .tokens
                .iter()
                .filter(|t| bot_of(state, t.user_id).is_some())
                .map(|t| {
                    let mut shown = entity(state, t, true);
                    shown["previous_id"] = json!(t.previous_id);
                    shown
                })
                .collect();
            Ok(Reply::json(200, &Value::Array(all)))
        }
        (_, Some(kind)) => add_resources(state, kind, &body),
        (_, None) => seed_batch(state, &body, seed_one),
    };
    Some(result.unwrap_or_else(|problem| Reply::error(400, &problem)))
}

/// An access level given as a number or a role name.
fn level_value(value: &Value) -> Option<u32> {
    let by_name = value.as_str().and_then(|name| {
        ACCESS_LEVELS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
            .map(|(_, level)| *level)
    });
    by_name.or_else(|| {
        integer(value)
            .and_then(|n| ACCESS_LEVELS.iter().find(|(_, l)| u64::from(*l) == n))
            .map(|(_, level)| *level)
    })
}

fn add_resources(
    state: &mut State,
    kind: Kind,
    body: &Map<String, Value>,
) -> Result<Reply, String> {
    let plural = format!("{}s", kind.noun());
    let (specs, batch) = match body.get(&plural) {
        Some(Value::Array(items)) => (items.clone(), true),
        Some(_) => return Err(format!("{plural} must be an array")),
        None => (vec![Value::Object(body.clone())], false),
    };
    // Everything is checked first, so a batch is all or nothing.
    let mut new: Vec<Resource> = Vec::new();
    for (n, spec) in specs.iter().enumerate() {
        let spec = spec
            .as_object()
            .ok_or_else(|| format!("{} {n} must be an object", kind.noun()))?;
        let problem = |what: &str| format!("{} {n}: {what}", kind.noun());
        let full_path = spec
            .get("full_path")
            .and_then(Value::as_str)
            .filter(|p| {
                p.split('/')
                    .all(|s| !s.is_empty() && !s.chars().any(char::is_whitespace))
            })
            .ok_or_else(|| problem("full_path must be path segments joined by /"))?
            .to_string();
        let taken_path = state
            .resources
            .list
            .iter()
            .chain(new.iter())
            .any(|r| r.full_path.eq_ignore_ascii_case(&full_path));
        let highest = state
            .resources
            .list
            .iter()
            .chain(new.iter())
            .filter(|r| r.kind == kind)
            .map(|r| r.id)
            .max()
            .unwrap_or(0);
        let id = match spec.get("id") {
            None | Some(Value::Null) => highest + 1,
            Some(v) => v
                .as_u64()
                .filter(|&id| id > 0)
                .ok_or_else(|| problem("id must be a positive number"))?,
        };
        let taken_id = state
            .resources
            .list
            .iter()
            .chain(new.iter())
            .any(|r| r.kind == kind && r.id == id);
        if taken_path || taken_id {
            return Ok(Reply::message(409, "has already been taken"));
        }
        let text = |key: &str| -> Result<Option<String>, String> {
            match spec.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(problem(&format!("{key} must be text"))),
            }
        };
        let visibility = text("visibility")?.unwrap_or_else(|| "private".to_string());
        if !["private", "internal", "public"].contains(&visibility.as_str()) {
            return Err(problem("visibility must be private, internal or public"));
        }
        let mut members = BTreeMap::new();
        let listed = match spec.get("members") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items.clone(),
            Some(_) => return Err(problem("members must be an array")),
        };
        for member in &listed {
            let user_id = match (member.get("user_id"), member.get("username")) {
                (Some(v), _) if !v.is_null() => v.as_u64(),
                (_, Some(Value::String(name))) => state.user_by_username(name).map(|u| u.id),
                _ => None,
            }
            .filter(|&id| state.user(id).is_some())
            .ok_or_else(|| problem(&format!("no such user in {member}")))?;
            let access_level = member
                .get("access_level")
                .and_then(level_value)
                .ok_or_else(|| {
                    problem("access_level must be 10, 15, 20, 30, 40, 50 or a role name")
                })?;
            members.insert(user_id, access_level);
        }
        let name = match text("name")? {
            Some(name) => name,
            None => full_path.rsplit('/').next().unwrap_or_default().to_string(),
        };
        new.push(Resource {
            kind,
            id,
            full_path,
            name,
            visibility,
            members,
        });
    }
    let shown: Vec<Value> = new.iter().map(Resource::to_json).collect();
    state.resources.list.extend(new);
    let answer = if batch {
        Value::Array(shown)
    } else {
        shown.into_iter().next().unwrap_or(Value::Null)
    };
    Ok(Reply::json(201, &answer))
}

/// Seeds `count` tokens of one spec, each with its bot, through the personal token seeding.
fn seed_one(state: &mut State, spec: &Map<String, Value>) -> Result<Vec<Value>, String> {
    let (kind, id) = match (spec.get("group"), spec.get("project")) {
        (Some(g), None) => (Kind::Group, g),
        (None, Some(p)) => (Kind::Project, p),
        _ => return Err("give one of group or project".into()),
    };
    let id = match id {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return Err("group or project must be an id or a full path".into()),
    };
    let admin = User {
        id: 0,
        username: String::new(),
        name: String::new(),
        admin: true,
        state: String::new(),
        created_at: String::new(),
    };
    let i = find(state, &admin, kind, &id).map_err(|_| format!("no {} {id}", kind.noun()))?;
    let access_level = match spec.get("access_level") {
        None | Some(Value::Null) => MAINTAINER,
        Some(v) => {
            level_value(v).ok_or("access_level must be 10, 15, 20, 30, 40, 50 or a role name")?
        }
    };
    let count = match spec.get("count") {
        None | Some(Value::Null) => 1,
        Some(v) => v.as_u64().ok_or("count must be a whole number")?,
    };
    let name = spec
        .get("name")
        .and_then(Value::as_str)
        .ok_or("name is required")?
        .to_string();
    if count != 1 && spec.get("value").is_some_and(|v| !v.is_null()) {
        return Err("value needs count 1".into());
    }
    let mut out = Vec::new();
    for n in 1..=count {
        let token_name = if count == 1 {
            name.clone()
        } else {
            format!("{name} {n}")
        };
        let bot = add_bot(state, i, &token_name, access_level);
        let mut one = spec.clone();
        for key in ["group", "project", "access_level", "count", "username"] {
            one.remove(key);
        }
        one.insert("user_id".into(), json!(bot));
        one.insert("name".into(), json!(token_name));
        if let Err(problem) = pat::seed(state, &one) {
            // Undo the bot: nothing of a failed spec stays.
            state.users.retain(|u| u.id != bot);
            state.resources.bots.remove(&bot);
            state.resources.list[i].members.remove(&bot);
            return Err(problem);
        }
        out.push(entity(state, &state.tokens[state.tokens.len() - 1], true));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: u64, admin: bool) -> User {
        User {
            id,
            username: format!("u{id}"),
            name: format!("User {id}"),
            admin,
            state: "active".into(),
            created_at: now_iso(),
        }
    }

    fn resource(kind: Kind, id: u64, path: &str, members: &[(u64, u32)]) -> Resource {
        Resource {
            kind,
            id,
            full_path: path.into(),
            name: path.rsplit('/').next().unwrap().into(),
            visibility: "private".into(),
            members: members.iter().copied().collect(),
        }
    }

    #[test]
    fn routes_parse_encoded_paths_only() {
        let parse = |path: &str| {
            let segments: Vec<String> = path.split('/').map(crate::wire::percent_decode).collect();
            let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
            Route::parse(&segments)
        };
        assert_eq!(
            parse("groups/acme%2Fplatform/access_tokens"),
            Some(Route::List(Kind::Group, "acme/platform".into()))
        );
        assert_eq!(
            parse("projects/7/access_tokens/self/rotate"),
            Some(Route::Rotate(Kind::Project, "7".into(), "self".into()))
        );
        assert_eq!(
            parse("projects/7/access_tokens/12"),
            Some(Route::One(Kind::Project, "7".into(), "12".into()))
        );
        assert_eq!(parse("groups/acme/platform/access_tokens"), None);
        assert_eq!(parse("groups//access_tokens"), None);
        assert_eq!(parse("users/7/access_tokens"), None);
    }

    #[test]
    fn levels_are_inherited_from_parent_groups_and_admins_own_everything() {
        let mut state = State::new("http://x".into());
        state.resources.list = vec![
            resource(Kind::Group, 1, "acme", &[(42, OWNER)]),
            resource(Kind::Group, 2, "acme/platform", &[(43, 30)]),
            resource(Kind::Project, 3, "acme/platform/api", &[(43, 40)]),
            resource(Kind::Project, 4, "acmeother/x", &[]),
        ];
        assert_eq!(level(&state, &user(42, false), 2), OWNER);
        assert_eq!(level(&state, &user(43, false), 2), 40);
        assert_eq!(level(&state, &user(43, false), 1), 30);
        assert_eq!(
            level(&state, &user(42, false), 3),
            0,
            "acmeother is not under acme"
        );
        assert_eq!(level(&state, &user(1, true), 3), OWNER);
        assert!(find(&state, &user(43, false), Kind::Project, "4").is_err());
        assert_eq!(
            find(&state, &user(42, false), Kind::Project, "ACME/platform/API"),
            Ok(2)
        );
    }

    #[test]
    fn planner_is_outside_the_hierarchy() {
        assert!(encompasses(OWNER, PLANNER));
        assert!(encompasses(PLANNER, PLANNER));
        assert!(!encompasses(MAINTAINER, PLANNER));
        assert!(encompasses(MAINTAINER, 30));
        assert!(encompasses(MAINTAINER, MAINTAINER));
        assert!(!encompasses(MAINTAINER, OWNER));
        assert!(!encompasses(PLANNER, 20));
    }

    #[test]
    fn create_parameters_are_checked_in_grape_order() {
        let check = |v: Value| check_create(v.as_object().unwrap());
        assert_eq!(
            check(json!({})).unwrap_err(),
            ["name is missing", "scopes is missing"]
        );
        assert_eq!(
            check(json!({"name":"n","expires_at":"soon","scopes":["sudo"],"access_level":45}))
                .unwrap_err(),
            [
                "expires_at is invalid",
                "scopes does not have a valid value",
                "access_level does not have a valid value"
            ]
        );
        assert_eq!(
            check(json!({"name":"n","scopes":["api"],"access_level":"lots"})).unwrap_err(),
            ["access_level is invalid"]
        );
        let p =
            check(json!({"name":"n","scopes":"api,read_repository","access_level":"30"})).unwrap();
        assert_eq!(p.scopes, ["api", "read_repository"]);
        assert_eq!(p.access_level, 30);
        assert_eq!(
            check(json!({"name":"n","scopes":["api"]}))
                .unwrap()
                .access_level,
            MAINTAINER
        );
        for personal_only in ["read_user", "sudo", "admin_mode", "read_service_ping"] {
            assert!(
                check(json!({"name":"n","scopes":[personal_only]})).is_err(),
                "{personal_only}"
            );
        }
    }

    #[test]
    fn resource_scopes_are_the_personal_ones_less_the_user_and_admin_ones() {
        let mut expected: Vec<&str> = api::ALL_SCOPES
            .iter()
            .copied()
            .filter(|s| !["read_user", "sudo", "admin_mode", "read_service_ping"].contains(s))
            .collect();
        let mut actual = RESOURCE_SCOPES.to_vec();
        expected.sort_unstable();
        actual.sort_unstable();
        assert_eq!(actual, expected);
    }
}
