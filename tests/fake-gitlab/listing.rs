//! What every token list shares: GitLab's `access_token_params` filters (the same Grape helper
//! serves `GET /personal_access_tokens`, `GET /groups/:id/access_tokens` and
//! `GET /projects/:id/access_tokens`), the order, and offset pagination with its headers.
//!
//! Filters: `created_after`/`created_before` and `last_used_after`/`last_used_before` (date or
//! date-time, inclusive), `expires_after`/`expires_before` (date, exclusive), `revoked` (boolean),
//! `state` (`active`|`inactive`), `search` (part of the name, any case) and `sort`
//! (`created_asc`, `created_desc`, `expires_asc`, `expires_desc`, `last_used_asc`,
//! `last_used_desc`, `name_asc`, `name_desc`; ties and the default go by id; a token without an
//! expiry or a last use sorts last going up and first going down, as PostgreSQL puts NULLs). Grape
//! declares `sort` as a plain string, so a value it does not know is ignored.
//!
//! Pagination: `page` (default 1), `per_page` (default 20, at most 100), and the headers
//! `X-Page`, `X-Per-Page`, `X-Next-Page` (empty on the last page), `X-Prev-Page`, `X-Total`,
//! `X-Total-Pages` and `Link` (`prev`, `next`, `first`, `last`). With the setting
//! `link_only_pagination: true` only `Link` is sent, as GitLab does for very large lists.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use crate::api::parse_wire_date;
use crate::state::{State, Token};
use crate::wire::{Incoming, Reply};

/// GitLab's default and largest page sizes.
const DEFAULT_PER_PAGE: usize = 20;
const MAX_PER_PAGE: usize = 100;

/// The `sort` values GitLab documents for token lists.
pub const SORTS: &[&str] = &[
    "created_asc",
    "created_desc",
    "expires_asc",
    "expires_desc",
    "last_used_asc",
    "last_used_desc",
    "name_asc",
    "name_desc",
];

/// A token list's query, after Grape's checks.
#[derive(Debug, Default)]
pub struct ListQuery {
    created_after: Option<DateTime<Utc>>,
    created_before: Option<DateTime<Utc>>,
    last_used_after: Option<DateTime<Utc>>,
    last_used_before: Option<DateTime<Utc>>,
    expires_after: Option<NaiveDate>,
    expires_before: Option<NaiveDate>,
    revoked: Option<bool>,
    /// `Some(true)` for `active`.
    active: Option<bool>,
    search: Option<String>,
    sort: Option<&'static str>,
    pub page: usize,
    pub per_page: usize,
}

/// A query parameter as trimmed text; empty counts as absent.
pub fn text<'a>(q: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    q.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

