//! Group and project access tokens through the engine's `*-access-token` commands, against the
//! fake GitLab: every command and parameter, the error kinds, `.` from a git checkout, paging,
//! refusals before anything is sent, and a bulk creation timed against personal tokens.

mod common;

use common::{EngineSetup, Fake};
use gitlabcli::error::ErrorKind;
use gitlabcli::protocol::{Body, CommandResult, OwnerKind};
use serde_json::{Value, json};
use std::time::Instant;

const JSMITH: &str = "fake-user-token";
const ALICE: &str = "alice-token";

/// group `acme` (1): jsmith Owner, alice Maintainer; `acme/platform` (2); project
/// `acme/platform/api` (10): alice inherits Maintainer.
fn fixture() -> Fake {
    let fake = Fake::start();
    let answer = fake.call(
        "POST",
        "/__fake/tokens",
        None,
        Some(&json!({"username": "alice", "name": "alice", "value": ALICE})),
    );
    assert!(answer.status < 300, "{}", answer.body);
    for (path, body) in [
        (
            "/__fake/groups",
            json!({"groups": [
                {"id": 1, "full_path": "acme", "members": [
                    {"username": "jsmith", "access_level": "owner"},
                    {"user_id": 43, "access_level": 40}]},
                {"id": 2, "full_path": "acme/platform"},
            ]}),
        ),
        (
            "/__fake/projects",
            json!({"projects": [{"id": 10, "full_path": "acme/platform/api"}]}),
        ),
    ] {
        let answer = fake.call("POST", path, None, Some(&body));
        assert!(answer.status < 300, "{path}: {}", answer.body);
    }
    fake.clear_requests();
    fake
}

fn engine(fake: &Fake, token: &str) -> common::Engine {
    EngineSetup::env_site(&fake.url, token).start()
}

fn group(id: &str) -> Value {
    json!({"kind": "group", "id": id})
}

fn project(id: &str) -> Value {
    json!({"kind": "project", "id": id})
}

fn result(reply: &common::Reply) -> Value {
    match reply.terminal() {
        Body::Result { result } => serde_json::to_value(result).unwrap(),
        other => panic!("expected a result, got {other:?}"),
    }
}

fn seed(fake: &Fake, spec: Value) -> Vec<Value> {
    let answer = fake.call("POST", "/__fake/resource-tokens", None, Some(&spec));
    assert!(answer.status < 300, "{}", answer.body);
    answer.json().as_array().unwrap().clone()
}

