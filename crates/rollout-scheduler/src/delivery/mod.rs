//! Delivering one message: a reminder e-mail over SMTP (or to a folder of `.eml` files) and a
//! signed webhook POST, each reporting an [`Outcome`] that says whether to stop, retry or give up.
//! [`backoff`] turns an outcome and an attempt number into the next step.
//!
//! This layer holds no state and touches no store: the caller (the scheduler) owns the queue,
//! the attempt counter and the message id, and keeps that id the same on every retry of a webhook
//! so that receivers can drop duplicates. Nothing here reads configuration files or the
//! environment; the server maps its configuration onto the e-mail transport configuration.

pub mod backoff;

use std::time::Duration;

pub use backoff::{Next, RetryPolicy, next_attempt_delay};

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
