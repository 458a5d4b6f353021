//! Demo identities: one user per role (two for the project office, because abolishing a
//! procedure needs two distinct approvals) and a token for each, so that someone trying rollout
//! can act as each role straight away. Only for demo databases: the tokens are printed.

use rollout_domain::identity::{Role, User};

use crate::{Actor, App, AppResult, CreateUser, IssuedToken};

/// A demo user and the secret of their token.
#[derive(Debug, Clone)]
pub struct DemoIdentity {
    pub user: User,
    pub token: IssuedToken,
}

const PEOPLE: &[(&str, &str, Role, Option<&str>)] = &[
    (
        "プロジェクト推進室 佐藤",
        "sato@office.demo",
        Role::ProjectOffice,
        None,
    ),
    (
        "プロジェクト推進室 鈴木",
        "suzuki@office.demo",
        Role::ProjectOffice,
        None,
    ),
    (
        "環境局 田中",
        "tanaka@kankyo.demo",
        Role::BureauCoordinator,
        Some("KANKYO"),
    ),
    (
        "生活文化局 高橋",
        "takahashi@seikatsu.demo",
        Role::BureauCoordinator,
        Some("SEIKATSU"),
    ),
    ("閲覧者 伊藤", "ito@viewer.demo", Role::Viewer, None),
];

impl App {
    /// Creates the demo users (the bureaus must exist) and one token each.
    pub async fn create_demo_identities(&self) -> AppResult<Vec<DemoIdentity>> {
        let system = Actor::system("demo");
        let mut out = Vec::with_capacity(PEOPLE.len());
        for (name, email, role, bureau) in PEOPLE {
            let user = self
                .create_user(
                    &system,
                    CreateUser {
                        display_name: (*name).to_owned(),
                        email: (*email).to_owned(),
                        role: *role,
                        bureau_code: bureau.map(str::to_owned),
                    },
                )
                .await?;
            let token = self
                .create_token(&system, Some(user.id), "demo", None)
                .await?;
            out.push(DemoIdentity { user, token });
        }
        Ok(out)
    }
}
