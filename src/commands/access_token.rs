//! `create-access-token`: a token for any owner. A user's goes to `create-personal-access-token`'s
//! code (the same rules and endpoints); a group's or project's is created here, with GitLab's
//! resource token rules: the kind's scope list, an access level, and the role the caller needs.
//!
//! Validation happens before anything is sent: owner, name, scopes, access level, expiry, site.

use super::Context;
use super::owner::{OWNER, Owner, Person, level_name, parse_access_level};
use super::personal_access_token::{self, UserRef, hand_over, token_from_json, validate_name};
use super::token_entity;
use super::token_lifecycle::explain_owner_refusal;
use crate::config::Site;
use crate::dates;
use crate::error::{Error, ErrorKind, Result};
use crate::protocol::{
    AccessLevelParam, CreateAccessTokenParams, CreatePersonalAccessTokenParams,
    NewPersonalAccessToken, Plan, PlanParams, Scope,
};
use crate::secret::Secret;
use chrono::NaiveDate;
use serde_json::{Value, json};

/// A group's or project's token request after validation.
struct Validated {
    owner: Owner,
    name: String,
    description: Option<String>,
    scopes: Vec<Scope>,
    access_level: Option<u32>,
    expires_at: Option<NaiveDate>,
    site: Site,
    token: Secret,
    copy_to_clipboard: bool,
}

/// A user owner's request as `create-personal-access-token` params; what only groups and
/// projects take is refused.
fn personal_params(
    owner: &Owner,
    p: &CreateAccessTokenParams,
) -> Result<CreatePersonalAccessTokenParams> {
    if p.access_level.is_some() {
        return Err(Error::invalid(
            "access_level",
            "Personal access tokens have no access level; -AccessLevel is for group and project tokens.",
        )
        .with_hint("Leave -AccessLevel out."));
    }
    if p.description.is_some() {
        return Err(Error::invalid(
            "description",
            "-Description is taken for group and project tokens only.",
        )
        .with_hint("Leave -Description out."));
    }
    let user = match owner {
        Owner::User(None | Some(Person::User(UserRef::Me))) => None,
        Owner::User(Some(Person::User(UserRef::Id(id)))) => Some(id.to_string()),
        Owner::User(Some(Person::User(UserRef::Username(name)))) => Some(name.clone()),
        _ => {
            return Err(Error::invalid(
                OWNER,
                "A token is created for a user id or username, not an email address.",
            )
            .with_hint("Give the user's id or username."));
        }
    };
    Ok(CreatePersonalAccessTokenParams {
        user,
        name: p.name.clone(),
        scopes: p.scopes.clone(),
        expires_at: p.expires_at.clone(),
        expire_in_months: p.expire_in_months,
        site_url: p.site_url.clone(),
        copy_to_clipboard: p.copy_to_clipboard,
    })
}

fn validate(owner: Owner, p: &CreateAccessTokenParams, ctx: &mut Context<'_>) -> Result<Validated> {
    let name = validate_name(p.name.as_deref())?;
    let description = p.description.clone().filter(|d| !d.is_empty());
    let scopes = owner.validate_scopes(p.scopes.as_deref())?;
    let access_level = p
        .access_level
        .as_ref()
        .map(parse_access_level)
        .transpose()?;
    let expires_at = dates::resolve_expiry(p.expires_at.as_deref(), p.expire_in_months, ctx.today)?;
    let sites = ctx.sites_for(p.site_url.as_deref())?;
    let (site, token) = sites.resolve(p.site_url.as_deref())?;
    Ok(Validated {
        owner,
        name,
        description,
        scopes,
        access_level,
        expires_at,
        site: site.clone(),
        token: token.clone(),
        copy_to_clipboard: p.copy_to_clipboard.unwrap_or(false),
    })
}

impl Validated {
    fn target(&self) -> String {
        format!("{} on {}", self.owner.describe(), self.site.url)
    }

    fn level_text(&self) -> String {
        match self.access_level {
            Some(level) => format!("{} ({level})", level_name(level).unwrap_or("?")),
            None => "GitLab's default, maintainer (40)".to_string(),
        }
    }
}

