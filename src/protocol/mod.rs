//! Protocol v1: the JSON Lines contract between the PowerShell wrapper and the engine.
//!
//! The wrapper writes one [`Request`] per line on the engine's stdin. For each request the engine
//! writes zero or more progress-stream messages (`verbose`, `debug`, `warning`, `progress`) and
//! then exactly one terminal message (`plan`, `result` or `error`), each one line of JSON on stdout
//! carrying the request's `id`. `docs/ARCHITECTURE.md` describes the contract in prose; this module
//! is its single source, and `gitlabcli schema` prints the JSON Schema derived from it.

pub mod hello;
pub mod serve;

use crate::error::Error;
use crate::secret::Secret;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The protocol version this engine speaks. Requests carrying any other version are refused.
pub const VERSION: u32 = 1;

/// The commands protocol v1 knows, in the spelling used on the wire.
pub const COMMANDS: [&str; 14] = [
    "create-personal-access-token",
    "list-sites",
    "add-site",
    "set-default-site",
    "remove-site",
    "list-personal-access-tokens",
    "get-personal-access-token",
    "rotate-personal-access-token",
    "revoke-personal-access-token",
    "list-access-tokens",
    "get-access-token",
    "create-access-token",
    "rotate-access-token",
    "revoke-access-token",
];

/// A request id, echoed on every message the request produces. The wrapper uses strings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RequestId {
    Number(u64),
    Text(String),
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestId::Number(n) => write!(f, "{n}"),
            RequestId::Text(s) => f.write_str(s),
        }
    }
}

/// Whether a request should only be validated and described, or carried out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Carry the command out.
    #[default]
    Run,
    /// Validate and normalise the parameters and describe the operation (a `plan` message).
    /// Never sends an HTTP request. The plan's `params` can be sent back unchanged with `run`.
    Plan,
}

/// One line on stdin.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Protocol version; must be 1.
    pub v: u32,
    /// Caller-chosen id, echoed on every message this request produces.
    pub id: RequestId,
    /// `run` (default) or `plan`.
    #[serde(default)]
    pub mode: Mode,
    /// The command and its parameters.
    #[serde(flatten)]
    pub command: Command,
}

/// A command with its parameters (`params` may be omitted when a command takes none).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "command", content = "params", rename_all = "kebab-case")]
pub enum Command {
    /// Create a personal access token for the current user or, as an administrator, another user.
    CreatePersonalAccessToken(CreatePersonalAccessTokenParams),
    /// List the configured sites (environment and config file). Never returns a token.
    ListSites(ListSitesParams),
    /// Add a site to the config file (or replace one, with `force`), after checking its token.
    AddSite(AddSiteParams),
    /// Make a config file site the only default.
    SetDefaultSite(SiteParams),
    /// Remove a site from the config file.
    RemoveSite(SiteParams),
    /// One page of personal access tokens (run only). The wrapper asks page after page.
    ListPersonalAccessTokens(ListPersonalAccessTokensParams),
    /// One personal access token by id, or the one in use (`self`). Run only.
    GetPersonalAccessToken(GetPersonalAccessTokenParams),
    /// Revoke a personal access token and issue a new one with the same scopes.
    RotatePersonalAccessToken(RotatePersonalAccessTokenParams),
    /// Revoke a personal access token.
    RevokePersonalAccessToken(RevokePersonalAccessTokenParams),
    /// One page of an owner's tokens (a user's, a group's, a project's). Run only.
    ListAccessTokens(ListAccessTokensParams),
    /// One of an owner's tokens by id (`self` for a user's). Run only.
    GetAccessToken(GetAccessTokenParams),
    /// Create a token for an owner.
    CreateAccessToken(CreateAccessTokenParams),
    /// Revoke one of an owner's tokens and issue a new one with the same scopes.
    RotateAccessToken(RotateAccessTokenParams),
    /// Revoke one of an owner's tokens.
    RevokeAccessToken(RevokeAccessTokenParams),
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::CreatePersonalAccessToken(_) => "create-personal-access-token",
            Command::ListSites(_) => "list-sites",
            Command::AddSite(_) => "add-site",
            Command::SetDefaultSite(_) => "set-default-site",
            Command::RemoveSite(_) => "remove-site",
            Command::ListPersonalAccessTokens(_) => "list-personal-access-tokens",
            Command::GetPersonalAccessToken(_) => "get-personal-access-token",
            Command::RotatePersonalAccessToken(_) => "rotate-personal-access-token",
            Command::RevokePersonalAccessToken(_) => "revoke-personal-access-token",
            Command::ListAccessTokens(_) => "list-access-tokens",
            Command::GetAccessToken(_) => "get-access-token",
            Command::CreateAccessToken(_) => "create-access-token",
            Command::RotateAccessToken(_) => "rotate-access-token",
            Command::RevokeAccessToken(_) => "revoke-access-token",
        }
    }
}

