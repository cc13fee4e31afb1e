//! Smoke test of the fake GitLab (`tests/fake-gitlab/`): starts the built example as a child
//! process and checks it answers as GitLab documents, records what it is sent, injects faults,
//! tunnels through its CONNECT proxy and ends when its stdin closes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A running fake, ended (stdin closed, then killed if need be) when dropped.
struct Fake {
    child: Child,
    stdin: Option<ChildStdin>,
    hello: Value,
    url: String,
    agent: ureq::Agent,
}

/// A response: status, selected headers and body text.
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: Option<String>,
    retry_after: Option<String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

/// The built fake. Plain `cargo test` builds examples first, but `cargo test --test
/// fake_gitlab_smoke` does not, so a missing or stale binary fails loudly instead of testing
/// old code.
fn fake_binary() -> PathBuf {
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_gitlabcli"))
        .parent()
        .expect("the binary has a directory")
        .to_path_buf();
    let path = bin_dir
        .join("examples")
        .join(format!("fake-gitlab{}", std::env::consts::EXE_SUFFIX));
    let rebuild = "run `cargo build --example fake-gitlab` (plain `cargo test` builds it too)";
    let built = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("{} is missing: {rebuild}", path.display()));
    let sources = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fake-gitlab");
    let newest_source = std::fs::read_dir(&sources)
        .expect("the fake's sources")
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let is_rust = entry.path().extension().is_some_and(|e| e == "rs");
            is_rust.then(|| entry.metadata().ok()?.modified().ok())?
        })
        .max()
        .expect("at least one source file");
    assert!(
        built >= newest_source,
        "{} is older than its sources: {rebuild}",
        path.display()
    );
    path
}

