//! The site commands: `list-sites` (what Get-GitlabConfiguration shows, tokens masked), and the
//! ones that change the config file: `add-site` (after checking the token with GitLab),
//! `set-default-site`, `remove-site`, and the save of a rotated token ([`save_rotated`]).
//!
//! **The environment rule.** While `GITLAB_ACCESS_TOKEN` is set, the environment defines a site
//! (at `GITLAB_URL`, or gitlab.com), and that site wins over a config file entry of the same URL
//! and is the default. A write is refused (config) when it would act on that site: `add-site`,
//! `set-default-site` or `remove-site` of a URL that names it, and a rotation's save when the
//! site in use is it (no `site_url`, or one naming it). A write that names another site, one only
//! the file defines, goes ahead: the user named the file's site explicitly. `set-default-site`
//! then warns that the environment's site stays the default while the variable is set.

use super::Context;
use crate::config::{self, Change, Site, Sites};
use crate::error::{Error, Result};
use crate::protocol::{
    AddSiteParams, ListSitesParams, NewPersonalAccessToken, Plan, PlanParams, SiteAdded, SiteList,
    SiteParams, SiteSource, TokenUser,
};
use crate::secret::Secret;
use serde_json::Value;

/// `list-sites`.
pub fn list(p: &ListSitesParams, ctx: &mut Context<'_>) -> Result<SiteList> {
    let sites = ctx.sites_listed()?;
    Ok(SiteList {
        sites: sites.list_matching(p.site_url.as_deref(), p.default_only.unwrap_or(false))?,
        config_path: path_text(&sites),
    })
}

fn path_text(sites: &Sites) -> Option<String> {
    sites.config_path.as_ref().map(|p| p.display().to_string())
}

/// The refusal of a write that would act on the environment's site.
fn environment_refusal(url: &str, what: &str) -> Error {
    Error::config(format!(
        "GITLAB_ACCESS_TOKEN is set, so the environment defines {url}; {what} would change a \
         config file entry that is not used while the variable is set."
    ))
    .with_hint(format!(
        "Unset GITLAB_ACCESS_TOKEN (and GITLAB_URL) to manage {url} in the config file, or name \
         a site that only the config file defines."
    ))
}

