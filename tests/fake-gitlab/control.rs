//! The control API under `/__fake/`: lets a test read the request record, change settings,
//! inject faults and add users. No authentication; JSON in and out; never recorded.
//!
//! | Route                    | Method      | Body → answer                                                   |
//! |--------------------------|-------------|-----------------------------------------------------------------|
//! | `/__fake/requests`       | GET         | → 200 array of recorded API requests, oldest first              |
//! | `/__fake/requests`       | DELETE      | → 204; clears the record, restarts `seq` and `connection` at 1  |
//! | `/__fake/settings`       | GET         | → 200 `{"require_expiry":false,"max_lifetime_days":365,"today":null,"link_only_pagination":false,"delay_ms":0,"delay_cycle_ms":[]}` |
//! | `/__fake/settings`       | PUT, PATCH  | any subset of those fields → 200 full settings; unknown field → 400 |
//! | `/__fake/rate-limit`     | POST        | `{"count":N,"retry_after":S}` → 200 pending injections          |
//! | `/__fake/fail`           | POST        | `{"count":N,"status":500,"body":"...","content_type":"...","headers":{},"pad_bytes":0}` → 200 pending (`pad_bytes` spaces are added to the body, for answers larger than a control request may be) |
//! | `/__fake/pass`           | POST        | `{"count":N}` → 200 pending; the next N API requests are served normally before later injections apply |
//! | `/__fake/users`          | POST        | `{"username":..}` → 201 user; `{"users":[..]}` → 201 array      |
//! | `/__fake/tokens`         | GET         | → 200 every token the fake knows, with its value and state      |
//! | `/__fake/tokens`         | POST        | one token spec, or `{"tokens":[..]}` → 201 array of new tokens (see `pat::seed`) |
//! | `/__fake/groups`, `/__fake/projects`, `/__fake/resource-tokens` | GET, POST | see `resource_tokens::control` |
//! | `/__fake/proxy-connects` | GET         | → 200 every CONNECT the proxy accepted (target, headers, peer)  |
//! | `/__fake/stats`          | GET         | → 200 `{"api_requests","max_in_flight","in_flight","handler_us_per_request"}` |
//! | `/__fake/reset`          | POST        | → 204; back to the fixture                                      |
//!
//! Injections queue up in the order posted: each answers the next `count` API requests (which are
//! still recorded, with the injected status) before the next injection or normal service resumes.
//! A rate limit answers 429, `Content-Type: text/plain`, `Retry-After: S`, body `Retry later\n`,
//! as GitLab's Rack::Attack does. `count` defaults to 1, `retry_after` to 60, `status` to 500,
//! `body` to empty and `content_type` to `application/json` (`null` sends no `Content-Type`).
//!
//! `delay_ms` holds every API request that long before answering (like a distant instance);
//! a non-empty `delay_cycle_ms` gives request number `seq` the delay at `(seq - 1) % len`
//! instead, so concurrent answers finish out of order. Waiting happens outside the fake's lock:
//! delayed requests overlap. `/__fake/stats` counts from the last clear of the record: the most
//! API requests answered at once, and the fake's own work per request (delay excluded).
//!
//! A user added here takes the next id from 100 up; `name` defaults to the username, `admin` to
//! false, `state` to `active`. An optional `token` registers a fixed token for that user. A taken
//! username (case-insensitive) answers 409 and adds none of the batch.

use serde_json::{Map, Value, json};

use crate::api;
use crate::pat;
use crate::resource_tokens;
use crate::state::{Injection, State, User, now_iso};
use crate::wire::{Incoming, Reply};

/// The prefix of every control route.
pub const PREFIX: &str = "/__fake";

/// Answers one control request.
pub fn handle(state: &mut State, req: &Incoming) -> Reply {
    let route = req.path.strip_prefix(PREFIX).unwrap_or_default();
    let route = route.trim_end_matches('/');
    let method = req.method.as_str();
    if let Some(reply) = resource_tokens::control(state, route, req) {
        return reply;
    }
    let allowed: &[&str] = match route {
        "/requests" => &["GET", "DELETE"],
        "/settings" => &["GET", "PUT", "PATCH"],
        "/rate-limit" | "/fail" | "/pass" | "/users" | "/reset" => &["POST"],
        "/tokens" => &["GET", "POST"],
        "/proxy-connects" | "/stats" => &["GET"],
        _ => return Reply::error(404, &format!("no control endpoint {}", req.path)),
    };
    if !allowed.contains(&method) {
        return Reply::error(405, &format!("{} takes {}", req.path, allowed.join(", ")))
            .with_header("Allow", &allowed.join(", "));
    }
    let body = match object_body(req) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let result = match (method, route) {
        ("GET", "/requests") => Ok(Reply::json(200, &Value::Array(state.records.clone()))),
        ("DELETE", "/requests") => {
            state.clear_records();
            Ok(Reply::empty(204))
        }
        ("GET", "/settings") => Ok(Reply::json(200, &state.settings.to_json())),
        (_, "/settings") => put_settings(state, &body),
        ("POST", "/rate-limit") => rate_limit(state, &body),
        ("POST", "/fail") => fail(state, &body),
        ("POST", "/pass") => pass(state, &body),
        ("POST", "/users") => add_users(state, &body),
        ("POST", "/reset") => {
            state.reset();
            Ok(Reply::empty(204))
        }
        ("GET", "/tokens") => {
            let today = state.today();
            let all = state
                .tokens
                .iter()
                .map(|t| {
                    let mut shown = pat::entity(t, today);
                    shown["token"] = json!(t.value);
                    shown["previous_id"] = json!(t.previous_id);
                    shown
                })
                .collect();
            Ok(Reply::json(200, &Value::Array(all)))
        }
        ("POST", "/tokens") => seed_batch(state, &body, pat::seed),
        ("GET", "/stats") => Ok(Reply::json(200, &state.stats.to_json())),
        ("GET", "/proxy-connects") => Ok(Reply::json(
            200,
            &Value::Array(state.proxy_connects.clone()),
        )),
        _ => Err(format!("{method} {} is not handled", req.path)),
    };
    result.unwrap_or_else(|problem| Reply::error(400, &problem))
}

