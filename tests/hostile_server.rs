//! A hostile or broken server: GitLab, a proxy or a WAF that echoes the access token, sends
//! terminal escapes, answers success without a token, never answers, or answers too much. The
//! real engine against the fake GitLab's fault injection (`/__fake/fail`).
//!
//! Every answer here is counted in `HOSTILE_ANSWERS` style comments per test; the totals are in
//! the report of issue 14.

mod common;

use common::{Engine, EngineSetup, Fake, Reply};
use gitlabcli::error::ErrorKind;
use gitlabcli::protocol::Body;
use serde_json::json;

/// A token-shaped value a server might leak (the fake never issues it).
const LEAKED: &str = "glpat-LeakedByTheServer0123";

/// Everything a reply shows a user: every stream message and every field of the error.
fn shown_text(reply: &Reply) -> Vec<String> {
    let mut texts = Vec::new();
    for m in &reply.messages {
        match &m.body {
            Body::Verbose { message } | Body::Debug { message } | Body::Warning { message } => {
                texts.push(message.clone())
            }
            Body::Progress {
                activity, status, ..
            } => {
                texts.push(activity.clone());
                texts.push(status.clone());
            }
            Body::Error { error } => {
                texts.push(error.message.clone());
                texts.extend(error.gitlab_message.clone());
                texts.extend(error.hint.clone());
                texts.extend(error.caused_by.clone());
            }
            _ => {}
        }
    }
    texts
}

/// No text of `reply` holds a secret, a token shape, or a character that drives a terminal.
fn assert_clean(reply: &Reply, secrets: &[&str], case: &str) {
    for text in shown_text(reply) {
        for secret in secrets {
            assert!(!text.contains(secret), "{case}: {secret} shown in {text:?}");
        }
        assert!(
            !text.contains(LEAKED),
            "{case}: leaked token shown in {text:?}"
        );
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c)),
            "{case}: control character shown in {text:?}"
        );
    }
}

fn admin(fake: &Fake) -> Engine {
    EngineSetup::env_site(&fake.url, &fake.admin_token).start()
}

/// A GET (list) and a POST (create, self-service so it is the first request) with `inject`
/// applied to the first API request of each.
fn both_ways(fake: &Fake, engine: &mut Engine, inject: &dyn Fn()) -> [Reply; 2] {
    inject();
    let list = engine.call("run", "list-personal-access-tokens", json!({}));
    inject();
    let create = engine.create(json!({"name": "ci", "scopes": ["k8s_proxy"]}));
    let _ = fake;
    [list, create]
}

#[test]
fn an_echoed_access_token_never_reaches_a_message() {
    // 8 statuses x 4 body shapes = 32 answers, each to a GET and a POST.
    let fake = Fake::start();
    let mut engine = admin(&fake);
    let token = fake.admin_token.clone();
    let escapes = "\u{1b}[2J\u{1b}[HToken created successfully\u{1b}]0;pwned\u{7}\u{9b}1m\u{202e}";
    let bodies = [
        (
            "application/json",
            json!({"message": format!("401 Unauthorized: PRIVATE-TOKEN {token} {LEAKED} {escapes}")})
                .to_string(),
        ),
        (
            "application/json",
            json!({"error": format!("invalid token {token}"), "error_description": format!("{LEAKED}{escapes}")}).to_string(),
        ),
        (
            "application/json",
            json!({"message": {"name": [format!("{token} is taken {escapes}")], "base": [LEAKED]}})
                .to_string(),
        ),
        (
            "text/plain",
            format!("WAF blocked request with header PRIVATE-TOKEN: {token}\n{LEAKED}\n{escapes}"),
        ),
    ];
    for status in [400u16, 401, 403, 404, 422, 429, 500, 503] {
        for (content_type, body) in &bodies {
            let inject = || fake.fail(1, status, content_type, body);
            let replies = both_ways(&fake, &mut engine, &inject);
            for reply in &replies {
                let case = format!("{status} {content_type} {body}");
                assert!(
                    matches!(reply.terminal(), Body::Error { .. }),
                    "{case}: {:?}",
                    reply.terminal()
                );
                assert_clean(reply, &[&token], &case);
            }
        }
    }
}