/// Parameters of a command that takes none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Parameters of `list-sites`, mirroring Get-GitlabConfiguration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListSitesParams {
    /// Only the site used when no site URL is given (none when there is no such site).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_only: Option<bool>,
    /// Only the site this URL selects, by `-SiteUrl`'s rules; a config error when none does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
}

/// Parameters of `add-site`, mirroring Add-GitlabSite.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddSiteParams {
    /// The site's URL; `https://` is assumed without a scheme. Written in normal form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The access token to save. Required for `run`, optional for `plan`. Never sent back:
    /// a plan's params leave it out, and the caller adds it to the `run` request.
    #[serde(
        default,
        skip_serializing,
        deserialize_with = "Secret::deserialize_option"
    )]
    #[schemars(with = "Option<String>")]
    pub access_token: Option<Secret>,
    /// The proxy the site's requests go through (`http://host:port`, `socks5://host:port`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_url: Option<String>,
    /// Make it the only default site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// Replace the entry of a URL that is configured already (after the caller's confirmation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// Save without checking the token against the site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_validation: Option<bool>,
}

/// Parameters of `set-default-site` and `remove-site`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteParams {
    /// The config file site, selected by `-SiteUrl`'s rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Parameters of `create-personal-access-token`, mirroring New-GitlabPersonalAccessToken.
///
/// Every field is optional on the wire so that a missing one is reported as an
/// `invalid-argument` error naming it, rather than as a parse failure.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePersonalAccessTokenParams {
    /// User id (all digits) or username. Absent: the user the access token belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Token name: required, not blank, at most 255 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// At least one scope; duplicates are dropped, case is folded to lower.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Expiry date: ISO date, ISO date-time (with or without offset) or a common typed form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Expire this many calendar months from today (clamped to month end). Not with `expires_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_in_months: Option<u32>,
    /// The site to use; absent means the environment's site, then the config file's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
    /// Put the new token on the system clipboard instead of in the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_to_clipboard: Option<bool>,
}

/// Parameters of `list-personal-access-tokens`: GitLab's filters and one page.
///
/// Dates are read like `expires_at` of `create-personal-access-token` and sent as `YYYY-MM-DD`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListPersonalAccessTokensParams {
    /// Only this user's tokens: user id (all digits) or username. Needs an administrator unless
    /// it is the caller. Not with `mine`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Only the caller's own tokens (an administrator otherwise sees every user's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mine: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_before: Option<String>,
    /// `active` (the default: what is absent lists active tokens only, unless `revoked` is
    /// `true`), `inactive`, or `all` for every state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `true`: only revoked tokens; `false`: only tokens not revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    /// Only tokens whose name contains this text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// The page to fetch, from 1 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Tokens per page, 1 to 100 (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
}

/// Parameters of `get-personal-access-token`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetPersonalAccessTokenParams {
    /// The token's id (all digits), or `self` for the access token in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
}

