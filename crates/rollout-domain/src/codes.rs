//! Validated human-facing codes: bureau codes (`KANKYO`), procedure codes (`KANKYO-0012`) and
//! idempotency keys. A value of these types is always well-formed: the only way to build one is
//! the validating constructor.

use std::fmt;

use crate::text::{self, TextKind};

/// Why a code was refused; the message is meant for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CodeError(pub String);

/// `raw` through the free-text rule, so that a code's own checks (and its error message, which
/// quotes the input) only ever see short, printable text.
pub(crate) fn cleaned(what: &str, kind: TextKind, raw: &str) -> Result<String, CodeError> {
    text::clean(what, kind, raw).map_err(|e| CodeError(e.to_string()))
}

/// A bureau code: 2–16 characters, upper-case ASCII letters, digits or `_`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BureauCode(String);

impl BureauCode {
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        let cleaned = cleaned("bureau code", TextKind::Code, raw)?;
        let s = cleaned.trim();
        let ok_len = (2..=16).contains(&s.len());
        let ok_first = s.chars().next().is_some_and(|c| c.is_ascii_uppercase());
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if ok_len && ok_first && ok_chars {
            Ok(Self(s.to_owned()))
        } else {
            Err(CodeError(format!(
                "bureau code {raw:?} must be 2-16 upper-case letters, digits or '_', starting with a letter (e.g. KANKYO)"
            )))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BureauCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A procedure code: a bureau-like prefix, a hyphen and at least four digits (`KANKYO-0012`).
/// The prefix is usually the owning bureau's code but is not required to be: procedures move
/// between bureaus in reorganisations and keep their codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcedureCode(String);

impl ProcedureCode {
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        let cleaned = cleaned("procedure code", TextKind::Code, raw)?;
        let s = cleaned.trim();
        let valid = s.len() <= 32
            && s.rsplit_once('-').is_some_and(|(prefix, number)| {
                BureauCode::parse(prefix).is_ok()
                    && number.len() >= 4
                    && number.chars().all(|c| c.is_ascii_digit())
            });
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(CodeError(format!(
                "procedure code {raw:?} must look like KANKYO-0012: an upper-case prefix, '-', and at least four digits"
            )))
        }
    }
    /// The code for the `n`th procedure under `prefix`, zero-padded to four digits.
    pub fn numbered(prefix: &BureauCode, n: u32) -> Self {
        Self(format!("{}-{n:04}", prefix.as_str()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client-chosen key that makes a request safe to retry: 1–128 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        let raw = cleaned("idempotency key", TextKind::IdempotencyKey, raw)?;
        if (1..=128).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_graphic()) {
            Ok(Self(raw))
        } else {
            Err(CodeError(
                "idempotency key must be 1-128 printable ASCII characters without spaces".into(),
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bureau_codes() {
        for ok in ["KANKYO", "SEISAKU", "AB", "A_1"] {
            assert_eq!(BureauCode::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "k", "kankyo", "1ABC", "KAN-KYO", "ABCDEFGHIJKLMNOPQ"] {
            assert!(BureauCode::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn procedure_codes() {
        for ok in ["KANKYO-0012", "SEIKATSU-12345"] {
            assert_eq!(ProcedureCode::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["KANKYO", "KANKYO-12", "kankyo-0012", "KANKYO-00a1", "-0001"] {
            assert!(ProcedureCode::parse(bad).is_err(), "{bad} accepted");
        }
        let prefix = BureauCode::parse("KANKYO").unwrap();
        assert_eq!(ProcedureCode::numbered(&prefix, 7).as_str(), "KANKYO-0007");
    }

    #[test]
    fn idempotency_keys() {
        assert!(IdempotencyKey::parse("retry-1").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("has space").is_err());
        assert!(IdempotencyKey::parse(&"x".repeat(129)).is_err());
        assert!(IdempotencyKey::parse("a\0").is_err());
    }

    #[test]
    fn codes_go_through_the_text_rule_first() {
        let nul = BureauCode::parse("KAN\0KYO").unwrap_err();
        assert_eq!(nul.0, "bureau code must not contain the NUL character");
        let long = ProcedureCode::parse(&"A".repeat(60_000)).unwrap_err();
        assert_eq!(
            long.0,
            "procedure code must be at most 32 characters (got 60000)"
        );
    }
}
