//! One parse of the config file's YAML into a tree that keeps the line of every node, so that
//! errors about a value can name its line without a second parse. A YAML error names the line,
//! the column and the parser's reason, with anything that may be a token removed.

use crate::error::{Error, Result};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// A YAML node and the line it starts on (from 1; `None` when the parser gave none).
#[derive(Debug, PartialEq)]
pub(super) struct Node {
    pub value: Value,
    pub line: Option<u64>,
}

/// A YAML value. Numbers keep their text; a mapping keeps its keys in order, as text (a key that
/// is not a scalar is empty).
#[derive(Debug, PartialEq)]
pub(super) enum Value {
    Map(Vec<(String, Node)>),
    Seq(Vec<Node>),
    Str(String),
    Bool(bool),
    Number(String),
    Null,
}

impl Node {
    fn from_spanned(spanned: Spanned<Value>) -> Node {
        Node {
            line: Some(spanned.referenced.line()).filter(|&n| n > 0),
            value: spanned.value,
        }
    }
}

/// Parse `text`; `file` names it in messages.
///
/// Errors (config): not YAML, or more YAML than a config file needs (the parser's budget, which
/// stops alias bombs).
pub(super) fn parse(text: &str, file: &str) -> Result<Node> {
    let root: Spanned<Value> =
        serde_saphyr::from_str_with_options(text, options()).map_err(|e| {
            let full = e.without_snippet().to_string();
            let reason = redact_tokens(&reason_of(&full), text);
            let at = e.location().filter(|l| l.line() > 0);
            let position = at
                .map(|l| format!("line {}, column {}: ", l.line(), l.column()))
                .unwrap_or_default();
            let error = if reason.starts_with("budget breached") {
                Error::config(format!(
                "The config file {file} holds more YAML than a list of sites needs ({position}the \
                 parser stopped at its limit: {reason})."
            ))
            .with_hint(format!(
                "Check that {file} is the list of sites, and remove aliases (*name) that repeat \
                 large parts of it."
            ))
            } else {
                Error::config(format!(
                    "The config file {file} is not valid YAML ({position}{reason})."
                ))
                .with_hint(format!(
                    "Fix the YAML in {file} (a Sites list of entries with Url and AccessToken), or \
                 remove the file."
                ))
            };
            error.caused_by_text(redact_tokens(&full, text))
        })?;
    Ok(Node::from_spanned(root))
}

/// The most YAML nodes a config file may have: a site is about five, so this is 2,000 sites. The
/// parser's default (250,000) let an alias bomb of a few hundred bytes keep the engine busy for
/// seconds.
pub(super) const MAX_NODES: usize = 10_000;

/// The parser's options: its defaults, with [`MAX_NODES`].
fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = MAX_NODES;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// The parser's reason without its position and its advice to programmers, at most 200
/// characters: "unclosed quote", "duplicate mapping key: AccessToken".
fn reason_of(full: &str) -> String {
    let mut reason = full;
    for cut in [" at line ", ", set ", "; use "] {
        if let Some(i) = reason.find(cut) {
            reason = &reason[..i];
        }
    }
    crate::text::truncate(reason.trim(), 200)
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

type Res<T, E> = std::result::Result<T, E>;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Res<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<KeyText>()? {
            let value = map.next_value::<Spanned<Value>>()?;
            entries.push((key.0, Node::from_spanned(value)));
        }
        Ok(Value::Map(entries))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Res<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Value>>()? {
            items.push(Node::from_spanned(item));
        }
        Ok(Value::Seq(items))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Res<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Res<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Res<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Res<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Res<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Res<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Res<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Res<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Res<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Res<Value, D::Error> {
        Value::deserialize(d)
    }
}

