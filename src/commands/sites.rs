//! `list-sites`: the configured sites without their tokens, for `-SiteUrl` tab completion.

use super::Context;
use crate::error::Result;
use crate::protocol::SiteList;

pub fn list(ctx: &mut Context<'_>) -> Result<SiteList> {
    let sites = ctx.sites_listed()?;
    Ok(SiteList {
        sites: sites.list(),
    })
}
