//! The `rollout` binary: parses the command line, resolves the configuration, installs logging
//! and trace export, runs the command, flushes the traces and turns a failure into a message and
//! an exit code (see [`rollout_server::exit`]).
// The merged schema's resolver futures are deep; the release build proves them `Send` here too.
#![recursion_limit = "256"]

use std::process::ExitCode;

use clap::Parser;
use rollout_server::cli::Cli;
use rollout_server::config::Config;
use rollout_server::error::report;
use rollout_server::{CliError, commands, exit, telemetry};

/// mimalloc rather than glibc's allocator: a GraphQL response is built from many small
/// allocations, and glibc's malloc and free took a third of the server's CPU on lists.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("error: {}", report(&e));
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let config = Config::load(
        cli.config.as_deref(),
        cli.command.flags(),
        cli.command.listens(),
    )?;
    let filter = config
        .log
        .clone()
        .unwrap_or_else(|| cli.command.default_log_filter().to_owned());
    let runtime = tokio::runtime::Runtime::new().map_err(|e| CliError::Internal {
        context: "cannot start the async runtime".to_owned(),
        source: e.into(),
    })?;
    // The trace exporter is spawned on the runtime, so it is installed inside it.
    let telemetry = {
        let _inside = runtime.enter();
        telemetry::init(&filter, config.log_format, &config.telemetry)?
    };
    let result = runtime.block_on(commands::run(cli.command, config));
    // After the command (for `serve`, after the graceful shutdown) and before the runtime
    // goes: the last spans are exported on it.
    telemetry.shutdown();
    result
}