fn agent(proxy: Option<&str>) -> ureq::Agent {
    let proxy = proxy.map(|p| ureq::Proxy::new(p).expect("proxy URL"));
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(proxy)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

fn read_answer(mut response: ureq::http::Response<ureq::Body>) -> Answer {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let status = response.status().as_u16();
    let content_type = header("content-type");
    let retry_after = header("retry-after");
    let body = response.body_mut().read_to_string().expect("readable body");
    Answer {
        status,
        content_type,
        retry_after,
        body,
    }
}

impl Fake {
    fn start() -> Fake {
        let path = fake_binary();
        let mut child = Command::new(&path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
        let stdin = child.stdin.take();
        let mut first_line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first_line)
            .expect("first line");
        let hello: Value = serde_json::from_str(&first_line).expect("first line is JSON");
        let url = hello["url"].as_str().expect("url").to_string();
        Fake {
            child,
            stdin,
            hello,
            url,
            agent: agent(None),
        }
    }

    fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.agent.get(format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.header("PRIVATE-TOKEN", token);
        }
        read_answer(request.call().expect("GET"))
    }

    fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        let mut request = self.agent.post(format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.header("PRIVATE-TOKEN", token);
        }
        read_answer(request.send_json(body).expect("POST"))
    }

    fn post_form(&self, path: &str, token: &str, form: &str) -> Answer {
        let response = self
            .agent
            .post(format!("{}{path}", self.url))
            .header("PRIVATE-TOKEN", token)
            .content_type("application/x-www-form-urlencoded")
            .send(form)
            .expect("POST form");
        read_answer(response)
    }

    fn control(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        let url = format!("{}/__fake/{path}", self.url);
        let response = match (method, body) {
            ("GET", _) => self.agent.get(url).call(),
            ("DELETE", _) => self.agent.delete(url).call(),
            ("PUT", Some(b)) => self.agent.put(url).send_json(b),
            ("POST", Some(b)) => self.agent.post(url).send_json(b),
            ("POST", None) => self.agent.post(url).send_empty(),
            _ => panic!("unsupported control call {method} {path}"),
        };
        read_answer(response.expect("control call"))
    }

    fn records(&self) -> Vec<Value> {
        let answer = self.control("GET", "requests", None);
        assert_eq!(answer.status, 200);
        answer.json().as_array().expect("array").clone()
    }

    /// Closes stdin and waits for the process to end.
    fn close_stdin_and_wait(&mut self, limit: Duration) -> Option<ExitStatus> {
        drop(self.stdin.take());
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        if self.close_stdin_and_wait(Duration::from_secs(5)).is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

const ADMIN: Option<&str> = Some("fake-admin-token");
const USER: Option<&str> = Some("fake-user-token");

#[test]
fn first_line_tells_where_everything_is() {
    let fake = Fake::start();
    let hello = &fake.hello;
    let port = hello["port"].as_u64().expect("port");
    let proxy_port = hello["proxy_port"].as_u64().expect("proxy_port");
    assert_eq!(hello["url"], format!("http://127.0.0.1:{port}"));
    assert_eq!(hello["proxy_url"], format!("http://127.0.0.1:{proxy_port}"));
    assert_ne!(port, proxy_port);
    assert_eq!(hello["admin_token"], "fake-admin-token");
    assert_eq!(hello["user_token"], "fake-user-token");
    assert_eq!(hello["expired_token"], "fake-expired-token");
}

#[test]
fn authentication_failures_have_gitlab_bodies() {
    let fake = Fake::start();
    let missing = fake.get("/api/v4/user", None);
    assert_eq!(missing.status, 401);
    assert_eq!(missing.body, r#"{"message":"401 Unauthorized"}"#);
    assert_eq!(missing.content_type.as_deref(), Some("application/json"));
    assert_eq!(fake.get("/api/v4/user", Some("glpat-nope")).status, 401);

    let expired = fake.get("/api/v4/user", Some("fake-expired-token"));
    assert_eq!(expired.status, 401);
    assert_eq!(
        expired.body,
        r#"{"error":"invalid_token","error_description":"Token has expired."}"#
    );

    let not_admin = fake.post_json(
        "/api/v4/users/43/personal_access_tokens",
        USER,
        &json!({"name": "t", "scopes": ["api"]}),
    );
    assert_eq!(not_admin.status, 403);
    assert_eq!(not_admin.body, r#"{"message":"403 Forbidden"}"#);

    // Bearer works as well as PRIVATE-TOKEN.
    let bearer = fake
        .agent
        .get(format!("{}/api/v4/user", fake.url))
        .header("Authorization", "Bearer fake-user-token")
        .call()
        .expect("GET");
    assert_eq!(read_answer(bearer).json()["username"], "jsmith");
}

#[test]
fn users_are_looked_up_as_gitlab_does() {
    let fake = Fake::start();
    let admin = fake.get("/api/v4/user", ADMIN).json();
    assert_eq!(admin["id"], 1);
    assert_eq!(admin["username"], "root");
    assert_eq!(admin["name"], "Administrator");
    assert_eq!(admin["is_admin"], true);
    let me = fake.get("/api/v4/user", USER).json();
    assert_eq!(me["id"], 42);
    assert_eq!(me["name"], "Jane Smith");
    assert!(me.get("is_admin").is_none(), "non-admins see no is_admin");

    let found = fake.get("/api/v4/users?username=JSmith", USER);
    assert_eq!(found.status, 200);
    let found = found.json();
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    assert_eq!(found[0]["id"], 42);
    assert_eq!(fake.get("/api/v4/users?username=nobody", USER).body, "[]");
    assert_eq!(
        fake.get("/api/v4/users", ADMIN)
            .json()
            .as_array()
            .map(Vec::len),
        Some(3)
    );

    assert_eq!(
        fake.get("/api/v4/users/43", USER).json()["username"],
        "alice"
    );
    let unknown = fake.get("/api/v4/users/999", USER);
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body, r#"{"message":"404 User Not Found"}"#);

    let no_route = fake.get("/api/v4/projects", USER);
    assert_eq!(no_route.status, 404);
    assert_eq!(no_route.body, r#"{"error":"404 Not Found"}"#);
    let wrong_method = fake.post_json("/api/v4/user", USER, &json!({}));
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.body, r#"{"error":"405 Not Allowed"}"#);
}

#[test]
fn token_creation_checks_in_gitlab_order() {
    let fake = Fake::start();
    let pin = fake.control("PUT", "settings", Some(&json!({"today": "2030-06-15"})));
    assert_eq!(
        pin.json(),
        json!({"require_expiry": false, "max_lifetime_days": 365, "today": "2030-06-15",
               "link_only_pagination": false, "delay_ms": 0, "delay_cycle_ms": []})
    );
    let create = |user: &str, body: Value| {
        fake.post_json(
            &format!("/api/v4/users/{user}/personal_access_tokens"),
            ADMIN,
            &body,
        )
    };
    let check = |answer: Answer, status: u16, body: &str| {
        assert_eq!((answer.status, answer.body.as_str()), (status, body));
    };

    check(
        create("abc", json!({"name": "t", "scopes": ["api"]})),
        404,
        r#"{"error":"404 Not Found"}"#,
    );
    check(
        create("999", json!({"name": "t", "scopes": ["api"]})),
        404,
        r#"{"message":"404 User Not Found"}"#,
    );
    check(
        create("42", json!({})),
        400,
        r#"{"error":"name is missing, scopes is missing"}"#,
    );
    check(
        create("42", json!({"name": "t"})),
        400,
        r#"{"error":"scopes is missing"}"#,
    );
    check(
        create(
            "42",
            json!({"name": "t", "scopes": ["api", "write_everything"]}),
        ),
        400,
        r#"{"error":"scopes does not have a valid value"}"#,
    );
    check(
        create(
            "42",
            json!({"name": "t", "scopes": ["api"], "expires_at": "15/06/2031"}),
        ),
        400,
        r#"{"error":"expires_at is invalid"}"#,
    );
    check(
        create("42", json!({"name": "n".repeat(256), "scopes": ["api"]})),
        400,
        r#"{"message":{"name":["is too long (maximum is 255 characters)"]}}"#,
    );
    check(
        create(
            "42",
            json!({"name": "t", "scopes": ["api"], "expires_at": "2030-06-15"}),
        ),
        422,
        r#"{"message":"Expires at cannot be in the past"}"#,
    );

    // Without the expiry requirement, no date means no expiry and far dates are fine.
    let forever = create("42", json!({"name": "forever", "scopes": ["api"]}));
    assert_eq!(forever.status, 201);
    assert_eq!(forever.json()["expires_at"], Value::Null);
    assert_eq!(
        create(
            "42",
            json!({"name": "far", "scopes": ["api"], "expires_at": "2040-01-01"})
        )
        .status,
        201
    );

    fake.control(
        "PUT",
        "settings",
        Some(&json!({"require_expiry": true, "max_lifetime_days": 30})),
    );
    check(
        create(
            "42",
            json!({"name": "t", "scopes": ["api"], "expires_at": "2030-07-16"}),
        ),
        422,
        r#"{"message":"Expires at must be before 2030-07-15"}"#,
    );
    let defaulted = create("42", json!({"name": "t", "scopes": ["read_api"]}));
    assert_eq!(defaulted.status, 201);
    assert_eq!(defaulted.json()["expires_at"], "2030-07-15");

    let made = create(
        "43",
        json!({"name": "ci", "scopes": ["api", "read_user"], "expires_at": "2030-07-01",
               "description": "for CI"}),
    );
    assert_eq!(made.status, 201);
    assert_eq!(made.content_type.as_deref(), Some("application/json"));
    let entity = made.json();
    let keys: Vec<&str> = entity
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "name",
            "revoked",
            "created_at",
            "description",
            "scopes",
            "user_id",
            "last_used_at",
            "active",
            "expires_at",
            "token"
        ]
    );
    assert_eq!(entity["name"], "ci");
    assert_eq!(entity["description"], "for CI");
    assert_eq!(entity["scopes"], json!(["api", "read_user"]));
    assert_eq!(entity["user_id"], 43);
    assert_eq!(entity["revoked"], false);
    assert_eq!(entity["active"], true);
    assert_eq!(entity["last_used_at"], Value::Null);
    assert_eq!(entity["expires_at"], "2030-07-01");
    let created_at = entity["created_at"].as_str().expect("created_at");
    assert!(
        chrono::DateTime::parse_from_rfc3339(created_at).is_ok()
            && created_at.ends_with('Z')
            && created_at.len() == "2030-06-15T10:00:00.000Z".len(),
        "{created_at}"
    );
    let token = entity["token"].as_str().expect("token");
    assert!(token.starts_with("glpat-") && token.len() == 26, "{token}");

    // The token works as alice's, and the fake lists every token it made.
    assert_eq!(
        fake.get("/api/v4/user", Some(token)).json()["username"],
        "alice"
    );
    let tokens = fake.control("GET", "tokens", None).json();
    assert_eq!(tokens.as_array().map(Vec::len), Some(4));
    assert_eq!(tokens[3]["token"], token);
    let values: std::collections::HashSet<&str> = tokens
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|t| t["token"].as_str())
        .collect();
    assert_eq!(values.len(), 4, "token values are unique");

    // curl-style forms work too.
    let form = fake.post_form(
        "/api/v4/users/42/personal_access_tokens",
        "fake-admin-token",
        "name=from+curl&scopes[]=api&scopes[]=read_repository&expires_at=2030-07-02",
    );
    assert_eq!(form.status, 201, "{}", form.body);
    assert_eq!(form.json()["scopes"], json!(["api", "read_repository"]));
}

#[test]
fn users_create_their_own_limited_tokens() {
    let fake = Fake::start();
    let path = "/api/v4/user/personal_access_tokens";
    let refused = fake.post_json(path, USER, &json!({"name": "mine", "scopes": ["api"]}));
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.body,
        r#"{"error":"scopes does not have a valid value"}"#
    );
    let made = fake.post_json(
        path,
        USER,
        &json!({"name": "mine", "scopes": ["k8s_proxy"]}),
    );
    assert_eq!(made.status, 201);
    assert_eq!(made.json()["user_id"], 42);
    assert_eq!(made.json()["scopes"], json!(["k8s_proxy"]));
}

