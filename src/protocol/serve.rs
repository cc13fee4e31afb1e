//! The serve loop: read request lines until stdin closes, answer each in order.
//!
//! Every line gets exactly one terminal message. A line that cannot be understood gets a
//! `protocol` error and the loop carries on; a panic inside a command is caught and reported the
//! same way (its details also go to stderr, which is for crashes only).

use super::{Body, COMMANDS, Message, Reporter, Request, RequestId, VERSION};
use crate::commands::{self, ClipboardFn, Context};
use crate::config::Environment;
use crate::error::{Error, ErrorKind};
use crate::gitlab::Gitlab;
use serde_json::Value;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;

/// `gitlabcli serve` on the process's stdin and stdout.
pub fn serve_stdio() -> ExitCode {
    let env = Environment::from_process();
    let stdin = io::stdin().lock();
    let stdout = io::stdout().lock();
    match serve(stdin, stdout, &env, &crate::clipboard::copy) {
        Ok(()) => ExitCode::SUCCESS,
        // stdout is gone (the wrapper stopped reading): nobody is left to tell.
        Err(_) => ExitCode::FAILURE,
    }
}

/// Serve requests from `input`, writing messages to `output`, until `input` ends.
pub fn serve<R: BufRead, W: Write>(
    mut input: R,
    output: W,
    env: &Environment,
    clipboard: ClipboardFn<'_>,
) -> io::Result<()> {
    let mut out = Out { writer: output };
    let mut gitlab = Gitlab::new();
    let mut raw = Vec::new();
    let mut first = true;
    loop {
        raw.clear();
        if input.read_until(b'\n', &mut raw)? == 0 {
            return Ok(());
        }
        let mut line = match std::str::from_utf8(&raw) {
            Ok(text) => text,
            Err(e) => {
                out.send(
                    None,
                    Body::Error {
                        error: Error::protocol("The line is not valid UTF-8.").caused_by(&e),
                    },
                )?;
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
        match parse_request(line) {
            Err((id, error)) => out.send(id, Body::Error { error })?,
            Ok(request) => {
                let id = Some(request.id.clone());
                let mut reporter = LineReporter {
                    out: &mut out,
                    id: id.clone(),
                    failed: None,
                };
                let terminal = {
                    let mut ctx = Context {
                        env,
                        gitlab: &mut gitlab,
                        reporter: &mut reporter,
                        today: crate::dates::today(),
                        clipboard,
                    };
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        commands::execute(&request, &mut ctx)
                    }))
                    .unwrap_or_else(|panic| Body::Error {
                        error: internal_error(&panic),
                    })
                };
                if let Some(e) = reporter.failed.take() {
                    return Err(e);
                }
                out.send(id, terminal)?;
            }
        }
    }
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

/// The engine's stdout: one JSON message per line, flushed at once.
struct Out<W: Write> {
    writer: W,
}

impl<W: Write> Out<W> {
    fn send(&mut self, id: Option<RequestId>, body: Body) -> io::Result<()> {
        let message = Message {
            v: VERSION,
            id,
            body,
        };
        serde_json::to_writer(&mut self.writer, &message).map_err(io::Error::other)?;
        self.writer.write_all(b"\n")?;
        self.writer.flush()
    }
}

/// Sends a request's stream messages under its id.
struct LineReporter<'a, W: Write> {
    out: &'a mut Out<W>,
    id: Option<RequestId>,
    failed: Option<io::Error>,
}

impl<W: Write> Reporter for LineReporter<'_, W> {
    fn send(&mut self, body: Body) {
        if self.failed.is_none()
            && let Err(e) = self.out.send(self.id.clone(), body)
        {
            self.failed = Some(e);
        }
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

    #[test]
    fn params_may_be_omitted_for_commands_without_them() {
        let req = parse_request(r#"{"v":1,"id":1,"command":"list-sites"}"#).unwrap();
        assert_eq!(req.command.name(), "list-sites");
    }
}
