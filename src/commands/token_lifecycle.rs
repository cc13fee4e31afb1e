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
use super::owner::{OWNER, Owner, Person, as_email};
use super::personal_access_token::{UserRef, hand_over, parse_user, token_from_json};
use crate::config::{Site, Sites};
use crate::dates;
use crate::error::{Error, ErrorKind, Result};
use crate::gitlab::Client;
use crate::gitlab::pages::MAX_PER_PAGE;
use crate::gitlab::users::by_email;
use crate::params;
use crate::protocol::{
    GetAccessTokenParams, GetPersonalAccessTokenParams, ListAccessTokensParams,
    ListPersonalAccessTokensParams, NewPersonalAccessToken, OwnerKind, PersonalAccessToken,
    PersonalAccessTokenPage, Plan, PlanParams, RevokeAccessTokenParams,
    RevokePersonalAccessTokenParams, RevokedPersonalAccessToken, RotateAccessTokenParams,
    RotatePersonalAccessTokenParams,
};
use crate::secret::Secret;
use chrono::NaiveDate;
use serde_json::{Value, json};

const TOKEN_ID: &str = "token_id";

/// The `state` that lists tokens in every state (no `state` filter is sent).
pub const STATE_ALL: &str = "all";

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

    fn describe(self, owner: &Owner, site: &str) -> String {
        match (self, owner) {
            (TokenRef::Current, _) => format!("the access token in use on {site}"),
            (TokenRef::Id(id), Owner::User(_)) => format!("personal access token #{id} on {site}"),
            (TokenRef::Id(id), _) => {
                format!("{} #{id} of {} on {site}", owner.noun(), owner.describe())
            }
        }
    }
}

fn shorten(text: &str) -> String {
    crate::text::truncate(text, 40)
}

fn site_of<'s>(sites: &'s Sites, site_url: Option<&str>) -> Result<(&'s Site, &'s Secret)> {
    sites.resolve(site_url)
}

// ---------------------------------------------------------------------------------------------
// list

/// List parameters after validation.
#[derive(Debug)]
struct ListQuery {
    user: Option<Person>,
    filters: Vec<(&'static str, String)>,
    page: u32,
    per_page: u32,
}

fn filter_date(name: &'static str, text: Option<&str>) -> Result<Option<(&'static str, String)>> {
    let Some(text) = text else { return Ok(None) };
    let date = dates::parse_date_as(text, name).map_err(|mut e| {
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
            Some(email) => Person::Email(email),
            None => Person::User(parse_user(text)?),
        }),
        (None, true) => Some(Person::User(UserRef::Me)),
        (None, false) => None,
    };
    validate_query(&list_params_of(p), user)
}

/// The owner-independent part of a personal list's params.
fn list_params_of(p: &ListPersonalAccessTokensParams) -> ListAccessTokensParams {
    ListAccessTokensParams {
        owner: None,
        created_after: p.created_after.clone(),
        created_before: p.created_before.clone(),
        last_used_after: p.last_used_after.clone(),
        last_used_before: p.last_used_before.clone(),
        expires_after: p.expires_after.clone(),
        expires_before: p.expires_before.clone(),
        state: p.state.clone(),
        revoked: p.revoked,
        search: p.search.clone(),
        sort: None,
        page: p.page,
        per_page: p.per_page,
        site_url: p.site_url.clone(),
    }
}

/// GitLab's sorts for token lists.
pub const SORTS: [&str; 8] = [
    "created_asc",
    "created_desc",
    "expires_asc",
    "expires_desc",
    "last_used_asc",
    "last_used_desc",
    "name_asc",
    "name_desc",
];