#[test]
fn a_location_header_with_the_token_is_scrubbed() {
    // 2 answers (302, 307), each to a GET and a POST.
    let fake = Fake::start();
    let mut engine = admin(&fake);
    let token = fake.admin_token.clone();
    for status in [302u16, 307] {
        let location = format!("https://login.example.com/?private_token={token}&next={LEAKED}");
        let inject = || {
            fake.fail_with(json!({"status": status, "headers": {"Location": location}}));
        };
        for reply in both_ways(&fake, &mut engine, &inject) {
            let error = reply.error();
            assert!(
                error.message.contains("login.example.com"),
                "the redirect target is still named: {}",
                error.message
            );
            assert_clean(&reply, &[&token], &format!("{status} Location"));
        }
    }
}

#[test]
fn raw_success_bodies_in_debug_never_show_the_new_token() {
    // 4 answers: a byte order mark, bytes after the JSON, form encoding, JSON then HTML.
    let fake = Fake::start();
    let mut engine = admin(&fake);
    let new = "glpat-NewTokenValue0123456";
    let entity = json!({"id": 77, "name": "ci", "scopes": ["k8s_proxy"], "token": new}).to_string();
    for body in [
        format!("\u{feff}{entity}"),
        format!("{entity}\n{{\"more\":1}}"),
        format!("id=77&name=ci&token={new}&scopes=k8s_proxy"),
        format!("{entity}<html></html>"),
    ] {
        fake.fail(1, 201, "application/json", &body);
        let reply = engine.create(json!({"name": "ci", "scopes": ["k8s_proxy"]}));
        assert_eq!(
            reply.error().kind,
            ErrorKind::OutcomeUnknown,
            "an unreadable success is outcome-unknown: {body:?}"
        );
        for text in shown_text(&reply) {
            assert!(!text.contains(new), "new token in {text:?} for {body:?}");
            assert!(!text.contains("NewTokenValue"), "part of it in {text:?}");
        }
    }
}

#[test]
fn a_success_without_a_token_string_is_outcome_unknown() {
    // 4 answers (null, a number, an object, missing) to a create and a rotation each.
    let fake = Fake::start();
    let seeded = fake.seed_tokens(json!({"username": "alice", "name": "old"}));
    let mut engine = admin(&fake);
    for token in [
        Some(json!(null)),
        Some(json!(12345)),
        Some(json!({"value": "x"})),
        None,
    ] {
        let mut body = json!({"id": 90, "name": "ci", "scopes": ["k8s_proxy"], "active": true});
        if let Some(token) = &token {
            body["token"] = token.clone();
        }
        let token = format!("{token:?}");
        fake.fail(1, 201, "application/json", &body.to_string());
        let reply = engine.create(json!({"name": "ci", "scopes": ["k8s_proxy"]}));
        assert_eq!(
            reply.error().kind,
            ErrorKind::OutcomeUnknown,
            "create, token {token}"
        );

        // The rotation reads the token first (GET), then POSTs: fail the POST.
        let id = seeded[0]["id"].as_u64().unwrap();
        fake.pass(1);
        fake.fail(1, 200, "application/json", &body.to_string());
        let reply = engine.call(
            "run",
            "rotate-personal-access-token",
            json!({"token_id": id.to_string()}),
        );
        assert_eq!(
            reply.error().kind,
            ErrorKind::OutcomeUnknown,
            "rotate, token {token}"
        );
    }
}

#[test]
fn a_server_that_never_answers_shows_progress_and_names_the_timeout() {
    // 1 answer: none within the timeout.
    let fake = Fake::start();
    fake.settings(json!({"delay_ms": 6000}));
    let mut engine = EngineSetup::env_site(&fake.url, &fake.admin_token)
        .var("GITLABCLI_TIMEOUT_SECONDS", "4")
        .start();
    let reply = engine.call("run", "list-personal-access-tokens", json!({}));
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Network);
    let said = format!(
        "{} {}",
        error.message,
        error.hint.clone().unwrap_or_default()
    );
    assert!(said.contains("GITLABCLI_TIMEOUT_SECONDS"), "{said}");
    assert!(said.contains("TimeoutSeconds"), "{said}");
    let progress: Vec<&Body> = reply
        .messages
        .iter()
        .map(|m| &m.body)
        .filter(|b| matches!(b, Body::Progress { .. }))
        .collect();
    assert!(
        progress.len() >= 2,
        "progress while waiting: {:?}",
        reply.messages
    );
    assert!(
        matches!(
            progress.last(),
            Some(Body::Progress {
                completed: true,
                ..
            })
        ),
        "the progress ends: {progress:?}"
    );
    assert!(
        reply
            .verbose()
            .iter()
            .any(|v| v.contains("waiting") && v.contains("/personal_access_tokens")),
        "verbose says what is awaited: {:?}",
        reply.verbose()
    );
}