/// Parameters of `rotate-personal-access-token`. Expiry rules are those of
/// `create-personal-access-token`; with neither expiry field GitLab picks the date.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RotatePersonalAccessTokenParams {
    /// The token's id (all digits), or `self` for the access token in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_in_months: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
    /// Put the new token on the system clipboard instead of in the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_to_clipboard: Option<bool>,
    /// The token's `Active` as the caller knows it (a piped token's). `false` is refused, at
    /// plan time, unless `force`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// The token's `Revoked` as the caller knows it. `true` is refused at plan time, `force` or
    /// not: rotating a revoked token makes GitLab revoke its whole family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    /// Rotate an inactive (expired) token anyway, with a warning. Never a revoked one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// With `token_id: "self"`: write the new token into the config file's entry for the site in
    /// use and leave it out of the result (`saved_to_config`). Refused at plan time when that
    /// site comes from the environment. Not with `copy_to_clipboard`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub save_to_config: Option<bool>,
}

/// Parameters of `revoke-personal-access-token`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokePersonalAccessTokenParams {
    /// The token's id (all digits), or `self` for the access token in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
}

/// Who owns the tokens a `*-access-token` command acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OwnerKind {
    /// A user's personal access tokens.
    User,
    /// A group's access tokens.
    Group,
    /// A project's access tokens.
    Project,
}

impl OwnerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::User => "user",
            OwnerKind::Group => "group",
            OwnerKind::Project => "project",
        }
    }
}

/// The owner of the tokens, as the caller names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerParam {
    pub kind: OwnerKind,
    /// user: a user id, username or email address (list), absent for the caller (create) or
    /// every token the caller may see (list), `me` for the caller's own. group: a numeric id or
    /// full path (`acme/platform`). project: a numeric id, a full path, or `.` for the project of
    /// the git checkout's `origin` remote in `working_directory`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where `.` is resolved (the caller's current directory); absent: the engine's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_directory: Option<String>,
}

/// An access level by name (`guest`, `planner`, `reporter`, `developer`, `maintainer`, `owner`)
/// or number (10, 15, 20, 30, 40, 50).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AccessLevelParam {
    Number(u64),
    Name(String),
}

/// Parameters of `list-access-tokens`: those of `list-personal-access-tokens` less `user` and
/// `mine` (the owner says whose), plus `sort`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListAccessTokensParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerParam>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_before: Option<String>,
    /// As for `list-personal-access-tokens`: `active` by default, `inactive`, `all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// `created_asc`, `created_desc`, `expires_asc`, `expires_desc`, `last_used_asc`,
    /// `last_used_desc`, `name_asc`, `name_desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
}

/// Parameters of `get-access-token`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetAccessTokenParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerParam>,
    /// The token's id, or `self` (user tokens only: GitLab has no `self` read for the others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
}

/// Parameters of `create-access-token`: those of `create-personal-access-token` (whose `user`
/// is the owner's id here) plus `description` and, for groups and projects, `access_level`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccessTokenParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerParam>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The owner kind's own scope list applies (see `resource_scope` in the schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Groups and projects only; absent: GitLab's default, maintainer (40).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_level: Option<AccessLevelParam>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_in_months: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_to_clipboard: Option<bool>,
}

/// Parameters of `rotate-access-token`: those of `rotate-personal-access-token` plus the owner.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateAccessTokenParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerParam>,
    /// The token's id, or `self` for the access token in use (for a group or project, only when
    /// it is one of that owner's tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_in_months: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_to_clipboard: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// As on `rotate-personal-access-token`: with `token_id: "self"`, save the new token into the
    /// config file's entry for the site in use instead of returning it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub save_to_config: Option<bool>,
}

/// Parameters of `revoke-access-token`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeAccessTokenParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerParam>,
    /// The token's id, or `self` (user tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
}

