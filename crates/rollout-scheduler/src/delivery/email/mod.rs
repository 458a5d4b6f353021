//! Reminder e-mail: one plain-text UTF-8 message to one recipient, through an SMTP relay or into
//! a folder of `.eml` files, with the result as an [`Outcome`].
//!
//! lettre does the MIME work: a non-ASCII subject or display name becomes RFC 2047 encoded words
//! and the body is sent as `text/plain; charset=utf-8` in quoted-printable or base64, so Japanese
//! text arrives intact through relays that only pass 7-bit data. Connections are not pooled:
//! reminders go out in small batches a few times a day, and a fresh connection per message keeps
//! one failure from poisoning the next.
//!
//! SMTP replies say themselves whether to retry: 4xx is transient (greylisting, a full queue),
//! 5xx permanent (no such mailbox, relaying refused). Network, timeout and TLS failures are
//! retried; a TLS failure that is really a wrong certificate runs out of attempts and is
//! reported then.

mod config;
pub mod testing;
#[cfg(test)]
mod tests;

use std::fmt;

use lettre::address::Address;
use lettre::message::{Mailbox, Message, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

pub use config::{EmailConfig, EmailTransportConfig, TlsMode};

use super::{Outcome, cause_chain};

/// Why an e-mail configuration cannot be used. Messages never include the password.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("the sender `{0}` is not a mailbox such as `rollout <rollout@example.invalid>`")]
    InvalidFrom(String),
    #[error("give both the SMTP username and password, or neither")]
    IncompleteCredentials,
    #[error(
        "SMTP credentials need tls = \"starttls\" or \"tls\": they would cross the network in the clear"
    )]
    CredentialsWithoutTls,
    #[error("the TLS settings for {host} cannot be built: {source}")]
    Tls {
        host: String,
        #[source]
        source: lettre::transport::smtp::Error,
    },
}

/// Sends reminder e-mail through the configured transport. Cheap to share behind an `Arc`.
pub struct EmailSender {
    from: Mailbox,
    transport: Transport,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

impl fmt::Debug for EmailSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = match self.transport {
            Transport::Smtp(_) => "smtp",
            Transport::File(_) => "file",
        };
        f.debug_struct("EmailSender")
            .field("from", &self.from.to_string())
            .field("transport", &transport)
            .finish()
    }
}

impl EmailSender {
    /// The sender for `config`, or `None` when e-mail is off. Checks what can be checked without
    /// the network (the sender mailbox, the credentials, the TLS settings); the relay itself is
    /// first contacted by [`EmailSender::send`].
    pub fn new(config: &EmailTransportConfig) -> Result<Option<Self>, EmailError> {
        let (from, transport) = match config {
            EmailTransportConfig::Off => return Ok(None),
            EmailTransportConfig::Smtp(smtp) => {
                (&smtp.from, Transport::Smtp(smtp_transport(smtp)?))
            }
            EmailTransportConfig::File { dir, from } => {
                (from, Transport::File(AsyncFileTransport::new(dir)))
            }
        };
        let from = from
            .parse::<Mailbox>()
            .map_err(|_| EmailError::InvalidFrom(from.clone()))?;
        Ok(Some(Self { from, transport }))
    }

    /// Sends one `text/plain; charset=utf-8` message. `to` is a bare address; `to_name`, if
    /// given, is shown as the recipient's name. An address that does not parse is dead at once.
    pub async fn send(
        &self,
        to: &str,
        to_name: Option<&str>,
        subject: &str,
        body_text: &str,
    ) -> Outcome {
        let address = match to.trim().parse::<Address>() {
            Ok(address) => address,
            Err(err) => return Outcome::dead(format!("invalid recipient address `{to}`: {err}")),
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(to_name.map(str::to_owned), address))
            .subject(subject)
            // `<uuid@hostname>`: relays and spam filters distrust mail without one.
            .message_id(None)
            // A single part also writes `MIME-Version: 1.0`, which the encoded body needs.
            .singlepart(SinglePart::plain(body_text.to_owned()));
        let message = match message {
            Ok(message) => message,
            Err(err) => return Outcome::dead(format!("the message cannot be built: {err}")),
        };
        match &self.transport {
            Transport::Smtp(smtp) => match smtp.send(message).await {
                Ok(_) => Outcome::Delivered,
                Err(err) => classify_smtp(&err),
            },
            // A folder that is missing or full is the operator's to fix; retrying gives them time.
            Transport::File(file) => match file.send(message).await {
                Ok(_) => Outcome::Delivered,
                Err(err) => Outcome::retry(format!(
                    "writing the .eml file failed: {}",
                    cause_chain(&err)
                )),
            },
        }
    }
}

fn smtp_transport(config: &EmailConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, EmailError> {
    let tls_parameters = || {
        TlsParameters::new(config.host.clone()).map_err(|source| EmailError::Tls {
            host: config.host.clone(),
            source,
        })
    };
    let tls = match config.tls {
        TlsMode::None => Tls::None,
        TlsMode::StartTls => Tls::Required(tls_parameters()?),
        TlsMode::Tls => Tls::Wrapper(tls_parameters()?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
        .port(config.port())
        .tls(tls)
        .timeout(Some(config.timeout));
    match (&config.username, &config.password) {
        (None, None) => {}
        (Some(_), Some(_)) if config.tls == TlsMode::None => {
            return Err(EmailError::CredentialsWithoutTls);
        }
        (Some(username), Some(password)) => {
            builder = builder.credentials(Credentials::new(username.clone(), password.clone()));
        }
        _ => return Err(EmailError::IncompleteCredentials),
    }
    Ok(builder.build())
}

fn classify_smtp(err: &lettre::transport::smtp::Error) -> Outcome {
    let error = format!("SMTP: {}", cause_chain(err));
    if err.is_permanent() || err.is_client() {
        Outcome::dead(error)
    } else {
        // Transient replies, timeouts, refused or dropped connections, TLS and garbled replies.
        Outcome::retry(error)
    }
}
