//! `rollout user add|list|disable` and `rollout token create|list|revoke`: account management
//! from the command line, acting as the system (whoever can run this against the database could
//! change it directly anyway). Every change is audited like a GraphQL one; a command that would
//! change nothing (disabling a disabled user, revoking a revoked token) says so and writes
//! nothing. These commands only work on an existing database: they never create one.
//!
//! Lists are tab-separated with a header row, naming users by e-mail and bureaus by code.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use rollout_app::{Actor, App, CreateUser, SystemClock, UpdateUser};
use rollout_domain::bounds;
use rollout_domain::identity::{Email, Role, User};
use rollout_domain::token::ApiToken;
use rollout_domain::{BureauId, TokenId, UserId, workflow::default_workflow};

use crate::backend::Database;
use crate::cli::{TokenCommand, UserCommand};
use crate::config::Config;
use crate::error::CliError;

async fn open(config: &Config) -> Result<(Database, App), CliError> {
    let db = Database::open_existing(&config.database_url, config.migrate).await?;
    // Account management does not depend on the workflow; the default one is enough here.
    let app = App::new(db.store.clone(), default_workflow(), Arc::new(SystemClock));
    let app = crate::cache_sync::publishing(&db, app);
    Ok((db, app))
}

async fn user_by_email(app: &App, raw: &str) -> Result<User, CliError> {
    let email = Email::parse(raw).map_err(|e| CliError::user(e.0))?;
    app.store()
        .user_by_email(&email)
        .await
        .map_err(|e| CliError::store("looking up the user", e))?
        .ok_or_else(|| CliError::user(format!("no user with e-mail {email}")))
}

async fn bureau_codes(app: &App) -> Result<HashMap<BureauId, String>, CliError> {
    let bureaus = app
        .store()
        .list_bureaus()
        .await
        .map_err(|e| CliError::store("cannot list bureaus", e))?;
    Ok(bureaus
        .into_iter()
        .map(|b| (b.id, b.code.to_string()))
        .collect())
}

const USER_HEADER: &str = "EMAIL\tROLE\tNAME\tBUREAU\tSTATUS";

/// One user as a row under [`USER_HEADER`].
fn describe(u: &User, bureaus: &HashMap<BureauId, String>) -> String {
    let bureau = u
        .bureau_id
        .map_or("-", |b| bureaus.get(&b).map_or("?", String::as_str));
    let status = if u.disabled { "DISABLED" } else { "active" };
    format!(
        "{}\t{}\t{}\t{bureau}\t{status}",
        u.email, u.role, u.display_name
    )
}

pub async fn user(config: &Config, command: UserCommand) -> Result<(), CliError> {
    let (db, app) = open(config).await?;
    let result = run_user(&app, command).await;
    db.close().await;
    result
}

async fn run_user(app: &App, command: UserCommand) -> Result<(), CliError> {
    let system = Actor::system("cli");
    match command {
        UserCommand::Add {
            email,
            name,
            role,
            bureau,
            ..
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                CliError::user(format!(
                    "unknown role {role:?}: use ADMIN, PROJECT_OFFICE, BUREAU_COORDINATOR, VIEWER \
                     or REVIEW_INTAKE"
                ))
            })?;
            let input = CreateUser {
                display_name: name,
                email,
                role,
                bureau_code: bureau,
            };
            let user = app
                .create_user(&system, input)
                .await
                .map_err(|e| CliError::app("cannot create the user", e))?;
            println!("created {}", describe(&user, &bureau_codes(app).await?));
            Ok(())
        }
        UserCommand::List { .. } => {
            let users = app
                .list_users(&system)
                .await
                .map_err(|e| CliError::app("cannot list users", e))?;
            if users.is_empty() {
                println!("no users yet: add one with `rollout user add`");
                return Ok(());
            }
            let bureaus = bureau_codes(app).await?;
            println!("{USER_HEADER}");
            users
                .iter()
                .for_each(|u| println!("{}", describe(u, &bureaus)));
            Ok(())
        }
        UserCommand::Disable { email, .. } => {
            let u = user_by_email(app, &email).await?;
            if u.disabled {
                println!("{} was already disabled; nothing changed", u.email);
                return Ok(());
            }
            let change = UpdateUser {
                disabled: Some(true),
                ..UpdateUser::default()
            };
            app.update_user(&system, u.id, change)
                .await
                .map(|u| println!("disabled {}", u.email))
                .map_err(|e| CliError::app("cannot disable the user", e))
        }
    }
}

