//! Protocol v1 as the wrapper sees it: the real binary, bad lines, ids, versions and the schema.

mod common;

use common::{EngineSetup, engine_path, repo_path};
use gitlabcli::error::ErrorKind;
use gitlabcli::protocol::{Body, RequestId};
use serde_json::Value;

fn protocol_error(
    messages: &[gitlabcli::protocol::Message],
) -> (Option<RequestId>, gitlabcli::error::Error) {
    assert_eq!(
        messages.len(),
        1,
        "a refused line gets exactly one message: {messages:?}"
    );
    match &messages[0].body {
        Body::Error { error } => (messages[0].id.clone(), error.clone()),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn every_bad_line_gets_its_own_error_and_the_engine_keeps_serving() {
    let setup = EngineSetup::new();
    let mut engine = setup.start();
    let cases: [(&str, Option<RequestId>, &str); 8] = [
        ("this is not json", None, "not JSON"),
        ("[1,2,3]", None, "not an object"),
        (r#"{"v":1,"command":"list-sites"}"#, None, "id"),
        (
            r#"{"v":2,"id":"a","command":"list-sites"}"#,
            Some(RequestId::Text("a".into())),
            "version 2",
        ),
        (
            r#"{"id":"b","command":"list-sites"}"#,
            Some(RequestId::Text("b".into())),
            "version",
        ),
        (
            r#"{"v":1,"id":3,"command":"rm-rf"}"#,
            Some(RequestId::Number(3)),
            "rm-rf",
        ),
        (
            r#"{"v":1,"id":"c","command":"create-personal-access-token","params":{"scope":["api"]}}"#,
            Some(RequestId::Text("c".into())),
            "scope",
        ),
        ("", None, "empty"),
    ];
    for (line, id, needle) in cases {
        engine.send_line(line);
        let (got_id, error) = protocol_error(&engine.read_until_terminal());
        assert_eq!(got_id, id, "id echoed for {line:?}");
        assert_eq!(error.kind, ErrorKind::Protocol, "kind for {line:?}");
        assert!(
            error.message.contains(needle),
            "{line:?} → {}",
            error.message
        );
    }
    // Still serving: a valid plan request is answered (a config error, since nothing is configured).
    let reply = engine.plan(serde_json::json!({"name": "x", "scopes": ["api"]}));
    assert_eq!(reply.error().kind, ErrorKind::Config);
    let (ok, stderr) = engine.finish();
    assert!(ok, "engine exits 0 when stdin closes");
    assert_eq!(stderr, "", "stderr is for crashes only");
}

#[test]
fn a_byte_order_mark_before_the_first_line_is_tolerated() {
    let setup = EngineSetup::new();
    let mut engine = setup.start();
    engine.send_line("\u{feff}{\"v\":1,\"id\":\"bom\",\"command\":\"list-sites\"}");
    let messages = engine.read_until_terminal();
    assert_eq!(
        messages.last().unwrap().id,
        Some(RequestId::Text("bom".into()))
    );
    assert!(
        matches!(messages.last().unwrap().body, Body::Result { .. }),
        "{messages:?}"
    );
}

#[test]
fn plan_is_refused_for_list_sites() {
    let setup = EngineSetup::new();
    let mut engine = setup.start();
    let reply = engine.call("plan", "list-sites", serde_json::json!({}));
    assert_eq!(reply.error().kind, ErrorKind::Protocol);
}

#[test]
fn schema_command_matches_the_committed_copy() {
    let output = std::process::Command::new(engine_path())
        .arg("schema")
        .output()
        .expect("run gitlabcli schema");
    assert!(output.status.success());
    let printed: Value = serde_json::from_slice(&output.stdout).expect("schema is JSON");
    let committed_path = repo_path("module/GitlabCli/GitlabCli.Protocol.schema.json");
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(&committed_path).expect("committed schema"))
            .expect("committed schema is JSON");
    assert_eq!(
        printed, committed,
        "the protocol changed: regenerate with `cargo run -- schema > module/GitlabCli/GitlabCli.Protocol.schema.json`"
    );
    assert_eq!(printed["protocol_version"], 1);
    for key in ["request", "message", "scope"] {
        assert!(printed[key].is_object(), "schema has {key}");
    }
}
