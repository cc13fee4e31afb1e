//! create-personal-access-token through the real binary against the fake GitLab: the endpoint
//! rules, what is sent, expiry rules, validation and the result.

mod common;

use chrono::{Datelike, NaiveDate};
use common::{EngineSetup, Fake};
use gitlabcli::error::ErrorKind;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

fn admin(fake: &Fake) -> EngineSetup {
    EngineSetup::env_site(&fake.url, &fake.admin_token)
}

fn non_admin(fake: &Fake) -> EngineSetup {
    EngineSetup::env_site(&fake.url, &fake.user_token)
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn posts(fake: &Fake) -> Vec<Value> {
    fake.requests()
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .collect()
}

#[test]
fn self_service_scopes_use_the_endpoint_any_user_may_call() {
    let fake = Fake::start();
    let setup = non_admin(&fake);
    let mut engine = setup.start();
    let reply = engine.create(json!({"name": "kube", "scopes": ["k8s_proxy", "self_rotate"]}));
    let token = reply.token();
    assert_eq!(token.user_id, Some(42));
    assert_eq!(token.scopes, vec!["k8s_proxy", "self_rotate"]);
    assert_eq!(
        fake.request_lines(),
        vec!["POST /api/v4/user/personal_access_tokens"]
    );
}

#[test]
fn other_scopes_for_yourself_need_an_admin_and_use_your_id() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    let token = engine
        .create(json!({"name": "CI", "scopes": ["api"]}))
        .token()
        .clone();
    assert_eq!(token.user_id, Some(1));
    assert_eq!(
        fake.request_lines(),
        vec![
            "GET /api/v4/user",
            "POST /api/v4/users/1/personal_access_tokens"
        ]
    );
}

#[test]
fn a_non_admin_is_told_the_rule_and_the_admin_endpoint_is_never_called() {
    let fake = Fake::start();
    let setup = non_admin(&fake);
    let mut engine = setup.start();
    for params in [
        json!({"name": "CI", "scopes": ["api"]}),
        json!({"user": "alice", "name": "CI", "scopes": ["read_api"]}),
        json!({"user": "43", "name": "CI", "scopes": ["k8s_proxy"]}),
    ] {
        let reply = engine.create(params.clone());
        let error = reply.error();
        assert_eq!(error.kind, ErrorKind::Forbidden, "{params}");
        let hint = error.hint.as_deref().unwrap_or_default();
        assert!(
            hint.contains("administrators of self-managed or GitLab Dedicated"),
            "{hint}"
        );
        assert!(
            hint.contains("k8s_proxy") && hint.contains("self_rotate"),
            "{hint}"
        );
        assert!(
            error.message.contains("jsmith"),
            "names who the token belongs to: {}",
            error.message
        );
    }
    assert!(
        posts(&fake).is_empty(),
        "nothing was posted: {:?}",
        fake.request_lines()
    );
}

#[test]
fn a_user_id_is_used_as_given_and_a_username_is_looked_up() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    assert_eq!(
        engine
            .create(json!({"user": "43", "name": "a", "scopes": ["api"]}))
            .token()
            .user_id,
        Some(43)
    );
    assert_eq!(
        engine
            .create(json!({"user": "jsmith", "name": "b", "scopes": ["api"]}))
            .token()
            .user_id,
        Some(42)
    );
    assert_eq!(
        engine
            .create(json!({"user": "JSmith", "name": "c", "scopes": ["api"]}))
            .token()
            .user_id,
        Some(42)
    );
    assert_eq!(
        fake.request_lines(),
        vec![
            "GET /api/v4/user",
            "POST /api/v4/users/43/personal_access_tokens",
            "GET /api/v4/users?username=jsmith",
            "POST /api/v4/users/42/personal_access_tokens",
            "POST /api/v4/users/42/personal_access_tokens",
        ],
        "GET /user is asked once per process; a username is looked up once, whatever its case"
    );
}

