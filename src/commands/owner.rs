//! Who owns a token: a user (personal access tokens), a group or a project. Every lifecycle
//! command (list, get, create, rotate, revoke) is one piece of code over an [`Owner`]; what
//! differs per kind is here: the endpoints, the scope list, whether an access level applies, the
//! role GitLab asks for, and the words messages use.

use super::personal_access_token::{UserRef, parse_user};
use crate::error::{Error, Result};
use crate::git_remote;
use crate::protocol::{AccessLevelParam, OwnerKind, OwnerParam, Scope, TokenOwner};
use serde_json::Value;
use std::path::PathBuf;

/// The protocol parameter that names the owner.
pub const OWNER: &str = "owner";

/// A user as a personal token list may name them.
#[derive(Clone, Debug, PartialEq)]
pub enum Person {
    User(UserRef),
    /// An email address, looked up with `GET /users?search=`.
    Email(String),
}

/// A group or project: its numeric id or full path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resource {
    Id(u64),
    Path(String),
}

/// Whose tokens a command acts on.
#[derive(Clone, Debug, PartialEq)]
pub enum Owner {
    /// Personal access tokens; `None`: every token the caller may see (list) or the caller's.
    User(Option<Person>),
    Group(Resource),
    Project(Resource),
}

/// GitLab's access levels by name (`Gitlab::Access`).
pub const ACCESS_LEVELS: [(&str, u32); 6] = [
    ("guest", 10),
    ("planner", 15),
    ("reporter", 20),
    ("developer", 30),
    ("maintainer", 40),
    ("owner", 50),
];

/// The name of an access level number.
pub fn level_name(level: u32) -> Option<&'static str> {
    ACCESS_LEVELS
        .iter()
        .find(|(_, n)| *n == level)
        .map(|(name, _)| *name)
}

