//! Network faults through the real binary: each gets an error of the right kind, a create that
//! may have reached GitLab is never retried and says how to check, and a failure before sending
//! says a retry is safe. Faults come from the fake GitLab's injections or from a socket that
//! misbehaves on purpose.

mod common;

use common::{EngineSetup, Fake};
use gitlabcli::error::ErrorKind;
use serde_json::json;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const ACCESS: &str = "glpat-network-faults-access";

/// A self-service create: one POST, no lookups before it.
fn self_service() -> serde_json::Value {
    json!({"name": "ci", "scopes": ["k8s_proxy"]})
}

/// An admin-endpoint create: `GET /user` comes first.
fn admin_create() -> serde_json::Value {
    json!({"name": "ci", "scopes": ["api"]})
}

/// A server on loopback that reads each request and then does `behave` with the connection.
/// Counts the requests it read.
struct Misbehaving {
    url: String,
    requests: Arc<AtomicUsize>,
}

impl Misbehaving {
    fn start(behave: fn(TcpStream)) -> Misbehaving {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let counter = counter.clone();
                std::thread::spawn(move || {
                    if read_request(&mut stream) {
                        counter.fetch_add(1, Ordering::SeqCst);
                        behave(stream);
                    }
                });
            }
        });
        Misbehaving { url, requests }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Read one request's head and body; false when the peer went away first.
fn read_request(stream: &mut TcpStream) -> bool {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return true;
            }
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
}

fn answer(mut stream: TcpStream, status: &str, content_type: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// An engine for `url` with short timeouts, so a silent server fails the test quickly.
fn engine_for(url: &str) -> common::Engine {
    EngineSetup::env_site(url, ACCESS)
        .var("GITLABCLI_TIMEOUT_SECONDS", "0.5")
        .var("GITLABCLI_CONNECT_TIMEOUT_SECONDS", "2")
        .start()
}

fn assert_no_secret(engine: &common::Engine) {
    for line in &engine.raw {
        assert!(!line.contains(ACCESS), "access token in {line}");
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn connection_refused_is_network_and_safe_to_retry() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let mut engine = engine_for(&url);
    for params in [self_service(), admin_create()] {
        let reply = engine.create(params);
        let error = reply.error();
        assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
        assert!(error.message.contains("refused"), "{}", error.message);
        assert!(
            error.hint.as_deref().unwrap().contains("safe to try again")
                || error.hint.as_deref().unwrap().contains("reachable"),
            "{error:?}"
        );
    }
    assert_no_secret(&engine);
}

#[test]
fn dns_failure_is_network_and_names_the_host() {
    let mut engine = engine_for("http://gitlab.invalid");
    let reply = engine.create(self_service());
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
    assert!(
        error.message.contains("gitlab.invalid") && error.message.contains("resolved"),
        "{}",
        error.message
    );
    assert!(
        error
            .hint
            .as_deref()
            .unwrap()
            .contains("Nothing reached GitLab")
    );
    assert_no_secret(&engine);
}

#[test]
fn a_read_timeout_on_a_lookup_is_network_and_names_the_setting() {
    let server = Misbehaving::start(|stream| {
        std::thread::sleep(Duration::from_secs(10));
        drop(stream);
    });
    let mut engine = engine_for(&server.url);
    let reply = engine.create(admin_create());
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
    assert!(error.message.contains("timed out"), "{}", error.message);
    assert!(
        error
            .hint
            .as_deref()
            .unwrap()
            .contains("GITLABCLI_TIMEOUT_SECONDS"),
        "{error:?}"
    );
    assert_eq!(server.requests(), 1);
}

#[test]
fn a_read_timeout_after_the_create_was_sent_is_outcome_unknown_and_not_retried() {
    let server = Misbehaving::start(|stream| {
        std::thread::sleep(Duration::from_secs(10));
        drop(stream);
    });
    let mut engine = engine_for(&server.url);
    let reply = engine.create(self_service());
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::OutcomeUnknown, "{error:?}");
    assert!(
        error.message.contains("may have been created") && error.message.contains("'ci'"),
        "{}",
        error.message
    );
    let hint = error.hint.as_deref().unwrap();
    assert!(hint.contains("Get-GitlabPersonalAccessToken"), "{hint}");
    assert!(
        hint.contains(&format!(
            "{}/-/user_settings/personal_access_tokens",
            server.url
        )),
        "{hint}"
    );
    assert_eq!(server.requests(), 1, "the create is never retried");
    assert_no_secret(&engine);
}

#[test]
fn a_connection_dropped_after_the_create_was_sent_is_outcome_unknown() {
    let server = Misbehaving::start(drop);
    let mut engine = engine_for(&server.url);
    let reply = engine.create(self_service());
    assert_eq!(reply.error().kind, ErrorKind::OutcomeUnknown, "{reply:?}");
    assert_eq!(server.requests(), 1, "the create is never retried");
    // A lookup that is dropped is a plain network error: nothing was changed.
    let reply = engine.create(admin_create());
    assert_eq!(reply.error().kind, ErrorKind::Network, "{reply:?}");
}

#[test]
fn a_5xx_on_the_create_is_outcome_unknown_and_sent_once() {
    let fake = Fake::start();
    let mut engine = EngineSetup::env_site(&fake.url, &fake.user_token).start();
    fake.fail(
        1,
        500,
        "application/json",
        r#"{"message":"500 Internal Server Error"}"#,
    );
    let reply = engine.create(self_service());
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::OutcomeUnknown, "{error:?}");
    assert_eq!(error.status, Some(500));
    assert_eq!(
        error.gitlab_message.as_deref(),
        Some("500 Internal Server Error")
    );
    assert_eq!(
        fake.request_lines(),
        vec!["POST /api/v4/user/personal_access_tokens"],
        "one POST, no retry"
    );
    // A 5xx on a lookup is a server error: nothing was created.
    let mut engine = EngineSetup::env_site(&fake.url, &fake.admin_token).start();
    fake.fail(1, 503, "text/html", "<html>down</html>");
    let reply = engine.create(admin_create());
    assert_eq!(reply.error().kind, ErrorKind::ServerError);
    assert_eq!(reply.error().status, Some(503));
}

