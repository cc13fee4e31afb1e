//! A string that must never reach a log, an argv, an error message or verbose output.
//!
//! [`Secret`] holds the access token a site is configured with and every new token GitLab
//! returns. `Debug` and `Display` print `REDACTED`; the memory is wiped on drop. The only way to
//! read it is [`Secret::expose`], which makes every use greppable, and the only way to put it in a
//! protocol message is the explicit [`Secret::serialize_exposed`] serializer.

use serde::{Deserialize, Deserializer, Serializer};
use std::fmt;
use zeroize::Zeroizing;

/// A secret string. Prints as `REDACTED`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The secret itself. Every caller is a place where the secret leaves this type on purpose.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// Serializer for the one field that must carry the secret: the new token in a result.
    pub fn serialize_exposed<S: Serializer>(
        value: &Option<Secret>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(secret) => s.serialize_some(secret.expose()),
            None => s.serialize_none(),
        }
    }

    /// Deserializer counterpart of [`Secret::serialize_exposed`], for typed readers of results.
    pub fn deserialize_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(Secret::new))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("REDACTED")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("REDACTED")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Secret::new(String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let s = Secret::new("glpat-abcdef");
        assert_eq!(format!("{s}"), "REDACTED");
        assert_eq!(format!("{s:?}"), "REDACTED");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(REDACTED)");
        assert_eq!(s.expose(), "glpat-abcdef");
    }

    #[test]
    fn blank_is_empty() {
        assert!(Secret::new("  ").is_empty());
        assert!(!Secret::new("x").is_empty());
    }
}
