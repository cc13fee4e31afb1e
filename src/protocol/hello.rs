//! The hello message: the first line `gitlabcli serve` writes, before it reads any request.
//!
//! It states the engine's facts once, so the wrapper never keeps its own copy of them: the
//! protocol version it speaks, its own version, the scopes it accepts, the error kinds it may
//! report, and how many `run` requests it serves at once; for group and project access tokens
//! their own scope list, the access levels by name and the sorts of token lists. The wrapper
//! checks the version (a version it does not speak is an error naming both), completes `-Scope`,
//! `-AccessLevel` and `-Sort` from the lists and sizes its window of requests in flight from the
//! concurrency.

use crate::error::ErrorKind;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Scope, VERSION};

/// What the engine says about itself on start. Travels as a message of type `hello` with a
/// `null` id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Hello {
    /// The protocol version the engine speaks (also each message's `v`).
    pub protocol_version: u32,
    /// The engine's own version (the crate version).
    pub engine_version: String,
    /// Every scope the engine accepts, in documentation order.
    pub scopes: Vec<String>,
    /// Every error kind the engine may report, in documentation order.
    pub error_kinds: Vec<String>,
    /// How many `run` requests the engine serves at once (`GITLABCLI_CONCURRENCY`, default 8).
    pub concurrency: u32,
    /// The scopes a group or project access token may carry, in documentation order.
    #[serde(default)]
    pub resource_scopes: Vec<String>,
    /// The access levels a group or project access token may have, by name, lowest first.
    #[serde(default)]
    pub access_levels: Vec<String>,
    /// The sorts a token list takes.
    #[serde(default)]
    pub sorts: Vec<String>,
}

impl Hello {
    /// The hello of this engine with `concurrency` workers; `access_levels` and `sorts` are the
    /// commands' own lists (the caller passes them: the wire types know no command).
    pub fn new(concurrency: usize, access_levels: &[&str], sorts: &[&str]) -> Hello {
        Hello {
            protocol_version: VERSION,
            engine_version: env!("CARGO_PKG_VERSION").to_string(),
            scopes: Scope::ALL.iter().map(|s| s.as_str().to_string()).collect(),
            error_kinds: ErrorKind::ALL
                .iter()
                .map(|k| k.as_str().to_string())
                .collect(),
            concurrency: u32::try_from(concurrency).unwrap_or(u32::MAX),
            resource_scopes: Scope::RESOURCE
                .iter()
                .map(|s| s.as_str().to_string())
                .collect(),
            access_levels: access_levels.iter().map(|s| s.to_string()).collect(),
            sorts: sorts.iter().map(|s| s.to_string()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Body, Message};

    #[test]
    fn hello_states_version_scopes_kinds_and_concurrency() {
        let message = Message {
            v: VERSION,
            id: None,
            body: Body::Hello {
                hello: Hello::new(3, &["guest", "owner"], &["name_asc"]),
            },
        };
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(json["type"], "hello");
        assert_eq!(json["id"], serde_json::Value::Null);
        assert_eq!(json["hello"]["protocol_version"], 1);
        assert_eq!(json["hello"]["engine_version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(json["hello"]["concurrency"], 3);
        assert_eq!(
            json["hello"]["scopes"].as_array().unwrap().len(),
            Scope::ALL.len()
        );
        assert!(
            json["hello"]["error_kinds"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!("outcome-unknown"))
        );
        let resource = json["hello"]["resource_scopes"].as_array().unwrap();
        assert_eq!(resource.len(), Scope::RESOURCE.len());
        assert!(!resource.contains(&serde_json::json!("sudo")));
        assert_eq!(
            json["hello"]["access_levels"],
            serde_json::json!(["guest", "owner"])
        );
        assert_eq!(json["hello"]["sorts"], serde_json::json!(["name_asc"]));
        assert!(!message.body.is_terminal());
    }
}
