//! Users: who the token belongs to, and usernames turned into ids. Both are cached per process,
//! so a pipeline of a thousand records asks `GET /user` once. Workers running at the same time
//! that need the same user wait for the first one's lookup instead of sending their own. A
//! username GitLab does not know is remembered too, so a thousand records naming it ask once.

use super::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::protocol::Reporter;
use crate::redact;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// The fields of GitLab's user entity the engine uses.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct User {
    pub id: u64,
    /// As [`redact::field`] passes it on: it reaches messages.
    #[serde(deserialize_with = "shown_field")]
    pub username: String,
    /// Present (and true) only when an administrator asks about themselves or others.
    #[serde(default)]
    pub is_admin: Option<bool>,
}

fn shown_field<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    String::deserialize(d).map(|s| redact::field(&s))
}

/// One cache entry: empty until a lookup gives a definite answer (the user, or `not-found`). Its
/// lock is held during the lookup.
type Slot = Arc<Mutex<Option<Result<User>>>>;

/// Lookups already answered, keyed by site URL (and lower-cased username).
#[derive(Default, Debug)]
pub struct UserCache {
    me: Mutex<HashMap<String, Slot>>,
    by_name: Mutex<HashMap<(String, String), Slot>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The cached answer, or what `lookup` says (then cached when definite: a user, or
/// `not-found`). Concurrent callers with the same key run `lookup` once; any other failure
/// (network, rate limit, server) is not cached, so the next caller tries again.
fn cached<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Slot>>,
    key: K,
    lookup: impl FnOnce() -> Result<User>,
) -> Result<User> {
    let slot = Arc::clone(lock(map).entry(key).or_default());
    let mut entry = lock(&slot);
    if let Some(answer) = entry.as_ref() {
        return answer.clone();
    }
    let answer = lookup();
    if answer.is_ok() || matches!(&answer, Err(e) if e.kind == ErrorKind::NotFound) {
        *entry = Some(answer.clone());
    }
    answer
}

impl UserCache {
    /// `GET /user`: the owner of the access token.
    pub fn current(&self, client: &Client, reporter: &mut dyn Reporter) -> Result<User> {
        cached(&self.me, client.site_url().to_string(), || {
            let json = client.get("/user", &[], reporter)?;
            serde_json::from_value(json).map_err(|e| unreadable(client, "GET /user", &e))
        })
    }

    /// `GET /users?username=`: the user with this username (GitLab matches case-insensitively).
    pub fn by_username(
        &self,
        client: &Client,
        username: &str,
        reporter: &mut dyn Reporter,
    ) -> Result<User> {
        let key = (client.site_url().to_string(), username.to_lowercase());
        cached(&self.by_name, key, || {
            let json = client.get("/users", &[("username", username)], reporter)?;
            let found: Vec<User> =
                serde_json::from_value(json).map_err(|e| unreadable(client, "GET /users", &e))?;
            found
                .into_iter()
                .find(|u| u.username.eq_ignore_ascii_case(username))
                .ok_or_else(|| {
                    Error::new(ErrorKind::NotFound, format!("There is no user '{username}' on {}.", client.site_url()))
                        .with_parameter("user")
                        .with_hint("Check the username (or pass the numeric user id). GitLab matches usernames exactly, ignoring case.")
                })
        })
    }
}

/// `GET /users?search=<email>`: the user whose email (or public email) is exactly this address.
/// GitLab shows other users' private emails only to administrators. Not cached: it is asked
/// once per record at most.
pub fn by_email(client: &Client, email: &str, reporter: &mut dyn Reporter) -> Result<User> {
    let json = client.get("/users", &[("search", email)], reporter)?;
    let found = json.as_array().cloned().unwrap_or_default();
    let matches = |user: &serde_json::Value, key: &str| {
        user.get(key)
            .and_then(serde_json::Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case(email))
    };
    let user = found
        .into_iter()
        .find(|u| matches(u, "email") || matches(u, "public_email"))
        .ok_or_else(|| {
            Error::new(ErrorKind::NotFound, format!("There is no user with the email address '{email}' on {}.", client.site_url()))
                .with_parameter("user")
                .with_hint("Check the address, or pass the username or numeric user id. Only administrators can find users by a private email address.")
        })?;
    serde_json::from_value(user).map_err(|e| unreadable(client, "GET /users", &e))
}

fn unreadable(client: &Client, what: &str, cause: &serde_json::Error) -> Error {
    Error::new(
        ErrorKind::ServerError,
        format!(
            "GitLab at {} answered {what} with a user the engine cannot read.",
            client.site_url()
        ),
    )
    .caused_by(cause)
}