/// One line on stdout.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Message {
    /// Protocol version; always 1.
    pub v: u32,
    /// The id of the request this message belongs to; `null` only when the line's id was unreadable.
    pub id: Option<RequestId>,
    #[serde(flatten)]
    pub body: Body,
}

/// What a message says. `plan`, `result` and `error` end a request; the others stream before.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Body {
    /// For PowerShell's verbose stream: each HTTP request with method, URL, status and time.
    Verbose { message: String },
    /// For PowerShell's debug stream: request and response details, secrets redacted.
    Debug { message: String },
    /// For PowerShell's warning stream.
    Warning { message: String },
    /// For Write-Progress, e.g. while waiting out a rate limit.
    Progress {
        activity: String,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        percent: Option<u8>,
        /// True on the last progress message of an activity.
        #[serde(default)]
        completed: bool,
    },
    /// Terminal, for `mode: plan`: the validated, normalised request and what it would do.
    Plan { plan: Plan },
    /// Terminal: the command's result.
    Result { result: CommandResult },
    /// Terminal: the command failed.
    Error { error: Error },
    /// The first line `serve` writes, with a `null` id, before any request: the engine's facts
    /// (protocol and engine version, scopes, error kinds, concurrency). Not an answer to anything.
    Hello { hello: hello::Hello },
}

impl Body {
    /// Whether this message ends its request.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Body::Plan { .. } | Body::Result { .. } | Body::Error { .. }
        )
    }
}

/// Where a command sends its stream messages while it works. The serve loop writes them to
/// stdout under the request's id; tests collect them.
pub trait Reporter {
    fn send(&mut self, body: Body);

    fn verbose(&mut self, message: String) {
        self.send(Body::Verbose { message });
    }

    fn debug(&mut self, message: String) {
        self.send(Body::Debug { message });
    }

    fn warning(&mut self, message: String) {
        self.send(Body::Warning { message });
    }

    fn progress(&mut self, activity: &str, status: String, completed: bool) {
        self.send(Body::Progress {
            activity: activity.to_string(),
            status,
            percent: None,
            completed,
        });
    }

    /// The caller is about to block until `what` is answered (given up after `limit`). A
    /// reporter that can speak for the request from another thread meanwhile (serve's) starts
    /// doing so and returns true; [`Reporter::wait_ended`] must then follow.
    fn wait_begins(&mut self, _what: &str, _limit: std::time::Duration) -> bool {
        false
    }

    /// The wait ended; true if it was reported as long (nothing more is sent for it).
    fn wait_ended(&mut self) -> bool {
        false
    }
}

/// A [`Reporter`] that keeps what it is sent, for tests and for callers that batch.
#[derive(Debug, Default)]
pub struct Collected(pub Vec<Body>);

impl Reporter for Collected {
    fn send(&mut self, body: Body) {
        self.0.push(body);
    }
}

/// The description a plan gives, made for PowerShell's ShouldProcess.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// The command planned.
    pub command: String,
    /// What is acted on, e.g. `user 'jsmith' on https://gitlab.example.com`.
    pub target: String,
    /// What would be done, e.g. `Create personal access token 'CI' (scopes: api; expires 2027-05-28)`.
    pub action: String,
    /// The HTTP requests a run would send, e.g. `GET /users?username=jsmith`, then the POST.
    pub requests: Vec<String>,
    /// The normalised parameters of the planned command. Send them back unchanged with `mode: run`
    /// (for `add-site`, adding `access_token`, which a plan never carries).
    pub params: PlanParams,
    /// A question the caller must ask (PowerShell: `ShouldContinue`) unless the user passed
    /// `-Force`, before running with `force: true`; e.g. `add-site` of a URL already configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm: Option<String>,
}