/// `create-access-token`, `mode: plan`. Never sends HTTP.
pub fn plan_create(p: &CreateAccessTokenParams, ctx: &mut Context<'_>) -> Result<Plan> {
    let owner = Owner::from_param(p.owner.as_ref())?;
    if let Owner::User(_) = owner {
        let mut plan = personal_access_token::plan(&personal_params(&owner, p)?, ctx)?;
        plan.command = "create-access-token".to_string();
        if let PlanParams::Create(n) = plan.params {
            plan.params = PlanParams::CreateAccess(CreateAccessTokenParams {
                owner: Some(
                    Owner::User(n.user.as_deref().map(|u| {
                        Person::User(personal_access_token::parse_user(u).unwrap_or(UserRef::Me))
                    }))
                    .to_param(),
                ),
                name: n.name,
                description: None,
                scopes: n.scopes,
                access_level: None,
                expires_at: n.expires_at,
                expire_in_months: None,
                site_url: n.site_url,
                copy_to_clipboard: n.copy_to_clipboard,
            });
        }
        return Ok(plan);
    }
    let v = validate(owner, p, ctx)?;
    let scopes: Vec<&str> = v.scopes.iter().map(|s| s.as_str()).collect();
    let expiry = match v.expires_at {
        Some(date) => format!("expires {}", date.format("%Y-%m-%d")),
        None => "expiry: the instance's default".to_string(),
    };
    let clipboard = if v.copy_to_clipboard {
        "; copy to clipboard"
    } else {
        ""
    };
    Ok(Plan {
        command: "create-access-token".to_string(),
        target: v.target(),
        action: format!(
            "Create {} '{}' (scopes: {}; access level {}; {expiry}{clipboard})",
            v.owner.noun(),
            v.name,
            scopes.join(", "),
            v.level_text()
        ),
        requests: vec![format!("POST {}", v.owner.tokens_path())],
        params: PlanParams::CreateAccess(CreateAccessTokenParams {
            owner: Some(v.owner.to_param()),
            name: Some(v.name.clone()),
            description: v.description.clone(),
            scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
            access_level: v.access_level.map(|l| AccessLevelParam::Number(l.into())),
            expires_at: v.expires_at.map(|d| d.format("%Y-%m-%d").to_string()),
            expire_in_months: None,
            site_url: Some(v.site.url.clone()),
            copy_to_clipboard: v.copy_to_clipboard.then_some(true),
        }),
        confirm: None,
    })
}

/// `create-access-token`, `mode: run`.
pub fn create(
    p: &CreateAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<NewPersonalAccessToken> {
    let owner = Owner::from_param(p.owner.as_ref())?;
    if let Owner::User(_) = owner {
        return personal_access_token::run(&personal_params(&owner, p)?, ctx);
    }
    let v = validate(owner, p, ctx)?;
    let client = ctx.gitlab.client(&v.site, &v.token)?;
    let mut body = json!({
        "name": v.name,
        "scopes": v.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
    });
    if let Some(description) = &v.description {
        body["description"] = Value::String(description.clone());
    }
    if let Some(level) = v.access_level {
        body["access_level"] = json!(level);
    }
    if let Some(date) = v.expires_at {
        body["expires_at"] = Value::String(date.format("%Y-%m-%d").to_string());
    }
    let mut token = client
        .post(&v.owner.tokens_path(), &body, ctx.reporter)
        .and_then(|created| {
            token_from_json(&created, &v.site.url).map(|mut t| {
                token_entity::add_owner(&mut t, &created, &v.owner);
                t
            })
        })
        .map_err(|e| explain_refusal(e, &v, &client))?;
    hand_over(&mut token, v.copy_to_clipboard, "created", ctx);
    Ok(token)
}

/// GitLab's 400s for a resource token creation, each with its parameter and kind; a hidden or
/// missing owner; an unknown outcome.
fn explain_refusal(mut err: Error, v: &Validated, client: &crate::gitlab::Client) -> Error {
    let said = err.gitlab_message.clone().unwrap_or_default();
    let owner = &v.owner;
    if err.kind == ErrorKind::InvalidArgument {
        if said.contains("does not have permission to create") {
            err.kind = ErrorKind::Forbidden;
            err.message = format!(
                "GitLab at {} refused to create a {} for {}: {said}.",
                v.site.url,
                owner.noun(),
                owner.describe()
            );
            err.parameter = Some(OWNER.to_string());
            err.hint = Some(owner.role_rule().to_string());
        } else if said.contains("Access level") {
            err.message = format!(
                "GitLab at {} refused access level {} for a token of {}: {said}. A token's level \
                 may not be above your own role there.",
                v.site.url,
                v.level_text(),
                owner.describe()
            );
            err.parameter = Some("access_level".to_string());
            err.hint =
                Some("Give a lower -AccessLevel, or ask someone with a higher role.".to_string());
        } else if said.to_ascii_lowercase().contains("expires at") {
            err.message = format!("GitLab at {} refused the expiry: {said}", v.site.url);
            err.parameter = Some("expires_at".to_string());
            err.hint = Some(
                "Choose an earlier -ExpiresAt (or fewer -ExpireInMonths); the instance sets the \
                 longest lifetime a token may have."
                    .to_string(),
            );
        }
        return err;
    }
    if err.kind == ErrorKind::OutcomeUnknown {
        let cause = err.message.clone();
        err.message = format!(
            "The {} '{}' for {} may have been created, but no usable answer came back ({}). It \
             was not retried, so at most one token exists.",
            owner.noun(),
            v.name,
            owner.describe(),
            cause.trim_end_matches('.')
        );
        err.hint = Some(format!(
            "Check before trying again with {} -State all; revoke a token '{}' whose value you do \
             not have, then create it again.",
            owner.get_cmdlet(),
            v.name
        ));
        return err;
    }
    explain_owner_refusal(err, owner, &v.site.url, "create tokens for", client)
}