/// The filters, sort and page every owner's list takes.
fn validate_query(p: &ListAccessTokensParams, user: Option<Person>) -> Result<ListQuery> {
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
    match p.state.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
        // Active tokens unless told otherwise, as pwsh-gitlab lists them; asking for revoked
        // tokens asks for inactive ones, so it drops the default.
        None if p.revoked == Some(true) => {}
        None => filters.push(("state", "active".to_string())),
        Some(state) if state == STATE_ALL => {}
        Some(state) if state == "active" || state == "inactive" => filters.push(("state", state)),
        Some(_) => {
            return Err(Error::invalid(
                "state",
                format!(
                    "{} '{}' is not 'active', 'inactive' or '{STATE_ALL}'.",
                    params::shown("state"),
                    shorten(p.state.as_deref().unwrap_or_default())
                ),
            )
            .with_hint("Use -State active (the default), -State inactive, or -State all for tokens in every state."));
        }
    }
    if let Some(revoked) = p.revoked {
        filters.push(("revoked", revoked.to_string()));
    }
    if let Some(search) = p.search.as_deref().filter(|s| !s.is_empty()) {
        filters.push(("search", search.to_string()));
    }
    if let Some(sort) = p.sort.as_deref() {
        let wanted = sort.trim().to_ascii_lowercase();
        if !SORTS.contains(&wanted.as_str()) {
            return Err(Error::invalid(
                "sort",
                format!(
                    "{} '{}' is not one of GitLab's sorts: {}.",
                    params::shown("sort"),
                    shorten(sort),
                    SORTS.join(", ")
                ),
            ));
        }
        filters.push(("sort", wanted));
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
    list_owned(
        &Owner::User(q.user.clone()),
        q,
        params.site_url.as_deref(),
        ctx,
    )
}

/// `list-access-tokens` (run): one page of any owner's tokens.
pub fn list_access(
    params: &ListAccessTokensParams,
    ctx: &mut Context<'_>,
) -> Result<PersonalAccessTokenPage> {
    let owner = Owner::from_param(params.owner.as_ref())?;
    let user = match &owner {
        Owner::User(person) => person.clone(),
        _ => None,
    };
    let q = validate_query(params, user)?;
    list_owned(&owner, q, params.site_url.as_deref(), ctx)
}

