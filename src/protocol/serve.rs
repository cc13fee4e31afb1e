//! The serve loop: read request lines until stdin closes, answer each in order.
//!
//! Every line gets exactly one terminal message. A line that cannot be understood gets a
//! `protocol` error and the loop carries on; a panic inside a command is caught and reported the
//! same way (its details also go to stderr, which is for crashes only).
//!
//! Lines are read continuously. `run` requests go to a pool of workers (`GITLABCLI_CONCURRENCY`,
//! default 8), so several HTTP exchanges can be in flight; everything else (plans, `list-sites`,
//! refused lines) is answered by the reading thread. Whoever produces them, messages leave in
//! request order: a request's messages are written as they come while it is the oldest
//! unfinished one, and are held back until then otherwise. So the output reads exactly as if the
//! requests had been served one at a time.
//!
//! One watchdog thread ([`Watchdog`]) reports, in their place in that order, the requests that
//! wait long for GitLab, while their workers block on the network.

use super::{Body, COMMANDS, Message, Mode, Reporter, Request, RequestId, VERSION};
use crate::commands::{self, ClipboardFn, Context};
use crate::config::{Environment, SitesCache};
use crate::error::{Error, ErrorKind};
use crate::gitlab::Gitlab;
use crate::gitlab::throttle::{self, DEFAULT_CONCURRENCY};
use crate::gitlab::wait::Watchdog;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The environment variable that sets how many `run` requests may be in flight.
pub const CONCURRENCY_VAR: &str = "GITLABCLI_CONCURRENCY";

/// `gitlabcli serve` on the process's stdin and stdout.
pub fn serve_stdio() -> ExitCode {
    let env = Environment::from_process();
    let (concurrency, warning) =
        throttle::concurrency_from(std::env::var(CONCURRENCY_VAR).ok().as_deref());
    let stdin = io::stdin().lock();
    let stdout = io::stdout();
    // The hello line first, before any request is read: a wrapper that has written its first
    // request reads it ahead of the answer.
    if write_hello(&mut stdout.lock(), concurrency).is_err() {
        return ExitCode::FAILURE;
    }
    match serve_with(
        stdin,
        stdout,
        &env,
        &crate::clipboard::copy,
        concurrency,
        warning,
    ) {
        Ok(()) => ExitCode::SUCCESS,
        // stdout is gone (the wrapper stopped reading): nobody is left to tell.
        Err(_) => ExitCode::FAILURE,
    }
}

/// Writes the hello message (see [`super::hello`]) as one line and flushes it.
pub fn write_hello<W: Write>(output: &mut W, concurrency: usize) -> io::Result<()> {
    let message = Message {
        v: VERSION,
        id: None,
        body: Body::Hello {
            hello: super::hello::Hello::new(
                concurrency,
                &commands::owner::ACCESS_LEVELS.map(|(name, _)| name),
                &commands::token_lifecycle::SORTS,
            ),
        },
    };
    let line = serde_json::to_string(&message).map_err(io::Error::other)?;
    output.write_all(line.as_bytes())?;
    output.write_all(b"\n")?;
    output.flush()
}

/// Serve requests from `input`, writing messages to `output`, until `input` ends, with the
/// default concurrency.
pub fn serve<R: BufRead, W: Write + Send>(
    input: R,
    output: W,
    env: &Environment,
    clipboard: ClipboardFn<'_>,
) -> io::Result<()> {
    serve_with(input, output, env, clipboard, DEFAULT_CONCURRENCY, None)
}

/// A `run` request waiting for a worker.
struct Job {
    seq: u64,
    request: Request,
}

/// [`serve`] with `concurrency` workers for `run` requests. `warning`, if any, is sent as a
/// warning message of the first request (it says why the setting was not used).
pub fn serve_with<R: BufRead, W: Write + Send>(
    mut input: R,
    output: W,
    env: &Environment,
    clipboard: ClipboardFn<'_>,
    concurrency: usize,
    mut warning: Option<String>,
) -> io::Result<()> {
    let ordered = Ordered::new(output);
    let watchdog = Watchdog::default();
    let out = Output {
        ordered: &ordered,
        watchdog: &watchdog,
    };
    let gitlab = Gitlab::with_concurrency(concurrency);
    // One load of the sites for the whole process (the file is read again only if it changes).
    let config = SitesCache::new(env);
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Mutex::new(queue);
    let read = std::thread::scope(|scope| {
        scope.spawn(|| {
            out.watchdog
                .run(|(seq, id), body| out.ordered.send(*seq, id.clone(), body, false))
        });
        // The watchdog stops once every worker is done, or when this thread panics.
        let _closes = Closes(out.watchdog);
        let workers: Vec<_> = (0..concurrency.max(1))
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let job = match lock(&queue).recv() {
                            Ok(job) => job,
                            Err(_) => return,
                        };
                        // Nobody reads the answers any more: create nothing more.
                        if out.has_failed() {
                            continue;
                        }
                        execute(out, job.seq, &job.request, &config, &gitlab, clipboard);
                    }
                })
            })
            .collect();
        let read = read_requests(
            &mut input,
            out,
            &jobs,
            &config,
            &gitlab,
            clipboard,
            &mut warning,
        );
        drop(jobs);
        for worker in workers {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
        read
    });
    read?;
    ordered.result()
}