fn levels_listed() -> String {
    ACCESS_LEVELS
        .iter()
        .map(|(name, n)| format!("{name} ({n})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An access level by name (any case) or number.
pub fn parse_access_level(given: &AccessLevelParam) -> Result<u32> {
    let found = match given {
        AccessLevelParam::Number(n) => ACCESS_LEVELS
            .iter()
            .find(|(_, level)| u64::from(*level) == *n)
            .map(|(_, level)| *level),
        AccessLevelParam::Name(text) => {
            let text = text.trim();
            ACCESS_LEVELS
                .iter()
                .find(|(name, level)| name.eq_ignore_ascii_case(text) || level.to_string() == text)
                .map(|(_, level)| *level)
        }
    };
    found.ok_or_else(|| {
        let shown = match given {
            AccessLevelParam::Number(n) => n.to_string(),
            AccessLevelParam::Name(text) => crate::text::truncate(text, 40),
        };
        Error::invalid(
            "access_level",
            format!(
                "{} '{shown}' is not an access level. Valid access levels: {}.",
                crate::params::shown("access_level"),
                levels_listed()
            ),
        )
        .with_hint("Give a role name, e.g. -AccessLevel developer, or its number.")
    })
}

impl Owner {
    /// The owner a `*-access-token` request names. A project's `.` is resolved here, from
    /// `working_directory` (or the engine's own directory).
    pub fn from_param(param: Option<&OwnerParam>) -> Result<Owner> {
        let Some(param) = param else {
            return Err(Error::invalid(
                OWNER,
                "The owner is required: {\"kind\": \"user\" | \"group\" | \"project\", \"id\": …}.",
            )
            .with_hint("Give -GroupId or -ProjectId (an id or full path)."));
        };
        let id = param.id.as_deref().map(str::trim);
        match param.kind {
            OwnerKind::User => Ok(Owner::User(match id {
                None => None,
                Some(text) if text.eq_ignore_ascii_case("me") => Some(Person::User(UserRef::Me)),
                Some(text) => Some(match as_email(text) {
                    Some(email) => Person::Email(email),
                    None => Person::User(parse_user(text)?),
                }),
            })),
            OwnerKind::Group => Ok(Owner::Group(parse_resource(
                OwnerKind::Group,
                id,
                param.working_directory.as_deref(),
            )?)),
            OwnerKind::Project => Ok(Owner::Project(parse_resource(
                OwnerKind::Project,
                id,
                param.working_directory.as_deref(),
            )?)),
        }
    }

    pub fn kind(&self) -> OwnerKind {
        match self {
            Owner::User(_) => OwnerKind::User,
            Owner::Group(_) => OwnerKind::Group,
            Owner::Project(_) => OwnerKind::Project,
        }
    }

    fn resource(&self) -> Option<&Resource> {
        match self {
            Owner::User(_) => None,
            Owner::Group(r) | Owner::Project(r) => Some(r),
        }
    }

    /// The owner in normal form, for a plan's params (a resolved `.` becomes its path).
    pub fn to_param(&self) -> OwnerParam {
        let id = match self {
            Owner::User(None) => None,
            Owner::User(Some(Person::User(UserRef::Me))) => Some("me".to_string()),
            Owner::User(Some(Person::User(UserRef::Id(id)))) => Some(id.to_string()),
            Owner::User(Some(Person::User(UserRef::Username(name)))) => Some(name.clone()),
            Owner::User(Some(Person::Email(email))) => Some(email.clone()),
            Owner::Group(r) | Owner::Project(r) => Some(match r {
                Resource::Id(id) => id.to_string(),
                Resource::Path(path) => path.clone(),
            }),
        };
        OwnerParam {
            kind: self.kind(),
            id,
            working_directory: None,
        }
    }

    /// The `:id` path segment: the id, or the full path URL-encoded as one segment.
    fn segment(&self) -> String {
        match self.resource() {
            Some(Resource::Id(id)) => id.to_string(),
            Some(Resource::Path(path)) => path.replace('/', "%2F"),
            None => String::new(),
        }
    }

    /// Where the owner's tokens are listed and created (`GET`, `POST`).
    pub fn tokens_path(&self) -> String {
        match self {
            Owner::User(_) => "/personal_access_tokens".to_string(),
            Owner::Group(_) => format!("/groups/{}/access_tokens", self.segment()),
            Owner::Project(_) => format!("/projects/{}/access_tokens", self.segment()),
        }
    }

    /// One token (`GET`, `DELETE`); `token` is an id or `self`.
    pub fn token_path(&self, token: &str) -> String {
        format!("{}/{token}", self.tokens_path())
    }

    /// A token's rotation (`POST`).
    pub fn rotate_path(&self, token: &str) -> String {
        format!("{}/rotate", self.token_path(token))
    }

    /// Whether GitLab reads and revokes `self` under this owner (rotating `self` works for all).
    pub fn reads_self(&self) -> bool {
        matches!(self, Owner::User(_))
    }

    /// "personal access token", "group access token", "project access token".
    pub fn noun(&self) -> &'static str {
        match self {
            Owner::User(_) => "personal access token",
            Owner::Group(_) => "group access token",
            Owner::Project(_) => "project access token",
        }
    }

    /// The owner in words, e.g. `group 'acme/platform'`, `project #10`.
    pub fn describe(&self) -> String {
        let kind = self.kind().as_str();
        match self.resource() {
            Some(Resource::Id(id)) => format!("{kind} #{id}"),
            Some(Resource::Path(path)) => format!("{kind} '{path}'"),
            None => "the user".to_string(),
        }
    }

    /// The cmdlet parameter that names the owner.
    pub fn cmdlet_parameter(&self) -> &'static str {
        match self {
            Owner::User(_) => "-UserId",
            Owner::Group(_) => "-GroupId",
            Owner::Project(_) => "-ProjectId",
        }
    }

    fn cmdlet_noun(&self) -> &'static str {
        match self {
            Owner::User(_) => "PersonalAccessToken",
            Owner::Group(_) => "GroupAccessToken",
            Owner::Project(_) => "ProjectAccessToken",
        }
    }

    /// How a user lists this owner's tokens, e.g. `Get-GitlabGroupAccessToken -GroupId acme`.
    pub fn get_cmdlet(&self) -> String {
        let noun = self.cmdlet_noun();
        match self.to_param().id {
            Some(id) if self.resource().is_some() => {
                format!("Get-Gitlab{noun} {} {id}", self.cmdlet_parameter())
            }
            _ => format!("Get-Gitlab{noun}"),
        }
    }

    /// How a user creates one.
    pub fn new_cmdlet(&self) -> String {
        format!("New-Gitlab{}", self.cmdlet_noun())
    }

    /// The scopes this kind's tokens may carry.
    pub fn scopes(&self) -> &'static [Scope] {
        match self {
            Owner::User(_) => &Scope::ALL,
            Owner::Group(_) | Owner::Project(_) => &Scope::RESOURCE,
        }
    }

    /// Whether tokens of this kind carry an access level.
    pub fn takes_access_level(&self) -> bool {
        self.resource().is_some()
    }

    /// GitLab's rule for managing this owner's tokens, said once.
    pub fn role_rule(&self) -> &'static str {
        match self {
            Owner::User(_) => "Only administrators may act on other users' tokens.",
            Owner::Group(_) => {
                "Managing a group's access tokens needs the Owner role in the group (inherited \
                 from a parent group counts), or an administrator."
            }
            Owner::Project(_) => {
                "Managing a project's access tokens needs the Maintainer or Owner role in the \
                 project (inherited from its groups counts), or an administrator."
            }
        }
    }

    /// What a result says owns a token, from GitLab's `resource_id` or the owner given.
    pub fn token_owner(&self, json: &Value) -> Option<TokenOwner> {
        let resource = self.resource()?;
        let id = json
            .get("resource_id")
            .and_then(Value::as_u64)
            .or(match resource {
                Resource::Id(id) => Some(*id),
                Resource::Path(_) => None,
            });
        Some(TokenOwner {
            kind: self.kind(),
            id,
            path: match resource {
                Resource::Path(path) => Some(path.clone()),
                Resource::Id(_) => None,
            },
        })
    }

    /// Check scopes against this kind's list: at least one, none unknown or not allowed here.
    /// Duplicates are dropped and case is folded.
    pub fn validate_scopes(&self, scopes: Option<&[String]>) -> Result<Vec<Scope>> {
        let allowed = self.scopes();
        let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
        let listed = names.join(", ");
        let given = scopes.unwrap_or_default();
        if given.is_empty() {
            return Err(
                Error::invalid("scopes", "At least one scope is required (-Scope).")
                    .with_hint(format!("Valid scopes: {listed}.")),
            );
        }
        let mut valid = Vec::new();
        let mut unknown = Vec::new();
        let mut refused = Vec::new();
        for text in given {
            match Scope::parse(text) {
                Some(scope) if !allowed.contains(&scope) => refused.push(format!("'{text}'")),
                Some(scope) if !valid.contains(&scope) => valid.push(scope),
                Some(_) => {}
                None => unknown.push(text.as_str()),
            }
        }
        let plural = |count: usize| if count == 1 { "scope" } else { "scopes" };
        if !unknown.is_empty() {
            let quoted: Vec<String> = unknown.iter().map(|text| format!("'{text}'")).collect();
            let error = Error::invalid(
                "scopes",
                format!(
                    "Unknown {} {}. Valid scopes: {listed}.",
                    plural(unknown.len()),
                    quoted.join(", ")
                ),
            );
            let meant: Vec<String> = unknown
                .iter()
                .filter_map(|text| {
                    let near = crate::text::closest(text, names.iter().copied())?;
                    Some(format!("'{near}' for '{text}'"))
                })
                .collect();
            return Err(if meant.is_empty() {
                error.with_hint(format!(
                    "Give {} one or more of the valid scopes (Tab completes them).",
                    crate::params::shown("scopes")
                ))
            } else {
                error.with_hint(format!("Did you mean {}?", meant.join(", ")))
            });
        }
        if !refused.is_empty() {
            return Err(Error::invalid(
                "scopes",
                format!(
                    "GitLab does not allow the {} {} on {}s. Valid scopes: {listed}.",
                    plural(refused.len()),
                    refused.join(", "),
                    self.noun()
                ),
            ));
        }
        Ok(valid)
    }
}