/// The body as a JSON object, whatever the `Content-Type` says (so `curl -d '{...}'` works); no
/// body counts as `{}`.
pub fn object_body(req: &Incoming) -> Result<Map<String, Value>, Reply> {
    if req.raw_body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(&req.raw_body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Reply::error(400, "the body must be a JSON object")),
    }
}

fn put_settings(state: &mut State, body: &Map<String, Value>) -> Result<Reply, String> {
    let mut settings = state.settings.clone();
    for (key, value) in body {
        match key.as_str() {
            "require_expiry" => {
                settings.require_expiry = value
                    .as_bool()
                    .ok_or("require_expiry must be true or false")?;
            }
            "max_lifetime_days" => {
                settings.max_lifetime_days = value
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|&n| (1..=36_500).contains(&n))
                    .ok_or("max_lifetime_days must be a whole number from 1 to 36500")?;
            }
            "today" => {
                settings.today = match value {
                    Value::Null => None,
                    Value::String(s) => {
                        Some(api::parse_wire_date(s).ok_or("today must be YYYY-MM-DD or null")?)
                    }
                    _ => return Err("today must be YYYY-MM-DD or null".into()),
                };
            }
            "link_only_pagination" => {
                settings.link_only_pagination = value
                    .as_bool()
                    .ok_or("link_only_pagination must be true or false")?;
            }
            "delay_ms" => {
                settings.delay_ms = value
                    .as_u64()
                    .filter(|&n| n <= 60_000)
                    .ok_or("delay_ms must be a whole number of milliseconds from 0 to 60000")?;
            }
            "delay_cycle_ms" => {
                settings.delay_cycle_ms = value
                    .as_array()
                    .and_then(|items| {
                        items
                            .iter()
                            .map(|v| v.as_u64().filter(|&n| n <= 60_000))
                            .collect::<Option<Vec<u64>>>()
                    })
                    .ok_or("delay_cycle_ms must be an array of milliseconds from 0 to 60000")?;
            }
            other => return Err(format!("unknown setting {other}")),
        }
    }
    state.settings = settings;
    Ok(Reply::json(200, &state.settings.to_json()))
}

fn rate_limit(state: &mut State, body: &Map<String, Value>) -> Result<Reply, String> {
    let count = count_of(body)?;
    let retry_after = match body.get("retry_after") {
        None | Some(Value::Null) => 60,
        Some(v) => v
            .as_u64()
            .ok_or("retry_after must be a whole number of seconds")?,
    };
    let reply = Reply {
        status: 429,
        content_type: Some("text/plain".to_string()),
        body: b"Retry later\n".to_vec(),
        headers: vec![("Retry-After".to_string(), retry_after.to_string())],
    };
    Ok(queue(state, count, reply))
}

fn fail(state: &mut State, body: &Map<String, Value>) -> Result<Reply, String> {
    let count = count_of(body)?;
    let status = match body.get("status") {
        None | Some(Value::Null) => 500,
        Some(v) => v
            .as_u64()
            .and_then(|n| u16::try_from(n).ok())
            .filter(|n| (200..=599).contains(n))
            .ok_or("status must be a number from 200 to 599")?,
    };
    let text = match body.get("body") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        // A JSON value instead of text is sent as its JSON rendering.
        Some(other) => other.to_string(),
    };
    let content_type = match body.get("content_type") {
        None => Some("application/json".to_string()),
        Some(Value::Null) => None,
        Some(Value::String(s)) => Some(checked_header_value(s)?),
        Some(_) => return Err("content_type must be text or null".into()),
    };
    let mut headers = Vec::new();
    match body.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (name, value) in map {
                let value = value.as_str().ok_or("header values must be text")?;
                let name_ok = !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
                if !name_ok {
                    return Err(format!("bad header name {name:?}"));
                }
                headers.push((name.clone(), checked_header_value(value)?));
            }
        }
        Some(_) => return Err("headers must be an object".into()),
    }
    let reply = Reply {
        status,
        content_type,
        body: padded(text.into_bytes(), body)?,
        headers,
    };
    Ok(queue(state, count, reply))
}

