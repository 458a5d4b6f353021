//! `rollout demo [--synthetic N | --replay] [--users]`: loads the demo data (or, with `--replay`,
//! the programme's own history from `deploy/demo/history/`) into an empty database with a
//! progress bar and a timed summary, and with `--users` the demo users, whose tokens it prints
//! once (as `serve --demo` does); a database that already holds data is left alone (exit
//! code 1). The demo users come with the data whatever the flag (they recorded its hearings and
//! tasks); `--users` only makes and shows their tokens.

use std::sync::Arc;
use std::time::Instant;

use rollout_app::demo::{DemoError, DemoOptions, DemoProgress};
use rollout_app::{App, SystemClock};

use super::progress::Progress;
use super::workflow::load_procedure_workflow;
use crate::backend::Database;
use crate::cli::DemoArgs;
use crate::config::Config;
use crate::error::CliError;
use crate::server::DemoLogin;

/// The demo users and their tokens, as `demo --users` and `serve --demo` print them.
pub fn print_logins(logins: &[DemoLogin]) {
    println!("Demo users and their API tokens, shown only now:");
    for login in logins {
        println!(
            "    {:<20} {:<28} {}",
            login.role.as_str(),
            login.email,
            login.token
        );
    }
    println!();
}

pub async fn run(config: &Config, args: &DemoArgs) -> Result<(), CliError> {
    let users = args.users;
    let workflow = load_procedure_workflow(config.workflow.as_deref())?;
    let db = Database::open(&config.database_url, config.migrate).await?;
    let app = App::new(db.store.clone(), workflow, Arc::new(SystemClock));
    let started = Instant::now();
    let progress = Progress::new(1);
    let on_progress = |p: DemoProgress| progress.update("loading", p.done, p.total);
    let result = if args.replay {
        app.load_replay(&on_progress).await
    } else {
        let options = DemoOptions {
            synthetic: args.synthetic,
            ..DemoOptions::default()
        };
        app.load_demo(options, &on_progress).await
    };
    progress.finish();
    let kind = if args.replay {
        "illustrative procedures of the replayed history in deploy/demo/history"
    } else {
        "generated procedures"
    };
    let people = match (&result, users) {
        (Ok(_), true) => Some(app.create_demo_identities().await),
        _ => None,
    };
    db.close().await;
    match result {
        Ok(r) => {
            println!(
                "loaded {} bureaus, {} real and {} {kind} ({} history records; {} hearings, {} user tests, {} tasks; {} law changes, {} milestones, {} dependencies) into {} in {:.1} s",
                r.bureaus,
                r.real_procedures,
                r.synthetic_procedures,
                r.history_records,
                r.hearings,
                r.user_tests,
                r.tasks,
                r.law_changes,
                r.milestones,
                r.dependencies,
                config.database_url,
                started.elapsed().as_secs_f64()
            );
            match people {
                Some(Ok(people)) => {
                    println!();
                    print_logins(&people.into_iter().map(DemoLogin::from).collect::<Vec<_>>());
                    Ok(())
                }
                Some(Err(e)) => Err(CliError::app("cannot create the demo users", e)),
                None => Ok(()),
            }
        }
        Err(DemoError::NotEmpty) => Err(CliError::user(format!(
            "refusing to load demo data: {} already holds bureaus or procedures (use an empty database)",
            config.database_url
        ))),
        Err(DemoError::Replay(why)) => Err(CliError::user(format!(
            "cannot replay the programme's history: {why}"
        ))),
        Err(DemoError::App(e)) => Err(CliError::app("loading demo data failed", e)),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command, DemoArgs, ServeArgs};

    #[test]
    fn replay_is_a_demo_without_generated_procedures() {
        let cli = Cli::try_parse_from(["rollout", "demo", "--replay", "--users"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Demo(DemoArgs {
                replay: true,
                users: true,
                synthetic: 0,
                ..
            })
        ));
        let both = Cli::try_parse_from(["rollout", "demo", "--replay", "--synthetic", "10"]);
        let error = both.expect_err("--replay with --synthetic is refused");
        assert_eq!(error.kind(), clap::error::ErrorKind::ArgumentConflict);
        let cli = Cli::try_parse_from(["rollout", "serve", "--demo", "--replay"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Serve(ServeArgs {
                demo: true,
                replay: true,
                ..
            })
        ));
        let alone = Cli::try_parse_from(["rollout", "serve", "--replay"]);
        let error = alone.expect_err("serve --replay needs --demo");
        assert_eq!(
            error.kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
    }
}
