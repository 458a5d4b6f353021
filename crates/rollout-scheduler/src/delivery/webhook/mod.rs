//! Signed webhooks in the Standard Webhooks format: `signature.rs` makes and checks the
//! signatures, `send.rs` POSTs one message and classifies the answer.

mod send;
mod signature;
#[cfg(test)]
mod signature_tests;
#[cfg(test)]
mod tests;

pub use send::{RETRY_AFTER_CAP, WebhookRequest, client, send};
pub use signature::{
    SECRET_PREFIX, SecretError, SignedHeaders, VerifyError, WebhookSecret, sign, signature_header,
    verify,
};
