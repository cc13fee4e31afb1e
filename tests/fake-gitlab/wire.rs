//! What travels on the wire, independent of the HTTP library: the request as the handlers see it,
//! the answer they give back, and the parsing of query strings and bodies.
//!
//! Parameters are decoded the way Rack (GitLab's web server interface) does for the simple cases
//! clients use: `key=value` pairs, where a key ending in `[]` collects its values into an array
//! (`scopes[]=api&scopes[]=read_user` becomes `{"scopes":["api","read_user"]}`) and a repeated plain
//! key keeps its last value.

use serde_json::{Map, Value, json};

/// A request, fully read, as the handlers see it.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The method as sent, upper case (`GET`, `POST`, ...).
    pub method: String,
    /// The path as sent, still percent-encoded, without the query string.
    pub path: String,
    /// The query string as sent (without `?`), or `None` when the target had no `?`.
    pub raw_query: Option<String>,
    /// The decoded query parameters.
    pub query: Map<String, Value>,
    /// Every header, names in lower case, in arrival order (repeated names stay repeated).
    pub headers: Vec<(String, String)>,
    /// The body bytes exactly as received.
    pub raw_body: Vec<u8>,
}

impl Incoming {
    /// Splits a request target (`/path?query`, or an absolute `http://host/path?query`) and decodes
    /// the query.
    pub fn new(
        method: &str,
        target: &str,
        headers: Vec<(String, String)>,
        raw_body: Vec<u8>,
    ) -> Incoming {
        let origin_form = strip_scheme_and_authority(target);
        let (path, raw_query) = match origin_form.split_once('?') {
            Some((p, q)) => (p, Some(q.to_string())),
            None => (origin_form, None),
        };
        let query = raw_query.as_deref().map(parse_form).unwrap_or_default();
        Incoming {
            method: method.to_ascii_uppercase(),
            path: if path.is_empty() { "/" } else { path }.to_string(),
            raw_query,
            query,
            headers,
            raw_body,
        }
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The headers as a JSON object; a repeated header's values are joined with `, ` (as HTTP allows).
    pub fn headers_json(&self) -> Map<String, Value> {
        let mut out = Map::new();
        for (name, value) in &self.headers {
            match out.get_mut(name) {
                Some(Value::String(existing)) => {
                    existing.push_str(", ");
                    existing.push_str(value);
                }
                _ => {
                    out.insert(name.clone(), Value::String(value.clone()));
                }
            }
        }
        out
    }

    /// The body as text (invalid UTF-8 replaced), for the record.
    pub fn raw_body_text(&self) -> String {
        String::from_utf8_lossy(&self.raw_body).into_owned()
    }

    /// The body decoded by its media type: see [`Body`].
    pub fn body(&self) -> Body {
        if self.raw_body.iter().all(u8::is_ascii_whitespace) {
            return Body::Empty;
        }
        let media_type = self
            .header("content-type")
            .map(|ct| {
                ct.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        let as_json = || match serde_json::from_slice::<Value>(&self.raw_body) {
            Ok(v) => Body::Json(v),
            Err(_) => Body::Malformed,
        };
        let as_form = || match std::str::from_utf8(&self.raw_body) {
            Ok(text) => Body::Form(parse_form(text)),
            Err(_) => Body::Malformed,
        };
        match media_type.as_str() {
            "application/json" => as_json(),
            "application/x-www-form-urlencoded" => as_form(),
            // No media type: guess the way a lenient server would.
            "" if self.raw_body.trim_ascii_start().starts_with(b"{") => as_json(),
            "" => as_form(),
            _ if media_type.ends_with("+json") => as_json(),
            _ => Body::Unsupported,
        }
    }
}

/// A request body after decoding.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body, or only white space.
    Empty,
    /// A JSON document (`application/json`).
    Json(Value),
    /// Form fields (`application/x-www-form-urlencoded`), decoded as described in the module doc.
    Form(Map<String, Value>),
    /// The media type promised JSON or a form but the bytes are not one.
    Malformed,
    /// A media type the fake does not decode (multipart, XML, ...).
    Unsupported,
}

impl Body {
    /// The body for the record: the JSON document, the form as an object, or `null`.
    pub fn to_record(&self) -> Value {
        match self {
            Body::Json(v) => v.clone(),
            Body::Form(m) => Value::Object(m.clone()),
            Body::Empty | Body::Malformed | Body::Unsupported => Value::Null,
        }
    }
}

/// An answer: status, media type, body and any extra headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            content_type: Some("application/json".to_string()),
            body: body.to_string().into_bytes(),
            headers: Vec::new(),
        }
    }

    /// GitLab's `{"message": ...}` error shape.
    pub fn message(status: u16, message: &str) -> Reply {
        Reply::json(status, &json!({ "message": message }))
    }

    /// GitLab's `{"error": ...}` error shape (Grape's own errors: routing and parameter validation).
    pub fn error(status: u16, error: &str) -> Reply {
        Reply::json(status, &json!({ "error": error }))
    }

    /// An answer without a body.
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            content_type: None,
            body: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// Decodes `a=1&b=2&list[]=x&list[]=y` as described in the module doc.
