//! Logging: one `tracing` subscriber writing to stderr (stdout belongs to command output such as
//! `rollout schema`), filtered by `ROLLOUT_LOG`/`log` and formatted as text or JSON. Metrics and
//! trace export are not set up here; they would be added as further layers.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::error::CliError;

/// Installs the global subscriber. `filter` uses `tracing` filter syntax (`info`,
/// `rollout_app=debug,sqlx=warn`). Fails when the filter does not parse or a subscriber is set.
pub fn init(filter: &str, format: LogFormat) -> Result<(), CliError> {
    let filter = EnvFilter::try_new(filter)
        .map_err(|e| CliError::user(format!("invalid log filter {filter:?}: {e}")))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colour codes only for a terminal: redirected logs must stay plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    installed.map_err(|e| CliError::Internal {
        context: "cannot install the log subscriber".to_owned(),
        source: e,
    })
}
