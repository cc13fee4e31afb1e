//! Lifecycle defaults that cannot destroy tokens (issue 14): listing shows active tokens unless
//! asked for every state, a rotation never touches a revoked or inactive token, a bulk revoke
//! never cuts off the token in use halfway, and a rotation whose outcome is unknown says what may
//! have happened. The real engine against the fake GitLab.

mod common;

use common::{Engine, EngineSetup, Fake, Reply};
use gitlabcli::error::ErrorKind;
use serde_json::{Value, json};

fn admin(fake: &Fake) -> Engine {
    EngineSetup::env_site(&fake.url, &fake.admin_token).start()
}

fn listed_ids(engine: &Engine) -> Vec<u64> {
    let message: Value = serde_json::from_str(engine.raw.last().unwrap()).unwrap();
    assert_eq!(message["type"], "result", "{message}");
    message["result"]["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect()
}

fn fake_token(fake: &Fake, id: u64) -> Value {
    fake.tokens().into_iter().find(|t| t["id"] == id).unwrap()
}

fn id_of(seeded: &[Value]) -> u64 {
    seeded[0]["id"].as_u64().unwrap()
}

/// alice's token "old", expired in 2001: inactive.
fn seed_expired(fake: &Fake) -> u64 {
    id_of(
        &fake.seed_tokens(json!({"username": "alice", "name": "old", "expires_at": "2001-01-01"})),
    )
}

/// The reply's warnings about rotating an inactive token.
fn inactive_warnings(reply: &Reply) -> Vec<String> {
    reply
        .warnings()
        .into_iter()
        .filter(|w| w.contains("inactive"))
        .collect()
}

#[test]
fn the_list_shows_active_tokens_unless_every_state_is_asked_for() {
    let fake = Fake::start();
    let revoked =
        id_of(&fake.seed_tokens(json!({"username": "alice", "name": "gone", "revoked": true})));
    let expired = seed_expired(&fake);
    let active = id_of(&fake.seed_tokens(json!({"username": "alice", "name": "live"})));
    let mut engine = admin(&fake);

    fake.clear_requests();
    engine.call(
        "run",
        "list-personal-access-tokens",
        json!({"user": "alice"}),
    );
    assert_eq!(
        listed_ids(&engine),
        [active],
        "active tokens only by default"
    );
    assert!(
        fake.request_lines()
            .last()
            .unwrap()
            .contains("state=active"),
        "{:?}",
        fake.request_lines()
    );

    fake.clear_requests();
    engine.call(
        "run",
        "list-personal-access-tokens",
        json!({"user": "alice", "state": "all"}),
    );
    assert_eq!(listed_ids(&engine), [revoked, expired, active]);
    assert!(!fake.request_lines().last().unwrap().contains("state="));

    // Asking for revoked tokens means not only active ones.
    engine.call(
        "run",
        "list-personal-access-tokens",
        json!({"user": "alice", "revoked": true}),
    );
    assert_eq!(listed_ids(&engine), [revoked]);

    let reply = engine.call(
        "run",
        "list-personal-access-tokens",
        json!({"state": "everything"}),
    );
    let error = reply.error();
    assert_eq!(error.parameter.as_deref(), Some("state"));
    assert!(error.message.contains("-State"), "{}", error.message);
    assert!(error.message.contains("'all'"), "{}", error.message);
}

/// The report: token 11 of alice was rotated to 12; then every token listed was piped to
/// rotate, and rotating the revoked 11 made GitLab revoke its family, 12 included.
#[test]
fn rotating_a_revoked_token_is_refused_before_anything_is_sent() {
    let fake = Fake::start();
    let old = id_of(&fake.seed_tokens(json!({"username": "alice", "name": "deploy"})));
    let mut engine = admin(&fake);
    let rotated = engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": old.to_string()}),
    );
    let new = rotated.token().id;
    assert!(fake_token(&fake, old)["revoked"].as_bool().unwrap());

    // Only an id: the engine asks GitLab and refuses before the POST.
    fake.clear_requests();
    let reply = engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": old.to_string()}),
    );
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::InvalidArgument, "{}", error.message);
    assert_eq!(error.parameter.as_deref(), Some("token_id"));
    assert!(error.message.contains("revoked"), "{}", error.message);
    assert!(error.message.contains("family"), "{}", error.message);
    assert_eq!(
        fake.request_lines(),
        [format!("GET /api/v4/personal_access_tokens/{old}")],
        "nothing but the read was sent"
    );
    assert!(
        !fake_token(&fake, new)["revoked"].as_bool().unwrap(),
        "the replacement survives"
    );

    // The piped object's state: refused at plan time, with or without -Force.
    fake.clear_requests();
    for params in [
        json!({"token_id": old.to_string(), "revoked": true, "active": false}),
        json!({"token_id": old.to_string(), "revoked": true, "force": true}),
    ] {
        let reply = engine.call("plan", "rotate-personal-access-token", params.clone());
        let error = reply.error();
        assert_eq!(error.kind, ErrorKind::InvalidArgument, "{params}");
        assert!(error.message.contains("family"), "{}", error.message);
    }
    assert!(fake.request_lines().is_empty(), "a plan sends nothing");

    // Run with -Force on a revoked token: still refused.
    let reply = engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": old.to_string(), "force": true}),
    );
    assert_eq!(reply.error().kind, ErrorKind::InvalidArgument);
    assert!(!fake_token(&fake, new)["revoked"].as_bool().unwrap());
}

