//! Drives every row of docs/BAD-INPUT.md through the real engine against the fake GitLab: the
//! error kind, the words the user sees, and what reached GitLab must all be as the table says.

mod common;

use common::{EngineSetup, Fake, repo_path};
use gitlabcli::protocol::Body;
use serde_json::Value;

/// One row of the table.
#[derive(Debug)]
struct Row {
    number: usize,
    setup: String,
    request: String,
    kind: String,
    message: String,
    sent: String,
}

/// The text between the first and last backtick of a cell, or the cell itself.
fn code(cell: &str) -> String {
    let cell = cell.trim();
    match (cell.find('`'), cell.rfind('`')) {
        (Some(a), Some(b)) if b > a => cell[a + 1..b].to_string(),
        _ => cell.to_string(),
    }
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(repo_path("docs/BAD-INPUT.md")).expect("docs/BAD-INPUT.md");
    let mut rows = Vec::new();
    for line in text.lines() {
        let Some(inner) = line.strip_prefix("| ").and_then(|l| l.strip_suffix(" |")) else {
            continue;
        };
        let cells: Vec<&str> = inner.split(" | ").collect();
        let Ok(number) = cells[0].trim().parse::<usize>() else {
            continue;
        };
        assert_eq!(
            cells.len(),
            8,
            "row {number} has {} cells: {line}",
            cells.len()
        );
        rows.push(Row {
            number,
            setup: code(cells[3]),
            request: code(cells[4]),
            kind: cells[5].trim().to_string(),
            message: cells[6].trim().to_string(),
            sent: cells[7].trim().to_string(),
        });
    }
    rows
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The engine setup a row's Setup cell describes; injects faults into the fake.
fn setup_for(row: &Row, fake: &Fake) -> EngineSetup {
    let site = || EngineSetup::env_site(&fake.url, &fake.admin_token);
    let (word, rest) = row
        .setup
        .split_once(' ')
        .unwrap_or((row.setup.as_str(), ""));
    match word {
        "site" => site(),
        "no-site" => EngineSetup::new(),
        "config" => {
            let setup = EngineSetup::new();
            let path = setup.config_path();
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes(&placeholders(rest, fake))).unwrap();
            setup
        }
        "file" => config_file_of_kind(rest),
        "var" => {
            let (name, value) = rest.split_once('=').expect("var NAME=value");
            site().var(name, &placeholders(value, fake))
        }
        "env" => {
            let (name, value) = rest.split_once('=').expect("env NAME=value");
            EngineSetup::new().var(name, &placeholders(value, fake))
        }
        "url" => {
            let url = placeholders(rest, fake).replace("<free-port>", &free_port().to_string());
            EngineSetup::env_site(&url, &fake.admin_token)
        }
        "token" => {
            let token = rest.replace("<user>", &fake.user_token);
            EngineSetup::env_site(&fake.url, &token)
        }
        "fail" => {
            fake.fail(1, rest.parse().unwrap(), "application/json", "");
            site()
        }
        "answer" => {
            let (status, body) = rest.split_once(' ').expect("answer <status> <json>");
            let body = body.replace("<token>", &fake.admin_token);
            fake.fail(1, status.parse().unwrap(), "application/json", &body);
            site()
        }
        "rate-limit" => {
            fake.rate_limit(1, rest.parse().unwrap());
            site()
        }
        other => panic!("row {}: unknown setup '{other}'", row.number),
    }
}

/// `<fake>` (the fake's URL), `<fake-host>` (its host and port), `<proxy>` (its CONNECT proxy)
/// and `<token>` (the administrator's token) in `text`.
fn placeholders(text: &str, fake: &Fake) -> String {
    text.replace("<fake-host>", fake.url.trim_start_matches("http://"))
        .replace("<fake>", &fake.url)
        .replace("<proxy>", &fake.proxy_url)
        .replace("<token>", &fake.admin_token)
}

