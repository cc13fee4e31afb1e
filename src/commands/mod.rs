//! What each protocol command does. A command validates its parameters, can describe itself as a
//! [`Plan`](crate::protocol::Plan) without touching the network, and runs.

pub mod access_token;
pub mod owner;
pub mod personal_access_token;
pub mod sites;
mod token_entity;
pub mod token_lifecycle;

use crate::config::{Environment, Sites, SitesCache};
use crate::error::{Error, Result};
use crate::gitlab::Gitlab;
use crate::protocol::{Body, Command, Mode, Reporter, Request};
use crate::secret::Secret;
use chrono::NaiveDate;
use std::sync::Arc;

/// Copies a secret to the clipboard. The serve loop passes [`crate::clipboard::copy`]. `Sync`,
/// because the serve loop's workers share it.
pub type ClipboardFn<'a> = &'a (dyn Fn(&Secret) -> Result<()> + Sync);

/// Everything a command may use while it runs.
pub struct Context<'a> {
    pub env: &'a Environment,
    /// The sites of `env`, loaded once per process (see [`Context::sites_for`]).
    pub config: &'a SitesCache,
    /// Shared by every request the serve process runs at the same time.
    pub gitlab: &'a Gitlab,
    pub reporter: &'a mut dyn Reporter,
    pub today: NaiveDate,
    pub clipboard: ClipboardFn<'a>,
}

impl Context<'_> {
    /// The configured sites for a request that resolves `site_url` (`None`: the default site).
    /// The configuration's warnings go out with it, once per process.
    pub fn sites_for(&mut self, site_url: Option<&str>) -> Result<Arc<Sites>> {
        let sites = self.config.get()?;
        for warning in sites.warnings_for(site_url) {
            self.gitlab.warn_once(&warning, self.reporter);
        }
        Ok(sites)
    }

    /// [`Context::sites_for`] for a request that resolves no site (`list-sites`): every
    /// configuration warning goes out.
    pub fn sites_listed(&mut self) -> Result<Arc<Sites>> {
        let sites = self.config.get()?;
        for warning in sites.all_warnings() {
            self.gitlab.warn_once(&warning, self.reporter);
        }
        Ok(sites)
    }
}

/// Carry out (or plan) one request and return its terminal message.
pub fn execute(request: &Request, ctx: &mut Context<'_>) -> Body {
    let outcome = match (&request.command, request.mode) {
        (Command::CreatePersonalAccessToken(params), Mode::Plan) => {
            personal_access_token::plan(params, ctx).map(|plan| Body::Plan { plan })
        }
        (Command::CreatePersonalAccessToken(params), Mode::Run) => {
            personal_access_token::run(params, ctx).map(|token| Body::Result {
                result: token.into(),
            })
        }
        (Command::ListSites(params), Mode::Run) => {
            sites::list(params, ctx).map(|list| Body::Result {
                result: list.into(),
            })
        }
        (Command::ListSites(_), Mode::Plan) => Err(Error::protocol(
            "list-sites changes nothing and has no plan; send it with mode \"run\".",
        )),
        (Command::AddSite(params), Mode::Plan) => {
            sites::plan_add(params, ctx).map(|plan| Body::Plan { plan })
        }
        (Command::AddSite(params), Mode::Run) => {
            sites::add(params, ctx).map(|added| Body::Result {
                result: added.into(),
            })
        }
        (Command::SetDefaultSite(params), Mode::Plan) => {
            sites::plan_set_default(params, ctx).map(|plan| Body::Plan { plan })
        }
        (Command::SetDefaultSite(params), Mode::Run) => {
            sites::set_default(params, ctx).map(|list| Body::Result {
                result: list.into(),
            })
        }
        (Command::RemoveSite(params), Mode::Plan) => {
            sites::plan_remove(params, ctx).map(|plan| Body::Plan { plan })
        }
        (Command::RemoveSite(params), Mode::Run) => {
            sites::remove(params, ctx).map(|list| Body::Result {
                result: list.into(),
            })
        }
        (Command::ListPersonalAccessTokens(params), Mode::Run) => {
            token_lifecycle::list(params, ctx).map(|page| Body::Result {
                result: page.into(),
            })
        }
        (Command::GetPersonalAccessToken(params), Mode::Run) => token_lifecycle::get(params, ctx)
            .map(|token| Body::Result {
                result: token.into(),
            }),
        (Command::ListPersonalAccessTokens(_) | Command::GetPersonalAccessToken(_), Mode::Plan) => {
            Err(Error::protocol(format!(
                "{} changes nothing and has no plan; send it with mode \"run\".",
                request.command.name()
            )))
        }
        (Command::RotatePersonalAccessToken(params), Mode::Plan) => {
            token_lifecycle::plan_rotate(params, ctx).map(|plan| Body::Plan { plan })
        }
        (Command::RotatePersonalAccessToken(params), Mode::Run) => {
            token_lifecycle::rotate(params, ctx).map(|token| Body::Result {
                result: token.into(),
            })
        }
        (Command::RevokePersonalAccessToken(params), Mode::Plan) => {
            token_lifecycle::plan_revoke(params, ctx).map(|plan| Body::Plan { plan })
        }
        (Command::RevokePersonalAccessToken(params), Mode::Run) => {
            token_lifecycle::revoke(params, ctx).map(|revoked| Body::Result {
                result: revoked.into(),
            })
        }
        (Command::ListAccessTokens(params), Mode::Run) => token_lifecycle::list_access(params, ctx)
            .map(|page| Body::Result {
                result: page.into(),
            }),
        (Command::GetAccessToken(params), Mode::Run) => token_lifecycle::get_access(params, ctx)
            .map(|token| Body::Result {
                result: token.into(),
            }),
        (Command::ListAccessTokens(_) | Command::GetAccessToken(_), Mode::Plan) => {
            Err(Error::protocol(format!(
                "{} changes nothing and has no plan; send it with mode \"run\".",
                request.command.name()
            )))
        }
        (Command::CreateAccessToken(params), Mode::Plan) => {
            access_token::plan_create(params, ctx).map(|plan| Body::Plan { plan })
        }
        (Command::CreateAccessToken(params), Mode::Run) => {
            access_token::create(params, ctx).map(|token| Body::Result {
                result: token.into(),
            })
        }
        (Command::RotateAccessToken(params), Mode::Plan) => {
            token_lifecycle::plan_rotate_access(params, ctx).map(|plan| Body::Plan { plan })
        }
        (Command::RotateAccessToken(params), Mode::Run) => {
            token_lifecycle::rotate_access(params, ctx).map(|token| Body::Result {
                result: token.into(),
            })
        }
        (Command::RevokeAccessToken(params), Mode::Plan) => {
            token_lifecycle::plan_revoke_access(params, ctx).map(|plan| Body::Plan { plan })
        }
        (Command::RevokeAccessToken(params), Mode::Run) => {
            token_lifecycle::revoke_access(params, ctx).map(|revoked| Body::Result {
                result: revoked.into(),
            })
        }
    };
    outcome.unwrap_or_else(|error| Body::Error { error })
}