#[test]
fn html_or_empty_bodies_where_json_was_expected() {
    let html = Misbehaving::start(|s| answer(s, "200 OK", "text/html", "<html>login</html>"));
    let reply = engine_for(&html.url).create(admin_create());
    assert_eq!(reply.error().kind, ErrorKind::ServerError, "{reply:?}");
    assert!(reply.error().message.contains("not JSON"));

    let empty = Misbehaving::start(|s| answer(s, "200 OK", "application/json", ""));
    let reply = engine_for(&empty.url).create(admin_create());
    assert_eq!(reply.error().kind, ErrorKind::ServerError, "{reply:?}");

    // A create answered 201 with a body that is not JSON: the token exists but its value is lost.
    let created = Misbehaving::start(|s| answer(s, "201 Created", "text/html", "<p>ok</p>"));
    let reply = engine_for(&created.url).create(self_service());
    assert_eq!(reply.error().kind, ErrorKind::OutcomeUnknown, "{reply:?}");
    assert_eq!(reply.error().status, Some(201));
    assert_eq!(created.requests(), 1);
}

#[test]
fn rate_limits_are_waited_out_a_bounded_number_of_times_and_said_in_verbose() {
    let fake = Fake::start();
    let mut engine = EngineSetup::env_site(&fake.url, &fake.user_token).start();
    fake.rate_limit(5, 1);
    let reply = engine.create(self_service());
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::RateLimited, "{error:?}");
    assert_eq!(error.retry_after, Some(1));
    let statuses: Vec<u64> = fake
        .requests()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, vec![429, 429, 429], "three attempts in all");
    assert_eq!(reply.warnings().len(), 2, "{:?}", reply.warnings());
    let verbose = reply.verbose();
    assert_eq!(
        verbose.iter().filter(|v| v.contains("-> 429")).count(),
        3,
        "{verbose:?}"
    );
}

