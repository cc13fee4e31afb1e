//! A minimal HTTP CONNECT proxy, so tests can check the engine's proxy support.
//!
//! Whatever `host:port` a client asks for, the tunnel leads to the fake's own HTTP port: a test
//! can point the engine at `http://gitlab.example.test` (a name that resolves nowhere) with this
//! proxy and still reach the fake. The tunnel is plain TCP; an `https://` site URL would try TLS
//! over it and fail, as the fake speaks plain HTTP only.
//!
//! To tell tunnelled requests apart, the proxy registers the local address of its connection to
//! the HTTP port, before any byte flows, in [`Tunnels`]; the HTTP side looks each request's peer
//! address up there and records `via_proxy` and `proxy_target`. The entry goes when the tunnel
//! closes.
//!
//! Any method other than CONNECT answers `405 Method Not Allowed`; a request head that cannot be
//! read as `CONNECT host:port HTTP/1.x` answers `400 Bad Request`.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::{Shared, lock};

/// Open tunnels: the local address of the proxy's connection to the HTTP port → the CONNECT
/// target (`host:port`) the client asked for.
pub type Tunnels = Mutex<HashMap<SocketAddr, String>>;

/// The longest request head the proxy reads.
const MAX_HEAD: usize = 16 * 1024;

/// Accepts proxy clients forever, one thread per client.
pub fn serve(listener: TcpListener, upstream: SocketAddr, shared: Arc<Shared>) {
    for client in listener.incoming() {
        let Ok(client) = client else { continue };
        let shared = Arc::clone(&shared);
        let spawned = thread::Builder::new()
            .name("proxy-client".into())
            .spawn(move || {
                let _ = tunnel(client, upstream, &shared);
            });
        // Out of threads: the client is dropped, which closes its connection.
        drop(spawned);
    }
}

/// Reads the CONNECT head, opens the tunnel and pipes bytes until either side closes.
fn tunnel(mut client: TcpStream, upstream: SocketAddr, shared: &Shared) -> io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let head = read_head(&mut client)?;
    let Some((method, target, headers)) = parse_head(&head) else {
        return refuse(&mut client, "400 Bad Request");
    };
    if method != "CONNECT" {
        return refuse(&mut client, "405 Method Not Allowed");
    }
    if !is_authority(&target) {
        return refuse(&mut client, "400 Bad Request");
    }
    let server = match TcpStream::connect(upstream) {
        Ok(s) => s,
        Err(_) => return refuse(&mut client, "502 Bad Gateway"),
    };
    let local = server.local_addr()?;
    lock(&shared.tunnels).insert(local, target.clone());
    {
        let peer = client
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let mut state = lock(&shared.state);
        state.proxy_connects.push(json!({
            "target": target,
            "headers": Value::Object(headers),
            "peer": peer,
        }));
    }
    let result = client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .and_then(|()| client.set_read_timeout(None))
        .and_then(|()| pipe(client, server));
    lock(&shared.tunnels).remove(&local);
    result
}

/// Copies both ways. When the client stops sending, the server is told so (half close) and the
/// answer still flows back; when the server closes, the whole tunnel closes.
fn pipe(client: TcpStream, server: TcpStream) -> io::Result<()> {
    let mut client_read = client.try_clone()?;
    let mut server_write = server.try_clone()?;
    let upward = thread::Builder::new()
        .name("proxy-up".into())
        .spawn(move || {
            let _ = io::copy(&mut client_read, &mut server_write);
            let _ = server_write.shutdown(Shutdown::Write);
        })?;
    let mut server_read = server;
    let mut client_write = client;
    let _ = io::copy(&mut server_read, &mut client_write);
    let _ = client_write.shutdown(Shutdown::Both);
    let _ = server_read.shutdown(Shutdown::Both);
    let _ = upward.join();
    Ok(())
}

/// Reads up to and including the blank line that ends the head, one byte at a time so no byte
/// meant for the tunnel is swallowed.
fn read_head(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(512);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && !head.ends_with(b"\n\n") {
        if head.len() >= MAX_HEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too long"));
        }
        match stream.read(&mut byte)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            _ => head.push(byte[0]),
        }
    }
    Ok(head)
}

/// `(method, target, headers)` from a request head; headers keyed by lower-case name.
fn parse_head(head: &[u8]) -> Option<(String, String, Map<String, Value>)> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.lines();
    let mut request_line = lines.next()?.split_whitespace();
    let method = request_line.next()?.to_string();
    let target = request_line.next()?.to_string();
    let version = request_line.next()?;
    if !version.starts_with("HTTP/1.") || request_line.next().is_some() {
        return None;
    }
    let mut headers = Map::new();
    for line in lines.take_while(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        headers.insert(
            name.trim().to_ascii_lowercase(),
            Value::String(value.trim().to_string()),
        );
    }
    Some((method, target, headers))
}

/// `host:port` or `[v6]:port`, with a numeric port.
fn is_authority(target: &str) -> bool {
    match target.rsplit_once(':') {
        Some((host, port)) => !host.is_empty() && port.parse::<u16>().is_ok(),
        None => false,
    }
}

fn refuse(client: &mut TcpStream, status: &str) -> io::Result<()> {
    write!(
        client,
        "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    client.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_heads_parse() {
        let (method, target, headers) = parse_head(
            b"CONNECT gitlab.example.test:80 HTTP/1.1\r\nHost: gitlab.example.test:80\r\nProxy-Authorization: Basic eA==\r\n\r\n",
        )
        .expect("parses");
        assert_eq!(method, "CONNECT");
        assert_eq!(target, "gitlab.example.test:80");
        assert_eq!(headers["proxy-authorization"], "Basic eA==");
        assert!(parse_head(b"garbage\r\n\r\n").is_none());
    }

    #[test]
    fn authorities_need_a_port() {
        assert!(is_authority("h:80"));
        assert!(is_authority("[::1]:443"));
        assert!(!is_authority("h"));
        assert!(!is_authority("h:http"));
        assert!(!is_authority(":80"));
    }
}
