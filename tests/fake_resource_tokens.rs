//! The fake GitLab's group and project access token endpoints over HTTP, checked against what
//! GitLab's documentation and code say (tests/fake-gitlab/resource_tokens.rs lists the sources):
//! every route, every documented status code and body, paging headers, path-encoded ids, the
//! role and access-level rules, rotation with family revocation, and the control API that seeds
//! groups, projects and tokens. Every later test of the engine trusts these answers.
//!
//! Run `cargo build --example fake-gitlab` first when running this file alone (plain
//! `cargo test` builds it).

mod common;

use common::{Answer, Fake};
use serde_json::{Value, json};

const ADMIN: Option<&str> = Some("fake-admin-token");
const JSMITH: Option<&str> = Some("fake-user-token");
const ALICE: Option<&str> = Some("alice-token");
const BOB: Option<&str> = Some("bob-token");
/// The day the fake is pinned to, so expiry answers are exact.
const TODAY: &str = "2031-03-01";

/// A fake with a pinned date, two more users with tokens, and:
///
/// - group `acme` (id 1, private): jsmith Owner, alice Maintainer;
/// - group `acme/platform` (id 2, private): bob Developer (jsmith inherits Owner);
/// - group `open` (id 3, public): nobody;
/// - project `acme/platform/api` (id 10, private): alice inherits Maintainer, bob Reporter;
/// - project `solo/tool` (id 11, private): bob Maintainer.
fn fixture() -> Fake {
    let fake = Fake::start();
    ok(&fake, "PUT", "/__fake/settings", &json!({ "today": TODAY }));
    // Alice (43) exists in the fixture; give her a token, and add Bob.
    let users = json!({"users": [{"username": "bob", "name": "Bob", "token": "bob-token"}]});
    assert_eq!(
        fake.call("POST", "/__fake/users", None, Some(&users))
            .status,
        201
    );
    // Alice's token: a seeded personal token with a known value.
    ok(
        &fake,
        "POST",
        "/__fake/tokens",
        &json!({"username": "alice", "name": "alice", "value": "alice-token"}),
    );
    let groups = json!({"groups": [
        {"id": 1, "full_path": "acme", "members": [
            {"username": "jsmith", "access_level": "owner"},
            {"user_id": 43, "access_level": 40}]},
        {"id": 2, "full_path": "acme/platform", "members": [
            {"username": "bob", "access_level": "developer"}]},
        {"id": 3, "full_path": "open", "visibility": "public"},
    ]});
    ok(&fake, "POST", "/__fake/groups", &groups);
    let projects = json!({"projects": [
        {"id": 10, "full_path": "acme/platform/api", "members": [
            {"username": "bob", "access_level": "reporter"}]},
        {"id": 11, "full_path": "solo/tool", "members": [
            {"username": "bob", "access_level": "maintainer"}]},
    ]});
    ok(&fake, "POST", "/__fake/projects", &projects);
    fake
}

/// A control call that must succeed; answers its JSON.
fn ok(fake: &Fake, method: &str, path: &str, body: &Value) -> Value {
    let answer = fake.call(method, path, None, Some(body));
    assert!(
        answer.status < 300,
        "{method} {path} -> {} {}",
        answer.status,
        answer.body
    );
    if answer.body.is_empty() {
        Value::Null
    } else {
        answer.json()
    }
}

fn get(fake: &Fake, path: &str, token: Option<&str>) -> Answer {
    fake.call("GET", &format!("/api/v4{path}"), token, None)
}

fn post(fake: &Fake, path: &str, token: Option<&str>, body: &Value) -> Answer {
    fake.call("POST", &format!("/api/v4{path}"), token, Some(body))
}

fn delete(fake: &Fake, path: &str, token: Option<&str>) -> Answer {
    fake.call("DELETE", &format!("/api/v4{path}"), token, None)
}

/// Asserts status and the exact body.
fn expect(answer: &Answer, status: u16, body: Value) {
    assert_eq!(
        (answer.status, answer.json()),
        (status, body),
        "raw: {}",
        answer.body
    );
}

fn message(text: &str) -> Value {
    json!({ "message": text })
}

fn grape(text: &str) -> Value {
    json!({ "error": text })
}