/// The normalised parameters a plan hands back, shaped like the planned command's params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PlanParams {
    Create(CreatePersonalAccessTokenParams),
    Revoke(RevokePersonalAccessTokenParams),
    Rotate(RotatePersonalAccessTokenParams),
    CreateAccess(CreateAccessTokenParams),
    RotateAccess(RotateAccessTokenParams),
    RevokeAccess(RevokeAccessTokenParams),
    Site(SiteParams),
    AddSite(AddSiteParams),
}

impl PlanParams {
    /// The params of a `create-personal-access-token` plan.
    pub fn create(&self) -> Option<&CreatePersonalAccessTokenParams> {
        match self {
            PlanParams::Create(p) => Some(p),
            _ => None,
        }
    }

    /// The site the plan resolved.
    pub fn site_url(&self) -> Option<&str> {
        match self {
            PlanParams::Create(p) => p.site_url.as_deref(),
            PlanParams::Revoke(p) => p.site_url.as_deref(),
            PlanParams::Rotate(p) => p.site_url.as_deref(),
            PlanParams::CreateAccess(p) => p.site_url.as_deref(),
            PlanParams::RotateAccess(p) => p.site_url.as_deref(),
            PlanParams::RevokeAccess(p) => p.site_url.as_deref(),
            PlanParams::Site(p) => p.url.as_deref(),
            PlanParams::AddSite(p) => p.url.as_deref(),
        }
    }
}

/// The result of a command. Its shape depends on the command.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CommandResult {
    /// Result of `list-sites`, `set-default-site` and `remove-site`.
    Sites(SiteList),
    /// Result of `add-site`.
    SiteAdded(SiteAdded),
    /// Result of `list-personal-access-tokens`.
    TokenPage(PersonalAccessTokenPage),
    /// Result of `revoke-personal-access-token`.
    Revoked(RevokedPersonalAccessToken),
    /// Result of `create-personal-access-token` and `rotate-personal-access-token`.
    PersonalAccessToken(NewPersonalAccessToken),
    /// Result of `get-personal-access-token`.
    ExistingToken(PersonalAccessToken),
}

impl From<PersonalAccessTokenPage> for CommandResult {
    fn from(page: PersonalAccessTokenPage) -> Self {
        CommandResult::TokenPage(page)
    }
}

impl From<RevokedPersonalAccessToken> for CommandResult {
    fn from(revoked: RevokedPersonalAccessToken) -> Self {
        CommandResult::Revoked(revoked)
    }
}

impl From<PersonalAccessToken> for CommandResult {
    fn from(token: PersonalAccessToken) -> Self {
        CommandResult::ExistingToken(token)
    }
}

/// A personal access token as GitLab lists it (never with its value), plus its site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PersonalAccessToken {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub revoked: bool,
    /// ISO 8601 date-time, as GitLab sent it.
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub user_id: Option<u64>,
    /// ISO 8601 date-time, as GitLab sent it; null when never used.
    #[serde(default)]
    pub last_used_at: Option<String>,
    #[serde(default)]
    pub active: bool,
    /// ISO date (`YYYY-MM-DD`); null when the token never expires.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Groups' and projects' tokens: the role the token's bot user has (10 guest … 50 owner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_level: Option<u32>,
    /// `access_level` by name (`guest`, `planner`, `reporter`, `developer`, `maintainer`, `owner`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_level_name: Option<String>,
    /// Groups' and projects' tokens: what owns the token. Absent for personal access tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<TokenOwner>,
    /// The site the token lives on.
    pub site_url: String,
}

/// The group or project a token belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TokenOwner {
    pub kind: OwnerKind,
    /// The numeric id (GitLab's `resource_id`).
    #[serde(default)]
    pub id: Option<u64>,
    /// The full path, when the caller named it by path (or `.`); null when named by id only.
    #[serde(default)]
    pub path: Option<String>,
}

/// Result of `list-personal-access-tokens`: one page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonalAccessTokenPage {
    pub tokens: Vec<PersonalAccessToken>,
    /// The page this is.
    pub page: u32,
    /// The next page, from GitLab's `X-Next-Page` or `Link` header; null on the last page.
    pub next_page: Option<u32>,
}

