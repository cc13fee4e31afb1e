//! `create-personal-access-token`: New-GitlabPersonalAccessToken's work.
//!
//! Validation happens before anything is sent, in this order: name, scopes, user, expiry, site.
//! The endpoint follows GitLab's rules:
//! - no user and only self-service scopes (`k8s_proxy`, `self_rotate`):
//!   `POST /user/personal_access_tokens`, which any user may call;
//! - otherwise `POST /users/:id/personal_access_tokens`, which only administrators may call. The
//!   engine checks `GET /user` first (cached), so a non-admin gets the rule explained instead of
//!   a bare 403 and the admin endpoint is never called on their behalf.

use super::Context;
use super::owner::Owner;
use crate::config::{Site, Sites};
use crate::dates;
use crate::error::{Error, ErrorKind, Result};
use crate::gitlab::users::User;
use crate::protocol::{
    CreatePersonalAccessTokenParams, NewPersonalAccessToken, Plan, PlanParams, Scope,
};
use crate::secret::Secret;
use crate::text;
use chrono::NaiveDate;
use serde_json::{Value, json};

/// GitLab's limit on token names.
pub const MAX_NAME_CHARS: usize = 255;

/// The rule GitLab applies, said once for every error that needs it.
pub const ADMIN_RULE: &str = "Only administrators of self-managed or GitLab Dedicated instances can create personal \
access tokens for other users, or tokens with scopes other than k8s_proxy and self_rotate. Without admin rights, leave \
out -UserId and use -Scope k8s_proxy or self_rotate, or create the token in GitLab under User settings > Access tokens.";

/// Whose token it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserRef {
    /// The owner of the access token.
    Me,
    Id(u64),
    Username(String),
}

/// Parameters that passed validation, with the site resolved.
#[derive(Clone, Debug)]
pub struct Validated {
    pub user: UserRef,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<NaiveDate>,
    pub site: Site,
    pub token: Secret,
    pub copy_to_clipboard: bool,
}

impl Validated {
    /// Whether the admin-only endpoint is needed.
    pub fn needs_admin(&self) -> bool {
        self.user != UserRef::Me || !self.scopes.iter().all(|s| Scope::SELF_SERVICE.contains(s))
    }

    fn target(&self) -> String {
        let site = &self.site.url;
        match &self.user {
            UserRef::Me => format!("your own account on {site}"),
            UserRef::Id(id) => format!("user #{id} on {site}"),
            UserRef::Username(name) => format!("user '{name}' on {site}"),
        }
    }

    fn action(&self) -> String {
        let scopes: Vec<&str> = self.scopes.iter().map(|s| s.as_str()).collect();
        let expiry = match self.expires_at {
            Some(date) => format!("expires {}", date.format("%Y-%m-%d")),
            None => "expiry: the instance's default".to_string(),
        };
        let clipboard = if self.copy_to_clipboard {
            "; copy to clipboard"
        } else {
            ""
        };
        format!(
            "Create personal access token '{}' (scopes: {}; {expiry}{clipboard})",
            self.name,
            scopes.join(", ")
        )
    }

    fn requests(&self) -> Vec<String> {
        match &self.user {
            UserRef::Me if !self.needs_admin() => {
                vec!["POST /user/personal_access_tokens".to_string()]
            }
            UserRef::Me => vec![
                "GET /user".to_string(),
                "POST /users/:id/personal_access_tokens".to_string(),
            ],
            UserRef::Id(id) => vec![
                "GET /user".to_string(),
                format!("POST /users/{id}/personal_access_tokens"),
            ],
            UserRef::Username(name) => vec![
                "GET /user".to_string(),
                format!("GET /users?username={name}"),
                "POST /users/:id/personal_access_tokens".to_string(),
            ],
        }
    }

    /// The parameters in normal form: what a plan hands back for the run.
    fn normalised(&self) -> CreatePersonalAccessTokenParams {
        CreatePersonalAccessTokenParams {
            user: match &self.user {
                UserRef::Me => None,
                UserRef::Id(id) => Some(id.to_string()),
                UserRef::Username(name) => Some(name.clone()),
            },
            name: Some(self.name.clone()),
            scopes: Some(self.scopes.iter().map(|s| s.as_str().to_string()).collect()),
            expires_at: self.expires_at.map(|d| d.format("%Y-%m-%d").to_string()),
            expire_in_months: None,
            site_url: Some(self.site.url.clone()),
            copy_to_clipboard: self.copy_to_clipboard.then_some(true),
        }
    }
}