#[test]
fn an_inactive_token_rotates_only_with_force_and_a_warning() {
    let fake = Fake::start();
    let expired = seed_expired(&fake);
    let mut engine = admin(&fake);

    let reply = engine.call(
        "plan",
        "rotate-personal-access-token",
        json!({"token_id": expired.to_string(), "active": false, "revoked": false}),
    );
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::InvalidArgument);
    assert!(error.message.contains("-Force"), "{}", error.message);

    fake.clear_requests();
    let reply = engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": expired.to_string()}),
    );
    assert_eq!(reply.error().kind, ErrorKind::InvalidArgument);
    assert_eq!(fake.request_lines().len(), 1, "{:?}", fake.request_lines());

    let reply = engine.call(
        "plan",
        "rotate-personal-access-token",
        json!({"token_id": expired.to_string(), "active": false, "force": true}),
    );
    assert!(
        reply.warnings().iter().any(|w| w.contains("inactive")),
        "-Force is never silent: {:?}",
        reply.messages
    );
    let plan = reply.plan();
    let params = serde_json::to_value(&plan.params).unwrap();
    assert_eq!(params["force"], true, "the plan hands -Force on to the run");

    // GitLab itself refuses to rotate an expired token; what matters is that -Force let it be
    // sent. The plan already warned (that is the warning the user sees at confirmation), so the
    // run, given the plan's params, says it no more: one warning for one decision.
    fake.clear_requests();
    let reply = engine.call("run", "rotate-personal-access-token", params);
    let repeated = inactive_warnings(&reply);
    assert!(repeated.is_empty(), "said again at run: {repeated:?}");
    assert!(
        fake.request_lines()
            .iter()
            .any(|l| l.starts_with("POST") && l.ends_with("/rotate")),
        "{:?}",
        fake.request_lines()
    );
}

#[test]
fn a_forced_rotation_of_a_token_only_gitlab_knows_is_inactive_warns_once_at_run() {
    let fake = Fake::start();
    let expired = seed_expired(&fake);
    let mut engine = admin(&fake);
    // By id, without a piped state: the plan cannot know, so the run says what GitLab says, once.
    let reply = engine.call(
        "plan",
        "rotate-personal-access-token",
        json!({"token_id": expired.to_string(), "force": true}),
    );
    assert!(reply.warnings().is_empty(), "{:?}", reply.messages);
    let params = serde_json::to_value(&reply.plan().params).unwrap();
    let reply = engine.call("run", "rotate-personal-access-token", params);
    assert_eq!(inactive_warnings(&reply).len(), 1, "{:?}", reply.messages);
}

