//! list-, get-, rotate- and revoke-personal-access-token(s): the real engine against the fake
//! GitLab, asserting on what was sent as much as on what came back.

mod common;

use common::{Engine, EngineSetup, Fake};
use gitlabcli::error::ErrorKind;
use serde_json::{Value, json};

/// The terminal message's `result`, read from the raw line (so fields the engine did not send
/// are absent, not defaulted).
fn raw_result(engine: &Engine) -> Value {
    let line = engine.raw.last().expect("a reply");
    let message: Value = serde_json::from_str(line).unwrap();
    assert_eq!(message["type"], "result", "expected a result: {line}");
    message["result"].clone()
}

fn admin_engine(fake: &Fake) -> Engine {
    EngineSetup::env_site(&fake.url, &fake.admin_token).start()
}

fn list(engine: &mut Engine, params: Value) -> common::Reply {
    engine.call("run", "list-personal-access-tokens", params)
}

fn ids(result: &Value) -> Vec<u64> {
    result["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect()
}

fn fake_token(fake: &Fake, id: u64) -> Value {
    fake.tokens()
        .into_iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("the fake has no token {id}"))
}

#[test]
fn pages_follow_x_next_page_one_request_each() {
    let fake = Fake::start();
    fake.seed_tokens(json!({"username": "jsmith", "name": "bulk", "count": 250}));
    fake.seed_tokens(json!({"username": "alice", "name": "other"}));
    fake.clear_requests();
    let mut engine = admin_engine(&fake);

    list(&mut engine, json!({"user": "jsmith"}));
    let first = raw_result(&engine);
    assert_eq!(ids(&first).len(), 100);
    assert_eq!(first["next_page"], 2);
    assert_eq!(first["page"], 1);
    assert!(
        first["tokens"][0].get("token").is_none(),
        "a listed token never carries a value: {}",
        first["tokens"][0]
    );
    assert_eq!(first["tokens"][0]["user_id"], 42);

    list(&mut engine, json!({"user": "jsmith", "page": 3}));
    let last = raw_result(&engine);
    assert_eq!(ids(&last), (201..=250).collect::<Vec<u64>>());
    assert_eq!(last["next_page"], Value::Null);

    assert_eq!(
        fake.request_lines(),
        [
            "GET /api/v4/users?username=jsmith",
            "GET /api/v4/personal_access_tokens?user_id=42&state=active&page=1&per_page=100",
            "GET /api/v4/personal_access_tokens?user_id=42&state=active&page=3&per_page=100",
        ],
        "the username is looked up once, then one request per page"
    );
}

#[test]
fn the_link_header_alone_is_enough_to_page() {
    let fake = Fake::start();
    fake.seed_tokens(json!({"name": "t", "count": 5}));
    fake.settings(json!({"link_only_pagination": true}));
    let mut engine = admin_engine(&fake);
    list(&mut engine, json!({"per_page": 2, "page": 2}));
    let page = raw_result(&engine);
    assert_eq!(ids(&page), [3, 4]);
    assert_eq!(page["next_page"], 3);
    let sent = fake.requests();
    assert!(sent.iter().all(|r| r["status"] == 200));
}

#[test]
fn filters_go_out_under_gitlabs_names_and_narrow_the_list() {
    let fake = Fake::start();
    fake.seed_tokens(json!({"tokens": [
        {"name": "CI deploy", "created_at": "2025-03-01T10:00:00.000Z", "last_used_at": "2025-06-01T08:00:00.000Z", "expires_at": "2099-01-01"},
        {"name": "ci nightly", "created_at": "2024-01-01T10:00:00.000Z", "revoked": true},
        {"name": "laptop", "created_at": "2025-03-02T10:00:00.000Z"},
    ]}));
    fake.clear_requests();
    let mut engine = EngineSetup::env_site(&fake.url, &fake.user_token).start();

    list(
        &mut engine,
        json!({"search": "CI", "created_after": "2025-01-01", "state": "Active", "revoked": false,
               "last_used_after": "5/1/2025", "expires_before": "2100-01-01"}),
    );
    assert_eq!(ids(&raw_result(&engine)), [1]);
    let query = &fake.requests()[0]["query"];
    assert_eq!(
        query,
        &json!({"search": "CI", "created_after": "2025-01-01", "state": "active", "revoked": "false",
                "last_used_after": "2025-05-01", "expires_before": "2100-01-01", "page": "1", "per_page": "100"})
    );

    list(&mut engine, json!({"search": "ci", "revoked": true}));
    assert_eq!(ids(&raw_result(&engine)), [2]);
}