fn read_requests<R: BufRead, W: Write>(
    input: &mut R,
    out: Output<'_, W>,
    jobs: &mpsc::Sender<Job>,
    config: &SitesCache,
    gitlab: &Gitlab,
    clipboard: ClipboardFn<'_>,
    warning: &mut Option<String>,
) -> io::Result<()> {
    let mut raw = Vec::new();
    let mut first = true;
    let mut seq = 0u64;
    loop {
        raw.clear();
        if input.read_until(b'\n', &mut raw)? == 0 {
            return Ok(());
        }
        if out.has_failed() {
            return Ok(());
        }
        seq += 1;
        let mut line = match std::str::from_utf8(&raw) {
            Ok(text) => text,
            Err(e) => {
                let error = Error::protocol("The line is not valid UTF-8.").caused_by(&e);
                out.send(seq, None, Body::Error { error }, true);
                first = false;
                continue;
            }
        };
        if first {
            // .NET may start a redirected stdin with a byte order mark.
            line = line.trim_start_matches('\u{feff}');
            first = false;
        }
        let line = line.trim_end_matches(['\n', '\r']);
        let parsed = parse_request(line);
        if let Some(message) = warning.take() {
            let id = match &parsed {
                Ok(request) => Some(request.id.clone()),
                Err((id, _)) => id.clone(),
            };
            out.send(seq, id, Body::Warning { message }, false);
        }
        match parsed {
            Err((id, error)) => out.send(seq, id, Body::Error { error }, true),
            Ok(request) if request.mode == Mode::Run && request.command.name() != "list-sites" => {
                if jobs.send(Job { seq, request }).is_err() {
                    return Ok(());
                }
            }
            Ok(request) => execute(out, seq, &request, config, gitlab, clipboard),
        }
    }
}

/// Run one request and send its messages under its sequence number.
fn execute<W: Write>(
    out: Output<'_, W>,
    seq: u64,
    request: &Request,
    config: &SitesCache,
    gitlab: &Gitlab,
    clipboard: ClipboardFn<'_>,
) {
    let id = Some(request.id.clone());
    let mut reporter = LineReporter {
        out,
        seq,
        id: id.clone(),
    };
    let terminal = {
        let mut ctx = Context {
            env: config.env(),
            config,
            gitlab,
            reporter: &mut reporter,
            today: crate::dates::today(),
            clipboard,
        };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            commands::execute(request, &mut ctx)
        }))
        .unwrap_or_else(|panic| Body::Error {
            error: internal_error(&panic),
        })
    };
    out.send(seq, id, terminal, true);
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Parse one line, or say why it can't be served (with the id, when it could be read).
pub fn parse_request(line: &str) -> Result<Request, (Option<RequestId>, Error)> {
    if line.trim().is_empty() {
        return Err((
            None,
            Error::protocol("The line is empty; every line must be one JSON request."),
        ));
    }
    let value: Value = serde_json::from_str(line).map_err(|e| {
        (
            None,
            Error::protocol("The line is not JSON; every line must be one JSON request object.")
                .caused_by(&e),
        )
    })?;
    let Value::Object(map) = &value else {
        return Err((
            None,
            Error::protocol("The line is JSON but not an object; a request is a JSON object."),
        ));
    };
    let id = map
        .get("id")
        .and_then(|v| serde_json::from_value::<RequestId>(v.clone()).ok());
    let Some(id) = id else {
        return Err((
            None,
            Error::protocol("The request has no usable \"id\" (a string or unsigned integer)."),
        ));
    };
    let fail = |error: Error| Err((Some(id.clone()), error));
    match map.get("v") {
        None => {
            return fail(Error::protocol(format!(
                "The request has no protocol version \"v\"; this engine speaks version {VERSION}."
            )));
        }
        Some(v) if v.as_u64() != Some(u64::from(VERSION)) => {
            return fail(
                Error::protocol(format!(
                    "Unsupported protocol version {v}; this engine speaks version {VERSION}."
                ))
                .with_hint("Update the GitlabCli module and its engine together."),
            );
        }
        Some(_) => {}
    }
    match map.get("command").and_then(Value::as_str) {
        None => {
            return fail(Error::protocol(format!(
                "The request has no \"command\". Known commands: {}.",
                COMMANDS.join(", ")
            )));
        }
        Some(name) if !COMMANDS.contains(&name) => {
            return fail(Error::protocol(format!(
                "Unknown command '{name}'. Known commands: {}.",
                COMMANDS.join(", ")
            )));
        }
        Some(_) => {}
    }
    let mut value = value;
    if let Some(map) = value.as_object_mut() {
        map.entry("params")
            .or_insert_with(|| Value::Object(Default::default()));
    }
    serde_json::from_value::<Request>(value).or_else(|e| {
        fail(
            Error::protocol(format!(
                "The request does not fit protocol v{VERSION}: {e}."
            ))
            .caused_by(&e),
        )
    })
}

