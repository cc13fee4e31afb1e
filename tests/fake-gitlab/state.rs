//! Everything the fake remembers: users, tokens, settings, injected faults and the request record.
//!
//! One [`State`] lives behind a mutex; every handler takes the lock once, does all its work and
//! lets go, so a request's record and its answer always agree.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{NaiveDate, Utc};
use serde_json::Value;

use crate::wire::Reply;

/// The administrator's token (user 1, `root`).
pub const ADMIN_TOKEN: &str = "fake-admin-token";
/// A regular user's token (user 42, `jsmith`).
pub const USER_TOKEN: &str = "fake-user-token";
/// A token GitLab knows but that has expired: always answered with 401 `invalid_token`.
pub const EXPIRED_TOKEN: &str = "fake-expired-token";

/// The id the first user added through the control API gets.
pub const FIRST_ADDED_USER_ID: u64 = 100;

/// The creation time shown for the fixture users.
const FIXTURE_CREATED_AT: &str = "2020-01-06T10:00:00.000Z";

/// A GitLab user.
#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    pub username: String,
    pub name: String,
    pub admin: bool,
    /// `active`, `blocked`, ... (shown only; it changes no behaviour).
    pub state: String,
    pub created_at: String,
}

/// A personal access token created through the API.
#[derive(Debug, Clone)]
pub struct Token {
    pub id: u64,
    pub user_id: u64,
    pub name: String,
    pub description: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: Option<NaiveDate>,
    pub created_at: String,
    pub value: String,
    /// Revoked by a revocation, a rotation, or a family revocation.
    pub revoked: bool,
    /// ISO 8601 date-time of the last use, as GitLab renders it; set when seeded.
    pub last_used_at: Option<String>,
    /// The token this one replaced by rotation: the link that makes a token family.
    pub previous_id: Option<u64>,
}

impl Token {
    /// GitLab's `active`: neither revoked nor expired.
    pub fn active(&self, today: NaiveDate) -> bool {
        !self.revoked && self.expires_at.is_none_or(|d| d > today)
    }
}

/// The instance settings the expiry policy follows.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// GitLab's "require personal access token expiry": tokens without a date get the longest
    /// lifetime, and dates beyond it are refused.
    pub require_expiry: bool,
    /// The longest lifetime in days (GitLab's default is 365).
    pub max_lifetime_days: u32,
    /// Pins the fake's idea of today; `None` follows the UTC clock.
    pub today: Option<NaiveDate>,
    /// Lists send only the `Link` header, as GitLab does for very large collections.
    pub link_only_pagination: bool,
    /// How long every API request is held before it is answered, like a distant instance.
    pub delay_ms: u64,
    /// When not empty, API request number `seq` waits `delay_cycle_ms[(seq - 1) % len]` instead
    /// of `delay_ms`: answers then finish in another order than they arrived.
    pub delay_cycle_ms: Vec<u64>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            require_expiry: false,
            max_lifetime_days: 365,
            today: None,
            link_only_pagination: false,
            delay_ms: 0,
            delay_cycle_ms: Vec::new(),
        }
    }
}

impl Settings {
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "require_expiry": self.require_expiry,
            "max_lifetime_days": self.max_lifetime_days,
            "today": self.today.map(|d| d.format("%Y-%m-%d").to_string()),
            "link_only_pagination": self.link_only_pagination,
            "delay_ms": self.delay_ms,
            "delay_cycle_ms": self.delay_cycle_ms,
        })
    }

    /// The delay for API request number `seq` (from 1).
    pub fn delay_for(&self, seq: u64) -> u64 {
        if self.delay_cycle_ms.is_empty() {
            self.delay_ms
        } else {
            let len = self.delay_cycle_ms.len() as u64;
            self.delay_cycle_ms[((seq.max(1) - 1) % len) as usize]
        }
    }
}

/// What the fake measures about itself: how many API requests were being answered at once at
/// most, and its own work per request (the delay excluded), so a benchmark can show the fake is
/// not the bottleneck.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub in_flight: u64,
    pub max_in_flight: u64,
    pub api_requests: u64,
    pub handler_nanos: u128,
}

impl Stats {
    pub fn to_json(&self) -> Value {
        let per_request_us = if self.api_requests == 0 {
            0.0
        } else {
            self.handler_nanos as f64 / self.api_requests as f64 / 1000.0
        };
        serde_json::json!({
            "api_requests": self.api_requests,
            "max_in_flight": self.max_in_flight,
            "in_flight": self.in_flight,
            "handler_us_per_request": per_request_us,
        })
    }
}

