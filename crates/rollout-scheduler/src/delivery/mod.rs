//! Delivering one message: a reminder e-mail over SMTP (or to a folder of `.eml` files) and a
//! signed webhook POST, each reporting an [`Outcome`] that says whether to stop, retry or give up.
//! [`backoff`] turns an outcome and an attempt number into the next step.
//!
//! This layer holds no state and touches no store: the caller (the scheduler) owns the queue,
//! the attempt counter and the message id, and keeps that id the same on every retry of a webhook
//! so that receivers can drop duplicates. Nothing here reads configuration files or the
//! environment; the server maps its configuration onto [`EmailTransportConfig`].

pub mod backoff;
pub mod email;
pub mod webhook;

use std::time::Duration;

pub use backoff::{Next, RetryPolicy, next_attempt_delay};
pub use email::{EmailConfig, EmailError, EmailSender, EmailTransportConfig, TlsMode};
pub use webhook::{
    SecretError, SignedHeaders, VerifyError, WebhookRequest, WebhookSecret,
    client as webhook_client, send as send_webhook, sign, signature_header, verify,
};

/// What happened to one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver accepted the message (HTTP 2xx, SMTP 250 after DATA, or the file was written).
    Delivered,
    /// A failure that may pass: a timeout, a refused connection, HTTP 408/429/5xx, SMTP 4xx.
    Retry {
        /// How long the receiver asked us to wait (`Retry-After`), already capped; the retry
        /// policy waits at least this long.
        after: Option<Duration>,
        /// What went wrong, for the log and the delivery record; never contains a secret.
        error: String,
    },
    /// A failure that retrying will not fix: HTTP 4xx other than 408/429, a redirect, SMTP 5xx,
    /// an address that does not parse.
    Dead {
        /// What went wrong, for the log and the delivery record; never contains a secret.
        error: String,
    },
}

impl Outcome {
    /// A retryable failure with no `Retry-After`.
    pub(crate) fn retry(error: impl Into<String>) -> Self {
        Self::Retry {
            after: None,
            error: error.into(),
        }
    }

    /// A permanent failure.
    pub(crate) fn dead(error: impl Into<String>) -> Self {
        Self::Dead {
            error: error.into(),
        }
    }
}

/// `err` and its sources, joined with ": ". Both reqwest and lettre put the useful part (the
/// refused connection, the server's reply) in the sources; a source whose text the message
/// already contains is not repeated.
pub(crate) fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
