//! Cross-site request forgery protection. Every form of a signed-in page carries the session's
//! token (a synchronizer token kept with the session row) in a hidden `csrf` field; forms shown
//! before sign-in use a double-submit token (the same random value in a cookie and in the form).
//! A POST whose token is missing or different is refused with 403 before anything runs.
//! Comparison is in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A new random token (32 bytes, base64url).
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand_bytes();
    URL_SAFE_NO_PAD.encode(bytes)
}

fn rand_bytes() -> [u8; 32] {
    // Two v4 UUIDs are 244 bits from the operating system's generator.
    let mut out = [0u8; 32];
    out[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    out[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    out
}

/// Whether `sent` (from the form) equals `expected`, in time independent of where they differ.
pub fn matches(sent: Option<&str>, expected: &str) -> bool {
    let Some(sent) = sent else { return false };
    if sent.len() != expected.len() || expected.is_empty() {
        return false;
    }
    sent.bytes()
        .zip(expected.bytes())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_compared_exactly() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(matches(Some(&a), &a));
        assert!(!matches(Some(&b), &a));
        assert!(!matches(None, &a));
        assert!(!matches(Some(""), ""));
        assert!(!matches(Some(&a[..42]), &a));
    }
}
