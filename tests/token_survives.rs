//! A created token reaches the user even when what comes after the create fails: here the
//! clipboard code panics inside the engine (the serve loop run in process with a clipboard that
//! panics), and the token still arrives in the result, with a warning.

mod common;

use common::Fake;
use gitlabcli::config::Environment;
use gitlabcli::protocol::{Body, CommandResult, Message};
use gitlabcli::secret::Secret;
use serde_json::json;

#[test]
fn a_panicking_clipboard_still_returns_the_token_with_a_warning() {
    let fake = Fake::start();
    let home = tempfile::tempdir().unwrap();
    let env = Environment {
        gitlab_url: Some(fake.url.clone()),
        gitlab_access_token: Some(Secret::new(fake.user_token.clone())),
        home: Some(home.path().to_path_buf()),
        ..Environment::default()
    };
    let request = json!({"v": 1, "id": "c", "command": "create-personal-access-token",
        "params": {"name": "panicky", "scopes": ["k8s_proxy"], "copy_to_clipboard": true}});
    let input = format!("{request}\n");
    let mut output = Vec::new();
    let clipboard = |_: &Secret| -> gitlabcli::error::Result<()> { panic!("clipboard exploded") };
    gitlabcli::protocol::serve::serve(input.as_bytes(), &mut output, &env, &clipboard).unwrap();

    let messages: Vec<Message> = String::from_utf8(output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let warnings: Vec<&String> = messages
        .iter()
        .filter_map(|m| match &m.body {
            Body::Warning { message } => Some(message),
            _ => None,
        })
        .collect();
    let Some(Body::Result {
        result: CommandResult::PersonalAccessToken(token),
    }) = messages.last().map(|m| &m.body)
    else {
        panic!("expected the token, got {messages:?}");
    };
    let created = fake.tokens();
    assert_eq!(created.len(), 1);
    assert_eq!(
        token
            .token
            .as_ref()
            .expect("the token is in the result")
            .expose(),
        created[0]["token"].as_str().unwrap()
    );
    assert!(!token.copied_to_clipboard);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("could not be copied"),
        "{}",
        warnings[0]
    );
}
