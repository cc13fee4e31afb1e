//! Shared harness for the engine's integration tests: the fake GitLab and the real `gitlabcli`
//! binary, both started as processes, exactly as the PowerShell module starts them.
#![allow(dead_code)] // each test file uses its own subset

use gitlabcli::protocol::{Body, Message};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// The engine binary cargo built for these tests.
pub fn engine_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gitlabcli"))
}

/// The fake GitLab, built by `cargo test` as an example next to the engine.
pub fn fake_path() -> PathBuf {
    let dir = engine_path().parent().expect("target dir").to_path_buf();
    let path = dir
        .join("examples")
        .join(format!("fake-gitlab{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "fake GitLab not built at {}; run `cargo build --example fake-gitlab`",
        path.display()
    );
    path
}

/// A running fake GitLab. Ends when dropped (its stdin closes).
pub struct Fake {
    child: Child,
    _stdin: ChildStdin,
    pub url: String,
    pub proxy_url: String,
    pub admin_token: String,
    pub user_token: String,
    /// The same fake over HTTPS, with a certificate from a throwaway CA.
    pub tls_url: String,
    /// That CA's certificate (PEM), in no trust store until a test puts it in `SSL_CERT_FILE`.
    pub tls_ca_pem: String,
    agent: ureq::Agent,
}

impl Fake {
    pub fn start() -> Fake {
        let mut child = Command::new(fake_path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start fake GitLab");
        let stdin = child.stdin.take().unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .expect("fake's first line");
        let info: Value = serde_json::from_str(&first).expect("fake's first line is JSON");
        let text = |k: &str| {
            info[k]
                .as_str()
                .unwrap_or_else(|| panic!("fake info lacks {k}: {first}"))
                .to_string()
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .new_agent();
        Fake {
            url: text("url"),
            proxy_url: text("proxy_url"),
            admin_token: text("admin_token"),
            user_token: text("user_token"),
            tls_url: text("tls_url"),
            tls_ca_pem: text("tls_ca_pem"),
            child,
            _stdin: stdin,
            agent,
        }
    }

    fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/__fake/{path}", self.url);
        let mut response = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            ("PUT", Some(b)) => self.agent.put(&url).send_json(&b),
            (_, b) => self.agent.post(&url).send_json(b.unwrap_or(json!({}))),
        }
        .expect("fake control request");
        let text = response.body_mut().read_to_string().unwrap_or_default();
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Every API request the fake received, in order.
    pub fn requests(&self) -> Vec<Value> {
        match self.control("GET", "requests", None) {
            Value::Array(items) => items,
            other => panic!("unexpected /__fake/requests answer {other}"),
        }
    }

    /// Only the `METHOD path` of each request, e.g. `POST /api/v4/user/personal_access_tokens`.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| {
                let path = r["path"].as_str().unwrap_or_default();
                let query = r["query"].as_object().filter(|q| !q.is_empty()).map(|q| {
                    let pairs: Vec<String> = q
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect();
                    format!("?{}", pairs.join("&"))
                });
                format!(
                    "{} {path}{}",
                    r["method"].as_str().unwrap_or_default(),
                    query.unwrap_or_default()
                )
            })
            .collect()
    }

    pub fn clear_requests(&self) {
        self.control("DELETE", "requests", None);
    }

    pub fn settings(&self, settings: Value) {
        self.control("PUT", "settings", Some(settings));
    }

    pub fn rate_limit(&self, count: u32, retry_after: u64) {
        self.control(
            "POST",
            "rate-limit",
            Some(json!({"count": count, "retry_after": retry_after})),
        );
    }

    pub fn fail(&self, count: u32, status: u16, content_type: &str, body: &str) {
        self.control("POST", "fail", Some(json!({"count": count, "status": status, "content_type": content_type, "body": body})));
    }

    /// `POST /__fake/fail` with any of its fields (`count`, `status`, `body`, `content_type`,
    /// `headers`).
    pub fn fail_with(&self, spec: Value) {
        self.control("POST", "fail", Some(spec));
    }

    /// The next `count` API requests are served normally; injections queued after apply later.
    pub fn pass(&self, count: u32) {
        self.control("POST", "pass", Some(json!({ "count": count })));
    }

    pub fn add_users(&self, users: Value) -> Value {
        self.control("POST", "users", Some(users))
    }

    /// Adds tokens through `POST /__fake/tokens`; answers them with their values.
    pub fn seed_tokens(&self, spec: Value) -> Vec<Value> {
        match self.control("POST", "tokens", Some(spec)) {
            Value::Array(items) => items,
            other => panic!("unexpected POST /__fake/tokens answer {other}"),
        }
    }

    pub fn tokens(&self) -> Vec<Value> {
        match self.control("GET", "tokens", None) {
            Value::Array(items) => items,
            other => panic!("unexpected /__fake/tokens answer {other}"),
        }
    }

    /// Sends one request to the fake (`path` from `/`, so `/api/v4/...` or `/__fake/...`), with
    /// `token` as `PRIVATE-TOKEN` and `body` as JSON, and answers whatever comes back.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let url = format!("{}{path}", self.url);
        let mut request = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(token) = token {
            request = request.header("PRIVATE-TOKEN", token);
        }
        let sent = match body {
            Some(body) => self.agent.run(
                request
                    .header("Content-Type", "application/json")
                    .body(body.to_string())
                    .expect("request"),
            ),
            None => self.agent.run(request.body(()).expect("request")),
        };
        let mut response = sent.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = value.to_str().unwrap_or_default().to_string();
                (name.as_str().to_ascii_lowercase(), value)
            })
            .collect();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        Answer {
            status: response.status().as_u16(),
            headers,
            body,
        }
    }
}