#[test]
fn bad_filters_are_refused_by_name_before_anything_is_sent() {
    let fake = Fake::start();
    let mut engine = admin_engine(&fake);
    for (params, parameter) in [
        (json!({"created_before": "someday"}), "created_before"),
        (json!({"state": "expired"}), "state"),
        (json!({"user": "a b"}), "user"),
        (json!({"user": "jsmith", "mine": true}), "user"),
        (json!({"per_page": 500}), "per_page"),
    ] {
        let reply = list(&mut engine, params.clone());
        let error = reply.error();
        assert_eq!(error.kind, ErrorKind::InvalidArgument, "{params}");
        assert_eq!(error.parameter.as_deref(), Some(parameter), "{params}");
    }
    assert!(fake.requests().is_empty(), "nothing is sent for bad input");
}

#[test]
fn a_non_admin_cannot_list_another_users_tokens() {
    let fake = Fake::start();
    let mut engine = EngineSetup::env_site(&fake.url, &fake.user_token).start();
    let reply = list(&mut engine, json!({"user": "alice"}));
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Unauthorized);
    assert_eq!(error.status, Some(401));
    assert_eq!(error.parameter.as_deref(), Some("user"));
    assert!(error.hint.as_deref().unwrap().contains("administrator"));

    // -Mine asks who the caller is, then filters by that id.
    fake.seed_tokens(json!({"username": "jsmith", "name": "mine"}));
    fake.clear_requests();
    list(&mut engine, json!({"mine": true}));
    assert_eq!(ids(&raw_result(&engine)), [1]);
    assert_eq!(
        fake.request_lines(),
        [
            "GET /api/v4/user",
            "GET /api/v4/personal_access_tokens?user_id=42&state=active&page=1&per_page=100"
        ]
    );
}

#[test]
fn get_reads_one_token_or_the_one_in_use() {
    let fake = Fake::start();
    let seeded = fake.seed_tokens(json!({"tokens": [
        {"username": "jsmith", "name": "mine", "value": "glpat-jsmith-seeded-0001"},
        {"username": "alice", "name": "hers"},
    ]}));
    assert_eq!(seeded.len(), 2);
    let mut engine = EngineSetup::env_site(&fake.url, "glpat-jsmith-seeded-0001").start();

    engine.call(
        "run",
        "get-personal-access-token",
        json!({"token_id": "self"}),
    );
    let me = raw_result(&engine);
    assert_eq!(
        (me["id"].as_u64(), me["name"].as_str()),
        (Some(1), Some("mine"))
    );
    assert!(me.get("token").is_none());

    // Someone else's token: GitLab answers 401 to non-administrators, and the engine says why.
    let reply = engine.call("run", "get-personal-access-token", json!({"token_id": "2"}));
    assert_eq!(reply.error().kind, ErrorKind::Unauthorized);
    assert_eq!(reply.error().parameter.as_deref(), Some("token_id"));
    assert!(reply.error().message.contains("#2"));

    let mut admin = admin_engine(&fake);
    let reply = admin.call(
        "run",
        "get-personal-access-token",
        json!({"token_id": "99"}),
    );
    assert_eq!(reply.error().kind, ErrorKind::NotFound);
    assert_eq!(reply.error().status, Some(404));

    let reply = admin.call(
        "plan",
        "get-personal-access-token",
        json!({"token_id": "1"}),
    );
    assert_eq!(reply.error().kind, ErrorKind::Protocol);
}

