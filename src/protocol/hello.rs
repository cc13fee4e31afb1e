//! The hello message: the first line `gitlabcli serve` writes, before it reads any request.
//!
//! It states the engine's facts once, so the wrapper never keeps its own copy of them: the
//! protocol version it speaks, its own version, the scopes it accepts, the error kinds it may
//! report, and how many `run` requests it serves at once. The wrapper checks the version (a
//! version it does not speak is an error naming both), completes `-Scope` from the list and sizes
//! its window of requests in flight from the concurrency.

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
}

impl Hello {
    /// The hello of this engine with `concurrency` workers.
    pub fn new(concurrency: usize) -> Hello {
        Hello {
            protocol_version: VERSION,
            engine_version: env!("CARGO_PKG_VERSION").to_string(),
            scopes: Scope::ALL.iter().map(|s| s.as_str().to_string()).collect(),
            error_kinds: ErrorKind::ALL
                .iter()
                .map(|k| k.as_str().to_string())
                .collect(),
            concurrency: u32::try_from(concurrency).unwrap_or(u32::MAX),
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
                hello: Hello::new(3),
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
        assert!(!message.body.is_terminal());
    }
}