/// The status of an injection that serves its requests normally (`POST /__fake/pass`), so a
/// later injection hits a later request: e.g. pass the GET a rotation reads first, fail its POST.
pub const PASS_THROUGH: u16 = 0;

/// A canned answer for the next `remaining` API requests.
#[derive(Debug, Clone)]
pub struct Injection {
    pub remaining: u32,
    pub reply: Reply,
}

/// Who a request authenticates as.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    /// A known, usable token. `scopes` is `None` for the fixture tokens (they may do anything).
    User {
        user_id: u64,
        scopes: Option<Vec<String>>,
    },
    /// A known token past its expiry date.
    Expired,
    /// A known token that was revoked.
    Revoked,
    /// No token, or one GitLab does not know.
    Unknown,
}

/// The whole memory of the fake.
#[derive(Debug)]
pub struct State {
    /// `http://127.0.0.1:<port>`, used to build `web_url`s.
    pub base_url: String,
    pub users: Vec<User>,
    pub next_user_id: u64,
    /// Tokens handed out with users added through the control API (value → user id).
    pub fixed_tokens: HashMap<String, u64>,
    pub tokens: Vec<Token>,
    pub next_token_id: u64,
    /// Groups, projects and the bot users behind their access tokens.
    pub resources: crate::resource_tokens::Resources,
    pub settings: Settings,
    pub injections: VecDeque<Injection>,
    pub records: Vec<Value>,
    pub next_seq: u64,
    /// Peer address → connection number, so tests can tell requests shared a TCP connection.
    pub connections: HashMap<String, u64>,
    /// CONNECT requests the proxy accepted, in order.
    pub proxy_connects: Vec<Value>,
    pub stats: Stats,
}