#[test]
fn a_group_token_lives_its_whole_life_by_path_and_by_id() {
    let fake = fixture();
    let mut e = engine(&fake, JSMITH);
    let params = json!({"owner": group("acme"), "name": "CI bot", "description": "deploys",
        "scopes": ["api", "READ_REGISTRY"], "access_level": "developer", "expire_in_months": 3});
    let plan = e.call("plan", "create-access-token", params.clone());
    let plan = plan.plan();
    assert_eq!(plan.requests, vec!["POST /groups/acme/access_tokens"]);
    assert!(
        plan.action.contains("group access token 'CI bot'"),
        "{}",
        plan.action
    );
    assert!(plan.action.contains("developer (30)"), "{}", plan.action);
    assert!(fake.requests().is_empty(), "a plan sends nothing");
    let run_params = serde_json::to_value(&plan.params).unwrap();
    assert_eq!(run_params["access_level"], json!(30));
    assert_eq!(run_params["owner"], group("acme"));

    let created = e.call("run", "create-access-token", run_params);
    let t = created.token();
    assert!(t.token.as_ref().is_some());
    assert_eq!(t.access_level, Some(30));
    assert_eq!(t.access_level_name.as_deref(), Some("developer"));
    let owner = t.owner.as_ref().expect("owner");
    assert_eq!(
        (owner.kind, owner.id, owner.path.as_deref()),
        (OwnerKind::Group, Some(1), Some("acme"))
    );
    assert_eq!(t.description.as_deref(), Some("deploys"));
    let sent = fake.requests();
    let post = sent.last().unwrap();
    assert_eq!(post["body"]["access_level"], json!(30));
    assert_eq!(post["body"]["scopes"], json!(["api", "read_registry"]));
    assert_eq!(post["body"]["description"], json!("deploys"));
    let id = t.id;

    // By id: the same group.
    let got = e.call(
        "run",
        "get-access-token",
        json!({"owner": group("1"), "token_id": id.to_string()}),
    );
    let got = result(&got);
    assert_eq!(got["name"], "CI bot");
    assert_eq!(
        got["owner"],
        json!({"kind": "group", "id": 1, "path": null})
    );
    assert_eq!(got["access_level_name"], "developer");

    let listed = result(&e.call("run", "list-access-tokens", json!({"owner": group("acme")})));
    assert_eq!(listed["tokens"].as_array().unwrap().len(), 1);
    assert_eq!(listed["tokens"][0]["id"], json!(id));

    let rotated = e.call(
        "run",
        "rotate-access-token",
        json!({"owner": group("acme"), "token_id": id.to_string(), "expire_in_months": 1}),
    );
    let new = rotated.token();
    assert_ne!(new.id, id);
    assert_eq!(new.owner.as_ref().unwrap().path.as_deref(), Some("acme"));
    let lines = fake.request_lines();
    assert!(
        lines
            .iter()
            .any(|l| l == &format!("GET /api/v4/groups/acme/access_tokens/{id}")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l == &format!("POST /api/v4/groups/acme/access_tokens/{id}/rotate")),
        "{lines:?}"
    );

    fake.clear_requests();
    let revoked = result(&e.call(
        "run",
        "revoke-access-token",
        json!({"owner": group("acme"), "token_id": new.id.to_string()}),
    ));
    assert_eq!(revoked["revoked_id"], json!(new.id));
    assert_eq!(revoked["owner"]["kind"], "group");
    assert_eq!(
        fake.request_lines(),
        vec![format!(
            "DELETE /api/v4/groups/acme/access_tokens/{}",
            new.id
        )]
    );
    let all = result(&e.call(
        "run",
        "list-access-tokens",
        json!({"owner": group("acme"), "state": "all"}),
    ));
    assert!(
        all["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["revoked"] == json!(true))
    );
}

#[test]
fn a_full_path_is_sent_as_one_encoded_segment() {
    let fake = fixture();
    let mut e = engine(&fake, ALICE);
    let reply = e.call("run", "create-access-token",
        json!({"owner": project("acme/platform/api"), "name": "ro", "scopes": ["read_api"], "access_level": 20}));
    let t = reply.token();
    assert_eq!(t.owner.as_ref().unwrap().id, Some(10));
    let raw = fake.requests();
    let raw_path = raw.last().unwrap()["raw_path"]
        .as_str()
        .or(raw.last().unwrap()["path"].as_str())
        .unwrap()
        .to_string();
    assert!(
        raw_path.contains("acme%2Fplatform%2Fapi") || raw_path.contains("acme/platform/api"),
        "{raw_path}"
    );
    assert!(
        fake.request_lines()
            .last()
            .unwrap()
            .starts_with("POST /api/v4/projects/acme"),
        "{:?}",
        fake.request_lines()
    );
}

fn git_checkout(origin: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let mut config = "[core]\n\tbare = false\n".to_string();
    if let Some(url) = origin {
        config.push_str(&format!(
            "[remote \"origin\"]\n\turl = {url}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
        ));
    }
    std::fs::write(dir.path().join(".git/config"), config).unwrap();
    std::fs::create_dir_all(dir.path().join("src/deep")).unwrap();
    dir
}

#[test]
fn dot_is_the_project_of_the_checkouts_origin_in_https_and_ssh_form() {
    let fake = fixture();
    let mut e = engine(&fake, ALICE);
    for url in [
        "https://gitlab.example.com/acme/platform/api.git",
        "git@gitlab.example.com:acme/platform/api.git",
        "ssh://git@gitlab.example.com:2222/acme/platform/api",
    ] {
        let repo = git_checkout(Some(url));
        let wd = repo.path().join("src/deep").display().to_string();
        let owner = json!({"kind": "project", "id": ".", "working_directory": wd});
        let plan = e.call(
            "plan",
            "revoke-access-token",
            json!({"owner": owner, "token_id": "5"}),
        );
        let plan = plan.plan();
        assert_eq!(
            plan.requests,
            vec!["DELETE /projects/acme%2Fplatform%2Fapi/access_tokens/5"],
            "{url}"
        );
        let params = serde_json::to_value(&plan.params).unwrap();
        assert_eq!(
            params["owner"],
            project("acme/platform/api"),
            "the plan carries the resolved path"
        );
        let listed = result(&e.call("run", "list-access-tokens", json!({"owner": owner})));
        assert_eq!(listed["tokens"], json!([]), "{url}");
    }
    // A worktree-style `.git` file pointing at the git directory.
    let main = git_checkout(Some("git@h:acme/platform/api.git"));
    let wt = tempfile::tempdir().unwrap();
    std::fs::write(
        wt.path().join(".git"),
        format!("gitdir: {}\n", main.path().join(".git").display()),
    )
    .unwrap();
    let owner =
        json!({"kind": "project", "id": ".", "working_directory": wt.path().display().to_string()});
    assert!(matches!(
        e.call("run", "list-access-tokens", json!({"owner": owner}))
            .terminal(),
        Body::Result { .. }
    ));
}

#[test]
fn dot_without_a_checkout_or_an_origin_says_so_and_sends_nothing() {
    let fake = fixture();
    let mut e = engine(&fake, ALICE);
    let none = tempfile::tempdir().unwrap();
    let no_origin = git_checkout(None);
    let local = git_checkout(Some("/srv/git/api.git"));
    for (dir, words) in [
        (none.path(), "is not inside a git checkout"),
        (no_origin.path(), "has no 'origin' remote"),
        (local.path(), "names no GitLab project"),
    ] {
        let wd = dir.display().to_string();
        let reply = e.call(
            "run",
            "list-access-tokens",
            json!({"owner": {"kind": "project", "id": ".", "working_directory": wd}}),
        );
        let err = reply.error();
        assert_eq!(err.kind, ErrorKind::InvalidArgument);
        assert_eq!(err.parameter.as_deref(), Some("owner"));
        assert!(
            err.message.contains(words) && err.message.contains(&wd),
            "{}",
            err.message
        );
    }
    assert!(fake.requests().is_empty());
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let fake = fixture();
    let mut e = engine(&fake, JSMITH);
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "create-access-token",
            json!({"owner": group("acme"), "name": "x", "scopes": ["api", "sudo"]}),
            "scopes",
            "'sudo'",
        ),
        (
            "create-access-token",
            json!({"owner": project("10"), "name": "x", "scopes": ["read_user"]}),
            "scopes",
            "project access tokens",
        ),
        (
            "create-access-token",
            json!({"owner": group("acme"), "name": "x", "scopes": ["apii"]}),
            "scopes",
            "Valid scopes: api, read_api",
        ),
        (
            "create-access-token",
            json!({"owner": group("acme"), "name": "x", "scopes": ["api"], "access_level": "admin"}),
            "access_level",
            "planner (15)",
        ),
        (
            "create-access-token",
            json!({"owner": group("acme"), "name": "x", "scopes": ["api"], "access_level": 45}),
            "access_level",
            "'45'",
        ),
        (
            "create-access-token",
            json!({"owner": group("acme"), "scopes": ["api"]}),
            "name",
            "-Name",
        ),
        (
            "create-access-token",
            json!({"owner": group("acme"), "name": "x", "scopes": ["api"], "expires_at": "2001-01-01"}),
            "expires_at",
            "past",
        ),
        (
            "create-access-token",
            json!({"name": "x", "scopes": ["api"]}),
            "owner",
            "owner is required",
        ),
        (
            "create-access-token",
            json!({"owner": {"kind": "user"}, "name": "x", "scopes": ["api"], "access_level": 30}),
            "access_level",
            "no access level",
        ),
        (
            "list-access-tokens",
            json!({"owner": group("a b")}),
            "owner",
            "'a b'",
        ),
        (
            "list-access-tokens",
            json!({"owner": group(".")}),
            "owner",
            "not a group",
        ),
        (
            "list-access-tokens",
            json!({"owner": group("acme"), "sort": "newest"}),
            "sort",
            "created_asc",
        ),
        (
            "list-access-tokens",
            json!({"owner": group("acme"), "state": "expired"}),
            "state",
            "'expired'",
        ),
        (
            "list-access-tokens",
            json!({"owner": group("acme"), "per_page": 101}),
            "per_page",
            "101",
        ),
        (
            "get-access-token",
            json!({"owner": group("acme"), "token_id": "self"}),
            "token_id",
            "'self'",
        ),
        (
            "revoke-access-token",
            json!({"owner": project("10"), "token_id": "self"}),
            "token_id",
            "'self'",
        ),
        (
            "rotate-access-token",
            json!({"owner": group("acme"), "token_id": "7", "revoked": true}),
            "token_id",
            "revoked",
        ),
        (
            "rotate-access-token",
            json!({"owner": group("acme"), "token_id": "7", "active": false}),
            "token_id",
            "-Force",
        ),
        (
            "rotate-access-token",
            json!({"owner": group("acme"), "token_id": "x"}),
            "token_id",
            "'x'",
        ),
    ];
    for (command, params, parameter, words) in cases {
        for mode in ["plan", "run"] {
            if mode == "plan" && (command.starts_with("list") || command.starts_with("get")) {
                continue;
            }
            let reply = e.call(mode, command, params.clone());
            let err = reply.error();
            assert_eq!(err.kind, ErrorKind::InvalidArgument, "{command} {params}");
            assert_eq!(
                err.parameter.as_deref(),
                Some(parameter),
                "{command} {params}: {}",
                err.message
            );
            assert!(
                err.message.contains(words),
                "{command} {params}: {}",
                err.message
            );
        }
    }
    assert!(fake.requests().is_empty(), "{:?}", fake.request_lines());
}