#[test]
fn an_unknown_username_is_not_found_and_nothing_is_posted() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    let reply = engine.create(json!({"user": "nobody", "name": "x", "scopes": ["api"]}));
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert_eq!(error.parameter.as_deref(), Some("user"));
    assert!(error.message.contains("'nobody'"), "{}", error.message);
    assert!(posts(&fake).is_empty());

    // The same unknown username again (in another case): GitLab's answer is remembered.
    let again = engine.create(json!({"user": "NoBody", "name": "y", "scopes": ["api"]}));
    assert_eq!(again.error().kind, ErrorKind::NotFound);
    let lookups = fake
        .requests()
        .into_iter()
        .filter(|r| r["path"] == "/api/v4/users")
        .count();
    assert_eq!(
        lookups, 1,
        "an unknown username is looked up once per process"
    );
}

#[test]
fn a_failed_username_lookup_is_not_remembered() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    // The admin check (GET /user) is cached by the first create; then jsmith's lookup fails once
    // with a 500, which must not be remembered the way a not-found is.
    let first = engine.create(json!({"user": "alice", "name": "warm", "scopes": ["api"]}));
    assert!(first.token().token.is_some(), "{first:?}");
    fake.fail(
        1,
        500,
        "application/json",
        r#"{"message":"500 Internal Server Error"}"#,
    );
    let failed = engine.create(json!({"user": "jsmith", "name": "x", "scopes": ["api"]}));
    assert_eq!(failed.error().kind, ErrorKind::ServerError, "{failed:?}");
    let retried = engine.create(json!({"user": "jsmith", "name": "x", "scopes": ["api"]}));
    assert!(retried.token().token.is_some(), "{retried:?}");
}

#[test]
fn an_unknown_user_id_is_gitlabs_not_found() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    let reply = engine.create(json!({"user": "999", "name": "x", "scopes": ["api"]}));
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert_eq!(error.status, Some(404));
    assert_eq!(error.gitlab_message.as_deref(), Some("404 User Not Found"));
    assert!(error.message.contains("user #999"), "{}", error.message);
}

#[test]
fn malformed_users_are_refused_before_any_request() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    for user in ["../admin", "a b", "x/y", "0", "", "   "] {
        let reply = engine.create(json!({"user": user, "name": "x", "scopes": ["api"]}));
        assert_eq!(reply.error().kind, ErrorKind::InvalidArgument, "{user:?}");
        assert_eq!(reply.error().parameter.as_deref(), Some("user"));
    }
    assert!(fake.requests().is_empty());
}

#[test]
fn the_request_carries_the_token_header_a_user_agent_and_a_json_body() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    let expires = (today() + chrono::Days::new(30))
        .format("%Y-%m-%d")
        .to_string();
    engine.create(json!({"user": "42", "name": "CI Token", "scopes": ["api", "read_api", "api"], "expires_at": expires}));
    let post = posts(&fake).pop().expect("one POST");
    assert_eq!(post["headers"]["private-token"], fake.admin_token.as_str());
    let agent = post["headers"]["user-agent"].as_str().unwrap();
    assert!(
        agent.starts_with(&format!("GitlabCli/{}", env!("CARGO_PKG_VERSION"))),
        "{agent}"
    );
    assert!(
        post["headers"]["content-type"]
            .as_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(
        post["body"],
        json!({"name": "CI Token", "scopes": ["api", "read_api"], "expires_at": expires})
    );
}

#[test]
fn the_result_has_every_field_gitlab_returns_plus_the_site() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    let token = engine.create(json!({"user": "jsmith", "name": "full", "scopes": ["read_api"], "expire_in_months": 1})).token().clone();
    let stored = fake
        .tokens()
        .into_iter()
        .find(|t| t["name"] == "full")
        .expect("fake has the token");
    assert_eq!(
        token.token.as_ref().map(|t| t.expose().to_string()),
        stored["token"].as_str().map(str::to_string)
    );
    assert!(token.id > 0);
    assert_eq!(token.name, "full");
    assert!(!token.revoked);
    assert!(token.active);
    assert!(token.created_at.is_some());
    assert_eq!(token.scopes, vec!["read_api"]);
    assert_eq!(token.user_id, Some(42));
    assert_eq!(token.last_used_at, None);
    assert_eq!(
        token.expires_at,
        stored["expires_at"].as_str().map(str::to_string)
    );
    assert_eq!(token.site_url, fake.url);
    assert!(!token.copied_to_clipboard);
}

