//! fake-gitlab: a loopback stand-in for the few GitLab REST v4 endpoints the engine uses, for the
//! Rust and Pester tests. It answers with GitLab's status codes and JSON error bodies and records
//! every API request so a test can assert exactly what was sent.
//!
//! # Running
//!
//! ```text
//! cargo build --example fake-gitlab
//! target/debug/examples/fake-gitlab [--port N] [--proxy-port N] [--ignore-stdin]
//! ```
//!
//! Both servers bind 127.0.0.1; port 0 (the default) takes any free port. The first line on
//! stdout is one JSON object telling where everything is:
//!
//! ```text
//! {"url":"http://127.0.0.1:41234","port":41234,"proxy_url":"http://127.0.0.1:41235",
//!  "proxy_port":41235,"admin_token":"fake-admin-token","user_token":"fake-user-token",
//!  "expired_token":"fake-expired-token","tls_url":"https://127.0.0.1:41236",
//!  "tls_ca_pem":"-----BEGIN CERTIFICATE-----\n..."}
//! ```
//!
//! `tls_url` is the same fake over HTTPS ([`tls`]), with a certificate for `localhost` and
//! `127.0.0.1` from a CA made fresh at start-up; `tls_ca_pem` is that CA, for `SSL_CERT_FILE`.
//!
//! The fake serves until its stdin reaches end of file (a test ends it by closing the pipe, so no
//! process outlives its test) or until killed. `--ignore-stdin` keeps it serving regardless, for
//! running it by hand in the background. Nothing is written to stderr unless it fails to start.
//!
//! # Fixture
//!
//! Users:
//!
//! | id | username | name          | admin |
//! |----|----------|---------------|-------|
//! | 1  | `root`   | Administrator | yes   |
//! | 42 | `jsmith` | Jane Smith    | no    |
//! | 43 | `alice`  | Alice         | no    |
//!
//! Tokens, sent as `PRIVATE-TOKEN: <t>` or `Authorization: Bearer <t>`:
//!
//! | token                | means                                                                   |
//! |----------------------|-------------------------------------------------------------------------|
//! | `fake-admin-token`   | user 1, administrator                                                   |
//! | `fake-user-token`    | user 42, not an administrator                                           |
//! | `fake-expired-token` | 401 `{"error":"invalid_token","error_description":"Token has expired."}` |
//! | anything else, none  | 401 `{"message":"401 Unauthorized"}`                                    |
//!
//! Settings start as `{"require_expiry":false,"max_lifetime_days":365,"today":null}`.
//!
//! There are no groups or projects until a test adds them.
//!
//! # Groups, projects and their access tokens
//!
//! [`resource_tokens`] answers `/groups/:id/access_tokens...` and `/projects/:id/access_tokens...`
//! (list, get, create, rotate, `self/rotate`, revoke); its module comment gives every rule and
//! answer. A test sets the scene through the control API:
//!
//! - `POST /__fake/groups` and `POST /__fake/projects`: `{"full_path":"acme/platform","id":2,
//!   "visibility":"private","members":[{"username":"jsmith","access_level":"owner"},
//!   {"user_id":43,"access_level":40}]}`, or `{"groups":[..]}` / `{"projects":[..]}` (all or
//!   nothing; 409 for a path or id already taken). `id` defaults to the kind's highest + 1,
//!   `visibility` to `private`, `name` to the last path segment. Members of a group are members
//!   of everything whose path lies under it. `GET` on either lists them.
//! - `POST /__fake/resource-tokens`: `{"group":2,"name":"CI","access_level":"developer",
//!   "count":45}` (or `"project":"acme/platform/api"`), with the fields of `POST /__fake/tokens`
//!   (`scopes`, `expires_at`, `created_at`, `last_used_at`, `description`, `revoked`, `value`),
//!   or `{"tokens":[..]}`; each token gets its own bot user. `GET` lists them with their values.
//!
//! Access levels are numbers (10, 15, 20, 30, 40, 50) or role names (`guest`, `planner`,
//! `reporter`, `developer`, `maintainer`, `owner`). `POST /__fake/reset` forgets them all.
//!
//! # Modules
//!
//! - [`api`]: the GitLab endpoints under `/api/v4` and their checks;
//! - [`control`]: the test-facing control API under `/__fake/` (record, settings, faults, users);
//! - [`http`]: the HTTP/1.1 server, one thread per connection;
//! - [`listing`]: the filters, order and paging every token list shares;
//! - [`pat`]: `/personal_access_tokens`, and the rotation rules every token kind shares;
//! - [`proxy`]: the CONNECT proxy on the second port;
//! - [`resource_tokens`]: group and project access tokens, their bots, and their control routes;
//! - [`state`]: what the fake remembers, and the fixture;
//! - [`tls`]: the HTTPS front with its throwaway CA;
//! - [`wire`]: requests and answers as the handlers see them, parameter decoding.
//!
//! # The record
//!
//! Every request outside `/__fake/` is recorded, in arrival order, as
//! `{"seq","method","path","query","raw_query","headers","body","raw_body","status","peer",
//! "connection","via_proxy","proxy_target"}`: `path` as sent (still percent-encoded), `query` the
//! decoded parameters, `raw_query` the text after `?` (or `null`), `headers` every header by
//! lower-case name, `body` the decoded JSON or form (or `null`), `raw_body` the text as sent,
//! `status` the answer's status, `peer` the client address, `connection` a small number per
//! distinct client address (equal numbers: one TCP connection), and `via_proxy`/`proxy_target`
//! whether the request came through the CONNECT proxy and for which `host:port`.

