//! The access token in use: which personal access token it is, and whether this process has
//! revoked it.
//!
//! A pipeline that revokes (or rotates) tokens by id must not cut off the token it authenticates
//! with halfway: every record after it would fail with a 401 blamed on the records. So the
//! engine learns the id of the token in use once per process and site (`GET
//! /personal_access_tokens/self`, cached) and refuses to act on that id; the token in use is
//! revoked or rotated only with `self`. When it is, the process remembers it, and a 401 that
//! follows says that this was the cause.

use crate::error::ErrorKind;
use crate::protocol::Reporter;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

/// Which token this is, without keeping its value: a hash of the site and the token.
pub fn fingerprint(site_url: &str, token: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    site_url.hash(&mut hasher);
    token.trim().hash(&mut hasher);
    hasher.finish()
}

/// Per process: the personal access token id of each access token in use (`None`: it is not a
/// personal access token), and the access tokens this process revoked.
#[derive(Default)]
pub struct InUse {
    ids: Mutex<HashMap<u64, Option<u64>>>,
    revoked: Mutex<HashSet<u64>>,
}

impl InUse {
    /// The id already learnt for this access token: `None` not yet asked, `Some(None)` not a
    /// personal access token.
    pub fn known_id(&self, key: u64) -> Option<Option<u64>> {
        self.ids.lock().ok()?.get(&key).copied()
    }

    pub fn learn_id(&self, key: u64, id: Option<u64>) {
        if let Ok(mut ids) = self.ids.lock() {
            ids.insert(key, id);
        }
    }

    /// This process revoked (or rotated) the access token `key`.
    pub fn mark_revoked(&self, key: u64) {
        if let Ok(mut revoked) = self.revoked.lock() {
            revoked.insert(key);
        }
    }

    pub fn was_revoked(&self, key: u64) -> bool {
        self.revoked.lock().is_ok_and(|r| r.contains(&key))
    }
}

/// The words that name the cause of a 401 after the token in use was revoked here.
pub const REVOKED_HERE: &str = "The access token in use was revoked earlier by this same \
    command (Revoke-GitlabPersonalAccessToken -Self or a rotation of it), so GitLab no longer \
    accepts it; that, not this record, is why it failed.";

pub const REVOKED_HERE_HINT: &str = "Configure the new token (GITLAB_ACCESS_TOKEN or the site's \
    AccessToken) and run the remaining records again. To act on several tokens including the one \
    in use, act on the others first and on the token in use last, with -Self.";

impl super::Client {
    fn in_use_key(&self) -> u64 {
        fingerprint(&self.site_url, self.token.expose())
    }

    /// Whether this process revoked (or rotated) the access token this client uses.
    pub fn access_token_revoked_here(&self) -> bool {
        self.in_use.was_revoked(self.in_use_key())
    }

    /// Whether `id` is known (already asked in this process) to be the access token in use.
    pub fn is_known_access_token(&self, id: u64) -> bool {
        self.in_use.known_id(self.in_use_key()) == Some(Some(id))
    }

    /// Remember that the access token this client uses was just revoked (or rotated).
    pub fn mark_access_token_revoked(&self) {
        self.in_use.mark_revoked(self.in_use_key());
    }

    /// The id of the personal access token this client authenticates with, asked once per
    /// process (`GET /personal_access_tokens/self`). `None` when it is not a personal access
    /// token (GitLab answers 404) or GitLab would not say (then it is asked again next time).
    pub fn access_token_id(&self, reporter: &mut dyn Reporter) -> Option<u64> {
        let key = self.in_use_key();
        if let Some(known) = self.in_use.known_id(key) {
            return known;
        }
        match self.get("/personal_access_tokens/self", &[], reporter) {
            Ok(json) => {
                let id = json.get("id").and_then(serde_json::Value::as_u64);
                self.in_use.learn_id(key, id);
                id
            }
            Err(e) if e.kind == ErrorKind::NotFound => {
                self.in_use.learn_id(key, None);
                None
            }
            Err(e) => {
                reporter.debug(format!("Which token is in use is unknown: {}", e.message));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_tell_sites_and_tokens_apart() {
        let a = fingerprint("https://a", "t1");
        assert_eq!(a, fingerprint("https://a", " t1 "));
        assert_ne!(a, fingerprint("https://b", "t1"));
        assert_ne!(a, fingerprint("https://a", "t2"));
        let state = InUse::default();
        assert_eq!(state.known_id(a), None);
        state.learn_id(a, Some(5));
        assert_eq!(state.known_id(a), Some(Some(5)));
        assert!(!state.was_revoked(a));
        state.mark_revoked(a);
        assert!(state.was_revoked(a));
    }
}