#[test]
fn rotate_plans_without_http_then_replaces_the_token() {
    let fake = Fake::start();
    fake.settings(json!({"today": "2026-01-15"}));
    fake.seed_tokens(
        json!({"username": "jsmith", "name": "CI", "scopes": ["api", "read_repository"]}),
    );
    fake.clear_requests();
    let mut engine = admin_engine(&fake);

    let plan_reply = engine.call(
        "plan",
        "rotate-personal-access-token",
        json!({"token_id": "1", "expires_at": "2099-06-30"}),
    );
    let plan = plan_reply.plan().clone();
    assert_eq!(
        plan.target,
        format!("personal access token #1 on {}", fake.url)
    );
    assert!(plan.action.contains("2099-06-30"), "{}", plan.action);
    assert!(fake.requests().is_empty(), "a plan sends nothing");

    engine.call(
        "run",
        "rotate-personal-access-token",
        serde_json::to_value(&plan.params).unwrap(),
    );
    let rotated = raw_result(&engine);
    assert_eq!(rotated["id"], 2);
    assert_eq!(rotated["name"], "CI");
    assert_eq!(rotated["scopes"], json!(["api", "read_repository"]));
    assert_eq!(rotated["expires_at"], "2099-06-30");
    assert_eq!(rotated["site_url"], fake.url.as_str());
    let value = rotated["token"]
        .as_str()
        .expect("the new token is in the result");
    assert_eq!(fake_token(&fake, 2)["token"], value);
    assert_eq!(
        fake_token(&fake, 1)["revoked"],
        true,
        "the old token is revoked"
    );

    // The token's state is read first, so a revoked or inactive one is never rotated.
    let sent = fake.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["method"], "GET");
    assert_eq!(sent[0]["path"], "/api/v4/personal_access_tokens/1");
    assert_eq!(sent[1]["method"], "POST");
    assert_eq!(sent[1]["path"], "/api/v4/personal_access_tokens/1/rotate");
    assert_eq!(sent[1]["body"], json!({"expires_at": "2099-06-30"}));
    assert!(
        engine.raw.iter().filter(|l| l.contains(value)).count() == 1,
        "the new token appears once, in the result, never in a debug or verbose line"
    );
}

#[test]
fn rotating_a_revoked_token_revokes_its_family() {
    let fake = Fake::start();
    fake.seed_tokens(json!({"username": "jsmith", "name": "CI"}));
    let mut engine = admin_engine(&fake);
    engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": "1"}),
    );
    assert_eq!(raw_result(&engine)["id"], 2);

    // Token 1 was revoked by the rotation; rotating it again is GitLab's reuse signal, so the
    // engine refuses it after reading its state, and the successor lives (issue 14).
    let reply = engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": "1"}),
    );
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::InvalidArgument);
    assert_eq!(error.status, None, "refused here, not by GitLab");
    assert!(error.message.contains("family"), "{}", error.message);
    assert_eq!(
        fake_token(&fake, 2)["revoked"],
        false,
        "the successor lives"
    );

    // Should GitLab refuse anyway (the state changed between the read and the POST), its 400
    // is explained the same way.
    fake.pass(1);
    fake.fail(
        1,
        400,
        "application/json",
        r#"{"message":"400 Bad request - Token already revoked"}"#,
    );
    let reply = engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": "2"}),
    );
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::InvalidArgument);
    assert_eq!(error.status, Some(400));
    assert!(error.hint.as_deref().unwrap().contains("family"));
}

#[test]
fn rotate_checks_expiry_like_new_and_keeps_the_token_when_the_clipboard_fails() {
    let fake = Fake::start();
    fake.seed_tokens(json!({"username": "jsmith", "name": "CI"}));
    let mut engine = admin_engine(&fake);
    fake.clear_requests();

    let reply = engine.call(
        "plan",
        "rotate-personal-access-token",
        json!({"token_id": "1", "expires_at": "2001-01-01"}),
    );
    assert_eq!(reply.error().parameter.as_deref(), Some("expires_at"));
    let reply = engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": "1", "expires_at": "2099-01-01", "expire_in_months": 2}),
    );
    assert_eq!(reply.error().kind, ErrorKind::InvalidArgument);
    let reply = engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": "x"}),
    );
    assert_eq!(reply.error().parameter.as_deref(), Some("token_id"));
    assert!(fake.requests().is_empty());

    // The engine runs without DISPLAY or WAYLAND_DISPLAY: the clipboard cannot work.
    let reply = engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": "1", "expire_in_months": 1, "copy_to_clipboard": true}),
    );
    let rotated = raw_result(&engine);
    assert!(
        rotated["token"]
            .as_str()
            .is_some_and(|t| t.starts_with("glpat-"))
    );
    assert_eq!(rotated["copied_to_clipboard"], false);
    let warnings = reply.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("was rotated but could not be copied"),
        "{}",
        warnings[0]
    );
}

