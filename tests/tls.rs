//! HTTPS: trust comes from the platform's store, which on Linux honours `SSL_CERT_FILE` (how a
//! corporate CA is added), and an untrusted certificate is refused with a message that says how
//! to trust a CA. The server is a small TLS responder with a throwaway CA made by rcgen.

mod common;

use common::EngineSetup;
use gitlabcli::error::ErrorKind;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const ACCESS: &str = "glpat-tls-test-access-token";
const NEW_TOKEN: &str = "glpat-tls-test-new-token-value";

/// A throwaway CA and a server certificate for localhost and 127.0.0.1 that it signed.
struct Pki {
    ca_pem: String,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: Vec<u8>,
}

fn make_pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "GitlabCli test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let server = params.signed_by(&server_key, &ca).unwrap();
    Pki {
        ca_pem: ca.pem(),
        server_chain: vec![server.der().clone()],
        server_key: server_key.serialize_der(),
    }
}

/// A TLS server on loopback that answers every request with a created token, and records the
/// request heads it read.
struct TlsServer {
    port: u16,
    heads: Arc<Mutex<Vec<String>>>,
}

impl TlsServer {
    fn start(pki: &Pki) -> TlsServer {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                pki.server_chain.clone(),
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server_key.clone())),
            )
            .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let h = heads.clone();
        std::thread::spawn(move || {
            for tcp in listener.incoming() {
                let Ok(tcp) = tcp else { return };
                let conn = rustls::ServerConnection::new(config.clone()).unwrap();
                let h = h.clone();
                std::thread::spawn(move || serve(rustls::StreamOwned::new(conn, tcp), &h));
            }
        });
        TlsServer { port, heads }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

fn serve(
    stream: rustls::StreamOwned<rustls::ServerConnection, std::net::TcpStream>,
    heads: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut head = String::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        heads.lock().unwrap().push(head);
        let answer = json!({"id": 7, "name": "tls", "scopes": ["k8s_proxy"], "token": NEW_TOKEN,
            "active": true, "revoked": false, "user_id": 1})
        .to_string();
        let stream = reader.get_mut();
        let _ = write!(
            stream,
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        let _ = stream.flush();
    }
}

fn ca_file(setup: &EngineSetup, pem: &str) -> PathBuf {
    let path = setup.home.path().join("corporate-ca.pem");
    std::fs::write(&path, pem).unwrap();
    path
}

fn create() -> serde_json::Value {
    json!({"name": "tls", "scopes": ["k8s_proxy"]})
}

#[test]
fn a_ca_named_by_ssl_cert_file_is_trusted() {
    let pki = make_pki();
    let server = TlsServer::start(&pki);
    let setup = EngineSetup::env_site(&format!("https://localhost:{}", server.port), ACCESS);
    let path = ca_file(&setup, &pki.ca_pem);
    let setup = setup.var("SSL_CERT_FILE", path.to_str().unwrap());
    let mut engine = setup.start();
    let reply = engine.create(create());
    let token = reply.token();
    assert_eq!(token.token.as_ref().unwrap().expose(), NEW_TOKEN);
    let heads = server.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(heads[0].starts_with("POST /api/v4/user/personal_access_tokens "));
    assert!(
        heads[0]
            .to_ascii_lowercase()
            .contains(&format!("private-token: {ACCESS}").to_ascii_lowercase())
    );
    assert!(
        reply.warnings().is_empty(),
        "https gets no clear-text warning"
    );
}

#[test]
fn an_untrusted_certificate_is_refused_and_the_message_says_how_to_trust_a_ca() {
    let pki = make_pki();
    let server = TlsServer::start(&pki);
    let url = format!("https://localhost:{}", server.port);
    // An unrelated CA in SSL_CERT_FILE: the server's CA is in no store the engine reads.
    let other = make_pki();
    let setup = EngineSetup::env_site(&url, ACCESS);
    let path = ca_file(&setup, &other.ca_pem);
    let setup = setup.var("SSL_CERT_FILE", path.to_str().unwrap());
    let mut engine = setup.start();
    // A create: refused before anything was sent, so it is network (safe), not outcome-unknown.
    let reply = engine.create(create());
    let error = reply.error();
    assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
    assert!(error.message.contains("TLS"), "{}", error.message);
    let hint = error.hint.as_deref().unwrap();
    assert!(
        hint.contains("SSL_CERT_FILE") && hint.contains("trust store"),
        "{hint}"
    );
    assert!(
        server.heads().is_empty(),
        "no request went over the refused connection"
    );
    for line in &engine.raw {
        assert!(!line.contains(ACCESS), "{line}");
    }

    // Without SSL_CERT_FILE only the system store counts, which does not hold the throwaway CA.
    let mut engine = EngineSetup::env_site(&url, ACCESS).start();
    let reply = engine.create(json!({"name": "tls", "scopes": ["api"]}));
    assert_eq!(reply.error().kind, ErrorKind::Network, "{reply:?}");
    assert!(server.heads().is_empty());
}