#[test]
fn a_redirect_to_another_host_never_carries_the_token() {
    let other = Misbehaving::start(|s| answer(s, "200 OK", "application/json", "{}"));
    let other_url = other.url.clone();
    // The redirecting server needs the other's URL: pass it through a static.
    static TARGET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TARGET.set(other_url).unwrap();
    let redirecting = Misbehaving::start(|mut s| {
        let _ = write!(
            s,
            "HTTP/1.1 302 Found\r\nLocation: {}/api/v4/user\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            TARGET.get().unwrap()
        );
    });
    let mut engine = engine_for(&redirecting.url);
    for params in [admin_create(), self_service()] {
        let reply = engine.create(params);
        let error = reply.error();
        assert_eq!(error.kind, ErrorKind::ServerError, "{error:?}");
        assert_eq!(error.status, Some(302));
        assert!(error.message.contains("redirect"), "{}", error.message);
    }
    assert_eq!(redirecting.requests(), 2);
    assert_eq!(other.requests(), 0, "nothing reached the other host");
}

#[test]
fn plain_http_to_a_remote_host_warns_once_and_loopback_does_not() {
    let mut engine = engine_for("http://gitlab.invalid");
    let first = engine.create(self_service());
    let warnings = first.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("plain http://") && warnings[0].contains("https://"));
    let second = engine.create(self_service());
    assert!(second.warnings().is_empty(), "once per pipeline");

    let fake = Fake::start();
    let mut engine = EngineSetup::env_site(&fake.url, &fake.user_token).start();
    let reply = engine.create(self_service());
    reply.token();
    assert!(reply.warnings().is_empty(), "{:?}", reply.warnings());
}

#[test]
fn a_bad_timeout_setting_is_a_config_error_and_sends_nothing() {
    let fake = Fake::start();
    let mut engine = EngineSetup::env_site(&fake.url, &fake.user_token)
        .var("GITLABCLI_TIMEOUT_SECONDS", "soon")
        .start();
    let reply = engine.create(self_service());
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(
        error
            .message
            .contains("GITLABCLI_TIMEOUT_SECONDS is 'soon'"),
        "{}",
        error.message
    );
    assert!(fake.requests().is_empty());
}

/// A loopback listener whose accept queue is full, so a new connection's SYN goes unanswered
/// and connecting hangs until the client gives up (Linux drops SYNs to a full accept queue).
/// `None` if a connection still completed after 16 tries.
#[cfg(target_os = "linux")]
fn listener_that_never_completes_a_connect() -> Option<(u16, Vec<std::net::TcpStream>, i32)> {
    use std::net::{SocketAddr, TcpStream};
    // SAFETY: plain socket calls on a descriptor this function owns; the address is a valid
    // sockaddr_in for its stated length.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(libc::bind(fd, (&raw const addr).cast(), len), 0);
        assert_eq!(libc::listen(fd, 0), 0);
        let mut bound: libc::sockaddr_in = std::mem::zeroed();
        let mut bound_len = len;
        libc::getsockname(fd, (&raw mut bound).cast(), &mut bound_len);
        let port = u16::from_be(bound.sin_port);
        let target: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        // Fill the queue (never accepted) until a connect no longer completes.
        let mut held = Vec::new();
        for _ in 0..16 {
            match TcpStream::connect_timeout(&target, Duration::from_millis(300)) {
                Ok(stream) => held.push(stream),
                Err(_) => return Some((port, held, fd)),
            }
        }
        libc::close(fd);
        None
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_connect_timeout_is_network_and_safe_even_for_a_create() {
    let (port, _held, fd) = listener_that_never_completes_a_connect()
        .expect("a full accept queue leaves new connects hanging on Linux");
    let url = format!("http://127.0.0.1:{port}");
    let mut engine = EngineSetup::env_site(&url, ACCESS)
        .var("GITLABCLI_CONNECT_TIMEOUT_SECONDS", "0.5")
        .start();
    let reply = engine.create(self_service());
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
    assert!(error.message.contains("timed out"), "{}", error.message);
    assert!(
        error
            .hint
            .as_deref()
            .unwrap()
            .contains("GITLABCLI_CONNECT_TIMEOUT_SECONDS"),
        "{error:?}"
    );
    // SAFETY: closing the listener this test created.
    unsafe { libc::close(fd) };
}
