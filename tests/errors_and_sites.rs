//! Every error kind through the real binary, rate limits, sites and proxies, one connection for a
//! pipeline, and secrets kept out of every stream.

mod common;

use common::{EngineSetup, Fake};
use gitlabcli::error::ErrorKind;
use gitlabcli::protocol::{Body, CommandResult, SiteSource};
use pretty_assertions::assert_eq;
use serde_json::json;

fn api_token(name: &str) -> serde_json::Value {
    json!({"name": name, "scopes": ["api"]})
}

#[test]
fn unauthorized_for_a_wrong_token() {
    let fake = Fake::start();
    let setup = EngineSetup::env_site(&fake.url, "glpat-wrong");
    let mut engine = setup.start();
    let reply = engine.create(api_token("x"));
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Unauthorized);
    assert_eq!(error.status, Some(401));
    assert_eq!(error.gitlab_message.as_deref(), Some("401 Unauthorized"));
    assert!(
        error
            .hint
            .as_deref()
            .unwrap()
            .contains("GITLAB_ACCESS_TOKEN")
    );
}

#[test]
fn unauthorized_for_an_expired_token_reads_the_oauth_shape() {
    let fake = Fake::start();
    let setup = EngineSetup::env_site(&fake.url, "fake-expired-token");
    let mut engine = setup.start();
    let reply = engine.create(api_token("x"));
    assert_eq!(reply.error().kind, ErrorKind::Unauthorized);
    assert_eq!(
        reply.error().gitlab_message.as_deref(),
        Some("invalid_token: Token has expired.")
    );
}

#[test]
fn forbidden_from_the_create_call_explains_the_rule() {
    let fake = Fake::start();
    let setup = EngineSetup::env_site(&fake.url, &fake.admin_token);
    let mut engine = setup.start();
    engine.create(api_token("warm the cache")).token();
    fake.fail(1, 403, "application/json", r#"{"message":"403 Forbidden"}"#);
    let reply = engine.create(json!({"user": "42", "name": "x", "scopes": ["api"]}));
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Forbidden);
    assert_eq!(error.status, Some(403));
    assert_eq!(error.gitlab_message.as_deref(), Some("403 Forbidden"));
    assert!(
        error
            .hint
            .as_deref()
            .unwrap()
            .contains("Only administrators")
    );
}

#[test]
fn server_errors_with_json_and_with_an_html_page() {
    let fake = Fake::start();
    let setup = EngineSetup::env_site(&fake.url, &fake.admin_token);
    let mut engine = setup.start();
    fake.fail(
        1,
        500,
        "application/json",
        r#"{"message":"500 Internal Server Error"}"#,
    );
    let reply = engine.create(api_token("x"));
    assert_eq!(reply.error().kind, ErrorKind::ServerError);
    assert_eq!(
        reply.error().gitlab_message.as_deref(),
        Some("500 Internal Server Error")
    );
    fake.fail(
        1,
        502,
        "text/html",
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
    );
    let reply = engine.create(api_token("y"));
    assert_eq!(reply.error().kind, ErrorKind::ServerError);
    assert_eq!(reply.error().status, Some(502));
    assert_eq!(
        reply.error().gitlab_message,
        None,
        "an HTML page is not GitLab's words"
    );
}

#[test]
fn validation_error_bodies_are_flattened() {
    let fake = Fake::start();
    let setup = EngineSetup::env_site(&fake.url, &fake.admin_token);
    let mut engine = setup.start();
    engine.create(api_token("warm")).token();
    fake.fail(
        1,
        400,
        "application/json",
        r#"{"message":{"name":["has already been taken"]}}"#,
    );
    let reply = engine.create(api_token("dup"));
    assert_eq!(reply.error().kind, ErrorKind::InvalidArgument);
    assert_eq!(
        reply.error().gitlab_message.as_deref(),
        Some("name has already been taken")
    );
}

#[test]
fn a_short_rate_limit_is_waited_out_with_a_warning() {
    let fake = Fake::start();
    let setup = EngineSetup::env_site(&fake.url, &fake.user_token);
    let mut engine = setup.start();
    fake.rate_limit(1, 1);
    let reply = engine.create(json!({"name": "k", "scopes": ["k8s_proxy"]}));
    reply.token();
    let warnings = reply.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("429") && warnings[0].contains("1 s"),
        "{}",
        warnings[0]
    );
    assert!(
        reply
            .messages
            .iter()
            .any(|m| matches!(m.body, Body::Progress { .. })),
        "progress while waiting"
    );
    let statuses: Vec<u64> = fake
        .requests()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, vec![429, 201]);
}

