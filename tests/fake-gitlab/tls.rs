//! The fake's HTTPS front: a TLS listener with a throwaway CA made at start-up (rcgen), whose
//! decrypted bytes go to the plain HTTP port and back. Everything behind it (routes, request log,
//! control API) is the same fake, so an HTTPS test sees GitLab's real answers.
//!
//! The CA is made fresh each run and is in no trust store; the hello line gives its PEM so a test
//! can trust it through `SSL_CERT_FILE`, or leave it out to see an untrusted certificate refused.
//! The server certificate is for `localhost` and `127.0.0.1`.

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// How long one side is waited for before the other is looked at again.
const POLL: Duration = Duration::from_millis(2);

/// A running HTTPS front.
pub struct TlsFront {
    pub addr: SocketAddr,
    /// The throwaway CA's certificate, PEM.
    pub ca_pem: String,
}

/// Starts the front on a free loopback port, forwarding to the plain fake at `backend`.
pub fn start(backend: SocketAddr) -> Result<TlsFront, String> {
    let (ca_pem, chain, key) = make_pki().map_err(|e| format!("cannot make the test CA: {e}"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key))
        .map_err(|e| format!("TLS server configuration: {e}"))?;
    let config = Arc::new(config);
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot listen for TLS: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("TLS address: {e}"))?;
    std::thread::Builder::new()
        .name("tls-accept".into())
        .spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let config = Arc::clone(&config);
                let _ = std::thread::Builder::new()
                    .name("tls-conn".into())
                    .spawn(move || {
                        // A failed handshake (an untrusted certificate) ends here, quietly.
                        let _ = relay(client, backend, config);
                    });
            }
        })
        .map_err(|e| format!("cannot start the TLS thread: {e}"))?;
    Ok(TlsFront { addr, ca_pem })
}

type Pki = (String, Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

fn make_pki() -> Result<Pki, rcgen::Error> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "fake-gitlab throwaway CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;
    let server_key = KeyPair::generate()?;
    let server = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?
        .signed_by(&server_key, &ca)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    Ok((ca.pem(), vec![server.der().clone()], key))
}

fn idle(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// Moves bytes between one TLS client and one plain connection to the fake until either ends.
fn relay(
    mut client: TcpStream,
    backend: SocketAddr,
    config: Arc<rustls::ServerConfig>,
) -> io::Result<()> {
    let mut tls = rustls::ServerConnection::new(config).map_err(io::Error::other)?;
    let mut plain = TcpStream::connect(backend)?;
    for socket in [&client, &plain] {
        socket.set_nodelay(true)?;
        socket.set_read_timeout(Some(POLL))?;
    }
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        // Client -> TLS state.
        if tls.wants_read() {
            match tls.read_tls(&mut client) {
                Ok(0) => return Ok(()),
                Ok(_) => {
                    if let Err(e) = tls.process_new_packets() {
                        // Let the client read the alert (e.g. unknown CA), then stop.
                        let _ = tls.write_tls(&mut client);
                        return Err(io::Error::other(e));
                    }
                }
                Err(e) if idle(&e) => {}
                Err(e) => return Err(e),
            }
        }
        // Decrypted request bytes -> the fake.
        loop {
            match tls.reader().read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => plain.write_all(&buf[..n])?,
                Err(e) if idle(&e) => break,
                Err(e) => return Err(e),
            }
        }
        // The fake's answer -> encrypted to the client.
        match plain.read(&mut buf) {
            Ok(0) => {
                tls.send_close_notify();
                while tls.wants_write() {
                    tls.write_tls(&mut client)?;
                }
                return Ok(());
            }
            Ok(n) => tls.writer().write_all(&buf[..n])?,
            Err(e) if idle(&e) => {}
            Err(e) => return Err(e),
        }
        while tls.wants_write() {
            tls.write_tls(&mut client)?;
        }
    }
}
