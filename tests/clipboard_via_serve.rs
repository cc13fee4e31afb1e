//! -CopyToClipboard end to end: `gitlabcli serve` creates a token against the fake GitLab, puts
//! it on a private X server's clipboard, exits, and the token is still there for xclip.

mod common;
#[path = "common/xvfb.rs"]
mod xvfb;

use common::{EngineSetup, Fake};
use serde_json::json;
use xvfb::Xvfb;

#[test]
fn the_token_goes_to_the_clipboard_and_outlives_the_engine() {
    let fake = Fake::start();
    let x = Xvfb::start();
    let setup = EngineSetup::env_site(&fake.url, &fake.user_token).var("DISPLAY", x.display());
    let mut engine = setup.start();
    let reply =
        engine.create(json!({"name": "clip", "scopes": ["k8s_proxy"], "copy_to_clipboard": true}));
    let token = reply.token().clone();
    assert!(token.copied_to_clipboard);
    assert!(
        token.token.is_none(),
        "a copied token is left out of the result"
    );
    assert!(reply.warnings().is_empty(), "{:?}", reply.warnings());
    let (ok, stderr) = engine.finish();
    assert!(ok && stderr.is_empty(), "engine exited cleanly: {stderr}");

    let created = fake
        .tokens()
        .into_iter()
        .find(|t| t["name"] == "clip")
        .expect("token created");
    let out = x
        .command("xclip")
        .args(["-selection", "clipboard", "-o"])
        .output()
        .expect("run xclip");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        created["token"].as_str().unwrap()
    );
}

#[test]
fn without_a_display_the_token_is_returned_with_a_warning() {
    let fake = Fake::start();
    let setup = EngineSetup::env_site(&fake.url, &fake.user_token);
    let mut engine = setup.start();
    let reply = engine
        .create(json!({"name": "no display", "scopes": ["k8s_proxy"], "copy_to_clipboard": true}));
    let token = reply.token().clone();
    assert!(!token.copied_to_clipboard);
    let created = fake
        .tokens()
        .into_iter()
        .find(|t| t["name"] == "no display")
        .expect("token created");
    assert_eq!(
        token.token.as_ref().map(|t| t.expose()),
        created["token"].as_str(),
        "a created token is never lost"
    );
    let warnings = reply.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("could not be copied") && warnings[0].contains("DISPLAY"),
        "{}",
        warnings[0]
    );
    assert!(
        !warnings[0].contains(created["token"].as_str().unwrap()),
        "the warning never shows the token"
    );
}