#[test]
fn a_long_rate_limit_is_an_error_with_the_wait() {
    let fake = Fake::start();
    let setup = EngineSetup::env_site(&fake.url, &fake.user_token);
    let mut engine = setup.start();
    fake.rate_limit(1, 3600);
    let reply = engine.create(json!({"name": "k", "scopes": ["k8s_proxy"]}));
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::RateLimited);
    assert_eq!(error.status, Some(429));
    assert_eq!(error.retry_after, Some(3600));
    assert_eq!(error.gitlab_message.as_deref(), Some("Retry later"));
    assert_eq!(fake.requests().len(), 1, "no retry for a long wait");
}

#[test]
fn network_errors_name_the_site() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let setup = EngineSetup::env_site(&url, "glpat-x");
    let mut engine = setup.start();
    let reply = engine.create(json!({"name": "k", "scopes": ["k8s_proxy"]}));
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Network);
    assert!(error.message.contains(&url), "{}", error.message);
    assert!(
        error
            .hint
            .as_deref()
            .unwrap()
            .contains("Nothing reached GitLab"),
        "a refused connection sent nothing, so the hint says a retry is safe"
    );
}

#[test]
fn config_errors_say_how_to_configure() {
    let setup = EngineSetup::new();
    let mut engine = setup.start();
    let reply = engine.plan(api_token("x"));
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Config);
    let text = format!(
        "{} {}",
        error.message,
        error.hint.clone().unwrap_or_default()
    );
    assert!(text.contains("GITLAB_ACCESS_TOKEN"), "{text}");
    assert!(
        text.contains(&setup.config_path().display().to_string()),
        "names the real config path: {text}"
    );
}

#[test]
fn an_unknown_site_lists_the_configured_ones_without_falling_back() {
    let fake = Fake::start();
    let setup = EngineSetup::new().config(&format!(
        "Sites:\n- Url: {}\n  AccessToken: {}\n  IsDefault: 'true'\n- Url: https://other.example.com\n  AccessToken: glpat-other\n",
        fake.url, fake.admin_token
    ));
    let mut engine = setup.start();
    let reply = engine
        .create(json!({"name": "x", "scopes": ["api"], "site_url": "https://gitlab.example.org"}));
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(
        error.message.contains(&fake.url) && error.message.contains("https://other.example.com"),
        "{}",
        error.message
    );
    assert!(!error.message.contains("glpat-other") && !error.message.contains(&fake.admin_token));
    assert!(fake.requests().is_empty());
}

#[test]
fn the_config_default_is_used_and_a_site_url_picks_its_entry() {
    let fake = Fake::start();
    let setup = EngineSetup::new().config(&format!(
        "Sites:\n- Url: https://unused.example.com\n  AccessToken: glpat-unused\n- Url: {}/\n  AccessToken: {}\n  IsDefault: true\n",
        fake.url, fake.user_token
    ));
    let mut engine = setup.start();
    let token = engine
        .create(json!({"name": "k", "scopes": ["k8s_proxy"]}))
        .token()
        .clone();
    assert_eq!(token.site_url, fake.url);
    let without_scheme = fake.url.trim_start_matches("http://").to_string();
    let reply = engine.plan(json!({"name": "k", "scopes": ["k8s_proxy"], "site_url": format!("http://{without_scheme}/")}));
    assert_eq!(reply.plan().params.site_url(), Some(fake.url.as_str()));
}

#[test]
fn the_environment_site_wins_over_the_config_default() {
    let fake = Fake::start();
    let setup = EngineSetup::env_site(&fake.url, &fake.user_token)
        .config("Sites:\n- Url: https://config.example.com\n  AccessToken: glpat-config\n  IsDefault: true\n");
    let mut engine = setup.start();
    let plan = engine
        .plan(json!({"name": "k", "scopes": ["k8s_proxy"]}))
        .plan()
        .clone();
    assert_eq!(plan.params.site_url(), Some(fake.url.as_str()));
    let reply = engine.call("run", "list-sites", json!({}));
    let Body::Result {
        result: CommandResult::Sites(list),
    } = reply.terminal()
    else {
        panic!("{:?}", reply.terminal())
    };
    let summary: Vec<(String, bool, SiteSource)> = list
        .sites
        .iter()
        .map(|s| (s.url.clone(), s.is_default, s.source))
        .collect();
    assert_eq!(
        summary,
        vec![
            (fake.url.clone(), true, SiteSource::Environment),
            (
                "https://config.example.com".to_string(),
                false,
                SiteSource::ConfigFile
            ),
        ]
    );
    assert!(
        !engine
            .raw
            .iter()
            .any(|l| l.contains("glpat-config") || l.contains(&fake.user_token))
    );
}

