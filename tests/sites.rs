//! Site management through the real engine: `list-sites` with masked tokens and filters,
//! `add-site` (the token checked against the fake, refused tokens never saved, `force`),
//! `set-default-site`, `remove-site`, the environment rule, two writers at once, a write killed
//! midway, and the rotation that saves itself. The access token given is scanned for in every
//! line the engine writes and in its argv and environment.

mod common;

use common::{EngineSetup, Fake};
use gitlabcli::error::ErrorKind;
use gitlabcli::protocol::Body;
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A token of `jsmith` the fake knows (so `GET /personal_access_tokens/self` answers it).
fn seeded(fake: &Fake, scopes: &[&str]) -> String {
    let tokens =
        fake.seed_tokens(json!({"username": "jsmith", "name": "laptop", "scopes": scopes}));
    tokens[0]["token"]
        .as_str()
        .expect("a token value")
        .to_string()
}

fn result(reply: &common::Reply) -> Value {
    match reply.terminal() {
        Body::Result { result } => serde_json::to_value(result).unwrap(),
        other => panic!("expected a result, got {other:?}"),
    }
}

fn no_secret(engine: &common::Engine, secret: &str) {
    for line in &engine.raw {
        assert!(!line.contains(secret), "the token leaked: {line}");
    }
}

#[test]
fn add_checks_the_token_saves_it_and_lists_it_masked() {
    let fake = Fake::start();
    let token = seeded(&fake, &["api"]);
    let setup = EngineSetup::new();
    let mut engine = setup.start();
    let mut params = json!({"url": fake.url, "is_default": true});
    let plan = engine.call("plan", "add-site", params.clone());
    let plan = plan.plan().clone();
    assert_eq!(plan.target, fake.url);
    assert_eq!(plan.confirm, None);
    assert!(!setup.config_path().exists(), "a plan writes nothing");
    params["access_token"] = json!(token);
    // -WhatIf: the plan with the token sends nothing and writes nothing either.
    fake.clear_requests();
    engine.call("plan", "add-site", params.clone()).plan();
    assert!(fake.requests().is_empty());
    assert!(!setup.config_path().exists());

    let added = result(&engine.call("run", "add-site", params.clone()));
    assert_eq!(added["validated"], true);
    assert_eq!(added["user"]["username"], "jsmith");
    assert_eq!(added["token_name"], "laptop");
    assert_eq!(added["scopes"], json!(["api"]));
    assert_eq!(added["site"]["is_default"], true);
    let prefix = added["site"]["token_prefix"].as_str().unwrap().to_string();
    assert!(prefix.ends_with('…') && token.starts_with(prefix.trim_end_matches('…')));
    assert!(prefix.chars().count() < 12, "{prefix}");
    assert_eq!(
        std::fs::read_to_string(setup.config_path()).unwrap(),
        format!(
            "Sites:\n- Url: {}\n  AccessToken: {token}\n  IsDefault: true\n",
            fake.url
        )
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&setup.config_path()), 0o600);
        assert_eq!(mode(setup.config_path().parent().unwrap()), 0o700);
    }

    let listed = result(&engine.call("run", "list-sites", json!({"default_only": true})));
    assert_eq!(listed["sites"].as_array().unwrap().len(), 1);
    assert_eq!(listed["sites"][0]["source"], "config-file");
    assert_eq!(listed["sites"][0]["token_prefix"], prefix.as_str());
    let none = engine.call(
        "run",
        "list-sites",
        json!({"site_url": "https://other.example"}),
    );
    assert_eq!(none.error().kind, ErrorKind::Config);

    // Already there: the plan asks, the run without force refuses, with force replaces.
    let again = engine.call("plan", "add-site", json!({"url": fake.url}));
    assert!(
        again
            .plan()
            .confirm
            .as_deref()
            .unwrap()
            .contains("already configured")
    );
    let refused = engine.call("run", "add-site", params.clone());
    assert_eq!(refused.error().kind, ErrorKind::Config);
    params["force"] = json!(true);
    params["skip_validation"] = json!(true);
    fake.clear_requests();
    let replaced = result(&engine.call("run", "add-site", params.clone()));
    assert_eq!(replaced["replaced"], true);
    assert_eq!(replaced["validated"], false);
    assert!(
        fake.requests().is_empty(),
        "skip_validation asks GitLab nothing"
    );

    no_secret(&engine, &token);
}

#[test]
fn a_token_gitlab_refuses_is_not_saved() {
    let fake = Fake::start();
    let setup = EngineSetup::new();
    let mut engine = setup.start();
    let bad = "glpat-NOTATOKENNOTATOKEN00";
    let reply = engine.call(
        "run",
        "add-site",
        json!({"url": fake.url, "access_token": bad}),
    );
    assert_eq!(reply.error().kind, ErrorKind::Unauthorized);
    assert!(
        reply.error().message.contains("not saved"),
        "{}",
        reply.error().message
    );
    assert!(!setup.config_path().exists());
    no_secret(&engine, bad);
}