/// Creates a token through the API as `who`, which must work; answers it (with `token`).
fn create(fake: &Fake, path: &str, who: Option<&str>, body: Value) -> Value {
    let answer = post(fake, path, who, &body);
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.json()
}

/// Seeds resource tokens through the control API; answers them with their values.
fn seed(fake: &Fake, spec: Value) -> Vec<Value> {
    ok(fake, "POST", "/__fake/resource-tokens", &spec)
        .as_array()
        .expect("array")
        .clone()
}

fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|t| t["id"].as_u64().expect("id"))
        .collect()
}

#[test]
fn groups_and_projects_are_addressed_by_id_or_encoded_path_and_hidden_when_private() {
    let fake = fixture();
    for path in [
        "/groups/1/access_tokens",
        "/groups/acme/access_tokens",
        "/groups/ACME/access_tokens",
    ] {
        let answer = get(&fake, path, JSMITH);
        assert_eq!((answer.status, answer.body.as_str()), (200, "[]"), "{path}");
    }
    assert_eq!(
        get(
            &fake,
            "/projects/acme%2Fplatform%2Fapi/access_tokens",
            ADMIN
        )
        .status,
        200
    );
    assert_eq!(
        get(&fake, "/groups/acme%2Fplatform/access_tokens", JSMITH).status,
        200
    );

    // Unknown, or private without membership: GitLab's 404 bodies. A full path with plain
    // slashes is no route at all. A member of a subgroup sees it, and a public group is visible
    // to anyone, but not its tokens. Authentication comes first.
    let cases: [(&str, &str, Option<&str>, u16, Value); 10] = [
        (
            "GET",
            "/groups/99/access_tokens",
            ADMIN,
            404,
            message("404 Group Not Found"),
        ),
        (
            "GET",
            "/groups/nope/access_tokens",
            ADMIN,
            404,
            message("404 Group Not Found"),
        ),
        (
            "GET",
            "/groups/acme/access_tokens",
            BOB,
            404,
            message("404 Group Not Found"),
        ),
        (
            "GET",
            "/projects/solo%2Ftool/access_tokens",
            JSMITH,
            404,
            message("404 Project Not Found"),
        ),
        (
            "DELETE",
            "/projects/12/access_tokens/1",
            ADMIN,
            404,
            message("404 Project Not Found"),
        ),
        (
            "GET",
            "/groups/acme/platform/access_tokens",
            ADMIN,
            404,
            grape("404 Not Found"),
        ),
        (
            "GET",
            "/groups/2/access_tokens",
            BOB,
            401,
            message("401 Unauthorized"),
        ),
        (
            "GET",
            "/groups/open/access_tokens",
            JSMITH,
            401,
            message("401 Unauthorized"),
        ),
        (
            "GET",
            "/groups/99/access_tokens",
            None,
            401,
            message("401 Unauthorized"),
        ),
        (
            "GET",
            "/groups/99/access_tokens",
            Some("glpat-unknown"),
            401,
            message("401 Unauthorized"),
        ),
    ];
    for (method, path, who, status, body) in cases {
        let answer = fake.call(method, &format!("/api/v4{path}"), who, None);
        assert_eq!(
            (answer.status, answer.json()),
            (status, body),
            "{method} {path} as {who:?}"
        );
    }
}

#[test]
fn routes_take_their_methods_only() {
    let fake = fixture();
    let put = fake.call(
        "PUT",
        "/api/v4/groups/1/access_tokens",
        JSMITH,
        Some(&json!({})),
    );
    expect(&put, 405, grape("405 Not Allowed"));
    assert_eq!(put.header("allow"), Some("GET, HEAD, POST"));
    // HEAD is answered wherever GET is.
    let head = fake.call("HEAD", "/api/v4/groups/1/access_tokens", JSMITH, None);
    assert_eq!((head.status, head.header("x-total")), (200, Some("0")));
    let rotate_get = get(&fake, "/groups/1/access_tokens/1/rotate", JSMITH);
    assert_eq!(rotate_get.status, 405);
    assert_eq!(rotate_get.header("allow"), Some("POST"));
    let one = fake.call(
        "POST",
        "/api/v4/projects/10/access_tokens/1",
        ADMIN,
        Some(&json!({})),
    );
    assert_eq!(
        (one.status, one.header("allow")),
        (405, Some("GET, HEAD, DELETE"))
    );
}