impl State {
    /// The fixture state, as described in the crate documentation.
    pub fn new(base_url: String) -> State {
        let user = |id: u64, username: &str, name: &str, admin: bool| User {
            id,
            username: username.to_string(),
            name: name.to_string(),
            admin,
            state: "active".to_string(),
            created_at: FIXTURE_CREATED_AT.to_string(),
        };
        State {
            base_url,
            users: vec![
                user(1, "root", "Administrator", true),
                user(42, "jsmith", "Jane Smith", false),
                user(43, "alice", "Alice", false),
            ],
            next_user_id: FIRST_ADDED_USER_ID,
            fixed_tokens: HashMap::new(),
            tokens: Vec::new(),
            next_token_id: 1,
            resources: Default::default(),
            settings: Settings::default(),
            injections: VecDeque::new(),
            records: Vec::new(),
            next_seq: 1,
            connections: HashMap::new(),
            proxy_connects: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Back to the fixture (the base URL stays).
    pub fn reset(&mut self) {
        let in_flight = self.stats.in_flight;
        *self = State::new(std::mem::take(&mut self.base_url));
        self.stats.in_flight = in_flight;
    }

    /// Forgets the request record (and the connection numbering that goes with it).
    pub fn clear_records(&mut self) {
        self.records.clear();
        self.next_seq = 1;
        self.connections.clear();
        self.proxy_connects.clear();
        let in_flight = self.stats.in_flight;
        self.stats = Stats {
            in_flight,
            ..Stats::default()
        };
    }

    /// Today as the fake sees it: the pinned date, else the UTC date.
    pub fn today(&self) -> NaiveDate {
        self.settings
            .today
            .unwrap_or_else(|| Utc::now().date_naive())
    }

    pub fn user(&self, id: u64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn user_by_username(&self, username: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }

    /// Resolves a token value to a caller.
    pub fn authenticate(&self, token: Option<&str>) -> Caller {
        let Some(token) = token else {
            return Caller::Unknown;
        };
        match token {
            ADMIN_TOKEN => {
                return Caller::User {
                    user_id: 1,
                    scopes: None,
                };
            }
            USER_TOKEN => {
                return Caller::User {
                    user_id: 42,
                    scopes: None,
                };
            }
            EXPIRED_TOKEN => return Caller::Expired,
            _ => {}
        }
        if let Some(&user_id) = self.fixed_tokens.get(token) {
            return Caller::User {
                user_id,
                scopes: None,
            };
        }
        match self.tokens.iter().find(|t| t.value == token) {
            Some(t) if t.revoked => Caller::Revoked,
            Some(t) if t.expires_at.is_some_and(|d| d <= self.today()) => Caller::Expired,
            Some(t) => Caller::User {
                user_id: t.user_id,
                scopes: Some(t.scopes.clone()),
            },
            None => Caller::Unknown,
        }
    }

    /// The personal access token with this value, when it is one of the fake's tokens (the
    /// fixture tokens are not).
    pub fn token_by_value(&self, value: &str) -> Option<&Token> {
        self.tokens.iter().find(|t| t.value == value)
    }

    /// The first token of `id`'s family: follow `previous_id` back as far as it goes.
    pub fn family_root(&self, id: u64) -> u64 {
        let mut current = id;
        // Bounded by the number of tokens, so a broken chain cannot loop.
        for _ in 0..=self.tokens.len() {
            match self
                .tokens
                .iter()
                .find(|t| t.id == current)
                .and_then(|t| t.previous_id)
            {
                Some(previous) => current = previous,
                None => break,
            }
        }
        current
    }

    /// The connection number for a peer address, handing out the next one on first sight.
    pub fn connection_id(&mut self, peer: &str) -> u64 {
        let next = self.connections.len() as u64 + 1;
        *self.connections.entry(peer.to_string()).or_insert(next)
    }

    /// Takes the next injected answer, if any is pending. A pass-through injection
    /// ([`PASS_THROUGH`]) is used up like any other but lets the request be served normally.
    pub fn take_injection(&mut self) -> Option<Reply> {
        let front = self.injections.front_mut()?;
        let reply = front.reply.clone();
        front.remaining = front.remaining.saturating_sub(1);
        if front.remaining == 0 {
            self.injections.pop_front();
        }
        (reply.status != PASS_THROUGH).then_some(reply)
    }

    /// A token value GitLab-like in shape (`glpat-` and 20 URL-safe characters) and unique in
    /// this process.
    pub fn fresh_token_value(&self) -> String {
        loop {
            let value = format!("glpat-{}", random_ish_chars(20));
            let taken = self.tokens.iter().any(|t| t.value == value)
                || self.fixed_tokens.contains_key(&value)
                || [ADMIN_TOKEN, USER_TOKEN, EXPIRED_TOKEN].contains(&value.as_str());
            if !taken {
                return value;
            }
        }
    }
}

/// The current time as GitLab renders it: ISO 8601, UTC, milliseconds, `Z`.
pub fn now_iso() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `n` characters from `[0-9a-z]`, different on every call: a process-wide counter and the clock,
/// stirred with SplitMix64. Not secret, only distinct.
fn random_ish_chars(n: usize) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    let mut seed = nanos ^ count.rotate_left(32) ^ u64::from(std::process::id());
    let mut out = String::with_capacity(n);
    while out.len() < n {
        let mut word = splitmix64(&mut seed);
        // 12 base-36 digits fit comfortably in 64 bits.
        for _ in 0..12 {
            if out.len() == n {
                break;
            }
            let digit = (word % 36) as u32;
            word /= 36;
            out.push(char::from_digit(digit, 36).unwrap_or('0'));
        }
    }
    out
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_values_have_gitlab_shape_and_differ() {
        let state = State::new("http://x".into());
        let a = state.fresh_token_value();
        let b = state.fresh_token_value();
        assert_ne!(a, b);
        let suffix = a.strip_prefix("glpat-").expect("prefix");
        assert_eq!(suffix.len(), 20);
        assert!(suffix.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn fixture_tokens_authenticate() {
        let state = State::new("http://x".into());
        assert_eq!(
            state.authenticate(Some(ADMIN_TOKEN)),
            Caller::User {
                user_id: 1,
                scopes: None
            }
        );
        assert_eq!(state.authenticate(Some(EXPIRED_TOKEN)), Caller::Expired);
        assert_eq!(state.authenticate(Some("nope")), Caller::Unknown);
        assert_eq!(state.authenticate(None), Caller::Unknown);
    }

    #[test]
    fn injections_run_out_in_order() {
        let mut state = State::new("http://x".into());
        state.injections.push_back(Injection {
            remaining: 2,
            reply: Reply::empty(429),
        });
        state.injections.push_back(Injection {
            remaining: 1,
            reply: Reply::empty(500),
        });
        let statuses: Vec<_> = std::iter::from_fn(|| state.take_injection().map(|r| r.status))
            .take(5)
            .collect();
        assert_eq!(statuses, [429, 429, 500]);
    }

    #[test]
    fn a_pass_through_injection_serves_normally_then_the_next_one_applies() {
        let mut state = State::new("http://x".into());
        state.injections.push_back(Injection {
            remaining: 1,
            reply: Reply::empty(PASS_THROUGH),
        });
        state.injections.push_back(Injection {
            remaining: 1,
            reply: Reply::empty(502),
        });
        assert_eq!(state.take_injection().map(|r| r.status), None);
        assert_eq!(state.take_injection().map(|r| r.status), Some(502));
        assert_eq!(state.take_injection().map(|r| r.status), None);
    }
}