impl ListQuery {
    /// Reads the filters and paging parameters; `errors` collects Grape's messages in declaration
    /// order, to be joined with `, `.
    pub fn parse(q: &Map<String, Value>, errors: &mut Vec<String>) -> ListQuery {
        let instant = |key: &str, errors: &mut Vec<String>| {
            text(q, key).and_then(|t| {
                let parsed = parse_instant(t);
                if parsed.is_none() {
                    errors.push(format!("{key} is invalid"));
                }
                parsed
            })
        };
        let created_after = instant("created_after", errors);
        let created_before = instant("created_before", errors);
        let last_used_after = instant("last_used_after", errors);
        let last_used_before = instant("last_used_before", errors);
        let date = |key: &str, errors: &mut Vec<String>| {
            text(q, key).and_then(|t| {
                let parsed =
                    parse_wire_date(t).or_else(|| parse_instant(t).map(|i| i.date_naive()));
                if parsed.is_none() {
                    errors.push(format!("{key} is invalid"));
                }
                parsed
            })
        };
        let expires_after = date("expires_after", errors);
        let expires_before = date("expires_before", errors);
        let revoked = match text(q, "revoked") {
            None => None,
            Some("true" | "1") => Some(true),
            Some("false" | "0") => Some(false),
            Some(_) => {
                errors.push("revoked is invalid".to_string());
                None
            }
        };
        let active = match text(q, "state") {
            None => None,
            Some(s @ ("active" | "inactive")) => Some(s == "active"),
            Some(_) => {
                errors.push("state does not have a valid value".to_string());
                None
            }
        };
        let search = text(q, "search").map(str::to_lowercase);
        let sort = text(q, "sort").and_then(|s| SORTS.iter().copied().find(|known| *known == s));
        let mut number = |key: &str, default: usize| match text(q, key) {
            None => default,
            Some(t) => match t.parse::<usize>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    errors.push(format!("{key} is invalid"));
                    default
                }
            },
        };
        let page = number("page", 1);
        let per_page = number("per_page", DEFAULT_PER_PAGE).min(MAX_PER_PAGE);
        ListQuery {
            created_after,
            created_before,
            last_used_after,
            last_used_before,
            expires_after,
            expires_before,
            revoked,
            active,
            search,
            sort,
            page,
            per_page,
        }
    }

    /// Whether a token passes every filter.
    pub fn matches(&self, t: &Token, today: NaiveDate) -> bool {
        // Dates are parsed only when a filter needs them: lists of thousands stay cheap.
        let within = |value: &dyn Fn() -> Option<DateTime<Utc>>,
                      after: Option<DateTime<Utc>>,
                      before: Option<DateTime<Utc>>| {
            if after.is_none() && before.is_none() {
                return true;
            }
            let value = value();
            after.is_none_or(|a| value.is_some_and(|v| v >= a))
                && before.is_none_or(|b| value.is_some_and(|v| v <= b))
        };
        let created = || parse_instant(&t.created_at);
        let used = || t.last_used_at.as_deref().and_then(parse_instant);
        within(&created, self.created_after, self.created_before)
            && within(&used, self.last_used_after, self.last_used_before)
            && self
                .expires_after
                .is_none_or(|a| t.expires_at.is_some_and(|e| e > a))
            && self
                .expires_before
                .is_none_or(|b| t.expires_at.is_some_and(|e| e < b))
            && self.revoked.is_none_or(|r| t.revoked == r)
            && self.active.is_none_or(|a| t.active(today) == a)
            && self
                .search
                .as_deref()
                .is_none_or(|s| t.name.to_lowercase().contains(s))
    }

    /// Puts matching tokens in the order asked for (id order by default).
    pub fn sort(&self, tokens: &mut [&Token]) {
        tokens.sort_by_key(|t| t.id);
        let Some(sort) = self.sort else { return };
        let descending = sort.ends_with("_desc");
        // NULLs last going up, first going down.
        let nulls_last = |a: Option<String>, b: Option<String>| match (a, b) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        let key = |t: &Token| -> Option<String> {
            match sort.trim_end_matches("_asc").trim_end_matches("_desc") {
                "created" => parse_instant(&t.created_at).map(|i| i.to_rfc3339()),
                "expires" => t.expires_at.map(|d| d.to_string()),
                "last_used" => t
                    .last_used_at
                    .as_deref()
                    .and_then(parse_instant)
                    .map(|i| i.to_rfc3339()),
                _ => Some(t.name.to_lowercase()),
            }
        };
        // A stable sort keeps id order among equal keys.
        tokens.sort_by(|a, b| {
            let order = nulls_last(key(a), key(b));
            if descending { order.reverse() } else { order }
        });
    }

    /// One page of `items` (already filtered and sorted) as GitLab answers it, headers included;
    /// `show` renders an item, and only the page's items are rendered.
    pub fn page_reply<T>(
        &self,
        state: &State,
        req: &Incoming,
        items: &[T],
        show: impl Fn(&T) -> Value,
    ) -> Reply {
        let (page, per_page) = (self.page, self.per_page);
        let total = items.len();
        let total_pages = total.div_ceil(per_page).max(1);
        let shown: Vec<Value> = items
            .iter()
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .map(show)
            .collect();
        let next = (page < total_pages).then_some(page + 1);
        let prev = (page > 1).then(|| (page - 1).min(total_pages));

        let link_to = |n: usize| {
            let mut params: Vec<(String, String)> = req
                .query
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

        let mut reply =
            Reply::json(200, &Value::Array(shown)).with_header("Link", &links.join(", "));
        if !state.settings.link_only_pagination {
            let number = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
            reply = reply
                .with_header("X-Page", &page.to_string())
                .with_header("X-Per-Page", &per_page.to_string())
                .with_header("X-Next-Page", &number(next))
                .with_header("X-Prev-Page", &number(prev))
                .with_header("X-Total", &total.to_string())
                .with_header("X-Total-Pages", &total_pages.to_string());
        }
        reply
    }
}