// `cargo test --example fake-gitlab` builds this file in test mode to run the unit tests below;
// there `main` and all it reaches go unused.
#![cfg_attr(test, allow(dead_code))]

mod api;
mod control;
mod http;
mod listing;
mod pat;
mod proxy;
mod resource_tokens;
mod state;
mod tls;
mod wire;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;

use serde_json::{Value, json};

use state::State;
use wire::{Incoming, Reply};

/// What every handler thread shares.
pub struct Shared {
    pub state: Mutex<State>,
    pub tunnels: proxy::Tunnels,
}

/// Locks a mutex, carrying on past a poisoned one (one failed handler must not stop the fake).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The command line.
#[derive(Debug, Default, PartialEq)]
struct Options {
    port: u16,
    proxy_port: u16,
    ignore_stdin: bool,
    /// `--delay-ms`: the starting `delay_ms` setting.
    delay_ms: u64,
}

const USAGE: &str =
    "usage: fake-gitlab [--port N] [--proxy-port N] [--delay-ms N] [--ignore-stdin]";

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        match flag.as_str() {
            "--port" | "--proxy-port" => {
                let value = inline
                    .or_else(|| args.next())
                    .ok_or(format!("{flag} needs a value"))?;
                let port = value
                    .parse()
                    .map_err(|_| format!("{flag}: {value:?} is not a port number"))?;
                if flag == "--port" {
                    options.port = port;
                } else {
                    options.proxy_port = port;
                }
            }
            "--delay-ms" => {
                let value = inline
                    .or_else(|| args.next())
                    .ok_or(format!("{flag} needs a value"))?;
                options.delay_ms = value.parse().ok().filter(|&n| n <= 60_000).ok_or(format!(
                    "{flag}: {value:?} is not milliseconds from 0 to 60000"
                ))?;
            }
            "--ignore-stdin" if inline.is_none() => options.ignore_stdin = true,
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match parse_args(args) {
        Ok(o) => o,
        Err(problem) => {
            eprintln!("fake-gitlab: {problem}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("fake-gitlab: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> Result<(), String> {
    let listener = TcpListener::bind(("127.0.0.1", options.port))
        .map_err(|e| format!("cannot listen on port {}: {e}", options.port))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("server address: {e}"))?;
    let proxy_listener = TcpListener::bind(("127.0.0.1", options.proxy_port))
        .map_err(|e| format!("cannot listen on proxy port {}: {e}", options.proxy_port))?;
    let proxy_addr = proxy_listener
        .local_addr()
        .map_err(|e| format!("proxy address: {e}"))?;

    let tls_front = tls::start(addr)?;
    let url = format!("http://{addr}");
    let shared = Arc::new(Shared {
        state: Mutex::new({
            let mut state = State::new(url.clone());
            state.settings.delay_ms = options.delay_ms;
            state
        }),
        tunnels: Mutex::default(),
    });

    let hello = json!({
        "url": url,
        "port": addr.port(),
        "proxy_url": format!("http://{proxy_addr}"),
        "proxy_port": proxy_addr.port(),
        "admin_token": state::ADMIN_TOKEN,
        "user_token": state::USER_TOKEN,
        "expired_token": state::EXPIRED_TOKEN,
        "tls_url": format!("https://{}", tls_front.addr),
        "tls_ca_pem": tls_front.ca_pem,
    });
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{hello}")
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    drop(stdout);

    if !options.ignore_stdin {
        thread::Builder::new()
            .name("stdin-watch".into())
            .spawn(exit_at_stdin_eof)
            .map_err(|e| format!("cannot start the stdin watcher: {e}"))?;
    }
    {
        let shared = Arc::clone(&shared);
        thread::Builder::new()
            .name("proxy".into())
            .spawn(move || proxy::serve(proxy_listener, addr, shared))
            .map_err(|e| format!("cannot start the proxy: {e}"))?;
    }

    http::serve(listener, move |request| serve(&shared, request));
    Ok(())
}

/// Reads stdin until end of file (or error), then ends the process.
fn exit_at_stdin_eof() {
    let mut stdin = std::io::stdin().lock();
    let mut buf = [0u8; 1024];
    while let Ok(n) = stdin.read(&mut buf) {
        if n == 0 {
            break;
        }
    }
    std::process::exit(0);
}

/// Answers one request, and records it unless it is for the control API.
fn serve(shared: &Shared, request: http::RawRequest) -> Reply {
    let body_read = request.body.as_ref().map(|_| ()).map_err(|e| e.to_string());
    let raw_body = request.body.unwrap_or_default();
    let incoming = Incoming::new(&request.method, &request.target, request.headers, raw_body);
    let peer = request.peer;

    let is_control = incoming.path == control::PREFIX
        || incoming.path.starts_with(&format!("{}/", control::PREFIX));
    if is_control {
        return control::handle(&mut lock(&shared.state), &incoming);
    }
    let started = std::time::Instant::now();
    let proxy_target = peer.and_then(|p| lock(&shared.tunnels).get(&p).cloned());
    let (reply, delay) = {
        let mut state = lock(&shared.state);
        state.stats.in_flight += 1;
        state.stats.max_in_flight = state.stats.max_in_flight.max(state.stats.in_flight);
        let reply = if let Some(injected) = state.take_injection() {
            injected
        } else if body_read.is_err() {
            Reply::error(400, "the request body could not be read")
        } else if incoming.path.starts_with(&format!("{}/", api::PREFIX)) {
            api::handle(&mut state, &incoming)
        } else {
            Reply::error(404, "404 Not Found")
        };
        let delay = state.settings.delay_for(state.next_seq);
        record(&mut state, &incoming, &reply, peer, proxy_target);
        state.stats.api_requests += 1;
        state.stats.handler_nanos += started.elapsed().as_nanos();
        (reply, delay)
    };
    // Outside the lock, so delayed requests overlap as they would on a distant instance.
    if delay > 0 {
        thread::sleep(std::time::Duration::from_millis(delay));
    }
    // No longer in flight once the answer is handed over to go out: the client may send its next
    // request on this connection as soon as it has read this one.
    lock(&shared.state).stats.in_flight -= 1;
    reply
}

/// Appends a request and its answer's status to the record.
fn record(
    state: &mut State,
    req: &Incoming,
    reply: &Reply,
    peer: Option<SocketAddr>,
    proxy_target: Option<String>,
) {
    let peer = peer.map(|p| p.to_string()).unwrap_or_default();
    let seq = state.next_seq;
    state.next_seq += 1;
    let connection = state.connection_id(&peer);
    let entry = json!({
        "seq": seq,
        "method": req.method,
        "path": req.path,
        "query": Value::Object(req.query.clone()),
        "raw_query": req.raw_query,
        "headers": Value::Object(req.headers_json()),
        "body": req.body().to_record(),
        "raw_body": req.raw_body_text(),
        "status": reply.status,
        "peer": peer,
        "connection": connection,
        "via_proxy": proxy_target.is_some(),
        "proxy_target": proxy_target,
    });
    state.records.push(entry);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Options, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn arguments_parse() {
        assert_eq!(args(&[]), Ok(Options::default()));
        assert_eq!(
            args(&["--port", "8080", "--proxy-port=8081", "--ignore-stdin"]),
            Ok(Options {
                port: 8080,
                proxy_port: 8081,
                ignore_stdin: true,
                delay_ms: 0,
            })
        );
        assert_eq!(args(&["--delay-ms", "50"]).map(|o| o.delay_ms), Ok(50));
        assert!(args(&["--port"]).is_err());
        assert!(args(&["--port", "http"]).is_err());
        assert!(args(&["--verbose"]).is_err());
        assert!(args(&["--delay-ms", "soon"]).is_err());
    }
}