#[test]
fn a_bulk_revoke_never_revokes_the_token_in_use_by_id() {
    let fake = Fake::start();
    let in_use = fake.seed_tokens(json!({"username": "alice", "name": "me"}));
    let in_use_id = id_of(&in_use);
    let others: Vec<u64> = fake
        .seed_tokens(json!({"username": "alice", "name": "ci", "count": 2}))
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    let value = in_use[0]["token"].as_str().unwrap().to_string();
    let mut engine = EngineSetup::env_site(&fake.url, &value).start();

    // The lowest id first, as a listing piped to Revoke sends them.
    let reply = engine.call(
        "run",
        "revoke-personal-access-token",
        json!({"token_id": in_use_id.to_string()}),
    );
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::InvalidArgument, "{}", error.message);
    assert_eq!(error.parameter.as_deref(), Some("token_id"));
    assert!(error.message.contains("in use"), "{}", error.message);
    assert!(error.message.contains("-Self"), "{}", error.message);
    assert!(!fake_token(&fake, in_use_id)["revoked"].as_bool().unwrap());

    for id in &others {
        let reply = engine.call(
            "run",
            "revoke-personal-access-token",
            json!({"token_id": id.to_string()}),
        );
        assert!(
            matches!(reply.terminal(), gitlabcli::protocol::Body::Result { .. }),
            "token {id}: {:?}",
            reply.terminal()
        );
    }

    // Revoked on purpose with -Self; what fails after it is blamed on that.
    let reply = engine.call(
        "run",
        "revoke-personal-access-token",
        json!({"token_id": "self"}),
    );
    assert!(matches!(
        reply.terminal(),
        gitlabcli::protocol::Body::Result { .. }
    ));
    let reply = engine.call("run", "list-personal-access-tokens", json!({}));
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Unauthorized);
    assert!(
        error.message.contains("revoked earlier"),
        "the cause is named: {}",
        error.message
    );
}

#[test]
fn a_rotation_with_an_unknown_outcome_says_what_may_have_happened() {
    let fake = Fake::start();
    let id = id_of(&fake.seed_tokens(json!({"username": "alice", "name": "deploy"})));
    let mut engine = admin(&fake);
    // The read passes; the POST fails after reaching GitLab.
    fake.pass(1);
    fake.fail(1, 502, "text/plain", "Bad Gateway");
    let reply = engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": id.to_string()}),
    );
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::OutcomeUnknown);
    let said = format!(
        "{} {}",
        error.message,
        error.hint.clone().unwrap_or_default()
    );
    for words in [
        "may already be revoked",
        "new token",
        "lost",
        "family",
        &format!("Get-GitlabPersonalAccessToken -TokenId {id}"),
    ] {
        assert!(said.contains(words), "{words:?} missing from: {said}");
    }
}

#[test]
fn rotating_the_token_in_use_by_id_is_named_as_the_cause_of_the_401s_after_it() {
    let fake = Fake::start();
    let in_use = fake.seed_tokens(json!({"username": "alice", "name": "me"}));
    let id = id_of(&in_use);
    let value = in_use[0]["token"].as_str().unwrap().to_string();
    let mut engine = EngineSetup::env_site(&fake.url, &value).start();
    // The refused revoke teaches the engine which token is in use.
    let refused = engine.call(
        "run",
        "revoke-personal-access-token",
        json!({"token_id": id.to_string()}),
    );
    assert_eq!(refused.error().kind, ErrorKind::InvalidArgument);
    let rotated = engine.call(
        "run",
        "rotate-personal-access-token",
        json!({"token_id": id.to_string()}),
    );
    rotated.token();
    let after = engine.call("run", "list-personal-access-tokens", json!({}));
    assert_eq!(after.error().kind, ErrorKind::Unauthorized);
    assert!(
        after.error().message.contains("revoked earlier"),
        "{}",
        after.error().message
    );
}
