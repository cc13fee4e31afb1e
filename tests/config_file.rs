//! The configuration as a user meets it, through the real engine: the config file's kinds (FIFO,
//! device, symlink, directory, huge, not UTF-8), its oddities (two defaults, one URL twice), the
//! warnings every command forwards, proxies and plain HTTP, scheme matching, URLs without a
//! scheme or with `/api/v4`, and the messages when nothing is configured.
//!
//! Every engine here runs with a deadline, so a config file that would make it hang fails the
//! test instead of hanging it.

mod common;

use common::{EngineSetup, Fake, engine_path};
use gitlabcli::error::{Error, ErrorKind};
use gitlabcli::protocol::{Body, Message};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The messages of one engine that was sent `lines` and then end of input; panics when it has
/// not finished within 30 seconds (it is killed first).
fn run_lines(setup: &EngineSetup, lines: &[String]) -> Vec<Message> {
    let mut child = setup
        .command(&["serve"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start gitlabcli serve");
    let mut stdin = child.stdin.take().unwrap();
    for line in lines {
        writeln!(stdin, "{line}").unwrap();
    }
    drop(stdin);
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<String>>()
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the engine did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    reader
        .join()
        .unwrap()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn line(id: &str, mode: &str, command: &str, params: Value) -> String {
    json!({"v": 1, "id": id, "mode": mode, "command": command, "params": params}).to_string()
}

/// A create request (plan or run) for the site `site_url`.
fn create_at(mode: &str, site_url: &str) -> String {
    line(
        mode,
        mode,
        "create-personal-access-token",
        json!({"name": "k", "scopes": ["k8s_proxy"], "site_url": site_url}),
    )
}

fn create_line(mode: &str) -> String {
    line(
        mode,
        mode,
        "create-personal-access-token",
        json!({"name": "k", "scopes": ["k8s_proxy"]}),
    )
}

/// The terminal error of the only request.
fn only_error(messages: &[Message]) -> Error {
    match &messages.last().expect("a message").body {
        Body::Error { error } => error.clone(),
        other => panic!("expected an error, got {other:?}"),
    }
}

fn warnings(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| match &m.body {
            Body::Warning { message } => Some(message.clone()),
            _ => None,
        })
        .collect()
}

fn verbose(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| match &m.body {
            Body::Verbose { message } => Some(message.clone()),
            _ => None,
        })
        .collect()
}

fn everything(messages: &[Message]) -> String {
    messages
        .iter()
        .map(|m| serde_json::to_string(m).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn site_yaml(url: &str, token: &str) -> String {
    format!("Sites:\n- Url: {url}\n  AccessToken: {token}\n  IsDefault: true\n")
}

/// A home whose config file path is made by `make` (given the path) instead of written.
fn home_with(make: impl FnOnce(&std::path::Path)) -> EngineSetup {
    let setup = EngineSetup::new();
    let path = setup.config_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    make(&path);
    setup
}

// ---------------------------------------------------------------------------------------------
// file kinds

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let setup = home_with(|path| {
        let status = Command::new("mkfifo").arg(path).status().unwrap();
        assert!(status.success());
    });
    let error = only_error(&run_lines(&setup, &[create_line("plan")]));
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(
        error
            .message
            .contains("is a FIFO (named pipe), not a regular file"),
        "{}",
        error.message
    );
    assert!(
        error
            .message
            .contains(&setup.config_path().display().to_string()),
        "{}",
        error.message
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_to_dev_zero_is_refused_naming_the_target() {
    let setup = home_with(|path| std::os::unix::fs::symlink("/dev/zero", path).unwrap());
    let error = only_error(&run_lines(&setup, &[create_line("plan")]));
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(
        error
            .message
            .contains("is a character device (a link to /dev/zero), not a regular file"),
        "{}",
        error.message
    );
}

#[test]
fn a_directory_is_refused_as_such() {
    let setup = home_with(|path| std::fs::create_dir(path).unwrap());
    let error = only_error(&run_lines(&setup, &[create_line("plan")]));
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(
        error.message.contains("is a directory, not a regular file"),
        "{}",
        error.message
    );
}

#[test]
fn a_file_over_the_size_limit_names_its_size_and_the_limit() {
    let setup = home_with(|path| {
        let mut text = String::from("Sites:\n");
        while text.len() <= 2 * 1024 * 1024 {
            text.push_str("- Url: https://a.example\n  AccessToken: glpat-xxxxxxxxxxxxxxxxxxxx\n");
        }
        std::fs::write(path, text).unwrap();
    });
    let size = std::fs::metadata(setup.config_path()).unwrap().len();
    let error = only_error(&run_lines(&setup, &[create_line("plan")]));
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(
        error.message.contains(&format!(
            "is {size} bytes; a config file may be at most 1048576 bytes (1 MiB)"
        )),
        "{}",
        error.message
    );
    assert!(!error.message.contains("budget"), "{}", error.message);
}

#[test]
fn a_file_that_is_not_utf8_names_the_line_and_column() {
    let setup = home_with(|path| {
        std::fs::write(
            path,
            b"Sites:\n- Url: https://a.example\n  AccessToken: gl\xffpat\n".as_slice(),
        )
        .unwrap()
    });
    let error = only_error(&run_lines(&setup, &[create_line("plan")]));
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(
        error
            .message
            .contains("is not UTF-8 text: byte 0xFF at line 3, column 18"),
        "{}",
        error.message
    );
    let setup = home_with(|path| std::fs::write(path, b"\xff\xfeS\0i\0t\0e\0s\0:\0").unwrap());
    let error = only_error(&run_lines(&setup, &[create_line("plan")]));
    assert!(error.message.contains("is UTF-16"), "{}", error.message);
}

#[test]
fn a_yaml_error_gives_the_parsers_reason_without_token_values() {
    let token = "glpat-SECRETSECRETSECRET12";
    let setup = EngineSetup::new().config(&format!(
        "Sites:\n- Url: https://a.example\n  AccessToken: {token}\n  AccessToken: {token}x\n"
    ));
    let error = only_error(&run_lines(&setup, &[create_line("plan")]));
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(
        error
            .message
            .contains("is not valid YAML (line 4, column 3: duplicate mapping key: AccessToken)"),
        "{}",
        error.message
    );
    let setup = EngineSetup::new().config(&format!(
        "Sites:\n- Url: https://a.example\n  AccessToken: \"{token}\n"
    ));
    let messages = run_lines(&setup, &[create_line("plan")]);
    let error = only_error(&messages);
    assert!(
        error
            .message
            .contains("is not valid YAML (line 3, column 16: unclosed quote)"),
        "{}",
        error.message
    );
    assert!(!everything(&messages).contains("SECRET"));
}

// ---------------------------------------------------------------------------------------------
// read once

#[cfg(target_os = "linux")]
#[test]
fn the_config_file_is_read_once_for_a_whole_pipeline() {
    // strace counts the engine's opens of config.yml: plans and runs of five records.
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("strace is not installed; skipped");
        return;
    }
    let fake = Fake::start();
    let setup = EngineSetup::new().config(&site_yaml(&fake.url, &fake.user_token));
    let trace = setup.home.path().join("trace");
    let mut command = Command::new("strace");
    command
        .args(["-f", "-qq", "-e", "trace=openat,open", "-o"])
        .arg(&trace)
        .arg(engine_path())
        .arg("serve")
        .env_clear()
        .env("HOME", setup.home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for i in 0..5 {
            for mode in ["plan", "run"] {
                let l = line(
                    &format!("{mode}{i}"),
                    mode,
                    "create-personal-access-token",
                    json!({"name": format!("r{i}"), "scopes": ["k8s_proxy"]}),
                );
                writeln!(stdin, "{l}").unwrap();
            }
        }
    }
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(text.matches("\"type\":\"result\"").count(), 5, "{text}");
    let opens = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .filter(|l| l.contains("config.yml"))
        .count();
    assert_eq!(opens, 1, "config.yml opened {opens} times for 10 requests");
}

// ---------------------------------------------------------------------------------------------
// oddities

#[test]
fn two_default_sites_are_an_error_naming_both_lines_when_the_default_is_needed() {
    let fake = Fake::start();
    let setup = EngineSetup::new().config(&format!(
        "Sites:\n- Url: {}\n  AccessToken: {}\n  IsDefault: true\n- Url: https://b.example\n  AccessToken: glpat-b\n  IsDefault: true\n",
        fake.url, fake.user_token
    ));
    let messages = run_lines(&setup, &[create_line("run")]);
    let error = only_error(&messages);
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(
        error.message.contains(&format!(
            "sites 1 ({}, line 2) and 2 (https://b.example, line 5) in {} are both IsDefault: true",
            fake.url,
            setup.config_path().display()
        )),
        "{}",
        error.message
    );
    assert!(fake.requests().is_empty());
    // Naming a site still works, with a warning about the ambiguity.
    let messages = run_lines(&setup, &[create_at("run", &fake.url)]);
    assert!(matches!(messages.last().unwrap().body, Body::Result { .. }));
    assert!(
        warnings(&messages)
            .iter()
            .any(|w| w.contains("are both IsDefault: true")),
        "{messages:?}"
    );
}

#[test]
fn one_url_twice_is_an_error_naming_both_lines_when_that_site_is_used() {
    let fake = Fake::start();
    let setup = EngineSetup::new().config(&format!(
        "Sites:\n- Url: {0}\n  AccessToken: {1}\n  IsDefault: true\n- Url: {0}/\n  AccessToken: glpat-other\n- Url: https://c.example\n  AccessToken: glpat-c\n",
        fake.url, fake.user_token
    ));
    let error = only_error(&run_lines(&setup, &[create_line("run")]));
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(
        error.message.contains(&format!(
            "Sites 1 (line 2) and 2 (line 5) in {} both have the Url {}",
            setup.config_path().display(),
            fake.url
        )),
        "{}",
        error.message
    );
    assert!(fake.requests().is_empty());
    let messages = run_lines(&setup, &[create_at("plan", "https://c.example")]);
    assert!(matches!(messages.last().unwrap().body, Body::Plan { .. }));
    assert!(
        warnings(&messages)
            .iter()
            .any(|w| w.contains("both have the Url")),
        "{messages:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// warnings reach every command

#[cfg(unix)]
#[test]
fn config_warnings_reach_every_command_once_per_process() {
    use std::os::unix::fs::PermissionsExt;
    let fake = Fake::start();
    let seeded = fake.seed_tokens(json!({"tokens": [
        {"username": "alice", "name": "a"}, {"username": "alice", "name": "b"},
        {"username": "alice", "name": "c"}, {"username": "alice", "name": "d"}
    ]}));
    let id = |i: usize| seeded[i]["id"].as_u64().unwrap().to_string();
    let setup = EngineSetup::new().config(&site_yaml(&fake.url, &fake.admin_token));
    std::fs::set_permissions(setup.config_path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "list-sites",
            vec![line("1", "run", "list-sites", json!({}))],
        ),
        (
            "list",
            vec![line("1", "run", "list-personal-access-tokens", json!({}))],
        ),
        (
            "get",
            vec![line(
                "1",
                "run",
                "get-personal-access-token",
                json!({"token_id": id(0)}),
            )],
        ),
        (
            "rotate",
            vec![
                line(
                    "1",
                    "plan",
                    "rotate-personal-access-token",
                    json!({"token_id": id(1)}),
                ),
                line(
                    "2",
                    "run",
                    "rotate-personal-access-token",
                    json!({"token_id": id(1)}),
                ),
            ],
        ),
        (
            "rotate run",
            vec![line(
                "1",
                "run",
                "rotate-personal-access-token",
                json!({"token_id": id(2)}),
            )],
        ),
        (
            "revoke",
            vec![
                line(
                    "1",
                    "plan",
                    "revoke-personal-access-token",
                    json!({"token_id": id(3)}),
                ),
                line(
                    "2",
                    "run",
                    "revoke-personal-access-token",
                    json!({"token_id": id(3)}),
                ),
            ],
        ),
        ("create", vec![create_line("plan"), create_line("run")]),
    ];
    for (name, lines) in cases {
        let messages = run_lines(&setup, &lines);
        let found: Vec<String> = warnings(&messages)
            .into_iter()
            .filter(|w| w.contains("other users can read it (mode 644)"))
            .collect();
        assert_eq!(found.len(), 1, "{name}: {messages:?}");
        assert!(
            !matches!(messages.last().unwrap().body, Body::Error { .. }),
            "{name}: {messages:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// proxies and plain HTTP

#[test]
fn a_proxy_password_never_shows_in_the_config_error() {
    let setup = EngineSetup::new().config(
        "Sites:\n- Url: https://a.example\n  AccessToken: glpat-a\n  IsDefault: true\n  ProxyUrl: ftp://proxyuser:hunter2pass@proxy.example:3128\n",
    );
    let messages = run_lines(&setup, &[create_line("run")]);
    let error = only_error(&messages);
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(
        error
            .message
            .contains("has ProxyUrl 'ftp://REDACTED@proxy.example:3128'"),
        "{}",
        error.message
    );
    assert!(error.message.contains("(line 5)"), "{}", error.message);
    assert!(!everything(&messages).contains("hunter2pass"));
}

#[test]
fn plain_http_through_a_proxy_warns_and_names_the_proxy_in_verbose() {
    let fake = Fake::start();
    // A loopback site: only the proxy takes the token beyond this process.
    let proxy = fake
        .proxy_url
        .replacen("http://", "http://proxyuser:hunter2pass@", 1);
    let setup = EngineSetup::env_site(&fake.url, &fake.user_token).var("HTTP_PROXY", &proxy);
    let messages = run_lines(&setup, &[create_line("run")]);
    assert!(
        matches!(messages.last().unwrap().body, Body::Result { .. }),
        "{messages:?}"
    );
    let shown = fake.proxy_url.replacen("http://", "http://REDACTED@", 1);
    let warning = warnings(&messages)
        .into_iter()
        .find(|w| w.contains("unencrypted"))
        .unwrap_or_else(|| panic!("no warning: {messages:?}"));
    assert!(
        warning.contains(&format!("through the proxy {shown} (from HTTP_PROXY)")),
        "{warning}"
    );
    assert!(
        verbose(&messages)
            .iter()
            .any(|v| v.contains(&format!("via the proxy {shown} (from HTTP_PROXY)"))),
        "{messages:?}"
    );
    assert!(!everything(&messages).contains("hunter2pass"));
    assert_eq!(fake.requests()[0]["via_proxy"], true);
    // HTTPS through the same proxy: named in verbose, no warning.
    let setup = EngineSetup::env_site("https://gitlab.example.test", "glpat-x")
        .var("HTTP_PROXY", &proxy)
        .var("NO_PROXY", "gitlab.example.test");
    let messages = run_lines(&setup, &[create_line("run")]);
    assert!(
        !verbose(&messages).iter().any(|v| v.contains("proxy")),
        "NO_PROXY is honoured: {messages:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// URLs

#[test]
fn an_explicit_https_url_never_selects_an_http_site() {
    let fake = Fake::start();
    let setup = EngineSetup::new().config(&site_yaml(&fake.url, &fake.user_token));
    let https = fake.url.replacen("http://", "https://", 1);
    let messages = run_lines(&setup, &[create_at("run", &https)]);
    let error = only_error(&messages);
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(
        error.message.contains(&format!(
            "{} is configured for plain http://; an https:// URL never selects it",
            fake.url
        )),
        "{}",
        error.message
    );
    assert!(fake.requests().is_empty(), "nothing was sent");
    // Without a scheme the http site is found.
    let bare = fake.url.trim_start_matches("http://").to_string();
    let messages = run_lines(&setup, &[create_at("plan", &bare)]);
    assert!(matches!(messages.last().unwrap().body, Body::Plan { .. }));
}

#[test]
fn a_url_without_a_scheme_says_https_was_assumed_when_it_fails() {
    let fake = Fake::start();
    let bare = fake.url.trim_start_matches("http://").to_string();
    let setup = EngineSetup::env_site(&bare, &fake.user_token);
    let error = only_error(&run_lines(&setup, &[create_line("run")]));
    let text = format!(
        "{} {}",
        error.message,
        error.hint.clone().unwrap_or_default()
    );
    assert!(
        error.message.contains(&format!(
            "GITLAB_URL '{bare}' has no scheme, so https:// was assumed"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("write it as http://{bare}")),
        "{text}"
    );
}

#[test]
fn a_url_ending_in_api_v4_is_stripped_with_a_warning() {
    let fake = Fake::start();
    let setup = EngineSetup::env_site(&format!("{}/api/v4/", fake.url), &fake.user_token);
    let messages = run_lines(&setup, &[create_line("run")]);
    assert!(
        matches!(messages.last().unwrap().body, Body::Result { .. }),
        "{messages:?}"
    );
    assert_eq!(
        fake.request_lines(),
        vec!["POST /api/v4/user/personal_access_tokens".to_string()]
    );
    assert!(
        warnings(&messages).iter().any(|w| w.contains(&format!(
            "GITLAB_URL '{}/api/v4/' ends in /api/v4, which the engine adds itself; using {}",
            fake.url, fake.url
        ))),
        "{messages:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// nothing configured

#[test]
fn nothing_configured_says_it_once_and_names_the_missing_token() {
    let setup = EngineSetup::new();
    let error = only_error(&run_lines(&setup, &[create_line("plan")]));
    assert_eq!(error.kind, ErrorKind::Config);
    let hint = error.hint.clone().unwrap();
    assert!(
        !error.message.contains(&hint),
        "message and hint repeat each other: {} / {hint}",
        error.message
    );
    let setup = EngineSetup::new().var("GITLAB_URL", "https://gitlab.example.com");
    let error = only_error(&run_lines(&setup, &[create_line("plan")]));
    assert!(
        error.message.contains(
            "GITLAB_URL is set (https://gitlab.example.com) but GITLAB_ACCESS_TOKEN is not"
        ),
        "{}",
        error.message
    );
}
