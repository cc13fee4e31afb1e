//! The rest of a personal access token's life: `list-personal-access-tokens`,
//! `get-personal-access-token`, `rotate-personal-access-token` and `revoke-personal-access-token`
//! (Get-, Invoke-…Rotation and Revoke-GitlabPersonalAccessToken).
//!
//! GitLab's rules, followed here:
//! - `GET /personal_access_tokens` lists an administrator's whole instance and a non-administrator's
//!   own tokens; `user_id` is numeric, so a username is looked up first (`GET /users?username=`);
//! - `GET|DELETE /personal_access_tokens/:id` and `POST /personal_access_tokens/:id/rotate` take an
//!   id or the keyword `self` (the access token in use);
//! - rotating revokes the old token at once and returns a new one with the same scopes; rotating a
//!   token that is already revoked makes GitLab revoke the whole token family.
//!
//! Rotate and revoke have plans; a plan validates and describes and never sends HTTP. List and get
//! change nothing and run only.

use super::Context;
use super::personal_access_token::{UserRef, hand_over, parse_user, token_from_json};
use crate::config::{Site, Sites};
use crate::dates;
use crate::error::{Error, ErrorKind, Result};
use crate::gitlab::Client;
use crate::gitlab::pages::MAX_PER_PAGE;
use crate::gitlab::users::by_email;
use crate::protocol::{
    GetPersonalAccessTokenParams, ListPersonalAccessTokensParams, NewPersonalAccessToken,
    PersonalAccessToken, PersonalAccessTokenPage, Plan, PlanParams,
    RevokePersonalAccessTokenParams, RevokedPersonalAccessToken, RotatePersonalAccessTokenParams,
};
use crate::secret::Secret;
use chrono::NaiveDate;
use serde_json::{Value, json};

const TOKEN_ID: &str = "token_id";

/// Which token a command acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRef {
    /// The access token the engine authenticates with.
    Current,
    Id(u64),
}

impl TokenRef {
    /// `self` (any case) or a whole number from 1 up.
    pub fn parse(text: Option<&str>) -> Result<TokenRef> {
        let text = text.map(str::trim).unwrap_or_default();
        if text.is_empty() {
            return Err(Error::invalid(
                TOKEN_ID,
                "A token id is required (-TokenId), or -Self for the access token in use.",
            )
            .with_hint(
                "Pass the token's numeric id (Get-GitlabPersonalAccessToken lists them) or -Self.",
            ));
        }
        if text.eq_ignore_ascii_case("self") {
            return Ok(TokenRef::Current);
        }
        match text.parse::<u64>() {
            Ok(id) if id > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(TokenRef::Id(id)),
            _ => Err(Error::invalid(
                TOKEN_ID,
                format!("'{}' is not a token id.", shorten(text)),
            )
            .with_hint("Token ids are whole numbers from 1 up (the Id column of Get-GitlabPersonalAccessToken), or use -Self.")),
        }
    }

    fn segment(self) -> String {
        match self {
            TokenRef::Current => "self".to_string(),
            TokenRef::Id(id) => id.to_string(),
        }
    }

    fn describe(self, site: &str) -> String {
        match self {
            TokenRef::Current => format!("the access token in use on {site}"),
            TokenRef::Id(id) => format!("personal access token #{id} on {site}"),
        }
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= 40 {
        text.to_string()
    } else {
        text.chars().take(40).collect::<String>() + "…"
    }
}

fn site_of<'s>(sites: &'s Sites, site_url: Option<&str>) -> Result<(&'s Site, &'s Secret)> {
    sites.resolve(site_url)
}

// ---------------------------------------------------------------------------------------------
// list

/// Whose tokens to list.
#[derive(Debug, PartialEq)]
enum Owner {
    User(UserRef),
    /// An email address, looked up with `GET /users?search=`.
    Email(String),
}

/// `name@host`: an email address (the PowerShell parameter's `EmailAddress` alias binds these).
fn as_email(text: &str) -> Option<String> {
    let text = text.trim();
    let (local, domain) = text.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c == '/' || c == '?' || c == '&');
    ok.then(|| text.to_string())
}