/// A date (midnight UTC) or an ISO 8601 date-time, with or without an offset (UTC assumed).
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn token(id: u64, name: &str, expires: Option<&str>, used: Option<&str>) -> Token {
        Token {
            id,
            user_id: 42,
            name: name.into(),
            description: None,
            scopes: vec!["api".into()],
            expires_at: expires.and_then(parse_wire_date),
            created_at: format!("2025-01-{:02}T10:00:00.000Z", id),
            value: format!("v{id}"),
            revoked: false,
            last_used_at: used.map(str::to_string),
            previous_id: None,
        }
    }

    fn query(v: Value) -> (ListQuery, Vec<String>) {
        let mut errors = Vec::new();
        let q = ListQuery::parse(v.as_object().unwrap(), &mut errors);
        (q, errors)
    }

    #[test]
    fn instants_read_dates_and_date_times() {
        let midnight = parse_instant("2025-01-31").unwrap();
        assert_eq!(midnight.to_rfc3339(), "2025-01-31T00:00:00+00:00");
        assert!(parse_instant("2025-01-31T10:00:00.123Z").unwrap() > midnight);
        assert!(parse_instant("2025-01-31T10:00:00+02:00").is_some());
        assert!(parse_instant("yesterday").is_none());
    }

    #[test]
    fn bad_parameters_are_named_in_order() {
        let (_, errors) = query(json!({"state":"gone","created_after":"soon","per_page":"0"}));
        assert_eq!(
            errors,
            [
                "created_after is invalid",
                "state does not have a valid value",
                "per_page is invalid"
            ]
        );
        let (q, errors) = query(json!({"per_page":"500","sort":"bogus"}));
        assert!(errors.is_empty());
        assert_eq!(q.per_page, 100);
        assert_eq!(q.sort, None);
    }

    #[test]
    fn sorts_put_missing_values_where_postgres_does() {
        let tokens = [
            token(1, "b", Some("2030-01-02"), None),
            token(2, "A", None, Some("2025-02-01T00:00:00Z")),
            token(3, "c", Some("2030-01-01"), Some("2025-03-01T00:00:00Z")),
        ];
        let order = |sort: &str| {
            let (q, _) = query(json!({ "sort": sort }));
            let mut list: Vec<&Token> = tokens.iter().collect();
            q.sort(&mut list);
            list.iter().map(|t| t.id).collect::<Vec<_>>()
        };
        assert_eq!(order("expires_asc"), [3, 1, 2]);
        assert_eq!(order("expires_desc"), [2, 1, 3]);
        assert_eq!(order("last_used_asc"), [2, 3, 1]);
        assert_eq!(order("last_used_desc"), [1, 3, 2]);
        assert_eq!(order("name_asc"), [2, 1, 3]);
        assert_eq!(order("created_desc"), [3, 2, 1]);
        assert_eq!(order("nonsense"), [1, 2, 3]);
    }

    #[test]
    fn filters_are_inclusive_or_exclusive_as_documented() {
        let t = token(
            5,
            "Deploy",
            Some("2030-06-01"),
            Some("2025-05-01T12:00:00Z"),
        );
        let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let passes = |v: Value| query(v).0.matches(&t, today);
        assert!(passes(json!({"created_after":"2025-01-05T10:00:00Z"})));
        assert!(!passes(json!({"created_after":"2025-01-06"})));
        assert!(!passes(json!({"expires_before":"2030-06-01"})));
        assert!(passes(json!({"expires_before":"2030-06-02"})));
        assert!(passes(
            json!({"search":"PLOY","state":"active","revoked":"false"})
        ));
        assert!(!passes(json!({"last_used_before":"2025-05-01"})));
    }
}