/// A key as written (`N` stays `N`, not YAML 1.1's false); keys that are not scalars become empty.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Res<KeyText, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Res<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Res<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Res<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Res<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Res<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Res<KeyText, E> {
                Ok(KeyText(String::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Res<KeyText, A::Error> {
                ValueVisitor.visit_map(map).map(|_| KeyText(String::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Res<KeyText, A::Error> {
                ValueVisitor.visit_seq(seq).map(|_| KeyText(String::new()))
            }
        }
        deserializer.deserialize_string(Text)
    }
}

/// `message` with anything that may be a token from `yaml` replaced by REDACTED.
///
/// The YAML parser's messages may quote the text around an error (a duplicate key, say), and a
/// config file that failed to parse has no structure to find its tokens by. So two textual rules:
/// every value written after an access-token key, and every token-like word (16 or more of
/// `A-Z a-z 0-9 _ -`, not only letters) that also occurs in the file.
fn redact_tokens(message: &str, yaml: &str) -> String {
    let lower = yaml.to_ascii_lowercase();
    let mut values: Vec<&str> = Vec::new();
    for key in ["accesstoken", "access_token", "access-token"] {
        for (start, _) in lower.match_indices(key) {
            let rest = &yaml[start + key.len()..];
            let rest = rest.trim_start_matches(['"', '\'']).trim_start();
            let Some(rest) = rest.strip_prefix(':') else {
                continue;
            };
            let rest = rest.trim_start().trim_start_matches(['"', '\'']);
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '}' | '#'))
                .unwrap_or(rest.len());
            let value = &rest[..end];
            if value.len() >= 4 {
                values.push(value);
            }
        }
    }
    let is_word_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-');
    values.extend(
        message
            .split(|c: char| !is_word_char(c))
            .filter(|w| w.len() >= 16 && !w.chars().all(|c| c.is_ascii_alphabetic()))
            .filter(|w| yaml.contains(*w)),
    );
    // Longest first, so that a token containing another is replaced whole.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    let mut out = message.to_string();
    for value in values {
        out = out.replace(value, "REDACTED");
    }
    out
}

/// `node` as block YAML, in the layout pwsh-gitlab's writer (powershell-yaml) gives: mappings
/// as `Key: value`, a sequence's items as `- ` at its key's indentation. Every scalar reads back
/// as what it was: text that YAML would read as another type (`true`, `null`, `12`), or that
/// needs quoting, is written double-quoted; numbers keep their text.
pub(super) fn emit(node: &Node) -> String {
    let mut out = String::new();
    match &node.value {
        Value::Map(entries) if !entries.is_empty() => emit_map(entries, 0, &mut out),
        Value::Seq(items) if !items.is_empty() => emit_seq(items, 0, &mut out),
        _ => {
            out.push_str(&inline(&node.value));
            out.push('\n');
        }
    }
    out
}

