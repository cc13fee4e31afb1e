//! Knowing whether a failed request could have reached the server.
//!
//! ureq reports a refused connection, an unresolvable host and a connection dropped after the
//! request went out as the same kinds of error (mostly `Io`). To tell "nothing was sent" apart
//! from "it may have been sent", the agent's resolver and connector are wrapped: any error they
//! return is marked [`NotSent`]. Name resolution, TCP connect, a proxy's CONNECT and the TLS
//! setup all happen there, before a byte of the request is written.

use std::fmt;
use ureq::config::Config;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    ConnectionDetails, Connector, DefaultConnector, NextTimeout, Transport,
};
use ureq::{Agent, Error};

/// A failure that happened before the request could be sent.
#[derive(Debug)]
pub struct NotSent(pub Error);

impl fmt::Display for NotSent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for NotSent {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

fn mark(err: Error) -> Error {
    Error::Other(Box::new(NotSent(err)))
}

/// The error as ureq raised it, and whether it happened before sending. A proxy's connector
/// may wrap the error once more in `Other`; those layers are peeled off too.
pub fn unmark(err: &Error) -> (&Error, bool) {
    let mut err = err;
    let mut marked = false;
    while let Error::Other(inner) = err {
        if let Some(NotSent(original)) = inner.downcast_ref::<NotSent>() {
            marked = true;
            err = original;
        } else if let Some(original) = inner.downcast_ref::<Error>() {
            err = original;
        } else {
            break;
        }
    }
    (err, marked)
}

#[derive(Debug, Default)]
struct MarkingResolver(DefaultResolver);

impl Resolver for MarkingResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, Error> {
        self.0.resolve(uri, config, timeout).map_err(mark)
    }
}

#[derive(Debug, Default)]
struct MarkingConnector(DefaultConnector);

impl Connector<()> for MarkingConnector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, Error> {
        self.0.connect(details, chained).map_err(mark)
    }
}

/// An agent whose resolve and connect failures are marked [`NotSent`].
pub fn agent(config: Config) -> Agent {
    Agent::with_parts(
        config,
        MarkingConnector::default(),
        MarkingResolver::default(),
    )
}