/// Result of `revoke-personal-access-token`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokedPersonalAccessToken {
    /// The id of the token revoked; null when `self` was revoked and GitLab did not say its id.
    pub revoked_id: Option<u64>,
    /// Groups' and projects' tokens: what owned it. Absent for personal access tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<TokenOwner>,
    /// The site the token lived on.
    pub site_url: String,
}

impl From<NewPersonalAccessToken> for CommandResult {
    fn from(token: NewPersonalAccessToken) -> Self {
        CommandResult::PersonalAccessToken(token)
    }
}

impl From<SiteList> for CommandResult {
    fn from(list: SiteList) -> Self {
        CommandResult::Sites(list)
    }
}

/// A personal access token as GitLab returned it on creation, plus the site it was created on.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct NewPersonalAccessToken {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub revoked: bool,
    /// ISO 8601 date-time, as GitLab sent it.
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub user_id: Option<u64>,
    /// ISO 8601 date-time, as GitLab sent it.
    #[serde(default)]
    pub last_used_at: Option<String>,
    #[serde(default)]
    pub active: bool,
    /// ISO date (`YYYY-MM-DD`), as GitLab sent it; null when the token never expires.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Groups' and projects' tokens: the role the token's bot user has (10 guest … 50 owner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_level: Option<u32>,
    /// `access_level` by name (`guest`, `planner`, `reporter`, `developer`, `maintainer`, `owner`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_level_name: Option<String>,
    /// Groups' and projects' tokens: what owns the token. Absent for personal access tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<TokenOwner>,
    /// The new token. Shown only once by GitLab. Null when it was copied to the clipboard.
    #[serde(
        default,
        serialize_with = "Secret::serialize_exposed",
        deserialize_with = "Secret::deserialize_option"
    )]
    #[schemars(with = "Option<String>")]
    pub token: Option<Secret>,
    /// The site the token was created on.
    pub site_url: String,
    /// True when the token went to the clipboard and was left out of `token`.
    #[serde(default)]
    pub copied_to_clipboard: bool,
    /// True when the token was written into the config file (`save_to_config`) and left out of
    /// `token`.
    #[serde(default)]
    pub saved_to_config: bool,
}

impl NewPersonalAccessToken {
    /// A new token's details plus its value, not (yet) on the clipboard.
    pub fn new(details: PersonalAccessToken, token: Secret) -> Self {
        NewPersonalAccessToken {
            id: details.id,
            name: details.name,
            revoked: details.revoked,
            created_at: details.created_at,
            description: details.description,
            scopes: details.scopes,
            user_id: details.user_id,
            last_used_at: details.last_used_at,
            active: details.active,
            expires_at: details.expires_at,
            access_level: details.access_level,
            access_level_name: details.access_level_name,
            owner: details.owner,
            token: Some(token),
            site_url: details.site_url,
            copied_to_clipboard: false,
            saved_to_config: false,
        }
    }
}

/// Result of `list-sites`, `set-default-site` and `remove-site` (the sites afterwards).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SiteList {
    pub sites: Vec<SiteInfo>,
    /// The config file (read, or to be written); null without a home directory.
    #[serde(default)]
    pub config_path: Option<String>,
}

impl From<SiteAdded> for CommandResult {
    fn from(added: SiteAdded) -> Self {
        CommandResult::SiteAdded(added)
    }
}

/// Result of `add-site`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SiteAdded {
    /// The site as it is configured now.
    pub site: SiteInfo,
    /// True when an entry of the URL was replaced (`force`).
    pub replaced: bool,
    /// True when GitLab accepted the token (false with `skip_validation`).
    pub validated: bool,
    /// Whose token it is (`GET /user`); null with `skip_validation`.
    #[serde(default)]
    pub user: Option<TokenUser>,
    /// The token's name, scopes and expiry (`GET /personal_access_tokens/self`); null/empty when
    /// not validated or when GitLab did not say.
    #[serde(default)]
    pub token_name: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// ISO date; null when it never expires or is unknown.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// The config file written.
    pub config_path: String,
}

