//! HTTPS against the fake GitLab's TLS front, whose certificate comes from a CA made fresh when
//! the fake starts. Trust comes from the platform's store, which on Linux honours `SSL_CERT_FILE`
//! (how a corporate CA is added); the throwaway CA is in no system store, so without it the
//! certificate is refused with a message that says how to trust a CA, and nothing is sent.

mod common;

use common::{EngineSetup, Fake};
use gitlabcli::error::ErrorKind;
use serde_json::json;
use std::path::PathBuf;

fn ca_file(setup: &EngineSetup, pem: &str) -> PathBuf {
    let path = setup.home.path().join("corporate-ca.pem");
    std::fs::write(&path, pem).unwrap();
    path
}

/// Creates a token for the caller itself: one POST, no admin check.
fn create() -> serde_json::Value {
    json!({"name": "tls", "scopes": ["k8s_proxy"]})
}

#[test]
fn a_ca_named_by_ssl_cert_file_is_trusted_and_requests_share_one_tls_connection() {
    let fake = Fake::start();
    let setup = EngineSetup::env_site(&fake.tls_url, &fake.user_token);
    let path = ca_file(&setup, &fake.tls_ca_pem);
    let setup = setup.var("SSL_CERT_FILE", path.to_str().unwrap());
    let mut engine = setup.start();

    let first = engine.create(create());
    let second = engine.create(json!({"name": "tls 2", "scopes": ["k8s_proxy"]}));
    for reply in [&first, &second] {
        let token = reply.token();
        assert!(token.token.is_some(), "{reply:?}");
        assert_eq!(token.site_url, fake.tls_url);
        assert!(
            reply.warnings().is_empty(),
            "https gets no clear-text warning"
        );
    }
    let requests = fake.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    for request in &requests {
        assert_eq!(request["method"], "POST");
        assert_eq!(request["path"], "/api/v4/user/personal_access_tokens");
        assert_eq!(
            request["headers"]["private-token"],
            fake.user_token.as_str()
        );
    }
    assert_eq!(
        requests[0]["connection"], requests[1]["connection"],
        "the engine keeps its TLS connection alive between requests"
    );
}

#[test]
fn an_untrusted_certificate_is_refused_and_the_message_says_how_to_trust_a_ca() {
    let fake = Fake::start();
    // Another fake's CA in SSL_CERT_FILE: this fake's CA is in no store the engine reads.
    let other = Fake::start();
    let setup = EngineSetup::env_site(&fake.tls_url, &fake.user_token);
    let path = ca_file(&setup, &other.tls_ca_pem);
    let setup = setup.var("SSL_CERT_FILE", path.to_str().unwrap());
    let mut engine = setup.start();
    // A create refused before anything was sent: network (safe to retry), not outcome-unknown.
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
        fake.requests().is_empty(),
        "nothing went over the refused connection"
    );
    for line in &engine.raw {
        assert!(!line.contains(&fake.user_token), "{line}");
    }

    // Without SSL_CERT_FILE only the system store counts, which does not hold the throwaway CA.
    let mut engine = EngineSetup::env_site(&fake.tls_url, &fake.user_token).start();
    let reply = engine.create(create());
    assert_eq!(reply.error().kind, ErrorKind::Network, "{reply:?}");
    assert!(fake.requests().is_empty());
}