fn internal_error(panic: &Box<dyn std::any::Any + Send>) -> Error {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Error::new(
        ErrorKind::Protocol,
        format!("The engine failed inside this request ({what}). The engine keeps serving."),
    )
    .with_hint("This is a bug in gitlabcli; please report it with the request that caused it.")
}

/// Messages of one request that cannot be written yet.
#[derive(Default)]
struct Held {
    messages: Vec<Message>,
    done: bool,
}

struct OrderedState<W> {
    writer: W,
    /// The oldest request whose terminal message has not been written.
    next: u64,
    held: HashMap<u64, Held>,
    failed: Option<io::Error>,
}

/// The engine's stdout: one JSON message per line, in request order (see the module comment).
/// Requests are numbered from 1 in the order their lines were read.
struct Ordered<W> {
    state: Mutex<OrderedState<W>>,
}

impl<W: Write> Ordered<W> {
    fn new(writer: W) -> Self {
        Ordered {
            state: Mutex::new(OrderedState {
                writer,
                next: 1,
                held: HashMap::new(),
                failed: None,
            }),
        }
    }

    fn has_failed(&self) -> bool {
        lock(&self.state).failed.is_some()
    }

    /// The first write error, if writing ever failed.
    fn result(self) -> io::Result<()> {
        let state = self.state.into_inner().unwrap_or_else(|p| p.into_inner());
        match state.failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Send a message of request `seq`; `terminal` ends the request.
    fn send(&self, seq: u64, id: Option<RequestId>, body: Body, terminal: bool) {
        let message = Message {
            v: VERSION,
            id,
            body,
        };
        let mut state = lock(&self.state);
        if state.failed.is_some() {
            return;
        }
        if seq != state.next {
            let held = state.held.entry(seq).or_default();
            held.messages.push(message);
            held.done |= terminal;
            return;
        }
        let mut written = write_message(&mut state.writer, &message);
        if terminal {
            state.next += 1;
            // Release what later requests produced meanwhile, up to the next unfinished one.
            while written.is_ok() {
                let next = state.next;
                let Some(held) = state.held.get_mut(&next) else {
                    break;
                };
                let messages = std::mem::take(&mut held.messages);
                let done = held.done;
                for message in &messages {
                    written = written.and_then(|()| write_message(&mut state.writer, message));
                }
                if !done {
                    break;
                }
                state.held.remove(&next);
                state.next += 1;
            }
        }
        if let Err(e) = written.and_then(|()| state.writer.flush()) {
            state.failed = Some(e);
        }
    }
}

fn write_message<W: Write>(writer: &mut W, message: &Message) -> io::Result<()> {
    serde_json::to_writer(&mut *writer, message).map_err(io::Error::other)?;
    writer.write_all(b"\n")
}

/// Where requests' messages go: the sequencer, and the watchdog that speaks for requests
/// waiting on GitLab (its waits are tagged with the request's sequence number and id).
struct Output<'a, W> {
    ordered: &'a Ordered<W>,
    watchdog: &'a Watchdog<(u64, Option<RequestId>)>,
}

impl<W> Clone for Output<'_, W> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<W> Copy for Output<'_, W> {}

impl<W: Write> Output<'_, W> {
    fn send(&self, seq: u64, id: Option<RequestId>, body: Body, terminal: bool) {
        self.ordered.send(seq, id, body, terminal);
    }

    fn has_failed(&self) -> bool {
        self.ordered.has_failed()
    }
}

/// Closes the watchdog when dropped.
struct Closes<'a, T>(&'a Watchdog<T>);

impl<T> Drop for Closes<'_, T> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Sends a request's stream messages under its id, in its place in the order.
struct LineReporter<'a, W: Write> {
    out: Output<'a, W>,
    seq: u64,
    id: Option<RequestId>,
}