/// The user an access token belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TokenUser {
    pub id: u64,
    pub username: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// A configured site, without its token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SiteInfo {
    /// The site URL as configured, with a scheme.
    pub url: String,
    /// Whether this site is used when no site URL is given.
    pub is_default: bool,
    /// Where the site comes from.
    pub source: SiteSource,
    /// Whether an access token is configured for it.
    pub has_token: bool,
    /// The token's first characters and `…` (`glpat-abc…`), never the value; null without one.
    #[serde(default)]
    pub token_prefix: Option<String>,
    /// The site's own proxy (`ProxyUrl`), with any password masked.
    #[serde(default)]
    pub proxy_url: Option<String>,
}

/// Where a site definition comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SiteSource {
    /// `GITLAB_ACCESS_TOKEN` and `GITLAB_URL`.
    Environment,
    /// `~/.config/powershell/gitlabcli/config.yml`.
    ConfigFile,
}

/// The GitLab scopes a personal access token may carry, as this engine knows them.
///
/// The first fourteen are the ones New-GitlabPersonalAccessToken documents; the rest are
/// GitLab's newer scopes. The PowerShell module reads this list from the committed schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Api,
    ReadUser,
    ReadApi,
    ReadRepository,
    WriteRepository,
    ReadRegistry,
    WriteRegistry,
    Sudo,
    AdminMode,
    CreateRunner,
    ManageRunner,
    AiFeatures,
    K8sProxy,
    ReadServicePing,
    SelfRotate,
    ReadVirtualRegistry,
    WriteVirtualRegistry,
    ReadObservability,
    WriteObservability,
}

impl Scope {
    /// Every scope, in documentation order.
    pub const ALL: [Scope; 19] = [
        Scope::Api,
        Scope::ReadUser,
        Scope::ReadApi,
        Scope::ReadRepository,
        Scope::WriteRepository,
        Scope::ReadRegistry,
        Scope::WriteRegistry,
        Scope::Sudo,
        Scope::AdminMode,
        Scope::CreateRunner,
        Scope::ManageRunner,
        Scope::AiFeatures,
        Scope::K8sProxy,
        Scope::ReadServicePing,
        Scope::SelfRotate,
        Scope::ReadVirtualRegistry,
        Scope::WriteVirtualRegistry,
        Scope::ReadObservability,
        Scope::WriteObservability,
    ];

    /// Scopes GitLab lets any user mint for themselves through `POST /user/personal_access_tokens`.
    pub const SELF_SERVICE: [Scope; 2] = [Scope::K8sProxy, Scope::SelfRotate];

    /// Scopes a group or project access token may carry (`Gitlab::Auth.resource_bot_scopes`):
    /// the non-admin personal ones less `read_user`.
    pub const RESOURCE: [Scope; 15] = [
        Scope::Api,
        Scope::ReadApi,
        Scope::CreateRunner,
        Scope::ManageRunner,
        Scope::K8sProxy,
        Scope::SelfRotate,
        Scope::ReadRepository,
        Scope::WriteRepository,
        Scope::ReadRegistry,
        Scope::WriteRegistry,
        Scope::ReadVirtualRegistry,
        Scope::WriteVirtualRegistry,
        Scope::ReadObservability,
        Scope::WriteObservability,
        Scope::AiFeatures,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Api => "api",
            Scope::ReadUser => "read_user",
            Scope::ReadApi => "read_api",
            Scope::ReadRepository => "read_repository",
            Scope::WriteRepository => "write_repository",
            Scope::ReadRegistry => "read_registry",
            Scope::WriteRegistry => "write_registry",
            Scope::Sudo => "sudo",
            Scope::AdminMode => "admin_mode",
            Scope::CreateRunner => "create_runner",
            Scope::ManageRunner => "manage_runner",
            Scope::AiFeatures => "ai_features",
            Scope::K8sProxy => "k8s_proxy",
            Scope::ReadServicePing => "read_service_ping",
            Scope::SelfRotate => "self_rotate",
            Scope::ReadVirtualRegistry => "read_virtual_registry",
            Scope::WriteVirtualRegistry => "write_virtual_registry",
            Scope::ReadObservability => "read_observability",
            Scope::WriteObservability => "write_observability",
        }
    }

    /// Parse a scope name, ignoring case and surrounding blanks.
    pub fn parse(text: &str) -> Option<Scope> {
        let wanted = text.trim();
        Scope::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(wanted))
    }
}