#[test]
fn a_body_too_large_says_so_and_its_limit() {
    // 1 answer: 17 MB.
    let fake = Fake::start();
    let mut engine = admin(&fake);
    fake.fail_with(json!({"status": 200, "body": "[]", "pad_bytes": 17 * 1024 * 1024}));
    let reply = engine.call("run", "list-personal-access-tokens", json!({}));
    let error = reply.error();
    assert!(
        error.message.contains("too large") && error.message.contains("16 MiB"),
        "{}",
        error.message
    );
    assert!(
        !error.message.contains("transport error"),
        "{}",
        error.message
    );
}

#[test]
fn a_dead_proxy_is_named_without_its_password() {
    // 2 proxies that do not answer: the site's ProxyUrl and ALL_PROXY.
    let fake = Fake::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let proxy = format!("http://proxyuser:proxy-secret-pw@127.0.0.1:{port}");
    let yaml = format!(
        "Sites:\n- Url: {}\n  AccessToken: {}\n  IsDefault: true\n  ProxyUrl: {proxy}\n",
        fake.url, fake.admin_token
    );
    let by_config = EngineSetup::new().config(&yaml);
    let by_env = EngineSetup::env_site("http://gitlab.example.com", &fake.admin_token)
        .var("ALL_PROXY", &proxy);
    for setup in [by_config, by_env] {
        let mut engine = setup.start();
        let reply = engine.call("run", "list-personal-access-tokens", json!({}));
        let error = reply.error();
        assert_eq!(error.kind, ErrorKind::Network, "{}", error.message);
        assert!(
            error.message.contains(&format!("127.0.0.1:{port}")) && error.message.contains("proxy"),
            "the proxy is named: {}",
            error.message
        );
        assert!(
            !error.message.contains("transport error"),
            "{}",
            error.message
        );
        for text in shown_text(&reply) {
            assert!(
                !text.contains("proxy-secret-pw"),
                "proxy password in {text}"
            );
        }
    }
}

#[test]
fn self_with_a_token_that_is_not_a_personal_access_token_says_so() {
    // GitLab answers 404 to GET /personal_access_tokens/self when the token in use is another
    // kind of token (the fake's fixture tokens describe themselves, so the answer is injected).
    let fake = Fake::start();
    fake.fail(1, 404, "application/json", r#"{"message":"404 Not found"}"#);
    let mut engine = admin(&fake);
    let reply = engine.call(
        "run",
        "get-personal-access-token",
        json!({"token_id": "self"}),
    );
    let error = reply.error();
    assert!(!error.message.contains("no the"), "{}", error.message);
    assert!(
        error.message.contains("not a personal access token"),
        "{}",
        error.message
    );
    let hint = error.hint.clone().unwrap_or_default();
    assert!(!hint.contains("Check the id"), "{hint}");
    assert!(hint.contains("-TokenId"), "{hint}");
}

/// Terminal-driving characters a hostile server puts into the strings of an answer.
const ESCAPES: &str =
    "\u{1b}[2J\u{1b}[HToken created successfully\u{1b}]0;pwned\u{7}\u{9b}1m\u{202e}\u{2066}";

/// A string with no character that drives a terminal or reorders what a reader sees.
fn assert_shown_safely(text: &str, case: &str) {
    assert!(
        !text.chars().any(|c| c.is_control()
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)),
        "{case}: control character passed on in {text:?}"
    );
}

/// A token entity whose every string field carries terminal escapes.
fn hostile_entity(token: Option<&str>) -> serde_json::Value {
    let mut entity = json!({
        "id": 91,
        "name": format!("ci{ESCAPES}"),
        "description": format!("desc{ESCAPES}"),
        "scopes": [format!("api{ESCAPES}"), "read_api"],
        "revoked": false,
        "active": true,
        "user_id": 1,
        "created_at": format!("2026-01-01T00:00:00Z{ESCAPES}"),
        "last_used_at": format!("2026-01-02T00:00:00Z{ESCAPES}"),
        "expires_at": format!("2027-01-01{ESCAPES}"),
    });
    if let Some(token) = token {
        entity["token"] = json!(token);
    }
    entity
}