#[test]
fn requests_are_recorded_exactly() {
    let fake = Fake::start();
    let sent = fake
        .agent
        .post(format!(
            "{}/api/v4/users/42/personal_access_tokens?trace=a%20b",
            fake.url
        ))
        .header("PRIVATE-TOKEN", "fake-admin-token")
        .header("User-Agent", "smoke/1.0")
        .content_type("application/json")
        .send(r#"{"name":"rec","scopes":["api"]}"#)
        .expect("POST");
    assert_eq!(sent.status().as_u16(), 201);
    fake.get("/api/v4/users/7", USER);

    let records = fake.records();
    assert_eq!(records.len(), 2, "control calls are not recorded");
    let r = &records[0];
    assert_eq!(r["seq"], 1);
    assert_eq!(r["method"], "POST");
    assert_eq!(r["path"], "/api/v4/users/42/personal_access_tokens");
    assert_eq!(r["query"], json!({"trace": "a b"}));
    assert_eq!(r["headers"]["private-token"], "fake-admin-token");
    assert_eq!(r["headers"]["user-agent"], "smoke/1.0");
    assert_eq!(r["headers"]["content-type"], "application/json");
    assert_eq!(r["body"], json!({"name": "rec", "scopes": ["api"]}));
    assert_eq!(r["raw_body"], r#"{"name":"rec","scopes":["api"]}"#);
    assert_eq!(r["status"], 201);
    assert_eq!(r["via_proxy"], false);
    assert_eq!(r["proxy_target"], Value::Null);
    assert!(
        r["peer"]
            .as_str()
            .is_some_and(|p| p.starts_with("127.0.0.1:"))
    );
    assert_eq!(records[1]["seq"], 2);
    assert_eq!(records[1]["status"], 404);
    assert_eq!(records[1]["body"], Value::Null);
    assert_eq!(records[1]["query"], json!({}));

    assert_eq!(fake.control("DELETE", "requests", None).status, 204);
    assert!(fake.records().is_empty());
}

/// Sends raw bytes on a stream and reads one response with a Content-Length body.
fn raw_exchange(stream: &mut TcpStream, request: &str) -> (String, String) {
    stream.write_all(request.as_bytes()).expect("write");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("read head");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).expect("ASCII head");
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).expect("read body");
    (head, String::from_utf8(body).expect("UTF-8 body"))
}

