//! Users: who the token belongs to, and usernames turned into ids. Both are cached per process,
//! so a pipeline of a thousand records asks `GET /user` once.

use super::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::protocol::Reporter;
use serde::Deserialize;
use std::collections::HashMap;

/// The fields of GitLab's user entity the engine uses.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct User {
    pub id: u64,
    pub username: String,
    /// Present (and true) only when an administrator asks about themselves or others.
    #[serde(default)]
    pub is_admin: Option<bool>,
}

/// Lookups already answered, keyed by site URL.
#[derive(Default, Debug)]
pub struct UserCache {
    me: HashMap<String, User>,
    by_name: HashMap<(String, String), User>,
}

impl UserCache {
    /// `GET /user`: the owner of the access token.
    pub fn current(&mut self, client: &Client, reporter: &mut dyn Reporter) -> Result<User> {
        if let Some(user) = self.me.get(client.site_url()) {
            return Ok(user.clone());
        }
        let json = client.get("/user", &[], reporter)?;
        let user: User =
            serde_json::from_value(json).map_err(|e| unreadable(client, "GET /user", &e))?;
        self.me.insert(client.site_url().to_string(), user.clone());
        Ok(user)
    }

    /// `GET /users?username=`: the user with this username (GitLab matches case-insensitively).
    pub fn by_username(
        &mut self,
        client: &Client,
        username: &str,
        reporter: &mut dyn Reporter,
    ) -> Result<User> {
        let key = (client.site_url().to_string(), username.to_lowercase());
        if let Some(user) = self.by_name.get(&key) {
            return Ok(user.clone());
        }
        let json = client.get("/users", &[("username", username)], reporter)?;
        let found: Vec<User> =
            serde_json::from_value(json).map_err(|e| unreadable(client, "GET /users", &e))?;
        let user = found
            .into_iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
            .ok_or_else(|| {
                Error::new(ErrorKind::NotFound, format!("There is no user '{username}' on {}.", client.site_url()))
                    .with_parameter("user")
                    .with_hint("Check the username (or pass the numeric user id). GitLab matches usernames exactly, ignoring case.")
            })?;
        self.by_name.insert(key, user.clone());
        Ok(user)
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