/// What the fake answered one request.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// The body as JSON (panics, showing it, when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    /// A header's value, by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How to start an engine: a clean environment plus what the test sets.
pub struct EngineSetup {
    pub home: tempfile::TempDir,
    pub vars: Vec<(String, String)>,
}

impl EngineSetup {
    /// An empty home directory and no GitLab variables.
    pub fn new() -> EngineSetup {
        EngineSetup {
            home: tempfile::tempdir().expect("temp home"),
            vars: Vec::new(),
        }
    }

    /// `GITLAB_URL` and `GITLAB_ACCESS_TOKEN` pointing at `url` with `token`.
    pub fn env_site(url: &str, token: &str) -> EngineSetup {
        EngineSetup::new()
            .var("GITLAB_URL", url)
            .var("GITLAB_ACCESS_TOKEN", token)
    }

    pub fn var(mut self, name: &str, value: &str) -> EngineSetup {
        self.vars.push((name.to_string(), value.to_string()));
        self
    }

    /// Write `~/.config/powershell/gitlabcli/config.yml` in the temp home.
    pub fn config(self, yaml: &str) -> EngineSetup {
        let path = self.config_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, yaml).unwrap();
        self
    }

    pub fn config_path(&self) -> PathBuf {
        self.home
            .path()
            .join(".config/powershell/gitlabcli/config.yml")
    }

    pub fn start(&self) -> Engine {
        Engine::start_with(self, &["serve"])
    }

    /// The engine with `args`, in a clean environment: `HOME`, `PATH` and the test's variables.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(engine_path());
        command
            .args(args)
            .env_clear()
            .env("HOME", self.home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        for (k, v) in &self.vars {
            command.env(k, v);
        }
        command
    }
}

impl Default for EngineSetup {
    fn default() -> Self {
        EngineSetup::new()
    }
}

/// A running `gitlabcli serve`.
pub struct Engine {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// Every stdout line, verbatim, for secret checks.
    pub raw: Vec<String>,
    next_id: u64,
}

