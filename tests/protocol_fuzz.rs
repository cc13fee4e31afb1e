//! Property tests of the request reader, through one long-lived `gitlabcli serve`: random bytes,
//! invalid UTF-8, truncated JSON, deep nesting, unknown fields and versions, and a 10 MB line.
//! Each bad line gets exactly one `protocol` error, the engine never panics (stderr stays empty),
//! and the valid line sent after it is served.

mod common;

use common::engine_path;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// One engine for every case, so a bad line is also proven not to disturb later ones.
struct Shared {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// Everything the engine wrote to stderr, which is for crashes and panics only.
    stderr: std::sync::Arc<Mutex<String>>,
}

fn shared() -> &'static Mutex<Shared> {
    static ENGINE: OnceLock<Mutex<Shared>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let home = std::env::temp_dir().join("gitlabcli-protocol-fuzz-home");
        std::fs::create_dir_all(&home).unwrap();
        let mut child = Command::new(engine_path())
            .arg("serve")
            .env_clear()
            .env("HOME", &home)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start gitlabcli serve");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let stderr = std::sync::Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Mutex::new(Shared {
            child,
            stdin,
            stdout,
            stderr,
        })
    })
}

static NEXT: AtomicU64 = AtomicU64::new(1);

/// Send `bad` (a line without its `\n`) and then a valid `list-sites`; return the terminal
/// message answering `bad`, after checking that the valid line was served.
fn exchange(bad: &[u8]) -> Value {
    let id = format!("ok-{}", NEXT.fetch_add(1, Ordering::SeqCst));
    let mut engine = shared().lock().unwrap_or_else(|e| e.into_inner());
    let mut input = bad.to_vec();
    input.push(b'\n');
    input.extend_from_slice(
        json!({"v": 1, "id": id, "command": "list-sites"})
            .to_string()
            .as_bytes(),
    );
    input.push(b'\n');
    engine.stdin.write_all(&input).unwrap();
    engine.stdin.flush().unwrap();
    let mut answer_to_bad = None;
    let mut served = false;
    while answer_to_bad.is_none() || !served {
        let mut line = String::new();
        let n = engine.stdout.read_line(&mut line).unwrap();
        if n == 0 {
            let status = engine.child.wait();
            std::thread::sleep(std::time::Duration::from_millis(100));
            panic!(
                "the engine stopped ({status:?}); stderr: {}",
                engine.stderr.lock().unwrap()
            );
        }
        let message: Value = serde_json::from_str(&line).expect("every output line is JSON");
        let terminal = matches!(message["type"].as_str(), Some("result" | "error" | "plan"));
        if !terminal {
            continue;
        }
        if message["id"] == json!(id) {
            assert_eq!(
                message["type"], "result",
                "the valid line is served: {message}"
            );
            served = true;
        } else {
            assert!(
                answer_to_bad.is_none(),
                "one answer per bad line: {message}"
            );
            answer_to_bad = Some(message);
        }
    }
    let stderr = engine.stderr.lock().unwrap().clone();
    assert!(stderr.is_empty(), "the engine wrote to stderr: {stderr}");
    answer_to_bad.unwrap()
}

fn assert_protocol_error(answer: &Value) {
    assert_eq!(answer["type"], "error", "{answer}");
    assert_eq!(answer["error"]["kind"], "protocol", "{answer}");
    assert!(
        !answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .is_empty(),
        "{answer}"
    );
}

fn valid_request() -> Value {
    json!({"v": 1, "id": "x", "mode": "plan", "command": "create-personal-access-token",
        "params": {"name": "n", "scopes": ["api"], "expire_in_months": 3}})
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let line: Vec<u8> = bytes.into_iter().filter(|&b| b != b'\n').collect();
        let answer = exchange(&line);
        assert_protocol_error(&answer);
    }

    #[test]
    fn invalid_utf8_inside_a_request(at in 0usize..120, byte in 0x80u8..=0xff) {
        let mut line = valid_request().to_string().into_bytes();
        let at = at.min(line.len());
        line.insert(at, byte);
        // A lone byte of 0x80 and up is never valid UTF-8 next to ASCII.
        let answer = exchange(&line);
        assert_protocol_error(&answer);
    }

    #[test]
    fn truncated_json(cut in 1usize..150) {
        let text = valid_request().to_string();
        let cut = cut.min(text.len() - 1);
        let answer = exchange(&text.as_bytes()[..cut]);
        assert_protocol_error(&answer);
    }

    #[test]
    fn deep_nesting(depth in 100usize..20_000, object in any::<bool>()) {
        let (open, close) = if object { ("{\"a\":", "}") } else { ("[", "]") };
        let nested = format!("{}1{}", open.repeat(depth), close.repeat(depth));
        let line = format!(r#"{{"v":1,"id":"deep","command":"list-sites","params":{nested}}}"#);
        let answer = exchange(line.as_bytes());
        assert_protocol_error(&answer);
        // The whole request could not be read, so the id is unknown.
        prop_assert!(answer["id"].is_null() || answer["id"] == "deep", "{}", answer);
    }

    #[test]
    fn unknown_fields_are_refused_by_name(field in "[a-z_]{1,12}") {
        prop_assume!(!["name", "scopes", "user", "expires_at", "expire_in_months", "site_url",
            "copy_to_clipboard"].contains(&field.as_str()));
        let mut request = valid_request();
        request["params"][field.as_str()] = json!(1);
        let answer = exchange(request.to_string().as_bytes());
        assert_protocol_error(&answer);
        prop_assert_eq!(&answer["id"], &json!("x"));
        let message = answer["error"]["message"].as_str().unwrap();
        prop_assert!(message.contains(field.as_str()), "{}", message);
    }

    #[test]
    fn other_versions_are_refused(v in prop_oneof![Just(json!(0)), (2u64..u64::MAX).prop_map(|v| json!(v)),
        Just(json!("1")), Just(json!(1.5)), Just(json!(null)), Just(json!(-1))]) {
        let mut request = valid_request();
        request["v"] = v;
        let answer = exchange(request.to_string().as_bytes());
        assert_protocol_error(&answer);
        prop_assert_eq!(&answer["id"], &json!("x"), "the id is echoed when readable");
    }
}

#[test]
fn a_ten_megabyte_line_is_refused_and_the_next_is_served() {
    for (what, line) in [
        ("string", {
            let mut request = valid_request();
            request["params"]["name"] = json!("n".repeat(10 * 1024 * 1024));
            request.to_string()
        }),
        ("garbage", "z".repeat(10 * 1024 * 1024)),
    ] {
        let answer = exchange(line.as_bytes());
        assert_eq!(answer["type"], "error", "{what}");
        let kind = answer["error"]["kind"].as_str().unwrap();
        // The long name is well-formed protocol: it is refused as a bad parameter.
        let expected = if what == "string" {
            "invalid-argument"
        } else {
            "protocol"
        };
        assert_eq!(kind, expected, "{what}: {answer}");
        assert!(
            answer.to_string().len() < 4096,
            "the error does not echo the line back"
        );
    }
}