#[test]
fn expire_in_months_is_today_plus_calendar_months_sent_as_a_date() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    let before = today();
    let token = engine
        .create(json!({"name": "six", "scopes": ["api"], "expire_in_months": 6}))
        .token()
        .clone();
    let after = today();
    let sent = posts(&fake)[0]["body"]["expires_at"]
        .as_str()
        .unwrap()
        .to_string();
    let expected: Vec<String> = [before, after]
        .iter()
        .map(|d| {
            gitlabcli::dates::add_months(*d, 6)
                .unwrap()
                .format("%Y-%m-%d")
                .to_string()
        })
        .collect();
    assert!(
        expected.contains(&sent),
        "sent {sent}, expected one of {expected:?}"
    );
    assert_eq!(token.expires_at.as_deref(), Some(sent.as_str()));
    let date = NaiveDate::parse_from_str(&sent, "%Y-%m-%d").unwrap();
    assert!(date.month() != before.month() || date.year() != before.year());
}

#[test]
fn expires_at_accepts_iso_dates_and_date_times_and_sends_a_date() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    let day = today() + chrono::Days::new(40);
    let iso = day.format("%Y-%m-%d").to_string();
    for given in [
        iso.clone(),
        format!("{iso}T12:00:00"),
        day.format("%m/%d/%Y").to_string(),
    ] {
        fake.clear_requests();
        engine
            .create(json!({"name": "d", "scopes": ["api"], "expires_at": given}))
            .token();
        assert_eq!(
            posts(&fake)[0]["body"]["expires_at"],
            iso.as_str(),
            "given {given}"
        );
    }
}

#[test]
fn without_expiry_nothing_is_sent_and_the_instance_default_applies() {
    let fake = Fake::start();
    fake.settings(json!({"require_expiry": true, "max_lifetime_days": 30}));
    let setup = admin(&fake);
    let mut engine = setup.start();
    let token = engine
        .create(json!({"name": "default", "scopes": ["api"]}))
        .token()
        .clone();
    let body = &posts(&fake)[0]["body"];
    assert!(
        body.get("expires_at").is_none(),
        "no expires_at sent: {body}"
    );
    let default = (chrono::Utc::now().date_naive() + chrono::Days::new(30))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(token.expires_at.as_deref(), Some(default.as_str()));
}

#[test]
fn expiry_mistakes_are_refused_before_any_request() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    let cases = [
        (
            json!({"expires_at": "2099-01-01", "expire_in_months": 6}),
            "expires_at",
        ),
        (json!({"expire_in_months": 0}), "expire_in_months"),
        (
            json!({"expires_at": today().format("%Y-%m-%d").to_string()}),
            "expires_at",
        ),
        (json!({"expires_at": "2001-02-03"}), "expires_at"),
        (json!({"expires_at": "next tuesday"}), "expires_at"),
        (json!({"expires_at": "2027-02-30"}), "expires_at"),
    ];
    for (extra, parameter) in cases {
        let mut params = json!({"name": "x", "scopes": ["api"]});
        params
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let reply = engine.create(params.clone());
        assert_eq!(reply.error().kind, ErrorKind::InvalidArgument, "{params}");
        assert_eq!(
            reply.error().parameter.as_deref(),
            Some(parameter),
            "{params}"
        );
    }
    assert!(fake.requests().is_empty(), "{:?}", fake.request_lines());
}

