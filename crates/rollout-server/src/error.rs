//! [`CliError`]: how a command failed, and the process exit code that says so. The message is
//! written for the person at the terminal; causes are kept as sources for the log.

use rollout_app::AppError;
use rollout_store::StoreError;

use crate::config::ConfigError;

/// Exit codes of the `rollout` binary.
pub mod exit {
    pub const OK: u8 = 0;
    /// Bad input: a file, a row, a setting. Also unexpected failures, which are logged.
    pub const USER: u8 = 1;
    /// Bad command line (clap's own code for usage errors).
    pub const USAGE: u8 = 2;
    /// The database could not be reached.
    pub const DATABASE: u8 = 3;
    /// `rollout verify` (and `restore`'s checks) could not check at all: no such file, not a
    /// rollout database, an unreadable workflow. Distinct from 1, which there means violations.
    pub const CANNOT_CHECK: u8 = 4;
}

/// A command's failure.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The user can fix this; the message says how.
    #[error("{0}")]
    User(String),
    /// The database could not be reached or stopped answering.
    #[error("database unavailable: {context}")]
    Database {
        context: String,
        #[source]
        source: Option<StoreError>,
    },
    /// A failure that needs its own exit code (see [`exit::CANNOT_CHECK`]).
    #[error("{message}")]
    Coded { code: u8, message: String },
    /// A bug or corrupt data; details are in the source chain.
    #[error("{context}")]
    Internal {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl CliError {
    pub fn user(message: impl Into<String>) -> Self {
        Self::User(message.into())
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Self::User(_) | Self::Internal { .. } => exit::USER,
            Self::Database { .. } => exit::DATABASE,
            Self::Coded { code, .. } => *code,
        }
    }

    /// Classifies a store failure: unavailability is exit code 3, anything else is internal.
    pub fn store(context: impl Into<String>, e: StoreError) -> Self {
        let context = context.into();
        match e {
            StoreError::Unavailable(_) => Self::Database {
                context,
                source: Some(e),
            },
            other => Self::Internal {
                context,
                source: Box::new(other),
            },
        }
    }

    /// Classifies a use-case failure: expected ones are the user's to fix.
    pub fn app(context: impl Into<String>, e: AppError) -> Self {
        let context = context.into();
        match e {
            AppError::Unavailable(source) => Self::Database {
                context,
                source: Some(source),
            },
            AppError::Internal(source) => Self::Internal {
                context,
                source: Box::new(source),
            },
            expected => {
                let details: Vec<String> = expected
                    .user_errors()
                    .into_iter()
                    .map(|f| f.message)
                    .collect();
                Self::User(format!("{context}: {}", details.join("; ")))
            }
        }
    }
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        Self::User(e.to_string())
    }
}

/// The message and every cause, one per line, as printed before exiting. A cause that only
/// repeats what is already printed (a store's "database unavailable" under the command's own,
/// a driver error wrapping another's text) is left out.
pub fn report(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(&format!("\n  caused by: {text}"));
        }
        source = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_chain_does_not_repeat_itself() {
        let io = std::io::Error::other("unable to open database file");
        let store = StoreError::Unavailable(Box::new(io));
        let e = CliError::store("cannot connect to sqlite:x.db", store);
        assert_eq!(
            report(&e),
            "database unavailable: cannot connect to sqlite:x.db\n  caused by: unable to open database file"
        );
    }
}