fn refuse_if_environment(sites: &Sites, url: &str, what: &str) -> Result<()> {
    match sites.environment_site() {
        Some(env) if env.url == url => Err(environment_refusal(url, what)),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// add-site

struct AddValidated {
    url: String,
    proxy_url: Option<String>,
    is_default: bool,
    force: bool,
    skip_validation: bool,
    /// How many entries the file has for the URL now.
    existing: usize,
}

fn validate_add(p: &AddSiteParams, ctx: &mut Context<'_>) -> Result<AddValidated> {
    let url = match p.url.as_deref() {
        Some(u) if !u.trim().is_empty() => config::normalize_site_to_save(u, "url")?,
        _ => {
            return Err(Error::invalid("url", "url is required.")
                .with_hint("Give the site's address, such as https://gitlab.example.com."));
        }
    };
    let proxy_url = p
        .proxy_url
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if let Some(proxy) = proxy_url.as_deref().filter(|p| !config::usable_proxy(p)) {
        return Err(Error::invalid(
            "proxy_url",
            format!(
                "proxy_url '{}' is not a proxy URL this engine can use.",
                config::shown_url(proxy)
            ),
        )
        .with_hint("Write it as http://host:port (or socks5://host:port)."));
    }
    if p.access_token.as_ref().is_some_and(Secret::is_empty) {
        return Err(Error::invalid("access_token", "access_token is blank.")
            .with_hint("Give the personal access token to save for the site."));
    }
    let sites = ctx.sites_listed()?;
    refuse_if_environment(&sites, &url, "adding it")?;
    let existing = sites
        .sites
        .iter()
        .filter(|s| s.source == SiteSource::ConfigFile && s.url == url)
        .count();
    Ok(AddValidated {
        url,
        proxy_url,
        is_default: p.is_default.unwrap_or(false),
        force: p.force.unwrap_or(false),
        skip_validation: p.skip_validation.unwrap_or(false),
        existing,
    })
}

/// `add-site`, `mode: plan`. Never sends HTTP and never writes.
pub fn plan_add(p: &AddSiteParams, ctx: &mut Context<'_>) -> Result<Plan> {
    let v = validate_add(p, ctx)?;
    let sites = ctx.config.get()?;
    let path = path_text(&sites).unwrap_or_default();
    let requests = if v.skip_validation {
        Vec::new()
    } else {
        vec![
            "GET /user".to_string(),
            "GET /personal_access_tokens/self".to_string(),
        ]
    };
    let replacing = v.existing > 0;
    Ok(Plan {
        command: "add-site".to_string(),
        target: v.url.clone(),
        action: format!(
            "{} GitLab site in {path}{}{}",
            if replacing { "Replace" } else { "Add" },
            if v.is_default { " as the default" } else { "" },
            if v.skip_validation {
                " (token not checked)"
            } else {
                " after checking its token"
            }
        ),
        requests,
        params: PlanParams::AddSite(AddSiteParams {
            url: Some(v.url.clone()),
            access_token: None,
            proxy_url: v.proxy_url.clone(),
            is_default: v.is_default.then_some(true),
            force: v.force.then_some(true),
            skip_validation: v.skip_validation.then_some(true),
        }),
        confirm: (replacing && !v.force).then(|| {
            format!(
                "{} is already configured in {path}. Replace its access token{}?",
                v.url,
                if v.proxy_url_given() {
                    " and proxy"
                } else {
                    ""
                }
            )
        }),
    })
}

impl AddValidated {
    fn proxy_url_given(&self) -> bool {
        self.proxy_url.is_some()
    }
}

/// `add-site`, `mode: run`: check the token (unless `skip_validation`), then write the file.
pub fn add(p: &AddSiteParams, ctx: &mut Context<'_>) -> Result<SiteAdded> {
    let v = validate_add(p, ctx)?;
    let token = p
        .access_token
        .as_ref()
        .ok_or_else(|| {
            Error::invalid("access_token", "access_token is required to add a site.").with_hint(
                "Send the token in the request's access_token (never on a command line).",
            )
        })?
        .clone();
    if v.existing > 0 && !v.force {
        return Err(Error::config(format!(
            "{} is already configured; it is replaced only with -Force.",
            v.url
        ))
        .with_hint(format!(
            "Pass -Force to replace its access token, or remove it first with Remove-GitlabSite \
             {}.",
            v.url
        )));
    }
    let mut checked = Checked::default();
    if !v.skip_validation {
        check_token(&v, &token, &mut checked, ctx)?;
    }
    let written = config::update(
        ctx.env,
        &Change::Add {
            url: &v.url,
            token: &token,
            proxy_url: v.proxy_url.as_deref(),
            is_default: v.is_default,
            replace: v.force,
        },
    )?;
    let sites = ctx.config.get()?;
    let site = sites
        .list()
        .into_iter()
        .zip(&sites.sites)
        .find(|(_, s)| s.source == SiteSource::ConfigFile && s.url == v.url)
        .map(|(info, _)| info)
        .ok_or_else(|| Error::config(format!("{} was written but does not read back.", v.url)))?;
    Ok(SiteAdded {
        site,
        replaced: written.replaced > 0,
        validated: checked.validated,
        user: checked.user,
        token_name: checked.token_name,
        scopes: checked.scopes,
        expires_at: checked.expires_at,
        config_path: written.path.display().to_string(),
    })
}

/// What GitLab said about a token.
#[derive(Default)]
struct Checked {
    validated: bool,
    user: Option<TokenUser>,
    token_name: Option<String>,
    scopes: Vec<String>,
    expires_at: Option<String>,
}

/// `GET /user` and `GET /personal_access_tokens/self` with the new token. A refusal of the first
/// is the error (nothing is saved); the second only adds detail, so its failure is a warning.
fn check_token(
    v: &AddValidated,
    token: &Secret,
    added: &mut Checked,
    ctx: &mut Context<'_>,
) -> Result<()> {
    let site = Sites::unsaved(ctx.env, &v.url, token, v.proxy_url.as_deref())?;
    let client = ctx.gitlab.client(&site, token)?;
    let user = client.get("/user", &[], ctx.reporter).map_err(|mut e| {
        e.message = format!(
            "The access token was not saved: checking it against {} failed. {}",
            v.url, e.message
        );
        if e.hint.is_none() {
            e.hint = Some(
                "Check the token and the URL, or pass -SkipValidation to save it unchecked."
                    .to_string(),
            );
        }
        e
    })?;
    added.user = Some(TokenUser {
        id: user["id"].as_u64().unwrap_or_default(),
        username: user["username"].as_str().unwrap_or_default().to_string(),
        name: user["name"].as_str().map(str::to_string),
    });
    added.validated = true;
    match client.get("/personal_access_tokens/self", &[], ctx.reporter) {
        Ok(json) => {
            added.token_name = json["name"].as_str().map(str::to_string);
            added.scopes = json["scopes"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            added.expires_at = json["expires_at"].as_str().map(str::to_string);
        }
        Err(e) => ctx.reporter.warning(format!(
            "GitLab accepted the token for {}, but did not say its scopes and expiry: {}",
            v.url, e.message
        )),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// set-default-site, remove-site

/// The config file site `p.url` selects, refusing the environment's.
fn file_site(p: &SiteParams, what: &str, ctx: &mut Context<'_>) -> Result<Site> {
    let given = match p.url.as_deref() {
        Some(u) if !u.trim().is_empty() => u,
        _ => {
            return Err(Error::invalid("url", "url is required.")
                .with_hint("Give a configured site's URL (Tab completes them)."));
        }
    };
    let sites = ctx.sites_listed()?;
    let site = sites.select(given).map_err(|mut e| {
        if e.parameter.as_deref() == Some("site_url") {
            e.parameter = Some("url".to_string());
        }
        e
    })?;
    if site.source == SiteSource::Environment {
        return Err(environment_refusal(&site.url, what));
    }
    Ok(site.clone())
}

fn plan_site(command: &str, action: String, site: &Site) -> Plan {
    Plan {
        command: command.to_string(),
        target: site.url.clone(),
        action,
        requests: Vec::new(),
        params: PlanParams::Site(SiteParams {
            url: Some(site.url.clone()),
        }),
        confirm: None,
    }
}

/// `set-default-site`, `mode: plan`.
pub fn plan_set_default(p: &SiteParams, ctx: &mut Context<'_>) -> Result<Plan> {
    let site = file_site(p, "making it the default", ctx)?;
    Ok(plan_site(
        "set-default-site",
        "Set as the default GitLab site".to_string(),
        &site,
    ))
}

/// `set-default-site`, `mode: run`.
pub fn set_default(p: &SiteParams, ctx: &mut Context<'_>) -> Result<SiteList> {
    let site = file_site(p, "making it the default", ctx)?;
    config::update(ctx.env, &Change::SetDefault { url: &site.url })?;
    let sites = ctx.config.get()?;
    if let Some(env) = sites.environment_site() {
        ctx.reporter.warning(format!(
            "{} is now the config file's default, but GITLAB_ACCESS_TOKEN is set, so {} stays the \
             default site until it is unset.",
            site.url, env.url
        ));
    }
    list(&ListSitesParams::default(), ctx)
}

/// `remove-site`, `mode: plan`.
pub fn plan_remove(p: &SiteParams, ctx: &mut Context<'_>) -> Result<Plan> {
    let site = file_site(p, "removing it", ctx)?;
    Ok(plan_site(
        "remove-site",
        "Remove GitLab site and its access token from the config file".to_string(),
        &site,
    ))
}

/// `remove-site`, `mode: run`.
pub fn remove(p: &SiteParams, ctx: &mut Context<'_>) -> Result<SiteList> {
    let site = file_site(p, "removing it", ctx)?;
    config::update(ctx.env, &Change::Remove { url: &site.url })?;
    list(&ListSitesParams::default(), ctx)
}

// ---------------------------------------------------------------------------------------------
// the rotation that saves itself

/// Refuse `save_to_config` before anything is sent when the rotated token could not be saved:
/// it is not `self`, or the site in use is the environment's.
pub fn check_save_to_config(site: &Site, is_self: bool, copy_to_clipboard: bool) -> Result<()> {
    if !is_self {
        return Err(Error::invalid(
            "save_to_config",
            "save_to_config saves the access token in use, so it needs token_id self.",
        )
        .with_hint("Rotate with -Self to save the new token, or leave out -SaveToConfig."));
    }
    if copy_to_clipboard {
        return Err(Error::invalid(
            "save_to_config",
            "save_to_config and copy_to_clipboard both take the new token; choose one.",
        )
        .with_hint("Leave out -CopyToClipboard: the saved token is in the config file."));
    }
    if site.source == SiteSource::Environment {
        return Err(
            environment_refusal(&site.url, "saving the rotated token").with_hint(format!(
                "Rotate without -SaveToConfig and put the new token in GITLAB_ACCESS_TOKEN \
                 yourself, or pass -SiteUrl for a site the config file defines ({} comes from \
                 GITLAB_ACCESS_TOKEN).",
                site.url
            )),
        );
    }
    Ok(())
}

/// Write the rotated token into the config file's entry for `site` and take it out of the
/// result. When the write fails the token stays in the result, with a warning: GitLab has
/// already revoked the old one.
pub fn save_rotated(token: &mut NewPersonalAccessToken, site: &Site, ctx: &mut Context<'_>) {
    let Some(secret) = token.token.take() else {
        return;
    };
    match config::update(
        ctx.env,
        &Change::SetToken {
            url: &site.url,
            token: &secret,
        },
    ) {
        Ok(_) => token.saved_to_config = true,
        Err(e) => {
            ctx.reporter.warning(format!(
                "Token '{}' was rotated but could not be saved to the config file: {}{} It is in \
                 the result instead; store it now, GitLab shows it only once and the old token \
                 no longer works.",
                token.name,
                e.message,
                if e.message.ends_with('.') { "" } else { "." }
            ));
            token.token = Some(secret);
        }
    }
}