impl Engine {
    pub fn start_with(setup: &EngineSetup, args: &[&str]) -> Engine {
        let mut child = setup
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start gitlabcli serve");
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut raw = Vec::new();
        if args.first() == Some(&"serve") {
            // `serve` states its facts first; every test reads past them.
            let mut line = String::new();
            stdout.read_line(&mut line).expect("read the hello line");
            let hello: Message = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("unparseable hello line {line:?}: {e}"));
            assert!(
                matches!(hello.body, Body::Hello { .. }) && hello.id.is_none(),
                "the first line of serve is its hello: {line}"
            );
            raw.push(line.trim_end().to_string());
        }
        Engine {
            child,
            stdin,
            stdout,
            raw,
            next_id: 0,
        }
    }

    /// Send one raw line.
    pub fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// Read messages until a terminal one.
    pub fn read_until_terminal(&mut self) -> Vec<Message> {
        let mut messages = Vec::new();
        loop {
            let mut line = String::new();
            let n = self
                .stdout
                .read_line(&mut line)
                .expect("read engine stdout");
            assert!(
                n > 0,
                "engine closed stdout before a terminal message; got {messages:?}"
            );
            self.raw.push(line.trim_end().to_string());
            let message: Message = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("unparseable line {line:?}: {e}"));
            assert_eq!(message.v, 1, "every message carries version 1");
            let terminal = message.body.is_terminal();
            messages.push(message);
            if terminal {
                return messages;
            }
        }
    }

    /// Send a request built from `command`, `mode` and `params` with a fresh id; return its messages.
    pub fn call(&mut self, mode: &str, command: &str, params: Value) -> Reply {
        self.next_id += 1;
        let id = format!("t{}", self.next_id);
        let line = json!({"v": 1, "id": id, "mode": mode, "command": command, "params": params})
            .to_string();
        self.send_line(&line);
        let messages = self.read_until_terminal();
        for m in &messages {
            assert_eq!(
                m.id.as_ref().map(ToString::to_string).as_deref(),
                Some(id.as_str()),
                "every message carries the request's id"
            );
        }
        Reply { messages }
    }

    pub fn create(&mut self, params: Value) -> Reply {
        self.call("run", "create-personal-access-token", params)
    }

    pub fn plan(&mut self, params: Value) -> Reply {
        self.call("plan", "create-personal-access-token", params)
    }

    /// Close stdin and wait; returns (exit success, stderr text).
    pub fn finish(mut self) -> (bool, String) {
        drop(self.stdin.take());
        let mut rest = String::new();
        let _ = self.stdout.read_to_string(&mut rest);
        assert!(
            rest.trim().is_empty(),
            "unexpected output after the last reply: {rest}"
        );
        let status = self.child.wait().expect("engine exits");
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        (status.success(), stderr)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The messages one request produced.
#[derive(Debug)]
pub struct Reply {
    pub messages: Vec<Message>,
}

impl Reply {
    pub fn terminal(&self) -> &Body {
        &self.messages.last().expect("a terminal message").body
    }

    /// The error; panics with the reply if the request did not fail.
    pub fn error(&self) -> &gitlabcli::error::Error {
        match self.terminal() {
            Body::Error { error } => error,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    pub fn token(&self) -> &gitlabcli::protocol::NewPersonalAccessToken {
        match self.terminal() {
            Body::Result {
                result: gitlabcli::protocol::CommandResult::PersonalAccessToken(t),
            } => t,
            other => panic!("expected a token result, got {other:?}"),
        }
    }

    pub fn plan(&self) -> &gitlabcli::protocol::Plan {
        match self.terminal() {
            Body::Plan { plan } => plan,
            other => panic!("expected a plan, got {other:?}"),
        }
    }

    pub fn warnings(&self) -> Vec<String> {
        self.messages
            .iter()
            .filter_map(|m| match &m.body {
                Body::Warning { message } => Some(message.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn verbose(&self) -> Vec<String> {
        self.messages
            .iter()
            .filter_map(|m| match &m.body {
                Body::Verbose { message } => Some(message.clone()),
                _ => None,
            })
            .collect()
    }
}

/// A path inside the repository.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}
