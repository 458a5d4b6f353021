//! How reminder e-mail leaves the server: not at all, through an SMTP relay, or as `.eml` files in
//! a folder (for trials and for sites whose mail is picked up by another system). The server's
//! configuration file maps onto these types; they deserialize from its TOML table directly.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// How the connection to the SMTP relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text, for a relay on the same host or a trusted segment (default port 25).
    /// Credentials are refused in this mode, since they would cross the wire in the clear.
    None,
    /// Plain connect, then `STARTTLS`, which must succeed (default port 587).
    StartTls,
    /// TLS from the first byte, "implicit TLS" (default port 465).
    Tls,
}

impl TlsMode {
    /// The customary port of the mode, used when the configuration names none.
    pub fn default_port(self) -> u16 {
        match self {
            Self::None => 25,
            Self::StartTls => 587,
            Self::Tls => 465,
        }
    }
}

/// An SMTP relay.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct EmailConfig {
    /// The relay's host name; with TLS, also the name its certificate must carry.
    pub host: String,
    /// The relay's port; when absent, [`TlsMode::default_port`].
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "default_tls")]
    pub tls: TlsMode,
    /// Set both or neither of `username` and `password`.
    #[serde(default)]
    pub username: Option<String>,
    /// Never shown by `Debug`.
    #[serde(default)]
    pub password: Option<String>,
    /// The sender mailbox, e.g. `rollout <rollout@example.invalid>`.
    pub from: String,
    /// How long to wait for each step of the SMTP conversation; whole seconds in the file.
    #[serde(default = "default_timeout", deserialize_with = "seconds")]
    pub timeout: Duration,
}

impl EmailConfig {
    /// The port to connect to: the configured one, or the mode's customary one.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or_else(|| self.tls.default_port())
    }
}

impl fmt::Debug for EmailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Where reminder e-mail goes. In the configuration file, `transport = "off" | "smtp" | "file"`
/// beside the fields of the chosen variant.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "transport", rename_all = "lowercase")]
pub enum EmailTransportConfig {
    /// No e-mail: reminders go by the other channels only.
    Off,
    Smtp(EmailConfig),
    /// Each message becomes `<uuid>.eml` in `dir`, which must exist.
    File {
        dir: PathBuf,
        from: String,
    },
}

fn default_tls() -> TlsMode {
    // The safe choice that every current relay offers on 587.
    TlsMode::StartTls
}

fn default_timeout() -> Duration {
    Duration::from_secs(30)
}

fn seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    u64::deserialize(deserializer).map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_smtp_table_reads_with_defaults() {
        let config: EmailTransportConfig =
            toml::from_str("transport = \"smtp\"\nhost = \"mail.example.invalid\"\nfrom = \"rollout <rollout@example.invalid>\"\n")
                .unwrap();
        let EmailTransportConfig::Smtp(smtp) = config else {
            panic!("{config:?}")
        };
        assert_eq!(smtp.tls, TlsMode::StartTls);
        assert_eq!(smtp.port(), 587);
        assert_eq!(smtp.timeout, Duration::from_secs(30));
        assert_eq!((smtp.username, smtp.password), (None, None));
    }

    #[test]
    fn every_field_of_an_smtp_table_is_read() {
        let text = r#"
            transport = "smtp"
            host = "relay.example.invalid"
            port = 2525
            tls = "none"
            from = "rollout@example.invalid"
            timeout = 5
        "#;
        let config: EmailTransportConfig = toml::from_str(text).unwrap();
        let want = EmailConfig {
            host: "relay.example.invalid".into(),
            port: Some(2525),
            tls: TlsMode::None,
            username: None,
            password: None,
            from: "rollout@example.invalid".into(),
            timeout: Duration::from_secs(5),
        };
        assert_eq!(config, EmailTransportConfig::Smtp(want));
    }

    #[test]
    fn off_and_file_tables_read() {
        assert_eq!(
            toml::from_str::<EmailTransportConfig>("transport = \"off\"").unwrap(),
            EmailTransportConfig::Off
        );
        let file: EmailTransportConfig = toml::from_str(
            "transport = \"file\"\ndir = \"/var/spool/rollout\"\nfrom = \"r@example.invalid\"",
        )
        .unwrap();
        assert_eq!(
            file,
            EmailTransportConfig::File {
                dir: "/var/spool/rollout".into(),
                from: "r@example.invalid".into()
            }
        );
    }

    #[test]
    fn tls_modes_have_their_customary_ports() {
        assert_eq!(
            [TlsMode::None, TlsMode::StartTls, TlsMode::Tls].map(TlsMode::default_port),
            [25, 587, 465]
        );
    }

    #[test]
    fn debug_hides_the_password() {
        let config = EmailConfig {
            host: "h".into(),
            port: None,
            tls: TlsMode::Tls,
            username: Some("rollout".into()),
            password: Some("hunter2-very-secret".into()),
            from: "r@example.invalid".into(),
            timeout: Duration::from_secs(1),
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
