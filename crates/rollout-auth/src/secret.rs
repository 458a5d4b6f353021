//! A string that must not leak into logs: its `Debug` shows only that it is redacted, it has no
//! `Display`, and reading it takes an explicit [`SecretString::expose`]. It does not zero its
//! memory on drop; that would need the `zeroize` crate and buys little against an attacker who
//! can already read the process's memory.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// A secret string (an API token secret, an HS256 signing secret).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the few places that must have it (hashing, showing it once).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = SecretString::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "SecretString(<redacted>)");
        assert_eq!(
            format!("{:#?}", Some(&s)),
            "Some(\n    SecretString(<redacted>),\n)"
        );
        assert_eq!(s.expose(), "hunter2-very-secret");
    }
}