/// Check every parameter and resolve the site. Sends nothing.
pub fn validate(
    params: &CreatePersonalAccessTokenParams,
    sites: &Sites,
    today: NaiveDate,
) -> Result<Validated> {
    let name = validate_name(params.name.as_deref())?;
    let scopes = validate_scopes(params.scopes.as_deref())?;
    let user = match params.user.as_deref() {
        None => UserRef::Me,
        Some(text) => parse_user(text)?,
    };
    let expires_at =
        dates::resolve_expiry(params.expires_at.as_deref(), params.expire_in_months, today)?;
    let (site, token) = sites.resolve(params.site_url.as_deref())?;
    Ok(Validated {
        user,
        name,
        scopes,
        expires_at,
        site: site.clone(),
        token: token.clone(),
        copy_to_clipboard: params.copy_to_clipboard.unwrap_or(false),
    })
}

pub fn validate_name(name: Option<&str>) -> Result<String> {
    let name = name.ok_or_else(|| {
        Error::invalid("name", "A token name is required (-Name).")
            .with_hint("Name the token after what will use it, e.g. -Name 'CI deploy'.")
    })?;
    if name.trim().is_empty() {
        return Err(Error::invalid("name", "The token name is blank.")
            .with_hint("Give a name with visible characters, e.g. -Name 'CI deploy'."));
    }
    check_visible_text(name, "The token name")?;
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(Error::invalid(
            "name",
            format!(
                "The token name is {chars} characters long; GitLab allows at most {MAX_NAME_CHARS}."
            ),
        )
        .with_hint("Shorten the name."));
    }
    Ok(name.to_string())
}

/// Refuse a name that GitLab would refuse or that would mislead a reader: a control character
/// (NUL, line break, tab, BEL, ESC, any C0 or C1), a bidirectional control (which reorders what
/// a reader sees), U+FFFD (the trace of text that could not be encoded, such as a lone
/// surrogate), or nothing but invisible characters. The message names the character and its
/// position (counted in characters from 1).
fn check_visible_text(text: &str, what: &str) -> Result<()> {
    let found = text
        .chars()
        .enumerate()
        .find(|&(_, c)| text::is_control(c) || text::is_bidi_control(c) || c == '\u{FFFD}');
    if let Some((at, c)) = found {
        return Err(Error::invalid(
            "name",
            format!(
                "{what} contains {} at position {}; names may not hold control characters, \
                 direction overrides or replacement characters.",
                text::describe_char(c),
                at + 1
            ),
        )
        .with_hint("Type the name again without it (it may have come with copied text)."));
    }
    if text.chars().all(text::is_invisible) {
        let listed: Vec<String> = text
            .chars()
            .enumerate()
            .filter(|(_, c)| !c.is_whitespace())
            .take(3)
            .map(|(at, c)| format!("{} at position {}", text::describe_char(c), at + 1))
            .collect();
        return Err(Error::invalid(
            "name",
            format!(
                "{what} has only invisible characters ({}), so it would show as blank.",
                listed.join(", ")
            ),
        )
        .with_hint("Give a name with visible characters, e.g. -Name 'CI deploy'."));
    }
    Ok(())
}

/// A personal token's scopes: [`Owner::validate_scopes`] for a user.
fn validate_scopes(scopes: Option<&[String]>) -> Result<Vec<Scope>> {
    Owner::User(None).validate_scopes(scopes)
}

/// All digits: a user id. Otherwise a username (a leading `@` is dropped).
pub fn parse_user(text: &str) -> Result<UserRef> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid("user", "The user is empty.").with_hint(
            "Leave out -UserId to create a token for yourself, or give a user id or username.",
        ));
    }
    if trimmed.chars().all(|c| c.is_ascii_digit()) {
        return match trimmed.parse::<u64>() {
            Ok(0) | Err(_) => Err(Error::invalid(
                "user",
                format!("'{trimmed}' is not a valid user id."),
            )
            .with_hint("User ids are whole numbers from 1 up.")),
            Ok(id) => Ok(UserRef::Id(id)),
        };
    }
    let name = trimmed.strip_prefix('@').unwrap_or(trimmed);
    let valid = !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid {
        return Err(Error::invalid(
            "user",
            format!("'{trimmed}' is neither a user id (digits) nor a GitLab username (letters, digits, '_', '-' and '.')."),
        )
        .with_hint("Pass the numeric user id or the exact username."));
    }
    Ok(UserRef::Username(name.to_string()))
}