#[test]
fn gitlabs_refusals_have_their_kinds() {
    let fake = fixture();
    let mut alice = engine(&fake, ALICE);
    // A group that does not exist, and one alice cannot see.
    for id in ["nope", "999"] {
        let reply = alice.call("run", "list-access-tokens", json!({"owner": group(id)}));
        let err = reply.error();
        assert_eq!(err.kind, ErrorKind::NotFound, "{}", err.message);
        assert_eq!(err.parameter.as_deref(), Some("owner"));
        assert_eq!(err.gitlab_message.as_deref(), Some("404 Group Not Found"));
    }
    let reply = alice.call(
        "run",
        "create-access-token",
        json!({"owner": project("acme/nothing"), "name": "x", "scopes": ["api"]}),
    );
    assert_eq!(reply.error().kind, ErrorKind::NotFound);

    // Alice is a Maintainer of acme: not enough for group tokens.
    let reply = alice.call(
        "run",
        "create-access-token",
        json!({"owner": group("acme"), "name": "x", "scopes": ["api"]}),
    );
    let err = reply.error();
    assert_eq!(err.kind, ErrorKind::Forbidden, "{}", err.message);
    assert_eq!(err.parameter.as_deref(), Some("owner"));
    assert!(
        err.hint.as_deref().unwrap().contains("Owner role"),
        "{:?}",
        err.hint
    );
    assert_eq!(
        err.gitlab_message.as_deref(),
        Some("400 Bad request - User does not have permission to create group access token")
    );

    // ... and may list nothing there either (GitLab answers 401).
    let reply = alice.call("run", "list-access-tokens", json!({"owner": group("acme")}));
    let err = reply.error();
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert!(
        err.hint.as_deref().unwrap().contains("Owner role"),
        "{:?}",
        err.hint
    );

    // A level above her own (Maintainer) on the project.
    let reply = alice.call(
        "run",
        "create-access-token",
        json!({"owner": project("10"), "name": "x", "scopes": ["api"], "access_level": "owner"}),
    );
    let err = reply.error();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    assert_eq!(err.parameter.as_deref(), Some("access_level"));
    assert!(err.message.contains("owner (50)"), "{}", err.message);

    // An expiry beyond the instance's maximum: GitLab's words.
    let answer = fake.call(
        "PUT",
        "/__fake/settings",
        None,
        Some(&json!({"require_expiry": true, "max_lifetime_days": 30})),
    );
    assert!(answer.status < 300);
    let reply = alice.call(
        "run",
        "create-access-token",
        json!({"owner": project("10"), "name": "x", "scopes": ["api"], "expire_in_months": 6}),
    );
    let err = reply.error();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    assert_eq!(err.parameter.as_deref(), Some("expires_at"));
    let said = err.gitlab_message.as_deref().unwrap();
    assert!(
        said.starts_with("400 Bad request - Expires at must be before "),
        "{said}"
    );
    assert!(err.message.contains(said), "{}", err.message);

    // A token that is not the group's.
    let mut jsmith = engine(&fake, JSMITH);
    let reply = jsmith.call(
        "run",
        "get-access-token",
        json!({"owner": group("acme"), "token_id": "424242"}),
    );
    let err = reply.error();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(err.parameter.as_deref(), Some("token_id"));
}