/// The JSON Schema of every protocol message, as `gitlabcli schema` prints it.
///
/// `request` validates a stdin line, `message` a stdout line, and `scope` lists the scopes the
/// engine accepts (the PowerShell module's `-Scope` validation and completion read it from here);
/// `resource_scope` those a group or project access token may carry.
pub fn schema() -> serde_json::Value {
    serde_json::json!({
        "title": "gitlabcli protocol",
        "protocol_version": VERSION,
        "request": schemars::schema_for!(Request),
        "message": schemars::schema_for!(Message),
        "scope": schemars::schema_for!(Scope),
        "resource_scope": Scope::RESOURCE.map(Scope::as_str),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_names_match_serde_and_parse_both_ways() {
        for scope in Scope::ALL {
            let json = serde_json::to_string(&scope).unwrap();
            assert_eq!(json, format!("\"{}\"", scope.as_str()));
            assert_eq!(Scope::parse(&scope.as_str().to_uppercase()), Some(scope));
        }
        assert_eq!(Scope::parse("apix"), None);
    }

    #[test]
    fn request_round_trips_through_the_wire_shape() {
        let line = r#"{"v":1,"id":"7","mode":"plan","command":"create-personal-access-token","params":{"name":"CI","scopes":["api"]}}"#;
        let req: Request = serde_json::from_str(line).unwrap();
        assert_eq!(req.id, RequestId::Text("7".into()));
        assert_eq!(req.mode, Mode::Plan);
        match &req.command {
            Command::CreatePersonalAccessToken(p) => {
                assert_eq!(p.name.as_deref(), Some("CI"));
                assert_eq!(p.scopes.as_deref(), Some(&["api".to_string()][..]));
            }
            other => panic!("wrong command {other:?}"),
        }
    }

    #[test]
    fn messages_carry_type_and_id() {
        let msg = Message {
            v: VERSION,
            id: Some(RequestId::Number(3)),
            body: Body::Warning {
                message: "careful".into(),
            },
        };
        let json = serde_json::to_value(&msg).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"v":1,"id":3,"type":"warning","message":"careful"})
        );
    }

    #[test]
    fn schema_describes_the_error_payload() {
        let schema = schema();
        let defs = &schema["message"]["$defs"];
        let mut node = &defs["Error"];
        for _ in 0..4 {
            match node.get("$ref").and_then(|r| r.as_str()) {
                Some(reference) => {
                    let name = reference.trim_start_matches("#/$defs/");
                    assert_ne!(&defs[name], node, "{name} refers to itself");
                    node = &defs[name];
                }
                None => break,
            }
        }
        for field in ["kind", "message", "caused_by", "hint", "status"] {
            assert!(
                node["properties"][field].is_object(),
                "Error schema lacks {field}: {node}"
            );
        }
    }

    #[test]
    fn schema_lists_every_scope() {
        let schema = schema();
        let listed: Vec<String> = schema["scope"]["enum"]
            .as_array()
            .expect("scope enum")
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let expected: Vec<String> = Scope::ALL.iter().map(|s| s.as_str().to_string()).collect();
        assert_eq!(listed, expected);
    }
}