#[test]
fn revoke_plans_without_http_and_says_what_it_revoked() {
    let fake = Fake::start();
    fake.seed_tokens(json!({"tokens": [
        {"username": "jsmith", "name": "a"},
        {"username": "alice", "name": "b"},
    ]}));
    fake.clear_requests();
    let mut engine = EngineSetup::env_site(&fake.url, &fake.user_token).start();

    let plan = engine
        .call(
            "plan",
            "revoke-personal-access-token",
            json!({"token_id": " 1 "}),
        )
        .plan()
        .clone();
    assert_eq!(
        plan.requests,
        [
            "GET /personal_access_tokens/self",
            "DELETE /personal_access_tokens/1"
        ]
    );
    assert!(fake.requests().is_empty());

    engine.call(
        "run",
        "revoke-personal-access-token",
        serde_json::to_value(&plan.params).unwrap(),
    );
    assert_eq!(
        raw_result(&engine),
        json!({"revoked_id": 1, "site_url": fake.url})
    );
    // Which token is in use is asked once per process (the fixture's token is not a personal
    // access token: 404), so the token in use is never revoked by id.
    assert_eq!(
        fake.request_lines(),
        [
            "GET /api/v4/personal_access_tokens/self",
            "DELETE /api/v4/personal_access_tokens/1"
        ]
    );
    assert_eq!(fake.requests()[1]["status"], 204);
    assert_eq!(fake_token(&fake, 1)["revoked"], true);

    let again = engine.call(
        "run",
        "revoke-personal-access-token",
        json!({"token_id": "1"}),
    );
    assert_eq!(again.error().kind, ErrorKind::InvalidArgument);
    assert_eq!(again.error().status, Some(400));

    let hers = engine.call(
        "run",
        "revoke-personal-access-token",
        json!({"token_id": "2"}),
    );
    assert_eq!(hers.error().kind, ErrorKind::Forbidden);
    assert_eq!(fake_token(&fake, 2)["revoked"], false);

    let missing = engine.call(
        "run",
        "revoke-personal-access-token",
        json!({"token_id": "77"}),
    );
    assert_eq!(missing.error().kind, ErrorKind::NotFound);
    assert_eq!(missing.error().parameter.as_deref(), Some("token_id"));
}

#[test]
fn revoking_self_names_the_token_and_it_stops_working() {
    let fake = Fake::start();
    fake.seed_tokens(json!({"username": "alice", "name": "ci", "scopes": ["read_api"], "value": "glpat-alice-self-000001"}));
    fake.clear_requests();
    let mut engine = EngineSetup::env_site(&fake.url, "glpat-alice-self-000001").start();
    engine.call(
        "run",
        "revoke-personal-access-token",
        json!({"token_id": "self"}),
    );
    assert_eq!(raw_result(&engine)["revoked_id"], 1);
    assert_eq!(
        fake.request_lines(),
        [
            "GET /api/v4/personal_access_tokens/self",
            "DELETE /api/v4/personal_access_tokens/self"
        ]
    );
    let after = engine.call(
        "run",
        "get-personal-access-token",
        json!({"token_id": "self"}),
    );
    assert_eq!(after.error().kind, ErrorKind::Unauthorized);
}

#[test]
fn a_user_can_be_named_by_email_address() {
    let fake = Fake::start();
    fake.seed_tokens(json!({"tokens": [{"username": "jsmith", "name": "j"}, {"username": "alice", "name": "a"}]}));
    fake.clear_requests();
    let mut engine = admin_engine(&fake);
    list(&mut engine, json!({"user": "JSmith@example.test"}));
    assert_eq!(ids(&raw_result(&engine)), [1]);
    assert_eq!(
        fake.request_lines(),
        [
            "GET /api/v4/users?search=JSmith@example.test",
            "GET /api/v4/personal_access_tokens?user_id=42&state=active&page=1&per_page=100"
        ]
    );

    let reply = list(&mut engine, json!({"user": "nobody@example.test"}));
    assert_eq!(reply.error().kind, ErrorKind::NotFound);
    assert_eq!(reply.error().parameter.as_deref(), Some("user"));
}