#[test]
fn lists_send_every_filter_and_page_like_personal_lists() {
    let fake = fixture();
    seed(&fake, json!({"group": 1, "name": "bulk", "count": 5}));
    seed(&fake, json!({"group": 1, "name": "old", "revoked": true}));
    fake.clear_requests();
    let mut e = engine(&fake, JSMITH);
    let first = result(&e.call(
        "run",
        "list-access-tokens",
        json!({"owner": group("acme"), "per_page": 2, "sort": "name_desc", "search": "bulk"}),
    ));
    assert_eq!(first["tokens"].as_array().unwrap().len(), 2);
    assert_eq!(
        (first["page"].clone(), first["next_page"].clone()),
        (json!(1), json!(2))
    );
    assert_eq!(first["tokens"][0]["name"], "bulk 5", "name_desc");
    let line = fake.request_lines().pop().unwrap();
    for part in [
        "state=active",
        "sort=name_desc",
        "search=bulk",
        "page=1",
        "per_page=2",
    ] {
        assert!(line.contains(part), "{line}");
    }
    let last = result(&e.call(
        "run",
        "list-access-tokens",
        json!({"owner": group("acme"), "per_page": 2, "page": 3, "search": "bulk"}),
    ));
    assert_eq!(last["next_page"], Value::Null);
    assert_eq!(last["tokens"].as_array().unwrap().len(), 1);

    let revoked = result(&e.call(
        "run",
        "list-access-tokens",
        json!({"owner": group("acme"), "revoked": true}),
    ));
    assert_eq!(revoked["tokens"].as_array().unwrap().len(), 1);
    fake.clear_requests();
    let dated = e.call("run", "list-access-tokens", json!({"owner": group("acme"),
        "created_after": "2020-01-01", "created_before": "2999-01-01", "last_used_after": "2020-01-01",
        "last_used_before": "2999-01-01", "expires_after": "2020-01-01", "expires_before": "2999-12-31",
        "state": "inactive"}));
    assert!(matches!(dated.terminal(), Body::Result { .. }));
    let line = fake.request_lines().pop().unwrap();
    for part in [
        "created_after=2020-01-01",
        "created_before=2999-01-01",
        "last_used_after=2020-01-01",
        "last_used_before=2999-01-01",
        "expires_after=2020-01-01",
        "expires_before=2999-12-31",
        "state=inactive",
    ] {
        assert!(line.contains(part), "{line}");
    }
}