/// `body` followed by the `pad_bytes` spaces the injection asks for (at most 64 MiB).
fn padded(mut body: Vec<u8>, spec: &Map<String, Value>) -> Result<Vec<u8>, String> {
    let pad = match spec.get("pad_bytes") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_u64()
            .filter(|&n| n <= 64 * 1024 * 1024)
            .ok_or("pad_bytes must be a number of bytes up to 64 MiB")?,
    };
    body.resize(body.len() + pad as usize, b' ');
    Ok(body)
}

/// Queues `count` requests served normally, so the injection after them hits a later request.
fn pass(state: &mut State, body: &Map<String, Value>) -> Result<Reply, String> {
    let count = count_of(body)?;
    Ok(queue(
        state,
        count,
        Reply::empty(crate::state::PASS_THROUGH),
    ))
}

fn checked_header_value(value: &str) -> Result<String, String> {
    if value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
    {
        Ok(value.to_string())
    } else {
        Err(format!("header value {value:?} must be printable ASCII"))
    }
}

fn count_of(body: &Map<String, Value>) -> Result<u32, String> {
    match body.get("count") {
        None | Some(Value::Null) => Ok(1),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| "count must be a whole number".to_string()),
    }
}

/// Appends an injection (a count of 0 adds nothing) and answers with the queue.
fn queue(state: &mut State, count: u32, reply: Reply) -> Reply {
    if count > 0 {
        state.injections.push_back(Injection {
            remaining: count,
            reply,
        });
    }
    let pending: Vec<Value> = state
        .injections
        .iter()
        .map(|i| json!({"remaining": i.remaining, "status": i.reply.status}))
        .collect();
    Reply::json(200, &json!({ "pending": pending }))
}

/// Seeds the tokens one spec asks for, answering them (with their values) or the problem.
pub type SeedOne = fn(&mut State, &Map<String, Value>) -> Result<Vec<Value>, String>;

/// Seeds one token spec, or each of `{"tokens":[..]}`, with `seed_one`; answers 201 and every
/// token added.
pub fn seed_batch(
    state: &mut State,
    body: &Map<String, Value>,
    seed_one: SeedOne,
) -> Result<Reply, String> {
    let specs = match body.get("tokens") {
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return Err("tokens must be an array".into()),
        None => vec![Value::Object(body.clone())],
    };
    let mut added = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let spec = spec
            .as_object()
            .ok_or_else(|| format!("token {i} must be an object"))?;
        added.extend(seed_one(state, spec).map_err(|e| format!("token {i}: {e}"))?);
    }
    Ok(Reply::json(201, &Value::Array(added)))
}

fn add_users(state: &mut State, body: &Map<String, Value>) -> Result<Reply, String> {
    let (specs, batch) = match body.get("users") {
        Some(Value::Array(items)) => (items.clone(), true),
        Some(_) => return Err("users must be an array".into()),
        None => (vec![Value::Object(body.clone())], false),
    };

    // Check everything first so a batch is all or nothing.
    let mut new_users = Vec::with_capacity(specs.len());
    let mut new_tokens = Vec::new();
    let mut taken_here: Vec<String> = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let spec = spec
            .as_object()
            .ok_or_else(|| format!("user {i} must be an object"))?;
        let text = |key: &str| -> Result<Option<String>, String> {
            match spec.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("user {i}: {key} must be text")),
            }
        };
        let username = text("username")?
            .filter(|u| !u.is_empty() && !u.chars().any(|c| c.is_whitespace() || c == '/'))
            .ok_or_else(|| {
                format!("user {i}: username must be non-empty text without spaces or /")
            })?;
        let lower = username.to_lowercase();
        if state.user_by_username(&username).is_some() || taken_here.contains(&lower) {
            return Ok(Reply::message(409, "Username has already been taken"));
        }
        taken_here.push(lower);
        let admin = match spec.get("admin") {
            None | Some(Value::Null) => false,
            Some(v) => v
                .as_bool()
                .ok_or_else(|| format!("user {i}: admin must be true or false"))?,
        };
        let id = state.next_user_id + new_users.len() as u64;
        if let Some(token) = text("token")? {
            let taken = state.authenticate(Some(&token)) != crate::state::Caller::Unknown
                || new_tokens.iter().any(|(t, _)| t == &token);
            if token.is_empty() || taken {
                return Err(format!("user {i}: token is empty or already in use"));
            }
            new_tokens.push((token, id));
        }
        new_users.push(User {
            id,
            name: text("name")?.unwrap_or_else(|| username.clone()),
            username,
            admin,
            state: text("state")?.unwrap_or_else(|| "active".to_string()),
            created_at: now_iso(),
        });
    }

    state.next_user_id += new_users.len() as u64;
    state.fixed_tokens.extend(new_tokens);
    let entities: Vec<Value> = new_users
        .iter()
        .map(|u| Value::Object(api::admin_entity(state, u)))
        .collect();
    state.users.extend(new_users);
    let answer = if batch {
        Value::Array(entities)
    } else {
        entities.into_iter().next().unwrap_or(Value::Null)
    };
    Ok(Reply::json(201, &answer))
}
