//! bench-floor: the least a program can spend creating N tokens against a GitLab, for the
//! benchmark's floor. One `ureq` agent, one keep-alive connection, requests one after another:
//! `POST /api/v4/users/:id/personal_access_tokens` N times, nothing else (no validation, no
//! protocol, no user lookup).
//!
//! ```text
//! cargo run --release --example bench-floor -- <site-url> <user-id> <count>
//! ```
//!
//! The access token comes from `GITLAB_ACCESS_TOKEN` (never argv). Prints one JSON line:
//! `{"count":N,"created":N,"total_ms":..,"per_token_ms":..}`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, user, count] = args.as_slice() else {
        eprintln!(
            "usage: bench-floor <site-url> <user-id> <count>   (token in GITLAB_ACCESS_TOKEN)"
        );
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse::<u32>() else {
        eprintln!("bench-floor: count {count:?} is not a whole number");
        return ExitCode::from(2);
    };
    let Ok(token) = std::env::var("GITLAB_ACCESS_TOKEN") else {
        eprintln!("bench-floor: GITLAB_ACCESS_TOKEN is not set");
        return ExitCode::from(2);
    };
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .new_agent();
    let endpoint = format!(
        "{}/api/v4/users/{user}/personal_access_tokens",
        url.trim_end_matches('/')
    );
    let started = Instant::now();
    let mut created = 0;
    for i in 0..count {
        let body = serde_json::json!({"name": format!("floor {i}"), "scopes": ["api"]});
        let answer = agent
            .post(&endpoint)
            .header("PRIVATE-TOKEN", &token)
            .send_json(&body);
        match answer {
            Ok(mut response) => {
                let ok = response.status().as_u16() == 201;
                // Read the body, as any client must, to reuse the connection.
                let _ = response.body_mut().read_to_string();
                if ok {
                    created += 1;
                }
            }
            Err(e) => {
                eprintln!("bench-floor: request {i} failed: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let total = started.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{}",
        serde_json::json!({
            "count": count,
            "created": created,
            "total_ms": total,
            "per_token_ms": total / f64::from(count.max(1)),
        })
    );
    if created == count {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