/// [`validate`] against the sites configured now and today's date.
fn validate_in(
    params: &CreatePersonalAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<Validated> {
    let sites = ctx.sites_for(params.site_url.as_deref())?;
    validate(params, &sites, ctx.today)
}

/// `mode: plan`: validate and describe. Never sends HTTP.
pub fn plan(params: &CreatePersonalAccessTokenParams, ctx: &mut Context<'_>) -> Result<Plan> {
    let v = validate_in(params, ctx)?;
    Ok(Plan {
        command: "create-personal-access-token".to_string(),
        target: v.target(),
        action: v.action(),
        requests: v.requests(),
        params: PlanParams::Create(v.normalised()),
        confirm: None,
    })
}

/// `mode: run`: validate, resolve the user, create the token.
pub fn run(
    params: &CreatePersonalAccessTokenParams,
    ctx: &mut Context<'_>,
) -> Result<NewPersonalAccessToken> {
    let v = validate_in(params, ctx)?;
    let client = ctx.gitlab.client(&v.site, &v.token)?;

    let path = if v.needs_admin() {
        let me = ctx.gitlab.users.current(&client, ctx.reporter)?;
        require_admin(&me, &v)?;
        let id = match &v.user {
            UserRef::Me => me.id,
            UserRef::Id(id) => *id,
            UserRef::Username(name) => {
                ctx.gitlab
                    .users
                    .by_username(&client, name, ctx.reporter)?
                    .id
            }
        };
        format!("/users/{id}/personal_access_tokens")
    } else {
        "/user/personal_access_tokens".to_string()
    };

    let mut body = json!({
        "name": v.name,
        "scopes": v.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
    });
    if let Some(date) = v.expires_at {
        body["expires_at"] = Value::String(date.format("%Y-%m-%d").to_string());
    }

    let mut token = client
        .post(&path, &body, ctx.reporter)
        .and_then(|created| token_from_json(&created, &v.site.url))
        .map_err(|e| explain_refusal(e, &v))?;
    hand_over(&mut token, v.copy_to_clipboard, "created", ctx);
    Ok(token)
}

/// Moves a new token to the clipboard when asked. If the clipboard fails (or its code panics) the
/// token stays in the result and a warning says why (`done` names what happened to it: "created",
/// "rotated").
pub fn hand_over(
    token: &mut NewPersonalAccessToken,
    copy: bool,
    done: &str,
    ctx: &mut Context<'_>,
) {
    if copy && let Some(secret) = token.token.take() {
        // A panic in clipboard code must not lose the token GitLab just created.
        let copied =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (ctx.clipboard)(&secret)))
                .unwrap_or_else(|_| {
                    Err(Error::new(
                        ErrorKind::Clipboard,
                        "The clipboard code failed unexpectedly",
                    ))
                });
        match copied {
            Ok(()) => token.copied_to_clipboard = true,
            Err(e) => {
                ctx.reporter.warning(format!(
                    "Token '{}' was {done} but could not be copied to the clipboard: {}{} It is in the result instead; \
                     store it now, GitLab shows it only once.",
                    token.name,
                    e.message,
                    if e.message.ends_with('.') { "" } else { "." }
                ));
                token.token = Some(secret);
            }
        }
    }
}

fn require_admin(me: &User, v: &Validated) -> Result<()> {
    if me.is_admin == Some(true) {
        return Ok(());
    }
    let why = match &v.user {
        UserRef::Me => {
            let scopes: Vec<&str> = v.scopes.iter().map(|s| s.as_str()).collect();
            format!(
                "A token with scopes {} needs the admin endpoint",
                scopes.join(", ")
            )
        }
        _ => format!("Creating a token for {} needs an administrator", v.target()),
    };
    Err(Error::new(
        ErrorKind::Forbidden,
        format!("{why}, and the access token for {} belongs to '{}', who is not an administrator. Nothing was sent.", v.site.url, me.username),
    )
    .with_parameter(if v.user == UserRef::Me { "scopes" } else { "user" })
    .with_hint(ADMIN_RULE))
}