/// A Setup cell's text as file bytes: `\n` is a line break, `\xNN` a byte.
fn bytes(text: &str) -> Vec<u8> {
    let text = text.replace("\\n", "\n");
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("\\x") {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        out.push(u8::from_str_radix(&rest[at + 2..at + 4], 16).expect("\\xNN"));
        rest = &rest[at + 4..];
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

/// A config file that is no regular file of text: `fifo`, `dir`, `big` (2 MiB of sites) or
/// `link TARGET`.
fn config_file_of_kind(kind: &str) -> EngineSetup {
    let setup = EngineSetup::new();
    let path = setup.config_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    match kind.split_once(' ').unwrap_or((kind, "")) {
        ("fifo", _) => {
            let status = std::process::Command::new("mkfifo").arg(&path).status();
            assert!(status.unwrap().success(), "mkfifo");
        }
        ("dir", _) => std::fs::create_dir(&path).unwrap(),
        ("big", _) => {
            let site = "- Url: https://a.example\n  AccessToken: glpat-xxxxxxxxxxxxxxxxxxxx\n";
            std::fs::write(
                &path,
                format!("Sites:\n{}", site.repeat(2 * 1024 * 1024 / site.len())),
            )
            .unwrap();
        }
        #[cfg(unix)]
        ("link", target) => std::os::unix::fs::symlink(target, &path).unwrap(),
        (other, _) => panic!("unknown file kind '{other}'"),
    }
    setup
}

/// The line a row's Request cell describes.
fn request_line(row: &Row, fake: &Fake) -> String {
    if let Some(raw) = row.request.strip_prefix("line") {
        return placeholders(raw.strip_prefix(' ').unwrap_or(raw), fake);
    }
    let params =
        placeholders(&row.request, fake).replace("\"x*256\"", &format!("\"{}\"", "x".repeat(256)));
    let params: Value = serde_json::from_str(&params)
        .unwrap_or_else(|e| panic!("row {}: request is not JSON: {e}", row.number));
    serde_json::json!({"v": 1, "id": format!("row{}", row.number), "mode": "run",
        "command": "create-personal-access-token", "params": params})
    .to_string()
}

#[test]
fn every_row_of_the_bad_input_table_holds() {
    let rows = rows();
    assert!(rows.len() >= 30, "the table has {} rows", rows.len());
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.number, i + 1, "rows are numbered 1, 2, 3, ...");
    }
    let fake = Fake::start();
    let mut failures = Vec::new();
    for row in &rows {
        fake.clear_requests();
        let setup = setup_for(row, &fake);
        let mut engine = setup.start();
        engine.send_line(&request_line(row, &fake));
        let messages = engine.read_until_terminal();
        let problems = check(row, &messages, &fake);
        for line in &engine.raw {
            for secret in [&fake.admin_token, &fake.user_token] {
                assert!(
                    !line.contains(secret.as_str()),
                    "row {}: token in {line}",
                    row.number
                );
            }
        }
        if let Some(problem) = problems {
            failures.push(format!("row {}: {problem}", row.number));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn check(row: &Row, messages: &[gitlabcli::protocol::Message], fake: &Fake) -> Option<String> {
    if row.kind == "warning" {
        let warned = messages.iter().any(
            |m| matches!(&m.body, Body::Warning { message } if message.contains(&row.message)),
        );
        if !warned {
            return Some(format!(
                "no warning contains {:?}: {messages:?}",
                row.message
            ));
        }
        return sent_as_the_table_says(row, fake);
    }
    let Some(Body::Error { error }) = messages.last().map(|m| &m.body) else {
        return Some(format!("expected an error, got {:?}", messages.last()));
    };
    if error.kind.as_str() != row.kind {
        return Some(format!(
            "kind {} (table: {}): {}",
            error.kind, row.kind, error.message
        ));
    }
    if !error.message.contains(&row.message) {
        return Some(format!(
            "message {:?} does not contain the table's {:?}",
            error.message, row.message
        ));
    }
    sent_as_the_table_says(row, fake)
}

/// `None` when GitLab received what the row's Sent cell lists.
fn sent_as_the_table_says(row: &Row, fake: &Fake) -> Option<String> {
    let sent = fake.request_lines();
    let expected: Vec<String> = if row.sent == "nothing" {
        Vec::new()
    } else {
        row.sent.split(", ").map(str::to_string).collect()
    };
    if sent != expected {
        return Some(format!("GitLab received {sent:?} (table: {expected:?})"));
    }
    None
}