#[test]
fn rotation_refuses_revoked_and_inactive_tokens_after_reading_them() {
    let fake = fixture();
    let revoked = seed(
        &fake,
        json!({"project": 10, "name": "gone", "revoked": true}),
    );
    let expired = seed(
        &fake,
        json!({"project": 10, "name": "old", "expires_at": "2001-01-01"}),
    );
    fake.clear_requests();
    let mut e = engine(&fake, ALICE);
    let id = revoked[0]["id"].as_u64().unwrap();
    let reply = e.call(
        "run",
        "rotate-access-token",
        json!({"owner": project("10"), "token_id": id.to_string()}),
    );
    let err = reply.error();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    assert!(
        err.message.contains("revoked") && err.message.contains("project access token"),
        "{}",
        err.message
    );
    let lines = fake.request_lines();
    assert_eq!(
        lines,
        vec![format!("GET /api/v4/projects/10/access_tokens/{id}")],
        "no POST"
    );

    let id = expired[0]["id"].as_u64().unwrap();
    let reply = e.call(
        "run",
        "rotate-access-token",
        json!({"owner": project("10"), "token_id": id.to_string()}),
    );
    assert!(reply.error().message.contains("-Force"));
    let reply = e.call(
        "run",
        "rotate-access-token",
        json!({"owner": project("10"), "token_id": id.to_string(), "force": true}),
    );
    assert!(
        reply.warnings().iter().any(|w| w.contains("-Force")),
        "{:?}",
        reply.warnings()
    );
}