/// Every string field of the token entries a reply passes on, the name first.
fn entry_strings(reply: &Reply) -> Vec<String> {
    use gitlabcli::protocol::CommandResult;
    let fields = |name: &str,
                  description: &Option<String>,
                  scopes: &[String],
                  dates: [&Option<String>; 3]| {
        let mut texts = vec![name.to_string()];
        texts.extend(description.clone());
        texts.extend(scopes.iter().cloned());
        texts.extend(dates.into_iter().flatten().cloned());
        texts
    };
    match reply.terminal() {
        Body::Result {
            result: CommandResult::TokenPage(page),
        } => page
            .tokens
            .iter()
            .flat_map(|t| {
                fields(
                    &t.name,
                    &t.description,
                    &t.scopes,
                    [&t.created_at, &t.last_used_at, &t.expires_at],
                )
            })
            .collect(),
        Body::Result {
            result: CommandResult::ExistingToken(t),
        } => fields(
            &t.name,
            &t.description,
            &t.scopes,
            [&t.created_at, &t.last_used_at, &t.expires_at],
        ),
        Body::Result {
            result: CommandResult::PersonalAccessToken(t),
        } => fields(
            &t.name,
            &t.description,
            &t.scopes,
            [&t.created_at, &t.last_used_at, &t.expires_at],
        ),
        other => panic!("expected tokens, got {other:?}"),
    }
}

#[test]
fn control_characters_in_token_fields_are_escaped_and_the_value_is_untouched() {
    // 4 answers: a list, a get, a create and a rotation, each with escapes in every string field.
    let fake = Fake::start();
    let seeded = fake.seed_tokens(json!({"username": "alice", "name": "old"}));
    let mut engine = admin(&fake);

    fake.fail(
        1,
        200,
        "application/json",
        &json!([hostile_entity(None)]).to_string(),
    );
    let list = engine.call("run", "list-personal-access-tokens", json!({}));
    fake.fail(
        1,
        200,
        "application/json",
        &hostile_entity(None).to_string(),
    );
    let get = engine.call(
        "run",
        "get-personal-access-token",
        json!({"token_id": "91"}),
    );
    for (case, reply) in [("list", &list), ("get", &get)] {
        let texts = entry_strings(reply);
        assert_eq!(texts.len(), 7, "{case}: {texts:?}");
        for text in &texts {
            assert_shown_safely(text, case);
        }
        assert!(
            texts[0].starts_with("ci"),
            "{case}: the name is kept visibly"
        );
        assert_clean(reply, &[&fake.admin_token], case);
    }

    // A new token's value reaches the user byte for byte, whatever the other fields (or the value
    // itself) hold: it is a secret, never altered silently.
    let value = "glpat-Hostile\u{1b}[2J\u{7}Fields\u{202e}0123456789";
    fake.fail(
        1,
        201,
        "application/json",
        &hostile_entity(Some(value)).to_string(),
    );
    let create = engine.create(json!({"name": "ci", "scopes": ["k8s_proxy"]}));
    let id = seeded[0]["id"].as_u64().unwrap();
    fake.pass(1);
    fake.fail(
        1,
        200,
        "application/json",
        &hostile_entity(Some(value)).to_string(),
    );
    let rotate = engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": id.to_string()}),
    );
    for (case, reply) in [("create", &create), ("rotate", &rotate)] {
        let token = reply.token();
        assert_eq!(
            token.token.as_ref().map(|s| s.expose()),
            Some(value),
            "{case}: the value is untouched"
        );
        for text in entry_strings(reply) {
            assert_shown_safely(&text, case);
        }
        assert_clean(reply, &[&fake.admin_token], case);
    }
}

#[test]
fn control_characters_in_a_username_never_reach_a_message() {
    // 1 answer: GET /user with escapes in the username, for a create that needs an administrator.
    let fake = Fake::start();
    let mut engine = admin(&fake);
    fake.fail(
        1,
        200,
        "application/json",
        &json!({"id": 1, "username": format!("root{ESCAPES}"), "is_admin": false}).to_string(),
    );
    let reply = engine.create(json!({"name": "ci", "scopes": ["api"]}));
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Forbidden, "{}", error.message);
    assert!(error.message.contains("'root"), "{}", error.message);
    assert_clean(&reply, &[&fake.admin_token], "username");
}