fn list_owned(
    owner: &Owner,
    q: ListQuery,
    site_url: Option<&str>,
    ctx: &mut Context<'_>,
) -> Result<PersonalAccessTokenPage> {
    let sites = ctx.sites_for(site_url)?;
    let (site, token) = site_of(&sites, site_url)?;
    let client = ctx.gitlab.client(site, token)?;

    let user_id = match &q.user {
        None => None,
        Some(Person::User(UserRef::Id(id))) => Some(*id),
        Some(Person::User(UserRef::Me)) => {
            Some(ctx.gitlab.users.current(&client, ctx.reporter)?.id)
        }
        Some(Person::Email(email)) => Some(by_email(&client, email, ctx.reporter)?.id),
        Some(Person::User(UserRef::Username(name))) => Some(
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
        .get_page(&owner.tokens_path(), &query, ctx.reporter)
        .map_err(|e| match owner {
            Owner::User(_) => explain_list_refusal(e, &q, &site.url, &client),
            _ => explain_owner_refusal(e, owner, &site.url, "list the tokens of", &client),
        })?;
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
        .map(|item| owned_from_json(item, owner, &site.url))
        .collect::<Result<Vec<_>>>()?;
    Ok(PersonalAccessTokenPage {
        tokens,
        page: q.page,
        next_page: page.next_page.filter(|&n| n > q.page),
    })
}

fn explain_list_refusal(mut err: Error, q: &ListQuery, site: &str, client: &Client) -> Error {
    if client.access_token_revoked_here() {
        // The client already named the cause.
        return err;
    }
    let other_user = matches!(
        q.user,
        Some(Person::User(UserRef::Id(_)) | Person::User(UserRef::Username(_)) | Person::Email(_))
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
    get_owned(
        &Owner::User(None),
        params.token_id.as_deref(),
        params.site_url.as_deref(),
        ctx,
    )
}

/// `get-access-token` (run).
pub fn get_access(
    params: &GetAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<PersonalAccessToken> {
    let owner = Owner::from_param(params.owner.as_ref())?;
    get_owned(
        &owner,
        params.token_id.as_deref(),
        params.site_url.as_deref(),
        ctx,
    )
}

fn get_owned(
    owner: &Owner,
    token_id: Option<&str>,
    site_url: Option<&str>,
    ctx: &mut Context<'_>,
) -> Result<PersonalAccessToken> {
    let which = TokenRef::parse(token_id)?;
    refuse_self(owner, which, "read")?;
    let sites = ctx.sites_for(site_url)?;
    let (site, token) = site_of(&sites, site_url)?;
    let client = ctx.gitlab.client(site, token)?;
    let json = fetch(&client, owner, which, ctx)?;
    owned_from_json(&json, owner, &site.url)
}

/// GitLab has no `self` read or revocation under a group or project: refused before sending.
fn refuse_self(owner: &Owner, which: TokenRef, verb: &str) -> Result<()> {
    if which == TokenRef::Current && !owner.reads_self() {
        return Err(Error::invalid(
            TOKEN_ID,
            format!(
                "GitLab cannot {verb} a {} as 'self'; only rotation takes -Self there. Nothing was sent.",
                owner.noun()
            ),
        )
        .with_hint(format!(
            "Name the token by id ({} lists them).",
            owner.get_cmdlet()
        )));
    }
    Ok(())
}

fn fetch(client: &Client, owner: &Owner, which: TokenRef, ctx: &mut Context<'_>) -> Result<Value> {
    client
        .get(&owner.token_path(&which.segment()), &[], ctx.reporter)
        .map_err(|e| explain_token_refusal(e, owner, which, client.site_url(), "read", client))
}

// ---------------------------------------------------------------------------------------------
// rotate

struct RotateValidated {
    owner: Owner,
    which: TokenRef,
    expires_at: Option<NaiveDate>,
    site: Site,
    token: Secret,
    copy_to_clipboard: bool,
    force: bool,
    save_to_config: bool,
}

/// A token's state as far as a rotation cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TokenState {
    revoked: bool,
    active: bool,
}

/// What GitLab does to a revoked token's family, said once for every message that needs it.
const FAMILY_RULE: &str = "rotating a revoked token makes GitLab treat it as a stolen token and \
    revoke its whole family: every token rotated from it, the newest replacement included";

/// Refuse to rotate a revoked token (always) or an inactive one (unless `force`); `known_by`
/// says where the state comes from. `Ok(Some(warning))` when `force` lets an inactive one pass.
fn check_rotatable(
    owner: &Owner,
    which: TokenRef,
    site: &str,
    state: TokenState,
    force: bool,
    known_by: &str,
) -> Result<Option<String>> {
    let what = which.describe(owner, site);
    let get = owner.get_cmdlet();
    if state.revoked {
        return Err(Error::invalid(
            TOKEN_ID,
            format!(
                "Not rotating {what}: it is revoked ({known_by}), and {FAMILY_RULE}. Nothing was sent."
            ),
        )
        .with_hint(format!(
            "Rotate the token that replaced it instead ({get} lists active \
             tokens), or create a new one with {}. -Force does not \
             apply to a revoked token.",
            owner.new_cmdlet()
        )));
    }
    if !state.active && !force {
        return Err(Error::invalid(
            TOKEN_ID,
            format!(
                "Not rotating {what}: it is inactive (expired; {known_by}); -Force rotates an \
                 inactive token anyway, but if it was revoked meanwhile, {FAMILY_RULE}. Nothing \
                 was sent."
            ),
        )
        .with_hint(format!(
            "Check it with {get} -TokenId <id>; to rotate an expired, \
             not revoked token anyway, add -Force."
        )));
    }
    Ok((!state.active).then(|| {
        format!(
            "Rotating {what} although it is inactive ({known_by}), because of -Force; GitLab may \
             refuse to rotate an expired token."
        )
    }))
}

fn rotate_params_of(p: &RotatePersonalAccessTokenParams) -> RotateAccessTokenParams {
    RotateAccessTokenParams {
        owner: None,
        token_id: p.token_id.clone(),
        expires_at: p.expires_at.clone(),
        expire_in_months: p.expire_in_months,
        site_url: p.site_url.clone(),
        copy_to_clipboard: p.copy_to_clipboard,
        active: p.active,
        revoked: p.revoked,
        force: p.force,
        save_to_config: p.save_to_config,
    }
}

/// `at_plan`: whether this is the plan, where a forced rotation of a token the caller knows is
/// inactive is warned about; the run, given the plan's params, refuses the same way but does not
/// say it again.
fn validate_rotate(
    owner: Owner,
    p: &RotateAccessTokenParams,
    at_plan: bool,
    ctx: &mut Context<'_>,
) -> Result<RotateValidated> {
    let which = TokenRef::parse(p.token_id.as_deref())?;
    let expires_at = dates::resolve_expiry(p.expires_at.as_deref(), p.expire_in_months, ctx.today)?;
    let sites = ctx.sites_for(p.site_url.as_deref())?;
    let (site, token) = site_of(&sites, p.site_url.as_deref())?;
    let force = p.force.unwrap_or(false);
    // The caller's view of the token (a piped object's Active and Revoked): refused here, before
    // any request.
    if p.revoked.is_some() || p.active.is_some() {
        let state = TokenState {
            revoked: p.revoked.unwrap_or(false),
            active: p.active.unwrap_or(true) && !p.revoked.unwrap_or(false),
        };
        if let Some(warning) = check_rotatable(
            &owner,
            which,
            &site.url,
            state,
            force,
            "as the piped token says",
        )? && at_plan
        {
            ctx.reporter.warning(warning);
        }
    }
    let save_to_config = p.save_to_config.unwrap_or(false);
    if save_to_config {
        super::sites::check_save_to_config(
            site,
            which == TokenRef::Current,
            p.copy_to_clipboard.unwrap_or(false),
        )?;
    }
    Ok(RotateValidated {
        owner,
        save_to_config,
        which,
        expires_at,
        site: site.clone(),
        token: token.clone(),
        copy_to_clipboard: p.copy_to_clipboard.unwrap_or(false),
        force,
    })
}

/// `rotate-personal-access-token`, `mode: plan`. Never sends HTTP.
pub fn plan_rotate(p: &RotatePersonalAccessTokenParams, ctx: &mut Context<'_>) -> Result<Plan> {
    let mut plan = plan_rotate_owned(Owner::User(None), &rotate_params_of(p), ctx)?;
    plan.command = "rotate-personal-access-token".to_string();
    if let PlanParams::RotateAccess(n) = plan.params {
        plan.params = PlanParams::Rotate(RotatePersonalAccessTokenParams {
            token_id: n.token_id,
            expires_at: n.expires_at,
            expire_in_months: None,
            site_url: n.site_url,
            copy_to_clipboard: n.copy_to_clipboard,
            active: n.active,
            revoked: n.revoked,
            force: n.force,
            save_to_config: n.save_to_config,
        });
    }
    Ok(plan)
}

/// `rotate-access-token`, `mode: plan`. Never sends HTTP.
pub fn plan_rotate_access(p: &RotateAccessTokenParams, ctx: &mut Context<'_>) -> Result<Plan> {
    let owner = Owner::from_param(p.owner.as_ref())?;
    plan_rotate_owned(owner, p, ctx)
}

fn plan_rotate_owned(
    owner: Owner,
    p: &RotateAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<Plan> {
    let v = validate_rotate(owner, p, true, ctx)?;
    let expiry = match v.expires_at {
        Some(date) => format!("new token expires {}", date.format("%Y-%m-%d")),
        None => "new token's expiry: GitLab's default".to_string(),
    };
    let clipboard = if v.copy_to_clipboard {
        "; copy to clipboard"
    } else if v.save_to_config {
        "; save it to the config file"
    } else {
        ""
    };
    let mut requests = Vec::new();
    if let TokenRef::Id(_) = v.which {
        requests.push(format!("GET {}", v.owner.token_path(&v.which.segment())));
    }
    requests.push(format!("POST {}", v.owner.rotate_path(&v.which.segment())));
    let noun = v.owner.noun();
    Ok(Plan {
        command: "rotate-access-token".to_string(),
        target: v.which.describe(&v.owner, &v.site.url),
        action: format!(
            "Rotate {noun}: revoke it now and issue a replacement ({expiry}{clipboard})"
        ),
        requests,
        params: PlanParams::RotateAccess(RotateAccessTokenParams {
            owner: Some(v.owner.to_param()),
            token_id: Some(v.which.segment()),
            expires_at: v.expires_at.map(|d| d.format("%Y-%m-%d").to_string()),
            expire_in_months: None,
            site_url: Some(v.site.url.clone()),
            copy_to_clipboard: v.copy_to_clipboard.then_some(true),
            active: p.active,
            revoked: p.revoked,
            force: v.force.then_some(true),
            save_to_config: v.save_to_config.then_some(true),
        }),
        confirm: None,
    })
}

/// `rotate-personal-access-token`, `mode: run`.
pub fn rotate(
    p: &RotatePersonalAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<NewPersonalAccessToken> {
    rotate_owned(Owner::User(None), &rotate_params_of(p), ctx)
}

/// `rotate-access-token`, `mode: run`.
pub fn rotate_access(
    p: &RotateAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<NewPersonalAccessToken> {
    let owner = Owner::from_param(p.owner.as_ref())?;
    rotate_owned(owner, p, ctx)
}

/// A token given by id is read first, and a revoked or inactive one is refused before the
/// rotation is sent.
fn rotate_owned(
    owner: Owner,
    p: &RotateAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<NewPersonalAccessToken> {
    let v = validate_rotate(owner, p, false, ctx)?;
    let client = ctx.gitlab.client(&v.site, &v.token)?;
    if let TokenRef::Id(_) = v.which {
        let json = fetch(&client, &v.owner, v.which, ctx)?;
        let now = owned_from_json(&json, &v.owner, &v.site.url)?;
        let state = TokenState {
            revoked: now.revoked,
            active: now.active && !now.revoked,
        };
        if let Some(warning) = check_rotatable(
            &v.owner,
            v.which,
            &v.site.url,
            state,
            v.force,
            "as GitLab says now",
        )? && p.active != Some(false)
        {
            // Unless the caller already knew it was inactive, and its plan said so.
            ctx.reporter.warning(warning);
        }
    }
    let mut body = json!({});
    if let Some(date) = v.expires_at {
        body["expires_at"] = Value::String(date.format("%Y-%m-%d").to_string());
    }
    let rotated = client
        .post(
            &v.owner.rotate_path(&v.which.segment()),
            &body,
            ctx.reporter,
        )
        .and_then(|json| {
            token_from_json(&json, &v.site.url).map(|mut t| {
                super::token_entity::add_owner(&mut t, &json, &v.owner);
                t
            })
        })
        .map_err(|e| explain_token_refusal(e, &v.owner, v.which, &v.site.url, "rotate", &client));
    let rotated_in_use = match v.which {
        TokenRef::Current => true,
        TokenRef::Id(id) => client.is_known_access_token(id),
    };
    if rotated_in_use && rotated.is_ok() {
        client.mark_access_token_revoked();
    }
    let mut token = rotated?;
    hand_over(&mut token, v.copy_to_clipboard, "rotated", ctx);
    if v.save_to_config {
        super::sites::save_rotated(&mut token, &v.site, ctx);
    }
    Ok(token)
}

// ---------------------------------------------------------------------------------------------
// revoke

fn revoke_params_of(p: &RevokePersonalAccessTokenParams) -> RevokeAccessTokenParams {
    RevokeAccessTokenParams {
        owner: None,
        token_id: p.token_id.clone(),
        site_url: p.site_url.clone(),
    }
}

/// `revoke-personal-access-token`, `mode: plan`. Never sends HTTP.
pub fn plan_revoke(p: &RevokePersonalAccessTokenParams, ctx: &mut Context<'_>) -> Result<Plan> {
    let mut plan = plan_revoke_owned(&Owner::User(None), &revoke_params_of(p), ctx)?;
    plan.command = "revoke-personal-access-token".to_string();
    if let PlanParams::RevokeAccess(n) = plan.params {
        plan.params = PlanParams::Revoke(RevokePersonalAccessTokenParams {
            token_id: n.token_id,
            site_url: n.site_url,
        });
    }
    Ok(plan)
}

/// `revoke-access-token`, `mode: plan`. Never sends HTTP.
pub fn plan_revoke_access(p: &RevokeAccessTokenParams, ctx: &mut Context<'_>) -> Result<Plan> {
    let owner = Owner::from_param(p.owner.as_ref())?;
    plan_revoke_owned(&owner, p, ctx)
}

fn plan_revoke_owned(
    owner: &Owner,
    p: &RevokeAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<Plan> {
    let which = TokenRef::parse(p.token_id.as_deref())?;
    refuse_self(owner, which, "revoke")?;
    let sites = ctx.sites_for(p.site_url.as_deref())?;
    let (site, _) = site_of(&sites, p.site_url.as_deref())?;
    // A user's token: by id, the id of the token in use is read once per process, to refuse
    // revoking it by id; for self, the token is read so the result can name its id.
    let mut requests = Vec::new();
    if let Owner::User(_) = owner {
        requests.push("GET /personal_access_tokens/self".to_string());
    }
    requests.push(format!("DELETE {}", owner.token_path(&which.segment())));
    Ok(Plan {
        command: "revoke-access-token".to_string(),
        target: which.describe(owner, &site.url),
        action: format!("Revoke {} (it stops working at once)", owner.noun()),
        requests,
        params: PlanParams::RevokeAccess(RevokeAccessTokenParams {
            owner: Some(owner.to_param()),
            token_id: Some(which.segment()),
            site_url: Some(site.url.clone()),
        }),
        confirm: None,
    })
}

/// `revoke-personal-access-token`, `mode: run`.
pub fn revoke(
    p: &RevokePersonalAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<RevokedPersonalAccessToken> {
    revoke_owned(&Owner::User(None), &revoke_params_of(p), ctx)
}

/// `revoke-access-token`, `mode: run`.
pub fn revoke_access(
    p: &RevokeAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<RevokedPersonalAccessToken> {
    let owner = Owner::from_param(p.owner.as_ref())?;
    revoke_owned(&owner, p, ctx)
}

/// For a user's `self` the token's id is read first, so the result can name it; if that read
/// fails the token is revoked all the same. By id, the personal token in use is refused: it is
/// revoked only with `self`, so a bulk revoke never cuts itself off.
fn revoke_owned(
    owner: &Owner,
    p: &RevokeAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<RevokedPersonalAccessToken> {
    let which = TokenRef::parse(p.token_id.as_deref())?;
    refuse_self(owner, which, "revoke")?;
    let sites = ctx.sites_for(p.site_url.as_deref())?;
    let (site, token) = site_of(&sites, p.site_url.as_deref())?;
    let client = ctx.gitlab.client(site, token)?;
    let revoked_id = match which {
        TokenRef::Id(id) => {
            if owner.reads_self() && client.access_token_id(ctx.reporter) == Some(id) {
                return Err(Error::invalid(
                    TOKEN_ID,
                    format!(
                        "Not revoking personal access token #{id} on {}: it is the access token in \
                         use, and revoking it by id would make every request after it fail. It is \
                         revoked only with -Self. Nothing was sent.",
                        site.url
                    ),
                )
                .with_hint(format!(
                    "Revoke the other tokens first, then the one in use with \
                     Revoke-GitlabPersonalAccessToken -Self (for example: … | Where-Object Id -ne \
                     {id} | Revoke-GitlabPersonalAccessToken; Revoke-GitlabPersonalAccessToken -Self)."
                )));
            }
            Some(id)
        }
        TokenRef::Current => match fetch(&client, owner, which, ctx) {
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
        .delete(&owner.token_path(&which.segment()), ctx.reporter)
        .map_err(|e| explain_token_refusal(e, owner, which, &site.url, "revoke", &client))?;
    if which == TokenRef::Current {
        client.mark_access_token_revoked();
    }
    Ok(RevokedPersonalAccessToken {
        revoked_id,
        owner: owner.token_owner(&Value::Null),
        site_url: site.url.clone(),
    })
}

// ---------------------------------------------------------------------------------------------
// shared

/// Says what GitLab's status means for one token: GitLab answers 401 (not 404) to a
/// non-administrator asking for a token that is not theirs or does not exist, 404 to `self`
/// when the access token is not a personal access token, and 400 when a rotation or revocation
/// is refused (for example because the token is already revoked).
fn explain_token_refusal(
    err: Error,
    owner: &Owner,
    which: TokenRef,
    site: &str,
    verb: &str,
    client: &Client,
) -> Error {
    if client.access_token_revoked_here() {
        // The client already named the cause.
        return err;
    }
    match owner {
        Owner::User(_) => explain_personal_refusal(err, which, site, verb),
        _ => explain_resource_token_refusal(err, owner, which, site, verb, client),
    }
}

fn explain_personal_refusal(mut err: Error, which: TokenRef, site: &str, verb: &str) -> Error {
    let owner = Owner::User(None);
    let what = which.describe(&owner, site);
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
        (ErrorKind::NotFound, TokenRef::Current) => {
            err.message = format!(
                "GitLab at {site} has no personal access token for the access token in use: it \
                 is not a personal access token (it may be an OAuth, project, group, deploy or CI \
                 job token), so -Self cannot {verb} it."
            );
            err.parameter = Some(TOKEN_ID.to_string());
            err.hint = Some(
                "-Self works only when the configured access token is a personal access token. \
                 Name the token with -TokenId instead (Get-GitlabPersonalAccessToken lists them), \
                 or configure a personal access token."
                    .to_string(),
            );
        }
        (ErrorKind::NotFound, TokenRef::Id(_)) => {
            err.message = format!("GitLab found no {what}.");
            err.parameter = Some(TOKEN_ID.to_string());
            err.hint = Some("Check the id with Get-GitlabPersonalAccessToken.".to_string());
        }
        (ErrorKind::InvalidArgument, _) if err.status == Some(400) => {
            err.message = format!("GitLab refused to {verb} {what}.");
            err.hint = Some(if verb == "rotate" {
                format!(
                    "A token that is already revoked or expired cannot be rotated; {FAMILY_RULE}. \
                     Create a new token with New-GitlabPersonalAccessToken."
                )
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
        (ErrorKind::OutcomeUnknown, _) if verb == "rotate" => {
            let cause = err.message.clone();
            let check = match which {
                TokenRef::Id(id) => format!("Get-GitlabPersonalAccessToken -TokenId {id}"),
                TokenRef::Current => "Get-GitlabPersonalAccessToken -State all".to_string(),
            };
            err.message = format!(
                "The rotation of {what} may have taken effect without its answer arriving ({}): \
                 the old token may already be revoked and the new token's value lost with the \
                 answer. It was not retried.",
                cause.trim_end_matches('.')
            );
            err.hint = Some(format!(
                "Check with {check}: if the old token shows Revoked, the rotation happened; revoke \
                 its replacement, whose value you do not have (Get-GitlabPersonalAccessToken -State \
                 all lists it), and create a new token. Do not rotate the old token again: {FAMILY_RULE}."
            ));
        }
        _ => {}
    }
    err
}

/// A group's or project's token: GitLab's answers as its resource token API gives them. The
/// owner's own refusals (not found, the role) first, then the token's.
fn explain_resource_token_refusal(
    err: Error,
    owner: &Owner,
    which: TokenRef,
    site: &str,
    verb: &str,
    client: &Client,
) -> Error {
    let said = err.gitlab_message.clone().unwrap_or_default();
    let what = which.describe(owner, site);
    let mut err = err;
    match err.kind {
        // `404 group Access Token Not Found`: the owner exists, the token is not its.
        ErrorKind::NotFound
            if said.contains("Access Token Not Found") || said == "404 Not Found" =>
        {
            err.message = format!("GitLab found no {what}.");
            err.parameter = Some(TOKEN_ID.to_string());
            err.hint = Some(format!("Check the id with {}.", owner.get_cmdlet()));
            err
        }
        ErrorKind::Unauthorized if verb == "rotate" && which != TokenRef::Current => {
            err.message = format!(
                "GitLab refused to rotate {what}: either it is not one of the {}'s tokens, or the                  access token lacks the role (GitLab answers 401 for both), or it is not accepted.",
                owner.kind().as_str()
            );
            err.parameter = Some(TOKEN_ID.to_string());
            err.hint = Some(format!(
                "{} Check the id with {}.",
                owner.role_rule(),
                owner.get_cmdlet()
            ));
            err
        }
        ErrorKind::InvalidArgument if said.contains("Not eligible to rotate") => {
            err.message = format!(
                "GitLab refused to rotate {what}: its access level is higher than your own role                  ({said})."
            );
            err.hint =
                Some("Ask someone with that role (or an administrator) to rotate it.".to_string());
            err
        }
        ErrorKind::InvalidArgument if said.contains("cannot delete") => {
            err.kind = ErrorKind::Forbidden;
            err.message = format!("GitLab refused to revoke {what} ({said}).");
            err.hint = Some(owner.role_rule().to_string());
            err
        }
        _ if err.status == Some(405) && which == TokenRef::Current => {
            err.kind = ErrorKind::InvalidArgument;
            err.message = format!(
                "GitLab refused to let the access token in use rotate itself as a token of {}                  ({said}): it is not one of that {}'s access tokens.",
                owner.describe(),
                owner.kind().as_str()
            );
            err.parameter = Some(TOKEN_ID.to_string());
            err.hint = Some("-Self rotates the access token in use only when it is one of this owner's tokens; name the token with -TokenId instead.".to_string());
            err
        }
        _ => {
            let err =
                explain_owner_refusal(err, owner, site, &format!("{verb} a token of"), client);
            if err.kind == ErrorKind::InvalidArgument && verb == "rotate" && err.status == Some(400)
            {
                let mut err = err;
                err.message = format!("GitLab refused to rotate {what} ({said}).");
                err.hint = Some(format!(
                    "A token that is already revoked or expired cannot be rotated; {FAMILY_RULE}.                      Create a new token with {}.",
                    owner.new_cmdlet()
                ));
                return err;
            }
            err
        }
    }
}

/// The owner's own refusals, for every command: a group or project that does not exist or is
/// hidden (404 `Group Not Found`), and the role (401 on lists and reads).
pub fn explain_owner_refusal(
    mut err: Error,
    owner: &Owner,
    site: &str,
    doing: &str,
    client: &Client,
) -> Error {
    if client.access_token_revoked_here() {
        return err;
    }
    let said = err.gitlab_message.clone().unwrap_or_default();
    match err.kind {
        ErrorKind::NotFound if !said.contains("Access Token") => {
            err.message = format!(
                "GitLab at {site} has no {} that the access token can see ({said}).",
                owner.describe()
            );
            err.parameter = Some(OWNER.to_string());
            err.hint = Some(format!(
                "Check {} (an id or the full path, e.g. acme/platform); a private {} the access                  token's user is not a member of looks the same as one that does not exist.",
                owner.cmdlet_parameter(),
                owner.kind().as_str()
            ));
        }
        ErrorKind::Unauthorized => {
            err.message = format!(
                "GitLab at {site} refused to let the access token {doing} {} ({said}): the                  token's user lacks the role, or the access token is not accepted.",
                owner.describe()
            );
            err.parameter = Some(OWNER.to_string());
            err.hint = Some(owner.role_rule().to_string());
        }
        _ => {}
    }
    err
}

/// A token entity of `owner`'s, with its access level and owner when it has them.
pub fn owned_from_json(json: &Value, owner: &Owner, site_url: &str) -> Result<PersonalAccessToken> {
    let mut entry = existing_from_json(json, site_url)?;
    if owner.kind() != OwnerKind::User {
        super::token_entity::add_owner_details(&mut entry, json, owner);
    }
    Ok(entry)
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
        assert!(err.message.contains("-LastUsedBefore"), "{}", err.message);
        assert!(!err.message.contains("expires_at"), "{}", err.message);
        assert!(!err.message.contains("-ExpiresAt"), "{}", err.message);

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
        assert_eq!(q.user, Some(Person::Email("jane@example.com".into())));
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