fn emit_map(entries: &[(String, Node)], indent: usize, out: &mut String) {
    for (i, (key, value)) in entries.iter().enumerate() {
        // The first key of a sequence item follows its `- `.
        if i > 0 || indent == 0 {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&scalar(key));
        out.push(':');
        match &value.value {
            Value::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                out.push_str(&" ".repeat(indent + 2));
                emit_map(inner, indent + 2, out);
            }
            Value::Seq(items) if !items.is_empty() => {
                out.push('\n');
                emit_seq(items, indent, out);
            }
            Value::Null => out.push('\n'),
            other => {
                out.push(' ');
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }
}

fn emit_seq(items: &[Node], indent: usize, out: &mut String) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match &item.value {
            Value::Map(inner) if !inner.is_empty() => emit_map(inner, indent + 2, out),
            Value::Seq(inner) if !inner.is_empty() => {
                out.push('\n');
                emit_seq(inner, indent + 2, out);
            }
            other => {
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }
}

/// A value on one line: a scalar, or an empty mapping or sequence.
fn inline(value: &Value) -> String {
    match value {
        Value::Str(s) => scalar(s),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.clone(),
        Value::Null => "null".to_string(),
        Value::Map(_) => "{}".to_string(),
        Value::Seq(_) => "[]".to_string(),
    }
}

/// Text as a YAML scalar: plain when it can only read back as the same text, else double-quoted
/// (a JSON string is a valid YAML double-quoted scalar).
fn scalar(text: &str) -> String {
    let plain = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@%+~=".contains(c))
        && !text.ends_with(':')
        && ![
            "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
        ]
        .contains(&text.to_ascii_lowercase().as_str());
    if plain {
        text.to_string()
    } else {
        serde_json::Value::String(text.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN_A: &str = "glpat-AAAAAAAAAAAAAAAAAAAA";
    const TOKEN_B: &str = "glpat-BBBBBBBBBBBBBBBBBBBB";

    #[test]
    fn one_parse_keeps_values_and_lines() {
        let node = parse(
            "# c\nSites:\n- Url: x\n\n  N: 12\n  F: 2.5\n  B: true\n  Q: 'true'\n  Z: ~\n",
            "f",
        )
        .unwrap();
        let Value::Map(root) = node.value else {
            panic!()
        };
        assert_eq!(root[0].0, "Sites");
        assert_eq!(root[0].1.line, Some(3));
        let Value::Seq(items) = &root[0].1.value else {
            panic!()
        };
        assert_eq!(items[0].line, Some(3));
        let Value::Map(site) = &items[0].value else {
            panic!()
        };
        let lines: Vec<_> = site.iter().map(|(k, v)| (k.as_str(), v.line)).collect();
        assert_eq!(
            lines,
            [
                ("Url", Some(3)),
                ("N", Some(5)),
                ("F", Some(6)),
                ("B", Some(7)),
                ("Q", Some(8)),
                ("Z", Some(9))
            ]
        );
        let values: Vec<_> = site.iter().map(|(_, v)| &v.value).collect();
        assert_eq!(
            values,
            [
                &Value::Str("x".into()),
                &Value::Number("12".into()),
                &Value::Number("2.5".into()),
                &Value::Bool(true),
                &Value::Str("true".into()),
                &Value::Null
            ]
        );
    }

    #[test]
    fn errors_give_position_and_reason_without_tokens() {
        for (yaml, says) in [
            (
                format!("Sites:\n- Url: https://a.example\n  AccessToken: \"{TOKEN_A}\n"),
                "(line 3, column 16: unclosed quote).",
            ),
            (
                format!("Sites:\n- Url: a\n  AccessToken: {TOKEN_A}\n  AccessToken: {TOKEN_B}\n"),
                "(line 4, column 3: duplicate mapping key: AccessToken).",
            ),
            (
                format!("Sites:\n- Url: a\n  {TOKEN_A}: 1\n  {TOKEN_A}: 2\n"),
                "(line 4, column 3: duplicate mapping key: REDACTED).",
            ),
            (
                "x: 1\n---\ny: 2\n".to_string(),
                "(line 3, column 1: multiple YAML documents detected).",
            ),
        ] {
            let err = parse(&yaml, "F").unwrap_err();
            assert!(
                err.message
                    .starts_with("The config file F is not valid YAML ("),
                "{}",
                err.message
            );
            assert!(err.message.ends_with(says), "{yaml}: {}", err.message);
            let all = format!("{err:?} {}", serde_json::to_string(&err).unwrap());
            assert!(!all.contains(TOKEN_A) && !all.contains(TOKEN_B), "{all}");
        }
    }

    #[test]
    fn an_alias_bomb_is_not_called_invalid_yaml() {
        let mut yaml = String::from("a: &a [x,x,x,x,x,x,x,x,x]\n");
        for (name, prev) in [
            ("b", "a"),
            ("c", "b"),
            ("d", "c"),
            ("e", "d"),
            ("f", "e"),
            ("g", "f"),
        ] {
            yaml.push_str(&format!(
                "{name}: &{name} [{}]\n",
                vec![format!("*{prev}"); 9].join(",")
            ));
        }
        let err = parse(&yaml, "F").unwrap_err();
        assert!(
            err.message
                .starts_with("The config file F holds more YAML than a list of sites needs (line "),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("budget breached: Nodes"),
            "{}",
            err.message
        );
    }

    #[test]
    fn redaction_of_parser_text_finds_token_values() {
        let yaml = format!(
            "Sites:\n- AccessToken: \"{TOKEN_A}\"\n- {{url: x, access_token: {TOKEN_B}}}\n"
        );
        let message = format!("error near {TOKEN_A} and '{TOKEN_B}'");
        assert_eq!(
            redact_tokens(&message, &yaml),
            "error near REDACTED and 'REDACTED'"
        );
        // A token-like word the file contains, wherever it was written.
        let yaml = "Sites:\n- Url: a\n  abcdef0123456789xyz: 1\n";
        assert_eq!(
            redact_tokens(
                "duplicate mapping key: abcdef0123456789xyz, set DuplicateKeyPolicy",
                yaml
            ),
            "duplicate mapping key: REDACTED, set DuplicateKeyPolicy"
        );
    }
}