#[test]
fn user_owners_reach_the_personal_token_commands() {
    let fake = fixture();
    let mut e = engine(&fake, &fake.admin_token.clone());
    let made = e.call(
        "run",
        "create-access-token",
        json!({"owner": {"kind": "user", "id": "jsmith"}, "name": "p", "scopes": ["read_api"]}),
    );
    let t = made.token();
    assert!(t.owner.is_none() && t.access_level.is_none());
    let listed = result(&e.call(
        "run",
        "list-access-tokens",
        json!({"owner": {"kind": "user", "id": "jsmith"}}),
    ));
    assert!(
        listed["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == json!(t.id))
    );
    let plan = e.call(
        "plan",
        "revoke-access-token",
        json!({"owner": {"kind": "user"}, "token_id": t.id.to_string()}),
    );
    assert_eq!(
        plan.plan().requests.last().unwrap(),
        &format!("DELETE /personal_access_tokens/{}", t.id)
    );
}

/// 1,000 project tokens and 1,000 personal tokens in one serve process each way, written ahead
/// as the module does. Prints the cost per token; asserts only that every token arrived.
#[test]
fn bulk_creation_of_a_thousand_project_tokens() {
    let fake = fixture();
    let answer = fake.call(
        "POST",
        "/__fake/projects",
        None,
        Some(&json!({"projects": [{"id": 20, "full_path": "bulk/project"}]})),
    );
    assert!(answer.status < 300);
    let mut e = engine(&fake, &fake.admin_token.clone());
    let mut run = |command: &str, owner: Option<Value>| -> f64 {
        let start = Instant::now();
        let line = |n: usize| {
            let mut params =
                json!({"name": format!("bulk {n}"), "scopes": ["read_api"], "expire_in_months": 1});
            if let Some(owner) = &owner {
                params["owner"] = owner.clone();
            }
            json!({"v": 1, "id": n.to_string(), "command": command, "params": params}).to_string()
        };
        // Written ahead like the module: up to 16 requests in flight.
        let mut sent = 0;
        while sent < 16 {
            e.send_line(&line(sent));
            sent += 1;
        }
        let mut tokens = 0;
        for _ in 0..1000 {
            let messages = e.read_until_terminal();
            if let Body::Result {
                result: CommandResult::PersonalAccessToken(t),
            } = &messages.last().unwrap().body
            {
                assert!(t.token.is_some());
                tokens += 1;
            }
            if sent < 1000 {
                e.send_line(&line(sent));
                sent += 1;
            }
        }
        assert_eq!(tokens, 1000);
        start.elapsed().as_secs_f64() * 1000.0 / 1000.0
    };
    let project_ms = run("create-access-token", Some(project("bulk/project")));
    let personal_ms = run("create-personal-access-token", None);
    println!("bulk: {project_ms:.3} ms per project token, {personal_ms:.3} ms per personal token");
}