#[test]
fn the_servers_maximum_lifetime_refusal_reaches_the_user_word_for_word() {
    let fake = Fake::start();
    fake.settings(json!({"require_expiry": true, "max_lifetime_days": 10}));
    let setup = admin(&fake);
    let mut engine = setup.start();
    let reply = engine.create(json!({"name": "long", "scopes": ["api"], "expire_in_months": 12}));
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::InvalidArgument);
    assert_eq!(error.status, Some(422));
    let said = error.gitlab_message.as_deref().unwrap();
    assert!(said.starts_with("Expires at must be before "), "{said}");
    assert!(error.message.contains(said), "{}", error.message);
}

#[test]
fn names_and_scopes_are_checked_before_any_request() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    let long = "n".repeat(256);
    let cases = [
        (json!({"scopes": ["api"]}), "name"),
        (json!({"name": "  ", "scopes": ["api"]}), "name"),
        (json!({"name": long, "scopes": ["api"]}), "name"),
        (json!({"name": "x"}), "scopes"),
        (json!({"name": "x", "scopes": []}), "scopes"),
        (
            json!({"name": "x", "scopes": ["api", "root_everything"]}),
            "scopes",
        ),
    ];
    for (params, parameter) in cases {
        let reply = engine.create(params.clone());
        let error = reply.error();
        assert_eq!(error.kind, ErrorKind::InvalidArgument, "{params}");
        assert_eq!(error.parameter.as_deref(), Some(parameter), "{params}");
    }
    let reply = engine.create(json!({"name": "x", "scopes": ["root_everything"]}));
    let message = &reply.error().message;
    assert!(
        message.contains("'root_everything'") && message.contains("read_virtual_registry"),
        "{message}"
    );
    assert!(fake.requests().is_empty());
}

#[test]
fn newer_gitlab_scopes_are_accepted() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    let scopes = [
        "self_rotate",
        "read_virtual_registry",
        "write_virtual_registry",
        "read_observability",
        "write_observability",
    ];
    let token = engine
        .create(json!({"name": "new", "scopes": scopes}))
        .token()
        .clone();
    assert_eq!(token.scopes, scopes);
}

#[test]
fn a_plan_sends_nothing_and_its_params_run_unchanged() {
    let fake = Fake::start();
    let setup = admin(&fake);
    let mut engine = setup.start();
    let reply = engine.plan(json!({"user": "@jsmith", "name": "CI Token", "scopes": ["API", "read_api", "api"], "expire_in_months": 6}));
    let plan = reply.plan().clone();
    let expires = gitlabcli::dates::add_months(today(), 6)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(plan.target, format!("user 'jsmith' on {}", fake.url));
    assert_eq!(
        plan.action,
        format!(
            "Create personal access token 'CI Token' (scopes: api, read_api; expires {expires})"
        )
    );
    assert_eq!(
        plan.params.create().unwrap().expires_at.as_deref(),
        Some(expires.as_str())
    );
    assert_eq!(plan.params.create().unwrap().expire_in_months, None);
    assert_eq!(
        plan.params.create().unwrap().site_url.as_deref(),
        Some(fake.url.as_str())
    );
    assert!(fake.requests().is_empty(), "a plan sends no HTTP");

    let run = engine.create(serde_json::to_value(&plan.params).unwrap());
    assert_eq!(run.token().user_id, Some(42));
    assert_eq!(posts(&fake)[0]["body"]["expires_at"], expires.as_str());
}

#[test]
fn the_plan_names_your_own_account_and_the_instance_default() {
    let fake = Fake::start();
    let setup = non_admin(&fake);
    let mut engine = setup.start();
    let plan = engine
        .plan(json!({"name": "kube", "scopes": ["k8s_proxy"], "copy_to_clipboard": true}))
        .plan()
        .clone();
    assert_eq!(plan.target, format!("your own account on {}", fake.url));
    assert_eq!(
        plan.action,
        "Create personal access token 'kube' (scopes: k8s_proxy; expiry: the instance's default; copy to clipboard)"
    );
    assert_eq!(plan.requests, vec!["POST /user/personal_access_tokens"]);
}