#[test]
fn a_site_proxy_url_is_honoured() {
    let fake = Fake::start();
    let setup = EngineSetup::new().config(&format!(
        "Sites:\n- Url: http://gitlab.example.test\n  AccessToken: {}\n  ProxyUrl: {}\n  IsDefault: true\n",
        fake.user_token, fake.proxy_url
    ));
    let mut engine = setup.start();
    let token = engine
        .create(json!({"name": "via proxy", "scopes": ["k8s_proxy"]}))
        .token()
        .clone();
    assert_eq!(token.site_url, "http://gitlab.example.test");
    let request = &fake.requests()[0];
    assert_eq!(request["via_proxy"], true);
    assert_eq!(request["proxy_target"], "gitlab.example.test:80");
}

#[test]
fn a_pipeline_of_many_requests_shares_one_process_and_one_connection() {
    let fake = Fake::start();
    let users: Vec<_> = (0..40)
        .map(|i| json!({"username": format!("svc-{i:03}")}))
        .collect();
    fake.add_users(json!({"users": users}));
    let setup = EngineSetup::env_site(&fake.url, &fake.admin_token);
    let mut engine = setup.start();
    let mut ids = Vec::new();
    for i in 0..40 {
        let token = engine.create(json!({"user": format!("svc-{i:03}"), "name": format!("svc token {i}"), "scopes": ["read_api"]})).token().clone();
        ids.push(token.user_id.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 40, "every record got its own user's token");
    let requests = fake.requests();
    assert_eq!(
        requests.len(),
        1 + 40 * 2,
        "GET /user once, then a lookup and a POST per record"
    );
    let connections: std::collections::BTreeSet<u64> = requests
        .iter()
        .map(|r| r["connection"].as_u64().unwrap())
        .collect();
    assert_eq!(
        connections.len(),
        1,
        "one keep-alive connection: {connections:?}"
    );
    let (ok, stderr) = engine.finish();
    assert!(ok && stderr.is_empty());
}

#[test]
fn secrets_never_leave_through_any_stream_but_the_result() {
    let fake = Fake::start();
    let setup = EngineSetup::env_site(&fake.url, &fake.admin_token);
    let mut engine = setup.start();
    let token = engine
        .create(json!({"user": "jsmith", "name": "s", "scopes": ["api"]}))
        .token()
        .clone();
    let secret = token.token.as_ref().unwrap().expose().to_string();
    fake.fail(
        1,
        401,
        "application/json",
        r#"{"message":"401 Unauthorized"}"#,
    );
    engine
        .create(json!({"user": "jsmith", "name": "t", "scopes": ["api"]}))
        .error();
    engine
        .plan(json!({"user": "jsmith", "name": "u", "scopes": ["api"]}))
        .plan();

    let mut result_lines = 0;
    for line in &engine.raw {
        assert!(
            !line.contains(&fake.admin_token),
            "access token leaked: {line}"
        );
        let is_result = line.contains("\"type\":\"result\"");
        if line.contains(&secret) {
            assert!(is_result, "new token outside its result: {line}");
            result_lines += 1;
        }
    }
    assert_eq!(result_lines, 1);
    let verbose = engine
        .raw
        .iter()
        .filter(|l| l.contains("\"type\":\"verbose\""))
        .count();
    assert!(verbose >= 3, "verbose lines were produced and checked");
    assert!(
        engine
            .raw
            .iter()
            .any(|l| l.contains("\"type\":\"debug\"") && l.contains("REDACTED"))
    );
}

#[test]
fn verbose_lines_give_method_url_status_and_time() {
    let fake = Fake::start();
    let setup = EngineSetup::env_site(&fake.url, &fake.user_token);
    let mut engine = setup.start();
    let reply = engine.create(json!({"name": "k", "scopes": ["k8s_proxy"]}));
    let verbose = reply.verbose();
    assert_eq!(verbose.len(), 1, "{verbose:?}");
    let line = &verbose[0];
    assert!(
        line.starts_with(&format!(
            "POST {}/api/v4/user/personal_access_tokens -> 201",
            fake.url
        )),
        "{line}"
    );
    assert!(line.ends_with(" ms)"), "{line}");
}