#[test]
fn creation_makes_a_bot_user_and_a_token_that_authenticates_as_it() {
    let fake = fixture();
    let made = create(
        &fake,
        "/groups/acme/access_tokens",
        JSMITH,
        json!({"name": "CI", "description": "for CI", "scopes": ["api", "read_repository"],
               "expires_at": "2031-06-01", "access_level": 30}),
    );
    assert_eq!(made["name"], "CI");
    assert_eq!(made["description"], "for CI");
    assert_eq!(made["scopes"], json!(["api", "read_repository"]));
    assert_eq!(made["expires_at"], "2031-06-01");
    assert_eq!(made["access_level"], 30);
    assert_eq!(made["resource_type"], "group");
    assert_eq!(made["resource_id"], 1);
    assert_eq!(
        (made["active"].clone(), made["revoked"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(made["last_used_at"], Value::Null);
    let value = made["token"].as_str().expect("token value");
    assert!(value.starts_with("glpat-"), "{value}");

    // user_id is the bot's, and the token is the bot.
    let bot_id = made["user_id"].as_u64().expect("user_id");
    let bot = get(&fake, &format!("/users/{bot_id}"), ADMIN).json();
    assert_eq!(bot["name"], "CI");
    let username = bot["username"].as_str().expect("username");
    assert!(username.starts_with("group_1_bot_"), "{username}");
    assert_eq!(get(&fake, "/user", Some(value)).json()["id"], bot_id);

    // Defaults: Maintainer; no expiry unless the instance requires one.
    let plain = create(
        &fake,
        "/projects/acme%2Fplatform%2Fapi/access_tokens",
        JSMITH,
        json!({"name": "deploy", "scopes": "read_repository,read_registry"}),
    );
    assert_eq!(plain["access_level"], 40);
    assert_eq!(plain["expires_at"], Value::Null);
    assert_eq!(plain["resource_type"], "project");
    assert_eq!(plain["resource_id"], 10);
    assert_ne!(plain["user_id"], made["user_id"], "one bot per token");
    let project_bot = get(&fake, &format!("/users/{}", plain["user_id"]), ADMIN).json();
    assert!(
        project_bot["username"]
            .as_str()
            .unwrap()
            .starts_with("project_10_bot_")
    );

    // Every scope GitLab allows resource tokens, and Planner given by an Owner.
    let all_scopes = json!([
        "api",
        "read_api",
        "create_runner",
        "manage_runner",
        "k8s_proxy",
        "self_rotate",
        "read_repository",
        "write_repository",
        "read_registry",
        "write_registry",
        "read_virtual_registry",
        "write_virtual_registry",
        "read_observability",
        "write_observability",
        "ai_features"
    ]);
    let planner = create(
        &fake,
        "/groups/1/access_tokens",
        JSMITH,
        json!({"name": "p", "scopes": all_scopes, "access_level": "15"}),
    );
    assert_eq!(planner["access_level"], 15);
}

#[test]
fn creation_checks_come_in_gitlab_order_with_gitlab_messages() {
    let fake = fixture();
    let path = "/groups/1/access_tokens";
    // Grape's parameter errors, before the group is even looked up.
    expect(
        &post(&fake, "/groups/99/access_tokens", JSMITH, &json!({})),
        400,
        grape("name is missing, scopes is missing"),
    );
    for scope in [
        "sudo",
        "admin_mode",
        "read_user",
        "read_service_ping",
        "bogus",
    ] {
        expect(
            &post(
                &fake,
                path,
                JSMITH,
                &json!({"name": "t", "scopes": [scope]}),
            ),
            400,
            grape("scopes does not have a valid value"),
        );
    }
    expect(
        &post(
            &fake,
            path,
            JSMITH,
            &json!({"name": "t", "scopes": ["api"], "access_level": 60}),
        ),
        400,
        grape("access_level does not have a valid value"),
    );
    expect(
        &post(
            &fake,
            path,
            JSMITH,
            &json!({"name": "t", "scopes": ["api"], "expires_at": "1 May"}),
        ),
        400,
        grape("expires_at is invalid"),
    );
    expect(
        &post(
            &fake,
            "/groups/99/access_tokens",
            JSMITH,
            &json!({"name": "t", "scopes": ["api"]}),
        ),
        404,
        message("404 Group Not Found"),
    );

    // The role: Owner of a group, Maintainer of a project.
    let body = json!({"name": "t", "scopes": ["api"], "access_level": 30});
    expect(
        &post(&fake, path, ALICE, &body),
        400,
        message("400 Bad request - User does not have permission to create group access token"),
    );
    expect(
        &post(&fake, "/projects/10/access_tokens", BOB, &body),
        400,
        message("400 Bad request - User does not have permission to create project access token"),
    );
    assert_eq!(
        post(&fake, "/projects/10/access_tokens", ALICE, &body).status,
        201
    );

    // Not above one's own level; Planner only for Owners (and Planners).
    let not_held = message(
        "400 Bad request - Access level of the token contains permissions not held by the creating user",
    );
    expect(
        &post(
            &fake,
            "/projects/10/access_tokens",
            ALICE,
            &json!({"name": "t", "scopes": ["api"], "access_level": 50}),
        ),
        400,
        not_held.clone(),
    );
    expect(
        &post(
            &fake,
            "/projects/10/access_tokens",
            ALICE,
            &json!({"name": "t", "scopes": ["api"], "access_level": 15}),
        ),
        400,
        not_held,
    );
    assert_eq!(
        post(
            &fake,
            "/projects/10/access_tokens",
            ADMIN,
            &json!({"name": "t", "scopes": ["api"], "access_level": 50})
        )
        .status,
        201
    );

    // The model's checks.
    expect(
        &post(
            &fake,
            path,
            JSMITH,
            &json!({"name": " ", "scopes": ["api"]}),
        ),
        400,
        message("400 Bad request - Name can't be blank"),
    );
    expect(
        &post(
            &fake,
            path,
            JSMITH,
            &json!({"name": "n".repeat(256), "scopes": ["api"]}),
        ),
        400,
        message("400 Bad request - Name is too long (maximum is 255 characters)"),
    );
    expect(
        &post(&fake, path, JSMITH, &json!({"name": "t", "scopes": []})),
        400,
        message("400 Bad request - Scopes can't be blank"),
    );
    expect(
        &post(
            &fake,
            path,
            JSMITH,
            &json!({"name": "t", "description": "d".repeat(256), "scopes": ["api"]}),
        ),
        400,
        message("400 Bad request - Description is too long (maximum is 255 characters)"),
    );
    expect(
        &post(
            &fake,
            path,
            JSMITH,
            &json!({"name": "t", "scopes": ["api"], "expires_at": TODAY}),
        ),
        400,
        message("400 Bad request - Expires at cannot be in the past"),
    );

    // The instance's maximum lifetime, when expiry is required.
    ok(
        &fake,
        "PUT",
        "/__fake/settings",
        &json!({"require_expiry": true, "max_lifetime_days": 30}),
    );
    expect(
        &post(
            &fake,
            path,
            JSMITH,
            &json!({"name": "t", "scopes": ["api"], "expires_at": "2031-04-01"}),
        ),
        400,
        message("400 Bad request - Expires at must be before 2031-03-31"),
    );
    let longest = create(&fake, path, JSMITH, json!({"name": "t", "scopes": ["api"]}));
    assert_eq!(longest["expires_at"], "2031-03-31");

    // A resource token cannot make tokens, and a read-only token cannot write.
    let value = longest["token"].as_str().unwrap().to_string();
    expect(
        &post(
            &fake,
            path,
            Some(&value),
            &json!({"name": "t", "scopes": ["api"]}),
        ),
        400,
        message("400 Bad request - User does not have permission to create group access token"),
    );
    let reader = seed(
        &fake,
        json!({"group": 1, "name": "reader", "scopes": ["read_api"]}),
    );
    let reader = reader[0]["token"].as_str().unwrap();
    let refused = post(
        &fake,
        path,
        Some(reader),
        &json!({"name": "t", "scopes": ["api"]}),
    );
    assert_eq!(refused.status, 403);
    assert_eq!(refused.json()["error"], "insufficient_scope");
    // ... but it may read its group's tokens (as a Maintainer it is not Owner: 401).
    assert_eq!(get(&fake, path, Some(reader)).status, 401);
}

#[test]
fn lists_filter_sort_and_page_like_personal_tokens() {
    let fake = fixture();
    seed(
        &fake,
        json!({"project": "acme/platform/api", "name": "bulk", "count": 45}),
    );
    seed(&fake, json!({"project": 11, "name": "elsewhere"}));
    let base = "/projects/acme%2Fplatform%2Fapi/access_tokens";
    let page = get(&fake, &format!("{base}?per_page=20&page=2"), ALICE);
    assert_eq!(page.status, 200);
    let names: Vec<String> = page
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.first().map(String::as_str), Some("bulk 21"));
    assert_eq!(names.len(), 20);
    for (header, value) in [
        ("x-page", "2"),
        ("x-per-page", "20"),
        ("x-next-page", "3"),
        ("x-prev-page", "1"),
        ("x-total", "45"),
        ("x-total-pages", "3"),
    ] {
        assert_eq!(page.header(header), Some(value), "{header}");
    }
    let link = page.header("link").expect("Link");
    assert!(
        link.contains(&format!("{base}?page=3&per_page=20>; rel=\"next\"")),
        "{link}"
    );
    assert!(
        link.contains("rel=\"first\"")
            && link.contains("rel=\"last\"")
            && link.contains("rel=\"prev\"")
    );
    let last = get(&fake, &format!("{base}?per_page=20&page=3"), ALICE);
    assert_eq!(last.header("x-next-page"), Some(""));
    assert_eq!(last.json().as_array().unwrap().len(), 5);
    // The default page is GitLab's 20; tokens of other projects never appear.
    let first = get(&fake, base, ALICE).json();
    assert_eq!(first.as_array().unwrap().len(), 20);
    assert!(
        first
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["resource_id"] == 10)
    );

    ok(
        &fake,
        "PUT",
        "/__fake/settings",
        &json!({"link_only_pagination": true}),
    );
    let bare = get(&fake, base, ALICE);
    assert!(bare.header("x-total").is_none() && bare.header("link").is_some());
}

#[test]
fn list_filters_and_sorts_are_gitlabs() {
    let fake = fixture();
    let g = "/groups/2/access_tokens";
    let made = seed(
        &fake,
        json!({"tokens": [
            {"group": 2, "name": "Alpha", "created_at": "2031-01-10T09:00:00.000Z",
             "last_used_at": "2031-02-01T10:00:00.000Z", "expires_at": "2031-05-01"},
            {"group": 2, "name": "beta", "created_at": "2031-01-20T09:00:00.000Z",
             "expires_at": "2031-04-01", "revoked": true},
            {"group": 2, "name": "Gamma deploy", "created_at": "2031-02-01T09:00:00.000Z",
             "expires_at": "2031-02-01", "access_level": "developer"},
        ]}),
    );
    let [a, b, c] = [0, 1, 2].map(|i| made[i]["id"].as_u64().unwrap());
    let list = |query: &str| {
        let answer = get(&fake, &format!("{g}?{query}"), JSMITH);
        assert_eq!(answer.status, 200, "{query}: {}", answer.body);
        ids(&answer.json())
    };
    assert_eq!(list(""), [a, b, c]);
    assert_eq!(list("state=active"), [a]);
    assert_eq!(list("state=inactive"), [b, c], "revoked or expired");
    assert_eq!(list("revoked=true"), [b]);
    assert_eq!(list("revoked=false"), [a, c]);
    assert_eq!(list("search=DEPLOY"), [c]);
    assert_eq!(list("created_after=2031-01-15"), [b, c]);
    assert_eq!(list("created_before=2031-01-20T09:00:00Z"), [a, b]);
    assert_eq!(list("last_used_after=2031-01-01"), [a]);
    assert_eq!(list("last_used_before=2031-01-01"), Vec::<u64>::new());
    assert_eq!(list("expires_before=2031-04-01"), [c], "exclusive");
    assert_eq!(list("expires_after=2031-04-01"), [a]);
    assert_eq!(list("sort=name_desc"), [c, b, a]);
    assert_eq!(list("sort=expires_asc"), [c, b, a]);
    assert_eq!(list("sort=created_desc"), [c, b, a]);
    assert_eq!(
        list("sort=last_used_desc"),
        [b, c, a],
        "never used first going down"
    );
    expect(
        &get(&fake, &format!("{g}?state=gone"), JSMITH),
        400,
        grape("state does not have a valid value"),
    );
    expect(
        &get(
            &fake,
            &format!("{g}?created_after=soon&revoked=maybe"),
            JSMITH,
        ),
        400,
        grape("created_after is invalid, revoked is invalid"),
    );

    let listed = get(&fake, g, JSMITH).json();
    assert_eq!(listed[2]["access_level"], 30);
    assert!(listed[0].get("token").is_none(), "lists never show values");
}

#[test]
fn one_token_is_read_by_id() {
    let fake = fixture();
    let made = seed(
        &fake,
        json!({"group": "acme", "name": "one", "description": "d"}),
    );
    let id = made[0]["id"].as_u64().unwrap();
    let other = seed(&fake, json!({"group": "open", "name": "other"}))[0]["id"]
        .as_u64()
        .unwrap();
    let one = get(&fake, &format!("/groups/acme/access_tokens/{id}"), JSMITH);
    assert_eq!(one.status, 200);
    let one = one.json();
    assert_eq!(
        (one["id"].as_u64(), one["name"].as_str()),
        (Some(id), Some("one"))
    );
    assert_eq!(one["description"], "d");
    assert_eq!(one["access_level"], 40);
    assert!(one.get("token").is_none());
    let missing = message("404 group Access Token Not Found");
    expect(
        &get(&fake, "/groups/acme/access_tokens/999", JSMITH),
        404,
        missing.clone(),
    );
    expect(
        &get(
            &fake,
            &format!("/groups/acme/access_tokens/{other}"),
            JSMITH,
        ),
        404,
        missing.clone(),
    );
    expect(
        &get(&fake, "/groups/acme/access_tokens/self", JSMITH),
        404,
        missing,
    );
    expect(
        &get(&fake, &format!("/groups/acme/access_tokens/{id}"), ALICE),
        401,
        message("401 Unauthorized"),
    );
    seed(&fake, json!({"project": 11, "name": "p"}));
    expect(
        &get(&fake, "/projects/11/access_tokens/999", BOB),
        404,
        message("404 project Access Token Not Found"),
    );
}

#[test]
fn revoking_answers_204_and_the_token_stops_working() {
    let fake = fixture();
    let made = create(
        &fake,
        "/projects/10/access_tokens",
        ALICE,
        json!({"name": "Deploy", "scopes": ["api"]}),
    );
    let (id, value) = (
        made["id"].as_u64().unwrap(),
        made["token"].as_str().unwrap().to_string(),
    );
    let path = format!("/projects/10/access_tokens/{id}");

    // Bob can see the project (Reporter) but may not revoke; the message names both users.
    expect(
        &delete(&fake, &path, BOB),
        400,
        message("400 Bad request - Bob cannot delete Deploy"),
    );
    expect(
        &delete(&fake, "/projects/10/access_tokens/999", ALICE),
        404,
        message("404 project Access Token Not Found"),
    );
    expect(
        &delete(&fake, "/projects/10/access_tokens/self", ALICE),
        404,
        message("404 project Access Token Not Found"),
    );
    assert_eq!(
        get(&fake, "/user", Some(&value)).status,
        200,
        "refusals revoke nothing"
    );

    let revoked = delete(&fake, &path, ALICE);
    assert_eq!((revoked.status, revoked.body.as_str()), (204, ""));
    let shown = get(&fake, &path, ALICE).json();
    assert_eq!(
        (shown["revoked"].clone(), shown["active"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(get(&fake, "/user", Some(&value)).status, 401);
    // GitLab's revoke service revokes again without complaint.
    assert_eq!(delete(&fake, &path, ALICE).status, 204);
}

#[test]
fn rotation_replaces_the_token_and_reuse_revokes_the_family() {
    let fake = fixture();
    let made = create(
        &fake,
        "/groups/acme/access_tokens",
        JSMITH,
        json!({"name": "CI", "description": "d", "scopes": ["api", "read_registry"], "access_level": 30}),
    );
    let (old_id, old_value) = (
        made["id"].as_u64().unwrap(),
        made["token"].as_str().unwrap().to_string(),
    );
    let rotate = |id: u64, body: &Value| {
        post(
            &fake,
            &format!("/groups/acme/access_tokens/{id}/rotate"),
            JSMITH,
            body,
        )
    };

    let first = rotate(old_id, &json!({}));
    assert_eq!(first.status, 200, "{}", first.body);
    let first = first.json();
    let new_value = first["token"].as_str().unwrap().to_string();
    assert_ne!(new_value, old_value);
    assert_ne!(first["id"], made["id"]);
    for same in [
        "name",
        "description",
        "scopes",
        "user_id",
        "access_level",
        "resource_id",
    ] {
        assert_eq!(first[same], made[same], "{same}");
    }
    assert_eq!(first["expires_at"], "2031-03-08", "GitLab's one week");
    assert_eq!(get(&fake, "/user", Some(&old_value)).status, 401);
    assert_eq!(
        get(&fake, "/user", Some(&new_value)).json()["id"],
        made["user_id"]
    );

    // Rotating the revoked one again: refused, and the whole family is revoked.
    expect(
        &rotate(old_id, &json!({})),
        400,
        message("400 Bad request - Token already revoked"),
    );
    let successor = get(
        &fake,
        &format!("/groups/acme/access_tokens/{}", first["id"]),
        JSMITH,
    )
    .json();
    assert_eq!(successor["revoked"], true);
    assert_eq!(get(&fake, "/user", Some(&new_value)).status, 401);

    // expires_at in the body.
    let other = seed(&fake, json!({"group": 1, "name": "x"}))[0]["id"]
        .as_u64()
        .unwrap();
    expect(
        &rotate(other, &json!({"expires_at": "tomorrow"})),
        400,
        grape("expires_at is invalid"),
    );
    expect(
        &rotate(other, &json!({"expires_at": TODAY})),
        400,
        message("400 Bad request - Expiration date must be in the future"),
    );
    let dated = rotate(other, &json!({"expires_at": "2031-09-30"}));
    assert_eq!(dated.json()["expires_at"], "2031-09-30");
}

#[test]
fn rotation_refusals_are_gitlabs() {
    let fake = fixture();
    let owner_level = seed(
        &fake,
        json!({"project": 10, "name": "o", "access_level": "owner"}),
    )[0]["id"]
        .as_u64()
        .unwrap();
    let dev = seed(
        &fake,
        json!({"project": 10, "name": "d", "access_level": 30}),
    )[0]
    .clone();
    let expired = seed(
        &fake,
        json!({"project": 10, "name": "e", "expires_at": "2031-02-01"}),
    )[0]["id"]
        .as_u64()
        .unwrap();
    let rotate = |id: &str, who: Option<&str>| {
        post(
            &fake,
            &format!("/projects/10/access_tokens/{id}/rotate"),
            who,
            &json!({}),
        )
    };
    let unauthorized = message("401 Unauthorized");

    // Without the role, or a missing token: 401 for everyone but administrators (404).
    expect(
        &rotate(&dev["id"].to_string(), BOB),
        401,
        unauthorized.clone(),
    );
    expect(&rotate("999", ALICE), 401, unauthorized.clone());
    expect(&rotate("999", ADMIN), 404, message("404 Not Found"));
    expect(
        &rotate(&expired.to_string(), ALICE),
        401,
        unauthorized.clone(),
    );
    // Not above the caller's own level.
    expect(
        &rotate(&owner_level.to_string(), ALICE),
        400,
        message(
            "400 Bad request - Not eligible to rotate tokens with permissions not held by the user",
        ),
    );
    assert_eq!(rotate(&owner_level.to_string(), ADMIN).status, 200);
    // A resource token may not rotate another one.
    let dev_value = dev["token"].as_str().unwrap();
    let another = seed(&fake, json!({"project": 10, "name": "n"}))[0]["id"].to_string();
    expect(&rotate(&another, Some(dev_value)), 401, unauthorized);
    assert_eq!(rotate(&dev["id"].to_string(), ALICE).status, 200);
}

#[test]
fn a_resource_token_rotates_itself() {
    let fake = fixture();
    let made = seed(
        &fake,
        json!({"group": "acme", "name": "self", "scopes": ["self_rotate"]}),
    )[0]
    .clone();
    let value = made["token"].as_str().unwrap().to_string();
    let rotated = post(
        &fake,
        "/groups/acme/access_tokens/self/rotate",
        Some(&value),
        &json!({"expires_at": "2031-04-01"}),
    );
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let rotated = rotated.json();
    assert_eq!(rotated["expires_at"], "2031-04-01");
    assert_eq!(rotated["user_id"], made["user_id"]);
    assert_eq!(
        get(&fake, "/user", Some(&value)).status,
        401,
        "the old value is dead"
    );
    let new_value = rotated["token"].as_str().unwrap();

    // Only a resource token may, only with api or self_rotate, and only in its own group.
    expect(
        &post(
            &fake,
            "/groups/acme/access_tokens/self/rotate",
            JSMITH,
            &json!({}),
        ),
        405,
        message("405 Method Not Allowed"),
    );
    let reader = seed(
        &fake,
        json!({"group": "acme", "name": "r", "scopes": ["read_api"]}),
    )[0]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = post(
        &fake,
        "/groups/acme/access_tokens/self/rotate",
        Some(&reader),
        &json!({}),
    );
    assert_eq!(
        (refused.status, refused.json()["error"].clone()),
        (403, json!("insufficient_scope"))
    );
    for (group, status, body) in [
        ("acme%2Fplatform", 401, message("401 Unauthorized")),
        ("open", 401, message("401 Unauthorized")),
        ("solo", 404, message("404 Group Not Found")),
    ] {
        let path = format!("/groups/{group}/access_tokens/self/rotate");
        expect(
            &post(&fake, &path, Some(new_value), &json!({})),
            status,
            body,
        );
    }
}

#[test]
fn the_control_api_seeds_checks_and_resets() {
    let fake = fixture();
    let groups = ok(&fake, "GET", "/__fake/groups", &json!({}));
    assert_eq!(groups.as_array().unwrap().len(), 3);
    assert_eq!(
        groups[0]["members"],
        json!([{"user_id": 42, "access_level": 50}, {"user_id": 43, "access_level": 40}])
    );
    assert_eq!(groups[1]["name"], "platform");
    let projects = ok(&fake, "GET", "/__fake/projects", &json!({}));
    assert_eq!(projects[1]["visibility"], "private");

    let next = ok(
        &fake,
        "POST",
        "/__fake/groups",
        &json!({"full_path": "acme/new"}),
    );
    assert_eq!(next["id"], 4, "the next id of its kind");
    let taken = fake.call(
        "POST",
        "/__fake/projects",
        None,
        Some(&json!({"full_path": "ACME"})),
    );
    assert_eq!(taken.status, 409);
    for bad in [
        json!({"full_path": "a b"}),
        json!({"full_path": "x", "visibility": "secret"}),
        json!({"full_path": "x", "members": [{"username": "nobody", "access_level": 10}]}),
        json!({"full_path": "x", "members": [{"user_id": 42, "access_level": 45}]}),
    ] {
        assert_eq!(
            fake.call("POST", "/__fake/groups", None, Some(&bad)).status,
            400,
            "{bad}"
        );
    }
    // Bad token specs add nothing, not even a bot user.
    let users_before = get(&fake, "/users", ADMIN).json().as_array().unwrap().len();
    for bad in [
        json!({"name": "x"}),
        json!({"group": 99, "name": "x"}),
        json!({"group": 1, "name": "x", "access_level": "boss"}),
        json!({"group": 1, "name": "x", "count": 2, "value": "v"}),
        json!({"group": 1, "name": "x", "expires_at": "soon"}),
    ] {
        assert_eq!(
            fake.call("POST", "/__fake/resource-tokens", None, Some(&bad))
                .status,
            400,
            "{bad}"
        );
    }
    assert_eq!(
        get(&fake, "/users", ADMIN).json().as_array().unwrap().len(),
        users_before
    );
    let seeded = seed(
        &fake,
        json!({"group": 1, "name": "s", "value": "known-value"}),
    );
    assert_eq!(seeded[0]["token"], "known-value");
    assert_eq!(
        get(&fake, "/users", ADMIN).json().as_array().unwrap().len(),
        users_before + 1
    );
    let all = ok(&fake, "GET", "/__fake/resource-tokens", &json!({}));
    assert_eq!(all[0]["token"], "known-value");
    assert_eq!(all[0]["previous_id"], Value::Null);

    assert_eq!(fake.call("POST", "/__fake/reset", None, None).status, 204);
    assert_eq!(ok(&fake, "GET", "/__fake/groups", &json!({})), json!([]));
    assert_eq!(
        ok(&fake, "GET", "/__fake/resource-tokens", &json!({})),
        json!([])
    );
    assert_eq!(
        fake.call("DELETE", "/__fake/groups", None, None).status,
        405
    );
}