/// Add the rule to a 403, and name the user on a 404, from the create call.
fn explain_refusal(mut err: Error, v: &Validated) -> Error {
    match err.kind {
        ErrorKind::Forbidden => {
            err.message = format!(
                "GitLab at {} refused to create the token for {}.",
                v.site.url,
                v.target()
            );
            err.hint = Some(ADMIN_RULE.to_string());
        }
        ErrorKind::OutcomeUnknown => {
            let cause = err.message.clone();
            err.message = format!(
                "The token '{}' for {} may have been created, but no usable answer came back \
                 ({}). It was not retried, so at most one token exists.",
                v.name,
                v.target(),
                cause.trim_end_matches('.')
            );
            err.hint = Some(format!(
                "Check before trying again: list the user's tokens with \
                 Get-GitlabPersonalAccessToken{} (or GET {}/api/v4/personal_access_tokens), or \
                 look at {} in GitLab. Revoke a token '{}' whose value you do not have, then \
                 create it again.",
                match &v.user {
                    UserRef::Me => String::new(),
                    UserRef::Id(id) => format!(" -User {id}"),
                    UserRef::Username(name) => format!(" -User {name}"),
                },
                v.site.url,
                match &v.user {
                    UserRef::Me => format!("{}/-/user_settings/personal_access_tokens", v.site.url),
                    _ => format!("the user's page under {}/admin/users", v.site.url),
                },
                v.name
            ));
        }
        ErrorKind::NotFound if v.user != UserRef::Me => {
            err.message = format!("GitLab found no {}.", v.target());
            err.parameter = Some("user".to_string());
            err.hint = Some("Check the user id or username.".to_string());
        }
        _ => {}
    }
    err
}

/// Read GitLab's token entity leniently: the token must reach the user even if other fields
/// are missing or oddly typed. A success without a token string (missing, null, a number, an
/// object) is `outcome-unknown`, like any unreadable success: a token may exist whose value never
/// arrived, so retrying blindly would make a second one.
pub fn token_from_json(json: &Value, site_url: &str) -> Result<NewPersonalAccessToken> {
    let token = json
        .get("token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            let got = match json.get("token") {
                None => "no token field".to_string(),
                Some(Value::String(_)) => "an empty token".to_string(),
                Some(Value::Null) => "a null token".to_string(),
                Some(Value::Number(_)) => "a number as the token".to_string(),
                Some(Value::Bool(_)) => "true or false as the token".to_string(),
                Some(Value::Array(_)) => "a list as the token".to_string(),
                Some(Value::Object(_)) => "an object as the token".to_string(),
            };
            Error::new(
                ErrorKind::OutcomeUnknown,
                format!(
                    "GitLab at {site_url} answered with success but {got}, so a token may exist \
                     whose value never arrived."
                ),
            )
            .with_hint(
                "Look at the user's access tokens in GitLab; revoke the new one if its value is unknown.",
            )
        })?;
    let (_, details) = super::token_entity::read(json, site_url, true);
    Ok(NewPersonalAccessToken::new(
        details,
        Secret::new(token.to_string()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_and_usernames_are_told_apart() {
        assert_eq!(parse_user("42").unwrap(), UserRef::Id(42));
        assert_eq!(
            parse_user(" jsmith ").unwrap(),
            UserRef::Username("jsmith".into())
        );
        assert_eq!(
            parse_user("@j.smith-2_x").unwrap(),
            UserRef::Username("j.smith-2_x".into())
        );
        for bad in [
            "",
            "  ",
            "0",
            "a/b",
            "../x",
            "j smith",
            "x?y",
            "99999999999999999999999",
        ] {
            let err = parse_user(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidArgument, "{bad}");
            assert_eq!(err.parameter.as_deref(), Some("user"));
        }
    }

    #[test]
    fn scopes_are_deduplicated_case_folded_and_checked() {
        let given = vec!["api".to_string(), "API".to_string(), "read_api".to_string()];
        assert_eq!(
            validate_scopes(Some(&given)).unwrap(),
            vec![Scope::Api, Scope::ReadApi]
        );
        let err = validate_scopes(Some(&["api".to_string(), "apii".to_string()])).unwrap_err();
        assert_eq!(err.parameter.as_deref(), Some("scopes"));
        assert!(err.message.contains("'apii'"));
        assert!(err.message.contains("read_observability"));
        assert!(validate_scopes(Some(&[])).is_err());
        assert!(validate_scopes(None).is_err());
    }

    #[test]
    fn names_must_be_present_visible_and_short() {
        assert_eq!(validate_name(Some("CI")).unwrap(), "CI");
        assert!(validate_name(None).is_err());
        assert!(validate_name(Some(" \t")).is_err());
        assert!(validate_name(Some(&"é".repeat(255))).is_ok());
        let err = validate_name(Some(&"x".repeat(256))).unwrap_err();
        assert!(err.message.contains("256"));
    }

    #[test]
    fn lenient_reading_keeps_the_token() {
        let json = serde_json::json!({"id": "7", "token": "glpat-x", "scopes": ["api", 3], "user_id": null});
        let t = token_from_json(&json, "https://g").unwrap();
        assert_eq!(t.id, 7);
        assert_eq!(t.token.as_ref().map(Secret::expose), Some("glpat-x"));
        assert_eq!(t.scopes, vec!["api".to_string()]);
        assert!(token_from_json(&serde_json::json!({"id": 1}), "https://g").is_err());
    }
}