/// `name@host`: an email address (the PowerShell parameter's `EmailAddress` alias binds these).
pub fn as_email(text: &str) -> Option<String> {
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

/// A group's or project's id (digits), full path, or for a project `.`.
fn parse_resource(
    kind: OwnerKind,
    id: Option<&str>,
    working_directory: Option<&str>,
) -> Result<Resource> {
    let param = if kind == OwnerKind::Group {
        "-GroupId"
    } else {
        "-ProjectId"
    };
    let text = id.unwrap_or_default();
    if text.is_empty() {
        return Err(Error::invalid(
            OWNER,
            format!("The {} is required ({param}).", kind.as_str()),
        )
        .with_hint(format!(
            "Give its numeric id or full path, e.g. {param} acme/platform."
        )));
    }
    if text == "." {
        if kind != OwnerKind::Project {
            return Err(Error::invalid(
                OWNER,
                "'.' names a project (the git checkout's origin), not a group.",
            )
            .with_hint("Give the group's id or full path."));
        }
        let dir = match working_directory {
            Some(dir) => PathBuf::from(dir),
            None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        };
        let (path, _url) = git_remote::origin_project(&dir, OWNER)?;
        return Ok(Resource::Path(path));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<u64>() {
            Ok(id) if id > 0 => Ok(Resource::Id(id)),
            _ => Err(Error::invalid(
                OWNER,
                format!(
                    "'{}' is not a valid {} id.",
                    crate::text::truncate(text, 40),
                    kind.as_str()
                ),
            )
            .with_hint("Ids are whole numbers from 1 up; or give the full path.")),
        };
    }
    let path = text.trim_matches('/');
    let valid = path.split('/').all(|segment| {
        !segment.is_empty()
            && !segment.chars().all(|c| c == '.')
            && segment
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
    });
    if !valid {
        return Err(Error::invalid(
            OWNER,
            format!(
                "'{}' is neither a {kind} id (digits) nor a full path (segments of letters, digits, '_', '-' and '.', joined by '/').",
                crate::text::truncate(text, 80),
                kind = kind.as_str()
            ),
        )
        .with_hint(format!("Give the id or the full path as GitLab shows it, e.g. {param} acme/platform.")));
    }
    Ok(Resource::Path(path.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(kind: OwnerKind, id: &str) -> Result<Owner> {
        Owner::from_param(Some(&OwnerParam {
            kind,
            id: Some(id.to_string()),
            working_directory: None,
        }))
    }

    #[test]
    fn paths_are_one_encoded_segment() {
        let o = owner(OwnerKind::Project, "acme/platform/api").unwrap();
        assert_eq!(
            o.tokens_path(),
            "/projects/acme%2Fplatform%2Fapi/access_tokens"
        );
        assert_eq!(
            o.rotate_path("self"),
            "/projects/acme%2Fplatform%2Fapi/access_tokens/self/rotate"
        );
        let g = owner(OwnerKind::Group, "12").unwrap();
        assert_eq!(g.token_path("3"), "/groups/12/access_tokens/3");
        assert_eq!(
            Owner::User(None).token_path("self"),
            "/personal_access_tokens/self"
        );
        for bad in ["a b", "a//b", "0", "x?y", "../", "a/%2F"] {
            let err = owner(OwnerKind::Group, bad).unwrap_err();
            assert_eq!(err.parameter.as_deref(), Some(OWNER), "{bad}");
        }
        assert!(owner(OwnerKind::Group, ".").is_err());
    }

    #[test]
    fn access_levels_by_name_or_number() {
        assert_eq!(
            parse_access_level(&AccessLevelParam::Name("Developer".into())).unwrap(),
            30
        );
        assert_eq!(
            parse_access_level(&AccessLevelParam::Name("15".into())).unwrap(),
            15
        );
        assert_eq!(
            parse_access_level(&AccessLevelParam::Number(50)).unwrap(),
            50
        );
        for bad in [
            AccessLevelParam::Number(35),
            AccessLevelParam::Name("admin".into()),
        ] {
            let err = parse_access_level(&bad).unwrap_err();
            assert_eq!(err.parameter.as_deref(), Some("access_level"));
            assert!(err.message.contains("planner (15)"), "{}", err.message);
            assert!(err.message.starts_with("-AccessLevel '"), "{}", err.message);
        }
    }

    #[test]
    fn an_unknown_scope_suggests_what_was_probably_meant() {
        let user = Owner::User(None);
        let err = user
            .validate_scopes(Some(&["apii".into(), "read-apy".into()]))
            .unwrap_err();
        assert_eq!(err.parameter.as_deref(), Some("scopes"));
        assert_eq!(
            err.hint.as_deref(),
            Some("Did you mean 'api' for 'apii', 'read_api' for 'read-apy'?")
        );
        let err = user
            .validate_scopes(Some(&["everything".into()]))
            .unwrap_err();
        assert!(
            err.hint
                .as_deref()
                .unwrap_or_default()
                .contains("Tab completes"),
            "{err:?}"
        );
    }

    #[test]
    fn resource_tokens_refuse_user_and_admin_scopes() {
        let g = owner(OwnerKind::Group, "acme").unwrap();
        let err = g
            .validate_scopes(Some(&["api".into(), "sudo".into()]))
            .unwrap_err();
        assert!(err.message.contains("'sudo'") && err.message.contains("group access tokens"));
        assert!(!err.message.contains("read_user"), "{}", err.message);
        assert!(g.validate_scopes(Some(&["read_user".into()])).is_err());
        assert_eq!(
            Owner::User(None)
                .validate_scopes(Some(&["sudo".into()]))
                .unwrap(),
            vec![Scope::Sudo]
        );
    }
}