#[test]
fn set_default_and_remove_and_the_environment_rule() {
    let fake = Fake::start();
    let yaml = format!(
        "Sites:\n- Url: {}\n  AccessToken: {}\n  IsDefault: true\n- Url: https://b.example\n  \
         AccessToken: glpat-BBBBBBBBBBBBBBBBBBBB\n  Mine: 1\n",
        fake.url, fake.user_token
    );
    let setup = EngineSetup::new().config(&yaml);
    let mut engine = setup.start();
    let plan = engine.call("plan", "set-default-site", json!({"url": "b.example"}));
    assert_eq!(plan.plan().target, "https://b.example");
    assert_eq!(std::fs::read_to_string(setup.config_path()).unwrap(), yaml);
    let after = result(&engine.call("run", "set-default-site", json!({"url": "b.example"})));
    assert_eq!(after["sites"][1]["is_default"], true);
    assert_eq!(
        std::fs::read_to_string(setup.config_path()).unwrap(),
        format!(
            "Sites:\n- Url: {}\n  AccessToken: {}\n  IsDefault: false\n- Url: https://b.example\n  \
             AccessToken: glpat-BBBBBBBBBBBBBBBBBBBB\n  Mine: 1\n  IsDefault: true\n",
            fake.url, fake.user_token
        )
    );
    let after = result(&engine.call("run", "remove-site", json!({"url": "https://b.example"})));
    assert_eq!(after["sites"].as_array().unwrap().len(), 1);
    let missing = engine.call("plan", "remove-site", json!({"url": "https://b.example"}));
    assert_eq!(missing.error().kind, ErrorKind::Config);

    // GITLAB_ACCESS_TOKEN defines the fake's URL: writes to it are refused, others go ahead.
    let env = EngineSetup::env_site(&fake.url, &fake.admin_token).config(&yaml);
    let mut engine = env.start();
    for (command, params) in [
        ("remove-site", json!({"url": fake.url})),
        ("set-default-site", json!({"url": fake.url})),
        (
            "add-site",
            json!({"url": fake.url, "access_token": "glpat-CCCCCCCCCCCCCCCCCCCC", "force": true}),
        ),
    ] {
        let reply = engine.call("plan", command, params);
        assert_eq!(reply.error().kind, ErrorKind::Config, "{command}");
        assert!(reply.error().message.contains("GITLAB_ACCESS_TOKEN is set"));
    }
    let named = engine.call("run", "remove-site", json!({"url": "https://b.example"}));
    result(&named);
    let listed = result(&engine.call("run", "list-sites", json!({})));
    assert_eq!(listed["sites"][0]["source"], "environment");
    no_secret(&engine, &fake.admin_token);
}

#[test]
fn a_malformed_file_is_refused_and_untouched() {
    let yaml = "Sites:\n- Url: https://a.example\n  AccessToken: [unclosed\n";
    let setup = EngineSetup::new().config(yaml);
    let mut engine = setup.start();
    let reply = engine.call(
        "run",
        "add-site",
        json!({"url": "https://b.example", "access_token": "glpat-CCCCCCCCCCCCCCCCCCCC", "skip_validation": true}),
    );
    assert_eq!(reply.error().kind, ErrorKind::Config);
    assert!(
        reply.error().message.contains("not valid YAML"),
        "{}",
        reply.error().message
    );
    assert_eq!(std::fs::read_to_string(setup.config_path()).unwrap(), yaml);
}

/// One engine adding `url`, optionally pausing before its rename (`pause`: marker and ms).
fn adder(
    setup: &EngineSetup,
    url: &str,
    pause: Option<(&std::path::Path, u64)>,
) -> std::process::Child {
    let mut command = setup.command(&["serve"]);
    if let Some((marker, ms)) = pause {
        command.env(
            "GITLABCLI_TEST_PAUSE_BEFORE_RENAME",
            format!("{};{ms}", marker.display()),
        );
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    let line = json!({"v":1,"id":1,"command":"add-site","params":{"url":url,"access_token":"glpat-DDDDDDDDDDDDDDDDDDDD","skip_validation":true}});
    writeln!(child.stdin.as_mut().unwrap(), "{line}").unwrap();
    drop(child.stdin.take());
    child
}

fn wait_for(path: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn two_writers_at_once_both_land() {
    let setup = EngineSetup::new().config("Sites: []\n");
    let marker = setup.home.path().join("paused");
    // The first holds the lock with its new file written, and renames after a while; the second
    // starts meanwhile. Without the lock the second would read the old file and one site would
    // be lost.
    let first = adder(&setup, "https://one.example", Some((&marker, 1500)));
    wait_for(&marker);
    let second = adder(&setup, "https://two.example", None);
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(text.contains("\"type\":\"result\""), "{text}");
    }
    let text = std::fs::read_to_string(setup.config_path()).unwrap();
    assert!(text.contains("https://one.example"), "{text}");
    assert!(text.contains("https://two.example"), "{text}");
}

#[test]
fn a_write_killed_midway_leaves_the_old_file() {
    let yaml = "Sites:\n- Url: https://a.example\n  AccessToken: glpat-AAAAAAAAAAAAAAAAAAAA\n";
    let setup = EngineSetup::new().config(yaml);
    let marker = setup.home.path().join("paused");
    let mut child = adder(&setup, "https://b.example", Some((&marker, 60_000)));
    wait_for(&marker);
    // The token came in the request body: not in the engine's argv or environment.
    #[cfg(target_os = "linux")]
    for what in ["cmdline", "environ"] {
        let bytes = std::fs::read(format!("/proc/{}/{what}", child.id())).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("glpat-DDDDDDDDDDDDDDDDDDDD"));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::read_to_string(setup.config_path()).unwrap(), yaml);
    // The lock died with it: the next write goes through.
    let out = adder(&setup, "https://c.example", None)
        .wait_with_output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"type\":\"result\""));
    let text = std::fs::read_to_string(setup.config_path()).unwrap();
    assert!(
        text.contains("https://c.example") && !text.contains("https://b.example"),
        "{text}"
    );
}