pub async fn token(config: &Config, command: TokenCommand) -> Result<(), CliError> {
    let (db, app) = open(config).await?;
    let result = run_token(&app, command).await;
    db.close().await;
    result
}

async fn run_token(app: &App, command: TokenCommand) -> Result<(), CliError> {
    let system = Actor::system("cli");
    match command {
        TokenCommand::Create {
            user,
            name,
            expires_in_days,
            ..
        } => {
            let expires = expires_in_days
                .map(|d| bounds::days_after(app.now(), i64::from(d)))
                .transpose()
                .map_err(|e| CliError::user(format!("--expires-in-days: {e}")))?;
            let owner = user_by_email(app, &user).await?;
            let issued = app
                .create_token(&system, Some(owner.id), &name, expires)
                .await
                .map_err(|e| CliError::app("cannot create the token", e))?;
            // The note names no part of the secret (the prefix is the secret's own start), so
            // a script that reads both streams and takes the first `rlt_…` gets the token.
            eprintln!("API token for {} (shown once; store it now):", owner.email);
            println!("{}", issued.secret.expose());
            Ok(())
        }
        TokenCommand::List { user, .. } => {
            let owner = match user {
                Some(u) => Some(user_by_email(app, &u).await?.id),
                None => None,
            };
            let tokens = app
                .store()
                .list_tokens(owner)
                .await
                .map_err(|e| CliError::store("cannot list tokens", e))?;
            if tokens.is_empty() {
                println!(
                    "no tokens: create one with `rollout token create --user <e-mail> --name <what it is for>`"
                );
                return Ok(());
            }
            let users = app
                .list_users(&system)
                .await
                .map_err(|e| CliError::app("cannot list users", e))?;
            let emails: HashMap<UserId, String> = users
                .into_iter()
                .map(|u| (u.id, u.email.to_string()))
                .collect();
            println!("PREFIX\tNAME\tUSER\tSTATE\tID");
            for t in tokens {
                let email = emails.get(&t.user_id).map_or("?", String::as_str);
                println!(
                    "{}…\t{}\t{email}\t{}\t{}",
                    t.prefix,
                    t.name,
                    state(&t),
                    t.id
                );
            }
            Ok(())
        }
        TokenCommand::Revoke { token, .. } => {
            let t = find_token(app, &token).await?;
            if let Some(at) = t.revoked_at {
                println!(
                    "token {}… ({}) was already revoked at {}; nothing changed",
                    t.prefix,
                    t.name,
                    at.to_rfc3339()
                );
                return Ok(());
            }
            app.revoke_token(&system, t.id)
                .await
                .map(|t| println!("revoked {}… ({})", t.prefix, t.name))
                .map_err(|e| CliError::app("cannot revoke the token", e))
        }
    }
}

fn state(t: &ApiToken) -> String {
    match (t.revoked_at, t.expires_at) {
        (Some(_), _) => "revoked".to_owned(),
        (None, Some(e)) if e <= Utc::now() => "expired".to_owned(),
        (None, Some(e)) => format!("expires {}", bounds::utc_text(e)),
        (None, None) => "no expiry".to_owned(),
    }
}

/// A token by its id or by the prefix `token list` shows (with or without the `…`).
async fn find_token(app: &App, raw: &str) -> Result<ApiToken, CliError> {
    let key = raw.trim().trim_end_matches('…').trim_end_matches("...");
    if let Ok(id) = uuid::Uuid::parse_str(key) {
        return app
            .store()
            .token(TokenId(id))
            .await
            .map_err(|e| CliError::store("looking up the token", e))?
            .ok_or_else(|| CliError::user(format!("no token with id {id}")));
    }
    let all = app
        .store()
        .list_tokens(None)
        .await
        .map_err(|e| CliError::store("looking up the token", e))?;
    let mut matching: Vec<ApiToken> = all.into_iter().filter(|t| t.prefix == key).collect();
    match matching.len() {
        0 => Err(CliError::user(format!(
            "{raw:?} is not a token id or prefix: `rollout token list` shows both"
        ))),
        1 => Ok(matching.remove(0)),
        _ => Err(CliError::user(format!(
            "several tokens start with {key}: give the id instead ({})",
            matching
                .iter()
                .map(|t| t.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