#[test]
fn one_connection_many_requests_and_garbage_survived() {
    let fake = Fake::start();
    let addr = fake.url.trim_start_matches("http://").to_string();

    let mut garbage = TcpStream::connect(&addr).expect("connect");
    garbage
        .write_all(b"\x00\x01 NOT HTTP\r\n\r\n")
        .expect("write");
    drop(garbage);
    let mut half = TcpStream::connect(&addr).expect("connect");
    half.write_all(
        b"POST /api/v4/user/personal_access_tokens HTTP/1.1\r\nContent-Length: 99\r\n\r\n{",
    )
    .expect("write");
    drop(half);

    let mut stream = TcpStream::connect(&addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    for _ in 0..3 {
        let (head, body) = raw_exchange(
            &mut stream,
            "GET /api/v4/user HTTP/1.1\r\nHost: x\r\nPRIVATE-TOKEN: fake-user-token\r\n\r\n",
        );
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(body.contains(r#""username":"jsmith""#), "{body}");
    }
    let records: Vec<Value> = fake
        .records()
        .into_iter()
        .filter(|r| r["status"] == 200)
        .collect();
    assert_eq!(records.len(), 3);
    assert!(
        records
            .iter()
            .all(|r| r["connection"] == records[0]["connection"])
    );
    assert!(records.iter().all(|r| r["peer"] == records[0]["peer"]));
}

#[test]
fn rate_limits_and_failures_are_injected_in_order() {
    let fake = Fake::start();
    let queued = fake.control(
        "POST",
        "rate-limit",
        Some(&json!({"count": 2, "retry_after": 7})),
    );
    assert_eq!(queued.status, 200);
    fake.control(
        "POST",
        "fail",
        Some(&json!({"status": 502, "body": "<html>Bad Gateway</html>", "content_type": "text/html"})),
    );

    for _ in 0..2 {
        let limited = fake.get("/api/v4/user", USER);
        assert_eq!(limited.status, 429);
        assert_eq!(limited.content_type.as_deref(), Some("text/plain"));
        assert_eq!(limited.retry_after.as_deref(), Some("7"));
        assert_eq!(limited.body, "Retry later\n");
    }
    let failed = fake.get("/api/v4/user", USER);
    assert_eq!(failed.status, 502);
    assert_eq!(failed.content_type.as_deref(), Some("text/html"));
    assert_eq!(failed.body, "<html>Bad Gateway</html>");
    assert_eq!(fake.get("/api/v4/user", USER).status, 200);

    let statuses: Vec<Value> = fake.records().iter().map(|r| r["status"].clone()).collect();
    assert_eq!(statuses, [json!(429), json!(429), json!(502), json!(200)]);
}

#[test]
fn connect_proxy_tunnels_to_the_fake_and_is_recorded() {
    let fake = Fake::start();
    let proxy_url = fake.hello["proxy_url"].as_str().expect("proxy_url");
    let through = agent(Some(proxy_url));
    let response = through
        .get("http://gitlab.example.test/api/v4/user")
        .header("PRIVATE-TOKEN", "fake-admin-token")
        .call()
        .expect("GET through the proxy");
    let answer = read_answer(response);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["username"], "root");
    fake.get("/api/v4/user", ADMIN);

    let records = fake.records();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["via_proxy"], true);
    assert_eq!(records[0]["proxy_target"], "gitlab.example.test:80");
    assert_eq!(records[0]["headers"]["host"], "gitlab.example.test");
    assert_eq!(records[1]["via_proxy"], false);
    let connects = fake.control("GET", "proxy-connects", None).json();
    assert_eq!(connects[0]["target"], "gitlab.example.test:80");

    // Only CONNECT is proxied.
    let proxy_addr = proxy_url.trim_start_matches("http://");
    let mut plain = TcpStream::connect(proxy_addr).expect("connect");
    plain
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let (head, _) = raw_exchange(
        &mut plain,
        "GET http://gitlab.example.test/api/v4/user HTTP/1.1\r\nHost: gitlab.example.test\r\n\r\n",
    );
    assert!(
        head.starts_with("HTTP/1.1 405 Method Not Allowed"),
        "{head}"
    );
}

#[test]
fn control_api_adds_users_and_resets() {
    let fake = Fake::start();
    let users: Vec<Value> = (1..=1000)
        .map(|i| json!({"username": format!("svc-{i:04}")}))
        .collect();
    let added = fake.control("POST", "users", Some(&json!({ "users": users })));
    assert_eq!(added.status, 201);
    let added = added.json();
    assert_eq!(added.as_array().map(Vec::len), Some(1000));
    assert_eq!(added[0]["id"], 100);
    assert_eq!(added[999]["id"], 1099);
    let found = fake.get("/api/v4/users?username=svc-0999", ADMIN).json();
    assert_eq!(found[0]["id"], 1098);
    assert_eq!(found[0]["is_admin"], false);

    let duplicate = fake.control("POST", "users", Some(&json!({"username": "SVC-0001"})));
    assert_eq!(duplicate.status, 409);

    assert_eq!(fake.control("POST", "reset", None).status, 204);
    assert_eq!(
        fake.get("/api/v4/users?username=svc-0999", ADMIN).body,
        "[]"
    );
    assert_eq!(fake.records().len(), 1, "reset clears the record");
    let single = fake.control(
        "POST",
        "users",
        Some(&json!({"username": "bob", "admin": true})),
    );
    assert_eq!(single.json()["id"], 100);
    assert_eq!(single.json()["is_admin"], true);
}

#[test]
fn closing_stdin_ends_the_process() {
    let mut fake = Fake::start();
    assert_eq!(fake.get("/api/v4/user", USER).status, 200);
    let status = fake
        .close_stdin_and_wait(Duration::from_secs(10))
        .expect("the fake ends within 10 s of stdin closing");
    assert!(status.success(), "{status:?}");
}

#[test]
fn many_keep_alive_connections_opened_at_once_are_all_served_and_overlap() {
    // Twelve clients, each with its own keep-alive connection, open at the same moment and send
    // five requests each, held 30 ms apiece. Every request must be answered (a connection left
    // waiting behind the others would time out after 20 s and fail here), and the fake must have
    // answered several at once.
    let fake = Fake::start();
    fake.control("PUT", "settings", Some(&json!({"delay_ms": 30})));
    let url = fake.url.clone();
    let barrier = std::sync::Barrier::new(12);
    std::thread::scope(|s| {
        for client in 0..12 {
            let (url, barrier) = (&url, &barrier);
            s.spawn(move || {
                let agent = agent(None);
                barrier.wait();
                for i in 0..5 {
                    let answer = read_answer(
                        agent
                            .get(format!("{url}/api/v4/user"))
                            .header("PRIVATE-TOKEN", ADMIN.unwrap())
                            .call()
                            .unwrap_or_else(|e| panic!("client {client} request {i}: {e}")),
                    );
                    assert_eq!(answer.status, 200);
                }
            });
        }
    });
    let records = fake.records();
    assert_eq!(records.len(), 60);
    let connections: std::collections::BTreeSet<_> = records
        .iter()
        .filter_map(|r| r["connection"].as_u64())
        .collect();
    assert_eq!(
        connections.len(),
        12,
        "one keep-alive connection per client"
    );
    let stats = fake.control("GET", "stats", None).json();
    assert_eq!(stats["api_requests"], 60);
    let most = stats["max_in_flight"].as_u64().unwrap();
    assert!((2..=12).contains(&most), "max_in_flight {most}");
    assert_eq!(stats["in_flight"], 0);
}

#[test]
fn delay_settings_are_validated_and_reset() {
    let fake = Fake::start();
    let bad = fake.control("PUT", "settings", Some(&json!({"delay_ms": -1})));
    assert_eq!(bad.status, 400);
    let bad = fake.control(
        "PUT",
        "settings",
        Some(&json!({"delay_cycle_ms": [5, "x"]})),
    );
    assert_eq!(bad.status, 400);
    let ok = fake.control(
        "PUT",
        "settings",
        Some(&json!({"delay_cycle_ms": [0, 300]})),
    );
    assert_eq!(ok.json()["delay_cycle_ms"], json!([0, 300]));
    assert_eq!(fake.get("/api/v4/user", ADMIN).status, 200);
    let reset = fake.control("POST", "reset", None);
    assert_eq!(reset.status, 204);
    assert_eq!(
        fake.control("GET", "settings", None).json()["delay_cycle_ms"],
        json!([])
    );
}