/// List parameters after validation.
#[derive(Debug)]
struct ListQuery {
    user: Option<Owner>,
    filters: Vec<(&'static str, String)>,
    page: u32,
    per_page: u32,
}

fn filter_date(name: &'static str, text: Option<&str>) -> Result<Option<(&'static str, String)>> {
    let Some(text) = text else { return Ok(None) };
    let date = dates::parse_date(text).map_err(|mut e| {
        e.parameter = Some(name.to_string());
        e.message = e.message.replace("expires_at", name);
        if let Some(hint) = e.hint.as_mut() {
            *hint = hint.replace(
                "leave -ExpiresAt out to use the instance default",
                "leave the filter out",
            );
        }
        e
    })?;
    Ok(Some((name, date.format("%Y-%m-%d").to_string())))
}

fn validate_list(p: &ListPersonalAccessTokensParams) -> Result<ListQuery> {
    let mine = p.mine.unwrap_or(false);
    let user = match (p.user.as_deref(), mine) {
        (Some(_), true) => {
            return Err(
                Error::invalid("user", "Give either -UserId or -Mine, not both.")
                    .with_hint("-Mine lists your own tokens; -UserId names another user's."),
            );
        }
        (Some(text), false) => Some(match as_email(text) {
            Some(email) => Owner::Email(email),
            None => Owner::User(parse_user(text)?),
        }),
        (None, true) => Some(Owner::User(UserRef::Me)),
        (None, false) => None,
    };
    let mut filters = Vec::new();
    for (name, value) in [
        ("created_after", &p.created_after),
        ("created_before", &p.created_before),
        ("last_used_after", &p.last_used_after),
        ("last_used_before", &p.last_used_before),
        ("expires_after", &p.expires_after),
        ("expires_before", &p.expires_before),
    ] {
        if let Some(pair) = filter_date(name, value.as_deref())? {
            filters.push(pair);
        }
    }
    if let Some(state) = p.state.as_deref() {
        let state = state.trim().to_ascii_lowercase();
        if state != "active" && state != "inactive" {
            return Err(Error::invalid(
                "state",
                format!(
                    "State '{}' is neither 'active' nor 'inactive'.",
                    shorten(p.state.as_deref().unwrap_or_default())
                ),
            )
            .with_hint("Use -State active or -State inactive."));
        }
        filters.push(("state", state));
    }
    if let Some(revoked) = p.revoked {
        filters.push(("revoked", revoked.to_string()));
    }
    if let Some(search) = p.search.as_deref().filter(|s| !s.is_empty()) {
        filters.push(("search", search.to_string()));
    }
    let page = match p.page {
        None => 1,
        Some(0) => {
            return Err(Error::invalid(
                "page",
                "Page 0 does not exist; pages count from 1.",
            ));
        }
        Some(n) => n,
    };
    let per_page = match p.per_page {
        None => MAX_PER_PAGE,
        Some(n) if (1..=MAX_PER_PAGE).contains(&n) => n,
        Some(n) => {
            return Err(Error::invalid(
                "per_page",
                format!(
                    "per_page {n} is out of range; GitLab serves 1 to {MAX_PER_PAGE} items per page."
                ),
            ));
        }
    };
    Ok(ListQuery {
        user,
        filters,
        page,
        per_page,
    })
}

/// `list-personal-access-tokens` (run): one page.
pub fn list(
    params: &ListPersonalAccessTokensParams,
    ctx: &mut Context<'_>,
) -> Result<PersonalAccessTokenPage> {
    let q = validate_list(params)?;
    let sites = ctx.sites_for(params.site_url.as_deref())?;
    let (site, token) = site_of(&sites, params.site_url.as_deref())?;
    let client = ctx.gitlab.client(site, token)?;

    let user_id = match &q.user {
        None => None,
        Some(Owner::User(UserRef::Id(id))) => Some(*id),
        Some(Owner::User(UserRef::Me)) => Some(ctx.gitlab.users.current(&client, ctx.reporter)?.id),
        Some(Owner::Email(email)) => Some(by_email(&client, email, ctx.reporter)?.id),
        Some(Owner::User(UserRef::Username(name))) => Some(
            ctx.gitlab
                .users
                .by_username(&client, name, ctx.reporter)?
                .id,
        ),
    };
    let user_text = user_id.map(|id| id.to_string());
    let page_text = q.page.to_string();
    let per_page_text = q.per_page.to_string();
    let mut query: Vec<(&str, &str)> = Vec::new();
    if let Some(id) = user_text.as_deref() {
        query.push(("user_id", id));
    }
    for (name, value) in &q.filters {
        query.push((name, value.as_str()));
    }
    query.push(("page", &page_text));
    query.push(("per_page", &per_page_text));

    let page = client
        .get_page("/personal_access_tokens", &query, ctx.reporter)
        .map_err(|e| explain_list_refusal(e, &q, &site.url))?;
    let Value::Array(items) = page.items else {
        return Err(Error::new(
            ErrorKind::ServerError,
            format!(
                "GitLab at {} answered the token list with something other than a list.",
                site.url
            ),
        ));
    };
    let tokens = items
        .iter()
        .map(|item| existing_from_json(item, &site.url))
        .collect::<Result<Vec<_>>>()?;
    Ok(PersonalAccessTokenPage {
        tokens,
        page: q.page,
        next_page: page.next_page.filter(|&n| n > q.page),
    })
}

fn explain_list_refusal(mut err: Error, q: &ListQuery, site: &str) -> Error {
    let other_user = matches!(
        q.user,
        Some(Owner::User(UserRef::Id(_)) | Owner::User(UserRef::Username(_)) | Owner::Email(_))
    );
    match err.kind {
        // GitLab answers 401 when a non-administrator filters by another user.
        ErrorKind::Unauthorized | ErrorKind::Forbidden if other_user => {
            err.message = format!(
                "GitLab at {site} refused to list another user's tokens; only administrators may, and \
                 otherwise the access token itself is not accepted."
            );
            err.parameter = Some("user".to_string());
            err.hint = Some(
                "Leave out -UserId to list your own tokens, or use an administrator's access token.".to_string(),
            );
        }
        ErrorKind::NotFound if other_user => {
            err.message = format!("GitLab at {site} has no such user.");
            err.parameter = Some("user".to_string());
            err.hint = Some("Check the user id or username.".to_string());
        }
        _ => {}
    }
    err
}

// ---------------------------------------------------------------------------------------------
// get

/// `get-personal-access-token` (run).
pub fn get(
    params: &GetPersonalAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<PersonalAccessToken> {
    let which = TokenRef::parse(params.token_id.as_deref())?;
    let sites = ctx.sites_for(params.site_url.as_deref())?;
    let (site, token) = site_of(&sites, params.site_url.as_deref())?;
    let client = ctx.gitlab.client(site, token)?;
    let json = fetch(&client, which, ctx)?;
    existing_from_json(&json, &site.url)
}

fn fetch(client: &Client, which: TokenRef, ctx: &mut Context<'_>) -> Result<Value> {
    client
        .get(
            &format!("/personal_access_tokens/{}", which.segment()),
            &[],
            ctx.reporter,
        )
        .map_err(|e| explain_token_refusal(e, which, client.site_url(), "read"))
}

// ---------------------------------------------------------------------------------------------
// rotate

struct RotateValidated {
    which: TokenRef,
    expires_at: Option<NaiveDate>,
    site: Site,
    token: Secret,
    copy_to_clipboard: bool,
}

fn validate_rotate(
    p: &RotatePersonalAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<RotateValidated> {
    let which = TokenRef::parse(p.token_id.as_deref())?;
    let expires_at = dates::resolve_expiry(p.expires_at.as_deref(), p.expire_in_months, ctx.today)?;
    let sites = ctx.sites_for(p.site_url.as_deref())?;
    let (site, token) = site_of(&sites, p.site_url.as_deref())?;
    Ok(RotateValidated {
        which,
        expires_at,
        site: site.clone(),
        token: token.clone(),
        copy_to_clipboard: p.copy_to_clipboard.unwrap_or(false),
    })
}

/// `rotate-personal-access-token`, `mode: plan`. Never sends HTTP.
pub fn plan_rotate(p: &RotatePersonalAccessTokenParams, ctx: &mut Context<'_>) -> Result<Plan> {
    let v = validate_rotate(p, ctx)?;
    let expiry = match v.expires_at {
        Some(date) => format!("new token expires {}", date.format("%Y-%m-%d")),
        None => "new token's expiry: GitLab's default".to_string(),
    };
    let clipboard = if v.copy_to_clipboard {
        "; copy to clipboard"
    } else {
        ""
    };
    Ok(Plan {
        command: "rotate-personal-access-token".to_string(),
        target: v.which.describe(&v.site.url),
        action: format!(
            "Rotate personal access token: revoke it now and issue a replacement ({expiry}{clipboard})"
        ),
        requests: vec![format!(
            "POST /personal_access_tokens/{}/rotate",
            v.which.segment()
        )],
        params: PlanParams::Rotate(RotatePersonalAccessTokenParams {
            token_id: Some(v.which.segment()),
            expires_at: v.expires_at.map(|d| d.format("%Y-%m-%d").to_string()),
            expire_in_months: None,
            site_url: Some(v.site.url.clone()),
            copy_to_clipboard: v.copy_to_clipboard.then_some(true),
        }),
    })
}

/// `rotate-personal-access-token`, `mode: run`.
pub fn rotate(
    p: &RotatePersonalAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<NewPersonalAccessToken> {
    let v = validate_rotate(p, ctx)?;
    let client = ctx.gitlab.client(&v.site, &v.token)?;
    let mut body = json!({});
    if let Some(date) = v.expires_at {
        body["expires_at"] = Value::String(date.format("%Y-%m-%d").to_string());
    }
    let rotated = client
        .post(
            &format!("/personal_access_tokens/{}/rotate", v.which.segment()),
            &body,
            ctx.reporter,
        )
        .map_err(|e| explain_token_refusal(e, v.which, &v.site.url, "rotate"))?;
    let mut token = token_from_json(&rotated, &v.site.url)?;
    hand_over(&mut token, v.copy_to_clipboard, "rotated", ctx);
    Ok(token)
}

// ---------------------------------------------------------------------------------------------
// revoke

/// `revoke-personal-access-token`, `mode: plan`. Never sends HTTP.
pub fn plan_revoke(p: &RevokePersonalAccessTokenParams, ctx: &mut Context<'_>) -> Result<Plan> {
    let which = TokenRef::parse(p.token_id.as_deref())?;
    let sites = ctx.sites_for(p.site_url.as_deref())?;
    let (site, _) = site_of(&sites, p.site_url.as_deref())?;
    let mut requests = Vec::new();
    if which == TokenRef::Current {
        requests.push("GET /personal_access_tokens/self".to_string());
    }
    requests.push(format!(
        "DELETE /personal_access_tokens/{}",
        which.segment()
    ));
    Ok(Plan {
        command: "revoke-personal-access-token".to_string(),
        target: which.describe(&site.url),
        action: "Revoke personal access token (it stops working at once)".to_string(),
        requests,
        params: PlanParams::Revoke(RevokePersonalAccessTokenParams {
            token_id: Some(which.segment()),
            site_url: Some(site.url.clone()),
        }),
    })
}

/// `revoke-personal-access-token`, `mode: run`. For `self` the token's id is read first, so the
/// result can name it; if that read fails the token is revoked all the same.
pub fn revoke(
    p: &RevokePersonalAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<RevokedPersonalAccessToken> {
    let which = TokenRef::parse(p.token_id.as_deref())?;
    let sites = ctx.sites_for(p.site_url.as_deref())?;
    let (site, token) = site_of(&sites, p.site_url.as_deref())?;
    let client = ctx.gitlab.client(site, token)?;
    let revoked_id = match which {
        TokenRef::Id(id) => Some(id),
        TokenRef::Current => match fetch(&client, which, ctx) {
            Ok(json) => json.get("id").and_then(Value::as_u64),
            Err(e) => {
                ctx.reporter.debug(format!(
                    "The id of the access token in use is unknown: {}",
                    e.message
                ));
                None
            }
        },
    };
    client
        .delete(
            &format!("/personal_access_tokens/{}", which.segment()),
            ctx.reporter,
        )
        .map_err(|e| explain_token_refusal(e, which, &site.url, "revoke"))?;
    Ok(RevokedPersonalAccessToken {
        revoked_id,
        site_url: site.url.clone(),
    })
}

// ---------------------------------------------------------------------------------------------
// shared

/// Says what GitLab's status means for one token: GitLab answers 401 (not 404) to a
/// non-administrator asking for a token that is not theirs or does not exist, and 400 when a
/// rotation or revocation is refused (for example because the token is already revoked).
fn explain_token_refusal(mut err: Error, which: TokenRef, site: &str, verb: &str) -> Error {
    let what = which.describe(site);
    match (err.kind, which) {
        (ErrorKind::Unauthorized, TokenRef::Id(_)) => {
            err.message = format!(
                "GitLab refused to {verb} {what}: either the token does not exist or is not yours \
                 (GitLab answers 401 for both to non-administrators), or the access token is not accepted."
            );
            err.parameter = Some(TOKEN_ID.to_string());
            err.hint = Some(
                "Check the id with Get-GitlabPersonalAccessToken; only administrators may act on other users' tokens."
                    .to_string(),
            );
        }
        (ErrorKind::NotFound, _) => {
            err.message = format!("GitLab found no {what}.");
            err.parameter = Some(TOKEN_ID.to_string());
            err.hint = Some("Check the id with Get-GitlabPersonalAccessToken.".to_string());
        }
        (ErrorKind::InvalidArgument, _) if err.status == Some(400) => {
            err.message = format!("GitLab refused to {verb} {what}.");
            err.hint = Some(if verb == "rotate" {
                "A token that is already revoked or expired cannot be rotated; rotating a revoked token makes GitLab \
                 revoke every token of its family. Create a new token with New-GitlabPersonalAccessToken."
                    .to_string()
            } else {
                "The token may be revoked already, or belong to another user (only administrators may revoke those)."
                    .to_string()
            });
        }
        (ErrorKind::Forbidden, TokenRef::Current) if verb == "rotate" => {
            err.message = format!("GitLab refused to let {what} rotate itself.");
            err.hint = Some(
                "A token can rotate itself only with the api or self_rotate scope.".to_string(),
            );
        }
        _ => {}
    }
    err
}

/// Read GitLab's token entity (without a value) leniently.
pub fn existing_from_json(json: &Value, site_url: &str) -> Result<PersonalAccessToken> {
    let (id, mut entry) = super::token_entity::read(json, site_url, false);
    let id = id.ok_or_else(|| {
        Error::new(
            ErrorKind::ServerError,
            format!("GitLab at {site_url} answered with a token entry that has no id."),
        )
    })?;
    entry.id = id;
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_refs_are_ids_or_self() {
        assert_eq!(TokenRef::parse(Some("12")).unwrap(), TokenRef::Id(12));
        assert_eq!(TokenRef::parse(Some(" SELF ")).unwrap(), TokenRef::Current);
        for bad in [
            None,
            Some(""),
            Some("0"),
            Some("-1"),
            Some("+3"),
            Some("abc"),
            Some("1/2"),
        ] {
            let err = TokenRef::parse(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidArgument, "{bad:?}");
            assert_eq!(err.parameter.as_deref(), Some("token_id"));
        }
    }

    #[test]
    fn list_filters_are_checked_and_named() {
        let ok = validate_list(&ListPersonalAccessTokensParams {
            created_after: Some("2025-01-31".into()),
            state: Some("Active".into()),
            revoked: Some(false),
            search: Some("CI".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            ok.filters,
            vec![
                ("created_after", "2025-01-31".to_string()),
                ("state", "active".to_string()),
                ("revoked", "false".to_string()),
                ("search", "CI".to_string()),
            ]
        );
        assert_eq!((ok.page, ok.per_page), (1, 100));

        let err = validate_list(&ListPersonalAccessTokensParams {
            last_used_before: Some("yesterday-ish".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.parameter.as_deref(), Some("last_used_before"));
        assert!(err.message.contains("last_used_before"), "{}", err.message);
        assert!(!err.message.contains("expires_at"), "{}", err.message);

        let err = validate_list(&ListPersonalAccessTokensParams {
            state: Some("expired".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.parameter.as_deref(), Some("state"));

        let err = validate_list(&ListPersonalAccessTokensParams {
            user: Some("jsmith".into()),
            mine: Some(true),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.parameter.as_deref(), Some("user"));

        for (page, per_page) in [(Some(0), None), (None, Some(0)), (None, Some(101))] {
            assert!(
                validate_list(&ListPersonalAccessTokensParams {
                    page,
                    per_page,
                    ..Default::default()
                })
                .is_err()
            );
        }
    }

    #[test]
    fn email_addresses_are_told_from_usernames() {
        assert_eq!(
            as_email(" jane@example.com "),
            Some("jane@example.com".into())
        );
        for not_email in [
            "jsmith",
            "@jsmith",
            "jane@",
            "jane@localhost",
            "a b@c.d",
            "x@.com",
        ] {
            assert_eq!(as_email(not_email), None, "{not_email}");
        }
        let q = validate_list(&ListPersonalAccessTokensParams {
            user: Some("jane@example.com".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(q.user, Some(Owner::Email("jane@example.com".into())));
    }

    #[test]
    fn listed_tokens_are_read_leniently_but_need_an_id() {
        let t = existing_from_json(
            &json!({"id": 4, "name": "n", "scopes": ["api"], "active": true, "last_used_at": null}),
            "https://g",
        )
        .unwrap();
        assert_eq!((t.id, t.active, t.last_used_at), (4, true, None));
        assert!(existing_from_json(&json!({"name": "n"}), "https://g").is_err());
    }
}
