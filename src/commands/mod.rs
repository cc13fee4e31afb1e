//! What each protocol command does. A command validates its parameters, can describe itself as a
//! [`Plan`](crate::protocol::Plan) without touching the network, and runs.

pub mod personal_access_token;
pub mod sites;
mod token_entity;
pub mod token_lifecycle;

use crate::config::Environment;
use crate::error::{Error, Result};
use crate::gitlab::Gitlab;
use crate::protocol::{Body, Command, Mode, Reporter, Request};
use crate::secret::Secret;
use chrono::NaiveDate;

/// Copies a secret to the clipboard. The serve loop passes [`crate::clipboard::copy`]. `Sync`,
/// because the serve loop's workers share it.
pub type ClipboardFn<'a> = &'a (dyn Fn(&Secret) -> Result<()> + Sync);

/// Everything a command may use while it runs.
pub struct Context<'a> {
    pub env: &'a Environment,
    /// Shared by every request the serve process runs at the same time.
    pub gitlab: &'a Gitlab,
    pub reporter: &'a mut dyn Reporter,
    pub today: NaiveDate,
    pub clipboard: ClipboardFn<'a>,
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
        (Command::ListSites(_), Mode::Run) => sites::list(ctx).map(|list| Body::Result {
            result: list.into(),
        }),
        (Command::ListSites(_), Mode::Plan) => Err(Error::protocol(
            "list-sites changes nothing and has no plan; send it with mode \"run\".",
        )),
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
    };
    outcome.unwrap_or_else(|error| Body::Error { error })
}
