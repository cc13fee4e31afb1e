//! Reading GitLab's personal access token entity (create, rotate, list and get all answer with
//! it). Reading is lenient: a field that is missing or oddly typed reads as absent, because a new
//! token must reach the user whatever else GitLab sent alongside it. Every string field is passed
//! on through [`redact::field`], so a hostile server cannot drive the terminal that shows it.

use super::owner::{Owner, level_name};
use crate::protocol::{NewPersonalAccessToken, PersonalAccessToken, TokenOwner};
use crate::redact;
use serde_json::Value;

/// The entity's fields, with `id` as read (`None` when missing or unreadable, in which case the
/// returned entry's `id` is 0). `active_default` is used when `active` is missing.
pub fn read(
    json: &Value,
    site_url: &str,
    active_default: bool,
) -> (Option<u64>, PersonalAccessToken) {
    let text = |key: &str| json.get(key).and_then(Value::as_str).map(redact::field);
    let number = |key: &str| {
        json.get(key).and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
    };
    let flag = |key: &str, default: bool| json.get(key).and_then(Value::as_bool).unwrap_or(default);
    let id = number("id");
    let entry = PersonalAccessToken {
        id: id.unwrap_or(0),
        name: text("name").unwrap_or_default(),
        revoked: flag("revoked", false),
        created_at: text("created_at"),
        description: text("description"),
        scopes: json
            .get("scopes")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|s| s.as_str().map(redact::field))
                    .collect()
            })
            .unwrap_or_default(),
        user_id: number("user_id"),
        last_used_at: text("last_used_at"),
        active: flag("active", active_default),
        expires_at: text("expires_at"),
        access_level: None,
        access_level_name: None,
        owner: None,
        site_url: site_url.to_string(),
    };
    (id, entry)
}

/// A group's or project's token: its `access_level` (with its name) and its owner.
pub fn add_owner_details(entry: &mut PersonalAccessToken, json: &Value, owner: &Owner) {
    let (level, name, token_owner) = owner_details(json, owner);
    entry.access_level = level;
    entry.access_level_name = name;
    entry.owner = token_owner;
}

/// [`add_owner_details`] for a new token.
pub fn add_owner(token: &mut NewPersonalAccessToken, json: &Value, owner: &Owner) {
    if owner.takes_access_level() {
        let (level, name, token_owner) = owner_details(json, owner);
        token.access_level = level;
        token.access_level_name = name;
        token.owner = token_owner;
    }
}

fn owner_details(json: &Value, owner: &Owner) -> (Option<u32>, Option<String>, Option<TokenOwner>) {
    let level = json
        .get("access_level")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok());
    let name = level.and_then(level_name).map(str::to_string);
    (level, name, owner.token_owner(json))
}
