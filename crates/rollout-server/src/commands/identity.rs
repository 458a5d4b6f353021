//! `rollout user add|list|disable` and `rollout token create|list|revoke`: account management
//! from the command line, acting as the system (whoever can run this against the database could
//! change it directly anyway). Every change is audited like a GraphQL one.

use std::sync::Arc;

use chrono::Utc;
use rollout_app::{Actor, App, CreateUser, SystemClock, UpdateUser};
use rollout_domain::bounds;
use rollout_domain::identity::{Email, Role, User};
use rollout_domain::{TokenId, workflow::default_workflow};

use crate::backend::Database;
use crate::cli::{TokenCommand, UserCommand};
use crate::config::Config;
use crate::error::CliError;

async fn open(config: &Config) -> Result<(Database, App), CliError> {
    let db = Database::connect(&config.database_url).await?;
    // Account management does not depend on the workflow; the default one is enough here.
    let app = App::new(db.store.clone(), default_workflow(), Arc::new(SystemClock));
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

fn describe(u: &User) -> String {
    format!(
        "{}\t{}\t{}\t{}{}",
        u.email,
        u.role,
        u.display_name,
        u.bureau_id
            .map_or_else(String::new, |b| format!("bureau {b}")),
        if u.disabled { "\tDISABLED" } else { "" }
    )
}

pub async fn user(config: &Config, command: UserCommand) -> Result<(), CliError> {
    let (db, app) = open(config).await?;
    let system = Actor::system("cli");
    let result = match command {
        UserCommand::Add {
            email,
            name,
            role,
            bureau,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                CliError::user(format!(
                    "unknown role {role:?}: use ADMIN, PROJECT_OFFICE, BUREAU_COORDINATOR or VIEWER"
                ))
            })?;
            app.create_user(
                &system,
                CreateUser {
                    display_name: name,
                    email,
                    role,
                    bureau_code: bureau,
                },
            )
            .await
            .map(|u| println!("created {}", describe(&u)))
            .map_err(|e| CliError::app("cannot create the user", e))
        }
        UserCommand::List => app
            .list_users(&system)
            .await
            .map(|users| users.iter().for_each(|u| println!("{}", describe(u))))
            .map_err(|e| CliError::app("cannot list users", e)),
        UserCommand::Disable { email } => {
            let u = user_by_email(&app, &email).await?;
            app.update_user(
                &system,
                u.id,
                UpdateUser {
                    disabled: Some(true),
                    ..UpdateUser::default()
                },
            )
            .await
            .map(|u| println!("disabled {}", u.email))
            .map_err(|e| CliError::app("cannot disable the user", e))
        }
    };
    db.close().await;
    result
}

pub async fn token(config: &Config, command: TokenCommand) -> Result<(), CliError> {
    let (db, app) = open(config).await?;
    let system = Actor::system("cli");
    let result = match command {
        TokenCommand::Create {
            user,
            name,
            expires_in_days,
        } => {
            let expires = expires_in_days
                .map(|d| bounds::days_after(app.now(), i64::from(d)))
                .transpose()
                .map_err(|e| CliError::user(format!("--expires-in-days: {e}")))?;
            let owner = user_by_email(&app, &user).await?;
            match app
                .create_token(&system, Some(owner.id), &name, expires)
                .await
            {
                Ok(issued) => {
                    eprintln!(
                        "token {} for {} (shown once; store it now):",
                        issued.token.id, owner.email
                    );
                    println!("{}", issued.secret.expose());
                    Ok(())
                }
                Err(e) => Err(CliError::app("cannot create the token", e)),
            }
        }
        TokenCommand::List { user } => {
            let owner = match user {
                Some(u) => Some(user_by_email(&app, &u).await?.id),
                None => None,
            };
            app.store()
                .list_tokens(owner)
                .await
                .map(|tokens| {
                    for t in tokens {
                        let state = match (t.revoked_at, t.expires_at) {
                            (Some(_), _) => "revoked".to_owned(),
                            (None, Some(e)) if e <= Utc::now() => "expired".to_owned(),
                            (None, Some(e)) => format!("expires {}", bounds::utc_text(e)),
                            (None, None) => "no expiry".to_owned(),
                        };
                        println!(
                            "{}\t{}…\t{}\tuser {}\t{state}",
                            t.id, t.prefix, t.name, t.user_id
                        );
                    }
                })
                .map_err(|e| CliError::store("cannot list tokens", e))
        }
        TokenCommand::Revoke { id } => {
            let id = uuid::Uuid::parse_str(&id)
                .map_err(|_| CliError::user(format!("{id:?} is not a token id")))?;
            app.revoke_token(&system, TokenId(id))
                .await
                .map(|t| println!("revoked {} ({})", t.id, t.name))
                .map_err(|e| CliError::app("cannot revoke the token", e))
        }
    };
    db.close().await;
    result
}