impl<W: Write> Reporter for LineReporter<'_, W> {
    fn send(&mut self, body: Body) {
        self.out.send(self.seq, self.id.clone(), body, false);
    }

    fn wait_begins(&mut self, what: &str, limit: Duration) -> bool {
        let tag = (self.seq, self.id.clone());
        self.out.watchdog.begin(self.seq, tag, what, limit);
        true
    }

    fn wait_ended(&mut self) -> bool {
        self.out.watchdog.end(self.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_of(line: &str) -> (Option<RequestId>, Error) {
        parse_request(line).expect_err("should be refused")
    }

    #[test]
    fn refuses_bad_lines_by_name() {
        let (id, e) = err_of("not json");
        assert_eq!((id, e.kind), (None, ErrorKind::Protocol));
        let (id, e) = err_of(r#"{"v":2,"id":"a","command":"list-sites"}"#);
        assert_eq!(id, Some(RequestId::Text("a".into())));
        assert!(e.message.contains("version 2"), "{}", e.message);
        let (_, e) = err_of(r#"{"v":1,"id":5,"command":"delete-everything"}"#);
        assert!(e.message.contains("delete-everything"));
        let (_, e) = err_of(
            r#"{"v":1,"id":5,"command":"create-personal-access-token","params":{"nmae":"x"}}"#,
        );
        assert!(e.message.contains("nmae"), "{}", e.message);
        let (id, _) = err_of(r#"{"v":1,"command":"list-sites"}"#);
        assert_eq!(id, None);
        let (_, e) = err_of("   ");
        assert!(e.message.contains("empty"));
    }

    fn lines_of(out: Ordered<Vec<u8>>) -> Vec<(String, String)> {
        let state = out.state.into_inner().unwrap();
        String::from_utf8(state.writer)
            .unwrap()
            .lines()
            .map(|line| {
                let v: Value = serde_json::from_str(line).unwrap();
                (
                    v["id"].as_str().unwrap().to_string(),
                    v["type"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn id(text: &str) -> Option<RequestId> {
        Some(RequestId::Text(text.into()))
    }

    fn verbose() -> Body {
        Body::Verbose {
            message: "v".into(),
        }
    }

    fn error() -> Body {
        Body::Error {
            error: Error::protocol("x"),
        }
    }

    #[test]
    fn messages_leave_in_request_order_whoever_finishes_first() {
        let out = Ordered::new(Vec::new());
        // Request 3 finishes first, then 2 starts talking, then 1 talks and finishes.
        out.send(3, id("c"), verbose(), false);
        out.send(3, id("c"), error(), true);
        out.send(2, id("b"), verbose(), false);
        out.send(1, id("a"), verbose(), false);
        out.send(1, id("a"), error(), true);
        // 2's held message went out with 1's end; 2 is now the oldest and streams directly.
        out.send(2, id("b"), verbose(), false);
        out.send(2, id("b"), error(), true);
        let lines = lines_of(out);
        let expected: Vec<(String, String)> = [
            ("a", "verbose"),
            ("a", "error"),
            ("b", "verbose"),
            ("b", "verbose"),
            ("b", "error"),
            ("c", "verbose"),
            ("c", "error"),
        ]
        .iter()
        .map(|(i, t)| (i.to_string(), t.to_string()))
        .collect();
        assert_eq!(lines, expected);
    }

    #[test]
    fn serve_answers_in_order_with_several_workers() {
        // Plans (answered by the reading thread) and refused lines interleave with runs (workers):
        // every answer still comes back in line order. The runs fail fast (no site configured).
        let mut input = String::new();
        for i in 1..=12 {
            let mode = if i % 3 == 0 { "plan" } else { "run" };
            input.push_str(&format!(
                "{{\"v\":1,\"id\":\"{i}\",\"mode\":\"{mode}\",\"command\":\"create-personal-access-token\",\"params\":{{\"name\":\"n\",\"scopes\":[\"api\"],\"site_url\":\"https://unknown.example\"}}}}\n"
            ));
            if i == 7 {
                input.push_str("not json\n");
            }
        }
        let mut output = Vec::new();
        let env = Environment::default();
        let no_clipboard = |_: &crate::secret::Secret| Ok(());
        serve_with(input.as_bytes(), &mut output, &env, &no_clipboard, 4, None).unwrap();
        let ids: Vec<String> = String::from_utf8(output)
            .unwrap()
            .lines()
            .map(|line| {
                let v: Value = serde_json::from_str(line).unwrap();
                v["id"].as_str().unwrap_or("null").to_string()
            })
            .collect();
        let mut expected: Vec<String> = (1..=7).map(|i| i.to_string()).collect();
        expected.push("null".into());
        expected.extend((8..=12).map(|i| i.to_string()));
        assert_eq!(ids, expected);
    }

    #[test]
    fn params_may_be_omitted_for_commands_without_them() {
        let req = parse_request(r#"{"v":1,"id":1,"command":"list-sites"}"#).unwrap();
        assert_eq!(req.command.name(), "list-sites");
    }
}
