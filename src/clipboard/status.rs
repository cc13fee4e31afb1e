//! The one-line report the `clipboard-hold` helper writes on its stdout.
//!
//! `ok <pid>` once the clipboard holds the text (`<pid>` is the process now holding it), or
//! `error <message>` when it could not. The line never contains the secret.

/// What the helper reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// The clipboard holds the text; `holder` is the process serving it, when known.
    Ok { holder: Option<u32> },
    /// The text is not on the clipboard, and why.
    Error(String),
}

/// The longest status line a reader accepts, newline included.
pub(crate) const MAX_LINE: u64 = 4096;

impl Status {
    /// The line to write, newline included. A multi-line message is folded onto one line.
    pub(crate) fn to_line(&self) -> String {
        match self {
            Status::Ok { holder: Some(pid) } => format!("ok {pid}\n"),
            Status::Ok { holder: None } => "ok\n".to_string(),
            Status::Error(message) => {
                let folded: Vec<&str> = message.split_whitespace().collect();
                format!("error {}\n", folded.join(" "))
            }
        }
    }

    /// Read a line written by [`Status::to_line`]; `None` when it is not a status line.
    pub(crate) fn parse(line: &str) -> Option<Status> {
        let line = line.trim_end_matches(['\r', '\n']);
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "ok" if rest.is_empty() => Some(Status::Ok { holder: None }),
            "ok" => rest
                .parse()
                .ok()
                .map(|pid| Status::Ok { holder: Some(pid) }),
            "error" => Some(Status::Error(rest.trim().to_string())),
            _ => None,
        }
    }

    pub(crate) fn is_ok(&self) -> bool {
        matches!(self, Status::Ok { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip() {
        for status in [
            Status::Ok { holder: Some(4242) },
            Status::Ok { holder: None },
            Status::Error("cannot open the display :3".to_string()),
        ] {
            let line = status.to_line();
            assert!(line.ends_with('\n') && line.matches('\n').count() == 1);
            assert_eq!(Status::parse(&line), Some(status));
        }
    }

    #[test]
    fn error_messages_are_folded_onto_one_line() {
        let line = Status::Error("first\nsecond\r\n third".to_string()).to_line();
        assert_eq!(line, "error first second third\n");
    }

    #[test]
    fn anything_else_is_not_a_status() {
        assert_eq!(Status::parse(""), None);
        assert_eq!(Status::parse("okay"), None);
        assert_eq!(Status::parse("ok pid"), None);
        assert_eq!(Status::parse("Error: boom"), None);
    }
}