/// A config file whose one site, the default, is the fake with a seeded token of jsmith's.
fn default_site_with_seeded_token(fake: &Fake) -> (String, String, EngineSetup) {
    let token = seeded(fake, &["api"]);
    let yaml = format!(
        "Sites:\n- Url: {}\n  AccessToken: {token}\n  IsDefault: true\n",
        fake.url
    );
    let setup = EngineSetup::new().config(&yaml);
    (token, yaml, setup)
}

#[test]
fn a_rotation_saves_itself_and_is_refused_for_the_environment() {
    let fake = Fake::start();
    let (token, _yaml, setup) = default_site_with_seeded_token(&fake);
    let mut engine = setup.start();
    let params = json!({"token_id": "self", "save_to_config": true});
    let plan = engine.call("plan", "rotate-personal-access-token", params.clone());
    assert!(plan.plan().action.contains("config file"));
    let reply = engine.call("run", "rotate-personal-access-token", params.clone());
    let rotated = reply.token();
    assert!(rotated.saved_to_config);
    assert!(rotated.token.is_none(), "the value stays out of the result");
    let text = std::fs::read_to_string(setup.config_path()).unwrap();
    assert!(!text.contains(&token), "the old token was replaced: {text}");
    let new_value = fake
        .tokens()
        .into_iter()
        .filter(|t| t["revoked"] == false && t["name"] == "laptop")
        .map(|t| t["token"].as_str().unwrap().to_string())
        .next()
        .unwrap();
    assert!(text.contains(&new_value), "{text}");
    no_secret(&engine, &new_value);
    // The next request of the same process uses the saved token.
    let again = engine.call(
        "run",
        "get-personal-access-token",
        json!({"token_id": "self"}),
    );
    result(&again);

    // The environment's site: refused before anything is sent.
    let env = EngineSetup::env_site(&fake.url, &fake.admin_token);
    let mut engine = env.start();
    fake.clear_requests();
    for mode in ["plan", "run"] {
        let reply = engine.call(mode, "rotate-personal-access-token", params.clone());
        assert_eq!(reply.error().kind, ErrorKind::Config);
    }
    assert!(fake.requests().is_empty());
}

#[test]
fn a_save_that_fails_keeps_the_token_in_the_result() {
    let fake = Fake::start();
    let (_token, yaml, setup) = default_site_with_seeded_token(&fake);
    // A folder where the temporary file goes: the write fails even for root, which a
    // read-only folder would not stop.
    let tmp = setup.config_path().with_extension("yml.tmp");
    std::fs::create_dir(&tmp).unwrap();
    let mut engine = setup.start();
    let reply = engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": "self", "save_to_config": true}),
    );
    let rotated = reply.token();
    assert!(!rotated.saved_to_config);
    let value = rotated
        .token
        .as_ref()
        .expect("the value is kept")
        .expose()
        .to_string();
    assert!(value.starts_with("glpat-"));
    let warnings = reply.warnings();
    assert!(
        warnings.iter().any(|w| w.contains("could not be saved")),
        "{warnings:?}"
    );
    assert!(warnings.iter().all(|w| !w.contains(&value)));
    assert_eq!(std::fs::read_to_string(setup.config_path()).unwrap(), yaml);
}

#[test]
fn a_fixture_token_validates_with_its_scopes() {
    let fake = Fake::start();
    let setup = EngineSetup::new();
    let mut engine = setup.start();
    let reply = engine.call(
        "run",
        "add-site",
        json!({"url": fake.url, "access_token": fake.user_token}),
    );
    assert!(reply.warnings().is_empty(), "{:?}", reply.warnings());
    let added = result(&reply);
    assert_eq!(added["user"]["id"], 42);
    assert_eq!(added["scopes"], json!(["api"]));
    assert_eq!(added["expires_at"], Value::Null);
    let paths: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["path"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        paths,
        [
            "GET /api/v4/user",
            "GET /api/v4/personal_access_tokens/self"
        ]
    );
    no_secret(&engine, &fake.user_token);
}
