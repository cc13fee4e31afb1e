//! A small HTTP/1.1 server: one thread per TCP connection, keep-alive, `Content-Length` and
//! chunked request bodies. Enough for the engine, curl, Invoke-RestMethod and the benchmark.
//!
//! It replaces tiny_http's server loop, whose thread pool can leave a new connection's task
//! queued behind long-lived keep-alive connections when several connections open at once (the
//! pool counts a woken thread as still waiting): with the engine's concurrent workers, a request
//! then hung until the client's timeout. Here every accepted connection gets its own thread.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;

use crate::wire::Reply;

/// One request as read from the connection.
pub struct RawRequest {
    pub method: String,
    pub target: String,
    /// Header names in lower case, in arrival order.
    pub headers: Vec<(String, String)>,
    /// `Err` when the body could not be read (the answer is then a 400).
    pub body: io::Result<Vec<u8>>,
    pub peer: Option<SocketAddr>,
}

/// The most header bytes a request may carry.
const MAX_HEAD: usize = 64 * 1024;
/// The largest body accepted.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Accepts connections forever; `handle` answers each request.
pub fn serve<F>(listener: TcpListener, handle: F)
where
    F: Fn(RawRequest) -> Reply + Send + Sync + Clone + 'static,
{
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        // Head and body go out in one write anyway; no Nagle delay on reused connections.
        let _ = stream.set_nodelay(true);
        let handle = handle.clone();
        let spawned = thread::Builder::new()
            .name("connection".into())
            .spawn(move || {
                let _ = connection(stream, &handle);
            });
        // Out of threads: the stream was moved into the failed closure and is dropped (closed).
        drop(spawned);
    }
}

fn connection<F: Fn(RawRequest) -> Reply>(stream: TcpStream, handle: &F) -> io::Result<()> {
    let peer = stream.peer_addr().ok();
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let Some((request, keep_alive)) = read_request(&mut reader, peer)? else {
            return Ok(());
        };
        let reply = match request {
            Ok(request) => handle(request),
            Err(problem) => {
                let reply = Reply::error(400, &problem);
                write_reply(&mut writer, reply, false)?;
                return Ok(());
            }
        };
        write_reply(&mut writer, reply, keep_alive)?;
        if !keep_alive {
            return Ok(());
        }
    }
}

/// The next request on the connection, with whether the connection stays open after it; `None`
/// at a clean end of the connection; `Err(problem)` for a request that cannot be parsed.
#[allow(clippy::type_complexity)]
fn read_request(
    reader: &mut BufReader<TcpStream>,
    peer: Option<SocketAddr>,
) -> io::Result<Option<(Result<RawRequest, String>, bool)>> {
    let mut line = String::new();
    // Blank lines before a request are allowed (RFC 9112, 2.2).
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Ok(Some((
            Err(format!("bad request line {:?}", line.trim_end())),
            false,
        )));
    };
    let (method, target, version) = (method.to_string(), target.to_string(), version.to_string());
    let mut headers = Vec::new();
    let mut head_bytes = line.len();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        head_bytes += line.len();
        if head_bytes > MAX_HEAD {
            return Ok(Some((Err("request head too large".into()), false)));
        }
        let text = line.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        let Some((name, value)) = text.split_once(':') else {
            return Ok(Some((Err(format!("bad header line {text:?}")), false)));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let keep_alive = match header("connection").as_deref() {
        Some(v) if v.contains("close") => false,
        Some(v) if v.contains("keep-alive") => true,
        _ => version.eq_ignore_ascii_case("HTTP/1.1"),
    };
    let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        read_chunked(reader)
    } else {
        match header("content-length").map(|v| v.parse::<usize>()) {
            None => Ok(Vec::new()),
            Some(Ok(n)) if n <= MAX_BODY => {
                let mut body = vec![0; n];
                reader.read_exact(&mut body).map(|()| body)
            }
            Some(_) => return Ok(Some((Err("bad or too large Content-Length".into()), false))),
        }
    };
    // A body that could not be read leaves the connection unusable.
    let keep_alive = keep_alive && body.is_ok();
    Ok(Some((
        Ok(RawRequest {
            method,
            target,
            headers,
            body,
            peer,
        }),
        keep_alive,
    )))
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let size_text = line.trim().split(';').next().unwrap_or_default();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf)?;
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Writes an answer in one piece.
fn write_reply(writer: &mut TcpStream, reply: Reply, keep_alive: bool) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nServer: nginx\r\n",
        reply.status,
        reason(reply.status)
    );
    if let Some(content_type) = &reply.content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    for (name, value) in &reply.headers {
        if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("connection") {
            continue;
        }
        // Header values were checked when they were set (control API); never split a line here.
        if name.contains(['\r', '\n']) || value.contains(['\r', '\n']) {
            continue;
        }
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    if !keep_alive {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&reply.body);
    writer.write_all(&bytes)?;
    writer.flush()
}