pub fn parse_form(text: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in url::form_urlencoded::parse(text.as_bytes()) {
        if key.is_empty() {
            continue;
        }
        let value = Value::String(value.into_owned());
        if let Some(list_key) = key.strip_suffix("[]") {
            match out.get_mut(list_key) {
                Some(Value::Array(items)) => items.push(value),
                _ => {
                    out.insert(list_key.to_string(), Value::Array(vec![value]));
                }
            }
        } else {
            out.insert(key.into_owned(), value);
        }
    }
    out
}

/// Decodes `%XX` escapes in one path segment; a malformed escape is kept as written.
pub fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `http://host:port/path?q` → `/path?q`; an origin-form target is returned unchanged.
fn strip_scheme_and_authority(target: &str) -> &str {
    let Some(scheme_end) = target.find("://") else {
        return target;
    };
    if target[..scheme_end].contains('/') {
        return target;
    }
    let rest = &target[scheme_end + 3..];
    match rest.find(['/', '?']) {
        Some(i) => &rest[i..],
        None => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_collects_bracket_keys_into_arrays() {
        let form =
            parse_form("name=my+token&scopes[]=api&scopes%5B%5D=read_user&expires_at=2030-01-01");
        assert_eq!(
            Value::Object(form),
            json!({"name":"my token","scopes":["api","read_user"],"expires_at":"2030-01-01"})
        );
    }

    #[test]
    fn repeated_plain_key_keeps_the_last_value() {
        assert_eq!(Value::Object(parse_form("a=1&a=2")), json!({"a":"2"}));
    }

    #[test]
    fn targets_split_into_path_and_query() {
        let req = Incoming::new("get", "/api/v4/users?username=j%20smith", vec![], vec![]);
        assert_eq!(req.method, "GET");
        assert_eq!(req.path, "/api/v4/users");
        assert_eq!(req.raw_query.as_deref(), Some("username=j%20smith"));
        assert_eq!(Value::Object(req.query), json!({"username":"j smith"}));
        let absolute = Incoming::new("GET", "http://gitlab.test:80/api/v4/user", vec![], vec![]);
        assert_eq!(absolute.path, "/api/v4/user");
        assert_eq!(absolute.raw_query, None);
    }

    #[test]
    fn percent_decoding_keeps_malformed_escapes() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn bodies_decode_by_media_type() {
        let json_req = Incoming::new(
            "POST",
            "/",
            vec![(
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            )],
            br#"{"name":"x"}"#.to_vec(),
        );
        assert_eq!(json_req.body(), Body::Json(json!({"name":"x"})));
        let bad = Incoming::new(
            "POST",
            "/",
            vec![("content-type".into(), "application/json".into())],
            b"{nope".to_vec(),
        );
        assert_eq!(bad.body(), Body::Malformed);
        let untyped_form = Incoming::new("POST", "/", vec![], b"name=x".to_vec());
        assert_eq!(untyped_form.body().to_record(), json!({"name":"x"}));
        let empty = Incoming::new("POST", "/", vec![], b"  ".to_vec());
        assert_eq!(empty.body(), Body::Empty);
    }

    #[test]
    fn repeated_headers_are_joined() {
        let req = Incoming::new(
            "GET",
            "/",
            vec![("x-a".into(), "1".into()), ("x-a".into(), "2".into())],
            vec![],
        );
        assert_eq!(Value::Object(req.headers_json()), json!({"x-a":"1, 2"}));
    }
}
